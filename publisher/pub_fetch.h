/*
 * pub_fetch: HTTP(S) and file:// transfers on libcurl's multi interface,
 * driven by the daemon's zmq_poll loop.  The only file that includes
 * <curl/curl.h>.
 *
 * Many transfers run at once without blocking the loop: the daemon adds
 * pub_fetch_pollitems() to its poll set, sleeps at most
 * pub_fetch_timeout(), then calls pub_fetch_run(), which moves the
 * transfers on and calls the done callback for each that finished.
 *
 * Every transfer: conditional GET (If-None-Match / If-Modified-Since),
 * compressed encodings, connect and total timeouts, a maximum body size,
 * TLS verification on, redirects only to http(s), the proxy from the
 * environment (libcurl's http_proxy / https_proxy / no_proxy).
 */
#ifndef PUB_FETCH_H
#define PUB_FETCH_H

#include <stddef.h>

#include <zmq.h>

#include "cb_adv.h"
#include "cb_err.h"

#define PUB_FETCH_CONNECT_TIMEOUT 15 /* seconds */
#define PUB_FETCH_TOTAL_TIMEOUT 120  /* seconds */
#define PUB_FETCH_MAX_ITEMS 64       /* poll items one fetcher may add */
/* Connections open at once: the other transfers wait in line inside
 * libcurl, so that the sockets (with the resolver's) always fit in
 * PUB_FETCH_MAX_ITEMS however many transfers a CSAF walk starts. */
#define PUB_FETCH_MAX_CONNECTIONS 24
#define PUB_FETCH_MAX_PER_HOST 6     /* no more at once to one server */

struct pub_fetch_req {
	const char *url;
	const struct cb_strlist *headers; /* "Name: value", may be NULL */
	const char *etag;                 /* NULL: no If-None-Match */
	const char *last_modified;        /* NULL: no If-Modified-Since */
	size_t max_body;                  /* 0: the fetcher's limit; else
					   * the lower of the two */
	void *user;
};

struct pub_fetch_res {
	void *user;
	const char *url;
	int ok;            /* the body is new (200, or a file:// read) */
	int not_modified;  /* 304 */
	long status;       /* HTTP status, 0 for file:// */
	const char *body;  /* NUL-terminated, len bytes; valid during the
			    * callback only */
	size_t len;
	const char *etag;  /* from the response, or NULL */
	const char *last_modified;
	const char *error; /* when neither ok nor not_modified */
};

typedef void (*pub_fetch_done_fn)(const struct pub_fetch_res *res,
    void *arg);

struct pub_fetch;

/* ca_path: folder of CA certificates, or NULL for the system's.  done
 * is called with arg for every finished transfer. */
struct pub_fetch *pub_fetch_new(const char *ca_path, size_t max_body,
    pub_fetch_done_fn done, void *arg, struct cb_err *err);
/* Abandon the transfers still running (release, when not NULL, is
 * called with each one's user pointer) and free f. */
void pub_fetch_free(struct pub_fetch *f, void (*release)(void *user));

/* Abandon the transfers whose user pointer match() accepts (a feed
 * removed at a reload), calling release with each; no done callback
 * for them.  Returns how many. */
int pub_fetch_cancel(struct pub_fetch *f,
    int (*match)(void *user, const void *arg),
    const void *arg, void (*release)(void *user));

/* Use ca_path (copied; NULL: the system's) for transfers started from
 * now on. */
void pub_fetch_set_ca_path(struct pub_fetch *f, const char *ca_path);

/* Start a transfer; the strings in req are copied. */
int pub_fetch_add(struct pub_fetch *f, const struct pub_fetch_req *req,
    struct cb_err *err);

/* Transfers still running. */
int pub_fetch_active(const struct pub_fetch *f);

/* Append curl's sockets to items (at most max); returns how many. */
int pub_fetch_pollitems(const struct pub_fetch *f, zmq_pollitem_t *items,
    int max);
/* Milliseconds until pub_fetch_run must be called anyway; -1: no need. */
long pub_fetch_timeout(const struct pub_fetch *f);
/* After zmq_poll: act on the ready sockets among items[0..n) and on
 * expired timers, then report finished transfers. */
void pub_fetch_run(struct pub_fetch *f, const zmq_pollitem_t *items, int n);

#endif
