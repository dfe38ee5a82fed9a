/* Unit tests for cb_req (requests channel frames), key rotation
 * proofs (cb_msg_rotation, cb_msg_rotation_check) and the certificates
 * of signing keys (cb_msg_certify and the rest, cb_keys_rotate). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "cb_msg.h"
#include "cb_req.h"
#include "cb_sig.h"
#include "cb_keys.h"

static void
test_roundtrip(void **state)
{
	struct cb_req q = { .type = CB_REQ_CATCHUP, .id = 77, .after = 1234,
		.max = 500 };
	struct cb_req e = { .type = CB_REQ_END, .id = 78, .last = 1734,
		.latest = 99999 };
	struct cb_req out;
	uint8_t buf[CB_REQ_END_LEN];
	struct cb_err err;

	(void)state;
	assert_int_equal(cb_req_encode(&q, buf), CB_REQ_CATCHUP_LEN);
	assert_int_equal(cb_req_decode(buf, CB_REQ_CATCHUP_LEN, &out, &err), 0);
	assert_int_equal(out.type, CB_REQ_CATCHUP);
	assert_int_equal(out.id, 77);
	assert_int_equal(out.after, 1234);
	assert_int_equal(out.max, 500);
	assert_int_equal(cb_req_encode(&e, buf), CB_REQ_END_LEN);
	assert_int_equal(cb_req_decode(buf, CB_REQ_END_LEN, &out, &err), 0);
	assert_int_equal(out.last, 1734);
	assert_int_equal(out.latest, 99999);
}

static void
test_rejects(void **state)
{
	uint8_t buf[CB_REQ_END_LEN];
	struct cb_req q = { .type = CB_REQ_CATCHUP, .id = 1 }, out;
	struct cb_err err;

	(void)state;
	cb_req_encode(&q, buf);
	assert_int_equal(cb_req_decode(buf, 5, &out, &err), -1);
	assert_int_equal(cb_req_decode(buf, CB_REQ_CATCHUP_LEN - 1, &out,
			     &err),
	    -1);
	assert_non_null(strstr(err.msg, "not 21"));
	buf[0] = 'X';
	assert_int_equal(cb_req_decode(buf, CB_REQ_CATCHUP_LEN, &out, &err),
	    -1);
	assert_non_null(strstr(err.msg, "not a canhbao request"));
	buf[0] = 'C';
	buf[4] = 9;
	assert_int_equal(cb_req_decode(buf, CB_REQ_CATCHUP_LEN, &out, &err),
	    -1);
	assert_non_null(strstr(err.msg, "unknown request type 9"));
}

/* Sequence numbers are SQLite integers, below 2^63: "after" of 2^63 or
 * more must not reach a journal query as a negative number (which read
 * as "from seq 1"). */
static void
test_sequence_range(void **state)
{
	struct cb_req q = { .type = CB_REQ_CATCHUP, .id = 1, .max = 10 }, out;
	struct cb_req e = { .type = CB_REQ_END, .id = 2 };
	struct cb_req c = { .type = CB_REQ_CONFIRM, .id = 3 };
	uint8_t buf[CB_REQ_MAXLEN];
	struct cb_err err;

	(void)state;
	q.after = INT64_MAX;
	cb_req_encode(&q, buf);
	assert_int_equal(cb_req_decode(buf, CB_REQ_CATCHUP_LEN, &out, &err), 0);
	assert_true(out.after == INT64_MAX);
	q.after = (uint64_t)INT64_MAX + 1;
	cb_req_encode(&q, buf);
	assert_int_equal(cb_req_decode(buf, CB_REQ_CATCHUP_LEN, &out, &err),
	    -1);
	assert_non_null(strstr(err.msg, "9223372036854775808"));
	q.after = UINT64_MAX;
	cb_req_encode(&q, buf);
	assert_int_equal(cb_req_decode(buf, CB_REQ_CATCHUP_LEN, &out, &err),
	    -1);
	e.latest = UINT64_MAX;
	cb_req_encode(&e, buf);
	assert_int_equal(cb_req_decode(buf, CB_REQ_END_LEN, &out, &err), -1);
	c.seq = (uint64_t)1 << 63;
	cb_req_encode(&c, buf);
	assert_int_equal(cb_req_decode(buf, CB_REQ_CONFIRM_LEN, &out, &err),
	    -1);
}

