/* cb_serve: the requests channel's ROUTER server (see .h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "cb_log.h"
#include "cb_msg.h"
#include "cb_mem.h"
#include "cb_net.h"
#include "cb_req.h"
#include "cb_time.h"
#include "cb_serve.h"

/* What the server holds for catch-up, whoever asks and however
 * often (canhbao.7, FLOW CONTROL).  A catch-up answer is a cursor, not
 * queued messages: it is sent as the peer reads, only while ZeroMQ
 * takes it without blocking.  PEER_HWM is the ROUTER's send high-water
 * mark: at most that many messages wait for any one peer, so at most
 * PEER_HWM * CB_NET_MAXMSG bytes; with ZMQ_ROUTER_MANDATORY a send
 * beyond it fails with EAGAIN instead of being dropped unseen, and the
 * answer waits.  At most ANSWERS_MAX answers are in progress at once (a
 * peer has one: a new request replaces it); a request beyond them is
 * dropped and counted, and an answer that makes no progress for
 * STALL_MS is given up. */
#define PEER_HWM 32
#define ANSWERS_MAX 32
#define STALL_MS 30000
#define RETRY_MIN_MS 1   /* a blocked answer is tried again after this, */
#define RETRY_MAX_MS 256 /* doubling up to this */
#define SEND_PER_PASS 64 /* messages sent to one peer per loop pass */

/* Per-agency rate limit: a token bucket for each sender (its ZAP
 * User-Id, the agency name; in plaintext mode its routing id). */
#define RATE_PER_S 50.0
#define RATE_BURST 200.0
#define RATE_SLOTS 1024

/* One catch-up answer in progress: to whom, where it stands. */
struct answer {
	uint8_t peer[256]; /* routing id (at most 255 bytes) */
	size_t peerlen;    /* 0: the slot is free */
	uint32_t id;       /* the request's */
	uint64_t after;    /* the request's */
	uint64_t last;     /* last sequence sent */
	uint32_t left;     /* messages still to send */
	int end;           /* all sent but the END */
	int done;          /* the END went out */
	int64_t moved_ms;  /* monotonic time of the last progress */
	int64_t retry_ms;  /* try again then; 0: now */
	int64_t backoff;   /* the current retry delay */
};

struct bucket {
	char who[65];
	double tokens;
	int64_t last_ms;
};

struct cb_serve {
	const struct cb_serve_ops *ops;
	void *arg;
	struct bucket buckets[RATE_SLOTS];
	size_t nbuckets;
	unsigned long limited;
	void *sock;
	char endpoint[256];
	const struct cb_seckey *transport;
	unsigned long served, dropped;
	unsigned long refused[CB_SERVE_REFUSAL_COUNT]; /* dropped, by reason */
	unsigned long catchups, messages; /* CATCHUPs received, MSGs sent */
	struct answer answers[ANSWERS_MAX];
};

struct batch {
	struct cb_serve *r;
	const struct cb_frames *peer; /* identity frame */
};

static void *
router_socket(const struct cb_seckey *transport, struct cb_err *err)
{
	int hwm = PEER_HWM, one = 1;
	void *s = cb_net_socket(ZMQ_ROUTER, err);

	if (s == NULL)
		return NULL;
	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(s, ZMQ_ROUTER_MANDATORY, &one, sizeof(one));
	cb_net_set_maxmsg(s, CB_NET_MAXMSG_REQUESTS);
	if (transport != NULL && cb_net_curve_server_key(s, transport, err) < 0) {
		cb_net_close(s);
		return NULL;
	}
	return s;
}

static void *
new_socket(struct cb_serve *r, struct cb_err *err)
{
	void *s = router_socket(r->transport, err);

	if (s != NULL && r->ops->on_socket != NULL)
		r->ops->on_socket(r->arg, s);
	return s;
}

struct cb_serve *
cb_serve_open(const char *endpoint, const struct cb_seckey *transport,
    const struct cb_serve_ops *ops, void *arg, char *bound, size_t boundsz,
    struct cb_err *err)
{
	struct cb_serve *r = cb_xcalloc(1, sizeof(*r));

	r->ops = ops;
	r->arg = arg;
	r->transport = transport;
	r->sock = new_socket(r, err);
	if (r->sock == NULL || cb_net_bind(r->sock, endpoint, r->endpoint,
				  sizeof(r->endpoint), err) < 0)
		goto fail;
	snprintf(bound, boundsz, "%s", r->endpoint);
	return r;
fail:
	cb_serve_close(r);
	return NULL;
}

