/*
 * feed_csaf: CSAF 2.0 (OASIS Common Security Advisory Framework), the
 * advisory documents and the files that lead to them.
 *
 * A CSAF provider is discovered and read in steps, each a pure function
 * here; the publisher fetches between them:
 *
 *	provider-metadata.json  -> ROLIE feed URLs, directory URLs
 *	ROLIE feed (JSON)       -> CSAF document URLs
 *	<directory>/changes.csv -> CSAF document URLs, newest first
 *	CSAF document           -> one advisory
 *
 * URL lists are returned as found: http and https alike (the fetcher
 * decides which schemes it follows) and never with other schemes.  On
 * error every function returns -1 with err set and leaves its output
 * lists exactly as they were given; on success it appends to them.
 */
#ifndef FEED_CSAF_H
#define FEED_CSAF_H

#include <stddef.h>
#include <stdint.h>

#include "cb_adv.h"
#include "cb_err.h"
#include "feed.h"

/* Caps on what one CSAF document contributes to its advisory. */
#define FEED_CSAF_MAX_PRODUCTS	 50
#define FEED_CSAF_MAX_ACTIONS	 20
#define FEED_CSAF_MAX_REFERENCES 50

#define FEED_CSAF_MAX_KEYS 16 /* OpenPGP keys one provider may list */
#define FEED_CSAF_FPR_MAX 64  /* hex digits of a v5 fingerprint */

/* The times a ROLIE feed or a changes.csv gives its documents, in the
 * order of the URLs they come with (Unix seconds; 0 when not given). */
struct feed_csaf_times {
	int64_t *v;
	size_t n;
};
void feed_csaf_times_release(struct feed_csaf_times *t);

/* An OpenPGP key a provider lists: where to fetch it and, when the
 * metadata gives one, its fingerprint (upper-case hex, else ""). */
struct feed_csaf_key {
	char *url;
	char fingerprint[FEED_CSAF_FPR_MAX + 1];
};
struct feed_csaf_keys {
	struct feed_csaf_key *v;
	size_t n;
};
void feed_csaf_keys_release(struct feed_csaf_keys *keys);

/*
 * One CSAF document into one advisory appended to out:
 *   source_id   document.tracking.id (required, at most
 *               FEED_MAX_SOURCE_ID bytes)
 *   title       document.title (required; cut at a character boundary
 *               when too long)
 *   summary     the first document.notes[] of category "summary", else
 *               "description", else "general"
 *   severity    from the highest CVSS base score over vulnerabilities[]
 *               (scores[].cvss_v3, else cvss_v2; CSAF 2.1 metrics[] are
 *               read too): >= 9 critical, >= 7 high, >= 4 medium, > 0
 *               low; without a score, document.aggregate_severity.text
 *               by its words ("Important" is high, "Moderate" medium);
 *               else opts->default_severity (opts may be NULL: info)
 *   cves        vulnerabilities[].cve
 *   products    product names in product_tree (full_product_names and
 *               branches), first FEED_CSAF_MAX_PRODUCTS distinct ones
 *   actions     vulnerabilities[].remediations[].details, distinct
 *   references  document.references[].url
 *   tlp         document.distribution.tlp.label, WHITE written CLEAR; an
 *               unknown label rejects the document
 *   published   tracking.initial_release_date
 *   updated     tracking.current_release_date when it differs
 *   kind, status  always "new" (the publisher counts revisions);
 *               tracking.status "draft" gives status "test"
 * Tolerates documents that are not strict CSAF 2.0 (other csaf_version
 * or category, extra keys) as long as tracking.id and title exist.
 */
int feed_csaf_parse_document(const char *buf, size_t len,
    const struct feed_opts *opts, struct cb_adv_list *out, struct cb_err *err);

/*
 * A ROLIE feed document: appends to urls the CSAF document URL of each
 * feed.entry[] (content.src, else the link whose rel is "self"), once
 * each, in feed order.  Hash and signature links (rel "hash" and
 * "signature", or CISA's misspelt "ref") never come out: only URLs
 * ending in ".json" do.  Entries without such a URL are skipped; a feed
 * without entries gives none.  When times is not NULL, each URL's entry
 * time (updated, else published; 0 when neither is an RFC 3339 time) is
 * appended to it in step.
 */
int feed_csaf_parse_rolie(const char *buf, size_t len, struct cb_strlist *urls,
    struct feed_csaf_times *times, struct cb_err *err);

/*
 * provider-metadata.json: appends distributions[].rolie.feeds[].url to
 * feed_urls and distributions[].directory_url to directory_urls.  A
 * document that lists neither is an error.
 */
int feed_csaf_parse_provider(const char *buf, size_t len,
    struct cb_strlist *feed_urls, struct cb_strlist *directory_urls,
    struct cb_err *err);

/*
 * provider-metadata.json's public_openpgp_keys[]: each entry's url
 * (http or https) and fingerprint (40 to FEED_CSAF_FPR_MAX hex digits,
 * optional in the standard, upper-cased here) into keys, replacing
 * what keys held.  No such member gives no keys; more than
 * FEED_CSAF_MAX_KEYS, an entry without a usable url or with a malformed
 * fingerprint reject the document (keys untouched).
 */
int feed_csaf_parse_provider_keys(const char *buf, size_t len,
    struct feed_csaf_keys *keys, struct cb_err *err);

/*
 * A changes.csv of a directory distribution: rows of "path","time",
 * quoted or not.  base_url is the directory URL (with or without a
 * trailing "/", or the URL of changes.csv itself).  Paths are resolved
 * against it; a path that repeats the directory's own trailing folders
 * (CISA writes "csaf_files/IT/white/2024/x.json" in
 * .../csaf_files/IT/white/) is resolved as the provider meant.  Appends
 * the document URLs to urls newest first, each once (a path listed
 * twice counts at its newest time).  Absolute paths, "..", other schemes
 * and names not ending in ".json" reject the file.  When times is not
 * NULL, each URL's time is appended to it in step.
 */
int feed_csaf_parse_changes(const char *buf, size_t len, const char *base_url,
    struct cb_strlist *urls, struct feed_csaf_times *times,
    struct cb_err *err);

#endif
