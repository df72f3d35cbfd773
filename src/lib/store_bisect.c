/*
 * store_bisect.c: every SQL statement about bisections, their steps and
 * the results they are about.
 */
#include "db.h"
#include "log.h"
#include "store_bisect.h"
#include "util.h"

#define BISECT_COLUMNS \
	"id, tree, branch, build, test, platform, path, " \
	"coalesce(good_checkout, 0), coalesce(bad_checkout, 0), good, bad, " \
	"state, outcome, reason, culprit, confirm, verify, revert, repeat, " \
	"manual, created, updated, coalesce(finished, 0), gen"

#define STEP_COLUMNS \
	"id, bisection_id, n, role, commit_hash, coalesce(left_count, 0), " \
	"coalesce(checkout_id, 0), result, detail, created, " \
	"coalesce(finished, 0)"

static void
bisect_from(struct sqlite3_stmt *st, struct bisection_row *b)
{
	memset(b, 0, sizeof(*b));
	b->id = db_col_int(st, 0);
	b->tree = db_col_dup(st, 1);
	b->branch = db_col_dup(st, 2);
	b->build = db_col_dup(st, 3);
	b->test = db_col_dup(st, 4);
	b->platform = db_col_dup(st, 5);
	b->path = db_col_dup(st, 6);
	b->good_checkout = db_col_int(st, 7);
	b->bad_checkout = db_col_int(st, 8);
	b->good = db_col_dup(st, 9);
	b->bad = db_col_dup(st, 10);
	b->state = db_col_dup(st, 11);
	b->outcome = db_col_dup(st, 12);
	b->reason = db_col_dup(st, 13);
	b->culprit = db_col_dup(st, 14);
	b->confirm = db_col_dup(st, 15);
	b->verify = db_col_dup(st, 16);
	b->revert = db_col_dup(st, 17);
	b->repeat = (int)db_col_int(st, 18);
	b->manual = (int)db_col_int(st, 19);
	b->created = db_col_int(st, 20);
	b->updated = db_col_int(st, 21);
	b->finished = db_col_int(st, 22);
	b->gen = db_col_int(st, 23);
}

void
store_bisect_release(struct bisection_row *b)
{
	if (b == NULL)
		return;
	free(b->tree);
	free(b->branch);
	free(b->build);
	free(b->test);
	free(b->platform);
	free(b->path);
	free(b->good);
	free(b->bad);
	free(b->state);
	free(b->outcome);
	free(b->reason);
	free(b->culprit);
	free(b->confirm);
	free(b->verify);
	free(b->revert);
	memset(b, 0, sizeof(*b));
}

void
store_bisect_list_free(struct bisection_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_bisect_release(&v[i]);
	free(v);
}

void
store_bisect_steps_free(struct bisection_step_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].role);
		free(v[i].commit);
		free(v[i].result);
		free(v[i].detail);
	}
	free(v);
}

void
store_bisect_results_free(struct bisection_result_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].kind);
	free(v);
}

/* The rows of a prepared statement (bound), finalized here. */
static int
read_rows(struct db *db, struct sqlite3_stmt *st, struct bisection_row **out,
    size_t *n)
{
	size_t alloc;
	int r;

	*out = NULL;
	*n = alloc = 0;
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)out, &alloc, *n + 1, sizeof(**out));
		bisect_from(st, &(*out)[(*n)++]);
	}
	db_finalize(st);
	if (r < 0) {
		store_bisect_list_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
store_bisect_get(struct db *db, long long id, struct bisection_row *out)
{
	struct sqlite3_stmt *st;
	int r;

	st = db_prepare(db, "SELECT " BISECT_COLUMNS " FROM bisection "
	    "WHERE id = ?");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, id);
	r = db_step(db, st);
	if (r == 1)
		bisect_from(st, out);
	db_finalize(st);
	return r == 1 ? 0 : r == 0 ? 1 : -1;
}

int
store_bisect_list(struct db *db, const char *tree, int active,
    struct bisection_row **out, size_t *n)
{
	struct sqlite3_stmt *st;

	st = db_prepare(db, "SELECT " BISECT_COLUMNS " FROM bisection "
	    "WHERE (?1 IS NULL OR tree = ?1) AND (?2 = 0 OR state != 'done') "
	    "ORDER BY id DESC");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, tree);
	db_bind_int(st, 2, active);
	return read_rows(db, st, out, n);
}

