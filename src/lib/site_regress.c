/*
 * site_regress.c: open regressions across all trees: results that
 * passed, then failed, and still fail in the latest checkout of their
 * branch (regressions.html and feeds/regressions.atom).  Those that
 * match a known issue are listed apart, and the feed leaves them out:
 * they are not news.
 */
#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "html.h"
#include "site_change.h"
#include "site_page.h"
#include "store_bisect.h"
#include "store_checkout.h"
#include "util.h"

static int
newest_first(const void *x, const void *y)
{
	const struct site_regression *a = x, *b = y;

	if (a->since != b->since)
		return a->since > b->since ? -1 : 1;
	return site_res_cmp(&a->r, &b->r);
}

void
site_regressions_sort(struct site_reglist *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), newest_first);
}

void
site_reglist_release(struct site_reglist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		site_res_release(&l->v[i].r);
		free(l->v[i].tree);
		free(l->v[i].branch);
		free(l->v[i].since_describe);
		free(l->v[i].last_pass_describe);
		site_knownlist_release(&l->v[i].known);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void
add(struct site_reglist *out, const struct checkout_row *c,
    const struct site_res *r, int builds, const struct site_hist *ff,
    const struct site_hist *lp)
{
	struct site_regression *g;

	xgrow((void **)&out->v, &out->alloc, out->n + 1, sizeof(*out->v));
	g = &out->v[out->n++];
	g->tree = xstrdup(c->tree);
	g->branch = xstrdup(c->branch);
	g->what = site_what(r, builds);
	site_res_copy(&g->r, r);
	g->since = ff->checkout;
	g->since_ref = ff->ref;
	g->since_describe = xstrdup(ff->describe ? ff->describe : "");
	g->since_time = ff->created;
	g->last_pass = lp->checkout;
	g->last_pass_describe = xstrdup(lp->describe ? lp->describe : "");
	memset(&g->known, 0, sizeof(g->known));
}

/* The failing results of l in checkout c that are open regressions. */
static int
find_open(struct site *s, const struct checkout_row *c,
    const struct site_reslist *l, int builds, struct site_reglist *out)
{
	const struct site_hist *ff, *lp;
	const struct site_res *r;
	struct site_histlist h;
	double flip;
	size_t i;
	int unstable;

	for (i = 0; i < l->n; i++) {
		r = &l->v[i];
		if (site_slot(r->status) != SLOT_FAIL)
			continue;
		if (store_site_history(s->db, c->tree, c->branch, r, builds,
		    c->id, FLAKY_RUNS, &h) != 0)
			return -1;
		flip = site_flakiness(&h);
		unstable = site_is_unstable(flip, h.n);
		site_streak(&h, &ff, &lp);
		if (lp == NULL && h.n == FLAKY_RUNS) {
			/* failing for longer: look back to its last pass */
			site_histlist_release(&h);
			if (store_site_history(s->db, c->tree, c->branch, r,
			    builds, c->id, 0, &h) != 0)
				return -1;
			site_streak(&h, &ff, &lp);
		}
		if (ff != NULL && lp != NULL) {
			add(out, c, r, builds, ff, lp);
			out->v[out->n - 1].flip = flip;
			out->v[out->n - 1].unstable = unstable;
			if (store_site_known_result(s->db, builds, r->id,
			    &out->v[out->n - 1].known) != 0) {
				site_histlist_release(&h);
				return -1;
			}
		}
		site_histlist_release(&h);
	}
	return 0;
}

int
site_open_regressions(struct site *s, long long latest,
    struct site_reglist *out)
{
	struct site_reslist nb, nt;
	struct checkout_row c;
	int rc;

	rc = store_site_checkout(s->db, latest, &c);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	memset(&nt, 0, sizeof(nt));
	rc = store_site_builds(s->db, c.id, &nb);
	if (rc == 0)
		rc = store_site_tests(s->db, c.id, &nt);
	if (rc == 0)
		rc = find_open(s, &c, &nb, 1, out);
	if (rc == 0)
		rc = find_open(s, &c, &nt, 0, out);
	site_reslist_release(&nb);
	site_reslist_release(&nt);
	store_checkout_release(&c);
	return rc;
}

/*
 * The bisection of a regression: it covers the result in the checkout
 * where it first failed (or the latest one, when that is where).
 */
static int
bisection_of(struct site *s, const struct site_regression *g,
    long long *bis)
{
	const char *kind = strcmp(g->what, "build") == 0 ? "build" : "test";

	*bis = 0;
	if (g->since_ref > 0 && store_bisect_of_result(s->db, kind,
	    g->since_ref, bis) != 0)
		return -1;
	if (*bis == 0 && store_bisect_of_result(s->db, kind, g->r.id,
	    bis) != 0)
		return -1;
	return 0;
}

/* A regression's row in b and its JSON in arr. */
static int
reg_row(struct site *s, struct buf *b, const struct site_regression *g,
    json_t *arr, struct buf *name)
{
	const char *root = "";
	struct checkout_row c;
	long long bis;
	char *crel;
	json_t *e;

	memset(&c, 0, sizeof(c));
	c.tree = g->tree;
	c.branch = g->branch;
	if (bisection_of(s, g, &bis) != 0)
		return -1;
	html_raw(b, "<tr data-status=\"FAIL\" data-arch=\"");
	html_attr(b, g->r.arch);
	html_raw(b, "\" data-platform=\"");
	html_attr(b, g->r.platform);
	html_raw(b, "\" data-path=\"");
	html_attr(b, g->r.path);
	html_raw(b, "\"><td>");
	crel = xasprintf("c/%lld.html", g->since);
	site_link(b, root, crel, g->since_describe);
	free(crel);
	html_raw(b, "</td><td>");
	html_text(b, g->tree);
	html_raw(b, "/");
	html_text(b, g->branch);
	buf_addf(b, "</td><td>%s%s</td><td>", g->what, g->unstable ?
	    " <span class=\"kind k1\">unstable</span>" : "");
	site_res_link(b, root, &c, &g->r, strcmp(g->what, "build") == 0,
	    site_res_name(&g->r, g->what, name));
	if (bis > 0) {
		html_raw(b, " \xc2\xb7 ");
		site_bisect_link(b, root, bis);
	}
	site_known_marks(b, root, g->known.v, g->known.n);
	html_raw(b, "</td><td>");
	crel = xasprintf("c/%lld.html", g->last_pass);
	site_link(b, root, crel, g->last_pass_describe);
	free(crel);
	buf_addf(b, "</td><td class=\"num\">%.2f</td></tr>\n", g->flip);
	e = site_res_json(&c, &g->r, strcmp(g->what, "build") == 0);
	json_object_set_new(e, "tree", site_jstr(g->tree));
	json_object_set_new(e, "branch", site_jstr(g->branch));
	json_object_set_new(e, "what", json_string(g->what));
	json_object_set_new(e, "since", json_integer(g->since));
	json_object_set_new(e, "last_pass", json_integer(g->last_pass));
	json_object_set_new(e, "flip_rate", json_real(g->flip));
	json_object_set_new(e, "unstable", json_boolean(g->unstable));
	if (bis > 0)
		json_object_set_new(e, "bisection", json_integer(bis));
	if (g->known.n > 0)
		json_object_set_new(e, "issues", site_known_json(g->known.v,
		    g->known.n));
	json_array_append_new(arr, e);
	return 0;
}

/* A new regression's entry in the feed. */
static void
feed_entry(struct site *s, struct buf *f, const struct site_regression *g,
    struct buf *name)
{
	char *crel;

	html_raw(f, "<entry><title>");
	site_xml_text(f, g->unstable ? "unstable: " : "regression: ");
	site_xml_text(f, site_res_name(&g->r, g->what, name));
	html_raw(f, " in ");
	site_xml_text(f, g->tree);
	html_raw(f, "/");
	site_xml_text(f, g->branch);
	html_raw(f, " ");
	site_xml_text(f, g->since_describe);
	buf_addf(f, "</title><id>urn:maestrino:regression:%lld:", g->since);
	site_xml_text(f, g->what);
	buf_addf(f, ":%lld</id>", g->r.id);
	crel = xasprintf("c/%lld.html", g->since);
	site_atom_link(f, s, crel);
	free(crel);
	site_atom_time(f, "updated", g->since_time);
	html_raw(f, "<summary>last passed in ");
	site_xml_text(f, g->last_pass_describe);
	html_raw(f, "</summary></entry>\n");
}

#define REG_HEAD "<table class=\"filterable\"><thead><tr><th>since</th>" \
	"<th>tree</th><th>what</th><th>result</th><th>last passed</th>" \
	"<th>flip rate</th></tr></thead><tbody>\n"

/*
 * The rows of the new regressions (known 0) or of those that match a
 * known issue (known 1), and their JSON in arr; the new ones in the
 * feed too.
 */
static int
reg_rows(struct site *s, const struct site_reglist *rl, int known,
    size_t n, struct buf *b, struct buf *f, json_t *arr)
{
	struct buf name = BUF_INIT;
	size_t i, fed;
	int rc;

	if (n == 0) {
		html_raw(b, "<p>None.</p>\n");
		return 0;
	}
	rc = 0;
	fed = 0;
	html_raw(b, REG_HEAD);
	for (i = 0; i < rl->n && rc == 0; i++) {
		if ((rl->v[i].known.n > 0) != known)
			continue;
		rc = reg_row(s, b, &rl->v[i], arr, &name);
		if (!known && fed++ < FEED_REGRESSIONS)
			feed_entry(s, f, &rl->v[i], &name);
	}
	html_raw(b, "</tbody></table>\n");
	buf_release(&name);
	return rc;
}

int
site_render_regressions(struct site *s, const struct site_reglist *rl)
{
	struct buf b = BUF_INIT, f = BUF_INIT;
	json_t *j, *jk, *e;
	long long updated;
	size_t i, nknown;
	int rc;

	nknown = 0;
	updated = 0;
	for (i = 0; i < rl->n; i++) {
		if (rl->v[i].known.n > 0)
			nknown++;
		else if (updated == 0)
			updated = rl->v[i].since_time;
	}
	site_page_begin(&b, s, "regressions.html", "Open regressions", "");
	buf_addf(&b, "<h1>Open regressions <small>%zu</small></h1>\n"
	    "<p>Results that passed, then failed, and still fail in the "
	    "latest checkout of their branch, newest first. A result that "
	    "flips often is marked unstable. <a href=\"feeds/regressions.atom"
	    "\">Atom feed</a> (new regressions only)</p>\n"
	    "<section id=\"new\"><h2>Regressions (new) <small>%zu</small>"
	    "</h2>\n", rl->n, rl->n - nknown);
	j = json_array();
	jk = json_array();
	site_atom_begin(&f, s, "open regressions", "feeds/regressions.atom");
	site_atom_time(&f, "updated", updated);
	html_raw(&f, "\n");
	rc = reg_rows(s, rl, 0, rl->n - nknown, &b, &f, j);
	buf_addf(&b, "</section>\n<section id=\"known\"><h2>Regressions "
	    "matching known issues <small>%zu</small></h2>\n", nknown);
	if (rc == 0)
		rc = reg_rows(s, rl, 1, nknown, &b, &f, jk);
	html_raw(&b, "</section>\n");
	site_page_end(&b);
	html_raw(&f, "</feed>\n");
	e = json_object();
	json_object_set_new(e, "regressions", j);
	json_object_set_new(e, "known_regressions", jk);
	if (rc != 0)
		json_decref(e);
	else
		rc = site_emit_page(s, "regressions.html", &b, e);
	if (rc == 0 && site_emit(s, "feeds/regressions.atom", f.ptr, f.len) !=
	    0)
		rc = -1;
	buf_release(&b);
	buf_release(&f);
	return rc;
}
