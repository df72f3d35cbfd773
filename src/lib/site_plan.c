/*
 * site_plan.c: which pages a render must write again.
 */
#include "buf.h"
#include "config.h"
#include "fs.h"
#include "log.h"
#include "site_page.h"
#include "site_plan.h"
#include "store_bisect.h"
#include "store_checkout.h"
#include "util.h"

/*
 * The version of the site's pages, kept in <data_dir>/site-layout.
 * 2: badges/<tree>/<branch>.svg, x/<tree>/<branch>/<key>/<path>.html,
 * branches through safe_name().  3: the same names, and every page
 * links the issues; failures show their known issues.  4: the same
 * names, lean pages (rows without end tags, changes without the new
 * passes and what disappeared, the footer on the index only) and stubs
 * for retired checkouts.  A site of
 * another layout is rendered again whole, and when its file names were
 * not those of SITE_NAMES, the directories whose names changed are
 * removed.
 */
#define SITE_LAYOUT	"4"
#define SITE_NAMES	"2"	/* the layout that last changed names */

int
site_plan_layout(const struct config *cfg, int *all)
{
	static const char *const renamed[] = { "x", "badges", "api/x" };
	struct buf b = BUF_INIT;
	char *path, *dir;
	size_t i;
	int rc, same_names;

	path = config_data_path(cfg, "site-layout");
	rc = 0;
	same_names = 0;
	if (buf_read_file(&b, path) == 0) {
		if (strcmp(b.ptr, SITE_LAYOUT) == 0)
			goto out;
		same_names = strcmp(b.ptr, SITE_NAMES) == 0;
	}
	if (!*all)
		info("the site's pages changed (layout %s): rendering '%s' "
		    "again whole", SITE_LAYOUT, cfg->site_path);
	*all = 1;
	if (same_names)
		goto out;
	for (i = 0; i < ARRAY_SIZE(renamed) && rc == 0; i++) {
		dir = fs_join(cfg->site_path, renamed[i]);
		rc = fs_remove_tree(dir);
		free(dir);
	}
out:
	buf_release(&b);
	free(path);
	return rc;
}

int
site_plan_layout_done(const struct config *cfg)
{
	char *path;
	int rc;

	path = config_data_path(cfg, "site-layout");
	rc = fs_write_if_changed(path, SITE_LAYOUT, strlen(SITE_LAYOUT)) < 0 ?
	    -1 : 0;
	free(path);
	return rc;
}

static void	ids_push(struct site_ids *, long long);

/* A checkout's page shows changes against the one before it. */
static int
add_next(struct db *db, struct site_ids *dirty)
{
	long long next;
	size_t i, n0;

	n0 = dirty->n;
	for (i = 0; i < n0; i++) {
		if (store_site_next(db, dirty->v[i], &next) != 0)
			return -1;
		if (next > 0)
			site_ids_add(dirty, next);
	}
	return 0;
}

/*
 * The bisections that changed: their bad checkouts and step checkouts
 * show them, so they are rendered again too; the trees of those that
 * ended, whose feeds tell it, go in *trees (borrowed from the rows,
 * which *rows keeps).
 */
static int
bisections(struct db *db, struct site_plan *p, struct bisection_row **rows,
    size_t *nrows)
{
	struct bisection_step_row *steps;
	struct bisection_row *b;
	size_t i, k, nsteps;

	if (store_site_bisect_dirty(db, p->all, &p->bis) != 0)
		return -1;
	*rows = xcalloc(p->bis.n + 1, sizeof(**rows));
	*nrows = 0;
	for (i = 0; i < p->bis.n; i++) {
		b = &(*rows)[*nrows];
		if (store_bisect_get(db, p->bis.v[i].id, b) < 0)
			return -1;
		if (b->id == 0)
			continue;
		(*nrows)++;
		if (p->all)
			continue;
		if (b->bad_checkout > 0)
			site_ids_add(&p->dirty, b->bad_checkout);
		if (store_bisect_steps(db, b->id, &steps, &nsteps) != 0)
			return -1;
		for (k = 0; k < nsteps; k++)
			if (steps[k].checkout > 0)
				site_ids_add(&p->dirty, steps[k].checkout);
		store_bisect_steps_free(steps, nsteps);
	}
	return 0;
}

