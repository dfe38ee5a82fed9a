/*
 * feed_json: canhbao's own JSON feed format, for provinces and agencies
 * that publish advisories themselves, and the JSON reading helpers the
 * other JSON-based adapters (feed_csaf.c, feed_kev.c) share.
 *
 * The format, specified in canhbao.conf(5), JSON FEED FORMAT:
 *
 *	{ "canhbao_feed": 1, "title": "...", "advisories": [ {
 *	    "id": "STTTT-2026-001", "title": "...", "severity": "high",
 *	    "summary": "...", "kind": "new", "status": "actual",
 *	    "cves": [], "products": [], "actions": [], "references": [],
 *	    "tlp": "CLEAR", "audience": [], "published": "2026-01-20T08:00:00Z",
 *	    "updated": "...", "expires": "..." } ] }
 *
 * Each entry of "advisories" is read by cb_adv_from_feed_item, with the
 * keys and value sets of the advisory JSON form (cb_adv.h), except that
 * "id" is the advisory's id inside the feed (struct cb_adv.source_id).
 * Unknown or repeated keys are errors, so a typo is never silently
 * dropped; text is kept byte for byte.  This module adds only what is
 * the feed's own: the envelope object and unique ids.
 */
#ifndef FEED_JSON_H
#define FEED_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "cb_adv.h"
#include "cb_err.h"
#include "feed.h"

struct cJSON;

/* Longest item id a feed may use (see cb_adv.h). */
#define FEED_MAX_SOURCE_ID CB_ADV_MAX_SOURCE_ID

/* Parse one canhbao JSON feed document and append one advisory per
 * entry of "advisories" to out.  Severity defaults to
 * opts->default_severity (opts may be NULL: info).  Returns 0, or -1
 * with err set ("json: advisories[2]: 'severity' has unknown value
 * 'severe'") and out unchanged.  Fills source_id, not id. */
int feed_json_parse(const char *buf, size_t len, const struct feed_opts *opts,
    struct cb_adv_list *out, struct cb_err *err);

/* --- helpers for the JSON-based adapters ------------------------------ */

/* Check and parse one JSON document: at most FEED_MAX_BODY bytes, valid
 * UTF-8 (a leading byte order mark is skipped), nesting at most
 * FEED_MAX_DEPTH, no "\u0000" escape, nothing but white space after the
 * value.  The checks run before cJSON sees the bytes.  Returns the tree
 * (the caller frees it with cJSON_Delete), or NULL with err set to
 * "<what>: <problem>".  buf need not be NUL-terminated. */
struct cJSON *feed_json_load(const char *buf, size_t len, const char *what,
    struct cb_err *err);

/* A copy of the valid UTF-8 string s without its leading and trailing
 * white space, cut to at most max bytes (max >= 4) at a character
 * boundary; a cut copy ends in "…".  Returns NULL when nothing is left,
 * else a string the caller frees. */
char *feed_json_strdup_cut(const char *s, size_t max);

#endif
