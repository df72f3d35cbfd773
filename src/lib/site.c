/*
 * site.c: the static dashboard.
 *
 * Pages, with their JSON twins under api/:
 *   index.html			every tree and branch, its latest checkout
 *   t/<tree>/<branch>.html	a branch's checkout history ('/' -> '~')
 *   c/<id>.html		a checkout: builds, boots, tests, changes
 *   b/<id>.html		a build
 *   x/<key>.html		a test's history on a platform and config
 *   p/index.html, p/<name>.html	platforms
 *   regressions.html		open regressions
 *   feeds/<tree>.atom, feeds/regressions.atom
 *   badges/<tree>-<branch>.svg
 */
#include <pthread.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "html.h"
#include "log.h"
#include "safe.h"
#include "secret.h"
#include "site.h"
#include "strset.h"
#include "util.h"

#define HISTORY		50	/* results on a test page */
#define FLAKY_RUNS	20	/* results the flip rate looks at */
#define FLAKY_RATE	0.3	/* from here on, a test is unstable */
#define TREE_ROWS	200	/* checkouts on a branch's page */
#define SPARK		30	/* checkouts in the sparkline */
#define FEED_ENTRIES	20

struct site {
	const struct config	*cfg;
	struct db		*db;
	struct site_stats	*stats;
	const char		*assets;
	struct strset		*done;		/* test pages rendered */
	pthread_mutex_t		*done_lock;
};

/* ---- output ---- */

static int
emit(struct site *s, const char *rel, const char *data, size_t len)
{
	char *path;
	int r;

	path = fs_join(s->cfg->site_path, rel);
	r = fs_write_if_changed(path, data, len);
	free(path);
	s->stats->pages++;
	if (r > 0)
		s->stats->written++;
	if (r > 0)
		crashpoint("site-page-written");
	return r < 0 ? -1 : 0;
}

static char *
json_rel(const char *rel)
{
	char *j;
	size_t n;

	n = strlen(rel);
	if (str_ends(rel, ".html"))
		n -= strlen(".html");
	j = xasprintf("api/%.*s.json", (int)n, rel);
	return j;
}

/* Write a page and its JSON twin (which this takes over). */
static int
emit_page(struct site *s, const char *rel, const struct buf *html,
    json_t *data)
{
	char *jrel, *text;
	int rc;

	rc = emit(s, rel, html->ptr, html->len);
	jrel = json_rel(rel);
	text = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(9));
	if (text == NULL)
		rc = error("cannot encode %s", jrel);
	else if (emit(s, jrel, text, strlen(text)) != 0)
		rc = -1;
	free(text);
	free(jrel);
	json_decref(data);
	return rc;
}

/* "../" for every directory in rel. */
static char *
root_of(const char *rel)
{
	struct buf b = BUF_INIT;
	const char *p;

	for (p = rel; *p; p++)
		if (*p == '/')
			buf_puts(&b, "../");
	return buf_detach(&b, NULL);
}

static void
href(struct buf *b, const char *root, const char *rel)
{
	buf_puts(b, root);
	url_path(b, rel);
}

static void
link_to(struct buf *b, const char *root, const char *rel, const char *text)
{
	buf_puts(b, "<a href=\"");
	href(b, root, rel);
	buf_puts(b, "\">");
	html_text(b, text);
	buf_puts(b, "</a>");
}

static void
page_begin(struct buf *b, const struct site *s, const char *rel,
    const char *title, const char *root)
{
	char *jrel;

	jrel = json_rel(rel);
	html_raw(b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>");
	html_text(b, title);
	html_raw(b, " \xe2\x80\x93 ");
	html_text(b, s->cfg->site_title);
	html_raw(b, "</title>\n<link rel=\"stylesheet\" href=\"");
	href(b, root, "style.css");
	html_raw(b, "\">\n<link rel=\"alternate\" type=\"application/json\" "
	    "href=\"");
	href(b, root, jrel);
	html_raw(b, "\">\n<link rel=\"alternate\" "
	    "type=\"application/atom+xml\" title=\"Regressions\" href=\"");
	href(b, root, "feeds/regressions.atom");
	html_raw(b, "\">\n<script defer src=\"");
	href(b, root, "filter.js");
	html_raw(b, "\"></script>\n</head>\n<body>\n<header><nav>"
	    "<a class=\"home\" href=\"");
	href(b, root, "index.html");
	html_raw(b, "\">");
	html_text(b, s->cfg->site_title);
	html_raw(b, "</a> <a href=\"");
	href(b, root, "index.html");
	html_raw(b, "\">Trees</a> <a href=\"");
	href(b, root, "regressions.html");
	html_raw(b, "\">Regressions</a> <a href=\"");
	href(b, root, "p/index.html");
	html_raw(b, "\">Platforms</a> <a class=\"json\" href=\"");
	href(b, root, jrel);
	html_raw(b, "\">JSON</a></nav></header>\n<main>\n");
	free(jrel);
}

static void
page_end(struct buf *b)
{
	html_raw(b, "</main>\n<footer>Rendered by Maestrino from its state "
	    "database. Every page has a JSON twin under <code>api/</code>."
	    "</footer>\n</body>\n</html>\n");
}

static void
status_cell(struct buf *b, const char *status)
{
	buf_addf(b, "<td class=\"st %s\">%s ", html_status_class(status),
	    html_status_symbol(status));
	html_text(b, status ? status : "RUNNING");
	html_raw(b, "</td>");
}

static void
time_el(struct buf *b, long long t)
{
	char iso[40], shown[40];
	struct tm tm;
	time_t tt;

	if (t <= 0) {
		html_raw(b, "\xe2\x80\x94");
		return;
	}
	tt = (time_t)t;
	gmtime_r(&tt, &tm);
	time_rfc3339(tt, iso, sizeof(iso));
	strftime(shown, sizeof(shown), "%Y-%m-%d %H:%M", &tm);
	buf_addf(b, "<time datetime=\"%s\">%s UTC</time>", iso, shown);
}

static json_t *
jstr(const char *s)
{
	json_t *j;
	char *clean;

	if (s == NULL)
		return json_null();
	j = json_string(s);
	if (j != NULL)
		return j;
	/* bytes from git or a lab that are not UTF-8: only they go */
	clean = safe_utf8(s, strlen(s), 0);
	j = json_string(clean);
	free(clean);
	return j ? j : json_string("\xef\xbf\xbd");
}

/* Text from a log or a lab, with every secret masked, as element text. */
static void
outside_text(struct buf *b, const char *s)
{
	char *m;

	m = secret_mask(s);
	html_text(b, m);
	free(m);
}



static json_t *
jtime(long long t)
{
	char iso[40];

	if (t <= 0)
		return json_null();
	time_rfc3339((time_t)t, iso, sizeof(iso));
	return json_string(iso);
}

/*
 * File names of the site.  Config names (tree, build, arch, platform)
 * match ^[a-z0-9_-]+$ and go in as they are; config_load() keeps them
 * off the site's own pages (index, regressions).  Names from git and
 * labs (branches, test paths) go through safe_name().  Every name is
 * injective: different keys, different files.
 */
static char *
tree_rel(const char *tree, const char *branch)
{
	char *slug, *rel;

	slug = safe_name(branch, SAFE_NAME_MAX);
	rel = xasprintf("t/%s/%s.html", tree, slug);
	free(slug);
	return rel;
}

static char *
badge_rel(const char *tree, const char *branch)
{
	char *slug, *rel;

	slug = safe_name(branch, SAFE_NAME_MAX);
	rel = xasprintf("badges/%s/%s.svg", tree, slug);
	free(slug);
	return rel;
}

/*
 * The page of a test key: x/<tree>/<branch>/<config>.<arch>.<platform>/
 * <path>.html ('.' is in no config name; "~" for no platform).
 */
static char *
test_rel(const char *tree, const char *branch, const char *config,
    const char *arch, const char *platform, const char *path)
{
	char *b, *p, *rel;

	b = safe_name(branch, SAFE_NAME_MAX);
	p = safe_name(path, SAFE_NAME_MAX);
	rel = xasprintf("x/%s/%s/%s.%s.%s/%s.html", tree, b, config,
	    arch ? arch : "~", platform ? platform : "~", p);
	free(b);
	free(p);
	return rel;
}

/*
 * The version of the site's file names, kept in <data_dir>/site-layout.
 * 2: badges/<tree>/<branch>.svg, x/<tree>/<branch>/<key>/<path>.html,
 * branches through safe_name().  A site of another layout is rendered
 * again whole, and the directories whose names changed are removed.
 */
#define SITE_LAYOUT	"2"

static int
rc_layout(const struct config *cfg, int *all)
{
	static const char *const renamed[] = { "x", "badges", "api/x" };
	struct buf b = BUF_INIT;
	char *path, *dir;
	size_t i;
	int rc;

	path = config_data_path(cfg, "site-layout");
	rc = 0;
	if (buf_read_file(&b, path) == 0 && strcmp(b.ptr, SITE_LAYOUT) == 0)
		goto out;
	if (!*all)
		info("the site's file names changed (layout %s): rendering "
		    "'%s' again whole", SITE_LAYOUT, cfg->site_path);
	*all = 1;
	for (i = 0; i < ARRAY_SIZE(renamed) && rc == 0; i++) {
		dir = fs_join(cfg->site_path, renamed[i]);
		rc = fs_remove_tree(dir);
		free(dir);
	}
out:
	buf_release(&b);
	free(path);
	return rc;
}

static int
layout_done(const struct config *cfg)
{
	char *path;
	int rc;

	path = config_data_path(cfg, "site-layout");
	rc = fs_write_if_changed(path, SITE_LAYOUT, strlen(SITE_LAYOUT)) < 0 ?
	    -1 : 0;
	free(path);
	return rc;
}

/* ---- data ---- */

struct counts {
	long	b[3];	/* builds: pass, fail, other */
	long	r[3];	/* boots */
	long	t[3];	/* tests */
};

static int
slot(const char *status)
{
	if (status != NULL && strcmp(status, "PASS") == 0)
		return 0;
	if (status != NULL && strcmp(status, "FAIL") == 0)
		return 1;
	return 2;
}

static void
counts_of(struct db *db, long long checkout, struct counts *c)
{
	sqlite3_stmt *st;

	memset(c, 0, sizeof(*c));
	st = db_cached(db, "SELECT status, COUNT(*) FROM build WHERE "
	    "checkout_id = ? GROUP BY status");
	if (st != NULL) {
		db_bind_int(st, 1, checkout);
		while (db_step(db, st) == 1)
			c->b[slot(db_col_text(st, 0))] += (long)db_col_int(st,
			    1);
	}
	db_done(st);
	st = db_cached(db, "SELECT t.path = 'boot', t.status, COUNT(*) FROM "
	    "test t JOIN build b ON b.id = t.build_id WHERE b.checkout_id = ? "
	    "GROUP BY 1, 2");
	if (st != NULL) {
		db_bind_int(st, 1, checkout);
		while (db_step(db, st) == 1) {
			long *to = db_col_int(st, 0) ? c->r : c->t;

			to[slot(db_col_text(st, 1))] += (long)db_col_int(st, 2);
		}
	}
	db_done(st);
}

static void
counts_cells(struct buf *b, const long v[3])
{
	buf_addf(b, "<td class=\"num\"><span class=\"pass\">%ld \xe2\x9c\x94"
	    "</span> <span class=\"fail\">%ld \xe2\x9c\x98</span> "
	    "<span class=\"other\">%ld ?</span></td>", v[0], v[1], v[2]);
}

static json_t *
counts_json(const struct counts *c)
{
	json_t *o;
	const long *v[3];
	const char *names[3] = { "builds", "boots", "tests" };
	int i;

	v[0] = c->b;
	v[1] = c->r;
	v[2] = c->t;
	o = json_object();
	for (i = 0; i < 3; i++)
		json_object_set_new(o, names[i], json_pack("{s:i,s:i,s:i}",
		    "pass", (json_int_t)v[i][0], "fail", (json_int_t)v[i][1],
		    "inconclusive", (json_int_t)v[i][2]));
	return o;
}

struct checkout {
	long long	 id;
	char		*tree;
	char		*branch;
	char		*url;
	char		*commit;
	char		*describe;
	char		*subject;
	char		*author;
	char		*tags;
	long long	 commit_time;
	long long	 created;
	char		*tarball_url;
	long long	 tarball_size;
	char		*tarball_sha;
	char		*tarball_state;
	char		*tarball_error;
	int		 is_tip;
};

static void
checkout_release(struct checkout *c)
{
	free(c->tree);
	free(c->branch);
	free(c->url);
	free(c->commit);
	free(c->describe);
	free(c->subject);
	free(c->author);
	free(c->tags);
	free(c->tarball_url);
	free(c->tarball_sha);
	free(c->tarball_state);
	free(c->tarball_error);
	memset(c, 0, sizeof(*c));
}

static int
checkout_load(struct db *db, long long id, struct checkout *c)
{
	sqlite3_stmt *st;
	int r;

	memset(c, 0, sizeof(*c));
	st = db_cached(db, "SELECT id, tree, branch, url, commit_hash, "
	    "describe, subject, author_name, tags, commit_time, created, "
	    "tarball_url, tarball_size, tarball_sha256, tarball_state, "
	    "tarball_error, is_tip FROM checkout WHERE id = ?");
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
		c->author = db_col_dup(st, 7);
		c->tags = db_col_dup(st, 8);
		c->commit_time = db_col_int(st, 9);
		c->created = db_col_int(st, 10);
		c->tarball_url = db_col_dup(st, 11);
		c->tarball_size = db_col_int(st, 12);
		c->tarball_sha = db_col_dup(st, 13);
		c->tarball_state = db_col_dup(st, 14);
		c->tarball_error = db_col_dup(st, 15);
		c->is_tip = (int)db_col_int(st, 16);
	}
	db_done(st);
	return r == 1 ? 0 : -1;
}

