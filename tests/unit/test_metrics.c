/* Unit tests for the daemons' /metrics pages (pub_metrics,
 * sub_metrics): the agencies' states as the publisher has them (online,
 * silent, never seen, with silence counted from the daemon's start at
 * the earliest), and every family of both pages. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "pub_test.h"
#include "cb_mem.h"
#include "cb_sig.h"
#include "pub_config.h"
#include "pub_feeds.h"
#include "pub_inbound.h"
#include "pub_metrics.h"
#include "pub_seal.h"
#include "sub_metrics.h"

#define NOW 1780000000 /* a fixed clock: 2026-05-28 */

/* The page, or a failed test. */
static char *
pub_page(struct pub_journal *j, int64_t started, int64_t now)
{
	struct pub_config cfg;
	struct pub_metrics_src src;
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_prom p;
	struct cb_err err;
	char *page;

	pub_config_init(&cfg);
	cfg.state = cb_xstrdup("/nonexistent");
	cfg.silent_after = 60;
	assert_int_equal(cb_sig_keygen(&sk, &pk, &err), 0);
	src = (struct pub_metrics_src){ .opts = &cfg, .journal = j,
		.seal = pub_seal_new(sk, sk, j, NULL), .started = started };
	src.feeds = pub_feeds_new(&cfg, j, src.seal, &err);
	assert_non_null(src.feeds);
	cb_prom_init(&p);
	assert_int_equal(pub_metrics_write(&p, &src, now, &err), 0);
	assert_false(p.full);
	page = cb_buf_detach(&p.buf, NULL);
	pub_feeds_free(src.feeds);
	pub_seal_free(src.seal);
	cb_seckey_free(sk);
	pub_config_release(&cfg);
	return page;
}

static void
expect_line(const char *page, const char *line)
{
	char *want = cb_xasprintf("\n%s\n", line);

	if (strstr(page, want) == NULL)
		fail_msg("no line '%s' in:\n%s", line, page);
	free(want);
}

/* Registered agencies: one in contact 10 s ago, one 100 s ago, one
 * never (silent_after is 60). */
static void
register_three(struct pub_journal *j)
{
	static const char *const names[3] = { "an-giang", "bac-ninh",
		"ca-mau" };
	static const int64_t last[3] = { NOW - 10, NOW - 100, 0 };
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_err err;
	int i;

	assert_int_equal(pub_inbound_migrate(j, &err), 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(cb_sig_keygen(&sk, &pk, &err), 0);
		cb_seckey_free(sk);
		assert_int_equal(pub_journal_agency_add(j, names[i], &pk,
		    NOW - 1000, &err), 0);
		if (last[i] != 0)
			assert_int_equal(pub_journal_agency_touch(j, names[i],
			    last[i], &err), 0);
	}
}

static void
test_agency_states(void **state)
{
	struct pub_fixture *f = *state;
	char *page;

	register_three(f->j);
	/* running for an hour: silent is silent */
	page = pub_page(f->j, NOW - 3600, NOW);
	expect_line(page, "canhbao_agencies{state=\"online\"} 1");
	expect_line(page, "canhbao_agencies{state=\"silent\"} 1");
	expect_line(page, "canhbao_agencies{state=\"never_seen\"} 1");
	expect_line(page, "canhbao_agency_silent{agency=\"an-giang\"} 0");
	expect_line(page, "canhbao_agency_silent{agency=\"bac-ninh\"} 1");
	expect_line(page, "canhbao_agency_silent{agency=\"ca-mau\"} 1");
	expect_line(page, "canhbao_agency_last_contact_timestamp_seconds{"
		      "agency=\"bac-ninh\"} 1779999900");
	expect_line(page, "canhbao_agency_last_contact_timestamp_seconds{"
		      "agency=\"ca-mau\"} 0");
	expect_line(page, "canhbao_silent_after_seconds 60");
	free(page);
	/* started 30 s ago: nobody is silent yet, not even the one never
	 * seen (it still counts as never seen) */
	page = pub_page(f->j, NOW - 30, NOW);
	expect_line(page, "canhbao_agencies{state=\"online\"} 2");
	expect_line(page, "canhbao_agencies{state=\"silent\"} 0");
	expect_line(page, "canhbao_agencies{state=\"never_seen\"} 1");
	expect_line(page, "canhbao_agency_silent{agency=\"bac-ninh\"} 0");
	expect_line(page, "canhbao_agency_silent{agency=\"ca-mau\"} 0");
	free(page);
}

