/* cb_net: ZeroMQ context, sockets with limits, framing (see cb_net.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "cb_mem.h"
#include "cb_net.h"
#include "cb_sig.h"

static void *net_ctx;

void *
cb_net_ctx(void)
{
	if (net_ctx == NULL) {
		net_ctx = zmq_ctx_new();
		if (net_ctx == NULL)
			abort();
	}
	return net_ctx;
}

void
cb_net_shutdown(void)
{
	if (net_ctx != NULL)
		zmq_ctx_term(net_ctx);
	net_ctx = NULL;
}

void *
cb_net_socket(int type, struct cb_err *err)
{
	void *s = zmq_socket(cb_net_ctx(), type);
	int linger = CB_NET_LINGER_MS;
	int64_t maxmsg = CB_NET_MAXMSG;

	if (s == NULL) {
		cb_err_set(err, "cannot create socket: %s", zmq_strerror(errno));
		return NULL;
	}
	if (zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof(linger)) < 0 ||
	    zmq_setsockopt(s, ZMQ_MAXMSGSIZE, &maxmsg, sizeof(maxmsg)) < 0) {
		cb_err_set(err, "cannot set socket options: %s",
		    zmq_strerror(errno));
		zmq_close(s);
		return NULL;
	}
	return s;
}

void
cb_net_set_maxmsg(void *sock, int64_t bytes)
{
	zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &bytes, sizeof(bytes));
}

void
cb_net_close(void *sock)
{
	if (sock != NULL)
		zmq_close(sock);
}

void
cb_net_keepalive(void *sock)
{
	int on = 1, idle = CB_NET_KEEPALIVE_IDLE_S,
	    intvl = CB_NET_KEEPALIVE_INTVL_S, cnt = CB_NET_KEEPALIVE_PROBES,
	    rmax = CB_NET_RECONNECT_MAX_MS;

	zmq_setsockopt(sock, ZMQ_TCP_KEEPALIVE, &on, sizeof(on));
	zmq_setsockopt(sock, ZMQ_TCP_KEEPALIVE_IDLE, &idle, sizeof(idle));
	zmq_setsockopt(sock, ZMQ_TCP_KEEPALIVE_INTVL, &intvl, sizeof(intvl));
	zmq_setsockopt(sock, ZMQ_TCP_KEEPALIVE_CNT, &cnt, sizeof(cnt));
	zmq_setsockopt(sock, ZMQ_RECONNECT_IVL_MAX, &rmax, sizeof(rmax));
}

int
cb_net_curve_server(void *sock, const uint8_t secret[32], struct cb_err *err)
{
	int one = 1;

	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVER, &one, sizeof(one)) < 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, secret, 32) < 0 ||
	    zmq_setsockopt(sock, ZMQ_ZAP_DOMAIN, CB_NET_ZAP_DOMAIN,
		strlen(CB_NET_ZAP_DOMAIN)) < 0)
		return cb_err_set(err, "cannot set up CurveZMQ: %s",
		    zmq_strerror(errno));
	return 0;
}

int
cb_net_curve_server_key(void *sock, const struct cb_seckey *sk,
    struct cb_err *err)
{
	uint8_t curve[32];
	int rc;

	if (cb_sig_curve_secret(sk, curve) < 0)
		return cb_err_set(err, "cannot derive the CurveZMQ key");
	rc = cb_net_curve_server(sock, curve, err);
	cb_sig_wipe(curve, sizeof(curve));
	return rc;
}

int
cb_net_curve_client_key(void *sock, const struct cb_pubkey *server,
    const struct cb_seckey *sk, struct cb_err *err)
{
	uint8_t spub[32], pub[32], sec[32];
	struct cb_pubkey mine;
	int rc;

	cb_seckey_public(sk, &mine);
	if (cb_sig_curve_public(server, spub) < 0 ||
	    cb_sig_curve_public(&mine, pub) < 0 ||
	    cb_sig_curve_secret(sk, sec) < 0)
		return cb_err_set(err, "cannot derive the CurveZMQ keys");
	rc = cb_net_curve_client(sock, spub, pub, sec, err);
	cb_sig_wipe(sec, sizeof(sec));
	return rc;
}

int
cb_net_curve_client(void *sock, const uint8_t server_public[32],
    const uint8_t public[32], const uint8_t secret[32], struct cb_err *err)
{
	if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server_public, 32) < 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, public, 32) < 0 ||
	    zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, secret, 32) < 0)
		return cb_err_set(err, "cannot set up CurveZMQ: %s",
		    zmq_strerror(errno));
	return 0;
}

int
cb_net_bind(void *sock, const char *endpoint, char *last, size_t lastsz,
    struct cb_err *err)
{
	size_t sz = lastsz;

	if (zmq_bind(sock, endpoint) < 0)
		return cb_err_set(err, "cannot bind '%s': %s", endpoint,
		    zmq_strerror(errno));
	if (last != NULL &&
	    zmq_getsockopt(sock, ZMQ_LAST_ENDPOINT, last, &sz) < 0)
		return cb_err_set(err, "cannot read bound endpoint: %s",
		    zmq_strerror(errno));
	return 0;
}

int
cb_net_rebind(void *sock, const char *endpoint, struct cb_err *err)
{
	int waited;

	for (waited = 0; waited < CB_NET_REBIND_MS; waited += 20) {
		if (zmq_bind(sock, endpoint) == 0)
			return 0;
		if (errno != EADDRINUSE)
			break;
		usleep(20000);
	}
	return cb_err_set(err, "cannot bind '%s' again: %s", endpoint,
	    zmq_strerror(errno));
}

void
cb_net_unbind(void *sock, const char *endpoint)
{
	const char *path = endpoint + 6;
	int waited;

	if (zmq_unbind(sock, endpoint) < 0 || strncmp(endpoint, "ipc://", 6) != 0)
		return;
	for (waited = 0; waited < CB_NET_REBIND_MS && access(path, F_OK) == 0;
	     waited += 10)
		usleep(10000);
}

void
cb_net_monitor_stop(void *sock, void *mon)
{
	if (mon == NULL)
		return;
	zmq_socket_monitor(sock, NULL, 0);
	cb_net_close(mon);
}

int
cb_net_connect(void *sock, const char *endpoint, struct cb_err *err)
{
	if (zmq_connect(sock, endpoint) < 0)
		return cb_err_set(err, "cannot connect to '%s': %s", endpoint,
		    zmq_strerror(errno));
	return 0;
}

int
cb_net_send(void *sock, const void *const *data, const size_t *len,
    size_t n, int flags)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int more = i + 1 < n ? ZMQ_SNDMORE : 0;

		if (zmq_send(sock, data[i], len[i], flags | more) < 0)
			return -1;
	}
	return 0;
}

static int
has_more(void *sock)
{
	int more = 0;
	size_t sz = sizeof(more);

	zmq_getsockopt(sock, ZMQ_RCVMORE, &more, &sz);
	return more;
}

int
cb_net_recv(void *sock, struct cb_frames *out, int flags, struct cb_err *err)
{
	zmq_msg_t m;
	int too_many = 0;

	memset(out, 0, sizeof(*out));
	for (;;) {
		zmq_msg_init(&m);
		if (zmq_msg_recv(&m, sock, out->n == 0 ? flags : 0) < 0) {
			int saved = errno;

			zmq_msg_close(&m);
			cb_frames_release(out);
			errno = saved;
			return cb_err_set(err, "receive: %s",
			    zmq_strerror(saved));
		}
		if (out->n == 0) {
			const char *uid = zmq_msg_gets(&m, "User-Id");

			if (uid != NULL)
				snprintf(out->user_id, sizeof(out->user_id),
				    "%s", uid);
		}
		if (out->n < CB_NET_MAXFRAMES) {
			size_t len = zmq_msg_size(&m);

			out->data[out->n] = cb_xmalloc(len + 1);
			memcpy(out->data[out->n], zmq_msg_data(&m), len);
			((char *)out->data[out->n])[len] = '\0';
			out->len[out->n++] = len;
		} else {
			too_many = 1;
		}
		zmq_msg_close(&m);
		if (!has_more(sock))
			break;
	}
	if (too_many) {
		cb_frames_release(out);
		errno = EPROTO;
		return cb_err_set(err, "message has more than %d frames",
		    CB_NET_MAXFRAMES);
	}
	return 0;
}

void
cb_frames_release(struct cb_frames *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		free(f->data[i]);
	memset(f, 0, sizeof(*f));
}

/* "*" or a decimal number from 1 to 65535, digits only. */
static int
port_ok(const char *p)
{
	long n = 0;

	if (strcmp(p, "*") == 0)
		return 1;
	if (*p == '\0' || strlen(p) > 5)
		return 0;
	for (; *p != '\0'; p++) {
		if (*p < '0' || *p > '9')
			return 0;
		n = n * 10 + (*p - '0');
	}
	return n >= 1 && n <= 65535;
}

