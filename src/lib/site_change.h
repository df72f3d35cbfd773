/*
 * site_change.h: what changed between two checkouts of a branch, and
 * how stable a result is.  Pure functions over the results that
 * store_site.h loads: no database, no output.
 */
#ifndef SITE_CHANGE_H
#define SITE_CHANGE_H

#include <stddef.h>

struct buf;

#include "store_site.h"

#define FLAKY_RUNS	20	/* results the flip rate looks at */
#define FLAKY_RATE	0.3	/* from here on, a test is unstable */
#define FLAKY_MIN_RUNS	4	/* fewer results are never unstable */

/* The kinds of change, in the order a page lists them. */
enum site_change_kind {
	CHANGE_NONE = -1,
	CHANGE_REGRESSION,	/* PASS, then FAIL */
	CHANGE_UNSTABLE,	/* a regression of a result that flips */
	CHANGE_NEW_FAILURE,	/* new, and FAIL */
	CHANGE_FIXED,		/* FAIL, then PASS */
	CHANGE_STILL_FAILING,	/* FAIL, then FAIL */
	CHANGE_NEW_PASS,	/* new, and PASS */
	CHANGE_APPEARED,	/* new, neither PASS nor FAIL */
	CHANGE_DISAPPEARED,	/* gone */
	CHANGE_KINDS
};

/* Status slots of struct site_counts. */
enum site_slot {
	SLOT_PASS,
	SLOT_FAIL,
	SLOT_OTHER
};

struct site_change {
	enum site_change_kind	 kind;
	const char		*what;	/* build, boot, test */
	const struct site_res	*now;	/* NULL when it disappeared */
	const struct site_res	*before; /* NULL when it is new */
	double			 flip;
};

struct site_changelist {
	struct site_change	*v;
	size_t			 n;
	size_t			 alloc;
};

/* The name of a kind, as pages show it: "regression", "new pass"... */
const char	*site_change_name(enum site_change_kind);
/* True for the kinds a feed reports: regressions, stable or not. */
int		 site_change_is_regression(enum site_change_kind);
/* The change from before to now (either NULL when there is none). */
enum site_change_kind	 site_change_kind(const struct site_res *before,
		    const struct site_res *now);
/* The slot of a status: pass, fail or anything else. */
enum site_slot	 site_slot(const char *status);
/* Builds, boots and tests in a slot, together. */
long		 site_counts_all(const struct site_counts *, enum site_slot);
/* "build", "boot" or "test". */
const char	*site_what(const struct site_res *, int build);
/* The matching order of results: path, config, arch, compiler, platform. */
int		 site_res_cmp(const struct site_res *, const struct site_res *);
/* A result's name on a page, into b (reset first); b's text. */
const char	*site_res_name(const struct site_res *, const char *what,
		    struct buf *b);

/*
 * The changes from the results before to those now (both in matching
 * order), appended to out; builds tells builds from tests.  A
 * regression is not yet told from an unstable one: see
 * site_change_flip().
 */
void	 site_diff(const struct site_reslist *now,
	    const struct site_reslist *before, int builds,
	    struct site_changelist *out);
/* A regression with the history h of its result: unstable if it flips. */
void	 site_change_flip(struct site_change *, const struct site_histlist *h);
/* Sort changes by kind. */
void	 site_changes_sort(struct site_changelist *);

/* The flip rate of the newest FLAKY_RUNS results of h. */
double	 site_flakiness(const struct site_histlist *h);
/* Whether a flip rate over runs results makes a result unstable. */
int	 site_is_unstable(double rate, size_t runs);
/*
 * The current failing streak of h: its oldest failure since the
 * newest pass, and that pass (NULL when there is none).
 */
void	 site_streak(const struct site_histlist *h,
	    const struct site_hist **first_fail,
	    const struct site_hist **last_pass);

/*
 * What a result is called on a page: its path, and for a boot its test
 * plan, "boot (baseline)", so two boots of one build on one platform
 * are told apart.  Into b, which it returns the text of.
 */
const char	*site_res_label(const char *path, const char *plan,
		    struct buf *b);

#endif
