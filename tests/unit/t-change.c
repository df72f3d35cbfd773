/*
 * t-change.c: the changes between two checkouts, every kind of them,
 * their order, and the flip rate that tells an unstable result.
 */
#include "tap.h"
#include "buf.h"
#include "site.h"
#include "site_change.h"
#include "store_site.h"
#include "util.h"

static void
res_set(struct site_res *r, const char *path, const char *platform,
    const char *status)
{
	memset(r, 0, sizeof(*r));
	r->config = xstrdup("defconfig");
	r->arch = xstrdup("x86_64");
	r->compiler = xstrdup("");
	r->platform = xstrdup(platform);
	r->path = xstrdup(path);
	r->status = status ? xstrdup(status) : NULL;
}

/* A list of tests from "path=STATUS" words, in matching order. */
static void
list(struct site_reslist *l, const char *const *words, size_t n)
{
	char path[64];
	const char *eq;
	size_t i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < n; i++) {
		eq = strchr(words[i], '=');
		snprintf(path, sizeof(path), "%.*s", (int)(eq - words[i]),
		    words[i]);
		xgrow((void **)&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
		res_set(&l->v[l->n++], path, "qemu", *(eq + 1) ? eq + 1 :
		    NULL);
	}
}

static enum site_change_kind
kind_of(const char *before, const char *now)
{
	struct site_res a, b;
	enum site_change_kind k;

	res_set(&a, "t.a", "qemu", before);
	res_set(&b, "t.a", "qemu", now);
	k = site_change_kind(&a, &b);
	site_res_release(&a);
	site_res_release(&b);
	return k;
}

static enum site_change_kind
kind_new(const char *now)
{
	struct site_res b;
	enum site_change_kind k;

	res_set(&b, "t.a", "qemu", now);
	k = site_change_kind(NULL, &b);
	site_res_release(&b);
	return k;
}

static void
test_kinds(void)
{
	struct site_res a;

	is_int(kind_of("PASS", "FAIL"), CHANGE_REGRESSION, "PASS then FAIL "
	    "is a regression");
	is_int(kind_of("FAIL", "PASS"), CHANGE_FIXED, "FAIL then PASS is "
	    "fixed");
	is_int(kind_of("FAIL", "FAIL"), CHANGE_STILL_FAILING, "FAIL then "
	    "FAIL is still failing");
	is_int(kind_of("PASS", "PASS"), CHANGE_NONE, "PASS then PASS is no "
	    "change");
	is_int(kind_of("SKIP", "FAIL"), CHANGE_NONE, "SKIP then FAIL is no "
	    "change");
	is_int(kind_of("FAIL", NULL), CHANGE_NONE, "FAIL then running is no "
	    "change");
	is_int(kind_new("FAIL"), CHANGE_NEW_FAILURE, "a new FAIL is a new "
	    "failure");
	is_int(kind_new("PASS"), CHANGE_NEW_PASS, "a new PASS is a new pass");
	is_int(kind_new("SKIP"), CHANGE_APPEARED, "a new SKIP appeared");
	is_int(kind_new(NULL), CHANGE_APPEARED, "a new running result "
	    "appeared");
	res_set(&a, "t.a", "qemu", "PASS");
	is_int(site_change_kind(&a, NULL), CHANGE_DISAPPEARED, "a result "
	    "gone disappeared");
	site_res_release(&a);
	is_int(site_change_kind(NULL, NULL), CHANGE_NONE, "nothing is no "
	    "change");

	is_str(site_change_name(CHANGE_REGRESSION), "regression", "names: "
	    "regression");
	is_str(site_change_name(CHANGE_UNSTABLE), "unstable", "unstable");
	is_str(site_change_name(CHANGE_NEW_FAILURE), "new failure",
	    "new failure");
	is_str(site_change_name(CHANGE_FIXED), "fixed", "fixed");
	is_str(site_change_name(CHANGE_STILL_FAILING), "still failing",
	    "still failing");
	is_str(site_change_name(CHANGE_NEW_PASS), "new pass", "new pass");
	is_str(site_change_name(CHANGE_APPEARED), "appeared", "appeared");
	is_str(site_change_name(CHANGE_DISAPPEARED), "disappeared",
	    "disappeared");
	is_int(CHANGE_KINDS, 8, "eight kinds");
	ok(site_change_is_regression(CHANGE_REGRESSION) &&
	    site_change_is_regression(CHANGE_UNSTABLE) &&
	    !site_change_is_regression(CHANGE_NEW_FAILURE),
	    "a feed reports regressions, stable or not");
	is_int(site_slot("PASS"), SLOT_PASS, "slot: PASS");
	is_int(site_slot("FAIL"), SLOT_FAIL, "slot: FAIL");
	is_int(site_slot(NULL), SLOT_OTHER, "slot: running is other");
}

