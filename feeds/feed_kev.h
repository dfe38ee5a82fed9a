/*
 * feed_kev: CISA's Known Exploited Vulnerabilities catalog (the JSON
 * file at cisa.gov/known-exploited-vulnerabilities-catalog).
 */
#ifndef FEED_KEV_H
#define FEED_KEV_H

#include <stddef.h>

#include "cb_adv.h"
#include "cb_err.h"
#include "feed.h"

/*
 * The whole catalog: appends one advisory per vulnerabilities[] entry,
 * in catalog order, in one pass:
 *   source_id   cveID
 *   title       vulnerabilityName (else "<vendorProject> <product>:
 *               <cveID>"), cut at a character boundary when too long
 *   summary     shortDescription
 *   severity    critical when knownRansomwareCampaignUse is "Known",
 *               else high (opts is not consulted and may be NULL)
 *   cves        [cveID]
 *   products    ["<vendorProject> <product>"]
 *   actions     ["<requiredAction> (CISA due date: <dueDate>)"]
 *   references  the http(s) URLs written in notes
 *   published   dateAdded
 *   kind, status, tlp, expires: new, actual, none, none.
 * Entries are independent: one without a usable cveID is skipped and
 * the rest still count.  A document that is not a catalog (no
 * vulnerabilities array, bad JSON, truncated) is rejected whole: -1
 * with err set, out unchanged.
 */
int feed_kev_parse(const char *buf, size_t len, const struct feed_opts *opts,
    struct cb_adv_list *out, struct cb_err *err);

#endif
