/* Unit tests for sub_lookup: the --since argument; the archive
 * verified again (sub_verify), as verify and export do. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_db.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_time.h"
#include "sub_ids.h"
#include "sub_lookup.h"
#include "sub_test.h"
#include "sub_verify.h"

static void
test_since_dates(void **state)
{
	int64_t t;

	(void)state;
	assert_int_equal(sub_lookup_since("2026-11-24", 1, &t), 0);
	assert_int_equal(t, 1795478400); /* midnight UTC with --utc */
	assert_int_equal(sub_lookup_since("2026-11-24 08:30", 1, &t), 0);
	assert_int_equal(t, 1795478400 + 8 * 3600 + 30 * 60);
	assert_int_equal(sub_lookup_since("2026-11-24T08:30", 1, &t), 0);
	assert_int_equal(t, 1795478400 + 8 * 3600 + 30 * 60);
	assert_int_equal(sub_lookup_since("2026-11-24T08:00:00+07:00", 0, &t),
	    0);
	assert_int_equal(t, 1795478400 + 3600);
}

static void
test_since_local(void **state)
{
	int64_t t;

	(void)state;
	setenv("TZ", "Asia/Ho_Chi_Minh", 1);
	assert_int_equal(sub_lookup_since("2026-11-24", 0, &t), 0);
	/* Vietnam has no DST: midnight there is 17:00 UTC the day before;
	 * without the zone data, the C library falls back to UTC. */
	assert_true(t == 1795478400 - 7 * 3600 || t == 1795478400);
	unsetenv("TZ");
}

static void
test_since_durations(void **state)
{
	int64_t t, now = cb_time_now();

	(void)state;
	assert_int_equal(sub_lookup_since("7d", 0, &t), 0);
	assert_true(t >= now - 7 * 86400 - 2 && t <= now - 7 * 86400 + 2);
	assert_int_equal(sub_lookup_since("12h", 0, &t), 0);
	assert_true(t >= now - 12 * 3600 - 2 && t <= now - 12 * 3600 + 2);
}

static void
test_since_rejects(void **state)
{
	static const char *bad[] = { "", "2026", "2026-11", "2026-13-01",
		"2026-11-24 25:00", "2026-11-24x", "tomorrow", "7", "7dd",
		"-3d" };
	size_t i;
	int64_t t;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (sub_lookup_since(bad[i], 0, &t) == 0)
			fail_msg("'%s' was accepted", bad[i]);
}

/* --- sub_verify ---------------------------------------------------- */

static void put_adv(struct sub_store *s, const struct cb_seckey *sk,
    uint64_t seq, const char *id);

/* Archive advisory "local:SEQ" as seq, sealed by sk. */
static void
put_sealed(struct sub_store *s, const struct cb_seckey *sk, uint64_t seq)
{
	char *id = cb_xasprintf("local:%llu", (unsigned long long)seq);

	put_adv(s, sk, seq, id);
	free(id);
}

/* Archive advisory id as seq, sealed by sk. */
static void
put_adv(struct sub_store *s, const struct cb_seckey *sk, uint64_t seq,
    const char *id)
{
	struct cb_sealed m;
	struct cb_pubkey pk;
	struct cb_msg msg;
	struct cb_adv a;
	struct cb_err err;
	char *json;

	cb_adv_init(&a);
	a.id = cb_xstrdup(id);
	a.source = cb_xstrdup("local");
	a.revision = 1;
	a.title = cb_xstrdup("Cảnh báo");
	a.published = 1700000000;
	json = cb_adv_to_json(&a);
	cb_seckey_public(sk, &pk);
	assert_int_equal(cb_msg_seal(sk, CB_MSG_ADVISORY, seq, 1700000000000,
			     json, strlen(json), "t", &m, &err), 0);
	assert_int_equal(cb_msg_open(&pk, 1, m.signed_bytes, m.signed_len,
			     m.sigblock, m.sigblock_len, &msg, &err), 0);
	assert_int_equal(sub_store_put(s, &msg, &a, m.signed_bytes,
			     m.signed_len, m.sigblock, m.sigblock_len, &err),
	    1);
	cb_sealed_release(&m);
	free(json);
	cb_adv_release(&a);
}

