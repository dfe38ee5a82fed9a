/* Unit tests for what the duty officer reads and marks: a drill's
 * verdict (pub_views_drill), reports filtered by agency, by when they
 * were received and by whether they are handled (pub_views_reports),
 * and marking one handled (pub_inbound_handle); the duty page's
 * advisories with their counts, overdue by severity and revision, a
 * report's attachment, and what a kept receipt tells the page. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cb_test.h"
#include "pub_test.h"
#include "cb_adv.h"
#include "cb_msg.h"
#include "cb_sig.h"
#include "pub_inbound.h"
#include "pub_journal.h"
#include "pub_views.h"

#define NOW 1780000000 /* a fixed clock: 2026-05-28 */
#define ADV "local:2026-000001"

/* Two registered agencies and a drill advisory in the journal. */
struct agencies {
	struct cb_seckey *an_giang, *bac_ninh;
};

static struct cb_seckey *
add_agency(struct pub_journal *j, const char *name)
{
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_err err;

	assert_int_equal(cb_sig_keygen(&sk, &pk, &err), 0);
	assert_int_equal(pub_journal_agency_add(j, name, &pk, NOW, &err), 0);
	return sk;
}

/* An advisory (or a revision) in the journal. */
static void
publish(struct pub_journal *j, uint64_t seq, const char *id, unsigned rev,
    const char *severity)
{
	static const uint8_t bytes[4] = "CBM1", sig[2] = "ED";
	struct pub_entry e = { .seq = seq, .type = CB_MSG_ADVISORY,
		.issued_ms = (int64_t)NOW * 1000, .adv_id = id, .revision = rev,
		.severity = severity, .title = "t", .signed_bytes = bytes,
		.signed_len = sizeof(bytes), .sigblock = sig,
		.sigblock_len = sizeof(sig) };
	struct cb_err err;

	assert_int_equal(pub_journal_append(j, &e, NULL, &err), 0);
}

static void
enrol(struct pub_journal *j, struct agencies *a)
{
	struct cb_err err;

	assert_int_equal(pub_inbound_migrate(j, &err), 0);
	publish(j, 1, ADV, 1, "high");
	a->an_giang = add_agency(j, "an-giang");
	a->bac_ninh = add_agency(j, "bac-ninh");
}

static void
release(struct agencies *a)
{
	cb_seckey_free(a->an_giang);
	cb_seckey_free(a->bac_ninh);
}

/* A message of type from the agency holding sk, kept at time now. */
static void
submit(struct pub_journal *j, const struct cb_seckey *sk, uint64_t seq,
    enum cb_msg_type type, const char *payload, int64_t now)
{
	struct pub_inbound_result res;
	struct cb_sealed s;
	struct cb_err err;

	assert_int_equal(cb_msg_seal(sk, type, seq, now * 1000, payload,
	    strlen(payload), "test", &s, &err), 0);
	if (pub_inbound_submit(j, s.signed_bytes, s.signed_len, s.sigblock,
		s.sigblock_len, now, &res, &err) < 0)
		fail_msg("submit: %s", err.msg);
	cb_sealed_release(&s);
}

static void
receipt(struct pub_journal *j, const struct cb_seckey *sk, uint64_t seq,
    const char *event)
{
	char payload[256];

	snprintf(payload, sizeof(payload), "{\"id\":\"" ADV "\","
	    "\"revision\":1,\"event\":\"%s\",\"at\":\"2026-05-28T00:00:00Z\"}",
	    event);
	submit(j, sk, seq, CB_MSG_RECEIPT, payload, NOW);
}

static void
report(struct pub_journal *j, const struct cb_seckey *sk, uint64_t seq,
    int64_t received)
{
	submit(j, sk, seq, CB_MSG_REPORT, "{\"severity\":\"high\","
	    "\"title\":\"Mã độc\",\"filed\":\"2026-05-27T00:00:00Z\"}",
	    received);
}

static double
num(const cJSON *o, const char *key)
{
	return pub_views_num(o, key);
}

static void
expect_drill(struct pub_journal *j, int received, int acked, int all_rec,
    int all_ack)
{
	struct cb_err err;
	cJSON *d = pub_views_drill(j, ADV, &err);

	assert_non_null(d);
	assert_string_equal(pub_views_str(d, "id"), ADV);
	assert_int_equal((int)num(d, "registered"), 2);
	assert_int_equal((int)num(d, "received"), received);
	assert_int_equal((int)num(d, "acknowledged"), acked);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(d,
	    "agencies")), 2);
	assert_int_equal(pub_views_drill_all(d, 0), all_rec);
	assert_int_equal(pub_views_drill_all(d, 1), all_ack);
	cJSON_Delete(d);
}

