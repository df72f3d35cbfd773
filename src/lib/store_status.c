/*
 * store_status.c: the counts of `maestrino status` and the jobs left.
 */
#include <stddef.h>
#include <sqlite3.h>

#include "db.h"
#include "store_job.h"
#include "store_status.h"
#include "util.h"

void
store_status_counts(struct db *db, struct status_counts *out)
{
	const struct {
		long long	*v;
		const char	*sql;
	} counts[] = {
		{ &out->checkouts,
		  "SELECT COUNT(*) FROM checkout" },
		{ &out->trees_failing,
		  "SELECT COUNT(*) FROM tree WHERE last_error IS NOT NULL" },
		{ &out->tarballs_pending,
		  "SELECT COUNT(*) FROM checkout WHERE "
		  "tarball_state = 'pending'" },
		{ &out->tarballs_done,
		  "SELECT COUNT(*) FROM checkout WHERE "
		  "tarball_state = 'done'" },
		{ &out->tarballs_failed,
		  "SELECT COUNT(*) FROM checkout WHERE "
		  "tarball_state = 'failed'" },
		{ &out->jobs_pending,
		  "SELECT COUNT(*) FROM job WHERE " STORE_JOB_WAITING },
		{ &out->jobs_submitted,
		  "SELECT COUNT(*) FROM job WHERE state IN ('submitting', "
		  "'submitted')" },
		{ &out->jobs_running,
		  "SELECT COUNT(*) FROM job WHERE state = 'running'" },
		{ &out->jobs_done,
		  "SELECT COUNT(*) FROM job WHERE state = 'done'" },
		{ &out->builds,
		  "SELECT COUNT(*) FROM build" },
		{ &out->tests,
		  "SELECT COUNT(*) FROM test" },
		{ &out->kcidb_pending,
		  "SELECT (SELECT COUNT(*) FROM checkout "
		  "WHERE gen > exported_gen)"
		  " + (SELECT COUNT(*) FROM build WHERE gen > exported_gen)"
		  " + (SELECT COUNT(*) FROM test WHERE gen > exported_gen)"
		  " + (SELECT COUNT(*) FROM bisection "
		  "WHERE gen > exported_gen)" },
		{ &out->kcidb_files_unsent,
		  "SELECT COUNT(*) FROM kcidb_file "
		  "WHERE state != 'processed'" },
	};
	size_t i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < ARRAY_SIZE(counts); i++)
		*counts[i].v = db_int(db, counts[i].sql, 0);
}

int
store_status_trees(struct db *db, const char *const *names, size_t n,
    struct status_tree *out)
{
	sqlite3_stmt *st;
	size_t i;

	memset(out, 0, n * sizeof(*out));
	st = db_prepare(db, "SELECT last_poll, last_error, "
	    "(SELECT COUNT(*) FROM checkout c WHERE c.tree = t.name) "
	    "FROM tree t WHERE name = ?");
	if (st == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		sqlite3_reset(st);
		db_bind_text(st, 1, names[i]);
		if (db_step(db, st) != 1)
			continue;
		out[i].found = 1;
		out[i].polled = !db_col_is_null(st, 0);
		out[i].last_poll = db_col_int(st, 0);
		out[i].error = db_col_dup(st, 1);
		out[i].checkouts = db_col_int(st, 2);
	}
	db_finalize(st);
	return 0;
}

void
store_status_trees_free(struct status_tree *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(t[i].error);
}

int
store_status_recent(struct db *db, size_t limit,
    struct status_checkout **out, size_t *n)
{
	sqlite3_stmt *st;
	size_t alloc;
	int r;

	*out = NULL;
	*n = alloc = 0;
	st = db_prepare(db, "SELECT " STORE_CHECKOUT_COLUMNS("c")
	    ", c.tarball_size IS NOT NULL FROM checkout c "
	    "ORDER BY c.id DESC LIMIT ?");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, (long long)limit);
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)out, &alloc, *n + 1, sizeof(**out));
		store_checkout_from(st, &(*out)[*n].c);
		(*out)[*n].has_size = (int)db_col_int(st,
		    sqlite3_column_count(st) - 1);
		(*n)++;
	}
	db_finalize(st);
	return r < 0 ? -1 : 0;
}

void
store_status_recent_free(struct status_checkout *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_checkout_release(&v[i].c);
	free(v);
}

int
store_status_jobs_left(struct db *db, long long now,
    struct status_lab_jobs **out, size_t *n)
{
	struct status_lab_jobs *l;
	sqlite3_stmt *st;
	size_t alloc;
	int r;

	*out = NULL;
	*n = alloc = 0;
	st = db_prepare(db, "SELECT runtime, COUNT(*), sum(waiting), "
	    "sum(runnable), min(CASE WHEN waiting AND NOT runnable "
	    "THEN next END) "
	    "FROM (SELECT runtime, coalesce(next_try, 0) AS next, "
	    STORE_JOB_WAITING " AS waiting, " STORE_JOB_RUNNABLE " AS runnable "
	    "FROM job WHERE state != 'done') GROUP BY runtime");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, now);
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)out, &alloc, *n + 1, sizeof(**out));
		l = &(*out)[(*n)++];
		l->runtime = db_col_dup(st, 0);
		l->jobs = db_col_int(st, 1);
		l->pending = db_col_int(st, 2);
		l->runnable = db_col_int(st, 3);
		l->running = l->jobs - l->pending;
		l->next_retry = db_col_int(st, 4);
	}
	db_finalize(st);
	if (r < 0) {
		store_status_jobs_left_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

void
store_status_jobs_left_free(struct status_lab_jobs *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].runtime);
	free(v);
}
