/*
 * sub_catchup: the subscriber's side of the requests channel: a DEALER
 * that asks the publisher (or a relay) for every message after the last
 * one archived, one batch at a time, and hands back what comes.  One
 * request is outstanding at most; it is asked again after
 * SUB_CATCHUP_TIMEOUT_MS without an answer.
 */
#ifndef SUB_CATCHUP_H
#define SUB_CATCHUP_H

#include <stdint.h>

#include "cb_err.h"
#include "cb_net.h"
#include "cb_msg.h"
#include "cb_req.h"

#define SUB_CATCHUP_TIMEOUT_MS 10000

struct sub_catchup;

/* A DEALER with the channel's limits; set CurveZMQ on its socket, then
 * connect it. */
struct sub_catchup *sub_catchup_open(const char *endpoint,
    struct cb_err *err);
int sub_catchup_connect(struct sub_catchup *c, const char *endpoint,
    struct cb_err *err);
void sub_catchup_close(struct sub_catchup *c);
void *sub_catchup_socket(const struct sub_catchup *c);

/* Ask for the messages after seq, unless a request is outstanding. */
void sub_catchup_ask(struct sub_catchup *c, uint64_t after);
/* 1 while a request waits for its END. */
int sub_catchup_busy(const struct sub_catchup *c);
/* Ask again (for the messages after seq) when the outstanding request
 * timed out. */
void sub_catchup_tick(struct sub_catchup *c, uint64_t after);

enum sub_catchup_what {
	SUB_CATCHUP_NONE,  /* nothing waiting */
	SUB_CATCHUP_MSG,   /* f->data[1], f->data[2]: a message to verify */
	SUB_CATCHUP_END,   /* the batch is complete; see end */
	SUB_CATCHUP_CONFIRM, /* the publisher answered a submission (end) */
	SUB_CATCHUP_BAD    /* a malformed reply; err says why */
};

/* Send one signed agency message (SUBMIT); 0, or -1 when it could not
 * go now. */
int sub_catchup_submit(struct sub_catchup *c, const struct cb_sealed *s);

/* Receive one reply without blocking.  For MSG, f holds the frames
 * (release them); for END, end holds the counters and the request is no
 * longer outstanding when its id matches. */
enum sub_catchup_what sub_catchup_recv(struct sub_catchup *c,
    struct cb_frames *f, struct cb_req *end, struct cb_err *err);

#endif
