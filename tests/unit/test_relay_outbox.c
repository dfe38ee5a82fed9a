/* Unit tests for relay_outbox: what a relay answers a SUBMIT, and how it
 * forwards what it kept to a real ZeroMQ ROUTER playing the upstream
 * (ipc:// in the test's folder), over a real SQLite file. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <zmq.h>

#include "cb_test.h"
#include "cb_bytes.h"
#include "cb_catchup.h"
#include "cb_db.h"
#include "cb_msg.h"
#include "cb_net.h"
#include "cb_registry.h"
#include "cb_sig.h"
#include "cb_time.h"
#include "relay_outbox.h"

#define WAIT_MS 5000 /* for what must come; a test fails past it */

/* Keys made once: a registered agency, a registered (downstream)
 * relay, an agency nobody registered, and this relay's own. */
static struct cb_seckey *agency, *downstream, *stranger, *self;
static struct cb_pubkey agency_pk, downstream_pk, stranger_pk, self_pk;
static struct cb_registry_member members[2];
static struct cb_registry reg;

struct fx {
	char *dir, *path;
	sqlite3 *db;
	struct relay_outbox *o;
	void *up[2];             /* ROUTERs playing two upstreams */
	struct cb_catchup *c[2]; /* the relay's DEALER to each */
	uint64_t next_seq;       /* of the agency's messages */
};

static int
make_keys(void **state)
{
	struct cb_err err;

	(void)state;
	if (cb_sig_init() < 0 ||
	    cb_sig_keygen(&agency, &agency_pk, &err) < 0 ||
	    cb_sig_keygen(&downstream, &downstream_pk, &err) < 0 ||
	    cb_sig_keygen(&stranger, &stranger_pk, &err) < 0 ||
	    cb_sig_keygen(&self, &self_pk, &err) < 0)
		fail_msg("cannot make keys");
	snprintf(members[0].name, sizeof(members[0].name), "so-y-te");
	members[0].kind = CB_REGISTRY_AGENCY;
	members[0].key = agency_pk;
	snprintf(members[1].name, sizeof(members[1].name), "tinh-a");
	members[1].kind = CB_REGISTRY_RELAY;
	members[1].key = downstream_pk;
	reg.generation = 3;
	reg.members = members;
	reg.n = 2;
	return 0;
}

static int
free_keys(void **state)
{
	(void)state;
	cb_seckey_free(agency);
	cb_seckey_free(downstream);
	cb_seckey_free(stranger);
	cb_seckey_free(self);
	return 0;
}

static void
open_outbox(struct fx *f)
{
	struct cb_err err;

	f->db = cb_db_open(f->path, 0, NULL, 0, &err);
	if (f->db == NULL)
		fail_msg("%s", err.msg);
	f->o = relay_outbox_open(f->db, &err);
	if (f->o == NULL)
		fail_msg("%s", err.msg);
}

static void
close_outbox(struct fx *f)
{
	relay_outbox_close(f->o);
	cb_db_close(f->db);
	f->o = NULL;
	f->db = NULL;
}

