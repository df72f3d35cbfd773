/*
 * site_tree.c: the page of a branch (t/<tree>/<branch>.html): its
 * newest checkouts with their results and a sparkline of them.
 */
#include <jansson.h>

#include "buf.h"
#include "html.h"
#include "site_change.h"
#include "site_page.h"
#include "store_checkout.h"
#include "util.h"

/* counts: of the checkouts on the page, newest first */
static void
sparkline(struct buf *b, const struct site_counts *counts, size_t n)
{
	const struct site_counts *c;
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
		pass = site_counts_all(c, SLOT_PASS);
		fail = site_counts_all(c, SLOT_FAIL);
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

/* The commits the patches of a checkout's JSON make. */
static size_t
patch_count(json_t *co)
{
	json_t *p;
	size_t i, n;

	n = 0;
	json_array_foreach(json_object_get(co, "patches"), i, p)
		n += json_array_size(json_object_get(p, "subjects"));
	return n;
}

/*
 * The tree's checkouts made on demand or by bisection, apart: they are
 * no part of the branch's history above.  Their JSON into arr.
 */
static int
ondemand_section(struct site *s, struct buf *b, const char *root,
    const char *tree, json_t *arr)
{
	struct site_ids ids;
	struct site_counts c;
	struct checkout_row co;
	json_t *e;
	char *crel;
	size_t i;
	int rc;

	if (store_site_ondemand(s->db, tree, TREE_ROWS, &ids) != 0)
		return -1;
	rc = 0;
	if (ids.n > 0)
		html_raw(b, "<h2>On demand</h2>\n<table><thead><tr>"
		    "<th>checkout</th><th>ref</th><th>patches</th>"
		    "<th>found</th><th>builds</th><th>boots</th>"
		    "<th>tests</th></tr></thead><tbody>\n");
	for (i = 0; i < ids.n && rc == 0; i++) {
		rc = store_site_checkout(s->db, ids.v[i], &co);
		if (rc != 0) {
			rc = rc < 0 ? -1 : 0;
			continue;
		}
		if (store_site_counts(s->db, co.id, &c) != 0) {
			store_checkout_release(&co);
			rc = -1;
			break;
		}
		html_raw(b, "<tr><td>");
		crel = site_checkout_rel(s, co.id);
		site_link(b, root, crel, co.describe);
		free(crel);
		html_raw(b, "</td><td>");
		html_text(b, co.ref != NULL ? co.ref : "");
		e = site_checkout_json(&co);
		buf_addf(b, "</td><td>%zu</td><td>", patch_count(e));
		site_time_el(b, co.created);
		html_raw(b, "</td>");
		site_counts_cells(b, c.b);
		site_counts_cells(b, c.r);
		site_counts_cells(b, c.t);
		html_raw(b, "</tr>\n");
		json_object_set_new(e, "counts", site_counts_json(&c));
		json_array_append_new(arr, e);
		store_checkout_release(&co);
	}
	if (ids.n > 0)
		html_raw(b, "</tbody></table>\n");
	free(ids.v);
	return rc;
}

int
site_render_tree(struct site *s, const char *tree, const char *branch)
{
	struct site_ids ids;
	struct site_counts *cs, c;
	struct buf b = BUF_INIT, t = BUF_INIT;
	json_t *j, *arr, *e, *od;
	size_t i;
	char *rel, *root, *crel, *brel;
	int rc;

	if (store_site_latest(s->db, tree, branch, TREE_ROWS, &ids) != 0)
		return -1;
	cs = xcalloc(ids.n ? ids.n : 1, sizeof(*cs));
	rc = 0;
	for (i = 0; i < ids.n && rc == 0; i++)
		rc = store_site_counts(s->db, ids.v[i], &cs[i]);
	if (rc != 0) {
		free(cs);
		free(ids.v);
		return -1;
	}
	rel = site_tree_rel(tree, branch);
	root = site_root_of(rel);
	buf_addf(&t, "%s/%s", tree, branch);
	site_page_begin(&b, s, rel, t.ptr, root);
	html_raw(&b, "<h1>");
	html_text(&b, t.ptr);
	html_raw(&b, " <img class=\"badge\" alt=\"status badge\" src=\"");
	brel = site_badge_rel(tree, branch);
	site_href(&b, root, brel);
	free(brel);
	html_raw(&b, "\"></h1>\n<p>");
	sparkline(&b, cs, ids.n);
	html_raw(&b, " <a href=\"");
	crel = xasprintf("feeds/%s.atom", tree);
	site_href(&b, root, crel);
	free(crel);
	html_raw(&b, "\">Atom feed</a></p>\n<table class=\"filterable\">"
	    "<thead><tr><th>checkout</th><th>subject</th><th>found</th>"
	    "<th>builds</th><th>boots</th><th>tests</th></tr></thead>"
	    "<tbody>\n");
	arr = json_array();
	for (i = 0; i < ids.n && rc == 0; i++) {
		struct checkout_row co;

		rc = store_site_checkout(s->db, ids.v[i], &co);
		if (rc != 0) {
			rc = rc < 0 ? -1 : 0;
			continue;
		}
		c = cs[i];
		buf_addf(&b, "<tr data-status=\"%s\"><td>",
		    site_counts_all(&c, SLOT_FAIL) ? "FAIL" : "PASS");
		crel = site_checkout_rel(s, co.id);
		site_link(&b, root, crel, co.describe);
		free(crel);
		html_raw(&b, "</td><td class=\"subject\">");
		html_text(&b, co.subject);
		html_raw(&b, "</td><td>");
		site_time_el(&b, co.created);
		html_raw(&b, "</td>");
		site_counts_cells(&b, c.b);
		site_counts_cells(&b, c.r);
		site_counts_cells(&b, c.t);
		html_raw(&b, "</tr>\n");
		e = site_checkout_json(&co);
		json_object_set_new(e, "counts", site_counts_json(&c));
		json_array_append_new(arr, e);
		store_checkout_release(&co);
	}
	html_raw(&b, "</tbody></table>\n");
	od = json_array();
	if (rc == 0)
		rc = ondemand_section(s, &b, root, tree, od);
	site_page_end(&b);
	if (rc != 0) {
		json_decref(arr);
		json_decref(od);
		goto out;
	}
	j = json_object();
	json_object_set_new(j, "tree", site_jstr(tree));
	json_object_set_new(j, "branch", site_jstr(branch));
	json_object_set_new(j, "checkouts", arr);
	json_object_set_new(j, "ondemand", od);
	rc = site_emit_page(s, rel, &b, j);
out:
	free(cs);
	free(ids.v);
	buf_release(&b);
	buf_release(&t);
	free(rel);
	free(root);
	return rc;
}
