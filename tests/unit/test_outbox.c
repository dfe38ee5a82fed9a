/* Unit tests for sub_outbox: its own schema in the archive, receipts,
 * the bound on entries waiting for an answer, answers, restarts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "sub_test.h"
#include "cb_sig.h"
#include "cb_time.h"
#include "sub_outbox.h"
#include "sub_store.h"

/* The agency's key, made once for every test. */
static struct cb_seckey *agency;

static int
make_key(void **state)
{
	struct cb_pubkey pk;
	struct cb_err err;

	(void)state;
	if (cb_sig_init() < 0 || cb_sig_keygen(&agency, &pk, &err) < 0)
		fail_msg("cannot make a key");
	return 0;
}

static int
free_key(void **state)
{
	(void)state;
	cb_seckey_free(agency);
	return 0;
}

static void
queue(struct sub_fixture *f, int n)
{
	struct cb_err err;
	int i;

	for (i = 0; i < n; i++)
		if (sub_outbox_receipt(sub_store_db(f->s), "t:1", 1, "received",
			0, NULL, NULL, &err) < 0)
			fail_msg("%s", err.msg);
}

/* How many entries sub_outbox_next hands out at now_ms; their seqs in
 * seqs when not NULL. */
static int
drain(struct sub_fixture *f, int64_t now_ms, uint64_t *seqs)
{
	struct sub_outbox_item item;
	struct cb_err err;
	int n = 0, rc;

	while ((rc = sub_outbox_next(sub_store_db(f->s), agency, now_ms, &item,
		    &err)) > 0) {
		assert_non_null(item.s.signed_bytes);
		if (seqs != NULL)
			seqs[n] = item.seq;
		cb_sealed_release(&item.s);
		n++;
	}
	if (rc < 0)
		fail_msg("%s", err.msg);
	return n;
}

static long
pending(struct sub_fixture *f)
{
	struct cb_err err;
	long n;

	if (sub_outbox_pending(sub_store_db(f->s), &n, &err) < 0)
		fail_msg("%s", err.msg);
	return n;
}

/* At most SUB_OUTBOX_INFLIGHT wait for an answer; an answer frees a
 * place; unanswered ones are due again after SUB_OUTBOX_RETRY_MS. */
static void
test_inflight_bound(void **state)
{
	struct sub_fixture *f = *state;
	uint64_t seqs[SUB_OUTBOX_INFLIGHT + 10];
	struct cb_err err;
	int64_t t = 1000;

	queue(f, SUB_OUTBOX_INFLIGHT + 8);
	assert_int_equal(drain(f, t, seqs), SUB_OUTBOX_INFLIGHT);
	assert_int_equal(drain(f, t + 1, NULL), 0);
	assert_int_equal(sub_outbox_confirm(sub_store_db(f->s), seqs[0],
			     CB_REQ_KEPT, NULL, t + 2, &err), 0);
	assert_int_equal(sub_outbox_confirm(sub_store_db(f->s), seqs[1],
			     CB_REQ_LATER, NULL, t + 2, &err), 0);
	assert_int_equal(drain(f, t + 3, NULL), 2);
	assert_int_equal(pending(f), SUB_OUTBOX_INFLIGHT + 7);
	/* none answered: all due again, still 32 at a time */
	t += SUB_OUTBOX_RETRY_MS + 10;
	assert_int_equal(drain(f, t, NULL), SUB_OUTBOX_INFLIGHT);
}

static int
keep_refused(const struct sub_outbox_entry *e, void *arg)
{
	assert_non_null(e->refused);
	snprintf(arg, 200, "%s", e->refused);
	return 0;
}

/* A refused entry stays, with the publisher's reason, is not sent
 * again and takes no place. */
