/*
 * db.c: SQLite access and the schema migrations.
 */
#include <sqlite3.h>
#include <sys/statvfs.h>

#include <dirent.h>
#include <stdarg.h>
#include <fcntl.h>

#include "buf.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "util.h"

/*
 * Append-only: a released migration is never edited.  Each runs in one
 * transaction with the user_version bump.
 */
static const char *const migrations[] = {
	/* 1: the work model: trees, checkouts, builds, tests, jobs */
	"CREATE TABLE meta (\n"
	"  key TEXT PRIMARY KEY,\n"
	"  value TEXT NOT NULL\n"
	");\n"
	"CREATE TABLE tree (\n"
	"  name TEXT PRIMARY KEY,\n"
	"  url TEXT NOT NULL,\n"
	"  last_poll INTEGER,\n"
	"  last_error TEXT\n"
	");\n"
	"CREATE TABLE checkout (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  tree TEXT NOT NULL REFERENCES tree(name),\n"
	"  branch TEXT NOT NULL,\n"
	"  url TEXT NOT NULL,\n"
	"  commit_hash TEXT NOT NULL,\n"
	"  describe TEXT NOT NULL,\n"
	"  version INTEGER,\n"
	"  patchlevel INTEGER,\n"
	"  sublevel INTEGER,\n"
	"  extraversion TEXT,\n"
	"  subject TEXT NOT NULL,\n"
	"  message TEXT NOT NULL,\n"
	"  author_name TEXT,\n"
	"  author_email TEXT,\n"
	"  commit_time INTEGER NOT NULL,\n"
	"  tags TEXT NOT NULL DEFAULT '',\n"
	"  is_tip INTEGER NOT NULL DEFAULT 1,\n"
	"  created INTEGER NOT NULL,\n"
	"  tarball_state TEXT NOT NULL DEFAULT 'pending'\n"
	"    CHECK (tarball_state IN ('pending', 'done', 'failed')),\n"
	"  tarball_path TEXT,\n"
	"  tarball_url TEXT,\n"
	"  tarball_size INTEGER,\n"
	"  tarball_sha256 TEXT,\n"
	"  tarball_error TEXT,\n"
	"  tarball_attempts INTEGER NOT NULL DEFAULT 0,\n"
	"  tarball_next INTEGER,\n"
	"  gen INTEGER NOT NULL DEFAULT 1,\n"
	"  exported_gen INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX checkout_branch ON checkout(tree, branch, id);\n"
	"CREATE TABLE branch_head (\n"
	"  tree TEXT NOT NULL REFERENCES tree(name),\n"
	"  branch TEXT NOT NULL,\n"
	"  commit_hash TEXT NOT NULL,\n"
	"  checkout_id INTEGER NOT NULL REFERENCES checkout(id),\n"
	"  updated INTEGER NOT NULL,\n"
	"  PRIMARY KEY (tree, branch)\n"
	");\n"
	"CREATE TABLE job (\n"
	"  id TEXT PRIMARY KEY,\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('kbuild', 'test')),\n"
	"  checkout_id INTEGER NOT NULL REFERENCES checkout(id),\n"
	"  build_id INTEGER REFERENCES build(id),\n"
	"  config_name TEXT NOT NULL,\n"
	"  platform TEXT,\n"
	"  runtime TEXT NOT NULL,\n"
	"  definition TEXT NOT NULL,\n"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN\n"
	"    ('pending', 'submitting', 'submitted', 'running', 'done',\n"
	"     'failed-submit')),\n"
	"  runtime_job_id TEXT,\n"
	"  attempt INTEGER NOT NULL DEFAULT 1,\n"
	"  result TEXT CHECK (result IN ('pass', 'fail', 'skip', 'incomplete')),\n"
	"  error_code TEXT,\n"
	"  error_msg TEXT,\n"
	"  created INTEGER NOT NULL,\n"
	"  submitted INTEGER,\n"
	"  started INTEGER,\n"
	"  finished INTEGER,\n"
	"  next_try INTEGER\n"
	");\n"
	"CREATE INDEX job_state ON job(state, runtime);\n"
	"CREATE INDEX job_checkout ON job(checkout_id);\n"
	"CREATE TABLE build (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  checkout_id INTEGER NOT NULL REFERENCES checkout(id),\n"
	"  job_id TEXT UNIQUE,\n"
	"  config_name TEXT NOT NULL,\n"
	"  arch TEXT,\n"
	"  compiler TEXT,\n"
	"  compiler_version TEXT,\n"
	"  config_url TEXT,\n"
	"  log_url TEXT,\n"
	"  log_excerpt TEXT,\n"
	"  start_time INTEGER,\n"
	"  duration REAL,\n"
	"  status TEXT CHECK (status IN\n"
	"    ('PASS', 'FAIL', 'ERROR', 'MISS', 'DONE', 'SKIP')),\n"
	"  artifacts TEXT,\n"
	"  misc TEXT,\n"
	"  gen INTEGER NOT NULL DEFAULT 1,\n"
	"  exported_gen INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX build_checkout ON build(checkout_id);\n"
	"CREATE TABLE test (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  build_id INTEGER NOT NULL REFERENCES build(id),\n"
	"  job_id TEXT,\n"
	"  path TEXT NOT NULL,\n"
	"  platform TEXT,\n"
	"  compatible TEXT,\n"
	"  status TEXT CHECK (status IN\n"
	"    ('PASS', 'FAIL', 'ERROR', 'MISS', 'DONE', 'SKIP')),\n"
	"  start_time INTEGER,\n"
	"  duration REAL,\n"
	"  log_url TEXT,\n"
	"  log_excerpt TEXT,\n"
	"  number_value REAL,\n"
	"  number_unit TEXT,\n"
	"  misc TEXT,\n"
	"  gen INTEGER NOT NULL DEFAULT 1,\n"
	"  exported_gen INTEGER NOT NULL DEFAULT 0,\n"
	"  UNIQUE (job_id, path)\n"
	");\n"
	"CREATE INDEX test_build ON test(build_id);\n",

	/* 2: tarball file identity, to notice a replaced or truncated file */
	"ALTER TABLE checkout ADD COLUMN tarball_mtime INTEGER;\n",

	/*
	 * 3: the job matrix of a checkout (and the tests of a build) is
	 * made once; the kconfig name reported to KCIDB; the work directory
	 * of a local job.
	 */
	"ALTER TABLE checkout ADD COLUMN jobs_made INTEGER NOT NULL "
	"DEFAULT 0;\n"
	"ALTER TABLE build ADD COLUMN tests_made INTEGER NOT NULL "
	"DEFAULT 0;\n"
	"ALTER TABLE build ADD COLUMN kconfig TEXT;\n"
	"ALTER TABLE job ADD COLUMN work_dir TEXT;\n"
	"ALTER TABLE job ADD COLUMN timeout INTEGER;\n",

	/*
	 * 4: KCIDB files and their submission; indexes that find what is
	 * new or changed without scanning every row.
	 */
	"CREATE TABLE kcidb_file (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  path TEXT NOT NULL UNIQUE,\n"
	"  created INTEGER NOT NULL,\n"
	"  objects INTEGER NOT NULL,\n"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN\n"
	"    ('pending', 'submitted', 'processed')),\n"
	"  submission_id TEXT,\n"
	"  attempts INTEGER NOT NULL DEFAULT 0,\n"
	"  next_try INTEGER,\n"
	"  error TEXT\n"
	");\n"
	"CREATE INDEX checkout_unexported ON checkout(id) "
	"WHERE gen > exported_gen;\n"
	"CREATE INDEX build_unexported ON build(id) "
	"WHERE gen > exported_gen;\n"
	"CREATE INDEX test_unexported ON test(id) "
	"WHERE gen > exported_gen;\n",

	/*
	 * 5: what the site has rendered, so a run renders only what changed;
	 * indexes to find a result's history from its checkouts, and a
	 * platform's results.
	 */
	"ALTER TABLE checkout ADD COLUMN site_gen INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE build ADD COLUMN site_gen INTEGER NOT NULL DEFAULT 0;\n"
	"ALTER TABLE test ADD COLUMN site_gen INTEGER NOT NULL DEFAULT 0;\n"
	"CREATE INDEX checkout_unrendered ON checkout(id) "
	"WHERE gen > site_gen;\n"
	"CREATE INDEX build_unrendered ON build(id) WHERE gen > site_gen;\n"
	"CREATE INDEX test_unrendered ON test(id) WHERE gen > site_gen;\n"
	"CREATE INDEX test_platform ON test(platform, build_id);\n"
	"DROP INDEX build_checkout;\n"
	"CREATE INDEX build_checkout ON build(checkout_id, config_name);\n"
	"DROP INDEX test_build;\n"
	"CREATE INDEX test_build ON test(build_id, path);\n",

	/*
	 * 6: how many times in a row a lab answered about a job with
	 * something that could not be read (no state, a reply too large,
	 * results that do not parse), so such a job ends instead of being
	 * asked about forever.
	 */
	"ALTER TABLE job ADD COLUMN poll_failures INTEGER NOT NULL "
	"DEFAULT 0;\n",

	/*
	 * 7: checkouts made on demand (`maestrino checkout`) and by
	 * bisection besides branch heads: what was asked for, the patches
	 * applied on top and the commit made of them in the mirror, the
	 * build and test entries the matrix is restricted to (JSON arrays,
	 * NULL for all).  A job retried by hand names the attempt it
	 * repeats; a cancelled job ends done, incomplete, error_code
	 * 'cancelled'.
	 */
	"ALTER TABLE checkout ADD COLUMN kind TEXT NOT NULL DEFAULT 'head' "
	"CHECK (kind IN ('head', 'ondemand', 'bisect'));\n"
	"ALTER TABLE checkout ADD COLUMN ref TEXT;\n"
	"ALTER TABLE checkout ADD COLUMN patchset_hash TEXT;\n"
	"ALTER TABLE checkout ADD COLUMN patches TEXT;\n"
	"ALTER TABLE checkout ADD COLUMN source_commit TEXT;\n"
	"ALTER TABLE checkout ADD COLUMN only_builds TEXT;\n"
	"ALTER TABLE checkout ADD COLUMN only_tests TEXT;\n"
	"CREATE INDEX checkout_kind ON checkout(tree, branch, kind, id);\n"
	"ALTER TABLE job ADD COLUMN retry_of TEXT;\n"
	"CREATE INDEX job_retry_of ON job(retry_of) "
	"WHERE retry_of IS NOT NULL;\n",

	/*
	 * 8: the platforms a checkout's tests are restricted to (a JSON
	 * array, NULL for all), as a bisection step runs one test on one
	 * platform.
	 */
	"ALTER TABLE checkout ADD COLUMN only_platforms TEXT;\n",

	/*
	 * 9: bisections, from a regression to the commit that caused it.
	 * A bisection covers the results that regressed on one build
	 * config (and platform) between two branch heads, or was started
	 * by hand between two commits (no checkouts then); test, platform
	 * and path are '' for a build regression.  Each step is a checkout
	 * of kind 'bisect'; a result belongs to one bisection at most.
	 * A checkout's results are looked at for regressions until it is
	 * finished (bisect_scanned; those there before this migration
	 * count as looked at: only regressions found from now on start
	 * bisections); a step's tests may run several times.
	 */
	"CREATE TABLE bisection (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  tree TEXT NOT NULL,\n"
	"  branch TEXT NOT NULL,\n"
	"  build TEXT NOT NULL,\n"
	"  test TEXT NOT NULL DEFAULT '',\n"
	"  platform TEXT NOT NULL DEFAULT '',\n"
	"  path TEXT NOT NULL DEFAULT '',\n"
	"  good_checkout INTEGER REFERENCES checkout(id),\n"
	"  bad_checkout INTEGER REFERENCES checkout(id),\n"
	"  good TEXT NOT NULL,\n"
	"  bad TEXT NOT NULL,\n"
	"  state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN\n"
	"    ('queued', 'confirm', 'bisect', 'verify', 'done')),\n"
	"  outcome TEXT CHECK (outcome IN\n"
	"    ('found', 'revert-fails', 'not-reproducible', 'gave-up')),\n"
	"  reason TEXT,\n"
	"  culprit TEXT,\n"
	"  confirm TEXT,\n"
	"  verify TEXT,\n"
	"  revert TEXT,\n"
	"  repeat INTEGER NOT NULL DEFAULT 1,\n"
	"  manual INTEGER NOT NULL DEFAULT 0,\n"
	"  created INTEGER NOT NULL,\n"
	"  updated INTEGER NOT NULL,\n"
	"  finished INTEGER,\n"
	"  gen INTEGER NOT NULL DEFAULT 1,\n"
	"  exported_gen INTEGER NOT NULL DEFAULT 0,\n"
	"  site_gen INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE INDEX bisection_state ON bisection(state, id);\n"
	"CREATE INDEX bisection_bad ON bisection(bad_checkout, build, "
	"platform);\n"
	"CREATE TABLE bisection_step (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  bisection_id INTEGER NOT NULL REFERENCES bisection(id),\n"
	"  n INTEGER NOT NULL,\n"
	"  role TEXT NOT NULL CHECK (role IN ('confirm-good', "
	"'confirm-bad',\n"
	"    'step', 'verify-parent', 'verify-culprit', 'revert')),\n"
	"  commit_hash TEXT NOT NULL,\n"
	"  left_count INTEGER,\n"
	"  checkout_id INTEGER REFERENCES checkout(id),\n"
	"  result TEXT CHECK (result IN ('good', 'bad', 'skip')),\n"
	"  detail TEXT,\n"
	"  created INTEGER NOT NULL,\n"
	"  finished INTEGER,\n"
	"  UNIQUE (bisection_id, n)\n"
	");\n"
	"CREATE INDEX bisection_step_checkout ON "
	"bisection_step(checkout_id);\n"
	"CREATE TABLE bisection_result (\n"
	"  bisection_id INTEGER NOT NULL REFERENCES bisection(id),\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('build', 'test')),\n"
	"  ref INTEGER NOT NULL,\n"
	"  PRIMARY KEY (kind, ref)\n"
	");\n"
	"CREATE INDEX bisection_result_of ON bisection_result(bisection_id);\n"
	"CREATE INDEX bisection_unexported ON bisection(id) "
	"WHERE gen > exported_gen;\n"
	"CREATE INDEX bisection_unrendered ON bisection(id) "
	"WHERE gen > site_gen;\n"
	"ALTER TABLE checkout ADD COLUMN bisect_scanned INTEGER NOT NULL "
	"DEFAULT 0;\n"
	"ALTER TABLE checkout ADD COLUMN test_repeat INTEGER NOT NULL "
	"DEFAULT 1;\n"
	"UPDATE checkout SET bisect_scanned = 1;\n"
	"CREATE INDEX checkout_bisect_scan ON checkout(id) "
	"WHERE bisect_scanned = 0 AND kind = 'head';\n",

	/*
	 * 10: triage and reports.  An issue is a known issue of the config
	 * (kind 'known', its id the config's, its rule's digest kept so a
	 * changed rule gets a new version) or a log signature (kind
	 * 'signature', id "sig-" and the signature's hash).  An incident
	 * says a build or test shows an issue; one no longer matched by a
	 * changed rule stays, not present, so KCIDB hears it went.  A
	 * finding is what the logs of a build or a test job said, in log
	 * order; a test job's findings hang on its boot result (or its
	 * first).  A result is triaged again when its gen passes
	 * triage_gen.  A report is an email, kept whole before it is sent
	 * so a retry sends the same bytes.
	 */
	"CREATE TABLE issue (\n"
	"  id TEXT PRIMARY KEY,\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('known', 'signature')),\n"
	"  title TEXT NOT NULL,\n"
	"  report_url TEXT,\n"
	"  culprit TEXT NOT NULL DEFAULT 'code' CHECK (culprit IN\n"
	"    ('code', 'tool', 'harness')),\n"
	"  finding_kind TEXT,\n"
	"  signature TEXT,\n"
	"  rule_hash TEXT,\n"
	"  version INTEGER NOT NULL DEFAULT 1,\n"
	"  active INTEGER NOT NULL DEFAULT 1,\n"
	"  created INTEGER NOT NULL,\n"
	"  gen INTEGER NOT NULL DEFAULT 1,\n"
	"  exported_gen INTEGER NOT NULL DEFAULT 0,\n"
	"  site_gen INTEGER NOT NULL DEFAULT 0\n"
	");\n"
	"CREATE TABLE incident (\n"
	"  issue_id TEXT NOT NULL REFERENCES issue(id),\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('build', 'test')),\n"
	"  ref INTEGER NOT NULL,\n"
	"  issue_version INTEGER NOT NULL,\n"
	"  present INTEGER NOT NULL DEFAULT 1,\n"
	"  seen INTEGER NOT NULL,\n"
	"  gen INTEGER NOT NULL DEFAULT 1,\n"
	"  exported_gen INTEGER NOT NULL DEFAULT 0,\n"
	"  site_gen INTEGER NOT NULL DEFAULT 0,\n"
	"  PRIMARY KEY (issue_id, kind, ref)\n"
	");\n"
	"CREATE INDEX incident_of ON incident(kind, ref);\n"
	"CREATE INDEX incident_unexported ON incident(issue_id) "
	"WHERE gen > exported_gen;\n"
	"CREATE INDEX incident_unrendered ON incident(issue_id) "
	"WHERE gen > site_gen;\n"
	"CREATE INDEX issue_unexported ON issue(id) WHERE gen > exported_gen;\n"
	"CREATE INDEX issue_unrendered ON issue(id) WHERE gen > site_gen;\n"
	"CREATE TABLE finding (\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('build', 'test')),\n"
	"  ref INTEGER NOT NULL,\n"
	"  n INTEGER NOT NULL,\n"
	"  type TEXT NOT NULL,\n"
	"  summary TEXT NOT NULL,\n"
	"  issue_id TEXT NOT NULL,\n"
	"  lines TEXT NOT NULL,\n"
	"  line INTEGER NOT NULL,\n"
	"  file TEXT,\n"
	"  file_line INTEGER,\n"
	"  count INTEGER NOT NULL DEFAULT 1,\n"
	"  PRIMARY KEY (kind, ref, n)\n"
	");\n"
	"ALTER TABLE build ADD COLUMN triage_gen INTEGER NOT NULL "
	"DEFAULT 0;\n"
	"ALTER TABLE test ADD COLUMN triage_gen INTEGER NOT NULL "
	"DEFAULT 0;\n"
	"CREATE INDEX build_untriaged ON build(id) WHERE gen > triage_gen;\n"
	"CREATE INDEX test_untriaged ON test(id) "
	"WHERE gen > triage_gen;\n"
	"CREATE TABLE report (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('summary', 'bisection', "
	"'digest')),\n"
	"  key TEXT NOT NULL UNIQUE,\n"
	"  tree TEXT NOT NULL,\n"
	"  branch TEXT NOT NULL,\n"
	"  message_id TEXT NOT NULL,\n"
	"  subject TEXT NOT NULL,\n"
	"  recipients TEXT NOT NULL,\n"
	"  retry_rcpts TEXT,\n"
	"  message TEXT NOT NULL,\n"
	"  state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN\n"
	"    ('pending', 'sent', 'written', 'failed')),\n"
	"  attempts INTEGER NOT NULL DEFAULT 0,\n"
	"  next_try INTEGER,\n"
	"  error TEXT,\n"
	"  created INTEGER NOT NULL,\n"
	"  done INTEGER\n"
	");\n"
	"CREATE INDEX report_pending ON report(state, next_try) "
	"WHERE state = 'pending';\n"
	"CREATE INDEX report_thread ON report(tree, branch, id);\n"
	"ALTER TABLE checkout ADD COLUMN reported INTEGER NOT NULL "
	"DEFAULT 0;\n"
	"UPDATE checkout SET reported = 1;\n"
	"ALTER TABLE bisection ADD COLUMN reported INTEGER NOT NULL "
	"DEFAULT 0;\n"
	"UPDATE bisection SET reported = 1 WHERE state = 'done';\n",

	/* 11: files sent to storage.upload_url, or tried (storage.h) */
	"CREATE TABLE upload (\n"
	"  path TEXT PRIMARY KEY,\n"
	"  size INTEGER NOT NULL,\n"
	"  sha256 TEXT NOT NULL,\n"
	"  uploaded_at INTEGER,\n"
	"  attempts INTEGER NOT NULL DEFAULT 0,\n"
	"  error TEXT,\n"
	"  tried_at INTEGER\n"
	");\n",

	/* 12: the site's retention: a checkout whose pages are stubs */
	"ALTER TABLE checkout ADD COLUMN site_stub INTEGER NOT NULL "
	"DEFAULT 0;\n",
};

