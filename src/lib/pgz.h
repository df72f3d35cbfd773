/*
 * pgz.h: gzip in parallel blocks, with libdeflate.
 *
 * The input is cut into blocks of PGZ_BLOCK bytes and each block becomes
 * one gzip member (RFC 1952 allows several in a file; gzip -d, tar,
 * libarchive and Python read them as one stream).  Blocks are compressed
 * by worker threads while the caller goes on writing, and the members
 * are handed to the output function in order, from the caller's thread.
 * The bytes depend only on the input, PGZ_BLOCK, the level and the
 * libdeflate release, never on the number of threads.
 */
#ifndef PGZ_H
#define PGZ_H

#include <stddef.h>

/* Input bytes per member.  Part of the output: changing it changes it. */
#define PGZ_BLOCK	((size_t)1 << 20)

struct pgz;

/*
 * Where compressed bytes go: 0, or -1 with errno set, after which every
 * call fails.  Called only from the thread calling pgz_write() and
 * pgz_close().
 */
typedef int	(*pgz_out_fn)(void *arg, const void *p, size_t n);

/*
 * threads workers (at least 1) at libdeflate's level (1 to 12); NULL with
 * errno set when no thread can be started.
 */
struct pgz	*pgz_new(int threads, int level, pgz_out_fn out, void *arg);
/* Add n bytes; -1 if the output failed (its errno is kept). */
int		 pgz_write(struct pgz *, const void *p, size_t n);
/* Compress what is left and hand out every member; 0 or -1 as above. */
int		 pgz_close(struct pgz *);
/* Stop the workers and free everything (closed or not; NULL is a no-op). */
void		 pgz_free(struct pgz *);

#endif