static void
open_upstream(struct fx *f, int i)
{
	char ep[4200];
	struct cb_err err;
	int timeout = WAIT_MS;

	snprintf(ep, sizeof(ep), "ipc://%s/up%d", f->dir, i);
	f->up[i] = cb_net_socket(ZMQ_ROUTER, &err);
	assert_non_null(f->up[i]);
	cb_net_set_maxmsg(f->up[i], CB_NET_MAXMSG_REQUESTS);
	zmq_setsockopt(f->up[i], ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
	if (cb_net_bind(f->up[i], ep, NULL, 0, &err) < 0)
		fail_msg("%s", err.msg);
	f->c[i] = cb_catchup_open(ep, &err);
	if (f->c[i] == NULL || cb_catchup_connect(f->c[i], ep, &err) < 0)
		fail_msg("%s", err.msg);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	f->dir = cb_test_tmpdir();
	f->path = cb_test_path(f->dir, "relay.db");
	f->next_seq = 1000;
	open_outbox(f);
	open_upstream(f, 0);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int i;

	for (i = 0; i < 2; i++) {
		cb_catchup_close(f->c[i]);
		cb_net_close(f->up[i]);
	}
	close_outbox(f);
	cb_test_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

/* --- messages ------------------------------------------------------------- */

/* A message by sk as cb_msg_seal makes it, but with no check on the
 * payload's size (to make oversize ones). */
static void
seal_raw(const struct cb_seckey *sk, enum cb_msg_type type, uint64_t seq,
    const char *payload, size_t len, struct cb_sealed *s)
{
	struct cb_pubkey pk;
	const char *comment = "canhbao agency test";
	size_t clen = strlen(comment);

	cb_seckey_public(sk, &pk);
	s->signed_len = CB_MSG_HDRLEN + len;
	s->signed_bytes = malloc(s->signed_len);
	assert_non_null(s->signed_bytes);
	memcpy(s->signed_bytes, CB_MSG_MAGIC, 4);
	s->signed_bytes[4] = (uint8_t)type;
	memcpy(s->signed_bytes + 5, pk.id, CB_SIG_KEYIDLEN);
	cb_put_be(s->signed_bytes + 13, seq, 8);
	cb_put_be(s->signed_bytes + 21, (uint64_t)cb_time_now_ms(), 8);
	cb_put_be(s->signed_bytes + 29, len, 4);
	memcpy(s->signed_bytes + CB_MSG_HDRLEN, payload, len);
	s->sigblock_len = CB_MSG_SIGHDRLEN + clen;
	s->sigblock = malloc(s->sigblock_len);
	assert_non_null(s->sigblock);
	memcpy(s->sigblock, "ED", 2);
	memcpy(s->sigblock + CB_MSG_SB_KEYID, pk.id, CB_SIG_KEYIDLEN);
	cb_sig_sign(sk, s->signed_bytes, s->signed_len,
	    s->sigblock + CB_MSG_SB_SIG);
	cb_sig_sign_comment(sk, s->sigblock + CB_MSG_SB_SIG, comment, clen,
	    s->sigblock + CB_MSG_SB_GSIG);
	cb_put_be(s->sigblock + CB_MSG_SB_CLEN, clen, 2);
	memcpy(s->sigblock + CB_MSG_SIGHDRLEN, comment, clen);
}

static void
seal(const struct cb_seckey *sk, enum cb_msg_type type, uint64_t seq,
    const char *payload, struct cb_sealed *s)
{
	struct cb_err err;

	if (cb_msg_seal(sk, type, seq, cb_time_now_ms(), payload,
		strlen(payload), "canhbao agency test", s, &err) < 0)
		fail_msg("%s", err.msg);
}

/* Submit s to the relay; returns the CONFIRM's status. */
static int
submit_as(struct fx *f, const struct cb_registry *r, const struct cb_sealed *s,
    struct cb_req *c)
{
	c->id = 77;
	relay_outbox_submit(f->o, r, s->signed_bytes, s->signed_len,
	    s->sigblock, s->sigblock_len, c);
	assert_int_equal(c->type, CB_REQ_CONFIRM);
	assert_int_equal(c->id, 77);
	return c->status;
}

/* A receipt by the agency under a new number, submitted and kept; its
 * number is returned, its bytes in s when not NULL. */
static uint64_t
kept_receipt(struct fx *f, struct cb_sealed *s)
{
	struct cb_sealed mine;
	struct cb_req c;
	uint64_t seq = ++f->next_seq;

	seal(agency, CB_MSG_RECEIPT, seq, "{\"id\":\"t:1\",\"revision\":1,"
	    "\"event\":\"received\",\"at\":\"2026-11-28T10:00:00Z\"}", &mine);
	assert_int_equal(submit_as(f, &reg, &mine, &c), CB_REQ_KEPT);
	assert_int_equal(c.seq, seq);
	assert_memory_equal(c.key_id, agency_pk.id, CB_SIG_KEYIDLEN);
	if (s != NULL)
		*s = mine;
	else
		cb_sealed_release(&mine);
	return seq;
}

/* --- the upstream's side -------------------------------------------------- */

/* One SUBMIT the upstream i received within WAIT_MS (fails the test
 * otherwise); its frames in *fr (identity, header, signed, sigblock). */
static void
up_recv(struct fx *f, int i, struct cb_frames *fr)
{
	struct cb_req h;
	struct cb_err err = { "timed out" };

	if (cb_net_recv(f->up[i], fr, 0, &err) < 0)
		fail_msg("upstream %d received nothing: %s", i, err.msg);
	assert_int_equal(fr->n, 4);
	assert_int_equal(cb_req_decode(fr->data[1], fr->len[1], &h, &err), 0);
	assert_int_equal(h.type, CB_REQ_SUBMIT);
}

/* The number of the message in a SUBMIT's frames. */
static uint64_t
frames_seq(const struct cb_frames *fr)
{
	return cb_get_be((const uint8_t *)fr->data[2] + 13, 8);
}

/* The next SUBMIT at upstream i is the message with number seq. */
static void
up_expect(struct fx *f, int i, uint64_t seq, struct cb_frames *fr)
{
	struct cb_frames mine;

	up_recv(f, i, fr != NULL ? fr : &mine);
	assert_int_equal(frames_seq(fr != NULL ? fr : &mine), seq);
	if (fr == NULL)
		cb_frames_release(&mine);
}

/* Nothing more was sent to upstream i: a marker sent after it through
 * the same DEALER is the next thing the ROUTER reads (one pipe keeps
 * order), so no wait is needed to be sure. */
static void
up_nothing_more(struct fx *f, int i)
{
	const void *data[1] = { "MARK" };
	size_t len[1] = { 4 };
	struct cb_frames fr;
	struct cb_err err = { "timed out" };

	assert_int_equal(cb_net_send(cb_catchup_socket(f->c[i]), data, len, 1,
	    0), 0);
	if (cb_net_recv(f->up[i], &fr, 0, &err) < 0)
		fail_msg("no marker: %s", err.msg);
	assert_int_equal(fr.n, 2);
	assert_int_equal(fr.len[1], 4);
	assert_memory_equal(fr.data[1], "MARK", 4);
	cb_frames_release(&fr);
}

/* Upstream i answers the SUBMIT in fr with status (highest for 3). */
static void
up_answer(struct fx *f, int i, const struct cb_frames *fr, int status,
    uint64_t highest)
{
	struct cb_req c = { .type = CB_REQ_CONFIRM, .status = (uint8_t)status };
	uint8_t buf[CB_REQ_MAXLEN];
	const void *data[2] = { fr->data[0], buf };
	size_t len[2] = { fr->len[0], 0 };

	memcpy(c.key_id, (const uint8_t *)fr->data[3] + CB_MSG_SB_KEYID, 8);
	c.seq = frames_seq(fr);
	if (status == CB_REQ_REFUSED || status == CB_REQ_TAKEN) {
		snprintf(c.reason, sizeof(c.reason), "test refusal");
		c.highest = status == CB_REQ_TAKEN ? highest : 0;
	}
	len[1] = cb_req_encode(&c, buf);
	assert_int_equal(cb_net_send(f->up[i], data, len, 2, 0), 0);
}

/* The relay reads the next CONFIRM from upstream i and hands it over. */
static void
relay_reads_confirm(struct fx *f, int i)
{
	zmq_pollitem_t it = { cb_catchup_socket(f->c[i]), 0, ZMQ_POLLIN, 0 };
	struct cb_frames fr;
	struct cb_req c;
	struct cb_err err;

	assert_int_equal(zmq_poll(&it, 1, WAIT_MS), 1);
	assert_int_equal(cb_catchup_recv(f->c[i], &fr, &c, &err),
	    CB_CATCHUP_CONFIRM);
	relay_outbox_confirmed(f->o, &c);
}

/* Answer fr with status and let the relay read it. */
static void
confirm(struct fx *f, int i, struct cb_frames *fr, int status)
{
	up_answer(f, i, fr, status, status == CB_REQ_TAKEN ? 99999 : 0);
	cb_frames_release(fr);
	relay_reads_confirm(f, i);
}

/* Pump until upstream i has a message (the relay's time-outs are short
 * in the tests that call this), waiting on the outbox's deadline. */
static void
pump_until_sent(struct fx *f, int i, struct cb_frames *fr)
{
	zmq_pollitem_t it = { f->up[i], 0, ZMQ_POLLIN, 0 };
	int64_t end = cb_time_mono_ms() + WAIT_MS, at;
	struct cb_err err;

	for (;;) {
		relay_outbox_pump(f->o, f->c[i]);
		at = relay_outbox_deadline(f->o);
		assert_true(at >= 0);
		at -= cb_time_mono_ms();
		if (zmq_poll(&it, 1, at < 0 ? 0 : (long)at) == 1)
			break;
		if (cb_time_mono_ms() > end)
			fail_msg("nothing sent within %d ms", WAIT_MS);
	}
	if (cb_net_recv(f->up[i], fr, 0, &err) < 0)
		fail_msg("%s", err.msg);
}

/* The database's PRAGMA synchronous (2: FULL, as cb_db_open sets it). */
static int
synchronous(struct fx *f)
{
	sqlite3_stmt *st = cb_db_prepare(f->db, "PRAGMA synchronous", NULL);
	int v;

	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* --- submissions ---------------------------------------------------------- */

static void
test_submit_good(void **state)
{
	struct fx *f = *state;
	struct cb_sealed s;
	struct cb_req c;

	kept_receipt(f, NULL);
	assert_int_equal(relay_outbox_pending(f->o), 1);
	/* a downstream relay's own presence, and a report */
	seal(downstream, CB_MSG_PRESENCE, 5, "{\"at\":\"2026-11-28T10:00:00Z\","
	    "\"last_seq\":3}", &s);
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_KEPT);
	assert_memory_equal(c.key_id, downstream_pk.id, CB_SIG_KEYIDLEN);
	assert_int_equal(c.seq, 5);
	cb_sealed_release(&s);
	seal(agency, CB_MSG_REPORT, 4, "{\"severity\":\"high\",\"title\":\"x\","
	    "\"filed\":\"2026-11-28T10:00:00Z\"}", &s);
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_KEPT);
	cb_sealed_release(&s);
	assert_int_equal(relay_outbox_pending(f->o), 3);
}

static void
test_submit_forged(void **state)
{
	struct fx *f = *state;
	struct cb_sealed s;
	struct cb_req c;

	seal(agency, CB_MSG_RECEIPT, 7, "{\"id\":\"t:1\"}", &s);
	s.signed_bytes[CB_MSG_HDRLEN] ^= 1; /* the payload changed */
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_REFUSED);
	assert_memory_equal(c.key_id, agency_pk.id, CB_SIG_KEYIDLEN);
	assert_non_null(strstr(c.reason, "bad signature"));
	assert_non_null(strstr(c.reason, "so-y-te"));
	s.signed_bytes[CB_MSG_HDRLEN] ^= 1;
	s.sigblock[CB_MSG_SB_GSIG] ^= 1; /* the trusted comment's signature */
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_REFUSED);
	s.sigblock[CB_MSG_SB_GSIG] ^= 1;
	s.sigblock[0] = 'X'; /* not a signature block */
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_REFUSED);
	assert_true(c.reason[0] != '\0');
	assert_int_equal(c.highest, 0);
	cb_sealed_release(&s);
	/* another signer's key id on the agency's signature */
	seal(stranger, CB_MSG_RECEIPT, 7, "{}", &s);
	memcpy(s.sigblock + CB_MSG_SB_KEYID, agency_pk.id, CB_SIG_KEYIDLEN);
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_REFUSED);
	cb_sealed_release(&s);
	assert_int_equal(relay_outbox_pending(f->o), 0);
}

