/*
 * cb_serve: the server side of the requests channel, a ROUTER socket,
 * shared by the publisher (over its journal) and the relay (over its
 * own).  Subscribers ask for every message after sequence N and get the
 * same signed messages from the journal, in batches of at most
 * CB_REQ_MAXBATCH, each closed by an END frame.  An answer is a cursor
 * into the journal, sent as the peer reads: a message goes only while
 * the ROUTER takes it without blocking (a few messages queued per peer
 * at most), a peer has one answer in progress (a new request replaces
 * it), and few answers are in progress at once, so what the server
 * holds for catch-up is bounded whoever asks and however often
 * (canhbao.7, FLOW CONTROL).  Requests are read a few per loop pass and
 * answers move on in turn, so many subscribers catching up at once
 * share the server fairly.  Each sender has a token bucket (its ZAP
 * User-Id, else its routing id); senders the owner calls unlimited are
 * exempt.  Submissions (receipts, presence, reports) go to the owner's
 * submit handler, whose CONFIRM is sent back.  Malformed requests are
 * dropped, counted and logged (the one thing this module prints: it is
 * the daemons' shared server, and says what it drops as they do).
 */
#ifndef CB_SERVE_H
#define CB_SERVE_H

#include <stddef.h>
#include <stdint.h>

#include "cb_err.h"
#include "cb_net.h"
#include "cb_req.h"
#include "cb_sig.h"

#define CB_SERVE_PER_PASS 8 /* requests served per loop pass */

/* One journaled message as the journal hands it out; the pointers are
 * borrowed for the duration of the callback. */
struct cb_serve_entry {
	uint64_t seq;
	const uint8_t *signed_bytes;
	size_t signed_len;
	const uint8_t *sigblock;
	size_t sigblock_len;
};

typedef int (*cb_serve_entry_fn)(const struct cb_serve_entry *e, void *arg);

/* What the owner provides; arg is passed to each. */
struct cb_serve_ops {
	/* The journal's last sequence (END's "latest"). */
	uint64_t (*last_seq)(void *arg);
	/* Call fn for at most limit messages after seq after, in order,
	 * stopping when fn returns -1: the number fn accepted, or -1 with
	 * err when the journal failed. */
	int (*each)(void *arg, uint64_t after, int limit, cb_serve_entry_fn fn,
	    void *fnarg, struct cb_err *err);
	/* A SUBMIT (f->data[2] signed bytes, f->data[3] signature block;
	 * f->user_id the sender ZAP named): fill confirm (type and id are
	 * set).  0 when handled (logged by the owner as it sees fit), -1
	 * with err to drop it as invalid (counted and logged here; confirm
	 * is still sent).  NULL: every SUBMIT gets status 2 (later). */
	int (*submit)(void *arg, const struct cb_frames *f,
	    struct cb_req *confirm, struct cb_err *err);
	/* 1 when sender who (its ZAP User-Id, or the hex of its routing
	 * id) is exempt from the rate limit.  NULL: nobody is. */
	int (*unlimited)(void *arg, const char *who);
	/* Called with every new socket before it binds (open, rebind), so
	 * the owner can watch it; the old one is closed after.  May be
	 * NULL. */
	void (*on_socket)(void *arg, void *sock);
};

struct cb_serve;

/* Bind a ROUTER on endpoint; transport (NULL: plaintext) and ops are
 * borrowed and must outlive the server.  bound gets the actual
 * endpoint.  NULL with err on failure. */
struct cb_serve *cb_serve_open(const char *endpoint,
    const struct cb_seckey *transport, const struct cb_serve_ops *ops,
    void *arg, char *bound, size_t boundsz, struct cb_err *err);
/* Close and bind again: every client must pass ZAP again. */
int cb_serve_rebind(struct cb_serve *s, struct cb_err *err);
void cb_serve_close(struct cb_serve *s);

/* The socket to poll for ZMQ_POLLIN. */
void *cb_serve_socket(const struct cb_serve *s);

/* Read up to CB_SERVE_PER_PASS waiting requests, then move every
 * catch-up answer in progress on as far as its peer's queue takes
 * without blocking.  Call it on ZMQ_POLLIN and whenever cb_serve_timeout
 * says. */
void cb_serve_run(struct cb_serve *s);

/* Milliseconds until an answer in progress may move on (0: now), or -1
 * when none is in progress: the longest the caller may poll. */
long cb_serve_timeout(const struct cb_serve *s);

/* Why a request was dropped (/metrics, "reason" label). */
enum cb_serve_refusal {
	CB_SERVE_MALFORMED, /* not a canhbao request, or cut */
	CB_SERVE_INVALID,   /* a submission refused: bad signature, ... */
	CB_SERVE_BUSY,      /* too many catch-up answers in progress */
	CB_SERVE_RATE,      /* the sender is over its rate limit */
	CB_SERVE_STALLED,   /* a catch-up answer given up or cut short */
	CB_SERVE_REFUSAL_COUNT
};

/* Counters since the start: catch-up answers completed (END sent),
 * requests dropped (all, and for reason), and the reason's name
 * ("malformed", "invalid", "busy", "rate_limit", "stalled"). */
unsigned long cb_serve_served(const struct cb_serve *s);
unsigned long cb_serve_dropped(const struct cb_serve *s);
unsigned long cb_serve_refused(const struct cb_serve *s,
    enum cb_serve_refusal reason);
const char *cb_serve_refusal_name(enum cb_serve_refusal reason);

/* Catch-up since the start: CATCHUP requests received, MSG messages
 * sent, and the answers in progress now. */
struct cb_serve_stats {
	unsigned long requests;
	unsigned long messages;
	int answering;
};
void cb_serve_stats(const struct cb_serve *s, struct cb_serve_stats *st);

#endif