/* The feeds of the trees of bisections that ended. */
static void
bisection_trees(struct site_plan *p, const struct bisection_row *rows,
    size_t nrows, size_t *alloc)
{
	size_t i, j, k;

	for (i = 0; i < nrows; i++) {
		if (rows[i].outcome == NULL)
			continue;
		for (j = 0; j < p->ntrees; j++)
			if (strcmp(p->trees[j], rows[i].tree) == 0)
				break;
		if (j < p->ntrees)
			continue;
		/* a tree with no branch head has no feed */
		for (k = 0; k < p->nbr; k++)
			if (strcmp(p->br[k].tree, rows[i].tree) == 0)
				break;
		if (k == p->nbr)
			continue;
		xgrow((void **)&p->trees, alloc, p->ntrees + 1,
		    sizeof(*p->trees));
		p->trees[p->ntrees++] = p->br[k].tree;
	}
}

/*
 * Retention: which checkouts are retired, which age out now, and which
 * are retired no more (keep_days was raised): those are rendered whole.
 */
static int
retention(const struct config *cfg, struct db *db, struct site_plan *p)
{
	size_t i, j;

	if (store_site_retired(db, cfg->site_keep_days, SITE_RETIRED,
	    &p->retired) != 0 || store_site_retired(db, cfg->site_keep_days,
	    SITE_TO_STUB, &p->stub) != 0 || store_site_retired(db,
	    cfg->site_keep_days, SITE_TO_UNSTUB, &p->unstub) != 0)
		return -1;
	if (p->all)
		return 0;
	for (i = 0; i < p->unstub.n; i++)
		site_ids_add(&p->dirty, p->unstub.v[i]);
	for (i = 0; i < p->stub.n; i++) {
		for (j = 0; j < p->dirty.n; j++)
			if (p->dirty.v[j] == p->stub.v[i])
				break;
		if (j == p->dirty.n)
			ids_push(&p->aged, p->stub.v[i]);
	}
	return 0;
}

static int	cmp_id(const void *, const void *);
static void	ids_sort(struct site_ids *);

/*
 * The pages of a branch whose every head checkout is rendered are
 * rendered in chains, from the oldest on, each checkout with the
 * results of the one before it at hand; the other dirty checkouts are
 * rendered one by one.  of[j] is the branch of dirty.v[j] when it is a
 * head, else nbr.
 */
static void
chains(struct site_plan *p, const size_t *of)
{
	struct site_chain *ch;
	size_t i, j, from, alloc;

	alloc = 0;
	for (i = 0; i < p->nbr; i++) {
		if (p->br[i].dirty_heads != p->br[i].heads)
			continue;
		from = p->chained.n;
		for (j = 0; j < p->dirty.n; j++)
			if (of[j] == i)
				ids_push(&p->chained, p->dirty.v[j]);
		qsort(p->chained.v + from, p->chained.n - from,
		    sizeof(*p->chained.v), cmp_id);
		for (j = from; j < p->chained.n; j += CHAIN_MAX) {
			xgrow((void **)&p->chains, &alloc, p->nchains + 1,
			    sizeof(*p->chains));
			ch = &p->chains[p->nchains++];
			ch->from = j;
			ch->n = p->chained.n - j < CHAIN_MAX ?
			    p->chained.n - j : CHAIN_MAX;
		}
	}
	for (j = 0; j < p->dirty.n; j++)
		if (of[j] == p->nbr ||
		    p->br[of[j]].dirty_heads != p->br[of[j]].heads)
			ids_push(&p->singles, p->dirty.v[j]);
}

