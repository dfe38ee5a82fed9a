/*
 * cb_catchup: the receiving side of the requests channel (a subscriber's, or a relay's upstream): a DEALER
 * that asks the publisher (or a relay) for every message after the last
 * one archived, one batch at a time, and hands back what comes.  One
 * request is outstanding at most; it is asked again after
 * CB_CATCHUP_TIMEOUT_MS without an answer.
 *
 * A batch after which nothing more could be archived (a rotation to a
 * revoked key, a full disk, a database error) starts a back-off: the
 * next request goes after CB_CATCHUP_BACKOFF_MIN_MS, doubling up to
 * CB_CATCHUP_BACKOFF_MAX_MS, and asks for the one message it is stuck
 * on, until a batch makes progress again.
 */
#ifndef CB_CATCHUP_H
#define CB_CATCHUP_H

#include <stdint.h>

#include "cb_err.h"
#include "cb_net.h"
#include "cb_msg.h"
#include "cb_req.h"

#define CB_CATCHUP_TIMEOUT_MS 10000
#define CB_CATCHUP_BACKOFF_MIN_MS 1000
#define CB_CATCHUP_BACKOFF_MAX_MS 300000
#define CB_CATCHUP_RESEND_MS 1000 /* a request that could not go */

struct cb_catchup;

/* A DEALER with the channel's limits; set CurveZMQ on its socket, then
 * connect it. */
struct cb_catchup *cb_catchup_open(const char *endpoint,
    struct cb_err *err);
int cb_catchup_connect(struct cb_catchup *c, const char *endpoint,
    struct cb_err *err);
void cb_catchup_close(struct cb_catchup *c);
void *cb_catchup_socket(const struct cb_catchup *c);

/* Ask for the messages after seq, unless a request is outstanding;
 * while backing off, only when the back-off is over (tick asks then). */
void cb_catchup_ask(struct cb_catchup *c, uint64_t after);
/* 1 while a request waits for its END. */
int cb_catchup_busy(const struct cb_catchup *c);
/* Ask again (for the messages after seq) when the outstanding request
 * timed out, or when a back-off is over. */
void cb_catchup_tick(struct cb_catchup *c, uint64_t after);

/* When cb_catchup_tick next has something to do (monotonic ms): the
 * outstanding request's time-out, or when a wanted request is due;
 * -1 when nothing waits. */
int64_t cb_catchup_deadline(const struct cb_catchup *c);

enum cb_catchup_change {
	CB_CATCHUP_SAME,    /* as before */
	CB_CATCHUP_STALLED, /* no progress: the back-off starts */
	CB_CATCHUP_MOVING   /* progress again: the back-off is over */
};

/* The END of the outstanding request came; the archive's last sequence
 * is now last, the journal's latest.  Asks for the next batch when
 * there is more (at once, or when the back-off is over) and says
 * whether the back-off started or ended. */
enum cb_catchup_change cb_catchup_ended(struct cb_catchup *c,
    uint64_t last, uint64_t latest);
/* The current back-off in milliseconds; 0 when not backing off. */
int64_t cb_catchup_backoff(const struct cb_catchup *c);

enum cb_catchup_what {
	CB_CATCHUP_NONE,  /* nothing waiting */
	CB_CATCHUP_MSG,   /* f->data[1], f->data[2]: a message to verify */
	CB_CATCHUP_END,   /* the batch is complete; see end */
	CB_CATCHUP_CONFIRM, /* the publisher answered a submission (end) */
	CB_CATCHUP_BAD    /* a malformed reply; err says why */
};

/* Send one signed agency message (SUBMIT); 0, or -1 when it could not
 * go now. */
int cb_catchup_submit(struct cb_catchup *c, const struct cb_sealed *s);

/* Receive one reply without blocking.  For MSG, f holds the frames
 * (release them); END is returned only for the outstanding request
 * (then no longer outstanding), with end holding its counters; the END
 * of an earlier request is skipped (NONE). */
enum cb_catchup_what cb_catchup_recv(struct cb_catchup *c,
    struct cb_frames *f, struct cb_req *end, struct cb_err *err);

#endif
