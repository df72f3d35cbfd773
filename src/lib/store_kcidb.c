/*
 * store_kcidb.c: the rows the kcidb stage exports, and its files.
 */
#include <sqlite3.h>

#include "db.h"
#include "log.h"
#include "store_kcidb.h"
#include "util.h"

/*
 * The columns each SELECT adds after the row's own, counted from the
 * end of them: what the row does not hold.
 */
enum checkout_extra {
	XC_HAS_TARBALL_SIZE,
	XC_BUILDS_FINISH,
	XC_TESTS_FINISH,
	XC_COLUMNS
};

enum build_extra {
	XB_SUMMARY,
	XB_COLUMNS
};

enum test_extra {
	XT_BUILD_JOB_ID,
	XT_COLUMNS
};

/* A bisection is read by id (store_bisect_get): the id, the subject. */
enum bisect_extra {
	XX_ID,
	XX_SUBJECT,
	XX_COLUMNS
};

/* When every job of a kind for checkout c is done: the last finish. */
#define FINISH_OF(kind)							\
	"(SELECT CASE WHEN COUNT(*) > 0 AND SUM(state != 'done') = 0 "	\
	"THEN MAX(finished) END FROM job WHERE checkout_id = c.id AND "	\
	"kind = '" kind "')"

#define CHECKOUT_SELECT							\
	"SELECT " STORE_CHECKOUT_COLUMNS("c") ", "			\
	"c.tarball_size IS NOT NULL, " FINISH_OF("kbuild") ", "		\
	FINISH_OF("test") " FROM checkout c "
#define BUILD_SELECT							\
	"SELECT " STORE_BUILD_COLUMNS("b") ", (SELECT f.summary FROM "	\
	"finding f WHERE f.kind = 'build' AND f.ref = b.id AND "	\
	"f.type = 'error' ORDER BY f.n LIMIT 1) FROM build b "
#define TEST_SELECT							\
	"SELECT " STORE_TEST_COLUMNS("t") ", b.job_id "			\
	"FROM test t JOIN build b ON b.id = t.build_id "

/* What a bisection has to export: a culprit, once it is done. */
#define BISECT_CULPRIT							\
	"x.state = 'done' AND x.culprit IS NOT NULL AND x.outcome IN "	\
	"('found', 'revert-fails') "

/*
 * The culprit's subject: from a checkout of a step that tested it (not
 * the revert, whose checkout has the revert on top), else from the bad
 * checkout when the culprit is the bad commit itself.
 */
#define BISECT_SELECT							\
	"SELECT x.id, coalesce((SELECT c.subject FROM bisection_step s "\
	"JOIN checkout c ON c.id = s.checkout_id WHERE "		\
	"s.bisection_id = x.id AND s.commit_hash = x.culprit AND "	\
	"s.role != 'revert' AND c.commit_hash = x.culprit AND "		\
	"c.patchset_hash IS NULL ORDER BY s.n LIMIT 1), "		\
	"(SELECT c.subject FROM checkout c WHERE c.id = "		\
	"x.bad_checkout AND c.commit_hash = x.culprit)) "		\
	"FROM bisection x WHERE " BISECT_CULPRIT

#define ISSUE_SELECT							\
	"SELECT rowid, id, kind, title, report_url, culprit, "		\
	"finding_kind, signature, version, active FROM issue "
#define INCIDENT_SELECT							\
	"SELECT n.rowid, n.issue_id, i.kind, n.issue_version, n.kind, "	\
	"n.ref, coalesce(b.job_id, t.job_id), t.path, n.present "	\
	"FROM incident n JOIN issue i ON i.id = n.issue_id "		\
	"LEFT JOIN build b ON n.kind = 'build' AND b.id = n.ref "	\
	"LEFT JOIN test t ON n.kind = 'test' AND t.id = n.ref "

/* Per table: its changed rows, and all of them. */
static const char *const changed_sql[KCIDB_TABLES][2] = {
	{ CHECKOUT_SELECT "WHERE c.gen > c.exported_gen ORDER BY c.id",
	  CHECKOUT_SELECT "ORDER BY c.id" },
	{ BUILD_SELECT "WHERE b.gen > b.exported_gen ORDER BY b.id",
	  BUILD_SELECT "ORDER BY b.id" },
	{ TEST_SELECT "WHERE t.gen > t.exported_gen ORDER BY t.id",
	  TEST_SELECT "ORDER BY t.id" },
	{ BISECT_SELECT "AND x.gen > x.exported_gen ORDER BY x.id",
	  BISECT_SELECT "ORDER BY x.id" },
	{ ISSUE_SELECT "WHERE gen > exported_gen ORDER BY rowid",
	  ISSUE_SELECT "ORDER BY rowid" },
	{ INCIDENT_SELECT "WHERE n.gen > n.exported_gen ORDER BY n.rowid",
	  INCIDENT_SELECT "ORDER BY n.rowid" },
};

