/*
 * bisect.c: the bisect stage.  Each run looks at the branch heads whose
 * results came in for new regressions, starts a bisection for each
 * build config (and platform) that regressed, and moves every active
 * bisection on by what its steps' checkouts have finished:
 *
 *	queued -> confirm -> bisect -> verify -> done
 *
 * A step is recorded before its checkout is made, and the checkout
 * names the step in the transaction that adds it, so a kill anywhere
 * makes the next run carry on without doing a step twice.
 */
#include <getopt.h>

#include <git2.h>

#include "bisect.h"
#include "bisect_pick.h"
#include "buf.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "ondemand.h"
#include "repo.h"
#include "site_change.h"
#include "stage.h"
#include "store_bisect.h"
#include "store_checkout.h"
#include "store_site.h"
#include "util.h"

/* The first 12 digits of a commit id, for messages. */
static const char *
abbrev(const char *oid, char out[13])
{
	snprintf(out, 13, "%s", oid != NULL ? oid : "");
	return out;
}

/* ---- finding regressions ---- */

/* The tests: entry whose job gave test id, into *name (caller frees). */
static int
test_entry(struct db *db, long long test, char **name)
{
	struct sqlite3_stmt *st;
	int r;

	*name = NULL;
	st = db_prepare(db, "SELECT j.config_name FROM test t JOIN job j ON "
	    "j.id = t.job_id WHERE t.id = ?");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, test);
	r = db_step(db, st);
	if (r == 1)
		*name = db_col_dup(st, 0);
	db_finalize(st);
	return r < 0 ? -1 : 0;
}

/*
 * Add the regressed result r of checkout c (prev the head before it) to
 * the bisection of its build config and platform, starting one when
 * there is none.  In the caller's transaction.
 */
static int
add_regression(const struct config *cfg, struct db *db,
    const struct checkout_row *c, const struct checkout_row *prev,
    const struct site_change *ch, struct bisect_stats *stats)
{
	struct bisection_row b;
	const struct site_res *r = ch->now;
	int is_build = strcmp(ch->what, "build") == 0;
	long long id, have;
	char *test;
	int rc;

	if (store_bisect_of_result(db, is_build ? "build" : "test", r->id,
	    &have) != 0)
		return -1;
	if (have != 0)
		return 0;
	test = NULL;
	if (!is_build && test_entry(db, r->id, &test) != 0)
		return -1;
	if (!is_build && (test == NULL || config_test(cfg, test) == NULL)) {
		/* its tests: entry is gone from the config: nothing to run */
		free(test);
		return 0;
	}
	if (config_build(cfg, r->config) == NULL) {
		free(test);
		return 0;
	}
	if (store_bisect_find(db, c->id, r->config, is_build ? "" :
	    r->platform, &id) != 0) {
		free(test);
		return -1;
	}
	rc = 0;
	if (id == 0) {
		memset(&b, 0, sizeof(b));
		b.tree = c->tree;
		b.branch = c->branch;
		b.build = r->config;
		b.test = is_build ? (char *)"" : test;
		b.platform = is_build ? (char *)"" : r->platform;
		b.path = is_build ? (char *)"" : r->path;
		b.good_checkout = prev->id;
		b.bad_checkout = c->id;
		b.good = prev->commit;
		b.bad = c->commit;
		b.state = (char *)BISECT_QUEUED;
		b.repeat = cfg->bisect_repeat > 0 ? cfg->bisect_repeat : 1;
		rc = store_bisect_add(db, &b);
		id = b.id;
		if (rc == 0) {
			stats->started++;
			info("%s/%s %s: %s %s%s%s regressed: bisection %lld",
			    c->tree, c->branch, c->describe, ch->what,
			    r->config, is_build ? "" : " ",
			    is_build ? "" : r->path, id);
		}
	}
	free(test);
	if (rc != 0)
		return -1;
	return store_bisect_add_result(db, id, is_build ? "build" : "test",
	    r->id) < 0 ? -1 : 0;
}

/*
 * The regressions of head checkout id against the head before it, as
 * the site finds them (PASS then FAIL, not unstable), once the one
 * before has finished; id is looked at as its results come in.
 * *scanned: id has finished, and needs no more looking at.
 */
