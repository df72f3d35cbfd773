/*
 * pool.c: worker threads with contexts of their own.
 */
#include <pthread.h>

#include "log.h"
#include "pool.h"
#include "util.h"

struct node {
	void		*item;
	struct node	*next;
};

struct fifo {
	struct node	*head, *tail;
	size_t		 n;
};

struct pool {
	const struct pool_ops	*ops;
	void			*arg;
	pthread_t		 th[POOL_MAX_THREADS];
	size_t			 nthreads;
	size_t			 max_queued;
	pthread_mutex_t		 lock;
	pthread_cond_t		 work;		/* an item to do, or stop */
	pthread_cond_t		 room;		/* room in the queue */
	pthread_cond_t		 done;		/* an item done, or a thread gone */
	struct fifo		 todo;
	struct fifo		 finished;
	size_t			 running;
	size_t			 alive;
	int			 failed;
	int			 stop;
};

struct start {
	struct pool	*pool;
	size_t		 index;
};

static void
fifo_push(struct fifo *f, void *item)
{
	struct node *n;

	n = xmalloc(sizeof(*n));
	n->item = item;
	n->next = NULL;
	if (f->tail != NULL)
		f->tail->next = n;
	else
		f->head = n;
	f->tail = n;
	f->n++;
}

static void *
fifo_pop(struct fifo *f)
{
	struct node *n;
	void *item;

	n = f->head;
	if (n == NULL)
		return NULL;
	f->head = n->next;
	if (f->head == NULL)
		f->tail = NULL;
	f->n--;
	item = n->item;
	free(n);
	return item;
}

static void *
worker(void *arg)
{
	struct start *s = arg;
	struct pool *p = s->pool;
	void *ctx, *item;
	int rc;

	ctx = p->ops->open != NULL ? p->ops->open(p->arg, s->index) : NULL;
	free(s);
	pthread_mutex_lock(&p->lock);
	if (p->ops->open != NULL && ctx == NULL)
		p->failed = 1;
	while (!p->failed || p->todo.n > 0) {
		while (p->todo.n == 0 && !p->stop)
			pthread_cond_wait(&p->work, &p->lock);
		if (p->todo.n == 0)
			break;
		item = fifo_pop(&p->todo);
		pthread_cond_broadcast(&p->room);
		if (p->failed) {
			/* give it back undone: the caller frees what it made */
			fifo_push(&p->finished, item);
			pthread_cond_broadcast(&p->done);
			continue;
		}
		p->running++;
		pthread_mutex_unlock(&p->lock);
		rc = p->ops->run(ctx, item);
		pthread_mutex_lock(&p->lock);
		p->running--;
		if (rc != 0)
			p->failed = 1;
		fifo_push(&p->finished, item);
		pthread_cond_broadcast(&p->done);
	}
	p->alive--;
	pthread_cond_broadcast(&p->done);
	pthread_cond_broadcast(&p->room);
	pthread_mutex_unlock(&p->lock);
	if (p->ops->close != NULL)
		p->ops->close(ctx);
	return NULL;
}

struct pool *
pool_start(const struct pool_ops *ops, void *arg, size_t threads,
    size_t max_queued)
{
	struct start *s;
	struct pool *p;
	long ncpu;
	size_t i;

	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (threads == 0)
		threads = ncpu < 1 ? 1 : (size_t)ncpu;
	if (threads > POOL_MAX_THREADS)
		threads = POOL_MAX_THREADS;
	p = xcalloc(1, sizeof(*p));
	p->ops = ops;
	p->arg = arg;
	p->max_queued = max_queued;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->room, NULL);
	pthread_cond_init(&p->done, NULL);
	for (i = 0; i < threads; i++) {
		s = xmalloc(sizeof(*s));
		s->pool = p;
		s->index = i;
		pthread_mutex_lock(&p->lock);
		p->alive++;
		pthread_mutex_unlock(&p->lock);
		if (pthread_create(&p->th[i], NULL, worker, s) != 0) {
			pthread_mutex_lock(&p->lock);
			p->alive--;
			pthread_mutex_unlock(&p->lock);
			free(s);
			break;
		}
	}
	p->nthreads = i;
	if (i == 0) {
		error("cannot start a thread: %s", strerror(errno));
		pool_finish(p);
		return NULL;
	}
	return p;
}

size_t
pool_threads(const struct pool *p)
{
	return p->nthreads;
}

int
pool_put(struct pool *p, void *item)
{
	pthread_mutex_lock(&p->lock);
	while (!p->failed && p->alive > 0 && p->max_queued > 0 &&
	    p->todo.n >= p->max_queued)
		pthread_cond_wait(&p->room, &p->lock);
	if (p->failed || p->alive == 0) {
		p->failed = 1;
		pthread_mutex_unlock(&p->lock);
		return -1;
	}
	fifo_push(&p->todo, item);
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void *
pool_take(struct pool *p, int wait)
{
	void *item;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		item = fifo_pop(&p->finished);
		if (item != NULL || !wait)
			break;
		if (p->alive == 0) {
			/* nobody left to do them: they come back undone */
			item = fifo_pop(&p->todo);
			break;
		}
		if (p->todo.n == 0 && p->running == 0)
			break;
		pthread_cond_wait(&p->done, &p->lock);
	}
	pthread_mutex_unlock(&p->lock);
	return item;
}

size_t
pool_pending(const struct pool *p)
{
	size_t n;

	pthread_mutex_lock((pthread_mutex_t *)&p->lock);
	n = p->todo.n + p->running + p->finished.n;
	pthread_mutex_unlock((pthread_mutex_t *)&p->lock);
	return n;
}

int
pool_finish(struct pool *p)
{
	size_t i;
	int rc;

	pthread_mutex_lock(&p->lock);
	p->stop = 1;
	pthread_cond_broadcast(&p->work);
	pthread_mutex_unlock(&p->lock);
	for (i = 0; i < p->nthreads; i++)
		pthread_join(p->th[i], NULL);
	rc = p->failed ? -1 : 0;
	while (fifo_pop(&p->todo) != NULL)
		;
	while (fifo_pop(&p->finished) != NULL)
		;
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->room);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->lock);
	free(p);
	return rc;
}