/* The counts, and when the drill is complete: all received, then all
 * acknowledged too.  An acknowledgement counts as receipt. */
static void
test_drill_verdict(void **state)
{
	struct pub_fixture *f = *state;
	struct agencies a;

	enrol(f->j, &a);
	expect_drill(f->j, 0, 0, 0, 0);
	receipt(f->j, a.an_giang, 1, "received");
	expect_drill(f->j, 1, 0, 0, 0);
	receipt(f->j, a.bac_ninh, 1, "acknowledged");
	expect_drill(f->j, 2, 1, 1, 0);
	receipt(f->j, a.an_giang, 2, "acknowledged");
	expect_drill(f->j, 2, 2, 1, 1);
	release(&a);
}

static int
count(struct pub_journal *j, const char *agency, int64_t since,
    int unhandled)
{
	const struct pub_report_filter filter = { agency, since, unhandled };
	struct cb_err err;
	cJSON *v = pub_views_reports(j, &filter, NULL, &err);
	int n;

	assert_non_null(v);
	n = cJSON_GetArraySize(v);
	cJSON_Delete(v);
	return n;
}

/* --agency, --since (by the time received, not filed) and --unhandled,
 * alone and together. */
static void
test_reports_filter(void **state)
{
	struct pub_fixture *f = *state;
	struct agencies a;
	struct cb_err err;

	enrol(f->j, &a);
	report(f->j, a.an_giang, 10, NOW - 3 * 3600);
	report(f->j, a.an_giang, 11, NOW);
	report(f->j, a.bac_ninh, 10, NOW);
	assert_int_equal(count(f->j, NULL, 0, 0), 3);
	assert_int_equal(count(f->j, "an-giang", 0, 0), 2);
	assert_int_equal(count(f->j, "nosuch", 0, 0), 0);
	assert_int_equal(count(f->j, NULL, NOW - 2 * 3600, 0), 2);
	assert_int_equal(count(f->j, "an-giang", NOW - 2 * 3600, 0), 1);
	assert_int_equal(count(f->j, NULL, NOW - 3 * 3600, 0), 3);
	assert_int_equal(pub_inbound_handle(f->j, "an-giang", 11, "Lê Văn C",
	    NULL, NOW, &err), 1);
	assert_int_equal(count(f->j, NULL, 0, 1), 2);
	assert_int_equal(count(f->j, "an-giang", NOW - 2 * 3600, 1), 0);
	release(&a);
}

static void
expect_handled(struct pub_journal *j, uint64_t seq, const char *at,
    const char *by, const char *note)
{
	struct cb_err err;
	cJSON *r = pub_views_report(j, "an-giang", seq, &err);
	const cJSON *h;

	assert_non_null(r);
	h = cJSON_GetObjectItem(r, "handled");
	assert_true(cJSON_IsObject(h));
	assert_string_equal(pub_views_str(h, "at"), at);
	assert_string_equal(pub_views_str(h, "by"), by);
	if (note == NULL)
		assert_true(cJSON_IsNull(cJSON_GetObjectItem(h, "note")));
	else
		assert_string_equal(pub_views_str(h, "note"), note);
	cJSON_Delete(r);
}

/* Who, when and a note; marking again replaces them; what cannot be
 * marked is told apart from what may not. */