static int
scan_checkout(const struct config *cfg, struct db *db, long long id,
    struct bisect_stats *stats, int *scanned)
{
	struct checkout_row c, p;
	struct site_reslist now, before;
	struct site_changelist cl;
	struct site_histlist h;
	struct site_change *ch;
	long long prev;
	size_t k;
	int done, pdone, rc, pass;

	*scanned = 0;
	memset(&p, 0, sizeof(p));
	if ((rc = store_site_checkout(db, id, &c)) != 0)
		return rc < 0 ? -1 : (*scanned = 1, 0);
	rc = -1;
	if (!str_in_list(cfg->bisect_trees, c.tree)) {
		*scanned = 1;
		rc = 0;
		goto out;
	}
	if (store_bisect_checkout_done(db, id, cfg->ntests > 0, &done) != 0 ||
	    store_site_previous(db, &c, &prev) != 0)
		goto out;
	if (prev == 0) {
		*scanned = done;
		rc = 0;
		goto out;
	}
	if (store_bisect_checkout_done(db, prev, cfg->ntests > 0, &pdone) != 0)
		goto out;
	/* a result missing before is new, not a regression: wait for it */
	if (!pdone) {
		rc = 0;
		goto out;
	}
	if (store_site_checkout(db, prev, &p) != 0)
		goto out;
	rc = 0;
	for (pass = 0; pass < 2 && rc == 0; pass++) {
		memset(&now, 0, sizeof(now));
		memset(&before, 0, sizeof(before));
		memset(&cl, 0, sizeof(cl));
		rc = pass == 0 ? store_site_builds(db, id, &now) :
		    store_site_tests(db, id, &now);
		if (rc == 0)
			rc = pass == 0 ? store_site_builds(db, prev, &before) :
			    store_site_tests(db, prev, &before);
		if (rc == 0)
			site_diff(&now, &before, pass == 0, &cl);
		for (k = 0; k < cl.n && rc == 0; k++) {
			ch = &cl.v[k];
			if (ch->kind != CHANGE_REGRESSION || ch->now == NULL)
				continue;
			rc = store_site_history(db, c.tree, c.branch, ch->now,
			    pass == 0, c.id, FLAKY_RUNS, &h);
			if (rc != 0)
				break;
			site_change_flip(ch, &h);
			site_histlist_release(&h);
			if (ch->kind == CHANGE_REGRESSION)
				rc = add_regression(cfg, db, &c, &p, ch, stats);
		}
		free(cl.v);
		site_reslist_release(&now);
		site_reslist_release(&before);
	}
	if (rc == 0)
		*scanned = done;
out:
	store_checkout_release(&c);
	store_checkout_release(&p);
	return rc;
}

static int
scan(const struct config *cfg, struct db *db, struct bisect_stats *stats)
{
	long long *ids;
	size_t n, i;
	int rc, scanned;

	if (store_bisect_unscanned(db, &ids, &n) != 0)
		return -1;
	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		if (db_begin(db) != 0) {
			rc = -1;
			break;
		}
		rc = scan_checkout(cfg, db, ids[i], stats, &scanned);
		if (rc == 0 && scanned)
			rc = store_bisect_scanned(db, ids[i]);
		rc = db_end(db, rc);
	}
	free(ids);
	return rc;
}

/* ---- steps ---- */

/* The mirror of a tree, opened; NULL after a message. */
static struct git_repository *
open_mirror(const struct config *cfg, const char *tree)
{
	struct git_repository *repo;
	char *sub, *path;

	sub = xasprintf("git/%s.git", tree);
	path = config_data_path(cfg, sub);
	repo = repo_open(path, NULL);
	free(path);
	free(sub);
	return repo;
}

/*
 * Make the checkout of step s (a row already recorded): a commit of the
 * tree, restricted to the bisection's build and, for a test, its test on
 * its platform.  A commit that cannot be checked out is a skip.
 */
static int
make_step(const struct config *cfg, struct db *db,
    const struct bisection_row *b, const struct bisection_step_row *s,
    struct bisect_stats *stats)
{
	struct ondemand_req req;
	char *builds[2], *tests[2], *plats[2];
	char a[13];
	long long id;
	int rc;

