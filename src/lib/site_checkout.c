/*
 * site_checkout.c: the page of a checkout (c/<id>.html): its facts,
 * what changed since the checkout before it (regressions that match a
 * known issue apart from new ones), the build matrix, boots and tests,
 * each failure with the known issues it matches.
 */
#include <jansson.h>

#include "buf.h"
#include "html.h"
#include "log.h"
#include "site.h"
#include "site_change.h"
#include "site_page.h"
#include "store_bisect.h"
#include "store_checkout.h"
#include "util.h"

/* The known issues of a failing result of the checkout, or NULL. */
static const struct site_known *
known_of(const struct site_knownlist *known, const struct site_res *r,
    int build, size_t *n)
{
	*n = 0;
	if (r == NULL || !site_failing(r->status))
		return NULL;
	return site_known_find(known, build, r->id, n);
}

/* A regression (stable or not) that matches a known issue. */
static int
known_regression(const struct site_knownlist *known,
    const struct site_change *ch)
{
	size_t n;

	return site_change_is_regression(ch->kind) && known_of(known, ch->now,
	    strcmp(ch->what, "build") == 0, &n) != NULL;
}

/* A change's row of the table. */
static void
change_html(struct buf *b, const char *root, const struct checkout_row *c,
    const struct site_change *ch, long long bis, const struct site_known *k,
    size_t nk, struct buf *name)
{
	const struct site_res *r = ch->now ? ch->now : ch->before;
	int build = strcmp(ch->what, "build") == 0;

	buf_addf(b, "<tr data-status=\"%s\" data-arch=\"",
	    ch->now && ch->now->status ? ch->now->status : "NONE");
	html_attr(b, r->arch);
	html_raw(b, "\" data-platform=\"");
	html_attr(b, r->platform);
	html_raw(b, "\" data-path=\"");
	html_attr(b, r->path);
	buf_addf(b, "\"><td class=\"kind k%d\">%s</td><td>%s</td><td>",
	    (int)ch->kind, site_change_name(ch->kind), ch->what);
	site_res_link(b, root, c, r, build, site_res_name(r, ch->what, name));
	if (ch->kind == CHANGE_UNSTABLE)
		buf_addf(b, " <small>flip rate %.2f</small>", ch->flip);
	if (bis > 0) {
		html_raw(b, " \xc2\xb7 ");
		site_bisect_link(b, root, bis);
	}
	site_known_marks(b, root, k, nk);
	html_raw(b, "</td>");
	if (ch->before)
		site_status_cell(b, ch->before->status);
	else
		html_raw(b, "<td>\xe2\x80\x94</td>");
	if (ch->now)
		site_status_cell(b, ch->now->status);
	else
		html_raw(b, "<td>\xe2\x80\x94</td>");
	html_raw(b, "</tr>\n");
}

/*
 * A change's row (none when b is NULL), and its JSON appended to arr
 * (and to regs, the list of new or known regressions, for one); a
 * regression links to the bisection that covers it.
 */
static int
change_row(struct site *s, struct buf *b, const char *root,
    const struct checkout_row *c, const struct site_change *ch,
    const struct site_knownlist *known, json_t *arr, json_t *regs,
    struct buf *name)
{
	const struct site_res *r = ch->now ? ch->now : ch->before;
	int build = strcmp(ch->what, "build") == 0;
	const struct site_known *k;
	long long bis;
	json_t *e;
	size_t nk;

	bis = 0;
	k = known_of(known, ch->now, build, &nk);
	if (ch->now != NULL && site_change_is_regression(ch->kind) &&
	    store_bisect_of_result(s->db, build ? "build" : "test",
	    ch->now->id, &bis) != 0)
		return -1;

	if (b != NULL)
		change_html(b, root, c, ch, bis, k, nk, name);
	e = site_res_json(c, r, build);
	json_object_set_new(e, "what", json_string(ch->what));
	json_object_set_new(e, "before", site_jstr(ch->before ?
	    ch->before->status : NULL));
	json_object_set_new(e, "now", site_jstr(ch->now ? ch->now->status :
	    NULL));
	if (site_change_is_regression(ch->kind))
		json_object_set_new(e, "flip_rate", json_real(ch->flip));
	if (bis > 0)
		json_object_set_new(e, "bisection", json_integer(bis));
	if (k != NULL)
		json_object_set_new(e, "issues", site_known_json(k, nk));
	if (regs != NULL)
		json_array_append(regs, e);
	json_array_append_new(arr, e);
	return 0;
}

