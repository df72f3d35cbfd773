/*
 * kcidb_submit.h: the files of the kcidb stage, POSTed to a KCIDB REST
 * endpoint and followed until processed.
 */
#ifndef KCIDB_SUBMIT_H
#define KCIDB_SUBMIT_H

struct config;
struct db;
struct kcidb_stats;

/*
 * Submit the files not yet accepted whose next try is due and ask how
 * the accepted ones went.  -1 on a database error, else 0 (a file that
 * failed is counted in stats and tried again later).
 */
int	 kcidb_submit(const struct config *, struct db *,
	    struct kcidb_stats *);

#endif
