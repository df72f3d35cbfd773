/*
 * job.c: the job state machine.  The SQL is store_job.c's.
 */
#include "config.h"
#include "db.h"
#include "job.h"
#include "log.h"
#include "retry.h"
#include "store_build.h"
#include "util.h"

#define S(x)	(1U << (x))

/* The states each state may change to. */
static const unsigned next_states[JOB_NSTATES] = {
	[JOB_PENDING] = S(JOB_SUBMITTING) | S(JOB_FAILED_SUBMIT) |
	    S(JOB_DONE),
	[JOB_FAILED_SUBMIT] = S(JOB_SUBMITTING) | S(JOB_FAILED_SUBMIT) |
	    S(JOB_DONE),
	[JOB_SUBMITTING] = S(JOB_SUBMITTED) | S(JOB_PENDING) |
	    S(JOB_FAILED_SUBMIT) | S(JOB_DONE),
	[JOB_SUBMITTED] = S(JOB_RUNNING) | S(JOB_PENDING) | S(JOB_DONE),
	[JOB_RUNNING] = S(JOB_PENDING) | S(JOB_DONE),
	[JOB_DONE] = 0,
};

long long
job_backoff(const struct config *cfg, long long attempt)
{
	return retry_backoff(cfg->retry_delay, attempt);
}

/* Whether j may go to state to; an error if not. */
static int
allowed(const struct job_row *j, enum job_state to)
{
	if ((unsigned)j->state < JOB_NSTATES &&
	    (next_states[j->state] & S(to)))
		return 1;
	error("job %s: cannot go from %s to %s", j->id,
	    job_state_name(j->state), job_state_name(to));
	return 0;
}

/* A change of state alone, in a transaction of its own. */
static int
set_state(struct db *db, struct job_row *j, enum job_state to,
    const char *lab_id, const char *work_dir)
{
	long long now;

	if (!allowed(j, to))
		return -1;
	now = (long long)time(NULL);
	if (db_begin(db) != 0)
		return -1;
	if (db_end(db, store_job_set_state(db, j->id, to, lab_id, work_dir,
	    now)) != 0)
		return -1;
	j->state = to;
	if (to == JOB_SUBMITTED)
		j->submitted = now;
	if ((to == JOB_SUBMITTED || to == JOB_RUNNING) && j->started == 0)
		j->started = now;
	return 0;
}

int
job_submitting(struct db *db, struct job_row *j, const char *work_dir)
{
	return set_state(db, j, JOB_SUBMITTING, NULL, work_dir);
}

int
job_submitted(struct db *db, struct job_row *j, const char *lab_id,
    const char *work_dir)
{
	return set_state(db, j, JOB_SUBMITTED, lab_id, work_dir);
}

int
job_unsubmit(struct db *db, struct job_row *j)
{
	return set_state(db, j, JOB_PENDING, NULL, NULL);
}

int
job_running(struct db *db, struct job_row *j)
{
	return set_state(db, j, JOB_RUNNING, NULL, NULL);
}

int
job_submit_failed(const struct config *cfg, struct db *db,
    struct job_row *j, const char *msg)
{
	long long next;
	int rc, again;

	again = j->attempt <= cfg->retries;
	if (!allowed(j, again ? JOB_FAILED_SUBMIT : JOB_DONE))
		return -1;
	if (db_begin(db) != 0)
		return -1;
	if (again) {
		next = (long long)time(NULL) + job_backoff(cfg, j->attempt);
		rc = store_job_submit_failed(db, j->id, next, msg);
	} else {
		rc = job_finish(db, j, "incomplete", "submit", msg);
		if (rc == 0 && strcmp(j->kind, "kbuild") == 0)
			rc = store_build_final(db, j->id, "MISS", "submit",
			    msg);
	}
	if (db_end(db, rc) != 0)
		return -1;
	if (again) {
		j->state = JOB_FAILED_SUBMIT;
		j->attempt++;
		j->next_try = next;
	}
	return again;
}

int
job_poll_failures(struct db *db, struct job_row *j, long long n)
{
	if (store_job_set_poll_failures(db, j->id, n) != 0)
		return -1;
	j->poll_failures = n;
	return 0;
}

int
job_retry_helps(const char *code)
{
	/* a cancelled job was stopped on purpose: it stays stopped */
	return code == NULL || (strcmp(code, "toolchain") != 0 &&
	    strcmp(code, JOB_CANCELLED) != 0 &&
	    strcmp(code, JOB_CANCELLING) != 0);
}

int
job_cancel_asked(const struct job_row *j)
{
	return j->error_code != NULL && strcmp(j->error_code,
	    JOB_CANCELLING) == 0;
}

int
job_retry(const struct config *cfg, struct db *db, struct job_row *j,
    const char *code, const char *msg)
{
	long long delay, next;

	if (!allowed(j, JOB_PENDING))
		return -1;
	if (j->attempt > cfg->retries || !job_retry_helps(code) ||
	    job_cancel_asked(j))
		return 0;
	delay = job_backoff(cfg, j->attempt);
	next = (long long)time(NULL) + delay;
	if (store_job_requeue(db, j->id, next, code, msg) != 0)
		return -1;
	warning("job %s: attempt %lld incomplete (%s); trying again in %llds",
	    j->id, j->attempt, code, delay);
	j->state = JOB_PENDING;
	j->attempt++;
	j->next_try = next;
	return 1;
}

int
job_finish(struct db *db, struct job_row *j, const char *result,
    const char *code, const char *msg)
{
	if (!allowed(j, JOB_DONE))
		return -1;
	if (store_job_finish(db, j->id, result, code, msg,
	    (long long)time(NULL)) != 0)
		return -1;
	j->state = JOB_DONE;
	return 0;
}
