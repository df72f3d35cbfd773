/*
 * site.c: the static dashboard.
 *
 * Pages, with their JSON twins under api/:
 *   index.html			every tree and branch, its latest checkout
 *   t/<tree>/<branch>.html	a branch's checkout history ('/' -> '~')
 *   c/<id>.html		a checkout: builds, boots, tests, changes
 *   b/<id>.html		a build
 *   x/<key>.html		a test's history on a platform and config
 *   p/index.html, p/<name>.html	platforms
 *   regressions.html		open regressions
 *   issues/index.html, issues/<id>.html	known issues, log signatures
 *   bisect/index.html, bisect/<id>.html	bisections
 *   feeds/<tree>.atom, feeds/regressions.atom
 *   badges/<tree>/<branch>.svg
 *
 * This file runs a render: site_plan.c says what to render, the pages
 * are written by one file each (site_checkout.c, site_build.c,
 * site_test.c, site_tree.c, site_feed.c, site_platform.c,
 * site_regress.c, site_issue.c, site_bisect.c, site_index.c) from what
 * store_site.c reads.
 */
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "config.h"
#include "db.h"
#include "fs.h"
#include "log.h"
#include "pool.h"
#include "site.h"
#include "site_page.h"
#include "site_plan.h"
#include "strset.h"
#include "util.h"

/* ---- assets ---- */

static int
copy_assets(struct site *s)
{
	static const char *const files[] = { "style.css", "filter.js" };
	struct buf b = BUF_INIT;
	char *p;
	size_t i;
	int rc;

	rc = 0;
	for (i = 0; i < ARRAY_SIZE(files) && rc == 0; i++) {
		p = fs_join(s->assets, files[i]);
		buf_reset(&b);
		if (buf_read_file(&b, p) != 0)
			rc = error("cannot read '%s': %s", p, strerror(errno));
		else
			rc = site_emit(s, files[i], b.ptr, b.len);
		free(p);
	}
	buf_release(&b);
	return rc;
}

/* ---- rendering in parallel ---- */

/*
 * The bulk of a render (checkout, build and test pages) is split into
 * tasks that threads take in turn, each thread with its own database
 * connection.  Pages do not depend on one another, so the order in
 * which they are written makes no difference to their bytes.
 */
#define MAX_THREADS	8
#define TEST_PARTS	8	/* tasks for the test pages of a checkout */
#define WINDOW_PARTS	2	/* tasks for those of a window */

enum task_kind {
	TASK_TESTS,		/* every test page of a branch */
	TASK_CHECKOUT,		/* a checkout's page */
	TASK_CHAIN,		/* a branch's consecutive checkouts' pages */
	TASK_BUILDS,		/* the build pages of a checkout */
	TASK_TESTS_OF,		/* a part of a checkout's test pages */
	TASK_WINDOW,		/* a part of a window's test pages */
	TASK_BRANCH,		/* a branch's page */
	TASK_FEED,		/* a tree's feed */
	TASK_PLATFORM,		/* a platform's page */
	TASK_OPEN,		/* the open regressions of a branch */
	TASK_BUILD,		/* a build's page */
	TASK_TEST,		/* the page of a test's key */
	TASK_ISSUE,		/* an issue's page */
	TASK_KINDS
};

static const char *const task_names[TASK_KINDS] = {
	"branch test pages", "checkout pages", "checkout pages in chains",
	"build pages",
	"test pages of checkouts", "test pages of windows", "branch pages", "feeds", "platform pages",
	"open regressions", "build pages (triage)", "test pages (triage)",
	"issue pages"
};

struct task {
	enum task_kind			 kind;
	long long			 id;	/* the checkout */
	const struct site_branch	*br;	/* TASK_TESTS, _BRANCH, _OPEN */
	size_t				 part;	/* TASK_TESTS_OF */
	const long long			*ids;	/* TASK_CHAIN */
	size_t				 nids;
	const struct site_window	*win;	/* TASK_WINDOW */
	const char			*name;	/* TASK_FEED, _PLATFORM, _ISSUE */
	struct site_reglist		*out;	/* TASK_OPEN */
};

