/*
 * cb_req: the requests channel's frames (canhbao.7), between a
 * subscriber's DEALER socket and the publisher's (or a relay's) ROUTER.
 * Pure encoding and decoding of untrusted bytes; no I/O.
 *
 * Every frame starts with a 9-byte header, big-endian:
 *   0  4  magic "CBR1"
 *   4  1  type
 *   5  4  request id (chosen by the subscriber, echoed in replies)
 *
 *   CATCHUP (1), subscriber -> publisher, one frame of 21 bytes:
 *     9  8  send the messages with a sequence greater than this
 *     17 4  at most this many (the publisher may send fewer)
 *   MSG (2), publisher -> subscriber, three frames: the header frame,
 *     then the message's signed bytes and its signature block, exactly
 *     as journaled (and as broadcast).
 *   END (3), publisher -> subscriber, one frame of 25 bytes, after the
 *     MSG frames of one batch:
 *     9  8  sequence of the last message sent in this batch (or the
 *           CATCHUP's "after" when none was)
 *     17 8  the latest sequence in the journal
 *   SUBMIT (4), subscriber -> publisher, three frames: the header frame,
 *     then the signed bytes and signature block of a message signed by
 *     the agency's key (a receipt, presence or incident report)
 *   CONFIRM (5), publisher -> subscriber, one frame of 26 bytes for
 *   statuses 0 and 2, of 35 + R for statuses 1 and 3:
 *     9  1  status: 0 kept (now or before), 1 refused for good
 *           (malformed, bad signature, over a limit), 2 refused for now
 *           (the key is not a registered agency's: try again later),
 *           3 number taken (the publisher holds other content under
 *           this number from this agency: renumber above "highest")
 *     10 8  key id of the message's signer
 *     18 8  the message's sequence number (the agency's own)
 *     26 8  statuses 1 and 3: the highest number the publisher holds
 *           from this agency for status 3, 0 for status 1
 *     34 1  R, the length of the reason (at most CB_REQ_MAXREASON)
 *     35 R  why, in English: UTF-8 without control characters
 */
#ifndef CB_REQ_H
#define CB_REQ_H

#include <stddef.h>
#include <stdint.h>

#include "cb_err.h"

#define CB_REQ_MAGIC "CBR1"
#define CB_REQ_HDRLEN 9
#define CB_REQ_CATCHUP_LEN 21
#define CB_REQ_END_LEN 25
#define CB_REQ_CONFIRM_LEN 26      /* statuses 0 and 2 */
#define CB_REQ_REFUSAL_LEN 35      /* statuses 1 and 3, before the reason */
#define CB_REQ_MAXREASON 200
#define CB_REQ_MAXLEN (CB_REQ_REFUSAL_LEN + CB_REQ_MAXREASON)
#define CB_REQ_MAXBATCH 1000 /* messages in one reply batch */

enum cb_req_type {
	CB_REQ_CATCHUP = 1,
	CB_REQ_MSG = 2,
	CB_REQ_END = 3,
	CB_REQ_SUBMIT = 4,
	CB_REQ_CONFIRM = 5
};

enum cb_req_status {
	CB_REQ_KEPT = 0,
	CB_REQ_REFUSED = 1,
	CB_REQ_LATER = 2,
	CB_REQ_TAKEN = 3
};

struct cb_req {
	enum cb_req_type type;
	uint32_t id;
	uint64_t after;   /* CATCHUP */
	uint32_t max;     /* CATCHUP */
	uint64_t last;    /* END: last sent */
	uint64_t latest;  /* END: the journal's latest */
	uint8_t status;   /* CONFIRM */
	uint8_t key_id[8];/* CONFIRM */
	uint64_t seq;     /* CONFIRM */
	uint64_t highest; /* CONFIRM, statuses 1 and 3 */
	char reason[CB_REQ_MAXREASON + 1]; /* CONFIRM, statuses 1 and 3 */
};

/* Write a frame of type r->type into buf (at least CB_REQ_MAXLEN
 * bytes); returns its length.  A CONFIRM's reason must be as decoding
 * requires (the publisher's pub_requests makes it so). */
size_t cb_req_encode(const struct cb_req *r, uint8_t *buf);

/* Decode the first frame of a request or reply.  Returns 0, or -1 with
 * err saying what is wrong (bad magic, unknown type, wrong length, a
 * sequence number past CB_SEQ_MAX: every one decoded is in range; a
 * CONFIRM's unknown status, a reason that is not UTF-8 or holds control
 * characters, a "highest" other than 0 with status 1). */
int cb_req_decode(const uint8_t *buf, size_t len, struct cb_req *r,
    struct cb_err *err);

#endif