	memset(&req, 0, sizeof(req));
	builds[0] = b->build;
	builds[1] = NULL;
	tests[0] = b->test;
	tests[1] = NULL;
	plats[0] = b->platform;
	plats[1] = NULL;
	req.kind = "bisect";
	req.tree = b->tree;
	req.ref = s->commit;
	/* the revert is a commit of ours, on no branch of the tree */
	req.branch = strcmp(s->role, STEP_REVERT) == 0 ? "" : b->branch;
	req.builds = builds;
	req.nbuilds = 1;
	if (b->test[0] != '\0') {
		req.tests = tests;
		req.ntests = 1;
		req.platforms = plats;
		req.nplatforms = 1;
		req.test_repeat = b->repeat;
	} else
		req.no_tests = 1;
	req.step = s->id;
	rc = ondemand_record(cfg, db, &req, &id);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		error("bisection %lld: step %d: %s cannot be checked out; "
		    "skipped", b->id, s->n, abbrev(s->commit, a));
		return db_end(db, db_begin(db) != 0 ? -1 :
		    store_bisect_step_result(db, s->id, "skip",
		    "cannot be checked out"));
	}
	stats->steps++;
	info("bisection %lld: %s %s: checkout %lld", b->id, s->role,
	    abbrev(s->commit, a), id);
	return 0;
}

/*
 * Record a step and make its checkout: the row first, so that a kill
 * in between leaves a step the next run makes the checkout of.
 */
static int
add_step(const struct config *cfg, struct db *db,
    const struct bisection_row *b, const char *role, const char *commit,
    long long left, struct bisect_stats *stats)
{
	struct bisection_step_row s;
	long long id, n;
	int rc;

	id = n = 0;
	if (db_begin(db) != 0)
		return -1;
	rc = store_bisect_add_step(db, b->id, role, commit, left, &id);
	if (rc == 0)
		rc = db_run_int(db, &n, "SELECT n FROM bisection_step WHERE "
		    "id = ?", "i", id);
	if (db_end(db, rc) != 0)
		return -1;
	crashpoint("bisect-step-recorded");
	memset(&s, 0, sizeof(s));
	s.id = id;
	s.n = (int)n;
	s.role = (char *)role;
	s.commit = (char *)commit;
	return make_step(cfg, db, b, &s, stats);
}

/* The standing build of config on checkout: id and status, or 0. */
static int
step_build(struct db *db, long long checkout, const char *config,
    long long *id, char **status)
{
	struct sqlite3_stmt *st;
	int r;

	*id = 0;
	*status = NULL;
	st = db_prepare(db, "SELECT id, coalesce(status, '') FROM build "
	    "WHERE checkout_id = ? AND config_name = ? ORDER BY id DESC "
	    "LIMIT 1");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, checkout);
	db_bind_text(st, 2, config);
	r = db_step(db, st);
	if (r == 1) {
		*id = db_col_int(st, 0);
		*status = db_col_dup(st, 1);
	}
	db_finalize(st);
	return r < 0 ? -1 : 0;
}

/*
 * The verdict of a finished step: good, bad or skip, and why.  For a
 * build regression, the build's status; for a test, the test on the
 * platform, run b->repeat times: one failure is bad, all passed good,
 * and a build that did not pass, or runs that did not report, skip.
 */