static void
test_handle(void **state)
{
	struct pub_fixture *f = *state;
	struct agencies a;
	struct cb_err err;
	char big[5000];
	cJSON *r;

	enrol(f->j, &a);
	report(f->j, a.an_giang, 10, NOW);
	r = pub_views_report(f->j, "an-giang", 10, &err);
	assert_non_null(r);
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(r, "handled")));
	cJSON_Delete(r);

	assert_int_equal(pub_inbound_handle(f->j, "an-giang", 10, "Lê Văn C",
	    "đã cô lập", NOW, &err), 1);
	expect_handled(f->j, 10, "2026-05-28T20:26:40Z", "Lê Văn C",
	    "đã cô lập");
	assert_int_equal(pub_inbound_handle(f->j, "an-giang", 10, "Trần B",
	    NULL, NOW + 60, &err), 1);
	expect_handled(f->j, 10, "2026-05-28T20:27:40Z", "Trần B", NULL);

	assert_int_equal(pub_inbound_handle(f->j, "an-giang", 99, "x", NULL,
	    NOW, &err), 0);
	assert_int_equal(pub_inbound_handle(f->j, "bac-ninh", 10, "x", NULL,
	    NOW, &err), 0);
	assert_int_equal(pub_inbound_handle(f->j, "an-giang", 10, "", NULL,
	    NOW, &err), -1);
	assert_non_null(strstr(err.msg, "who handled it"));
	assert_int_equal(pub_inbound_handle(f->j, "an-giang", 10, "x",
	    "\xc3\x28", NOW, &err), -1);
	assert_non_null(strstr(err.msg, "note"));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(pub_inbound_handle(f->j, "an-giang", 10, "x", big,
	    NOW, &err), -1);
	expect_handled(f->j, 10, "2026-05-28T20:27:40Z", "Trần B", NULL);
	release(&a);
}

/* An agency is known when registered, and also once removed while its
 * reports stay. */
static void
test_agency_known(void **state)
{
	struct pub_fixture *f = *state;
	struct agencies a;
	struct cb_err err;

	enrol(f->j, &a);
	assert_int_equal(pub_views_agency_known(f->j, "an-giang", &err), 1);
	assert_int_equal(pub_views_agency_known(f->j, "nosuch", &err), 0);
	report(f->j, a.bac_ninh, 10, NOW);
	assert_int_equal(pub_journal_agency_remove(f->j, "bac-ninh", &err), 1);
	assert_int_equal(pub_views_agency_known(f->j, "bac-ninh", &err), 1);
	assert_int_equal(pub_journal_agency_remove(f->j, "an-giang", &err), 1);
	assert_int_equal(pub_views_agency_known(f->j, "an-giang", &err), 0);
	release(&a);
}

/* A critical advisory in the journal at seq, issued at t. */
static void
critical(struct pub_journal *j, uint64_t seq, const char *id,
    unsigned revision, int64_t t)
{
	static const uint8_t bytes[4] = "CBM1", sig[2] = "ED";
	struct pub_entry e = { .seq = seq, .type = CB_MSG_ADVISORY,
		.issued_ms = t * 1000, .adv_id = id, .revision = revision,
		.severity = "critical", .title = "critical",
		.signed_bytes = bytes, .signed_len = sizeof(bytes),
		.sigblock = sig, .sigblock_len = sizeof(sig) };
	struct cb_err err;

	assert_int_equal(pub_journal_append(j, &e, NULL, &err), 0);
}

struct health {
	char names[4][16];
	int64_t last[4];
	long unreceived[4], unacked[4];
	int n;
};

static void
one_health(const struct pub_agency_health *h, void *arg)
{
	struct health *hs = arg;

	assert_true(hs->n < 4);
	snprintf(hs->names[hs->n], sizeof(hs->names[0]), "%s", h->name);
	hs->last[hs->n] = h->last_contact;
	hs->unreceived[hs->n] = h->unreceived;
	hs->unacked[hs->n++] = h->unacknowledged;
}

/* What /metrics says of each agency: its last contact, and the
 * critical advisories (latest revision, issued in the window and since
 * it registered) it has not received and not acknowledged; an
 * acknowledgement counts as receipt too. */
static void
test_agency_health(void **state)
{
	struct pub_fixture *f = *state;
	struct health h = { .n = 0 };
	struct agencies a;
	struct cb_err err;

	enrol(f->j, &a); /* ADV r1 (high), agencies registered at NOW */
	critical(f->j, 2, ADV, 2, NOW + 10);      /* now critical */
	critical(f->j, 3, "old", 1, NOW - 10);     /* before they joined */
	critical(f->j, 4, "later", 1, NOW + 20);
	critical(f->j, 5, "later", 2, NOW + 30);   /* one advisory, r2 */
	receipt(f->j, a.an_giang, 1, "acknowledged");
	assert_int_equal(pub_views_agency_health(f->j, NOW - 10, one_health,
	    &h, &err), 0);
	assert_int_equal(h.n, 2);
	assert_string_equal(h.names[0], "an-giang");
	assert_int_equal(h.last[0], NOW);
	assert_int_equal(h.unreceived[0], 1);
	assert_int_equal(h.unacked[0], 1);
	assert_string_equal(h.names[1], "bac-ninh");
	assert_int_equal(h.last[1], 0);
	assert_int_equal(h.unreceived[1], 2);
	assert_int_equal(h.unacked[1], 2);
	/* only what was issued since NOW + 25 ("later" r2) */
	h.n = 0;
	assert_int_equal(pub_views_agency_health(f->j, NOW + 25, one_health,
	    &h, &err), 0);
	assert_int_equal(h.n, 2);
	assert_int_equal(h.unreceived[0] + h.unacked[0], 2);
	assert_int_equal(h.unreceived[1] + h.unacked[1], 2);
	release(&a);
}

