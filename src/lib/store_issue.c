/*
 * store_issue.c: reading issues, incidents and findings (store_issue.h).
 */
#include <sqlite3.h>

#include "db.h"
#include "store_issue.h"
#include "util.h"

#define FINDING_COLS \
	"n, type, summary, issue_id, lines, line, file, file_line, count"

static void
finding_fill(struct sqlite3_stmt *st, struct finding_row *f)
{
	f->n = (int)db_col_int(st, 0);
	f->type = db_col_dup(st, 1);
	f->summary = db_col_dup(st, 2);
	f->issue_id = db_col_dup(st, 3);
	f->lines = db_col_dup(st, 4);
	f->line = db_col_int(st, 5);
	f->file = db_col_dup(st, 6);
	f->file_line = db_col_int(st, 7);
	f->count = db_col_int(st, 8);
}

/* Run a cached statement of findings (ref bound) into *out. */
static int
findings_of(struct db *db, struct sqlite3_stmt *st, struct finding_row **out,
    size_t *n)
{
	size_t cap;
	int r;

	*out = NULL;
	*n = cap = 0;
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)out, &cap, *n + 1, sizeof(**out));
		finding_fill(st, &(*out)[(*n)++]);
	}
	db_done(st);
	if (r < 0) {
		store_findings_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
store_findings(struct db *db, const char *kind, long long ref,
    struct finding_row **out, size_t *n)
{
	static const char sql[] = "SELECT " FINDING_COLS " FROM finding "
	    "WHERE kind = ? AND ref = ? ORDER BY n";
	struct sqlite3_stmt *st;

	/* cached: the site asks for every build page it renders */
	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, kind);
	db_bind_int(st, 2, ref);
	return findings_of(db, st, out, n);
}

int
store_test_findings(struct db *db, long long test_id,
    struct finding_row **out, size_t *n)
{
	/*
	 * The job's findings hang on one of its tests; they are all of one
	 * build, so the build's index finds them without a scan.
	 */
	static const char sql[] = "SELECT " FINDING_COLS " FROM finding "
	    "WHERE kind = 'test' AND ref IN (SELECT t.id FROM test me CROSS "
	    "JOIN test t ON t.build_id = me.build_id AND (t.id = me.id OR "
	    "t.job_id = me.job_id) WHERE me.id = ?) ORDER BY ref, n";
	struct sqlite3_stmt *st;

	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, test_id);
	return findings_of(db, st, out, n);
}

void
store_findings_free(struct finding_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].type);
		free(v[i].summary);
		free(v[i].issue_id);
		free(v[i].lines);
		free(v[i].file);
	}
	free(v);
}

/*
 * An issue with counts over its present incidents: where each happened
 * (checkout, platform, tree) is found through its build or test.
 */
#define ISSUE_QUERY_OF(where) \
	"WITH inc AS (" \
	"  SELECT n.issue_id, n.seen, b.checkout_id AS co, NULL AS plat " \
	"  FROM incident n JOIN build b ON n.kind = 'build' AND " \
	"  b.id = n.ref WHERE n.present " where \
	"  UNION ALL " \
	"  SELECT n.issue_id, n.seen, b.checkout_id, t.platform " \
	"  FROM incident n JOIN test t ON n.kind = 'test' AND t.id = n.ref " \
	"  JOIN build b ON b.id = t.build_id WHERE n.present " where ") " \
	"SELECT i.id, i.kind, i.title, i.report_url, i.culprit, " \
	"i.finding_kind, i.signature, i.version, i.active, i.created, " \
	"i.gen, count(inc.issue_id), min(inc.seen), max(inc.seen), " \
	"count(DISTINCT inc.co), count(DISTINCT inc.plat), " \
	"count(DISTINCT c.tree) " \
	"FROM issue i LEFT JOIN inc ON inc.issue_id = i.id " \
	"LEFT JOIN checkout c ON c.id = inc.co "
/* Every issue's incidents; or those of the issues where says (?1 ...). */
#define ISSUE_QUERY	ISSUE_QUERY_OF("")

static void
issue_fill(struct sqlite3_stmt *st, struct issue_row *x)
{
	x->id = db_col_dup(st, 0);
	x->kind = db_col_dup(st, 1);
	x->title = db_col_dup(st, 2);
	x->report_url = db_col_dup(st, 3);
	x->culprit = db_col_dup(st, 4);
	x->finding_kind = db_col_dup(st, 5);
	x->signature = db_col_dup(st, 6);
	x->version = db_col_int(st, 7);
	x->active = (int)db_col_int(st, 8);
	x->created = db_col_int(st, 9);
	x->gen = db_col_int(st, 10);
	x->incidents = db_col_int(st, 11);
	x->first_seen = db_col_int(st, 12);
	x->last_seen = db_col_int(st, 13);
	x->checkouts = db_col_int(st, 14);
	x->platforms = db_col_int(st, 15);
	x->trees = db_col_int(st, 16);
}

static int
issues_of(struct db *db, struct sqlite3_stmt *st, struct issue_row **out,
    size_t *n)
{
	size_t cap;
	int r;

	*out = NULL;
	*n = cap = 0;
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)out, &cap, *n + 1, sizeof(**out));
		issue_fill(st, &(*out)[(*n)++]);
	}
	db_finalize(st);
	if (r < 0) {
		store_issues_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

int
store_issues(struct db *db, int all, struct issue_row **out, size_t *n)
{
	struct sqlite3_stmt *st;

	/*
	 * A known issue still in the config is listed with no incidents
	 * (its rule is there to see); a signature only while some result
	 * shows it.
	 */
	st = db_prepare(db, ISSUE_QUERY "GROUP BY i.id HAVING ?1 OR "
	    "(i.active AND (i.kind = 'known' OR count(inc.issue_id) > 0)) "
	    "ORDER BY max(inc.seen) DESC NULLS LAST, i.id");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, all != 0);
	return issues_of(db, st, out, n);
}

