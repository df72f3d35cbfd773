/*
 * site_page.h: what every page of the site shares: the render's state,
 * writing a page with its JSON twin, the head and foot of a page, links
 * and file names, cells and JSON of checkouts and results, and the
 * parts of an Atom feed.  One file per page kind (site_*.c) uses them.
 */
#ifndef SITE_PAGE_H
#define SITE_PAGE_H

#include <pthread.h>
#include <stddef.h>

#include <jansson.h>

#include "site_change.h"
#include "store_site.h"

#define HISTORY		50	/* results on a test page */
#define TREE_ROWS	200	/* checkouts on a branch's page */
#define SPARK		30	/* checkouts in the sparkline */
#define FEED_ENTRIES	20	/* checkouts in a tree's feed */
#define FEED_REGRESSIONS 50	/* entries in the regressions feed */
#define ISSUE_INCIDENTS	200	/* incidents on an issue's page */
#define FINDINGS_SHOWN	50	/* findings on a build or test page */
#define FINDING_TEXT	8192	/* bytes of a finding's lines shown */

struct buf;
struct checkout_row;
struct finding_row;
struct config;
struct db;
struct site_stats;
struct strset;

/* One render; each thread has a copy with its own db and stats. */
struct site {
	const struct config	*cfg;
	struct db		*db;
	struct site_stats	*stats;
	const char		*assets;
	struct strset		*done;		/* test pages rendered */
	pthread_mutex_t		*done_lock;
	/*
	 * Set by site_checkout_doc(): pages are made but not written, and
	 * the JSON twin of capture_rel is kept in capture.
	 */
	const char		*capture_rel;
	json_t			*capture;
	/* retention: the checkouts whose pages are stubs, sorted */
	const struct site_ids	*retired;
	/* the feed entries of checkouts, as their pages are rendered */
	struct site_entries	*entries;
};

/*
 * The Atom entries of the checkouts that feeds show, made by the
 * render of each one's page (which has its changes at hand) for the
 * feeds that follow: a feed makes only those of checkouts not rendered
 * again.  ids are sorted; entry[i] is ids.v[i]'s, or NULL.
 */
struct site_entries {
	struct site_ids		 ids;
	char			**entry;
	pthread_mutex_t		 lock;
};

/* Write rel under the site if its bytes changed; 0 or -1. */
int	 site_emit(struct site *, const char *rel, const char *data,
	    size_t len);
/* Write a page and its JSON twin (which this takes over). */
int	 site_emit_page(struct site *, const char *rel, const struct buf *html,
	    json_t *data);

/*
 * Retention (settings.site.keep_days): whether checkout id is retired;
 * the page of a retired checkout or build is a stub, and the pages that
 * list old results (a branch's, a test's) link to its JSON twin.
 */
int	 site_retired(const struct site *, long long checkout);
/* "c/<id>.html", or "api/c/<id>.json" for a retired checkout. */
char	*site_checkout_rel(const struct site *, long long checkout);
/*
 * Write the stub of a retired page at rel with its JSON twin (which
 * this takes over): its title, what it is (HTML, trusted), and links to
 * its twin, to up_rel (up_text) unless it is NULL, and to the index.
 */
int	 site_emit_stub(struct site *, const char *rel, const char *title,
	    const char *what, const char *up_rel, const char *up_text,
	    json_t *data);

/* "../" for every directory in rel. */
char	*site_root_of(const char *rel);
void	 site_href(struct buf *, const char *root, const char *rel);
void	 site_link(struct buf *, const char *root, const char *rel,
	    const char *text);
void	 site_page_begin(struct buf *, const struct site *, const char *rel,
	    const char *title, const char *root);
void	 site_page_end(struct buf *);
/* The end of the index: the footer that says what the site is. */
void	 site_page_foot(struct buf *);
void	 site_status_cell(struct buf *, const char *status);
/* The cell without its end, for more in it; close it with "</td>". */
void	 site_status_open(struct buf *, const char *status);
/* FAIL or ERROR: what the triage matches known issues against. */
int	 site_failing(const char *status);
void	 site_time_el(struct buf *, long long t);
/* Text from a log or a lab, with every secret masked. */
void	 site_outside_text(struct buf *, const char *s);
void	 site_counts_cells(struct buf *, const long v[3]);

json_t	*site_jstr(const char *s);
json_t	*site_jtime(long long t);
json_t	*site_counts_json(const struct site_counts *);
json_t	*site_checkout_json(const struct checkout_row *);
json_t	*site_res_json(const struct checkout_row *, const struct site_res *,
	    int build);
void	 site_res_link(struct buf *, const char *root,
	    const struct checkout_row *, const struct site_res *, int build,
	    const char *text);

/*
 * Known issues beside a result: each issue's title, linked to its
 * report when it has one, and its page.  Nothing when n is 0.
 */
void	 site_known_marks(struct buf *, const char *root,
	    const struct site_known *, size_t n);
/* The same as a JSON array, for the key "issues". */
json_t	*site_known_json(const struct site_known *, size_t n);
/*
 * What a log said, at the top of a build or test page: each finding's
 * kind, summary (linked to its signature's page), where and how often,
 * and its lines, as <li id="finding-I"> (I its index); nothing when n
 * is 0.  The JSON of them: an array.
 */
