/*
 * site_bisect.c: the bisections (bisect/index.html) and the page of
 * each (bisect/<id>.html): the regression, good and bad, each step with
 * its checkout, the checks, the outcome and the culprit; their entries
 * in a tree's feed; and the JSON document of a bisection, which is the
 * page's twin and what `maestrino bisect --json` prints.
 */
#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "html.h"
#include "log.h"
#include "site.h"
#include "site_page.h"
#include "store_bisect.h"
#include "store_checkout.h"
#include "util.h"

#define SHORT_ID	12	/* hex digits of a commit shown in a table */

/* A bisection with everything its page shows. */
struct bview {
	struct bisection_row		 b;
	struct bisection_step_row	*steps;
	size_t				 nsteps;
	struct checkout_row		*sc;	/* each step's; id 0: none */
	struct bisection_result_row	*res;
	size_t				 nres;
	struct checkout_row		 good, bad;	/* id 0: none */
	const char			*subject;	/* the culprit's */
	const char			*author;
	char				*url;		/* commit_url */
};

static void
bview_release(struct bview *v)
{
	size_t i;

	for (i = 0; i < v->nsteps && v->sc != NULL; i++)
		store_checkout_release(&v->sc[i]);
	free(v->sc);
	store_bisect_steps_free(v->steps, v->nsteps);
	store_bisect_results_free(v->res, v->nres);
	store_checkout_release(&v->good);
	store_checkout_release(&v->bad);
	store_bisect_release(&v->b);
	free(v->url);
	memset(v, 0, sizeof(*v));
}

/* Checkout id into c (zeroed when id is 0 or gone); 0 or -1. */
static int
checkout_of(struct db *db, long long id, struct checkout_row *c)
{
	int r;

	memset(c, 0, sizeof(*c));
	if (id <= 0)
		return 0;
	r = store_site_checkout(db, id, c);
	if (r != 0)
		memset(c, 0, sizeof(*c));
	return r < 0 ? -1 : 0;
}

/*
 * The culprit's subject and author come from the checkout of the step
 * that tested it (verify-culprit first), or from the bad checkout when
 * the culprit is the bad commit: no git access needed.
 */
static void
culprit_of(struct bview *v)
{
	const struct checkout_row *c = NULL;
	size_t i;

	if (v->b.culprit == NULL)
		return;
	for (i = 0; i < v->nsteps; i++) {
		if (strcmp(v->steps[i].commit, v->b.culprit) != 0 ||
		    v->sc[i].id == 0)
			continue;
		if (c == NULL || strcmp(v->steps[i].role,
		    STEP_VERIFY_CULPRIT) == 0)
			c = &v->sc[i];
	}
	if (c == NULL && v->bad.id != 0 && v->bad.commit != NULL &&
	    strcmp(v->bad.commit, v->b.culprit) == 0)
		c = &v->bad;
	if (c != NULL) {
		v->subject = c->subject;
		v->author = c->author_name;
	}
}

/* 0, 1 when there is no bisection id, -1 after a message. */
static int
bview_load(const struct config *cfg, struct db *db, long long id,
    struct bview *v)
{
	size_t i;
	int r;

	memset(v, 0, sizeof(*v));
	r = store_bisect_get(db, id, &v->b);
	if (r != 0)
		return r < 0 ? error("cannot read bisection %lld", id) : 1;
	if (store_bisect_steps(db, id, &v->steps, &v->nsteps) != 0 ||
	    store_bisect_results(db, id, &v->res, &v->nres) != 0)
		goto fail;
	v->sc = xcalloc(v->nsteps + 1, sizeof(*v->sc));
	for (i = 0; i < v->nsteps; i++)
		if (checkout_of(db, v->steps[i].checkout, &v->sc[i]) != 0)
			goto fail;
	if (checkout_of(db, v->b.good_checkout, &v->good) != 0 ||
	    checkout_of(db, v->b.bad_checkout, &v->bad) != 0)
		goto fail;
	culprit_of(v);
	v->url = config_commit_url(cfg, v->b.tree, v->b.culprit);
	return 0;
fail:
	bview_release(v);
	return error("cannot read bisection %lld", id);
}

/* The outcome when it is done, else where it is. */
static const char *
bstatus(const struct bisection_row *b)
{
	return b->outcome != NULL ? b->outcome : b->state;
}

