/*
 * cb_sig: Ed25519 keys and minisign-format signatures on libsodium
 * (see cb_sig.h).  Layouts, from minisign.h:
 *
 *   public key   "Ed" | keynum[8] | pk[32]                        42 bytes
 *   secret key   "Ed" | kdf "\0\0" | chk "B2" | salt[32] | ops[8]
 *                | mem[8] | keynum[8] | sk[64] | chk[32]          158 bytes
 *   signature    "ED" | keynum[8] | sig[64]                       74 bytes
 *
 * each base64-encoded on the line after an "untrusted comment:" line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cb_file.h"
#include "cb_locale.h"
#include "cb_mem.h"
#include "cb_sig.h"

#define SK_FILE_LEN 158
#define PK_FILE_LEN 42
#define KEYFILE_MAX 4096

struct cb_seckey {
	uint8_t id[CB_SIG_KEYIDLEN];
	uint8_t sk[crypto_sign_SECRETKEYBYTES];
};

int
cb_sig_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

static struct cb_seckey *
seckey_alloc(void)
{
	struct cb_seckey *sk = sodium_malloc(sizeof(*sk));

	if (sk == NULL) {
		fprintf(stderr, "canhbao: cannot allocate secure memory\n");
		exit(2);
	}
	return sk;
}

void
cb_seckey_free(struct cb_seckey *sk)
{
	if (sk != NULL)
		sodium_free(sk); /* wipes before freeing */
}

static void
key_id(const uint8_t pk[CB_SIG_PKLEN], uint8_t id[CB_SIG_KEYIDLEN])
{
	crypto_generichash(id, CB_SIG_KEYIDLEN, pk, CB_SIG_PKLEN, NULL, 0);
}

int
cb_sig_keygen(struct cb_seckey **skp, struct cb_pubkey *pk,
    struct cb_err *err)
{
	struct cb_seckey *sk = seckey_alloc();

	if (crypto_sign_keypair(pk->pk, sk->sk) != 0) {
		cb_seckey_free(sk);
		return cb_err_set(err, _("cannot generate a key pair"));
	}
	key_id(pk->pk, pk->id);
	memcpy(sk->id, pk->id, CB_SIG_KEYIDLEN);
	sodium_mprotect_readonly(sk);
	*skp = sk;
	return 0;
}

void
cb_seckey_public(const struct cb_seckey *sk, struct cb_pubkey *pk)
{
	memcpy(pk->id, sk->id, CB_SIG_KEYIDLEN);
	crypto_sign_ed25519_sk_to_pk(pk->pk, sk->sk);
}

