/*
 * cb_http: the embedded HTTP server both daemons use for /metrics, and
 * the publisher for the duty officer's page (libmicrohttpd, loaded when
 * the first server opens: see cb_http.c).
 *
 * The server runs inside the daemon's own event loop, on the daemon's
 * thread: it owns one epoll descriptor that the loop polls beside its
 * ZeroMQ sockets (cb_http_fd), and cb_http_run does the work that is
 * ready.  Handlers therefore see the daemon's state without locks.
 *
 * Limits: CB_HTTP_MAX_CONN connections at once, CB_HTTP_TIMEOUT_S idle
 * seconds per connection, request bodies refused (the server is
 * read-only: GET and HEAD only, anything else is 405).
 *
 * A stream (cb_http_stream_open) is a response that stays open and is
 * written as things happen: server-sent events.  While it has nothing
 * to send its connection is suspended, costing no poll wake-ups.
 */
#ifndef CB_HTTP_H
#define CB_HTTP_H

#include <stddef.h>

#include "cb_err.h"

#define CB_HTTP_MAX_CONN 64
#define CB_HTTP_TIMEOUT_S 30
#define CB_HTTP_STREAM_MAX (64 * 1024) /* bytes a stream may hold unsent */

struct cb_http;
struct MHD_Connection;

/* One request: method is "GET" or "HEAD", path has no query string.
 * The handler queues exactly one response (cb_http_reply or its own
 * MHD_queue_response) and returns what that call returned (MHD_YES or
 * MHD_NO). */
typedef int (*cb_http_handler)(void *ctx, struct MHD_Connection *conn,
    const char *path);

/* Listen on "ADDR:PORT" ("127.0.0.1:9464", "[::1]:9464", port 0 for one
 * the system chooses).  ADDR must be a numeric address.  *out owns the
 * server; NULL and -1 with err naming the address on failure. */
int cb_http_open(struct cb_http **out, const char *addr_port,
    cb_http_handler handler, void *ctx, struct cb_err *err);
/* Stop listening and close every connection.  NULL is fine. */
void cb_http_close(struct cb_http *h);

/* 0 when addr_port is well formed (no socket): for check-config. */
int cb_http_addr_check(const char *addr_port, struct cb_err *err);

/* The address actually bound, "127.0.0.1:PORT" with the real port. */
const char *cb_http_address(const struct cb_http *h);

/* The descriptor to poll for input (zmq_pollitem_t.fd, ZMQ_POLLIN). */
int cb_http_fd(const struct cb_http *h);
/* Milliseconds until the server has timed work to do, or -1 for none;
 * the loop polls no longer than this. */
long cb_http_timeout_ms(const struct cb_http *h);
/* Do what is ready: accept, read, answer, time out. */
void cb_http_run(struct cb_http *h);

/* Queue a response with a copy of body and the given Content-Type, and
 * the headers every answer carries (no caching, nosniff).  Returns
 * MHD_YES or MHD_NO as MHD_queue_response does. */
int cb_http_reply(struct MHD_Connection *conn, unsigned status,
    const char *content_type, const char *body, size_t len);
/* The same for a NUL-terminated text. */
int cb_http_reply_text(struct MHD_Connection *conn, unsigned status,
    const char *content_type, const char *text);
/* cb_http_reply with more headers: hdrs is NULL, or name, value, ...,
 * NULL (a value NULL skips its header). */
int cb_http_reply_with(struct MHD_Connection *conn, unsigned status,
    const char *content_type, const char *body, size_t len,
    const char *const *hdrs);

/* A request header, a cookie or a query argument of the request being
 * handled, or NULL; borrowed until the handler returns. */
const char *cb_http_header(struct MHD_Connection *conn, const char *name);
const char *cb_http_cookie(struct MHD_Connection *conn, const char *name);
const char *cb_http_query(struct MHD_Connection *conn, const char *name);

/* --- streams ----------------------------------------------------------- */

struct cb_http_stream;

/* Called once when a stream's connection is gone (the client left,
 * cb_http_stream_end, or cb_http_close): s is freed after it returns. */
typedef void (*cb_http_stream_gone)(void *arg,
    const struct cb_http_stream *s);

/* Answer conn with status 200 and a body that stays open (chunked),
 * with the headers of cb_http_reply_with.  *out is the stream, owned by
 * the server: valid until gone(arg, *out) runs.  Returns MHD_YES or
 * MHD_NO, as the handler must (*out is NULL on MHD_NO). */
int cb_http_stream_open(struct MHD_Connection *conn,
    const char *content_type, const char *const *hdrs,
    cb_http_stream_gone gone, void *arg, struct cb_http_stream **out);
/* Queue len bytes (copied) to send as soon as the client reads.
 * Returns 0, or -1 when that would put the stream over
 * CB_HTTP_STREAM_MAX unsent bytes (a client that does not read): the
 * stream is then ended. */
int cb_http_stream_write(struct cb_http_stream *s, const char *data,
    size_t len);
/* Send what is queued, then close the stream. */
void cb_http_stream_end(struct cb_http_stream *s);

#endif
