/*
 * pub_watch: what the publisher's listening sockets see of clients that
 * never get in because they speak the other transport: a subscriber
 * started with --insecure against this CurveZMQ publisher, or a
 * CurveZMQ one against a publisher running --insecure.  ZAP never hears
 * of them (the mechanisms differ before ZAP is asked), so libzmq's
 * socket monitor (cb_net_monitor) is the only witness.
 *
 * The daemon drains the monitor when it wakes for a heartbeat; each
 * socket logs such a client once per PUB_WATCH_SAY_MS, naming its
 * address and what to change, with a count of the others.  The same
 * events count the connections open, for status, /metrics and the duty
 * page ("subscribers connected").
 */
#ifndef PUB_WATCH_H
#define PUB_WATCH_H

#define PUB_WATCH_SAY_MS (10 * 60 * 1000)

struct pub_watch;

/* Watch sock, the socket of channel ("broadcast", "requests"; a static
 * string), which serves CurveZMQ when curve is set.  Returns NULL (and
 * logs why) when libzmq cannot monitor it: nothing else depends on it.
 * Free it before sock is closed. */
struct pub_watch *pub_watch_new(void *sock, const char *channel, int curve);
void pub_watch_free(struct pub_watch *w);

/* Read the events waiting, without blocking, and log as above.  NULL is
 * fine. */
void pub_watch_drain(struct pub_watch *w);

/* The connections open on the socket now (accepted and not yet
 * disconnected, whatever their handshake), after a drain; 0 for NULL. */
long pub_watch_open(struct pub_watch *w);

#endif