/* Every family is there with HELP and TYPE, also with nothing to
 * count (no requests channel, no ZAP, no feeds, no agencies). */
static void
test_pub_families(void **state)
{
	static const char *const families[] = {
		"canhbao_advisories_published_total counter",
		"canhbao_journal_last_sequence gauge",
		"canhbao_journal_size_bytes gauge",
		"canhbao_feed_polls_total counter",
		"canhbao_feed_poll_errors_total counter",
		"canhbao_feed_last_success_timestamp_seconds gauge",
		"canhbao_feed_consecutive_failures gauge",
		"canhbao_catchup_requests_total counter",
		"canhbao_catchup_requests_served_total counter",
		"canhbao_catchup_messages_sent_total counter",
		"canhbao_requests_refused_total counter",
		"canhbao_connections_refused_total counter",
		"canhbao_agencies gauge",
		"canhbao_agency_last_contact_timestamp_seconds gauge",
		"canhbao_agency_silent gauge",
		"canhbao_critical_receipts_outstanding gauge",
		"canhbao_silent_after_seconds gauge",
	};
	struct pub_fixture *f = *state;
	struct cb_err err;
	char *page, *line;
	size_t i;

	assert_int_equal(pub_inbound_migrate(f->j, &err), 0);
	page = pub_page(f->j, NOW, NOW);

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		line = cb_xasprintf("# TYPE %s", families[i]);
		expect_line(page, line);
		free(line);
	}
	expect_line(page, "canhbao_advisories_published_total{origin="
		      "\"national\"} 0");
	expect_line(page, "canhbao_requests_refused_total{reason="
		      "\"rate_limit\"} 0");
	free(page);
}

static void
test_sub_page(void **state)
{
	struct sub_metrics m = { .archived = 7, .duplicates = 2,
		.last_seq = 41, .publisher_seq = 42, .heartbeat_age = 1.5,
		.stale = 1, .outbox_pending = 3, .outbox_refused = -1 };
	struct cb_prom p;

	(void)state;
	m.dropped[SUB_DROP_REVOKED] = 4;
	cb_prom_init(&p);
	sub_metrics_write(&p, &m);
	expect_line(p.buf.data, "canhbao_advisories_archived_total 7");
	expect_line(p.buf.data, "canhbao_messages_dropped_total{reason="
				"\"revoked\"} 4");
	expect_line(p.buf.data, "canhbao_messages_dropped_total{reason="
				"\"invalid\"} 0");
	expect_line(p.buf.data, "canhbao_messages_dropped_total{reason="
				"\"duplicate\"} 2");
	expect_line(p.buf.data, "canhbao_last_archived_sequence 41");
	expect_line(p.buf.data, "canhbao_publisher_sequence 42");
	expect_line(p.buf.data, "canhbao_heartbeat_age_seconds 1.5");
	expect_line(p.buf.data, "canhbao_channel_stale 1");
	expect_line(p.buf.data, "canhbao_outbox_pending 3");
	/* a figure that could not be read is left out, not made 0 */
	assert_null(strstr(p.buf.data, "canhbao_outbox_refused"));
	cb_prom_release(&p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		PUB_TEST(test_agency_states),
		PUB_TEST(test_pub_families),
		cmocka_unit_test(test_sub_page),
	};

	if (cb_sig_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
