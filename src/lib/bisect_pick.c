/*
 * bisect_pick.c: the next commit of a bisection.  git bisect's rule:
 * the candidates are the commits reachable from bad and from no good
 * commit, merges included; each weighs as many candidates as it reaches
 * (its ancestors among them, itself included); the best splits the
 * candidates most evenly, min(weight, n - weight) the largest.  Testing
 * it takes away about half of them whichever way it ends.
 *
 * Weights come from one bit set of ancestors per candidate, made parents
 * first, so merges are counted once.  That is n * n bits: past
 * BISECT_EXACT_MAX candidates (a merge window has some 14,000), the
 * middle of the topological order is taken instead, which is what the
 * weights give on a linear history.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <git2.h>

#include "bisect_pick.h"
#include "buf.h"
#include "log.h"
#include "util.h"

/* A candidate's weight and its parents among the candidates. */
struct weight {
	size_t	 n;		/* candidates it reaches, itself included */
	size_t	 parents;	/* its parents that are candidates */
	size_t	 parent;	/* the first of them */
	int	 known;		/* when git's walk would know n */
	int	 skipped;
};

struct cand {
	git_oid	 oid;
	size_t	 i;		/* its place in the walk, newest first */
};

static int
cand_cmp(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	return git_oid_cmp(&a->oid, &b->oid);
}

static const struct cand *
cand_find(const struct cand *by_oid, size_t n, const git_oid *oid)
{
	struct cand key;

	memset(&key, 0, sizeof(key));
	key.oid = *oid;
	return bsearch(&key, by_oid, n, sizeof(*by_oid), cand_cmp);
}

static int
fail(struct buf *err, const char *what, const char *oid)
{
	const git_error *e;

	e = git_error_last();
	return error_to(err, "bisect: cannot %s %s: %s", what, oid,
	    e != NULL && e->message != NULL ? e->message : "unknown error");
}

/* The candidates, newest first, into *v; -1 after a message. */
static int
walk(git_repository *r, const char *bad, char *const *good, size_t ngood,
    git_oid **v, size_t *n, struct buf *err)
{
	git_revwalk *w;
	git_oid oid;
	size_t i, alloc;
	int rc;

	*v = NULL;
	*n = 0;
	alloc = 0;
	if (git_revwalk_new(&w, r) != 0)
		return fail(err, "walk from", bad);
	/* git's rev-list order: by date, parents never before children */
	git_revwalk_sorting(w, GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME);
	if (git_oid_fromstr(&oid, bad) != 0 || git_revwalk_push(w, &oid) != 0) {
		rc = fail(err, "walk from bad commit", bad);
		git_revwalk_free(w);
		return rc;
	}
	for (i = 0; i < ngood; i++) {
		if (git_oid_fromstr(&oid, good[i]) != 0 ||
		    git_revwalk_hide(w, &oid) != 0) {
			rc = fail(err, "hide good commit", good[i]);
			git_revwalk_free(w);
			return rc;
		}
	}
	while ((rc = git_revwalk_next(&oid, w)) == 0) {
		xgrow((void **)v, &alloc, *n + 1, sizeof(**v));
		(*v)[(*n)++] = oid;
	}
	git_revwalk_free(w);
	if (rc != GIT_ITEROVER) {
		free(*v);
		*v = NULL;
		*n = 0;
		return fail(err, "walk from", bad);
	}
	return 0;
}

/* At most this many reachability checks per pick (see drop_reachable()). */
#define BISECT_CHECKS_MAX	4096

/*
 * libgit2's hide trusts commit dates: past a clock that went back it can
 * leave commits a good one reaches among the candidates, which git's own
 * walk does not.  Each candidate is checked, oldest first (parents come
 * after children in v); one that no good reaches clears its descendants
 * at once, so a history whose dates are in order costs a single check.
 * v and *n are compacted in place.
 */
