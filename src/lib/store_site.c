/*
 * store_site.c: the site's queries.  A step that fails ends the read
 * with -1 and a message naming what was being read, so a page is never
 * built from part of its data.
 */
#include <sqlite3.h>

#include "db.h"
#include "log.h"
#include "site_change.h"
#include "store_checkout.h"
#include "store_issue.h"
#include "store_job.h"
#include "store_site.h"
#include "util.h"

void
site_res_release(struct site_res *r)
{
	free(r->config);
	free(r->arch);
	free(r->compiler);
	free(r->platform);
	free(r->path);
	free(r->plan);
	free(r->status);
	free(r->kconfig);
	free(r->unit);
	free(r->log_url);
	memset(r, 0, sizeof(*r));
}

void
site_reslist_release(struct site_reslist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		site_res_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
site_histlist_release(struct site_histlist *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].describe);
		free(h->v[i].plan);
		free(h->v[i].status);
		free(h->v[i].unit);
		free(h->v[i].log_url);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}

void
site_res_copy(struct site_res *dst, const struct site_res *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->id = src->id;
	dst->config = xstrdup(src->config);
	dst->arch = xstrdup(src->arch);
	dst->compiler = xstrdup(src->compiler);
	dst->platform = xstrdup(src->platform);
	dst->path = xstrdup(src->path);
	dst->plan = xstrdup(src->plan ? src->plan : "");
	dst->status = src->status ? xstrdup(src->status) : NULL;
}

void
site_ids_add(struct site_ids *l, long long id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i] == id)
			return;
	xgrow((void **)&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = id;
}

void
site_platform_rows_release(struct site_platform_rows *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].tree);
		free(l->v[i].branch);
		free(l->v[i].describe);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

void
site_knownlist_release(struct site_knownlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].title);
		free(l->v[i].report_url);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* The order of store_site_known_of(): builds first, then by ref. */
static int
known_cmp(const struct site_known *k, int build, long long ref)
{
	if (k->build != build)
		return k->build > build ? -1 : 1;
	return k->ref < ref ? -1 : k->ref > ref;
}

static int
known_order(const void *x, const void *y)
{
	const struct site_known *a = x, *b = y;
	int c;

	c = known_cmp(a, b->build, b->ref);
	return c != 0 ? c : strcmp(a->id, b->id);
}

void
site_knownlist_sort(struct site_knownlist *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), known_order);
}

const struct site_known *
site_known_find(const struct site_knownlist *l, int build, long long ref,
    size_t *n)
{
	size_t lo, hi, mid, k;

	*n = 0;
	lo = 0;
	hi = l->n;
	/* the first not before (build, ref) */
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (known_cmp(&l->v[mid], build, ref) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (k = lo; k < l->n && known_cmp(&l->v[k], build, ref) == 0; k++)
		(*n)++;
	return *n ? &l->v[lo] : NULL;
}

void
site_triage_release(struct site_triage *t)
{
	size_t i;

	for (i = 0; i < t->ninc; i++)
		free(t->inc[i].issue_id);
	free(t->inc);
	for (i = 0; i < t->niss; i++)
		free(t->iss[i].id);
	free(t->iss);
	memset(t, 0, sizeof(*t));
}

static char *
dup_or(sqlite3_stmt *st, int i, const char *def)
{
	const char *s;

	s = db_col_text(st, i);
	return xstrdup(s ? s : def);
}

/*
 * The columns of a checkout that pages show, into a row: the site
 * reads a checkout for every page of it, and never needs its message.
 */
int
store_site_checkout(struct db *db, long long id, struct checkout_row *c)
{
	static const char sql[] = "SELECT id, tree, branch, url, commit_hash, "
	    "describe, subject, author_name, tags, commit_time, created, "
	    "tarball_url, tarball_size, tarball_sha256, tarball_state, "
	    "tarball_error, is_tip, kind, ref, patchset_hash, patches, "
	    "source_commit FROM checkout WHERE id = ?";
	sqlite3_stmt *st;
	int r;

	memset(c, 0, sizeof(*c));
	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, id);
	r = db_step(db, st);
	if (r == 1) {
		c->id = db_col_int(st, 0);
		c->tree = db_col_dup(st, 1);
		c->branch = db_col_dup(st, 2);
		c->url = db_col_dup(st, 3);
		c->commit = db_col_dup(st, 4);
		c->describe = db_col_dup(st, 5);
		c->subject = db_col_dup(st, 6);
		c->author_name = db_col_dup(st, 7);
		c->tags = db_col_dup(st, 8);
		c->commit_time = db_col_int(st, 9);
		c->created = db_col_int(st, 10);
		c->tarball_url = db_col_dup(st, 11);
		c->tarball_size = db_col_int(st, 12);
		c->tarball_sha256 = db_col_dup(st, 13);
		c->tarball_state = db_col_dup(st, 14);
		c->tarball_error = db_col_dup(st, 15);
		c->is_tip = (int)db_col_int(st, 16);
		c->kind = db_col_dup(st, 17);
		c->ref = db_col_dup(st, 18);
		c->patchset_hash = db_col_dup(st, 19);
		c->patches = db_col_dup(st, 20);
		c->source_commit = db_col_dup(st, 21);
	}
	db_done(st);
	if (r < 0)
		return error("cannot read checkout %lld", id);
	return r == 1 ? 0 : 1;
}

