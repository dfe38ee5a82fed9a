/*
 * pub_web: the duty officer's screen.  A read-only page and JSON API on
 * its own cb_http server (--web ADDR:PORT, loopback unless told), run
 * from the daemon's loop like everything else:
 *
 *   /                 the page (publisher/web, built in: pub_web_assets)
 *   /?token=T         logs a browser in: an HttpOnly, SameSite=Strict
 *                     cookie, then a redirect to / (the token leaves
 *                     the address bar)
 *   /api/agencies     = agency list --json
 *   /api/advisories   = advisories --json; /api/advisories/ID =
 *                     receipts --json ID
 *   /api/overdue      = overdue --json (?severity=, ?older=)
 *   /api/reports      = reports --json (?agency=, ?since=, ?unhandled=1);
 *                     /api/reports/AGENCY/SEQ/NAME an attachment
 *   /api/feeds        the feeds of status --json; /api/status all of it
 *   /api/events       server-sent events: advisory, receipt,
 *                     acknowledgement, report, presence, silent, back
 *
 * The JSON comes from the same functions as the commands' --json
 * (pub_views), so the shapes are the same (canhbao-pub.8).  Everything
 * but a login answers 401 without a token (cookie, or Authorization:
 * Bearer) that pub_webauth knows.  Every answer carries a Content-
 * Security-Policy allowing only this server's own script and style,
 * and forbids framing.
 */
#ifndef PUB_WEB_H
#define PUB_WEB_H

#include <stdint.h>

#include "cb_err.h"
#include "pub_config.h"
#include "pub_feeds.h"
#include "pub_journal.h"

#define PUB_WEB_ADDRESS_FILE "web.address"
#define PUB_WEB_MAX_STREAMS 16    /* /api/events clients at once */
#define PUB_WEB_KEEPALIVE_MS 15000 /* a comment line on idle streams */
#define PUB_WEB_ADVISORIES 20     /* /api/advisories without ?limit= */

struct cJSON;
struct pub_inbound_result;
struct pub_web;

/* What the page shows, borrowed for the server's life.  opts may be
 * replaced in place by a reload (silent_after, state are read at each
 * request).  status returns the object of "status --json" (the caller
 * frees it). */
struct pub_web_source {
	struct pub_journal *journal;
	struct pub_feeds *feeds;
	const struct pub_config *opts;
	struct cJSON *(*status)(void *arg);
	void *arg;
};

/* "ADDR:PORT" as given, or "127.0.0.1:PORT" for a port alone; the
 * caller frees it.  NULL with err when it is neither. */
char *pub_web_addr(const char *spec, struct cb_err *err);

/* Listen on spec (pub_web_addr) and write the address bound to
 * state/web.address for web-link.  NULL with err on failure. */
struct pub_web *pub_web_open(const char *spec,
    const struct pub_web_source *src, struct cb_err *err);
/* Close every stream and the server.  NULL is fine. */
void pub_web_close(struct pub_web *w);

const char *pub_web_address(const struct pub_web *w);
/* For the daemon's poll: the descriptor, the longest wait (ms, or -1),
 * and the work to do when either is due. */
int pub_web_fd(const struct pub_web *w);
long pub_web_timeout_ms(const struct pub_web *w);
void pub_web_run(struct pub_web *w);

/* What happened, to every /api/events client.  Their signatures are
 * those of pub_requests_on_kept, pub_presence_on_change and
 * pub_bcast_on_send; arg is the struct pub_web. */
void pub_web_on_kept(void *arg, const struct pub_inbound_result *res);
void pub_web_on_presence(void *arg, const char *agency, int silent,
    int64_t last);
void pub_web_on_send(void *arg, const char *topic);

/* The link web-link prints, for the server at address (as in
 * web.address; a wildcard address is replaced by host) carrying token.
 * The caller frees it. */
char *pub_web_link(const char *address, const char *host,
    const char *token);

#endif
