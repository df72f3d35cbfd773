/*
 * store_upload.c: the upload table (store_upload.h).
 */
#include <sqlite3.h>

#include "db.h"
#include "store_upload.h"
#include "util.h"

int
store_upload_get(struct db *db, const char *path, struct upload_row *out)
{
	static const char sql[] = "SELECT size, sha256, uploaded_at, "
	    "attempts FROM upload WHERE path = ?";
	struct sqlite3_stmt *st;
	const char *sha;
	int r;

	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, path);
	r = db_step(db, st);
	if (r == 1) {
		memset(out, 0, sizeof(*out));
		out->size = db_col_int(st, 0);
		sha = db_col_text(st, 1);
		snprintf(out->sha256, sizeof(out->sha256), "%s",
		    sha != NULL ? sha : "");
		out->uploaded_at = db_col_int(st, 2);
		out->attempts = db_col_int(st, 3);
	}
	db_done(st);
	return r == 1 ? 0 : r == 0 ? 1 : -1;
}

int
store_upload_done(struct db *db, const char *path, long long size,
    const char *sha256, long long when)
{
	return db_run(db, "INSERT INTO upload (path, size, sha256, "
	    "uploaded_at, tried_at) VALUES (?1, ?2, ?3, ?4, ?4) "
	    "ON CONFLICT (path) DO UPDATE SET size = ?2, sha256 = ?3, "
	    "uploaded_at = ?4, tried_at = ?4, error = NULL", "titi", path,
	    size, sha256, when);
}

int
store_upload_failed(struct db *db, const char *path, long long size,
    const char *sha256, const char *why, long long when)
{
	return db_run(db, "INSERT INTO upload (path, size, sha256, "
	    "attempts, error, tried_at) VALUES (?1, ?2, ?3, 1, ?4, ?5) "
	    "ON CONFLICT (path) DO UPDATE SET size = ?2, sha256 = ?3, "
	    "uploaded_at = NULL, attempts = attempts + 1, error = ?4, "
	    "tried_at = ?5", "titti", path, size, sha256, why, when);
}

int
store_upload_pending(struct db *db, long long *n)
{
	return db_run_int(db, n, "SELECT COUNT(*) FROM upload "
	    "WHERE uploaded_at IS NULL", "") < 0 ? -1 : 0;
}
