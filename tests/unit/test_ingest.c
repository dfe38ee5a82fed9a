/* Unit tests for pub_ingest, the ingestion decision table: new,
 * changed, cancelled, a cancel or update of an item never published,
 * unchanged (also across a reopen of the journal), before the backfill
 * window on the first fetch and later, expired; the revision each gets;
 * and what reaches the PUB socket, in which order, only after commit.
 * A real journal in a temporary folder, a real PUB socket on
 * 127.0.0.1, a fixed clock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "cb_test.h"
#include "cb_adv.h"
#include "cb_msg.h"
#include "cb_net.h"
#include "cb_sig.h"
#include "pub_bcast.h"
#include "pub_ingest.h"
#include "pub_journal.h"
#include "pub_seal.h"

#define NOW 1780000000 /* a fixed clock: 2026-05-28 */
#define HOUR 3600
#define DAY (24 * HOUR)
#define RECV_MS 5000 /* a message that should come: generous */

struct fixture {
	char *dir, *path;
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct pub_journal *j;
	struct pub_bcast *b;
	struct pub_seal *seal;
	void *sub;
	struct pub_feed_conf feed;
	struct pub_ingest_stats st;
};

/* The next message on the SUB socket: its type and sequence number
 * (and the advisory's revision), verified with the publisher's key. */
struct got {
	int type;
	uint64_t seq;
	unsigned revision;
	char topic[32];
};

static int
receive(struct fixture *f, struct got *g, int timeout_ms)
{
	zmq_pollitem_t item = { .socket = f->sub, .events = ZMQ_POLLIN };
	struct cb_frames fr;
	struct cb_adv adv;
	struct cb_msg m;
	struct cb_err err;

	if (zmq_poll(&item, 1, timeout_ms) <= 0)
		return -1;
	assert_int_equal(cb_net_recv(f->sub, &fr, 0, &err), 0);
	assert_int_equal(fr.n, 3);
	snprintf(g->topic, sizeof(g->topic), "%s", (char *)fr.data[0]);
	assert_int_equal(cb_msg_open(&f->pk, 1, fr.data[1], fr.len[1],
	    fr.data[2], fr.len[2], &m, &err), 0);
	g->type = (int)m.type;
	g->seq = m.seq;
	g->revision = 0;
	if (m.type == CB_MSG_ADVISORY) {
		assert_int_equal(cb_adv_from_json(&adv, (const char *)m.payload,
		    m.payload_len, 0, &err), 0);
		g->revision = adv.revision;
		cb_adv_release(&adv);
	}
	cb_frames_release(&fr);
	return 0;
}

/* Send heartbeats until one arrives: the subscription is in place (no
 * fixed sleep), and nothing else is queued. */
static void
await_subscription(struct fixture *f)
{
	struct cb_err err;
	struct got g;
	int i;

	for (i = 0; i < 200; i++) {
		assert_int_equal(pub_seal_heartbeat(f->seal, &err), 0);
		if (receive(f, &g, 50) == 0)
			break;
	}
	assert_int_equal(g.type, CB_MSG_HEARTBEAT);
	while (receive(f, &g, 50) == 0) /* stray heartbeats of the loop */
		assert_int_equal(g.type, CB_MSG_HEARTBEAT);
}

/* Nothing was sent since the last receive: a heartbeat sent now is the
 * next message. */
static void
assert_nothing_sent(struct fixture *f)
{
	struct cb_err err;
	struct got g;

	assert_int_equal(pub_seal_heartbeat(f->seal, &err), 0);
	assert_int_equal(receive(f, &g, RECV_MS), 0);
	assert_int_equal(g.type, CB_MSG_HEARTBEAT);
}

static void
expect_advisory(struct fixture *f, uint64_t seq, unsigned revision)
{
	struct got g;

	assert_int_equal(receive(f, &g, RECV_MS), 0);
	assert_int_equal(g.type, CB_MSG_ADVISORY);
	assert_int_equal(g.seq, seq);
	assert_int_equal(g.revision, revision);
	assert_string_equal(g.topic, "adv.high");
}

static void
open_journal(struct fixture *f)
{
	struct cb_err err;

	f->j = pub_journal_open(f->path, &err);
	assert_non_null(f->j);
	f->seal = pub_seal_new(f->sk, f->sk, f->j, f->b);
}

static void
close_journal(struct fixture *f)
{
	pub_seal_free(f->seal);
	pub_journal_close(f->j);
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char bound[256];
	struct cb_err err;

	assert_non_null(f);
	f->dir = cb_test_tmpdir();
	f->path = cb_test_path(f->dir, "journal.db");
	assert_int_equal(cb_sig_keygen(&f->sk, &f->pk, &err), 0);
	f->b = pub_bcast_open("tcp://127.0.0.1:*", NULL, bound, sizeof(bound),
	    &err);
	assert_non_null(f->b);
	f->sub = cb_net_socket(ZMQ_SUB, &err);
	assert_non_null(f->sub);
	assert_int_equal(zmq_setsockopt(f->sub, ZMQ_SUBSCRIBE, "", 0), 0);
	assert_int_equal(cb_net_connect(f->sub, bound, &err), 0);
	open_journal(f);
	f->feed = (struct pub_feed_conf){ .name = strdup("cert"),
		.origin = CB_ORIGIN_NATIONAL, .severity = CB_SEV_HIGH,
		.backfill = 7 * DAY };
	await_subscription(f);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	close_journal(f);
	cb_net_close(f->sub);
	pub_bcast_close(f->b);
	cb_seckey_free(f->sk);
	free(f->feed.name);
	cb_test_rmtree(f->dir);
	free(f->path);
	free(f->dir);
	free(f);
	return 0;
}

