/*
 * feed_rss: syndication feeds to advisories, one per item or entry:
 * RSS 2.0 (and 0.9x), RSS 1.0 (RDF, as JVN's iPedia feed) and Atom 1.0.
 *
 * Per item or entry:
 *
 *   source_id   RSS guid, else rdf:about (RSS 1.0), else link; Atom id,
 *               else its first link
 *   title       title; HTML reduced to text when it holds HTML (Atom:
 *               when type="html" or "xhtml", or no type and it looks
 *               like HTML)
 *   summary     RSS description (else content:encoded); Atom summary
 *               (else content); always reduced to plain text
 *   published   pubDate, dc:date or dcterms:issued; Atom published,
 *               else updated
 *   updated     dcterms:modified; Atom updated, when later than
 *               published
 *   references  every link, a permalink guid, JVN sec:references URLs,
 *               Atom content src
 *   cves        CVE ids in the title, the summary, the categories and
 *               JVN's sec:references ids, each once
 *   products    JVN sec:cpe product names
 *   severity    see the comment at grade_word() in feed_rss.c; else the
 *               feed's default
 *   kind, status, expires
 *               from the cap: elements of a CAP index in Atom (as the
 *               US National Weather Service publishes); else new,
 *               actual, none
 *
 * Items without a title, or without any id or link, are skipped, as is
 * a CAP index entry whose status or msgType is not an advisory; the
 * other items of the feed still count.  A document that is not
 * well-formed XML, or not of the expected kind, is rejected whole.
 */
#ifndef FEED_RSS_H
#define FEED_RSS_H

#include <stddef.h>

#include "cb_adv.h"
#include "cb_err.h"
#include "feed.h"

/* Parse one RSS (2.0 or 1.0) document and append its advisories to
 * out.  Returns 0, or -1 with err set ("rss: ...") and out unchanged. */
int feed_rss_parse(const char *buf, size_t len, const struct feed_opts *opts,
    struct cb_adv_list *out, struct cb_err *err);

/* The same for one Atom 1.0 feed (or entry) document ("atom: ..."). */
int feed_atom_parse(const char *buf, size_t len, const struct feed_opts *opts,
    struct cb_adv_list *out, struct cb_err *err);

#endif
