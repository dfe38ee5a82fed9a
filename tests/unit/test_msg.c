/* Unit tests for cb_msg: sealing, opening, and every way a message can
 * be damaged or forged; plus a golden envelope made with the test key. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "cb_file.h"
#include "cb_msg.h"
#include "cb_sig.h"

struct fixture {
	struct cb_seckey *sk, *other;
	struct cb_pubkey pk, other_pk;
	struct cb_sealed s;
};

static const char payload[] = "{\"title\":\"Cảnh báo tấn công\"}";

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct cb_err err;

	assert_int_equal(cb_sig_keygen(&f->sk, &f->pk, &err), 0);
	assert_int_equal(cb_sig_keygen(&f->other, &f->other_pk, &err), 0);
	assert_int_equal(cb_msg_seal(f->sk, CB_MSG_ADVISORY, 42,
			     1732406400123LL, payload, strlen(payload),
			     "canhbao advisory seq:42", &f->s, &err),
	    0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	cb_sealed_release(&f->s);
	cb_seckey_free(f->sk);
	cb_seckey_free(f->other);
	free(f);
	return 0;
}

static int
open_with(const struct cb_pubkey *keys, size_t n, const uint8_t *sb,
    size_t sblen, const uint8_t *sig, size_t siglen, struct cb_err *err)
{
	struct cb_msg m;

	return cb_msg_open(keys, n, sb, sblen, sig, siglen, &m, err);
}

static void
test_roundtrip(void **state)
{
	struct fixture *f = *state;
	struct cb_msg m;
	struct cb_err err;

	assert_int_equal(cb_msg_open(&f->pk, 1, f->s.signed_bytes,
			     f->s.signed_len, f->s.sigblock, f->s.sigblock_len,
			     &m, &err),
	    0);
	assert_int_equal(m.type, CB_MSG_ADVISORY);
	assert_int_equal(m.seq, 42);
	assert_int_equal(m.issued_ms, 1732406400123LL);
	assert_int_equal(m.payload_len, strlen(payload));
	assert_memory_equal(m.payload, payload, strlen(payload));
	assert_string_equal(m.comment, "canhbao advisory seq:42");
	assert_int_equal(f->s.signed_len, CB_MSG_HDRLEN + strlen(payload));
	assert_memory_equal(f->s.signed_bytes, "CBM1", 4);
}

/* Flipping any single byte of either part must make opening fail. */
static void
test_every_tampered_byte(void **state)
{
	struct fixture *f = *state;
	struct cb_err err;
	size_t i;

	for (i = 0; i < f->s.signed_len; i++) {
		f->s.signed_bytes[i] ^= 0x01;
		assert_int_equal(open_with(&f->pk, 1, f->s.signed_bytes,
				     f->s.signed_len, f->s.sigblock,
				     f->s.sigblock_len, &err),
		    -1);
		f->s.signed_bytes[i] ^= 0x01;
	}
	for (i = 0; i < f->s.sigblock_len; i++) {
		f->s.sigblock[i] ^= 0x01;
		assert_int_equal(open_with(&f->pk, 1, f->s.signed_bytes,
				     f->s.signed_len, f->s.sigblock,
				     f->s.sigblock_len, &err),
		    -1);
		f->s.sigblock[i] ^= 0x01;
	}
	assert_int_equal(open_with(&f->pk, 1, f->s.signed_bytes,
			     f->s.signed_len, f->s.sigblock, f->s.sigblock_len,
			     &err),
	    0);
}

static void
test_unknown_key(void **state)
{
	struct fixture *f = *state;
	struct cb_err err;

	assert_int_equal(open_with(&f->other_pk, 1, f->s.signed_bytes,
			     f->s.signed_len, f->s.sigblock, f->s.sigblock_len,
			     &err),
	    -1);
	assert_non_null(strstr(err.msg, "signed by unknown key"));
}