int
db_schema_version(void)
{
	return (int)ARRAY_SIZE(migrations);
}

int
db_exec(struct db *db, const char *sql)
{
	char *msg;

	msg = NULL;
	if (sqlite3_exec(db->h, sql, NULL, NULL, &msg) != SQLITE_OK) {
		error("%s: %s", db->path, msg ? msg : sqlite3_errmsg(db->h));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

int
db_begin(struct db *db)
{
	return db_exec(db, "BEGIN IMMEDIATE");
}

int
db_commit(struct db *db)
{
	return db_exec(db, "COMMIT");
}

void
db_rollback(struct db *db)
{
	if (!sqlite3_get_autocommit(db->h))
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
}

int
db_end(struct db *db, int rc)
{
	if (rc == 0)
		return db_commit(db);
	db_rollback(db);
	return rc;
}

struct sqlite3_stmt *
db_prepare(struct db *db, const char *sql)
{
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) {
		error("%s: cannot prepare '%.60s': %s", db->path, sql,
		    sqlite3_errmsg(db->h));
		return NULL;
	}
	return st;
}

struct sqlite3_stmt *
db_cached(struct db *db, const char *sql)
{
	size_t i;

	for (i = 0; i < DB_CACHED && db->cached[i].sql != NULL; i++)
		if (db->cached[i].sql == sql)
			return db->cached[i].st;
	if (i == DB_CACHED) {
		/* a programming error: make DB_CACHED larger */
		fprintf(stderr, "db_cached: more than %d statements\n",
		    DB_CACHED);
		abort();
	}
	db->cached[i].st = db_prepare(db, sql);
	if (db->cached[i].st != NULL)
		db->cached[i].sql = sql;
	return db->cached[i].st;
}

void
db_done(struct sqlite3_stmt *st)
{
	if (st == NULL)
		return;
	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
}

int
db_step(struct db *db, struct sqlite3_stmt *st)
{
	int rc;

	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	error("%s: '%.60s': %s", db->path, sqlite3_sql(st),
	    sqlite3_errmsg(db->h));
	return -1;
}

void
db_finalize(struct sqlite3_stmt *st)
{
	sqlite3_finalize(st);
}

void
db_bind_text(struct sqlite3_stmt *st, int i, const char *s)
{
	if (s == NULL)
		sqlite3_bind_null(st, i);
	else
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
}

void
db_bind_int(struct sqlite3_stmt *st, int i, long long v)
{
	sqlite3_bind_int64(st, i, v);
}

void
db_bind_double(struct sqlite3_stmt *st, int i, double v)
{
	sqlite3_bind_double(st, i, v);
}

void
db_bind_null(struct sqlite3_stmt *st, int i)
{
	sqlite3_bind_null(st, i);
}

const char *
db_col_text(struct sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

char *
db_col_dup(struct sqlite3_stmt *st, int i)
{
	const char *s;

	s = db_col_text(st, i);
	return s ? xstrdup(s) : NULL;
}

char *
db_col_dup_len(struct sqlite3_stmt *st, int i, size_t *len)
{
	const unsigned char *s;
	char *p;

	*len = 0;
	s = sqlite3_column_text(st, i);
	if (s == NULL)
		return NULL;
	*len = (size_t)sqlite3_column_bytes(st, i);
	p = xmalloc(*len + 1);
	memcpy(p, s, *len);
	p[*len] = '\0';
	return p;
}

long long
db_col_int(struct sqlite3_stmt *st, int i)
{
	return sqlite3_column_int64(st, i);
}

double
db_col_double(struct sqlite3_stmt *st, int i)
{
	return sqlite3_column_double(st, i);
}

int
db_col_is_null(struct sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL;
}

long long
db_int(struct db *db, const char *sql, long long def)
{
	sqlite3_stmt *st;
	long long v;

	v = def;
	st = db_prepare(db, sql);
	if (st == NULL)
		return def;
	if (db_step(db, st) == 1 && !db_col_is_null(st, 0))
		v = db_col_int(st, 0);
	db_finalize(st);
	return v;
}

long long
db_int_text(struct db *db, const char *sql, const char *arg, long long def)
{
	sqlite3_stmt *st;
	long long v;

	v = def;
	st = db_prepare(db, sql);
	if (st == NULL)
		return def;
	db_bind_text(st, 1, arg);
	if (db_step(db, st) == 1 && !db_col_is_null(st, 0))
		v = db_col_int(st, 0);
	db_finalize(st);
	return v;
}

long long
db_int_text2(struct db *db, const char *sql, const char *a1, const char *a2,
    long long def)
{
	sqlite3_stmt *st;
	long long v;

	v = def;
	st = db_prepare(db, sql);
	if (st == NULL)
		return def;
	db_bind_text(st, 1, a1);
	db_bind_text(st, 2, a2);
	if (db_step(db, st) == 1 && !db_col_is_null(st, 0))
		v = db_col_int(st, 0);
	db_finalize(st);
	return v;
}

long long
db_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(db->h);
}

int
db_changes(struct db *db)
{
	return sqlite3_changes(db->h);
}

static int
random_hex(char *out, size_t n)
{
	unsigned char raw[16];
	size_t i;
	int fd;

	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, raw, sizeof(raw)) != (ssize_t)sizeof(raw)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	for (i = 0; i < n / 2 && i < sizeof(raw); i++)
		snprintf(out + 2 * i, 3, "%02x", raw[i]);
	return 0;
}