#define CHANGES_HEAD "<thead><tr><th>change</th><th>what</th>" \
	"<th>result</th><th>before</th><th>now</th></tr></thead><tbody>\n"

/*
 * A new pass is a row of the tests below, a result that disappeared one
 * of the previous checkout's page: the page counts them, and only the
 * JSON twin lists them, so that a page does not hold its tests twice.
 */
static int
change_listed(const struct site_change *ch)
{
	return ch->kind != CHANGE_NEW_PASS && ch->kind != CHANGE_DISAPPEARED;
}

/* A branch head, as opposed to a checkout on demand or by bisection. */
static int
is_head(const struct checkout_row *c)
{
	return c->kind == NULL || strcmp(c->kind, "head") == 0;
}

/*
 * What changed.  The regressions that match a known issue are listed
 * apart, after the others: they are not news.  The JSON keeps every
 * change under its kind (as `maestrino compare` does), and lists the
 * regressions apart again: new_regressions and known_regressions.
 */
static int
changes_section(struct site *s, struct buf *b, const char *root,
    const struct checkout_row *c, const struct site_changelist *cl,
    long long prev, const struct site_knownlist *known, json_t *j)
{
	struct buf name = BUF_INIT;
	json_t *jc, *jnew, *jknown, *regs;
	size_t i, nknown, nlisted, count[CHANGE_KINDS];
	char *jrel;
	int k, rc;

	rc = 0;
	nknown = nlisted = 0;
	memset(count, 0, sizeof(count));
	for (i = 0; i < cl->n; i++) {
		if (known_regression(known, &cl->v[i]))
			nknown++;
		else {
			count[cl->v[i].kind]++;
			nlisted += change_listed(&cl->v[i]);
		}
	}
	jnew = json_array();
	jknown = json_array();
	jc = json_object();
	for (k = 0; k < CHANGE_KINDS; k++)
		json_object_set_new(jc, site_change_name(k), json_array());
	html_raw(b, "<section id=\"changes\"><h2>Changes since ");
	if (!is_head(c)) {
		html_raw(b, "\xe2\x80\x94 a checkout on demand is no head of "
		    "its branch, and is compared with none");
	} else if (prev > 0) {
		char *rel = xasprintf("c/%lld.html", prev);

		site_link(b, root, rel, "the previous checkout");
		free(rel);
	} else {
		html_raw(b, "\xe2\x80\x94 this is the first checkout of "
		    "this branch");
	}
	html_raw(b, "</h2>\n<p class=\"kinds\">");
	for (k = 0; k < CHANGE_KINDS; k++)
		buf_addf(b, "<span class=\"kind k%d\">%s: %zu</span> ", k,
		    site_change_name(k), count[k]);
	if (nknown > 0)
		buf_addf(b, "<span class=\"kind known\"><a href=\""
		    "#known-regressions\">matching known issues: %zu</a>"
		    "</span> ", nknown);
	html_raw(b, "</p>\n");
	if (count[CHANGE_NEW_PASS] + count[CHANGE_DISAPPEARED] > 0) {
		html_raw(b, "<p class=\"note\">New passes are among the tests "
		    "below, and what disappeared is on the previous checkout's "
		    "page: ");
		jrel = xasprintf("api/c/%lld.json", c->id);
		site_link(b, root, jrel, "the JSON");
		free(jrel);
		html_raw(b, " lists them.</p>\n");
	}
	if (nlisted > 0)
		html_raw(b, "<table class=\"filterable changes\">"
		    CHANGES_HEAD);
	for (i = 0; i < cl->n && rc == 0; i++) {
		if (known_regression(known, &cl->v[i]))
			continue;
		regs = site_change_is_regression(cl->v[i].kind) ? jnew : NULL;
		rc = change_row(s, change_listed(&cl->v[i]) ? b : NULL, root,
		    c, &cl->v[i], known, json_object_get(jc,
		    site_change_name(cl->v[i].kind)), regs, &name);
	}
	if (nlisted > 0)
		html_raw(b, "</tbody></table>\n");
	html_raw(b, "</section>\n");
	if (nknown > 0) {
		html_raw(b, "<section id=\"known-regressions\"><h2>"
		    "Regressions matching known issues</h2>\n"
		    "<table class=\"filterable changes\">" CHANGES_HEAD);
		for (i = 0; i < cl->n && rc == 0; i++)
			if (known_regression(known, &cl->v[i]))
				rc = change_row(s, b, root, c, &cl->v[i], known,
				    json_object_get(jc,
				    site_change_name(cl->v[i].kind)), jknown,
				    &name);
		html_raw(b, "</tbody></table></section>\n");
	}
	json_object_set_new(j, "previous_checkout", prev > 0 ?
	    json_integer(prev) : json_null());
	json_object_set_new(j, "changes", jc);
	json_object_set_new(j, "new_regressions", jnew);
	json_object_set_new(j, "known_regressions", jknown);
	buf_release(&name);
	return rc;
}

