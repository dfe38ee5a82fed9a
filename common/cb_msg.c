/* cb_msg: the signed envelope (layout in cb_msg.h and canhbao.7). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_mem.h"
#include "cb_bytes.h"
#include "cb_msg.h"
#include "cb_seq.h"

static int
comment_ok(const char *s, size_t len)
{
	size_t i;

	if (len > CB_MSG_MAXCOMMENT)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

const char *
cb_msg_type_name(enum cb_msg_type type)
{
	switch (type) {
	case CB_MSG_ADVISORY:
		return "advisory";
	case CB_MSG_HEARTBEAT:
		return "heartbeat";
	case CB_MSG_ROTATE:
		return "key rotation";
	case CB_MSG_RECEIPT:
		return "receipt";
	case CB_MSG_PRESENCE:
		return "presence";
	case CB_MSG_REPORT:
		return "incident report";
	case CB_MSG_REGISTRY:
		return "registry";
	}
	return "unknown";
}

size_t
cb_msg_max_payload(enum cb_msg_type type)
{
	if (type == CB_MSG_REPORT)
		return CB_MSG_MAXREPORT;
	if (type == CB_MSG_REGISTRY)
		return CB_MSG_MAXREGISTRY;
	return CB_MSG_MAXPAYLOAD;
}

/* A signature block over data by sk, with comment (checked by the
 * caller); the caller frees it.  *lenp gets its length. */
static uint8_t *
sign_block(const struct cb_seckey *sk, const uint8_t *data, size_t len,
    const char *comment, size_t *lenp)
{
	size_t clen = strlen(comment);
	struct cb_pubkey pk;
	uint8_t *b = cb_xmalloc(CB_MSG_SIGHDRLEN + clen);

	cb_seckey_public(sk, &pk);
	memcpy(b, "ED", 2);
	memcpy(b + CB_MSG_SB_KEYID, pk.id, CB_SIG_KEYIDLEN);
	cb_sig_sign(sk, data, len, b + CB_MSG_SB_SIG);
	cb_sig_sign_comment(sk, b + CB_MSG_SB_SIG, comment, clen,
	    b + CB_MSG_SB_GSIG);
	cb_put_be(b + CB_MSG_SB_CLEN, clen, 2);
	memcpy(b + CB_MSG_SIGHDRLEN, comment, clen);
	*lenp = CB_MSG_SIGHDRLEN + clen;
	return b;
}

int
cb_msg_seal(const struct cb_seckey *sk, enum cb_msg_type type, uint64_t seq,
    int64_t issued_ms, const void *payload, size_t payload_len,
    const char *comment, struct cb_sealed *out, struct cb_err *err)
{
	struct cb_pubkey pk;
	uint8_t *s;

	memset(out, 0, sizeof(*out));
	if (payload_len > cb_msg_max_payload(type))
		return cb_err_set(err, "payload of %zu bytes is over the "
		    "limit of %zu", payload_len, cb_msg_max_payload(type));
	if (!comment_ok(comment, strlen(comment)))
		return cb_err_set(err, "trusted comment is not printable "
		    "ASCII of at most %d bytes", CB_MSG_MAXCOMMENT);
	cb_seckey_public(sk, &pk);
	s = cb_xmalloc(CB_MSG_HDRLEN + payload_len);
	memcpy(s, CB_MSG_MAGIC, 4);
	s[4] = (uint8_t)type;
	memcpy(s + 5, pk.id, CB_SIG_KEYIDLEN);
	cb_put_be(s + 13, seq, 8);
	cb_put_be(s + 21, (uint64_t)issued_ms, 8);
	cb_put_be(s + 29, payload_len, 4);
	if (payload_len > 0)
		memcpy(s + CB_MSG_HDRLEN, payload, payload_len);
	out->signed_bytes = s;
	out->signed_len = CB_MSG_HDRLEN + payload_len;
	out->sigblock = sign_block(sk, s, out->signed_len, comment,
	    &out->sigblock_len);
	return 0;
}

void
cb_sealed_release(struct cb_sealed *s)
{
	free(s->signed_bytes);
	free(s->sigblock);
	memset(s, 0, sizeof(*s));
}