/* Statuses 1 and 3 carry "highest" and a reason, exactly as long as
 * they say; 0 and 2 are 26 bytes; a reason with a control character
 * or bad UTF-8, a refusal with a highest, are refused. */
static void
test_confirm_refusal(void **state)
{
	struct cb_req c = { .type = CB_REQ_CONFIRM, .id = 9, .seq = 5,
		.status = CB_REQ_TAKEN, .highest = 77 }, out;
	uint8_t buf[CB_REQ_MAXLEN];
	struct cb_err err;
	size_t n;

	(void)state;
	snprintf(c.reason, sizeof(c.reason), "số đã dùng");
	n = cb_req_encode(&c, buf);
	assert_int_equal(n, CB_REQ_REFUSAL_LEN + strlen(c.reason));
	assert_int_equal(cb_req_decode(buf, n, &out, &err), 0);
	assert_int_equal(out.status, CB_REQ_TAKEN);
	assert_true(out.highest == 77 && out.seq == 5);
	assert_string_equal(out.reason, "số đã dùng");
	assert_int_equal(cb_req_decode(buf, n - 1, &out, &err), -1);
	assert_int_equal(cb_req_decode(buf, CB_REQ_CONFIRM_LEN, &out, &err),
	    -1);
	buf[CB_REQ_REFUSAL_LEN] = '\n';
	assert_int_equal(cb_req_decode(buf, n, &out, &err), -1);
	buf[CB_REQ_REFUSAL_LEN] = 0xff;
	assert_int_equal(cb_req_decode(buf, n, &out, &err), -1);
	c.status = CB_REQ_REFUSED; /* with a highest */
	n = cb_req_encode(&c, buf);
	assert_int_equal(cb_req_decode(buf, n, &out, &err), -1);
	c.highest = 0;
	c.reason[0] = '\0';
	n = cb_req_encode(&c, buf);
	assert_int_equal(n, CB_REQ_REFUSAL_LEN);
	assert_int_equal(cb_req_decode(buf, n, &out, &err), 0);
	c.status = CB_REQ_KEPT;
	n = cb_req_encode(&c, buf);
	assert_int_equal(n, CB_REQ_CONFIRM_LEN);
	assert_int_equal(cb_req_decode(buf, n, &out, &err), 0);
	buf[9] = CB_REQ_TAKEN + 1;
	assert_int_equal(cb_req_decode(buf, n, &out, &err), -1);
}

static void
open_rotation(const struct cb_seckey *signer, const uint8_t *payload,
    size_t len, uint64_t seq, struct cb_sealed *s, struct cb_msg *m,
    const struct cb_pubkey *trusted)
{
	struct cb_err err;

	assert_int_equal(cb_msg_seal(signer, CB_MSG_ROTATE, seq, 1, payload,
			     len, "rotate", s, &err),
	    0);
	assert_int_equal(cb_msg_open(trusted, 1, s->signed_bytes, s->signed_len,
			     s->sigblock, s->sigblock_len, m, &err),
	    0);
}