static void
build_matrix(struct buf *b, const char *root, const struct checkout_row *c,
    const struct site_reslist *builds, const struct site_knownlist *known)
{
	const struct site_known *kn;
	char **arches;
	size_t na, nk, i, j, k;
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
		for (j = i; j > 0 && strcmp(arches[j - 1], arches[j]) > 0;
		    j--) {
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
			const struct site_res *r = NULL;
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
			site_res_link(b, root, c, r, 1, row.ptr);
			kn = known_of(known, r, 1, &nk);
			site_known_marks(b, root, kn, nk);
			html_raw(b, "</td>");
		}
		html_raw(b, "</tr>\n");
	}
	html_raw(b, "</tbody></table></section>\n");
	free(arches);
	buf_release(&row);
}

/* The optional columns of a table of results: only when a row has one. */
#define COL_VALUE	0x1
#define COL_LOG		0x2

static int
result_cols(const struct site_reslist *tests, int boots)
{
	size_t i;
	int cols;

	cols = 0;
	for (i = 0; i < tests->n; i++) {
		if ((strcmp(tests->v[i].path, "boot") == 0) != boots)
			continue;
		if (tests->v[i].has_value)
			cols |= COL_VALUE;
		if (tests->v[i].log_url)
			cols |= COL_LOG;
	}
	return cols;
}

static void
result_head(struct buf *b, int cols)
{
	html_raw(b, "<table class=\"filterable\"><thead><tr><th>test</th>"
	    "<th>platform</th><th>config</th><th>arch</th><th>status</th>");
	if (cols & COL_VALUE)
		html_raw(b, "<th>value</th>");
	if (cols & COL_LOG)
		html_raw(b, "<th>log</th>");
	html_raw(b, "</tr></thead><tbody>\n");
}

/*
 * A result's row.  The tables of a checkout hold every test, so their
 * rows are lean: the optional end tags of cells and rows are left out,
 * and the filter reads the cells (see filter.js), not attributes.
 */
static void
result_row(struct buf *b, const char *root, const struct checkout_row *c,
    const struct site_res *r, const struct site_knownlist *known, int cols)
{
	struct buf label = BUF_INIT;
	const struct site_known *k;
	size_t nk;

	html_raw(b, "<tr><td>");
	site_res_link(b, root, c, r, 0, site_res_label(r->path, r->plan,
	    &label));
	buf_release(&label);
	k = known_of(known, r, 0, &nk);
	site_known_marks(b, root, k, nk);
	html_raw(b, "<td>");
	html_text(b, r->platform);
	html_raw(b, "<td>");
	html_text(b, r->config);
	html_raw(b, "<td>");
	html_text(b, r->arch);
	site_status_open(b, r->status);
	if (cols & COL_VALUE) {
		html_raw(b, "<td class=\"num\">");
		if (r->has_value) {
			buf_addf(b, "%g ", r->value);
			html_text(b, r->unit);
		}
	}
	if (cols & COL_LOG) {
		html_raw(b, "<td>");
		if (r->log_url) {
			html_raw(b, "<a href=\"");
			html_href(b, r->log_url);
			html_raw(b, "\">log</a>");
		}
	}
	html_raw(b, "\n");
}

