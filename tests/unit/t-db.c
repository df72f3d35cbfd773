/*
 * t-db.c: the state database: creation, migrations, refusal of a newer
 * schema, transactions.
 */
#include <sqlite3.h>

#include "tap.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "util.h"

/*
 * The journal mode recorded in the file at path, read through a
 * connection of its own (WAL is persistent; another mode is not).
 */
static char *
journal_mode(const char *path)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	char *mode;

	mode = xstrdup("");
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) !=
	    SQLITE_OK) {
		sqlite3_close(h);
		return mode;
	}
	if (sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL) ==
	    SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
		free(mode);
		mode = xstrdup((const char *)sqlite3_column_text(st, 0));
	}
	sqlite3_finalize(st);
	sqlite3_close(h);
	return mode;
}

int
main(void)
{
	struct db *db;
	char *dir, *path, *err, *inst, *inst2, *mode, sql[64];
	sqlite3 *raw;

	log_init("t-db");
	dir = tap_tmpdir();
	path = xasprintf("%s/sub/state.db", dir);

	db = db_open(path, 0);
	ok(db != NULL, "creates the database and its directory");
	is_int(db_int(db, "PRAGMA user_version", -1), db_schema_version(),
	    "migrated to the current schema");
	is_int(db_int(db, "PRAGMA foreign_keys", -1), 1, "foreign keys on");
	mode = journal_mode(path);
	is_str(mode, "wal",
	    "the journal mode a separate connection reads back is WAL");
	free(mode);
	is_int(db_int(db, "SELECT COUNT(*) FROM sqlite_master WHERE name IN "
	    "('tree', 'checkout', 'build', 'test', 'job', 'branch_head')",
	    0), 6, "the work model's tables exist");
	inst = db_instance(db);
	is_int(strlen(inst), 16, "a 16-hex-digit instance id");
	db_close(db);

	db = db_open(path, 0);
	inst2 = db_instance(db);
	is_str(inst2, inst, "reopening keeps the instance id");
	ok(db_begin(db) == 0, "begin");
	ok(db_exec(db, "INSERT INTO tree (name, url) VALUES ('t', 'u')") == 0,
	    "insert");
	db_rollback(db);
	is_int(db_int(db, "SELECT COUNT(*) FROM tree", -1), 0,
	    "rollback undoes");
	capture_start();
	ok(db_exec(db, "INSERT INTO checkout (tree) VALUES ('nope')") != 0,
	    "constraints are enforced");
	err = capture_end();
	contains(err, "state.db", "the error names the database");
	free(err);
	db_close(db);

	/* a database from a newer binary is refused, untouched */
	sqlite3_open(path, &raw);
	snprintf(sql, sizeof(sql), "PRAGMA user_version = %d",
	    db_schema_version() + 1);
	sqlite3_exec(raw, sql, NULL, NULL, NULL);
	sqlite3_close(raw);
	capture_start();
	db = db_open(path, 0);
	err = capture_end();
	ok(db == NULL, "a newer schema is refused");
	contains(err, "is newer than this binary understands",
	    "with a clear message");
	free(err);

	capture_start();
	db = db_open("/nonexistent-dir-for-test/x/state.db", 1);
	err = capture_end();
	ok(db == NULL, "read-only open of a missing file fails");
	contains(err, "no state database", "and says so");
	free(err);

	fs_remove_tree(dir);
	free(inst);
	free(inst2);
	free(path);
	free(dir);
	return tap_done();
}
