/*
 * sub_notify: how the subscriber tells people.  Every advisory it
 * archives (that the filters let through), every reminder of an
 * unacknowledged critical one, and the stale-channel alarm go down each
 * path that is on:
 *
 *   terminal  one line on stdout ("SEQ SEVERITY ID rREV [STATUS] TITLE";
 *             in colour, and a bell for a critical one that is not
 *             old news, when it is a tty);
 *   desktop   pop-ups a duty officer can act on (sub_desk);
 *   journal   journald (structured fields), or syslog without it;
 *   hook      a program run without a shell: the verified advisory JSON
 *             on stdin, CANHBAO_* in its environment, a time limit, and
 *             a bounded number of retries.
 *
 * Nothing here blocks the daemon: D-Bus calls are asynchronous (the
 * daemon polls sub_notify_fd), hooks run as child processes reaped
 * from sub_notify_tick, their input is a temporary file, not a pipe.
 * Failures are logged and never stop archiving or the other paths.
 */
#ifndef SUB_NOTIFY_H
#define SUB_NOTIFY_H

#include <stddef.h>
#include <stdint.h>

#include "cb_adv.h"
#include "cb_err.h"
#include "sub_config.h"
#include "sub_desk.h"

struct sub_notify;

/* Does the advisory pass the filters (minimum severity, origin,
 * status, audience against the agency's groups, compared folded)?
 * 1 yes; 0 no, with *why naming the filter. */
int sub_filter_match(const struct sub_filter *f, const struct cb_adv *adv,
    const char **why);

/* Set up the paths cfg turns on.  The desktop path stays off, with a
 * log line, when no session bus is reachable.  NULL on error (a filter
 * that does not parse, a hook that is not an executable file). */
struct sub_notify *sub_notify_new(const struct sub_config *cfg,
    struct cb_err *err);
/* Stops hooks still running (logged), closes the bus.  NULL is fine. */
void sub_notify_free(struct sub_notify *n);

/* A reload replaces old by next: next takes over old's desktop side
 * (the bus, the pop-ups on screen and what replaces or closes them, the
 * actions' callbacks) when both notify on the desktop, under next's
 * ack_by, so that a reload loses none of it.  old is freed after. */
void sub_notify_take_desk(struct sub_notify *next, struct sub_notify *old,
    const char *ack_by);

/* An archived advisory, or a reminder of one: json[0..len) is the
 * verified advisory JSON as signed (what the hook gets on stdin).
 * Returns 1 when notified, 0 when a filter held it back. */
int sub_notify_advisory(struct sub_notify *n, enum sub_event ev,
    uint64_t seq, const struct cb_adv *adv, const uint8_t *json, size_t len);

/* The stale-channel alarm raised (no fresh heartbeat for stale_after
 * seconds) or cleared.  Not filtered.  why, when not NULL, says why
 * the channel is silent and what to do (sub_link_why), for the lines;
 * why_local the same in the user's language (sub_link_why_local), for
 * the pop-up. */
void sub_notify_alarm(struct sub_notify *n, int raised, int stale_after,
    const char *why, const char *why_local);

/* What the desktop's actions and its closing of acknowledged pop-ups
 * ask of the archive (sub_desk_ops, copied). */
void sub_notify_set_ops(struct sub_notify *n, const struct sub_desk_ops *ops);

/* The file descriptor to poll (the session bus), and in *events
 * POLLIN/POLLOUT as it needs; -1 when there is none. */
int sub_notify_fd(struct sub_notify *n, short *events);
/* Handle what arrived on that descriptor. */
void sub_notify_process(struct sub_notify *n);
/* Every tick: reap hooks, enforce time limits, start retries and
 * queued runs, and the desktop's (sub_desk_tick). */
void sub_notify_tick(struct sub_notify *n);
/* When sub_notify_tick next has something to do (monotonic ms): every
 * SUB_NOTIFY_HOOK_POLL_MS while hooks run or wait, and the desktop's
 * deadlines; -1 when nothing waits. */
#define SUB_NOTIFY_HOOK_POLL_MS 250
int64_t sub_notify_deadline(const struct sub_notify *n);

/* Runs in progress or waiting (tests, shutdown). */
size_t sub_notify_hooks_pending(const struct sub_notify *n);

#endif