static void
tests_section(struct buf *b, const char *root, const struct checkout_row *c,
    const struct site_reslist *tests, const struct site_knownlist *known)
{
	size_t i, k, n[3];
	const char *dot;
	struct buf suite = BUF_INIT, next = BUF_INIT;
	int cols;

	html_raw(b, "<section id=\"boots\"><h2>Boots by platform</h2>\n");
	cols = result_cols(tests, 1);
	result_head(b, cols);
	for (i = 0; i < tests->n; i++)
		if (strcmp(tests->v[i].path, "boot") == 0)
			result_row(b, root, c, &tests->v[i], known, cols);
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
			n[site_slot(tests->v[k].status)]++;
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

			site_counts_cells(b, v);
		}
		html_raw(b, "</tr>\n");
	}
	html_raw(b, "</tbody></table>\n");
	cols = result_cols(tests, 0);
	result_head(b, cols);
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
			buf_addf(b, "\"><th colspan=\"%d\">", 5 +
			    !!(cols & COL_VALUE) + !!(cols & COL_LOG));
			html_text(b, suite.ptr);
			html_raw(b, "</th></tr>\n");
		}
		result_row(b, root, c, &tests->v[i], known, cols);
	}
	html_raw(b, "</tbody></table></section>\n");
	buf_release(&suite);
	buf_release(&next);
}


void
site_changes_release(struct site_changes *x)
{
	free(x->cl.v);
	site_reslist_release(&x->builds);
	site_reslist_release(&x->tests);
	site_reslist_release(&x->pbuilds);
	site_reslist_release(&x->ptests);
	memset(x, 0, sizeof(*x));
}

/* What a checkout on demand was asked for: ref, base and patches. */
static void
ondemand_facts(struct buf *b, const struct checkout_row *c)
{
	json_error_t e;
	json_t *p, *v, *subj;
	size_t i, k;

	html_raw(b, "<dt>made</dt><dd>");
	html_text(b, strcmp(c->kind, "bisect") == 0 ? "by bisection" :
	    "on demand");
	html_raw(b, "</dd><dt>ref</dt><dd><code>");
	html_text(b, c->ref != NULL ? c->ref : "");
	html_raw(b, "</code></dd><dt>patches</dt><dd>");
	p = c->patches != NULL ? json_loads(c->patches, 0, &e) : NULL;
	if (json_array_size(p) == 0)
		html_raw(b, "none");
	else
		html_raw(b, "<ol class=\"patches\">");
	json_array_foreach(p, i, v) {
		html_raw(b, "<li><a href=\"");
		html_href(b, json_string_value(json_object_get(v, "url")));
		html_raw(b, "\">");
		html_text(b, json_string_value(json_object_get(v, "name")));
		html_raw(b, "</a>");
		subj = json_object_get(v, "subjects");
		if (json_array_size(subj) > 0)
			html_raw(b, "<ul>");
		for (k = 0; k < json_array_size(subj); k++) {
			html_raw(b, "<li>");
			html_text(b, json_string_value(json_array_get(subj,
			    k)));
			html_raw(b, "</li>");
		}
		if (json_array_size(subj) > 0)
			html_raw(b, "</ul>");
		html_raw(b, "</li>");
	}
	if (json_array_size(p) > 0) {
		html_raw(b, "</ol>patchset_hash <code>");
		html_text(b, c->patchset_hash);
		html_raw(b, "</code>");
	}
	json_decref(p);
	html_raw(b, "</dd>");
	if (c->source_commit != NULL) {
		html_raw(b, "<dt>patched commit</dt><dd><code>");
		html_text(b, c->source_commit);
		html_raw(b, "</code></dd>");
	}
}

static void
facts(struct buf *b, const struct checkout_row *c)
{
	html_raw(b, "</p>\n<dl class=\"facts\">");
	if (!is_head(c))
		ondemand_facts(b, c);
	html_raw(b, is_head(c) ? "<dt>commit</dt><dd><code>" :
	    "<dt>base commit</dt><dd><code>");
	html_text(b, c->commit);
	html_raw(b, "</code></dd><dt>author</dt><dd>");
	html_text(b, c->author_name);
	html_raw(b, "</dd><dt>committed</dt><dd>");
	site_time_el(b, c->commit_time);
	html_raw(b, "</dd><dt>found</dt><dd>");
	site_time_el(b, c->created);
	html_raw(b, "</dd><dt>tags</dt><dd>");
	html_text(b, c->tags && *c->tags ? c->tags : "\xe2\x80\x94");
	html_raw(b, "</dd><dt>repository</dt><dd>");
	html_text(b, c->url);
	html_raw(b, "</dd><dt>tarball</dt><dd>");
	if (c->tarball_url != NULL) {
		html_raw(b, "<a href=\"");
		html_href(b, c->tarball_url);
		buf_addf(b, "\">%lld bytes</a> sha256 <code>",
		    c->tarball_size);
		html_text(b, c->tarball_sha256);
		html_raw(b, "</code>");
	} else {
		html_text(b, c->tarball_error ? c->tarball_error :
		    c->tarball_state);
	}
	html_raw(b, "</dd></dl>\n");
}