static int
judge(struct db *db, const struct bisection_row *b, long long checkout,
    const char **verdict, struct buf *why)
{
	struct sqlite3_stmt *st;
	long long build, npass, nfail, nrun;
	char *status;
	int r;

	*verdict = "skip";
	if (db_run_int(db, &npass, "SELECT tarball_state = 'failed' FROM "
	    "checkout WHERE id = ?", "i", checkout) < 0)
		return -1;
	if (npass == 1) {
		buf_puts(why, "its source tarball could not be made");
		return 0;
	}
	if (step_build(db, checkout, b->build, &build, &status) != 0)
		return -1;
	if (build == 0) {
		buf_addf(why, "no build %s was made", b->build);
		free(status);
		return 0;
	}
	if (b->test[0] == '\0') {
		if (strcmp(status, "PASS") == 0)
			*verdict = "good";
		else if (strcmp(status, "FAIL") == 0)
			*verdict = "bad";
		buf_addf(why, "build %s %s", b->build, *status ? status :
		    "without a status");
		free(status);
		return 0;
	}
	if (strcmp(status, "PASS") != 0) {
		/* as git bisect skip: this commit says nothing of the test */
		buf_addf(why, "build %s %s, so %s did not run", b->build,
		    *status ? status : "without a status", b->test);
		free(status);
		return 0;
	}
	free(status);
	/*
	 * Run by run (each a job): failed when a result fails; passed when
	 * it has results and every one passed (or, for the whole test
	 * plan, was skipped).  A run without results says nothing.
	 */
	st = db_prepare(db, "SELECT count(*) FILTER (WHERE f > 0), "
	    "count(*) FILTER (WHERE f = 0 AND ok = n AND n > 0), count(*) "
	    "FROM (SELECT count(*) AS n, count(*) FILTER (WHERE t.status = "
	    "'FAIL') AS f, count(*) FILTER (WHERE t.status = 'PASS' OR "
	    "(?5 = '' AND t.status = 'SKIP')) AS ok FROM test t JOIN job j "
	    "ON j.id = t.job_id JOIN build b ON b.id = t.build_id WHERE "
	    "b.checkout_id = ?1 AND b.config_name = ?2 AND j.config_name = "
	    "?3 AND t.platform = ?4 AND (?5 = '' OR t.path = ?5) GROUP BY "
	    "t.job_id)");
	if (st == NULL)
		return -1;
	db_bind_int(st, 1, checkout);
	db_bind_text(st, 2, b->build);
	db_bind_text(st, 3, b->test);
	db_bind_text(st, 4, b->platform);
	db_bind_text(st, 5, b->path);
	r = db_step(db, st);
	npass = nfail = nrun = 0;
	if (r == 1) {
		nfail = db_col_int(st, 0);
		npass = db_col_int(st, 1);
		nrun = db_col_int(st, 2);
	}
	db_finalize(st);
	if (r < 0)
		return -1;
	if (nfail > 0) {
		*verdict = "bad";
		buf_addf(why, "%lld of %d runs failed", nfail, b->repeat);
	} else if (npass >= b->repeat) {
		*verdict = "good";
		buf_addf(why, "%lld of %d runs passed", npass, b->repeat);
	} else
		buf_addf(why, "%lld of %d runs passed, the others gave no "
		    "result or none that passed (%lld runs with results)",
		    npass, b->repeat, nrun);
	return 0;
}

/* Judge the steps whose checkouts have finished, each in a transaction. */
static int
judge_steps(struct db *db, const struct bisection_row *b,
    struct bisection_step_row *s, size_t n, int ntests)
{
	struct buf why = BUF_INIT;
	const char *verdict;
	char a[13];
	size_t i;
	int done, rc;

	rc = 0;
	for (i = 0; i < n && rc == 0; i++) {
		if (s[i].result != NULL || s[i].checkout == 0)
			continue;
		if (store_bisect_checkout_done(db, s[i].checkout,
		    ntests, &done) != 0) {
			rc = -1;
			break;
		}
		if (!done)
			continue;
		buf_reset(&why);
		if (db_begin(db) != 0) {
			rc = -1;
			break;
		}
		rc = judge(db, b, s[i].checkout, &verdict, &why);
		if (rc == 0)
			rc = store_bisect_step_result(db, s[i].id, verdict,
			    why.ptr);
		if (db_end(db, rc) != 0) {
			rc = -1;
			break;
		}
		info("bisection %lld: %s %s is %s (%s)", b->id, s[i].role,
		    abbrev(s[i].commit, a), verdict, why.ptr);
		s[i].result = xstrdup(verdict);
		free(s[i].detail);
		s[i].detail = buf_detach(&why, NULL);
	}
	buf_release(&why);
	return rc;
}

/* ---- the phases ---- */

/* End b with an outcome and a reason (taken), in its own transaction. */
static int
finish(struct db *db, struct bisection_row *b, const char *outcome,
    char *why)
{
	int rc;

	free(b->state);
	b->state = xstrdup(BISECT_DONE);
	free(b->outcome);
	b->outcome = xstrdup(outcome);
	free(b->reason);
	b->reason = why;
	rc = db_end(db, db_begin(db) != 0 ? -1 : store_bisect_update(db, b));
	if (rc == 0)
		info("bisection %lld: %s: %s", b->id, outcome, b->reason);
	return rc;
}

/*
 * libgit2 failed on the mirror's objects: they do not change (the
 * mirror is never pruned), so the next run would fail the same way and
 * the bisection would hold its slot for ever.  It ends, with why.
 */
