/*
 * cb_zap: who may connect.  The ZeroMQ Authentication Protocol (ZAP,
 * RFC 27) handler for a daemon's CurveZMQ sockets (the publisher's, a
 * relay's downstream): a REP socket on inproc://zeromq.zap.01 that
 * libzmq asks about every client handshake.  The owner's lookup names
 * the member a client's CurveZMQ public key belongs to (the X25519 form
 * of its Ed25519 key); that name becomes the connection's User-Id,
 * which the requests channel uses for per-member limits.  Everything
 * else is refused and logged with the client's CurveZMQ key in hex
 * (which the subscriber logs as "our CurveZMQ key"), once per
 * CB_ZAP_SAY_MS for each key.  Like cb_serve, it logs what it admits
 * and refuses: that is the daemons' record of who connected.
 */
#ifndef CB_ZAP_H
#define CB_ZAP_H

#include <stddef.h>
#include <stdint.h>

#include "cb_err.h"

#define CB_ZAP_SAY_MS (10 * 60 * 1000)
#define CB_ZAP_SAID_MAX 64 /* refused keys remembered */

/* What a client is: its key is nobody's (0), an agency's or a
 * relay's. */
enum { CB_ZAP_NOBODY, CB_ZAP_AGENCY, CB_ZAP_RELAY };

/* CB_ZAP_AGENCY or CB_ZAP_RELAY with name (NUL-terminated, at most
 * namesz bytes) when curve is a member's CurveZMQ public key,
 * CB_ZAP_NOBODY when it is nobody's. */
typedef int (*cb_zap_lookup_fn)(void *arg, const uint8_t curve[32],
    char *name, size_t namesz);

struct cb_zap;

/* Bind the handler (before any CurveZMQ socket binds); lookup and arg
 * are borrowed.  NULL with err on failure. */
struct cb_zap *cb_zap_open(cb_zap_lookup_fn lookup, void *arg,
    struct cb_err *err);
void cb_zap_close(struct cb_zap *z);

void *cb_zap_socket(const struct cb_zap *z);
/* Answer the waiting handshake requests. */
void cb_zap_serve(struct cb_zap *z);

/* Connections admitted and refused since the start (/metrics). */
unsigned long cb_zap_admitted(const struct cb_zap *z);
unsigned long cb_zap_refused(const struct cb_zap *z);

#endif