/*
 * The bisections a checkout takes part in: as the bad one of a
 * regression, or as one of their steps.  JSON only when there are.
 */
static int
bisections_note(struct site *s, struct buf *b, const char *root,
    const struct checkout_row *c, json_t *j)
{
	struct bisection_step_row *steps;
	struct bisection_row *rows;
	const struct bisection_step_row *st;
	const char *status;
	json_t *arr, *e;
	size_t i, k, n, nsteps;
	int rc;

	if (store_bisect_of_checkout(s->db, c->id, &rows, &n) != 0)
		return error("cannot read the bisections of checkout %lld",
		    c->id);
	if (n == 0)
		return 0;
	arr = json_array();
	rc = 0;
	html_raw(b, "<ul class=\"bisections\">");
	for (i = 0; i < n && rc == 0; i++) {
		status = rows[i].outcome ? rows[i].outcome : rows[i].state;
		e = json_pack("{s:I,s:s}", "id", (json_int_t)rows[i].id,
		    "status", status);
		html_raw(b, "<li>");
		if (rows[i].bad_checkout == c->id) {
			html_raw(b, "Its regressions are bisected in ");
			site_bisect_link(b, root, rows[i].id);
			json_object_set_new(e, "as", json_string("bad"));
		} else {
			rc = store_bisect_steps(s->db, rows[i].id, &steps,
			    &nsteps);
			for (k = 0, st = NULL; k < nsteps && rc == 0; k++)
				if (steps[k].checkout == c->id)
					st = &steps[k];
			html_raw(b, "A bisection step of ");
			site_bisect_link(b, root, rows[i].id);
			json_object_set_new(e, "as", json_string("step"));
			if (st != NULL) {
				buf_addf(b, ": step %d, ", st->n);
				html_text(b, st->role);
				html_raw(b, ", ");
				html_text(b, st->result ? st->result :
				    "running");
				json_object_set_new(e, "step",
				    json_integer(st->n));
				json_object_set_new(e, "role",
				    site_jstr(st->role));
				json_object_set_new(e, "result",
				    site_jstr(st->result));
			}
			if (rc == 0)
				store_bisect_steps_free(steps, nsteps);
		}
		html_raw(b, " (");
		html_text(b, status);
		html_raw(b, ")</li>");
		json_array_append_new(arr, e);
	}
	html_raw(b, "</ul>\n");
	json_object_set_new(j, "bisections", arr);
	store_bisect_list_free(rows, n);
	return rc;
}

/* A result's JSON, with the known issues it matches when it fails. */
static json_t *
res_json(const struct checkout_row *c, const struct site_res *r, int build,
    const struct site_knownlist *known)
{
	const struct site_known *k;
	json_t *e;
	size_t nk;

	e = site_res_json(c, r, build);
	k = known_of(known, r, build, &nk);
	if (k != NULL)
		json_object_set_new(e, "issues", site_known_json(k, nk));
	return e;
}