int
store_bisect_of_checkout(struct db *db, long long checkout,
    struct bisection_row **out, size_t *n)
{
	struct sqlite3_stmt *st;

	st = db_prepare(db, "SELECT " BISECT_COLUMNS " FROM bisection "
	    "WHERE bad_checkout = ?1 OR id IN (SELECT bisection_id FROM "
	    "bisection_step WHERE checkout_id = ?1) ORDER BY id");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, checkout);
	return read_rows(db, st, out, n);
}

int
store_bisect_steps(struct db *db, long long bisection,
    struct bisection_step_row **out, size_t *n)
{
	struct bisection_step_row *s;
	struct sqlite3_stmt *st;
	size_t alloc;
	int r;

	*out = NULL;
	*n = alloc = 0;
	st = db_prepare(db, "SELECT " STEP_COLUMNS " FROM bisection_step "
	    "WHERE bisection_id = ? ORDER BY n");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, bisection);
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)out, &alloc, *n + 1, sizeof(**out));
		s = &(*out)[(*n)++];
		s->id = db_col_int(st, 0);
		s->bisection = db_col_int(st, 1);
		s->n = (int)db_col_int(st, 2);
		s->role = db_col_dup(st, 3);
		s->commit = db_col_dup(st, 4);
		s->left = db_col_int(st, 5);
		s->checkout = db_col_int(st, 6);
		s->result = db_col_dup(st, 7);
		s->detail = db_col_dup(st, 8);
		s->created = db_col_int(st, 9);
		s->finished = db_col_int(st, 10);
	}
	db_finalize(st);
	if (r < 0) {
		store_bisect_steps_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
store_bisect_results(struct db *db, long long bisection,
    struct bisection_result_row **out, size_t *n)
{
	struct sqlite3_stmt *st;
	size_t alloc;
	int r;

	*out = NULL;
	*n = alloc = 0;
	st = db_prepare(db, "SELECT kind, ref FROM bisection_result "
	    "WHERE bisection_id = ? ORDER BY kind, ref");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, bisection);
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)out, &alloc, *n + 1, sizeof(**out));
		(*out)[*n].kind = db_col_dup(st, 0);
		(*out)[*n].ref = db_col_int(st, 1);
		(*n)++;
	}
	db_finalize(st);
	if (r < 0) {
		store_bisect_results_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
store_bisect_of_result(struct db *db, const char *kind, long long ref,
    long long *bisection)
{
	int r;

	*bisection = 0;
	r = db_run_int(db, bisection, "SELECT bisection_id FROM "
	    "bisection_result WHERE kind = ? AND ref = ?", "ti", kind, ref);
	if (r == 1)
		*bisection = 0;
	return r < 0 ? -1 : 0;
}

int
store_bisect_add(struct db *db, struct bisection_row *b)
{
	long long now = (long long)time(NULL);

	if (db_run(db, "INSERT INTO bisection (tree, branch, build, test, "
	    "platform, path, good_checkout, bad_checkout, good, bad, state, "
	    "repeat, manual, created, updated) VALUES (?, ?, ?, ?, ?, ?, "
	    "nullif(?, 0), nullif(?, 0), ?, ?, ?, ?, ?, ?, ?)",
	    "ttttttiitttiiii", b->tree, b->branch, b->build, b->test,
	    b->platform, b->path, b->good_checkout, b->bad_checkout, b->good,
	    b->bad, b->state, (long long)b->repeat, (long long)b->manual, now,
	    now) != 0)
		return -1;
	b->id = db_last_id(db);
	b->created = b->updated = now;
	return 0;
}

int
store_bisect_add_result(struct db *db, long long bisection,
    const char *kind, long long ref)
{
	if (db_run(db, "INSERT INTO bisection_result (bisection_id, kind, "
	    "ref) VALUES (?, ?, ?) ON CONFLICT (kind, ref) DO NOTHING",
	    "iti", bisection, kind, ref) != 0)
		return -1;
	if (db_changes(db) == 0)
		return 1;
	return db_run(db, "UPDATE bisection SET gen = gen + 1 WHERE id = ?",
	    "i", bisection);
}

int
store_bisect_update(struct db *db, const struct bisection_row *b)
{
	long long now = (long long)time(NULL);

	return db_run(db, "UPDATE bisection SET state = ?, outcome = ?, "
	    "reason = ?, culprit = ?, confirm = ?, verify = ?, revert = ?, "
	    "updated = ?, finished = CASE WHEN ?1 = 'done' THEN "
	    "coalesce(finished, ?8) END, gen = gen + 1 WHERE id = ?",
	    "tttttttii", b->state, b->outcome, b->reason, b->culprit,
	    b->confirm, b->verify, b->revert, now, b->id);
}

int
store_bisect_add_step(struct db *db, long long bisection, const char *role,
    const char *commit, long long left, long long *id)
{
	if (db_run(db, "INSERT INTO bisection_step (bisection_id, n, role, "
	    "commit_hash, left_count, created) VALUES (?1, (SELECT "
	    "coalesce(max(n), 0) + 1 FROM bisection_step WHERE "
	    "bisection_id = ?1), ?2, ?3, nullif(?4, 0), ?5)", "ittii",
	    bisection, role, commit, left, (long long)time(NULL)) != 0)
		return -1;
	*id = db_last_id(db);
	return db_run(db, "UPDATE bisection SET gen = gen + 1, updated = ? "
	    "WHERE id = ?", "ii", (long long)time(NULL), bisection);
}

int
store_bisect_step_result(struct db *db, long long step, const char *result,
    const char *detail)
{
	if (db_run(db, "UPDATE bisection_step SET result = ?, detail = ?, "
	    "finished = ? WHERE id = ?", "ttii", result, detail,
	    (long long)time(NULL), step) != 0)
		return -1;
	return db_run(db, "UPDATE bisection SET gen = gen + 1 WHERE id = "
	    "(SELECT bisection_id FROM bisection_step WHERE id = ?)", "i",
	    step);
}

int
store_bisect_step_checkout(struct db *db, long long step, long long checkout)
{
	return db_run(db, "UPDATE bisection_step SET checkout_id = ? "
	    "WHERE id = ?", "ii", checkout, step);
}

int
store_bisect_unscanned(struct db *db, long long **ids, size_t *n)
{
	return db_ids(db, "SELECT id FROM checkout WHERE bisect_scanned = 0 "
	    "AND kind = 'head' ORDER BY id", ids, n);
}

int
store_bisect_scanned(struct db *db, long long checkout)
{
	return db_run(db, "UPDATE checkout SET bisect_scanned = 1 WHERE id = ?",
	    "i", checkout);
}

int
store_bisect_checkout_done(struct db *db, long long checkout, int tests,
    int *done)
{
	long long v;
	int r;

	*done = 0;
	r = db_run_int(db, &v, "SELECT CASE "
	    "WHEN tarball_state = 'failed' AND tarball_next IS NULL THEN 1 "
	    "WHEN jobs_made = 0 THEN 0 "
	    "WHEN EXISTS (SELECT 1 FROM job WHERE job.checkout_id = ?1 AND "
	    "job.state != 'done') THEN 0 "
	    "WHEN ?2 AND coalesce(only_tests, '') != '[]' AND EXISTS "
	    "(SELECT 1 FROM build WHERE build.checkout_id = ?1 AND "
	    "build.status = 'PASS' AND build.tests_made = 0) THEN 0 "
	    "ELSE 1 END FROM checkout WHERE id = ?1", "ii", checkout,
	    (long long)tests);
	if (r < 0)
		return -1;
	*done = r == 0 && v == 1;
	return 0;
}

int
store_bisect_running(struct db *db, long long *n)
{
	return db_run_int(db, n, "SELECT count(*) FROM bisection WHERE "
	    "state NOT IN ('queued', 'done')", "") < 0 ? -1 : 0;
}

int
store_bisect_find(struct db *db, long long bad_checkout, const char *build,
    const char *platform, long long *id)
{
	int r;

	*id = 0;
	r = db_run_int(db, id, "SELECT id FROM bisection WHERE "
	    "bad_checkout = ? AND build = ? AND platform = ? ORDER BY id "
	    "LIMIT 1", "itt", bad_checkout, build, platform);
	if (r == 1)
		*id = 0;
	return r < 0 ? -1 : 0;
}
