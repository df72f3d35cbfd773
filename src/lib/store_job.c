/*
 * store_job.c: jobs.
 */
#include <sqlite3.h>

#include "buf.h"
#include "db.h"
#include "store_job.h"
#include "util.h"

static const char *const state_names[JOB_NSTATES] = {
	[JOB_PENDING] = "pending",
	[JOB_SUBMITTING] = "submitting",
	[JOB_SUBMITTED] = "submitted",
	[JOB_RUNNING] = "running",
	[JOB_DONE] = "done",
	[JOB_FAILED_SUBMIT] = "failed-submit",
};

/* The states that hold a slot in a lab. */
#define BUSY_SQL	"('submitting', 'submitted', 'running')"


const char *
job_state_name(enum job_state s)
{
	return (unsigned)s < JOB_NSTATES ? state_names[s] : "?";
}

int
job_state_parse(const char *name, enum job_state *out)
{
	size_t i;

	for (i = 0; name != NULL && i < JOB_NSTATES; i++) {
		if (strcmp(name, state_names[i]) == 0) {
			*out = (enum job_state)i;
			return 0;
		}
	}
	return -1;
}

int
job_runnable(enum job_state s, long long next_try, long long now)
{
	return (s == JOB_PENDING || s == JOB_FAILED_SUBMIT) &&
	    next_try <= now;
}

void
store_job_from(struct sqlite3_stmt *st, struct job_row *j)
{
	memset(j, 0, sizeof(*j));
	j->id = db_col_dup(st, 0);
	j->kind = db_col_dup(st, 1);
	j->runtime = db_col_dup(st, 2);
	j->definition = db_col_dup(st, 3);
	if (job_state_parse(db_col_text(st, 4), &j->state) != 0)
		j->state = JOB_DONE;
	j->runtime_job_id = db_col_dup(st, 5);
	j->work_dir = db_col_dup(st, 6);
	j->config_name = db_col_dup(st, 7);
	j->platform = db_col_dup(st, 8);
	j->checkout_id = db_col_int(st, 9);
	j->build_id = db_col_int(st, 10);
	j->attempt = db_col_int(st, 11);
	j->submitted = db_col_int(st, 12);
	j->started = db_col_int(st, 13);
	j->timeout = db_col_int(st, 14);
	j->poll_failures = db_col_int(st, 15);
	j->result = db_col_dup(st, 16);
	j->error_code = db_col_dup(st, 17);
	j->error_msg = db_col_dup(st, 18);
	j->created = db_col_int(st, 19);
	j->finished = db_col_int(st, 20);
	j->next_try = db_col_int(st, 21);
	j->retry_of = db_col_dup(st, 22);
}

void
store_job_release(struct job_row *j)
{
	free(j->id);
	free(j->kind);
	free(j->runtime);
	free(j->definition);
	free(j->runtime_job_id);
	free(j->work_dir);
	free(j->config_name);
	free(j->platform);
	free(j->result);
	free(j->error_code);
	free(j->error_msg);
	free(j->retry_of);
	memset(j, 0, sizeof(*j));
}

int
store_job_get(struct db *db, const char *id, struct job_row *out)
{
	static const char sql[] = "SELECT " STORE_JOB_COLUMNS("job")
	    " FROM job WHERE id = ?";
	struct sqlite3_stmt *st;
	int r;

	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	r = db_step(db, st);
	if (r == 1)
		store_job_from(st, out);
	db_done(st);
	return r == 1 ? 0 : r == 0 ? 1 : -1;
}

/* Every row st selects, bound already; finalizes it. */
static int
read_rows(struct db *db, struct sqlite3_stmt *st, struct job_row **out,
    size_t *n)
{
	struct job_row *list;
	size_t alloc;
	int r;

	list = NULL;
	alloc = 0;
	*n = 0;
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)&list, &alloc, *n + 1, sizeof(*list));
		store_job_from(st, &list[(*n)++]);
	}
	db_finalize(st);
	*out = list;
	if (r < 0) {
		store_job_list_free(list, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
store_job_list(struct db *db, unsigned states, struct job_row **out,
    size_t *n)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	size_t i, k;

	*out = NULL;
	*n = 0;
	buf_puts(&sql, "SELECT " STORE_JOB_COLUMNS("job") " FROM job "
	    "WHERE state IN (");
	for (i = k = 0; i < JOB_NSTATES; i++)
		if (states & (1U << i))
			buf_addf(&sql, "%s'%s'", k++ ? ", " : "",
			    state_names[i]);
	buf_puts(&sql, ") ORDER BY created, id");
	st = k == 0 ? NULL : db_prepare(db, sql.ptr);
	buf_release(&sql);
	if (st == NULL)
		return k == 0 ? 0 : -1;
	return read_rows(db, st, out, n);
}

void
store_job_list_free(struct job_row *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_job_release(&list[i]);
	free(list);
}

int
store_job_list_runnable(struct db *db, long long now, struct job_row **out,
    size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	st = db_prepare(db, "SELECT " STORE_JOB_COLUMNS("job") " FROM job "
	    "WHERE " STORE_JOB_RUNNABLE " ORDER BY created, id");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, now);
	return read_rows(db, st, out, n);
}

