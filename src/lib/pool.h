/*
 * pool.h: worker threads for work that splits into items (the pages of
 * the site, the chunks of a KCIDB export).  Each thread has a context of
 * its own (a database connection, counters); items go in on one side
 * and come back, done, on the other, for the calling thread to record.
 */
#ifndef POOL_H
#define POOL_H

#include <stddef.h>

struct pool;

struct pool_ops {
	/* A thread's context (arg is pool_start's); NULL on failure. */
	void	*(*open)(void *arg, size_t thread);
	/* Free a context; NULL-safe. */
	void	 (*close)(void *ctx);
	/* Do one item: 0, or -1 (after a message) to stop the pool. */
	int	 (*run)(void *ctx, void *item);
};

/*
 * Start threads (at least 1, at most the processors and
 * POOL_MAX_THREADS; 0 means as many as there are processors).  At most
 * max_queued items wait (0: no bound).  NULL after an error message.
 */
#define POOL_MAX_THREADS	16
struct pool	*pool_start(const struct pool_ops *, void *arg,
		    size_t threads, size_t max_queued);
/* The number of threads working. */
size_t		 pool_threads(const struct pool *);
/*
 * Hand over an item, waiting while max_queued wait; -1 once an item has
 * failed (the item is not taken).
 */
int		 pool_put(struct pool *, void *item);
/*
 * A finished item, in the order they finished; with wait, waits for one
 * while any is queued or running.  NULL when there is none.
 */
void		*pool_take(struct pool *, int wait);
/* Items handed over and not yet taken back. */
size_t		 pool_pending(const struct pool *);
/*
 * Wait until every item is done, stop the threads and free the pool
 * (finished items not taken are lost: take them first).  -1 if an item
 * failed or a context could not be opened.
 */
int		 pool_finish(struct pool *);

#endif
