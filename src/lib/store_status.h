/*
 * store_status.h: what `maestrino status` counts and what is left of the
 * jobs for `maestrino run`.  Every SQL statement of them is in
 * store_status.c; the rule of a runnable job is store_job.h's.
 */
#ifndef STORE_STATUS_H
#define STORE_STATUS_H

#include <stddef.h>

#include "store_checkout.h"

struct db;

/* The counts of `maestrino status`. */
struct status_counts {
	long long	 checkouts;
	long long	 trees_failing;
	long long	 tarballs_pending;
	long long	 tarballs_done;
	long long	 tarballs_failed;
	long long	 jobs_pending;	/* waiting to be submitted */
	long long	 jobs_submitted;
	long long	 jobs_running;
	long long	 jobs_done;
	long long	 builds;
	long long	 tests;
	long long	 kcidb_pending;	/* rows not yet exported */
	long long	 kcidb_files_unsent;
	long long	 bisect_queued;	/* bisections waiting for a slot */
	long long	 bisect_active;
	long long	 bisect_done;
};

/* Every count; one that cannot be read is 0, after an error message. */
void	 store_status_counts(struct db *, struct status_counts *);

/* One tree as the poll stage left it. */
struct status_tree {
	int		 found;		/* it has a row */
	int		 polled;	/* last_poll is set */
	long long	 last_poll;
	char		*error;		/* or NULL */
	long long	 checkouts;
};

/*
 * The trees named in names[0..n-1] into out[0..n-1]; 0, or -1 after an
 * error message (out holds nothing then).  Free with
 * store_status_trees_free().
 */
int	 store_status_trees(struct db *, const char *const *names, size_t n,
	    struct status_tree *out);
void	 store_status_trees_free(struct status_tree *, size_t n);

/* A recent checkout. */
struct status_checkout {
	struct checkout_row	 c;
	int			 has_size;	/* tarball_size set */
};

/*
 * The limit newest checkouts, newest first, in *out (a malloc'd array
 * of *n); 0, or -1 after an error message (keeping the rows read).
 */
int	 store_status_recent(struct db *, size_t limit,
	    struct status_checkout **out, size_t *n);
void	 store_status_recent_free(struct status_checkout *, size_t n);

/* The jobs of one lab (job.runtime) that are not done. */
struct status_lab_jobs {
	char		*runtime;	/* NULL for none */
	long long	 jobs;		/* not done */
	long long	 pending;	/* waiting to be submitted */
	long long	 runnable;	/* of those, due at now */
	long long	 running;	/* handed to the lab */
	long long	 next_retry;	/* first retry after now, or 0 */
};

/*
 * The jobs that are not done, lab by lab, at time now, in *out (a
 * malloc'd array of *n); 0, or -1 after an error message.
 */
int	 store_status_jobs_left(struct db *, long long now,
	    struct status_lab_jobs **out, size_t *n);
void	 store_status_jobs_left_free(struct status_lab_jobs *, size_t n);

#endif