int
cb_serve_rebind(struct cb_serve *r, struct cb_err *err)
{
	void *s = new_socket(r, err);

	if (s == NULL)
		return -1;
	cb_net_unbind(r->sock, r->endpoint);
	cb_net_close(r->sock);
	r->sock = s;
	return cb_net_rebind(s, r->endpoint, err);
}

void
cb_serve_close(struct cb_serve *r)
{
	if (r == NULL)
		return;
	cb_net_close(r->sock);
	free(r);
}

void *
cb_serve_socket(const struct cb_serve *r)
{
	return r->sock;
}

unsigned long
cb_serve_served(const struct cb_serve *r)
{
	return r->served;
}

unsigned long
cb_serve_dropped(const struct cb_serve *r)
{
	return r->dropped;
}

void
cb_serve_stats(const struct cb_serve *r, struct cb_serve_stats *st)
{
	int i;

	st->requests = r->catchups;
	st->messages = r->messages;
	st->answering = 0;
	for (i = 0; i < ANSWERS_MAX; i++)
		st->answering += r->answers[i].peerlen != 0;
}

/* Send n frames to the peer with this routing id, without blocking:
 * -1 with errno EAGAIN when its queue is full, EHOSTUNREACH when it is
 * gone. */
static int
send_peer(void *sock, const void *peer, size_t peerlen,
    const void *const *data, const size_t *len, size_t n)
{
	const void *d[4];
	size_t l[4], i;

	d[0] = peer;
	l[0] = peerlen;
	for (i = 0; i < n; i++) {
		d[i + 1] = data[i];
		l[i + 1] = len[i];
	}
	return cb_net_send(sock, d, l, n + 1, ZMQ_DONTWAIT);
}

static int
send_to(struct batch *b, const void *const *data, const size_t *len,
    size_t n)
{
	return send_peer(b->r->sock, b->peer->data[0], b->peer->len[0], data,
	    len, n);
}

static void
drop(struct cb_serve *r, enum cb_serve_refusal reason, const char *why)
{
	r->dropped++;
	r->refused[reason]++;
	log_warnx("requests: dropped request (%lu so far): %s", r->dropped,
	    why);
}

/* --- catch-up: answers sent as the peer reads -------------------------- */

static void
answer_free(struct cb_serve *r, struct answer *a, const char *why)
{
	if (why != NULL)
		drop(r, CB_SERVE_STALLED, why);
	a->peerlen = 0;
}

/* The slot for a new request from this peer: its answer in progress
 * (replaced: the peer asked again), else a free one, else NULL. */
static struct answer *
answer_slot(struct cb_serve *r, const struct cb_frames *f)
{
	struct answer *free_slot = NULL;
	int i;

	for (i = 0; i < ANSWERS_MAX; i++) {
		struct answer *a = &r->answers[i];

		if (a->peerlen == f->len[0] &&
		    memcmp(a->peer, f->data[0], a->peerlen) == 0)
			return a;
		if (a->peerlen == 0 && free_slot == NULL)
			free_slot = a;
	}
	return free_slot;
}

static void
catchup(struct cb_serve *r, const struct cb_frames *f,
    const struct cb_req *q)
{
	struct answer *a;

	r->catchups++;
	if (f->len[0] == 0 || f->len[0] > sizeof(a->peer)) {
		drop(r, CB_SERVE_MALFORMED, "routing id of an unexpected size");
		return;
	}
	if ((a = answer_slot(r, f)) == NULL) {
		drop(r, CB_SERVE_BUSY, "too many catch-up answers in progress");
		return;
	}
	memset(a, 0, sizeof(*a));
	memcpy(a->peer, f->data[0], f->len[0]);
	a->peerlen = f->len[0];
	a->id = q->id;
	a->after = a->last = q->after;
	a->left = q->max > CB_REQ_MAXBATCH || q->max == 0 ? CB_REQ_MAXBATCH :
							    q->max;
	a->moved_ms = cb_time_mono_ms();
}

struct one_msg {
	struct cb_serve *r;
	struct answer *a;
	int sent;       /* messages sent */
	int send_errno; /* why the last send failed, 0 if none did */
};