/*
 * The test pages of the dirty and aged checkouts of a branch that is
 * not walked whole: those of the keys of its newest HISTORY head
 * checkouts (and back to the oldest of those to render), a window,
 * walked once for the keys whose shown results it changes.  A window
 * that would reach too far back gives way to a query per key
 * (tests_of, aged_tests_of), as do checkouts on demand.  of[j] is the
 * branch of dirty.v[j] (then of aged.v[j - dirty.n]) when it is a
 * head, else nbr.
 */
static int
windows(struct db *db, struct site_plan *p, const size_t *of)
{
	struct site_window *w;
	struct site_ids heads;
	long long id, c;
	size_t i, j, k, n, span, alloc;

	alloc = 0;
	n = p->dirty.n + p->aged.n;
	for (i = 0; i < p->nbr; i++) {
		if (p->br[i].walk)
			continue;
		for (j = 0; j < n && of[j] != i; j++)
			;
		if (j == n)
			continue;
		if (store_site_latest(db, p->br[i].tree, p->br[i].branch,
		    p->br[i].heads + 1, &heads) != 0)
			return -1;
		if (heads.n == 0) {
			free(heads.v);
			continue;
		}
		/* newest first: the HISTORY-th newest, or the oldest */
		id = heads.v[(heads.n < HISTORY ? heads.n : HISTORY) - 1];
		for (j = 0; j < n; j++) {
			if (of[j] != i)
				continue;
			c = j < p->dirty.n ? p->dirty.v[j] :
			    p->aged.v[j - p->dirty.n];
			if (c < id)
				id = c;
		}
		for (span = 0; span < heads.n && heads.v[span] >= id; span++)
			;
		if (span > WINDOW_MAX) {
			free(heads.v);
			continue;
		}
		xgrow((void **)&p->windows, &alloc, p->nwindows + 1,
		    sizeof(*p->windows));
		w = &p->windows[p->nwindows++];
		memset(w, 0, sizeof(*w));
		w->br = i;
		w->from = id;
		w->whole = span == heads.n;
		for (j = 0; j < n; j++)
			if (of[j] == i)
				ids_push(&w->ids, j < p->dirty.n ?
				    p->dirty.v[j] : p->aged.v[j - p->dirty.n]);
		ids_sort(&w->ids);
		free(heads.v);
	}
	/* the others, key by key */
	for (j = 0; j < n; j++) {
		for (k = 0; k < p->nwindows; k++)
			if (of[j] == p->windows[k].br)
				break;
		if (k < p->nwindows || (of[j] < p->nbr && p->br[of[j]].walk))
			continue;
		if (j < p->dirty.n)
			ids_push(&p->tests_of, p->dirty.v[j]);
		else
			ids_push(&p->aged_tests_of, p->aged.v[j - p->dirty.n]);
	}
	return 0;
}

/*
 * Every branch: its latest checkout; has it changed?  And the test
 * pages of the dirty checkouts: a branch most of whose checkouts are
 * rendered has the pages of every key of its history rendered in one
 * pass over its results (a walk), far cheaper than a query for each
 * key's history; the pages of the other checkouts' tests are rendered
 * key by key (tests_of).
 */