static void
test_submit_unknown(void **state)
{
	struct fx *f = *state;
	struct cb_sealed s;
	struct cb_req c;

	seal(stranger, CB_MSG_RECEIPT, 7, "{}", &s);
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_LATER);
	assert_memory_equal(c.key_id, stranger_pk.id, CB_SIG_KEYIDLEN);
	cb_sealed_release(&s);
	/* no registry yet: later, even for a member */
	seal(agency, CB_MSG_RECEIPT, 7, "{}", &s);
	assert_int_equal(submit_as(f, NULL, &s, &c), CB_REQ_LATER);
	cb_sealed_release(&s);
	assert_int_equal(relay_outbox_pending(f->o), 0);
	assert_int_equal(relay_outbox_deadline(f->o), -1);
}

static void
test_submit_wrong_type(void **state)
{
	struct fx *f = *state;
	static const enum cb_msg_type types[] = { CB_MSG_ADVISORY,
		CB_MSG_HEARTBEAT, CB_MSG_ROTATE, CB_MSG_REGISTRY };
	struct cb_sealed s;
	struct cb_req c;
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		seal(agency, types[i], 7, "{}", &s);
		assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_REFUSED);
		assert_non_null(strstr(c.reason, "only the publisher"));
		cb_sealed_release(&s);
	}
	assert_int_equal(relay_outbox_pending(f->o), 0);
}

