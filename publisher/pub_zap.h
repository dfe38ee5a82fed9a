/*
 * pub_zap: who may connect to the publisher.  The registered agencies,
 * read from the journal, for the ZAP handler (cb_zap): a client is
 * admitted when its CurveZMQ public key belongs to a registered agency
 * (the X25519 form of the agency's Ed25519 key), and the agency's name
 * becomes the connection's User-Id.
 */
#ifndef PUB_ZAP_H
#define PUB_ZAP_H

#include "cb_err.h"
#include "pub_journal.h"

struct pub_zap;

/* Bind the handler (before any CurveZMQ socket binds) and load the
 * registry from the journal. */
struct pub_zap *pub_zap_open(struct pub_journal *journal, struct cb_err *err);
void pub_zap_close(struct pub_zap *z);

/* Load the registry again (after "agency add" or "agency remove").
 * Returns the number of agencies that were registered before and are
 * not any more, or -1. */
int pub_zap_reload(struct pub_zap *z, struct cb_err *err);

void *pub_zap_socket(const struct pub_zap *z);
/* Answer the waiting handshake requests. */
void pub_zap_serve(struct pub_zap *z);

/* Connections refused since the start (/metrics). */
unsigned long pub_zap_refused(const struct pub_zap *z);

#endif
