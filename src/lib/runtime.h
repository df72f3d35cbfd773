/*
 * runtime.h: the submit and collect stages, which hand jobs to their
 * runtime (lab) and turn what comes back into build and test rows.
 */
#ifndef RUNTIME_H
#define RUNTIME_H

#include <stddef.h>

struct config;
struct db;

struct submit_stats {
	size_t	submitted;
	size_t	waiting;	/* no free slot in their lab */
	size_t	adopted;	/* found running after a crash */
	size_t	failed;
};

struct collect_stats {
	size_t	finished;
	size_t	running;
	size_t	retried;
	size_t	failed;
};

/* Submit every pending job whose lab has room.  -1 on a database error. */
int	 submit_stage(const struct config *, struct db *,
	    struct submit_stats *);

/*
 * Collect every submitted job that has finished.  With wait, keep
 * looking until no job on this machine is running.  -1 on a database
 * error.
 */
int	 collect_stage(const struct config *, struct db *, int wait,
	    struct collect_stats *);

/*
 * Give a build its final status without a result (MISS when its
 * submission gave up, ERROR for an infrastructure failure).  Must run in
 * a transaction.
 */
int	 collect_build_final(struct db *, const char *job_id,
	    const char *status, const char *code, const char *msg);

#endif
