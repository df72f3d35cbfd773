/*
 * site_change.c: changes between checkouts and the flip rate.
 */
#include "buf.h"
#include "site.h"
#include "site_change.h"
#include "util.h"

static const char *const kind_names[CHANGE_KINDS] = {
	[CHANGE_REGRESSION] = "regression",
	[CHANGE_UNSTABLE] = "unstable",
	[CHANGE_NEW_FAILURE] = "new failure",
	[CHANGE_FIXED] = "fixed",
	[CHANGE_STILL_FAILING] = "still failing",
	[CHANGE_NEW_PASS] = "new pass",
	[CHANGE_APPEARED] = "appeared",
	[CHANGE_DISAPPEARED] = "disappeared"
};

const char *
site_change_name(enum site_change_kind k)
{
	if (k < 0 || k >= CHANGE_KINDS)
		return "none";
	return kind_names[k];
}

int
site_change_is_regression(enum site_change_kind k)
{
	return k == CHANGE_REGRESSION || k == CHANGE_UNSTABLE;
}

static int
is(const char *s, const char *v)
{
	return s != NULL && strcmp(s, v) == 0;
}

enum site_slot
site_slot(const char *status)
{
	if (is(status, "PASS"))
		return SLOT_PASS;
	if (is(status, "FAIL"))
		return SLOT_FAIL;
	return SLOT_OTHER;
}

long
site_counts_all(const struct site_counts *c, enum site_slot slot)
{
	return c->b[slot] + c->r[slot] + c->t[slot];
}

enum site_change_kind
site_change_kind(const struct site_res *before, const struct site_res *now)
{
	if (before == NULL && now == NULL)
		return CHANGE_NONE;
	if (before == NULL)
		return is(now->status, "FAIL") ? CHANGE_NEW_FAILURE :
		    is(now->status, "PASS") ? CHANGE_NEW_PASS :
		    CHANGE_APPEARED;
	if (now == NULL)
		return CHANGE_DISAPPEARED;
	if (is(before->status, "PASS") && is(now->status, "FAIL"))
		return CHANGE_REGRESSION;
	if (is(before->status, "FAIL") && is(now->status, "PASS"))
		return CHANGE_FIXED;
	if (is(before->status, "FAIL") && is(now->status, "FAIL"))
		return CHANGE_STILL_FAILING;
	return CHANGE_NONE;
}

const char *
site_what(const struct site_res *r, int build)
{
	if (build)
		return "build";
	return strcmp(r->path, "boot") == 0 ? "boot" : "test";
}

int
site_res_cmp(const struct site_res *a, const struct site_res *b)
{
	int c;

	if ((c = strcmp(a->path, b->path)) != 0)
		return c;
	if ((c = strcmp(a->config, b->config)) != 0)
		return c;
	if ((c = strcmp(a->arch, b->arch)) != 0)
		return c;
	if ((c = strcmp(a->compiler, b->compiler)) != 0)
		return c;
	return strcmp(a->platform, b->platform);
}

const char *
site_res_label(const char *path, const char *plan, struct buf *b)
{
	buf_reset(b);
	buf_puts(b, path);
	if (strcmp(path, "boot") == 0 && plan != NULL && *plan != '\0')
		buf_addf(b, " (%s)", plan);
	return b->ptr;
}

const char *
site_res_name(const struct site_res *r, const char *what, struct buf *b)
{
	struct buf l = BUF_INIT;

	buf_reset(b);
	if (strcmp(what, "build") == 0)
		buf_addf(b, "%s %s %s", r->config, r->arch, r->compiler);
	else
		buf_addf(b, "%s on %s (%s %s)", site_res_label(r->path,
		    r->plan, &l), r->platform, r->config, r->arch);
	buf_release(&l);
	return b->ptr;
}

void
site_diff(const struct site_reslist *now, const struct site_reslist *before,
    int builds, struct site_changelist *out)
{
	const struct site_res *a, *b, *r;
	struct site_change *ch;
	enum site_change_kind k;
	size_t i, j;
	int cmp;

	i = j = 0;
	while (i < now->n || j < before->n) {
		a = i < now->n ? &now->v[i] : NULL;
		b = j < before->n ? &before->v[j] : NULL;
		cmp = a == NULL ? 1 : b == NULL ? -1 : site_res_cmp(a, b);
		if (cmp < 0) {
			b = NULL;
			i++;
		} else if (cmp > 0) {
			a = NULL;
			j++;
		} else {
			i++;
			j++;
		}
		k = site_change_kind(b, a);
		r = a != NULL ? a : b;
		if (k == CHANGE_NONE || r == NULL)
			continue;
		xgrow((void **)&out->v, &out->alloc, out->n + 1,
		    sizeof(*out->v));
		ch = &out->v[out->n++];
		ch->kind = k;
		ch->now = a;
		ch->before = b;
		ch->flip = 0;
		ch->what = site_what(r, builds);
	}
}

void
site_change_flip(struct site_change *ch, const struct site_histlist *h)
{
	ch->flip = site_flakiness(h);
	if (site_is_unstable(ch->flip, h->n))
		ch->kind = CHANGE_UNSTABLE;
}

static int
change_order(const void *x, const void *y)
{
	const struct site_change *a = x, *b = y;

	return (int)a->kind - (int)b->kind;
}

void
site_changes_sort(struct site_changelist *cl)
{
	if (cl->n > 1)
		qsort(cl->v, cl->n, sizeof(*cl->v), change_order);
}

double
site_flip_rate(const char *const *statuses, size_t n)
{
	const char *prev;
	size_t i, pairs, flips;

	prev = NULL;
	pairs = flips = 0;
	for (i = 0; i < n; i++) {
		const char *s = statuses[i];

		if (!is(s, "PASS") && !is(s, "FAIL"))
			continue;
		if (prev != NULL) {
			pairs++;
			if (strcmp(prev, s) != 0)
				flips++;
		}
		prev = s;
	}
	return pairs ? (double)flips / (double)pairs : 0;
}

double
site_flakiness(const struct site_histlist *h)
{
	const char *st[FLAKY_RUNS] = { NULL };
	size_t i, n;

	n = h->n < FLAKY_RUNS ? h->n : FLAKY_RUNS;
	for (i = 0; i < n; i++)
		st[i] = h->v[i].status;
	return site_flip_rate(st, n);
}

int
site_is_unstable(double rate, size_t runs)
{
	return runs >= FLAKY_MIN_RUNS && rate >= FLAKY_RATE;
}

void
site_streak(const struct site_histlist *h, const struct site_hist **first_fail,
    const struct site_hist **last_pass)
{
	size_t i;

	*first_fail = *last_pass = NULL;
	for (i = 0; i < h->n; i++) {
		const char *s = h->v[i].status;

		if (is(s, "FAIL")) {
			*first_fail = &h->v[i];
		} else if (is(s, "PASS")) {
			*last_pass = &h->v[i];
			break;
		}
	}
}
