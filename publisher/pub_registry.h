/*
 * pub_registry: the registry message on the broadcast channel
 * (canhbao.7 "Registry"): every agency and relay of the journal, with
 * the registry's generation, signed by the signing key and sent on
 * topic "reg" for the relays, which admit exactly those keys.  It is
 * sent when a relay subscribes (the daemon sees the subscription on
 * its XPUB socket: pub_bcast_subscribed), after each add and remove,
 * and every PUB_REGISTRY_EVERY seconds.  canhbao-sub never subscribes
 * to "reg", so subscribers never receive it.
 *
 * The sealed message is kept and sealed again only when the generation
 * or the signing key changed: its issue time and sequence number are
 * those of its sealing, not of each send.
 */
#ifndef PUB_REGISTRY_H
#define PUB_REGISTRY_H

#include <stdint.h>

#include "cb_err.h"
#include "pub_bcast.h"
#include "pub_journal.h"
#include "pub_seal.h"

#define PUB_REGISTRY_EVERY 60 /* seconds between sends, at most */

struct pub_registry;

/* The journal, the sealer and the socket are borrowed and must
 * outlive the result. */
struct pub_registry *pub_registry_new(struct pub_journal *j,
    struct pub_seal *seal, struct pub_bcast *bcast);
void pub_registry_free(struct pub_registry *r);

/* Send the journal's registry now (sealed again when it or the key
 * changed) and make the next periodic send due PUB_REGISTRY_EVERY
 * from now.  0, or -1 with err (nothing sent). */
int pub_registry_send(struct pub_registry *r, struct cb_err *err);

/* Milliseconds from now_ms (cb_time_mono_ms) to the next periodic
 * send; 0 when it is due. */
long pub_registry_timeout(const struct pub_registry *r, int64_t now_ms);

/* The payload of the journal's registry now (cb_registry_encode's,
 * members sorted by name), its generation in *gen; the caller frees
 * it.  NULL with err. */
char *pub_registry_payload(struct pub_journal *j, uint64_t *gen,
    size_t *len, struct cb_err *err);

#endif