/* A database from a newer release is refused, untouched: 1 after saying so. */
static int
too_new(struct db *db, long long version)
{
	if (version <= db_schema_version())
		return 0;
	error("%s: database schema version %lld is newer than this binary "
	    "understands (%d); upgrade maestrino", db->path, version,
	    db_schema_version());
	return 1;
}

static int
fsync_path(const char *path)
{
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = fsync(fd);
	close(fd);
	return rc;
}

/*
 * Before the first migration of a database with data, keep a copy of it
 * as it was: <path>.schema-<version>.bak, written whole or not at all.
 * A copy made by an earlier, interrupted upgrade is kept as it is.
 */
static int
backup_before(struct db *db, long long have)
{
	sqlite3_stmt *st;
	char *bak, *tmp;
	int rc;

	bak = xasprintf("%s.schema-%lld.bak", db->path, have);
	if (fs_exists(bak)) {
		free(bak);
		return 0;
	}
	tmp = xasprintf("%s.tmp", bak);
	(void)unlink(tmp);
	rc = -1;
	st = db_prepare(db, "VACUUM INTO ?");
	if (st != NULL) {
		db_bind_text(st, 1, tmp);
		rc = db_step(db, st) < 0 ? -1 : 0;
		db_finalize(st);
	}
	if (rc != 0) {
		rc = error("%s: cannot keep a copy as %s before upgrading its "
		    "schema (%s); nothing was changed", db->path, bak,
		    sqlite3_errmsg(db->h));
		(void)unlink(tmp);
	} else if (fsync_path(tmp) != 0 || rename(tmp, bak) != 0) {
		rc = error("%s: cannot keep a copy as %s before upgrading its "
		    "schema (%s); nothing was changed", db->path, bak,
		    strerror(errno));
		(void)unlink(tmp);
	} else {
		info("saved %s as %s before upgrading its schema", db->path,
		    bak);
	}
	free(tmp);
	free(bak);
	return rc;
}