/* "" from the table stands for no value. */
static json_t *
jopt(const char *s)
{
	return s != NULL && *s != '\0' ? site_jstr(s) : json_null();
}

static json_t *
jid(long long id)
{
	return id > 0 ? json_integer(id) : json_null();
}

static json_t *
bview_json(const struct bview *v)
{
	const struct bisection_row *b = &v->b;
	json_t *o, *arr, *e;
	char *rel;
	size_t i;

	o = json_object();
	json_object_set_new(o, "id", json_integer(b->id));
	json_object_set_new(o, "tree", site_jstr(b->tree));
	json_object_set_new(o, "branch", jopt(b->branch));
	json_object_set_new(o, "build", jopt(b->build));
	json_object_set_new(o, "test", jopt(b->test));
	json_object_set_new(o, "platform", jopt(b->platform));
	json_object_set_new(o, "path", jopt(b->path));
	json_object_set_new(o, "good", site_jstr(b->good));
	json_object_set_new(o, "bad", site_jstr(b->bad));
	json_object_set_new(o, "good_checkout", jid(b->good_checkout));
	json_object_set_new(o, "bad_checkout", jid(b->bad_checkout));
	json_object_set_new(o, "status", site_jstr(bstatus(b)));
	json_object_set_new(o, "state", site_jstr(b->state));
	json_object_set_new(o, "outcome", site_jstr(b->outcome));
	json_object_set_new(o, "reason", site_jstr(b->reason));
	json_object_set_new(o, "culprit", site_jstr(b->culprit));
	json_object_set_new(o, "culprit_subject", site_jstr(v->subject));
	json_object_set_new(o, "culprit_author", site_jstr(v->author));
	json_object_set_new(o, "culprit_url", site_jstr(v->url));
	arr = json_array();
	for (i = 0; i < v->nsteps; i++) {
		const struct bisection_step_row *s = &v->steps[i];

		e = json_object();
		json_object_set_new(e, "n", json_integer(s->n));
		json_object_set_new(e, "role", site_jstr(s->role));
		json_object_set_new(e, "commit", site_jstr(s->commit));
		json_object_set_new(e, "result", site_jstr(s->result));
		json_object_set_new(e, "checkout", jid(s->checkout));
		json_object_set_new(e, "left", jid(s->left));
		json_object_set_new(e, "subject", site_jstr(v->sc[i].id ?
		    v->sc[i].subject : NULL));
		json_object_set_new(e, "detail", site_jstr(s->detail));
		json_array_append_new(arr, e);
	}
	json_object_set_new(o, "steps", arr);
	json_object_set_new(o, "checks", json_pack("{s:o,s:o,s:o}",
	    "confirm", site_jstr(b->confirm), "verify", site_jstr(b->verify),
	    "revert", site_jstr(b->revert)));
	arr = json_array();
	for (i = 0; i < v->nres; i++)
		json_array_append_new(arr, json_pack("{s:s,s:I}", "kind",
		    v->res[i].kind, "id", (json_int_t)v->res[i].ref));
	json_object_set_new(o, "results", arr);
	json_object_set_new(o, "repeat", json_integer(b->repeat));
	json_object_set_new(o, "manual", json_boolean(b->manual));
	json_object_set_new(o, "created", site_jtime(b->created));
	json_object_set_new(o, "finished", site_jtime(b->finished));
	rel = xasprintf("bisect/%lld.html", b->id);
	json_object_set_new(o, "page", json_string(rel));
	free(rel);
	return o;
}

int
site_bisect_doc(const struct config *cfg, struct db *db, long long id,
    json_t **out)
{
	struct bview v;
	int rc;

	*out = NULL;
	rc = bview_load(cfg, db, id, &v);
	if (rc != 0)
		return rc;
	*out = bview_json(&v);
	bview_release(&v);
	return 0;
}

int
site_bisect_list_doc(const struct config *cfg, struct db *db,
    const char *tree, json_t **out)
{
	struct bisection_row *rows;
	json_t *arr, *e;
	size_t i, n;
	int rc;

	*out = NULL;
	if (store_bisect_list(db, tree, 0, &rows, &n) != 0)
		return error("cannot read the bisections");
	arr = json_array();
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		rc = site_bisect_doc(cfg, db, rows[i].id, &e);
		if (rc == 0)
			json_array_append_new(arr, e);
		else if (rc == 1)	/* gone since the list was read */
			rc = 0;
	}
	store_bisect_list_free(rows, n);
	if (rc != 0) {
		json_decref(arr);
		return -1;
	}
	*out = json_pack("{s:o}", "bisections", arr);
	return 0;
}