void	 site_findings_html(struct buf *, const char *root,
	    const struct finding_row *, size_t n);
json_t	*site_findings_json(const struct finding_row *, size_t n);
/* The first finding of kind "error", or NULL. */
const struct finding_row *site_first_error(const struct finding_row *,
	    size_t n);

/* File names of the site (see site_page.c). */
char	*site_tree_rel(const char *tree, const char *branch);
char	*site_badge_rel(const char *tree, const char *branch);
char	*site_test_rel(const char *tree, const char *branch,
	    const char *config, const char *arch, const char *platform,
	    const char *path);
char	*site_issue_rel(const char *id);

/* Atom. */
void	 site_xml_text(struct buf *, const char *s);
void	 site_atom_begin(struct buf *, const struct site *, const char *title,
	    const char *self);
void	 site_atom_link(struct buf *, const struct site *, const char *rel);
void	 site_atom_time(struct buf *, const char *el, long long t);

/* The pages, one file each; 0, or -1 after an error message. */
int	 site_render_checkout(struct site *, long long id);
/*
 * The pages of n consecutive head checkouts of a branch, oldest first:
 * each one's results are the next one's previous, and the flip rates of
 * their regressions come from the results seen so far when they hold
 * the whole history that counts.
 */
int	 site_render_chain(struct site *, const long long *ids, size_t n);
int	 site_render_builds_of(struct site *, long long checkout);
int	 site_render_build(struct site *, long long id);
/* The page of test id's key, once per render. */
int	 site_render_test(struct site *, long long id);
int	 site_render_tests_of(struct site *, long long id, size_t part,
	    size_t nparts);
int	 site_render_branch_tests(struct site *, const char *tree,
	    const char *branch);
/*
 * The test pages of a window of a branch's newest checkouts, from
 * checkout from on (whole: from its first), that show a result of a
 * checkout of ids; only the part-th key of every nparts.
 */
int	 site_render_window(struct site *, const char *tree,
	    const char *branch, long long from, int whole,
	    const struct site_ids *ids, size_t part, size_t nparts);
int	 site_render_tree(struct site *, const char *tree, const char *branch);
int	 site_render_feed(struct site *, const char *tree);
/* The Atom entry of checkout c, with its changes cl, into f. */
void	 site_feed_entry(struct buf *f, struct site *,
	    const struct checkout_row *c, const struct site_changelist *cl);
/*
 * Keep checkout c's feed entry in s->entries if a feed shows it;
 * site_render_feed() takes it from there.
 */
void	 site_feed_keep(struct site *, const struct checkout_row *c,
	    const struct site_changelist *cl);
int	 site_render_platform(struct site *, const char *platform);
int	 site_render_platforms(struct site *, char **names, size_t n);
int	 site_render_index(struct site *, const struct site_branch *,
	    size_t n);
/*
 * The pages of the bisections in dirty, and the list of them when one
 * changed, with all, or when it is missing.
 */
int	 site_render_bisections(struct site *, const struct site_gens *dirty,
	    int all);
/*
 * The page of issue id (a known issue or a log signature): what it is,
 * where it occurs.
 */
int	 site_render_issue(struct site *, const char *id);
/* Every issue, with its counts (issues/index.html). */
int	 site_render_issue_index(struct site *);
/* A link to bisection id: "bisection N". */
void	 site_bisect_link(struct buf *, const char *root, long long id);
/*
 * The Atom entries of the newest bisections of tree that ended, into f;
 * *updated is raised to the time the newest ended.
 */
int	 site_bisect_feed(struct site *, const char *tree, struct buf *f,
	    long long *updated);

/* A checkout's results, those of the one before it, what changed. */
struct site_changes {
	struct site_reslist	 builds, tests;
	struct site_reslist	 pbuilds, ptests;	/* the one before */
	struct site_changelist	 cl;
	long long		 prev;			/* 0 for none */
};

int	 site_changes_load(struct site *, const struct checkout_row *,
	    struct site_changes *);
/*
 * The changes of n consecutive head checkouts of a branch, oldest
 * first, each passed to fn (a non-zero result of it stops and is
 * returned) but the first warm: those are read only for the flip rates
 * of the others' regressions (see site_render_chain()).
 */
int	 site_changes_chain(struct site *, const long long *ids, size_t n,
	    size_t warm, int (*fn)(void *, const struct checkout_row *,
	    struct site_changes *), void *arg);
void	 site_changes_release(struct site_changes *);

/* Open regressions. */
struct site_regression {
	char			*tree;
	char			*branch;
	const char		*what;
	struct site_res		 r;
	long long		 since;		/* first failing checkout */
	long long		 since_ref;	/* its build or test there */
	char			*since_describe;
	long long		 since_time;
	long long		 last_pass;
	char			*last_pass_describe;
	double			 flip;
	int			 unstable;
	struct site_knownlist	 known;		/* of the failing result */
};

struct site_reglist {
	struct site_regression	*v;
	size_t			 n;
	size_t			 alloc;
};

/* The open regressions of a branch, from its latest checkout. */
int	 site_open_regressions(struct site *, long long latest,
	    struct site_reglist *);
/* Sort newest first. */
void	 site_regressions_sort(struct site_reglist *);
void	 site_reglist_release(struct site_reglist *);
int	 site_render_regressions(struct site *, const struct site_reglist *);

#endif