static int
migrate(struct db *db)
{
	sqlite3_stmt *st;
	char pragma[64], inst[17];
	long long have;
	int i, n;

	have = db_int(db, "PRAGMA user_version", -1);
	n = db_schema_version();
	if (have < 0 || too_new(db, have))
		return -1;
	if (have > 0 && have < n && backup_before(db, have) != 0)
		return -1;
	for (i = (int)have; i < n; i++) {
		if (db_begin(db) != 0)
			return -1;
		if (db_exec(db, migrations[i]) != 0)
			goto fail;
		if (i == 0) {
			if (random_hex(inst, sizeof(inst)) != 0) {
				error("cannot read /dev/urandom");
				goto fail;
			}
			inst[16] = '\0';
			st = db_prepare(db, "INSERT INTO meta (key, value) "
			    "VALUES ('instance', ?)");
			if (st == NULL)
				goto fail;
			db_bind_text(st, 1, inst);
			if (db_step(db, st) < 0) {
				db_finalize(st);
				goto fail;
			}
			db_finalize(st);
		}
		snprintf(pragma, sizeof(pragma), "PRAGMA user_version = %d",
		    i + 1);
		if (db_exec(db, pragma) != 0 || db_commit(db) != 0)
			goto fail;
		if (have > 0)
			info("migrated %s to schema version %d", db->path,
			    i + 1);
	}
	return 0;
fail:
	db_rollback(db);
	return error("%s: migration to schema version %d failed", db->path,
	    i + 1);
}