static long long
previous_checkout(struct db *db, const struct checkout *c)
{
	sqlite3_stmt *st;
	long long id;

	id = 0;
	st = db_cached(db, "SELECT id FROM checkout WHERE tree = ? AND "
	    "branch = ? AND id < ? ORDER BY id DESC LIMIT 1");
	if (st == NULL)
		return 0;
	db_bind_text(st, 1, c->tree);
	db_bind_text(st, 2, c->branch);
	db_bind_int(st, 3, c->id);
	if (db_step(db, st) == 1)
		id = db_col_int(st, 0);
	db_done(st);
	return id;
}

/* A build or a test, with what matching needs. */
struct res {
	long long	 id;
	char		*config;
	char		*arch;
	char		*compiler;	/* builds */
	char		*platform;	/* tests */
	char		*path;		/* tests; "" for builds */
	char		*status;
	char		*kconfig;
	char		*unit;
	char		*log_url;
	double		 value;
	double		 duration;
	int		 has_value;
};

struct reslist {
	struct res	*v;
	size_t		 n;
	size_t		 alloc;
};

static void
reslist_release(struct reslist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].config);
		free(l->v[i].arch);
		free(l->v[i].compiler);
		free(l->v[i].platform);
		free(l->v[i].path);
		free(l->v[i].status);
		free(l->v[i].kconfig);
		free(l->v[i].unit);
		free(l->v[i].log_url);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static char *
dup_or(sqlite3_stmt *st, int i, const char *def)
{
	const char *s;

	s = db_col_text(st, i);
	return xstrdup(s ? s : def);
}

/* Builds of a checkout, in matching order: config, arch, compiler. */
static int
builds_of(struct db *db, long long checkout, struct reslist *l)
{
	sqlite3_stmt *st;
	struct res *r;

	memset(l, 0, sizeof(*l));
	st = db_cached(db, "SELECT id, config_name, coalesce(arch, ''), "
	    "coalesce(compiler, ''), status, kconfig, duration, log_url "
	    "FROM build WHERE checkout_id = ? ORDER BY config_name, arch, "
	    "compiler, id");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, checkout);
	while (db_step(db, st) == 1) {
		xgrow((void **)&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
		r = &l->v[l->n++];
		memset(r, 0, sizeof(*r));
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
	return 0;
}

/* Boots and tests of a checkout, in matching order. */
static int
tests_of(struct db *db, long long checkout, struct reslist *l)
{
	sqlite3_stmt *st;
	struct res *r;

	memset(l, 0, sizeof(*l));
	st = db_cached(db, "SELECT t.id, b.config_name, coalesce(b.arch, "
	    "''), coalesce(t.platform, ''), t.path, t.status, t.number_value, "
	    "t.number_unit, t.log_url, t.duration FROM test t JOIN build b ON "
	    "b.id = t.build_id WHERE b.checkout_id = ? ORDER BY t.path, "
	    "b.config_name, b.arch, t.platform, t.id");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, checkout);
	while (db_step(db, st) == 1) {
		xgrow((void **)&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
		r = &l->v[l->n++];
		memset(r, 0, sizeof(*r));
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
	}
	db_done(st);
	return 0;
}

static int
res_cmp(const struct res *a, const struct res *b)
{
	int c;

	if ((c = strcmp(a->path, b->path)) != 0)
		return c;
	if ((c = strcmp(a->config, b->config)) != 0)
		return c;
	if ((c = strcmp(a->arch, b->arch)) != 0)
		return c;
	if ((c = strcmp(a->compiler, b->compiler)) != 0)
		return c;
	return strcmp(a->platform, b->platform);
}

/* One result's history: newest first. */
struct hist {
	long long	 checkout;
	long long	 ref;		/* test or build id */
	char		*describe;
	char		*status;
	char		*unit;
	char		*log_url;
	long long	 created;
	double		 value;
	int		 has_value;
};

struct histlist {
	struct hist	*v;
	size_t		 n;
	size_t		 alloc;
};

static void
histlist_release(struct histlist *h)
{
	size_t i;

	for (i = 0; i < h->n; i++) {
		free(h->v[i].describe);
		free(h->v[i].status);
		free(h->v[i].unit);
		free(h->v[i].log_url);
	}
	free(h->v);
	memset(h, 0, sizeof(*h));
}

/*
 * The results of r on a branch, newest first: at most limit of them (0
 * for all), from checkouts up to and including checkout upto.
 */
static int
history(struct db *db, const char *tree, const char *branch,
    const struct res *r, int is_build, long long upto, size_t limit,
    struct histlist *h)
{
	sqlite3_stmt *st;
	struct hist *e;

	memset(h, 0, sizeof(*h));
	if (is_build)
		st = db_cached(db, "SELECT c.id, b.id, c.describe, b.status, "
		    "NULL, b.log_url, c.created, NULL FROM checkout c CROSS "
		    "JOIN build b ON b.checkout_id = c.id WHERE c.tree = ?1 AND "
		    "c.branch = ?2 AND c.id <= ?7 AND b.config_name = ?3 AND "
		    "coalesce(b.arch, '') = ?4 AND coalesce(b.compiler, '') = "
		    "?5 ORDER BY c.id DESC, b.id DESC LIMIT ?6");
	else
		st = db_cached(db, "SELECT c.id, t.id, c.describe, t.status, "
		    "t.number_unit, t.log_url, c.created, t.number_value FROM "
		    "checkout c CROSS JOIN build b ON b.checkout_id = c.id "
		    "CROSS JOIN test t ON t.build_id = b.id WHERE c.tree = ?1 "
		    "AND c.branch = ?2 AND c.id <= ?8 AND b.config_name = ?3 AND "
		    "coalesce(b.arch, '') = ?4 AND coalesce(t.platform, '') = "
		    "?5 AND t.path = ?6 ORDER BY c.id DESC, t.id DESC LIMIT ?7");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, tree);
	db_bind_text(st, 2, branch);
	db_bind_text(st, 3, r->config);
	db_bind_text(st, 4, r->arch);
	if (is_build) {
		db_bind_text(st, 5, r->compiler);
		db_bind_int(st, 6, limit ? (long long)limit : -1);
		db_bind_int(st, 7, upto);
	} else {
		db_bind_text(st, 5, r->platform);
		db_bind_text(st, 6, r->path);
		db_bind_int(st, 7, limit ? (long long)limit : -1);
		db_bind_int(st, 8, upto);
	}
	while (db_step(db, st) == 1) {
		xgrow((void **)&h->v, &h->alloc, h->n + 1, sizeof(*h->v));
		e = &h->v[h->n++];
		e->checkout = db_col_int(st, 0);
		e->ref = db_col_int(st, 1);
		e->describe = db_col_dup(st, 2);
		e->status = db_col_dup(st, 3);
		e->unit = db_col_dup(st, 4);
		e->log_url = db_col_dup(st, 5);
		e->created = db_col_int(st, 6);
		e->has_value = !db_col_is_null(st, 7);
		e->value = db_col_double(st, 7);
	}
	db_done(st);
	return 0;
}

double
site_flip_rate(const char *const *statuses, size_t n)
{
	const char *prev;
	size_t i, pairs, flips;

	prev = NULL;
	pairs = flips = 0;
	for (i = 0; i < n; i++) {
		const char *s = statuses[i];

		if (s == NULL || (strcmp(s, "PASS") != 0 &&
		    strcmp(s, "FAIL") != 0))
			continue;
		if (prev != NULL) {
			pairs++;
			if (strcmp(prev, s) != 0)
				flips++;
		}
		prev = s;
	}
	return pairs ? (double)flips / (double)pairs : 0;
}

static double
flakiness(const struct histlist *h)
{
	const char *st[FLAKY_RUNS] = { NULL };
	size_t i, n;

	n = h->n < FLAKY_RUNS ? h->n : FLAKY_RUNS;
	for (i = 0; i < n; i++)
		st[i] = h->v[i].status;
	return site_flip_rate(st, n);
}

static int
is_unstable(double rate, size_t runs)
{
	return runs >= 4 && rate >= FLAKY_RATE;
}

/* The current failing streak: its first checkout and the last pass. */
static void
streak(const struct histlist *h, const struct hist **first_fail,
    const struct hist **last_pass)
{
	size_t i;

	*first_fail = *last_pass = NULL;
	for (i = 0; i < h->n; i++) {
		const char *s = h->v[i].status;

		if (s != NULL && strcmp(s, "FAIL") == 0) {
			if (*last_pass == NULL)
				*first_fail = &h->v[i];
		} else if (s != NULL && strcmp(s, "PASS") == 0) {
			if (*last_pass == NULL)
				*last_pass = &h->v[i];
			break;
		}
	}
}

/* ---- changes since the previous checkout ---- */

static const char *const kinds[] = {
	"regression", "unstable", "new failure", "fixed", "still failing",
	"new pass", "appeared", "disappeared"
};

struct change {
	int			 kind;	/* index in kinds */
	const char		*what;	/* build, boot, test */
	const struct res	*now;
	const struct res	*before;
	double			 flip;
};

struct changelist {
	struct change	*v;
	size_t		 n;
	size_t		 alloc;
};

static int
is(const char *s, const char *v)
{
	return s != NULL && strcmp(s, v) == 0;
}

static int
change_kind(const struct res *before, const struct res *now)
{
	if (before == NULL && now == NULL)
		return -1;
	if (before == NULL)
		return is(now->status, "FAIL") ? 2 : is(now->status, "PASS") ?
		    5 : 6;
	if (now == NULL)
		return 7;
	if (is(before->status, "PASS") && is(now->status, "FAIL"))
		return 0;
	if (is(before->status, "FAIL") && is(now->status, "PASS"))
		return 3;
	if (is(before->status, "FAIL") && is(now->status, "FAIL"))
		return 4;
	return -1;
}

static void
diff(struct site *s, const struct checkout *c, const struct reslist *now,
    const struct reslist *before, int builds, struct changelist *out)
{
	struct histlist h;
	const struct res *r;
	struct change *ch;
	size_t i, j;
	int cmp, k;

	i = j = 0;
	while (i < now->n || j < before->n) {
		const struct res *a = i < now->n ? &now->v[i] : NULL;
		const struct res *b = j < before->n ? &before->v[j] : NULL;

		cmp = a == NULL ? 1 : b == NULL ? -1 : res_cmp(a, b);
		if (cmp < 0) {
			k = change_kind(NULL, a);
			b = NULL;
			i++;
		} else if (cmp > 0) {
			k = change_kind(b, NULL);
			a = NULL;
			j++;
		} else {
			k = change_kind(b, a);
			i++;
			j++;
		}
		r = a != NULL ? a : b;
		if (k < 0 || r == NULL)
			continue;
		xgrow((void **)&out->v, &out->alloc, out->n + 1,
		    sizeof(*out->v));
		ch = &out->v[out->n++];
		ch->kind = k;
		ch->now = a;
		ch->before = b;
		ch->flip = 0;
		ch->what = builds ? "build" : strcmp(r->path, "boot") == 0 ?
		    "boot" : "test";
		if (k == 0 && a != NULL && history(s->db, c->tree, c->branch, a,
		    builds, c->id, FLAKY_RUNS, &h) == 0) {
			ch->flip = flakiness(&h);
			if (is_unstable(ch->flip, h.n))
				ch->kind = 1;
			histlist_release(&h);
		}
	}
}

static int
change_order(const void *x, const void *y)
{
	const struct change *a = x, *b = y;

	return a->kind - b->kind;
}

static const char *
res_name(const struct res *r, const char *what, struct buf *b)
{
	buf_reset(b);
	if (strcmp(what, "build") == 0)
		buf_addf(b, "%s %s %s", r->config, r->arch, r->compiler);
	else
		buf_addf(b, "%s on %s (%s %s)", r->path, r->platform, r->config,
		    r->arch);
	return b->ptr;
}

/* ---- the checkout page ---- */

static void
res_link(struct buf *b, const char *root, const struct checkout *c,
    const struct res *r, int build, const char *text)
{
	char *rel;

	rel = build ? xasprintf("b/%lld.html", r->id) : test_rel(c->tree,
	    c->branch, r->config, r->arch, r->platform, r->path);
	link_to(b, root, rel, text);
	free(rel);
}