/* Same key id, different key: a forger who copies the id. */
static void
test_wrong_key_same_id(void **state)
{
	struct fixture *f = *state;
	struct cb_pubkey fake = f->other_pk;
	struct cb_err err;

	memcpy(fake.id, f->pk.id, CB_SIG_KEYIDLEN);
	assert_int_equal(open_with(&fake, 1, f->s.signed_bytes,
			     f->s.signed_len, f->s.sigblock, f->s.sigblock_len,
			     &err),
	    -1);
	assert_non_null(strstr(err.msg, "bad signature"));
}

static void
test_truncated(void **state)
{
	struct fixture *f = *state;
	struct cb_err err;

	assert_int_equal(open_with(&f->pk, 1, f->s.signed_bytes,
			     f->s.signed_len - 1, f->s.sigblock,
			     f->s.sigblock_len, &err),
	    -1);
	assert_int_equal(open_with(&f->pk, 1, f->s.signed_bytes, 10,
			     f->s.sigblock, f->s.sigblock_len, &err),
	    -1);
	assert_int_equal(open_with(&f->pk, 1, f->s.signed_bytes,
			     f->s.signed_len, f->s.sigblock, 20, &err),
	    -1);
	assert_non_null(strstr(err.msg, "shorter"));
	assert_int_equal(open_with(&f->pk, 1, f->s.signed_bytes,
			     f->s.signed_len, f->s.sigblock,
			     f->s.sigblock_len - 1, &err),
	    -1);
}

/* A message signed properly but claiming another key id inside. */
static void
test_forged_by_other_key(void **state)
{
	struct fixture *f = *state;
	struct cb_sealed forged;
	struct cb_err err;
	struct cb_pubkey both[2] = { f->pk, f->other_pk };

	assert_int_equal(cb_msg_seal(f->other, CB_MSG_ADVISORY, 43, 1, payload,
			     strlen(payload), "x", &forged, &err),
	    0);
	assert_int_equal(open_with(&f->pk, 1, forged.signed_bytes,
			     forged.signed_len, forged.sigblock,
			     forged.sigblock_len, &err),
	    -1);
	/* With both keys trusted it opens: the check is by key, not luck. */
	assert_int_equal(open_with(both, 2, forged.signed_bytes,
			     forged.signed_len, forged.sigblock,
			     forged.sigblock_len, &err),
	    0);
	cb_sealed_release(&forged);
}

static void
test_limits(void **state)
{
	struct fixture *f = *state;
	struct cb_sealed s;
	struct cb_err err;
	char *big = calloc(1, CB_MSG_MAXPAYLOAD + 1);

	assert_int_equal(cb_msg_seal(f->sk, CB_MSG_ADVISORY, 1, 1, big,
			     CB_MSG_MAXPAYLOAD + 1, "x", &s, &err),
	    -1);
	assert_int_equal(cb_msg_seal(f->sk, CB_MSG_ADVISORY, 1, 1, "x", 1,
			     "bad\ncomment", &s, &err),
	    -1);
	free(big);
}

/* Seal with f->sk and open with f->pk: cb_msg_open's result. */
static int
seal_open(const struct fixture *f, enum cb_msg_type type, uint64_t seq,
    int64_t issued_ms, const char *payload_text, struct cb_msg *m,
    struct cb_err *err)
{
	struct cb_sealed s;
	int rc;

	assert_int_equal(cb_msg_seal(f->sk, type, seq, issued_ms, payload_text,
			     strlen(payload_text), "x", &s, err),
	    0);
	rc = cb_msg_open(&f->pk, 1, s.signed_bytes, s.signed_len, s.sigblock,
	    s.sigblock_len, m, err);
	cb_sealed_release(&s);
	return rc;
}

/* Issue times and sequence numbers are signed 64-bit on every side (and
 * in SQLite): a validly signed header with either at 2^63 or more is
 * refused, never read as a negative number. */
