/*
 * pgz.c: gzip in parallel blocks.
 *
 * A ring of slots, each an input block and room for its member.  The
 * caller fills the slot at head; workers take full slots in order and
 * compress them; the caller writes finished slots out at tail, in
 * order, before it fills them again.  Only the caller touches the
 * output, so the output function needs no lock.
 */
#include <errno.h>
#include <libdeflate.h>
#include <pthread.h>

#include "pgz.h"
#include "util.h"

enum { FREE, FULL, BUSY, DONE };

struct slot {
	unsigned char	*in;
	size_t		 in_len;
	unsigned char	*out;
	size_t		 out_len;
	int		 state;
};

struct pgz {
	pthread_mutex_t	 mu;
	pthread_cond_t	 work;		/* a slot is full, or stop */
	pthread_cond_t	 done;		/* a slot is compressed */
	struct slot	*slot;
	size_t		 nslot;
	size_t		 out_cap;	/* room for one member */
	unsigned long long head;	/* next slot to fill */
	unsigned long long next;	/* next slot a worker takes */
	unsigned long long tail;	/* next slot to write out */
	size_t		 fill;		/* bytes in the slot at head */
	pthread_t	*thr;
	int		 nthr;
	int		 level;
	int		 stop;
	int		 err;		/* the output's errno, once failed */
	pgz_out_fn	 out;
	void		*arg;
};

static void *
worker(void *arg)
{
	struct pgz *z = arg;
	struct libdeflate_compressor *c;
	struct slot *s;

	c = libdeflate_alloc_compressor(z->level);
	if (c == NULL)
		die_oom();
	pthread_mutex_lock(&z->mu);
	for (;;) {
		while (!z->stop && z->next == z->head)
			pthread_cond_wait(&z->work, &z->mu);
		if (z->next == z->head)
			break;
		s = &z->slot[z->next++ % z->nslot];
		s->state = BUSY;
		pthread_mutex_unlock(&z->mu);
		s->out_len = libdeflate_gzip_compress(c, s->in, s->in_len,
		    s->out, z->out_cap);
		/* 0 (no room within libdeflate's own bound) cannot happen;
		 * drain_one() fails the output if it does */
		pthread_mutex_lock(&z->mu);
		s->state = DONE;
		pthread_cond_broadcast(&z->done);
	}
	pthread_mutex_unlock(&z->mu);
	libdeflate_free_compressor(c);
	return NULL;
}

struct pgz *
pgz_new(int threads, int level, pgz_out_fn out, void *arg)
{
	struct libdeflate_compressor *c;
	struct pgz *z;
	size_t i;
	int rc;

	z = xcalloc(1, sizeof(*z));
	z->nthr = threads < 1 ? 1 : threads;
	z->level = level;
	z->out = out;
	z->arg = arg;
	/* two blocks per worker: one being compressed, one waiting */
	z->nslot = 2 * (size_t)z->nthr + 1;
	if ((c = libdeflate_alloc_compressor(level)) == NULL)
		die_oom();
	z->out_cap = libdeflate_gzip_compress_bound(c, PGZ_BLOCK);
	libdeflate_free_compressor(c);
	z->slot = xcalloc(z->nslot, sizeof(*z->slot));
	for (i = 0; i < z->nslot; i++) {
		z->slot[i].in = xmalloc(PGZ_BLOCK);
		z->slot[i].out = xmalloc(z->out_cap);
	}
	pthread_mutex_init(&z->mu, NULL);
	pthread_cond_init(&z->work, NULL);
	pthread_cond_init(&z->done, NULL);
	z->thr = xcalloc((size_t)z->nthr, sizeof(*z->thr));
	rc = 0;
	for (i = 0; i < (size_t)z->nthr; i++) {
		if ((rc = pthread_create(&z->thr[i], NULL, worker, z)) != 0) {
			/* fewer workers give the same bytes, only slower */
			z->nthr = (int)i;
			break;
		}
	}
	if (z->nthr == 0) {
		pgz_free(z);
		errno = rc;
		return NULL;
	}
	return z;
}

/* Write out the slot at tail, waiting for it if wait; 1 if written. */
static int
drain_one(struct pgz *z, int wait)
{
	struct slot *s;

	if (z->tail == z->head)
		return 0;
	s = &z->slot[z->tail % z->nslot];
	pthread_mutex_lock(&z->mu);
	while (wait && s->state != DONE)
		pthread_cond_wait(&z->done, &z->mu);
	if (s->state != DONE) {
		pthread_mutex_unlock(&z->mu);
		return 0;
	}
	pthread_mutex_unlock(&z->mu);
	if (z->err == 0 && s->out_len == 0)
		z->err = EIO;
	if (z->err == 0 && z->out(z->arg, s->out, s->out_len) != 0)
		z->err = errno != 0 ? errno : EIO;
	s->state = FREE;
	z->tail++;
	return 1;
}

/* Hand the slot at head to the workers. */
static void
submit(struct pgz *z)
{
	pthread_mutex_lock(&z->mu);
	z->slot[z->head % z->nslot].in_len = z->fill;
	z->slot[z->head % z->nslot].state = FULL;
	z->head++;
	z->fill = 0;
	pthread_cond_signal(&z->work);
	pthread_mutex_unlock(&z->mu);
	/* write what is ready, so the file grows as the input comes */
	while (drain_one(z, 0))
		;
}

int
pgz_write(struct pgz *z, const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t k;

	while (n > 0 && z->err == 0) {
		/* the slot at head is still to be written out: wait */
		if (z->fill == 0 && z->head - z->tail == z->nslot)
			drain_one(z, 1);
		k = PGZ_BLOCK - z->fill;
		if (k > n)
			k = n;
		memcpy(z->slot[z->head % z->nslot].in + z->fill, b, k);
		z->fill += k;
		b += k;
		n -= k;
		if (z->fill == PGZ_BLOCK)
			submit(z);
	}
	if (z->err != 0) {
		errno = z->err;
		return -1;
	}
	return 0;
}

int
pgz_close(struct pgz *z)
{
	/* an empty input is still one (empty) member */
	if (z->err == 0 && (z->fill > 0 || z->head == 0)) {
		if (z->head - z->tail == z->nslot)
			drain_one(z, 1);
		submit(z);
	}
	while (z->tail != z->head)
		drain_one(z, 1);
	if (z->err != 0) {
		errno = z->err;
		return -1;
	}
	return 0;
}

void
pgz_free(struct pgz *z)
{
	size_t i;

	if (z == NULL)
		return;
	pthread_mutex_lock(&z->mu);
	z->stop = 1;
	/* slots not yet taken are not compressed */
	z->head = z->next;
	pthread_cond_broadcast(&z->work);
	pthread_mutex_unlock(&z->mu);
	for (i = 0; i < (size_t)z->nthr; i++)
		pthread_join(z->thr[i], NULL);
	for (i = 0; i < z->nslot; i++) {
		free(z->slot[i].in);
		free(z->slot[i].out);
	}
	pthread_cond_destroy(&z->work);
	pthread_cond_destroy(&z->done);
	pthread_mutex_destroy(&z->mu);
	free(z->slot);
	free(z->thr);
	free(z);
}