static json_t *
res_json(const struct checkout *c, const struct res *r, int build)
{
	json_t *o;
	char *rel;

	o = json_object();
	json_object_set_new(o, "id", json_integer(r->id));
	json_object_set_new(o, "config", jstr(r->config));
	json_object_set_new(o, "arch", jstr(r->arch));
	json_object_set_new(o, "status", jstr(r->status));
	if (build) {
		json_object_set_new(o, "compiler", jstr(r->compiler));
		json_object_set_new(o, "kconfig", jstr(r->kconfig));
		rel = xasprintf("b/%lld.html", r->id);
	} else {
		json_object_set_new(o, "path", jstr(r->path));
		json_object_set_new(o, "platform", jstr(r->platform));
		if (r->has_value) {
			json_object_set_new(o, "value", json_real(r->value));
			json_object_set_new(o, "unit", jstr(r->unit));
		}
		rel = test_rel(c->tree, c->branch, r->config, r->arch,
		    r->platform, r->path);
	}
	json_object_set_new(o, "page", json_string(rel));
	free(rel);
	return o;
}

static void
changes_section(struct buf *b, const char *root, const struct checkout *c,
    const struct changelist *cl, long long prev, json_t *j)
{
	struct buf name = BUF_INIT;
	json_t *jc, *arr;
	size_t i, count[8];
	int k;

	memset(count, 0, sizeof(count));
	for (i = 0; i < cl->n; i++)
		count[cl->v[i].kind]++;
	jc = json_object();
	for (k = 0; k < 8; k++)
		json_object_set_new(jc, kinds[k], json_array());
	html_raw(b, "<section id=\"changes\"><h2>Changes since ");
	if (prev > 0) {
		char *rel = xasprintf("c/%lld.html", prev);

		link_to(b, root, rel, "the previous checkout");
		free(rel);
	} else {
		html_raw(b, "\xe2\x80\x94 this is the first checkout of "
		    "this branch");
	}
	html_raw(b, "</h2>\n<p class=\"kinds\">");
	for (k = 0; k < 8; k++)
		buf_addf(b, "<span class=\"kind k%d\">%s: %zu</span> ", k,
		    kinds[k], count[k]);
	html_raw(b, "</p>\n");
	if (cl->n > 0) {
		html_raw(b, "<table class=\"filterable changes\"><thead><tr>"
		    "<th>change</th><th>what</th><th>result</th>"
		    "<th>before</th><th>now</th></tr></thead><tbody>\n");
		for (i = 0; i < cl->n; i++) {
			const struct change *ch = &cl->v[i];
			const struct res *r = ch->now ? ch->now : ch->before;

			buf_addf(b, "<tr data-status=\"%s\" data-arch=\"",
			    ch->now && ch->now->status ? ch->now->status :
			    "NONE");
			html_attr(b, r->arch);
			html_raw(b, "\" data-platform=\"");
			html_attr(b, r->platform);
			html_raw(b, "\" data-path=\"");
			html_attr(b, r->path);
			buf_addf(b, "\"><td class=\"kind k%d\">%s</td><td>%s"
			    "</td><td>", ch->kind, kinds[ch->kind], ch->what);
			res_link(b, root, c, r, strcmp(ch->what, "build") == 0,
			    res_name(r, ch->what, &name));
			if (ch->kind == 1)
				buf_addf(b, " <small>flip rate %.2f</small>",
				    ch->flip);
			html_raw(b, "</td>");
			if (ch->before)
				status_cell(b, ch->before->status);
			else
				html_raw(b, "<td>\xe2\x80\x94</td>");
			if (ch->now)
				status_cell(b, ch->now->status);
			else
				html_raw(b, "<td>\xe2\x80\x94</td>");
			html_raw(b, "</tr>\n");
			arr = json_object_get(jc, kinds[ch->kind]);
			{
				json_t *e = res_json(c, r, strcmp(ch->what,
				    "build") == 0);

				json_object_set_new(e, "what",
				    json_string(ch->what));
				json_object_set_new(e, "before", jstr(ch->before
				    ? ch->before->status : NULL));
				json_object_set_new(e, "now", jstr(ch->now ?
				    ch->now->status : NULL));
				if (ch->kind <= 1)
					json_object_set_new(e, "flip_rate",
					    json_real(ch->flip));
				json_array_append_new(arr, e);
			}
		}
		html_raw(b, "</tbody></table>\n");
	}
	html_raw(b, "</section>\n");
	json_object_set_new(j, "previous_checkout", prev > 0 ?
	    json_integer(prev) : json_null());
	json_object_set_new(j, "changes", jc);
	buf_release(&name);
}

static void
build_matrix(struct buf *b, const char *root, const struct checkout *c,
    const struct reslist *builds)
{
	char **arches;
	size_t na, i, j, k;
	struct buf row = BUF_INIT;

	/* the columns: every arch, sorted */
	arches = xcalloc(builds->n + 1, sizeof(*arches));
	na = 0;
	for (i = 0; i < builds->n; i++) {
		for (j = 0; j < na; j++)
			if (strcmp(arches[j], builds->v[i].arch) == 0)
				break;
		if (j == na)
			arches[na++] = builds->v[i].arch;
	}
	for (i = 1; i < na; i++)
		for (j = i; j > 0 && strcmp(arches[j - 1], arches[j]) > 0; j--) {
			char *t = arches[j];

			arches[j] = arches[j - 1];
			arches[j - 1] = t;
		}
	html_raw(b, "<section id=\"builds\"><h2>Builds</h2>\n");
	if (builds->n == 0) {
		html_raw(b, "<p>No builds.</p></section>\n");
		free(arches);
		return;
	}
	html_raw(b, "<table class=\"matrix\"><thead><tr><th>config</th>"
	    "<th>compiler</th>");
	for (j = 0; j < na; j++) {
		html_raw(b, "<th>");
		html_text(b, arches[j]);
		html_raw(b, "</th>");
	}
	html_raw(b, "</tr></thead><tbody>\n");
	/* builds are sorted by config, arch, compiler */
	for (i = 0; i < builds->n; i = k) {
		for (k = i; k < builds->n &&
		    strcmp(builds->v[k].config, builds->v[i].config) == 0 &&
		    strcmp(builds->v[k].compiler, builds->v[i].compiler) == 0;
		    k++)
			;
		html_raw(b, "<tr><th>");
		html_text(b, builds->v[i].config);
		if (builds->v[i].kconfig) {
			html_raw(b, "<br><small>");
			html_text(b, builds->v[i].kconfig);
			html_raw(b, "</small>");
		}
		html_raw(b, "</th><td>");
		html_text(b, builds->v[i].compiler);
		html_raw(b, "</td>");
		for (j = 0; j < na; j++) {
			const struct res *r = NULL;
			size_t m;

			for (m = i; m < k; m++)
				if (strcmp(builds->v[m].arch, arches[j]) == 0)
					r = &builds->v[m];
			if (r == NULL) {
				html_raw(b, "<td></td>");
				continue;
			}
			buf_reset(&row);
			buf_addf(&row, "%s %s", html_status_symbol(r->status),
			    r->status ? r->status : "RUNNING");
			buf_addf(b, "<td class=\"st %s\">",
			    html_status_class(r->status));
			res_link(b, root, c, r, 1, row.ptr);
			html_raw(b, "</td>");
		}
		html_raw(b, "</tr>\n");
	}
	html_raw(b, "</tbody></table></section>\n");
	free(arches);
	buf_release(&row);
}

static void
result_row(struct buf *b, const char *root, const struct checkout *c,
    const struct res *r)
{
	html_raw(b, "<tr data-status=\"");
	html_attr(b, r->status ? r->status : "RUNNING");
	html_raw(b, "\" data-arch=\"");
	html_attr(b, r->arch);
	html_raw(b, "\" data-platform=\"");
	html_attr(b, r->platform);
	html_raw(b, "\" data-path=\"");
	html_attr(b, r->path);
	html_raw(b, "\"><td>");
	res_link(b, root, c, r, 0, r->path);
	html_raw(b, "</td><td>");
	html_text(b, r->platform);
	html_raw(b, "</td><td>");
	html_text(b, r->config);
	html_raw(b, "</td><td>");
	html_text(b, r->arch);
	html_raw(b, "</td>");
	status_cell(b, r->status);
	html_raw(b, "<td class=\"num\">");
	if (r->has_value) {
		buf_addf(b, "%g ", r->value);
		html_text(b, r->unit);
	}
	html_raw(b, "</td><td>");
	if (r->log_url) {
		html_raw(b, "<a href=\"");
		html_href(b, r->log_url);
		html_raw(b, "\">log</a>");
	}
	html_raw(b, "</td></tr>\n");
}

#define RESULT_HEAD	"<thead><tr><th>test</th><th>platform</th>" \
	"<th>config</th><th>arch</th><th>status</th><th>value</th>" \
	"<th>log</th></tr></thead>"

static void
tests_section(struct buf *b, const char *root, const struct checkout *c,
    const struct reslist *tests)
{
	size_t i, k, n[3];
	const char *dot;
	struct buf suite = BUF_INIT, next = BUF_INIT;

	html_raw(b, "<section id=\"boots\"><h2>Boots by platform</h2>\n"
	    "<table class=\"filterable\">" RESULT_HEAD "<tbody>\n");
	for (i = 0; i < tests->n; i++)
		if (strcmp(tests->v[i].path, "boot") == 0)
			result_row(b, root, c, &tests->v[i]);
	html_raw(b, "</tbody></table></section>\n");

	html_raw(b, "<section id=\"tests\"><h2>Tests by suite</h2>\n"
	    "<table class=\"suites\"><thead><tr><th>suite</th><th>results"
	    "</th></tr></thead><tbody>\n");
	for (i = 0; i < tests->n; i = k) {
		buf_reset(&suite);
		dot = strchr(tests->v[i].path, '.');
		buf_add(&suite, tests->v[i].path, dot ? (size_t)(dot -
		    tests->v[i].path) : strlen(tests->v[i].path));
		memset(n, 0, sizeof(n));
		for (k = i; k < tests->n; k++) {
			buf_reset(&next);
			dot = strchr(tests->v[k].path, '.');
			buf_add(&next, tests->v[k].path, dot ? (size_t)(dot -
			    tests->v[k].path) : strlen(tests->v[k].path));
			if (strcmp(next.ptr, suite.ptr) != 0)
				break;
			n[slot(tests->v[k].status)]++;
		}
		if (strcmp(suite.ptr, "boot") == 0)
			continue;
		html_raw(b, "<tr><td><a href=\"#suite-");
		html_attr(b, suite.ptr);
		html_raw(b, "\">");
		html_text(b, suite.ptr);
		html_raw(b, "</a></td>");
		{
			long v[3] = { (long)n[0], (long)n[1], (long)n[2] };

			counts_cells(b, v);
		}
		html_raw(b, "</tr>\n");
	}
	html_raw(b, "</tbody></table>\n<table class=\"filterable\">"
	    RESULT_HEAD "<tbody>\n");
	buf_reset(&suite);
	for (i = 0; i < tests->n; i++) {
		if (strcmp(tests->v[i].path, "boot") == 0)
			continue;
		buf_reset(&next);
		dot = strchr(tests->v[i].path, '.');
		buf_add(&next, tests->v[i].path, dot ? (size_t)(dot -
		    tests->v[i].path) : strlen(tests->v[i].path));
		if (strcmp(next.ptr, suite.ptr) != 0) {
			buf_reset(&suite);
			buf_puts(&suite, next.ptr);
			html_raw(b, "<tr class=\"suite\" id=\"suite-");
			html_attr(b, suite.ptr);
			html_raw(b, "\"><th colspan=\"7\">");
			html_text(b, suite.ptr);
			html_raw(b, "</th></tr>\n");
		}
		result_row(b, root, c, &tests->v[i]);
	}
	html_raw(b, "</tbody></table></section>\n");
	buf_release(&suite);
	buf_release(&next);
}

static json_t *
checkout_json(const struct checkout *c)
{
	json_t *o;

	o = json_object();
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "tree", jstr(c->tree));
	json_object_set_new(o, "branch", jstr(c->branch));
	json_object_set_new(o, "url", jstr(c->url));
	json_object_set_new(o, "commit", jstr(c->commit));
	json_object_set_new(o, "describe", jstr(c->describe));
	json_object_set_new(o, "subject", jstr(c->subject));
	json_object_set_new(o, "author", jstr(c->author));
	json_object_set_new(o, "tags", jstr(c->tags));
	json_object_set_new(o, "commit_time", jtime(c->commit_time));
	json_object_set_new(o, "found", jtime(c->created));
	json_object_set_new(o, "tarball_url", jstr(c->tarball_url));
	json_object_set_new(o, "tarball_sha256", jstr(c->tarball_sha));
	json_object_set_new(o, "tip", json_boolean(c->is_tip));
	return o;
}