struct tasks {
	struct task	*v;
	size_t		 n;
	size_t		 alloc;
};

/* A thread's context: the render with a connection and counters. */
struct worker {
	struct site		 s;
	struct site_stats	 stats;
	double			 cpu[TASK_KINDS];	/* seconds per kind */
	int			 own_db;
};

struct run {
	const struct site	*s;
	struct worker		 w[POOL_MAX_THREADS];
};

static struct task *
task_add(struct tasks *t, enum task_kind kind, long long id,
    const struct site_branch *br, size_t part)
{
	struct task *k;

	xgrow((void **)&t->v, &t->alloc, t->n + 1, sizeof(*t->v));
	k = &t->v[t->n++];
	memset(k, 0, sizeof(*k));
	k->kind = kind;
	k->id = id;
	k->br = br;
	k->part = part;
	return k;
}

static int
run_task(struct site *s, const struct task *t)
{
	switch (t->kind) {
	case TASK_TESTS:
		return site_render_branch_tests(s, t->br->tree, t->br->branch);
	case TASK_CHECKOUT:
		return site_render_checkout(s, t->id);
	case TASK_CHAIN:
		return site_render_chain(s, t->ids, t->nids);
	case TASK_BUILDS:
		return site_render_builds_of(s, t->id);
	case TASK_TESTS_OF:
		return site_render_tests_of(s, t->id, t->part, TEST_PARTS);
	case TASK_WINDOW:
		return site_render_window(s, t->br->tree, t->br->branch,
		    t->win->from, t->win->whole, &t->win->ids, t->part,
		    WINDOW_PARTS);
	case TASK_BRANCH:
		return site_render_tree(s, t->br->tree, t->br->branch);
	case TASK_FEED:
		return site_render_feed(s, t->name);
	case TASK_PLATFORM:
		return site_render_platform(s, t->name);
	case TASK_OPEN:
		return site_open_regressions(s, t->br->latest, t->out);
	case TASK_BUILD:
		return site_render_build(s, t->id);
	case TASK_TEST:
		return site_render_test(s, t->id);
	case TASK_ISSUE:
		return site_render_issue(s, t->name);
	case TASK_KINDS:
		break;
	}
	return error("unknown site task %d", (int)t->kind);
}

/*
 * The first thread works on the caller's connection (the caller only
 * waits meanwhile); a thread of its own needs a connection of its own.
 */
static void *
worker_open(void *arg, size_t thread)
{
	struct run *r = arg;
	struct worker *w = &r->w[thread];

	memset(w, 0, sizeof(*w));
	w->s = *r->s;
	w->s.stats = &w->stats;
	if (thread > 0) {
		w->s.db = db_open(r->s->db->path, 1);
		if (w->s.db == NULL)
			return NULL;
		w->own_db = 1;
	}
	return w;
}

static void
worker_close(void *ctx)
{
	struct worker *w = ctx;

	if (w != NULL && w->own_db) {
		db_close(w->s.db);
		w->s.db = NULL;
		w->own_db = 0;
	}
}