static void
expect_counts(struct pub_journal *j, int registered, int received,
    int acked)
{
	struct cb_err err;
	cJSON *v = pub_views_advisories(j, 10, &err), *a;

	assert_non_null(v);
	assert_int_equal(cJSON_GetArraySize(v), 1);
	a = cJSON_GetArrayItem(v, 0);
	assert_string_equal(pub_views_str(a, "id"), ADV);
	assert_string_equal(pub_views_str(a, "issued"), "2026-05-28T20:26:40Z");
	assert_true(cJSON_IsNull(cJSON_GetObjectItem(a, "published")));
	assert_int_equal((int)num(a, "registered"), registered);
	assert_int_equal((int)num(a, "received"), received);
	assert_int_equal((int)num(a, "acknowledged"), acked);
	cJSON_Delete(v);
}

/* An advisory whose signed payload gives its own publication time. */
static void
signed_published(struct pub_journal *j, uint64_t seq)
{
	static const char json[] = "{\"published\":\"2026-05-27T08:00:00Z\"}";
	uint8_t bytes[CB_MSG_HDRLEN + sizeof(json)] = { 0 };
	static const uint8_t sig[2] = "ED";
	struct pub_entry e = { .seq = seq, .type = CB_MSG_ADVISORY,
		.issued_ms = (int64_t)NOW * 1000, .adv_id = "local:2026-000009",
		.revision = 1, .severity = "high", .title = "t",
		.signed_bytes = bytes, .signed_len = sizeof(bytes) - 1,
		.sigblock = sig, .sigblock_len = sizeof(sig) };
	struct cb_err err;

	memcpy(bytes + CB_MSG_HDRLEN, json, sizeof(json));
	assert_int_equal(pub_journal_append(j, &e, NULL, &err), 0);
}

/* The page's counts are the drill's: an acknowledgement counts as
 * receipt, each agency once, an agency removed not at all; newest
 * first, latest revision, as many as asked. */
static void
test_advisories(void **state)
{
	struct pub_fixture *f = *state;
	struct agencies a;
	struct cb_err err;
	cJSON *v;

	enrol(f->j, &a);
	expect_counts(f->j, 2, 0, 0);
	receipt(f->j, a.an_giang, 1, "received");
	receipt(f->j, a.an_giang, 2, "acknowledged");
	expect_counts(f->j, 2, 1, 1);
	receipt(f->j, a.bac_ninh, 1, "acknowledged");
	expect_counts(f->j, 2, 2, 2);
	assert_int_equal(pub_journal_agency_remove(f->j, "bac-ninh", &err), 1);
	expect_counts(f->j, 1, 1, 1);
	publish(f->j, 2, "local:2026-000002", 1, "low");
	publish(f->j, 3, ADV, 2, "critical");
	v = pub_views_advisories(f->j, 10, &err);
	assert_int_equal(cJSON_GetArraySize(v), 2);
	assert_string_equal(pub_views_str(cJSON_GetArrayItem(v, 0), "id"), ADV);
	assert_int_equal((int)num(cJSON_GetArrayItem(v, 0), "revision"), 2);
	assert_string_equal(pub_views_str(cJSON_GetArrayItem(v, 0),
	    "severity"), "critical");
	cJSON_Delete(v);
	v = pub_views_advisories(f->j, 1, &err);
	assert_int_equal(cJSON_GetArraySize(v), 1);
	cJSON_Delete(v);
	signed_published(f->j, 4);
	v = pub_views_advisories(f->j, 1, &err);
	assert_string_equal(pub_views_str(cJSON_GetArrayItem(v, 0),
	    "published"), "2026-05-27T08:00:00Z");
	cJSON_Delete(v);
	release(&a);
}

