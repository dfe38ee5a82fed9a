/*
 * sub_pool: a second thread for the work of a batch that can be done
 * side by side, the signature checks (cb_recv).  With group commit the
 * subscriber spent half its time verifying; on a machine with two
 * cores the pool's thread takes half of that.
 *
 * sub_pool_run(p, n, fn, arg) calls fn(i, arg) once for every i in
 * [0, n), on the calling thread and on the pool's, and returns when all
 * are done; sub_pool_start and sub_pool_finish split it, so that the
 * caller archives what was verified while the pool's thread verifies
 * what came next.  fn must be safe to run for different i at the same time
 * (it touches only item i and what nobody writes meanwhile).  Between
 * runs the thread sleeps on a condition variable: it never wakes an
 * idle daemon.
 */
#ifndef SUB_POOL_H
#define SUB_POOL_H

#include <stddef.h>

#include "cb_err.h"

struct sub_pool;

/* Start the thread.  NULL with err set when it cannot start (the caller
 * can go on without: sub_pool_run(NULL, ...) runs everything on the
 * calling thread). */
struct sub_pool *sub_pool_new(struct cb_err *err);
/* Stop and join the thread; NULL is fine. */
void sub_pool_free(struct sub_pool *p);

/* Call fn(i, arg) for i in [0, n), shared between the two threads; a
 * run of fewer than two stays on the calling thread. */
void sub_pool_run(struct sub_pool *p, size_t n, void (*fn)(size_t, void *),
    void *arg);

/* The same in two halves: sub_pool_start hands the run to the pool's
 * thread and returns at once, so that the caller can do something else
 * meanwhile (what arg points to stays untouched by it); sub_pool_finish
 * joins in and returns when every item is done.  A run of fewer than
 * two, or without a pool, is done within sub_pool_start.  One run at a
 * time. */
void sub_pool_start(struct sub_pool *p, size_t n, void (*fn)(size_t, void *),
    void *arg);
void sub_pool_finish(struct sub_pool *p);

#endif