/* The processor time of this thread, in seconds. */
static double
thread_cpu(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
		return 0;
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
worker_run(void *ctx, void *item)
{
	struct worker *w = ctx;
	const struct task *t = item;
	double t0;
	int rc;

	t0 = thread_cpu();
	rc = run_task(&w->s, t);
	w->cpu[t->kind] += thread_cpu() - t0;
	return rc;
}

static const struct pool_ops site_pool_ops = {
	worker_open, worker_close, worker_run
};

/* Run every task, on as many threads as there are processors. */
static int
run_tasks(struct site *s, const struct tasks *t)
{
	struct run *r;
	struct pool *p;
	double cpu;
	long ncpu;
	size_t n, i, k, done;
	int rc;

	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	n = ncpu < 1 ? 1 : ncpu > MAX_THREADS ? MAX_THREADS : (size_t)ncpu;
	if (n > t->n)
		n = t->n ? t->n : 1;
	r = xcalloc(1, sizeof(*r));
	r->s = s;
	p = pool_start(&site_pool_ops, r, n, 0);
	if (p == NULL) {
		free(r);
		return -1;
	}
	progress_start("rendering pages", t->n);
	rc = 0;
	for (i = 0; i < t->n && rc == 0; i++)
		rc = pool_put(p, &t->v[i]);
	done = 0;
	while (pool_take(p, 1) != NULL)
		progress_update(++done, NULL);
	if (pool_finish(p) != 0)
		rc = -1;
	progress_end();
	for (i = 0; i < n; i++) {
		s->stats->checkouts += r->w[i].stats.checkouts;
		s->stats->pages += r->w[i].stats.pages;
		s->stats->written += r->w[i].stats.written;
	}
	for (k = 0; k < TASK_KINDS; k++) {
		cpu = 0;
		for (i = 0; i < n; i++)
			cpu += r->w[i].cpu[k];
		if (cpu > 0)
			debug("%s: %.2f s of processor time", task_names[k],
			    cpu);
	}
	free(r);
	return rc;
}

/* With -v, how long each part of the render took. */
static void
phase(const char *what, double *t0)
{
	double t = now_monotonic();

	debug("%s in %.2f s", what, t - *t0);
	*t0 = t;
}

/*
 * Checkout and build pages of what changed, and their test pages: those
 * of every key of a branch whose checkouts are rendered (all of them on
 * a full render), the largest tasks first, and those of the tests of
 * the other checkouts.  And the pages of what the triage
 * changed: its issues', and those of the results of its incidents.
 */
static int
render_checkouts(struct site *s, const struct site_plan *p,
    struct site_reglist *opens)
{
	struct task *k;
	struct tasks t;
	size_t i, j;
	int rc;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < p->nbr; i++)
		if (p->br[i].walk)
			task_add(&t, TASK_TESTS, 0, &p->br[i], 0);
	for (i = 0; i < p->nwindows; i++)
		for (j = 0; j < WINDOW_PARTS; j++)
			task_add(&t, TASK_WINDOW, 0,
			    &p->br[p->windows[i].br], j)->win =
			    &p->windows[i];
	for (i = 0; i < p->tests_of.n; i++)
		for (j = 0; j < TEST_PARTS; j++)
			task_add(&t, TASK_TESTS_OF, p->tests_of.v[i], NULL,
			    j);
	for (i = 0; i < p->nchains; i++) {
		k = task_add(&t, TASK_CHAIN, 0, NULL, 0);
		k->ids = p->chained.v + p->chains[i].from;
		k->nids = p->chains[i].n;
	}
	for (i = 0; i < p->singles.n; i++)
		task_add(&t, TASK_CHECKOUT, p->singles.v[i], NULL, 0);
	for (i = 0; i < p->dirty.n; i++)
		task_add(&t, TASK_BUILDS, p->dirty.v[i], NULL, 0);
	/* what ages out: stubs, and test pages that link to its JSON */
	for (i = 0; i < p->aged.n; i++) {
		task_add(&t, TASK_CHECKOUT, p->aged.v[i], NULL, 0);
		task_add(&t, TASK_BUILDS, p->aged.v[i], NULL, 0);
	}
	for (i = 0; i < p->aged_tests_of.n; i++)
		for (j = 0; j < TEST_PARTS; j++)
			task_add(&t, TASK_TESTS_OF, p->aged_tests_of.v[i],
			    NULL, j);
	for (i = 0; i < p->tri_tests.n; i++)
		task_add(&t, TASK_TEST, p->tri_tests.v[i], NULL, 0);
	for (i = 0; i < p->tri_checkouts.n; i++)
		task_add(&t, TASK_CHECKOUT, p->tri_checkouts.v[i], NULL, 0);
	for (i = 0; i < p->tri_builds.n; i++)
		task_add(&t, TASK_BUILD, p->tri_builds.v[i], NULL, 0);
	for (i = 0; i < p->tri.niss; i++)
		task_add(&t, TASK_ISSUE, 0, NULL, 0)->name = p->tri.iss[i].id;
	/*
	 * and, to keep every thread busy to the end, the pages of the
	 * branches and platforms and the open regressions (into opens),
	 * which depend on none of the above
	 */
	for (i = 0; i < p->nbr; i++) {
		if (p->br[i].changed)
			task_add(&t, TASK_BRANCH, 0, &p->br[i], 0);
		task_add(&t, TASK_OPEN, 0, &p->br[i], 0)->out = &opens[i];
	}
	for (i = 0; i < p->nplat; i++)
		if (p->plat_changed[i])
			task_add(&t, TASK_PLATFORM, 0, NULL, 0)->name =
			    p->plats[i];
	rc = run_tasks(s, &t);
	free(t.v);
	return rc;
}

