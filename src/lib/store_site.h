/*
 * store_site.h: what the site reads from the database, as structs.
 * Every SQL statement of the site is in store_site.c.  Each function
 * returns -1 after an error message naming what it could not read: a
 * failed query is never taken for the end of the data.
 */
#ifndef STORE_SITE_H
#define STORE_SITE_H

#include <stddef.h>

struct db;
struct checkout_row;
struct finding_row;
struct issue_row;

/* Results by status: pass, fail, other (see site_slot()). */
struct site_counts {
	long	b[3];	/* builds */
	long	r[3];	/* boots */
	long	t[3];	/* tests */
};

/* A build or a test, with what matching needs. */
struct site_res {
	long long	 id;
	char		*config;
	char		*arch;
	char		*compiler;	/* builds */
	char		*platform;	/* tests */
	char		*path;		/* tests; "" for builds */
	char		*plan;		/* tests: the job's test plan, or "" */
	char		*status;
	char		*kconfig;
	char		*unit;
	char		*log_url;
	double		 value;
	double		 duration;
	int		 has_value;
};

struct site_reslist {
	struct site_res	*v;
	size_t		 n;
	size_t		 alloc;
};

/* One result of a history: newest first. */
struct site_hist {
	long long	 checkout;
	long long	 ref;		/* test or build id */
	char		*describe;
	char		*plan;		/* tests: the job's test plan, or "" */
	char		*status;
	char		*unit;
	char		*log_url;
	long long	 created;
	double		 value;
	int		 has_value;
};

struct site_histlist {
	struct site_hist	*v;
	size_t			 n;
	size_t			 alloc;
};

struct site_ids {
	long long	*v;
	size_t		 n;
	size_t		 alloc;
};

/* Rows with the generation read: what a render marks when it is done. */
struct site_gen {
	long long	 id;
	long long	 gen;
};

struct site_gens {
	struct site_gen	*v;
	size_t		 n;
	size_t		 alloc;
};

/* A branch and its latest checkout. */
struct site_branch {
	char		*tree;
	char		*branch;
	long long	 latest;
	int		 changed;
	size_t		 heads;		/* its head checkouts */
	size_t		 dirty_heads;	/* of them, to render (site_plan) */
	int		 walk;		/* its test pages in one pass */
};

/* A checkout on a platform's page, with its boots and tests there. */
struct site_platform_row {
	long long	 checkout;
	char		*tree;
	char		*branch;
	char		*describe;
	long long	 created;
	long		 boots[3];
	long		 tests[3];
};

struct site_platform_rows {
	struct site_platform_row	*v;
	size_t				 n;
	size_t				 alloc;
};

/*
 * A known issue a build or a test shows (a present incident of an
 * active issue of kind 'known'), as a page names it beside the result.
 */
struct site_known {
	int		 build;		/* 1: a build, 0: a test */
	long long	 ref;		/* its id */
	char		*id;		/* the issue's */
	char		*title;
	char		*report_url;	/* NULL if none */
};

struct site_knownlist {
	struct site_known	*v;
	size_t			 n;
	size_t			 alloc;
};

/* An incident the triage changed since the last render. */
struct site_incident {
	char		*issue_id;
	int		 build;
	long long	 ref;
	long long	 gen;
	long long	 checkout;	/* of its result */
};

/* An issue whose pages change, with the gen it was read at. */
struct site_issue_gen {
	char		*id;
	long long	 gen;
};

/*
 * What the triage changed since the last render: the incidents, and
 * the issues whose pages change (the issue itself, one of its
 * incidents or the result of one).
 */
struct site_triage {
	struct site_incident	*inc;
	size_t			 ninc;
	size_t			 ainc;
	struct site_issue_gen	*iss;
	size_t			 niss;
	size_t			 aiss;
};

void	 site_reslist_release(struct site_reslist *);
void	 site_histlist_release(struct site_histlist *);
void	 site_res_copy(struct site_res *dst, const struct site_res *src);
void	 site_res_release(struct site_res *);
/* Add id unless it is there already. */
void	 site_ids_add(struct site_ids *, long long id);
void	 site_platform_rows_release(struct site_platform_rows *);
void	 site_knownlist_release(struct site_knownlist *);
/*
 * The known issues of one result in l (sorted as store_site_known_of()
 * sorts), into *n; NULL when there are none.
 */
const struct site_known *site_known_find(const struct site_knownlist *l,
	    int build, long long ref, size_t *n);
/* Sort l as store_site_known_of() does. */
void	 site_knownlist_sort(struct site_knownlist *l);
void	 site_triage_release(struct site_triage *);

/*
 * Checkout id, the columns its pages show (not its message, version or
 * marks): 0, 1 when there is none, -1 on error.
 */
int	 store_site_checkout(struct db *, long long id, struct checkout_row *);
/*
 * The branch head before c on its branch into *prev (0 if none, and
 * always for a checkout that is not a branch head).
 */