static int
send_msg(const struct cb_serve_entry *e, void *arg)
{
	struct one_msg *o = arg;
	struct cb_req h = { .type = CB_REQ_MSG, .id = o->a->id };
	uint8_t hdr[CB_REQ_HDRLEN];
	const void *data[3] = { hdr, e->signed_bytes, e->sigblock };
	size_t len[3] = { 0, e->signed_len, e->sigblock_len };

	len[0] = cb_req_encode(&h, hdr);
	if (send_peer(o->r->sock, o->a->peer, o->a->peerlen, data, len,
		3) < 0) {
		o->send_errno = errno;
		return -1;
	}
	o->a->last = e->seq;
	o->a->left--;
	o->r->messages++;
	o->sent++;
	return 0;
}

/* Send the END of a: 0, or -1 with errno when it could not go. */
static int
send_end(struct cb_serve *r, struct answer *a)
{
	struct cb_req end = { .type = CB_REQ_END, .id = a->id };
	uint8_t buf[CB_REQ_END_LEN];
	const void *data[1] = { buf };
	size_t len[1];

	end.last = a->last;
	end.latest = r->ops->last_seq(r->arg);
	len[0] = cb_req_encode(&end, buf);
	if (send_peer(r->sock, a->peer, a->peerlen, data, len, 1) < 0)
		return -1;
	r->served++;
	log_debug("requests: sent %llu..%llu (latest %llu)",
	    (unsigned long long)a->after + 1, (unsigned long long)a->last,
	    (unsigned long long)end.latest);
	return 0;
}

/* Send up to SEND_PER_PASS messages of a, then its END when nothing is
 * left: the number of messages sent, or -1 with errno when a send
 * failed (EAGAIN: the peer's queue is full) or the journal did (EIO). */
static int
send_some(struct cb_serve *r, struct answer *a)
{
	struct one_msg o = { .r = r, .a = a };
	int want = a->left > SEND_PER_PASS ? SEND_PER_PASS : (int)a->left;
	struct cb_err err;
	int n = 0;

	if (!a->end && want > 0) {
		n = r->ops->each(r->arg, a->last, want, send_msg, &o, &err);
		if (o.send_errno != 0) {
			errno = o.send_errno;
			return o.sent > 0 ? o.sent : -1;
		}
		if (n < 0) {
			log_warnx("requests: %s", err.msg);
			errno = EIO;
			return -1;
		}
	}
	if (n < want || a->left == 0)
		a->end = 1; /* the journal or the batch ends here */
	if (a->end && send_end(r, a) < 0)
		return o.sent > 0 ? o.sent : -1;
	a->done = a->end;
	return o.sent;
}

/* Move answer a on as far as its peer's queue takes now; free it when
 * done, when the peer is gone, or when it made no progress for
 * STALL_MS. */
static void
pump_one(struct cb_serve *r, struct answer *a, int64_t now)
{
	int64_t next;
	int n;

	if (a->retry_ms > now)
		return;
	n = send_some(r, a);
	if (a->done) {
		answer_free(r, a, NULL);
	} else if (n > 0) { /* moved on: go on at the next pass */
		a->moved_ms = now;
		a->backoff = 0;
		a->retry_ms = 0;
	} else if (errno == EHOSTUNREACH || errno == EIO) {
		/* the peer is gone (ZeroMQ has freed its queue), or the
		 * journal failed: the peer asks again after its time-out */
		answer_free(r, a, errno == EIO ? "catch-up answer cut short" :
		    NULL);
	} else if (now - a->moved_ms > STALL_MS) {
		answer_free(r, a, "catch-up answer given up: its peer has "
		    "read nothing for 30 s");
	} else {
		next = a->backoff * 2;
		a->backoff = next < RETRY_MIN_MS ? RETRY_MIN_MS :
		    next > RETRY_MAX_MS ? RETRY_MAX_MS : next;
		a->retry_ms = now + a->backoff;
	}
}

static void
pump(struct cb_serve *r)
{
	int64_t now = cb_time_mono_ms();
	int i;

	for (i = 0; i < ANSWERS_MAX; i++)
		if (r->answers[i].peerlen != 0)
			pump_one(r, &r->answers[i], now);
}

long
cb_serve_timeout(const struct cb_serve *r)
{
	int64_t now = cb_time_mono_ms(), t = -1;
	int i;

	for (i = 0; i < ANSWERS_MAX; i++) {
		const struct answer *a = &r->answers[i];
		int64_t wait = a->retry_ms > now ? a->retry_ms - now : 0;

		if (a->peerlen != 0 && (t < 0 || wait < t))
			t = wait;
	}
	return (long)t;
}