static int
drop_reachable(git_repository *r, char *const *good, size_t ngood,
    git_oid *v, size_t *n, struct buf *err)
{
	struct cand *by_oid;
	const struct cand *c;
	git_oid *goods;
	git_commit *cm;
	size_t *first, *kids, *fill, *stack, *from, *to, nedge, afrom, ato;
	size_t i, j, k, top;
	unsigned p, np;
	char *state;	/* 0 unknown, 1 a good reaches it, 2 none does */
	long checks;
	int rc;

	rc = -1;
	goods = xcalloc(ngood + 1, sizeof(*goods));
	by_oid = xcalloc(*n + 1, sizeof(*by_oid));
	state = xcalloc(*n + 1, 1);
	first = xcalloc(*n + 2, sizeof(*first));
	stack = xcalloc(*n + 1, sizeof(*stack));
	from = to = kids = NULL;
	nedge = afrom = ato = 0;
	for (i = 0; i < ngood; i++)
		if (git_oid_fromstr(&goods[i], good[i]) != 0) {
			fail(err, "read good commit", good[i]);
			goto out;
		}
	for (i = 0; i < *n; i++) {
		by_oid[i].oid = v[i];
		by_oid[i].i = i;
	}
	qsort(by_oid, *n, sizeof(*by_oid), cand_cmp);
	/* the edges parent -> child among the candidates */
	for (i = 0; i < *n; i++) {
		if (git_commit_lookup(&cm, r, &v[i]) != 0) {
			fail(err, "look up commit", git_oid_tostr_s(&v[i]));
			goto out;
		}
		np = git_commit_parentcount(cm);
		for (p = 0; p < np; p++) {
			c = cand_find(by_oid, *n, git_commit_parent_id(cm, p));
			if (c == NULL)
				continue;
			xgrow((void **)&from, &afrom, nedge + 1, sizeof(*from));
			xgrow((void **)&to, &ato, nedge + 1, sizeof(*to));
			from[nedge] = c->i;
			to[nedge++] = i;
			first[c->i + 1]++;
		}
		git_commit_free(cm);
	}
	for (i = 0; i < *n; i++)
		first[i + 1] += first[i];
	/* the children of j: kids[first[j]] up to kids[first[j + 1]] */
	kids = xcalloc(nedge + 1, sizeof(*kids));
	fill = xcalloc(*n + 1, sizeof(*fill));
	for (k = 0; k < nedge; k++)
		kids[first[from[k]] + fill[from[k]]++] = to[k];
	free(fill);
	checks = 0;
	for (i = *n; i-- > 0;) {
		if (state[i] != 0)
			continue;
		if (checks++ >= BISECT_CHECKS_MAX)
			break;
		rc = git_graph_reachable_from_any(r, &v[i], goods, ngood);
		if (rc < 0) {
			rc = fail(err, "walk the history of",
			    git_oid_tostr_s(&v[i]));
			goto out;
		}
		if (rc == 1) {
			state[i] = 1;
			continue;
		}
		/* what no good reaches, no good reaches above either */
		state[i] = 2;
		top = 0;
		stack[top++] = i;
		while (top > 0) {
			j = stack[--top];
			for (k = first[j]; k < first[j + 1]; k++)
				if (state[kids[k]] == 0) {
					state[kids[k]] = 2;
					stack[top++] = kids[k];
				}
		}
	}
	for (i = j = 0; i < *n; i++)
		if (state[i] != 1)
			v[j++] = v[i];
	*n = j;
	rc = 0;
out:
	free(goods);
	free(by_oid);
	free(state);
	free(first);
	free(stack);
	free(from);
	free(to);
	free(kids);
	return rc;
}

/*
 * The weight of each candidate: bit j of row i is set when candidate j
 * is an ancestor of candidate i (or i itself).  Rows are filled parents
 * first, from the end of the walk.
 */
static int
weigh(git_repository *r, const git_oid *v, size_t n, struct weight *wt,
    struct buf *err)
{
	struct cand *by_oid;
	const struct cand *p;
	git_commit *c;
	uint64_t *bits, *row;
	size_t words, i, k, w, np;
	char hex[GIT_OID_HEXSZ + 1];
	int rc;

	words = (n + 63) / 64;
	bits = xcalloc(n * words, sizeof(*bits));
	by_oid = xcalloc(n, sizeof(*by_oid));
	for (i = 0; i < n; i++) {
		by_oid[i].oid = v[i];
		by_oid[i].i = i;
	}
	qsort(by_oid, n, sizeof(*by_oid), cand_cmp);
	rc = 0;
	for (i = n; i-- > 0;) {
		row = bits + i * words;
		row[i / 64] |= (uint64_t)1 << (i % 64);
		if (git_commit_lookup(&c, r, &v[i]) != 0) {
			git_oid_tostr(hex, sizeof(hex), &v[i]);
			rc = fail(err, "read commit", hex);
			break;
		}
		np = git_commit_parentcount(c);
		wt[i].parents = 0;
		for (k = 0; k < np; k++) {
			p = cand_find(by_oid, n, git_commit_parent_id(c,
			    (unsigned)k));
			if (p == NULL)
				continue;
			if (wt[i].parents++ == 0)
				wt[i].parent = p->i;
			for (w = 0; w < words; w++)
				row[w] |= bits[p->i * words + w];
		}
		git_commit_free(c);
		wt[i].n = 0;
		for (w = 0; w < words; w++)
			wt[i].n += (size_t)__builtin_popcountll(row[w]);
	}
	free(by_oid);
	free(bits);
	return rc;
}