static void
test_rotation(void **state)
{
	struct cb_seckey *old, *new, *evil;
	struct cb_pubkey oldpk, newpk, evilpk, next;
	uint8_t payload[CB_MSG_ROTATE_LEN];
	struct cb_sealed s;
	struct cb_msg m;
	struct cb_err err;

	(void)state;
	assert_int_equal(cb_sig_keygen(&old, &oldpk, &err), 0);
	assert_int_equal(cb_sig_keygen(&new, &newpk, &err), 0);
	assert_int_equal(cb_sig_keygen(&evil, &evilpk, &err), 0);

	/* Signed by both: accepted, and names the new key. */
	cb_msg_rotation(new, oldpk.id, 10, payload);
	open_rotation(old, payload, sizeof(payload), 10, &s, &m, &oldpk);
	assert_int_equal(cb_msg_rotation_check(&m, &next, &err), 0);
	assert_memory_equal(&next, &newpk, sizeof(next));
	cb_sealed_release(&s);

	/* The proof is bound to its sequence number: replayed at another
	 * sequence it fails. */
	open_rotation(old, payload, sizeof(payload), 11, &s, &m, &oldpk);
	assert_int_equal(cb_msg_rotation_check(&m, &next, &err), -1);
	assert_non_null(strstr(err.msg, "not signed by the new key"));
	cb_sealed_release(&s);

	/* A proof made by another key than the one it names fails. */
	cb_msg_rotation(evil, oldpk.id, 12, payload);
	memcpy(payload + 2, newpk.id, 8);
	memcpy(payload + 10, newpk.pk, 32);
	open_rotation(old, payload, sizeof(payload), 12, &s, &m, &oldpk);
	assert_int_equal(cb_msg_rotation_check(&m, &next, &err), -1);
	cb_sealed_release(&s);

	/* Signed only by the new key: the envelope does not open for a
	 * subscriber that trusts the old key. */
	cb_msg_rotation(new, oldpk.id, 13, payload);
	assert_int_equal(cb_msg_seal(new, CB_MSG_ROTATE, 13, 1, payload,
			     sizeof(payload), "x", &s, &err),
	    0);
	assert_int_equal(cb_msg_open(&oldpk, 1, s.signed_bytes, s.signed_len,
			     s.sigblock, s.sigblock_len, &m, &err),
	    -1);
	assert_non_null(strstr(err.msg, "unknown key"));
	cb_sealed_release(&s);

	cb_seckey_free(old);
	cb_seckey_free(new);
	cb_seckey_free(evil);
}

/* A rotation payload from old to next at seq, with next's certificate
 * by identity; the caller frees it. */
static uint8_t *
certified_rotation(const struct cb_seckey *identity,
    const struct cb_seckey *next, const uint8_t *old_id, uint64_t seq,
    size_t *lenp)
{
	struct cb_pubkey pk;
	size_t clen;
	uint8_t *cert, *p;

	cb_seckey_public(next, &pk);
	cert = cb_msg_certify(identity, &pk, &clen);
	p = malloc(CB_MSG_ROTATE_LEN + clen);
	assert_non_null(p);
	cb_msg_rotation(next, old_id, seq, p);
	memcpy(p + CB_MSG_ROTATE_LEN, cert, clen);
	free(cert);
	*lenp = CB_MSG_ROTATE_LEN + clen;
	return p;
}

static void
count_entry(const struct cb_pubkey *pk, const uint8_t *cert, size_t len,
    void *arg)
{
	(void)pk;
	(void)cert;
	(void)len;
	(*(int *)arg)++;
}

