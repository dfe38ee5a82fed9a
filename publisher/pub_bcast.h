/*
 * pub_bcast: the publisher's broadcast socket (XPUB: a PUB that also
 * reads subscriptions, for the registry, pub_registry).  It binds (with CurveZMQ when
 * given a transport key), binds again after an agency is removed, and
 * sends sealed messages as three frames: topic, signed bytes, signature
 * block (canhbao.7).  It never signs nor journals: pub_seal does, and
 * hands it only messages the journal has committed.
 */
#ifndef PUB_BCAST_H
#define PUB_BCAST_H

#include <stddef.h>

#include "cb_err.h"
#include "cb_msg.h"
#include "cb_sig.h"

struct pub_bcast;

/* Bind a PUB socket on endpoint.  transport, when not NULL, is the key
 * whose X25519 form serves CurveZMQ (NULL: plaintext); it is borrowed
 * and must outlive the result.  bound gets the actual endpoint. */
struct pub_bcast *pub_bcast_open(const char *endpoint,
    const struct cb_seckey *transport, char *bound, size_t boundsz,
    struct cb_err *err);

/* Close and bind again on the same endpoint: every subscriber is
 * disconnected and must pass ZAP again (after an agency is removed). */
int pub_bcast_rebind(struct pub_bcast *b, struct cb_err *err);
void pub_bcast_close(struct pub_bcast *b);
/* Log the clients that tried the wrong transport (pub_watch). */
void pub_bcast_watch(struct pub_bcast *b);
/* Subscriber connections open now (pub_watch_open); a rebind starts
 * again from 0, as every subscriber then connects again. */
long pub_bcast_connected(struct pub_bcast *b);

/* The socket, to poll for subscriptions (ZMQ_POLLIN); it changes with
 * each rebind. */
void *pub_bcast_socket(struct pub_bcast *b);

/* Read the subscriptions waiting (without blocking): 1 when one of
 * them is to a prefix of topic (the empty one included: it takes every
 * topic), else 0.  Unsubscriptions are read and ignored. */
int pub_bcast_subscribed(struct pub_bcast *b, const char *topic);

/* Call fn(arg, topic) for each message given to pub_bcast_send, sent
 * or not (a committed one: pub_seal sends nothing else). */
void pub_bcast_on_send(struct pub_bcast *b,
    void (*fn)(void *arg, const char *topic), void *arg);

/* Send s on topic without blocking (PUB drops for a subscriber over its
 * high-water mark; catch-up covers it).  s stays the caller's.
 * Returns 0, or -1 with err saying why nothing was sent. */
int pub_bcast_send(struct pub_bcast *b, const char *topic,
    const struct cb_sealed *s, struct cb_err *err);

#endif
