/* pub_bcast: the PUB socket (see pub_bcast.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "cb_mem.h"
#include "cb_net.h"
#include "pub_bcast.h"
#include "pub_watch.h"

/* Messages queued per subscriber before PUB drops: generous, because a
 * burst of feed items must not be dropped for a connected subscriber
 * (catch-up covers the rest). */
#define PUB_SNDHWM 100000

struct pub_bcast {
	void (*on_send)(void *arg, const char *topic);
	void *send_arg;
	void *sock;
	char endpoint[256];               /* as bound */
	const struct cb_seckey *transport; /* NULL: plaintext */
	struct pub_watch *watch;           /* clients on the wrong transport */
};

/* The longest subscription message read: the flag byte and a topic
 * (canhbao's are short; a longer one is read and ignored). */
#define SUB_MSG_MAX 256
/* Subscription messages read in one go. */
#define SUB_BURST 1024

/* An XPUB socket with canhbao's options, CurveZMQ when transport is
 * set.  XPUB sends as PUB does; it also hands up each subscription, so
 * the registry goes out the moment a relay subscribes.  Verbose: every
 * subscription, not only the first of a topic, or a second relay would
 * wait for the next periodic send. */
static void *
pub_socket(const struct cb_seckey *transport, struct cb_err *err)
{
	int hwm = PUB_SNDHWM, verbose = 1;
	void *s = cb_net_socket(ZMQ_XPUB, err);

	if (s == NULL)
		return NULL;
	zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof(hwm));
	zmq_setsockopt(s, ZMQ_XPUB_VERBOSE, &verbose, sizeof(verbose));
	if (transport != NULL && cb_net_curve_server_key(s, transport, err) < 0) {
		cb_net_close(s);
		return NULL;
	}
	return s;
}

struct pub_bcast *
pub_bcast_open(const char *endpoint, const struct cb_seckey *transport,
    char *bound, size_t boundsz, struct cb_err *err)
{
	struct pub_bcast *b = cb_xcalloc(1, sizeof(*b));

	b->transport = transport;
	b->sock = pub_socket(transport, err);
	if (b->sock == NULL || cb_net_bind(b->sock, endpoint, b->endpoint,
				  sizeof(b->endpoint), err) < 0) {
		pub_bcast_close(b);
		return NULL;
	}
	b->watch = pub_watch_new(b->sock, "broadcast", transport != NULL);
	snprintf(bound, boundsz, "%s", b->endpoint);
	return b;
}

int
pub_bcast_rebind(struct pub_bcast *b, struct cb_err *err)
{
	void *s = pub_socket(b->transport, err);

	if (s == NULL)
		return -1;
	pub_watch_free(b->watch);
	cb_net_unbind(b->sock, b->endpoint);
	cb_net_close(b->sock); /* linger lets queued messages go first */
	b->sock = s;
	b->watch = pub_watch_new(s, "broadcast", b->transport != NULL);
	return cb_net_rebind(s, b->endpoint, err);
}

void
pub_bcast_close(struct pub_bcast *b)
{
	if (b == NULL)
		return;
	pub_watch_free(b->watch);
	cb_net_close(b->sock);
	free(b);
}

void
pub_bcast_watch(struct pub_bcast *b)
{
	pub_watch_drain(b->watch);
}

long
pub_bcast_connected(struct pub_bcast *b)
{
	return b != NULL ? pub_watch_open(b->watch) : 0;
}

int
pub_bcast_send(struct pub_bcast *b, const char *topic,
    const struct cb_sealed *s, struct cb_err *err)
{
	const void *data[3] = { topic, s->signed_bytes, s->sigblock };
	size_t len[3] = { strlen(topic), s->signed_len, s->sigblock_len };
	int rc = cb_net_send(b->sock, data, len, 3, ZMQ_DONTWAIT);

	/* Committed either way: subscribers the send missed catch up. */
	if (b->on_send != NULL)
		b->on_send(b->send_arg, topic);
	if (rc < 0)
		return cb_err_set(err, "cannot send on %s: %s", topic,
		    zmq_strerror(zmq_errno()));
	return 0;
}

void *
pub_bcast_socket(struct pub_bcast *b)
{
	return b->sock;
}

int
pub_bcast_subscribed(struct pub_bcast *b, const char *topic)
{
	uint8_t buf[SUB_MSG_MAX];
	size_t tlen = strlen(topic);
	int n, i, asked = 0;

	for (i = 0; i < SUB_BURST; i++) {
		n = zmq_recv(b->sock, buf, sizeof(buf), ZMQ_DONTWAIT);
		if (n < 0)
			break;
		if (n < 1 || n > (int)sizeof(buf) || buf[0] != 1)
			continue; /* an unsubscription, or too long to be ours */
		if ((size_t)(n - 1) <= tlen && memcmp(buf + 1, topic,
						   (size_t)(n - 1)) == 0)
			asked = 1;
	}
	return asked;
}

void
pub_bcast_on_send(struct pub_bcast *b,
    void (*fn)(void *arg, const char *topic), void *arg)
{
	b->on_send = fn;
	b->send_arg = arg;
}
