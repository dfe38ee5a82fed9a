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

/* Bind a PUB socket on endpoint.  sk and journal are borrowed and must
 * outlive the result.  bound gets the actual endpoint. */
struct pub_bcast *pub_bcast_open(const char *endpoint,
    const struct cb_seckey *sk, struct pub_journal *journal, char *bound,
    size_t boundsz, struct cb_err *err);
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

/* Broadcast a signed heartbeat carrying the latest sequence number
 * (not journaled). */
int pub_bcast_heartbeat(struct pub_bcast *b, struct cb_err *err);

#endif