/* Ingest one item as the feed gave it; returns what it became. */
static void
ingest(struct fixture *f, const char *source_id, const char *title,
    enum cb_kind kind, int64_t published, int64_t expires, int initial,
    struct cb_adv *out)
{
	struct cb_adv_list items = { 0 };
	struct cb_adv *a = cb_adv_list_push(&items);
	struct cb_err err;

	a->source_id = strdup(source_id);
	a->title = strdup(title);
	a->kind = kind;
	a->severity = CB_SEV_HIGH;
	a->published = published;
	a->expires = expires;
	memset(&f->st, 0, sizeof(f->st));
	assert_int_equal(pub_ingest(f->j, f->seal, &f->feed, &items, initial,
	    NOW, &f->st, &err), 0);
	assert_int_equal(f->st.items, 1);
	assert_int_equal(f->st.failed, 0);
	if (out != NULL)
		cb_adv_copy(out, a);
	cb_adv_list_release(&items);
}

static unsigned
journal_revision(struct fixture *f, const char *id)
{
	struct cb_err err;
	unsigned rev = 0;

	if (pub_journal_revision(f->j, id, &rev, &err) == 0)
		return 0;
	return rev;
}

static void
test_new_changed_unchanged_cancelled(void **state)
{
	struct fixture *f = *state;
	struct cb_adv a;

	ingest(f, "A-1", "Lỗ hổng", CB_KIND_NEW, NOW - HOUR, 0, 1, &a);
	assert_int_equal(f->st.published, 1);
	assert_string_equal(a.id, "cert:A-1");
	assert_int_equal(a.revision, 1);
	assert_int_equal(a.kind, CB_KIND_NEW);
	cb_adv_release(&a);
	expect_advisory(f, 1, 1);

	ingest(f, "A-1", "Lỗ hổng", CB_KIND_NEW, NOW - HOUR, 0, 0, NULL);
	assert_int_equal(f->st.unchanged, 1);
	assert_nothing_sent(f);

	/* Unchanged also across a restart. */
	close_journal(f);
	open_journal(f);
	ingest(f, "A-1", "Lỗ hổng", CB_KIND_NEW, NOW - HOUR, 0, 0, NULL);
	assert_int_equal(f->st.unchanged, 1);
	assert_nothing_sent(f);

	/* Changed: an update, revision 2, whatever kind the feed said. */
	ingest(f, "A-1", "Lỗ hổng nghiêm trọng", CB_KIND_NEW, NOW - HOUR, 0, 0,
	    &a);
	assert_int_equal(f->st.updated, 1);
	assert_int_equal(a.revision, 2);
	assert_int_equal(a.kind, CB_KIND_UPDATE);
	cb_adv_release(&a);
	expect_advisory(f, 2, 2);

	ingest(f, "A-1", "Lỗ hổng nghiêm trọng", CB_KIND_CANCEL, NOW - HOUR, 0,
	    0, &a);
	assert_int_equal(f->st.cancelled, 1);
	assert_int_equal(a.revision, 3);
	assert_int_equal(a.kind, CB_KIND_CANCEL);
	cb_adv_release(&a);
	expect_advisory(f, 3, 3);
	assert_int_equal(journal_revision(f, "cert:A-1"), 3);
	assert_nothing_sent(f);
}

static void
test_cancel_or_update_of_unknown(void **state)
{
	struct fixture *f = *state;
	uint8_t hash[32];
	struct cb_err err;
	struct cb_adv a;
	int published = -1;

	ingest(f, "B-1", "Hủy", CB_KIND_CANCEL, NOW - HOUR, 0, 1, NULL);
	assert_int_equal(f->st.cancelled, 1);
	assert_int_equal(journal_revision(f, "cert:B-1"), 0);
	assert_int_equal(pub_journal_item(f->j, "cert", "B-1", hash,
	    &published, &err), 1);
	assert_int_equal(published, 0); /* seen, not published */
	assert_nothing_sent(f);

	/* An update of something never published is published as new. */
	ingest(f, "C-1", "Cập nhật", CB_KIND_UPDATE, NOW - HOUR, 0, 1, &a);
	assert_int_equal(f->st.published, 1);
	assert_int_equal(a.revision, 1);
	assert_int_equal(a.kind, CB_KIND_NEW);
	cb_adv_release(&a);
	expect_advisory(f, 1, 1);
}

