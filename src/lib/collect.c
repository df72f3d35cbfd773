/*
 * collect.c: the collect stage: finished jobs become build rows.
 */
#include <jansson.h>
#include <sqlite3.h>

#include "config.h"
#include "db.h"
#include "fs.h"
#include "job.h"
#include "local.h"
#include "log.h"
#include "runtime.h"
#include "util.h"

/* The KCIDB log excerpt: the last 16 KiB of the log. */
#define EXCERPT_MAX	16384

int
collect_build_final(struct db *db, const char *job_id, const char *status,
    const char *code, const char *msg)
{
	sqlite3_stmt *st;
	int rc;

	st = db_prepare(db, "UPDATE build SET status = ?, misc = json_patch("
	    "coalesce(misc, '{}'), json_object('error_code', ?, "
	    "'error_msg', ?)), gen = gen + 1 WHERE job_id = ?");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, status);
	db_bind_text(st, 2, code);
	db_bind_text(st, 3, msg);
	db_bind_text(st, 4, job_id);
	rc = db_step(db, st) < 0 ? -1 : 0;
	db_finalize(st);
	return rc;
}

static const char *
jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int
update_build(struct db *db, const struct job *j, json_t *res,
    const char *status, const char *excerpt)
{
	json_t *misc, *arts;
	sqlite3_stmt *st;
	char *misc_text, *arts_text;
	int rc;

	arts = json_object_get(res, "artifacts");
	misc = json_object();
	json_object_set(misc, "warnings", json_object_get(res, "warnings"));
	json_object_set(misc, "reproducer", json_object_get(res,
	    "reproducer"));
	json_object_set(misc, "kernel_release", json_object_get(res,
	    "kernel_release"));
	json_object_set(misc, "phases", json_object_get(res, "phases"));
	json_object_set(misc, "exit_code", json_object_get(res, "exit_code"));
	json_object_set(misc, "error_code", json_object_get(res,
	    "error_code"));
	json_object_set(misc, "error_msg", json_object_get(res, "error_msg"));
	json_object_set_new(misc, "attempt", json_integer(j->attempt));
	json_object_set_new(misc, "runtime", json_string(j->runtime));
	json_object_set(misc, "kernel_url", json_object_get(arts, "kernel"));
	json_object_set(misc, "modules_url", json_object_get(arts, "modules"));
	misc_text = json_dumps(misc, JSON_COMPACT | JSON_SORT_KEYS |
	    JSON_REAL_PRECISION(6));
	arts_text = arts ? json_dumps(arts, JSON_COMPACT | JSON_SORT_KEYS) :
	    NULL;
	st = db_prepare(db, "UPDATE build SET status = ?, start_time = ?, "
	    "duration = ?, compiler_version = ?, config_url = ?, log_url = ?, "
	    "log_excerpt = ?, artifacts = ?, misc = json_patch(coalesce(misc, "
	    "'{}'), ?), gen = gen + 1 WHERE job_id = ?");
	rc = -1;
	if (st != NULL) {
		db_bind_text(st, 1, status);
		db_bind_int(st, 2, (long long)json_integer_value(
		    json_object_get(res, "start_time")));
		db_bind_double(st, 3, json_number_value(
		    json_object_get(res, "duration")));
		db_bind_text(st, 4, jstr(res, "compiler"));
		db_bind_text(st, 5, jstr(arts, "config"));
		db_bind_text(st, 6, jstr(arts, "log"));
		db_bind_text(st, 7, excerpt);
		db_bind_text(st, 8, arts_text);
		db_bind_text(st, 9, misc_text);
		db_bind_text(st, 10, j->id);
		rc = db_step(db, st) < 0 ? -1 : 0;
	}
	db_finalize(st);
	free(misc_text);
	free(arts_text);
	json_decref(misc);
	return rc;
}

static void
cleanup(const struct config *cfg, const char *work)
{
	if (!cfg->keep_work && work != NULL)
		fs_remove_tree(work);
}

/* An attempt that did not finish: retry it, or make it final (ERROR). */
static int
incomplete(const struct config *cfg, struct db *db, const struct job *j,
    json_t *res, const char *code, const char *msg, const char *excerpt,
    struct collect_stats *stats)
{
	int r;

	if (db_begin(db) != 0)
		return -1;
	r = job_retry(cfg, db, j, code, msg);
	if (r == 0) {
		r = job_finish(db, j->id, "incomplete", code, msg);
		if (r == 0 && res != NULL)
			r = update_build(db, j, res, "ERROR", excerpt);
		if (r == 0)
			r = collect_build_final(db, j->id, "ERROR", code, msg);
		if (r == 0) {
			error("job %s: incomplete after %lld attempts: %s: %s",
			    j->id, j->attempt, code, msg);
			stats->failed++;
		}
	} else if (r > 0) {
		stats->retried++;
		r = 0;
	}
	if (r != 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db);
}

