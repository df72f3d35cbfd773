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
	t ".site_gen, " \
	t ".kind, " \
	t ".ref, " \
	t ".patchset_hash, " \
	t ".patches, " \
	t ".source_commit, " \
	t ".only_builds, " \
	t ".only_tests, " \
	t ".only_platforms, " \
	t ".test_repeat"

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
	size_t		 subject_len;	/* texts of old rows may hold NULs */
	size_t		 message_len;
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
	char		*kind;		/* head, ondemand, bisect */
	char		*ref;		/* what was asked for, or NULL */
	char		*patchset_hash;	/* NULL without patches */
	char		*patches;	/* JSON: [{name, url, path, sha256}] */
	char		*source_commit;	/* the commit to tar, or NULL */
	char		*only_builds;	/* JSON arrays of names, or NULL */
	char		*only_tests;
	char		*only_platforms;
	int		 test_repeat;	/* each test this many times */
};

/* A list of rows; store_checkout_list_free() frees it. */
struct checkout_list {
	struct checkout_row	*v;
	size_t			 n;
	size_t			 alloc;
};

void	 store_checkout_release(struct checkout_row *);
/* What people read for a kind: "on demand", "bisection step"; NULL for a head. */
const char	*store_checkout_kind_label(const char *kind);
void	 store_checkout_list_free(struct checkout_list *);

/* Checkout id into *out: 0, 1 when there is none, -1 on error. */
int	 store_checkout_get(struct db *, long long id,
	    struct checkout_row *out);

/* A row from a statement that selected STORE_CHECKOUT_COLUMNS first. */
void	 store_checkout_from(struct sqlite3_stmt *, struct checkout_row *out);

/*
 * The poll stage.  Record a poll of tree name at url at time now, with
 * its error (NULL when it went well).  0, or -1 after an error message.
 */
int	 store_tree_note(struct db *, const char *name, const char *url,
	    long long now, const char *err);
/* Tree name at url has a row (polled or not).  0, or -1 after an error. */
int	 store_tree_ensure(struct db *, const char *name, const char *url);
/*
 * The commit the database last saw at tree/branch (caller frees), or
 * NULL when there is none (or after an error message).
 */
char	*store_branch_head(struct db *, const char *tree, const char *branch);
/*
 * Add c as the new tip of its branch, in the caller's transaction: its
 * tree, branch, url, commit, describe, version (-1: unknown, and then
 * patchlevel and sublevel are too), extraversion, subject, message,
 * author, commit_time, tags and created are taken.  The old tip is one
 * no longer, and the branch head points at the new row, whose id is
 * *id.  0, or -1 after an error message.
 */
int	 store_checkout_add(struct db *, const struct checkout_row *c,
	    long long *id);
/*
 * Add c as a checkout of kind c->kind ("ondemand" or "bisect"), in the
 * caller's transaction: the columns store_checkout_add() takes, and
 * ref, patchset_hash, patches, source_commit and the only_* lists.  It
 * is never a tip and leaves branch_head alone.  0, or -1 after an error
 * message.
 */
int	 store_checkout_add_ondemand(struct db *, const struct checkout_row *c,
	    long long *id);
/* The tips of tree's branches, in out.  0, or -1 on error. */
int	 store_checkout_tips(struct db *, const char *tree,
	    struct checkout_list *out);
/* A checkout is now tagged tags.  0, or -1 after an error message. */
int	 store_checkout_set_tags(struct db *, long long id, const char *tags);

/*
 * The tarball stage.  The checkouts that need a tarball made, or looked
 * at again, by id: pending ones, failed ones due at now, and done ones
 * when verify, or when local (nothing uploads them) and builds may still
 * fetch them.  0, or -1 on error.
 */
int	 store_checkout_tarball_todo(struct db *, long long now, int verify,
	    int local, struct checkout_list *out);
/* True when another commit's checkout has the tarball at path. */
int	 store_checkout_tarball_taken(struct db *, const char *path,
	    const char *commit);
/* The tarball of checkout id is made.  0, or -1 after an error message. */
int	 store_checkout_tarball_done(struct db *, long long id,
	    const char *path, const char *url, long long size,
	    const char *sha256, long long mtime);
/*
 * The tarball of checkout id failed with err; try again at next (0:
 * never).  attempt counts it against the checkout.  0, or -1 after an
 * error message.
 */
int	 store_checkout_tarball_failed(struct db *, long long id,
	    const char *err, long long next, int attempt);

#endif
