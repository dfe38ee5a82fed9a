/* sub_pool: a second thread for a batch's checks (see sub_pool.h). */
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cb_mem.h"
#include "sub_pool.h"

struct sub_pool {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake, done;
	void (*fn)(size_t, void *); /* the run in progress */
	void *arg;
	size_t n, next;             /* items, and the next one to take */
	int offered;                /* the run waits for the thread to join */
	int helping;                /* the thread works on the run */
	int running;                /* started, not yet finished */
	int quit;
};

/* The next item of the run, or n when none is left (lock held). */
static size_t
take(struct sub_pool *p)
{
	return p->next < p->n ? p->next++ : p->n;
}

/* Take items one at a time until none is left. */
static void
work(struct sub_pool *p, void (*fn)(size_t, void *), void *arg)
{
	size_t i;

	for (;;) {
		pthread_mutex_lock(&p->lock);
		i = take(p);
		pthread_mutex_unlock(&p->lock);
		if (i == p->n)
			return;
		fn(i, arg);
	}
}

static void *
helper(void *arg)
{
	struct sub_pool *p = arg;
	void (*fn)(size_t, void *);
	void *fnarg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		while (!p->quit && !p->offered)
			pthread_cond_wait(&p->wake, &p->lock);
		if (p->quit)
			break;
		p->offered = 0;
		p->helping = 1;
		fn = p->fn;
		fnarg = p->arg;
		pthread_mutex_unlock(&p->lock);
		work(p, fn, fnarg);
		pthread_mutex_lock(&p->lock);
		p->helping = 0;
		pthread_cond_signal(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

struct sub_pool *
sub_pool_new(struct cb_err *err)
{
	struct sub_pool *p = cb_xcalloc(1, sizeof(*p));
	sigset_t all, old;
	int rc;

	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->wake, NULL);
	pthread_cond_init(&p->done, NULL);
	/* Signals stay with the main thread, whose poll they interrupt. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&p->thread, NULL, helper, p);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		cb_err_set(err, "cannot start the verifying thread: %s",
		    strerror(rc));
		pthread_cond_destroy(&p->done);
		pthread_cond_destroy(&p->wake);
		pthread_mutex_destroy(&p->lock);
		free(p);
		return NULL;
	}
	return p;
}

void
sub_pool_free(struct sub_pool *p)
{
	if (p == NULL)
		return;
	pthread_mutex_lock(&p->lock);
	p->quit = 1;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	pthread_cond_destroy(&p->done);
	pthread_cond_destroy(&p->wake);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

void
sub_pool_start(struct sub_pool *p, size_t n, void (*fn)(size_t, void *),
    void *arg)
{
	size_t i;

	if (p == NULL || n < 2) {
		for (i = 0; i < n; i++)
			fn(i, arg);
		return;
	}
	pthread_mutex_lock(&p->lock);
	p->fn = fn;
	p->arg = arg;
	p->n = n;
	p->next = 0;
	p->offered = 1;
	p->running = 1;
	pthread_cond_signal(&p->wake);
	pthread_mutex_unlock(&p->lock);
}

void
sub_pool_finish(struct sub_pool *p)
{
	if (p == NULL || !p->running)
		return;
	work(p, p->fn, p->arg);
	pthread_mutex_lock(&p->lock);
	p->offered = 0; /* a thread that did not join must not join late */
	while (p->helping)
		pthread_cond_wait(&p->done, &p->lock);
	p->running = 0;
	pthread_mutex_unlock(&p->lock);
}

void
sub_pool_run(struct sub_pool *p, size_t n, void (*fn)(size_t, void *),
    void *arg)
{
	sub_pool_start(p, n, fn, arg);
	sub_pool_finish(p);
}
