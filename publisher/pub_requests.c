/* pub_requests: catch-up from the journal over ROUTER (see .h). */
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
#include "cb_utf8.h"
#include "pub_inbound.h"
#include "pub_requests.h"

/* Room for two full batches per peer (libzmq counts whole messages).
 * With ZMQ_ROUTER_MANDATORY a send beyond it, or to a peer that is
 * gone, fails at once instead of being dropped unseen, and the batch
 * stops there (the peer asks again after its timeout). */
#define ROUTER_SNDHWM (2 * (CB_REQ_MAXBATCH + 1))

/* Per-agency rate limit: a token bucket for each sender (its ZAP
 * User-Id, the agency name; in plaintext mode its routing id). */
#define RATE_PER_S 50.0
#define RATE_BURST 200.0
#define RATE_SLOTS 1024

struct bucket {
	char who[65];
	double tokens;
	int64_t last_ms;
};

struct pub_requests {
	void (*on_report)(void *arg, const char *agency, uint64_t seq);
	void *report_arg;
	struct bucket buckets[RATE_SLOTS];
	size_t nbuckets;
	unsigned long limited;
	void *sock;
	char endpoint[256];
	const struct cb_seckey *transport;
	struct pub_journal *journal;
	unsigned long served, dropped;
};

struct batch {
	struct pub_requests *r;
	const struct cb_frames *peer; /* identity frame */
	uint32_t id;
	uint64_t last;
	int failed;
};