/* True when path is on a file system mounted read-only. */
static int
on_readonly_fs(const char *path)
{
	struct statvfs sv;

	return statvfs(path, &sv) == 0 && (sv.f_flag & ST_RDONLY) != 0;
}

/* "file:<path>?immutable=1", with what a URI cannot hold escaped. */
static char *
immutable_uri(const char *path)
{
	struct buf b = BUF_INIT;
	const unsigned char *p;

	buf_puts(&b, "file:");
	for (p = (const unsigned char *)path; *p != '\0'; p++) {
		if (*p == '%' || *p == '?' || *p == '#' || *p < 0x20 ||
		    *p >= 0x7f)
			buf_addf(&b, "%%%02X", *p);
		else
			buf_putc(&b, *p);
	}
	buf_puts(&b, "?immutable=1");
	return buf_detach(&b, NULL);
}

/* True when dir/sub is a directory with something in it. */
static int
dir_has_entries(const char *dir, const char *sub)
{
	struct dirent *de;
	char *p;
	DIR *d;
	int found;

	p = fs_join(dir, sub);
	d = opendir(p);
	free(p);
	if (d == NULL)
		return 0;
	found = 0;
	while (!found && (de = readdir(d)) != NULL)
		found = strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0;
	closedir(d);
	return found;
}