/* The number of advisories agency has yet to acknowledge at min. */
static int
overdue(struct pub_journal *j, int min, const char *agency)
{
	struct cb_err err;
	cJSON *v = pub_views_overdue(j, min, NOW, &err);
	const cJSON *e;
	int n = 0;

	assert_non_null(v);
	cJSON_ArrayForEach(e, v)
		if (strcmp(pub_views_str(e, "agency"), agency) == 0)
			n = cJSON_GetArraySize(cJSON_GetObjectItem(e,
			    "advisories"));
	cJSON_Delete(v);
	return n;
}

/* Severity at or above the minimum, of the latest revision only. */
static void
test_overdue_severity(void **state)
{
	struct pub_fixture *f = *state;
	struct agencies a;

	enrol(f->j, &a); /* ADV: high */
	publish(f->j, 2, "local:2026-000002", 1, "critical");
	publish(f->j, 3, "local:2026-000003", 1, "low");
	assert_int_equal(overdue(f->j, CB_SEV_INFO, "an-giang"), 3);
	assert_int_equal(overdue(f->j, CB_SEV_HIGH, "an-giang"), 2);
	assert_int_equal(overdue(f->j, CB_SEV_CRITICAL, "an-giang"), 1);
	receipt(f->j, a.an_giang, 1, "acknowledged");
	assert_int_equal(overdue(f->j, CB_SEV_HIGH, "an-giang"), 1);
	assert_int_equal(overdue(f->j, CB_SEV_HIGH, "bac-ninh"), 2);
	publish(f->j, 4, ADV, 2, "info"); /* downgraded */
	assert_int_equal(overdue(f->j, CB_SEV_HIGH, "bac-ninh"), 1);
	release(&a);
}

/* A report's attachment, byte for byte; none by another name. */
static void
test_attachment(void **state)
{
	struct pub_fixture *f = *state;
	struct agencies a;
	struct cb_err err;
	size_t len = 0;
	void *data;

	enrol(f->j, &a);
	submit(f->j, a.an_giang, 10, CB_MSG_REPORT, "{\"severity\":\"high\","
	    "\"title\":\"x\",\"filed\":\"2026-05-27T00:00:00Z\","
	    "\"attachments\":[{\"name\":\"a.txt\",\"data\":\"aGk=\"}]}",
	    NOW);
	data = pub_views_attachment(f->j, "an-giang", 10, "a.txt", &len, &err);
	assert_non_null(data);
	assert_int_equal(len, 2);
	assert_memory_equal(data, "hi", 2);
	free(data);
	assert_null(pub_views_attachment(f->j, "an-giang", 10, "b.txt", &len,
	    &err));
	assert_string_equal(err.msg, "");
	assert_null(pub_views_attachment(f->j, "an-giang", 11, "a.txt", &len,
	    &err));
	release(&a);
}

/* A fresh receipt tells the page its advisory and event. */
static void
test_kept_receipt(void **state)
{
	struct pub_fixture *f = *state;
	struct pub_inbound_result res;
	struct agencies a;
	struct cb_sealed s;
	struct cb_err err;
	const char *payload = "{\"id\":\"" ADV "\",\"revision\":1,"
	    "\"event\":\"acknowledged\",\"at\":\"2026-05-28T00:00:00Z\","
	    "\"by\":\"Nguyễn Văn An\"}";

	enrol(f->j, &a);
	assert_int_equal(cb_msg_seal(a.bac_ninh, CB_MSG_RECEIPT, 1,
	    (int64_t)NOW * 1000, payload, strlen(payload), "test", &s, &err), 0);
	assert_int_equal(pub_inbound_submit(f->j, s.signed_bytes, s.signed_len,
	    s.sigblock, s.sigblock_len, NOW, &res, &err), 0);
	cb_sealed_release(&s);
	assert_true(res.fresh);
	assert_int_equal(res.type, CB_MSG_RECEIPT);
	assert_string_equal(res.agency, "bac-ninh");
	assert_string_equal(res.adv_id, ADV);
	assert_string_equal(res.event, "acknowledged");
	release(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		PUB_TEST(test_drill_verdict),
		PUB_TEST(test_reports_filter),
		PUB_TEST(test_handle),
		PUB_TEST(test_agency_known),
		PUB_TEST(test_agency_health),
		PUB_TEST(test_advisories),
		PUB_TEST(test_overdue_severity),
		PUB_TEST(test_attachment),
		PUB_TEST(test_kept_receipt),
	};

	if (cb_sig_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
