/*
 * store_plan.c: the rows the jobs stage reads and makes.
 */
#include <sqlite3.h>
#include <time.h>

#include "db.h"
#include "store_plan.h"
#include "util.h"

int
store_plan_checkouts(struct db *db, long long only, struct checkout_list *out)
{
	sqlite3_stmt *st;
	int r;

	memset(out, 0, sizeof(*out));
	st = db_prepare(db, "SELECT " STORE_CHECKOUT_COLUMNS("checkout")
	    " FROM checkout WHERE tarball_state = 'done' "
	    "AND (jobs_made = 0 OR id = ?) ORDER BY id");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, only);
	while ((r = db_step(db, st)) == 1) {
		if (only > 0 && db_col_int(st, 0) != only)
			continue;
		xgrow((void **)&out->v, &out->alloc, out->n + 1,
		    sizeof(*out->v));
		store_checkout_from(st, &out->v[out->n++]);
	}
	db_finalize(st);
	return r < 0 ? -1 : 0;
}

int
store_plan_builds(struct db *db, struct plan_build **out, size_t *n)
{
	struct plan_build *pb;
	sqlite3_stmt *st;
	size_t alloc, i;
	int r;

	*out = NULL;
	*n = alloc = 0;
	st = db_prepare(db, "SELECT " STORE_BUILD_COLUMNS("b")
	    ", json_extract(b.misc, '$.kernel_release') "
	    "FROM build b JOIN checkout c ON c.id = b.checkout_id "
	    "WHERE b.status = 'PASS' AND b.tests_made = 0 ORDER BY b.id");
	if (st == NULL)
		return -1;
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)out, &alloc, *n + 1, sizeof(**out));
		pb = &(*out)[(*n)++];
		memset(pb, 0, sizeof(*pb));
		store_build_from(st, &pb->b);
		pb->kernel_release = db_col_dup(st,
		    sqlite3_column_count(st) - 1);
	}
	db_finalize(st);
	/* each one's checkout (the join says there is one) */
	for (i = 0; i < *n && r == 0; i++)
		if (store_checkout_get(db, (*out)[i].b.checkout_id,
		    &(*out)[i].co) != 0)
			r = -1;
	return r < 0 ? -1 : 0;
}

void
store_plan_builds_free(struct plan_build *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		store_build_release(&v[i].b);
		store_checkout_release(&v[i].co);
		free(v[i].kernel_release);
	}
	free(v);
}

int
store_plan_add_kbuild(struct db *db, const struct plan_job *j,
    const char *arch, const char *compiler, const char *kconfig, int *made)
{
	*made = 0;
	if (db_run(db, "INSERT OR IGNORE INTO job (id, kind, checkout_id, "
	    "config_name, runtime, definition, created, timeout) "
	    "VALUES (?, 'kbuild', ?, ?, ?, ?, ?, ?)", "tittti", j->id,
	    j->checkout_id, j->config_name, j->runtime, j->definition,
	    (long long)time(NULL), j->timeout) != 0)
		return -1;
	if (db_changes(db) == 0)
		return 0;
	*made = 1;
	return db_run(db, "INSERT INTO build (checkout_id, job_id, "
	    "config_name, arch, compiler, kconfig, misc) VALUES (?, ?, ?, ?, "
	    "?, ?, json_object('runtime', ?, 'build', ?))", "ittttttt",
	    j->checkout_id, j->id, j->config_name, arch, compiler, kconfig,
	    j->runtime, j->config_name);
}

int
store_plan_add_test(struct db *db, const struct plan_job *j, int *made)
{
	*made = 0;
	if (db_run(db, "INSERT OR IGNORE INTO job (id, kind, checkout_id, "
	    "build_id, config_name, platform, runtime, definition, created, "
	    "timeout) VALUES (?, 'test', ?, ?, ?, ?, ?, ?, ?, ?)", "tiittttii",
	    j->id, j->checkout_id, j->build_id, j->config_name, j->platform,
	    j->runtime, j->definition, (long long)time(NULL),
	    j->timeout) != 0)
		return -1;
	*made = db_changes(db) > 0;
	return 0;
}

int
store_plan_checkout_done(struct db *db, long long checkout_id)
{
	return db_run(db, "UPDATE checkout SET jobs_made = 1 WHERE id = ?",
	    "i", checkout_id);
}

int
store_plan_build_done(struct db *db, long long build_id)
{
	return db_run(db, "UPDATE build SET tests_made = 1 WHERE id = ?",
	    "i", build_id);
}