/*
 * A database file that exists but holds no schema (truncated to zero
 * bytes, or made by something else) beside earlier work is not a fresh
 * start: ids would begin at 1 again and overwrite the jobs, artifacts
 * and pages of the old history.  -1 after saying what to do.
 */
static int
refuse_empty(struct db *db, int missing)
{
	/* what only a database that was there can have made (not logs/) */
	static const char *const work[] = { "jobs", "git", "work", "storage",
	    "kcidb" };
	char *dir, *slash;
	size_t i;
	int rc;

	if (!missing && db_int(db, "SELECT COUNT(*) FROM sqlite_master", -1) !=
	    0)
		return 0;
	dir = xstrdup(db->path);
	slash = strrchr(dir, '/');
	if (slash != NULL)
		*slash = '\0';
	else {
		free(dir);
		dir = xstrdup(".");
	}
	rc = 0;
	for (i = 0; i < ARRAY_SIZE(work) && rc == 0; i++)
		if (dir_has_entries(dir, work[i]))
			rc = error("%s %s, while '%s/%s' holds earlier work: "
			    "starting afresh would reuse its ids and overwrite "
			    "what they name.  Restore the database from a "
			    "backup (an sqlite3 .backup copy, or the newest "
			    "%s.schema-*.bak), or move '%s' aside to start "
			    "again from nothing", db->path, missing ?
			    "does not exist" : "exists but holds no database",
			    dir, work[i], db->path, dir);
	free(dir);
	return rc;
}