/* Record a rotation from old to next at seq. */
static void
rotate(struct sub_store *s, const struct cb_seckey *old,
    const struct cb_seckey *next, uint64_t seq)
{
	uint8_t payload[CB_MSG_ROTATE_LEN];
	struct cb_pubkey oldpk, nextpk;
	struct cb_sealed m;
	struct cb_msg msg;
	struct cb_err err;

	cb_seckey_public(old, &oldpk);
	cb_seckey_public(next, &nextpk);
	cb_msg_rotation(next, oldpk.id, seq, payload);
	assert_int_equal(cb_msg_seal(old, CB_MSG_ROTATE, seq, 1700000000000,
			     payload, sizeof(payload), "t", &m, &err), 0);
	assert_int_equal(cb_msg_open(&oldpk, 1, m.signed_bytes, m.signed_len,
			     m.sigblock, m.sigblock_len, &msg, &err), 0);
	assert_int_equal(sub_store_rotate(s, &msg, &nextpk, m.signed_bytes,
			     m.signed_len, m.sigblock, m.sigblock_len, &err),
	    0);
	cb_sealed_release(&m);
}

struct found {
	struct sub_verify *v;
	char seqs[64];   /* the damaged, "2 5 " */
	int rotations;   /* bad rotations reported */
};

static void
bad_rotation(uint64_t seq, const char *why, void *arg)
{
	struct found *f = arg;

	(void)why;
	f->rotations++;
	snprintf(f->seqs + strlen(f->seqs), sizeof(f->seqs) - strlen(f->seqs),
	    "%llu ", (unsigned long long)seq);
}

static int
check_row(const struct sub_row *r, void *arg)
{
	struct found *f = arg;
	struct cb_err err;

	if (sub_verify_row(f->v, r, &err) < 0)
		snprintf(f->seqs + strlen(f->seqs),
		    sizeof(f->seqs) - strlen(f->seqs), "%llu ",
		    (unsigned long long)r->seq);
	return 0;
}

/* Verify the fixture's archive from pinned; the damaged seqs. */
static const char *
verify_all(struct sub_fixture *fx, const struct cb_pubkey *pinned,
    struct found *f)
{
	struct cb_err err;

	memset(f, 0, sizeof(*f));
	f->v = sub_verify_new(fx->s, pinned, bad_rotation, f, &err);
	assert_non_null(f->v);
	assert_true(sub_store_each(fx->s, check_row, f, &err) >= 0);
	sub_verify_free(f->v);
	return f->seqs;
}

static void
exec_sql(struct sub_fixture *fx, const char *sql)
{
	assert_int_equal(sqlite3_exec(sub_store_db(fx->s), sql, NULL, NULL,
			     NULL), SQLITE_OK);
}

static void
test_verify_follows_rotation(void **state)
{
	struct sub_fixture *fx = *state;
	struct cb_seckey *k1, *k2, *other;
	struct cb_pubkey p1, p2, po;
	struct cb_err err;
	struct found f;

	assert_int_equal(cb_sig_keygen(&k1, &p1, &err), 0);
	assert_int_equal(cb_sig_keygen(&k2, &p2, &err), 0);
	assert_int_equal(cb_sig_keygen(&other, &po, &err), 0);
	put_sealed(fx->s, k1, 1);
	put_sealed(fx->s, k1, 2);
	rotate(fx->s, k1, k2, 3);
	put_sealed(fx->s, k2, 4);
	put_sealed(fx->s, k1, 5); /* the old key, after the rotation */
	assert_string_equal(verify_all(fx, &p1, &f), "5 ");
	assert_int_equal(f.rotations, 0);
	/* a wrong pinned key: the rotation and what came before it */
	assert_string_equal(verify_all(fx, &po, &f), "3 1 2 5 ");
	assert_int_equal(f.rotations, 1);
	cb_seckey_free(k1);
	cb_seckey_free(k2);
	cb_seckey_free(other);
}