static const struct cb_pubkey *
find_key(const struct cb_pubkey *keys, size_t nkeys, const uint8_t *id)
{
	size_t i;

	for (i = 0; i < nkeys; i++)
		if (memcmp(keys[i].id, id, CB_SIG_KEYIDLEN) == 0)
			return &keys[i];
	return NULL;
}

int
cb_msg_check_sigblock(const uint8_t *b, size_t len, size_t *clen,
    struct cb_err *err)
{
	if (len < CB_MSG_SIGHDRLEN)
		return cb_err_set(err, "signature block is %zu bytes, shorter "
		    "than %d", len, CB_MSG_SIGHDRLEN);
	if (memcmp(b, "ED", 2) != 0)
		return cb_err_set(err, "unknown signature algorithm");
	*clen = (size_t)cb_get_be(b + CB_MSG_SB_CLEN, 2);
	if (*clen > CB_MSG_MAXCOMMENT || len != CB_MSG_SIGHDRLEN + *clen)
		return cb_err_set(err, "signature block length %zu does not "
		    "match its comment length %zu", len, *clen);
	if (!comment_ok((const char *)b + CB_MSG_SIGHDRLEN, *clen))
		return cb_err_set(err, "trusted comment is not printable");
	return 0;
}

static int
read_header(const uint8_t *s, size_t len, const uint8_t *sig_keyid,
    struct cb_msg *out, struct cb_err *err)
{
	uint64_t plen, seq, issued;

	if (len < CB_MSG_HDRLEN)
		return cb_err_set(err, "message is %zu bytes, shorter than "
		    "its header", len);
	if (memcmp(s, CB_MSG_MAGIC, 4) != 0)
		return cb_err_set(err, "bad magic");
	if (memcmp(s + 5, sig_keyid, CB_SIG_KEYIDLEN) != 0)
		return cb_err_set(err, "key id in the message differs from "
		    "the signature's");
	plen = cb_get_be(s + 29, 4);
	if (plen != len - CB_MSG_HDRLEN)
		return cb_err_set(err, "payload length %llu does not match "
		    "message", (unsigned long long)plen);
	if (s[4] < CB_MSG_ADVISORY || s[4] > CB_MSG_REGISTRY)
		return cb_err_set(err, "unknown message type %u", s[4]);
	if (plen > cb_msg_max_payload((enum cb_msg_type)s[4]))
		return cb_err_set(err, "payload of %llu bytes is over the "
		    "limit for its type", (unsigned long long)plen);
	seq = cb_get_be(s + 13, 8);
	issued = cb_get_be(s + 21, 8);
	/* Both are signed 64-bit everywhere they go (SQLite, the clock):
	 * a larger value would turn negative, not count as "late". */
	if (!cb_seq_valid(seq))
		return cb_err_set(err, "sequence number %llu is out of range",
		    (unsigned long long)seq);
	if (issued > (uint64_t)INT64_MAX)
		return cb_err_set(err, "issue time %llu ms is out of range",
		    (unsigned long long)issued);
	out->type = (enum cb_msg_type)s[4];
	memcpy(out->key_id, s + 5, CB_SIG_KEYIDLEN);
	out->seq = seq;
	out->issued_ms = (int64_t)issued;
	out->payload = s + CB_MSG_HDRLEN;
	out->payload_len = (size_t)plen;
	return 0;
}

/* The signature block b (layout checked, comment of clen bytes) over
 * data, by one of keys[0..nkeys): 0, or -1 with err. */
static int
verify_block(const struct cb_pubkey *keys, size_t nkeys, const uint8_t *data,
    size_t len, const uint8_t *b, size_t clen, struct cb_err *err)
{
	const struct cb_pubkey *pk;
	char idhex[CB_SIG_KEYIDHEX];

	pk = find_key(keys, nkeys, b + CB_MSG_SB_KEYID);
	if (pk == NULL)
		return cb_err_set(err, "signed by unknown key %s",
		    cb_sig_keyid_hex(b + CB_MSG_SB_KEYID, idhex));
	if (cb_sig_verify(pk, data, len, b + CB_MSG_SB_SIG) < 0)
		return cb_err_set(err, "bad signature (key %s)",
		    cb_sig_keyid_hex(pk->id, idhex));
	if (cb_sig_verify_comment(pk, b + CB_MSG_SB_SIG,
		(const char *)b + CB_MSG_SIGHDRLEN, clen,
		b + CB_MSG_SB_GSIG) < 0)
		return cb_err_set(err, "bad signature on the trusted comment");
	return 0;
}

