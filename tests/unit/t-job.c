/*
 * t-job.c: the job state machine on a real database: each change sets
 * state, attempt, next_try (with the backoff), the lab's traces and the
 * error as the stages expect, refuses what its state does not allow,
 * and gives up (incomplete, a build MISS) when the attempts are spent.
 */
#include <sqlite3.h>

#include "tap.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "job.h"
#include "log.h"
#include "retry.h"
#include "store_build.h"
#include "util.h"

static struct db *db;

/* The row of job id, fresh from the database (0 when there is one). */
static int
load(const char *id, struct job_row *j)
{
	return store_job_get(db, id, j);
}

static long long
checkout_gen(void)
{
	return db_int(db, "SELECT gen FROM checkout WHERE id = 1", -1);
}

/* The old formula: retry_delay << min(attempt - 1, 15). */
static long long
old_delay(long long base, long long attempt)
{
	return base << (attempt < 16 ? attempt - 1 : 15);
}

/* A job of kind in state, attempt 1, made now. */
static void
add_job(const char *id, const char *kind, const char *state)
{
	char *sql;

	sql = sqlite3_mprintf("INSERT INTO job (id, kind, checkout_id, "
	    "build_id, config_name, platform, runtime, definition, state, "
	    "created) VALUES (%Q, %Q, 1, %s, 'defconfig', 'qemu', 'local', "
	    "'/nonexistent.yaml', %Q, %lld)", id, kind,
	    strcmp(kind, "test") == 0 ? "1" : "NULL", state,
	    (long long)time(NULL));
	if (db_exec(db, sql) != 0)
		exit(2);
	sqlite3_free(sql);
}

static void
test_names(void)
{
	enum job_state s, back;
	int i, all;

	all = 1;
	for (i = 0; i < JOB_NSTATES; i++) {
		s = (enum job_state)i;
		if (job_state_parse(job_state_name(s), &back) != 0 ||
		    back != s)
			all = 0;
	}
	ok(all, "every state's name reads back as that state");
	is_str(job_state_name(JOB_FAILED_SUBMIT), "failed-submit",
	    "failed-submit is stored as the schema has it");
	ok(job_state_parse("retry", &back) != 0, "an unknown name is refused");
	ok(job_state_parse(NULL, &back) != 0, "no name is refused");
}

static void
test_backoff(const struct config *cfg)
{
	long long a;
	int same;

	same = 1;
	for (a = 1; a <= 11; a++)
		if (job_backoff(cfg, a) != old_delay(cfg->retry_delay, a))
			same = 0;
	ok(same, "backoff of 60 s: the old delays while under a day");
	is_int(job_backoff(cfg, 1), 60, "first retry after retry_delay");
	is_int(job_backoff(cfg, 3), 240, "doubled per attempt");
	is_int(job_backoff(cfg, 12), 86400, "never more than a day");
	same = 1;
	for (a = 1; a <= 20; a++)
		if (retry_backoff(1, a) != old_delay(1, a))
			same = 0;
	ok(same, "backoff of 1 s: the old delays, 2^15 at most");
}

/* pending -> submitting -> submitted -> running, and their fields. */
static void
test_forward(void)
{
	struct job_row j, d;
	long long now;

	add_job("k1", "kbuild", "pending");
	load("k1", &j);
	is_int(j.state, JOB_PENDING, "a new job is pending");
	is_int(j.attempt, 1, "attempts count from 1");
	now = (long long)time(NULL);
	ok(job_submitting(db, &j, "/work/k1") == 0, "pending -> submitting");
	load("k1", &d);
	is_int(d.state, JOB_SUBMITTING, "stored submitting");
	is_str(d.work_dir, "/work/k1", "with its work dir");
	is_int(d.submitted, 0, "not submitted yet");
	is_int(j.state, JOB_SUBMITTING, "the row in memory follows");
	store_job_release(&d);
	is_int(store_job_busy(db, "local"), 1, "a submitting job holds a "
	    "slot");

	ok(job_submitted(db, &j, "4242", NULL) == 0,
	    "submitting -> submitted");
	load("k1", &d);
	is_int(d.state, JOB_SUBMITTED, "stored submitted");
	is_str(d.runtime_job_id, "4242", "with the lab's id");
	is_str(d.work_dir, "/work/k1", "work dir kept");
	ok(d.submitted >= now && d.submitted <= now + 2, "submitted now");
	ok(d.started >= now && d.started <= now + 2, "started now");
	store_job_release(&d);

	ok(job_running(db, &j) == 0, "submitted -> running");
	load("k1", &d);
	is_int(d.state, JOB_RUNNING, "stored running");
	is_int(d.started, j.started, "started is kept");
	store_job_release(&d);
	is_int(store_job_busy(db, "local"), 1, "a running job holds a slot");

	ok(job_poll_failures(db, &j, 2) == 0, "poll failures counted");
	load("k1", &d);
	is_int(d.poll_failures, 2, "stored");
	is_int(d.state, JOB_RUNNING, "no change of state");
	store_job_release(&d);
	store_job_release(&j);
}

