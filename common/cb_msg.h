/*
 * cb_msg: the signed envelope, byte by byte as canhbao.7 specifies.
 *
 * A message travels as two parts: the signed bytes (what the subscriber
 * stores and what an export writes to FILE) and the signature block
 * (what goes into FILE.minisig).
 *
 *   signed bytes, big-endian:
 *     0   4  magic "CBM1"
 *     4   1  type, enum cb_msg_type: from the publisher 1 advisory,
 *            2 heartbeat, 3 key rotation, 7 registry (for relays); from
 *            an agency, on the requests channel, 4 receipt, 5 presence,
 *            6 incident report
 *     5   8  key id of the signing key (minisign key number)
 *     13  8  sequence number: advisories and rotations are journaled and
 *            numbered 1, 2, ... per publisher; a heartbeat carries the
 *            latest journaled number; types 4 to 6 carry the agency's
 *            own outbox number
 *     21  8  issue time, milliseconds since 1970-01-01 UTC
 *     29  4  payload length N (at most cb_msg_max_payload(type))
 *     33  N  payload: advisory, its canonical JSON (cb_adv_to_json);
 *            heartbeat, certificates (below) or empty; rotation,
 *            CB_MSG_ROTATE_LEN bytes and a certificate (below);
 *            receipt, presence and report, the JSON canhbao.7 gives
 *
 * cb_msg_open accepts every type above; a receiver of the publisher's
 * messages refuses 4 to 6 itself (canhbao.7, "MUST refuse any type but
 * 1, 2 and 3").
 *
 *   signature block:
 *     0   2  "ED"
 *     2   8  key id (same as in the signed bytes)
 *     10  64 Ed25519 signature of BLAKE2b-512(signed bytes)
 *     74  64 Ed25519 signature of (the 64 bytes above || comment)
 *     138 2  comment length C (at most CB_MSG_MAXCOMMENT)
 *     140 C  trusted comment, printable ASCII
 */
#ifndef CB_MSG_H
#define CB_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "cb_err.h"
#include "cb_sig.h"

#define CB_MSG_MAGIC "CBM1"
#define CB_MSG_HDRLEN 33
#define CB_MSG_SIGHDRLEN 140
/* Where the fields of the signature block start (the table above). */
#define CB_MSG_SB_KEYID 2
#define CB_MSG_SB_SIG 10
#define CB_MSG_SB_GSIG 74
#define CB_MSG_SB_CLEN 138
#define CB_MSG_MAXCOMMENT 256
#define CB_MSG_MAXPAYLOAD (256 * 1024)
#define CB_MSG_MAXSIGNED (CB_MSG_HDRLEN + CB_MSG_MAXPAYLOAD)
#define CB_MSG_MAXSIGBLOCK (CB_MSG_SIGHDRLEN + CB_MSG_MAXCOMMENT)

enum cb_msg_type {
	CB_MSG_ADVISORY = 1,
	CB_MSG_HEARTBEAT = 2,
	CB_MSG_ROTATE = 3,   /* the publisher's signing key changes */
	/* The way back, signed by an agency's key; the sequence number is
	 * the agency's own (its outbox), so the publisher keeps each once. */
	CB_MSG_RECEIPT = 4,  /* an advisory was archived or acknowledged */
	CB_MSG_PRESENCE = 5, /* the agency's subscriber is alive */
	CB_MSG_REPORT = 6,   /* an incident report */
	/* The publisher's list of who may connect, for relays
	 * (cb_registry.h): not journaled, seq as a heartbeat's. */
	CB_MSG_REGISTRY = 7
};

/* Incident reports carry attachments and may be larger than the rest. */
#define CB_MSG_MAXREPORT (6 * 1024 * 1024)
/* A registry names every agency and relay (about 150 bytes each). */
#define CB_MSG_MAXREGISTRY (4 * 1024 * 1024)

/*
 * A key rotation's payload: the new key, and the new key's own signature
 * over a statement naming the old key and the sequence number, so the
 * message is signed by both (the old key signs the envelope); then the
 * new key's certificate (publishers before it sent none):
 *
 *   0   42  new public key, minisign binary form ("Ed" | key id | key)
 *   42  64  Ed25519 (plain, not prehashed) by the new key over
 *           "canhbao-rotate-v1" | old key id (8) | new key (42) |
 *           sequence (8, big-endian)
 *   106 B   certificate of the new key (below), 140 to 396 bytes
 *
 * A certificate of a signing key is a signature block (the layout of
 * the second part above) by the identity key (publisher.key, the key
 * subscribers pin) over the exact bytes of the signing key's public key
 * file (cb_sig_pubkey_text), with the trusted comment "canhbao signing
 * key KEYID of publisher IDKEYID".  Exported beside the key file as
 * FILE.pub.minisig, stock minisign checks it with publisher.pub.  The
 * identity key certifies itself the same way.
 *
 * A heartbeat's payload is a list of certificate entries, each the key
 * (42 bytes, minisign binary form) followed by its certificate: the
 * identity key's, then the signing key's when it is another.
 */
