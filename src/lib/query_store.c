/*
 * query_store.c: the SQL of `maestrino results`, `compare`, `show` and
 * `log` that no store file has already.
 */
#include <sqlite3.h>

#include "db.h"
#include "log.h"
#include "query.h"
#include "util.h"

int
query_branches(struct db *db, const char *tree, const char *branch,
    struct query_branches *l)
{
	static const char sql[] = "SELECT tree, branch, MAX(id) FROM checkout "
	    "WHERE kind = 'head' AND (?1 IS NULL OR tree = ?1) AND (?2 IS "
	    "NULL OR branch = ?2) GROUP BY tree, branch ORDER BY tree, branch";
	struct query_branch *b;
	sqlite3_stmt *st;
	int r;

	memset(l, 0, sizeof(*l));
	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, tree);
	db_bind_text(st, 2, branch);
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
		b = &l->v[l->n++];
		b->tree = db_col_dup(st, 0);
		b->branch = db_col_dup(st, 1);
		b->latest = db_col_int(st, 2);
	}
	db_done(st);
	if (r < 0) {
		query_branches_release(l);
		return error("cannot read the branches");
	}
	return 0;
}

void
query_branches_release(struct query_branches *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].tree);
		free(l->v[i].branch);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
query_tree_known(struct db *db, const char *tree)
{
	return db_int_text(db, "SELECT 1 FROM tree WHERE name = ?1 UNION "
	    "SELECT 1 FROM checkout WHERE tree = ?1 LIMIT 1", tree, 0) == 1;
}

int
query_job_build(struct db *db, const char *job, long long *id)
{
	static const char sql[] = "SELECT id FROM build WHERE job_id = ?";
	sqlite3_stmt *st;
	int r;

	*id = 0;
	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, job);
	r = db_step(db, st);
	if (r == 1)
		*id = db_col_int(st, 0);
	db_done(st);
	if (r < 0)
		return error("cannot read the build of job '%s'", job);
	return 0;
}

int
query_job_test_logs(struct db *db, const char *job, char **lava,
    char **console)
{
	/* the first result that has a log: every one of a job has the same */
	static const char sql[] = "SELECT CASE WHEN json_valid(misc) THEN "
	    "json_extract(misc, '$.lava_log_url') END, log_url FROM test "
	    "WHERE job_id = ? ORDER BY log_url IS NULL, id LIMIT 1";
	sqlite3_stmt *st;
	int r;

	*lava = *console = NULL;
	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, job);
	r = db_step(db, st);
	if (r == 1) {
		*lava = db_col_dup(st, 0);
		*console = db_col_dup(st, 1);
	}
	db_done(st);
	if (r < 0)
		return error("cannot read the logs of job '%s'", job);
	return 0;
}