static int
page(struct site *s, const struct checkout_row *c,
    const struct site_changes *x, const struct site_counts *cnt,
    const struct site_knownlist *known)
{
	struct buf b = BUF_INIT, t = BUF_INIT;
	json_t *j, *arr;
	char *rel, *root, *trel;
	size_t i;
	int rc, retired;

	rel = xasprintf("c/%lld.html", c->id);
	root = site_root_of(rel);
	if (is_head(c))
		buf_addf(&t, "%s/%s %s", c->tree, c->branch, c->describe);
	else
		buf_addf(&t, "%s %s %s", c->tree, c->describe,
		    strcmp(c->kind, "bisect") == 0 ? "(bisection)" :
		    "(on demand)");
	site_page_begin(&b, s, rel, t.ptr, root);
	html_raw(&b, "<h1>");
	trel = NULL;
	buf_reset(&t);
	if (c->branch[0] != '\0') {
		trel = site_tree_rel(c->tree, c->branch);
		buf_addf(&t, "%s/%s", c->tree, c->branch);
		site_link(&b, root, trel, t.ptr);
	} else
		html_text(&b, c->tree);
	html_raw(&b, " <span class=\"describe\">");
	html_text(&b, c->describe);
	html_raw(&b, "</span>");
	if (!is_head(c)) {
		buf_addf(&b, " <span class=\"ondemand\">%s</span>",
		    strcmp(c->kind, "bisect") == 0 ? "bisection step" :
		    "on demand");
		if (c->patches != NULL)
			html_raw(&b, " <span class=\"ondemand\">+ "
			    "patches</span>");
	}
	html_raw(&b, "</h1>\n<p class=\"subject\">");
	html_text(&b, c->subject);
	facts(&b, c);
	j = site_checkout_json(c);
	rc = bisections_note(s, &b, root, c, j);
	html_raw(&b, "<table class=\"summary\"><tr><th>builds</th>"
	    "<th>boots</th><th>tests</th></tr><tr>");
	site_counts_cells(&b, cnt->b);
	site_counts_cells(&b, cnt->r);
	site_counts_cells(&b, cnt->t);
	html_raw(&b, "</tr></table>\n");

	json_object_set_new(j, "counts", site_counts_json(cnt));
	if (rc == 0)
		rc = changes_section(s, &b, root, c, &x->cl, x->prev, known,
		    j);
	/*
	 * only the JSON twin is wanted when it is captured, and only it and
	 * a stub when the checkout is retired
	 */
	retired = site_retired(s, c->id);
	if (s->capture_rel == NULL && !retired) {
		build_matrix(&b, root, c, &x->builds, known);
		tests_section(&b, root, c, &x->tests, known);
		site_page_end(&b);
	}
	arr = json_array();
	for (i = 0; i < x->builds.n; i++)
		json_array_append_new(arr, res_json(c, &x->builds.v[i], 1,
		    known));
	json_object_set_new(j, "builds", arr);
	arr = json_array();
	for (i = 0; i < x->tests.n; i++)
		json_array_append_new(arr, res_json(c, &x->tests.v[i], 0,
		    known));
	json_object_set_new(j, "tests", arr);
	if (rc == 0 && retired) {
		buf_reset(&b);
		buf_addf(&b, "Checkout %lld, commit %.12s,", c->id, c->commit);
		buf_reset(&t);
		if (is_head(c))
			buf_addf(&t, "%s/%s %s", c->tree, c->branch,
			    c->describe);
		else
			buf_addf(&t, "%s %s (%s)", c->tree, c->describe,
			    c->kind);
		rc = site_emit_stub(s, rel, t.ptr, b.ptr, trel, "its branch",
		    j);
	} else if (rc == 0)
		rc = site_emit_page(s, rel, &b, j);
	else
		json_decref(j);
	s->stats->checkouts++;
	buf_release(&b);
	buf_release(&t);
	free(rel);
	free(root);
	free(trel);
	return rc;
}

/* Counts by status, from the results read (the same rows). */
static void
counts_of(const struct site_changes *x, struct site_counts *cnt)
{
	size_t i;

	memset(cnt, 0, sizeof(*cnt));
	for (i = 0; i < x->builds.n; i++)
		cnt->b[site_slot(x->builds.v[i].status)]++;
	for (i = 0; i < x->tests.n; i++) {
		if (strcmp(x->tests.v[i].path, "boot") == 0)
			cnt->r[site_slot(x->tests.v[i].status)]++;
		else
			cnt->t[site_slot(x->tests.v[i].status)]++;
	}
}

/* The page of checkout c, whose changes x has. */
static int
render_changes(struct site *s, const struct checkout_row *c,
    struct site_changes *x)
{
	struct site_knownlist known;
	struct site_counts cnt;
	int rc;

	memset(&known, 0, sizeof(known));
	counts_of(x, &cnt);
	rc = store_site_known_of(s->db, c->id, &known);
	if (rc == 0) {
		/* a feed lists the changes in this order */
		site_feed_keep(s, c, &x->cl);
		site_changes_sort(&x->cl);
		rc = page(s, c, x, &cnt, &known);
	}
	site_knownlist_release(&known);
	return rc;
}

int
site_render_checkout(struct site *s, long long id)
{
	struct site_changes x;
	struct checkout_row c;
	int rc;

	rc = store_site_checkout(s->db, id, &c);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	rc = site_changes_load(s, &c, &x);
	if (rc == 0)
		rc = render_changes(s, &c, &x);
	site_changes_release(&x);
	store_checkout_release(&c);
	return rc;
}

/*
 * The newest results of each key of a branch (build or test) seen so
 * far along a chain, for flip rates: seen counts them all, st holds
 * the slots of the newest FLAKY_RUNS, newest at st[(seen - 1) %
 * FLAKY_RUNS].  Sorted as results are (site_res_cmp()).
 */