static int
collect_kbuild(const struct config *cfg, struct db *db, const struct job *j,
    const char *work, struct collect_stats *stats)
{
	json_error_t jerr;
	json_t *res;
	char *text, *excerpt;
	const char *status, *result;
	int rc;

	text = local_read(work, "result.json", 0);
	res = text ? json_loads(text, 0, &jerr) : NULL;
	excerpt = local_read(work, "build.log", EXCERPT_MAX);
	if (res == NULL || jstr(res, "status") == NULL) {
		rc = incomplete(cfg, db, j, NULL, "result", "result.json is "
		    "unreadable", excerpt, stats);
		goto out;
	}
	result = jstr(res, "status");
	if (strcmp(result, "incomplete") == 0) {
		rc = incomplete(cfg, db, j, res, jstr(res, "error_code") ?
		    jstr(res, "error_code") : "infrastructure",
		    jstr(res, "error_msg") ? jstr(res, "error_msg") : "",
		    excerpt, stats);
		goto out;
	}
	status = strcmp(result, "pass") == 0 ? "PASS" : "FAIL";
	if (db_begin(db) != 0) {
		rc = -1;
		goto out;
	}
	if (job_finish(db, j->id, strcmp(result, "pass") == 0 ? "pass" :
	    "fail", jstr(res, "error_code"), jstr(res, "error_msg")) != 0 ||
	    update_build(db, j, res, status, excerpt) != 0) {
		db_rollback(db);
		rc = -1;
		goto out;
	}
	crashpoint("collect-recorded");
	rc = db_commit(db);
	if (rc == 0) {
		info("job %s: %s in %.0fs", j->id, status,
		    json_number_value(json_object_get(res, "duration")));
		stats->finished++;
	}
out:
	if (rc == 0)
		cleanup(cfg, work);
	json_decref(res);
	free(text);
	free(excerpt);
	return rc;
}

static int
set_running(struct db *db, const char *id)
{
	if (db_begin(db) != 0)
		return -1;
	if (job_set_state(db, id, "running", NULL, NULL) != 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db);
}

static int
collect_local(const struct config *cfg, struct db *db, const struct job *j,
    struct collect_stats *stats)
{
	enum local_state ls;
	time_t started;
	pid_t pid;
	long v;
	char *work, *excerpt, msg[128];
	int rc;

	work = j->work_dir ? xstrdup(j->work_dir) : local_work_dir(cfg, j->id);
	pid = 0;
	if (j->runtime_job_id != NULL &&
	    parse_long(j->runtime_job_id, 0, INT_MAX, &v) == 0)
		pid = (pid_t)v;
	started = (time_t)j->started;
	ls = local_check(work, &pid, &started);
	rc = 0;
	switch (ls) {
	case LOCAL_DONE:
		rc = collect_kbuild(cfg, db, j, work, stats);
		break;
	case LOCAL_RUNNING:
		/* the worker enforces its timeout; this is the backstop */
		if (j->timeout > 0 && started > 0 &&
		    time(NULL) > started + j->timeout + 120) {
			local_kill(pid);
			snprintf(msg, sizeof(msg), "killed after its timeout "
			    "of %llds", j->timeout);
			excerpt = local_read(work, "build.log", EXCERPT_MAX);
			rc = incomplete(cfg, db, j, NULL, "timeout", msg,
			    excerpt, stats);
			free(excerpt);
			if (rc == 0)
				cleanup(cfg, work);
			break;
		}
		stats->running++;
		if (strcmp(j->state, "submitted") == 0)
			rc = set_running(db, j->id);
		break;
	case LOCAL_LOST:
		/* whatever the dead worker started goes too */
		local_kill(pid);
		excerpt = local_read(work, "build.log", EXCERPT_MAX);
		rc = incomplete(cfg, db, j, NULL, "worker_lost", "the worker "
		    "died without writing a result", excerpt, stats);
		free(excerpt);
		if (rc == 0)
			cleanup(cfg, work);
		break;
	}
	free(work);
	return rc;
}

static int
collect_once(const struct config *cfg, struct db *db,
    struct collect_stats *stats, size_t *local_running)
{
	static const char *const states[] = { "submitted", "running", NULL };
	const struct lab_cfg *lab;
	struct job *list;
	size_t n, i;
	int rc;

	*local_running = 0;
	if (job_list(db, states, 0, &list, &n) != 0)
		return -1;
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		size_t before = stats->running;

		lab = config_lab(cfg, list[i].runtime);
		if (lab == NULL) {
			warning("job %s: lab '%s' is no longer in the config",
			    list[i].id, list[i].runtime);
			continue;
		}
		if (lab->type == LAB_LOCAL) {
			rc = collect_local(cfg, db, &list[i], stats);
			*local_running += stats->running - before;
		}
	}
	job_list_free(list, n);
	return rc;
}

int
collect_stage(const struct config *cfg, struct db *db, int wait,
    struct collect_stats *stats)
{
	struct timespec ts = { 2, 0 };
	struct collect_stats round;
	size_t running;
	double t0;
	char took[32];

	t0 = now_monotonic();
	progress_start("waiting for local jobs", 0);
	for (;;) {
		memset(&round, 0, sizeof(round));
		if (collect_once(cfg, db, &round, &running) != 0) {
			progress_end();
			return -1;
		}
		stats->finished += round.finished;
		stats->retried += round.retried;
		stats->failed += round.failed;
		stats->running = round.running;
		if (!wait || running == 0)
			break;
		time_human(now_monotonic() - t0, took, sizeof(took));
		progress_update(running, took);
		nanosleep(&ts, NULL);
	}
	progress_end();
	return 0;
}
