/*
 * site_plan.h: what a render must do.  A checkout's pages are rendered
 * again when it, one of its builds or one of its tests changed since
 * the last render (gen > site_gen), and so is the page of the checkout
 * after it (which shows the changes against it).  A branch's page, its
 * tree's feed and a platform's page follow the checkouts that changed.
 * A bisection that changed is rendered again with the pages that show
 * it: its bad checkout's, its steps' and its tree's feed.  An incident
 * the triage changed (a known issue's rule that now matches an old
 * failure, or no longer does) changes the pages of its result, of its
 * result's checkout and of its issue, and nothing else.  A checkout
 * that ages out (settings.site.keep_days) has its pages and its build
 * pages written again as stubs, and its branch's page and its tests'
 * pages, which then link to its JSON; one that is retired no more is
 * rendered again whole.
 */
#ifndef SITE_PLAN_H
#define SITE_PLAN_H

#include <stddef.h>

#include "store_site.h"

struct config;
struct db;

/* A run of a branch's consecutive head checkouts, in order. */
struct site_chain {
	size_t			 from;		/* in chained */
	size_t			 n;
};

#define CHAIN_MAX	256	/* checkouts in a chain at most */

/*
 * The newest head checkouts of a branch, whose tests' pages are
 * rendered in one pass over their results: those of the keys whose
 * shown results (the newest HISTORY) include one of ids.
 */
struct site_window {
	size_t			 br;		/* the branch, in br */
	long long		 from;		/* its oldest checkout */
	int			 whole;		/* from the branch's first */
	struct site_ids		 ids;		/* checkouts, sorted */
};

#define WINDOW_MAX	200	/* checkouts in a window at most */

struct site_plan {
	int			 all;		/* render everything */
	struct site_ids		 dirty;		/* checkouts to render */
	/* of them, test pages key by key, not by walks or windows */
	struct site_ids		 tests_of;
	/* test pages of dirty and aged heads, by windows of branches */
	struct site_window	*windows;
	size_t			 nwindows;
	/*
	 * The dirty checkouts whose pages are rendered in runs of a
	 * branch's consecutive heads, each run in order (chains, into
	 * chained), and the others, one by one (singles).
	 */
	struct site_ids		 chained;
	struct site_chain	*chains;
	size_t			 nchains;
	struct site_ids		 singles;
	/* retention (settings.site.keep_days), each list sorted */
	struct site_ids		 retired;	/* pages that are stubs */
	struct site_ids		 stub;		/* to be stubs now */
	struct site_ids		 unstub;	/* no stubs any more */
	struct site_ids		 aged;		/* in stub, not in dirty */
	struct site_ids		 aged_tests_of;	/* of them, key by key */
	struct site_gens	 bis;		/* bisections to render */
	struct site_triage	 tri;		/* issues to render */
	/* pages of the results of incidents, outside dirty */
	struct site_ids		 tri_checkouts;
	struct site_ids		 tri_builds;
	struct site_ids		 tri_tests;
	struct site_branch	*br;		/* every branch */
	size_t			 nbr;
	const char		**trees;	/* whose branches changed */
	size_t			 ntrees;
	char			**plats;	/* every platform, sorted */
	int			*plat_changed;
	size_t			 nplat;
};

/*
 * Whether the site's file names are those of this binary: if not, set
 * *all and remove the directories whose names changed.  -1 on error.
 */
int	 site_plan_layout(const struct config *, int *all);
/* Record that the site has this binary's file names. */
int	 site_plan_layout_done(const struct config *);
/* Plan a render (all: everything); -1 after an error message. */
int	 site_plan_make(const struct config *, struct db *, int all,
	    struct site_plan *);
void	 site_plan_release(struct site_plan *);

#endif