struct db *
db_open(const char *path, int readonly)
{
	struct db *db;
	long long version;
	char *uri;
	int flags, rc, existed;

	db = xcalloc(1, sizeof(*db));
	db->path = xstrdup(path);
	existed = fs_exists(path);
	if (readonly && !fs_exists(path)) {
		error("no state database at '%s' (nothing has run yet)", path);
		goto fail;
	}
	if (!readonly && fs_mkdir_parent(path) != 0)
		goto fail;
	if (!readonly && !existed && refuse_empty(db, 1) != 0)
		goto fail;
	flags = readonly ? SQLITE_OPEN_READONLY :
	    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
	if (readonly && on_readonly_fs(path)) {
		/* no -shm can be made there, and nobody can change it */
		uri = immutable_uri(path);
		rc = sqlite3_open_v2(uri, &db->h, flags | SQLITE_OPEN_URI |
		    SQLITE_OPEN_NOMUTEX, NULL);
		free(uri);
	} else {
		rc = sqlite3_open_v2(path, &db->h, flags |
		    SQLITE_OPEN_NOMUTEX, NULL);
	}
	if (rc != SQLITE_OK) {
		error("cannot open database '%s': %s", path,
		    db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		goto fail;
	}
	sqlite3_busy_timeout(db->h, 30000);
	sqlite3_extended_result_codes(db->h, 1);
	if (db_exec(db, "PRAGMA foreign_keys = ON") != 0)
		goto fail;
	if (existed && refuse_empty(db, 0) != 0)
		goto fail;
	if (!readonly) {
		if (db_exec(db, "PRAGMA journal_mode = WAL") != 0 ||
		    db_exec(db, "PRAGMA synchronous = NORMAL") != 0)
			goto fail;
		if (migrate(db) != 0)
			goto fail;
	} else {
		version = db_int(db, "PRAGMA user_version", -1);
		if (version < 0 || too_new(db, version))
			goto fail;
		if (version < db_schema_version()) {
			error("%s: database schema version %lld is older than "
			    "this binary's (%d); any stage (maestrino run) "
			    "upgrades it", path, version, db_schema_version());
			goto fail;
		}
	}
	return db;
fail:
	db_close(db);
	return NULL;
}

void
db_close(struct db *db)
{
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < DB_CACHED; i++)
		sqlite3_finalize(db->cached[i].st);
	if (db->h != NULL)
		sqlite3_close_v2(db->h);
	free(db->path);
	free(db);
}