static void
test_diff(void)
{
	static const char *const before[] = {
		"a.fixed=FAIL", "a.gone=PASS", "a.regress=PASS", "a.same=PASS",
		"a.still=FAIL"
	};
	static const char *const now[] = {
		"a.fixed=PASS", "a.new=FAIL", "a.newpass=PASS",
		"a.regress=FAIL", "a.same=PASS", "a.skip=SKIP", "a.still=FAIL"
	};
	static const enum site_change_kind want[] = {
		CHANGE_REGRESSION, CHANGE_NEW_FAILURE, CHANGE_FIXED,
		CHANGE_STILL_FAILING, CHANGE_NEW_PASS, CHANGE_APPEARED,
		CHANGE_DISAPPEARED
	};
	static const char *const want_path[] = {
		"a.regress", "a.new", "a.fixed", "a.still", "a.newpass",
		"a.skip", "a.gone"
	};
	struct site_reslist b, n;
	struct site_changelist cl;
	struct buf name = BUF_INIT;
	size_t i;
	int good;

	list(&b, before, ARRAY_SIZE(before));
	list(&n, now, ARRAY_SIZE(now));
	memset(&cl, 0, sizeof(cl));
	site_diff(&n, &b, 0, &cl);
	site_changes_sort(&cl);
	is_int(cl.n, ARRAY_SIZE(want), "one change a result, none for the "
	    "unchanged");
	good = cl.n == ARRAY_SIZE(want);
	for (i = 0; good && i < cl.n; i++) {
		const struct site_res *r = cl.v[i].now ? cl.v[i].now :
		    cl.v[i].before;

		good = cl.v[i].kind == want[i] &&
		    strcmp(r->path, want_path[i]) == 0 &&
		    strcmp(cl.v[i].what, "test") == 0;
	}
	ok(good, "each of its kind, in the order of the kinds");
	ok(good && cl.v[6].now == NULL && cl.v[6].before != NULL,
	    "what disappeared has nothing now");
	ok(good && cl.v[1].before == NULL, "what is new has nothing before");
	is_str(site_res_name(&n.v[0], "test", &name), "a.fixed on qemu "
	    "(defconfig x86_64)", "a test's name");
	free(cl.v);
	memset(&cl, 0, sizeof(cl));
	site_diff(&n, &n, 0, &cl);
	is_int(cl.n, 3, "a checkout against itself: only what still "
	    "fails");
	free(cl.v);
	buf_release(&name);
	site_reslist_release(&b);
	site_reslist_release(&n);
}

static void
hist(struct site_histlist *h, const char *const *st, size_t n)
{
	size_t i;

	memset(h, 0, sizeof(*h));
	for (i = 0; i < n; i++) {
		xgrow((void **)&h->v, &h->alloc, h->n + 1, sizeof(*h->v));
		memset(&h->v[h->n], 0, sizeof(h->v[h->n]));
		h->v[h->n].checkout = (long long)(n - i);
		h->v[h->n].status = st[i] ? xstrdup(st[i]) : NULL;
		h->n++;
	}
}

static void
test_flip(void)
{
	static const char *const none[] = { NULL };
	static const char *const one[] = { "FAIL" };
	static const char *const steady[] = { "FAIL", "FAIL", "PASS", "PASS" };
	static const char *const flaky[] = { "FAIL", "PASS", "FAIL", "PASS" };
	static const char *const skips[] = { "FAIL", "SKIP", "PASS", NULL,
		"FAIL" };
	static const char *const third[] = { "FAIL", "PASS", "PASS", "PASS" };
	static const char *const quarter[] = { "FAIL", "PASS", "PASS", "PASS",
		"PASS" };
	const char *many[FLAKY_RUNS + 10];
	const struct site_hist *ff, *lp;
	struct site_histlist h;
	struct site_change ch;
	size_t i;

	ok(site_flip_rate(none, 0) == 0, "no results: rate 0");
	ok(site_flip_rate(one, 1) == 0, "one result: rate 0");
	ok(site_flip_rate(steady, 4) > 0.33 && site_flip_rate(steady, 4) <
	    0.34, "one flip over three pairs");
	ok(site_flip_rate(flaky, 4) == 1, "a flip at every pair: rate 1");
	ok(site_flip_rate(skips, 5) == 1, "only PASS and FAIL count");
	ok(site_flip_rate(third, 4) > 0.33 && site_flip_rate(third, 4) < 0.34,
	    "a third");
	for (i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = i < FLAKY_RUNS ? "PASS" : "FAIL";
	hist(&h, many, ARRAY_SIZE(many));
	ok(site_flakiness(&h) == 0, "the flakiness looks at the newest "
	    "runs only");
	site_histlist_release(&h);

	ok(!site_is_unstable(1, FLAKY_MIN_RUNS - 1), "too few runs are never "
	    "unstable");
	ok(site_is_unstable(FLAKY_RATE, FLAKY_MIN_RUNS), "from the rate on, "
	    "unstable");
	ok(!site_is_unstable(FLAKY_RATE - 0.01, 20), "below it, stable");

	memset(&ch, 0, sizeof(ch));
	ch.kind = CHANGE_REGRESSION;
	hist(&h, flaky, 4);
	site_change_flip(&ch, &h);
	is_int(ch.kind, CHANGE_UNSTABLE, "a regression that flips is "
	    "unstable");
	ok(ch.flip == 1, "with its flip rate");
	site_histlist_release(&h);
	ch.kind = CHANGE_REGRESSION;
	hist(&h, quarter, 5);
	site_change_flip(&ch, &h);
	is_int(ch.kind, CHANGE_REGRESSION, "one that flips less stays a "
	    "regression");
	ok(ch.flip == 0.25, "with its flip rate too");
	site_histlist_release(&h);
	hist(&h, steady, 4);
	site_streak(&h, &ff, &lp);
	ok(ff == &h.v[1] && lp == &h.v[2], "the streak: failing since the "
	    "oldest failure after the last pass");
	site_histlist_release(&h);
	hist(&h, one, 1);
	site_streak(&h, &ff, &lp);
	ok(ff == &h.v[0] && lp == NULL, "no pass: no last pass");
	site_histlist_release(&h);
}

int
main(void)
{
	test_kinds();
	test_diff();
	test_flip();
	return tap_done();
}
