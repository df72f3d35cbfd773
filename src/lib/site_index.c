/*
 * site_index.c: the index (every branch with its latest checkout) and
 * the status badge of each branch (badges/<tree>/<branch>.svg).
 */
#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "html.h"
#include "site_change.h"
#include "site_page.h"
#include "store_checkout.h"
#include "util.h"

static int
badge(struct site *s, const char *tree, const char *branch,
    const struct site_counts *c)
{
	struct buf b = BUF_INIT, label = BUF_INIT, value = BUF_INIT;
	const char *color;
	char *rel;
	int lw, vw, rc;

	buf_addf(&label, "%s/%s", tree, branch);
	if (c->b[SLOT_FAIL] || c->r[SLOT_FAIL]) {
		buf_addf(&value, "%ld failing", c->b[SLOT_FAIL] +
		    c->r[SLOT_FAIL]);
		color = "#c62828";
	} else if (c->t[SLOT_FAIL]) {
		buf_addf(&value, "%ld test failures", c->t[SLOT_FAIL]);
		color = "#ef6c00";
	} else if (site_counts_all(c, SLOT_PASS) > 0) {
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
	rel = site_badge_rel(tree, branch);
	rc = site_emit(s, rel, b.ptr, b.len);
	free(rel);
	buf_release(&b);
	buf_release(&label);
	buf_release(&value);
	return rc;
}

static void
notice(void *arg, const char *tree, const char *err)
{
	struct buf *b = arg;

	html_raw(b, "<p class=\"notice\">\xe2\x9a\xa0 tree ");
	html_text(b, tree);
	html_raw(b, ": ");
	html_text(b, err);
	html_raw(b, "</p>\n");
}

/* A branch's row, its JSON into arr, and its badge. */
static int
branch_row(struct site *s, const struct site_branch *br, struct buf *b,
    json_t *arr)
{
	struct checkout_row co;
	struct site_counts c;
	struct buf t = BUF_INIT;
	json_t *e;
	char *rel;
	int rc;

	rc = store_site_checkout(s->db, br->latest, &co);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (store_site_counts(s->db, co.id, &c) != 0) {
		store_checkout_release(&co);
		return -1;
	}
	buf_addf(b, "<tr data-status=\"%s\"><td>",
	    site_counts_all(&c, SLOT_FAIL) ? "FAIL" : "PASS");
	rel = site_tree_rel(br->tree, br->branch);
	buf_addf(&t, "%s/%s", br->tree, br->branch);
	site_link(b, "", rel, t.ptr);
	free(rel);
	html_raw(b, "</td><td>");
	rel = xasprintf("c/%lld.html", co.id);
	site_link(b, "", rel, co.describe);
	free(rel);
	html_raw(b, "<br><small class=\"subject\">");
	html_text(b, co.subject);
	html_raw(b, "</small></td><td class=\"age\">");
	site_time_el(b, co.created);
	html_raw(b, "</td>");
	site_counts_cells(b, c.b);
	site_counts_cells(b, c.r);
	site_counts_cells(b, c.t);
	html_raw(b, "<td><img class=\"badge\" alt=\"status badge for ");
	html_attr(b, t.ptr);
	html_raw(b, "\" src=\"");
	rel = site_badge_rel(br->tree, br->branch);
	site_href(b, "", rel);
	free(rel);
	html_raw(b, "\"></td></tr>\n");
	e = site_checkout_json(&co);
	json_object_set_new(e, "counts", site_counts_json(&c));
	json_array_append_new(arr, e);
	rc = badge(s, br->tree, br->branch, &c);
	store_checkout_release(&co);
	buf_release(&t);
	return rc;
}

int
site_render_index(struct site *s, const struct site_branch *br, size_t n)
{
	struct buf b = BUF_INIT;
	json_t *j, *arr;
	size_t i;
	int rc;

	site_page_begin(&b, s, "index.html", "Trees", "");
	html_raw(&b, "<h1>");
	html_text(&b, s->cfg->site_title);
	html_raw(&b, "</h1>\n");
	/* trees that could not be polled */
	rc = store_site_tree_errors(s->db, notice, &b);
	html_raw(&b, "<table class=\"filterable\"><thead><tr><th>tree</th>"
	    "<th>latest checkout</th><th>found</th><th>builds</th>"
	    "<th>boots</th><th>tests</th><th>status</th></tr></thead>"
	    "<tbody>\n");
	arr = json_array();
	for (i = 0; i < n && rc == 0; i++)
		rc = branch_row(s, &br[i], &b, arr);
	if (rc != 0) {
		json_decref(arr);
		buf_release(&b);
		return -1;
	}
	html_raw(&b, "</tbody></table>\n");
	if (n == 0)
		html_raw(&b, "<p>Nothing has been polled yet.</p>\n");
	site_page_foot(&b);
	j = json_object();
	json_object_set_new(j, "title", site_jstr(s->cfg->site_title));
	json_object_set_new(j, "branches", arr);
	rc = site_emit_page(s, "index.html", &b, j);
	buf_release(&b);
	return rc;
}
