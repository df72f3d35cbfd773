/*
 * store_kcidb.h: what the kcidb stage reads and writes in the state
 * database: the changed checkouts, builds, tests and bisections it
 * exports, their exported generation, and the kcidb_file rows of the
 * files it submits.  Every SQL statement of the stage is in store_kcidb.c.
 */
#ifndef STORE_KCIDB_H
#define STORE_KCIDB_H

#include <stddef.h>

#include "store_bisect.h"
#include "store_build.h"
#include "store_checkout.h"
#include "store_test.h"

struct db;

/* The tables exported, in the order they are read. */
enum kcidb_table {
	KCIDB_CHECKOUTS,
	KCIDB_BUILDS,
	KCIDB_TESTS,
	KCIDB_BISECTIONS,	/* an issue and its incidents each */
	KCIDB_ISSUES,		/* known issues and log signatures */
	KCIDB_INCIDENTS,	/* theirs */
	KCIDB_TABLES
};

/* The states of a kcidb_file row (the CHECK of its table). */
#define KCIDB_FILE_PENDING	"pending"	/* not accepted yet */
#define KCIDB_FILE_SUBMITTED	"submitted"	/* accepted, not processed */
#define KCIDB_FILE_PROCESSED	"processed"

/* A checkout as exported. */
struct kcidb_checkout {
	struct checkout_row	 row;
	int			 has_tarball_size;
	long long		 builds_finish;	/* 0 until all are done */
	long long		 tests_finish;
};

struct kcidb_test {
	struct test_row		 row;
	char			*build_job_id;
};

/* A build or test a bisection is about, as its KCIDB id is made. */
struct kcidb_bisect_result {
	char		*kind;		/* "build" or "test" */
	long long	 ref;		/* build.id or test.id */
	char		*job_id;	/* the build's or the test's */
	char		*path;		/* the test's */
};

/* A bisection with a culprit, as exported. */
struct kcidb_bisection {
	struct bisection_row		 row;
	char				*subject;	/* or NULL */
	size_t				 subject_len;
	struct kcidb_bisect_result	*results;
	size_t				 nresults;
};

/* A build as exported: its row, and the first error its log showed. */
struct kcidb_build {
	struct build_row	 row;
	char			*summary;	/* or NULL */
};

/* A known issue or a log signature (the issue table). */
struct kcidb_issue {
	long long	 rowid;
	char		*id;		/* config name, or "sig-<hash>" */
	char		*kind;		/* "known" or "signature" */
	char		*title;
	char		*report_url;
	char		*culprit;	/* code, tool, harness */
	char		*finding_kind;
	char		*signature;
	long long	 version;
	int		 active;
};

/* An incident, with what the KCIDB id of its build or test is made of. */
struct kcidb_incident {
	long long	 rowid;
	char		*issue_id;
	char		*issue_kind;
	long long	 issue_version;
	char		*kind;		/* "build" or "test" */
	long long	 ref;
	char		*job_id;	/* the build's or the test's, or NULL */
	char		*path;		/* the test's */
	int		 present;
};

/* One row of any table. */
struct kcidb_row {
	enum kcidb_table	 table;
	union {
		struct kcidb_checkout	c;
		struct kcidb_build	b;
		struct kcidb_test	t;
		struct kcidb_bisection	x;
		struct kcidb_issue	i;
		struct kcidb_incident	n;
	}			 u;
};

long long	 store_kcidb_row_id(const struct kcidb_row *);
void		 store_kcidb_row_release(struct kcidb_row *);

/*
 * The rows of a table not exported since they last changed (all of
 * them with all), in id order: open, then next until it returns 0 (1
 * for a row, -1 after an error message), then close.  Of bisections,
 * only those done with a culprit (outcome found or revert-fails).
 */
struct store_kcidb_cursor;
struct store_kcidb_cursor	*store_kcidb_changed(struct db *,
				    enum kcidb_table, int all);
int	 store_kcidb_next(struct store_kcidb_cursor *, struct kcidb_row *);
void	 store_kcidb_close(struct store_kcidb_cursor *);

/*
 * In one transaction: the changed bisections that have nothing to
 * export (not done, or done without a culprit) are marked exported, so
 * they are not looked at again until they change.  0, or -1 after an
 * error message.
 */
int	 store_kcidb_bisect_nothing(struct db *);

/* The ids a written file holds, per table, and how many rows. */
struct kcidb_span {
	long long	 lo[KCIDB_TABLES];
	long long	 hi[KCIDB_TABLES];
	long long	 n[KCIDB_TABLES];
	int		 seen[KCIDB_TABLES];
};

/*
 * In one transaction: the changed rows of each table between the first
 * and last id of a file are exported, and with path (the file is to be
 * submitted) a pending kcidb_file row of objects objects is added.
 * 0, or -1 after an error message.
 */
int	 store_kcidb_exported(struct db *, const struct kcidb_span *,
	    const char *path, long long objects);

/* A kcidb_file row. */
struct kcidb_file {
	long long	 id;
	char		*path;
	char		*state;		/* KCIDB_FILE_* */
	char		*submission_id;
	long long	 attempts;
};

struct kcidb_file_list {
	struct kcidb_file	*v;
	size_t			 n;
	size_t			 alloc;
};

/*
 * The files not processed whose next try is due at now, in id order.
 * 0, or -1 after an error message.
 */
int	 store_kcidb_files_due(struct db *, long long now,
	    struct kcidb_file_list *out);
void	 store_kcidb_file_list_free(struct kcidb_file_list *);

/*
 * A file's new state and submission id, its next try (none when next is
 * 0), its error, and attempted added to its attempts, in one
 * transaction.  0, or -1 after an error message.
 */
int	 store_kcidb_file_update(struct db *, long long id, const char *state,
	    const char *submission_id, long long next, const char *error,
	    int attempted);

#endif
