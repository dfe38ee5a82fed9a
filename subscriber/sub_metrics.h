/*
 * sub_metrics: the subscriber's GET /metrics, in the Prometheus text
 * format (cb_prom).  The daemon hands over a snapshot of its figures
 * at each scrape; every metric, its type and meaning is listed in
 * canhbao-sub.1, METRICS.
 */
#ifndef SUB_METRICS_H
#define SUB_METRICS_H

#include <stdint.h>

#include "cb_prom.h"

/* Why a message was dropped ("reason" label). */
enum sub_drop {
	SUB_DROP_INVALID,   /* failed verification, or malformed */
	SUB_DROP_REVOKED,   /* signed by a revoked key */
	SUB_DROP_ROTATION,  /* a key rotation that does not check out */
	SUB_DROP_TRANSPORT, /* a frame or reply that could not be read */
	SUB_DROP_COUNT
};

/* The daemon's figures at one moment. */
struct sub_metrics {
	unsigned long archived;                 /* advisories, since start */
	unsigned long dropped[SUB_DROP_COUNT];  /* since start */
	unsigned long duplicates;               /* not newer: ignored */
	uint64_t last_seq;      /* last archived (or rotation) */
	uint64_t publisher_seq; /* latest the publisher announced */
	double heartbeat_age;   /* seconds since the last valid heartbeat */
	int stale;              /* the stale-channel alarm is raised */
	long outbox_pending, outbox_refused; /* -1: could not be read */
	unsigned long source_switches; /* failovers, since start */
	unsigned source;        /* the source in use, from 1 */
};

/* "invalid", "revoked", "rotation", "transport". */
const char *sub_drop_name(enum sub_drop reason);

void sub_metrics_write(struct cb_prom *p, const struct sub_metrics *m);

#endif
