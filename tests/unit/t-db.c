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

int
main(void)
{
	struct db *db;
	char *dir, *path, *err, *inst, *inst2, sql[64];
	sqlite3 *raw;

	log_init("t-db");
	dir = tap_tmpdir();
	path = xasprintf("%s/sub/state.db", dir);

	db = db_open(path, 0);
	ok(db != NULL, "creates the database and its directory");
	is_int(db_int(db, "PRAGMA user_version", -1), db_schema_version(),
	    "migrated to the current schema");
	is_int(db_int(db, "PRAGMA foreign_keys", -1), 1, "foreign keys on");
	is_str(sqlite3_db_filename(db->h, "main") ? "wal" : "", "wal",
	    "opened");
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
