/*
 * site_issue.c: the issues of the triage (issues/index.html) and the
 * page of each (issues/<id>.html): a known issue of the config or a log
 * signature, what it is, and where it occurs.
 */
#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "html.h"
#include "log.h"
#include "secret.h"
#include "site_page.h"
#include "store_issue.h"
#include "util.h"

#define DAY	86400

/* "known issue", "log signature", and a dropped one says so. */
static const char *
kind_name(const struct issue_row *x)
{
	if (strcmp(x->kind, "signature") == 0)
		return "log signature";
	return x->active ? "known issue" : "known issue, no longer in the "
	    "config";
}

/*
 * Maybe fixed: it had incidents, and none for stale_days before the
 * newest checkout (as `maestrino issues` says, but counting from the
 * newest checkout instead of the clock, so that a page depends only on
 * the database: a whole render gives the bytes of the renders before
 * it).
 */
static int
maybe_fixed(const struct site *s, const struct issue_row *x, long long now)
{
	return x->incidents > 0 && x->last_seen > 0 &&
	    now - x->last_seen > (long long)s->cfg->issue_stale_days * DAY;
}

/* Log text, masked, as element text. */
static void
log_text(struct buf *b, const char *s)
{
	char *m;

	m = secret_mask(s != NULL ? s : "");
	html_text(b, m);
	free(m);
}

static json_t *
log_json(const char *s)
{
	json_t *j;
	char *m;

	if (s == NULL)
		return json_null();
	m = secret_mask(s);
	j = site_jstr(m);
	free(m);
	return j;
}

static void
report_link(struct buf *b, const struct issue_row *x)
{
	if (x->report_url == NULL) {
		html_raw(b, "\xe2\x80\x94");
		return;
	}
	html_raw(b, "<a href=\"");
	html_href(b, x->report_url);
	html_raw(b, "\">");
	html_text(b, x->report_url);
	html_raw(b, "</a>");
}

/* The columns of an issue every page shows, in JSON. */
static json_t *
issue_json(const struct issue_row *x)
{
	json_t *o;
	char *rel;

	rel = site_issue_rel(x->id);
	o = json_object();
	json_object_set_new(o, "id", site_jstr(x->id));
	json_object_set_new(o, "kind", site_jstr(x->kind));
	json_object_set_new(o, "title", log_json(x->title));
	json_object_set_new(o, "page", site_jstr(rel));
	json_object_set_new(o, "report_url", site_jstr(x->report_url));
	json_object_set_new(o, "culprit", site_jstr(x->culprit));
	json_object_set_new(o, "version", json_integer(x->version));
	json_object_set_new(o, "active", json_boolean(x->active));
	json_object_set_new(o, "incidents", json_integer(x->incidents));
	json_object_set_new(o, "first_seen", site_jtime(x->first_seen));
	json_object_set_new(o, "last_seen", site_jtime(x->last_seen));
	json_object_set_new(o, "checkouts", json_integer(x->checkouts));
	json_object_set_new(o, "platforms", json_integer(x->platforms));
	json_object_set_new(o, "trees", json_integer(x->trees));
	free(rel);
	return o;
}

/* An incident's result: its page, and its name for people. */
static char *
incident_rel(const struct incident_row *n, struct buf *name)
{
	buf_reset(name);
	if (strcmp(n->kind, "build") == 0) {
		buf_addf(name, "build %s %s", n->build ? n->build : "",
		    n->arch ? n->arch : "");
		return xasprintf("b/%lld.html", n->ref);
	}
	buf_addf(name, "%s on %s (%s %s)", n->path ? n->path : "",
	    n->platform ? n->platform : "", n->build ? n->build : "",
	    n->arch ? n->arch : "");
	/* as the test pages name them: no arch or platform is "" */
	return site_test_rel(n->tree, n->branch, n->build ? n->build : "",
	    n->arch ? n->arch : "", n->platform ? n->platform : "",
	    n->path ? n->path : "");
}

