/*
 * submit.h: the submit stage: hand every runnable job to its lab.
 */
#ifndef SUBMIT_H
#define SUBMIT_H

#include <stddef.h>

struct config;
struct db;

struct submit_stats {
	size_t	submitted;
	size_t	waiting;	/* no free slot in their lab */
	size_t	adopted;	/* found running after a crash */
	size_t	failed;
	size_t	cancelled;	/* their config entry is gone, or asked */
};

/* Submit every runnable job whose lab has room.  -1 on a database error. */
int	 submit_stage(const struct config *, struct db *,
	    struct submit_stats *);

#endif
