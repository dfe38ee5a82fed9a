/*
 * pub_metrics: the publisher's GET /metrics, in the Prometheus text
 * format (cb_prom).  The figures are read at each scrape from the
 * modules that keep them (pub_seal, pub_feeds, pub_requests, pub_zap,
 * the journal through pub_views); nothing is counted twice.  Every
 * metric, its type and meaning is listed in canhbao-pub.8, METRICS.
 */
#ifndef PUB_METRICS_H
#define PUB_METRICS_H

#include <stdint.h>

#include "cb_err.h"
#include "cb_prom.h"
#include "pub_config.h"
#include "pub_feeds.h"
#include "pub_journal.h"
#include "pub_requests.h"
#include "pub_seal.h"
#include "pub_zap.h"

/* Outstanding critical receipts count the advisories of this many
 * seconds back: older ones are the overdue view's business, not an
 * alert's. */
#define PUB_METRICS_CRITICAL_WINDOW (30 * 86400)

struct MHD_Connection;

/* Where the figures are; everything borrowed from the daemon, which
 * keeps it for as long as it serves /metrics. */
struct pub_metrics_src {
	const struct pub_config *opts; /* state, silent_after */
	struct pub_journal *journal;
	struct pub_seal *seal;
	struct pub_feeds *feeds;
	struct pub_requests *requests; /* NULL without a requests channel */
	struct pub_zap *zap;           /* NULL with --insecure */
	struct pub_bcast *bcast;       /* its connections */
	int64_t started;               /* Unix seconds */
};

/* Write every metric as it stands at now (Unix seconds).  0, or -1
 * with err when the journal cannot be read. */
int pub_metrics_write(struct cb_prom *p, const struct pub_metrics_src *src,
    int64_t now, struct cb_err *err);

/* A cb_http_handler (ctx: a struct pub_metrics_src): GET /metrics,
 * 404 for anything else. */
int pub_metrics_serve(void *ctx, struct MHD_Connection *conn,
    const char *path);

#endif