static int
render_checkout(struct site *s, long long id)
{
	struct reslist builds, tests, pbuilds, ptests;
	struct changelist cl;
	struct checkout c;
	struct counts cnt;
	struct buf b = BUF_INIT, t = BUF_INIT;
	json_t *j, *arr;
	long long prev;
	char *rel, *root, *trel;
	size_t i;
	int rc;

	if (checkout_load(s->db, id, &c) != 0)
		return 0;
	memset(&cl, 0, sizeof(cl));
	builds_of(s->db, id, &builds);
	tests_of(s->db, id, &tests);
	prev = previous_checkout(s->db, &c);
	memset(&pbuilds, 0, sizeof(pbuilds));
	memset(&ptests, 0, sizeof(ptests));
	if (prev > 0) {
		builds_of(s->db, prev, &pbuilds);
		tests_of(s->db, prev, &ptests);
	}
	/* the first checkout of a branch has nothing to change from */
	if (prev > 0) {
		diff(s, &c, &builds, &pbuilds, 1, &cl);
		diff(s, &c, &tests, &ptests, 0, &cl);
	}
	if (cl.n > 1)
		qsort(cl.v, cl.n, sizeof(*cl.v), change_order);
	counts_of(s->db, id, &cnt);

	rel = xasprintf("c/%lld.html", id);
	root = root_of(rel);
	buf_addf(&t, "%s/%s %s", c.tree, c.branch, c.describe);
	page_begin(&b, s, rel, t.ptr, root);
	html_raw(&b, "<h1>");
	trel = tree_rel(c.tree, c.branch);
	buf_reset(&t);
	buf_addf(&t, "%s/%s", c.tree, c.branch);
	link_to(&b, root, trel, t.ptr);
	html_raw(&b, " <span class=\"describe\">");
	html_text(&b, c.describe);
	html_raw(&b, "</span></h1>\n<p class=\"subject\">");
	html_text(&b, c.subject);
	html_raw(&b, "</p>\n<dl class=\"facts\"><dt>commit</dt><dd><code>");
	html_text(&b, c.commit);
	html_raw(&b, "</code></dd><dt>author</dt><dd>");
	html_text(&b, c.author);
	html_raw(&b, "</dd><dt>committed</dt><dd>");
	time_el(&b, c.commit_time);
	html_raw(&b, "</dd><dt>found</dt><dd>");
	time_el(&b, c.created);
	html_raw(&b, "</dd><dt>tags</dt><dd>");
	html_text(&b, c.tags && *c.tags ? c.tags : "\xe2\x80\x94");
	html_raw(&b, "</dd><dt>repository</dt><dd>");
	html_text(&b, c.url);
	html_raw(&b, "</dd><dt>tarball</dt><dd>");
	if (c.tarball_url != NULL) {
		html_raw(&b, "<a href=\"");
		html_href(&b, c.tarball_url);
		buf_addf(&b, "\">%lld bytes</a> sha256 <code>", c.tarball_size);
		html_text(&b, c.tarball_sha);
		html_raw(&b, "</code>");
	} else {
		html_text(&b, c.tarball_error ? c.tarball_error :
		    c.tarball_state);
	}
	html_raw(&b, "</dd></dl>\n<table class=\"summary\"><tr><th>builds</th>"
	    "<th>boots</th><th>tests</th></tr><tr>");
	counts_cells(&b, cnt.b);
	counts_cells(&b, cnt.r);
	counts_cells(&b, cnt.t);
	html_raw(&b, "</tr></table>\n");

	j = checkout_json(&c);
	json_object_set_new(j, "counts", counts_json(&cnt));
	changes_section(&b, root, &c, &cl, prev, j);
	build_matrix(&b, root, &c, &builds);
	tests_section(&b, root, &c, &tests);
	page_end(&b);
	arr = json_array();
	for (i = 0; i < builds.n; i++)
		json_array_append_new(arr, res_json(&c, &builds.v[i], 1));
	json_object_set_new(j, "builds", arr);
	arr = json_array();
	for (i = 0; i < tests.n; i++)
		json_array_append_new(arr, res_json(&c, &tests.v[i], 0));
	json_object_set_new(j, "tests", arr);
	rc = emit_page(s, rel, &b, j);
	s->stats->checkouts++;
	free(cl.v);
	reslist_release(&builds);
	reslist_release(&tests);
	reslist_release(&pbuilds);
	reslist_release(&ptests);
	checkout_release(&c);
	buf_release(&b);
	buf_release(&t);
	free(rel);
	free(root);
	free(trel);
	return rc;
}

/* ---- the build page ---- */

static int
render_build(struct site *s, long long id)
{
	sqlite3_stmt *st;
	struct checkout c;
	struct buf b = BUF_INIT, t = BUF_INIT;
	json_error_t e;
	json_t *j, *misc, *arts, *v;
	const char *k, *status;
	char *rel, *root, *crel;
	int rc;

	st = db_cached(s->db, "SELECT checkout_id, config_name, arch, "
	    "coalesce(compiler_version, compiler), kconfig, status, duration, "
	    "start_time, log_url, config_url, log_excerpt, artifacts, misc, "
	    "job_id FROM build WHERE id = ?");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, id);
	if (db_step(s->db, st) != 1 || checkout_load(s->db, db_col_int(st, 0),
	    &c) != 0) {
		db_done(st);
		return 0;
	}
	rel = xasprintf("b/%lld.html", id);
	root = root_of(rel);
	status = db_col_text(st, 5);
	buf_addf(&t, "%s %s %s", db_col_text(st, 1), db_col_text(st, 2) ?
	    db_col_text(st, 2) : "", c.describe);
	page_begin(&b, s, rel, t.ptr, root);
	misc = db_col_text(st, 12) ? json_loads(db_col_text(st, 12), 0, &e) :
	    NULL;
	arts = db_col_text(st, 11) ? json_loads(db_col_text(st, 11), 0, &e) :
	    NULL;
	html_raw(&b, "<h1>Build ");
	html_text(&b, db_col_text(st, 1));
	html_raw(&b, " <span class=\"describe\">");
	html_text(&b, db_col_text(st, 2));
	html_raw(&b, "</span></h1>\n<p>of ");
	crel = xasprintf("c/%lld.html", c.id);
	buf_reset(&t);
	buf_addf(&t, "%s/%s %s", c.tree, c.branch, c.describe);
	link_to(&b, root, crel, t.ptr);
	html_raw(&b, "</p>\n<table class=\"facts\"><tr><th>status</th>");
	status_cell(&b, status);
	html_raw(&b, "</tr><tr><th>duration</th><td>");
	if (!db_col_is_null(st, 6)) {
		char d[32];

		time_human(db_col_double(st, 6), d, sizeof(d));
		html_text(&b, d);
	}
	html_raw(&b, "</td></tr><tr><th>started</th><td>");
	time_el(&b, db_col_int(st, 7));
	html_raw(&b, "</td></tr><tr><th>compiler</th><td>");
	html_text(&b, db_col_text(st, 3));
	html_raw(&b, "</td></tr><tr><th>config</th><td>");
	html_text(&b, db_col_text(st, 4));
	html_raw(&b, "</td></tr><tr><th>warnings</th><td>");
	v = json_object_get(misc, "warnings");
	if (json_is_integer(v))
		buf_addf(&b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	html_raw(&b, "</td></tr>");
	v = json_object_get(misc, "error_msg");
	if (json_is_string(v)) {
		html_raw(&b, "<tr><th>error</th><td>");
		outside_text(&b, json_string_value(json_object_get(misc,
		    "error_code")));
		html_raw(&b, ": ");
		outside_text(&b, json_string_value(v));
		html_raw(&b, "</td></tr>");
	}
	html_raw(&b, "</table>\n");
	v = json_object_get(misc, "reproducer");
	if (json_is_string(v)) {
		html_raw(&b, "<h2>Reproduce</h2>\n<pre class=\"repro\">");
		outside_text(&b, json_string_value(v));
		html_raw(&b, "</pre>\n");
	}
	html_raw(&b, "<h2>Artifacts</h2>\n<ul class=\"artifacts\">");
	json_object_foreach(arts, k, v) {
		if (!json_is_string(v))
			continue;
		html_raw(&b, "<li><a href=\"");
		html_href(&b, json_string_value(v));
		html_raw(&b, "\">");
		html_text(&b, k);
		html_raw(&b, "</a></li>");
	}
	html_raw(&b, "</ul>\n<h2>Log excerpt</h2>\n<pre class=\"log\">");
	outside_text(&b, db_col_text(st, 10));
	html_raw(&b, "</pre>\n");
	page_end(&b);
	j = json_object();
	json_object_set_new(j, "id", json_integer(id));
	json_object_set_new(j, "job", jstr(db_col_text(st, 13)));
	json_object_set_new(j, "checkout", checkout_json(&c));
	json_object_set_new(j, "config", jstr(db_col_text(st, 1)));
	json_object_set_new(j, "arch", jstr(db_col_text(st, 2)));
	json_object_set_new(j, "compiler", jstr(db_col_text(st, 3)));
	json_object_set_new(j, "kconfig", jstr(db_col_text(st, 4)));
	json_object_set_new(j, "status", jstr(status));
	json_object_set_new(j, "duration", db_col_is_null(st, 6) ?
	    json_null() : json_real(db_col_double(st, 6)));
	json_object_set_new(j, "start_time", jtime(db_col_int(st, 7)));
	json_object_set_new(j, "log_url", jstr(db_col_text(st, 8)));
	json_object_set_new(j, "config_url", jstr(db_col_text(st, 9)));
	json_object_set_new(j, "artifacts", arts ? arts : json_object());
	if (misc != NULL)
		secret_mask_json(misc);
	json_object_set_new(j, "misc", misc ? misc : json_object());
	rc = emit_page(s, rel, &b, j);
	db_done(st);
	checkout_release(&c);
	buf_release(&b);
	buf_release(&t);
	free(rel);
	free(root);
	free(crel);
	return rc;
}

/* ---- the test page ---- */

/* The page of test r on a branch, from its history h, newest first. */
static int
render_test(struct site *s, const char *tree, const char *branch,
    const struct res *r, const struct histlist *hl)
{
	const struct hist *first_fail, *last_pass;
	const struct histlist h = *hl;
	struct buf b = BUF_INIT, t = BUF_INIT;
	json_t *j, *arr, *e;
	char *rel, *root, *crel;
	double rate;
	size_t i;
	int rc;

	rate = flakiness(&h);
	streak(&h, &first_fail, &last_pass);
	rel = test_rel(tree, branch, r->config, r->arch, r->platform, r->path);
	root = root_of(rel);
	buf_addf(&t, "%s on %s", r->path, r->platform);
	page_begin(&b, s, rel, t.ptr, root);
	html_raw(&b, "<h1>");
	html_text(&b, r->path);
	html_raw(&b, " <span class=\"describe\">on ");
	html_text(&b, r->platform);
	html_raw(&b, "</span></h1>\n<dl class=\"facts\"><dt>tree</dt><dd>");
	crel = tree_rel(tree, branch);
	buf_reset(&t);
	buf_addf(&t, "%s/%s", tree, branch);
	link_to(&b, root, crel, t.ptr);
	free(crel);
	html_raw(&b, "</dd><dt>build</dt><dd>");
	html_text(&b, r->config);
	html_raw(&b, " ");
	html_text(&b, r->arch);
	html_raw(&b, "</dd><dt>platform</dt><dd>");
	crel = xasprintf("p/%s.html", r->platform);
	link_to(&b, root, crel, r->platform);
	free(crel);
	buf_addf(&b, "</dd><dt>flakiness</dt><dd>flip rate %.2f over the "
	    "last %zu runs%s</dd>", rate, h.n < FLAKY_RUNS ? h.n : FLAKY_RUNS,
	    is_unstable(rate, h.n) ? " \xe2\x80\x94 <strong>unstable"
	    "</strong>" : "");
	html_raw(&b, "<dt>failing since</dt><dd>");
	if (first_fail != NULL) {
		crel = xasprintf("c/%lld.html", first_fail->checkout);
		link_to(&b, root, crel, first_fail->describe);
		free(crel);
	} else {
		html_raw(&b, "\xe2\x80\x94");
	}
	html_raw(&b, "</dd><dt>last passed</dt><dd>");
	if (last_pass != NULL) {
		crel = xasprintf("c/%lld.html", last_pass->checkout);
		link_to(&b, root, crel, last_pass->describe);
		free(crel);
	} else {
		html_raw(&b, "\xe2\x80\x94");
	}
	html_raw(&b, "</dd></dl>\n<h2>History</h2>\n<table class=\"filterable\">"
	    "<thead><tr><th>checkout</th><th>found</th><th>status</th>"
	    "<th>value</th><th>log</th></tr></thead><tbody>\n");
	arr = json_array();
	for (i = 0; i < h.n; i++) {
		const struct hist *x = &h.v[i];

		html_raw(&b, "<tr data-status=\"");
		html_attr(&b, x->status ? x->status : "RUNNING");
		html_raw(&b, "\"><td>");
		crel = xasprintf("c/%lld.html", x->checkout);
		link_to(&b, root, crel, x->describe);
		free(crel);
		html_raw(&b, "</td><td>");
		time_el(&b, x->created);
		html_raw(&b, "</td>");
		status_cell(&b, x->status);
		html_raw(&b, "<td class=\"num\">");
		if (x->has_value) {
			buf_addf(&b, "%g ", x->value);
			html_text(&b, x->unit);
		}
		html_raw(&b, "</td><td>");
		if (x->log_url) {
			html_raw(&b, "<a href=\"");
			html_href(&b, x->log_url);
			html_raw(&b, "\">log</a>");
		}
		html_raw(&b, "</td></tr>\n");
		e = json_object();
		json_object_set_new(e, "checkout", json_integer(x->checkout));
		json_object_set_new(e, "describe", jstr(x->describe));
		json_object_set_new(e, "status", jstr(x->status));
		if (x->has_value)
			json_object_set_new(e, "value", json_real(x->value));
		json_array_append_new(arr, e);
	}
	html_raw(&b, "</tbody></table>\n");
	page_end(&b);
	j = json_object();
	json_object_set_new(j, "tree", jstr(tree));
	json_object_set_new(j, "branch", jstr(branch));
	json_object_set_new(j, "path", jstr(r->path));
	json_object_set_new(j, "platform", jstr(r->platform));
	json_object_set_new(j, "config", jstr(r->config));
	json_object_set_new(j, "arch", jstr(r->arch));
	json_object_set_new(j, "flip_rate", json_real(rate));
	json_object_set_new(j, "unstable", json_boolean(is_unstable(rate,
	    h.n)));
	json_object_set_new(j, "failing_since", first_fail ?
	    json_integer(first_fail->checkout) : json_null());
	json_object_set_new(j, "last_pass", last_pass ?
	    json_integer(last_pass->checkout) : json_null());
	json_object_set_new(j, "history", arr);
	rc = emit_page(s, rel, &b, j);
	buf_release(&b);
	buf_release(&t);
	free(rel);
	free(root);
	return rc;
}



