/* pub_metrics: the publisher's /metrics (see pub_metrics.h). */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_log.h"
#include "cb_mem.h"
#include "cb_time.h"
#include "pub_daemon.h"
#include "pub_bcast.h"
#include "pub_metrics.h"
#include "pub_views.h"

enum agency_state { ONLINE, SILENT, NEVER_SEEN, NSTATES };

static const char *const state_names[NSTATES] = { "online", "silent",
	"never_seen" };

struct agency {
	char *name;
	int64_t last_contact;
	long unreceived, unacknowledged;
	int silent;
	enum agency_state state;
};

struct agencies {
	const struct pub_metrics_src *src;
	int64_t now;
	struct agency *v;
	size_t n;
	long count[NSTATES];
};

/* Silent as the log and "agency list" have it: no contact for
 * silent_after seconds, counted from the daemon's start at the
 * earliest (a publisher that was down does not make every agency
 * silent the moment it starts). */
static void
one_agency(const struct pub_agency_health *h, void *arg)
{
	struct agencies *as = arg;
	int64_t quiet = h->last_contact > as->src->started ? h->last_contact :
							      as->src->started;
	struct agency *a;

	as->v = cb_xrealloc(as->v, (as->n + 1) * sizeof(*as->v));
	a = &as->v[as->n++];
	a->name = cb_xstrdup(h->name);
	a->last_contact = h->last_contact;
	a->unreceived = h->unreceived;
	a->unacknowledged = h->unacknowledged;
	a->silent = as->now - quiet > as->src->opts->silent_after;
	a->state = h->last_contact == 0 ? NEVER_SEEN : a->silent ? SILENT :
								  ONLINE;
	as->count[a->state]++;
}

static void
write_agencies(struct cb_prom *p, const struct agencies *as)
{
	const char *name = "canhbao_critical_receipts_outstanding";
	size_t i;
	int s;

	cb_prom_family(p, "canhbao_agencies", "gauge",
	    "Registered agencies by state: online (in contact within "
	    "silent_after), silent (not), never_seen (never in contact).");
	for (s = 0; s < NSTATES; s++)
		cb_prom_sample(p, "canhbao_agencies", (const char *const[]){
			"state", state_names[s], NULL }, (double)as->count[s]);
	cb_prom_family(p, "canhbao_agency_last_contact_timestamp_seconds",
	    "gauge", "When each agency was last heard from (Unix time; 0: "
	    "never).");
	for (i = 0; i < as->n; i++)
		cb_prom_sample(p, "canhbao_agency_last_contact_timestamp_seconds",
		    (const char *const[]){ "agency", as->v[i].name, NULL },
		    (double)as->v[i].last_contact);
	cb_prom_family(p, "canhbao_agency_silent", "gauge",
	    "1 when the agency has not been in contact for silent_after "
	    "seconds (counted from the publisher's start at the earliest).");
	for (i = 0; i < as->n; i++)
		cb_prom_sample(p, "canhbao_agency_silent", (const char *const[]){
			"agency", as->v[i].name, NULL }, as->v[i].silent);
	cb_prom_family(p, name, "gauge", "Critical advisories (latest "
	    "revision, of the last 30 days, issued since the agency was "
	    "registered) whose receipt of this kind the agency has not sent.");
	for (i = 0; i < as->n; i++) {
		cb_prom_sample(p, name, (const char *const[]){ "agency",
			as->v[i].name, "receipt", "received", NULL },
		    (double)as->v[i].unreceived);
		cb_prom_sample(p, name, (const char *const[]){ "agency",
			as->v[i].name, "receipt", "acknowledged", NULL },
		    (double)as->v[i].unacknowledged);
	}
}

static int
agencies(struct cb_prom *p, const struct pub_metrics_src *src, int64_t now,
    struct cb_err *err)
{
	struct agencies as = { .src = src, .now = now };
	size_t i;
	int rc;

	rc = pub_views_agency_health(src->journal,
	    now - PUB_METRICS_CRITICAL_WINDOW, one_agency, &as, err);
	if (rc == 0)
		write_agencies(p, &as);
	for (i = 0; i < as.n; i++)
		free(as.v[i].name);
	free(as.v);
	cb_prom_one(p, "canhbao_silent_after_seconds", "gauge",
	    "Seconds without contact after which an agency is silent "
	    "(silent_after).", src->opts->silent_after);
	return rc;
}