/* Issues and incidents are read whole from their own columns. */
static const int extra_columns[KCIDB_TABLES] = {
	XC_COLUMNS, XB_COLUMNS, XT_COLUMNS, XX_COLUMNS, 0, 0
};

struct store_kcidb_cursor {
	struct db		*db;
	struct sqlite3_stmt	*st;
	enum kcidb_table	 table;
	int			 extra;		/* the first added column */
};

static void
checkout_from(struct sqlite3_stmt *st, int x, struct kcidb_checkout *c)
{
	store_checkout_from(st, &c->row);
	c->has_tarball_size = (int)db_col_int(st, x + XC_HAS_TARBALL_SIZE);
	c->builds_finish = db_col_int(st, x + XC_BUILDS_FINISH);
	c->tests_finish = db_col_int(st, x + XC_TESTS_FINISH);
}

static void
test_from(struct sqlite3_stmt *st, int x, struct kcidb_test *t)
{
	store_test_from(st, &t->row);
	t->build_job_id = db_col_dup(st, x + XT_BUILD_JOB_ID);
}

static void
issue_from(struct sqlite3_stmt *st, struct kcidb_issue *i)
{
	i->rowid = db_col_int(st, 0);
	i->id = db_col_dup(st, 1);
	i->kind = db_col_dup(st, 2);
	i->title = db_col_dup(st, 3);
	i->report_url = db_col_dup(st, 4);
	i->culprit = db_col_dup(st, 5);
	i->finding_kind = db_col_dup(st, 6);
	i->signature = db_col_dup(st, 7);
	i->version = db_col_int(st, 8);
	i->active = (int)db_col_int(st, 9);
}

static void
issue_release(struct kcidb_issue *i)
{
	free(i->id);
	free(i->kind);
	free(i->title);
	free(i->report_url);
	free(i->culprit);
	free(i->finding_kind);
	free(i->signature);
}

static void
incident_from(struct sqlite3_stmt *st, struct kcidb_incident *n)
{
	n->rowid = db_col_int(st, 0);
	n->issue_id = db_col_dup(st, 1);
	n->issue_kind = db_col_dup(st, 2);
	n->issue_version = db_col_int(st, 3);
	n->kind = db_col_dup(st, 4);
	n->ref = db_col_int(st, 5);
	n->job_id = db_col_dup(st, 6);
	n->path = db_col_dup(st, 7);
	n->present = (int)db_col_int(st, 8);
}

static void
incident_release(struct kcidb_incident *n)
{
	free(n->issue_id);
	free(n->issue_kind);
	free(n->kind);
	free(n->job_id);
	free(n->path);
}

static void
bisect_results_free(struct kcidb_bisection *x)
{
	size_t i;

	for (i = 0; i < x->nresults; i++) {
		free(x->results[i].kind);
		free(x->results[i].job_id);
		free(x->results[i].path);
	}
	free(x->results);
	x->results = NULL;
	x->nresults = 0;
}

/*
 * The builds and tests a bisection is about, with what their KCIDB ids
 * are made of; one whose row is gone has nothing to link to.
 */
static int
bisect_results(struct db *db, struct kcidb_bisection *x)
{
	struct kcidb_bisect_result *r;
	struct sqlite3_stmt *st;
	size_t alloc;
	int n;

	st = db_prepare(db, "SELECT r.kind, r.ref, coalesce(b.job_id, "
	    "t.job_id), t.path FROM bisection_result r LEFT JOIN build b ON "
	    "r.kind = 'build' AND b.id = r.ref LEFT JOIN test t ON r.kind = "
	    "'test' AND t.id = r.ref WHERE r.bisection_id = ? AND (b.id IS "
	    "NOT NULL OR t.id IS NOT NULL) ORDER BY r.kind, r.ref");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, x->row.id);
	alloc = 0;
	while ((n = db_step(db, st)) == 1) {
		xgrow((void **)&x->results, &alloc, x->nresults + 1,
		    sizeof(*x->results));
		r = &x->results[x->nresults++];
		r->kind = db_col_dup(st, 0);
		r->ref = db_col_int(st, 1);
		r->job_id = db_col_dup(st, 2);
		r->path = db_col_dup(st, 3);
	}
	db_finalize(st);
	if (n < 0) {
		bisect_results_free(x);
		return -1;
	}
	return 0;
}

