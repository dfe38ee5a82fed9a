/*
 * pub_ingest: the lifecycle of feed items.  Given the advisories one
 * document yielded, decide for each: new (publish, revision 1),
 * changed (publish as an update, revision + 1), cancelled (publish the
 * cancellation), unchanged (nothing, also across restarts), or too old
 * for the feed's backfill window or already expired (recorded as seen,
 * not published).
 */
#ifndef PUB_INGEST_H
#define PUB_INGEST_H

#include <stdint.h>

#include "cb_adv.h"
#include "cb_err.h"
#include "pub_config.h"
#include "pub_journal.h"
#include "pub_seal.h"

struct pub_ingest_stats {
	unsigned items;
	unsigned published;   /* new ones */
	unsigned updated;
	unsigned cancelled;
	unsigned unchanged;
	unsigned old;         /* before the backfill window */
	unsigned expired;
	unsigned failed;      /* could not be published */
};

/* Scope, hash, compare and publish the items (modified in place: ids,
 * source, origin are set).  initial: the feed's first successful fetch,
 * when backfill applies; now (Unix seconds) places the backfill
 * window and the expiry.  The whole document is one pub_seal group.
 * Returns 0, or -1 when the journal failed: then nothing of the document
 * is journaled or sent, and st is as it was. */
int pub_ingest(struct pub_journal *j, struct pub_seal *seal,
    const struct pub_feed_conf *feed, struct cb_adv_list *items, int initial,
    int64_t now, struct pub_ingest_stats *st, struct cb_err *err);

#endif
