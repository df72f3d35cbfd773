/*
 * triage.h: issues and incidents brought up to date.  The config's known
 * issues are kept in the issue table (a new or changed rule gets a new
 * version and is applied to every failing result already recorded; a
 * rule gone leaves its incidents not present).  Each build and test job
 * whose results changed has its log read once: its findings (logsig.h)
 * are kept, each distinct signature is an issue of its own, and its
 * failing results are matched against the known issues.
 */
#ifndef TRIAGE_H
#define TRIAGE_H

#include <stddef.h>

struct config;
struct db;

struct triage_stats {
	size_t	results;	/* builds and tests looked at */
	size_t	findings;	/* found in their logs */
	size_t	signatures;	/* new signature issues */
	size_t	incidents;	/* incidents made or changed */
	size_t	rules;		/* known issues new, changed or gone */
};

/* 0, or -1 after an error message (what was done so far is kept). */
int	 triage_run(const struct config *, struct db *,
	    struct triage_stats *);

#endif