static void
test_submit_oversize(void **state)
{
	struct fx *f = *state;
	size_t big = CB_MSG_MAXREPORT + 1;
	char *payload = malloc(big);
	struct cb_sealed s;
	struct cb_req c;

	assert_non_null(payload);
	memset(payload, 'a', big);
	/* a presence over its type's limit, signed all right */
	seal_raw(agency, CB_MSG_PRESENCE, 7, payload, CB_MSG_MAXPAYLOAD + 1,
	    &s);
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_REFUSED);
	assert_non_null(strstr(c.reason, "limit"));
	cb_sealed_release(&s);
	/* a report over 6 MiB */
	seal_raw(agency, CB_MSG_REPORT, 8, payload, big, &s);
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_REFUSED);
	cb_sealed_release(&s);
	/* and one of exactly 6 MiB is kept */
	seal_raw(agency, CB_MSG_REPORT, 9, payload, big - 1, &s);
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_KEPT);
	cb_sealed_release(&s);
	free(payload);
	assert_int_equal(relay_outbox_pending(f->o), 1);
}

static void
test_submit_resend(void **state)
{
	struct fx *f = *state;
	struct cb_sealed s, other;
	struct cb_req c;
	uint64_t seq, high;

	seq = kept_receipt(f, &s);
	high = kept_receipt(f, NULL);
	/* the same bytes again: kept, once */
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_KEPT);
	assert_int_equal(c.seq, seq);
	assert_int_equal(relay_outbox_pending(f->o), 2);
	/* other bytes under the same number: taken, with the highest */
	seal(agency, CB_MSG_RECEIPT, seq, "{\"other\":1}", &other);
	assert_int_equal(submit_as(f, &reg, &other, &c), CB_REQ_TAKEN);
	assert_int_equal(c.seq, seq);
	assert_int_equal(c.highest, high);
	assert_non_null(strstr(c.reason, "number taken"));
	assert_int_equal(relay_outbox_pending(f->o), 2);
	/* the CONFIRM encodes and decodes as canhbao.7 says */
	{
		uint8_t buf[CB_REQ_MAXLEN];
		struct cb_req back;
		struct cb_err err;
		size_t n = cb_req_encode(&c, buf);

		assert_int_equal(cb_req_decode(buf, n, &back, &err), 0);
		assert_int_equal(back.status, CB_REQ_TAKEN);
		assert_int_equal(back.highest, high);
	}
	cb_sealed_release(&other);
	cb_sealed_release(&s);
}

static void
test_submit_in_transaction(void **state)
{
	struct fx *f = *state;
	struct cb_sealed s;
	struct cb_req c;
	struct cb_err err;

	seal(agency, CB_MSG_RECEIPT, 7, "{}", &s);
	assert_int_equal(cb_db_exec(f->db, "BEGIN", &err), 0);
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_LATER);
	assert_int_equal(cb_db_exec(f->db, "ROLLBACK", &err), 0);
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_KEPT);
	cb_sealed_release(&s);
}

/* --- forwarding ----------------------------------------------------------- */

static void
test_forward_confirm(void **state)
{
	struct fx *f = *state;
	struct cb_frames fr[3];
	struct cb_sealed s;
	struct cb_req c;
	uint64_t seq[3];
	int i;

	relay_outbox_set_times(f->o, 60000, 50);
	seq[0] = kept_receipt(f, &s);
	seq[1] = kept_receipt(f, NULL);
	seq[2] = kept_receipt(f, NULL);
	assert_int_equal(relay_outbox_deadline(f->o), 0);
	relay_outbox_pump(f->o, f->c[0]);
	assert_int_equal(relay_outbox_inflight(f->o), 3);
	for (i = 0; i < 3; i++)
		up_expect(f, 0, seq[i], &fr[i]);
	/* forwarded unchanged */
	assert_int_equal(fr[0].len[2], s.signed_len);
	assert_memory_equal(fr[0].data[2], s.signed_bytes, s.signed_len);
	assert_int_equal(fr[0].len[3], s.sigblock_len);
	assert_memory_equal(fr[0].data[3], s.sigblock, s.sigblock_len);
	/* nothing is due before the time-out: the deadline says so */
	assert_true(relay_outbox_deadline(f->o) > cb_time_mono_ms() + 50000);
	confirm(f, 0, &fr[0], CB_REQ_KEPT);
	assert_int_equal(relay_outbox_pending(f->o), 2);
	assert_int_equal(synchronous(f), 2); /* FULL again after the answer */
	confirm(f, 0, &fr[2], CB_REQ_REFUSED); /* logged, dropped */
	assert_int_equal(relay_outbox_pending(f->o), 1);
	confirm(f, 0, &fr[1], CB_REQ_LATER);   /* sent again later */
	assert_int_equal(relay_outbox_pending(f->o), 1);
	assert_int_equal(relay_outbox_inflight(f->o), 0);
	pump_until_sent(f, 0, &fr[1]);
	assert_int_equal(frames_seq(&fr[1]), seq[1]);
	up_nothing_more(f, 0);
	confirm(f, 0, &fr[1], CB_REQ_KEPT);
	assert_int_equal(relay_outbox_pending(f->o), 0);
	assert_int_equal(relay_outbox_deadline(f->o), -1);
	/* the agency sends the forwarded one again: kept, not forwarded */
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_KEPT);
	assert_int_equal(relay_outbox_pending(f->o), 0);
	relay_outbox_pump(f->o, f->c[0]);
	up_nothing_more(f, 0);
	cb_sealed_release(&s);
}

