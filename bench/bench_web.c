/*
 * bench_web: what the duty page costs the publisher.  At every event
 * the page reads its views again; this times each view it reads (the
 * functions behind /api/advisories, /api/agencies, /api/overdue and
 * /api/advisories/ID, as the commands' --json) over a journal of A
 * registered agencies and M advisories (a fifth of them critical),
 * every one received by every agency and acknowledged by all, but for
 * the latest 20, which half the agencies have not acknowledged yet.
 *
 *   bench_web A M DIR
 *
 * DIR/journal.db is made afresh.  Prints the median of 21 runs of each
 * view and merges them into results.json under "web".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "cb_adv.h"
#include "cb_file.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_sig.h"
#include "pub_inbound.h"
#include "pub_journal.h"
#include "pub_views.h"
#include "results.h"

#define RUNS 21
#define RECENT 20 /* advisories with receipts: the page's list */

static void
die(const char *msg)
{
	fprintf(stderr, "bench_web: %s\n", msg);
	exit(2);
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
exec_sql(sqlite3 *db, const char *sql)
{
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(db));
}

static void
add_agencies(struct pub_journal *j, int n)
{
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_err err;
	char name[32];
	int i;

	for (i = 0; i < n; i++) {
		if (cb_sig_keygen(&sk, &pk, &err) < 0)
			die(err.msg);
		cb_seckey_free(sk);
		snprintf(name, sizeof(name), "so-%05d", i);
		if (pub_journal_agency_add(j, name, &pk, 1700000000, &err) < 0)
			die(err.msg);
	}
	exec_sql(pub_journal_db(j), "UPDATE agency SET last_contact = "
	    "strftime('%s', 'now')");
}

/* M advisories (the rows the views read; their signatures play no part
 * in them), and their receipts. */
static void
add_advisories(struct pub_journal *j, int m)
{
	sqlite3 *db = pub_journal_db(j);
	sqlite3_stmt *st;
	int i;

	exec_sql(db, "BEGIN");
	if (sqlite3_prepare_v2(db, "INSERT INTO message (seq, type, "
	    "issued_ms, adv_id, revision, signed, sigblock, severity, title) "
	    "VALUES (?1, ?2, ?1 * 60000 + 1700000000000, 'bench:' || ?1, 1, "
	    "x'00', x'00', CASE ?1 % 5 WHEN 0 THEN 'critical' WHEN 1 THEN "
	    "'high' WHEN 2 THEN 'medium' WHEN 3 THEN 'low' ELSE 'info' END, "
	    "'Cảnh báo số ' || ?1 || ': lỗ hổng trong hệ thống một cửa')",
	    -1, &st, NULL) != SQLITE_OK)
		die(sqlite3_errmsg(db));
	for (i = 1; i <= m; i++) {
		sqlite3_bind_int(st, 1, i);
		sqlite3_bind_int(st, 2, CB_MSG_ADVISORY);
		if (sqlite3_step(st) != SQLITE_DONE)
			die(sqlite3_errmsg(db));
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "INSERT INTO receipt (agency, adv_id, "
	    "revision, event, at, ack_by) SELECT a.name, m.adv_id, 1, "
	    "?1, 1700000000, ?2 FROM agency a, message m WHERE "
	    "?1 = 'received' OR m.seq <= ?3 OR a.rowid % 2 = 0", -1, &st,
	    NULL) !=
	    SQLITE_OK)
		die(sqlite3_errmsg(db));
	sqlite3_bind_int(st, 3, m - RECENT);
	sqlite3_bind_text(st, 1, "received", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		die(sqlite3_errmsg(db));
	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, "acknowledged", -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, "Nguyễn Văn An", -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE)
		die(sqlite3_errmsg(db));
	sqlite3_finalize(st);
	exec_sql(db, "COMMIT");
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

enum view { ADVISORIES, AGENCIES, OVERDUE, RECEIPTS, NVIEWS };

static cJSON *
run_view(struct pub_journal *j, enum view v, const char *latest,
    struct cb_err *err)
{
	switch (v) {
	case ADVISORIES:
		return pub_views_advisories(j, RECENT, err);
	case AGENCIES:
		return pub_views_agencies(j, 1700000000, 600, err);
	case OVERDUE:
		return pub_views_overdue(j, CB_SEV_CRITICAL, INT64_MAX / 2,
		    err);
	case RECEIPTS:
	case NVIEWS:
		break;
	}
	return pub_views_receipts(j, latest, err);
}

int
main(int argc, char **argv)
{
	static const char *const names[NVIEWS] = { "advisories", "agencies",
		"overdue", "receipts" };
	struct pub_journal *j;
	struct cb_err err;
	double ms[RUNS], t0;
	char *path, latest[32], key[48];
	int a, m, v, i;
	cJSON *out;

	if (argc != 4 || (a = atoi(argv[1])) <= 0 ||
	    (m = atoi(argv[2])) < RECENT)
		die("usage: bench_web AGENCIES ADVISORIES(>=20) DIR");
	if (cb_sig_init() < 0 || cb_file_private_dir(argv[3], 1, &err) < 0)
		die("cannot set up");
	path = cb_xasprintf("%s/journal.db", argv[3]);
	unlink(path);
	if ((j = pub_journal_open(path, &err)) == NULL ||
	    pub_inbound_migrate(j, &err) < 0)
		die(err.msg);
	add_agencies(j, a);
	add_advisories(j, m);
	snprintf(latest, sizeof(latest), "bench:%d", m);
	printf("duty page views, %d agencies, %d advisories (the latest %d "
	       "acknowledged by half), median of %d runs:\n", a, m, RECENT,
	    RUNS);
	for (v = 0; v < NVIEWS; v++) {
		for (i = 0; i < RUNS; i++) {
			t0 = now_ms();
			if ((out = run_view(j, (enum view)v, latest, &err)) ==
			    NULL)
				die(err.msg);
			ms[i] = now_ms() - t0;
			cJSON_Delete(out);
		}
		qsort(ms, RUNS, sizeof(ms[0]), cmp);
		printf("  %-11s %8.2f ms\n", names[v], ms[RUNS / 2]);
		snprintf(key, sizeof(key), "%s_%d_agencies_ms", names[v], a);
		results_set_in("web", key, cJSON_CreateNumber(ms[RUNS / 2]));
	}
	pub_journal_close(j);
	free(path);
	return results_save() < 0 ? 2 : 0;
}