static int
give_up_git(struct db *db, struct bisection_row *b, const struct buf *why)
{
	/* finish() says it, reason and all */
	return finish(db, b, BISECT_GAVE_UP, xstrdup(why->len ? why->ptr :
	    "libgit2 failed"));
}

static void
set(char **field, const char *v)
{
	free(*field);
	*field = v != NULL ? xstrdup(v) : NULL;
}

static int
save(struct db *db, const struct bisection_row *b)
{
	return db_end(db, db_begin(db) != 0 ? -1 : store_bisect_update(db, b));
}

/* The step of a role, the last one made, or NULL. */
static const struct bisection_step_row *
step_of(const struct bisection_step_row *s, size_t n, const char *role)
{
	const struct bisection_step_row *f = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s[i].role, role) == 0)
			f = &s[i];
	return f;
}

/* Whether every step is judged. */
static int
all_judged(const struct bisection_step_row *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i].result == NULL)
			return 0;
	return 1;
}

/* Start: test good and bad again, in this bisection's narrow matrix. */
static int
start(const struct config *cfg, struct db *db, struct bisection_row *b,
    struct bisect_stats *stats)
{
	struct git_repository *repo;
	struct buf why = BUF_INIT;
	int r;

	/* a branch that went back, or onto another history: nothing to do */
	repo = open_mirror(cfg, b->tree);
	if (repo == NULL)
		return -1;
	r = bisect_range(repo, b->good, b->bad, &why);
	repo_close(repo);
	if (r != 0) {
		if (r > 0)
			r = finish(db, b, BISECT_GAVE_UP, xasprintf("nothing "
			    "to bisect: %s", why.ptr));
		else
			r = give_up_git(db, b, &why);
		buf_release(&why);
		return r;
	}
	buf_release(&why);
	set(&b->state, BISECT_CONFIRM);
	set(&b->confirm, "pending");
	if (save(db, b) != 0)
		return -1;
	info("bisection %lld: %s/%s %s%s%s%s%s: confirming", b->id, b->tree,
	    b->branch, b->build, *b->test ? " " : "", b->test,
	    *b->platform ? " on " : "", b->platform);
	if (add_step(cfg, db, b, STEP_CONFIRM_GOOD, b->good, 0, stats) != 0 ||
	    add_step(cfg, db, b, STEP_CONFIRM_BAD, b->bad, 0, stats) != 0)
		return -1;
	return 0;
}

static int
confirm(const struct config *cfg, struct db *db, struct bisection_row *b,
    const struct bisection_step_row *s, size_t n, struct bisect_stats *stats,
    int *again)
{
	const struct bisection_step_row *g, *d, *f;
	char a[13], *why;

	g = step_of(s, n, STEP_CONFIRM_GOOD);
	d = step_of(s, n, STEP_CONFIRM_BAD);
	if (g == NULL || d == NULL) {
		/* killed between the two: make the one missing */
		if (g == NULL && add_step(cfg, db, b, STEP_CONFIRM_GOOD,
		    b->good, 0, stats) != 0)
			return -1;
		if (d == NULL && add_step(cfg, db, b, STEP_CONFIRM_BAD,
		    b->bad, 0, stats) != 0)
			return -1;
		return 0;
	}
	if (g->result == NULL || d->result == NULL)
		return 0;
	if (strcmp(g->result, "good") == 0 && strcmp(d->result, "bad") == 0) {
		set(&b->confirm, "pass");
		set(&b->state, BISECT_BISECT);
		*again = 1;
		return save(db, b);
	}
	set(&b->confirm, "fail");
	if (strcmp(g->result, "skip") == 0 || strcmp(d->result, "skip") == 0) {
		f = strcmp(g->result, "skip") == 0 ? g : d;
		why = xasprintf("confirm: %s %s could not be tested: %s",
		    f == g ? "good" : "bad", abbrev(f->commit, a), f->detail);
		return finish(db, b, BISECT_GAVE_UP, why);
	}
	if (strcmp(g->result, "good") != 0)
		why = xasprintf("confirm: good %s failed again (%s)",
		    abbrev(g->commit, a), g->detail);
	else
		why = xasprintf("confirm: bad %s passed again (%s)",
		    abbrev(d->commit, a), d->detail);
	return finish(db, b, BISECT_NOT_REPRO, why);
}

/*
 * Record the verify steps of b that are not there yet: each parent of
 * the culprit, the culprit, and its revert on bad unless that does not
 * apply.  They are recorded in that order, one transaction each, so a
 * kill leaves the first ones only: the next run makes the others.
 */
