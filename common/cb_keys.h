/*
 * cb_keys: which publisher key the subscriber trusts.  It starts from
 * the pinned key (--publisher-key, the publisher's identity, which also
 * names its CurveZMQ key) and follows key rotations: a ROTATE message,
 * in sequence order, signed by the current key and carrying the new
 * key's own proof (cb_msg.h), makes the new key current; from then on
 * only it is accepted.  Keys named in revoked_keys are never accepted,
 * neither as signer nor as the target of a rotation.
 */
#ifndef CB_KEYS_H
#define CB_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "cb_err.h"
#include "cb_msg.h"
#include "cb_sig.h"

#define CB_KEYS_MAX_REVOKED 64

struct cb_keys {
	struct cb_pubkey identity; /* pinned: the channel's name */
	struct cb_pubkey current;  /* signs from seq `since` on */
	uint64_t since;            /* 0: the identity key still signs */
	uint8_t revoked[CB_KEYS_MAX_REVOKED][CB_SIG_KEYIDLEN];
	size_t nrevoked;
};

/* Start from the pinned key. */
void cb_keys_init(struct cb_keys *k, const struct cb_pubkey *identity);

/* "0123456789ABCDEF 1122334455667788": key ids as minisign and
 * canhbao print them, separated by spaces or commas.  Returns 0 or -1
 * naming the bad one. */
int cb_keys_revoke(struct cb_keys *k, const char *list, struct cb_err *err);

int cb_keys_is_revoked(const struct cb_keys *k, const uint8_t *id);

/* Apply a verified ROTATE message (opened with the current key); the
 * new key's certificate, when it carries one, must verify under the
 * identity key.  Returns 0 with the new key current, or -1 with err
 * saying why not. */
int cb_keys_rotate(struct cb_keys *k, const struct cb_msg *m,
    struct cb_err *err);

/* Parse the 16 hex digits of a key id. */
int cb_keys_parse_id(const char *hex, uint8_t id[CB_SIG_KEYIDLEN]);

#endif