int
store_site_previous(struct db *db, const struct checkout_row *c,
    long long *prev)
{
	static const char sql[] = "SELECT id FROM checkout WHERE tree = ? AND "
	    "branch = ? AND kind = 'head' AND id < ? ORDER BY id DESC LIMIT 1";
	sqlite3_stmt *st;
	int r;

	*prev = 0;
	/* only branch heads follow one another */
	if (c->kind != NULL && strcmp(c->kind, "head") != 0)
		return 0;
	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, c->tree);
	db_bind_text(st, 2, c->branch);
	db_bind_int(st, 3, c->id);
	r = db_step(db, st);
	if (r == 1)
		*prev = db_col_int(st, 0);
	db_done(st);
	if (r < 0)
		return error("cannot find the checkout before %lld", c->id);
	return 0;
}

int
store_site_counts(struct db *db, long long checkout, struct site_counts *c)
{
	static const char builds[] = "SELECT b.status, COUNT(*) FROM build b "
	    "WHERE b.checkout_id = ? AND " STORE_BUILD_STANDS("b")
	    " GROUP BY b.status";
	static const char tests[] = "SELECT t.path = 'boot', t.status, "
	    "COUNT(*) FROM test t JOIN build b ON b.id = t.build_id WHERE "
	    "b.checkout_id = ? AND " STORE_BUILD_STANDS("b") " AND "
	    STORE_TEST_STANDS("t") " GROUP BY 1, 2";
	sqlite3_stmt *st;
	long *to;
	int r;

	memset(c, 0, sizeof(*c));
	st = db_cached(db, builds);
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, checkout);
	while ((r = db_step(db, st)) == 1)
		c->b[site_slot(db_col_text(st, 0))] += (long)db_col_int(st, 1);
	db_done(st);
	if (r < 0)
		return error("cannot count the builds of checkout %lld",
		    checkout);
	st = db_cached(db, tests);
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, checkout);
	while ((r = db_step(db, st)) == 1) {
		to = db_col_int(st, 0) ? c->r : c->t;
		to[site_slot(db_col_text(st, 1))] += (long)db_col_int(st, 2);
	}
	db_done(st);
	if (r < 0)
		return error("cannot count the tests of checkout %lld",
		    checkout);
	return 0;
}

static struct site_res *
res_add(struct site_reslist *l)
{
	struct site_res *r;

	xgrow((void **)&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
	r = &l->v[l->n++];
	memset(r, 0, sizeof(*r));
	return r;
}

/*
 * A result of a job retried by hand (job.retry_of) is superseded once a
 * retry of it has finished, unless that retry was cancelled; the rows
 * of a retry show only once it has finished, not cancelled.  So the
 * site, `results` and the changes see the newest attempt of each.
 */
int
store_site_builds(struct db *db, long long checkout, struct site_reslist *l)
{
	/* the newest attempt of each: see STORE_JOB_SUPERSEDED */
	static const char sql[] = "SELECT b.id, b.config_name, "
	    "coalesce(b.arch, ''), coalesce(b.compiler, ''), b.status, "
	    "b.kconfig, b.duration, b.log_url FROM build b LEFT JOIN job j "
	    "ON j.id = b.job_id WHERE b.checkout_id = ? AND "
	    STORE_BUILD_STANDS("b")
	    " ORDER BY b.config_name, b.arch, b.compiler, b.id";
	sqlite3_stmt *st;
	struct site_res *r;
	int rc;

	memset(l, 0, sizeof(*l));
	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, checkout);
	while ((rc = db_step(db, st)) == 1) {
		r = res_add(l);
		r->id = db_col_int(st, 0);
		r->config = dup_or(st, 1, "");
		r->arch = dup_or(st, 2, "");
		r->compiler = dup_or(st, 3, "");
		r->platform = xstrdup("");
		r->path = xstrdup("");
		r->status = db_col_dup(st, 4);
		r->kconfig = db_col_dup(st, 5);
		r->duration = db_col_double(st, 6);
		r->log_url = db_col_dup(st, 7);
	}
	db_done(st);
	if (rc < 0) {
		site_reslist_release(l);
		return error("cannot read the builds of checkout %lld",
		    checkout);
	}
	return 0;
}

/* The columns of a test that test_fill() reads. */
#define TEST_COLS "t.id, b.config_name, coalesce(b.arch, ''), " \
	"coalesce(t.platform, ''), t.path, t.status, t.number_value, " \
	"t.number_unit, t.log_url, t.duration, coalesce(j.config_name, '')"

static void
test_fill(sqlite3_stmt *st, struct site_res *r)
{
	r->id = db_col_int(st, 0);
	r->config = dup_or(st, 1, "");
	r->arch = dup_or(st, 2, "");
	r->compiler = xstrdup("");
	r->platform = dup_or(st, 3, "");
	r->path = dup_or(st, 4, "");
	r->status = db_col_dup(st, 5);
	r->has_value = !db_col_is_null(st, 6);
	r->value = db_col_double(st, 6);
	r->unit = db_col_dup(st, 7);
	r->log_url = db_col_dup(st, 8);
	r->duration = db_col_double(st, 9);
	r->plan = dup_or(st, 10, "");
}