static int
verify_fill(const struct config *cfg, struct db *db,
    struct bisection_row *b, const struct bisection_step_row *s,
    size_t n, struct bisect_stats *stats)
{
	struct git_repository *repo;
	struct buf err = BUF_INIT;
	char **parents, rev[41];
	size_t np, i, k;
	int rc, have;

	repo = open_mirror(cfg, b->tree);
	if (repo == NULL)
		return -1;
	parents = NULL;
	np = 0;
	rev[0] = '\0';
	if (bisect_parents(repo, b->culprit, &parents, &np, &err) != 0 ||
	    (strcmp(b->revert, "conflict") != 0 &&
	    bisect_revert(repo, b->culprit, b->bad, rev, &err) != 0)) {
		/* a revert that applied once applies again: 1 is an error */
		if (err.len == 0)
			buf_addf(&err, "reverting %.12s does not apply any "
			    "more", b->culprit);
		rc = give_up_git(db, b, &err);
		goto out;
	}
	repo_close(repo);
	repo = NULL;
	/* an octopus: each parent is a build (and a test) of its own */
	if (np > (size_t)cfg->bisect_max_steps) {
		rc = finish(db, b, BISECT_GAVE_UP, xasprintf("the first bad "
		    "commit %.12s merges %zu parents, more than max_steps "
		    "(%d) to verify", b->culprit, np, cfg->bisect_max_steps));
		goto out;
	}
	rc = 0;
	for (i = 0; i < np && rc == 0; i++) {
		have = 0;
		for (k = 0; k < n; k++)
			if (strcmp(s[k].role, STEP_VERIFY_PARENT) == 0 &&
			    strcmp(s[k].commit, parents[i]) == 0)
				have = 1;
		if (!have)
			rc = add_step(cfg, db, b, STEP_VERIFY_PARENT,
			    parents[i], 0, stats);
	}
	if (rc == 0 && step_of(s, n, STEP_VERIFY_CULPRIT) == NULL)
		rc = add_step(cfg, db, b, STEP_VERIFY_CULPRIT, b->culprit, 0,
		    stats);
	if (rc == 0 && rev[0] != '\0' && step_of(s, n, STEP_REVERT) == NULL)
		rc = add_step(cfg, db, b, STEP_REVERT, rev, 0, stats);
out:
	for (i = 0; i < np; i++)
		free(parents[i]);
	free(parents);
	repo_close(repo);
	buf_release(&err);
	return rc;
}

/* Begin verifying culprit: its parents, itself, and the revert. */
static int
verify_start(const struct config *cfg, struct db *db,
    struct bisection_row *b, const char *culprit, struct bisect_stats *stats)
{
	struct git_repository *repo;
	struct buf err = BUF_INIT;
	char rev[41], *ref, a[13];
	int rc, r;

	set(&b->culprit, culprit);
	set(&b->state, BISECT_VERIFY);
	set(&b->verify, "pending");
	set(&b->revert, "pending");
	repo = open_mirror(cfg, b->tree);
	if (repo == NULL)
		return -1;
	rc = -1;
	r = bisect_revert(repo, culprit, b->bad, rev, &err);
	if (r < 0) {
		rc = give_up_git(db, b, &err);
		goto out;
	}
	if (r == 1) {
		set(&b->revert, "conflict");
		info("bisection %lld: reverting %s on %s does not apply",
		    b->id, abbrev(culprit, a), b->bad);
	} else {
		/* kept from gc, as a patched checkout's commit is */
		ref = xasprintf("refs/maestrino/bisect/%lld/revert", b->id);
		r = repo_set_ref(repo, ref, rev, &err);
		free(ref);
		if (r != 0) {
			error("bisection %lld: %s", b->id, err.ptr);
			goto out;
		}
	}
	repo_close(repo);
	repo = NULL;
	if (save(db, b) != 0)
		goto out;
	info("bisection %lld: first bad commit %s; verifying", b->id,
	    abbrev(culprit, a));
	rc = verify_fill(cfg, db, b, NULL, 0, stats);
out:
	repo_close(repo);
	buf_release(&err);
	return rc;
}

