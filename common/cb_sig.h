/*
 * cb_sig: Ed25519 keys and signatures in minisign's formats.  The only
 * file that includes <sodium.h>.
 *
 * Signatures are minisign's "ED" kind: Ed25519 over the BLAKE2b-512
 * hash of the message.  A global signature, Ed25519 over the signature
 * followed by a trusted comment, binds that comment to the message, so
 * an archived advisory exports as a file plus a .minisig that stock
 * minisign verifies.  Key ids are minisign's 8-byte key numbers; canhbao
 * derives them from the public key (BLAKE2b-64) so that they are stable.
 *
 * Secret keys live only in sodium_malloc'd memory (guard pages, locked,
 * read-only between uses) behind the opaque struct cb_seckey.
 */
#ifndef CB_SIG_H
#define CB_SIG_H

#include <stddef.h>
#include <stdint.h>

#include "cb_err.h"

#define CB_SIG_KEYIDLEN 8
#define CB_SIG_PKLEN 32
#define CB_SIG_LEN 64
#define CB_SIG_KEYIDHEX 17 /* 16 hex digits and NUL */

struct cb_pubkey {
	uint8_t id[CB_SIG_KEYIDLEN];
	uint8_t pk[CB_SIG_PKLEN];
};

struct cb_seckey; /* opaque */

/* sodium_init(); call once at the start of main.  Returns 0 or -1. */
int cb_sig_init(void);

/* A new random key pair.  The caller frees *skp with cb_seckey_free. */
int cb_sig_keygen(struct cb_seckey **skp, struct cb_pubkey *pk,
    struct cb_err *err);
/* Wipes and frees; NULL is fine. */
void cb_seckey_free(struct cb_seckey *sk);
/* The public half of sk. */
void cb_seckey_public(const struct cb_seckey *sk, struct cb_pubkey *pk);

/* Key files.  The secret key file is minisign's unencrypted secret key
 * format, created exclusively with mode 0600 (never overwritten).
 * Reading it refuses links, non-regular files and files that group or
 * others can read.  The public key file is minisign's. */
int cb_sig_write_seckey(const char *path, const struct cb_seckey *sk,
    struct cb_err *err);
struct cb_seckey *cb_sig_read_seckey(const char *path, struct cb_err *err);
int cb_sig_write_pubkey(const char *path, const struct cb_pubkey *pk,
    struct cb_err *err);
int cb_sig_read_pubkey(const char *path, struct cb_pubkey *pk,
    struct cb_err *err);
/* The text of a public key file (the caller frees it), for writing it
 * where one may already be (cb_file_write_atomic). */
char *cb_sig_pubkey_text(const struct cb_pubkey *pk);
/* Parse the text of a minisign public key file (or its base64 line). */
int cb_sig_parse_pubkey(const char *text, struct cb_pubkey *pk,
    struct cb_err *err);

/* Prehashed signature: Ed25519(BLAKE2b-512(msg)). */
void cb_sig_sign(const struct cb_seckey *sk, const void *msg, size_t len,
    uint8_t sig[CB_SIG_LEN]);
/* Returns 0 when sig is pk's signature of msg, -1 otherwise. */
int cb_sig_verify(const struct cb_pubkey *pk, const void *msg, size_t len,
    const uint8_t sig[CB_SIG_LEN]);

/* Plain Ed25519 over msg (not prehashed), for the key-rotation proof. */
void cb_sig_sign_plain(const struct cb_seckey *sk, const void *msg,
    size_t len, uint8_t sig[CB_SIG_LEN]);
int cb_sig_verify_plain(const struct cb_pubkey *pk, const void *msg,
    size_t len, const uint8_t sig[CB_SIG_LEN]);

/* A public key in minisign's binary form, "Ed" | key id | key (42
 * bytes), and back (-1 when it is not one). */
#define CB_SIG_PKBIN 42
void cb_sig_pubkey_bin(const struct cb_pubkey *pk, uint8_t out[CB_SIG_PKBIN]);
int cb_sig_pubkey_from_bin(const uint8_t in[CB_SIG_PKBIN],
    struct cb_pubkey *pk);

/* Global signature over sig || comment (comment_len bytes). */
void cb_sig_sign_comment(const struct cb_seckey *sk,
    const uint8_t sig[CB_SIG_LEN], const char *comment, size_t comment_len,
    uint8_t gsig[CB_SIG_LEN]);
int cb_sig_verify_comment(const struct cb_pubkey *pk,
    const uint8_t sig[CB_SIG_LEN], const char *comment, size_t comment_len,
    const uint8_t gsig[CB_SIG_LEN]);

/* Key id as minisign prints it: 16 upper-case hex digits of the key
 * number read as a little-endian integer. */
char *cb_sig_keyid_hex(const uint8_t id[CB_SIG_KEYIDLEN], char *out);

/* The text of a .minisig file for a message whose ED signature, global
 * signature and trusted comment are given.  The caller frees it. */
char *cb_sig_minisig_text(const uint8_t id[CB_SIG_KEYIDLEN],
    const uint8_t sig[CB_SIG_LEN], const char *comment,
    const uint8_t gsig[CB_SIG_LEN]);

/* The X25519 (CurveZMQ) keys derived from an Ed25519 key, so that each
 * party is known by one public key.  The secret goes into a caller's
 * buffer, to be wiped with cb_sig_wipe as soon as it has been handed to
 * the socket.  Return 0, or -1 for a key that does not convert. */
int cb_sig_curve_public(const struct cb_pubkey *pk, uint8_t out[32]);
int cb_sig_curve_secret(const struct cb_seckey *sk, uint8_t out[32]);
void cb_sig_wipe(void *p, size_t len);

/* Base64 (standard, padded) of len bytes; the caller frees it. */
char *cb_sig_base64(const void *data, size_t len);

/* Decode standard (padded) base64 into a malloc'd buffer of at most
 * max bytes, the decoded size computed exactly from the text before
 * anything is allocated (the caller frees it); NULL for bad base64 or
 * more than max bytes. */
uint8_t *cb_sig_unbase64(const char *b64, size_t max, size_t *lenp);

/* BLAKE2b-256 of data, for content hashes (not secret). */
void cb_sig_hash(const void *data, size_t len, uint8_t out[32]);
/* SHA-512 of data (CSAF's .sha512 files). */
void cb_sig_sha512(const void *data, size_t len, uint8_t out[64]);
/* The first 2 * outlen characters of hex, hex digits of either case,
 * into out: 0, or -1 when they are not all hex digits. */
int cb_sig_unhex(const char *hex, size_t hexlen, uint8_t *out, size_t outlen);

/* len random bytes from the system's generator (randombytes_buf). */
void cb_sig_random(void *buf, size_t len);

/* Constant-time comparison: 0 when equal. */
int cb_sig_memcmp(const void *a, const void *b, size_t len);

#endif