/* ---- HTML ---- */

/* What was bisected: "build x86" or "boot on qemu (x86)". */
static void
what_text(struct buf *b, const struct bisection_row *r)
{
	if ((r->path == NULL || r->path[0] == '\0') && (r->test == NULL ||
	    r->test[0] == '\0')) {
		html_raw(b, "build ");
		html_text(b, r->build);
		return;
	}
	/* without a path, the whole test plan */
	html_text(b, r->path != NULL && r->path[0] != '\0' ? r->path :
	    r->test);
	html_raw(b, " on ");
	html_text(b, r->platform);
	html_raw(b, " <small>(");
	html_text(b, r->build);
	if (r->test != NULL && r->test[0] != '\0') {
		html_raw(b, ", ");
		html_text(b, r->test);
	}
	html_raw(b, ")</small>");
}

static void
status_el(struct buf *b, const struct bisection_row *r)
{
	const char *st = bstatus(r);

	html_raw(b, "<span class=\"bisect ");
	html_attr(b, st);
	html_raw(b, "\">");
	html_text(b, st);
	html_raw(b, "</span>");
}

/* The first SHORT_ID hex digits of a commit, in <code>. */
static void
short_commit(struct buf *b, const char *commit)
{
	buf_addf(b, "<code>%.*s</code>", SHORT_ID, commit ? commit : "");
}

/* A checkout's page linked with text; the text alone without one. */
static void
checkout_link(struct buf *b, const char *root, long long id,
    const char *text)
{
	char *rel;

	if (id <= 0) {
		html_text(b, text);
		return;
	}
	rel = xasprintf("c/%lld.html", id);
	site_link(b, root, rel, text);
	free(rel);
}

/* Good or bad: the commit, linked to its checkout, and its subject. */
static void
end_fact(struct buf *b, const char *root, const char *name,
    const char *commit, const struct checkout_row *c)
{
	struct buf t = BUF_INIT;

	buf_addf(&t, "%s", commit);
	buf_addf(b, "<dt>%s</dt><dd><code>", name);
	checkout_link(b, root, c->id, t.ptr);
	html_raw(b, "</code>");
	if (c->id != 0) {
		html_raw(b, " ");
		html_text(b, c->describe);
		html_raw(b, " \xe2\x80\x94 ");
		html_text(b, c->subject);
	}
	html_raw(b, "</dd>");
	buf_release(&t);
}

/* The results of the bad checkout that regressed, linked. */
static int
results_fact(struct site *s, struct buf *b, const char *root,
    const struct bview *v)
{
	struct site_reslist builds, tests;
	struct buf name = BUF_INIT;
	const struct site_reslist *l;
	size_t i, k;
	int build, rc;

	html_raw(b, "<dt>regressed</dt><dd>");
	if (v->nres == 0 || v->bad.id == 0) {
		html_raw(b, "\xe2\x80\x94</dd>");
		return 0;
	}
	memset(&builds, 0, sizeof(builds));
	memset(&tests, 0, sizeof(tests));
	rc = store_site_builds(s->db, v->bad.id, &builds);
	if (rc == 0)
		rc = store_site_tests(s->db, v->bad.id, &tests);
	html_raw(b, "<ul class=\"regressed\">");
	for (i = 0; i < v->nres && rc == 0; i++) {
		build = strcmp(v->res[i].kind, "build") == 0;
		l = build ? &builds : &tests;
		for (k = 0; k < l->n; k++)
			if (l->v[k].id == v->res[i].ref)
				break;
		html_raw(b, "<li>");
		if (k == l->n) {
			buf_addf(b, "%s %lld", build ? "build" : "test",
			    v->res[i].ref);
		} else {
			site_res_link(b, root, &v->bad, &l->v[k], build,
			    site_res_name(&l->v[k], site_what(&l->v[k],
			    build), &name));
			html_raw(b, " ");
			html_text(b, l->v[k].status ? l->v[k].status :
			    "RUNNING");
		}
		html_raw(b, "</li>");
	}
	html_raw(b, "</ul></dd>");
	site_reslist_release(&builds);
	site_reslist_release(&tests);
	buf_release(&name);
	return rc;
}