/*
 * The test pages of every key seen in checkout id, once per run; of its
 * tests, only those whose index is part modulo nparts, so that threads
 * can share a checkout.
 */
static int
render_tests_of(struct site *s, long long id, size_t part, size_t nparts)
{
	struct reslist tests;
	struct checkout c;
	char *rel;
	size_t i;
	int rc, fresh;

	if (checkout_load(s->db, id, &c) != 0)
		return 0;
	tests_of(s->db, id, &tests);
	rc = 0;
	for (i = part; i < tests.n && rc == 0; i += nparts) {
		rel = test_rel(c.tree, c.branch, tests.v[i].config,
		    tests.v[i].arch, tests.v[i].platform, tests.v[i].path);
		pthread_mutex_lock(s->done_lock);
		fresh = strset_add(s->done, rel);
		pthread_mutex_unlock(s->done_lock);
		if (fresh) {
			struct histlist h;

			rc = history(s->db, c.tree, c.branch, &tests.v[i], 0,
			    LLONG_MAX, HISTORY, &h);
			if (rc == 0)
				rc = render_test(s, c.tree, c.branch,
				    &tests.v[i], &h);
			histlist_release(&h);
		}
		free(rel);
	}
	reslist_release(&tests);
	checkout_release(&c);
	return rc;
}

/*
 * The test pages of every key ever seen on a branch, for a full render:
 * one pass over the branch's results in key order, newest first, which
 * keeps only one key's history in memory.  The rows and their order are
 * those history() gives for one key, so the pages come out the same.
 */
static int
render_branch_tests(struct site *s, const char *tree, const char *branch)
{
	sqlite3_stmt *st;
	struct histlist h;
	struct res key;
	struct hist *e;
	int r, rc, same;

	st = db_prepare(s->db, "SELECT b.config_name, coalesce(b.arch, ''), "
	    "coalesce(t.platform, ''), t.path, c.id, t.id, c.describe, "
	    "t.status, t.number_unit, t.log_url, c.created, t.number_value "
	    "FROM checkout c JOIN build b ON b.checkout_id = c.id JOIN test "
	    "t ON t.build_id = b.id WHERE c.tree = ? AND c.branch = ? ORDER "
	    "BY 1, 2, 3, 4, c.id DESC, t.id DESC");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, tree);
	db_bind_text(st, 2, branch);
	memset(&h, 0, sizeof(h));
	memset(&key, 0, sizeof(key));
	rc = 0;
	while (rc == 0) {
		r = db_step(s->db, st);
		if (r < 0) {
			rc = -1;
			break;
		}
		same = r == 1 && key.path != NULL &&
		    strcmp(key.config, db_col_text(st, 0)) == 0 &&
		    strcmp(key.arch, db_col_text(st, 1)) == 0 &&
		    strcmp(key.platform, db_col_text(st, 2)) == 0 &&
		    strcmp(key.path, db_col_text(st, 3)) == 0;
		if (!same && key.path != NULL) {
			rc = render_test(s, tree, branch, &key, &h);
			histlist_release(&h);
			free(key.config);
			free(key.arch);
			free(key.platform);
			free(key.path);
			memset(&key, 0, sizeof(key));
		}
		if (r == 0 || rc != 0)
			break;
		if (key.path == NULL) {
			key.config = dup_or(st, 0, "");
			key.arch = dup_or(st, 1, "");
			key.platform = dup_or(st, 2, "");
			key.path = dup_or(st, 3, "");
		}
		if (h.n == HISTORY)
			continue;
		xgrow((void **)&h.v, &h.alloc, h.n + 1, sizeof(*h.v));
		e = &h.v[h.n++];
		e->checkout = db_col_int(st, 4);
		e->ref = db_col_int(st, 5);
		e->describe = db_col_dup(st, 6);
		e->status = db_col_dup(st, 7);
		e->unit = db_col_dup(st, 8);
		e->log_url = db_col_dup(st, 9);
		e->created = db_col_int(st, 10);
		e->has_value = !db_col_is_null(st, 11);
		e->value = db_col_double(st, 11);
	}
	histlist_release(&h);
	free(key.config);
	free(key.arch);
	free(key.platform);
	free(key.path);
	db_finalize(st);
	return rc;
}

/* ---- the branch page ---- */

/* counts: of the checkouts on the page, newest first */
static void
sparkline(struct buf *b, const struct counts *counts, size_t n)
{
	const struct counts *c;
	size_t i, m;
	long pass, fail, all;
	int x, h;

	m = n < SPARK ? n : SPARK;
	buf_addf(b, "<svg class=\"spark\" width=\"%zu\" height=\"24\" "
	    "viewBox=\"0 0 %zu 24\" role=\"img\"><title>pass and fail over "
	    "the last %zu checkouts</title>", m * 6, m * 6, m);
	for (i = 0; i < m; i++) {
		/* oldest on the left */
		c = &counts[m - 1 - i];
		pass = c->b[0] + c->r[0] + c->t[0];
		fail = c->b[1] + c->r[1] + c->t[1];
		all = pass + fail;
		x = (int)i * 6;
		if (all == 0) {
			buf_addf(b, "<rect x=\"%d\" y=\"22\" width=\"5\" "
			    "height=\"2\" class=\"none\"/>", x);
			continue;
		}
		h = (int)(22 * fail / all);
		buf_addf(b, "<rect x=\"%d\" y=\"%d\" width=\"5\" height=\"%d\" "
		    "class=\"pass\"/><rect x=\"%d\" y=\"%d\" width=\"5\" "
		    "height=\"%d\" class=\"fail\"/>", x, 24 - (22 - h),
		    22 - h + 2 > 24 ? 24 : 22 - h, x, 2, h);
	}
	html_raw(b, "</svg>");
}

static int
render_tree(struct site *s, const char *tree, const char *branch)
{
	sqlite3_stmt *st;
	struct counts *cs, c;
	struct buf b = BUF_INIT, t = BUF_INIT;
	json_t *j, *arr, *e;
	long long *ids;
	size_t n, alloc, i;
	char *rel, *root, *crel, *brel;
	int rc;

	st = db_prepare(s->db, "SELECT id FROM checkout WHERE tree = ? AND "
	    "branch = ? ORDER BY id DESC LIMIT ?");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, tree);
	db_bind_text(st, 2, branch);
	db_bind_int(st, 3, TREE_ROWS);
	ids = NULL;
	n = alloc = 0;
	while (db_step(s->db, st) == 1) {
		xgrow((void **)&ids, &alloc, n + 1, sizeof(*ids));
		ids[n++] = db_col_int(st, 0);
	}
	db_finalize(st);
	cs = xcalloc(n ? n : 1, sizeof(*cs));
	for (i = 0; i < n; i++)
		counts_of(s->db, ids[i], &cs[i]);
	rel = tree_rel(tree, branch);
	root = root_of(rel);
	buf_addf(&t, "%s/%s", tree, branch);
	page_begin(&b, s, rel, t.ptr, root);
	html_raw(&b, "<h1>");
	html_text(&b, t.ptr);
	html_raw(&b, " <img class=\"badge\" alt=\"status badge\" src=\"");
	brel = badge_rel(tree, branch);
	href(&b, root, brel);
	free(brel);
	html_raw(&b, "\"></h1>\n<p>");
	sparkline(&b, cs, n);
	html_raw(&b, " <a href=\"");
	crel = xasprintf("feeds/%s.atom", tree);
	href(&b, root, crel);
	free(crel);
	html_raw(&b, "\">Atom feed</a></p>\n<table class=\"filterable\">"
	    "<thead><tr><th>checkout</th><th>subject</th><th>found</th>"
	    "<th>builds</th><th>boots</th><th>tests</th></tr></thead><tbody>\n");
	arr = json_array();
	for (i = 0; i < n; i++) {
		struct checkout co;

		if (checkout_load(s->db, ids[i], &co) != 0)
			continue;
		c = cs[i];
		buf_addf(&b, "<tr data-status=\"%s\"><td>", c.b[1] + c.r[1] +
		    c.t[1] ? "FAIL" : "PASS");
		crel = xasprintf("c/%lld.html", co.id);
		link_to(&b, root, crel, co.describe);
		free(crel);
		html_raw(&b, "</td><td class=\"subject\">");
		html_text(&b, co.subject);
		html_raw(&b, "</td><td>");
		time_el(&b, co.created);
		html_raw(&b, "</td>");
		counts_cells(&b, c.b);
		counts_cells(&b, c.r);
		counts_cells(&b, c.t);
		html_raw(&b, "</tr>\n");
		e = checkout_json(&co);
		json_object_set_new(e, "counts", counts_json(&c));
		json_array_append_new(arr, e);
		checkout_release(&co);
	}
	html_raw(&b, "</tbody></table>\n");
	page_end(&b);
	j = json_object();
	json_object_set_new(j, "tree", jstr(tree));
	json_object_set_new(j, "branch", jstr(branch));
	json_object_set_new(j, "checkouts", arr);
	rc = emit_page(s, rel, &b, j);
	free(cs);
	free(ids);
	buf_release(&b);
	buf_release(&t);
	free(rel);
	free(root);
	return rc;
}

/* ---- badges ---- */

static int
render_badge(struct site *s, const char *tree, const char *branch,
    const struct counts *c)
{
	struct buf b = BUF_INIT, label = BUF_INIT, value = BUF_INIT;
	const char *color;
	char *rel;
	int lw, vw, rc;

	buf_addf(&label, "%s/%s", tree, branch);
	if (c->b[1] || c->r[1]) {
		buf_addf(&value, "%ld failing", c->b[1] + c->r[1]);
		color = "#c62828";
	} else if (c->t[1]) {
		buf_addf(&value, "%ld test failures", c->t[1]);
		color = "#ef6c00";
	} else if (c->b[0] + c->r[0] + c->t[0] > 0) {
		buf_puts(&value, "passing");
		color = "#2e7d32";
	} else {
		buf_puts(&value, "no results");
		color = "#757575";
	}
	lw = (int)label.len * 7 + 10;
	vw = (int)value.len * 7 + 10;
	buf_addf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	    "height=\"20\" role=\"img\" aria-label=\"", lw + vw);
	html_attr(&b, label.ptr);
	html_raw(&b, ": ");
	html_attr(&b, value.ptr);
	buf_addf(&b, "\"><title>");
	html_text(&b, label.ptr);
	html_raw(&b, ": ");
	html_text(&b, value.ptr);
	buf_addf(&b, "</title><rect width=\"%d\" height=\"20\" rx=\"3\" "
	    "fill=\"#555\"/><rect x=\"%d\" width=\"%d\" height=\"20\" "
	    "rx=\"3\" fill=\"%s\"/><g fill=\"#fff\" font-family=\"Verdana,"
	    "DejaVu Sans,sans-serif\" font-size=\"11\"><text x=\"5\" "
	    "y=\"14\">", lw + vw, lw, vw, color);
	html_text(&b, label.ptr);
	buf_addf(&b, "</text><text x=\"%d\" y=\"14\">", lw + 5);
	html_text(&b, value.ptr);
	html_raw(&b, "</text></g></svg>\n");
	rel = badge_rel(tree, branch);
	rc = emit(s, rel, b.ptr, b.len);
	free(rel);
	buf_release(&b);
	buf_release(&label);
	buf_release(&value);
	return rc;
}