static void
test_certificates(void **state)
{
	struct cb_seckey *id, *k1, *evil;
	struct cb_pubkey idpk, k1pk, evilpk, next;
	struct cb_keys keys;
	struct cb_sealed s;
	struct cb_msg m;
	struct cb_err err;
	uint8_t *cert, *p, *e1, *e2, hb[2048];
	size_t len, n1, n2;
	int count = 0;

	(void)state;
	assert_int_equal(cb_sig_keygen(&id, &idpk, &err), 0);
	assert_int_equal(cb_sig_keygen(&k1, &k1pk, &err), 0);
	assert_int_equal(cb_sig_keygen(&evil, &evilpk, &err), 0);

	/* A certificate holds for its key under the identity key only. */
	cert = cb_msg_certify(id, &k1pk, &len);
	assert_int_equal(cb_msg_cert_check(&idpk, &k1pk, cert, len, &err), 0);
	assert_int_equal(cb_msg_cert_check(&idpk, &evilpk, cert, len, &err),
	    -1);
	assert_int_equal(cb_msg_cert_check(&evilpk, &k1pk, cert, len, &err),
	    -1);
	cert[CB_MSG_SB_SIG] ^= 1;
	assert_int_equal(cb_msg_cert_check(&idpk, &k1pk, cert, len, &err), -1);
	free(cert);

	/* A rotation carries it; cb_keys checks it against the identity,
	 * also when the key before was another. */
	p = certified_rotation(id, k1, idpk.id, 7, &len);
	open_rotation(id, p, len, 7, &s, &m, &idpk);
	assert_int_equal(cb_msg_rotation_check(&m, &next, &err), 0);
	assert_non_null(cb_msg_rotation_cert(&m, &n1));
	cb_keys_init(&keys, &idpk);
	assert_int_equal(cb_keys_rotate(&keys, &m, &err), 0);
	assert_memory_equal(&keys.current, &k1pk, sizeof(k1pk));
	cb_sealed_release(&s);
	free(p);

	/* Certified by another key than the pinned one: refused. */
	p = certified_rotation(evil, k1, idpk.id, 7, &len);
	open_rotation(id, p, len, 7, &s, &m, &idpk);
	cb_keys_init(&keys, &idpk);
	assert_int_equal(cb_keys_rotate(&keys, &m, &err), -1);
	assert_non_null(strstr(err.msg, "certificate"));
	cb_sealed_release(&s);

	/* A certificate cut short is malformed. */
	open_rotation(id, p, CB_MSG_ROTATE_LEN + 10, 7, &s, &m, &idpk);
	assert_int_equal(cb_msg_rotation_check(&m, &next, &err), -1);
	cb_sealed_release(&s);
	free(p);

	/* Without one (an earlier publisher): accepted, no certificate. */
	p = certified_rotation(id, k1, idpk.id, 7, &len);
	open_rotation(id, p, CB_MSG_ROTATE_LEN, 7, &s, &m, &idpk);
	cb_keys_init(&keys, &idpk);
	assert_int_equal(cb_keys_rotate(&keys, &m, &err), 0);
	assert_null(cb_msg_rotation_cert(&m, &n1));
	cb_sealed_release(&s);
	free(p);

	/* A heartbeat's entries: each handed over once it verifies; the
	 * walk stops at one that does not. */
	e1 = cb_msg_cert_entry(id, &idpk, &n1);
	e2 = cb_msg_cert_entry(id, &k1pk, &n2);
	assert_true(n1 + n2 <= sizeof(hb));
	memcpy(hb, e1, n1);
	memcpy(hb + n1, e2, n2);
	assert_int_equal(cb_msg_cert_entries(hb, n1 + n2, &idpk, count_entry,
			     &count, &err), 0);
	assert_int_equal(count, 2);
	hb[n1 + n2 - 1] ^= 1; /* the second's trusted comment */
	count = 0;
	assert_int_equal(cb_msg_cert_entries(hb, n1 + n2, &idpk, count_entry,
			     &count, &err), -1);
	assert_int_equal(count, 1);
	assert_int_equal(cb_msg_cert_entries(hb, n1 - 1, &idpk, count_entry,
			     &count, &err), -1);
	free(e1);
	free(e2);

	cb_seckey_free(id);
	cb_seckey_free(k1);
	cb_seckey_free(evil);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_rejects),
		cmocka_unit_test(test_sequence_range),
		cmocka_unit_test(test_confirm_refusal),
		cmocka_unit_test(test_rotation),
		cmocka_unit_test(test_certificates),
	};

	if (cb_sig_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
