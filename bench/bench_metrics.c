/*
 * bench_metrics: what one scrape of the publisher's /metrics costs.
 *
 *   bench_metrics MESSAGES AGENCIES DIR [RUNS]
 *
 * Builds (once; kept in DIR for the next run) a journal of MESSAGES
 * advisories of about 1.5 kB each, one an hour, one in twenty critical
 * (so 36 critical ones in the last 30 days that the page counts), and
 * AGENCIES registered agencies that have each received every critical
 * advisory and acknowledged nine in ten of them (the receipts written
 * straight into the table, as pub_inbound keeps them).  Then times
 * RUNS (default 21) writes of the whole page, as GET /metrics makes
 * it, and prints the median and the slowest with the page's size.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "cb_db.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_sig.h"
#include "pub_feeds.h"
#include "pub_inbound.h"
#include "pub_journal.h"
#include "pub_metrics.h"
#include "pub_seal.h"
#include "results.h"

#define T0 1780000000 /* issue times start here (Unix seconds) */
#define SPACING 3600  /* seconds between advisories: 20,000 in 2.3 years */

static void
die(const char *what, const struct cb_err *err)
{
	fprintf(stderr, "bench_metrics: %s: %s\n", what, err->msg);
	exit(2);
}

static void
add_messages(struct pub_journal *j, unsigned long n)
{
	static uint8_t body[1500], sig[CB_MSG_SIGHDRLEN];
	static const char *const sev[4] = { "high", "medium", "low", "info" };
	struct pub_entry e;
	struct cb_err err;
	char id[32];
	unsigned long i;

	memset(body, 'x', sizeof(body));
	for (i = 1; i <= n; i++) {
		if (i % 1000 == 1 && pub_journal_begin(j, &err) < 0)
			die("begin", &err);
		snprintf(id, sizeof(id), "bench:%08lu", i);
		e = (struct pub_entry){ .seq = i, .type = CB_MSG_ADVISORY,
			.issued_ms = (T0 + (int64_t)i * SPACING) * 1000, .adv_id = id,
			.revision = 1, .severity = i % 20 == 0 ? "critical" :
			sev[i % 4], .title = "bench", .signed_bytes = body,
			.signed_len = sizeof(body), .sigblock = sig,
			.sigblock_len = sizeof(sig) };
		if (pub_journal_append(j, &e, NULL, &err) < 0)
			die("append", &err);
		if ((i % 1000 == 0 || i == n) && pub_journal_commit(j, &err) < 0)
			die("commit", &err);
	}
}