static void
test_verify_names_damage(void **state)
{
	struct sub_fixture *fx = *state;
	struct cb_seckey *k;
	struct cb_pubkey p;
	struct cb_err err;
	struct found f;
	uint64_t i;

	assert_int_equal(cb_sig_keygen(&k, &p, &err), 0);
	for (i = 1; i <= 7; i++)
		put_sealed(fx->s, k, i);
	assert_string_equal(verify_all(fx, &p, &f), "");
	exec_sql(fx, "UPDATE message SET signed = substr(signed, 1, 40) || "
		     "x'00' || substr(signed, 42) WHERE seq = 1;"
		     "UPDATE message SET sigblock = substr(sigblock, 1, 100) || "
		     "x'00' || substr(sigblock, 102) WHERE seq = 2;"
		     "UPDATE message SET adv_id = 'x' WHERE seq = 3;"
		     "UPDATE message SET revision = 2 WHERE seq = 4;"
		     "UPDATE message SET seq = 60 WHERE seq = 6;"
		     "UPDATE message SET title = 'khác' WHERE seq = 7;");
	assert_string_equal(verify_all(fx, &p, &f), "1 2 3 4 7 60 ");
	cb_seckey_free(k);
}

/* show, ack and export: an id, a sequence number, a unique prefix. */
static void
test_ids(void **state)
{
	struct sub_fixture *fx = *state;
	struct cb_strlist cands = { 0 };
	struct cb_seckey *k;
	struct cb_pubkey pk;
	struct sub_row r;
	struct cb_err err;

	assert_int_equal(cb_sig_keygen(&k, &pk, &err), 0);
	put_adv(fx->s, k, 1, "bugalert:tag:bugalert.org,2024:one");
	put_adv(fx->s, k, 2, "bugalert:tag:bugalert.org,2024:two");
	put_adv(fx->s, k, 3, "local:2026-000001");
	put_adv(fx->s, k, 4, "12");
	assert_int_equal(sub_ids_fetch(fx->s, "local:2026-000001", &r, &cands,
			     &err), 1);
	assert_int_equal(r.seq, 3);
	sub_row_release(&r);
	assert_int_equal(sub_ids_fetch(fx->s, "#2", &r, &cands, &err), 1);
	assert_string_equal(r.id, "bugalert:tag:bugalert.org,2024:two");
	sub_row_release(&r);
	assert_int_equal(sub_ids_fetch(fx->s, "1", &r, &cands, &err), 1);
	assert_int_equal(r.seq, 1);
	sub_row_release(&r);
	/* An id that is all digits wins over the sequence number. */
	assert_int_equal(sub_ids_fetch(fx->s, "12", &r, &cands, &err), 1);
	assert_int_equal(r.seq, 4);
	sub_row_release(&r);
	assert_int_equal(sub_ids_fetch(fx->s, "#12", &r, &cands, &err), 0);
	assert_int_equal(sub_ids_fetch(fx->s, "loc", &r, &cands, &err), 1);
	assert_int_equal(r.seq, 3);
	sub_row_release(&r);
	assert_int_equal(sub_ids_fetch(fx->s, "bugalert:tag", &r, &cands,
			     &err), 2);
	assert_int_equal(cands.n, 2);
	assert_string_equal(cands.v[0], "bugalert:tag:bugalert.org,2024:one");
	cb_strlist_release(&cands);
	assert_int_equal(sub_ids_fetch(fx->s, "nope", &r, &cands, &err), 0);
	assert_int_equal(sub_ids_fetch(fx->s, "", &r, &cands, &err), 0);
	assert_int_equal(sub_ids_seq("#007"), 7);
	assert_int_equal(sub_ids_seq("7a"), 0);
	cb_seckey_free(k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_since_dates),
		cmocka_unit_test(test_since_local),
		cmocka_unit_test(test_since_durations),
		cmocka_unit_test(test_since_rejects),
		SUB_TEST(test_verify_follows_rotation),
		SUB_TEST(test_verify_names_damage),
		SUB_TEST(test_ids),
	};

	if (cb_sig_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
