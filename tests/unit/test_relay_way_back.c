/* The way back end to end, exactly once: an agency's real outbox
 * (sub_outbox in an archive) submits to two relays' outboxes
 * (relay_outbox, each its own SQLite file), which forward over real
 * DEALER/ROUTER sockets (ipc:// in the test's folder) to the
 * publisher's real inbound path (pub_inbound over a journal).  On the
 * way: lost CONFIRMs on both legs, a relay that stops before it
 * forwards, the agency failing over to the other relay, the publisher
 * restarting.  Every message must end at the publisher exactly once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "cb_test.h"
#include "cb_catchup.h"
#include "cb_db.h"
#include "cb_msg.h"
#include "cb_net.h"
#include "cb_registry.h"
#include "cb_sig.h"
#include "cb_time.h"
#include "pub_inbound.h"
#include "pub_journal.h"
#include "relay_outbox.h"
#include "sub_outbox.h"
#include "sub_store.h"

#define WAIT_MS 5000

struct relay {
	char *path;
	sqlite3 *db;
	struct relay_outbox *o;
	struct cb_catchup *c; /* its DEALER to the publisher */
};

struct world {
	char *dir, *journal_path;
	struct pub_journal *j;
	void *router;         /* the publisher's requests channel */
	long served;          /* SUBMITs the publisher answered or not */
	struct sub_store *archive;
	struct cb_seckey *agency;
	struct cb_registry reg;
	struct cb_registry_member member;
	int64_t now_ms;       /* the agency's clock */
	struct relay r[2];
};

static void
open_relay(struct world *w, int i)
{
	struct relay *r = &w->r[i];
	struct cb_err err;

	r->db = cb_db_open(r->path, 0, NULL, 0, &err);
	if (r->db == NULL || (r->o = relay_outbox_open(r->db, &err)) == NULL)
		fail_msg("%s", err.msg);
	relay_outbox_set_times(r->o, 0, 0); /* every pump sends again */
}

static void
close_relay(struct world *w, int i)
{
	relay_outbox_close(w->r[i].o);
	cb_db_close(w->r[i].db);
	w->r[i].o = NULL;
	w->r[i].db = NULL;
}

static void
open_journal(struct world *w)
{
	struct cb_err err;

	w->j = pub_journal_open(w->journal_path, &err);
	if (w->j == NULL || pub_inbound_migrate(w->j, &err) < 0)
		fail_msg("%s", err.msg);
}

static int
setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));
	char ep[4200], *path;
	struct cb_err err;
	int i, timeout = WAIT_MS;

	assert_non_null(w);
	assert_int_equal(cb_sig_init(), 0);
	w->dir = cb_test_tmpdir();
	w->journal_path = cb_test_path(w->dir, "journal.db");
	open_journal(w);
	if (cb_sig_keygen(&w->agency, &w->member.key, &err) < 0 ||
	    pub_journal_agency_add(w->j, "so-y-te", &w->member.key,
		cb_time_now(), &err) < 0)
		fail_msg("%s", err.msg);
	snprintf(w->member.name, sizeof(w->member.name), "so-y-te");
	w->reg.generation = 1;
	w->reg.members = &w->member;
	w->reg.n = 1;
	path = cb_test_path(w->dir, SUB_ARCHIVE_FILE);
	w->archive = sub_store_open(path, 0, &err);
	free(path);
	if (w->archive == NULL)
		fail_msg("%s", err.msg);
	w->now_ms = 1000;
	snprintf(ep, sizeof(ep), "ipc://%s/requests", w->dir);
	w->router = cb_net_socket(ZMQ_ROUTER, &err);
	assert_non_null(w->router);
	cb_net_set_maxmsg(w->router, CB_NET_MAXMSG_REQUESTS);
	zmq_setsockopt(w->router, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
	if (cb_net_bind(w->router, ep, NULL, 0, &err) < 0)
		fail_msg("%s", err.msg);
	for (i = 0; i < 2; i++) {
		char name[32];

		snprintf(name, sizeof(name), "relay%d.db", i);
		w->r[i].path = cb_test_path(w->dir, name);
		open_relay(w, i);
		w->r[i].c = cb_catchup_open(ep, &err);
		if (w->r[i].c == NULL ||
		    cb_catchup_connect(w->r[i].c, ep, &err) < 0)
			fail_msg("%s", err.msg);
	}
	*state = w;
	return 0;
}