static void
culprit_section(struct buf *b, const struct bview *v)
{
	html_raw(b, "<section id=\"culprit\"><h2>Culprit</h2>\n");
	if (v->b.culprit == NULL) {
		html_raw(b, "<p>None found");
		html_raw(b, v->b.outcome == NULL ? " yet." : ".");
		html_raw(b, "</p></section>\n");
		return;
	}
	html_raw(b, "<dl class=\"facts\"><dt>commit</dt><dd><code>");
	if (v->url != NULL) {
		html_raw(b, "<a href=\"");
		html_href(b, v->url);
		html_raw(b, "\">");
		html_text(b, v->b.culprit);
		html_raw(b, "</a>");
	} else {
		html_text(b, v->b.culprit);
	}
	html_raw(b, "</code></dd><dt>subject</dt><dd class=\"subject\">");
	html_text(b, v->subject ? v->subject : "\xe2\x80\x94");
	html_raw(b, "</dd><dt>author</dt><dd>");
	html_text(b, v->author ? v->author : "\xe2\x80\x94");
	html_raw(b, "</dd></dl></section>\n");
}

static void
checks_section(struct buf *b, const struct bisection_row *r)
{
	const char *names[3] = { "confirm", "verify", "revert" };
	const char *what[3] = {
		"good and bad tested again: good passes, bad fails",
		"the culprit's parent is good, the culprit is bad",
		"the culprit reverted on top of bad passes"
	};
	const char *vals[3];
	int i;

	vals[0] = r->confirm;
	vals[1] = r->verify;
	vals[2] = r->revert;
	html_raw(b, "<section id=\"checks\"><h2>Checks</h2>\n<table>"
	    "<thead><tr><th>check</th><th>what</th><th>result</th></tr>"
	    "</thead><tbody>\n");
	for (i = 0; i < 3; i++) {
		buf_addf(b, "<tr><td>%s</td><td>%s</td><td class=\"check ",
		    names[i], what[i]);
		html_attr(b, vals[i] ? vals[i] : "none");
		html_raw(b, "\">");
		html_text(b, vals[i] ? vals[i] : "not reached");
		html_raw(b, "</td></tr>\n");
	}
	html_raw(b, "</tbody></table></section>\n");
}

static void
steps_section(struct buf *b, const char *root, const struct bview *v)
{
	const struct bisection_step_row *s;
	struct buf t = BUF_INIT;
	size_t i;

	html_raw(b, "<section id=\"steps\"><h2>Steps</h2>\n");
	if (v->nsteps == 0) {
		html_raw(b, "<p>No step yet.</p></section>\n");
		return;
	}
	html_raw(b, "<table class=\"steps\"><thead><tr><th>n</th>"
	    "<th>role</th><th>commit</th><th>subject</th><th>checkout</th>"
	    "<th>left</th><th>result</th></tr></thead><tbody>\n");
	for (i = 0; i < v->nsteps; i++) {
		s = &v->steps[i];
		buf_addf(b, "<tr><td class=\"num\">%d</td><td>", s->n);
		html_text(b, s->role);
		html_raw(b, "</td><td>");
		short_commit(b, s->commit);
		html_raw(b, "</td><td>");
		html_text(b, v->sc[i].id ? v->sc[i].subject : "");
		html_raw(b, "</td><td>");
		buf_reset(&t);
		if (s->checkout > 0)
			buf_addf(&t, "%lld", s->checkout);
		else
			buf_puts(&t, "\xe2\x80\x94");
		checkout_link(b, root, s->checkout, t.ptr);
		html_raw(b, "</td><td class=\"num\">");
		if (s->left > 0)
			buf_addf(b, "%lld", s->left);
		else
			html_raw(b, "\xe2\x80\x94");
		html_raw(b, "</td><td class=\"step ");
		html_attr(b, s->result ? s->result : "running");
		html_raw(b, "\">");
		html_text(b, s->result ? s->result : "running");
		if (s->detail != NULL && s->detail[0] != '\0') {
			html_raw(b, " <small>");
			site_outside_text(b, s->detail);
			html_raw(b, "</small>");
		}
		html_raw(b, "</td></tr>\n");
	}
	html_raw(b, "</tbody></table></section>\n");
	buf_release(&t);
}

