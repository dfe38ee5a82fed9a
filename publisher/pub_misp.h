/*
 * pub_misp: a MISP instance's ZeroMQ stream, read from inside the
 * publisher's zmq_poll loop (a feed of format misp-zmq).
 *
 * MISP binds a PUB socket and sends one frame per message, "<topic>
 * <json>": "misp_json" for an event published or changed, and
 * "misp_json_self" for keep-alives every few seconds.  It keeps no
 * sequence numbers and sends nothing again: what is sent while canhbao
 * is away is lost, which is why a misp-zmq feed may name a misp feed to
 * fill the gap (pub_feeds).  This module only connects (ZMQ PLAIN when
 * the feed has a username; MISP offers no CURVE), subscribes to those
 * two topics and turns frames into advisories with feed_misp; the
 * caller ingests them and keeps the feed's health.
 */
#ifndef PUB_MISP_H
#define PUB_MISP_H

#include <stdint.h>

#include "cb_adv.h"
#include "cb_err.h"
#include "feed.h"
#include "pub_config.h"

#define PUB_MISP_MAX_READ 64 /* frames one pub_misp_read takes */

struct pub_misp;

/* What one pub_misp_read found. */
struct pub_misp_batch {
	struct cb_adv_list items; /* the events' advisories, owned */
	unsigned frames;          /* read, whatever they were */
	unsigned keepalives;
	unsigned bad;             /* frames that did not parse */
	char error[256];          /* why the first bad one did not */
};

/* Connect a SUB socket to conf->url (borrowed: conf must outlive the
 * result).  NULL with err when the socket cannot be set up. */
struct pub_misp *pub_misp_new(const struct pub_feed_conf *conf,
    struct cb_err *err);
void pub_misp_free(struct pub_misp *m);

/* Close the socket and connect a new one: for a stream gone silent.
 * libzmq ends a connection whose peer sent a message over the size
 * limit, or broke the protocol, and never makes it again; MISP, unlike
 * canhbao's publisher, is not ours to trust.  Returns 0, or -1 with err
 * (the stream then has no socket until the next restart). */
int pub_misp_restart(struct pub_misp *m, struct cb_err *err);

/* The socket to poll for ZMQ_POLLIN (borrowed, NULL when a restart
 * failed); it changes at each restart. */
void *pub_misp_socket(struct pub_misp *m);

/* Take the frames waiting, at most PUB_MISP_MAX_READ, without blocking,
 * into b (initialised here; release it with pub_misp_batch_release). */
void pub_misp_read(struct pub_misp *m, const struct feed_opts *opts,
    struct pub_misp_batch *b);
void pub_misp_batch_release(struct pub_misp_batch *b);

#endif