static void
test_header_ranges(void **state)
{
	struct fixture *f = *state;
	struct cb_msg m;
	struct cb_err err;

	assert_int_equal(seal_open(f, CB_MSG_HEARTBEAT, INT64_MAX, INT64_MAX,
			     "", &m, &err),
	    0);
	assert_true(m.issued_ms == INT64_MAX);
	assert_int_equal(seal_open(f, CB_MSG_HEARTBEAT, 7, INT64_MIN, "", &m,
			     &err),
	    -1);
	assert_non_null(strstr(err.msg, "issue time"));
	assert_int_equal(seal_open(f, CB_MSG_ADVISORY, (uint64_t)1 << 63, 1,
			     "{}", &m, &err),
	    -1);
	assert_non_null(strstr(err.msg, "sequence number"));
}

static void
test_minisig_text(void **state)
{
	struct fixture *f = *state;
	struct cb_err err;
	char *text = cb_msg_minisig(f->s.sigblock, f->s.sigblock_len, &err);

	assert_non_null(text);
	assert_non_null(strstr(text, "untrusted comment: "));
	assert_non_null(strstr(text, "\ntrusted comment: canhbao advisory "
				     "seq:42\n"));
	free(text);
	assert_null(cb_msg_minisig(f->s.sigblock, 10, &err));
}

/* git keeps no 0600 mode, so the committed test key is copied to a
 * private file before it is read. */
static struct cb_seckey *
read_test_key(const char *path)
{
	char *tmp = cb_test_tmpdir(), *copy = cb_test_path(tmp, "k.key");
	struct cb_seckey *sk;
	struct cb_err err;
	size_t len;
	char *text = cb_test_read(path, &len);

	assert_int_equal(cb_file_write_new(copy, text, len, 0600, &err), 0);
	sk = cb_sig_read_seckey(copy, &err);
	if (sk == NULL)
		fail_msg("%s", err.msg);
	cb_test_rmtree(tmp);
	free(text);
	free(copy);
	free(tmp);
	return sk;
}

/* Ed25519 is deterministic: the test key must give these exact bytes.
 * CANHBAO_REGEN=1 rewrites the golden files after a deliberate change
 * of the format. */
static void
test_golden(void **state)
{
	char *dir = getenv("CANHBAO_TOP"), *kp, *mp, *sp, *gm, *gs;
	struct cb_seckey *sk;
	struct cb_sealed s;
	struct cb_err err;
	size_t lm, ls;

	(void)state;
	assert_non_null(dir);
	kp = cb_test_path(dir, "tests/data/test-publisher.key");
	mp = cb_test_path(dir, "tests/data/golden-advisory.msg");
	sp = cb_test_path(dir, "tests/data/golden-advisory.sig");
	sk = read_test_key(kp);
	assert_int_equal(cb_msg_seal(sk, CB_MSG_ADVISORY, 7, 1732406400000LL,
			     payload, strlen(payload),
			     "canhbao advisory seq:7", &s, &err),
	    0);
	if (getenv("CANHBAO_REGEN") != NULL) {
		remove(mp);
		remove(sp);
		assert_int_equal(cb_file_write_new(mp, s.signed_bytes,
				     s.signed_len, 0644, &err), 0);
		assert_int_equal(cb_file_write_new(sp, s.sigblock,
				     s.sigblock_len, 0644, &err), 0);
	}
	gm = cb_test_read(mp, &lm);
	gs = cb_test_read(sp, &ls);
	assert_int_equal(lm, s.signed_len);
	assert_memory_equal(gm, s.signed_bytes, lm);
	assert_int_equal(ls, s.sigblock_len);
	assert_memory_equal(gs, s.sigblock, ls);
	free(gm);
	free(gs);
	cb_sealed_release(&s);
	cb_seckey_free(sk);
	free(kp);
	free(mp);
	free(sp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_every_tampered_byte),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_wrong_key_same_id),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_forged_by_other_key),
		cmocka_unit_test(test_header_ranges),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_minisig_text),
		cmocka_unit_test(test_golden),
	};

	if (cb_sig_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, teardown);
}
