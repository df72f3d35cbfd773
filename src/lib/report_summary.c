/*
 * report_summary.c: the summary of a branch head once it has finished:
 * its results by status and what changed since the head before it, as
 * the checkout's page finds it (site_changes_load()).  It is mailed
 * when there are new regressions or fixes, or always with
 * settings.email.always; a regression that shows a known issue is not
 * new and is listed apart.
 */
#include "buf.h"
#include "config.h"
#include "log.h"
#include "report.h"
#include "report_impl.h"
#include "site_change.h"
#include "site_page.h"
#include "store_bisect.h"
#include "store_checkout.h"
#include "store_issue.h"
#include "store_site.h"
#include "util.h"

/* A change as the summary lists it, with the known issue it shows. */
struct item {
	const struct site_change	*ch;
	struct issue_row		*issues;	/* known first */
	size_t				 nissues;
};

struct itemlist {
	struct item	*v;
	size_t		 n;
	size_t		 alloc;
};

struct summary {
	struct checkout_row	 c;
	struct site_changes	 changes;
	struct site_counts	 counts;
	struct itemlist		 fresh;		/* new regressions */
	struct itemlist		 known;		/* regressions of known issues */
	struct itemlist		 fixed;
	struct itemlist		 unstable;
	char			*prev_describe;
};