/* ---- regressions, across all trees ---- */

struct regression {
	char		*tree;
	char		*branch;
	const char	*what;
	struct res	 r;
	long long	 since;		/* first failing checkout */
	char		*since_describe;
	long long	 since_time;
	long long	 last_pass;
	char		*last_pass_describe;
	double		 flip;
	int		 unstable;
};

struct reglist {
	struct regression	*v;
	size_t			 n;
	size_t			 alloc;
};

static int
reg_newest_first(const void *x, const void *y)
{
	const struct regression *a = x, *b = y;

	if (a->since != b->since)
		return a->since > b->since ? -1 : 1;
	return res_cmp(&a->r, &b->r);
}

static void
copy_res(struct res *dst, const struct res *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->id = src->id;
	dst->config = xstrdup(src->config);
	dst->arch = xstrdup(src->arch);
	dst->compiler = xstrdup(src->compiler);
	dst->platform = xstrdup(src->platform);
	dst->path = xstrdup(src->path);
	dst->status = src->status ? xstrdup(src->status) : NULL;
}

static void
find_open(struct site *s, const struct checkout *c, const struct reslist *l,
    int builds, struct reglist *out)
{
	const struct hist *ff, *lp;
	struct regression *g;
	struct histlist h;
	double flip;
	size_t i;
	int unstable;

	for (i = 0; i < l->n; i++) {
		if (!is(l->v[i].status, "FAIL"))
			continue;
		if (history(s->db, c->tree, c->branch, &l->v[i], builds,
		    c->id, FLAKY_RUNS, &h) != 0)
			continue;
		flip = flakiness(&h);
		unstable = is_unstable(flip, h.n);
		streak(&h, &ff, &lp);
		if (lp == NULL && h.n == FLAKY_RUNS) {
			/* failing for longer: look back to its last pass */
			histlist_release(&h);
			if (history(s->db, c->tree, c->branch, &l->v[i],
			    builds, c->id, 0, &h) != 0)
				continue;
			streak(&h, &ff, &lp);
		}
		if (ff != NULL && lp != NULL) {
			xgrow((void **)&out->v, &out->alloc, out->n + 1,
			    sizeof(*out->v));
			g = &out->v[out->n++];
			g->tree = xstrdup(c->tree);
			g->branch = xstrdup(c->branch);
			g->what = builds ? "build" : strcmp(l->v[i].path,
			    "boot") == 0 ? "boot" : "test";
			copy_res(&g->r, &l->v[i]);
			g->since = ff->checkout;
			g->since_describe = xstrdup(ff->describe ?
			    ff->describe : "");
			g->since_time = ff->created;
			g->last_pass = lp->checkout;
			g->last_pass_describe = xstrdup(lp->describe ?
			    lp->describe : "");
			g->flip = flip;
			g->unstable = unstable;
		}
		histlist_release(&h);
	}
}

static void
reglist_release(struct reglist *l)
{
	struct reslist tmp;
	size_t i;

	tmp.v = xcalloc(l->n + 1, sizeof(*tmp.v));
	tmp.n = l->n;
	tmp.alloc = l->n;
	for (i = 0; i < l->n; i++) {
		tmp.v[i] = l->v[i].r;
		free(l->v[i].tree);
		free(l->v[i].branch);
		free(l->v[i].since_describe);
		free(l->v[i].last_pass_describe);
	}
	reslist_release(&tmp);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void
xml_text(struct buf *b, const char *s)
{
	html_text(b, s);
}

static void
atom_begin(struct buf *b, const struct site *s, const char *title,
    const char *self)
{
	html_raw(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>");
	xml_text(b, s->cfg->site_title);
	html_raw(b, ": ");
	xml_text(b, title);
	html_raw(b, "</title>\n<id>");
	xml_text(b, s->cfg->site_base_url ? s->cfg->site_base_url :
	    "urn:maestrino:");
	xml_text(b, self);
	html_raw(b, "</id>\n");
	if (s->cfg->site_base_url != NULL) {
		html_raw(b, "<link rel=\"self\" href=\"");
		html_attr(b, s->cfg->site_base_url);
		url_path(b, self);
		html_raw(b, "\"/>\n");
	}
}

static void
atom_link(struct buf *b, const struct site *s, const char *rel)
{
	html_raw(b, "<link href=\"");
	if (s->cfg->site_base_url != NULL) {
		html_attr(b, s->cfg->site_base_url);
		url_path(b, rel);
	} else {
		/* relative to the feed, in feeds/ */
		html_raw(b, "../");
		url_path(b, rel);
	}
	html_raw(b, "\"/>");
}

static void
atom_time(struct buf *b, const char *el, long long t)
{
	char iso[40];

	time_rfc3339((time_t)(t > 0 ? t : 0), iso, sizeof(iso));
	buf_addf(b, "<%s>%s</%s>", el, iso, el);
}

static int
render_regressions(struct site *s, const struct reglist *rl)
{
	struct buf b = BUF_INIT, name = BUF_INIT, f = BUF_INIT;
	json_t *j, *e;
	const char *root = "";
	char *crel;
	size_t i;
	int rc;

	page_begin(&b, s, "regressions.html", "Open regressions", root);
	buf_addf(&b, "<h1>Open regressions <small>%zu</small></h1>\n"
	    "<p>Results that passed, then failed, and still fail in the "
	    "latest checkout of their branch, newest first. A result that "
	    "flips often is marked unstable. <a href=\"feeds/regressions.atom"
	    "\">Atom feed</a></p>\n<table class=\"filterable\"><thead><tr>"
	    "<th>since</th><th>tree</th><th>what</th><th>result</th>"
	    "<th>last passed</th><th>flip rate</th></tr></thead><tbody>\n",
	    rl->n);
	j = json_array();
	atom_begin(&f, s, "open regressions", "feeds/regressions.atom");
	atom_time(&f, "updated", rl->n ? rl->v[0].since_time : 0);
	html_raw(&f, "\n");
	for (i = 0; i < rl->n; i++) {
		const struct regression *g = &rl->v[i];
		struct checkout c;

		memset(&c, 0, sizeof(c));
		c.tree = g->tree;
		c.branch = g->branch;
		html_raw(&b, "<tr data-status=\"FAIL\" data-arch=\"");
		html_attr(&b, g->r.arch);
		html_raw(&b, "\" data-platform=\"");
		html_attr(&b, g->r.platform);
		html_raw(&b, "\" data-path=\"");
		html_attr(&b, g->r.path);
		html_raw(&b, "\"><td>");
		crel = xasprintf("c/%lld.html", g->since);
		link_to(&b, root, crel, g->since_describe);
		free(crel);
		html_raw(&b, "</td><td>");
		html_text(&b, g->tree);
		html_raw(&b, "/");
		html_text(&b, g->branch);
		buf_addf(&b, "</td><td>%s%s</td><td>", g->what, g->unstable ?
		    " <span class=\"kind k1\">unstable</span>" : "");
		res_link(&b, root, &c, &g->r, strcmp(g->what, "build") == 0,
		    res_name(&g->r, g->what, &name));
		html_raw(&b, "</td><td>");
		crel = xasprintf("c/%lld.html", g->last_pass);
		link_to(&b, root, crel, g->last_pass_describe);
		free(crel);
		buf_addf(&b, "</td><td class=\"num\">%.2f</td></tr>\n",
		    g->flip);
		e = res_json(&c, &g->r, strcmp(g->what, "build") == 0);
		json_object_set_new(e, "tree", jstr(g->tree));
		json_object_set_new(e, "branch", jstr(g->branch));
		json_object_set_new(e, "what", json_string(g->what));
		json_object_set_new(e, "since", json_integer(g->since));
		json_object_set_new(e, "last_pass", json_integer(g->last_pass));
		json_object_set_new(e, "flip_rate", json_real(g->flip));
		json_object_set_new(e, "unstable", json_boolean(g->unstable));
		json_array_append_new(j, e);
		if (i < 50) {
			html_raw(&f, "<entry><title>");
			xml_text(&f, g->unstable ? "unstable: " :
			    "regression: ");
			xml_text(&f, res_name(&g->r, g->what, &name));
			html_raw(&f, " in ");
			xml_text(&f, g->tree);
			html_raw(&f, "/");
			xml_text(&f, g->branch);
			html_raw(&f, " ");
			xml_text(&f, g->since_describe);
			buf_addf(&f, "</title><id>urn:maestrino:regression:"
			    "%lld:", g->since);
			xml_text(&f, g->what);
			buf_addf(&f, ":%lld</id>", g->r.id);
			crel = xasprintf("c/%lld.html", g->since);
			atom_link(&f, s, crel);
			free(crel);
			atom_time(&f, "updated", g->since_time);
			html_raw(&f, "<summary>last passed in ");
			xml_text(&f, g->last_pass_describe);
			html_raw(&f, "</summary></entry>\n");
		}
	}
	html_raw(&b, "</tbody></table>\n");
	page_end(&b);
	html_raw(&f, "</feed>\n");
	e = json_object();
	json_object_set_new(e, "regressions", j);
	rc = emit_page(s, "regressions.html", &b, e);
	if (emit(s, "feeds/regressions.atom", f.ptr, f.len) != 0)
		rc = -1;
	buf_release(&b);
	buf_release(&f);
	buf_release(&name);
	return rc;
}

/* ---- per-tree feeds ---- */

static int
render_feed(struct site *s, const char *tree)
{
	struct reslist nb, nt, pb, pt;
	struct changelist cl;
	struct buf f = BUF_INIT, name = BUF_INIT;
	sqlite3_stmt *st;
	struct checkout c;
	long long *ids, prev;
	size_t n, alloc, i, k, regs;
	char *self, *crel;
	int rc;

	st = db_prepare(s->db, "SELECT id FROM checkout WHERE tree = ? ORDER "
	    "BY id DESC LIMIT ?");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, tree);
	db_bind_int(st, 2, FEED_ENTRIES);
	ids = NULL;
	n = alloc = 0;
	while (db_step(s->db, st) == 1) {
		xgrow((void **)&ids, &alloc, n + 1, sizeof(*ids));
		ids[n++] = db_col_int(st, 0);
	}
	db_finalize(st);
	self = xasprintf("feeds/%s.atom", tree);
	atom_begin(&f, s, tree, self);
	for (i = 0; i < n; i++) {
		if (checkout_load(s->db, ids[i], &c) != 0)
			continue;
		if (i == 0) {
			atom_time(&f, "updated", c.created);
			html_raw(&f, "\n");
		}
		memset(&cl, 0, sizeof(cl));
		builds_of(s->db, c.id, &nb);
		tests_of(s->db, c.id, &nt);
		prev = previous_checkout(s->db, &c);
		memset(&pb, 0, sizeof(pb));
		memset(&pt, 0, sizeof(pt));
		if (prev > 0) {
			builds_of(s->db, prev, &pb);
			tests_of(s->db, prev, &pt);
		}
		if (prev > 0) {
			diff(s, &c, &nb, &pb, 1, &cl);
			diff(s, &c, &nt, &pt, 0, &cl);
		}
		regs = 0;
		for (k = 0; k < cl.n; k++)
			if (cl.v[k].kind <= 1)
				regs++;
		html_raw(&f, "<entry><title>");
		xml_text(&f, c.branch);
		html_raw(&f, " ");
		xml_text(&f, c.describe);
		buf_addf(&f, ": %zu regressions</title><id>urn:maestrino:"
		    "checkout:%lld</id>", regs, c.id);
		crel = xasprintf("c/%lld.html", c.id);
		atom_link(&f, s, crel);
		free(crel);
		atom_time(&f, "updated", c.created);
		html_raw(&f, "<content type=\"text\">");
		xml_text(&f, c.subject);
		for (k = 0; k < cl.n; k++) {
			const struct change *ch = &cl.v[k];

			if (ch->kind > 1)
				continue;
			html_raw(&f, "\n");
			xml_text(&f, kinds[ch->kind]);
			html_raw(&f, ": ");
			xml_text(&f, res_name(ch->now ? ch->now : ch->before,
			    ch->what, &name));
		}
		html_raw(&f, "</content></entry>\n");
		free(cl.v);
		reslist_release(&nb);
		reslist_release(&nt);
		reslist_release(&pb);
		reslist_release(&pt);
		checkout_release(&c);
	}
	html_raw(&f, "</feed>\n");
	rc = emit(s, self, f.ptr, f.len);
	free(self);
	free(ids);
	buf_release(&f);
	buf_release(&name);
	return rc;
}

/* ---- platforms ---- */

static int
render_platform(struct site *s, const char *platform)
{
	sqlite3_stmt *st;
	struct buf b = BUF_INIT;
	json_t *j, *arr, *e;
	char *rel, *root, *crel;
	long v[3];
	int rc;

	/* newest checkouts first, stopping at the page's rows */
	st = db_prepare(s->db, "SELECT c.id, c.tree, c.branch, c.describe, "
	    "c.created, SUM(t.path = 'boot' AND t.status = 'PASS'), "
	    "SUM(t.path = 'boot' AND t.status = 'FAIL'), SUM(t.path = 'boot' "
	    "AND coalesce(t.status, '') NOT IN ('PASS', 'FAIL')), "
	    "SUM(t.path != 'boot' AND t.status = 'PASS'), SUM(t.path != "
	    "'boot' AND t.status = 'FAIL'), SUM(t.path != 'boot' AND "
	    "coalesce(t.status, '') NOT IN ('PASS', 'FAIL')) FROM checkout c "
	    "CROSS JOIN build b ON b.checkout_id = c.id CROSS JOIN test t ON "
	    "t.build_id = b.id AND t.platform = ? GROUP BY c.id ORDER BY c.id "
	    "DESC LIMIT ?");
	if (st == NULL)
		return -1;
	db_bind_text(st, 1, platform);
	db_bind_int(st, 2, TREE_ROWS);
	rel = xasprintf("p/%s.html", platform);
	root = root_of(rel);
	page_begin(&b, s, rel, platform, root);
	html_raw(&b, "<h1>Platform ");
	html_text(&b, platform);
	html_raw(&b, "</h1>\n<table class=\"filterable\"><thead><tr>"
	    "<th>checkout</th><th>tree</th><th>found</th><th>boots</th>"
	    "<th>tests</th></tr></thead><tbody>\n");
	arr = json_array();
	while (db_step(s->db, st) == 1) {
		buf_addf(&b, "<tr data-status=\"%s\"><td>", db_col_int(st, 6) ||
		    db_col_int(st, 9) ? "FAIL" : "PASS");
		crel = xasprintf("c/%lld.html", db_col_int(st, 0));
		link_to(&b, root, crel, db_col_text(st, 3));
		free(crel);
		html_raw(&b, "</td><td>");
		html_text(&b, db_col_text(st, 1));
		html_raw(&b, "/");
		html_text(&b, db_col_text(st, 2));
		html_raw(&b, "</td><td>");
		time_el(&b, db_col_int(st, 4));
		html_raw(&b, "</td>");
		v[0] = (long)db_col_int(st, 5);
		v[1] = (long)db_col_int(st, 6);
		v[2] = (long)db_col_int(st, 7);
		counts_cells(&b, v);
		v[0] = (long)db_col_int(st, 8);
		v[1] = (long)db_col_int(st, 9);
		v[2] = (long)db_col_int(st, 10);
		counts_cells(&b, v);
		html_raw(&b, "</tr>\n");
		e = json_pack("{s:I,s:s?,s:s?,s:s?,s:I,s:I,s:I,s:I,s:I,s:I}",
		    "checkout", (json_int_t)db_col_int(st, 0), "tree",
		    db_col_text(st, 1), "branch", db_col_text(st, 2),
		    "describe", db_col_text(st, 3), "boots_pass",
		    (json_int_t)db_col_int(st, 5), "boots_fail",
		    (json_int_t)db_col_int(st, 6), "boots_inconclusive",
		    (json_int_t)db_col_int(st, 7), "tests_pass",
		    (json_int_t)db_col_int(st, 8), "tests_fail",
		    (json_int_t)db_col_int(st, 9), "tests_inconclusive",
		    (json_int_t)db_col_int(st, 10));
		if (e != NULL)
			json_array_append_new(arr, e);
	}
	db_finalize(st);
	html_raw(&b, "</tbody></table>\n");
	page_end(&b);
	j = json_object();
	json_object_set_new(j, "platform", jstr(platform));
	json_object_set_new(j, "checkouts", arr);
	rc = emit_page(s, rel, &b, j);
	buf_release(&b);
	free(rel);
	free(root);
	return rc;
}

static int
render_platforms(struct site *s, char **names, size_t n)
{
	struct buf b = BUF_INIT;
	json_t *arr;
	char *rel;
	size_t i;
	int rc;

	page_begin(&b, s, "p/index.html", "Platforms", "../");
	html_raw(&b, "<h1>Platforms</h1>\n<ul class=\"platforms\">\n");
	arr = json_array();
	for (i = 0; i < n; i++) {
		const struct platform_cfg *p = config_platform(s->cfg,
		    names[i]);

		html_raw(&b, "<li>");
		rel = xasprintf("p/%s.html", names[i]);
		link_to(&b, "../", rel, names[i]);
		free(rel);
		if (p != NULL) {
			html_raw(&b, " <small>");
			html_text(&b, p->arch);
			html_raw(&b, ", ");
			html_text(&b, p->device_type);
			html_raw(&b, ", ");
			html_text(&b, p->boot_method);
			html_raw(&b, "</small>");
		}
		html_raw(&b, "</li>\n");
		json_array_append_new(arr, jstr(names[i]));
	}
	html_raw(&b, "</ul>\n");
	page_end(&b);
	rc = emit_page(s, "p/index.html", &b, json_pack("{s:o}", "platforms",
	    arr));
	buf_release(&b);
	return rc;
}

/* ---- the index ---- */

struct branch {
	char		*tree;
	char		*branch;
	long long	 latest;
	int		 changed;
};

static int
render_index(struct site *s, const struct branch *br, size_t n)
{
	sqlite3_stmt *st;
	struct counts c;
	struct buf b = BUF_INIT, t = BUF_INIT;
	json_t *j, *arr, *e;
	char *rel;
	size_t i;
	int rc;

	page_begin(&b, s, "index.html", "Trees", "");
	html_raw(&b, "<h1>");
	html_text(&b, s->cfg->site_title);
	html_raw(&b, "</h1>\n");
	/* trees that could not be polled */
	st = db_prepare(s->db, "SELECT name, last_error FROM tree WHERE "
	    "last_error IS NOT NULL ORDER BY name");
	while (st != NULL && db_step(s->db, st) == 1) {
		html_raw(&b, "<p class=\"notice\">\xe2\x9a\xa0 tree ");
		html_text(&b, db_col_text(st, 0));
		html_raw(&b, ": ");
		html_text(&b, db_col_text(st, 1));
		html_raw(&b, "</p>\n");
	}
	db_finalize(st);
	html_raw(&b, "<table class=\"filterable\"><thead><tr><th>tree</th>"
	    "<th>latest checkout</th><th>found</th><th>builds</th>"
	    "<th>boots</th><th>tests</th><th>status</th></tr></thead>"
	    "<tbody>\n");
	arr = json_array();
	for (i = 0; i < n; i++) {
		struct checkout co;

		if (checkout_load(s->db, br[i].latest, &co) != 0)
			continue;
		counts_of(s->db, co.id, &c);
		buf_addf(&b, "<tr data-status=\"%s\"><td>", c.b[1] + c.r[1] +
		    c.t[1] ? "FAIL" : "PASS");
		rel = tree_rel(br[i].tree, br[i].branch);
		buf_reset(&t);
		buf_addf(&t, "%s/%s", br[i].tree, br[i].branch);
		link_to(&b, "", rel, t.ptr);
		free(rel);
		html_raw(&b, "</td><td>");
		rel = xasprintf("c/%lld.html", co.id);
		link_to(&b, "", rel, co.describe);
		free(rel);
		html_raw(&b, "<br><small class=\"subject\">");
		html_text(&b, co.subject);
		html_raw(&b, "</small></td><td class=\"age\">");
		time_el(&b, co.created);
		html_raw(&b, "</td>");
		counts_cells(&b, c.b);
		counts_cells(&b, c.r);
		counts_cells(&b, c.t);
		html_raw(&b, "<td><img class=\"badge\" alt=\"status badge for ");
		html_attr(&b, t.ptr);
		html_raw(&b, "\" src=\"");
		rel = badge_rel(br[i].tree, br[i].branch);
		href(&b, "", rel);
		free(rel);
		html_raw(&b, "\"></td></tr>\n");
		e = checkout_json(&co);
		json_object_set_new(e, "counts", counts_json(&c));
		json_array_append_new(arr, e);
		if (render_badge(s, br[i].tree, br[i].branch, &c) != 0) {
			checkout_release(&co);
			json_decref(arr);
			buf_release(&b);
			buf_release(&t);
			return -1;
		}
		checkout_release(&co);
	}
	html_raw(&b, "</tbody></table>\n");
	if (n == 0)
		html_raw(&b, "<p>Nothing has been polled yet.</p>\n");
	page_end(&b);
	j = json_object();
	json_object_set_new(j, "title", jstr(s->cfg->site_title));
	json_object_set_new(j, "branches", arr);
	rc = emit_page(s, "index.html", &b, j);
	buf_release(&b);
	buf_release(&t);
	return rc;
}

/* ---- assets ---- */

static int
copy_assets(struct site *s)
{
	static const char *const files[] = { "style.css", "filter.js" };
	struct buf b = BUF_INIT;
	char *p;
	size_t i;
	int rc;

	rc = 0;
	for (i = 0; i < ARRAY_SIZE(files) && rc == 0; i++) {
		p = fs_join(s->assets, files[i]);
		buf_reset(&b);
		if (buf_read_file(&b, p) != 0)
			rc = error("cannot read '%s': %s", p, strerror(errno));
		else
			rc = emit(s, files[i], b.ptr, b.len);
		free(p);
	}
	buf_release(&b);
	return rc;
}

/* ---- what to render ---- */

struct idlist {
	long long	*v;
	size_t		 n;
	size_t		 alloc;
};

static void
ids_add(struct idlist *l, long long id)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->v[i] == id)
			return;
	xgrow((void **)&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = id;
}

