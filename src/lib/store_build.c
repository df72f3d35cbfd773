/*
 * store_build.c: builds.
 */
#include <sqlite3.h>

#include "db.h"
#include "store_build.h"
#include "util.h"

void
store_build_from(struct sqlite3_stmt *st, struct build_row *b)
{
	memset(b, 0, sizeof(*b));
	b->id = db_col_int(st, 0);
	b->checkout_id = db_col_int(st, 1);
	b->job_id = db_col_dup(st, 2);
	b->config_name = db_col_dup(st, 3);
	b->arch = db_col_dup(st, 4);
	b->compiler = db_col_dup(st, 5);
	b->compiler_version = db_col_dup(st, 6);
	b->kconfig = db_col_dup(st, 7);
	b->config_url = db_col_dup(st, 8);
	b->log_url = db_col_dup(st, 9);
	b->log_excerpt = db_col_dup_len(st, 10, &b->log_excerpt_len);
	b->start_time = db_col_int(st, 11);
	b->has_duration = !db_col_is_null(st, 12);
	b->duration = db_col_double(st, 12);
	b->status = db_col_dup(st, 13);
	b->artifacts = db_col_dup(st, 14);
	b->misc = db_col_dup(st, 15);
	b->tests_made = (int)db_col_int(st, 16);
	b->gen = db_col_int(st, 17);
	b->exported_gen = db_col_int(st, 18);
	b->site_gen = db_col_int(st, 19);
}

void
store_build_release(struct build_row *b)
{
	free(b->job_id);
	free(b->config_name);
	free(b->arch);
	free(b->compiler);
	free(b->compiler_version);
	free(b->kconfig);
	free(b->config_url);
	free(b->log_url);
	free(b->log_excerpt);
	free(b->status);
	free(b->artifacts);
	free(b->misc);
	memset(b, 0, sizeof(*b));
}

int
store_build_get(struct db *db, long long id, struct build_row *out)
{
	static const char sql[] = "SELECT " STORE_BUILD_COLUMNS("build")
	    " FROM build WHERE id = ?";
	struct sqlite3_stmt *st;
	int r;

	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, id);
	r = db_step(db, st);
	if (r == 1)
		store_build_from(st, out);
	db_done(st);
	return r == 1 ? 0 : r == 0 ? 1 : -1;
}

int
store_build_record(struct db *db, const struct build_row *b)
{
	return db_run(db, "UPDATE build SET status = ?, start_time = ?, "
	    "duration = ?, compiler_version = ?, config_url = ?, log_url = ?, "
	    "log_excerpt = ?, artifacts = ?, misc = json_patch(coalesce(misc, "
	    "'{}'), ?), gen = gen + 1 WHERE job_id = ?", "tidtttttt"
	    "t", b->status, b->start_time, b->duration, b->compiler_version,
	    b->config_url, b->log_url, b->log_excerpt, b->artifacts, b->misc,
	    b->job_id);
}

int
store_build_final(struct db *db, const char *job_id, const char *status,
    const char *code, const char *msg)
{
	return db_run(db, "UPDATE build SET status = ?, misc = json_patch("
	    "coalesce(misc, '{}'), json_object('error_code', ?, "
	    "'error_msg', ?)), gen = gen + 1 WHERE job_id = ?", "tttt",
	    status, code, msg, job_id);
}
