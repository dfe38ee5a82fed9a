/*
 * pub_bcast: the publisher's outgoing path: sign, journal, broadcast.
 *
 * Each message gets the next sequence number, is sealed with the
 * publisher key, written to the journal and committed, and only then
 * sent on the PUB socket as three frames: topic, signed bytes,
 * signature block (canhbao.7).
 */
#ifndef PUB_BCAST_H
#define PUB_BCAST_H

#include <stdint.h>

#include "cb_adv.h"
#include "cb_err.h"
#include "cb_sig.h"
#include "pub_journal.h"

struct pub_bcast;

/* Bind a PUB socket on endpoint.  sk signs; transport, when not NULL,
 * is the key whose X25519 form serves CurveZMQ (NULL: plaintext).  The
 * keys and the journal are borrowed and must outlive the result.  bound
 * gets the actual endpoint. */
struct pub_bcast *pub_bcast_open(const char *endpoint,
    const struct cb_seckey *sk, const struct cb_seckey *transport,
    struct pub_journal *journal, char *bound, size_t boundsz,
    struct cb_err *err);

/* Close and bind again on the same endpoint: every subscriber is
 * disconnected and must pass ZAP again (after an agency is removed). */
int pub_bcast_rebind(struct pub_bcast *b, struct cb_err *err);

/* Sign with sk from now on (after a key rotation). */
void pub_bcast_set_key(struct pub_bcast *b, const struct cb_seckey *sk);
void pub_bcast_close(struct pub_bcast *b);

/* Publish adv: fills in what the publisher assigns (a local id when it
 * has none, the revision after the journal's latest for its id, source,
 * published/updated times), then seals, journals and broadcasts it.
 * item, when not NULL, is the feed item it came from, journaled with
 * it.
 * *seq gets its sequence number.  Returns 0, or -1 with nothing
 * journaled or sent. */
int pub_bcast_advisory(struct pub_bcast *b, struct cb_adv *adv,
    const struct pub_item_ref *item, uint64_t *seq, struct cb_err *err);

/* Publish a group of advisories (one feed document) in one journal
 * transaction: between begin and commit, pub_bcast_advisory journals
 * but holds the messages back; commit makes them durable and only then
 * broadcasts them, in order; abort drops them all, unsent. */
int pub_bcast_begin(struct pub_bcast *b, struct cb_err *err);
int pub_bcast_commit(struct pub_bcast *b, struct cb_err *err);
void pub_bcast_abort(struct pub_bcast *b);

/* Rotate the signing key to new_sk: a ROTATE message signed by the
 * current key and carrying new_sk's proof (cb_msg.h) is journaled;
 * then installed(arg) runs (it puts the new key file in place), the
 * message is broadcast on topic "key", and from then on new_sk signs.
 * new_sk is borrowed like the first key.  *seq gets the sequence.
 * Returns 0; -1 when nothing happened; -2 when the rotation happened
 * (journaled, sent, new_sk signs) but installed() failed (err says
 * why). */
int pub_bcast_rotation(struct pub_bcast *b, const struct cb_seckey *new_sk,
    int (*installed)(void *arg, struct cb_err *err), void *arg,
    uint64_t *seq, struct cb_err *err);

/* Broadcast a signed heartbeat carrying the latest sequence number
 * (not journaled). */
int pub_bcast_heartbeat(struct pub_bcast *b, struct cb_err *err);

#endif
