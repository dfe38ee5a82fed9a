/*
 * cb_recv: what the subscriber does with one message off the wire,
 * before anything else looks at it: check the frames, verify the
 * signature against the pinned keys, and only then parse the advisory
 * inside.  Pure: no I/O, so the unit tests and the fuzzer drive it.
 */
#ifndef CB_RECV_H
#define CB_RECV_H

#include <stddef.h>

#include "cb_adv.h"
#include "cb_err.h"
#include "cb_msg.h"
#include "cb_net.h"
#include "cb_sig.h"

#define CB_MAXTOPIC 64

/* A verified message.  msg points into the frames, which must outlive
 * it; adv is owned (cb_incoming_release). */
struct cb_incoming {
	struct cb_msg msg;
	struct cb_adv adv; /* advisories only */
	const uint8_t *signed_bytes;
	size_t signed_len;
	const uint8_t *sigblock;
	size_t sigblock_len;
};

/* Check a broadcast message of three frames (topic, signed bytes,
 * signature block; canhbao.7).  Returns 0 with out filled, or -1 with
 * err giving the reason to drop it. */
int cb_recv_check(const struct cb_pubkey *keys, size_t nkeys,
    const struct cb_frames *f, struct cb_incoming *out, struct cb_err *err);

/* The same for a stored or caught-up pair of signed bytes and signature
 * block (no topic). */
int cb_recv_open(const struct cb_pubkey *keys, size_t nkeys,
    const uint8_t *signed_bytes, size_t signed_len, const uint8_t *sigblock,
    size_t sigblock_len, struct cb_incoming *out, struct cb_err *err);

void cb_incoming_release(struct cb_incoming *in);

#endif
