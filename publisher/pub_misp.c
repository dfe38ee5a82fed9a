/* pub_misp: a MISP instance's ZeroMQ stream (see pub_misp.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "cb_mem.h"
#include "cb_net.h"
#include "feed_misp.h"
#include "pub_misp.h"

struct pub_misp {
	const struct pub_feed_conf *conf;
	void *sock;
};

static int
set_plain(void *sock, const struct pub_feed_conf *conf, struct cb_err *err)
{
	const char *pw = conf->password != NULL ? conf->password : "";

	if (conf->username == NULL)
		return 0;
	if (zmq_setsockopt(sock, ZMQ_PLAIN_USERNAME, conf->username,
		strlen(conf->username)) < 0 ||
	    zmq_setsockopt(sock, ZMQ_PLAIN_PASSWORD, pw, strlen(pw)) < 0)
		return cb_err_set(err, "cannot set up ZMQ PLAIN: %s",
		    zmq_strerror(errno));
	return 0;
}

/* The two topics with their separating space, so that MISP's other
 * topics (misp_json_attribute, misp_json_sighting...) are not sent. */
static int
subscribe(void *sock, struct cb_err *err)
{
	if (zmq_setsockopt(sock, ZMQ_SUBSCRIBE, "misp_json ", 10) < 0 ||
	    zmq_setsockopt(sock, ZMQ_SUBSCRIBE, "misp_json_self ", 15) < 0)
		return cb_err_set(err, "cannot subscribe: %s",
		    zmq_strerror(errno));
	return 0;
}

static void *
connect_sub(const struct pub_feed_conf *conf, struct cb_err *err)
{
	void *sock = cb_net_socket(ZMQ_SUB, err);

	if (sock == NULL)
		return NULL;
	/* One event may be as large as a feed document. */
	cb_net_set_maxmsg(sock, FEED_MAX_BODY + 64);
	cb_net_keepalive(sock);
	if (set_plain(sock, conf, err) < 0 || subscribe(sock, err) < 0 ||
	    cb_net_connect(sock, conf->url, err) < 0) {
		cb_net_close(sock);
		return NULL;
	}
	return sock;
}

struct pub_misp *
pub_misp_new(const struct pub_feed_conf *conf, struct cb_err *err)
{
	struct pub_misp *m = cb_xcalloc(1, sizeof(*m));

	m->conf = conf;
	if ((m->sock = connect_sub(conf, err)) == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

int
pub_misp_restart(struct pub_misp *m, struct cb_err *err)
{
	cb_net_close(m->sock);
	m->sock = connect_sub(m->conf, err);
	return m->sock != NULL ? 0 : -1;
}

void
pub_misp_free(struct pub_misp *m)
{
	if (m == NULL)
		return;
	cb_net_close(m->sock);
	free(m);
}

void *
pub_misp_socket(struct pub_misp *m)
{
	return m->sock;
}

static void
bad_frame(struct pub_misp_batch *b, const char *why)
{
	if (b->bad++ == 0)
		snprintf(b->error, sizeof(b->error), "%.200s", why);
}

void
pub_misp_read(struct pub_misp *m, const struct feed_opts *opts,
    struct pub_misp_batch *b)
{
	enum feed_misp_frame kind;
	struct cb_frames fr;
	struct cb_err err;

	memset(b, 0, sizeof(*b));
	while (m->sock != NULL && b->frames < PUB_MISP_MAX_READ) {
		if (cb_net_recv(m->sock, &fr, ZMQ_DONTWAIT, &err) < 0)
			break; /* EAGAIN: nothing more */
		b->frames++;
		if (fr.n != 1)
			bad_frame(b, "a message of more than one frame");
		else if (feed_misp_parse_frame(fr.data[0], fr.len[0], opts,
			     &kind, &b->items, &err) < 0)
			bad_frame(b, err.msg);
		else if (kind == FEED_MISP_KEEPALIVE)
			b->keepalives++;
		cb_frames_release(&fr);
	}
}

void
pub_misp_batch_release(struct pub_misp_batch *b)
{
	cb_adv_list_release(&b->items);
}
