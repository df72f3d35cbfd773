/*
 * report_bisect.c: the report of a bisection that found its culprit:
 * the commit, how it was checked, each step, and the tags to put in a
 * fix.  It goes to the tree's report_to and, with
 * settings.email.report_to_authors, to the culprit's author and the
 * people its trailers name, read from the tree's mirror.  What is shown
 * is the site's document of the bisection (site_bisect_doc()), as
 * `maestrino bisect ID` shows it.
 */
#include <strings.h>

#include <jansson.h>

#include "buf.h"
#include "config.h"
#include "log.h"
#include "mail.h"
#include "repo.h"
#include "report.h"
#include "report_impl.h"
#include "site.h"
#include "store_bisect.h"
#include "util.h"

#define SHORT_ID	12

/* A string member of o, or NULL. */
static const char *
str(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static long long
num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* What was bisected: "build x86" or "boot on qemu (x86)". */
static void
what(struct buf *b, const json_t *o)
{
	if (str(o, "path") == NULL && str(o, "test") == NULL) {
		buf_puts(b, "build ");
		report_text(b, str(o, "build"));
		return;
	}
	/* without a path, the whole test plan */
	report_text(b, str(o, "path") != NULL ? str(o, "path") :
	    str(o, "test"));
	buf_puts(b, " on ");
	report_text(b, str(o, "platform"));
	buf_puts(b, " (");
	report_text(b, str(o, "build"));
	buf_puts(b, ")");
}

/*
 * The culprit as its commit says, from the tree's mirror; -1 with why in
 * err, printed by the caller as one warning.
 */
static int
culprit_info(const struct config *cfg, const char *tree, const char *oid,
    struct commit_info *ci, struct buf *err)
{
	struct git_repository *repo;
	char *sub, *path;
	int rc;

	repo_init();
	sub = xasprintf("git/%s.git", tree);
	path = config_data_path(cfg, sub);
	log_mute();
	repo = repo_open(path, err);
	rc = repo != NULL ? repo_commit_info(repo, oid, ci, err) : -1;
	log_unmute();
	repo_close(repo);
	free(path);
	free(sub);
	return rc;
}

/* Add addr to list (n so far, at most max) unless it or a To is there. */
static void
add_person(char **list, size_t *n, size_t max, char *const *to,
    const char *addr)
{
	size_t i;

	if (*n >= max || addr == NULL || !mail_address_ok(addr))
		return;
	for (i = 0; to != NULL && to[i] != NULL; i++)
		if (strcasecmp(to[i], addr) == 0)
			return;
	for (i = 0; i < *n; i++)
		if (strcasecmp(list[i], addr) == 0)
			return;
	list[(*n)++] = xstrdup(addr);
}

/* The culprit's author and the people of its trailers, for Cc. */
static char **
people(const struct commit_info *ci, char *const *to)
{
	char **list, **trailers;
	size_t n, i;

	list = xcalloc(REPORT_CC_MAX + 1, sizeof(*list));
	n = 0;
	add_person(list, &n, REPORT_CC_MAX, to, ci->author_email);
	trailers = report_trailer_addresses(ci->message, REPORT_CC_MAX);
	for (i = 0; trailers[i] != NULL; i++)
		add_person(list, &n, REPORT_CC_MAX, to, trailers[i]);
	report_list_free(trailers);
	return list;
}

static void
steps(struct buf *b, const json_t *o)
{
	const json_t *s;
	size_t i;

	buf_addf(b, "\nSteps:\n  %3s  %-14s  %-12s  %-7s  %s\n", "n", "role",
	    "commit", "result", "subject");
	json_array_foreach(json_object_get(o, "steps"), i, s) {
		/* a step not yet made may have no commit: never NULL here */
		buf_addf(b, "  %3lld  %-14s  %.*s  %-7s  ", num(s, "n"),
		    str(s, "role") != NULL ? str(s, "role") : "-", SHORT_ID,
		    str(s, "commit") != NULL ? str(s, "commit") : "-",
		    str(s, "result") != NULL ? str(s, "result") : "-");
		report_text(b, str(s, "subject"));
		buf_putc(b, '\n');
	}
}

/* The checks in one line: "confirm pass, verify pass, revert pass". */
static void
checks(struct buf *b, const json_t *o)
{
	const json_t *c = json_object_get(o, "checks");

	buf_addf(b, "checks   confirm %s, verify %s, revert %s\n",
	    str(c, "confirm") ? str(c, "confirm") : "-",
	    str(c, "verify") ? str(c, "verify") : "-",
	    str(c, "revert") ? str(c, "revert") : "-");
}

/* The name and address of Maestrino in a Reported-by tag. */
static void
reported_by(const struct report_ctx *x, struct buf *b)
{
	const char *from = x->cfg->email_from;

	/* with a name, as configured; else ours with the address */
	if (strchr(from, '<') != NULL)
		buf_puts(b, from);
	else
		buf_addf(b, "Maestrino <%s>", x->from_addr);
}

static void
body(struct report_ctx *x, struct buf *b, const json_t *o,
    const struct commit_info *ci)
{
	const char *subj, *author;
	char *rel, *url;

	subj = ci != NULL ? ci->subject : str(o, "culprit_subject");
	author = ci != NULL ? ci->author_name : str(o, "culprit_author");
	buf_addf(b, "Bisection %lld of ", num(o, "id"));
	report_text(b, str(o, "tree"));
	if (str(o, "branch") != NULL) {
		buf_putc(b, '/');
		report_text(b, str(o, "branch"));
	}
	buf_puts(b, " found the commit that broke\n");
	what(b, o);
	buf_puts(b, ".\n\nculprit  ");
	report_text(b, str(o, "culprit"));
	buf_puts(b, "\nsubject  ");
	report_text(b, subj);
	buf_puts(b, "\nauthor   ");
	report_text(b, author);
	if (ci != NULL && mail_address_ok(ci->author_email)) {
		buf_puts(b, " <");
		report_text(b, ci->author_email);
		buf_putc(b, '>');
	}
	buf_putc(b, '\n');
	if (str(o, "culprit_url") != NULL) {
		buf_puts(b, "commit   ");
		report_text(b, str(o, "culprit_url"));
		buf_putc(b, '\n');
	}
	buf_puts(b, "outcome  ");
	report_text(b, str(o, "outcome"));
	buf_puts(b, ": ");
	report_text(b, str(o, "reason"));
	buf_putc(b, '\n');
	if (str(o, "outcome") != NULL &&
	    strcmp(str(o, "outcome"), "revert-fails") == 0)
		buf_puts(b, "         (with the culprit reverted it still fails: "
		    "more than one commit\n         may be at fault)\n");
	buf_puts(b, "\ngood     ");
	report_text(b, str(o, "good"));
	if (num(o, "good_checkout") > 0)
		buf_addf(b, " (checkout %lld)", num(o, "good_checkout"));
	buf_puts(b, "\nbad      ");
	report_text(b, str(o, "bad"));
	if (num(o, "bad_checkout") > 0)
		buf_addf(b, " (checkout %lld)", num(o, "bad_checkout"));
	buf_putc(b, '\n');
	checks(b, o);
	steps(b, o);
	rel = xasprintf("bisect/%lld.html", num(o, "id"));
	url = report_url(x, rel);
	buf_addf(b, "\npage     %s%s\n", url != NULL ? url : rel,
	    url != NULL ? "" : " (not published: settings.site.base_url is "
	    "not set)");
	buf_puts(b, "\nIf you fix it, please add these tags to the fix:\n\n"
	    "  Reported-by: ");
	reported_by(x, b);
	buf_putc(b, '\n');
	if (url != NULL)
		buf_addf(b, "  Link: %s\n", url);
	buf_addf(b, "  Fixes: %.*s (\"", SHORT_ID, str(o, "culprit"));
	report_text(b, subj);
	buf_puts(b, "\")\n");
	free(url);
	free(rel);
	report_signature(x, b);
}

static void
subject(const struct report_ctx *x, struct buf *b, const json_t *o,
    const struct commit_info *ci)
{
	const char *subj;

	subj = ci != NULL ? ci->subject : str(o, "culprit_subject");
	buf_addf(b, "[%s] ", x->cfg->origin);
	report_text(b, str(o, "tree"));
	if (str(o, "branch") != NULL) {
		buf_putc(b, '/');
		report_text(b, str(o, "branch"));
	}
	buf_puts(b, ": ");
	what(b, o);
	buf_addf(b, " broken by %.*s (\"", SHORT_ID, str(o, "culprit"));
	report_text(b, subj);
	buf_puts(b, "\")");
}

/* Found, or found but the revert does not mend it: worth a report. */
static int
reportable(const json_t *o)
{
	const char *out = str(o, "outcome");

	return str(o, "culprit") != NULL && out != NULL &&
	    (strcmp(out, BISECT_FOUND) == 0 ||
	    strcmp(out, BISECT_REVERT_FAILS) == 0);
}

int
report_bisection(struct report_ctx *x, long long id)
{
	const struct tree_cfg *t;
	struct buf err = BUF_INIT;
	struct commit_info ci;
	struct report_draft d;
	json_t *o;
	int rc, have_ci;

	rc = site_bisect_doc(x->cfg, x->db, id, &o);
	if (rc != 0)
		return rc < 0 ? -1 : report_mark(x, 0, id);
	t = config_tree(x->cfg, str(o, "tree"));
	if (!reportable(o) || t == NULL || t->report_to == NULL ||
	    t->report_to[0] == NULL) {
		json_decref(o);
		return report_mark(x, 0, id);
	}
	/* the mirror says who to tell; without it, the site's names */
	have_ci = culprit_info(x->cfg, t->name, str(o, "culprit"), &ci,
	    &err) == 0;
	if (!have_ci)
		warning("bisection %lld: %s; the culprit's people are not told",
		    id, err.ptr);
	buf_release(&err);
	report_draft_init(&d, "bisection", t->name, str(o, "branch") != NULL ?
	    str(o, "branch") : "");
	d.to = t->report_to;
	d.key = xasprintf("bisection:%lld", id);
	d.bisection = id;
	if (have_ci && x->cfg->report_to_authors)
		d.cc = people(&ci, t->report_to);
	subject(x, &d.subject, o, have_ci ? &ci : NULL);
	body(x, &d.body, o, have_ci ? &ci : NULL);
	rc = report_record(x, &d);
	if (rc == 0)
		x->stats->bisections++;
	report_draft_release(&d);
	if (have_ci)
		commit_info_release(&ci);
	json_decref(o);
	return rc < 0 ? -1 : 0;
}