/* The bisection of the cursor's row, whole. */
static int
bisection_from(struct db *db, struct sqlite3_stmt *st, int x,
    struct kcidb_bisection *b)
{
	long long id;
	int r;

	id = db_col_int(st, x + XX_ID);
	r = store_bisect_get(db, id, &b->row);
	if (r != 0) {
		if (r > 0)
			error("bisection %lld: gone while it was exported", id);
		return -1;
	}
	if (!db_col_is_null(st, x + XX_SUBJECT))
		b->subject = db_col_dup_len(st, x + XX_SUBJECT,
		    &b->subject_len);
	if (bisect_results(db, b) != 0) {
		store_bisect_release(&b->row);
		free(b->subject);
		b->subject = NULL;
		return -1;
	}
	return 0;
}

long long
store_kcidb_row_id(const struct kcidb_row *r)
{
	switch (r->table) {
	case KCIDB_CHECKOUTS:
		return r->u.c.row.id;
	case KCIDB_BUILDS:
		return r->u.b.row.id;
	case KCIDB_BISECTIONS:
		return r->u.x.row.id;
	case KCIDB_ISSUES:
		return r->u.i.rowid;
	case KCIDB_INCIDENTS:
		return r->u.n.rowid;
	default:
		return r->u.t.row.id;
	}
}

void
store_kcidb_row_release(struct kcidb_row *r)
{
	switch (r->table) {
	case KCIDB_CHECKOUTS:
		store_checkout_release(&r->u.c.row);
		break;
	case KCIDB_BUILDS:
		store_build_release(&r->u.b.row);
		free(r->u.b.summary);
		r->u.b.summary = NULL;
		break;
	case KCIDB_ISSUES:
		issue_release(&r->u.i);
		break;
	case KCIDB_INCIDENTS:
		incident_release(&r->u.n);
		break;
	case KCIDB_BISECTIONS:
		store_bisect_release(&r->u.x.row);
		free(r->u.x.subject);
		r->u.x.subject = NULL;
		bisect_results_free(&r->u.x);
		break;
	default:
		store_test_release(&r->u.t.row);
		free(r->u.t.build_job_id);
		r->u.t.build_job_id = NULL;
		break;
	}
}

struct store_kcidb_cursor *
store_kcidb_changed(struct db *db, enum kcidb_table table, int all)
{
	struct store_kcidb_cursor *c;
	struct sqlite3_stmt *st;

	st = db_prepare(db, changed_sql[table][all ? 1 : 0]);
	if (st == NULL)
		return NULL;
	c = xcalloc(1, sizeof(*c));
	c->db = db;
	c->st = st;
	c->table = table;
	c->extra = sqlite3_column_count(st) - extra_columns[table];
	return c;
}

int
store_kcidb_next(struct store_kcidb_cursor *c, struct kcidb_row *out)
{
	int r;

	r = db_step(c->db, c->st);
	if (r != 1)
		return r;
	memset(out, 0, sizeof(*out));
	out->table = c->table;
	switch (c->table) {
	case KCIDB_CHECKOUTS:
		checkout_from(c->st, c->extra, &out->u.c);
		break;
	case KCIDB_BUILDS:
		store_build_from(c->st, &out->u.b.row);
		out->u.b.summary = db_col_dup(c->st, c->extra + XB_SUMMARY);
		break;
	case KCIDB_ISSUES:
		issue_from(c->st, &out->u.i);
		break;
	case KCIDB_INCIDENTS:
		incident_from(c->st, &out->u.n);
		break;
	case KCIDB_BISECTIONS:
		/* the cursor is open: these read on the same connection */
		if (bisection_from(c->db, c->st, c->extra, &out->u.x) != 0)
			return -1;
		break;
	default:
		test_from(c->st, c->extra, &out->u.t);
		break;
	}
	return 1;
}

void
store_kcidb_close(struct store_kcidb_cursor *c)
{
	if (c == NULL)
		return;
	db_finalize(c->st);
	free(c);
}