static void
incident_row(struct buf *b, const char *root, const struct incident_row *n,
    json_t *arr, struct buf *name)
{
	struct buf t = BUF_INIT;
	char *rel, *crel, *trel;
	json_t *e;

	rel = incident_rel(n, name);
	crel = xasprintf("c/%lld.html", n->checkout_id);
	html_raw(b, "<tr data-status=\"");
	html_attr(b, n->status ? n->status : "RUNNING");
	html_raw(b, "\" data-arch=\"");
	html_attr(b, n->arch ? n->arch : "");
	html_raw(b, "\" data-platform=\"");
	html_attr(b, n->platform ? n->platform : "");
	html_raw(b, "\" data-path=\"");
	html_attr(b, n->path ? n->path : "");
	html_raw(b, "\"><td>");
	site_time_el(b, n->seen);
	html_raw(b, "</td><td>");
	if (n->branch != NULL && n->branch[0] != '\0') {
		trel = site_tree_rel(n->tree, n->branch);
		buf_reset(&t);
		buf_addf(&t, "%s/%s", n->tree, n->branch);
		site_link(b, root, trel, t.ptr);
		free(trel);
	} else {
		html_text(b, n->tree);
	}
	html_raw(b, "</td><td>");
	site_link(b, root, crel, n->describe ? n->describe : "");
	html_raw(b, "</td><td>");
	site_link(b, root, rel, name->ptr);
	html_raw(b, "</td>");
	site_status_cell(b, n->status);
	html_raw(b, "</tr>\n");
	e = json_object();
	json_object_set_new(e, "kind", site_jstr(n->kind));
	json_object_set_new(e, "id", json_integer(n->ref));
	json_object_set_new(e, "page", site_jstr(rel));
	json_object_set_new(e, "checkout", json_integer(n->checkout_id));
	json_object_set_new(e, "tree", site_jstr(n->tree));
	json_object_set_new(e, "branch", site_jstr(n->branch));
	json_object_set_new(e, "describe", site_jstr(n->describe));
	json_object_set_new(e, "config", site_jstr(n->build));
	json_object_set_new(e, "arch", site_jstr(n->arch));
	if (strcmp(n->kind, "test") == 0) {
		json_object_set_new(e, "platform", site_jstr(n->platform));
		json_object_set_new(e, "path", site_jstr(n->path));
	}
	json_object_set_new(e, "status", site_jstr(n->status));
	json_object_set_new(e, "seen", site_jtime(n->seen));
	json_array_append_new(arr, e);
	buf_release(&t);
	free(rel);
	free(crel);
}

/* Where an issue occurs: its present incidents, newest first. */
static int
occurrences(struct site *s, struct buf *b, const char *root,
    const struct issue_row *x, json_t *j)
{
	struct buf name = BUF_INIT;
	struct incident_row *v;
	json_t *arr;
	size_t i, n, shown;

	if (store_incidents(s->db, x->id, ISSUE_INCIDENTS, &v, &n) != 0)
		return error("cannot read the incidents of issue '%s'", x->id);
	arr = json_array();
	buf_addf(b, "<section id=\"occurrences\"><h2>Where it occurs "
	    "<small>%lld</small></h2>\n", x->incidents);
	if (x->incidents == 0)
		html_raw(b, "<p>Nowhere now.</p>\n");
	else
		html_raw(b, "<table class=\"filterable\"><thead><tr>"
		    "<th>seen</th><th>tree</th><th>checkout</th>"
		    "<th>result</th><th>status</th></tr></thead><tbody>\n");
	for (i = shown = 0; i < n; i++) {
		/* present ones come first; the rest no longer match */
		if (!v[i].present)
			break;
		incident_row(b, root, &v[i], arr, &name);
		shown++;
	}
	if (x->incidents > 0)
		html_raw(b, "</tbody></table>\n");
	if ((long long)shown < x->incidents)
		buf_addf(b, "<p>The newest %zu of %lld.</p>\n", shown,
		    x->incidents);
	html_raw(b, "</section>\n");
	json_object_set_new(j, "occurrences", arr);
	store_incidents_free(v, n);
	buf_release(&name);
	return 0;
}

int
site_render_issue(struct site *s, const char *id)
{
	struct issue_row x;
	struct buf b = BUF_INIT;
	json_t *j;
	char *rel, *root, *title;
	int rc;

	rc = store_issue_get(s->db, id, &x);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	rel = site_issue_rel(x.id);
	root = site_root_of(rel);
	title = secret_mask(x.title);
	site_page_begin(&b, s, rel, title, root);
	free(title);
	html_raw(&b, "<h1>");
	log_text(&b, x.title);
	html_raw(&b, " <span class=\"describe\">");
	html_text(&b, kind_name(&x));
	html_raw(&b, "</span></h1>\n<dl class=\"facts\"><dt>id</dt><dd><code>");
	html_text(&b, x.id);
	html_raw(&b, "</code></dd><dt>culprit</dt><dd>");
	html_text(&b, x.culprit);
	html_raw(&b, "</dd><dt>report</dt><dd>");
	report_link(&b, &x);
	buf_addf(&b, "</dd><dt>version</dt><dd>%lld</dd>", x.version);
	if (x.finding_kind != NULL) {
		html_raw(&b, "<dt>finding</dt><dd>");
		html_text(&b, x.finding_kind);
		html_raw(&b, "</dd>");
	}
	html_raw(&b, "<dt>first seen</dt><dd>");
	site_time_el(&b, x.first_seen);
	html_raw(&b, "</dd><dt>last seen</dt><dd>");
	site_time_el(&b, x.last_seen);
	buf_addf(&b, "</dd><dt>seen in</dt><dd>%lld results, %lld checkouts, "
	    "%lld platforms, %lld trees</dd></dl>\n", x.incidents,
	    x.checkouts, x.platforms, x.trees);
	if (x.signature != NULL) {
		html_raw(&b, "<h2>Signature</h2>\n<pre class=\"log\">");
		log_text(&b, x.signature);
		html_raw(&b, "</pre>\n");
	}
	j = issue_json(&x);
	json_object_set_new(j, "created", site_jtime(x.created));
	json_object_set_new(j, "finding_kind", site_jstr(x.finding_kind));
	json_object_set_new(j, "signature", log_json(x.signature));
	rc = occurrences(s, &b, root, &x, j);
	site_page_end(&b);
	if (rc == 0)
		rc = site_emit_page(s, rel, &b, j);
	else
		json_decref(j);
	store_issue_release(&x);
	buf_release(&b);
	free(rel);
	free(root);
	return rc;
}