static void
test_refused(void **state)
{
	struct sub_fixture *f = *state;
	char why[200] = "";
	uint64_t seq;
	struct cb_err err;

	queue(f, 1);
	assert_int_equal(drain(f, 10, &seq), 1);
	assert_int_equal(sub_outbox_confirm(sub_store_db(f->s), seq,
			     CB_REQ_REFUSED, "over the cap", 11, &err), 0);
	assert_int_equal(pending(f), 0);
	assert_int_equal(drain(f, 10 + 10 * SUB_OUTBOX_RETRY_MS, NULL), 0);
	assert_int_equal(sub_outbox_each(sub_store_db(f->s), 1, keep_refused,
			     why, &err), 0);
	assert_string_equal(why, "refused by the publisher: over the cap");
}

/* A new outbox numbers from the wall clock (milliseconds times 1000),
 * so a recreated archive starts above a lost one's numbers. */
static void
test_numbers_from_clock(void **state)
{
	struct sub_fixture *f = *state;
	uint64_t seq;
	int64_t made = cb_time_now_ms() - 60000; /* the fixture's archive */

	queue(f, 1);
	assert_int_equal(drain(f, 10, &seq), 1);
	assert_true(seq > (uint64_t)made * 1000);
	assert_true(seq <= (uint64_t)cb_time_now_ms() * 1000 + 1);
}

/* "Number taken": the entry, and every one never sent at or below the
 * publisher's highest, move above it (and above every number used), in
 * order, unsigned and due now; one sent and waiting keeps its number
 * (it gets its own answer); later entries number on from there. */
static void
test_renumber(void **state)
{
	struct sub_fixture *f = *state;
	struct sqlite3 *db = sub_store_db(f->s);
	uint64_t sent[4], after[4], highest;
	struct cb_err err;
	size_t n;

	queue(f, 4);
	assert_int_equal(drain(f, 10, sent), 4);
	queue(f, 2); /* not signed yet */
	highest = sent[0] + 100;
	assert_int_equal(sub_outbox_renumber(db, sent[0], highest, &n, &err),
	    0);
	assert_int_equal(n, 3);
	/* due now: the two queued and the renumbered one, above highest */
	assert_int_equal(drain(f, 11, after), 3);
	assert_true(after[0] == highest + 1 && after[1] == highest + 2 &&
	    after[2] == highest + 3);
	queue(f, 1);
	assert_int_equal(drain(f, 12, after), 1);
	assert_true(after[0] == highest + 4);
	assert_int_equal(sub_outbox_renumber(db, sent[0], highest, &n, &err),
	    0);
	assert_int_equal(n, 0); /* gone already */
	assert_int_equal(sub_outbox_renumber(db, sent[1], INT64_MAX, &n, &err),
	    -1); /* no numbers left */
	assert_int_equal(pending(f), 7);
}

/* A new daemon (the monotonic clock starts again with the machine):
 * everything pending is due at once, signed as before. */
static void
test_restart(void **state)
{
	struct sub_fixture *f = *state;
	struct sub_outbox_item a, b;
	struct cb_err err;
	struct sqlite3 *db = sub_store_db(f->s);

	queue(f, 1);
	assert_int_equal(sub_outbox_next(db, agency, 5000000, &a, &err), 1);
	assert_int_equal(drain(f, 10, NULL), 0); /* "after a reboot" */
	assert_int_equal(sub_outbox_restart(db, &err), 0);
	assert_int_equal(sub_outbox_next(db, agency, 10, &b, &err), 1);
	assert_int_equal(a.seq, b.seq);
	assert_int_equal(a.s.signed_len, b.s.signed_len);
	assert_memory_equal(a.s.signed_bytes, b.s.signed_bytes,
	    a.s.signed_len);
	cb_sealed_release(&a.s);
	cb_sealed_release(&b.s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		SUB_TEST(test_inflight_bound),
		SUB_TEST(test_refused),
		SUB_TEST(test_numbers_from_clock),
		SUB_TEST(test_renumber),
		SUB_TEST(test_restart),
	};

	return cmocka_run_group_tests(tests, make_key, free_key);
}