/*
 * The feeds of the trees that changed, which take the entries of the
 * checkouts rendered before, and the open regressions of every branch
 * (opens, from render_checkouts()) into regs.
 */
static int
render_feeds(struct site *s, const struct site_plan *p,
    struct site_reglist *opens, struct site_reglist *regs)
{
	struct tasks t;
	size_t i, j;
	int rc;

	memset(&t, 0, sizeof(t));
	for (i = 0; i < p->ntrees; i++)
		task_add(&t, TASK_FEED, 0, NULL, 0)->name = p->trees[i];
	rc = t.n > 0 ? run_tasks(s, &t) : 0;
	free(t.v);
	for (i = 0; i < p->nbr; i++) {
		for (j = 0; j < opens[i].n; j++) {
			xgrow((void **)&regs->v, &regs->alloc, regs->n + 1,
			    sizeof(*regs->v));
			regs->v[regs->n++] = opens[i].v[j];
		}
		free(opens[i].v);
	}
	return rc;
}

/*
 * The list of issues changes with them, and with every new checkout:
 * an issue not seen for settings.issues.stale_days before the newest
 * one is maybe fixed.
 */
static int
issues_changed(const struct site *s, const struct site_plan *p)
{
	char *index;
	int missing;

	if (p->all || p->tri.niss > 0 || p->dirty.n > 0)
		return 1;
	index = fs_join(s->cfg->site_path, "issues/index.html");
	missing = !fs_exists(index);
	free(index);
	return missing;
}

