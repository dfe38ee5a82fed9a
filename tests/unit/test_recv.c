/* Unit tests for cb_recv: what the subscriber accepts off the wire. */
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "cb_adv.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_recv.h"

static struct cb_seckey *sk;
static struct cb_pubkey pk;

static void
frames_of(struct cb_frames *f, const char *topic, const struct cb_sealed *s)
{
	memset(f, 0, sizeof(*f));
	f->data[0] = cb_xstrdup(topic);
	f->len[0] = strlen(topic);
	f->data[1] = cb_xmalloc(s->signed_len);
	memcpy(f->data[1], s->signed_bytes, s->signed_len);
	f->len[1] = s->signed_len;
	f->data[2] = cb_xmalloc(s->sigblock_len);
	memcpy(f->data[2], s->sigblock, s->sigblock_len);
	f->len[2] = s->sigblock_len;
	f->n = 3;
}

static void
seal_json(const char *json, struct cb_sealed *s)
{
	struct cb_err err;

	assert_int_equal(cb_msg_seal(sk, CB_MSG_ADVISORY, 5, 1000, json,
			     strlen(json), "t", s, &err),
	    0);
}

static void
seal_advisory(enum cb_severity sev, struct cb_sealed *s)
{
	struct cb_adv a;
	char *json;

	cb_adv_init(&a);
	a.id = strdup("local:2026-000005");
	a.title = strdup("Lỗ hổng nghiêm trọng");
	a.severity = sev;
	a.published = 1732406400;
	json = cb_adv_to_json(&a);
	seal_json(json, s);
	free(json);
	cb_adv_release(&a);
}

static int
check(const char *topic, const struct cb_sealed *s, struct cb_err *err,
    struct cb_incoming *in)
{
	struct cb_frames f;
	int rc;

	frames_of(&f, topic, s);
	rc = cb_recv_check(&pk, 1, &f, in, err);
	cb_frames_release(&f);
	return rc;
}

static void
test_accepts_advisory(void **state)
{
	struct cb_incoming in;
	struct cb_sealed s;
	struct cb_err err;
	struct cb_frames f;

	(void)state;
	seal_advisory(CB_SEV_HIGH, &s);
	frames_of(&f, "adv.high", &s);
	assert_int_equal(cb_recv_check(&pk, 1, &f, &in, &err), 0);
	assert_int_equal(in.msg.seq, 5);
	assert_string_equal(in.adv.title, "Lỗ hổng nghiêm trọng");
	assert_int_equal(in.adv.severity, CB_SEV_HIGH);
	cb_incoming_release(&in);
	cb_frames_release(&f);
	cb_sealed_release(&s);
}

static void
test_topic_must_match_signed_severity(void **state)
{
	struct cb_incoming in;
	struct cb_sealed s;
	struct cb_err err;

	(void)state;
	seal_advisory(CB_SEV_LOW, &s);
	assert_int_equal(check("adv.critical", &s, &err, &in), -1);
	assert_non_null(strstr(err.msg, "topic does not match"));
	assert_int_equal(check("hb", &s, &err, &in), -1);
	cb_sealed_release(&s);
}

static void
test_frame_count(void **state)
{
	struct cb_incoming in;
	struct cb_frames f;
	struct cb_err err;

	(void)state;
	memset(&f, 0, sizeof(f));
	f.data[0] = cb_xstrdup("garbage");
	f.len[0] = 7;
	f.n = 1;
	assert_int_equal(cb_recv_check(&pk, 1, &f, &in, &err), -1);
	assert_non_null(strstr(err.msg, "1 frames"));
	cb_frames_release(&f);
}

static void
test_garbage_frames(void **state)
{
	struct cb_incoming in;
	struct cb_frames f;
	struct cb_err err;
	size_t i;

	(void)state;
	memset(&f, 0, sizeof(f));
	for (i = 0; i < 3; i++) {
		f.data[i] = cb_xstrdup("\x01\x02garbage\xff");
		f.len[i] = 10;
	}
	f.n = 3;
	assert_int_equal(cb_recv_check(&pk, 1, &f, &in, &err), -1);
	cb_frames_release(&f);
}

/* Signed by the right key but not a valid advisory: still dropped. */
static void
test_signed_but_invalid_advisory(void **state)
{
	struct cb_incoming in;
	struct cb_sealed s;
	struct cb_err err;

	(void)state;
	seal_json("{\"severity\":\"high\",\"title\":\"\"}", &s);
	assert_int_equal(check("adv.high", &s, &err, &in), -1);
	assert_non_null(strstr(err.msg, "invalid"));
	cb_sealed_release(&s);
}

static void
test_heartbeat(void **state)
{
	struct cb_incoming in;
	struct cb_sealed s;
	struct cb_err err;

	(void)state;
	assert_int_equal(cb_msg_seal(sk, CB_MSG_HEARTBEAT, 9, 1, NULL, 0,
			     "hb", &s, &err),
	    0);
	assert_int_equal(check("hb", &s, &err, &in), 0);
	assert_int_equal(in.msg.type, CB_MSG_HEARTBEAT);
	assert_int_equal(in.msg.seq, 9);
	cb_incoming_release(&in);
	cb_sealed_release(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_accepts_advisory),
		cmocka_unit_test(test_topic_must_match_signed_severity),
		cmocka_unit_test(test_frame_count),
		cmocka_unit_test(test_garbage_frames),
		cmocka_unit_test(test_signed_but_invalid_advisory),
		cmocka_unit_test(test_heartbeat),
	};
	struct cb_err err;
	int rc;

	if (cb_sig_init() < 0 || cb_sig_keygen(&sk, &pk, &err) < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	cb_seckey_free(sk);
	return rc;
}