/* An attempt that did not finish, then one that cannot be retried. */
static void
test_retry(const struct config *cfg)
{
	struct job_row j, d;
	long long now, n, gen;
	char *err;

	load("k1", &j);
	is_int(job_retry(cfg, db, &j, "toolchain", "no gcc"), 0,
	    "a missing toolchain is not retried, with attempts left");
	load("k1", &d);
	is_int(d.attempt, 1, "attempt unchanged");
	store_job_release(&d);
	now = (long long)time(NULL);
	is_int(job_retry(cfg, db, &j, "worker_lost", "it died"), 1,
	    "an incomplete attempt with attempts left is retried");
	load("k1", &d);
	is_int(d.state, JOB_PENDING, "pending again");
	is_int(d.attempt, 2, "attempt 2");
	ok(d.next_try >= now + 60 && d.next_try <= now + 62,
	    "next try after retry_delay");
	is_str(d.error_code, "worker_lost", "error code kept");
	is_str(d.error_msg, "it died", "error message kept");
	ok(d.runtime_job_id == NULL && d.submitted == 0 && d.started == 0,
	    "the lab's traces cleared");
	is_int(d.poll_failures, 0, "poll failures cleared");
	is_int(j.attempt, 2, "the row in memory follows");
	store_job_release(&d);
	is_int(store_job_busy(db, "local"), 0, "a pending job holds no slot");
	store_job_runnable(db, now, &n);
	is_int(n, 0, "not runnable before its next try");
	store_job_runnable(db, now + 61, &n);
	is_int(n, 1, "runnable once it comes");
	ok(!job_runnable(j.state, j.next_try, now) &&
	    job_runnable(j.state, j.next_try, now + 61),
	    "job_runnable agrees");

	/* attempt 2 of 3 (retries 2): runs, is retried after 120 s */
	job_submitting(db, &j, NULL);
	job_submitted(db, &j, "4343", NULL);
	now = (long long)time(NULL);
	is_int(job_retry(cfg, db, &j, "timeout", "too slow"), 1,
	    "attempt 2 is retried");
	load("k1", &d);
	is_int(d.attempt, 3, "attempt 3");
	ok(d.next_try >= now + 120 && d.next_try <= now + 122,
	    "after twice retry_delay");
	store_job_release(&d);

	/* attempt 3: the last */
	job_submitting(db, &j, NULL);
	job_submitted(db, &j, "4444", NULL);
	is_int(job_retry(cfg, db, &j, "timeout", "too slow"), 0,
	    "attempts spent: not retried");
	load("k1", &d);
	is_int(d.state, JOB_SUBMITTED, "left as it was for the caller");
	is_int(d.attempt, 3, "attempt unchanged");
	store_job_release(&d);
	gen = checkout_gen();
	ok(job_finish(db, &j, "incomplete", "timeout", "too slow") == 0,
	    "then it is finished");
	load("k1", &d);
	is_int(d.state, JOB_DONE, "done");
	is_str(d.result, "incomplete", "incomplete");
	is_str(d.error_code, "timeout", "with its error code");
	is_str(d.error_msg, "too slow", "and message");
	ok(d.finished > 0, "finish time set");
	is_int(checkout_gen(), gen + 1, "its checkout is exported again");
	store_job_release(&d);

	/* done is final */
	capture_start();
	ok(job_submitting(db, &j, NULL) != 0, "done -> submitting refused");
	ok(job_retry(cfg, db, &j, "x", "y") < 0, "done is not retried");
	ok(job_finish(db, &j, "pass", NULL, NULL) != 0,
	    "done -> done refused");
	err = capture_end();
	contains(err, "job k1: cannot go from done to submitting",
	    "the refusal names the job and the states");
	free(err);
	load("k1", &d);
	is_str(d.result, "incomplete", "a refused change leaves the row");
	store_job_release(&d);
	store_job_release(&j);
}