static void
test_backfill_window(void **state)
{
	struct fixture *f = *state;

	/* The first fetch: an item older than the window is only seen. */
	ingest(f, "D-1", "Cũ", CB_KIND_NEW, NOW - 8 * DAY, 0, 1, NULL);
	assert_int_equal(f->st.old, 1);
	assert_int_equal(journal_revision(f, "cert:D-1"), 0);
	/* Inside the window, or without a date: published. */
	ingest(f, "D-2", "Mới", CB_KIND_NEW, NOW - 6 * DAY, 0, 1, NULL);
	assert_int_equal(f->st.published, 1);
	expect_advisory(f, 1, 1);
	ingest(f, "D-3", "Không ngày", CB_KIND_NEW, 0, 0, 1, NULL);
	assert_int_equal(f->st.published, 1);
	expect_advisory(f, 2, 1);
	/* A later fetch: the same old item is unchanged, not published. */
	ingest(f, "D-1", "Cũ", CB_KIND_NEW, NOW - 8 * DAY, 0, 0, NULL);
	assert_int_equal(f->st.unchanged, 1);
	assert_nothing_sent(f);
	/* ...but an old item first seen after the first fetch is news. */
	ingest(f, "D-4", "Cũ mà mới", CB_KIND_NEW, NOW - 30 * DAY, 0, 0, NULL);
	assert_int_equal(f->st.published, 1);
	expect_advisory(f, 3, 1);
	/* backfill = all: nothing is too old. */
	f->feed.backfill = PUB_BACKFILL_ALL;
	ingest(f, "D-5", "Rất cũ", CB_KIND_NEW, NOW - 300 * DAY, 0, 1, NULL);
	assert_int_equal(f->st.published, 1);
	expect_advisory(f, 4, 1);
}

static void
test_expired(void **state)
{
	struct fixture *f = *state;

	ingest(f, "E-1", "Hết hạn", CB_KIND_NEW, NOW - HOUR, NOW - 1, 1, NULL);
	assert_int_equal(f->st.expired, 1);
	assert_int_equal(journal_revision(f, "cert:E-1"), 0);
	/* Changed but still expired, never published: still nothing. */
	ingest(f, "E-1", "Hết hạn (sửa)", CB_KIND_NEW, NOW - HOUR, NOW - 1, 0,
	    NULL);
	assert_int_equal(f->st.expired, 1);
	assert_nothing_sent(f);
	/* Not yet expired: published. */
	ingest(f, "E-2", "Còn hạn", CB_KIND_NEW, NOW - HOUR, NOW + DAY, 1, NULL);
	assert_int_equal(f->st.published, 1);
	expect_advisory(f, 1, 1);
	/* Published once, then expired and changed: the change goes out
	 * (subscribers hold the earlier revision). */
	ingest(f, "E-2", "Còn hạn (sửa)", CB_KIND_NEW, NOW - HOUR, NOW - 1, 0,
	    NULL);
	assert_int_equal(f->st.updated, 1);
	expect_advisory(f, 2, 2);
}

/* One document: one transaction, sent in order only after commit. */
static void
test_document_in_order(void **state)
{
	struct fixture *f = *state;
	struct cb_adv_list items = { 0 };
	struct cb_adv *a;
	struct cb_err err;
	char sid[16];
	int i;

	for (i = 0; i < 3; i++) {
		a = cb_adv_list_push(&items);
		snprintf(sid, sizeof(sid), "F-%d", i);
		a->source_id = strdup(sid);
		a->title = strdup("Một tài liệu");
		a->severity = CB_SEV_HIGH;
		a->published = NOW;
	}
	a = cb_adv_list_push(&items); /* no id: counted as failed */
	a->title = strdup("Không mã");
	a->severity = CB_SEV_HIGH;
	assert_int_equal(pub_ingest(f->j, f->seal, &f->feed, &items, 1, NOW,
	    &f->st, &err), 0);
	assert_int_equal(f->st.items, 4);
	assert_int_equal(f->st.published, 3);
	assert_int_equal(f->st.failed, 1);
	cb_adv_list_release(&items);
	for (i = 1; i <= 3; i++)
		expect_advisory(f, (uint64_t)i, 1);
	assert_nothing_sent(f);
	assert_int_equal(pub_journal_last_seq(f->j), 3);
}

/* A group that fails leaves nothing journaled and sends nothing. */
static void
test_abort_sends_nothing(void **state)
{
	struct fixture *f = *state;
	struct cb_adv a;
	struct cb_err err;
	uint64_t seq;

	assert_int_equal(pub_seal_begin(f->seal, &err), 0);
	cb_adv_init(&a);
	a.title = strdup("Bỏ");
	a.severity = CB_SEV_HIGH;
	assert_int_equal(pub_seal_advisory(f->seal, &a, NULL, &seq, &err),
	    PUB_SEAL_SENT);
	assert_int_equal(seq, 1);
	cb_adv_release(&a);
	pub_seal_abort(f->seal);
	assert_int_equal(pub_journal_last_seq(f->j), 0);
	assert_nothing_sent(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
		    test_new_changed_unchanged_cancelled, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cancel_or_update_of_unknown,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_backfill_window, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_expired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_document_in_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_abort_sends_nothing, setup,
		    teardown),
	};
	int rc;

	if (cb_sig_init() < 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	cb_net_shutdown();
	return rc;
}