int
store_issue_get(struct db *db, const char *id, struct issue_row *x)
{
	struct sqlite3_stmt *st;
	int r;

	memset(x, 0, sizeof(*x));
	/* only this issue's incidents are counted, not every one's */
	st = db_prepare(db, ISSUE_QUERY_OF("AND n.issue_id = ?1")
	    "WHERE i.id = ?1 GROUP BY i.id");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, id);
	r = db_step(db, st);
	if (r == 1)
		issue_fill(st, x);
	db_finalize(st);
	return r < 0 ? -1 : r == 1 ? 0 : 1;
}

int
store_result_issues(struct db *db, const char *kind, long long ref,
    struct issue_row **out, size_t *n)
{
	struct sqlite3_stmt *st;

	/* counted over the incidents of the issues the result shows */
	st = db_prepare(db, ISSUE_QUERY_OF("AND n.issue_id IN (SELECT "
	    "issue_id FROM incident WHERE kind = ?1 AND ref = ?2 AND "
	    "present)") "WHERE i.active AND i.id IN (SELECT issue_id FROM "
	    "incident WHERE kind = ?1 AND ref = ?2 AND present) GROUP BY "
	    "i.id ORDER BY i.kind = 'signature', i.id");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, kind);
	db_bind_int(st, 2, ref);
	return issues_of(db, st, out, n);
}

int
store_issue_seen_before(struct db *db, const char *id, const char *tree,
    const char *branch, long long before, int *seen)
{
	long long v;
	int r;

	r = db_run_int(db, &v, "SELECT EXISTS (SELECT 1 FROM incident n "
	    "LEFT JOIN test t ON n.kind = 'test' AND t.id = n.ref "
	    "JOIN build b ON b.id = CASE n.kind WHEN 'test' THEN t.build_id "
	    "ELSE n.ref END JOIN checkout c ON c.id = b.checkout_id "
	    "WHERE n.issue_id = ? AND n.present AND c.tree = ? AND "
	    "c.branch = ? AND c.kind = 'head' AND c.id < ?)", "ttti", id,
	    tree, branch, before);
	*seen = r == 0 && v != 0;
	return r < 0 ? -1 : 0;
}

int
store_incidents(struct db *db, const char *issue_id, size_t limit,
    struct incident_row **out, size_t *n)
{
	struct sqlite3_stmt *st;
	struct incident_row *r;
	size_t cap;
	int rc;

	st = db_prepare(db, "SELECT n.kind, n.ref, c.id, c.tree, c.branch, "
	    "c.describe, c.commit_hash, b.config_name, b.arch, t.platform, "
	    "t.path, coalesce(t.status, b.status), n.seen, n.issue_version, "
	    "n.present FROM incident n "
	    "LEFT JOIN test t ON n.kind = 'test' AND t.id = n.ref "
	    "JOIN build b ON b.id = CASE n.kind WHEN 'test' THEN t.build_id "
	    "ELSE n.ref END "
	    "JOIN checkout c ON c.id = b.checkout_id "
	    "WHERE n.issue_id = ?1 ORDER BY n.present DESC, n.seen DESC, "
	    "n.ref DESC LIMIT ?2");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, issue_id);
	db_bind_int(st, 2, limit > 0 ? (long long)limit : -1);
	*out = NULL;
	*n = cap = 0;
	while ((rc = db_step(db, st)) == 1) {
		xgrow((void **)out, &cap, *n + 1, sizeof(**out));
		r = &(*out)[(*n)++];
		r->kind = db_col_dup(st, 0);
		r->ref = db_col_int(st, 1);
		r->checkout_id = db_col_int(st, 2);
		r->tree = db_col_dup(st, 3);
		r->branch = db_col_dup(st, 4);
		r->describe = db_col_dup(st, 5);
		r->commit = db_col_dup(st, 6);
		r->build = db_col_dup(st, 7);
		r->arch = db_col_dup(st, 8);
		r->platform = db_col_dup(st, 9);
		r->path = db_col_dup(st, 10);
		r->status = db_col_dup(st, 11);
		r->seen = db_col_int(st, 12);
		r->version = db_col_int(st, 13);
		r->present = (int)db_col_int(st, 14);
	}
	db_finalize(st);
	if (rc < 0) {
		store_incidents_free(*out, *n);
		*out = NULL;
		*n = 0;
		return -1;
	}
	return 0;
}

void
store_issue_release(struct issue_row *x)
{
	free(x->id);
	free(x->kind);
	free(x->title);
	free(x->report_url);
	free(x->culprit);
	free(x->finding_kind);
	free(x->signature);
}

void
store_issues_free(struct issue_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		store_issue_release(&v[i]);
	free(v);
}

void
store_incidents_free(struct incident_row *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(v[i].kind);
		free(v[i].tree);
		free(v[i].branch);
		free(v[i].describe);
		free(v[i].commit);
		free(v[i].build);
		free(v[i].arch);
		free(v[i].platform);
		free(v[i].path);
		free(v[i].status);
	}
	free(v);
}
