/*
 * cb_net: the ZeroMQ parts both programs share: one context, sockets
 * with canhbao's limits set, multipart send and bounded receive.
 *
 * Every socket gets ZMQ_LINGER (so shutdown cannot hang) and
 * ZMQ_MAXMSGSIZE (so no peer can make us buffer more than one message's
 * worth); both values are documented in canhbao.7.
 */
#ifndef CB_NET_H
#define CB_NET_H

#include <stddef.h>
#include <stdint.h>

#include "cb_err.h"

#define CB_NET_MAXFRAMES 8
#define CB_NET_MAXMSG (512 * 1024) /* bytes in one frame */
#define CB_NET_LINGER_MS 1000
#define CB_NET_KEEPALIVE_IDLE_S 10 /* silence before the first probe */
#define CB_NET_KEEPALIVE_INTVL_S 2 /* between probes */
#define CB_NET_KEEPALIVE_PROBES 3  /* unanswered: the link is dead */
#define CB_NET_RECONNECT_MAX_MS 5000

struct cb_frames {
	size_t n;
	void *data[CB_NET_MAXFRAMES]; /* owned, each NUL-terminated */
	size_t len[CB_NET_MAXFRAMES];
	char user_id[64]; /* who ZAP said sent it ("" when unknown) */
};

/* 0 when ep is an endpoint canhbao binds or connects to: tcp://HOST:PORT
 * with PORT from 1 to 65535 (or "*", "the system chooses", for a bind),
 * ipc://PATH or inproc://NAME; else -1 with err saying what is wrong.
 * Checks the text only (no lookup, no socket), so that check-config
 * finds a bad port before run does. */
int cb_net_endpoint_check(const char *ep, struct cb_err *err);

/* The process's one ZeroMQ context; created on first use. */
void *cb_net_ctx(void);
/* zmq_ctx_term on the context, if any. */
void cb_net_shutdown(void);

/* The requests channel carries incident reports with attachments: its
 * two ends accept messages up to this size. */
#define CB_NET_MAXMSG_REQUESTS (8 * 1024 * 1024)
void cb_net_set_maxmsg(void *sock, int64_t bytes);

/* A socket of the given ZMQ type with limits set, or NULL. */
void *cb_net_socket(int type, struct cb_err *err);
void cb_net_close(void *sock);

/* TCP keepalive on a connecting socket, so a dead or cut link is
 * noticed and the connection made again (after CB_NET_KEEPALIVE_IDLE_S
 * of silence and CB_NET_KEEPALIVE_PROBES unanswered probes), and
 * reconnection at most CB_NET_RECONNECT_MAX_MS apart.  The kernel
 * sends the probes: unlike ZeroMQ's own heartbeats, which woke the
 * I/O thread every few seconds, they leave an idle process asleep. */
void cb_net_keepalive(void *sock);

/* CurveZMQ.  A server socket (PUB, ROUTER) gets its secret key and asks
 * the ZAP handler (pub_zap) about every client; a client socket (SUB,
 * DEALER) gets the server's public key and its own key pair.  Keys are
 * 32 raw bytes.  Call before bind or connect. */
#define CB_NET_ZAP_DOMAIN "canhbao"
int cb_net_curve_server(void *sock, const uint8_t secret[32],
    struct cb_err *err);
/* The same from an Ed25519 secret key (its X25519 form, wiped after). */
struct cb_seckey;
int cb_net_curve_server_key(void *sock, const struct cb_seckey *sk,
    struct cb_err *err);
int cb_net_curve_client(void *sock, const uint8_t server_public[32],
    const uint8_t public[32], const uint8_t secret[32], struct cb_err *err);
/* The same from the server's Ed25519 public key and our Ed25519 secret
 * key (their X25519 forms; the secret one wiped after). */
struct cb_pubkey;
int cb_net_curve_client_key(void *sock, const struct cb_pubkey *server,
    const struct cb_seckey *sk, struct cb_err *err);

