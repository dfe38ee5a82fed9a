/*
 * feed: the adapters, one per feed format, each a pure function from the
 * bytes of one fetched document to advisories.
 *
 * Adapters never fetch, log or print.  They either accept the whole
 * document or reject it whole (-1 with err naming the reason); on
 * rejection the output list is left as it was given.  They fill, per
 * item: source_id (the item's id inside its feed), title, summary,
 * severity, kind, status, cves, products, actions, references, tlp,
 * published, updated, expires.  They leave id, source, origin and
 * revision to the publisher, which scopes ids by feed name and counts
 * revisions.
 *
 * Some formats point to other documents instead of holding advisories
 * (a CSAF provider-metadata.json, a ROLIE feed, a changes.csv): those
 * adapters return the URLs to fetch next (see feed_csaf.h).
 */
#ifndef FEED_H
#define FEED_H

#include <stddef.h>

#include "cb_adv.h"
#include "cb_err.h"

/* Limits every adapter enforces on its input. */
#define FEED_MAX_BODY (16u * 1024 * 1024) /* bytes of one document */
#define FEED_MAX_DEPTH 64                 /* JSON / XML nesting */
#define FEED_MAX_ITEMS 20000              /* advisories per document */

enum feed_format {
	FEED_CSAF = 0,
	FEED_KEV,
	FEED_RSS,
	FEED_ATOM,
	FEED_CAP,
	FEED_JSON,
	FEED_MISP,     /* a MISP feed: manifest.json, then events */
	FEED_MISP_ZMQ  /* a MISP instance's ZeroMQ stream (feed_misp.h) */
};

struct feed_opts {
	/* Severity for items whose document says nothing about it. */
	enum cb_severity default_severity;
};

/* "csaf", "kev", "rss", "atom", "cap", "json", "misp", "misp-zmq" <->
 * enum; -1 if unknown. */
int feed_format_parse(const char *name, enum feed_format *out);
const char *feed_format_name(enum feed_format fmt);

/* Parse one document of the given format and append its advisories to
 * out.  For FEED_CSAF this is a single CSAF document (the discovery
 * documents have their own functions in feed_csaf.h), for FEED_MISP one
 * event file (the manifest has its own function in feed_misp.h), for
 * FEED_MISP_ZMQ one frame of the stream.  Returns 0, or -1
 * with err set and out unchanged. */
int feed_parse(enum feed_format fmt, const char *buf, size_t len,
    const struct feed_opts *opts, struct cb_adv_list *out,
    struct cb_err *err);

#endif
