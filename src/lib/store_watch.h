/*
 * store_watch.h: what `maestrino watch` asks of one checkout: the jobs
 * that finished, whether all have, what moved, and the verdict.  Which
 * attempt of a result stands is store_job.h's rule, as on the site.
 */
#ifndef STORE_WATCH_H
#define STORE_WATCH_H

struct db;

/* One finished job of the checkout, as watch prints it. */
struct watch_job {
	const char	*id;
	const char	*kind;		/* kbuild, test */
	const char	*config_name;
	const char	*platform;	/* NULL for a build */
	const char	*result;	/* "fail" for a pass with failed rows */
	const char	*error_code;
	const char	*error_msg;
	const char	*arch;		/* its build's, or NULL */
	const char	*retry_of;
	long long	 attempt;
	long long	 started;
	long long	 finished;
	double		 build_duration;	/* < 0 when unknown */
	long long	 tests;		/* test rows */
	long long	 failed;	/* of which FAIL, ERROR or MISS */
};

/*
 * fn for each finished job of checkout, in the order they finished.
 * The strings last until fn returns.  -1 on a database error.
 */
int	 store_watch_finished_jobs(struct db *, long long checkout,
	    void (*fn)(void *arg, const struct watch_job *), void *arg);
/*
 * Whether every job of checkout has finished: its tarball made (or
 * given up), its matrix made, the tests of each passing build made, no
 * job left that is not done.  1, 0, or -1 on a database error.
 */
int	 store_watch_done(struct db *, long long checkout);
/*
 * A string that changes whenever a run moves checkout on (its tarball,
 * its matrix, the jobs made and finished, the tests made); caller
 * frees.  "" when there is no such checkout.
 */
char	*store_watch_mark(struct db *, long long checkout);
/* Its jobs, those in a lab and those waiting to be submitted. */
int	 store_watch_waiting(struct db *, long long checkout, long long *all,
	    long long *out, long long *pending);
/*
 * The verdict on a finished checkout: the jobs that stand (an attempt
 * replaced by a finished retry, and a retry that did not finish or was
 * cancelled, do not), how many of them did not pass (a failed or
 * incomplete job, a failed build, a failed, erroneous or missing test),
 * and whether its tarball failed.  -1 on a database error.
 */
int	 store_watch_verdict(struct db *, long long checkout, long long *jobs,
	    long long *bad, int *tarball_failed);
/* Whether checkout exists: 1, 0, or -1 on a database error. */
int	 store_watch_exists(struct db *, long long checkout);

#endif