static void
test_forward_taken_upstream(void **state)
{
	struct fx *f = *state;
	struct cb_frames fr;

	kept_receipt(f, NULL);
	relay_outbox_pump(f->o, f->c[0]);
	up_recv(f, 0, &fr);
	confirm(f, 0, &fr, CB_REQ_TAKEN); /* logged, dropped */
	assert_int_equal(relay_outbox_pending(f->o), 0);
	relay_outbox_resend(f->o);
	relay_outbox_pump(f->o, f->c[0]);
	up_nothing_more(f, 0);
}

/* Upstream's "later" for a signer the relay's registry no longer names
 * is final: dropped, not sent every 30 s for ever; for a member it
 * still means later. */
static void
test_later_for_removed(void **state)
{
	struct fx *f = *state;
	struct cb_registry now = reg;
	struct cb_frames fr[2];

	relay_outbox_set_times(f->o, 60000, 50);
	relay_outbox_set_registry(f->o, &now);
	kept_receipt(f, NULL);
	kept_receipt(f, NULL);
	relay_outbox_pump(f->o, f->c[0]);
	up_recv(f, 0, &fr[0]);
	up_recv(f, 0, &fr[1]);
	confirm(f, 0, &fr[0], CB_REQ_LATER); /* still a member: later */
	assert_int_equal(relay_outbox_pending(f->o), 2);
	now.members = &members[1];           /* the agency removed */
	now.n = 1;
	now.generation = reg.generation + 1;
	confirm(f, 0, &fr[1], CB_REQ_LATER); /* final now */
	assert_int_equal(relay_outbox_pending(f->o), 1);
	relay_outbox_set_registry(f->o, NULL);
}

static void
test_retry_unanswered(void **state)
{
	struct fx *f = *state;
	struct cb_frames fr;
	uint64_t seq;

	relay_outbox_set_times(f->o, 50, 60000);
	seq = kept_receipt(f, NULL);
	relay_outbox_pump(f->o, f->c[0]);
	up_expect(f, 0, seq, NULL);
	pump_until_sent(f, 0, &fr); /* no answer: again */
	assert_int_equal(frames_seq(&fr), seq);
	assert_int_equal(relay_outbox_inflight(f->o), 1);
	confirm(f, 0, &fr, CB_REQ_KEPT);
	assert_int_equal(relay_outbox_pending(f->o), 0);
	assert_int_equal(relay_outbox_inflight(f->o), 0);
}

static void
test_inflight_bound(void **state)
{
	struct fx *f = *state;
	struct cb_frames fr[RELAY_OUTBOX_INFLIGHT + 2];
	int i, n = RELAY_OUTBOX_INFLIGHT + 2;

	for (i = 0; i < n; i++)
		kept_receipt(f, NULL);
	relay_outbox_pump(f->o, f->c[0]);
	relay_outbox_pump(f->o, f->c[0]);
	assert_int_equal(relay_outbox_inflight(f->o), RELAY_OUTBOX_INFLIGHT);
	for (i = 0; i < RELAY_OUTBOX_INFLIGHT; i++)
		up_recv(f, 0, &fr[i]);
	up_nothing_more(f, 0);
	/* full: nothing to do before a time-out or an answer */
	assert_true(relay_outbox_deadline(f->o) > cb_time_mono_ms());
	confirm(f, 0, &fr[0], CB_REQ_KEPT);
	relay_outbox_pump(f->o, f->c[0]);
	up_recv(f, 0, &fr[RELAY_OUTBOX_INFLIGHT]);
	up_nothing_more(f, 0);
	for (i = 1; i <= RELAY_OUTBOX_INFLIGHT; i++)
		confirm(f, 0, &fr[i], CB_REQ_KEPT);
	relay_outbox_pump(f->o, f->c[0]);
	up_recv(f, 0, &fr[0]);
	confirm(f, 0, &fr[0], CB_REQ_KEPT);
	assert_int_equal(relay_outbox_pending(f->o), 0);
}

/* Reports of 6 MiB: no more than RELAY_OUTBOX_INFLIGHT_BYTES in flight
 * (one alone when it is larger). */
