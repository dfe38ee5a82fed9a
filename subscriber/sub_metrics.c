/* sub_metrics: the subscriber's /metrics (see sub_metrics.h). */
#include "sub_metrics.h"

const char *
sub_drop_name(enum sub_drop reason)
{
	static const char *const names[SUB_DROP_COUNT] = { "invalid",
		"revoked", "rotation", "transport" };

	return names[reason];
}

static void
dropped(struct cb_prom *p, const struct sub_metrics *m)
{
	const char *name = "canhbao_messages_dropped_total";
	int r;

	cb_prom_family(p, name, "counter", "Messages not archived, by reason: "
	    "invalid (failed verification), revoked (signed by a revoked "
	    "key), rotation (a key rotation refused), transport (unreadable), "
	    "duplicate (not newer than the last archived).");
	for (r = 0; r < SUB_DROP_COUNT; r++)
		cb_prom_sample(p, name, (const char *const[]){ "reason",
			sub_drop_name((enum sub_drop)r), NULL },
		    (double)m->dropped[r]);
	cb_prom_sample(p, name, (const char *const[]){ "reason", "duplicate",
		NULL }, (double)m->duplicates);
}

void
sub_metrics_write(struct cb_prom *p, const struct sub_metrics *m)
{
	cb_prom_one(p, "canhbao_advisories_archived_total", "counter",
	    "Advisories verified and archived.", (double)m->archived);
	dropped(p, m);
	cb_prom_one(p, "canhbao_last_archived_sequence", "gauge",
	    "Sequence number of the last message archived.",
	    (double)m->last_seq);
	cb_prom_one(p, "canhbao_publisher_sequence", "gauge",
	    "Latest sequence number the publisher announced.",
	    (double)m->publisher_seq);
	cb_prom_one(p, "canhbao_heartbeat_age_seconds", "gauge",
	    "Seconds since the last valid heartbeat (since the start when "
	    "none has come yet).", m->heartbeat_age);
	cb_prom_one(p, "canhbao_channel_stale", "gauge",
	    "1 while the stale-channel alarm is raised (no valid heartbeat "
	    "for stale_after seconds).", m->stale);
	if (m->outbox_pending >= 0)
		cb_prom_one(p, "canhbao_outbox_pending", "gauge",
		    "Receipts, presence and reports waiting to reach the "
		    "publisher.", (double)m->outbox_pending);
	if (m->outbox_refused >= 0)
		cb_prom_one(p, "canhbao_outbox_refused", "gauge",
		    "Outbox entries the publisher refused for good.",
		    (double)m->outbox_refused);
	cb_prom_one(p, "canhbao_source", "gauge",
	    "The source in use (1 for the first of --broadcast).",
	    (double)m->source);
	cb_prom_one(p, "canhbao_source_switches_total", "counter",
	    "Switches to another source (failover) since the start.",
	    (double)m->source_switches);
}