static void *
router_socket(const struct cb_seckey *transport, struct cb_err *err)
{
	int hwm = ROUTER_SNDHWM, one = 1;
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

struct pub_requests *
pub_requests_open(const char *endpoint, const struct cb_seckey *transport,
    struct pub_journal *journal, char *bound, size_t boundsz,
    struct cb_err *err)
{
	struct pub_requests *r = cb_xcalloc(1, sizeof(*r));

	r->journal = journal;
	r->transport = transport;
	r->sock = router_socket(transport, err);
	if (r->sock == NULL || cb_net_bind(r->sock, endpoint, r->endpoint,
				  sizeof(r->endpoint), err) < 0)
		goto fail;
	snprintf(bound, boundsz, "%s", r->endpoint);
	return r;
fail:
	pub_requests_close(r);
	return NULL;
}

int
pub_requests_rebind(struct pub_requests *r, struct cb_err *err)
{
	void *s = router_socket(r->transport, err);

	if (s == NULL)
		return -1;
	cb_net_close(r->sock);
	r->sock = s;
	return cb_net_rebind(s, r->endpoint, err);
}

void
pub_requests_close(struct pub_requests *r)
{
	if (r == NULL)
		return;
	cb_net_close(r->sock);
	free(r);
}

void *
pub_requests_socket(const struct pub_requests *r)
{
	return r->sock;
}

unsigned long
pub_requests_served(const struct pub_requests *r)
{
	return r->served;
}

unsigned long
pub_requests_dropped(const struct pub_requests *r)
{
	return r->dropped;
}

static int
send_to(struct batch *b, const void *const *data, const size_t *len,
    size_t n)
{
	const void *d[4];
	size_t l[4], i;

	d[0] = b->peer->data[0];
	l[0] = b->peer->len[0];
	for (i = 0; i < n; i++) {
		d[i + 1] = data[i];
		l[i + 1] = len[i];
	}
	return cb_net_send(b->r->sock, d, l, n + 1, ZMQ_DONTWAIT);
}

static int
send_msg(const struct pub_entry *e, void *arg)
{
	struct batch *b = arg;
	struct cb_req h = { .type = CB_REQ_MSG, .id = b->id };
	uint8_t hdr[CB_REQ_HDRLEN];
	const void *data[3] = { hdr, e->signed_bytes, e->sigblock };
	size_t len[3] = { 0, e->signed_len, e->sigblock_len };

	len[0] = cb_req_encode(&h, hdr);
	if (send_to(b, data, len, 3) < 0) {
		b->failed = 1; /* peer gone or over its HWM: stop here */
		return -1;
	}
	b->last = e->seq;
	return 0;
}

static void
answer(struct pub_requests *r, const struct cb_frames *f,
    const struct cb_req *q)
{
	struct batch b = { .r = r, .peer = f, .id = q->id, .last = q->after };
	struct cb_req end = { .type = CB_REQ_END, .id = q->id };
	uint8_t buf[CB_REQ_END_LEN];
	const void *data[1] = { buf };
	size_t len[1];
	struct cb_err err;
	int max = q->max > CB_REQ_MAXBATCH || q->max == 0 ? CB_REQ_MAXBATCH :
							    (int)q->max;

	if (pub_journal_each(r->journal, q->after, max, send_msg, &b,
		&err) < 0) {
		log_warnx("requests: %s", err.msg);
		return;
	}
	if (b.failed)
		return;
	end.last = b.last;
	end.latest = pub_journal_last_seq(r->journal);
	len[0] = cb_req_encode(&end, buf);
	send_to(&b, data, len, 1);
	r->served++;
	log_debug("requests: sent %llu..%llu (latest %llu)",
	    (unsigned long long)q->after + 1, (unsigned long long)b.last,
	    (unsigned long long)end.latest);
}

static void
drop(struct pub_requests *r, const char *why)
{
	r->dropped++;
	log_warnx("requests: dropped request (%lu so far): %s", r->dropped,
	    why);
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
allowed(struct pub_requests *r, const char *who)
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

void
pub_requests_on_report(struct pub_requests *r,
    void (*fn)(void *arg, const char *agency, uint64_t seq), void *arg)
{
	r->on_report = fn;
	r->report_arg = arg;
}

/* What a refusal says, in a CONFIRM: err's text, printable, cut. */
static void
refusal(struct cb_req *c, const struct pub_inbound_result *res,
    const struct cb_err *err)
{
	char *why = cb_utf8_printable(err->msg);

	cb_utf8_clip_bytes(why, CB_REQ_MAXREASON);
	snprintf(c->reason, sizeof(c->reason), "%s", why);
	free(why);
	c->highest = res->status == CB_REQ_TAKEN ? res->highest : 0;
}

/* An agency's receipt, presence or report: keep it once, confirm. */
static void
submit(struct pub_requests *r, const struct cb_frames *f,
    const struct cb_req *q)
{
	struct batch b = { .r = r, .peer = f };
	struct cb_req c = { .type = CB_REQ_CONFIRM, .id = q->id };
	struct pub_inbound_result res;
	uint8_t buf[CB_REQ_MAXLEN];
	const void *data[1] = { buf };
	size_t len[1];
	struct cb_err err;

	if (pub_inbound_submit(r->journal, f->data[2], f->len[2], f->data[3],
		f->len[3], cb_time_now(), &res, &err) < 0) {
		if (res.status == CB_REQ_LATER || res.status == CB_REQ_TAKEN)
			log_warnx("requests: %s", err.msg);
		else
			drop(r, err.msg);
		if (res.status != CB_REQ_LATER)
			refusal(&c, &res, &err);
	} else if (res.fresh) {
		log_debug("requests: %s from agency %s (its seq %llu)",
		    cb_msg_type_name((enum cb_msg_type)res.type), res.agency,
		    (unsigned long long)res.seq);
		if (res.type == CB_MSG_REPORT && r->on_report != NULL)
			r->on_report(r->report_arg, res.agency, res.seq);
	}
	c.status = (uint8_t)res.status;
	memcpy(c.key_id, res.key_id, 8);
	c.seq = res.seq;
	len[0] = cb_req_encode(&c, buf);
	send_to(&b, data, len, 1);
}

void
pub_requests_serve(struct pub_requests *r)
{
	struct cb_frames f;
	struct cb_req q;
	struct cb_err err;
	char who[65];
	int i;

	for (i = 0; i < PUB_REQUESTS_PER_PASS; i++) {
		if (cb_net_recv(r->sock, &f, ZMQ_DONTWAIT, &err) < 0) {
			if (errno != EAGAIN && errno != EINTR)
				drop(r, err.msg);
			return;
		}
		sender(&f, who, sizeof(who));
		if (!allowed(r, who)) {
			if (r->limited++ % 100 == 0)
				drop(r, "over the rate limit");
			else
				r->dropped++;
		} else if (f.n < 2 ||
		    cb_req_decode(f.data[1], f.len[1], &q, &err) < 0) {
			drop(r, f.n < 2 ? "no request frame" : err.msg);
		} else if (q.type == CB_REQ_CATCHUP && f.n == 2) {
			answer(r, &f, &q);
		} else if (q.type == CB_REQ_SUBMIT && f.n == 4) {
			submit(r, &f, &q);
		} else {
			drop(r, "not a request a subscriber sends");
		}
		cb_frames_release(&f);
	}
}