static int
is_skipped(const git_oid *oid, char *const *skip, size_t nskip)
{
	char hex[GIT_OID_HEXSZ + 1];
	size_t i;

	git_oid_tostr(hex, sizeof(hex), oid);
	for (i = 0; i < nskip; i++)
		if (strcmp(skip[i], hex) == 0)
			return 1;
	return 0;
}

/* Within one of half the candidates, as git's approx_halfway(). */
static int
halfway(const struct weight *w, size_t n)
{
	long long d;

	if (w->skipped)
		return 0;
	d = 2 * (long long)w->n - (long long)n;
	return d >= -1 && d <= 1;
}

/*
 * The commit git bisect would test, v[] newest first.  git learns the
 * weights in an order (merges first, then up each strand of single
 * parents, oldest first) and takes the first commit at half way; with
 * none, the oldest that splits best.  Doing the same, step for step,
 * gives the same commits as git, so never more steps.
 */
static size_t
choose(struct weight *wt, size_t n)
{
	size_t i, best, d, bestd;
	int more;

	for (i = n; i-- > 0;)
		wt[i].known = wt[i].parents == 0;
	for (i = n; i-- > 0;) {
		if (wt[i].parents < 2)
			continue;
		wt[i].known = 1;
		if (halfway(&wt[i], n))
			return i;
	}
	do {
		more = 0;
		for (i = n; i-- > 0;) {
			if (wt[i].known || !wt[wt[i].parent].known)
				continue;
			wt[i].known = 1;
			more = 1;
			if (halfway(&wt[i], n))
				return i;
		}
	} while (more);
	best = n;
	bestd = 0;
	for (i = n; i-- > 0;) {
		if (wt[i].skipped)
			continue;
		d = wt[i].n < n - wt[i].n ? wt[i].n : n - wt[i].n;
		if (best == n || d > bestd) {
			best = i;
			bestd = d;
		}
	}
	/* bad itself (weight n, distance 0) is never worth testing */
	return bestd > 0 ? best : n;
}

int
bisect_pick(git_repository *r, const char *bad, char *const *good,
    size_t ngood, char *const *skip, size_t nskip, struct bisect_next *out,
    struct buf *err)
{
	struct weight *wt;
	git_oid *v;
	size_t n, i, best;

	memset(out, 0, sizeof(*out));
	if (walk(r, bad, good, ngood, &v, &n, err) != 0)
		return -1;
	if (n > 0 && drop_reachable(r, good, ngood, v, &n, err) != 0) {
		free(v);
		return -1;
	}
	if (n == 0)
		return error_to(err, "bisect: bad commit %s is reachable from "
		    "a good one: nothing to bisect", bad);
	wt = xcalloc(n, sizeof(*wt));
	out->left = n;
	for (i = 0; i < n; i++) {
		wt[i].skipped = is_skipped(&v[i], skip, nskip);
		if (wt[i].skipped)
			out->skipped++;
	}
	if (n <= BISECT_EXACT_MAX) {
		if (weigh(r, v, n, wt, err) != 0) {
			free(wt);
			free(v);
			return -1;
		}
		best = choose(wt, n);
	} else {
		/* the middle, or the unskipped commit nearest to it */
		best = n;
		for (i = 0; i < n / 2 && best == n; i++) {
			if (!wt[n / 2 + i].skipped)
				best = n / 2 + i;
			else if (!wt[n / 2 - i].skipped)
				best = n / 2 - i;
		}
		if (best < n)
			wt[best].n = n - best;
	}
	if (best < n) {
		git_oid_tostr(out->oid, sizeof(out->oid), &v[best]);
		out->weight = wt[best].n;
	}
	free(wt);
	free(v);
	return 0;
}

int
bisect_parents(git_repository *r, const char *oid, char ***out, size_t *n,
    struct buf *err)
{
	const git_oid *pid;
	git_commit *c;
	git_oid id;
	size_t i, k, np;

