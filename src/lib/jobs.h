/*
 * jobs.h: the jobs stage.  Each checkout with a tarball gets one kbuild
 * job per matching build entry; each passed build gets one test job per
 * matching test entry and platform.  A job is a definition file under
 * <data_dir>/jobs/ and a job row; its id is stable, so making the jobs
 * again never duplicates one.
 */
#ifndef JOBS_H
#define JOBS_H

#include <stddef.h>

struct config;
struct db;

struct jobs_stats {
	size_t	checkouts;
	size_t	builds;		/* kbuild jobs made */
	size_t	tests;		/* test jobs made */
	size_t	failed;
};

/*
 * Make the jobs of every checkout (and passed build) that has none yet.
 * With only_checkout > 0, make them again for that checkout only (jobs
 * that exist are kept).  Returns -1 only on a database error.
 */
int	 jobs_stage(const struct config *, struct db *, long long only_checkout,
	    struct jobs_stats *);

/*
 * The job id of a test on a platform for a build row:
 * "t<build>-<test>.<platform>" (no config name holds a dot, so different
 * tests and platforms never share an id).
 */
char	*jobs_test_id(long long build_id, const char *test,
	    const char *platform);

/* The job id of a build entry on a checkout: "b<checkout>-<build>". */
char	*jobs_kbuild_id(long long checkout_id, const char *build);

#endif
