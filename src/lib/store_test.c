/*
 * store_test.c: boots and tests.
 */
#include <sqlite3.h>

#include "db.h"
#include "store_test.h"
#include "util.h"

void
store_test_from(struct sqlite3_stmt *st, struct test_row *t)
{
	memset(t, 0, sizeof(*t));
	t->id = db_col_int(st, 0);
	t->build_id = db_col_int(st, 1);
	t->job_id = db_col_dup(st, 2);
	t->path = db_col_dup(st, 3);
	t->platform = db_col_dup(st, 4);
	t->compatible = db_col_dup(st, 5);
	t->status = db_col_dup(st, 6);
	t->start_time = db_col_int(st, 7);
	t->has_duration = !db_col_is_null(st, 8);
	t->duration = db_col_double(st, 8);
	t->log_url = db_col_dup(st, 9);
	t->log_excerpt = db_col_dup_len(st, 10, &t->log_excerpt_len);
	t->has_number = !db_col_is_null(st, 11);
	t->number_value = db_col_double(st, 11);
	t->number_unit = db_col_dup(st, 12);
	t->misc = db_col_dup(st, 13);
	t->gen = db_col_int(st, 14);
	t->exported_gen = db_col_int(st, 15);
	t->site_gen = db_col_int(st, 16);
}

void
store_test_release(struct test_row *t)
{
	free(t->job_id);
	free(t->path);
	free(t->platform);
	free(t->compatible);
	free(t->status);
	free(t->log_url);
	free(t->log_excerpt);
	free(t->number_unit);
	free(t->misc);
	memset(t, 0, sizeof(*t));
}

int
store_test_get(struct db *db, long long id, struct test_row *out)
{
	static const char sql[] = "SELECT " STORE_TEST_COLUMNS("test")
	    " FROM test WHERE id = ?";
	struct sqlite3_stmt *st;
	int r;

	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, id);
	r = db_step(db, st);
	if (r == 1)
		store_test_from(st, out);
	db_done(st);
	return r == 1 ? 0 : r == 0 ? 1 : -1;
}

int
store_test_upsert(struct db *db, const struct test_row *t)
{
	static const char sql[] = "INSERT INTO test (build_id, job_id, "
	    "path, platform, compatible, status, start_time, duration, "
	    "log_url, log_excerpt, number_value, number_unit, misc) VALUES "
	    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (job_id, "
	    "path) DO UPDATE SET status = excluded.status, start_time = "
	    "excluded.start_time, duration = excluded.duration, log_url = "
	    "excluded.log_url, log_excerpt = excluded.log_excerpt, "
	    "number_value = excluded.number_value, number_unit = "
	    "excluded.number_unit, misc = excluded.misc, gen = gen + 1";

	if (t->has_number)
		return db_run(db, sql, "itttttidttdtt", t->build_id, t->job_id,
		    t->path, t->platform, t->compatible, t->status,
		    t->start_time, t->duration, t->log_url, t->log_excerpt,
		    t->number_value, t->number_unit, t->misc);
	return db_run(db, sql, "itttttidttnnt", t->build_id, t->job_id,
	    t->path, t->platform, t->compatible, t->status, t->start_time,
	    t->duration, t->log_url, t->log_excerpt, t->misc);
}