int
store_kcidb_exported(struct db *db, const struct kcidb_span *span,
    const char *path, long long objects)
{
	static const char *const sql[KCIDB_TABLES] = {
		"UPDATE checkout SET exported_gen = gen WHERE id BETWEEN ? AND ? "
		"AND gen > exported_gen",
		"UPDATE build SET exported_gen = gen WHERE id BETWEEN ? AND ? "
		"AND gen > exported_gen",
		"UPDATE test SET exported_gen = gen WHERE id BETWEEN ? AND ? "
		"AND gen > exported_gen",
		"UPDATE bisection SET exported_gen = gen WHERE id BETWEEN ? "
		"AND ? AND gen > exported_gen",
		"UPDATE issue SET exported_gen = gen WHERE rowid BETWEEN ? "
		"AND ? AND gen > exported_gen",
		"UPDATE incident SET exported_gen = gen WHERE rowid BETWEEN ? "
		"AND ? AND gen > exported_gen",
	};
	/*
	 * The same, walking the ids from lo to hi rather than the index of
	 * the rows not exported: cheaper (a quarter, for a full export)
	 * when most rows between them were in the file.
	 */
	static const char *const dense[KCIDB_TABLES] = {
		"UPDATE checkout NOT INDEXED SET exported_gen = gen WHERE id "
		"BETWEEN ? AND ? AND gen > exported_gen",
		"UPDATE build NOT INDEXED SET exported_gen = gen WHERE id "
		"BETWEEN ? AND ? AND gen > exported_gen",
		"UPDATE test NOT INDEXED SET exported_gen = gen WHERE id "
		"BETWEEN ? AND ? AND gen > exported_gen",
		NULL, NULL, NULL
	};
	const char *q;
	int rc, k;

	if (db_begin(db) != 0)
		return -1;
	rc = 0;
	for (k = 0; k < KCIDB_TABLES && rc == 0; k++) {
		if (!span->seen[k])
			continue;
		q = sql[k];
		if (dense[k] != NULL && span->n[k] * 2 >= span->hi[k] -
		    span->lo[k] + 1)
			q = dense[k];
		rc = db_run(db, q, "ii", span->lo[k], span->hi[k]);
	}
	if (rc == 0 && path != NULL)
		rc = db_run(db, "INSERT OR IGNORE INTO kcidb_file (path, created, "
		    "objects) VALUES (?, ?, ?)", "tii", path,
		    (long long)time(NULL), objects);
	return db_end(db, rc);
}

int
store_kcidb_bisect_nothing(struct db *db)
{
	if (db_begin(db) != 0)
		return -1;
	return db_end(db, db_run(db, "UPDATE bisection AS x SET exported_gen "
	    "= gen WHERE gen > exported_gen AND NOT (" BISECT_CULPRIT ")",
	    ""));
}

int
store_kcidb_files_due(struct db *db, long long now,
    struct kcidb_file_list *out)
{
	struct sqlite3_stmt *st;
	struct kcidb_file *f;
	int r;

	memset(out, 0, sizeof(*out));
	st = db_prepare(db, "SELECT id, path, state, submission_id, attempts "
	    "FROM kcidb_file WHERE state != '" KCIDB_FILE_PROCESSED "' AND "
	    "coalesce(next_try, 0) <= ? ORDER BY id");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, now);
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)&out->v, &out->alloc, out->n + 1,
		    sizeof(*out->v));
		f = &out->v[out->n++];
		f->id = db_col_int(st, 0);
		f->path = db_col_dup(st, 1);
		f->state = db_col_dup(st, 2);
		f->submission_id = db_col_dup(st, 3);
		f->attempts = db_col_int(st, 4);
	}
	db_finalize(st);
	if (r < 0) {
		store_kcidb_file_list_free(out);
		return -1;
	}
	return 0;
}

void
store_kcidb_file_list_free(struct kcidb_file_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].state);
		free(l->v[i].submission_id);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
store_kcidb_file_update(struct db *db, long long id, const char *state,
    const char *submission_id, long long next, const char *error,
    int attempted)
{
	static const char sql[] = "UPDATE kcidb_file SET state = ?, "
	    "submission_id = ?, next_try = ?, error = ?, attempts = "
	    "attempts + ? WHERE id = ?";
	int rc;

	if (db_begin(db) != 0)
		return -1;
	if (next > 0)
		rc = db_run(db, sql, "ttitii", state, submission_id, next,
		    error, (long long)attempted, id);
	else
		rc = db_run(db, sql, "ttntii", state, submission_id, error,
		    (long long)attempted, id);
	return db_end(db, rc);
}