/* bisect/<id>.html and its twin. */
static int
render_one(struct site *s, long long id)
{
	struct buf b = BUF_INIT, t = BUF_INIT;
	struct bview v;
	char *rel, *root, *trel;
	int rc;

	rc = bview_load(s->cfg, s->db, id, &v);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	rel = xasprintf("bisect/%lld.html", id);
	root = site_root_of(rel);
	buf_addf(&t, "Bisection %lld", id);
	site_page_begin(&b, s, rel, t.ptr, root);
	buf_addf(&b, "<h1>Bisection %lld ", id);
	status_el(&b, &v.b);
	html_raw(&b, "</h1>\n<p>");
	if (v.b.branch[0] != '\0') {
		trel = site_tree_rel(v.b.tree, v.b.branch);
		buf_reset(&t);
		buf_addf(&t, "%s/%s", v.b.tree, v.b.branch);
		site_link(&b, root, trel, t.ptr);
		free(trel);
	} else {
		html_text(&b, v.b.tree);
	}
	html_raw(&b, ": ");
	what_text(&b, &v.b);
	html_raw(&b, v.b.manual ? ", started by hand" : "");
	html_raw(&b, "</p>\n<section id=\"regression\"><h2>Regression</h2>\n"
	    "<dl class=\"facts\">");
	end_fact(&b, root, "good", v.b.good, &v.good);
	end_fact(&b, root, "bad", v.b.bad, &v.bad);
	rc = results_fact(s, &b, root, &v);
	html_raw(&b, "<dt>state</dt><dd>");
	html_text(&b, v.b.state);
	html_raw(&b, "</dd><dt>outcome</dt><dd>");
	html_text(&b, v.b.outcome ? v.b.outcome : "\xe2\x80\x94");
	if (v.b.reason != NULL) {
		html_raw(&b, " \xe2\x80\x94 ");
		site_outside_text(&b, v.b.reason);
	}
	buf_addf(&b, "</dd><dt>repeat</dt><dd>%d</dd><dt>started</dt><dd>",
	    v.b.repeat);
	site_time_el(&b, v.b.created);
	html_raw(&b, "</dd><dt>finished</dt><dd>");
	site_time_el(&b, v.b.finished);
	html_raw(&b, "</dd></dl></section>\n");
	culprit_section(&b, &v);
	checks_section(&b, &v.b);
	steps_section(&b, root, &v);
	site_page_end(&b);
	if (rc == 0)
		rc = site_emit_page(s, rel, &b, bview_json(&v));
	buf_release(&b);
	buf_release(&t);
	free(rel);
	free(root);
	bview_release(&v);
	return rc;
}

/* bisect/index.html: every bisection, newest first, and its twin. */
static int
render_index(struct site *s)
{
	struct buf b = BUF_INIT, t = BUF_INIT;
	struct bview v;
	json_t *doc, *arr;
	const char *root = "../";
	char *rel;
	size_t i, k, done;
	int rc;

	if (site_bisect_list_doc(s->cfg, s->db, NULL, &doc) != 0)
		return -1;
	arr = json_object_get(doc, "bisections");
	site_page_begin(&b, s, "bisect/index.html", "Bisections", root);
	buf_addf(&b, "<h1>Bisections <small>%zu</small></h1>\n<p>From a "
	    "regression between two checkouts of a branch to the commit "
	    "that caused it, newest first.</p>\n", json_array_size(arr));
	html_raw(&b, "<table class=\"bisections\"><thead><tr><th>id</th>"
	    "<th>status</th><th>tree</th><th>what</th><th>culprit</th>"
	    "<th>steps</th><th>started</th></tr></thead><tbody>\n");
	rc = 0;
	for (i = 0; i < json_array_size(arr) && rc == 0; i++) {
		long long id = json_integer_value(json_object_get(
		    json_array_get(arr, i), "id"));

		rc = bview_load(s->cfg, s->db, id, &v);
		if (rc != 0) {
			rc = rc < 0 ? -1 : 0;
			continue;
		}
		rel = xasprintf("bisect/%lld.html", id);
		buf_reset(&t);
		buf_addf(&t, "%lld", id);
		html_raw(&b, "<tr><td>");
		site_link(&b, root, rel, t.ptr);
		html_raw(&b, "</td><td>");
		status_el(&b, &v.b);
		html_raw(&b, "</td><td>");
		html_text(&b, v.b.tree);
		if (v.b.branch[0] != '\0') {
			html_raw(&b, "/");
			html_text(&b, v.b.branch);
		}
		html_raw(&b, "</td><td>");
		what_text(&b, &v.b);
		html_raw(&b, "</td><td>");
		if (v.b.culprit != NULL) {
			short_commit(&b, v.b.culprit);
			html_raw(&b, " ");
			html_text(&b, v.subject ? v.subject : "");
		} else {
			html_raw(&b, "\xe2\x80\x94");
		}
		for (k = done = 0; k < v.nsteps; k++)
			done += v.steps[k].result != NULL;
		buf_addf(&b, "</td><td class=\"num\">%zu</td><td>", done);
		site_time_el(&b, v.b.created);
		html_raw(&b, "</td></tr>\n");
		free(rel);
		bview_release(&v);
	}
	html_raw(&b, "</tbody></table>\n");
	if (json_array_size(arr) == 0)
		html_raw(&b, "<p>No bisection yet.</p>\n");
	site_page_end(&b);
	if (rc == 0)
		rc = site_emit_page(s, "bisect/index.html", &b, doc);
	else
		json_decref(doc);
	buf_release(&b);
	buf_release(&t);
	return rc;
}