/* The sender's name for the rate limit: what ZAP said, else the hex of
 * its routing id. */
static void
sender(const struct cb_frames *f, char *out, size_t size)
{
	size_t i, n = f->len[0] < (size - 1) / 2 ? f->len[0] : (size - 1) / 2;

	if (f->user_id[0] != '\0') {
		snprintf(out, size, "%s", f->user_id);
		return;
	}
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x",
		    ((const unsigned char *)f->data[0])[i]);
	out[2 * n] = '\0';
}

/* 1 when who may make a request now (taking a token), 0 when over. */
static int
allowed(struct cb_serve *r, const char *who)
{
	int64_t now = cb_time_mono_ms();
	struct bucket *b = NULL;
	size_t i, oldest = 0;

	for (i = 0; i < r->nbuckets; i++) {
		if (strcmp(r->buckets[i].who, who) == 0) {
			b = &r->buckets[i];
			break;
		}
		if (r->buckets[i].last_ms < r->buckets[oldest].last_ms)
			oldest = i;
	}
	if (b == NULL) {
		b = r->nbuckets < RATE_SLOTS ? &r->buckets[r->nbuckets++] :
					       &r->buckets[oldest];
		snprintf(b->who, sizeof(b->who), "%s", who);
		b->tokens = RATE_BURST;
		b->last_ms = now;
	}
	b->tokens += (double)(now - b->last_ms) * RATE_PER_S / 1000.0;
	if (b->tokens > RATE_BURST)
		b->tokens = RATE_BURST;
	b->last_ms = now;
	if (b->tokens < 1.0)
		return 0;
	b->tokens -= 1.0;
	return 1;
}

/* A receipt, presence or report: the owner keeps it (or not) and says
 * how in the CONFIRM sent back. */
static void
submit(struct cb_serve *r, const struct cb_frames *f,
    const struct cb_req *q)
{
	struct batch b = { .r = r, .peer = f };
	struct cb_req c = { .type = CB_REQ_CONFIRM, .id = q->id };
	uint8_t buf[CB_REQ_MAXLEN];
	const void *data[1] = { buf };
	size_t len[1];
	struct cb_err err;

	if (r->ops->submit == NULL)
		c.status = CB_REQ_LATER;
	else if (r->ops->submit(r->arg, f, &c, &err) < 0)
		drop(r, CB_SERVE_INVALID, err.msg);
	len[0] = cb_req_encode(&c, buf);
	send_to(&b, data, len, 1);
}

void
cb_serve_run(struct cb_serve *r)
{
	struct cb_frames f;
	struct cb_req q;
	struct cb_err err;
	char who[65];
	int i;

	for (i = 0; i < CB_SERVE_PER_PASS; i++) {
		if (cb_net_recv(r->sock, &f, ZMQ_DONTWAIT, &err) < 0) {
			if (errno != EAGAIN && errno != EINTR)
				drop(r, CB_SERVE_MALFORMED, err.msg);
			break;
		}
		sender(&f, who, sizeof(who));
		if ((r->ops->unlimited == NULL ||
		    !r->ops->unlimited(r->arg, who)) && !allowed(r, who)) {
			if (r->limited++ % 100 == 0)
				drop(r, CB_SERVE_RATE, "over the rate limit");
			else {
				r->dropped++;
				r->refused[CB_SERVE_RATE]++;
			}
		} else if (f.n < 2 ||
		    cb_req_decode(f.data[1], f.len[1], &q, &err) < 0) {
			drop(r, CB_SERVE_MALFORMED, f.n < 2 ?
			    "no request frame" : err.msg);
		} else if (q.type == CB_REQ_CATCHUP && f.n == 2) {
			catchup(r, &f, &q);
		} else if (q.type == CB_REQ_SUBMIT && f.n == 4) {
			submit(r, &f, &q);
		} else {
			drop(r, CB_SERVE_MALFORMED,
			    "not a request a subscriber sends");
		}
		cb_frames_release(&f);
	}
	pump(r);
}

unsigned long
cb_serve_refused(const struct cb_serve *r, enum cb_serve_refusal reason)
{
	return r->refused[reason];
}

const char *
cb_serve_refusal_name(enum cb_serve_refusal reason)
{
	static const char *const names[CB_SERVE_REFUSAL_COUNT] = { "malformed",
		"invalid", "busy", "rate_limit", "stalled" };

	return names[reason];
}
