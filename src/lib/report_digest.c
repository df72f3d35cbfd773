/*
 * report_digest.c: the weekly digest of a tree, on the day
 * settings.email.digest names (UTC), once per ISO week: the regressions
 * still open at the head of each branch, as the site's regressions page
 * finds them (site_open_regressions()), those of known issues apart.
 */
#include "buf.h"
#include "config.h"
#include "log.h"
#include "report.h"
#include "report_impl.h"
#include "site_change.h"
#include "site_page.h"
#include "store_issue.h"
#include "store_report.h"
#include "store_site.h"
#include "util.h"

/* The page of an open regression's result in the latest checkout. */
static char *
regression_rel(const struct site_regression *g, int build)
{
	if (build)
		return xasprintf("b/%lld.html", g->r.id);
	return site_test_rel(g->tree, g->branch, g->r.config, g->r.arch,
	    g->r.platform, g->r.path);
}

static void
regression_line(struct report_ctx *x, struct buf *b,
    const struct site_regression *g)
{
	int build = strcmp(g->what, "build") == 0;
	char *rel;

	buf_puts(b, "  ");
	report_result(b, &g->r, g->what);
	buf_puts(b, g->unstable ? " (unstable)\n" : "\n");
	buf_puts(b, "    failing since ");
	report_text(b, g->since_describe);
	buf_addf(b, " (checkout %lld)\n    last passed at ", g->since);
	report_text(b, g->last_pass_describe);
	buf_addf(b, " (checkout %lld)\n", g->last_pass);
	rel = regression_rel(g, build);
	report_link_line(x, b, "    ", rel);
	free(rel);
}

/* The known issue a result shows, into *is (NULL when none). */
static int
known_of(struct report_ctx *x, const struct site_regression *g,
    struct issue_row **v, size_t *n)
{
	*v = NULL;
	*n = 0;
	if (store_result_issues(x->db, strcmp(g->what, "build") == 0 ?
	    "build" : "test", g->r.id, v, n) != 0)
		return -1;
	if (*n > 0 && strcmp((*v)[0].kind, "known") != 0) {
		store_issues_free(*v, *n);
		*v = NULL;
		*n = 0;
	}
	return 0;
}

/* One branch: its open regressions, the new ones then the known. */
static int
branch_part(struct report_ctx *x, struct buf *b, const char *tree,
    const char *branch, long *open)
{
	struct site_reglist l;
	struct site_ids ids;
	struct issue_row *is;
	struct site site;
	struct buf known = BUF_INIT;
	size_t i, n, nis, shown, nknown;
	int rc;

	memset(&ids, 0, sizeof(ids));
	memset(&l, 0, sizeof(l));
	if (store_site_latest(x->db, tree, branch, 1, &ids) != 0)
		return -1;
	report_text(b, tree);
	buf_putc(b, '/');
	report_text(b, branch);
	if (ids.n == 0) {
		buf_puts(b, ": not polled yet\n\n");
		free(ids.v);
		return 0;
	}
	memset(&site, 0, sizeof(site));
	site.cfg = x->cfg;
	site.db = x->db;
	rc = site_open_regressions(&site, ids.v[0], &l);
	if (rc != 0)
		goto out;
	site_regressions_sort(&l);
	buf_addf(b, " (checkout %lld): ", ids.v[0]);
	if (l.n == 0)
		buf_puts(b, "no open regressions\n");
	else
		buf_addf(b, "%zu open regression%s\n", l.n, l.n == 1 ? "" : "s");
	if (l.n > 0)
		report_link_line(x, b, "  ", "regressions.html");
	shown = nknown = 0;
	for (i = 0; i < l.n && rc == 0; i++) {
		rc = known_of(x, &l.v[i], &is, &nis);
		if (rc != 0)
			break;
		if (nis == 0 && shown++ < REPORT_LIST_MAX)
			regression_line(x, b, &l.v[i]);
		if (nis > 0 && nknown++ < REPORT_LIST_MAX) {
			regression_line(x, &known, &l.v[i]);
			buf_puts(&known, "    known issue ");
			report_text(&known, is[0].id);
			buf_puts(&known, ": ");
			report_text(&known, is[0].title);
			buf_putc(&known, '\n');
			if (is[0].report_url != NULL) {
				buf_puts(&known, "    ");
				report_text(&known, is[0].report_url);
				buf_putc(&known, '\n');
			}
		}
		store_issues_free(is, nis);
	}
	n = shown > REPORT_LIST_MAX ? shown - REPORT_LIST_MAX : 0;
	if (n > 0)
		buf_addf(b, "  ... and %zu more on the regressions page\n", n);
	if (nknown > 0) {
		buf_addf(b, "  of known issues (not new): %zu\n", nknown);
		buf_add(b, known.ptr, known.len);
		if (nknown > REPORT_LIST_MAX)
			buf_addf(b, "  ... and %zu more\n",
			    nknown - REPORT_LIST_MAX);
	}
	buf_putc(b, '\n');
	*open += (long)l.n;
out:
	buf_release(&known);
	site_reglist_release(&l);
	free(ids.v);
	return rc;
}

/* The digest of one tree for week, unless it was made already. */
static int
tree_digest(struct report_ctx *x, const struct tree_cfg *t,
    const char *week)
{
	struct report_draft d;
	struct buf parts = BUF_INIT;
	long open;
	size_t i;
	int rc;

	report_draft_init(&d, "digest", t->name, "");
	d.key = xasprintf("digest:%s:%s", t->name, week);
	rc = store_report_exists(x->db, d.key);
	if (rc != 0) {
		report_draft_release(&d);
		return rc < 0 ? -1 : 0;
	}
	d.to = t->report_to;
	open = 0;
	for (i = 0; i < t->nbranches && rc == 0; i++)
		rc = branch_part(x, &parts, t->name, t->branches[i], &open);
	if (rc != 0)
		goto out;
	buf_addf(&d.subject, "[%s] %s: weekly digest %s, %ld open "
	    "regression%s", x->cfg->origin, t->name, week, open,
	    open == 1 ? "" : "s");
	buf_addf(&d.body, "Open regressions of tree %s, week %s: the "
	    "results that\npassed, then failed, and still fail at the head "
	    "of their branch.\n\n", t->name, week);
	buf_add(&d.body, parts.ptr, parts.len);
	buf_rtrim(&d.body);
	buf_putc(&d.body, '\n');
	report_signature(x, &d.body);
	rc = report_record(x, &d);
	if (rc == 0)
		x->stats->digests++;
	rc = rc < 0 ? -1 : 0;
out:
	buf_release(&parts);
	report_draft_release(&d);
	return rc;
}

int
report_digest(struct report_ctx *x)
{
	struct tm tm;
	time_t now = (time_t)x->now;
	char week[16];
	size_t i;
	int rc;

	if (x->cfg->digest_day < 0 || gmtime_r(&now, &tm) == NULL ||
	    tm.tm_wday != x->cfg->digest_day)
		return 0;
	report_iso_week(x->now, week, sizeof(week));
	rc = 0;
	for (i = 0; i < x->cfg->ntrees && rc == 0; i++)
		if (x->cfg->trees[i].report_to != NULL &&
		    x->cfg->trees[i].report_to[0] != NULL)
			rc = tree_digest(x, &x->cfg->trees[i], week);
	return rc;
}
