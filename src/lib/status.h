/*
 * status.h: `maestrino status`, what is pending at each stage.
 */
#ifndef STATUS_H
#define STATUS_H

#include <stdio.h>

struct config;
struct db;

/*
 * Print the status of cfg's pipeline to fp, as text or as one JSON
 * object (with at least the integers "trees" and "checkouts").  db may
 * be NULL when nothing has run yet.  Return -1 on error.
 */
int	 status_print(const struct config *, struct db *, int json, FILE *fp);

/*
 * Open the state database of cfg read-only into *db, which stays NULL
 * when nothing has run yet; 0, or -1 after an error message.
 */
int	 status_open_db(const struct config *, struct db **);
/* status_print() of cfg's own state database; -1 on error. */
int	 status_show(const struct config *, int json, FILE *fp);

/* What is left of the jobs, for `run --wait` and its closing line. */
struct jobs_left {
	long long	 runnable;	/* any lab, could be submitted now */
	long long	 pending;	/* waiting to be submitted */
	long long	 retrying;	/* of those, waiting for a retry */
	long long	 running;	/* handed to a lab, not finished */
	long long	 local;		/* of this machine's labs, not done */
	long long	 next_retry;	/* earliest retry of a local job, or 0 */
};

/* Count the jobs that are not done; -1 on a database error. */
int	 status_jobs_left(const struct config *, struct db *,
	    struct jobs_left *);

#endif