	*out = NULL;
	*n = 0;
	if (git_oid_fromstr(&id, oid) != 0 ||
	    git_commit_lookup(&c, r, &id) != 0)
		return fail(err, "look up commit", oid);
	np = git_commit_parentcount(c);
	*out = xcalloc(np + 1, sizeof(**out));
	for (i = 0; i < np; i++) {
		pid = git_commit_parent_id(c, (unsigned)i);
		for (k = 0; k < i; k++)
			if (git_oid_equal(pid, git_commit_parent_id(c,
			    (unsigned)k)))
				break;
		if (k < i)
			continue;
		(*out)[*n] = xmalloc(GIT_OID_HEXSZ + 1);
		git_oid_tostr((*out)[(*n)++], GIT_OID_HEXSZ + 1, pid);
	}
	git_commit_free(c);
	return 0;
}

int
bisect_range(git_repository *r, const char *good, const char *bad,
    struct buf *why)
{
	git_oid g, b, base;
	char gs[13], bs[13];
	int rc;

	if (git_oid_fromstr(&g, good) != 0)
		return fail(why, "read the commit id", good);
	if (git_oid_fromstr(&b, bad) != 0)
		return fail(why, "read the commit id", bad);
	snprintf(gs, sizeof(gs), "%.12s", good);
	snprintf(bs, sizeof(bs), "%.12s", bad);
	if (git_oid_equal(&g, &b)) {
		buf_addf(why, "good and bad are the same commit %s", gs);
		return 1;
	}
	rc = git_graph_descendant_of(r, &g, &b);
	if (rc < 0)
		return fail(why, "walk the history of", good);
	if (rc == 1) {
		buf_addf(why, "bad %s is an ancestor of good %s (the branch "
		    "went back)", bs, gs);
		return 1;
	}
	rc = git_merge_base(&base, r, &g, &b);
	if (rc == GIT_ENOTFOUND) {
		buf_addf(why, "good %s and bad %s share no history", gs, bs);
		return 1;
	}
	if (rc != 0)
		return fail(why, "find the merge base of", good);
	return 0;
}

int
bisect_revert(git_repository *r, const char *culprit, const char *onto,
    char out[41], struct buf *err)
{
	git_commit *cc, *oc;
	git_index *ix;
	git_tree *tree;
	git_signature *sig;
	git_merge_options mo;
	git_oid id, tid, made;
	const git_commit *parents[1];
	struct buf msg = BUF_INIT;
	const char *summary;
	int rc;

	out[0] = '\0';
	git_merge_options_init(&mo, GIT_MERGE_OPTIONS_VERSION);
	cc = oc = NULL;
	ix = NULL;
	tree = NULL;
	sig = NULL;
	rc = -1;
	if (git_oid_fromstr(&id, culprit) != 0 ||
	    git_commit_lookup(&cc, r, &id) != 0) {
		fail(err, "look up commit", culprit);
		goto out;
	}
	if (git_oid_fromstr(&id, onto) != 0 ||
	    git_commit_lookup(&oc, r, &id) != 0) {
		fail(err, "look up commit", onto);
		goto out;
	}
	/* a merge is reverted against its first parent, as git revert -m 1 */
	if (git_revert_commit(&ix, r, cc, oc,
	    git_commit_parentcount(cc) > 1 ? 1 : 0, &mo) != 0) {
		fail(err, "revert", culprit);
		goto out;
	}
	if (git_index_has_conflicts(ix)) {
		rc = 1;
		goto out;
	}
	if (git_index_write_tree_to(&tid, ix, r) != 0 ||
	    git_tree_lookup(&tree, r, &tid) != 0) {
		fail(err, "write the tree of the revert of", culprit);
		goto out;
	}
	/* the same revert is the same commit: onto's time, one name */
	if (git_signature_new(&sig, "Maestrino bisection", "bisect@maestrino",
	    git_commit_time(oc), git_commit_time_offset(oc)) != 0) {
		fail(err, "sign the revert of", culprit);
		goto out;
	}
	summary = git_commit_summary(cc);
	buf_addf(&msg, "Revert \"%s\"\n\nThis reverts commit %s.\n",
	    summary != NULL ? summary : "", culprit);
	parents[0] = oc;
	if (git_commit_create(&made, r, NULL, sig, sig, NULL, msg.ptr, tree,
	    1, parents) != 0) {
		fail(err, "commit the revert of", culprit);
		goto out;
	}
	git_oid_tostr(out, 41, &made);
	rc = 0;
out:
	buf_release(&msg);
	git_signature_free(sig);
	git_tree_free(tree);
	git_index_free(ix);
	git_commit_free(oc);
	git_commit_free(cc);
	return rc;
}