int
store_job_runnable(struct db *db, long long now, long long *count)
{
	*count = 0;
	return db_run_int(db, count, "SELECT COUNT(*) FROM job WHERE "
	    STORE_JOB_RUNNABLE, "i", now) < 0 ? -1 : 0;
}

long long
store_job_busy(struct db *db, const char *runtime)
{
	long long n;

	n = 0;
	if (db_run_int(db, &n, "SELECT COUNT(*) FROM job WHERE runtime = ? "
	    "AND state IN " BUSY_SQL, "t", runtime) != 0)
		return 0;
	return n;
}

int
store_job_in_lab(struct db *db, const char *runtime,
    void (*fn)(void *, const char *, const char *, long long), void *arg)
{
	sqlite3_stmt *st;
	int r;

	st = db_prepare(db, "SELECT id, definition, coalesce(submitted, "
	    "created) FROM job WHERE runtime = ? AND state IN " BUSY_SQL
	    " ORDER BY created, id");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, runtime);
	while ((r = db_step(db, st)) == 1)
		fn(arg, db_col_text(st, 0), db_col_text(st, 1),
		    db_col_int(st, 2));
	db_finalize(st);
	return r < 0 ? -1 : 0;
}

int
store_job_set_state(struct db *db, const char *id, enum job_state s,
    const char *runtime_job_id, const char *work_dir, long long now)
{
	return db_run(db, "UPDATE job SET state = ?1, "
	    "runtime_job_id = coalesce(?2, runtime_job_id), "
	    "work_dir = coalesce(?3, work_dir), "
	    "submitted = CASE WHEN ?1 = 'submitted' THEN ?4 ELSE submitted "
	    "END, "
	    "started = CASE WHEN ?1 IN ('submitted', 'running') AND "
	    "started IS NULL THEN ?4 ELSE started END "
	    "WHERE id = ?5", "tttit", job_state_name(s), runtime_job_id,
	    work_dir, now, id);
}

int
store_job_requeue(struct db *db, const char *id, long long next_try,
    const char *code, const char *msg)
{
	return db_run(db, "UPDATE job SET state = 'pending', attempt = "
	    "attempt + 1, next_try = ?, error_code = ?, error_msg = ?, "
	    "runtime_job_id = NULL, submitted = NULL, started = NULL, "
	    "poll_failures = 0 "
	    "WHERE id = ?", "ittt", next_try, code, msg, id);
}

int
store_job_submit_failed(struct db *db, const char *id, long long next_try,
    const char *msg)
{
	return db_run(db, "UPDATE job SET state = 'failed-submit', "
	    "attempt = attempt + 1, next_try = ?, error_code = "
	    "'submit', error_msg = ? WHERE id = ?", "itt", next_try, msg, id);
}

int
store_job_finish(struct db *db, const char *id, const char *result,
    const char *code, const char *msg, long long now)
{
	if (db_run(db, "UPDATE job SET state = 'done', result = ?, "
	    "error_code = ?, error_msg = ?, finished = ? WHERE id = ?",
	    "tttit", result, code, msg, now, id) != 0)
		return -1;
	/* its checkout's finish times may now be known: export it again */
	return db_run(db, "UPDATE checkout SET gen = gen + 1 WHERE id = "
	    "(SELECT checkout_id FROM job WHERE id = ?)", "t", id);
}

int
store_job_set_poll_failures(struct db *db, const char *id, long long n)
{
	return db_run(db, "UPDATE job SET poll_failures = ? WHERE id = ?",
	    "it", n, id);
}