int
store_site_tests(struct db *db, long long checkout, struct site_reslist *l)
{
	static const char sql[] = "SELECT " TEST_COLS " FROM test t JOIN "
	    "build b ON b.id = t.build_id LEFT JOIN job j ON j.id = t.job_id "
	    "WHERE b.checkout_id = ? AND " STORE_TEST_STANDS("t") " AND "
	    STORE_BUILD_STANDS("b")
	    " ORDER BY t.path, b.config_name, b.arch, t.platform, t.id";
	sqlite3_stmt *st;
	int rc;

	memset(l, 0, sizeof(*l));
	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, checkout);
	while ((rc = db_step(db, st)) == 1)
		test_fill(st, res_add(l));
	db_done(st);
	if (rc < 0) {
		site_reslist_release(l);
		return error("cannot read the tests of checkout %lld",
		    checkout);
	}
	return 0;
}

int
store_site_test(struct db *db, long long id, struct site_res *r,
    long long *checkout)
{
	static const char sql[] = "SELECT " TEST_COLS ", b.checkout_id "
	    "FROM test t JOIN build b ON b.id = t.build_id LEFT JOIN job j ON "
	    "j.id = t.job_id WHERE t.id = ?";
	sqlite3_stmt *st;
	int rc;

	memset(r, 0, sizeof(*r));
	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, id);
	rc = db_step(db, st);
	if (rc == 1) {
		test_fill(st, r);
		*checkout = db_col_int(st, 11);
	}
	db_done(st);
	if (rc < 0)
		return error("cannot read test %lld", id);
	return rc == 1 ? 0 : 1;
}

/* A history entry from columns at first: checkout, ref, ... value. */
static void
hist_add(struct site_histlist *h, sqlite3_stmt *st, int first)
{
	struct site_hist *e;

	xgrow((void **)&h->v, &h->alloc, h->n + 1, sizeof(*h->v));
	e = &h->v[h->n++];
	e->checkout = db_col_int(st, first);
	e->ref = db_col_int(st, first + 1);
	e->describe = db_col_dup(st, first + 2);
	e->status = db_col_dup(st, first + 3);
	e->unit = db_col_dup(st, first + 4);
	e->log_url = db_col_dup(st, first + 5);
	e->created = db_col_int(st, first + 6);
	e->has_value = !db_col_is_null(st, first + 7);
	e->value = db_col_double(st, first + 7);
	e->plan = dup_or(st, first + 8, "");
}

int
store_site_history(struct db *db, const char *tree, const char *branch,
    const struct site_res *r, int is_build, long long upto, size_t limit,
    struct site_histlist *h)
{
	static const char builds[] = "SELECT c.id, b.id, c.describe, "
	    "b.status, NULL, b.log_url, c.created, NULL, NULL FROM checkout c "
	    "CROSS "
	    "JOIN build b ON b.checkout_id = c.id WHERE c.tree = ?1 AND "
	    "c.branch = ?2 AND c.kind = 'head' AND c.id <= ?7 AND "
	    STORE_BUILD_STANDS("b") " AND b.config_name = ?3 AND "
	    "coalesce(b.arch, '') = ?4 AND coalesce(b.compiler, '') = "
	    "?5 ORDER BY c.id DESC, b.id DESC LIMIT ?6";
	static const char tests[] = "SELECT c.id, t.id, c.describe, t.status, "
	    "t.number_unit, t.log_url, c.created, t.number_value, "
	    "coalesce(j.config_name, '') FROM checkout c CROSS JOIN build b "
	    "ON b.checkout_id = c.id CROSS JOIN test t ON t.build_id = b.id "
	    "LEFT JOIN job j ON j.id = t.job_id WHERE c.tree = ?1 "
	    "AND c.branch = ?2 AND c.kind = 'head' AND c.id <= ?8 AND "
	    STORE_BUILD_STANDS("b") " AND " STORE_TEST_STANDS("t")
	    " AND b.config_name = ?3 AND "
	    "coalesce(b.arch, '') = ?4 AND coalesce(t.platform, '') = "
	    "?5 AND t.path = ?6 ORDER BY c.id DESC, t.id DESC LIMIT ?7";
	sqlite3_stmt *st;
	long long lim;
	int rc;

	memset(h, 0, sizeof(*h));
	st = db_cached(db, is_build ? builds : tests);
	if (st == NULL)
		return -1;
	lim = limit ? (long long)limit : -1;
	db_bind_text(st, 1, tree);
	db_bind_text(st, 2, branch);
	db_bind_text(st, 3, r->config);
	db_bind_text(st, 4, r->arch);
	if (is_build) {
		db_bind_text(st, 5, r->compiler);
		db_bind_int(st, 6, lim);
		db_bind_int(st, 7, upto);
	} else {
		db_bind_text(st, 5, r->platform);
		db_bind_text(st, 6, r->path);
		db_bind_int(st, 7, lim);
		db_bind_int(st, 8, upto);
	}
	while ((rc = db_step(db, st)) == 1)
		hist_add(h, st, 0);
	db_done(st);
	if (rc < 0) {
		site_histlist_release(h);
		return error("cannot read the history of %s on %s/%s",
		    is_build ? r->config : r->path, tree, branch);
	}
	return 0;
}

