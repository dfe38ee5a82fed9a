/* pub_ingest: what to publish of a feed document (see pub_ingest.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_locale.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_sig.h"
#include "pub_ingest.h"

/* "<feed>:<source id>", or "<feed>:h<hash>" for a source id too long
 * to make a readable id of. */
static char *
scoped_id(const char *feed, const char *source_id)
{
	uint8_t h[32];

	if (strlen(feed) + 1 + strlen(source_id) <= CB_ADV_MAX_ID)
		return cb_xasprintf("%s:%s", feed, source_id);
	cb_sig_hash(source_id, strlen(source_id), h);
	return cb_xasprintf("%s:h%02x%02x%02x%02x%02x%02x%02x%02x", feed, h[0],
	    h[1], h[2], h[3], h[4], h[5], h[6], h[7]);
}

static void
scope(struct cb_adv *a, const struct pub_feed_conf *feed)
{
	free(a->id);
	free(a->source);
	a->id = scoped_id(feed->name, a->source_id);
	a->source = cb_xstrdup(feed->name);
	a->origin = feed->origin;
	a->revision = 1;
}

/* The content hash covers everything the feed said, so any change in
 * the item makes a new revision. */
static void
content_hash(const struct cb_adv *a, uint8_t h[32])
{
	char *json = cb_adv_to_json(a);

	cb_sig_hash(json, strlen(json), h);
	free(json);
}

static int
too_old(const struct cb_adv *a, const struct pub_feed_conf *feed, int initial,
    int64_t now)
{
	return initial && feed->backfill != PUB_BACKFILL_ALL &&
	    a->published != 0 && a->published < now - feed->backfill;
}

/* Hand a new or changed item to pub_seal, which decides its revision,
 * and count what it became. */
static int
publish(struct pub_seal *seal, struct cb_adv *a, const struct pub_item_ref *ref,
    struct pub_ingest_stats *st, struct cb_err *err)
{
	uint64_t seq = 0;
	int rc = pub_seal_advisory(seal, a, ref, &seq, err);
	struct cb_log_about about = { .id = a->id,
		.severity = cb_severity_name(a->severity),
		.feed = ref->feed };

	if (rc < 0) {
		st->failed++;
		log_warnx_about(&about, _("feed %s: cannot publish %s: %s"),
		    ref->feed, a->id, err->msg);
		return 0;
	}
	if (a->kind == CB_KIND_CANCEL)
		st->cancelled++; /* PUB_SEAL_NOTHING: nothing of ours to cancel */
	else if (a->revision > 1)
		st->updated++;
	else
		st->published++;
	about.seq = seq;
	if (rc == PUB_SEAL_SENT)
		log_info_about(&about,
		    _("feed %s: published %s revision %u (%s) as seq %llu"),
		    ref->feed, a->id, a->revision, cb_kind_name(a->kind),
		    (unsigned long long)seq);
	return 0;
}

static int
ingest_one(struct pub_journal *j, struct pub_seal *seal,
    const struct pub_feed_conf *feed, struct cb_adv *a, int initial,
    int64_t now, struct pub_ingest_stats *st, struct cb_err *err)
{
	uint8_t hash[32], old[32];
	struct pub_item_ref ref;
	int found, published = 0;

	if (a->source_id == NULL || a->source_id[0] == '\0') {
		st->failed++;
		return 0;
	}
	content_hash(a, hash);
	scope(a, feed);
	ref = (struct pub_item_ref){ .feed = feed->name,
		.source_id = a->source_id, .hash = hash };
	found = pub_journal_item(j, feed->name, a->source_id, old, &published,
	    err);
	if (found < 0)
		return -1;
	if (found && memcmp(old, hash, sizeof(hash)) == 0) {
		st->unchanged++;
		return 0;
	}
	if (!published && a->expires != 0 && a->expires < now) {
		st->expired++;
		return pub_journal_item_seen(j, &ref, a->id, err);
	}
	if (!found && too_old(a, feed, initial, now)) {
		st->old++;
		return pub_journal_item_seen(j, &ref, a->id, err);
	}
	return publish(seal, a, &ref, st, err);
}

int
pub_ingest(struct pub_journal *j, struct pub_seal *seal,
    const struct pub_feed_conf *feed, struct cb_adv_list *items, int initial,
    int64_t now, struct pub_ingest_stats *st, struct cb_err *err)
{
	struct pub_ingest_stats before = *st;
	size_t i;

	/* One transaction per document: one disk flush, and a document
	 * either lands whole or not at all. */
	if (pub_seal_begin(seal, err) < 0)
		return -1;
	for (i = 0; i < items->n; i++) {
		st->items++;
		if (ingest_one(j, seal, feed, &items->v[i], initial, now, st,
			err) < 0) {
			pub_seal_abort(seal);
			*st = before;
			return -1;
		}
	}
	if (pub_seal_commit(seal, err) < 0) {
		*st = before;
		return -1;
	}
	return 0;
}
