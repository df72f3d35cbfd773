/*
 * site_test.c: the page of a test key (x/<tree>/<branch>/<key>/<path>
 * .html): a result's history on a branch, its flip rate and its
 * failing streak, the known issues of each failure, and what the log
 * of the newest result's job says.
 */
#include <limits.h>

#include <jansson.h>

#include "buf.h"
#include "html.h"
#include "site_change.h"
#include "site_page.h"
#include "store_checkout.h"
#include "store_issue.h"
#include "strset.h"
#include "util.h"

/* The test plans of a history, newest first, each once: "a, b". */
static void
plans_of(const struct site_histlist *h, struct buf *out)
{
	struct strset seen = STRSET_INIT;
	size_t i;

	for (i = 0; i < h->n; i++) {
		if (h->v[i].plan == NULL || *h->v[i].plan == '\0' ||
		    !strset_add(&seen, h->v[i].plan))
			continue;
		if (out->len)
			buf_puts(out, ", ");
		buf_puts(out, h->v[i].plan);
	}
	strset_release(&seen);
}

/*
 * The triage of a history: the known issues of its failures, and the
 * findings of its newest result's job.  A job's findings are its
 * console's, so they go on its boot's page, and on the page of a test
 * of it only while that test does not pass.
 */
static int
triage_of(struct site *s, const struct site_res *r,
    const struct site_histlist *h, struct site_knownlist *known,
    struct finding_row **f, size_t *nf)
{
	size_t i;

	memset(known, 0, sizeof(*known));
	*f = NULL;
	*nf = 0;
	for (i = 0; i < h->n; i++)
		if (site_failing(h->v[i].status) &&
		    store_site_known_result(s->db, 0, h->v[i].ref, known) != 0)
			return -1;
	site_knownlist_sort(known);
	if (h->n > 0 && (strcmp(r->path, "boot") == 0 ||
	    site_slot(h->v[0].status) != SLOT_PASS))
		return store_test_findings(s->db, h->v[0].ref, f, nf);
	return 0;
}