static void
test_inflight_bytes(void **state)
{
	struct fx *f = *state;
	size_t big = 5 * 1024 * 1024, n = RELAY_OUTBOX_INFLIGHT_BYTES / big + 2;
	char *payload = malloc(big);
	struct cb_frames fr;
	struct cb_sealed s;
	struct cb_req c;
	size_t i;

	assert_non_null(payload);
	memset(payload, 'b', big);
	for (i = 0; i < n; i++) {
		seal_raw(agency, CB_MSG_REPORT, 100 + i, payload, big, &s);
		assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_KEPT);
		cb_sealed_release(&s);
	}
	free(payload);
	relay_outbox_pump(f->o, f->c[0]);
	assert_int_equal(relay_outbox_inflight(f->o), n - 2);
	for (i = 0; i < n - 2; i++) {
		up_recv(f, 0, &fr);
		confirm(f, 0, &fr, CB_REQ_KEPT);
	}
	up_nothing_more(f, 0);
	relay_outbox_pump(f->o, f->c[0]);
	assert_int_equal(relay_outbox_inflight(f->o), 2);
	for (i = 0; i < 2; i++) {
		up_recv(f, 0, &fr);
		confirm(f, 0, &fr, CB_REQ_KEPT);
	}
	assert_int_equal(relay_outbox_pending(f->o), 0);
}

static void
test_reopen(void **state)
{
	struct fx *f = *state;
	struct cb_frames fr;
	uint64_t seq[3];
	int i;

	for (i = 0; i < 3; i++)
		seq[i] = kept_receipt(f, NULL);
	relay_outbox_pump(f->o, f->c[0]);
	up_expect(f, 0, seq[0], &fr);
	confirm(f, 0, &fr, CB_REQ_KEPT);
	up_expect(f, 0, seq[1], NULL); /* sent, never answered */
	up_expect(f, 0, seq[2], NULL);
	close_outbox(f); /* the relay stops */
	open_outbox(f);
	assert_int_equal(relay_outbox_pending(f->o), 2);
	assert_int_equal(relay_outbox_deadline(f->o), 0);
	relay_outbox_pump(f->o, f->c[0]);
	up_expect(f, 0, seq[1], &fr); /* not seq[0]: it was confirmed */
	confirm(f, 0, &fr, CB_REQ_KEPT);
	up_expect(f, 0, seq[2], &fr);
	up_nothing_more(f, 0);
	close_outbox(f);
	open_outbox(f);
	confirm(f, 0, &fr, CB_REQ_KEPT); /* an answer after the restart */
	assert_int_equal(relay_outbox_pending(f->o), 0);
	close_outbox(f);
	open_outbox(f);
	assert_int_equal(relay_outbox_pending(f->o), 0);
	assert_int_equal(relay_outbox_deadline(f->o), -1);
	relay_outbox_pump(f->o, f->c[0]);
	up_nothing_more(f, 0);
}

static void
test_failover(void **state)
{
	struct fx *f = *state;
	struct cb_frames fr;
	uint64_t seq[2];

	relay_outbox_set_times(f->o, 600000, 600000);
	seq[0] = kept_receipt(f, NULL);
	seq[1] = kept_receipt(f, NULL);
	relay_outbox_pump(f->o, f->c[0]);
	up_expect(f, 0, seq[0], NULL); /* upstream 0 dies unanswering */
	up_expect(f, 0, seq[1], &fr);
	up_answer(f, 0, &fr, CB_REQ_LATER, 0);
	cb_frames_release(&fr);
	relay_reads_confirm(f, 0);
	open_upstream(f, 1);
	relay_outbox_resend(f->o);
	assert_int_equal(relay_outbox_deadline(f->o), 0);
	relay_outbox_pump(f->o, f->c[1]);
	up_expect(f, 1, seq[0], &fr);
	confirm(f, 1, &fr, CB_REQ_KEPT);
	up_expect(f, 1, seq[1], &fr);
	confirm(f, 1, &fr, CB_REQ_KEPT);
	assert_int_equal(relay_outbox_pending(f->o), 0);
	up_nothing_more(f, 1);
}

static void
test_no_upstream(void **state)
{
	struct fx *f = *state;
	struct cb_err err;
	struct cb_catchup *c = cb_catchup_open(NULL, &err);

	kept_receipt(f, NULL);
	relay_outbox_pump(f->o, c); /* not connected: cannot go */
	assert_int_equal(relay_outbox_inflight(f->o), 0);
	assert_true(relay_outbox_deadline(f->o) > cb_time_mono_ms());
	relay_outbox_pump(f->o, NULL);
	assert_true(relay_outbox_deadline(f->o) > cb_time_mono_ms());
	cb_catchup_close(c);
	relay_outbox_resend(f->o);
	relay_outbox_pump(f->o, f->c[0]);
	assert_int_equal(relay_outbox_inflight(f->o), 1);
}

/* --- group commit --------------------------------------------------------- */

