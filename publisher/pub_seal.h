/*
 * pub_seal: what makes a message the publisher's.  Each message gets
 * the next sequence number (and an advisory its revision, decided here
 * and nowhere else), is signed into its envelope with the signing key,
 * written to the journal and committed, and only then handed to
 * pub_bcast to send.  So a crash never reuses a sequence number and
 * never loses a message a subscriber could have seen.
 *
 * The messages of one feed document form one group: one journal
 * transaction, and nothing of it is sent before that commits.
 */
#ifndef PUB_SEAL_H
#define PUB_SEAL_H

#include <stdint.h>

#include "cb_adv.h"
#include "cb_err.h"
#include "cb_sig.h"
#include "pub_bcast.h"
#include "pub_journal.h"

struct pub_seal;

/* sk signs; identity (publisher.key, which may be sk) certifies each
 * signing key, in every heartbeat and in each rotation (cb_msg.h).  The
 * keys, the journal and the socket are borrowed and must outlive the
 * result. */
struct pub_seal *pub_seal_new(const struct cb_seckey *identity,
    const struct cb_seckey *sk, struct pub_journal *journal,
    struct pub_bcast *bcast);

/* Drops (unsent) what an open group holds. */
void pub_seal_free(struct pub_seal *s);

/* What pub_seal_advisory did. */
enum pub_seal_result {
	PUB_SEAL_SENT = 0,    /* sealed and journaled (and sent, or held) */
	PUB_SEAL_NOTHING = 1, /* a feed's cancel of an id never published */
};

/* Publish adv.  First decide what the publisher assigns: a local id
 * "local:YEAR-SEQ" when it has none, its revision (1 for an id the
 * journal does not know, else the journal's latest + 1; kind new
 * becomes update for a known id), its source ("local" when none) and
 * its published/updated times.  Then seal, journal and send it.
 *
 * item, when not NULL, is the feed item adv came from, journaled with
 * it.  A feed may update or cancel an item that was never published
 * (it was before the backfill window, or expired): the update is then
 * published as new, and the cancel is only recorded as seen
 * (PUB_SEAL_NOTHING).  Without item (staff), an update or cancel of an
 * unknown id is an error.
 *
 * *seq gets the sequence number.  Returns a pub_seal_result, or -1 with
 * nothing journaled or sent. */
int pub_seal_advisory(struct pub_seal *s, struct cb_adv *adv,
    const struct pub_item_ref *item, uint64_t *seq, struct cb_err *err);

/* Group the advisories of one feed document into one journal
 * transaction: between begin and commit, pub_seal_advisory journals but
 * holds the messages back; commit makes them durable and only then
 * sends them, in order; abort drops them all, unsent. */
int pub_seal_begin(struct pub_seal *s, struct cb_err *err);
int pub_seal_commit(struct pub_seal *s, struct cb_err *err);
void pub_seal_abort(struct pub_seal *s);

/* Rotate the signing key to new_sk: a ROTATE message signed by the
 * current key and carrying new_sk's proof and its certificate by the
 * identity key (cb_msg.h) is journaled;
 * then installed(arg) runs (it puts the new key file in place), the
 * message is sent on topic "key", and from then on new_sk signs.
 * new_sk is borrowed like the first key.  *seq gets the sequence.
 * Returns 0; -1 when nothing happened; -2 when the rotation happened
 * (journaled, sent, new_sk signs) but installed() failed (err says
 * why). */
int pub_seal_rotation(struct pub_seal *s, const struct cb_seckey *new_sk,
    int (*installed)(void *arg, struct cb_err *err), void *arg,
    uint64_t *seq, struct cb_err *err);

/* Seal and send a heartbeat carrying the latest committed sequence
 * number and the certificates of the identity and signing keys (not
 * journaled). */
int pub_seal_heartbeat(struct pub_seal *s, struct cb_err *err);

/* Seal a registry message (type CB_MSG_REGISTRY, canhbao.7
 * "Registry") of generation with the signing key: payload (len bytes,
 * cb_registry_encode's) under the latest committed sequence number and
 * the time now.  Neither journaled nor sent: the caller owns out
 * (cb_sealed_release) and sends it (pub_registry). */
int pub_seal_registry(struct pub_seal *s, uint64_t generation,
    const void *payload, size_t len, struct cb_sealed *out,
    struct cb_err *err);

/* The key id of the key that signs now (it changes with a rotation). */
void pub_seal_key_id(const struct pub_seal *s, uint8_t id[CB_SIG_KEYIDLEN]);

/* Advisories of origin sealed and sent since the start (those of a
 * group count once it commits; /metrics). */
unsigned long pub_seal_published(const struct pub_seal *s,
    enum cb_origin origin);

#endif