int
cb_msg_open(const struct cb_pubkey *keys, size_t nkeys,
    const uint8_t *signed_bytes, size_t signed_len, const uint8_t *sigblock,
    size_t sigblock_len, struct cb_msg *out, struct cb_err *err)
{
	size_t clen = 0;

	memset(out, 0, sizeof(*out));
	if (signed_len > CB_MSG_HDRLEN + CB_MSG_MAXREPORT)
		return cb_err_set(err, "message of %zu bytes is over the limit",
		    signed_len);
	if (cb_msg_check_sigblock(sigblock, sigblock_len, &clen, err) < 0 ||
	    verify_block(keys, nkeys, signed_bytes, signed_len, sigblock, clen,
		err) < 0)
		return -1;
	if (read_header(signed_bytes, signed_len, sigblock + CB_MSG_SB_KEYID,
		out, err) < 0)
		return -1;
	out->sig = sigblock + CB_MSG_SB_SIG;
	out->gsig = sigblock + CB_MSG_SB_GSIG;
	memcpy(out->comment, sigblock + CB_MSG_SIGHDRLEN, clen);
	out->comment[clen] = '\0';
	return 0;
}

char *
cb_msg_minisig(const uint8_t *sigblock, size_t sigblock_len,
    struct cb_err *err)
{
	char comment[CB_MSG_MAXCOMMENT + 1];
	size_t clen;

	if (cb_msg_check_sigblock(sigblock, sigblock_len, &clen, err) < 0)
		return NULL;
	memcpy(comment, sigblock + CB_MSG_SIGHDRLEN, clen);
	comment[clen] = '\0';
	return cb_sig_minisig_text(sigblock + CB_MSG_SB_KEYID, sigblock + CB_MSG_SB_SIG, comment,
	    sigblock + CB_MSG_SB_GSIG);
}

/* The statement the new key signs. */
static void
rotation_statement(const uint8_t old_id[CB_SIG_KEYIDLEN],
    const uint8_t newkey[CB_SIG_PKBIN], uint64_t seq, uint8_t *out)
{
	size_t t = strlen(CB_MSG_ROTATE_TAG);

	memcpy(out, CB_MSG_ROTATE_TAG, t);
	memcpy(out + t, old_id, CB_SIG_KEYIDLEN);
	memcpy(out + t + CB_SIG_KEYIDLEN, newkey, CB_SIG_PKBIN);
	cb_put_be(out + t + CB_SIG_KEYIDLEN + CB_SIG_PKBIN, seq, 8);
}

#define STATEMENT_LEN (17 + CB_SIG_KEYIDLEN + CB_SIG_PKBIN + 8)

void
cb_msg_rotation(const struct cb_seckey *new_sk,
    const uint8_t old_id[CB_SIG_KEYIDLEN], uint64_t seq,
    uint8_t out[CB_MSG_ROTATE_LEN])
{
	uint8_t st[STATEMENT_LEN];
	struct cb_pubkey pk;

	cb_seckey_public(new_sk, &pk);
	cb_sig_pubkey_bin(&pk, out);
	rotation_statement(old_id, out, seq, st);
	cb_sig_sign_plain(new_sk, st, sizeof(st), out + CB_SIG_PKBIN);
}

int
cb_msg_rotation_check(const struct cb_msg *m, struct cb_pubkey *next,
    struct cb_err *err)
{
	uint8_t st[STATEMENT_LEN];
	size_t clen;

	if (m->type != CB_MSG_ROTATE || m->payload_len < CB_MSG_ROTATE_LEN)
		return cb_err_set(err, "key rotation payload of %zu bytes, "
		    "shorter than %d", m->payload_len, CB_MSG_ROTATE_LEN);
	if (m->payload_len > CB_MSG_ROTATE_LEN &&
	    cb_msg_check_sigblock(m->payload + CB_MSG_ROTATE_LEN,
		m->payload_len - CB_MSG_ROTATE_LEN, &clen, err) < 0) {
		cb_err_prefix(err, "key rotation certificate");
		return -1;
	}
	if (cb_sig_pubkey_from_bin(m->payload, next) < 0)
		return cb_err_set(err, "key rotation names a malformed key");
	rotation_statement(m->key_id, m->payload, m->seq, st);
	if (cb_sig_verify_plain(next, st, sizeof(st),
		m->payload + CB_SIG_PKBIN) < 0)
		return cb_err_set(err, "key rotation is not signed by the new "
		    "key");
	return 0;
}