/* Bind; when last is non-NULL it gets the endpoint actually bound
 * (tcp://127.0.0.1:* becomes a real port). */
int cb_net_bind(void *sock, const char *endpoint, char *last, size_t lastsz,
    struct cb_err *err);
int cb_net_connect(void *sock, const char *endpoint, struct cb_err *err);

/* Bind an endpoint another socket has just been closed on: libzmq
 * releases the old listener in its I/O thread, so the address may stay
 * in use for a moment; try again for up to CB_NET_REBIND_MS. */
#define CB_NET_REBIND_MS 3000
int cb_net_rebind(void *sock, const char *endpoint, struct cb_err *err);
/* Stop listening on endpoint (as bound) before the socket is closed and
 * another binds it.  For ipc:// it waits (up to CB_NET_REBIND_MS) until
 * libzmq has removed the socket file, which it does in its I/O thread:
 * else that removal could come after the new bind and take the new
 * socket's file away.  Call it before cb_net_rebind on the new one. */
void cb_net_unbind(void *sock, const char *endpoint);

/* Send n frames as one message; flags may hold ZMQ_DONTWAIT.  Returns 0
 * or -1 (errno from zmq_msg_send). */
int cb_net_send(void *sock, const void *const *data, const size_t *len,
    size_t n, int flags);

/* Receive one whole message.  More than CB_NET_MAXFRAMES frames is an
 * error (the rest is drained).  Release with cb_frames_release.  Returns
 * 0, or -1 with errno set (EAGAIN, EINTR) or err describing the
 * message. */
int cb_net_recv(void *sock, struct cb_frames *out, int flags,
    struct cb_err *err);
void cb_frames_release(struct cb_frames *f);

/* Socket monitor (zmq_socket_monitor, stable API in libzmq 4.3): what
 * happens to a socket's connections, as events read from a PAIR
 * socket.  cb_net_monitor starts it on sock (before its connect or
 * bind) and returns the PAIR to poll, or NULL; close it with
 * cb_net_close before sock.  cb_net_monitor_recv reads one event
 * without waiting: 1, or 0 when none is there. */
struct cb_net_event {
	unsigned event;     /* ZMQ_EVENT_* */
	uint32_t value;     /* ZAP status code, ZMQ_PROTOCOL_ERROR_*... */
	char endpoint[256]; /* the endpoint connected to or bound */
};
void *cb_net_monitor(void *sock, struct cb_err *err);
int cb_net_monitor_recv(void *mon, struct cb_net_event *ev);
/* Stop monitoring sock, then close mon (NULL: nothing to do); in this
 * order, or libzmq would block sending the next event to nobody. */
void cb_net_monitor_stop(void *sock, void *mon);

/* Where a connecting socket stands, as its monitor tells. */
enum cb_net_link {
	CB_LINK_CONNECTING,  /* no answer yet */
	CB_LINK_CONNECTED,   /* handshake succeeded */
	CB_LINK_REFUSED,     /* the server's ZAP handler said no */
	CB_LINK_MISMATCH,    /* plaintext against CurveZMQ, or the reverse */
	CB_LINK_FAILED,      /* handshake failed otherwise (wrong key...) */
	CB_LINK_UNREACHABLE, /* the connection itself fails */
	CB_LINK_LOST         /* was connected, is not any more */
};
/* The state after event ev in state cur.  libzmq does not reconnect
 * after a failed handshake (REFUSED, MISMATCH, FAILED): the caller
 * connects again itself. */
enum cb_net_link cb_net_link_next(enum cb_net_link cur,
    const struct cb_net_event *ev);
/* 1 when libzmq has given the connection up (a failed handshake). */
int cb_net_link_given_up(enum cb_net_link l);
/* Its name in status output and JSON: "connecting", "connected",
 * "not-admitted", "wrong-transport", "handshake-failed", "unreachable",
 * "lost". */
const char *cb_net_link_name(enum cb_net_link l);

#endif