static int
ids_query(struct db *db, const char *sql, struct idlist *l)
{
	sqlite3_stmt *st;
	int r;

	st = db_prepare(db, sql);
	if (st == NULL)
		return -1;
	while ((r = db_step(db, st)) == 1)
		ids_add(l, db_col_int(st, 0));
	db_finalize(st);
	return r < 0 ? -1 : 0;
}

static int
mark_rendered(struct db *db, const struct idlist *checkouts, int all)
{
	sqlite3_stmt *st[3];
	size_t i;
	int rc, k;

	if (db_begin(db) != 0)
		return -1;
	if (all) {
		rc = db_exec(db, "UPDATE checkout SET site_gen = gen WHERE gen > "
		    "site_gen; UPDATE build SET site_gen = gen WHERE gen > "
		    "site_gen; UPDATE test SET site_gen = gen WHERE gen > "
		    "site_gen");
		if (rc != 0) {
			db_rollback(db);
			return -1;
		}
		return db_commit(db);
	}
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
	if (rc != 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db);
}

/* The open regressions of a branch, from its latest checkout. */
static int
open_regressions(struct site *s, long long latest, struct reglist *out)
{
	struct reslist nb, nt;
	struct checkout c;

	if (checkout_load(s->db, latest, &c) != 0)
		return 0;
	builds_of(s->db, c.id, &nb);
	tests_of(s->db, c.id, &nt);
	find_open(s, &c, &nb, 1, out);
	find_open(s, &c, &nt, 0, out);
	reslist_release(&nb);
	reslist_release(&nt);
	checkout_release(&c);
	return 0;
}

/* ---- rendering in parallel ---- */

/*
 * The bulk of a render (checkout, build and test pages) is split into
 * tasks that threads take in turn, each thread with its own database
 * connection.  Pages do not depend on one another, so the order in
 * which they are written makes no difference to their bytes.
 */
#define MAX_THREADS	8

enum {
	TASK_TESTS, TASK_CHECKOUT, TASK_BUILDS, TASK_TESTS_OF,
	TASK_BRANCH, TASK_FEED, TASK_PLATFORM, TASK_OPEN
};

struct task {
	int			 kind;
	long long		 id;	/* the checkout */
	const struct branch	*br;	/* TASK_TESTS, _BRANCH, _OPEN */
	size_t			 part;	/* TASK_TESTS_OF */
	const char		*name;	/* TASK_FEED, _PLATFORM */
	struct reglist		*out;	/* TASK_OPEN */
};

#define TEST_PARTS	8	/* tasks for the test pages of a checkout */

struct pool {
	struct task	*v;
	size_t		 n;
	size_t		 alloc;
	size_t		 next;		/* shared: the next task */
	size_t		 finished;	/* shared */
	int		 failed;	/* shared */
};

struct worker {
	struct pool		*pool;
	struct site		 s;
	struct site_stats	 stats;
	pthread_t		 thread;
	int			 main;
};

static void
task_add(struct pool *p, int kind, long long id, const struct branch *br,
    size_t part)
{
	xgrow((void **)&p->v, &p->alloc, p->n + 1, sizeof(*p->v));
	p->v[p->n].kind = kind;
	p->v[p->n].id = id;
	p->v[p->n].br = br;
	p->v[p->n].part = part;
	p->v[p->n].name = NULL;
	p->v[p->n].out = NULL;
	p->n++;
}

static int
render_builds_of(struct site *s, long long checkout)
{
	struct idlist builds;
	sqlite3_stmt *st;
	size_t i;
	int rc;

	memset(&builds, 0, sizeof(builds));
	st = db_cached(s->db, "SELECT id FROM build WHERE checkout_id = ? "
	    "ORDER BY id");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, checkout);
	while (db_step(s->db, st) == 1) {
		xgrow((void **)&builds.v, &builds.alloc, builds.n + 1,
		    sizeof(*builds.v));
		builds.v[builds.n++] = db_col_int(st, 0);
	}
	db_done(st);
	rc = 0;
	for (i = 0; i < builds.n && rc == 0; i++)
		rc = render_build(s, builds.v[i]);
	free(builds.v);
	return rc;
}

