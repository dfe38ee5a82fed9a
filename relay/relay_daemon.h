/*
 * relay_daemon: "canhbao-relay run".  Subscribes upstream to everything,
 * verifies each message (advisories, rotations and heartbeats under the
 * publisher's current key as a subscriber does, cb_keys following
 * rotations; the registry as relay_registry says), forwards what
 * verified downstream unchanged on an XPUB, and journals advisories and
 * rotations in sequence order (relay_store), filling gaps by catching up
 * upstream (what catch-up brings is journaled, not broadcast).  The
 * downstream ROUTER answers catch-up from that journal (cb_serve); the
 * registry decides who may connect downstream (cb_zap), and is re-sent
 * to a downstream relay that subscribes (last value cache).  Upstream
 * failover: with several upstreams, one that gives no fresh heartbeat
 * for failover_after is left for the next.  The relay holds no signing
 * key: relay.key is its CurveZMQ identity both ways.
 */
#ifndef RELAY_DAEMON_H
#define RELAY_DAEMON_H

#include "relay_config.h"

#define RELAY_KEY_FILE "relay.key"
#define RELAY_PUB_FILE "relay.pub"
#define RELAY_LOCK_FILE "relay.lock"
#define RELAY_BROADCAST_FILE "broadcast.endpoint" /* as bound */
#define RELAY_REQUESTS_FILE "requests.endpoint"

/* Run until SIGINT or SIGTERM: 0, or 2 when it could not start. */
int relay_daemon_run(const struct relay_config *cfg);

#endif