char *
cb_sig_base64(const void *data, size_t len)
{
	size_t n = sodium_base64_ENCODED_LEN(len,
	    sodium_base64_VARIANT_ORIGINAL);
	char *out = cb_xmalloc(n);

	sodium_bin2base64(out, n, data, len, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

/* The base64 line of a key file: the first line that is not a comment. */
static int
decode_keyline(const char *text, uint8_t *out, size_t outlen,
    const char *what, struct cb_err *err)
{
	const char *line = text, *end;
	size_t got = 0;

	while (strncmp(line, "untrusted comment:", 18) == 0) {
		line = strchr(line, '\n');
		if (line == NULL)
			return cb_err_set(err,
			    _("%s: no key after the comment"), what);
		line++;
	}
	end = line + strcspn(line, "\r\n");
	if (sodium_base642bin(out, outlen, line, (size_t)(end - line), NULL,
		&got, NULL, sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    got != outlen)
		return cb_err_set(err, _("%s: not a valid key (bad base64 or "
		    "wrong length)"), what);
	return 0;
}

static void
seckey_chk(const uint8_t *sig_alg, const uint8_t *id, const uint8_t *sk,
    uint8_t chk[32])
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, sig_alg, 2);
	crypto_generichash_update(&st, id, CB_SIG_KEYIDLEN);
	crypto_generichash_update(&st, sk, crypto_sign_SECRETKEYBYTES);
	crypto_generichash_final(&st, chk, 32);
}

int
cb_sig_write_seckey(const char *path, const struct cb_seckey *sk,
    struct cb_err *err)
{
	uint8_t raw[SK_FILE_LEN];
	char id[CB_SIG_KEYIDHEX], *b64, *text;
	int rc;

	memset(raw, 0, sizeof(raw));
	memcpy(raw, "Ed", 2); /* kdf "\0\0": not encrypted */
	memcpy(raw + 4, "B2", 2);
	memcpy(raw + 54, sk->id, CB_SIG_KEYIDLEN);
	memcpy(raw + 62, sk->sk, crypto_sign_SECRETKEYBYTES);
	seckey_chk(raw, sk->id, sk->sk, raw + 126);
	b64 = cb_sig_base64(raw, sizeof(raw));
	text = cb_xasprintf("untrusted comment: canhbao secret key %s\n%s\n",
	    cb_sig_keyid_hex(sk->id, id), b64);
	rc = cb_file_write_new(path, text, strlen(text), 0600, err);
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(b64, strlen(b64));
	sodium_memzero(text, strlen(text));
	free(b64);
	free(text);
	return rc;
}

struct cb_seckey *
cb_sig_read_seckey(const char *path, struct cb_err *err)
{
	uint8_t raw[SK_FILE_LEN], chk[32];
	struct cb_seckey *sk = NULL;
	size_t len;
	char *text;

	text = cb_file_read_secret(path, KEYFILE_MAX, &len, err);
	if (text == NULL)
		return NULL;
	if (decode_keyline(text, raw, sizeof(raw), path, err) < 0)
		goto out;
	if (memcmp(raw, "Ed", 2) != 0 || memcmp(raw + 2, "\0\0", 2) != 0 ||
	    memcmp(raw + 4, "B2", 2) != 0) {
		cb_err_set(err, _("%s: not an unencrypted Ed25519 secret key"),
		    path);
		goto out;
	}
	seckey_chk(raw, raw + 54, raw + 62, chk);
	if (sodium_memcmp(chk, raw + 126, 32) != 0) {
		cb_err_set(err, _("%s: secret key checksum mismatch"), path);
		goto out;
	}
	sk = seckey_alloc();
	memcpy(sk->id, raw + 54, CB_SIG_KEYIDLEN);
	memcpy(sk->sk, raw + 62, crypto_sign_SECRETKEYBYTES);
	sodium_mprotect_readonly(sk);
out:
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(text, len);
	free(text);
	return sk;
}

char *
cb_sig_pubkey_text(const struct cb_pubkey *pk)
{
	uint8_t raw[PK_FILE_LEN];
	char id[CB_SIG_KEYIDHEX], *b64, *text;

	memcpy(raw, "Ed", 2);
	memcpy(raw + 2, pk->id, CB_SIG_KEYIDLEN);
	memcpy(raw + 10, pk->pk, CB_SIG_PKLEN);
	b64 = cb_sig_base64(raw, sizeof(raw));
	text = cb_xasprintf("untrusted comment: minisign public key %s\n%s\n",
	    cb_sig_keyid_hex(pk->id, id), b64);
	free(b64);
	return text;
}

int
cb_sig_write_pubkey(const char *path, const struct cb_pubkey *pk,
    struct cb_err *err)
{
	char *text = cb_sig_pubkey_text(pk);
	int rc = cb_file_write_new(path, text, strlen(text), 0644, err);

	free(text);
	return rc;
}

int
cb_sig_parse_pubkey(const char *text, struct cb_pubkey *pk,
    struct cb_err *err)
{
	uint8_t raw[PK_FILE_LEN];

	if (decode_keyline(text, raw, sizeof(raw), "public key", err) < 0)
		return -1;
	if (memcmp(raw, "Ed", 2) != 0)
		return cb_err_set(err, _("public key: not an Ed25519 key"));
	memcpy(pk->id, raw + 2, CB_SIG_KEYIDLEN);
	memcpy(pk->pk, raw + 10, CB_SIG_PKLEN);
	return 0;
}

int
cb_sig_read_pubkey(const char *path, struct cb_pubkey *pk, struct cb_err *err)
{
	char *text = cb_file_read(path, KEYFILE_MAX, 0, NULL, err);
	int rc;

	if (text == NULL)
		return -1;
	rc = cb_sig_parse_pubkey(text, pk, err);
	if (rc < 0)
		cb_err_prefix(err, "%s", path);
	free(text);
	return rc;
}

void
cb_sig_sign(const struct cb_seckey *sk, const void *msg, size_t len,
    uint8_t sig[CB_SIG_LEN])
{
	uint8_t h[crypto_generichash_BYTES_MAX];

	crypto_generichash(h, sizeof(h), msg, len, NULL, 0);
	crypto_sign_detached(sig, NULL, h, sizeof(h), sk->sk);
}

int
cb_sig_verify(const struct cb_pubkey *pk, const void *msg, size_t len,
    const uint8_t sig[CB_SIG_LEN])
{
	uint8_t h[crypto_generichash_BYTES_MAX];

	crypto_generichash(h, sizeof(h), msg, len, NULL, 0);
	return crypto_sign_verify_detached(sig, h, sizeof(h), pk->pk) == 0 ?
	    0 : -1;
}

static uint8_t *
comment_message(const uint8_t sig[CB_SIG_LEN], const char *comment,
    size_t comment_len)
{
	uint8_t *m = cb_xmalloc(CB_SIG_LEN + comment_len);

	memcpy(m, sig, CB_SIG_LEN);
	memcpy(m + CB_SIG_LEN, comment, comment_len);
	return m;
}

void
cb_sig_sign_comment(const struct cb_seckey *sk,
    const uint8_t sig[CB_SIG_LEN], const char *comment, size_t comment_len,
    uint8_t gsig[CB_SIG_LEN])
{
	uint8_t *m = comment_message(sig, comment, comment_len);

	crypto_sign_detached(gsig, NULL, m, CB_SIG_LEN + comment_len, sk->sk);
	free(m);
}

int
cb_sig_verify_comment(const struct cb_pubkey *pk,
    const uint8_t sig[CB_SIG_LEN], const char *comment, size_t comment_len,
    const uint8_t gsig[CB_SIG_LEN])
{
	uint8_t *m = comment_message(sig, comment, comment_len);
	int rc;

	rc = crypto_sign_verify_detached(gsig, m, CB_SIG_LEN + comment_len,
	    pk->pk);
	free(m);
	return rc == 0 ? 0 : -1;
}

char *
cb_sig_keyid_hex(const uint8_t id[CB_SIG_KEYIDLEN], char *out)
{
	int i;

	for (i = 0; i < CB_SIG_KEYIDLEN; i++)
		snprintf(out + 2 * i, 3, "%02X", id[CB_SIG_KEYIDLEN - 1 - i]);
	return out;
}

char *
cb_sig_minisig_text(const uint8_t id[CB_SIG_KEYIDLEN],
    const uint8_t sig[CB_SIG_LEN], const char *comment,
    const uint8_t gsig[CB_SIG_LEN])
{
	uint8_t raw[2 + CB_SIG_KEYIDLEN + CB_SIG_LEN];
	char *b64sig, *b64g, *text;

	memcpy(raw, "ED", 2);
	memcpy(raw + 2, id, CB_SIG_KEYIDLEN);
	memcpy(raw + 2 + CB_SIG_KEYIDLEN, sig, CB_SIG_LEN);
	b64sig = cb_sig_base64(raw, sizeof(raw));
	b64g = cb_sig_base64(gsig, CB_SIG_LEN);
	text = cb_xasprintf("untrusted comment: signature from canhbao "
			    "publisher key\n%s\ntrusted comment: %s\n%s\n",
	    b64sig, comment, b64g);
	free(b64sig);
	free(b64g);
	return text;
}

void
cb_sig_hash(const void *data, size_t len, uint8_t out[32])
{
	crypto_generichash(out, 32, data, len, NULL, 0);
}

void
cb_sig_sha512(const void *data, size_t len, uint8_t out[64])
{
	crypto_hash_sha512(out, data, len);
}

int
cb_sig_unhex(const char *hex, size_t hexlen, uint8_t *out, size_t outlen)
{
	size_t n = 0;

	if (hexlen < 2 * outlen ||
	    sodium_hex2bin(out, outlen, hex, 2 * outlen, NULL, &n, NULL) != 0)
		return -1;
	return n == outlen ? 0 : -1;
}

void
cb_sig_random(void *buf, size_t len)
{
	randombytes_buf(buf, len);
}

int
cb_sig_memcmp(const void *a, const void *b, size_t len)
{
	return sodium_memcmp(a, b, len);
}

int
cb_sig_curve_public(const struct cb_pubkey *pk, uint8_t out[32])
{
	return crypto_sign_ed25519_pk_to_curve25519(out, pk->pk) == 0 ? 0 : -1;
}

int
cb_sig_curve_secret(const struct cb_seckey *sk, uint8_t out[32])
{
	return crypto_sign_ed25519_sk_to_curve25519(out, sk->sk) == 0 ? 0 : -1;
}

void
cb_sig_wipe(void *p, size_t len)
{
	sodium_memzero(p, len);
}

void
cb_sig_sign_plain(const struct cb_seckey *sk, const void *msg, size_t len,
    uint8_t sig[CB_SIG_LEN])
{
	crypto_sign_detached(sig, NULL, msg, len, sk->sk);
}

int
cb_sig_verify_plain(const struct cb_pubkey *pk, const void *msg, size_t len,
    const uint8_t sig[CB_SIG_LEN])
{
	return crypto_sign_verify_detached(sig, msg, len, pk->pk) == 0 ? 0 : -1;
}

void
cb_sig_pubkey_bin(const struct cb_pubkey *pk, uint8_t out[CB_SIG_PKBIN])
{
	memcpy(out, "Ed", 2);
	memcpy(out + 2, pk->id, CB_SIG_KEYIDLEN);
	memcpy(out + 2 + CB_SIG_KEYIDLEN, pk->pk, CB_SIG_PKLEN);
}

int
cb_sig_pubkey_from_bin(const uint8_t in[CB_SIG_PKBIN], struct cb_pubkey *pk)
{
	uint8_t id[CB_SIG_KEYIDLEN];

	if (memcmp(in, "Ed", 2) != 0)
		return -1;
	memcpy(pk->id, in + 2, CB_SIG_KEYIDLEN);
	memcpy(pk->pk, in + 2 + CB_SIG_KEYIDLEN, CB_SIG_PKLEN);
	key_id(pk->pk, id); /* canhbao key ids are derived: check it */
	return memcmp(id, pk->id, CB_SIG_KEYIDLEN) == 0 ? 0 : -1;
}

/* The exact number of bytes that len characters of padded base64
 * decode to (what sodium_base642bin will check the text against). */
static size_t
decoded_len(const char *b64, size_t len)
{
	size_t pad = 0;

	while (pad < 2 && len > pad && b64[len - 1 - pad] == '=')
		pad++;
	len -= pad;
	return len / 4 * 3 + (len % 4 > 1 ? len % 4 - 1 : 0);
}

uint8_t *
cb_sig_unbase64(const char *b64, size_t max, size_t *lenp)
{
	size_t len = strlen(b64), room = decoded_len(b64, len), got = 0;
	uint8_t *out;

	if (room > max)
		return NULL;
	out = cb_xmalloc(room ? room : 1);
	if (sodium_base642bin(out, room, b64, len, NULL, &got, NULL,
		sodium_base64_VARIANT_ORIGINAL) != 0) {
		free(out);
		return NULL;
	}
	*lenp = got;
	return out;
}