static void
test_batch(void **state)
{
	struct fx *f = *state;
	struct cb_frames fr;
	struct cb_err err;
	uint64_t seq[3];
	int i;

	assert_int_equal(relay_outbox_begin(f->o, &err), 0);
	assert_int_equal(relay_outbox_begin(f->o, &err), -1);
	for (i = 0; i < 3; i++)
		seq[i] = kept_receipt(f, NULL);
	assert_int_equal(relay_outbox_presence(f->o, self, 1, &err), 0);
	relay_outbox_pump(f->o, f->c[0]); /* not before the commit */
	up_nothing_more(f, 0);
	assert_int_equal(relay_outbox_commit(f->o, &err), 0);
	assert_int_equal(relay_outbox_pending(f->o), 4);
	relay_outbox_pump(f->o, f->c[0]);
	for (i = 0; i < 3; i++) {
		up_expect(f, 0, seq[i], &fr);
		confirm(f, 0, &fr, CB_REQ_KEPT);
	}
	up_recv(f, 0, &fr);
	confirm(f, 0, &fr, CB_REQ_KEPT);
	assert_int_equal(relay_outbox_pending(f->o), 0);
	/* a batch never committed (the relay stopped) kept nothing */
	assert_int_equal(relay_outbox_begin(f->o, &err), 0);
	kept_receipt(f, NULL);
	close_outbox(f);
	open_outbox(f);
	assert_int_equal(relay_outbox_pending(f->o), 0);
}

/* A commit that fails keeps nothing of the batch, and says so. */
static void
test_batch_commit_fails(void **state)
{
	struct fx *f = *state;
	struct cb_sealed s;
	struct cb_req c;
	struct cb_err err;

	assert_int_equal(cb_db_exec(f->db, "CREATE TABLE p (id INTEGER "
	    "PRIMARY KEY); CREATE TABLE q (p INTEGER REFERENCES p (id) "
	    "DEFERRABLE INITIALLY DEFERRED);", &err), 0);
	assert_int_equal(relay_outbox_begin(f->o, &err), 0);
	kept_receipt(f, &s);
	kept_receipt(f, NULL);
	assert_int_equal(relay_outbox_pending(f->o), 2);
	assert_int_equal(cb_db_exec(f->db, "INSERT INTO q VALUES (5)", &err),
	    0);
	assert_int_equal(relay_outbox_commit(f->o, &err), -1);
	assert_int_equal(relay_outbox_pending(f->o), 0);
	relay_outbox_pump(f->o, f->c[0]);
	up_nothing_more(f, 0);
	assert_int_equal(relay_outbox_deadline(f->o), -1);
	/* the agency, answered 2, sends it again: kept now */
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_KEPT);
	assert_int_equal(relay_outbox_pending(f->o), 1);
	cb_sealed_release(&s);
}

/* An outbox it cannot read is tried again a while later, not on every
 * pass of the loop. */
static void
test_read_error(void **state)
{
	struct fx *f = *state;
	struct cb_err err;

	kept_receipt(f, NULL);
	assert_int_equal(relay_outbox_deadline(f->o), 0);
	assert_int_equal(cb_db_exec(f->db, "ALTER TABLE relay_outbox RENAME "
	    "TO gone", &err), 0);
	relay_outbox_pump(f->o, f->c[0]);
	assert_true(relay_outbox_deadline(f->o) >= cb_time_mono_ms() + 500);
	assert_int_equal(cb_db_exec(f->db, "ALTER TABLE gone RENAME TO "
	    "relay_outbox", &err), 0);
}

/* --- presence ------------------------------------------------------------- */

static void
test_presence_own(void **state)
{
	struct fx *f = *state;
	struct cb_frames fr;
	struct cb_msg m;
	struct cb_err err;
	cJSON *o;
	int64_t at;
	uint64_t first;

	assert_int_equal(relay_outbox_presence(f->o, self, 41, &err), 0);
	assert_int_equal(relay_outbox_presence(f->o, self, 42, &err), 0);
	assert_int_equal(relay_outbox_pending(f->o), 1); /* superseded */
	relay_outbox_pump(f->o, f->c[0]);
	up_recv(f, 0, &fr);
	up_nothing_more(f, 0);
	assert_int_equal(cb_msg_open(&self_pk, 1, fr.data[2], fr.len[2],
	    fr.data[3], fr.len[3], &m, &err), 0);
	assert_int_equal(m.type, CB_MSG_PRESENCE);
	/* numbered from the wall clock, +1 each */
	assert_true(m.seq > (uint64_t)(cb_time_now_ms() - 3600000) * 1000);
	assert_true(m.seq <= (uint64_t)cb_time_now_ms() * 1000 + 1);
	assert_non_null(strstr(m.comment, "presence"));
	o = cJSON_ParseWithLength((const char *)m.payload, m.payload_len);
	assert_non_null(o);
	assert_int_equal(cJSON_GetObjectItem(o, "last_seq")->valuedouble, 42);
	assert_int_equal(cb_time_parse_iso(cJSON_GetObjectItem(o,
	    "at")->valuestring, &at), 0);
	assert_true(at > cb_time_now() - 3600 && at <= cb_time_now());
	cJSON_Delete(o);
	first = m.seq;
	confirm(f, 0, &fr, CB_REQ_KEPT);
	/* numbers survive a restart */
	close_outbox(f);
	open_outbox(f);
	assert_int_equal(relay_outbox_presence(f->o, self, 43, &err), 0);
	relay_outbox_pump(f->o, f->c[0]);
	up_recv(f, 0, &fr);
	assert_int_equal(frames_seq(&fr), first + 1);
	confirm(f, 0, &fr, CB_REQ_KEPT);
}

/* Upstream holds other content under the relay's own number: the next
 * presence is numbered above the highest it holds. */
