/*
 * store_bisect.h: the bisection, bisection_step and bisection_result
 * tables.  Every SQL statement about bisections is in store_bisect.c;
 * each function returns -1 after an error message naming what it could
 * not read or write.
 */
#ifndef STORE_BISECT_H
#define STORE_BISECT_H

#include <stddef.h>

struct db;

/* Where a bisection is. */
#define BISECT_QUEUED	"queued"	/* waits for a free slot */
#define BISECT_CONFIRM	"confirm"	/* good and bad tested again */
#define BISECT_BISECT	"bisect"	/* a step at a time */
#define BISECT_VERIFY	"verify"	/* culprit, its parents, the revert */
#define BISECT_DONE	"done"		/* outcome and reason set */

/* How it ended. */
#define BISECT_FOUND		"found"		/* found, verified, revert passes */
#define BISECT_REVERT_FAILS	"revert-fails"	/* found, revert fails too */
#define BISECT_NOT_REPRO	"not-reproducible"
#define BISECT_GAVE_UP		"gave-up"	/* too many steps or skips */

/* What a step is for. */
#define STEP_CONFIRM_GOOD	"confirm-good"
#define STEP_CONFIRM_BAD	"confirm-bad"
#define STEP_STEP		"step"
#define STEP_VERIFY_PARENT	"verify-parent"
#define STEP_VERIFY_CULPRIT	"verify-culprit"
#define STEP_REVERT		"revert"

struct bisection_row {
	long long	 id;
	char		*tree;
	char		*branch;
	char		*build;		/* builds: entry */
	char		*test;		/* tests: entry; "" for a build */
	char		*platform;	/* "" for a build */
	char		*path;		/* test path; "" for a build */
	long long	 good_checkout;	/* 0 when started by hand */
	long long	 bad_checkout;
	char		*good;		/* full commit ids */
	char		*bad;
	char		*state;
	char		*outcome;	/* NULL until done */
	char		*reason;
	char		*culprit;	/* NULL until found */
	/* the checks: NULL (not reached), "pending", "pass", "fail";
	 * revert may also be "conflict" */
	char		*confirm;
	char		*verify;
	char		*revert;
	int		 repeat;
	int		 manual;
	long long	 created;
	long long	 updated;
	long long	 finished;	/* 0 until done */
	long long	 gen;
};

struct bisection_step_row {
	long long	 id;
	long long	 bisection;
	int		 n;		/* 1, 2, ... in the order made */
	char		*role;		/* STEP_* */
	char		*commit;
	long long	 left;		/* candidates when picked; 0 unknown */
	long long	 checkout;	/* 0 until its checkout is recorded */
	char		*result;	/* good, bad, skip; NULL while running */
	char		*detail;
	long long	 created;
	long long	 finished;
};

/* A result the bisection is about: a build or a test of the bad checkout. */
struct bisection_result_row {
	char		*kind;		/* "build" or "test" */
	long long	 ref;
};

void	 store_bisect_release(struct bisection_row *);
void	 store_bisect_list_free(struct bisection_row *, size_t);
void	 store_bisect_steps_free(struct bisection_step_row *, size_t);
void	 store_bisect_results_free(struct bisection_result_row *, size_t);

/* Bisection id: 0, 1 when there is none. */
int	 store_bisect_get(struct db *, long long id, struct bisection_row *);
/*
 * Bisections, newest first; with tree set, of that tree only; with
 * active, only those not done.
 */
int	 store_bisect_list(struct db *, const char *tree, int active,
	    struct bisection_row **out, size_t *n);
/* The bisections a checkout is the bad one of, or a step of. */
int	 store_bisect_of_checkout(struct db *, long long checkout,
	    struct bisection_row **out, size_t *n);
/* Its steps, in order. */
int	 store_bisect_steps(struct db *, long long bisection,
	    struct bisection_step_row **out, size_t *n);
/* Its results (builds and tests of the bad checkout), in order. */
int	 store_bisect_results(struct db *, long long bisection,
	    struct bisection_result_row **out, size_t *n);
/* The bisection covering a build or test ("build"/"test"), or 0. */
int	 store_bisect_of_result(struct db *, const char *kind, long long ref,
	    long long *bisection);

/* ---- writing; each in the caller's transaction ---- */

/* Insert b (id, gen and times aside) into b->id. */
int	 store_bisect_add(struct db *, struct bisection_row *b);
/* Add a result to a bisection: 1 when it is in one already. */
int	 store_bisect_add_result(struct db *, long long bisection,
	    const char *kind, long long ref);
/*
 * Set a bisection's state, checks, culprit, outcome and reason from b
 * (NULL fields are stored as NULL), bumping its gen.
 */
int	 store_bisect_update(struct db *, const struct bisection_row *b);
/* Add the next step (its n is the next free one) into *id. */
int	 store_bisect_add_step(struct db *, long long bisection,
	    const char *role, const char *commit, long long left,
	    long long *id);
/* A step's verdict. */
int	 store_bisect_step_result(struct db *, long long step,
	    const char *result, const char *detail);
/* Link a step to the checkout made for it. */
int	 store_bisect_step_checkout(struct db *, long long step,
	    long long checkout);

/* ---- what the stage reads ---- */

/*
 * Head checkouts not yet looked at for regressions (bisect_scanned 0),
 * oldest first.
 */
int	 store_bisect_unscanned(struct db *, long long **ids, size_t *n);
/* Mark a checkout as looked at for good. */
int	 store_bisect_scanned(struct db *, long long checkout);
/*
 * Whether a checkout is finished: its tarball made or given up, its
 * matrix made, every job done, and, when tests are configured and the
 * checkout runs them, the tests of every passed build made.
 */
int	 store_bisect_checkout_done(struct db *, long long checkout,
	    int tests, int *done);
/* How many bisections are neither queued nor done. */
int	 store_bisect_running(struct db *, long long *n);
/* The bisection of bad_checkout, build and platform, or 0. */
int	 store_bisect_find(struct db *, long long bad_checkout,
	    const char *build, const char *platform, long long *id);

#endif
