/*
 * sub_verify: check archived messages again as they were checked on
 * arrival, like git fsck: each against the publisher key valid at its
 * sequence (the pinned key, then the key each recorded rotation
 * installed, the rotation itself checked in turn), and the columns the
 * lookups read against what is signed.  Prints nothing: "verify" and
 * "export" (sub_lookup) report.
 */
#ifndef SUB_VERIFY_H
#define SUB_VERIFY_H

#include <stdint.h>

#include "cb_err.h"
#include "cb_sig.h"
#include "sub_store.h"

struct sub_verify; /* the chain of keys; opaque */

/* The chain of keys of archive s from the pinned key: every recorded
 * rotation must be signed by the key before it, carry the new key's own
 * proof and name the key stored beside it.  bad (may be NULL) is called
 * for each that does not, with its sequence and the reason; the key
 * stored beside it still signs from there on, so that one damaged
 * rotation does not condemn every message after it.  Free the result
 * with sub_verify_free; NULL with err set when the archive cannot be
 * read. */
struct sub_verify *sub_verify_new(struct sub_store *s,
    const struct cb_pubkey *pinned,
    void (*bad)(uint64_t seq, const char *why, void *), void *arg,
    struct cb_err *err);
void sub_verify_free(struct sub_verify *v);

/* How many rotations the chain holds, and the lowest sequence of a
 * damaged one (0: none). */
size_t sub_verify_rotations(const struct sub_verify *v);
uint64_t sub_verify_first_bad(const struct sub_verify *v);

/* The key valid at sequence seq (after the rotations before it): the
 * key that signed an archived message of that number; seq 0 gives the
 * pinned key.  Borrowed from v. */
const struct cb_pubkey *sub_verify_key_at(const struct sub_verify *v,
    uint64_t seq);

/* Check archived message r (read with its blobs): the signature and
 * trusted comment under the key valid at r->seq, an advisory whose
 * header and content agree with the row's columns (sequence, issue
 * time, id, revision, kind, severity, status, origin, title, published,
 * expires).  0, or -1 with err saying what is wrong. */
int sub_verify_row(const struct sub_verify *v, const struct sub_row *r,
    struct cb_err *err);

#endif