static void
test_presence_own_taken(void **state)
{
	struct fx *f = *state;
	struct cb_frames fr;
	struct cb_err err;
	uint64_t highest;

	assert_int_equal(relay_outbox_presence(f->o, self, 1, &err), 0);
	relay_outbox_pump(f->o, f->c[0]);
	up_recv(f, 0, &fr);
	highest = frames_seq(&fr) + 5000;
	up_answer(f, 0, &fr, CB_REQ_TAKEN, highest);
	cb_frames_release(&fr);
	relay_reads_confirm(f, 0);
	assert_int_equal(relay_outbox_pending(f->o), 0);
	assert_int_equal(relay_outbox_presence(f->o, self, 2, &err), 0);
	relay_outbox_pump(f->o, f->c[0]);
	up_expect(f, 0, highest + 1, &fr);
	confirm(f, 0, &fr, CB_REQ_KEPT);
}

/* Past the cap on bytes waiting, a new message is answered "later"
 * (a resend of one held is still 0), until upstream takes some. */
static void
test_cap(void **state)
{
	struct fx *f = *state;
	struct cb_frames fr;
	struct cb_sealed s, last;
	struct cb_req c;
	uint64_t first;

	first = kept_receipt(f, &s);
	relay_outbox_set_limit(f->o, 2 * (s.signed_len + s.sigblock_len));
	kept_receipt(f, NULL);
	seal(agency, CB_MSG_RECEIPT, ++f->next_seq, "{\"id\":\"t:1\","
	    "\"revision\":1,\"event\":\"received\","
	    "\"at\":\"2026-11-28T10:00:00Z\"}", &last);
	assert_int_equal(submit_as(f, &reg, &last, &c), CB_REQ_LATER);
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_KEPT);
	assert_int_equal(relay_outbox_pending(f->o), 2);
	relay_outbox_pump(f->o, f->c[0]);
	up_expect(f, 0, first, &fr);
	confirm(f, 0, &fr, CB_REQ_KEPT);
	assert_int_equal(submit_as(f, &reg, &last, &c), CB_REQ_KEPT);
	/* what waits is counted again at a restart: still full */
	close_outbox(f);
	open_outbox(f);
	relay_outbox_set_limit(f->o, 2 * (s.signed_len + s.sigblock_len));
	cb_sealed_release(&s);
	seal(agency, CB_MSG_RECEIPT, ++f->next_seq, "{\"id\":\"t:1\","
	    "\"revision\":1,\"event\":\"received\","
	    "\"at\":\"2026-11-28T10:00:00Z\"}", &s);
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_LATER);
	assert_int_equal(relay_outbox_pending(f->o), 2);
	cb_sealed_release(&s);
	cb_sealed_release(&last);
}

/* An agency's newer presence supersedes one still waiting here, but a
 * receipt never does. */
static void
test_presence_supersedes(void **state)
{
	struct fx *f = *state;
	struct cb_sealed s;
	struct cb_frames fr;
	struct cb_req c;
	uint64_t seq;

	seal(agency, CB_MSG_PRESENCE, 1, "{}", &s);
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_KEPT);
	cb_sealed_release(&s);
	seq = kept_receipt(f, NULL);
	seal(agency, CB_MSG_PRESENCE, 2, "{}", &s);
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_KEPT);
	cb_sealed_release(&s);
	assert_int_equal(relay_outbox_pending(f->o), 2);
	relay_outbox_pump(f->o, f->c[0]);
	up_expect(f, 0, seq, &fr);
	confirm(f, 0, &fr, CB_REQ_KEPT);
	up_expect(f, 0, 2, &fr);
	confirm(f, 0, &fr, CB_REQ_KEPT);
	up_nothing_more(f, 0);
	assert_int_equal(relay_outbox_pending(f->o), 0);
}

/* Past the record, a resend goes upstream again (the publisher keeps
 * every number and answers it 0). */
static void
test_prune(void **state)
{
	struct fx *f = *state;
	struct cb_frames fr;
	struct cb_sealed s;
	struct cb_req c;
	struct cb_err err;
	uint64_t seq;

	seq = kept_receipt(f, &s);
	relay_outbox_pump(f->o, f->c[0]);
	up_expect(f, 0, seq, &fr);
	confirm(f, 0, &fr, CB_REQ_KEPT);
	assert_int_equal(relay_outbox_prune(f->o, cb_time_now() - 60, &err),
	    0);
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_KEPT);
	assert_int_equal(relay_outbox_pending(f->o), 0); /* the record */
	assert_int_equal(relay_outbox_prune(f->o, cb_time_now() + 60, &err),
	    1);
	assert_int_equal(submit_as(f, &reg, &s, &c), CB_REQ_KEPT);
	assert_int_equal(relay_outbox_pending(f->o), 1);
	relay_outbox_pump(f->o, f->c[0]);
	up_expect(f, 0, seq, &fr);
	confirm(f, 0, &fr, CB_REQ_KEPT);
	cb_sealed_release(&s);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_submit_good),
		T(test_submit_forged),
		T(test_submit_unknown),
		T(test_submit_wrong_type),
		T(test_submit_oversize),
		T(test_submit_resend),
		T(test_submit_in_transaction),
		T(test_forward_confirm),
		T(test_forward_taken_upstream),
		T(test_later_for_removed),
		T(test_retry_unanswered),
		T(test_inflight_bound),
		T(test_inflight_bytes),
		T(test_reopen),
		T(test_failover),
		T(test_no_upstream),
		T(test_read_error),
		T(test_batch),
		T(test_batch_commit_fails),
		T(test_presence_own),
		T(test_presence_own_taken),
		T(test_presence_supersedes),
		T(test_cap),
		T(test_prune),
	};

	return cmocka_run_group_tests(tests, make_keys, free_keys);
}
