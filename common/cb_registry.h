/*
 * cb_registry: who may connect, as the publisher signs it for relays.
 * The payload of a registry message (type CB_MSG_REGISTRY, topic "reg",
 * canhbao.7 "Registry"): one JSON object
 *
 *   {"generation":N,"members":[{"name":"so-y-te","kind":"agency",
 *     "key":"RWQ..."},...]}
 *
 * where key is the base64 line of the member's minisign public key file
 * and kind is "agency" or "relay".  The publisher writes the members
 * sorted by name; a reader refuses a payload that is not exactly this:
 * an unknown or repeated key, a bad name, a name twice, a generation
 * that is not a whole number from 1 to 2^53.  Pure: no I/O.
 */
#ifndef CB_REGISTRY_H
#define CB_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "cb_err.h"
#include "cb_sig.h"

#define CB_REGISTRY_MAXNAME 64       /* bytes of a member's name */
#define CB_REGISTRY_MAXMEMBERS 20000 /* fits CB_MSG_MAXREGISTRY */
#define CB_REGISTRY_TOPIC "reg"

enum cb_registry_kind {
	CB_REGISTRY_AGENCY = 0,
	CB_REGISTRY_RELAY = 1
};

struct cb_registry_member {
	char name[CB_REGISTRY_MAXNAME + 1];
	enum cb_registry_kind kind;
	struct cb_pubkey key;
};

/* A decoded registry; owns members. */
struct cb_registry {
	uint64_t generation;
	struct cb_registry_member *members;
	size_t n;
};

/* 1 when name may name a member: 1 to CB_REGISTRY_MAXNAME bytes of
 * ASCII letters, digits, '-', '_' and '.'. */
int cb_registry_name_ok(const char *name);

const char *cb_registry_kind_name(enum cb_registry_kind kind);

/* The payload for generation gen and the n members (in the order
 * given: the caller sorts them by name), NUL-terminated; the caller
 * frees it.  NULL with err set when a member's name is not valid. */
char *cb_registry_encode(uint64_t gen, const struct cb_registry_member *m,
    size_t n, size_t *lenp, struct cb_err *err);

/* Read len bytes of payload into r (release it with
 * cb_registry_release).  0, or -1 with err naming what is wrong and
 * where (the member's index). */
int cb_registry_decode(const uint8_t *payload, size_t len,
    struct cb_registry *r, struct cb_err *err);
void cb_registry_release(struct cb_registry *r);

/* The member whose Ed25519 key has key id id, or NULL. */
const struct cb_registry_member *cb_registry_find_key(
    const struct cb_registry *r, const uint8_t id[CB_SIG_KEYIDLEN]);

#endif
