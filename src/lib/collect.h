/*
 * collect.h: the collect stage: every submitted job is looked at through
 * its lab (runtime.h); finished ones become build and test rows, those
 * that did not finish are retried (job.h).  What records results is here
 * for the runtimes to share.
 */
#ifndef COLLECT_H
#define COLLECT_H

#include <stddef.h>

#include "lava.h"

struct config;
struct db;
struct job_row;
struct runtime;

struct collect_stats {
	size_t	finished;
	size_t	running;
	size_t	retried;
	size_t	failed;
	size_t	upload_pending;	/* finished, their artifacts not uploaded */
};

/*
 * Collect every submitted job that has finished.  With wait, keep
 * looking until no job on this machine is running.  -1 on a database
 * error.
 */
int	 collect_stage(const struct config *, struct db *, int wait,
	    struct collect_stats *);

/* The KCIDB log excerpt: the last 16384 code points of a log. */
#define COLLECT_EXCERPT_MAX	16384
/* Enough bytes of a log to hold that many code points. */
#define COLLECT_EXCERPT_READ	((size_t)4 * COLLECT_EXCERPT_MAX)

/*
 * Text from outside (a log, a lab, a worker's result) as it may be
 * stored: secrets masked, valid UTF-8, at most max bytes (the last ones
 * with tail).  NULL stays NULL.  Caller frees.
 */
char	*collect_outside(const char *s, size_t max, int tail);
/* The excerpt of a log, fit to store (see above); NULL stays NULL. */
char	*collect_excerpt(const char *log);

/* What a lab tells about a finished LAVA job, besides its results. */
struct lava_info {
	long long	 start_time;
	double		 duration;
	const char	*log_url;	/* the console log */
	const char	*full_log_url;
	const char	*excerpt;	/* fit to store: collect_outside() */
	const char	*lab_job_id;
	const char	*lab_job_url;
};

/* One test row of a finished LAVA job, as collect_lava() records it. */
struct lava_row {
	char			*path;
	const char		*status;	/* KCIDB's */
	const struct lava_case	*c;		/* NULL for the boot */
	const char		*error_type;	/* the boot's, if not done */
	const char		*error_msg;
};

/*
 * The rows of an outcome judged v with boot (lava_judge()): the boot
 * first, then each case not of the lava suite at its KCIDB path under
 * prefix (a test's kcidb_path, or NULL).  Names that became a path
 * already taken get a suffix: *clashes says how many.  The rows point
 * into o; free them with collect_lava_rows_free().
 */
void	 collect_lava_rows(const struct lava_outcome *o, enum lava_verdict v,
	    const char *boot, const char *prefix, struct lava_row **rows,
	    size_t *n, size_t *clashes);
void	 collect_lava_rows_free(struct lava_row *, size_t);

/*
 * Record a finished LAVA job: the boot and the test cases, or a retry.
 * Maps the outcome as KernelCI's Maestro does (lava_judge()).
 */
int	 collect_lava(const struct runtime *, struct job_row *,
	    struct lava_outcome *, const struct lava_info *,
	    struct collect_stats *);
/*
 * A job of a polled lab (runtime_ops.poll): its results recorded when
 * it finished, else left for the next run.  For a runtime whose collect
 * polls some kinds of jobs.
 */
int	 collect_polled(const struct runtime *, struct job_row *,
	    struct collect_stats *);
/*
 * A test job that never finished: its boot is ERROR, with the error and
 * excerpt.  Must run in a transaction.
 */
int	 collect_boot_error(const struct runtime *, struct job_row *,
	    const char *code, const char *msg, const char *excerpt);

struct buf;

/*
 * Before a finished job's artifacts are named in its rows: upload each
 * of the n URLs (NULLs skipped; a directory's ends with '/') with
 * storage_upload_url().  0 when all are on remote storage, or none is
 * configured; 1 when some are not: the job is left as it is for a
 * later run (counted in stats); -1 on a database error.
 */
int	 collect_upload(const struct config *, struct db *,
	    const struct job_row *, const char *const *urls, size_t n,
	    struct collect_stats *);

/*
 * Cancel job j (not done) because of why: its lab stops it (rt, or
 * NULL when its lab is no longer in the config or it never reached
 * one), then it is done, incomplete, error_code 'cancelled', its build
 * MISS or, for a test job without results, its boot MISS (KCIDB's job
 * that never ran).  0 when cancelled; 1 when the lab could not be told
 * (the reason in err): the job keeps its state, marked JOB_CANCELLING,
 * and the submit or collect stage of the next run tries again.  -1 on a
 * database error.
 */
int	 collect_cancel(const struct config *, struct db *,
	    const struct runtime *rt, struct job_row *j, const char *why,
	    struct buf *err);
/*
 * Whether the build or test entry of j (its config_name) has been
 * removed from the config: 1 with why ("build 'x' is no longer in the
 * config"), else 0.
 */
int	 collect_entry_gone(const struct config *, const struct job_row *j,
	    char *why, size_t len);
/*
 * Cancel j because its entry is gone or someone asked for it and its
 * lab could not be told then: one line says so.  0 cancelled, 1 not
 * (yet), -1 on a database error.
 */
int	 collect_cancel_pending(const struct config *, struct db *,
	    struct job_row *j);

#endif