int
site_render_bisections(struct site *s, const struct site_gens *dirty,
    int all)
{
	char *index;
	size_t i;
	int rc, missing;

	index = fs_join(s->cfg->site_path, "bisect/index.html");
	missing = !fs_exists(index);
	free(index);
	rc = 0;
	for (i = 0; i < dirty->n && rc == 0; i++)
		rc = render_one(s, dirty->v[i].id);
	if (rc == 0 && (all || missing || dirty->n > 0))
		rc = render_index(s);
	return rc;
}

/* ---- elsewhere ---- */

void
site_bisect_link(struct buf *b, const char *root, long long id)
{
	struct buf t = BUF_INIT;
	char *rel;

	rel = xasprintf("bisect/%lld.html", id);
	buf_addf(&t, "bisection %lld", id);
	site_link(b, root, rel, t.ptr);
	free(rel);
	buf_release(&t);
}

int
site_bisect_feed(struct site *s, const char *tree, struct buf *f,
    long long *updated)
{
	struct bisection_row *rows;
	struct bview v;
	size_t i, n, shown;
	char *rel;
	int rc;

	if (store_bisect_list(s->db, tree, 0, &rows, &n) != 0)
		return error("cannot read the bisections of tree '%s'", tree);
	rc = 0;
	for (i = shown = 0; i < n && shown < FEED_ENTRIES && rc == 0; i++) {
		if (rows[i].outcome == NULL)
			continue;
		rc = bview_load(s->cfg, s->db, rows[i].id, &v);
		if (rc != 0) {
			rc = rc < 0 ? -1 : 0;
			continue;
		}
		shown++;
		if (v.b.finished > *updated)
			*updated = v.b.finished;
		buf_addf(f, "<entry><title>bisection %lld: ", v.b.id);
		site_xml_text(f, v.b.outcome);
		if (v.b.culprit != NULL) {
			buf_addf(f, " %.*s ", SHORT_ID, v.b.culprit);
			site_xml_text(f, v.subject ? v.subject : "");
		}
		html_raw(f, " (");
		site_xml_text(f, v.b.path[0] != '\0' ? v.b.path : "build");
		html_raw(f, " ");
		site_xml_text(f, v.b.path[0] != '\0' ? v.b.platform :
		    v.b.build);
		html_raw(f, ", ");
		site_xml_text(f, v.b.branch);
		buf_addf(f, ")</title><id>urn:maestrino:bisection:%lld</id>",
		    v.b.id);
		rel = xasprintf("bisect/%lld.html", v.b.id);
		site_atom_link(f, s, rel);
		free(rel);
		site_atom_time(f, "updated", v.b.finished);
		html_raw(f, "<content type=\"text\">");
		if (v.b.culprit != NULL) {
			site_xml_text(f, v.b.culprit);
			if (v.author != NULL) {
				html_raw(f, " by ");
				site_xml_text(f, v.author);
			}
			html_raw(f, "\n");
		}
		site_xml_text(f, v.b.reason ? v.b.reason : "");
		html_raw(f, "</content></entry>\n");
		bview_release(&v);
	}
	store_bisect_list_free(rows, n);
	return rc;
}