static int
teardown(void **state)
{
	struct world *w = *state;
	int i;

	for (i = 0; i < 2; i++) {
		close_relay(w, i);
		cb_catchup_close(w->r[i].c);
		free(w->r[i].path);
	}
	cb_net_close(w->router);
	sub_store_close(w->archive);
	pub_journal_close(w->j);
	cb_seckey_free(w->agency);
	cb_test_rmtree(w->dir);
	free(w->dir);
	free(w->journal_path);
	free(w);
	return 0;
}

/* --- the agency ----------------------------------------------------------- */

static void
agency_queue(struct world *w, int from, int to, int reports)
{
	char id[32], *payload;
	struct cb_err err;
	int i;

	for (i = from; i < to; i++) {
		snprintf(id, sizeof(id), "local:2026-%06d", i);
		if (sub_outbox_receipt(sub_store_db(w->archive), id, 1,
			"received", cb_time_now(), NULL, NULL, &err) < 0)
			fail_msg("%s", err.msg);
	}
	for (i = 0; i < reports; i++) {
		payload = sub_outbox_report("high", "máy chủ bị tấn công",
		    NULL, NULL, 0, &err);
		if (payload == NULL || sub_outbox_add(sub_store_db(w->archive),
		    CB_MSG_REPORT, payload, &err) < 0)
			fail_msg("%s", err.msg);
		free(payload);
	}
}

/* The agency sends what is due to relay i, as its daemon does, losing
 * the CONFIRM of every lose-th one (0: none lost).  How many it sent. */
static int
agency_sends(struct world *w, int i, int lose)
{
	struct sub_outbox_item item;
	struct cb_req c;
	struct cb_err err;
	int n = 0, rc;

	while ((rc = sub_outbox_next(sub_store_db(w->archive), w->agency,
		    w->now_ms, &item, &err)) == 1) {
		c.id = (uint32_t)++n;
		relay_outbox_submit(w->r[i].o, &w->reg, item.s.signed_bytes,
		    item.s.signed_len, item.s.sigblock, item.s.sigblock_len,
		    &c);
		assert_int_equal(c.status, CB_REQ_KEPT);
		assert_int_equal(c.seq, item.seq);
		if ((lose == 0 || n % lose != 0) &&
		    sub_outbox_confirm(sub_store_db(w->archive), item.seq,
			(enum cb_req_status)c.status, c.reason, w->now_ms,
			&err) < 0)
			fail_msg("%s", err.msg);
		cb_sealed_release(&item.s);
	}
	if (rc < 0)
		fail_msg("%s", err.msg);
	return n;
}

static long
agency_pending(struct world *w)
{
	struct cb_err err;
	long n;

	if (sub_outbox_pending(sub_store_db(w->archive), &n, &err) < 0)
		fail_msg("%s", err.msg);
	return n;
}

/* --- the publisher -------------------------------------------------------- */

/* The publisher answers every SUBMIT relay i has sent so far (a marker
 * after them on the relay's DEALER says where that ends), with a
 * CONFIRM unless drop; then a marker back, so that the relay can read
 * every answer there is. */
static void
publisher_serves(struct world *w, int i, int drop)
{
	const void *data[2] = { "MARK" };
	size_t len[2] = { 4 };
	struct pub_inbound_result res;
	struct cb_frames f;
	struct cb_req c;
	struct cb_err err = { "timed out" };
	uint8_t buf[CB_REQ_MAXLEN];

	assert_int_equal(cb_net_send(cb_catchup_socket(w->r[i].c), data, len,
	    1, 0), 0);
	for (;;) {
		if (cb_net_recv(w->router, &f, 0, &err) < 0)
			fail_msg("publisher: %s", err.msg);
		if (f.n == 2) /* the marker */
			break;
		assert_int_equal(f.n, 4);
		w->served++;
		pub_inbound_submit(w->j, f.data[2], f.len[2], f.data[3],
		    f.len[3], cb_time_now(), &res, &err);
		assert_int_equal(res.status, CB_REQ_KEPT);
		memset(&c, 0, sizeof(c));
		c.type = CB_REQ_CONFIRM;
		c.status = (uint8_t)res.status;
		memcpy(c.key_id, res.key_id, 8);
		c.seq = res.seq;
		data[0] = f.data[0];
		len[0] = f.len[0];
		data[1] = buf;
		len[1] = cb_req_encode(&c, buf);
		if (!drop)
			assert_int_equal(cb_net_send(w->router, data, len, 2,
			    0), 0);
		cb_frames_release(&f);
	}
	data[0] = f.data[0];
	len[0] = f.len[0];
	data[1] = "MARK";
	len[1] = 4;
	assert_int_equal(cb_net_send(w->router, data, len, 2, 0), 0);
	cb_frames_release(&f);
}