const uint8_t *
cb_msg_rotation_cert(const struct cb_msg *m, size_t *lenp)
{
	if (m->type != CB_MSG_ROTATE || m->payload_len <= CB_MSG_ROTATE_LEN)
		return NULL;
	*lenp = m->payload_len - CB_MSG_ROTATE_LEN;
	return m->payload + CB_MSG_ROTATE_LEN;
}

/* --- certificates of signing keys ------------------------------------ */

uint8_t *
cb_msg_certify(const struct cb_seckey *identity, const struct cb_pubkey *pk,
    size_t *lenp)
{
	char comment[CB_MSG_MAXCOMMENT + 1], keyhex[CB_SIG_KEYIDHEX];
	char idhex[CB_SIG_KEYIDHEX], *text = cb_sig_pubkey_text(pk);
	struct cb_pubkey id;
	uint8_t *b;

	cb_seckey_public(identity, &id);
	snprintf(comment, sizeof(comment), "canhbao signing key %s of "
	    "publisher %s", cb_sig_keyid_hex(pk->id, keyhex),
	    cb_sig_keyid_hex(id.id, idhex));
	b = sign_block(identity, (const uint8_t *)text, strlen(text), comment,
	    lenp);
	free(text);
	return b;
}

int
cb_msg_cert_check(const struct cb_pubkey *identity,
    const struct cb_pubkey *pk, const uint8_t *cert, size_t len,
    struct cb_err *err)
{
	char hex[CB_SIG_KEYIDHEX], *text;
	size_t clen;
	int rc;

	if (cb_msg_check_sigblock(cert, len, &clen, err) < 0)
		return -1;
	text = cb_sig_pubkey_text(pk);
	rc = verify_block(identity, 1, (const uint8_t *)text, strlen(text),
	    cert, clen, err);
	free(text);
	if (rc < 0)
		cb_err_prefix(err, "certificate of key %s",
		    cb_sig_keyid_hex(pk->id, hex));
	return rc;
}

uint8_t *
cb_msg_cert_entry(const struct cb_seckey *identity,
    const struct cb_pubkey *pk, size_t *lenp)
{
	size_t clen;
	uint8_t *cert = cb_msg_certify(identity, pk, &clen);
	uint8_t *e = cb_xmalloc(CB_SIG_PKBIN + clen);

	cb_sig_pubkey_bin(pk, e);
	memcpy(e + CB_SIG_PKBIN, cert, clen);
	free(cert);
	*lenp = CB_SIG_PKBIN + clen;
	return e;
}

int
cb_msg_cert_entries(const uint8_t *p, size_t len,
    const struct cb_pubkey *identity,
    void (*fn)(const struct cb_pubkey *, const uint8_t *, size_t, void *),
    void *arg, struct cb_err *err)
{
	struct cb_pubkey pk;
	size_t clen, blen;

	while (len > 0) {
		if (len < CB_SIG_PKBIN + CB_MSG_SIGHDRLEN)
			return cb_err_set(err, "certificate entry of %zu "
			    "bytes is too short", len);
		clen = (size_t)cb_get_be(p + CB_SIG_PKBIN + CB_MSG_SB_CLEN, 2);
		blen = CB_MSG_SIGHDRLEN + clen;
		if (len - CB_SIG_PKBIN < blen)
			return cb_err_set(err, "certificate entry runs past "
			    "the payload");
		if (cb_sig_pubkey_from_bin(p, &pk) < 0)
			return cb_err_set(err, "certificate of a malformed key");
		if (cb_msg_cert_check(identity, &pk, p + CB_SIG_PKBIN, blen,
			err) < 0)
			return -1;
		fn(&pk, p + CB_SIG_PKBIN, blen, arg);
		p += CB_SIG_PKBIN + blen;
		len -= CB_SIG_PKBIN + blen;
	}
	return 0;
}