static void
feeds(struct cb_prom *p, const struct pub_metrics_src *src)
{
	static const char *const help[4][2] = {
		{ "canhbao_feed_polls_total", "Polls of each feed started." },
		{ "canhbao_feed_poll_errors_total", "Polls of each feed that "
		    "failed." },
		{ "canhbao_feed_last_success_timestamp_seconds", "When each "
		    "feed was last polled successfully (Unix time; 0: never)." },
		{ "canhbao_feed_consecutive_failures", "Failed polls of each "
		    "feed in a row, now (0 after a success)." },
	};
	size_t n = pub_feeds_count(src->feeds), i;
	struct pub_feed_stats st;
	double v;
	int k;

	for (k = 0; k < 4; k++) {
		cb_prom_family(p, help[k][0], k < 2 ? "counter" : "gauge",
		    help[k][1]);
		for (i = 0; i < n; i++) {
			pub_feeds_stats(src->feeds, i, &st);
			v = k == 0 ? (double)st.polls : k == 1 ?
			    (double)st.errors : k == 2 ?
			    (double)st.last_success : st.failures;
			cb_prom_sample(p, help[k][0], (const char *const[]){
				"feed", st.name, NULL }, v);
		}
	}
}

static void
requests(struct cb_prom *p, const struct pub_metrics_src *src)
{
	struct cb_serve_stats st = { 0, 0, 0 };
	int r;

	if (src->requests != NULL)
		pub_requests_catchup_stats(src->requests, &st);
	cb_prom_one(p, "canhbao_catchup_requests_total", "counter",
	    "Catch-up requests received.", (double)st.requests);
	cb_prom_one(p, "canhbao_catchup_requests_served_total", "counter",
	    "Catch-up requests answered to the end.", src->requests ?
	    (double)pub_requests_served(src->requests) : 0);
	cb_prom_one(p, "canhbao_catchup_messages_sent_total", "counter",
	    "Messages sent in catch-up answers.", (double)st.messages);
	cb_prom_family(p, "canhbao_requests_refused_total", "counter",
	    "Requests dropped, by reason: malformed, invalid (a submission "
	    "refused), busy, rate_limit, stalled (an answer given up).");
	for (r = 0; r < CB_SERVE_REFUSAL_COUNT; r++)
		cb_prom_sample(p, "canhbao_requests_refused_total",
		    (const char *const[]){ "reason",
			cb_serve_refusal_name((enum cb_serve_refusal)r), NULL },
		    src->requests ? (double)pub_requests_refused(src->requests,
			(enum cb_serve_refusal)r) : 0);
	cb_prom_one(p, "canhbao_connections_refused_total", "counter",
	    "Connections refused: not a registered agency's CurveZMQ key.",
	    src->zap ? (double)pub_zap_refused(src->zap) : 0);
}

/* The journal's file and its write-ahead log, in bytes. */
static double
journal_bytes(const struct pub_metrics_src *src)
{
	char *path = cb_xasprintf("%s/%s", src->opts->state, PUB_JOURNAL_FILE);
	char *wal = cb_xasprintf("%s-wal", path);
	struct stat sb;
	double n = 0;

	if (stat(path, &sb) == 0)
		n += (double)sb.st_size;
	if (stat(wal, &sb) == 0)
		n += (double)sb.st_size;
	free(path);
	free(wal);
	return n;
}

int
pub_metrics_write(struct cb_prom *p, const struct pub_metrics_src *src,
    int64_t now, struct cb_err *err)
{
	cb_prom_family(p, "canhbao_advisories_published_total", "counter",
	    "Advisories signed, journaled and broadcast, by origin.");
	cb_prom_sample(p, "canhbao_advisories_published_total",
	    (const char *const[]){ "origin", "national", NULL },
	    (double)pub_seal_published(src->seal, CB_ORIGIN_NATIONAL));
	cb_prom_sample(p, "canhbao_advisories_published_total",
	    (const char *const[]){ "origin", "provincial", NULL },
	    (double)pub_seal_published(src->seal, CB_ORIGIN_PROVINCIAL));
	cb_prom_one(p, "canhbao_subscribers_connected", "gauge",
	    "Connections open on the broadcast channel.",
	    (double)pub_bcast_connected(src->bcast));
	cb_prom_one(p, "canhbao_journal_last_sequence", "gauge",
	    "Sequence number of the last message journaled.",
	    (double)pub_journal_last_seq(src->journal));
	cb_prom_one(p, "canhbao_journal_size_bytes", "gauge",
	    "Size of the journal on disk (with its write-ahead log).",
	    journal_bytes(src));
	feeds(p, src);
	requests(p, src);
	return agencies(p, src, now, err);
}

static int
write_now(struct cb_prom *p, void *arg)
{
	struct cb_err err;

	if (pub_metrics_write(p, arg, cb_time_now(), &err) < 0) {
		log_warnx("metrics: %s", err.msg);
		return -1;
	}
	return 0;
}

int
pub_metrics_serve(void *ctx, struct MHD_Connection *conn, const char *path)
{
	return cb_prom_serve(conn, path, write_now, ctx);
}