static int
same_key(const struct site_res *key, sqlite3_stmt *st)
{
	return key->path != NULL &&
	    strcmp(key->config, db_col_text(st, 0)) == 0 &&
	    strcmp(key->arch, db_col_text(st, 1)) == 0 &&
	    strcmp(key->platform, db_col_text(st, 2)) == 0 &&
	    strcmp(key->path, db_col_text(st, 3)) == 0;
}

/*
 * One pass over the branch's results in key order, newest first, which
 * keeps only one key's history in memory.  The rows and their order are
 * those store_site_history() gives for one key.
 */
int
store_site_branch_tests(struct db *db, const char *tree, const char *branch,
    long long from, size_t limit, int (*fn)(void *, const struct site_res *,
    const struct site_histlist *, size_t), void *arg)
{
	sqlite3_stmt *st;
	struct site_histlist h;
	struct site_res key;
	size_t n;
	int r, rc;

	st = db_prepare(db, "SELECT b.config_name, coalesce(b.arch, ''), "
	    "coalesce(t.platform, ''), t.path, c.id, t.id, c.describe, "
	    "t.status, t.number_unit, t.log_url, c.created, t.number_value, "
	    "coalesce(j.config_name, '') FROM checkout c JOIN build b ON "
	    "b.checkout_id = c.id JOIN test t ON t.build_id = b.id LEFT JOIN "
	    "job j ON j.id = t.job_id WHERE c.tree = ? AND c.branch = ? AND "
	    "c.kind = 'head' AND c.id >= ? AND " STORE_BUILD_STANDS("b")
	    " AND " STORE_TEST_STANDS("t") " ORDER "
	    "BY 1, 2, 3, 4, c.id DESC, t.id DESC");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, tree);
	db_bind_text(st, 2, branch);
	db_bind_int(st, 3, from);
	memset(&h, 0, sizeof(h));
	memset(&key, 0, sizeof(key));
	n = 0;
	rc = 0;
	while (rc == 0) {
		r = db_step(db, st);
		if (r < 0) {
			rc = error("cannot read the tests of %s/%s", tree,
			    branch);
			break;
		}
		if (key.path != NULL && (r == 0 || !same_key(&key, st))) {
			rc = fn(arg, &key, &h, n);
			site_histlist_release(&h);
			site_res_release(&key);
			n = 0;
		}
		if (r == 0 || rc != 0)
			break;
		if (key.path == NULL) {
			key.config = dup_or(st, 0, "");
			key.arch = dup_or(st, 1, "");
			key.platform = dup_or(st, 2, "");
			key.path = dup_or(st, 3, "");
		}
		if (h.n < limit)
			hist_add(&h, st, 4);
		n++;
	}
	site_histlist_release(&h);
	site_res_release(&key);
	db_finalize(st);
	return rc;
}

/* Known issues from rows of build, ref, id, title, report_url. */
static int
known_from(struct db *db, sqlite3_stmt *st, struct site_knownlist *l)
{
	struct site_known *k;
	int r;

	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
		k = &l->v[l->n++];
		k->build = (int)db_col_int(st, 0);
		k->ref = db_col_int(st, 1);
		k->id = db_col_dup(st, 2);
		k->title = dup_or(st, 3, "");
		k->report_url = db_col_dup(st, 4);
	}
	return r;
}

/* Present incidents of active known issues, and the issue's columns. */
#define KNOWN_JOIN "JOIN issue i ON i.id = n.issue_id AND i.kind = " \
	"'known' AND i.active "

int
store_site_known_of(struct db *db, long long checkout,
    struct site_knownlist *l)
{
	static const char sql[] = "SELECT 1, n.ref, i.id, i.title, "
	    "i.report_url FROM build b CROSS JOIN incident n ON n.kind = "
	    "'build' AND n.ref = b.id AND n.present " KNOWN_JOIN
	    "WHERE b.checkout_id = ?1 UNION ALL SELECT 0, n.ref, i.id, "
	    "i.title, i.report_url FROM build b CROSS JOIN test t ON "
	    "t.build_id = b.id CROSS JOIN incident n ON n.kind = 'test' AND "
	    "n.ref = t.id AND n.present " KNOWN_JOIN "WHERE b.checkout_id = "
	    "?1 ORDER BY 1 DESC, 2, 3";
	sqlite3_stmt *st;
	int r;

	memset(l, 0, sizeof(*l));
	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, checkout);
	r = known_from(db, st, l);
	db_done(st);
	if (r < 0) {
		site_knownlist_release(l);
		return error("cannot read the known issues of checkout %lld",
		    checkout);
	}
	return 0;
}