static int
run_task(struct site *s, const struct task *t)
{
	switch (t->kind) {
	case TASK_TESTS:
		return render_branch_tests(s, t->br->tree, t->br->branch);
	case TASK_CHECKOUT:
		return render_checkout(s, t->id);
	case TASK_TESTS_OF:
		return render_tests_of(s, t->id, t->part, TEST_PARTS);
	case TASK_BRANCH:
		return render_tree(s, t->br->tree, t->br->branch);
	case TASK_FEED:
		return render_feed(s, t->name);
	case TASK_PLATFORM:
		return render_platform(s, t->name);
	case TASK_OPEN:
		return open_regressions(s, t->br->latest, t->out);
	default:
		return render_builds_of(s, t->id);
	}
}

static void *
work(void *arg)
{
	struct worker *w = arg;
	struct pool *p = w->pool;
	size_t i, done;

	for (;;) {
		if (__atomic_load_n(&p->failed, __ATOMIC_RELAXED))
			break;
		i = __atomic_fetch_add(&p->next, 1, __ATOMIC_RELAXED);
		if (i >= p->n)
			break;
		if (run_task(&w->s, &p->v[i]) != 0) {
			__atomic_store_n(&p->failed, 1, __ATOMIC_RELAXED);
			break;
		}
		done = __atomic_add_fetch(&p->finished, 1, __ATOMIC_RELAXED);
		if (w->main)
			progress_update(done, NULL);
	}
	return NULL;
}

/* Run every task, on as many threads as there are processors. */
static int
run_pool(struct site *s, struct pool *p)
{
	struct worker w[MAX_THREADS];
	long ncpu;
	size_t n, i;

	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	n = ncpu < 1 ? 1 : ncpu > MAX_THREADS ? MAX_THREADS : (size_t)ncpu;
	if (n > p->n)
		n = p->n ? p->n : 1;
	memset(w, 0, sizeof(w));
	progress_start("rendering pages", p->n);
	for (i = 0; i < n; i++) {
		w[i].pool = p;
		w[i].s = *s;
		w[i].s.stats = &w[i].stats;
		w[i].main = i == 0;
		if (i == 0)
			continue;
		/* a thread of its own needs a connection of its own */
		w[i].s.db = db_open(s->db->path, 1);
		if (w[i].s.db == NULL)
			break;
		if (pthread_create(&w[i].thread, NULL, work, &w[i]) != 0) {
			db_close(w[i].s.db);
			break;
		}
	}
	n = i;
	work(&w[0]);
	for (i = 1; i < n; i++) {
		pthread_join(w[i].thread, NULL);
		db_close(w[i].s.db);
	}
	progress_end();
	for (i = 0; i < n; i++) {
		s->stats->checkouts += w[i].stats.checkouts;
		s->stats->pages += w[i].stats.pages;
		s->stats->written += w[i].stats.written;
	}
	return p->failed ? -1 : 0;
}

/* With -v, how long each part of the render took. */
static void
phase(const char *what, double *t0)
{
	double t = now_monotonic();

	debug("%s in %.2f s", what, t - *t0);
	*t0 = t;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
site_render(const struct config *cfg, struct db *db, const char *assets,
    int all, struct site_stats *stats)
{
	struct idlist dirty, platforms_dirty;
	struct pool pool;
	pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
	struct strset done;
	struct reglist regs, *opens;
	struct branch *br;
	struct site s;
	sqlite3_stmt *st;
	double t0;
	char **plats, **trees, *index, *marker;
	size_t nbr, abr, nplat, aplat, ntrees, atrees, i, j;
	int rc;

	t0 = now_monotonic();
	memset(&s, 0, sizeof(s));
	memset(&done, 0, sizeof(done));
	s.done = &done;
	s.done_lock = &done_lock;
	s.cfg = cfg;
	s.db = db;
	s.stats = stats;
	s.assets = assets;
	memset(&dirty, 0, sizeof(dirty));
	memset(&pool, 0, sizeof(pool));
	memset(&platforms_dirty, 0, sizeof(platforms_dirty));
	memset(&regs, 0, sizeof(regs));
	br = NULL;
	nbr = abr = 0;
	plats = trees = NULL;
	nplat = aplat = ntrees = atrees = 0;
	if (fs_mkdir_p(cfg->site_path) != 0)
		return -1;
	/*
	 * A render in progress is marked (in the data dir: nothing but
	 * pages goes in the site), so the next one knows when one was cut
	 * short and sweeps the temporary files it left; walking a large
	 * site every time would cost more than the render.
	 */
	marker = config_data_path(cfg, "site-rendering");
	if (fs_exists(marker)) {
		info("the last render of '%s' was cut short; removing its "
		    "temporary files", cfg->site_path);
		fs_clean_tmp_tree(cfg->site_path);
	} else if (fs_write_atomic(marker, "", 0, 0) != 0) {
		free(marker);
		return -1;
	}
	index = fs_join(cfg->site_path, "index.html");
	if (!fs_exists(index))
		all = 1;
	free(index);
	if (rc_layout(cfg, &all) != 0) {
		free(marker);
		return -1;
	}
	rc = copy_assets(&s);

	/* what changed: checkouts, or their builds, or their tests */
	if (rc == 0)
		rc = ids_query(db, all ? "SELECT id FROM checkout ORDER BY id" :
		    "SELECT id FROM checkout WHERE gen > site_gen UNION "
		    "SELECT checkout_id FROM build WHERE gen > site_gen UNION "
		    "SELECT b.checkout_id FROM test t JOIN build b ON b.id = "
		    "t.build_id WHERE t.gen > t.site_gen", &dirty);
	/* a checkout's page shows changes against the one before it */
	if (rc == 0 && !all) {
		size_t n0 = dirty.n;

		for (i = 0; i < n0; i++) {
			st = db_prepare(db, "SELECT n.id FROM checkout c JOIN "
			    "checkout n ON n.tree = c.tree AND n.branch = "
			    "c.branch AND n.id > c.id WHERE c.id = ? ORDER BY "
			    "n.id LIMIT 1");
			if (st == NULL) {
				rc = -1;
				break;
			}
			db_bind_int(st, 1, dirty.v[i]);
			if (db_step(db, st) == 1)
				ids_add(&dirty, db_col_int(st, 0));
			db_finalize(st);
		}
	}
	/* every branch: its latest checkout; has it changed? */
	st = rc == 0 ? db_prepare(db, "SELECT tree, branch, MAX(id) FROM "
	    "checkout GROUP BY tree, branch ORDER BY tree, branch") : NULL;
	while (st != NULL && db_step(db, st) == 1) {
		xgrow((void **)&br, &abr, nbr + 1, sizeof(*br));
		br[nbr].tree = db_col_dup(st, 0);
		br[nbr].branch = db_col_dup(st, 1);
		br[nbr].latest = db_col_int(st, 2);
		br[nbr].changed = all;
		nbr++;
	}
	db_finalize(st);
	for (j = 0; j < dirty.n && !all; j++) {
		struct checkout c;

		if (checkout_load(db, dirty.v[j], &c) != 0)
			continue;
		for (i = 0; i < nbr; i++)
			if (strcmp(c.tree, br[i].tree) == 0 &&
			    strcmp(c.branch, br[i].branch) == 0)
				br[i].changed = 1;
		checkout_release(&c);
	}
	phase("what changed", &t0);

	/*
	 * Checkout and build pages of what changed; on a full render, the
	 * test pages of every branch too, the largest tasks first.
	 */
	for (i = 0; i < nbr && all; i++)
		task_add(&pool, TASK_TESTS, 0, &br[i], 0);
	/* otherwise, the test pages of what changed */
	for (i = 0; i < dirty.n && !all; i++)
		for (j = 0; j < TEST_PARTS; j++)
			task_add(&pool, TASK_TESTS_OF, dirty.v[i], NULL, j);
	for (i = 0; i < dirty.n; i++)
		task_add(&pool, TASK_CHECKOUT, dirty.v[i], NULL, 0);
	for (i = 0; i < dirty.n; i++)
		task_add(&pool, TASK_BUILDS, dirty.v[i], NULL, 0);
	if (rc == 0)
		rc = run_pool(&s, &pool);
	free(pool.v);
	phase("checkouts, builds and tests", &t0);

	/* the trees whose branches changed */
	for (i = 0; i < nbr; i++) {
		if (!br[i].changed)
			continue;
		for (j = 0; j < ntrees; j++)
			if (strcmp(trees[j], br[i].tree) == 0)
				break;
		if (j == ntrees) {
			xgrow((void **)&trees, &atrees, ntrees + 1,
			    sizeof(*trees));
			trees[ntrees++] = br[i].tree;
		}
	}

	/* platforms: the configured ones and any with results */
	/* (each distinct value with one step of the index) */
	st = rc == 0 ? db_prepare(db, "WITH RECURSIVE p(name) AS (SELECT "
	    "MIN(platform) FROM test UNION ALL SELECT (SELECT MIN(platform) "
	    "FROM test WHERE platform > p.name) FROM p WHERE p.name IS NOT "
	    "NULL) SELECT name FROM p WHERE name IS NOT NULL") : NULL;
	while (st != NULL && db_step(db, st) == 1) {
		xgrow((void **)&plats, &aplat, nplat + 1, sizeof(*plats));
		plats[nplat++] = db_col_dup(st, 0);
	}
	db_finalize(st);
	for (i = 0; i < cfg->nplatforms; i++) {
		for (j = 0; j < nplat; j++)
			if (strcmp(plats[j], cfg->platforms[i].name) == 0)
				break;
		if (j == nplat) {
			xgrow((void **)&plats, &aplat, nplat + 1,
			    sizeof(*plats));
			plats[nplat++] = xstrdup(cfg->platforms[i].name);
		}
	}
	if (nplat > 1)
		qsort(plats, nplat, sizeof(*plats), cmp_str);

	/*
	 * The pages of the branches, trees and platforms that changed, and
	 * the open regressions of every branch, from its latest checkout.
	 */
	opens = xcalloc(nbr ? nbr : 1, sizeof(*opens));
	memset(&pool, 0, sizeof(pool));
	for (i = 0; i < nbr; i++) {
		if (br[i].changed)
			task_add(&pool, TASK_BRANCH, 0, &br[i], 0);
		task_add(&pool, TASK_OPEN, 0, &br[i], 0);
		pool.v[pool.n - 1].out = &opens[i];
	}
	for (i = 0; i < ntrees; i++) {
		task_add(&pool, TASK_FEED, 0, NULL, 0);
		pool.v[pool.n - 1].name = trees[i];
	}
	for (i = 0; i < nplat && rc == 0; i++) {
		int changed = all;

		/* only platforms with results in what changed */
		for (j = 0; j < dirty.n && !changed; j++) {
			st = db_cached(db, "SELECT 1 FROM build b CROSS JOIN "
			    "test t ON t.build_id = b.id AND t.platform = ? "
			    "WHERE b.checkout_id = ? LIMIT 1");
			if (st == NULL)
				break;
			db_bind_text(st, 1, plats[i]);
			db_bind_int(st, 2, dirty.v[j]);
			changed = db_step(db, st) == 1;
			db_done(st);
		}
		if (changed) {
			task_add(&pool, TASK_PLATFORM, 0, NULL, 0);
			pool.v[pool.n - 1].name = plats[i];
		}
	}
	if (rc == 0)
		rc = run_pool(&s, &pool);
	free(pool.v);
	for (i = 0; i < nbr; i++) {
		for (j = 0; j < opens[i].n; j++) {
			xgrow((void **)&regs.v, &regs.alloc, regs.n + 1,
			    sizeof(*regs.v));
			regs.v[regs.n++] = opens[i].v[j];
		}
		free(opens[i].v);
	}
	free(opens);
	phase("branches, feeds, platforms and regressions", &t0);
	if (rc == 0)
		rc = render_platforms(&s, plats, nplat);
	if (regs.n > 1)
		qsort(regs.v, regs.n, sizeof(*regs.v), reg_newest_first);
	if (rc == 0)
		rc = render_regressions(&s, &regs);
	if (rc == 0)
		rc = render_index(&s, br, nbr);
	crashpoint("site-before-mark");
	if (rc == 0)
		rc = mark_rendered(db, &dirty, all);
	if (rc == 0)
		rc = layout_done(cfg);
	if (rc == 0 && unlink(marker) != 0)
		rc = error("cannot remove '%s': %s", marker, strerror(errno));
	free(marker);
	phase("index", &t0);

	reglist_release(&regs);
	strset_release(&done);
	for (i = 0; i < nbr; i++) {
		free(br[i].tree);
		free(br[i].branch);
	}
	free(br);
	for (i = 0; i < nplat; i++)
		free(plats[i]);
	free(plats);
	free(trees);
	free(dirty.v);
	free(platforms_dirty.v);
	return rc;
}
