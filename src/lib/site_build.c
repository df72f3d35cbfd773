/*
 * site_build.c: the page of a build (b/<id>.html): its facts, the
 * known issues it shows, what its log says (the findings of the
 * triage), the reproducer, artifacts and the excerpt of its log.
 */
#include <jansson.h>

#include "buf.h"
#include "html.h"
#include "log.h"
#include "secret.h"
#include "site_page.h"
#include "store_build.h"
#include "store_checkout.h"
#include "store_issue.h"
#include "util.h"

/*
 * The line under the heading: the first error the log shows, linked to
 * its finding below.
 */
static void
first_error(struct buf *b, const struct finding_row *f, size_t n)
{
	const struct finding_row *e;
	char *m;

	e = site_first_error(f, n);
	if (e == NULL)
		return;
	buf_addf(b, "<p class=\"first-error\">\xe2\x9c\x98 <a href=\""
	    "#finding-%zu\">", (size_t)(e - f));
	m = secret_mask(e->summary);
	html_text(b, m);
	free(m);
	html_raw(b, "</a></p>\n");
}

static int
build_page(struct site *s, long long id)
{
	struct build_row r;
	struct checkout_row c;
	struct site_knownlist known;
	struct finding_row *f;
	struct buf b = BUF_INIT, t = BUF_INIT;
	json_error_t e;
	json_t *j, *misc, *arts, *v;
	const char *k, *status, *compiler;
	char *rel, *root, *crel;
	size_t nf;
	int rc;

	rc = store_build_get(s->db, id, &r);
	if (rc != 0)
		return rc < 0 ? error("cannot read build %lld", id) : 0;
	rc = store_site_checkout(s->db, r.checkout_id, &c);
	if (rc != 0) {
		store_build_release(&r);
		return rc < 0 ? -1 : 0;
	}
	memset(&known, 0, sizeof(known));
	f = NULL;
	nf = 0;
	if ((site_failing(r.status) && store_site_known_result(s->db, 1, id,
	    &known) != 0) || store_findings(s->db, "build", id, &f, &nf) != 0) {
		site_knownlist_release(&known);
		store_build_release(&r);
		store_checkout_release(&c);
		return -1;
	}
	rel = xasprintf("b/%lld.html", id);
	root = site_root_of(rel);
	status = r.status;
	compiler = r.compiler_version ? r.compiler_version : r.compiler;
	buf_addf(&t, "%s %s %s", r.config_name, r.arch ? r.arch : "",
	    c.describe);
	site_page_begin(&b, s, rel, t.ptr, root);
	misc = r.misc ? json_loads(r.misc, 0, &e) : NULL;
	arts = r.artifacts ? json_loads(r.artifacts, 0, &e) : NULL;
	html_raw(&b, "<h1>Build ");
	html_text(&b, r.config_name);
	html_raw(&b, " <span class=\"describe\">");
	html_text(&b, r.arch);
	html_raw(&b, "</span></h1>\n<p>of ");
	crel = xasprintf("c/%lld.html", c.id);
	buf_reset(&t);
	buf_addf(&t, "%s/%s %s", c.tree, c.branch, c.describe);
	site_link(&b, root, crel, t.ptr);
	html_raw(&b, "</p>\n");
	first_error(&b, f, nf);
	html_raw(&b, "<table class=\"facts\"><tr><th>status</th>");
	site_status_open(&b, status);
	site_known_marks(&b, root, known.v, known.n);
	html_raw(&b, "</td></tr><tr><th>duration</th><td>");
	if (r.has_duration) {
		char d[32];

		time_human(r.duration, d, sizeof(d));
		html_text(&b, d);
	}
	html_raw(&b, "</td></tr><tr><th>started</th><td>");
	site_time_el(&b, r.start_time);
	html_raw(&b, "</td></tr><tr><th>compiler</th><td>");
	html_text(&b, compiler);
	html_raw(&b, "</td></tr><tr><th>config</th><td>");
	html_text(&b, r.kconfig);
	html_raw(&b, "</td></tr><tr><th>warnings</th><td>");
	v = json_object_get(misc, "warnings");
	if (json_is_integer(v))
		buf_addf(&b, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
	html_raw(&b, "</td></tr>");
	v = json_object_get(misc, "error_msg");
	if (json_is_string(v)) {
		html_raw(&b, "<tr><th>error</th><td>");
		site_outside_text(&b, json_string_value(json_object_get(misc,
		    "error_code")));
		html_raw(&b, ": ");
		site_outside_text(&b, json_string_value(v));
		html_raw(&b, "</td></tr>");
	}
	html_raw(&b, "</table>\n");
	site_findings_html(&b, root, f, nf);
	v = json_object_get(misc, "reproducer");
	if (json_is_string(v)) {
		html_raw(&b, "<h2>Reproduce</h2>\n<pre class=\"repro\">");
		site_outside_text(&b, json_string_value(v));
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
	site_outside_text(&b, r.log_excerpt);
	html_raw(&b, "</pre>\n");
	site_page_end(&b);
	j = json_object();
	json_object_set_new(j, "id", json_integer(id));
	json_object_set_new(j, "job", site_jstr(r.job_id));
	json_object_set_new(j, "checkout", site_checkout_json(&c));
	json_object_set_new(j, "config", site_jstr(r.config_name));
	json_object_set_new(j, "arch", site_jstr(r.arch));
	json_object_set_new(j, "compiler", site_jstr(compiler));
	json_object_set_new(j, "kconfig", site_jstr(r.kconfig));
	json_object_set_new(j, "status", site_jstr(status));
	json_object_set_new(j, "issues", site_known_json(known.v, known.n));
	json_object_set_new(j, "findings", site_findings_json(f, nf));
	json_object_set_new(j, "duration", r.has_duration ?
	    json_real(r.duration) : json_null());
	json_object_set_new(j, "start_time", site_jtime(r.start_time));
	json_object_set_new(j, "log_url", site_jstr(r.log_url));
	json_object_set_new(j, "config_url", site_jstr(r.config_url));
	json_object_set_new(j, "artifacts", arts ? arts : json_object());
	if (misc != NULL)
		secret_mask_json(misc);
	json_object_set_new(j, "misc", misc ? misc : json_object());
	if (site_retired(s, c.id)) {
		buf_reset(&b);
		buf_addf(&b, "Build %lld, of a checkout that", id);
		buf_reset(&t);
		buf_addf(&t, "Build %s %s of %s/%s %s", r.config_name, r.arch ?
		    r.arch : "", c.tree, c.branch, c.describe);
		rc = site_emit_stub(s, rel, t.ptr, b.ptr, crel, "its checkout",
		    j);
	} else
		rc = site_emit_page(s, rel, &b, j);
	site_knownlist_release(&known);
	store_findings_free(f, nf);
	store_build_release(&r);
	store_checkout_release(&c);
	buf_release(&b);
	buf_release(&t);
	free(rel);
	free(root);
	free(crel);
	return rc;
}

int
site_render_build(struct site *s, long long id)
{
	return build_page(s, id);
}

int
site_render_builds_of(struct site *s, long long checkout)
{
	struct site_ids builds;
	size_t i;
	int rc;

	rc = store_site_build_ids(s->db, checkout, &builds);
	for (i = 0; i < builds.n && rc == 0; i++)
		rc = build_page(s, builds.v[i]);
	free(builds.v);
	return rc;
}