int
store_job_mark_cancel(struct db *db, const char *id, const char *msg)
{
	return db_run(db, "UPDATE job SET error_code = '" JOB_CANCELLING "', "
	    "error_msg = ? WHERE id = ? AND state != 'done'", "tt", msg, id);
}

int
store_job_stop_checkout(struct db *db, long long checkout,
    long long *stopped)
{
	*stopped = 0;
	if (db_run(db, "UPDATE checkout SET jobs_made = 1 WHERE id = ? AND "
	    "jobs_made = 0", "i", checkout) != 0)
		return -1;
	*stopped += db_changes(db);
	if (db_run(db, "UPDATE build SET tests_made = 1 WHERE checkout_id = ? "
	    "AND tests_made = 0", "i", checkout) != 0)
		return -1;
	*stopped += db_changes(db);
	return 0;
}

int
store_job_of_checkout(struct db *db, long long checkout, int failed,
    struct job_row **out, size_t *n)
{
	sqlite3_stmt *st;

	*out = NULL;
	*n = 0;
	st = db_prepare(db, "SELECT " STORE_JOB_COLUMNS("j") " FROM job j "
	    "WHERE j.checkout_id = ?1 AND (?2 = 0 OR (j.state = 'done' AND "
	    "coalesce(j.error_code, '') != '" JOB_CANCELLED "' AND NOT "
	    STORE_JOB_RETRIED("j") " AND NOT EXISTS (SELECT 1 FROM build "
	    "tb JOIN job bj ON bj.id = tb.job_id WHERE j.kind = 'test' AND "
	    "tb.id = j.build_id AND " STORE_JOB_RETRIED("bj") ") AND (j.result IN ('fail', 'incomplete') OR "
	    "EXISTS (SELECT 1 FROM build b WHERE b.job_id = j.id AND "
	    "b.status IN ('FAIL', 'ERROR', 'MISS')) OR EXISTS (SELECT 1 "
	    "FROM test t WHERE t.job_id = j.id AND t.status IN ('FAIL', "
	    "'ERROR', 'MISS'))))) ORDER BY j.created, j.id");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, checkout);
	db_bind_int(st, 2, failed);
	return read_rows(db, st, out, n);
}

int
store_job_retried(struct db *db, const char *id, char **out)
{
	sqlite3_stmt *st;
	int r;

	*out = NULL;
	st = db_cached(db, "SELECT id FROM job WHERE retry_of = ? AND "
	    "coalesce(error_code, '') != '" JOB_CANCELLED "' "
	    "ORDER BY created DESC, id DESC LIMIT 1");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	r = db_step(db, st);
	if (r == 1)
		*out = db_col_dup(st, 0);
	db_done(st);
	return r < 0 ? -1 : 0;
}

int
store_job_add_retry(struct db *db, const struct job_row *old,
    const char *new_id, const char *def, const char *link)
{
	if (db_run(db, "INSERT INTO job (id, kind, checkout_id, build_id, "
	    "config_name, platform, runtime, definition, created, timeout, "
	    "retry_of) SELECT ?1, kind, checkout_id, build_id, config_name, "
	    "platform, runtime, ?2, ?3, timeout, id FROM job WHERE id = ?4",
	    "ttit", new_id, def, (long long)time(NULL), old->id) != 0)
		return -1;
	if (strcmp(old->kind, "kbuild") != 0)
		return 0;
	/* the build again: a row of its own, its tests made anew */
	return db_run(db, "INSERT INTO build (checkout_id, job_id, "
	    "config_name, arch, compiler, kconfig, misc) SELECT checkout_id, "
	    "?1, config_name, arch, compiler, kconfig, json_object('runtime', "
	    "json_extract(misc, '$.runtime'), 'build', config_name, "
	    "'retry_of', ?2) FROM build WHERE job_id = ?3", "ttt", new_id,
	    link, old->id);
}

int
store_job_has_tests(struct db *db, const char *id, int *has)
{
	long long n;

	n = 0;
	if (db_run_int(db, &n, "SELECT COUNT(*) FROM test WHERE job_id = ?",
	    "t", id) < 0)
		return -1;
	*has = n > 0;
	return 0;
}

int
store_job_has_test(struct db *db, const char *id, const char *path,
    int *has)
{
	long long n;

	n = 0;
	if (db_run_int(db, &n, "SELECT COUNT(*) FROM test WHERE job_id = ? "
	    "AND path = ?", "tt", id, path) < 0)
		return -1;
	*has = n > 0;
	return 0;
}
