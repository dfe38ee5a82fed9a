/*
 * feed_misp: MISP's two ways out, as canhbao.conf(5) describes them.
 *
 *   - the MISP feed format: a manifest.json naming events by uuid, with
 *     each event's timestamp, and one <uuid>.json per event;
 *   - MISP's ZeroMQ stream: one frame per message, "<topic> <json>",
 *     "misp_json" for a published event (the same JSON as an event file)
 *     and "misp_json_self" for keep-alives.
 *
 * One event is one advisory:
 *   source_id   Event.uuid (the stable id)
 *   title       Event.info, cut at a character boundary when too long
 *   summary     "MISP event shared by <Orgc.name>." and, when
 *               attributes were left out (below), how many
 *   severity    threat_level_id 1, 2, 3, 4 -> high, medium, low, info
 *               (absent: opts->default_severity); critical when a tag
 *               names ransomware ("ransom" in any case, as in
 *               ms-caro-malware:malware-type="Ransom")
 *   tlp         the tlp:* tag (white and clear -> CLEAR, green, amber,
 *               amber+strict, red)
 *   cves        "vulnerability" attributes that are CVE ids
 *   products    "cpe" attributes
 *   references  "link" attributes (http and https)
 *   indicators  every other attribute (of the event and of its objects)
 *               but "comment", "text" and "other" (unless marked
 *               to_ids), "attachment" and "malware-sample", and deleted
 *               ones: at most FEED_MISP_MAX_INDICATORS
 * The values carried (cves, products, references, indicators) are at
 * most FEED_MISP_MAX_BYTES together, so that the signed advisory stays
 * within its payload limit; the rest is left out and counted.
 *   published   Event.date
 *   updated     Event.timestamp, so that an event MISP changed (it moves
 *               the timestamp) becomes the advisory's next revision
 * An event whose "published" is false (or 0, "0", "false") yields no
 * advisory.  Wrong types in the event itself (title, uuid, tags,
 * attributes that are not objects) reject it; an attribute of a type
 * canhbao does not know or with an unusable value is skipped.
 */
#ifndef FEED_MISP_H
#define FEED_MISP_H

#include <stddef.h>
#include <stdint.h>

#include "cb_adv.h"
#include "cb_err.h"
#include "feed.h"

#define FEED_MISP_MAX_INDICATORS 200
#define FEED_MISP_MAX_BYTES (32 * 1024)
#define FEED_MISP_MAX_UUID 64 /* bytes of an event's id in a manifest */

/* One MISP event document ({"Event": {...}}): appends one advisory to
 * out, or none for an unpublished event.  Returns 0, or -1 with err set
 * ("misp: 'info' is missing") and out unchanged.  opts may be NULL. */
int feed_misp_parse_event(const char *buf, size_t len,
    const struct feed_opts *opts, struct cb_adv_list *out,
    struct cb_err *err);

/* An event named by a manifest: its uuid (hexadecimal digits, letters
 * and '-', so it is safe in a URL) and the timestamp the manifest gives
 * (Unix seconds, 0 when it gives none). */
struct feed_misp_entry {
	char uuid[FEED_MISP_MAX_UUID + 1];
	int64_t timestamp;
};

/* A manifest.json: an object whose keys are event uuids.  Fills *out
 * (malloc'd, *n entries, the caller frees it), sorted by timestamp and
 * then uuid, so that a poll that stops part way can resume after the
 * last entry it fetched.  Entries with an unusable key are skipped; a
 * document that is not an object, or names more than FEED_MAX_ITEMS
 * events, is rejected: -1 with err set, *out NULL. */
int feed_misp_parse_manifest(const char *buf, size_t len,
    struct feed_misp_entry **out, size_t *n, struct cb_err *err);

/* a before b in the manifest's order: -1, 0 or 1. */
int feed_misp_entry_cmp(const struct feed_misp_entry *a,
    const struct feed_misp_entry *b);

/* The URL of an event next to the manifest at manifest_url (the part
 * up to its last '/', then "<uuid>.json").  The caller frees it. */
char *feed_misp_event_url(const char *manifest_url, const char *uuid);

/* What a frame of MISP's ZeroMQ stream was. */
enum feed_misp_frame {
	FEED_MISP_EVENT,     /* misp_json: an event (maybe unpublished) */
	FEED_MISP_KEEPALIVE, /* misp_json_self */
	FEED_MISP_OTHER      /* another topic: ignored */
};

/* One frame of the stream ("<topic> <json>", at most FEED_MAX_BODY
 * bytes).  For misp_json, the event as feed_misp_parse_event reads it.
 * Returns 0 with *kind set, or -1 with err set and out unchanged (a
 * frame without a topic, a keep-alive or event that is not JSON). */
int feed_misp_parse_frame(const char *buf, size_t len,
    const struct feed_opts *opts, enum feed_misp_frame *kind,
    struct cb_adv_list *out, struct cb_err *err);

#endif
