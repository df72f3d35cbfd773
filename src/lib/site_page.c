/*
 * site_page.c: the parts every page of the site shares.
 */
#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "fs.h"
#include "html.h"
#include "log.h"
#include "safe.h"
#include "secret.h"
#include "site.h"
#include "site_page.h"
#include "store_checkout.h"
#include "store_issue.h"
#include "util.h"

int
site_emit(struct site *s, const char *rel, const char *data, size_t len)
{
	char *path;
	int r;

	if (s->capture_rel != NULL)
		return 0;
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
int
site_emit_page(struct site *s, const char *rel, const struct buf *html,
    json_t *data)
{
	char *jrel, *text;
	int rc;

	if (s->capture_rel != NULL) {
		if (strcmp(rel, s->capture_rel) == 0 && s->capture == NULL)
			s->capture = data;
		else
			json_decref(data);
		return 0;
	}
	rc = site_emit(s, rel, html->ptr, html->len);
	jrel = json_rel(rel);
	text = json_dumps(data, JSON_COMPACT | JSON_PRESERVE_ORDER |
	    JSON_REAL_PRECISION(9));
	if (text == NULL)
		rc = error("cannot encode %s", jrel);
	else if (site_emit(s, jrel, text, strlen(text)) != 0)
		rc = -1;
	free(text);
	free(jrel);
	json_decref(data);
	return rc;
}

/* ---- retention ---- */

static int
cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

int
site_retired(const struct site *s, long long checkout)
{
	if (s->retired == NULL || s->retired->n == 0)
		return 0;
	return bsearch(&checkout, s->retired->v, s->retired->n,
	    sizeof(*s->retired->v), cmp_ll) != NULL;
}

char *
site_checkout_rel(const struct site *s, long long checkout)
{
	return xasprintf(site_retired(s, checkout) ? "api/c/%lld.json" :
	    "c/%lld.html", checkout);
}

/*
 * A stub is tiny: no navigation, no filter, no data but what it is; it
 * keeps the page's address valid and says where its results went.
 */
int
site_emit_stub(struct site *s, const char *rel, const char *title,
    const char *what, const char *up_rel, const char *up_text, json_t *data)
{
	struct buf b = BUF_INIT;
	char *root, *jrel;
	int rc;

	root = site_root_of(rel);
	jrel = json_rel(rel);
	html_raw(&b, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n<title>");
	html_text(&b, title);
	html_raw(&b, "</title>\n<link rel=\"stylesheet\" href=\"");
	site_href(&b, root, "style.css");
	html_raw(&b, "\">\n<link rel=\"alternate\" type=\"application/json\" "
	    "href=\"");
	site_href(&b, root, jrel);
	html_raw(&b, "\">\n</head>\n<body>\n<main class=\"stub\">\n<h1>");
	html_text(&b, title);
	buf_addf(&b, "</h1>\n<p>%s is older than the %d days this site keeps "
	    "pages for. Its results are in ", what, s->cfg->site_keep_days);
	site_link(&b, root, jrel, "its JSON");
	html_raw(&b, "; see also ");
	if (up_rel != NULL) {
		site_link(&b, root, up_rel, up_text);
		html_raw(&b, " and ");
	}
	site_link(&b, root, "index.html", "every tree");
	html_raw(&b, ".</p>\n</main>\n</body>\n</html>\n");
	rc = site_emit_page(s, rel, &b, data);
	buf_release(&b);
	free(root);
	free(jrel);
	return rc;
}

/* "../" for every directory in rel. */
char *
site_root_of(const char *rel)
{
	struct buf b = BUF_INIT;
	const char *p;

	for (p = rel; *p; p++)
		if (*p == '/')
			buf_puts(&b, "../");
	return buf_detach(&b, NULL);
}

void
site_href(struct buf *b, const char *root, const char *rel)
{
	buf_puts(b, root);
	url_path(b, rel);
}

void
site_link(struct buf *b, const char *root, const char *rel,
    const char *text)
{
	buf_puts(b, "<a href=\"");
	site_href(b, root, rel);
	buf_puts(b, "\">");
	html_text(b, text);
	buf_puts(b, "</a>");
}

void
site_page_begin(struct buf *b, const struct site *s, const char *rel,
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
	site_href(b, root, "style.css");
	html_raw(b, "\">\n<link rel=\"alternate\" type=\"application/json\" "
	    "href=\"");
	site_href(b, root, jrel);
	/* the feed's link and the footer once, not on every page */
	if (strcmp(rel, "index.html") == 0 ||
	    strcmp(rel, "regressions.html") == 0) {
		html_raw(b, "\">\n<link rel=\"alternate\" "
		    "type=\"application/atom+xml\" title=\"Regressions\" "
		    "href=\"");
		site_href(b, root, "feeds/regressions.atom");
	}
	html_raw(b, "\">\n<script defer src=\"");
	site_href(b, root, "filter.js");
	html_raw(b, "\"></script>\n</head>\n<body>\n<header><nav>"
	    "<a class=\"home\" href=\"");
	site_href(b, root, "index.html");
	html_raw(b, "\">");
	html_text(b, s->cfg->site_title);
	html_raw(b, "</a> <a href=\"");
	site_href(b, root, "index.html");
	html_raw(b, "\">Trees</a> <a href=\"");
	site_href(b, root, "regressions.html");
	html_raw(b, "\">Regressions</a> <a href=\"");
	site_href(b, root, "issues/index.html");
	html_raw(b, "\">Issues</a> <a href=\"");
	site_href(b, root, "bisect/index.html");
	html_raw(b, "\">Bisections</a> <a href=\"");
	site_href(b, root, "p/index.html");
	html_raw(b, "\">Platforms</a> <a class=\"json\" href=\"");
	site_href(b, root, jrel);
	html_raw(b, "\">JSON</a></nav></header>\n<main>\n");
	free(jrel);
}

void
site_page_end(struct buf *b)
{
	html_raw(b, "</main>\n</body>\n</html>\n");
}

void
site_page_foot(struct buf *b)
{
	html_raw(b, "</main>\n<footer>Rendered by Maestrino from its state "
	    "database. Every page has a JSON twin under <code>api/</code>."
	    "</footer>\n</body>\n</html>\n");
}

void
site_status_open(struct buf *b, const char *status)
{
	buf_addf(b, "<td class=\"st %s\">%s ", html_status_class(status),
	    html_status_symbol(status));
	html_text(b, status ? status : "RUNNING");
}

void
site_status_cell(struct buf *b, const char *status)
{
	site_status_open(b, status);
	html_raw(b, "</td>");
}

int
site_failing(const char *status)
{
	return status != NULL && (strcmp(status, "FAIL") == 0 ||
	    strcmp(status, "ERROR") == 0);
}

/* ---- triage: known issues and findings ---- */

void
site_known_marks(struct buf *b, const char *root, const struct site_known *k,
    size_t n)
{
	char *rel;
	size_t i;

	for (i = 0; i < n; i++) {
		rel = site_issue_rel(k[i].id);
		html_raw(b, " <span class=\"issue\">\xe2\x9a\x91 ");
		if (k[i].report_url != NULL) {
			html_raw(b, "<a href=\"");
			html_href(b, k[i].report_url);
			html_raw(b, "\">");
			html_text(b, k[i].title);
			html_raw(b, "</a> (");
			site_link(b, root, rel, k[i].id);
			html_raw(b, ")");
		} else {
			site_link(b, root, rel, k[i].title);
		}
		html_raw(b, "</span>");
		free(rel);
	}
}

json_t *
site_known_json(const struct site_known *k, size_t n)
{
	json_t *arr, *e;
	char *rel;
	size_t i;

	arr = json_array();
	for (i = 0; i < n; i++) {
		rel = site_issue_rel(k[i].id);
		e = json_object();
		json_object_set_new(e, "id", site_jstr(k[i].id));
		json_object_set_new(e, "title", site_jstr(k[i].title));
		json_object_set_new(e, "report_url", site_jstr(k[i].report_url));
		json_object_set_new(e, "page", site_jstr(rel));
		json_array_append_new(arr, e);
		free(rel);
	}
	return arr;
}

/*
 * A finding's text from a log: secrets masked, cut to FINDING_TEXT
 * bytes at a character, valid UTF-8.  Caller frees.
 */
static char *
finding_text(const char *s)
{
	char *m, *t;

	m = secret_mask(s != NULL ? s : "");
	t = safe_utf8(m, strlen(m), FINDING_TEXT);
	free(m);
	return t;
}

/* A logsig kind as a CSS class: lowercase letters only, or none. */
static int
kind_class(const char *k)
{
	const char *p;

	if (k == NULL || *k == '\0' || strlen(k) > 32)
		return 0;
	for (p = k; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && *p != '-')
			return 0;
	return 1;
}

void
site_findings_html(struct buf *b, const char *root,
    const struct finding_row *f, size_t n)
{
	char *rel, *t;
	size_t i;

	if (n == 0)
		return;
	buf_addf(b, "<section id=\"findings\"><h2>What the log says "
	    "<small>%zu</small></h2>\n<ol class=\"findings\">\n", n);
	for (i = 0; i < n && i < FINDINGS_SHOWN; i++) {
		/* by position: a page's ids must differ */
		buf_addf(b, "<li id=\"finding-%zu\"><span class=\"finding%s",
		    i, kind_class(f[i].type) ? " " : "");
		if (kind_class(f[i].type))
			html_text(b, f[i].type);
		html_raw(b, "\">");
		html_text(b, f[i].type);
		html_raw(b, "</span> ");
		t = finding_text(f[i].summary);
		if (f[i].issue_id != NULL) {
			rel = site_issue_rel(f[i].issue_id);
			site_link(b, root, rel, t);
			free(rel);
		} else {
			html_text(b, t);
		}
		free(t);
		buf_addf(b, " <small>line %lld", f[i].line);
		if (f[i].count > 1)
			buf_addf(b, ", %lld times", f[i].count);
		if (f[i].file != NULL) {
			html_raw(b, ", ");
			t = finding_text(f[i].file);
			html_text(b, t);
			free(t);
			if (f[i].file_line > 0)
				buf_addf(b, ":%lld", f[i].file_line);
		}
		html_raw(b, "</small>\n<pre class=\"log\">");
		t = finding_text(f[i].lines);
		html_text(b, t);
		free(t);
		html_raw(b, "</pre></li>\n");
	}
	html_raw(b, "</ol>\n");
	if (n > FINDINGS_SHOWN)
		buf_addf(b, "<p>%zu more in the JSON twin.</p>\n",
		    n - FINDINGS_SHOWN);
	html_raw(b, "</section>\n");
}

json_t *
site_findings_json(const struct finding_row *f, size_t n)
{
	json_t *arr, *e;
	char *t;
	size_t i;

	arr = json_array();
	for (i = 0; i < n; i++) {
		e = json_object();
		json_object_set_new(e, "n", json_integer(f[i].n));
		json_object_set_new(e, "kind", site_jstr(f[i].type));
		t = finding_text(f[i].summary);
		json_object_set_new(e, "summary", site_jstr(t));
		free(t);
		json_object_set_new(e, "issue", site_jstr(f[i].issue_id));
		json_object_set_new(e, "line", json_integer(f[i].line));
		json_object_set_new(e, "count", json_integer(f[i].count));
		if (f[i].file != NULL) {
			t = finding_text(f[i].file);
			json_object_set_new(e, "file", site_jstr(t));
			free(t);
			json_object_set_new(e, "file_line",
			    json_integer(f[i].file_line));
		}
		t = finding_text(f[i].lines);
		json_object_set_new(e, "lines", site_jstr(t));
		free(t);
		json_array_append_new(arr, e);
	}
	return arr;
}

const struct finding_row *
site_first_error(const struct finding_row *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (f[i].type != NULL && strcmp(f[i].type, "error") == 0)
			return &f[i];
	return NULL;
}

void
site_time_el(struct buf *b, long long t)
{
	/*
	 * The pages of a render show the same few times many times (a
	 * checkout's on every test page of it): each thread keeps the
	 * elements it made last, by time.
	 */
	static __thread struct {
		long long	t;
		size_t		len;
		char		el[96];
	} made[64];
	char iso[40], shown[40];
	struct tm tm;
	time_t tt;
	size_t k;
	int n;

	if (t <= 0) {
		html_raw(b, "\xe2\x80\x94");
		return;
	}
	k = (size_t)t % ARRAY_SIZE(made);
	if (made[k].t == t && made[k].len > 0) {
		buf_add(b, made[k].el, made[k].len);
		return;
	}
	tt = (time_t)t;
	gmtime_r(&tt, &tm);
	time_rfc3339(tt, iso, sizeof(iso));
	strftime(shown, sizeof(shown), "%Y-%m-%d %H:%M", &tm);
	n = snprintf(made[k].el, sizeof(made[k].el),
	    "<time datetime=\"%s\">%s UTC</time>", iso, shown);
	if (n <= 0 || (size_t)n >= sizeof(made[k].el)) {
		made[k].len = 0;
		buf_addf(b, "<time datetime=\"%s\">%s UTC</time>", iso, shown);
		return;
	}
	made[k].t = t;
	made[k].len = (size_t)n;
	buf_add(b, made[k].el, made[k].len);
}

json_t *
site_jstr(const char *s)
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
void
site_outside_text(struct buf *b, const char *s)
{
	char *m;

	m = secret_mask(s);
	html_text(b, m);
	free(m);
}

json_t *
site_jtime(long long t)
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
char *
site_tree_rel(const char *tree, const char *branch)
{
	char *slug, *rel;

	slug = safe_name(branch, SAFE_NAME_MAX);
	rel = xasprintf("t/%s/%s.html", tree, slug);
	free(slug);
	return rel;
}

char *
site_badge_rel(const char *tree, const char *branch)
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
char *
site_test_rel(const char *tree, const char *branch, const char *config,
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
 * The page of an issue: issues/<id>.html.  Ids are config names or
 * "sig-" and hex, [a-z0-9_-], and go in as they are, as the names of
 * trees and platforms do (KCIDB links an issue's page so).  Any other
 * id (only a database written by hand has one), and "index", the name
 * of the list of issues, which the config lets an issue have, go
 * through safe_name() and begin with '~', which no name has.
 */
char *
site_issue_rel(const char *id)
{
	char *slug, *rel;

	if (*id != '\0' && strlen(id) <= SAFE_NAME_MAX &&
	    str_is_name(id, "_-") && strcmp(id, "index") != 0)
		return xasprintf("issues/%s.html", id);
	slug = safe_name(id, SAFE_NAME_MAX);
	rel = xasprintf("issues/~%s.html", slug);
	free(slug);
	return rel;
}

void
site_counts_cells(struct buf *b, const long v[3])
{
	buf_addf(b, "<td class=\"num\"><span class=\"pass\">%ld \xe2\x9c\x94"
	    "</span> <span class=\"fail\">%ld \xe2\x9c\x98</span> "
	    "<span class=\"other\">%ld ?</span></td>", v[0], v[1], v[2]);
}

json_t *
site_counts_json(const struct site_counts *c)
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

void
site_res_link(struct buf *b, const char *root,
    const struct checkout_row *c, const struct site_res *r, int build,
    const char *text)
{
	char *rel;

	rel = build ? xasprintf("b/%lld.html", r->id) : site_test_rel(c->tree,
	    c->branch, r->config, r->arch, r->platform, r->path);
	site_link(b, root, rel, text);
	free(rel);
}

json_t *
site_res_json(const struct checkout_row *c, const struct site_res *r,
    int build)
{
	json_t *o;
	char *rel;

	o = json_object();
	json_object_set_new(o, "id", json_integer(r->id));
	json_object_set_new(o, "config", site_jstr(r->config));
	json_object_set_new(o, "arch", site_jstr(r->arch));
	json_object_set_new(o, "status", site_jstr(r->status));
	if (build) {
		json_object_set_new(o, "compiler", site_jstr(r->compiler));
		json_object_set_new(o, "kconfig", site_jstr(r->kconfig));
		rel = xasprintf("b/%lld.html", r->id);
	} else {
		json_object_set_new(o, "path", site_jstr(r->path));
		if (r->plan != NULL && *r->plan != '\0')
			json_object_set_new(o, "plan", site_jstr(r->plan));
		json_object_set_new(o, "platform", site_jstr(r->platform));
		if (r->has_value) {
			json_object_set_new(o, "value", json_real(r->value));
			json_object_set_new(o, "unit", site_jstr(r->unit));
		}
		rel = site_test_rel(c->tree, c->branch, r->config, r->arch,
		    r->platform, r->path);
	}
	json_object_set_new(o, "page", json_string(rel));
	if (r->log_url != NULL)
		json_object_set_new(o, "log_url", site_jstr(r->log_url));
	free(rel);
	return o;
}

json_t *
site_checkout_json(const struct checkout_row *c)
{
	json_t *o;

	o = json_object();
	json_object_set_new(o, "id", json_integer(c->id));
	json_object_set_new(o, "tree", site_jstr(c->tree));
	json_object_set_new(o, "branch", site_jstr(c->branch));
	json_object_set_new(o, "url", site_jstr(c->url));
	json_object_set_new(o, "commit", site_jstr(c->commit));
	json_object_set_new(o, "describe", site_jstr(c->describe));
	json_object_set_new(o, "subject", site_jstr(c->subject));
	json_object_set_new(o, "author", site_jstr(c->author_name));
	json_object_set_new(o, "tags", site_jstr(c->tags));
	json_object_set_new(o, "commit_time", site_jtime(c->commit_time));
	json_object_set_new(o, "found", site_jtime(c->created));
	json_object_set_new(o, "tarball_url", site_jstr(c->tarball_url));
	json_object_set_new(o, "tarball_sha256", site_jstr(c->tarball_sha256));
	json_object_set_new(o, "tip", json_boolean(c->is_tip));
	json_object_set_new(o, "kind", site_jstr(c->kind != NULL ? c->kind :
	    "head"));
	if (c->kind != NULL && strcmp(c->kind, "head") != 0) {
		json_error_t e;
		json_t *p, *v, *pub;
		size_t i;

		/* commit is the base; the patches go on top of it */
		json_object_set_new(o, "ref", site_jstr(c->ref));
		json_object_set_new(o, "patchset_hash",
		    site_jstr(c->patchset_hash != NULL ? c->patchset_hash :
		    ""));
		json_object_set_new(o, "patched_commit",
		    site_jstr(c->source_commit));
		p = c->patches != NULL ? json_loads(c->patches, 0, &e) : NULL;
		pub = json_array();
		json_array_foreach(p, i, v) {
			json_t *x = json_object();

			json_object_set(x, "name", json_object_get(v, "name"));
			json_object_set(x, "url", json_object_get(v, "url"));
			json_object_set(x, "sha256",
			    json_object_get(v, "sha256"));
			json_object_set(x, "subjects",
			    json_object_get(v, "subjects"));
			json_array_append_new(pub, x);
		}
		json_decref(p);
		json_object_set_new(o, "patches", pub);
	}
	return o;
}

void
site_xml_text(struct buf *b, const char *s)
{
	html_text(b, s);
}

void
site_atom_begin(struct buf *b, const struct site *s, const char *title,
    const char *self)
{
	html_raw(b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	    "<feed xmlns=\"http://www.w3.org/2005/Atom\">\n<title>");
	site_xml_text(b, s->cfg->site_title);
	html_raw(b, ": ");
	site_xml_text(b, title);
	html_raw(b, "</title>\n<id>");
	site_xml_text(b, s->cfg->site_base_url ? s->cfg->site_base_url :
	    "urn:maestrino:");
	site_xml_text(b, self);
	html_raw(b, "</id>\n");
	if (s->cfg->site_base_url != NULL) {
		html_raw(b, "<link rel=\"self\" href=\"");
		html_attr(b, s->cfg->site_base_url);
		url_path(b, self);
		html_raw(b, "\"/>\n");
	}
}

void
site_atom_link(struct buf *b, const struct site *s, const char *rel)
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

void
site_atom_time(struct buf *b, const char *el, long long t)
{
	char iso[40];

	time_rfc3339((time_t)(t > 0 ? t : 0), iso, sizeof(iso));
	buf_addf(b, "<%s>%s</%s>", el, iso, el);
}