/* Submissions that fail, and a lab that did not take the job. */
static void
test_submit_failed(const struct config *cfg)
{
	struct build_row b;
	struct job_row j, d;
	long long now, gen;
	char *err;

	add_job("k2", "kbuild", "pending");
	db_exec(db, "INSERT INTO build (checkout_id, job_id, config_name) "
	    "VALUES (1, 'k2', 'defconfig')");
	load("k2", &j);
	capture_start();
	ok(job_running(db, &j) != 0, "pending -> running refused");
	ok(job_retry(cfg, db, &j, "x", "y") != 0,
	    "a pending job is not retried");
	err = capture_end();
	contains(err, "cannot go from pending to running", "said why");
	free(err);

	ok(job_submitting(db, &j, NULL) == 0, "submitting");
	ok(job_unsubmit(db, &j) == 0, "the lab did not take it");
	load("k2", &d);
	is_int(d.state, JOB_PENDING, "pending again");
	is_int(d.attempt, 1, "not an attempt");
	store_job_release(&d);

	now = (long long)time(NULL);
	is_int(job_submit_failed(cfg, db, &j, "lab said no"), 1,
	    "a failed submission with attempts left waits");
	load("k2", &d);
	is_int(d.state, JOB_FAILED_SUBMIT, "failed-submit");
	is_int(d.attempt, 2, "attempt 2");
	ok(d.next_try >= now + 60 && d.next_try <= now + 62,
	    "next try after retry_delay");
	is_str(d.error_code, "submit", "error code submit");
	is_str(d.error_msg, "lab said no", "the reason stored");
	store_job_release(&d);

	ok(job_submitting(db, &j, NULL) == 0, "failed-submit -> submitting");
	now = (long long)time(NULL);
	is_int(job_submit_failed(cfg, db, &j, "lab said no again"), 1,
	    "failed while submitting: waits");
	load("k2", &d);
	is_int(d.attempt, 3, "attempt 3");
	ok(d.next_try >= now + 120 && d.next_try <= now + 122,
	    "after twice retry_delay");
	store_job_release(&d);

	gen = checkout_gen();
	is_int(job_submit_failed(cfg, db, &j, "still no"), 0,
	    "attempts spent: given up");
	load("k2", &d);
	is_int(d.state, JOB_DONE, "done");
	is_str(d.result, "incomplete", "incomplete");
	is_str(d.error_code, "submit", "error code submit");
	is_str(d.error_msg, "still no", "the last reason");
	is_int(d.attempt, 3, "attempt unchanged");
	is_int(checkout_gen(), gen + 1, "its checkout is exported again");
	store_job_release(&d);
	memset(&b, 0, sizeof(b));
	store_build_get(db, db_int(db, "SELECT id FROM build WHERE job_id = "
	    "'k2'", 0), &b);
	is_str(b.status, "MISS", "its build is MISS");
	contains(b.misc, "\"error_code\":\"submit\"", "with the error code");
	contains(b.misc, "\"error_msg\":\"still no\"", "and the message");
	store_build_release(&b);
	capture_start();
	ok(job_submit_failed(cfg, db, &j, "more") < 0,
	    "a done job's submission cannot fail");
	free(capture_end());
	store_job_release(&j);

	/* a test job that gives up has no build to mark */
	add_job("t1", "test", "pending");
	load("t1", &j);
	j.attempt = 3;
	db_exec(db, "UPDATE job SET attempt = 3 WHERE id = 't1'");
	is_int(job_submit_failed(cfg, db, &j, "no lab"), 0,
	    "a test job's last failed submission gives up");
	load("t1", &d);
	is_int(d.state, JOB_DONE, "done");
	is_str(d.result, "incomplete", "incomplete");
	store_job_release(&d);
	store_job_release(&j);
}

/* The lists the stages go over. */
static void
test_lists(void)
{
	struct job_row *list;
	size_t n;
	long long c;

	add_job("p1", "test", "pending");
	add_job("s1", "test", "submitted");
	add_job("r1", "test", "running");
	store_job_list(db, 1U << JOB_SUBMITTED | 1U << JOB_RUNNING, &list, &n);
	ok(n == 2 && strcmp(list[0].id, "r1") == 0 &&
	    strcmp(list[1].id, "s1") == 0,
	    "submitted and running, by creation, then id");
	store_job_list_free(list, n);
	store_job_list_runnable(db, (long long)time(NULL), &list, &n);
	ok(n == 1 && strcmp(list[0].id, "p1") == 0, "the runnable job");
	store_job_list_free(list, n);
	store_job_runnable(db, (long long)time(NULL), &c);
	is_int(c, 1, "counted");
	is_int(store_job_busy(db, "local"), 2, "two hold a slot");
}

int
main(void)
{
	struct config cfg;
	char *dir, *path;

	log_init("t-job");
	dir = tap_tmpdir();
	path = xasprintf("%s/state.db", dir);
	db = db_open(path, 0);
	if (db == NULL)
		return 2;
	if (db_exec(db, "INSERT INTO tree (name, url) VALUES ('t', 'u');"
	    "INSERT INTO checkout (id, tree, branch, url, commit_hash, "
	    "describe, subject, message, commit_time, created) VALUES "
	    "(1, 't', 'master', 'u', 'abc', 'v1', 's', 'm', 0, 0);"
	    "INSERT INTO build (id, checkout_id, job_id, config_name) VALUES "
	    "(1, 1, NULL, 'defconfig')") != 0)
		return 2;
	memset(&cfg, 0, sizeof(cfg));
	cfg.retries = 2;
	cfg.retry_delay = 60;

	test_names();
	test_backoff(&cfg);
	test_forward();
	test_retry(&cfg);
	test_submit_failed(&cfg);
	test_lists();

	db_close(db);
	fs_remove_tree(dir);
	free(path);
	free(dir);
	return tap_done();
}