static int
bisect_step(const struct config *cfg, struct db *db, struct bisection_row *b,
    const struct bisection_step_row *s, size_t n, struct bisect_stats *stats)
{
	struct git_repository *repo;
	struct bisect_next next;
	struct buf err = BUF_INIT;
	char **good, **skip;
	const char *bad;
	size_t i, ngood, nskip, nsteps;
	char a[13];
	int rc;

	for (i = 0; i < n; i++)
		if (s[i].result == NULL)
			return 0;	/* one at a time, as git bisect */
	good = xcalloc(n + 2, sizeof(*good));
	skip = xcalloc(n + 1, sizeof(*skip));
	good[0] = b->good;
	ngood = 1;
	nskip = nsteps = 0;
	bad = b->bad;
	for (i = 0; i < n; i++) {
		if (strcmp(s[i].role, STEP_STEP) != 0)
			continue;
		nsteps++;
		if (strcmp(s[i].result, "good") == 0)
			good[ngood++] = s[i].commit;
		else if (strcmp(s[i].result, "bad") == 0)
			bad = s[i].commit;	/* below the last bad */
		else
			skip[nskip++] = s[i].commit;
	}
	rc = -1;
	repo = open_mirror(cfg, b->tree);
	if (repo == NULL)
		goto out;
	if (bisect_pick(repo, bad, good, ngood, skip, nskip, &next,
	    &err) != 0) {
		rc = give_up_git(db, b, &err);
		goto out;
	}
	repo_close(repo);
	repo = NULL;
	if (next.oid[0] == '\0' && next.left <= 1) {
		rc = verify_start(cfg, db, b, bad, stats);
		goto out;
	}
	if (next.oid[0] == '\0') {
		rc = finish(db, b, BISECT_GAVE_UP, xasprintf("only skipped "
		    "commits left: the first bad commit is one of %zu, up to "
		    "%s", next.left, abbrev(bad, a)));
		goto out;
	}
	if (nsteps >= (size_t)cfg->bisect_max_steps) {
		rc = finish(db, b, BISECT_GAVE_UP, xasprintf("%zu steps made "
		    "(max_steps) with %zu commits left, up to %s", nsteps,
		    next.left, abbrev(bad, a)));
		goto out;
	}
	rc = add_step(cfg, db, b, STEP_STEP, next.oid, (long long)next.left,
	    stats);
out:
	repo_close(repo);
	buf_release(&err);
	free(good);
	free(skip);
	return rc;
}

static int
verify(const struct config *cfg, struct db *db, struct bisection_row *b,
    const struct bisection_step_row *s, size_t n, struct bisect_stats *stats)
{
	const struct bisection_step_row *c, *r;
	const char *bad_parent;
	char a[13], p[13], *why;
	size_t i;

	/* killed while recording them: the last one tells */
	if (step_of(s, n, strcmp(b->revert, "conflict") == 0 ?
	    STEP_VERIFY_CULPRIT : STEP_REVERT) == NULL)
		return verify_fill(cfg, db, b, s, n, stats);
	if (!all_judged(s, n))
		return 0;
	c = step_of(s, n, STEP_VERIFY_CULPRIT);
	r = step_of(s, n, STEP_REVERT);
	bad_parent = NULL;
	abbrev(b->culprit, a);
	for (i = 0; i < n; i++) {
		if (strcmp(s[i].role, STEP_VERIFY_PARENT) != 0 &&
		    strcmp(s[i].role, STEP_VERIFY_CULPRIT) != 0)
			continue;
		/* untested says nothing either way */
		if (strcmp(s[i].result, "skip") == 0) {
			set(&b->verify, "fail");
			why = xasprintf("verify: %s %s could not be tested: %s",
			    strcmp(s[i].role, STEP_VERIFY_CULPRIT) == 0 ?
			    "the first bad commit" : "its parent",
			    abbrev(s[i].commit, p), s[i].detail);
			return finish(db, b, BISECT_GAVE_UP, why);
		}
		if (strcmp(s[i].role, STEP_VERIFY_PARENT) == 0 &&
		    strcmp(s[i].result, "good") != 0 && bad_parent == NULL)
			bad_parent = s[i].commit;
	}
	if (c == NULL || bad_parent != NULL || strcmp(c->result, "bad") != 0) {
		set(&b->verify, "fail");
		if (bad_parent != NULL)
			why = xasprintf("verify: the parent %s of %s is not "
			    "good", abbrev(bad_parent, p), a);
		else
			why = xasprintf("verify: %s is not bad on its own "
			    "(%s)", a, c != NULL ? c->detail : "not made");
		return finish(db, b, BISECT_NOT_REPRO, why);
	}
	set(&b->verify, "pass");
	abbrev(b->bad, p);
	if (strcmp(b->revert, "conflict") == 0)
		return finish(db, b, BISECT_FOUND, xasprintf("%s is the first "
		    "bad commit, verified; reverting it on %s does not apply",
		    a, p));
	if (r != NULL && strcmp(r->result, "good") == 0) {
		set(&b->revert, "pass");
		return finish(db, b, BISECT_FOUND, xasprintf("%s is the first "
		    "bad commit, verified; reverting it on %s fixes it", a,
		    p));
	}
	set(&b->revert, "fail");
	return finish(db, b, BISECT_REVERT_FAILS, xasprintf("%s is the first "
	    "bad commit, verified; but with it reverted on %s, %s", a, p,
	    r != NULL && r->detail != NULL ? r->detail : "it still fails"));
}