int
cb_net_endpoint_check(const char *ep, struct cb_err *err)
{
	const char *rest, *colon;

	if (strncmp(ep, "ipc://", 6) == 0 || strncmp(ep, "inproc://", 9) == 0)
		return ep[strcspn(ep, "/") + 2] != '\0' ? 0 :
		    cb_err_set(err, "'%s' names no path", ep);
	if (strncmp(ep, "tcp://", 6) != 0)
		return cb_err_set(err, "'%s' is not tcp://, ipc:// or "
		    "inproc://", ep);
	rest = ep + 6;
	colon = strrchr(rest, ':');
	if (colon == NULL || colon == rest)
		return cb_err_set(err, "'%s' is not tcp://HOST:PORT", ep);
	if (!port_ok(colon + 1))
		return cb_err_set(err, "port '%s' of '%s' is not a number from "
		    "1 to 65535 or *", colon + 1, ep);
	return 0;
}

void *
cb_net_monitor(void *sock, struct cb_err *err)
{
	static unsigned serial; /* a socket may be monitored again */
	char addr[80];
	void *mon;

	snprintf(addr, sizeof(addr), "inproc://cb-monitor-%p-%u", sock,
	    serial++);
	if (zmq_socket_monitor(sock, addr, ZMQ_EVENT_ALL) < 0) {
		cb_err_set(err, "cannot monitor a socket: %s",
		    zmq_strerror(errno));
		return NULL;
	}
	mon = cb_net_socket(ZMQ_PAIR, err);
	if (mon != NULL && cb_net_connect(mon, addr, err) < 0) {
		cb_net_close(mon);
		mon = NULL;
	}
	if (mon == NULL)
		zmq_socket_monitor(sock, NULL, 0);
	return mon;
}

