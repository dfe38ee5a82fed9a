/* cb_catchup: catch-up requests over DEALER (see cb_catchup.h). */
#include <errno.h>
#include <stdlib.h>

#include <zmq.h>

#include "cb_mem.h"
#include "cb_time.h"
#include "cb_catchup.h"

struct cb_catchup {
	void *sock;
	uint32_t next_id;
	uint32_t outstanding; /* request id, 0 when none */
	uint64_t asked_after; /* the outstanding request's */
	int64_t sent_ms;
	int retry;            /* a request is wanted: send it when due */
	int64_t due_ms;       /* no request before (backing off) */
	int64_t backoff_ms;   /* 0 when not backing off */
};

struct cb_catchup *
cb_catchup_open(const char *endpoint, struct cb_err *err)
{
	struct cb_catchup *c = cb_xcalloc(1, sizeof(*c));
	int hwm = 4 * 3 * (CB_REQ_MAXBATCH + 1);

	c->next_id = 1;
	c->sock = cb_net_socket(ZMQ_DEALER, err);
	if (c->sock == NULL) {
		free(c);
		return NULL;
	}
	zmq_setsockopt(c->sock, ZMQ_RCVHWM, &hwm, sizeof(hwm));
	cb_net_set_maxmsg(c->sock, CB_NET_MAXMSG_REQUESTS);
	cb_net_keepalive(c->sock);
	(void)endpoint;
	return c;
}

int
cb_catchup_connect(struct cb_catchup *c, const char *endpoint,
    struct cb_err *err)
{
	return cb_net_connect(c->sock, endpoint, err);
}

int
cb_catchup_submit(struct cb_catchup *c, const struct cb_sealed *s)
{
	struct cb_req h = { .type = CB_REQ_SUBMIT };
	uint8_t hdr[CB_REQ_HDRLEN];
	const void *data[3] = { hdr, s->signed_bytes, s->sigblock };
	size_t len[3] = { 0, s->signed_len, s->sigblock_len };

	len[0] = cb_req_encode(&h, hdr);
	return cb_net_send(c->sock, data, len, 3, ZMQ_DONTWAIT);
}

void
cb_catchup_close(struct cb_catchup *c)
{
	if (c == NULL)
		return;
	cb_net_close(c->sock);
	free(c);
}

void *
cb_catchup_socket(const struct cb_catchup *c)
{
	return c->sock;
}

int
cb_catchup_busy(const struct cb_catchup *c)
{
	return c->outstanding != 0;
}

static void
send_request(struct cb_catchup *c, uint64_t after)
{
	struct cb_req q = { .type = CB_REQ_CATCHUP, .id = c->next_id++,
		.after = after, .max = c->backoff_ms > 0 ? 1 : CB_REQ_MAXBATCH };
	uint8_t buf[CB_REQ_CATCHUP_LEN];
	const void *data[1] = { buf };
	size_t len[1];

	if (c->next_id == 0)
		c->next_id = 1;
	len[0] = cb_req_encode(&q, buf);
	if (cb_net_send(c->sock, data, len, 1, ZMQ_DONTWAIT) < 0) {
		c->retry = 1; /* not connected yet: tick asks again */
		if (c->due_ms < cb_time_mono_ms() + CB_CATCHUP_RESEND_MS)
			c->due_ms = cb_time_mono_ms() + CB_CATCHUP_RESEND_MS;
		return;
	}
	c->retry = 0;
	c->outstanding = q.id;
	c->asked_after = after;
	c->sent_ms = cb_time_mono_ms();
}

void
cb_catchup_ask(struct cb_catchup *c, uint64_t after)
{
	if (c->outstanding != 0)
		return;
	c->retry = 1;
	if (cb_time_mono_ms() >= c->due_ms)
		send_request(c, after);
}

enum cb_catchup_change
cb_catchup_ended(struct cb_catchup *c, uint64_t last, uint64_t latest)
{
	int was = c->backoff_ms > 0;

	if (last > c->asked_after || latest <= last) {
		c->backoff_ms = 0; /* progress, or nothing more to get */
		c->due_ms = 0;
	} else {
		c->backoff_ms = !was ? CB_CATCHUP_BACKOFF_MIN_MS :
		    c->backoff_ms >= CB_CATCHUP_BACKOFF_MAX_MS / 2 ?
		    CB_CATCHUP_BACKOFF_MAX_MS : 2 * c->backoff_ms;
		c->due_ms = cb_time_mono_ms() + c->backoff_ms;
	}
	if (latest > last)
		cb_catchup_ask(c, last);
	if (was == (c->backoff_ms > 0))
		return CB_CATCHUP_SAME;
	return was ? CB_CATCHUP_MOVING : CB_CATCHUP_STALLED;
}

int64_t
cb_catchup_backoff(const struct cb_catchup *c)
{
	return c->backoff_ms;
}

void
cb_catchup_tick(struct cb_catchup *c, uint64_t after)
{
	if (c->outstanding != 0 &&
	    cb_time_mono_ms() - c->sent_ms > CB_CATCHUP_TIMEOUT_MS) {
		c->outstanding = 0; /* lost, or its answer was: ask again */
		c->retry = 1;
	}
	if (c->outstanding == 0 && c->retry && cb_time_mono_ms() >= c->due_ms)
		send_request(c, after);
}

int64_t
cb_catchup_deadline(const struct cb_catchup *c)
{
	if (c->outstanding != 0)
		return c->sent_ms + CB_CATCHUP_TIMEOUT_MS + 1;
	return c->retry ? c->due_ms : -1;
}

enum cb_catchup_what
cb_catchup_recv(struct cb_catchup *c, struct cb_frames *f,
    struct cb_req *end, struct cb_err *err)
{
	struct cb_req h;

	if (cb_net_recv(c->sock, f, ZMQ_DONTWAIT, err) < 0)
		return errno == EAGAIN || errno == EINTR ? CB_CATCHUP_NONE :
							  CB_CATCHUP_BAD;
	if (cb_req_decode(f->data[0], f->len[0], &h, err) < 0)
		goto bad;
	if (h.type == CB_REQ_MSG && f->n == 3)
		return CB_CATCHUP_MSG;
	if (h.type == CB_REQ_CONFIRM && f->n == 1) {
		*end = h;
		cb_frames_release(f);
		return CB_CATCHUP_CONFIRM;
	}
	if (h.type == CB_REQ_END && f->n == 1) {
		*end = h;
		cb_frames_release(f);
		if (h.id != c->outstanding)
			return CB_CATCHUP_NONE; /* an earlier request's */
		c->outstanding = 0;
		return CB_CATCHUP_END;
	}
	cb_err_set(err, "unexpected reply of type %u with %zu frames",
	    (unsigned)h.type, f->n);
bad:
	cb_frames_release(f);
	return CB_CATCHUP_BAD;
}