/* The page of test r on a branch, from its history h, newest first. */
static int
test_page(struct site *s, const char *tree, const char *branch,
    const struct site_res *r, const struct site_histlist *hl)
{
	const struct site_hist *first_fail, *last_pass;
	const struct site_histlist h = *hl;
	const struct site_known *k;
	struct site_knownlist known;
	struct finding_row *f;
	struct buf b = BUF_INIT, t = BUF_INIT, plans = BUF_INIT, l = BUF_INIT;
	json_t *j, *arr, *e;
	char *rel, *root, *crel;
	double rate;
	size_t i, nk, nf;
	int rc, boot, cols;

	if (triage_of(s, r, hl, &known, &f, &nf) != 0) {
		site_knownlist_release(&known);
		return -1;
	}
	rate = site_flakiness(&h);
	site_streak(&h, &first_fail, &last_pass);
	rel = site_test_rel(tree, branch, r->config, r->arch, r->platform,
	    r->path);
	root = site_root_of(rel);
	boot = strcmp(r->path, "boot") == 0;
	plans_of(&h, &plans);
	buf_addf(&t, "%s on %s", site_res_label(r->path, plans.ptr, &l),
	    r->platform);
	site_page_begin(&b, s, rel, t.ptr, root);
	html_raw(&b, "<h1>");
	html_text(&b, l.ptr);
	html_raw(&b, " <span class=\"describe\">on ");
	html_text(&b, r->platform);
	html_raw(&b, "</span></h1>\n<dl class=\"facts\"><dt>tree</dt><dd>");
	crel = site_tree_rel(tree, branch);
	buf_reset(&t);
	buf_addf(&t, "%s/%s", tree, branch);
	site_link(&b, root, crel, t.ptr);
	free(crel);
	html_raw(&b, "</dd><dt>build</dt><dd>");
	html_text(&b, r->config);
	html_raw(&b, " ");
	html_text(&b, r->arch);
	html_raw(&b, "</dd><dt>platform</dt><dd>");
	crel = xasprintf("p/%s.html", r->platform);
	site_link(&b, root, crel, r->platform);
	free(crel);
	buf_addf(&b, "</dd><dt>flakiness</dt><dd>flip rate %.2f over the "
	    "last %zu runs%s</dd>", rate, h.n < FLAKY_RUNS ? h.n : FLAKY_RUNS,
	    site_is_unstable(rate, h.n) ? " \xe2\x80\x94 <strong>unstable"
	    "</strong>" : "");
	html_raw(&b, "<dt>failing since</dt><dd>");
	if (first_fail != NULL) {
		crel = site_checkout_rel(s, first_fail->checkout);
		site_link(&b, root, crel, first_fail->describe);
		free(crel);
	} else {
		html_raw(&b, "\xe2\x80\x94");
	}
	html_raw(&b, "</dd><dt>last passed</dt><dd>");
	if (last_pass != NULL) {
		crel = site_checkout_rel(s, last_pass->checkout);
		site_link(&b, root, crel, last_pass->describe);
		free(crel);
	} else {
		html_raw(&b, "\xe2\x80\x94");
	}
	html_raw(&b, "</dd></dl>\n");
	if (nf > 0) {
		html_raw(&b, "<p>The newest result's job, in ");
		crel = site_checkout_rel(s, h.v[0].checkout);
		site_link(&b, root, crel, h.v[0].describe);
		free(crel);
		html_raw(&b, ":</p>\n");
		site_findings_html(&b, root, f, nf);
	}
	/* lean rows: the optional end tags left out, no empty columns */
	cols = 0;
	for (i = 0; i < h.n; i++)
		cols |= (h.v[i].has_value ? 1 : 0) | (h.v[i].log_url ? 2 : 0);
	html_raw(&b, "<h2>History</h2>\n"
	    "<table class=\"filterable\"><thead><tr><th>checkout</th>");
	if (boot)
		html_raw(&b, "<th>plan</th>");
	html_raw(&b, "<th>found</th><th>status</th>");
	if (cols & 1)
		html_raw(&b, "<th>value</th>");
	if (cols & 2)
		html_raw(&b, "<th>log</th>");
	html_raw(&b, "</tr></thead><tbody>\n");
	arr = json_array();
	for (i = 0; i < h.n; i++) {
		const struct site_hist *x = &h.v[i];

		html_raw(&b, "<tr><td>");
		crel = site_checkout_rel(s, x->checkout);
		site_link(&b, root, crel, x->describe);
		free(crel);
		if (boot) {
			html_raw(&b, "<td>");
			html_text(&b, x->plan ? x->plan : "");
		}
		html_raw(&b, "<td>");
		site_time_el(&b, x->created);
		site_status_open(&b, x->status);
		k = site_failing(x->status) ? site_known_find(&known, 0, x->ref,
		    &nk) : NULL;
		site_known_marks(&b, root, k, k ? nk : 0);
		if (cols & 1)
			html_raw(&b, "<td class=\"num\">");
		if (x->has_value) {
			buf_addf(&b, "%g ", x->value);
			html_text(&b, x->unit);
		}
		if (cols & 2)
			html_raw(&b, "<td>");
		if (x->log_url) {
			html_raw(&b, "<a href=\"");
			html_href(&b, x->log_url);
			html_raw(&b, "\">log</a>");
		}
		html_raw(&b, "\n");
		e = json_object();
		json_object_set_new(e, "checkout", json_integer(x->checkout));
		json_object_set_new(e, "describe", site_jstr(x->describe));
		json_object_set_new(e, "status", site_jstr(x->status));
		if (x->plan != NULL && *x->plan != '\0')
			json_object_set_new(e, "plan", site_jstr(x->plan));
		if (x->has_value)
			json_object_set_new(e, "value", json_real(x->value));
		if (k != NULL)
			json_object_set_new(e, "issues", site_known_json(k, nk));
		json_array_append_new(arr, e);
	}
	html_raw(&b, "</tbody></table>\n");
	site_page_end(&b);
	j = json_object();
	json_object_set_new(j, "tree", site_jstr(tree));
	json_object_set_new(j, "branch", site_jstr(branch));
	json_object_set_new(j, "path", site_jstr(r->path));
	if (plans.len)
		json_object_set_new(j, "plans", site_jstr(plans.ptr));
	json_object_set_new(j, "platform", site_jstr(r->platform));
	json_object_set_new(j, "config", site_jstr(r->config));
	json_object_set_new(j, "arch", site_jstr(r->arch));
	json_object_set_new(j, "flip_rate", json_real(rate));
	json_object_set_new(j, "unstable", json_boolean(site_is_unstable(rate,
	    h.n)));
	json_object_set_new(j, "failing_since", first_fail ?
	    json_integer(first_fail->checkout) : json_null());
	json_object_set_new(j, "last_pass", last_pass ?
	    json_integer(last_pass->checkout) : json_null());
	json_object_set_new(j, "history", arr);
	if (nf > 0) {
		json_object_set_new(j, "findings_of", json_integer(h.v[0].ref));
		json_object_set_new(j, "findings", site_findings_json(f, nf));
	}
	rc = site_emit_page(s, rel, &b, j);
	site_knownlist_release(&known);
	store_findings_free(f, nf);
	buf_release(&b);
	buf_release(&t);
	buf_release(&plans);
	buf_release(&l);
	free(rel);
	free(root);
	return rc;
}

/*
 * The test pages of every key seen in checkout id, once per run; of its
 * tests, only those whose index is part modulo nparts, so that threads
 * can share a checkout.
 */
