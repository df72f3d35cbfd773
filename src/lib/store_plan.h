/*
 * store_plan.h: what the jobs stage reads and writes: the checkouts and
 * passed builds still without jobs, and the job rows it makes.  Every
 * SQL statement of it is in store_plan.c.
 */
#ifndef STORE_PLAN_H
#define STORE_PLAN_H

#include <stddef.h>

#include "store_build.h"
#include "store_checkout.h"

struct db;

/*
 * The checkouts whose tarball is done and that have no jobs yet, by id;
 * with only > 0, that checkout alone (jobs or not).  0, or -1 after an
 * error message.  Free with store_checkout_list_free().
 */
int	 store_plan_checkouts(struct db *, long long only,
	    struct checkout_list *out);

/* A passed build waiting for its test jobs, and its checkout. */
struct plan_build {
	struct build_row	 b;
	struct checkout_row	 co;
	char			*kernel_release;	/* or NULL */
};

/*
 * The passed builds without test jobs yet, by id, in *out (a malloc'd
 * array of *n); 0, or -1 after an error message.
 */
int	 store_plan_builds(struct db *, struct plan_build **out, size_t *n);
void	 store_plan_builds_free(struct plan_build *, size_t n);

/* A job row to make. */
struct plan_job {
	const char	*id;
	long long	 checkout_id;
	long long	 build_id;	/* a test job's build */
	const char	*config_name;	/* the build or test entry */
	const char	*platform;	/* a test job's */
	const char	*runtime;	/* the lab */
	const char	*definition;	/* the file */
	long long	 timeout;	/* seconds */
};

/*
 * Insert a kbuild job and its build row (arch, compiler, kconfig)
 * unless the job exists; *made says whether it was new.  0, or -1 after
 * an error message.
 */
int	 store_plan_add_kbuild(struct db *, const struct plan_job *,
	    const char *arch, const char *compiler, const char *kconfig,
	    int *made);
/* Insert a test job unless it exists; the same. */
int	 store_plan_add_test(struct db *, const struct plan_job *,
	    int *made);

/* The checkout, or the build, has its jobs now; 0, or -1. */
int	 store_plan_checkout_done(struct db *, long long checkout_id);
int	 store_plan_build_done(struct db *, long long build_id);

#endif