/* Relay i reads the publisher's answers, up to the marker. */
static void
relay_reads(struct world *w, int i)
{
	zmq_pollitem_t it = { cb_catchup_socket(w->r[i].c), 0, ZMQ_POLLIN, 0 };
	struct cb_frames f;
	struct cb_req c;
	struct cb_err err;

	for (;;) {
		assert_int_equal(zmq_poll(&it, 1, WAIT_MS), 1);
		switch (cb_catchup_recv(w->r[i].c, &f, &c, &err)) {
		case CB_CATCHUP_CONFIRM:
			relay_outbox_confirmed(w->r[i].o, &c);
			break;
		case CB_CATCHUP_BAD: /* the marker */
			return;
		default:
			fail_msg("relay %d read something else", i);
		}
	}
}

/* One pass: relay i sends what is due, the publisher answers (or
 * drops its answers), the relay reads them. */
static void
relay_pass(struct world *w, int i, int drop)
{
	relay_outbox_pump(w->r[i].o, w->r[i].c);
	publisher_serves(w, i, drop);
	relay_reads(w, i);
}

static long
count(struct world *w, const char *sql)
{
	sqlite3_stmt *st = cb_db_prepare(pub_journal_db(w->j), sql, NULL);
	long n;

	assert_non_null(st);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	n = (long)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void
test_exactly_once(void **state)
{
	struct world *w = *state;

	/* 16 receipts go to relay A, the agency loses every third CONFIRM
	 * (5), A forwards them all and loses every answer */
	agency_queue(w, 0, 16, 0);
	assert_int_equal(agency_sends(w, 0, 3), 16);
	relay_pass(w, 0, 1);
	relay_pass(w, 0, 1); /* sent again: answered again, lost again */
	assert_int_equal(relay_outbox_pending(w->r[0].o), 16);
	/* 16 more and 2 reports go to A (6 CONFIRMs lost), and A stops
	 * before it forwards any of them */
	agency_queue(w, 16, 32, 2);
	assert_int_equal(agency_sends(w, 0, 3), 18);
	assert_int_equal(agency_pending(w), 11);
	assert_int_equal(relay_outbox_pending(w->r[0].o), 34);
	close_relay(w, 0);
	/* the publisher restarts */
	pub_journal_close(w->j);
	open_journal(w);
	/* the agency, past its time-out, fails over to relay B with the 11
	 * it never heard about, and 5 new receipts */
	agency_queue(w, 32, 37, 0);
	w->now_ms += SUB_OUTBOX_RETRY_MS + 1;
	assert_int_equal(agency_sends(w, 1, 0), 16);
	assert_int_equal(agency_pending(w), 0);
	relay_pass(w, 1, 0);
	assert_int_equal(relay_outbox_pending(w->r[1].o), 0);
	/* the 12 that only relay A holds are not at the publisher yet */
	assert_int_equal(count(w, "SELECT count(*) FROM inbound"), 16 + 6 + 5);
	/* relay A comes back and forwards all it kept */
	open_relay(w, 0);
	assert_int_equal(relay_outbox_pending(w->r[0].o), 34);
	relay_pass(w, 0, 0);
	assert_int_equal(relay_outbox_pending(w->r[0].o), 0);
	/* each message once at the publisher, though many came twice */
	assert_int_equal(count(w, "SELECT count(*) FROM inbound"), 39);
	assert_int_equal(count(w, "SELECT count(DISTINCT seq) FROM inbound"),
	    39);
	assert_int_equal(count(w, "SELECT count(*) FROM receipt"), 37);
	assert_int_equal(count(w, "SELECT count(*) FROM report"), 2);
	assert_int_equal(w->served, 16 + 16 + 16 + 34);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_exactly_once, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