/* Monitor events are two frames: 2 bytes event and 4 bytes value (host
 * order), then the endpoint. */
int
cb_net_monitor_recv(void *mon, struct cb_net_event *ev)
{
	struct cb_frames f;
	uint16_t event;

	if (cb_net_recv(mon, &f, ZMQ_DONTWAIT, NULL) < 0)
		return 0;
	memset(ev, 0, sizeof(*ev));
	if (f.n == 2 && f.len[0] == 6) {
		memcpy(&event, f.data[0], 2);
		memcpy(&ev->value, (const char *)f.data[0] + 2, 4);
		ev->event = event;
		snprintf(ev->endpoint, sizeof(ev->endpoint), "%s",
		    (const char *)f.data[1]);
	}
	cb_frames_release(&f);
	return 1;
}

int
cb_net_link_given_up(enum cb_net_link l)
{
	return l == CB_LINK_REFUSED || l == CB_LINK_MISMATCH ||
	    l == CB_LINK_FAILED;
}

enum cb_net_link
cb_net_link_next(enum cb_net_link cur, const struct cb_net_event *ev)
{
	switch (ev->event) {
	case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
		return CB_LINK_CONNECTED;
	case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
		return CB_LINK_REFUSED;
	case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
		return ev->value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH ?
		    CB_LINK_MISMATCH : CB_LINK_FAILED;
	case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
		return CB_LINK_FAILED;
	case ZMQ_EVENT_CONNECT_RETRIED:
		return CB_LINK_UNREACHABLE;
	case ZMQ_EVENT_DISCONNECTED:
		/* a failed handshake ends in a disconnection: keep why */
		return cur == CB_LINK_CONNECTED ? CB_LINK_LOST : cur;
	default:
		return cur;
	}
}

const char *
cb_net_link_name(enum cb_net_link l)
{
	static const char *const names[] = { "connecting", "connected",
		"not-admitted", "wrong-transport", "handshake-failed",
		"unreachable", "lost" };

	return (size_t)l < sizeof(names) / sizeof(names[0]) ? names[l] : "?";
}