static int
branches(struct db *db, struct site_plan *p)
{
	struct checkout_row c;
	size_t i, j, *of;
	int r, ondemand;

	if (store_site_branches(db, p->all, &p->br, &p->nbr) != 0)
		return -1;
	of = xcalloc(p->dirty.n + 1, sizeof(*of));
	if (p->all) {
		/* every checkout, and the heads in chains */
		for (i = 0; i < p->nbr; i++) {
			p->br[i].walk = 1;
			p->br[i].dirty_heads = p->br[i].heads;
		}
		for (j = 0; j < p->dirty.n; j++) {
			r = store_site_checkout(db, p->dirty.v[j], &c);
			if (r < 0) {
				free(of);
				return -1;
			}
			of[j] = p->nbr;
			for (i = 0; r == 0 && i < p->nbr; i++)
				if (c.kind != NULL &&
				    strcmp(c.kind, "head") == 0 &&
				    strcmp(c.tree, p->br[i].tree) == 0 &&
				    strcmp(c.branch, p->br[i].branch) == 0)
					of[j] = i;
			if (r == 0)
				store_checkout_release(&c);
		}
		chains(p, of);
		free(of);
		return 0;
	}
	/* the branch of each dirty, then aged, head checkout, or nbr */
	of = xrealloc(of, (p->dirty.n + p->aged.n + 1) * sizeof(*of));
	for (j = 0; j < p->dirty.n + p->aged.n; j++) {
		of[j] = p->nbr;
		r = store_site_checkout(db, j < p->dirty.n ? p->dirty.v[j] :
		    p->aged.v[j - p->dirty.n], &c);
		if (r < 0) {
			free(of);
			return -1;
		}
		if (r > 0)
			continue;
		/*
		 * A checkout on demand is listed on every branch page of
		 * its tree, and changes no branch's history.
		 */
		ondemand = c.kind != NULL && strcmp(c.kind, "head") != 0;
		for (i = 0; i < p->nbr; i++) {
			if (strcmp(c.tree, p->br[i].tree) != 0)
				continue;
			if (ondemand)
				p->br[i].changed = 1;
			else if (strcmp(c.branch, p->br[i].branch) == 0) {
				p->br[i].changed = 1;
				if (c.kind == NULL)
					continue;
				if (j < p->dirty.n)
					p->br[i].dirty_heads++;
				of[j] = i;
			}
		}
		store_checkout_release(&c);
	}
	for (i = 0; i < p->nbr; i++)
		p->br[i].walk = p->br[i].dirty_heads > 0 &&
		    p->br[i].dirty_heads * 2 >= p->br[i].heads;
	r = windows(db, p, of);
	if (r == 0)
		chains(p, of);
	free(of);
	return r;
}

