/*
 * cb_hook: running a program the operator configured (on_advisory,
 * on_report) for an event, without a shell and without ever blocking
 * the daemon.  The program runs alone in argv, in its own process group,
 * with the event as JSON on stdin and CANHBAO_* variables in its
 * environment; a run that outlives the timeout is killed; a failed run
 * is tried again with a growing delay, a bounded number of times; a
 * bounded number run at once and wait in the queue.  The daemon calls
 * cb_hook_tick from its loop to reap and start runs.
 */
#ifndef CB_HOOK_H
#define CB_HOOK_H

#include <stddef.h>

#include "cb_err.h"

#define CB_HOOK_PARALLEL 4  /* runs at once */
#define CB_HOOK_QUEUE 256   /* runs waiting, at most */
#define CB_HOOK_ENV_MAX 12  /* CANHBAO_* variables per run */

struct cb_hook;
struct cb_hook_job;

/* program must be an executable regular file.  what names the hook in
 * log lines ("on_report").  NULL with err when it is not usable. */
struct cb_hook *cb_hook_new(const char *what, const char *program,
    int timeout_s, int retries, struct cb_err *err);
/* Kills runs still going and frees everything; NULL is fine. */
void cb_hook_free(struct cb_hook *h);

/* A run to be: label for the log, the bytes for stdin (copied). */
struct cb_hook_job *cb_hook_job_new(const char *label, const void *input,
    size_t len);
/* Add NAME=value to its environment (value may be NULL: empty). */
void cb_hook_job_env(struct cb_hook_job *j, const char *name,
    const char *value);
/* Queue it (h takes it; dropped with a log line when the queue is
 * full) and start it when a slot is free. */
void cb_hook_submit(struct cb_hook *h, struct cb_hook_job *j);

/* Reap finished runs, kill late ones, start waiting ones. */
void cb_hook_tick(struct cb_hook *h);

/* Runs waiting or going. */
size_t cb_hook_busy(const struct cb_hook *h);

#endif
