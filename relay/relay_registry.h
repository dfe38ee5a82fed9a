/*
 * relay_registry: who may connect to a relay.  The publisher's registry
 * (cb_registry, message type 7), verified under its current signing key
 * and kept as the signed bytes it came in (forwarded and re-sent
 * downstream unchanged), with the CurveZMQ public key of every member
 * (agencies and relays) for the ZAP handler.  Until one arrives nobody
 * is admitted.  Pure: no I/O; the daemon stores and logs.
 */
#ifndef RELAY_REGISTRY_H
#define RELAY_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "cb_err.h"
#include "cb_registry.h"
#include "cb_sig.h"

struct relay_registry {
	struct cb_registry reg;   /* generation 0: none yet */
	uint8_t (*curve)[32];     /* reg.n CurveZMQ keys */
	uint8_t *signed_bytes;    /* owned: as it came */
	size_t signed_len;
	uint8_t *sigblock;        /* owned */
	size_t sigblock_len;
};

enum relay_registry_news {
	RELAY_REGISTRY_OLDER,  /* an older generation: ignored */
	RELAY_REGISTRY_SAME,   /* the same generation: a refresh */
	RELAY_REGISTRY_NEWER   /* taken: it replaces ours */
};

void relay_registry_init(struct relay_registry *r);
void relay_registry_release(struct relay_registry *r);

/* Verify a registry message (signed bytes, signature block) under key
 * and decode it.  0 with *news saying what it is to r (NEWER: r holds
 * it now, and *gone is how many members of the old one it lacks), or
 * -1 with err (r unchanged). */
int relay_registry_take(struct relay_registry *r, const struct cb_pubkey *key,
    const uint8_t *sb, size_t sblen, const uint8_t *sig, size_t siglen,
    enum relay_registry_news *news, size_t *gone, struct cb_err *err);

/* The member whose CurveZMQ public key is curve: CB_ZAP_AGENCY or
 * CB_ZAP_RELAY with its name, or CB_ZAP_NOBODY (cb_zap_lookup_fn; arg
 * is the struct relay_registry). */
int relay_registry_lookup(void *arg, const uint8_t curve[32], char *name,
    size_t namesz);

#endif
