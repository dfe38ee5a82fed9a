/*
 * pub_requests: the publisher's requests channel, a ROUTER socket served
 * by cb_serve over the journal (catch-up answers, the rate limit, flow
 * control and drop counters live there; canhbao.7, FLOW CONTROL).
 * What is the publisher's stays here: agencies' receipts, presence and
 * incident reports are kept by pub_inbound, each answered with a
 * CONFIRM, and announced to the duty page and the on_report hook; the
 * clients that try the wrong transport are logged (pub_watch).
 */
#ifndef PUB_REQUESTS_H
#define PUB_REQUESTS_H

#include <stddef.h>

#include "cb_err.h"
#include "cb_serve.h"
#include "cb_sig.h"
#include "pub_journal.h"

#define PUB_REQUESTS_PER_PASS CB_SERVE_PER_PASS

struct pub_requests;

/* Bind a ROUTER on endpoint; transport (NULL: plaintext) and journal are
 * borrowed.  bound gets the actual endpoint. */
struct pub_requests *pub_requests_open(const char *endpoint,
    const struct cb_seckey *transport, struct pub_journal *journal,
    char *bound, size_t boundsz, struct cb_err *err);

/* Close and bind again: every client must pass ZAP again. */
int pub_requests_rebind(struct pub_requests *r, struct cb_err *err);
void pub_requests_close(struct pub_requests *r);

/* Call fn for every agency message kept for the first time (receipt,
 * presence or report), after it is committed: the duty page's events. */
struct pub_inbound_result;
void pub_requests_on_kept(struct pub_requests *r,
    void (*fn)(void *arg, const struct pub_inbound_result *res), void *arg);

/* Call fn for every new incident report kept (the on_report hook). */
void pub_requests_on_report(struct pub_requests *r,
    void (*fn)(void *arg, const char *agency, uint64_t seq), void *arg);

/* Log the clients that tried the wrong transport (pub_watch). */
void pub_requests_watch(struct pub_requests *r);
/* The socket to poll for ZMQ_POLLIN. */
void *pub_requests_socket(const struct pub_requests *r);

/* Read up to PUB_REQUESTS_PER_PASS waiting requests, then move every
 * catch-up answer in progress on as far as its peer's queue takes
 * without blocking.  Call it on ZMQ_POLLIN and whenever
 * pub_requests_timeout says. */
void pub_requests_serve(struct pub_requests *r);

/* Milliseconds until an answer in progress may move on (0: now), or -1
 * when none is in progress: the longest the caller may poll. */
long pub_requests_timeout(const struct pub_requests *r);

/* Counters for status: catch-up answers completed (END sent), requests
 * dropped. */
unsigned long pub_requests_served(const struct pub_requests *r);
unsigned long pub_requests_dropped(const struct pub_requests *r);

/* Requests dropped for reason since the start (cb_serve_refusal_name
 * names each), and catch-up since the start: CATCHUP requests
 * received, MSG messages sent, the answers in progress now. */
unsigned long pub_requests_refused(const struct pub_requests *r,
    enum cb_serve_refusal reason);
void pub_requests_catchup_stats(const struct pub_requests *r,
    struct cb_serve_stats *st);

#endif