/* The trees whose branches changed. */
static void
trees(struct site_plan *p, size_t *alloc)
{
	size_t i, j;

	for (i = 0; i < p->nbr; i++) {
		if (!p->br[i].changed)
			continue;
		for (j = 0; j < p->ntrees; j++)
			if (strcmp(p->trees[j], p->br[i].tree) == 0)
				break;
		if (j == p->ntrees) {
			xgrow((void **)&p->trees, alloc, p->ntrees + 1,
			    sizeof(*p->trees));
			p->trees[p->ntrees++] = p->br[i].tree;
		}
	}
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmp_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* Append id, duplicates and all: ids_sort() removes them. */
static void
ids_push(struct site_ids *l, long long id)
{
	xgrow((void **)&l->v, &l->alloc, l->n + 1, sizeof(*l->v));
	l->v[l->n++] = id;
}

static void
ids_sort(struct site_ids *l)
{
	size_t i, k;

	if (l->n < 2)
		return;
	qsort(l->v, l->n, sizeof(*l->v), cmp_id);
	for (i = k = 1; i < l->n; i++)
		if (l->v[i] != l->v[k - 1])
			l->v[k++] = l->v[i];
	l->n = k;
}

/*
 * The pages the incidents the triage changed show on: their results'
 * and their checkouts', unless those checkouts are rendered whole.
 * There may be many (a new rule matches every old failure), so each
 * list is sorted rather than searched as it grows.
 */
static int
triage(struct db *db, struct site_plan *p)
{
	const struct site_incident *x;
	struct site_ids dirty;
	size_t i;

	if (store_site_triage_dirty(db, p->all, &p->tri) != 0)
		return -1;
	if (p->all || p->tri.ninc == 0)
		return 0;
	memset(&dirty, 0, sizeof(dirty));
	for (i = 0; i < p->dirty.n; i++)
		ids_push(&dirty, p->dirty.v[i]);
	ids_sort(&dirty);
	for (i = 0; i < p->tri.ninc; i++) {
		x = &p->tri.inc[i];
		/* a result that is gone has no page */
		if (x->checkout <= 0 || (dirty.n > 0 && bsearch(&x->checkout,
		    dirty.v, dirty.n, sizeof(*dirty.v), cmp_id) != NULL))
			continue;
		ids_push(&p->tri_checkouts, x->checkout);
		ids_push(x->build ? &p->tri_builds : &p->tri_tests, x->ref);
	}
	ids_sort(&p->tri_checkouts);
	ids_sort(&p->tri_builds);
	ids_sort(&p->tri_tests);
	free(dirty.v);
	return 0;
}

/*
 * Platforms: the configured ones and any with results; a platform's
 * page changes with the checkouts that have results on it.
 */
static int
platforms(const struct config *cfg, struct db *db, struct site_plan *p)
{
	size_t alloc, i, j;
	int r;

	alloc = 0;
	if (store_site_platforms(db, &p->plats, &p->nplat, &alloc) != 0)
		return -1;
	for (i = 0; i < cfg->nplatforms; i++) {
		for (j = 0; j < p->nplat; j++)
			if (strcmp(p->plats[j], cfg->platforms[i].name) == 0)
				break;
		if (j == p->nplat) {
			xgrow((void **)&p->plats, &alloc, p->nplat + 1,
			    sizeof(*p->plats));
			p->plats[p->nplat++] = xstrdup(cfg->platforms[i].name);
		}
	}
	if (p->nplat > 1)
		qsort(p->plats, p->nplat, sizeof(*p->plats), cmp_str);
	p->plat_changed = xcalloc(p->nplat + 1, sizeof(*p->plat_changed));
	for (i = 0; i < p->nplat; i++) {
		r = p->all;
		for (j = 0; j < p->dirty.n && r == 0; j++)
			r = store_site_platform_in(db, p->plats[i],
			    p->dirty.v[j]);
		if (r < 0)
			return -1;
		p->plat_changed[i] = r;
	}
	return 0;
}

int
site_plan_make(const struct config *cfg, struct db *db, int all,
    struct site_plan *p)
{
	struct bisection_row *rows;
	size_t nrows, alloc;
	int rc;

	memset(p, 0, sizeof(*p));
	p->all = all;
	rows = NULL;
	nrows = alloc = 0;
	/* what changed: checkouts, or their builds, or their tests */
	rc = store_site_dirty(db, all, &p->dirty);
	if (rc == 0 && !all)
		rc = add_next(db, &p->dirty);
	if (rc == 0)
		rc = retention(cfg, db, p);
	if (rc == 0)
		rc = bisections(db, p, &rows, &nrows);
	if (rc == 0)
		rc = triage(db, p);
	if (rc == 0)
		rc = branches(db, p);
	if (rc == 0) {
		trees(p, &alloc);
		bisection_trees(p, rows, nrows, &alloc);
		rc = platforms(cfg, db, p);
	}
	store_bisect_list_free(rows, nrows);
	return rc;
}

void
site_plan_release(struct site_plan *p)
{
	size_t i;

	for (i = 0; i < p->nbr; i++) {
		free(p->br[i].tree);
		free(p->br[i].branch);
	}
	free(p->br);
	for (i = 0; i < p->nplat; i++)
		free(p->plats[i]);
	free(p->plats);
	free(p->plat_changed);
	free(p->trees);
	free(p->dirty.v);
	free(p->tests_of.v);
	free(p->aged_tests_of.v);
	for (i = 0; i < p->nwindows; i++)
		free(p->windows[i].ids.v);
	free(p->windows);
	free(p->chained.v);
	free(p->chains);
	free(p->singles.v);
	free(p->retired.v);
	free(p->stub.v);
	free(p->unstub.v);
	free(p->aged.v);
	free(p->bis.v);
	site_triage_release(&p->tri);
	free(p->tri_checkouts.v);
	free(p->tri_builds.v);
	free(p->tri_tests.v);
	memset(p, 0, sizeof(*p));
}
