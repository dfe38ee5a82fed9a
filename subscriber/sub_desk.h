/*
 * sub_desk: the desktop path of sub_notify, pop-ups through
 * org.freedesktop.Notifications on the user's session bus (sd-bus),
 * made for a duty officer to act on:
 *
 *   - every live critical or high advisory, and every reminder, has a
 *     pop-up of its own, whatever came before; lower ones at most
 *     SUB_DESK_BURST per SUB_DESK_WINDOW seconds, the rest summed up;
 *   - what a catch-up brings is old news: more than SUB_DESK_FEW of it
 *     make one summary pop-up naming the most severe, and none of it
 *     rings (urgency at most normal, "suppress-sound");
 *   - an advisory keeps one pop-up: an update, a cancellation or a
 *     reminder replaces it (Notify's replaces_id), an acknowledgement
 *     closes it, whoever made it (the desk polls sub_desk_ops.acked);
 *   - critical and high pop-ups carry the actions "Show" (the default:
 *     the pop-up turns into the details) and "Acknowledge" (recorded as
 *     the desk's ack_by through sub_desk_ops.ack; without ack_by a
 *     pop-up says the command to run);
 *   - every hint is a command that runs as printed (sub_hint).
 *
 * Calls are asynchronous: the daemon polls sub_desk_fd and calls
 * sub_desk_process and sub_desk_tick; nothing here blocks.
 */
#ifndef SUB_DESK_H
#define SUB_DESK_H

#include "cb_adv.h"
#include "cb_err.h"

#define SUB_DESK_BURST 5   /* live pop-ups below high per window */
#define SUB_DESK_WINDOW 10 /* seconds */
#define SUB_DESK_FEW 3     /* caught up one by one; more: a summary */

/* What brings an advisory to notice: it arrived live (or was caught up
 * moments after it was issued, sub_daemon decides), it came with a
 * catch-up of old news, or it is a reminder. */
enum sub_event { SUB_EVENT_ADVISORY, SUB_EVENT_CATCHUP, SUB_EVENT_REMINDER };

/* What the desk asks of the archive.  ack records an acknowledgement of
 * the advisory's latest revision by by: 0, or -1 with err.  acked says
 * whether revision rev of advisory id (or a later one) is acknowledged:
 * 1 yes, 0 no, -1 cannot tell. */
struct sub_desk_ops {
	int (*ack)(const char *id, const char *by, void *arg,
	    struct cb_err *err);
	int (*acked)(const char *id, unsigned rev, void *arg);
	void *arg;
};

struct sub_desk;

/* Connect to the session bus.  state (for hints) and ack_by (or NULL)
 * are copied.  NULL, with -errno in *error, when there is no bus. */
struct sub_desk *sub_desk_open(const char *state, const char *ack_by,
    int *error);
/* Close the bus (pop-ups stay on screen).  NULL is fine. */
void sub_desk_free(struct sub_desk *d);

/* Record acknowledgements from pop-ups under ack_by from now on (NULL:
 * none configured; copied).  For a reload that keeps the desk, its
 * pop-ups and its bus.  d may be NULL. */
void sub_desk_set_ack_by(struct sub_desk *d, const char *ack_by);
/* ops is copied; without it the actions only log. */
void sub_desk_set_ops(struct sub_desk *d, const struct sub_desk_ops *ops);

/* Show (or hold for a summary) the pop-up of advisory a. */
void sub_desk_advisory(struct sub_desk *d, enum sub_event ev,
    const struct cb_adv *a);
/* The stale-channel alarm raised, or cleared (replacing it); why, when
 * not NULL, is why the channel is silent, with what to do. */
void sub_desk_alarm(struct sub_desk *d, int raised, int stale_after,
    const char *why);

/* The bus descriptor and the poll(2) events it needs; -1 when lost. */
int sub_desk_fd(struct sub_desk *d, short *events);
/* Handle replies and signals (ActionInvoked, NotificationClosed). */
void sub_desk_process(struct sub_desk *d);
/* Summaries due, pop-ups of acknowledged advisories closed, the bus
 * reconnected after a loss. */
void sub_desk_tick(struct sub_desk *d);
/* When sub_desk_tick next has something to do (monotonic ms): connect
 * the bus again, show what a window held back, look for
 * acknowledgements of the pop-ups on screen; -1 when nothing waits. */
int64_t sub_desk_deadline(const struct sub_desk *d);

#endif
