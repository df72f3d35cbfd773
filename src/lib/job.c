/*
 * job.c: loading and updating job rows.
 */
#include <sqlite3.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "job.h"
#include "log.h"
#include "util.h"

int
job_list(struct db *db, const char *const *states, int due,
    struct job **out, size_t *n)
{
	struct buf sql = BUF_INIT;
	sqlite3_stmt *st;
	struct job *list, *j;
	size_t alloc, i;
	int r;

	*out = NULL;
	*n = 0;
	buf_puts(&sql, "SELECT id, kind, runtime, definition, state, "
	    "runtime_job_id, work_dir, config_name, platform, checkout_id, "
	    "coalesce(build_id, 0), attempt, coalesce(submitted, 0), "
	    "coalesce(started, 0), coalesce(timeout, 3600), poll_failures "
	    "FROM job "
	    "WHERE state IN (");
	for (i = 0; states[i] != NULL; i++)
		buf_addf(&sql, "%s?%zu", i ? ", " : "", i + 1);
	buf_addf(&sql, ")%s ORDER BY created, id",
	    due ? " AND coalesce(next_try, 0) <= ?99" : "");
	st = db_prepare(db, sql.ptr);
	buf_release(&sql);
	if (st == NULL)
		return -1;
	for (i = 0; states[i] != NULL; i++)
		db_bind_text(st, (int)i + 1, states[i]);
	if (due)
		db_bind_int(st, 99, (long long)time(NULL));
	list = NULL;
	alloc = 0;
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)&list, &alloc, *n + 1, sizeof(*list));
		j = &list[(*n)++];
		j->id = db_col_dup(st, 0);
		j->kind = db_col_dup(st, 1);
		j->runtime = db_col_dup(st, 2);
		j->definition = db_col_dup(st, 3);
		j->state = db_col_dup(st, 4);
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
	}
	db_finalize(st);
	*out = list;
	if (r < 0) {
		job_list_free(list, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

void
job_list_free(struct job *list, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(list[i].id);
		free(list[i].kind);
		free(list[i].runtime);
		free(list[i].definition);
		free(list[i].state);
		free(list[i].runtime_job_id);
		free(list[i].work_dir);
		free(list[i].config_name);
		free(list[i].platform);
	}
	free(list);
}

int
job_set_state(struct db *db, const char *id, const char *state,
    const char *runtime_job_id, const char *work_dir)
{
	sqlite3_stmt *st;
	int rc;

	st = db_prepare(db, "UPDATE job SET state = ?1, "
	    "runtime_job_id = coalesce(?2, runtime_job_id), "
	    "work_dir = coalesce(?3, work_dir), "
	    "submitted = CASE WHEN ?1 = 'submitted' THEN ?4 ELSE submitted "
	    "END, "
	    "started = CASE WHEN ?1 IN ('submitted', 'running') AND "
	    "started IS NULL THEN ?4 ELSE started END "
	    "WHERE id = ?5");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, state);
	db_bind_text(st, 2, runtime_job_id);
	db_bind_text(st, 3, work_dir);
	db_bind_int(st, 4, (long long)time(NULL));
	db_bind_text(st, 5, id);
	rc = db_step(db, st) < 0 ? -1 : 0;
	db_finalize(st);
	return rc;
}

int
job_retry(const struct config *cfg, struct db *db, const struct job *j,
    const char *code, const char *msg)
{
	sqlite3_stmt *st;
	long long delay;
	int rc;

	if (j->attempt > cfg->retries)
		return 0;
	delay = (long long)cfg->retry_delay << (j->attempt < 16 ?
	    j->attempt - 1 : 15);
	st = db_prepare(db, "UPDATE job SET state = 'pending', attempt = "
	    "attempt + 1, next_try = ?, error_code = ?, error_msg = ?, "
	    "runtime_job_id = NULL, submitted = NULL, started = NULL, "
	    "poll_failures = 0 "
	    "WHERE id = ?");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, (long long)time(NULL) + delay);
	db_bind_text(st, 2, code);
	db_bind_text(st, 3, msg);
	db_bind_text(st, 4, j->id);
	rc = db_step(db, st) < 0 ? -1 : 1;
	db_finalize(st);
	if (rc == 1)
		warning("job %s: attempt %lld incomplete (%s); trying again "
		    "in %llds", j->id, j->attempt, code, delay);
	return rc;
}

int
job_finish(struct db *db, const char *id, const char *result,
    const char *code, const char *msg)
{
	sqlite3_stmt *st;
	int rc;

	st = db_prepare(db, "UPDATE job SET state = 'done', result = ?, "
	    "error_code = ?, error_msg = ?, finished = ? WHERE id = ?");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, result);
	db_bind_text(st, 2, code);
	db_bind_text(st, 3, msg);
	db_bind_int(st, 4, (long long)time(NULL));
	db_bind_text(st, 5, id);
	rc = db_step(db, st) < 0 ? -1 : 0;
	db_finalize(st);
	if (rc != 0)
		return rc;
	/* its checkout's finish times may now be known: export it again */
	st = db_prepare(db, "UPDATE checkout SET gen = gen + 1 WHERE id = "
	    "(SELECT checkout_id FROM job WHERE id = ?)");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	rc = db_step(db, st) < 0 ? -1 : 0;
	db_finalize(st);
	return rc;
}

long long
job_busy(struct db *db, const char *runtime)
{
	sqlite3_stmt *st;
	long long n;

	n = 0;
	st = db_prepare(db, "SELECT COUNT(*) FROM job WHERE runtime = ? AND "
	    "state IN ('submitting', 'submitted', 'running')");
	if (st == NULL)
		return 0;
	db_bind_text(st, 1, runtime);
	if (db_step(db, st) == 1)
		n = db_col_int(st, 0);
	db_finalize(st);
	return n;
}
