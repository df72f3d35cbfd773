/*
 * store_watch.c: the queries of `maestrino watch` (store_watch.h).
 */
#include <sqlite3.h>

#include "db.h"
#include "store_job.h"
#include "store_watch.h"
#include "util.h"

/* A build or test that counts against the checkout (the site's kinds). */
#define FAILED_STATUS	"('FAIL', 'ERROR', 'MISS')"

int
store_watch_finished_jobs(struct db *db, long long checkout,
    void (*fn)(void *, const struct watch_job *), void *arg)
{
	struct watch_job w;
	sqlite3_stmt *st;
	int r;

	st = db_prepare(db, "SELECT j.id, j.kind, j.config_name, j.platform, "
	    "coalesce(j.result, '?'), j.error_code, j.error_msg, j.attempt, "
	    "coalesce(j.started, 0), coalesce(j.finished, 0), "
	    "coalesce(b.arch, tb.arch), b.duration, "
	    "(SELECT count(*) FROM test t WHERE t.job_id = j.id), "
	    "(SELECT count(*) FROM test t WHERE t.job_id = j.id AND "
	    "t.status IN " FAILED_STATUS "), j.retry_of, "
	    "coalesce(b.status IN " FAILED_STATUS ", 0) "
	    "FROM job j LEFT JOIN build b ON b.job_id = j.id "
	    "LEFT JOIN build tb ON tb.id = j.build_id "
	    "WHERE j.checkout_id = ? AND j.state = 'done' "
	    "ORDER BY j.finished, j.id");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, checkout);
	while ((r = db_step(db, st)) == 1) {
		memset(&w, 0, sizeof(w));
		w.id = db_col_text(st, 0);
		w.kind = db_col_text(st, 1);
		w.config_name = db_col_text(st, 2);
		w.platform = db_col_text(st, 3);
		w.result = db_col_text(st, 4);
		w.error_code = db_col_text(st, 5);
		w.error_msg = db_col_text(st, 6);
		w.attempt = db_col_int(st, 7);
		w.started = db_col_int(st, 8);
		w.finished = db_col_int(st, 9);
		w.arch = db_col_text(st, 10);
		w.build_duration = db_col_is_null(st, 11) ? -1 :
		    db_col_double(st, 11);
		w.tests = db_col_int(st, 12);
		w.failed = db_col_int(st, 13);
		w.retry_of = db_col_text(st, 14);
		/* a job that ran to its end with failed results failed */
		if (strcmp(w.result, "pass") == 0 && (w.failed > 0 ||
		    db_col_int(st, 15)))
			w.result = "fail";
		fn(arg, &w);
	}
	db_finalize(st);
	return r < 0 ? -1 : 0;
}

int
store_watch_done(struct db *db, long long checkout)
{
	long long v;

	if (db_run_int(db, &v, "SELECT CASE "
	    "WHEN c.tarball_state = 'pending' THEN 0 "
	    "WHEN c.tarball_state = 'failed' THEN "
	    "coalesce(c.tarball_next, 0) = 0 "
	    "WHEN c.jobs_made = 0 THEN 0 "
	    "WHEN EXISTS (SELECT 1 FROM job j WHERE j.checkout_id = c.id "
	    "AND j.state != 'done') THEN 0 "
	    "WHEN EXISTS (SELECT 1 FROM build b WHERE b.checkout_id = c.id "
	    "AND b.status = 'PASS' AND b.tests_made = 0) THEN 0 "
	    "ELSE 1 END FROM checkout c WHERE c.id = ?", "i", checkout) != 0)
		return -1;
	return (int)v;
}

char *
store_watch_mark(struct db *db, long long checkout)
{
	sqlite3_stmt *st;
	char *mark;

	st = db_prepare(db, "SELECT c.tarball_state || ' ' || c.jobs_made || "
	    "' ' || (SELECT count(*) FROM job j WHERE j.checkout_id = c.id) || "
	    "' ' || (SELECT count(*) FROM job j WHERE j.checkout_id = c.id "
	    "AND j.state = 'done') || ' ' || (SELECT count(*) FROM build b "
	    "WHERE b.checkout_id = c.id AND b.tests_made = 1) "
	    "FROM checkout c WHERE c.id = ?");
	if (st == NULL)
		return xstrdup("");
	db_bind_int(st, 1, checkout);
	mark = db_step(db, st) == 1 ? db_col_dup(st, 0) : NULL;
	db_finalize(st);
	return mark != NULL ? mark : xstrdup("");
}

int
store_watch_waiting(struct db *db, long long checkout, long long *all,
    long long *out, long long *pending)
{
	*all = *out = *pending = 0;
	if (db_run_int(db, all, "SELECT count(*) FROM job WHERE "
	    "checkout_id = ?", "i", checkout) < 0 ||
	    db_run_int(db, out, "SELECT count(*) FROM job WHERE "
	    "checkout_id = ? AND state IN ('submitted', 'running')", "i",
	    checkout) < 0 ||
	    db_run_int(db, pending, "SELECT count(*) FROM job WHERE "
	    "checkout_id = ? AND state IN ('pending', 'submitting', "
	    "'failed-submit')", "i", checkout) < 0)
		return -1;
	return 0;
}

/* A job row j of the checkout ?1 whose results stand (store_job.h). */
#define STANDS(j)	j ".checkout_id = ?1 AND NOT " \
	STORE_JOB_SUPERSEDED(j ".id") " AND " STORE_JOB_CURRENT(j)

int
store_watch_verdict(struct db *db, long long checkout, long long *jobs,
    long long *bad, int *tarball_failed)
{
	long long t;

	*jobs = *bad = 0;
	*tarball_failed = 0;
	t = 0;
	if (db_run_int(db, jobs, "SELECT count(*) FROM job j WHERE "
	    STANDS("j"), "i", checkout) != 0 ||
	    db_run_int(db, bad, "SELECT count(*) FROM job j WHERE "
	    STANDS("j") " AND (coalesce(j.result, 'incomplete') IN ('fail', "
	    "'incomplete') OR EXISTS (SELECT 1 FROM build b WHERE b.job_id = "
	    "j.id AND b.status IN " FAILED_STATUS ") OR EXISTS (SELECT 1 FROM "
	    "test t WHERE t.job_id = j.id AND t.status IN " FAILED_STATUS "))",
	    "i", checkout) != 0 ||
	    db_run_int(db, &t, "SELECT tarball_state = 'failed' FROM "
	    "checkout WHERE id = ?", "i", checkout) != 0)
		return -1;
	*tarball_failed = t != 0;
	return 0;
}

int
store_watch_exists(struct db *db, long long checkout)
{
	long long one;
	int r;

	r = db_run_int(db, &one, "SELECT 1 FROM checkout WHERE id = ?", "i",
	    checkout);
	return r < 0 ? -1 : r == 0 ? 1 : 0;
}
