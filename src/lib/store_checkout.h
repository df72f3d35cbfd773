/*
 * store_checkout.h: the checkout, tree and branch_head tables.  A
 * checkout is one row struct wherever it is read (the stages, KCIDB,
 * the site); every SQL statement about them is in store_checkout.c.
 */
#ifndef STORE_CHECKOUT_H
#define STORE_CHECKOUT_H

#include <stddef.h>

struct db;
struct sqlite3_stmt;

/*
 * Every column of a row, for a SELECT in a store file that reads rows
 * with store_checkout_from(): the columns first, in this order, of the table
 * (or alias) t, a string: STORE_CHECKOUT_COLUMNS("b").
 */
#define STORE_CHECKOUT_COLUMNS(t)						\
	t ".id, " \
	t ".tree, " \
	t ".branch, " \
	t ".url, " \
	t ".commit_hash, " \
	t ".describe, " \
	"coalesce(" t ".version, -1), " \
	"coalesce(" t ".patchlevel, -1), " \
	"coalesce(" t ".sublevel, -1), " \
	t ".extraversion, " \
	t ".subject, " \
	t ".message, " \
	t ".author_name, " \
	t ".author_email, " \
	t ".commit_time, " \
	t ".tags, " \
	t ".is_tip, " \
	t ".created, " \
	t ".tarball_state, " \
	t ".tarball_path, " \
	t ".tarball_url, " \
	"coalesce(" t ".tarball_size, 0), " \
	t ".tarball_sha256, " \
	t ".tarball_error, " \
	t ".tarball_attempts, " \
	"coalesce(" t ".tarball_next, 0), " \
	"coalesce(" t ".tarball_mtime, 0), " \
	t ".jobs_made, " \
	t ".gen, " \
	t ".exported_gen, " \
	t ".site_gen"

struct checkout_row {
	long long	 id;
	char		*tree;
	char		*branch;
	char		*url;
	char		*commit;
	char		*describe;
	int		 version;	/* -1 when unknown */
	int		 patchlevel;
	int		 sublevel;
	char		*extraversion;
	char		*subject;
	char		*message;
	char		*author_name;
	char		*author_email;
	long long	 commit_time;
	char		*tags;
	int		 is_tip;
	long long	 created;
	char		*tarball_state;	/* pending, done, failed */
	char		*tarball_path;	/* relative to storage */
	char		*tarball_url;
	long long	 tarball_size;
	char		*tarball_sha256;
	char		*tarball_error;
	long long	 tarball_attempts;
	long long	 tarball_next;
	long long	 tarball_mtime;
	int		 jobs_made;
	long long	 gen;
	long long	 exported_gen;
	long long	 site_gen;
};

/* A list of rows; store_checkout_list_free() frees it. */
struct checkout_list {
	struct checkout_row	*v;
	size_t			 n;
	size_t			 alloc;
};

void	 store_checkout_release(struct checkout_row *);
void	 store_checkout_list_free(struct checkout_list *);

/* Checkout id into *out: 0, 1 when there is none, -1 on error. */
int	 store_checkout_get(struct db *, long long id,
	    struct checkout_row *out);

/* A row from a statement that selected STORE_CHECKOUT_COLUMNS first. */
void	 store_checkout_from(struct sqlite3_stmt *, struct checkout_row *out);

#endif
