/*
 * feed_cap: Common Alerting Protocol alerts (CAP 1.2, and 1.1) to
 * advisories: one <alert> document gives one advisory.
 *
 * The namespace may come with a prefix (<cap:alert>) or as the default
 * one; an <alert> with no namespace is accepted too.  Mapping:
 *
 *   source_id   <identifier>; for msgType Update and Cancel the
 *               identifier of the first alert named in <references>
 *               ("sender,identifier,sent" triplets), so that every
 *               message about one event files under one id (an Update
 *               without usable <references> keeps its own identifier)
 *   kind        Alert new, Update update, Cancel cancel; Ack and Error
 *               are not advisories: the document is rejected
 *   status      Actual, Exercise, Test; System and Draft are rejected
 *   info        the first <info> in Vietnamese ("vi", "vi-VN"), else in
 *               English ("en-*", or no <language>, which CAP reads as
 *               en-US), else the first
 *   title       headline, else event (else, for a Cancel without
 *               <info>, the alert's <note> or "Cancelled alert <id>")
 *   summary     description (HTML reduced to text when it holds HTML)
 *   actions     instruction, as one entry
 *   severity    Extreme critical, Severe high, Moderate medium, Minor
 *               low; Unknown (or none) the feed's default
 *   published   sent (also updated for Update and Cancel)
 *   expires     info/expires
 *   references  the <references> triplets, then info/web
 *   audience    the <addresses> when scope is Private
 *   cves        CVE ids found in the title and summary
 *
 * Enveloped XML signatures (as in canada_signed.cap) are ignored, not
 * verified: the publisher signs what it forwards.
 */
#ifndef FEED_CAP_H
#define FEED_CAP_H

#include <stddef.h>

#include "cb_adv.h"
#include "cb_err.h"
#include "feed.h"

/* The start shared by the CAP 1.0, 1.1 and 1.2 namespace URIs. */
#define FEED_CAP_NS "urn:oasis:names:tc:emergency:cap:"

/* Parse one CAP document and append its advisory to out.  Returns 0,
 * or -1 with err set ("cap: ...") and out unchanged. */
int feed_cap_parse(const char *buf, size_t len, const struct feed_opts *opts,
    struct cb_adv_list *out, struct cb_err *err);

/* CAP code words, also used for the cap: elements of Atom indexes.
 * Matching ignores case.  feed_cap_severity returns def for Unknown,
 * NULL or any other word; the other two return -1 for a word that is
 * not an advisory (System, Draft; Ack, Error) or unknown. */
enum cb_severity feed_cap_severity(const char *word, enum cb_severity def);
int feed_cap_status(const char *word, enum cb_status *out);
int feed_cap_kind(const char *word, enum cb_kind *out);

#endif
