/*
 * job.h: job rows.  A job is one build or one test run on one runtime;
 * its state goes pending -> submitting -> submitted -> running -> done,
 * or to failed-submit, retried with backoff.
 */
#ifndef JOB_H
#define JOB_H

#include <stddef.h>

struct config;
struct db;

struct job {
	char		*id;
	char		*kind;		/* kbuild, test */
	char		*runtime;	/* lab name */
	char		*definition;
	char		*state;
	char		*runtime_job_id;
	char		*work_dir;
	char		*config_name;
	char		*platform;
	long long	 checkout_id;
	long long	 build_id;
	long long	 attempt;
	long long	 submitted;
	long long	 started;
	long long	 timeout;	/* seconds */
	long long	 poll_failures;	/* unreadable answers in a row */
};

/*
 * Load the jobs whose state is in states (a NULL-terminated list) and,
 * with due, whose next_try has come.  Ordered by creation.
 */
int	 job_list(struct db *, const char *const *states, int due,
	    struct job **out, size_t *n);
void	 job_list_free(struct job *, size_t);

/* Set state (and, if not NULL, the runtime job id and work dir). */
int	 job_set_state(struct db *, const char *id, const char *state,
	    const char *runtime_job_id, const char *work_dir);

/*
 * A job did not finish (incomplete, or its submission failed): with
 * attempts left, make it pending again for after the backoff and return
 * 1; otherwise return 0 and leave it to the caller to make it final.
 * Must run inside a transaction.
 */
int	 job_retry(const struct config *, struct db *, const struct job *,
	    const char *error_code, const char *error_msg);

/*
 * Mark a job done with result (pass, fail, skip, incomplete) and an
 * optional error.  Must run inside a transaction.
 */
int	 job_finish(struct db *, const char *id, const char *result,
	    const char *error_code, const char *error_msg);

/* The number of jobs of a runtime that hold a slot (submitting..running). */
long long	 job_busy(struct db *, const char *runtime);

#endif
