/*
 * sub_link: why the channel is silent.  Watches the subscriber's
 * sockets with libzmq's socket monitor (cb_net_monitor) and tells a
 * refused agency key ("not admitted"), plaintext against CurveZMQ
 * ("wrong transport") and an absent publisher ("not reachable") apart,
 * each with what to do.  Logs one line per change of a channel's state,
 * keeps the state in STATE/link.json for "canhbao-sub status", and
 * connects again after a failed handshake, which libzmq gives up on
 * (so an agency registered after it was refused gets in).
 */
#ifndef SUB_LINK_H
#define SUB_LINK_H

#include <stdint.h>

#include "cb_err.h"

#define SUB_LINK_FILE "link.json"
#define SUB_LINK_RETRY_MS 5000 /* after a failed handshake */
#define SUB_LINK_MAXWATCH 4

struct sub_link;

/* A watcher for the daemon with state folder state (copied: a reload
 * may free the configuration that holds it).  curve_public is our CurveZMQ key (32 bytes), named in
 * the "not admitted" hint, or NULL with --insecure. */
struct sub_link *sub_link_new(const char *state, int insecure,
    const uint8_t *curve_public);
/* Close the monitors; call before the sockets watched are closed. */
void sub_link_free(struct sub_link *l);

/* Watch sock, which is about to connect to endpoint, as channel
 * ("broadcast", "requests"); the strings are copied.  At most 4. */
int sub_link_watch(struct sub_link *l, const char *channel, void *sock,
    const char *endpoint, struct cb_err *err);

/* Read what the monitors report, without waiting: log and record each
 * change, and connect again where a handshake failed and
 * SUB_LINK_RETRY_MS have passed since the last try. */
void sub_link_process(struct sub_link *l);

/* The source in use: index (from 0) of count, its endpoints (requests
 * may be NULL; copied).  Saved in link.json as "source" for
 * "canhbao-sub status". */
void sub_link_source(struct sub_link *l, size_t index, size_t count,
    const char *broadcast, const char *requests);

/* The channel's health as the daemon judges it, after each valid
 * heartbeat and each change of the stale alarm: when the last valid
 * heartbeat came (wall-clock ms, 0 for none yet), the sequence it
 * announced and whether the alarm is raised.  Saved in link.json for
 * "canhbao-sub status" (not synced to disk: it is rewritten every
 * heartbeat and means nothing after a crash). */
void sub_link_health(struct sub_link *l, int64_t heartbeat_ms,
    uint64_t publisher_seq, int stale);
/* The monitors' sockets, for the daemon's zmq_poll, into items (room
 * for max): how many.  Their events wake the daemon, which then calls
 * sub_link_process. */
struct zmq_pollitem_t;
int sub_link_pollitems(const struct sub_link *l, struct zmq_pollitem_t *items,
    int max);

/* When sub_link_process next has to connect again (monotonic ms), or
 * -1 when no handshake failed. */
int64_t sub_link_deadline(const struct sub_link *l);

/* Why the first channel watched (the broadcast) is where it is, with
 * what to do: for the stale-channel alarm. */
const char *sub_link_why(const struct sub_link *l);
/* The same in the user's language, for the stale-channel pop-up. */
const char *sub_link_why_local(const struct sub_link *l);

/* For "canhbao-sub status": print the state of the daemon on state
 * (running or not, each channel, the source when there are several)
 * as text, times local or (utc set) UTC, or add it to obj (a cJSON
 * object) as "connection" and "source". */
struct cJSON;
void sub_link_print(const char *state, int utc);
void sub_link_add_json(const char *state, struct cJSON *obj);

#endif
