/*
 * db.h: the state database, one SQLite file.  Opening it applies the
 * append-only migrations under PRAGMA user_version; a database made by a
 * newer binary is refused.  Every change of state is one
 * BEGIN IMMEDIATE ... COMMIT.
 */
#ifndef DB_H
#define DB_H

#include <stddef.h>

struct sqlite3;
struct sqlite3_stmt;

#define DB_CACHED	64

struct db {
	struct sqlite3	*h;
	char		*path;
	struct {
		const char		*sql;
		struct sqlite3_stmt	*st;
	}		 cached[DB_CACHED];
};

/* The schema version this binary writes. */
int	 db_schema_version(void);

/*
 * Open (creating if needed) the database at path and migrate it.
 * Return NULL after an error message.  With readonly, never create or
 * migrate; a missing file is an error.
 */
struct db	*db_open(const char *path, int readonly);
void		 db_close(struct db *);

/* Run SQL without results; -1 after an error message. */
int	 db_exec(struct db *, const char *sql);
/* BEGIN IMMEDIATE, COMMIT, ROLLBACK. */
int	 db_begin(struct db *);
int	 db_commit(struct db *);
void	 db_rollback(struct db *);
/* End a transaction: commit when rc is 0, else roll back; the result. */
int	 db_end(struct db *, int rc);

/* Prepare a statement; NULL after an error message naming the SQL. */
struct sqlite3_stmt	*db_prepare(struct db *, const char *sql);
/*
 * Step a statement: 1 for a row, 0 when done, -1 after an error
 * message.
 */
int	 db_step(struct db *, struct sqlite3_stmt *);
/* Finalize (NULL is a no-op). */
void	 db_finalize(struct sqlite3_stmt *);
/*
 * A statement for a query run many times: prepared once and kept until
 * db_close(), found again by the address of sql (a string literal).
 * Give it back with db_done(), which resets it, instead of finalizing.
 */
struct sqlite3_stmt	*db_cached(struct db *, const char *sql);
void	 db_done(struct sqlite3_stmt *);

/* Bind helpers: a NULL string binds SQL NULL.  Index is 1-based. */
void	 db_bind_text(struct sqlite3_stmt *, int, const char *);
void	 db_bind_int(struct sqlite3_stmt *, int, long long);
void	 db_bind_double(struct sqlite3_stmt *, int, double);
void	 db_bind_null(struct sqlite3_stmt *, int);
/* Column helpers: text may be NULL; dup returns a malloc'd copy. */
const char	*db_col_text(struct sqlite3_stmt *, int);
char		*db_col_dup(struct sqlite3_stmt *, int);
/* A text whole, NULs and all, with its length in *len (0 for NULL). */
char		*db_col_dup_len(struct sqlite3_stmt *, int, size_t *len);
long long	 db_col_int(struct sqlite3_stmt *, int);
double		 db_col_double(struct sqlite3_stmt *, int);
int		 db_col_is_null(struct sqlite3_stmt *, int);

/* Run a query returning one integer (or def when there is no row). */
long long	 db_int(struct db *, const char *sql, long long def);
/* The same, with one text parameter bound to ?1. */
long long	 db_int_text(struct db *, const char *sql, const char *arg,
		    long long def);
/* The same, with two text parameters bound to ?1 and ?2. */
long long	 db_int_text2(struct db *, const char *sql, const char *a1,
		    const char *a2, long long def);

/*
 * The typed binder: prepare sql, bind the arguments after types (one
 * letter each: 't' a text, where NULL binds SQL NULL; 'i' a long long;
 * 'd' a double; 'n' SQL NULL, taking no argument), step it once and
 * finalize it.  With out set, *out is the first column of the first row
 * and 1 means there was no row.  0, 1, or -1 after an error message.
 *
 * db_run() is for UPDATE, INSERT and DELETE; db_run_int() for a query of
 * one integer.
 */
int	 db_stmt(struct db *, long long *out, const char *sql,
	    const char *types, ...);
#define db_run(db, sql, ...)		db_stmt((db), NULL, (sql), __VA_ARGS__)
#define db_run_int(db, out, sql, ...)	db_stmt((db), (out), (sql), __VA_ARGS__)

/*
 * The integers a one-column query gives, in its order, into *ids (the
 * caller frees) and *n; -1 after an error message (*ids NULL).
 */
int	 db_ids(struct db *, const char *sql, long long **ids, size_t *n);
/* A random id made when the database was created, for lab job names. */
char	*db_instance(struct db *);
/* The id of the last inserted row, and rows changed by the last step. */
long long	 db_last_id(struct db *);
int		 db_changes(struct db *);

#endif