int
db_ids(struct db *db, const char *sql, long long **ids, size_t *n)
{
	struct sqlite3_stmt *st;
	size_t alloc;
	int r;

	*ids = NULL;
	*n = alloc = 0;
	st = db_prepare(db, sql);
	if (st == NULL)
		return -1;
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)ids, &alloc, *n + 1, sizeof(**ids));
		(*ids)[(*n)++] = db_col_int(st, 0);
	}
	db_finalize(st);
	if (r < 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

char *
db_instance(struct db *db)
{
	sqlite3_stmt *st;
	char *v;

	v = NULL;
	st = db_prepare(db, "SELECT value FROM meta WHERE key = 'instance'");
	if (st != NULL && db_step(db, st) == 1)
		v = db_col_dup(st, 0);
	db_finalize(st);
	return v ? v : xstrdup("0");
}


int
db_stmt(struct db *db, long long *out, const char *sql, const char *types,
    ...)
{
	sqlite3_stmt *st;
	va_list ap;
	const char *t;
	int i, r, rc = 0;

	st = db_prepare(db, sql);
	if (st == NULL)
		return -1;
	va_start(ap, types);
	/*
	 * NOLINTBEGIN(clang-analyzer-valist.Uninitialized): the analyser
	 * loses va_start when it checks many files in one call.
	 */
	for (t = types, i = 1; *t != '\0' && rc == 0; t++, i++) {
		switch (*t) {
		case 't':
			db_bind_text(st, i, va_arg(ap, const char *));
			break;
		case 'i':
			db_bind_int(st, i, va_arg(ap, long long));
			break;
		case 'd':
			db_bind_double(st, i, va_arg(ap, double));
			break;
		case 'n':
			db_bind_null(st, i);
			break;
		default:
			rc = error("%s: bad bind type '%c'", db->path, *t);
			break;
		}
	}
	/* NOLINTEND(clang-analyzer-valist.Uninitialized) */
	va_end(ap);
	if (rc == 0) {
		r = db_step(db, st);
		if (r == 1 && out != NULL)
			*out = db_col_is_null(st, 0) ? 0 : db_col_int(st, 0);
		rc = r < 0 ? -1 : out != NULL && r == 0 ? 1 : 0;
	}
	db_finalize(st);
	return rc;
}