int
store_site_known_result(struct db *db, int build, long long ref,
    struct site_knownlist *l)
{
	static const char sql[] = "SELECT ?1, n.ref, i.id, i.title, "
	    "i.report_url FROM incident n " KNOWN_JOIN "WHERE n.kind = ?2 "
	    "AND n.ref = ?3 AND n.present ORDER BY i.id";
	sqlite3_stmt *st;
	int r;

	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, build != 0);
	db_bind_text(st, 2, build ? "build" : "test");
	db_bind_int(st, 3, ref);
	r = known_from(db, st, l);
	db_done(st);
	if (r < 0)
		return error("cannot read the known issues of %s %lld",
		    build ? "build" : "test", ref);
	return 0;
}

int
store_site_newest(struct db *db, long long *t)
{
	sqlite3_stmt *st;
	int r;

	*t = 0;
	st = db_prepare(db, "SELECT created FROM checkout ORDER BY id DESC "
	    "LIMIT 1");
	if (st == NULL)
		return -1;
	r = db_step(db, st);
	if (r == 1)
		*t = db_col_int(st, 0);
	db_finalize(st);
	if (r < 0)
		return error("cannot read the newest checkout");
	return 0;
}

static int
ids_from(struct db *db, sqlite3_stmt *st, struct site_ids *l)
{
	int r;

	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = db_col_int(st, 0);
	}
	return r;
}

int
store_site_latest(struct db *db, const char *tree, const char *branch,
    size_t limit, struct site_ids *l)
{
	sqlite3_stmt *st;
	int r;

	memset(l, 0, sizeof(*l));
	if (branch != NULL)
		st = db_prepare(db, "SELECT id FROM checkout WHERE tree = ? "
		    "AND branch = ? AND kind = 'head' ORDER BY id DESC "
		    "LIMIT ?");
	else
		st = db_prepare(db, "SELECT id FROM checkout WHERE tree = ? "
		    "AND kind = 'head' ORDER BY id DESC LIMIT ?");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, tree);
	if (branch != NULL)
		db_bind_text(st, 2, branch);
	db_bind_int(st, branch != NULL ? 3 : 2, (long long)limit);
	r = ids_from(db, st, l);
	db_finalize(st);
	if (r < 0) {
		free(l->v);
		memset(l, 0, sizeof(*l));
		return error("cannot read the checkouts of %s%s%s", tree,
		    branch ? "/" : "", branch ? branch : "");
	}
	return 0;
}

int
store_site_ondemand(struct db *db, const char *tree, size_t limit,
    struct site_ids *l)
{
	sqlite3_stmt *st;
	int r;

	memset(l, 0, sizeof(*l));
	st = db_prepare(db, "SELECT id FROM checkout WHERE tree = ? AND "
	    "kind != 'head' ORDER BY id DESC LIMIT ?");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, tree);
	db_bind_int(st, 2, (long long)limit);
	r = ids_from(db, st, l);
	db_finalize(st);
	if (r < 0) {
		free(l->v);
		memset(l, 0, sizeof(*l));
		return error("cannot read the checkouts on demand of %s",
		    tree);
	}
	return 0;
}

int
store_site_build_ids(struct db *db, long long checkout, struct site_ids *l)
{
	static const char sql[] = "SELECT id FROM build WHERE checkout_id = ? "
	    "ORDER BY id";
	sqlite3_stmt *st;
	int r;

	memset(l, 0, sizeof(*l));
	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, checkout);
	r = ids_from(db, st, l);
	db_done(st);
	if (r < 0) {
		free(l->v);
		memset(l, 0, sizeof(*l));
		return error("cannot read the builds of checkout %lld",
		    checkout);
	}
	return 0;
}

int
store_site_platform_rows(struct db *db, const char *platform, size_t limit,
    struct site_platform_rows *l)
{
	struct site_platform_row *p;
	sqlite3_stmt *st;
	int i, r;

	memset(l, 0, sizeof(*l));
	/* newest checkouts first, stopping at the page's rows */
	st = db_prepare(db, "SELECT c.id, c.tree, c.branch, c.describe, "
	    "c.created, SUM(t.path = 'boot' AND t.status = 'PASS'), "
	    "SUM(t.path = 'boot' AND t.status = 'FAIL'), SUM(t.path = 'boot' "
	    "AND coalesce(t.status, '') NOT IN ('PASS', 'FAIL')), "
	    "SUM(t.path != 'boot' AND t.status = 'PASS'), SUM(t.path != "
	    "'boot' AND t.status = 'FAIL'), SUM(t.path != 'boot' AND "
	    "coalesce(t.status, '') NOT IN ('PASS', 'FAIL')) FROM checkout c "
	    "CROSS JOIN build b ON b.checkout_id = c.id CROSS JOIN test t ON "
	    "t.build_id = b.id AND t.platform = ? WHERE "
	    STORE_BUILD_STANDS("b") " AND " STORE_TEST_STANDS("t")
	    " GROUP BY c.id ORDER BY c.id DESC LIMIT ?");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, platform);
	db_bind_int(st, 2, (long long)limit);
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
		p = &l->v[l->n++];
		p->checkout = db_col_int(st, 0);
		p->tree = db_col_dup(st, 1);
		p->branch = db_col_dup(st, 2);
		p->describe = db_col_dup(st, 3);
		p->created = db_col_int(st, 4);
		for (i = 0; i < 3; i++) {
			p->boots[i] = (long)db_col_int(st, 5 + i);
			p->tests[i] = (long)db_col_int(st, 8 + i);
		}
	}
	db_finalize(st);
	if (r < 0) {
		site_platform_rows_release(l);
		return error("cannot read the results on platform %s",
		    platform);
	}
	return 0;
}