int	 store_site_previous(struct db *, const struct checkout_row *c,
	    long long *prev);
/* The builds, boots and tests of a checkout by status. */
int	 store_site_counts(struct db *, long long checkout,
	    struct site_counts *);
/* Builds of a checkout in matching order: config, arch, compiler. */
int	 store_site_builds(struct db *, long long checkout,
	    struct site_reslist *);
/* Boots and tests of a checkout in matching order: path, config, ... */
int	 store_site_tests(struct db *, long long checkout,
	    struct site_reslist *);
/*
 * The results of r on a branch, newest first: at most limit of them (0
 * for all), from checkouts up to and including checkout upto.
 */
int	 store_site_history(struct db *, const char *tree, const char *branch,
	    const struct site_res *r, int is_build, long long upto,
	    size_t limit, struct site_histlist *);
/*
 * Every test key of a branch's head checkouts from checkout from on, in
 * key order, each with its history there (newest first, at most limit
 * results of the n found): fn is called once per key and a non-zero
 * result of it stops the walk and is returned.
 */
int	 store_site_branch_tests(struct db *, const char *tree,
	    const char *branch, long long from, size_t limit,
	    int (*fn)(void *, const struct site_res *,
	    const struct site_histlist *, size_t n), void *arg);
/*
 * Newest branch heads of a branch (of a tree when branch is NULL); the
 * history, branches and next checkout above count only heads too.
 */
int	 store_site_latest(struct db *, const char *tree, const char *branch,
	    size_t limit, struct site_ids *);
/* The newest checkouts of tree that are not branch heads, by id. */
int	 store_site_ondemand(struct db *, const char *tree, size_t limit,
	    struct site_ids *);
/* The builds of a checkout, by id. */
int	 store_site_build_ids(struct db *, long long checkout,
	    struct site_ids *);
/* The checkouts with results on a platform, newest first. */
int	 store_site_platform_rows(struct db *, const char *platform,
	    size_t limit, struct site_platform_rows *);
/* Trees that could not be polled, by name: fn(arg, name, error). */
int	 store_site_tree_errors(struct db *,
	    void (*fn)(void *, const char *, const char *), void *arg);

/*
 * A test by id, with the columns of store_site_tests(), and its
 * checkout: 0, 1 when there is none.
 */
int	 store_site_test(struct db *, long long id, struct site_res *,
	    long long *checkout);
/*
 * The known issues shown by the builds and tests of a checkout, by
 * builds first, then ref, then issue id.
 */
int	 store_site_known_of(struct db *, long long checkout,
	    struct site_knownlist *);
/* Append the known issues of one build or test to l, by issue id. */
int	 store_site_known_result(struct db *, int build, long long ref,
	    struct site_knownlist *l);
/* The time of the newest checkout, 0 when there is none. */
int	 store_site_newest(struct db *, long long *t);

/* What changed since the last render (every checkout with all). */
int	 store_site_dirty(struct db *, int all, struct site_ids *);
/* The checkout after id on its branch into *next (0 if none). */
int	 store_site_next(struct db *, long long id, long long *next);
/* Every branch with its latest checkout, by tree and branch. */
int	 store_site_branches(struct db *, int changed,
	    struct site_branch **, size_t *);
/* Every platform with results, unsorted after those already in v. */
int	 store_site_platforms(struct db *, char ***v, size_t *n,
	    size_t *alloc);
/* 1 when checkout has results on platform, 0 when not, -1 on error. */
int	 store_site_platform_in(struct db *, const char *platform,
	    long long checkout);
/*
 * Bisections changed since the last render (every one with all), with
 * their gen, by id.
 */
int	 store_site_bisect_dirty(struct db *, int all, struct site_gens *);
/*
 * What the triage changed since the last render: incidents and issues
 * (every issue with all, and no incident: a whole render shows them
 * all anyway).
 */
int	 store_site_triage_dirty(struct db *, int all, struct site_triage *);
/*
 * Retention: a checkout is retired when it was found keep_days or more
 * before the newest checkout, and is not the newest head of its branch;
 * none is with keep_days 0.  Into ids, sorted: every retired checkout
 * (which SITE_RETIRED), those whose pages are not stubs yet
 * (SITE_TO_STUB), or the stubs that are retired no more
 * (SITE_TO_UNSTUB).
 */
enum { SITE_RETIRED, SITE_TO_STUB, SITE_TO_UNSTUB };
int	 store_site_retired(struct db *, int keep_days, int which,
	    struct site_ids *);
/* Record which checkouts have stubs for pages now. */
int	 store_site_mark_stubs(struct db *, const struct site_ids *stubbed,
	    const struct site_ids *unstubbed);
/*
 * Record what was rendered: these checkouts, or everything with all,
 * and the bisections, incidents and issues at the gen they were read
 * at (a change made during the render is rendered next time).
 */
int	 store_site_mark_rendered(struct db *, const struct site_ids *,
	    int all, const struct site_gens *bisections,
	    const struct site_triage *);

#endif
