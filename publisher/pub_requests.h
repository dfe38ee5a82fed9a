/*
 * pub_requests: the publisher's requests channel, a ROUTER socket.
 * Subscribers ask for every message after sequence N and get the same
 * signed messages from the journal, in batches of at most
 * CB_REQ_MAXBATCH, each closed by an END frame.  A subscriber asks for
 * the next batch only after the END of the last, so no subscriber, how
 * far behind it may be, makes the publisher hold more than one batch
 * for it; requests are served in turn, a few per loop pass, so many
 * subscribers catching up at once share the publisher fairly.
 * Agencies also submit receipts, presence and incident reports here
 * (pub_inbound), each answered with a CONFIRM.  Malformed requests are
 * dropped, counted and logged.
 */
#ifndef PUB_REQUESTS_H
#define PUB_REQUESTS_H

#include <stddef.h>

#include "cb_err.h"
#include "cb_sig.h"
#include "pub_journal.h"

#define PUB_REQUESTS_PER_PASS 8 /* requests served per loop pass */

struct pub_requests;

/* Bind a ROUTER on endpoint; transport (NULL: plaintext) and journal are
 * borrowed.  bound gets the actual endpoint. */
struct pub_requests *pub_requests_open(const char *endpoint,
    const struct cb_seckey *transport, struct pub_journal *journal,
    char *bound, size_t boundsz, struct cb_err *err);

/* Close and bind again: every client must pass ZAP again. */
int pub_requests_rebind(struct pub_requests *r, struct cb_err *err);
void pub_requests_close(struct pub_requests *r);

/* Call fn for every new incident report kept (the on_report hook). */
void pub_requests_on_report(struct pub_requests *r,
    void (*fn)(void *arg, const char *agency, uint64_t seq), void *arg);

/* The socket to poll for ZMQ_POLLIN. */
void *pub_requests_socket(const struct pub_requests *r);

/* Serve up to PUB_REQUESTS_PER_PASS waiting requests. */
void pub_requests_serve(struct pub_requests *r);

/* Counters for status. */
unsigned long pub_requests_served(const struct pub_requests *r);
unsigned long pub_requests_dropped(const struct pub_requests *r);

#endif