/* Move b on as far as its finished steps allow. */
static int
advance(const struct config *cfg, struct db *db, struct bisection_row *b,
    struct bisect_stats *stats)
{
	struct bisection_step_row *s;
	size_t n, i;
	int rc, again, loops;

	rc = 0;
	for (loops = 0; loops < 4 && rc == 0; loops++) {
		if (store_bisect_steps(db, b->id, &s, &n) != 0)
			return -1;
		/* steps whose checkout a kill kept from being made */
		for (i = 0; i < n && rc == 0; i++)
			if (s[i].checkout == 0 && s[i].result == NULL)
				rc = make_step(cfg, db, b, &s[i], stats);
		if (rc == 0)
			rc = judge_steps(db, b, s, n, cfg->ntests > 0);
		again = 0;
		if (rc == 0 && strcmp(b->state, BISECT_CONFIRM) == 0)
			rc = confirm(cfg, db, b, s, n, stats, &again);
		else if (rc == 0 && strcmp(b->state, BISECT_BISECT) == 0)
			rc = bisect_step(cfg, db, b, s, n, stats);
		else if (rc == 0 && strcmp(b->state, BISECT_VERIFY) == 0)
			rc = verify(cfg, db, b, s, n, stats);
		store_bisect_steps_free(s, n);
		if (!again)
			break;
	}
	if (rc == 0 && strcmp(b->state, BISECT_DONE) == 0)
		stats->finished++;
	return rc;
}

int
bisect_stage(const struct config *cfg, struct db *db,
    struct bisect_stats *stats)
{
	struct bisection_row *v;
	long long running;
	size_t n, i;
	long ended;
	int rc, failed, held;

	if (scan(cfg, db, stats) != 0)
		return -1;
	if (store_bisect_list(db, NULL, 1, &v, &n) != 0 ||
	    store_bisect_running(db, &running) != 0)
		return -1;
	failed = 0;
	rc = 0;
	/* oldest first: they took their slots first */
	for (i = n; i-- > 0 && rc == 0;) {
		struct bisection_row *b = &v[i];

		/* its tree taken out of the config: no step can be made */
		if (config_tree(cfg, b->tree) == NULL) {
			held = strcmp(b->state, BISECT_QUEUED) != 0;
			if (finish(db, b, BISECT_GAVE_UP, xasprintf("tree "
			    "'%s' is no longer in the config", b->tree)) != 0) {
				stats->failed++;
				failed = 1;
				continue;
			}
			stats->finished++;
			running -= held;
			continue;
		}
		if (strcmp(b->state, BISECT_QUEUED) == 0) {
			if (running >= cfg->bisect_max_active) {
				stats->queued++;
				continue;
			}
			running++;
			if (start(cfg, db, b, stats) != 0) {
				failed = 1;
				stats->failed++;
				continue;
			}
		}
		ended = stats->finished;
		if (advance(cfg, db, b, stats) != 0) {
			error("bisection %lld (%s/%s %s): could not be moved "
			    "on; it is tried again next run", b->id, b->tree,
			    b->branch, b->build);
			stats->failed++;
			failed = 1;
		}
		/* its slot goes to the next one queued, in this run */
		if (stats->finished > ended)
			running--;
	}
	store_bisect_list_free(v, n);
	return rc != 0 ? -1 : failed;
}