int
site_render_tests_of(struct site *s, long long id, size_t part,
    size_t nparts)
{
	struct site_reslist tests;
	struct site_histlist h;
	struct checkout_row c;
	char *rel;
	size_t i;
	int rc, fresh;

	rc = store_site_checkout(s->db, id, &c);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	rc = store_site_tests(s->db, id, &tests);
	for (i = part; i < tests.n && rc == 0; i += nparts) {
		rel = site_test_rel(c.tree, c.branch, tests.v[i].config,
		    tests.v[i].arch, tests.v[i].platform, tests.v[i].path);
		pthread_mutex_lock(s->done_lock);
		fresh = strset_add(s->done, rel);
		pthread_mutex_unlock(s->done_lock);
		free(rel);
		if (!fresh)
			continue;
		rc = store_site_history(s->db, c.tree, c.branch, &tests.v[i], 0,
		    LLONG_MAX, HISTORY, &h);
		if (rc == 0)
			rc = test_page(s, c.tree, c.branch, &tests.v[i], &h);
		site_histlist_release(&h);
	}
	site_reslist_release(&tests);
	store_checkout_release(&c);
	return rc;
}

int
site_render_test(struct site *s, long long id)
{
	struct site_histlist h;
	struct checkout_row c;
	struct site_res r;
	long long checkout;
	char *rel;
	int rc, fresh;

	rc = store_site_test(s->db, id, &r, &checkout);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	rc = store_site_checkout(s->db, checkout, &c);
	if (rc != 0) {
		site_res_release(&r);
		return rc < 0 ? -1 : 0;
	}
	rel = site_test_rel(c.tree, c.branch, r.config, r.arch, r.platform,
	    r.path);
	pthread_mutex_lock(s->done_lock);
	fresh = strset_add(s->done, rel);
	pthread_mutex_unlock(s->done_lock);
	free(rel);
	if (fresh) {
		rc = store_site_history(s->db, c.tree, c.branch, &r, 0,
		    LLONG_MAX, HISTORY, &h);
		if (rc == 0)
			rc = test_page(s, c.tree, c.branch, &r, &h);
		site_histlist_release(&h);
	}
	site_res_release(&r);
	store_checkout_release(&c);
	return rc;
}

struct branch_walk {
	struct site		*s;
	const char		*tree;
	const char		*branch;
	/* a window: the checkouts whose keys' pages are rendered */
	const struct site_ids	*ids;
	int			 whole;		/* from the branch's first */
	size_t			 part, nparts, nth;
};

static int
cmp_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* Whether h shows a result of one of the checkouts ids. */
static int
shows(const struct site_histlist *h, const struct site_ids *ids)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (bsearch(&h->v[i].checkout, ids->v, ids->n,
		    sizeof(*ids->v), cmp_id) != NULL)
			return 1;
	return 0;
}

static int
branch_key(void *arg, const struct site_res *key,
    const struct site_histlist *h, size_t n)
{
	struct branch_walk *w = arg;
	struct site_histlist all;
	char *rel;
	int fresh, rc;

	if (w->ids != NULL && (w->nth++ % w->nparts != w->part ||
	    !shows(h, w->ids)))
		return 0;
	/* once per run, as site_render_tests_of() renders them */
	rel = site_test_rel(w->tree, w->branch, key->config, key->arch,
	    key->platform, key->path);
	pthread_mutex_lock(w->s->done_lock);
	fresh = strset_add(w->s->done, rel);
	pthread_mutex_unlock(w->s->done_lock);
	free(rel);
	if (!fresh)
		return 0;
	if (w->whole || n >= HISTORY)
		return test_page(w->s, w->tree, w->branch, key, h);
	/* older results than the window holds are shown too */
	rc = store_site_history(w->s->db, w->tree, w->branch, key, 0,
	    LLONG_MAX, HISTORY, &all);
	if (rc == 0)
		rc = test_page(w->s, w->tree, w->branch, key, &all);
	site_histlist_release(&all);
	return rc;
}

/*
 * The test pages of every key ever seen on a branch, for a full render
 * or one that renders most of the branch's checkouts.
 */
int
site_render_branch_tests(struct site *s, const char *tree,
    const char *branch)
{
	struct branch_walk w;

	memset(&w, 0, sizeof(w));
	w.s = s;
	w.tree = tree;
	w.branch = branch;
	w.whole = 1;
	return store_site_branch_tests(s->db, tree, branch, 0, HISTORY,
	    branch_key, &w);
}

int
site_render_window(struct site *s, const char *tree, const char *branch,
    long long from, int whole, const struct site_ids *ids, size_t part,
    size_t nparts)
{
	struct branch_walk w;

	memset(&w, 0, sizeof(w));
	w.s = s;
	w.tree = tree;
	w.branch = branch;
	w.ids = ids;
	w.whole = whole;
	w.part = part;
	w.nparts = nparts;
	return store_site_branch_tests(s->db, tree, branch, from, HISTORY,
	    branch_key, &w);
}