#define CB_MSG_ROTATE_LEN (42 + 64)
#define CB_MSG_ROTATE_TAG "canhbao-rotate-v1"

/* A message as sealed by the publisher; owns both buffers. */
struct cb_sealed {
	uint8_t *signed_bytes;
	size_t signed_len;
	uint8_t *sigblock;
	size_t sigblock_len;
};

/* A verified message.  payload and the signature fields point into the
 * buffers given to cb_msg_open, which must outlive this struct. */
struct cb_msg {
	enum cb_msg_type type;
	uint8_t key_id[CB_SIG_KEYIDLEN];
	uint64_t seq;
	int64_t issued_ms;
	const uint8_t *payload;
	size_t payload_len;
	const uint8_t *sig;  /* 64 bytes */
	const uint8_t *gsig; /* 64 bytes */
	char comment[CB_MSG_MAXCOMMENT + 1];
};

/* The largest payload a message of this type may carry. */
size_t cb_msg_max_payload(enum cb_msg_type type);

/* Build and sign a message.  comment is the trusted comment (printable
 * ASCII, at most CB_MSG_MAXCOMMENT bytes).  Release out with
 * cb_sealed_release. */
int cb_msg_seal(const struct cb_seckey *sk, enum cb_msg_type type,
    uint64_t seq, int64_t issued_ms, const void *payload, size_t payload_len,
    const char *comment, struct cb_sealed *out, struct cb_err *err);
void cb_sealed_release(struct cb_sealed *s);

/* Check a received message against the trusted keys, in this order:
 * sizes and layout of the signature block, key id among keys[0..nkeys),
 * signature over the signed bytes, global signature over the comment;
 * only then the header of the signed bytes is read.  Returns 0 and
 * fills out, or -1 with err saying why. */
int cb_msg_open(const struct cb_pubkey *keys, size_t nkeys,
    const uint8_t *signed_bytes, size_t signed_len, const uint8_t *sigblock,
    size_t sigblock_len, struct cb_msg *out, struct cb_err *err);

/* The layout of a signature block alone (length, algorithm, comment
 * length and characters), as cb_msg_open checks it first: 0 with
 * *clen the comment's length, or -1 with err.  Verifies nothing. */
int cb_msg_check_sigblock(const uint8_t *sigblock, size_t sigblock_len,
    size_t *clen, struct cb_err *err);

/* "advisory", "heartbeat", "key rotation", "receipt", "presence",
 * "incident report", or "unknown". */
const char *cb_msg_type_name(enum cb_msg_type type);

/* The rotation payload for moving from the key old_id to new_sk. */
void cb_msg_rotation(const struct cb_seckey *new_sk,
    const uint8_t old_id[CB_SIG_KEYIDLEN], uint64_t seq,
    uint8_t out[CB_MSG_ROTATE_LEN]);

/* Check a verified ROTATE message (its envelope already verified by the
 * old key): the new key's signature must hold, and a certificate, when
 * there is one, must be laid out as a signature block (its signature is
 * checked by cb_msg_cert_check, against the identity key).  Returns 0
 * with *next set, or -1. */
int cb_msg_rotation_check(const struct cb_msg *m, struct cb_pubkey *next,
    struct cb_err *err);

/* The certificate a checked ROTATE message carries, pointing into its
 * payload, with *lenp its length; NULL when it carries none. */
const uint8_t *cb_msg_rotation_cert(const struct cb_msg *m, size_t *lenp);

/* The certificate of pk by the identity key (malloc'd, *lenp bytes; the
 * caller frees it). */
uint8_t *cb_msg_certify(const struct cb_seckey *identity,
    const struct cb_pubkey *pk, size_t *lenp);

/* 0 when cert is identity's certificate of pk, else -1 with err. */
int cb_msg_cert_check(const struct cb_pubkey *identity,
    const struct cb_pubkey *pk, const uint8_t *cert, size_t len,
    struct cb_err *err);

/* One certificate entry of a heartbeat's payload: pk, then its
 * certificate by identity (malloc'd, *lenp bytes). */
uint8_t *cb_msg_cert_entry(const struct cb_seckey *identity,
    const struct cb_pubkey *pk, size_t *lenp);

/* Walk the certificate entries of a heartbeat's payload (p, len),
 * calling fn with each key and its certificate (borrowed), in order,
 * once the certificate verifies under identity.  Returns 0, or -1 with
 * err at the first entry that is malformed or does not verify (those
 * before it have been handed to fn). */
int cb_msg_cert_entries(const uint8_t *p, size_t len,
    const struct cb_pubkey *identity,
    void (*fn)(const struct cb_pubkey *, const uint8_t *, size_t, void *),
    void *arg, struct cb_err *err);

/* The text of the .minisig file that stock minisign verifies the signed
 * bytes with, made from a signature block (layout checked, signatures
 * not: the archive holds only messages verified on arrival).  The
 * caller frees it; NULL with err set for a malformed block. */
char *cb_msg_minisig(const uint8_t *sigblock, size_t sigblock_len,
    struct cb_err *err);

#endif