/* A link to an issue's page, its title as the text. */
static void
issue_link(struct buf *b, const char *root, const struct issue_row *x)
{
	char *rel;

	rel = site_issue_rel(x->id);
	html_raw(b, "<a href=\"");
	site_href(b, root, rel);
	html_raw(b, "\">");
	log_text(b, x->title[0] != '\0' ? x->title : x->id);
	html_raw(b, "</a>");
	free(rel);
}

static void
index_row(struct site *s, struct buf *b, const struct issue_row *x,
    long long now, json_t *arr)
{
	json_t *e;
	int stale;

	stale = maybe_fixed(s, x, now);
	html_raw(b, "<tr><td>");
	issue_link(b, "../", x);
	if (!x->active)
		html_raw(b, " <small>(no longer in the config)</small>");
	html_raw(b, "</td><td>");
	if (x->finding_kind != NULL)
		html_text(b, x->finding_kind);
	else
		report_link(b, x);
	html_raw(b, "</td><td>");
	html_text(b, x->culprit);
	buf_addf(b, "</td><td class=\"num\">%lld</td><td>", x->incidents);
	site_time_el(b, x->first_seen);
	html_raw(b, "</td><td>");
	site_time_el(b, x->last_seen);
	if (stale)
		html_raw(b, " <span class=\"stale\">maybe fixed</span>");
	buf_addf(b, "</td><td class=\"num\">%lld</td><td class=\"num\">"
	    "%lld</td><td class=\"num\">%lld</td></tr>\n", x->checkouts,
	    x->platforms, x->trees);
	e = issue_json(x);
	if (x->finding_kind != NULL)
		json_object_set_new(e, "finding_kind",
		    site_jstr(x->finding_kind));
	json_object_set_new(e, "maybe_fixed", json_boolean(stale));
	json_array_append_new(arr, e);
}

#define INDEX_HEAD "<table><thead><tr><th>issue</th><th>%s</th>" \
	"<th>culprit</th><th>results</th><th>first seen</th>" \
	"<th>last seen</th><th>checkouts</th><th>platforms</th>" \
	"<th>trees</th></tr></thead><tbody>\n"

/* The issues of one kind: a section with their table. */
static void
index_section(struct site *s, struct buf *b, const struct issue_row *v,
    size_t n, const char *kind, long long now, json_t *arr)
{
	int sig = strcmp(kind, "signature") == 0;
	size_t i, count;

	for (i = count = 0; i < n; i++)
		count += strcmp(v[i].kind, kind) == 0;
	buf_addf(b, "<section id=\"%s\"><h2>%s <small>%zu</small></h2>\n",
	    sig ? "signatures" : "known", sig ? "Log signatures" :
	    "Known issues", count);
	if (count == 0) {
		html_raw(b, "<p>None.</p>\n</section>\n");
		return;
	}
	buf_addf(b, INDEX_HEAD, sig ? "finding" : "report");
	for (i = 0; i < n; i++)
		if (strcmp(v[i].kind, kind) == 0)
			index_row(s, b, &v[i], now, arr);
	html_raw(b, "</tbody></table>\n</section>\n");
}

int
site_render_issue_index(struct site *s)
{
	struct issue_row *v;
	struct buf b = BUF_INIT;
	json_t *j, *arr;
	long long now;
	size_t n;
	int rc;

	if (store_site_newest(s->db, &now) != 0)
		return -1;
	if (store_issues(s->db, 0, &v, &n) != 0)
		return error("cannot read the issues");
	arr = json_array();
	site_page_begin(&b, s, "issues/index.html", "Issues", "../");
	buf_addf(&b, "<h1>Issues <small>%zu</small></h1>\n<p>Known issues "
	    "come from the config, and say what a failure they match is; "
	    "log signatures are what the logs of builds and tests said, one "
	    "for each distinct message. Counted over the results that show "
	    "them now, most recently seen first. One not seen for %d days "
	    "before the newest checkout is marked <span class=\"stale\">"
	    "maybe fixed</span>.</p>\n", n, s->cfg->issue_stale_days);
	index_section(s, &b, v, n, "known", now, arr);
	index_section(s, &b, v, n, "signature", now, arr);
	site_page_end(&b);
	j = json_object();
	json_object_set_new(j, "stale_days",
	    json_integer(s->cfg->issue_stale_days));
	json_object_set_new(j, "as_of", site_jtime(now));
	json_object_set_new(j, "issues", arr);
	store_issues_free(v, n);
	rc = site_emit_page(s, "issues/index.html", &b, j);
	buf_release(&b);
	return rc;
}