int
store_site_tree_errors(struct db *db,
    void (*fn)(void *, const char *, const char *), void *arg)
{
	sqlite3_stmt *st;
	int r;

	st = db_prepare(db, "SELECT name, last_error FROM tree WHERE "
	    "last_error IS NOT NULL ORDER BY name");
	if (st == NULL)
		return error("cannot read the trees' poll errors");
	while ((r = db_step(db, st)) == 1)
		fn(arg, db_col_text(st, 0), db_col_text(st, 1));
	db_finalize(st);
	if (r < 0)
		return error("cannot read the trees' poll errors");
	return 0;
}

/* ---- what to render ---- */

int
store_site_dirty(struct db *db, int all, struct site_ids *l)
{
	sqlite3_stmt *st;
	int r;

	st = db_prepare(db, all ? "SELECT id FROM checkout ORDER BY id" :
	    "SELECT id FROM checkout WHERE gen > site_gen UNION "
	    "SELECT checkout_id FROM build WHERE gen > site_gen UNION "
	    "SELECT b.checkout_id FROM test t JOIN build b ON b.id = "
	    "t.build_id WHERE t.gen > t.site_gen");
	if (st == NULL)
		return -1;
	while ((r = db_step(db, st)) == 1)
		site_ids_add(l, db_col_int(st, 0));
	db_finalize(st);
	if (r < 0)
		return error("cannot read what changed since the last render");
	return 0;
}

#define RETIRED "(?1 > 0 AND c.created < (SELECT MAX(created) FROM " \
	"checkout) - ?1 * 86400 AND NOT (c.kind = 'head' AND c.id = (SELECT " \
	"MAX(n.id) FROM checkout n WHERE n.tree = c.tree AND n.branch = " \
	"c.branch AND n.kind = 'head')))"

int
store_site_retired(struct db *db, int keep_days, int which,
    struct site_ids *l)
{
	static const char *const sql[] = {
		"SELECT c.id FROM checkout c WHERE " RETIRED " ORDER BY c.id",
		"SELECT c.id FROM checkout c WHERE c.site_stub = 0 AND "
		    RETIRED " ORDER BY c.id",
		"SELECT c.id FROM checkout c WHERE c.site_stub = 1 AND NOT "
		    RETIRED " ORDER BY c.id"
	};
	sqlite3_stmt *st;
	int r;

	st = db_prepare(db, sql[which]);
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, keep_days);
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
		l->v[l->n++] = db_col_int(st, 0);
	}
	db_finalize(st);
	if (r < 0)
		return error("cannot read which checkouts are older than "
		    "site.keep_days (%d)", keep_days);
	return 0;
}

int
store_site_mark_stubs(struct db *db, const struct site_ids *stubbed,
    const struct site_ids *unstubbed)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (stubbed->n + unstubbed->n == 0)
		return 0;
	if (db_begin(db) != 0)
		return -1;
	st = db_prepare(db, "UPDATE checkout SET site_stub = ? WHERE id = ?");
	rc = st ? 0 : -1;
	for (i = 0; i < stubbed->n + unstubbed->n && rc == 0; i++) {
		sqlite3_reset(st);
		db_bind_int(st, 1, i < stubbed->n);
		db_bind_int(st, 2, i < stubbed->n ? stubbed->v[i] :
		    unstubbed->v[i - stubbed->n]);
		rc = db_step(db, st) < 0 ? -1 : 0;
	}
	db_finalize(st);
	if (rc != 0) {
		db_rollback(db);
		return error("cannot record which checkouts have stubs");
	}
	return db_commit(db);
}

int
store_site_next(struct db *db, long long id, long long *next)
{
	sqlite3_stmt *st;
	int r;

	*next = 0;
	st = db_prepare(db, "SELECT n.id FROM checkout c JOIN checkout n ON "
	    "n.tree = c.tree AND n.branch = c.branch AND n.kind = 'head' AND "
	    "n.id > c.id WHERE c.id = ? AND c.kind = 'head' ORDER BY n.id "
	    "LIMIT 1");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, id);
	r = db_step(db, st);
	if (r == 1)
		*next = db_col_int(st, 0);
	db_finalize(st);
	if (r < 0)
		return error("cannot find the checkout after %lld", id);
	return 0;
}

int
store_site_branches(struct db *db, int changed, struct site_branch **v,
    size_t *n)
{
	struct site_branch *br;
	sqlite3_stmt *st;
	size_t alloc;
	int r;

	*v = NULL;
	*n = alloc = 0;
	st = db_prepare(db, "SELECT tree, branch, MAX(id), COUNT(*) FROM "
	    "checkout WHERE kind = 'head' GROUP BY tree, branch ORDER BY tree, "
	    "branch");
	if (st == NULL)
		return -1;
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)v, &alloc, *n + 1, sizeof(**v));
		br = &(*v)[(*n)++];
		br->tree = db_col_dup(st, 0);
		br->branch = db_col_dup(st, 1);
		br->latest = db_col_int(st, 2);
		br->heads = (size_t)db_col_int(st, 3);
		br->dirty_heads = 0;
		br->walk = 0;
		br->changed = changed;
	}
	db_finalize(st);
	if (r < 0)
		return error("cannot read the branches");
	return 0;
}

