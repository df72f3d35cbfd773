/*
 * job.h: the job state machine.  A job is one build or one test run on
 * one lab; its state (store_job.h) goes
 *
 *	pending -> submitting -> submitted -> running -> done
 *
 * A submission that fails makes it failed-submit, a lab that is full or
 * that never got it makes it pending again, and an attempt that does
 * not finish makes it pending again: both wait for the backoff
 * (job_backoff()) before they are runnable, up to settings.retries
 * times; then the job is done, incomplete.  Each change is one function
 * here, which refuses a change its state does not allow (an error, -1)
 * and keeps the row in memory in step with the database.
 */
#ifndef JOB_H
#define JOB_H

#include "store_job.h"

struct config;
struct db;

/*
 * Seconds before attempt + 1 of a job whose attempt (counted from 1)
 * failed: retry_backoff() of settings.retry_delay.
 */
long long	 job_backoff(const struct config *, long long attempt);

/*
 * These commit on their own.
 * pending or failed-submit -> submitting, in work_dir when not NULL.
 */
int	 job_submitting(struct db *, struct job_row *, const char *work_dir);
/* submitting -> submitted: its lab knows it as lab_id. */
int	 job_submitted(struct db *, struct job_row *, const char *lab_id,
	    const char *work_dir);
/* submitting -> pending: its lab did not take it; submit it again. */
int	 job_unsubmit(struct db *, struct job_row *);
/* submitted -> running. */
int	 job_running(struct db *, struct job_row *);
/*
 * Its submission failed with msg: with attempts left, failed-submit for
 * after the backoff (1); else done, incomplete, and a build job's build
 * MISS (0).  -1 on error.
 */
int	 job_submit_failed(const struct config *, struct db *,
	    struct job_row *, const char *msg);
/*
 * The lab's answer about it could not be read n times in a row (0: it
 * could again).  No change of state.
 */
int	 job_poll_failures(struct db *, struct job_row *, long long n);

/*
 * These run inside the caller's transaction, with the results they go
 * with.  An attempt did not finish (submitted or running): with
 * attempts left and an error another attempt could end otherwise,
 * pending for after the backoff (1); otherwise 0, and the caller makes
 * it final with job_finish().  -1 on error.
 */
int	 job_retry(const struct config *, struct db *, struct job_row *,
	    const char *error_code, const char *error_msg);
/*
 * Whether another attempt after error_code could end otherwise: not
 * after "toolchain" (this machine lacks a compiler or host tool, which
 * stays missing until someone installs it), nor after "cancelled".
 */
int	 job_retry_helps(const char *error_code);
/*
 * Whether someone asked for the job to be cancelled and its lab could
 * not be told yet (error_code JOB_CANCELLING): it is never retried.
 */
int	 job_cancel_asked(const struct job_row *);
/*
 * Done with result (pass, fail, skip, incomplete) and an optional
 * error, from any state but done.
 */
int	 job_finish(struct db *, struct job_row *, const char *result,
	    const char *error_code, const char *error_msg);

#endif