static int
cmp_id(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/*
 * The checkouts of the feeds to render, whose entries their pages make
 * (see struct site_entries).
 */
static int
entries_plan(struct site *s, const struct site_plan *p, struct site_entries *e)
{
	struct site_ids ids;
	size_t i, j;

	for (i = 0; i < p->ntrees; i++) {
		if (store_site_latest(s->db, p->trees[i], NULL, FEED_ENTRIES,
		    &ids) != 0)
			return -1;
		for (j = 0; j < ids.n; j++)
			site_ids_add(&e->ids, ids.v[j]);
		free(ids.v);
	}
	if (e->ids.n > 1)
		qsort(e->ids.v, e->ids.n, sizeof(*e->ids.v), cmp_id);
	e->entry = xcalloc(e->ids.n + 1, sizeof(*e->entry));
	s->entries = e;
	return 0;
}

static void
entries_release(struct site *s, struct site_entries *e)
{
	size_t i;

	for (i = 0; i < e->ids.n; i++)
		free(e->entry[i]);
	free(e->entry);
	free(e->ids.v);
	pthread_mutex_destroy(&e->lock);
	s->entries = NULL;
}

/*
 * Everything but the marks: they are set only once every page is
 * written, so a render cut short by an error is done again.
 */
static int
render(struct site *s, struct site_plan *p, double *t0)
{
	struct site_entries entries;
	struct site_reglist regs, *opens;
	size_t i;
	int rc;

	memset(&regs, 0, sizeof(regs));
	memset(&entries, 0, sizeof(entries));
	pthread_mutex_init(&entries.lock, NULL);
	rc = copy_assets(s);
	if (rc == 0)
		rc = site_plan_make(s->cfg, s->db, p->all, p);
	s->retired = &p->retired;
	if (rc == 0)
		rc = entries_plan(s, p, &entries);
	phase("what changed", t0);
	opens = xcalloc(p->nbr + 1, sizeof(*opens));
	if (rc == 0)
		rc = render_checkouts(s, p, opens);
	phase("checkouts, builds, tests, branches and platforms", t0);
	if (rc == 0)
		rc = render_feeds(s, p, opens, &regs);
	else
		for (i = 0; i < p->nbr; i++)
			site_reglist_release(&opens[i]);
	free(opens);
	phase("feeds and regressions", t0);
	if (rc == 0)
		rc = site_render_platforms(s, p->plats, p->nplat);
	site_regressions_sort(&regs);
	if (rc == 0)
		rc = site_render_regressions(s, &regs);
	if (rc == 0)
		rc = site_render_bisections(s, &p->bis, p->all);
	if (rc == 0 && issues_changed(s, p))
		rc = site_render_issue_index(s);
	if (rc == 0)
		rc = site_render_index(s, p->br, p->nbr);
	site_reglist_release(&regs);
	entries_release(s, &entries);
	return rc;
}

int
site_render(const struct config *cfg, struct db *db, const char *assets,
    int all, struct site_stats *stats)
{
	pthread_mutex_t done_lock = PTHREAD_MUTEX_INITIALIZER;
	struct strset done = STRSET_INIT;
	struct site_plan plan;
	struct site s;
	double t0;
	char *index, *marker;
	int rc;

	t0 = now_monotonic();
	memset(&s, 0, sizeof(s));
	memset(&plan, 0, sizeof(plan));
	s.done = &done;
	s.done_lock = &done_lock;
	s.cfg = cfg;
	s.db = db;
	s.stats = stats;
	s.assets = assets;
	if (fs_mkdir_p(cfg->site_path) != 0)
		return -1;
	/*
	 * A render in progress is marked (in the data dir: nothing but
	 * pages goes in the site), so the next one knows when one was cut
	 * short and sweeps the temporary files it left; walking a large
	 * site every time would cost more than the render.
	 */
	marker = config_data_path(cfg, "site-rendering");
	if (fs_exists(marker)) {
		info("the last render of '%s' was cut short; removing its "
		    "temporary files", cfg->site_path);
		fs_clean_tmp_tree(cfg->site_path);
	} else if (fs_write_atomic(marker, "", 0, 0) != 0) {
		free(marker);
		return -1;
	}
	index = fs_join(cfg->site_path, "index.html");
	if (!fs_exists(index))
		all = 1;
	free(index);
	if (site_plan_layout(cfg, &all) != 0) {
		free(marker);
		return -1;
	}
	plan.all = all;
	rc = render(&s, &plan, &t0);
	crashpoint("site-before-mark");
	if (rc == 0)
		rc = store_site_mark_rendered(db, &plan.dirty, all,
		    &plan.bis, &plan.tri);
	if (rc == 0)
		rc = store_site_mark_stubs(db, &plan.stub, &plan.unstub);
	if (rc == 0)
		rc = site_plan_layout_done(cfg);
	if (rc == 0 && unlink(marker) != 0)
		rc = error("cannot remove '%s': %s", marker, strerror(errno));
	if (rc != 0)
		error("the render of '%s' stopped: its pages stay marked to be "
		    "rendered again", cfg->site_path);
	free(marker);
	phase("index", &t0);
	strset_release(&done);
	site_plan_release(&plan);
	return rc;
}