int
store_site_platforms(struct db *db, char ***v, size_t *n, size_t *alloc)
{
	sqlite3_stmt *st;
	int r;

	/* each distinct value with one step of the index */
	st = db_prepare(db, "WITH RECURSIVE p(name) AS (SELECT "
	    "MIN(platform) FROM test UNION ALL SELECT (SELECT MIN(platform) "
	    "FROM test WHERE platform > p.name) FROM p WHERE p.name IS NOT "
	    "NULL) SELECT name FROM p WHERE name IS NOT NULL");
	if (st == NULL)
		return -1;
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)v, alloc, *n + 1, sizeof(**v));
		(*v)[(*n)++] = db_col_dup(st, 0);
	}
	db_finalize(st);
	if (r < 0)
		return error("cannot read the platforms");
	return 0;
}

int
store_site_platform_in(struct db *db, const char *platform,
    long long checkout)
{
	static const char sql[] = "SELECT 1 FROM build b CROSS JOIN test t ON "
	    "t.build_id = b.id AND t.platform = ? WHERE b.checkout_id = ? "
	    "LIMIT 1";
	sqlite3_stmt *st;
	int r;

	st = db_cached(db, sql);
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, platform);
	db_bind_int(st, 2, checkout);
	r = db_step(db, st);
	db_done(st);
	if (r < 0)
		return error("cannot read the results of checkout %lld on "
		    "platform %s", checkout, platform);
	return r;
}

/*
 * The incidents changed since the last render, each with the checkout
 * of its result (0 when the result is gone).
 */
static int
incidents_dirty(struct db *db, struct site_triage *t)
{
	struct site_incident *x;
	sqlite3_stmt *st;
	int r;

	/* "+n.kind": the partial index of those unrendered, not a scan */
	st = db_prepare(db, "SELECT n.issue_id, 1, n.ref, n.gen, "
	    "coalesce(b.checkout_id, 0) FROM incident n LEFT JOIN build b ON "
	    "b.id = n.ref WHERE +n.kind = 'build' AND n.gen > n.site_gen "
	    "UNION ALL SELECT n.issue_id, 0, n.ref, n.gen, "
	    "coalesce(b.checkout_id, 0) FROM incident n LEFT JOIN test t ON "
	    "t.id = n.ref LEFT JOIN build b ON b.id = t.build_id WHERE "
	    "+n.kind = 'test' AND n.gen > n.site_gen");
	if (st == NULL)
		return -1;
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)&t->inc, &t->ainc, t->ninc + 1,
		    sizeof(*t->inc));
		x = &t->inc[t->ninc++];
		x->issue_id = db_col_dup(st, 0);
		x->build = (int)db_col_int(st, 1);
		x->ref = db_col_int(st, 2);
		x->gen = db_col_int(st, 3);
		x->checkout = db_col_int(st, 4);
	}
	db_finalize(st);
	return r;
}

int
store_site_triage_dirty(struct db *db, int all, struct site_triage *t)
{
	sqlite3_stmt *st;
	int r;

	memset(t, 0, sizeof(*t));
	r = all ? 0 : incidents_dirty(db, t);
	if (r < 0) {
		site_triage_release(t);
		return error("cannot read the incidents to render");
	}
	/*
	 * An issue's page shows its incidents and their results: it
	 * changes with the issue, an incident, or the result of one.
	 */
	st = db_prepare(db, all ? "SELECT id, gen FROM issue ORDER BY id" :
	    "SELECT id, gen FROM issue WHERE gen > site_gen UNION "
	    "SELECT i.id, i.gen FROM issue i WHERE i.id IN (SELECT issue_id "
	    "FROM incident WHERE gen > site_gen) UNION "
	    "SELECT i.id, i.gen FROM build b CROSS JOIN incident n ON "
	    "n.kind = 'build' AND n.ref = b.id JOIN issue i ON i.id = "
	    "n.issue_id WHERE b.gen > b.site_gen UNION "
	    "SELECT i.id, i.gen FROM test t CROSS JOIN incident n ON "
	    "n.kind = 'test' AND n.ref = t.id JOIN issue i ON i.id = "
	    "n.issue_id WHERE t.gen > t.site_gen ORDER BY 1");
	if (st == NULL) {
		site_triage_release(t);
		return -1;
	}
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)&t->iss, &t->aiss, t->niss + 1,
		    sizeof(*t->iss));
		t->iss[t->niss].id = db_col_dup(st, 0);
		t->iss[t->niss].gen = db_col_int(st, 1);
		t->niss++;
	}
	db_finalize(st);
	if (r < 0) {
		site_triage_release(t);
		return error("cannot read the issues to render");
	}
	return 0;
}

