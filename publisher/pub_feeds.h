/*
 * pub_feeds: the feed scheduler inside the publisher daemon.  Polls
 * every configured feed on its interval, all at once through pub_fetch
 * (so one slow or failing feed never delays another or the broadcast),
 * follows CSAF discovery (provider-metadata.json -> ROLIE feeds or
 * changes.csv -> documents) and MISP feeds (manifest.json -> the events
 * after the last one taken), reads MISP ZeroMQ streams (pub_misp) whose
 * sockets join the poll set, hands each document to its adapter and the
 * result to pub_ingest, and keeps each feed's health.  A CSAF feed
 * walks its lists to the end across polls (at most max_documents
 * fetched a poll, each document once until its list time moves; what
 * is left is kept in the journal) and, when the provider lists OpenPGP
 * keys, has each document's .sha512 and .asc checked by pub_csaf_trust
 * before its adapter reads it.  A failed poll
 * backs off exponentially with jitter; a bad document is logged with the
 * feed's name and the reason, and the feed's previous state is kept.
 */
#ifndef PUB_FEEDS_H
#define PUB_FEEDS_H

#include <zmq.h>

#include "cb_err.h"
#include "pub_config.h"
#include "pub_journal.h"
#include "pub_seal.h"

struct cJSON;
struct pub_feeds;

#define PUB_FEEDS_MAX_DOCS 500 /* CSAF documents fetched per poll */
#define PUB_FEEDS_MAX_DEPTH 3  /* provider -> feed -> list -> document */

/* cfg, journal and seal are borrowed and must outlive the result. */
struct pub_feeds *pub_feeds_new(const struct pub_config *cfg,
    struct pub_journal *journal, struct pub_seal *seal, struct cb_err *err);
void pub_feeds_free(struct pub_feeds *fs);

/* A reload: cfg is the new configuration (borrowed, as above, and
 * must stay where it is).  A feed no longer there stops at once (its
 * transfers are abandoned); a new one is polled at once; one whose
 * settings changed starts again with them, polled at once, its journal
 * state (validators, what it published) and counters kept; the others
 * go on undisturbed; ca_path applies to transfers started from now.
 * Returns 0, or -1 (nothing changed) when a new feed's state cannot be
 * read from the journal. */
int pub_feeds_reconfigure(struct pub_feeds *fs, const struct pub_config *cfg,
    struct cb_err *err);

/* Poll integration (see pub_fetch.h). */
int pub_feeds_pollitems(struct pub_feeds *fs, zmq_pollitem_t *items, int max);
long pub_feeds_timeout(struct pub_feeds *fs);
void pub_feeds_run(struct pub_feeds *fs, const zmq_pollitem_t *items, int n);

/* Poll feed name (NULL: every feed) at once.  Returns the number of
 * feeds started, or -1 for an unknown name. */
int pub_feeds_poll_now(struct pub_feeds *fs, const char *name);

/* Health of every feed, for "canhbao-pub status": a JSON array the
 * caller owns. */
struct cJSON *pub_feeds_status(struct pub_feeds *fs);

/* Health of feed i (0 to pub_feeds_count() - 1), for /metrics; name
 * is borrowed until the next reload. */
struct pub_feed_stats {
	const char *name;
	unsigned long polls;  /* polls started since the start */
	unsigned long errors; /* of those, the ones that failed */
	int failures;         /* failed polls in a row, now */
	int64_t last_success; /* Unix seconds, 0 never (kept across restarts) */
};
size_t pub_feeds_count(const struct pub_feeds *fs);
void pub_feeds_stats(const struct pub_feeds *fs, size_t i,
    struct pub_feed_stats *st);

#endif