static void
items_release(struct itemlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		store_issues_free(l->v[i].issues, l->v[i].nissues);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static struct item *
items_add(struct itemlist *l, const struct site_change *ch)
{
	struct item *it;

	xgrow((void **)&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
	it = &l->v[l->n++];
	memset(it, 0, sizeof(*it));
	it->ch = ch;
	return it;
}

static void
summary_release(struct summary *s)
{
	items_release(&s->fresh);
	items_release(&s->known);
	items_release(&s->fixed);
	items_release(&s->unstable);
	site_changes_release(&s->changes);
	store_checkout_release(&s->c);
	free(s->prev_describe);
}

static int
is_build(const struct site_change *ch)
{
	return strcmp(ch->what, "build") == 0;
}

/*
 * Whether a result shows a known issue that an earlier head of its
 * branch showed already: its issues into it.  The first time a known
 * issue shows on a branch is news, and mailed as new: a log is the
 * tree's to write, and one that quoted a known issue's text would
 * otherwise hide a regression from the list.
 */
static int
known_issue(struct report_ctx *x, const struct checkout_row *c,
    struct item *it, int *known)
{
	const struct site_res *r = it->ch->now;

	*known = 0;
	if (store_result_issues(x->db, is_build(it->ch) ? "build" : "test",
	    r->id, &it->issues, &it->nissues) != 0)
		return -1;
	/* known issues come first */
	if (it->nissues == 0 || strcmp(it->issues[0].kind, "known") != 0)
		return 0;
	return store_issue_seen_before(x->db, it->issues[0].id, c->tree,
	    c->branch, c->id, known);
}

/* Sort the changes into the sections of the summary. */
static int
classify(struct report_ctx *x, struct summary *s)
{
	const struct site_change *ch;
	struct item tmp, *it;
	size_t i;
	int known;

	for (i = 0; i < s->changes.cl.n; i++) {
		ch = &s->changes.cl.v[i];
		switch (ch->kind) {
		case CHANGE_REGRESSION:
		case CHANGE_UNSTABLE:
			memset(&tmp, 0, sizeof(tmp));
			tmp.ch = ch;
			if (known_issue(x, &s->c, &tmp, &known) != 0) {
				store_issues_free(tmp.issues, tmp.nissues);
				return -1;
			}
			/* a known issue first, flaky or not */
			it = items_add(known ? &s->known :
			    ch->kind == CHANGE_UNSTABLE ? &s->unstable :
			    &s->fresh, ch);
			*it = tmp;
			break;
		case CHANGE_FIXED:
			items_add(&s->fixed, ch);
			break;
		default:
			break;
		}
	}
	return 0;
}

/* The page of result r: b/<id>.html or its test's page (caller frees). */
static char *
result_rel(const struct checkout_row *c, const struct site_change *ch,
    const struct site_res *r)
{
	if (is_build(ch))
		return xasprintf("b/%lld.html", r->id);
	return site_test_rel(c->tree, c->branch, r->config, r->arch,
	    r->platform, r->path);
}

/* "  build x86 x86_64 gcc: PASS -> FAIL" and its link. */
static void
change_line(struct report_ctx *x, struct buf *b, const struct summary *s,
    const struct site_change *ch)
{
	const struct site_res *r = ch->now != NULL ? ch->now : ch->before;
	char *rel;

	/* a change has a result before or now, or both */
	if (r == NULL)
		return;
	buf_puts(b, "  ");
	report_result(b, r, ch->what);
	buf_puts(b, ": ");
	report_text(b, ch->before != NULL ? ch->before->status : "none");
	buf_puts(b, " -> ");
	report_text(b, ch->now != NULL ? ch->now->status : "gone");
	if (ch->kind == CHANGE_UNSTABLE)
		buf_addf(b, " (flip rate %.2f)", ch->flip);
	buf_putc(b, '\n');
	rel = result_rel(&s->c, ch, r);
	report_link_line(x, b, "    ", rel);
	free(rel);
}

/* The first thing the result's log said, with a few of its lines. */
static int
first_finding(struct report_ctx *x, struct buf *b, const struct item *it)
{
	struct finding_row *f;
	size_t n;
	int rc;

	if (is_build(it->ch))
		rc = store_findings(x->db, "build", it->ch->now->id, &f, &n);
	else
		rc = store_test_findings(x->db, it->ch->now->id, &f, &n);
	if (rc != 0)
		return -1;
	if (n > 0) {
		buf_puts(b, "    first finding (");
		report_text(b, f[0].type);
		buf_addf(b, ", log line %lld", f[0].line);
		if (f[0].count > 1)
			buf_addf(b, ", seen %lld times", f[0].count);
		buf_puts(b, "): ");
		report_text(b, f[0].summary);
		buf_putc(b, '\n');
		report_lines(b, "      | ", f[0].lines);
	}
	store_findings_free(f, n);
	return 0;
}

/* A section: its title and count, then each item, at most a page's. */
static int
section(struct report_ctx *x, struct buf *b, const struct summary *s,
    const char *title, const struct itemlist *l, int findings, int issues)
{
	const struct issue_row *is;
	size_t i;

	if (l->n == 0)
		return 0;
	buf_addf(b, "\n%s: %zu\n", title, l->n);
	for (i = 0; i < l->n && i < REPORT_LIST_MAX; i++) {
		change_line(x, b, s, l->v[i].ch);
		if (findings && first_finding(x, b, &l->v[i]) != 0)
			return -1;
		if (!issues || l->v[i].nissues == 0)
			continue;
		is = &l->v[i].issues[0];
		buf_puts(b, "    known issue ");
		report_text(b, is->id);
		buf_puts(b, ": ");
		report_text(b, is->title);
		buf_putc(b, '\n');
		if (is->report_url != NULL) {
			buf_puts(b, "    ");
			report_text(b, is->report_url);
			buf_putc(b, '\n');
		}
	}
	if (l->n > REPORT_LIST_MAX)
		buf_addf(b, "  ... and %zu more on the checkout's page\n",
		    l->n - REPORT_LIST_MAX);
	return 0;
}

static void
counts_line(struct buf *b, const char *what, const long v[3])
{
	buf_addf(b, "  %-7s %5ld pass %5ld fail %5ld other\n", what, v[0],
	    v[1], v[2]);
}

static void
subject(const struct report_ctx *x, struct buf *b, const struct summary *s)
{
	buf_addf(b, "[%s] ", x->cfg->origin);
	report_text(b, s->c.tree);
	buf_putc(b, '/');
	report_text(b, s->c.branch);
	buf_putc(b, ' ');
	report_text(b, s->c.describe);
	buf_puts(b, ": ");
	if (s->fresh.n == 0 && s->fixed.n == 0)
		buf_puts(b, "no new regressions");
	if (s->fresh.n > 0)
		buf_addf(b, "%zu new regression%s", s->fresh.n,
		    s->fresh.n == 1 ? "" : "s");
	if (s->fixed.n > 0)
		buf_addf(b, "%s%zu fixed", s->fresh.n > 0 ? ", " : "",
		    s->fixed.n);
	if (s->known.n > 0)
		buf_addf(b, " (%zu known)", s->known.n);
}

static int
body(struct report_ctx *x, struct buf *b, struct summary *s)
{
	struct checkout_row p;
	char *rel, *url;
	int rc;

	report_text(b, s->c.tree);
	buf_putc(b, '/');
	report_text(b, s->c.branch);
	buf_puts(b, " at ");
	report_text(b, s->c.describe);
	buf_puts(b, "\n\ncommit   ");
	report_text(b, s->c.commit);
	buf_puts(b, "\nsubject  ");
	report_text(b, s->c.subject);
	buf_puts(b, "\nbefore   ");
	if (s->changes.prev > 0) {
		rc = store_site_checkout(x->db, s->changes.prev, &p);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			report_text(b, p.describe);
			store_checkout_release(&p);
		}
		buf_addf(b, " (checkout %lld)", s->changes.prev);
	} else {
		buf_puts(b, "none: the first head of the branch");
	}
	rel = xasprintf("c/%lld.html", s->c.id);
	url = report_url(x, rel);
	buf_addf(b, "\npage     %s%s\n", url != NULL ? url : rel,
	    url != NULL ? "" : " (not published: settings.site.base_url is "
	    "not set)");
	free(url);
	free(rel);

	buf_puts(b, "\nResults of checkout ");
	buf_addf(b, "%lld:\n", s->c.id);
	counts_line(b, "builds", s->counts.b);
	counts_line(b, "boots", s->counts.r);
	counts_line(b, "tests", s->counts.t);

	if (section(x, b, s, "New regressions", &s->fresh, 1, 0) != 0 ||
	    section(x, b, s, "Fixed", &s->fixed, 0, 0) != 0 ||
	    section(x, b, s, "Regressions of known issues (not new)",
	    &s->known, 0, 1) != 0 ||
	    section(x, b, s, "Unstable results that failed (their history "
	    "flips; not counted)", &s->unstable, 0, 0) != 0)
		return -1;
	if (s->changes.prev > 0 && s->changes.cl.n == 0)
		buf_puts(b, "\nNothing changed since the head before.\n");
	report_signature(x, b);
	return 0;
}

/* Whether the checkout and the head before it have finished. */
static int
finished(struct report_ctx *x, struct summary *s, int *done)
{
	long long prev;
	int tests = x->cfg->ntests > 0;

	if (store_bisect_checkout_done(x->db, s->c.id, tests, done) != 0)
		return -1;
	if (!*done)
		return 0;
	/* a result missing before looks new, not regressed: wait for it */
	if (store_site_previous(x->db, &s->c, &prev) != 0)
		return -1;
	if (prev > 0 && store_bisect_checkout_done(x->db, prev, tests,
	    done) != 0)
		return -1;
	return 0;
}

int
report_summary(struct report_ctx *x, long long id)
{
	const struct tree_cfg *t;
	struct report_draft d;
	struct summary s;
	struct site site;
	int rc, done;

	memset(&s, 0, sizeof(s));
	report_draft_init(&d, "summary", NULL, NULL);
	rc = store_site_checkout(x->db, id, &s.c);
	if (rc != 0) {
		summary_release(&s);
		report_draft_release(&d);
		return rc < 0 ? -1 : report_mark(x, id, 0);
	}
	rc = -1;
	if (finished(x, &s, &done) != 0)
		goto out;
	rc = 0;
	if (!done)
		goto out;
	x->stats->checkouts++;
	t = config_tree(x->cfg, s.c.tree);
	/* a tree without report_to gets no mail, but it was looked at */
	if (t == NULL || t->report_to == NULL || t->report_to[0] == NULL) {
		rc = report_mark(x, id, 0);
		goto out;
	}
	memset(&site, 0, sizeof(site));
	site.cfg = x->cfg;
	site.db = x->db;
	rc = -1;
	if (site_changes_load(&site, &s.c, &s.changes) != 0 ||
	    store_site_counts(x->db, id, &s.counts) != 0 ||
	    classify(x, &s) != 0)
		goto out;
	if (s.fresh.n == 0 && s.fixed.n == 0 && !x->cfg->report_always) {
		rc = report_mark(x, id, 0);
		goto out;
	}
	d.tree = s.c.tree;
	d.branch = s.c.branch;
	d.to = t->report_to;
	d.key = xasprintf("summary:%lld", id);
	d.checkout = id;
	subject(x, &d.subject, &s);
	if (body(x, &d.body, &s) != 0)
		goto out;
	rc = report_record(x, &d);
	if (rc == 0)
		x->stats->summaries++;
	rc = rc < 0 ? -1 : 0;
out:
	report_draft_release(&d);
	summary_release(&s);
	return rc;
}
