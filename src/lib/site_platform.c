/*
 * site_platform.c: the platforms (p/index.html) and the page of each
 * (p/<name>.html): the newest checkouts with results on it.
 */
#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "html.h"
#include "site_change.h"
#include "site_page.h"
#include "util.h"

int
site_render_platform(struct site *s, const char *platform)
{
	struct site_platform_rows rows;
	const struct site_platform_row *p;
	struct buf b = BUF_INIT;
	json_t *j, *arr, *e;
	char *rel, *root, *crel;
	size_t i;
	int rc;

	if (store_site_platform_rows(s->db, platform, TREE_ROWS, &rows) != 0)
		return -1;
	rel = xasprintf("p/%s.html", platform);
	root = site_root_of(rel);
	site_page_begin(&b, s, rel, platform, root);
	html_raw(&b, "<h1>Platform ");
	html_text(&b, platform);
	html_raw(&b, "</h1>\n<table class=\"filterable\"><thead><tr>"
	    "<th>checkout</th><th>tree</th><th>found</th><th>boots</th>"
	    "<th>tests</th></tr></thead><tbody>\n");
	arr = json_array();
	for (i = 0; i < rows.n; i++) {
		p = &rows.v[i];
		buf_addf(&b, "<tr data-status=\"%s\"><td>",
		    p->boots[SLOT_FAIL] || p->tests[SLOT_FAIL] ? "FAIL" :
		    "PASS");
		crel = xasprintf("c/%lld.html", p->checkout);
		site_link(&b, root, crel, p->describe);
		free(crel);
		html_raw(&b, "</td><td>");
		html_text(&b, p->tree);
		html_raw(&b, "/");
		html_text(&b, p->branch);
		html_raw(&b, "</td><td>");
		site_time_el(&b, p->created);
		html_raw(&b, "</td>");
		site_counts_cells(&b, p->boots);
		site_counts_cells(&b, p->tests);
		html_raw(&b, "</tr>\n");
		e = json_pack("{s:I,s:s?,s:s?,s:s?,s:I,s:I,s:I,s:I,s:I,s:I}",
		    "checkout", (json_int_t)p->checkout, "tree",
		    p->tree, "branch", p->branch,
		    "describe", p->describe, "boots_pass",
		    (json_int_t)p->boots[SLOT_PASS], "boots_fail",
		    (json_int_t)p->boots[SLOT_FAIL], "boots_inconclusive",
		    (json_int_t)p->boots[SLOT_OTHER], "tests_pass",
		    (json_int_t)p->tests[SLOT_PASS], "tests_fail",
		    (json_int_t)p->tests[SLOT_FAIL], "tests_inconclusive",
		    (json_int_t)p->tests[SLOT_OTHER]);
		if (e != NULL)
			json_array_append_new(arr, e);
	}
	site_platform_rows_release(&rows);
	html_raw(&b, "</tbody></table>\n");
	site_page_end(&b);
	j = json_object();
	json_object_set_new(j, "platform", site_jstr(platform));
	json_object_set_new(j, "checkouts", arr);
	rc = site_emit_page(s, rel, &b, j);
	buf_release(&b);
	free(rel);
	free(root);
	return rc;
}

int
site_render_platforms(struct site *s, char **names, size_t n)
{
	struct buf b = BUF_INIT;
	json_t *arr;
	char *rel;
	size_t i;
	int rc;

	site_page_begin(&b, s, "p/index.html", "Platforms", "../");
	html_raw(&b, "<h1>Platforms</h1>\n<ul class=\"platforms\">\n");
	arr = json_array();
	for (i = 0; i < n; i++) {
		const struct platform_cfg *p = config_platform(s->cfg,
		    names[i]);

		html_raw(&b, "<li>");
		rel = xasprintf("p/%s.html", names[i]);
		site_link(&b, "../", rel, names[i]);
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
		json_array_append_new(arr, site_jstr(names[i]));
	}
	html_raw(&b, "</ul>\n");
	site_page_end(&b);
	rc = site_emit_page(s, "p/index.html", &b, json_pack("{s:o}",
	    "platforms", arr));
	buf_release(&b);
	return rc;
}