static int
mark_all(struct db *db)
{
	return db_exec(db, "UPDATE checkout SET site_gen = gen WHERE gen > "
	    "site_gen; UPDATE build SET site_gen = gen WHERE gen > "
	    "site_gen; UPDATE test SET site_gen = gen WHERE gen > "
	    "site_gen; UPDATE incident SET site_gen = gen WHERE gen > "
	    "site_gen; UPDATE issue SET site_gen = gen WHERE gen > "
	    "site_gen");
}

static int
mark_some(struct db *db, const struct site_ids *checkouts)
{
	sqlite3_stmt *st[3];
	size_t i;
	int rc, k;

	st[0] = db_prepare(db, "UPDATE checkout SET site_gen = gen WHERE "
	    "id = ? AND gen > site_gen");
	st[1] = db_prepare(db, "UPDATE build SET site_gen = gen WHERE "
	    "checkout_id = ? AND gen > site_gen");
	st[2] = db_prepare(db, "UPDATE test SET site_gen = gen WHERE "
	    "gen > site_gen AND build_id IN (SELECT id FROM build WHERE "
	    "checkout_id = ?)");
	rc = st[0] && st[1] && st[2] ? 0 : -1;
	for (i = 0; i < checkouts->n && rc == 0; i++) {
		for (k = 0; k < 3 && rc == 0; k++) {
			sqlite3_reset(st[k]);
			db_bind_int(st[k], 1, checkouts->v[i]);
			rc = db_step(db, st[k]) < 0 ? -1 : 0;
		}
	}
	for (k = 0; k < 3; k++)
		db_finalize(st[k]);
	return rc;
}

int
store_site_bisect_dirty(struct db *db, int all, struct site_gens *out)
{
	sqlite3_stmt *st;
	int r;

	memset(out, 0, sizeof(*out));
	st = db_prepare(db, all ? "SELECT id, gen FROM bisection ORDER BY id" :
	    "SELECT id, gen FROM bisection WHERE gen > site_gen ORDER BY id");
	if (st == NULL)
		return -1;
	while ((r = db_step(db, st)) == 1) {
		xgrow((void **)&out->v, &out->alloc, out->n + 1,
		    sizeof(*out->v));
		out->v[out->n].id = db_col_int(st, 0);
		out->v[out->n].gen = db_col_int(st, 1);
		out->n++;
	}
	db_finalize(st);
	if (r < 0) {
		free(out->v);
		memset(out, 0, sizeof(*out));
		return error("cannot read the bisections to render");
	}
	return 0;
}

static int
mark_bisections(struct db *db, const struct site_gens *g)
{
	sqlite3_stmt *st;
	size_t i;
	int rc;

	if (g == NULL || g->n == 0)
		return 0;
	st = db_prepare(db, "UPDATE bisection SET site_gen = ?2 WHERE "
	    "id = ?1 AND site_gen < ?2");
	rc = st != NULL ? 0 : -1;
	for (i = 0; i < g->n && rc == 0; i++) {
		sqlite3_reset(st);
		db_bind_int(st, 1, g->v[i].id);
		db_bind_int(st, 2, g->v[i].gen);
		rc = db_step(db, st) < 0 ? -1 : 0;
	}
	db_finalize(st);
	return rc;
}

/* Incidents and issues at the gen they were read at. */
static int
mark_triage(struct db *db, const struct site_triage *t)
{
	sqlite3_stmt *inc, *iss;
	size_t i;
	int rc;

	if (t == NULL || (t->ninc == 0 && t->niss == 0))
		return 0;
	inc = db_prepare(db, "UPDATE incident SET site_gen = ?4 WHERE "
	    "issue_id = ?1 AND kind = ?2 AND ref = ?3 AND site_gen < ?4");
	iss = db_prepare(db, "UPDATE issue SET site_gen = ?2 WHERE id = ?1 "
	    "AND site_gen < ?2");
	rc = inc != NULL && iss != NULL ? 0 : -1;
	for (i = 0; i < t->ninc && rc == 0; i++) {
		sqlite3_reset(inc);
		db_bind_text(inc, 1, t->inc[i].issue_id);
		db_bind_text(inc, 2, t->inc[i].build ? "build" : "test");
		db_bind_int(inc, 3, t->inc[i].ref);
		db_bind_int(inc, 4, t->inc[i].gen);
		rc = db_step(db, inc) < 0 ? -1 : 0;
	}
	for (i = 0; i < t->niss && rc == 0; i++) {
		sqlite3_reset(iss);
		db_bind_text(iss, 1, t->iss[i].id);
		db_bind_int(iss, 2, t->iss[i].gen);
		rc = db_step(db, iss) < 0 ? -1 : 0;
	}
	db_finalize(inc);
	db_finalize(iss);
	return rc;
}

int
store_site_mark_rendered(struct db *db, const struct site_ids *checkouts,
    int all, const struct site_gens *bisections,
    const struct site_triage *triage)
{
	int rc;

	if (db_begin(db) != 0)
		return -1;
	rc = all ? mark_all(db) : mark_some(db, checkouts);
	if (rc == 0)
		rc = mark_bisections(db, bisections);
	if (rc == 0 && !all)
		rc = mark_triage(db, triage);
	if (rc != 0) {
		db_rollback(db);
		return error("cannot record what was rendered");
	}
	return db_commit(db);
}