static void
add_agencies(struct pub_journal *j, unsigned long messages,
    unsigned long agencies)
{
	sqlite3 *db = pub_journal_db(j);
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_err err;
	sqlite3_stmt *st;
	char name[32], id[32];
	unsigned long a, i;

	if (pub_journal_begin(j, &err) < 0)
		die("begin", &err);
	st = cb_db_prepare(db, "INSERT INTO receipt (agency, adv_id, revision, "
	    "event, at) VALUES (?, ?, 1, ?, ?)", &err);
	if (st == NULL)
		die("receipts", &err);
	for (a = 0; a < agencies; a++) {
		snprintf(name, sizeof(name), "agency-%04lu", a);
		if (cb_sig_keygen(&sk, &pk, &err) < 0 ||
		    pub_journal_agency_add(j, name, &pk, T0 - 1, &err) < 0 ||
		    pub_journal_agency_touch(j, name, T0 + (int64_t)a, &err) < 0)
			die("agency", &err);
		cb_seckey_free(sk);
		for (i = 20; i <= messages; i += 20) {
			snprintf(id, sizeof(id), "bench:%08lu", i);
			sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
			sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
			sqlite3_bind_int64(st, 4, T0);
			sqlite3_bind_text(st, 3, "received", -1, SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				goto fail;
			sqlite3_reset(st);
			if ((i / 20 + a) % 10 == 0)
				continue;
			sqlite3_bind_text(st, 3, "acknowledged", -1,
			    SQLITE_STATIC);
			if (sqlite3_step(st) != SQLITE_DONE)
				goto fail;
			sqlite3_reset(st);
		}
	}
	sqlite3_finalize(st);
	if (pub_journal_commit(j, &err) < 0)
		die("commit", &err);
	return;
fail:
	cb_db_error(db, "receipts", &err);
	die("receipts", &err);
}

static void
build(const char *dir, const char *path, unsigned long messages,
    unsigned long agencies)
{
	char *tmp = cb_xasprintf("%s/building.db", dir);
	struct timespec t0, t1;
	struct pub_journal *j;
	struct cb_err err;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	remove(tmp);
	j = pub_journal_open(tmp, &err);
	if (j == NULL || pub_inbound_migrate(j, &err) < 0)
		die(tmp, &err);
	add_messages(j, messages);
	add_agencies(j, messages, agencies);
	pub_journal_close(j);
	if (rename(tmp, path) < 0) {
		perror("bench_metrics: rename");
		exit(2);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("  built a journal of %lu advisories and %lu agencies in "
	       "%.1f s\n", messages, agencies, (double)(t1.tv_sec -
	    t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	free(tmp);
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void
measure(const char *dir, const char *path, unsigned long messages,
    unsigned long agencies, int runs)
{
	double *ms = cb_xcalloc((size_t)runs, sizeof(*ms));
	struct pub_config cfg;
	struct pub_metrics_src src;
	struct timespec t0, t1;
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_err err;
	struct cb_prom p;
	size_t bytes = 0;
	char key[96];
	int i;

	pub_config_init(&cfg);
	cfg.state = cb_xstrdup(dir);
	if (cb_sig_keygen(&sk, &pk, &err) < 0)
		die("keygen", &err);
	src = (struct pub_metrics_src){ .opts = &cfg, .started = T0 };
	src.journal = pub_journal_open(path, &err);
	if (src.journal == NULL)
		die(path, &err);
	src.seal = pub_seal_new(sk, sk, src.journal, NULL);
	src.feeds = pub_feeds_new(&cfg, src.journal, src.seal, &err);
	if (src.feeds == NULL)
		die("feeds", &err);
	for (i = 0; i < runs; i++) {
		cb_prom_init(&p);
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (pub_metrics_write(&p, &src, T0 + (int64_t)messages *
			SPACING + 60, &err) < 0)
			die("metrics", &err);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ms[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
		bytes = p.buf.len;
		cb_prom_release(&p);
	}
	qsort(ms, (size_t)runs, sizeof(*ms), cmp_double);
	printf("  /metrics over %lu advisories, %lu agencies: median %.1f ms, "
	       "slowest %.1f ms (%d scrapes), page %zu bytes\n", messages,
	    agencies, ms[runs / 2], ms[runs - 1], runs, bytes);
	snprintf(key, sizeof(key), "scrape_ms_%lu_advisories_%lu_agencies",
	    messages, agencies);
	results_set_in("metrics", key, cJSON_CreateNumber(ms[runs / 2]));
	pub_feeds_free(src.feeds);
	pub_seal_free(src.seal);
	pub_journal_close(src.journal);
	cb_seckey_free(sk);
	pub_config_release(&cfg);
	free(ms);
}

int
main(int argc, char **argv)
{
	unsigned long messages, agencies;
	struct stat st;
	char *path;
	long runs;

	if (argc < 4) {
		fprintf(stderr, "usage: bench_metrics MESSAGES AGENCIES DIR "
				"[RUNS]\n");
		return 2;
	}
	messages = strtoul(argv[1], NULL, 10);
	agencies = strtoul(argv[2], NULL, 10);
	runs = argc > 4 ? strtol(argv[4], NULL, 10) : 21;
	if (messages == 0 || runs <= 0 || runs > 10000 || cb_sig_init() < 0)
		return 2;
	path = cb_xasprintf("%s/metrics-%lu-%lu.db", argv[3], messages,
	    agencies);
	if (stat(path, &st) < 0)
		build(argv[3], path, messages, agencies);
	else
		printf("  (journal kept from an earlier run: %s)\n", path);
	measure(argv[3], path, messages, agencies, (int)runs);
	free(path);
	return results_save() < 0 ? 2 : 0;
}