struct ring {
	struct site_res	 key;
	size_t		 seen;
	unsigned char	 st[FLAKY_RUNS];
};

struct rings {
	struct ring	*v;
	size_t		 n;
	size_t		 alloc;
};

static void
rings_release(struct rings *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		site_res_release(&r->v[i].key);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static struct ring *
ring_add(struct rings *r)
{
	struct ring *g;

	xgrow((void **)&r->v, &r->alloc, r->n + 1, sizeof(*r->v));
	g = &r->v[r->n++];
	memset(g, 0, sizeof(*g));
	return g;
}

/* Add the results of a checkout (sorted, each key's oldest first). */
static void
rings_push(struct rings *r, const struct site_reslist *l)
{
	struct rings out;
	struct ring *g;
	size_t i, j;
	int cmp;

	memset(&out, 0, sizeof(out));
	i = j = 0;
	while (i < r->n || j < l->n) {
		cmp = i == r->n ? 1 : j == l->n ? -1 :
		    site_res_cmp(&r->v[i].key, &l->v[j]);
		if (cmp < 0) {
			*ring_add(&out) = r->v[i++];
			continue;
		}
		g = ring_add(&out);
		if (cmp == 0)
			*g = r->v[i++];
		else
			site_res_copy(&g->key, &l->v[j]);
		for (; j < l->n && site_res_cmp(&g->key, &l->v[j]) == 0; j++)
			g->st[g->seen++ % FLAKY_RUNS] =
			    (unsigned char)site_slot(l->v[j].status);
	}
	free(r->v);
	*r = out;
}

static int
ring_cmp(const void *key, const void *elem)
{
	return site_res_cmp(key, &((const struct ring *)elem)->key);
}

/*
 * The flip rate of regression ch from the rings, as its history up to
 * the checkout would give it: 1 when done, 0 when the rings do not
 * hold the newest FLAKY_RUNS results of its key (whole is set when
 * they hold every result of the branch).
 */
static int
ring_flip(const struct rings *r, int whole, struct site_change *ch)
{
	static const char *const names[] = { "PASS", "FAIL", "OTHER" };
	struct site_hist v[FLAKY_RUNS];
	struct site_histlist h;
	const struct ring *g;
	size_t i, n;

	if (r->n == 0)
		return 0;
	g = bsearch(ch->now, r->v, r->n, sizeof(*r->v), ring_cmp);
	if (g == NULL || (!whole && g->seen < FLAKY_RUNS))
		return 0;
	n = g->seen < FLAKY_RUNS ? g->seen : FLAKY_RUNS;
	memset(v, 0, sizeof(v));
	for (i = 0; i < n; i++)
		v[i].status = (char *)names[g->st[(g->seen - 1 - i) %
		    FLAKY_RUNS]];
	h.v = v;
	h.n = n;
	h.alloc = 0;
	site_change_flip(ch, &h);
	return 1;
}

/* What a chain keeps from one checkout to the next. */
struct chain {
	long long		 prev;		/* the checkout before */
	struct site_reslist	 builds, tests;	/* its results */
	struct rings		 rb, rt;	/* of builds, of tests */
	int			 whole;		/* rings since the first */
};

/* Checkout c, with its results and the one before it in x, joins k. */
static void
chain_push(struct chain *k, const struct checkout_row *c,
    const struct site_changes *x)
{
	if (x->prev != k->prev || x->prev == 0) {
		/* a chain begins (again): what it kept does not count */
		site_reslist_release(&k->builds);
		site_reslist_release(&k->tests);
		rings_release(&k->rb);
		rings_release(&k->rt);
		k->whole = x->prev == 0;
	}
	rings_push(&k->rb, &x->builds);
	rings_push(&k->rt, &x->tests);
	k->prev = c->id;
}

/*
 * The changes of checkout c into x.  With a chain k, the checkout before
 * c is taken from what k kept of it, flip rates from k's rings where
 * they are known, and c is pushed onto k; without, everything is read.
 */
static int
changes_load(struct site *s, struct chain *k, const struct checkout_row *c,
    struct site_changes *x)
{
	struct site_histlist h;
	struct site_change *ch;
	size_t i;
	int build;

	memset(x, 0, sizeof(*x));
	if (store_site_builds(s->db, c->id, &x->builds) != 0 ||
	    store_site_tests(s->db, c->id, &x->tests) != 0 ||
	    store_site_previous(s->db, c, &x->prev) != 0)
		return -1;
	if (k != NULL)
		chain_push(k, c, x);
	/* the first checkout of a branch has nothing to change from */
	if (x->prev <= 0)
		return 0;
	if (k != NULL && (k->builds.v != NULL || k->tests.v != NULL)) {
		x->pbuilds = k->builds;
		x->ptests = k->tests;
		memset(&k->builds, 0, sizeof(k->builds));
		memset(&k->tests, 0, sizeof(k->tests));
	} else if (store_site_builds(s->db, x->prev, &x->pbuilds) != 0 ||
	    store_site_tests(s->db, x->prev, &x->ptests) != 0)
		return -1;
	site_diff(&x->builds, &x->pbuilds, 1, &x->cl);
	site_diff(&x->tests, &x->ptests, 0, &x->cl);
	for (i = 0; i < x->cl.n; i++) {
		ch = &x->cl.v[i];
		if (ch->kind != CHANGE_REGRESSION || ch->now == NULL)
			continue;
		build = strcmp(ch->what, "build") == 0;
		if (k != NULL &&
		    ring_flip(build ? &k->rb : &k->rt, k->whole, ch))
			continue;
		if (store_site_history(s->db, c->tree, c->branch, ch->now,
		    build, c->id, FLAKY_RUNS, &h) != 0)
			return -1;
		site_change_flip(ch, &h);
		site_histlist_release(&h);
	}
	return 0;
}

/*
 * What changed in checkout c since the checkout before it on its branch
 * (none for the first): regressions are told from unstable results by
 * their history up to c.
 */
int
site_changes_load(struct site *s, const struct checkout_row *c,
    struct site_changes *x)
{
	return changes_load(s, NULL, c, x);
}

int
site_changes_chain(struct site *s, const long long *ids, size_t n,
    size_t warm, int (*fn)(void *, const struct checkout_row *,
    struct site_changes *), void *arg)
{
	struct site_changes x;
	struct checkout_row c;
	struct chain k;
	size_t i;
	int rc;

	memset(&k, 0, sizeof(k));
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		rc = store_site_checkout(s->db, ids[i], &c);
		if (rc != 0) {
			rc = rc < 0 ? -1 : 0;
			continue;
		}
		if (i < warm) {
			/* only its results, for the rings and the next */
			memset(&x, 0, sizeof(x));
			if (store_site_builds(s->db, c.id, &x.builds) != 0 ||
			    store_site_tests(s->db, c.id, &x.tests) != 0 ||
			    store_site_previous(s->db, &c, &x.prev) != 0)
				rc = -1;
			else
				chain_push(&k, &c, &x);
		} else {
			rc = changes_load(s, &k, &c, &x);
			if (rc == 0)
				rc = fn(arg, &c, &x);
		}
		/* its results are the next one's previous */
		site_reslist_release(&k.builds);
		site_reslist_release(&k.tests);
		k.builds = x.builds;
		k.tests = x.tests;
		memset(&x.builds, 0, sizeof(x.builds));
		memset(&x.tests, 0, sizeof(x.tests));
		site_changes_release(&x);
		store_checkout_release(&c);
	}
	site_reslist_release(&k.builds);
	site_reslist_release(&k.tests);
	rings_release(&k.rb);
	rings_release(&k.rt);
	return rc;
}

static int
chain_page(void *arg, const struct checkout_row *c, struct site_changes *x)
{
	return render_changes(arg, c, x);
}

int
site_render_chain(struct site *s, const long long *ids, size_t n)
{
	return site_changes_chain(s, ids, n, 0, chain_page, s);
}

int
site_checkout_doc(const struct config *cfg, struct db *db, long long id,
    json_t **out)
{
	struct site_stats stats;
	struct site s;
	char *rel;
	int rc;

	*out = NULL;
	memset(&s, 0, sizeof(s));
	memset(&stats, 0, sizeof(stats));
	s.cfg = cfg;
	s.db = db;
	s.stats = &stats;
	rel = xasprintf("c/%lld.html", id);
	s.capture_rel = rel;
	rc = site_render_checkout(&s, id);
	free(rel);
	if (rc == 0 && s.capture == NULL)
		return 1;
	if (rc != 0) {
		json_decref(s.capture);
		return -1;
	}
	*out = s.capture;
	return 0;
}
