/*
 * bisect.h: the bisect stage.  New regressions between a branch's heads
 * start bisections; each run advances every active one by the steps that
 * have finished: confirm (good and bad again), steps as git bisect picks
 * them, then verify (the culprit's parents good, the culprit bad) and
 * the culprit reverted on top of bad.  Every step is a checkout of kind
 * 'bisect', built and tested by the normal stages.
 */
#ifndef BISECT_H
#define BISECT_H

struct config;
struct db;

struct bisect_stats {
	long	started;	/* new bisections */
	long	queued;		/* waiting for a slot */
	long	steps;		/* step checkouts made */
	long	finished;	/* ended this run */
	long	failed;		/* could not be advanced (named) */
};

/*
 * Look for new regressions, start bisections, advance the active ones.
 * 0, 1 when some bisection could not be advanced (the rest is
 * committed), -1 on a database error.
 */
int	 bisect_stage(const struct config *, struct db *,
	    struct bisect_stats *);

/*
 * `maestrino bisect start TREE GOOD BAD --build NAME [--test NAME
 * --platform NAME]`: record a bisection by hand (argv[0] is "start").
 * Exit code: 0, 1 when something named is not there, 2 usage, config
 * or database.
 */
int	 bisect_start_main(int argc, char **argv, const char *confdir);

#endif
