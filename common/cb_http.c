/*
 * cb_http: libmicrohttpd in "external epoll" mode, so the daemon's one
 * zmq_poll loop drives it (see cb_http.h).
 *
 * The library is loaded when the first server opens (dlopen), not when
 * the program starts: libmicrohttpd brings GnuTLS and its helpers,
 * about 2.3 MB resident that a daemon run without --metrics or --web
 * (an idle agency's usual case) would carry for nothing.  The
 * functions are taken by name with the types of <microhttpd.h>, so the
 * compiler still checks every call.
 */
#include <arpa/inet.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "cb_http.h"
#include "cb_mem.h"

/* libmicrohttpd's soname in Debian 12 (libmicrohttpd12). */
#define MHD_SONAME "libmicrohttpd.so.12"

/* The functions of libmicrohttpd cb_http calls, once loaded. */
static struct {
	__typeof__(&MHD_add_response_header) add_response_header;
	__typeof__(&MHD_create_response_from_buffer) create_response_from_buffer;
	__typeof__(&MHD_create_response_from_callback) create_response_from_callback;
	__typeof__(&MHD_destroy_response) destroy_response;
	__typeof__(&MHD_get_connection_info) get_connection_info;
	__typeof__(&MHD_get_daemon_info) get_daemon_info;
	__typeof__(&MHD_get_timeout) get_timeout;
	__typeof__(&MHD_lookup_connection_value) lookup_connection_value;
	__typeof__(&MHD_queue_response) queue_response;
	__typeof__(&MHD_resume_connection) resume_connection;
	__typeof__(&MHD_run) run;
	__typeof__(&MHD_start_daemon) start_daemon;
	__typeof__(&MHD_stop_daemon) stop_daemon;
	__typeof__(&MHD_suspend_connection) suspend_connection;
} mhd;
static void *mhd_lib;

/* The address of symbol name in lib, into *fn (a function pointer of
 * size size: ISO C has no cast from dlsym's void *). */
static int
take(void *lib, const char *name, void *fn, size_t size, struct cb_err *err)
{
	void *sym = dlsym(lib, name);

	if (sym == NULL)
		return cb_err_set(err, "%s has no %s", MHD_SONAME, name);
	memcpy(fn, &sym, size);
	return 0;
}

#define TAKE(f) take(lib, "MHD_" #f, &mhd.f, sizeof(mhd.f), err)

/* Load libmicrohttpd on first use; 0, or -1 with err. */
static int
load_mhd(struct cb_err *err)
{
	void *lib;

	if (mhd_lib != NULL)
		return 0;
	lib = dlopen(MHD_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL)
		return cb_err_set(err, "cannot load %s for the HTTP server "
		    "(Debian package libmicrohttpd12): %s", MHD_SONAME,
		    dlerror());
	if (TAKE(add_response_header) < 0 ||
	    TAKE(create_response_from_buffer) < 0 ||
	    TAKE(create_response_from_callback) < 0 ||
	    TAKE(destroy_response) < 0 ||
	    TAKE(get_connection_info) < 0 ||
	    TAKE(get_daemon_info) < 0 ||
	    TAKE(get_timeout) < 0 ||
	    TAKE(lookup_connection_value) < 0 ||
	    TAKE(queue_response) < 0 ||
	    TAKE(resume_connection) < 0 ||
	    TAKE(run) < 0 ||
	    TAKE(start_daemon) < 0 ||
	    TAKE(stop_daemon) < 0 ||
	    TAKE(suspend_connection) < 0) {
		dlclose(lib);
		return -1;
	}
	mhd_lib = lib; /* kept until exit: responses may outlive servers */
	return 0;
}

struct cb_http {
	struct MHD_Daemon *mhd;
	cb_http_handler handler;
	void *ctx;
	char address[64];
	struct cb_http_stream *streams; /* open streams, to end on close */
};

struct cb_http_stream {
	struct cb_http *h;
	struct MHD_Connection *conn;
	cb_http_stream_gone gone;
	void *arg;
	char *buf; /* unsent bytes */
	size_t len;
	int suspended, ended;
	struct cb_http_stream *prev, *next;
};

/* Split "ADDR:PORT" / "[ADDR6]:PORT" into a socket address. */
static int parse_addr(const char *addr_port, struct sockaddr_storage *ss,
    socklen_t *sslen, struct cb_err *err)
{
	char host[64];
	const char *colon, *h = addr_port;
	size_t hlen;
	char *end;
	long port;

	memset(ss, 0, sizeof *ss);
	if (addr_port == NULL || *addr_port == '\0')
		return cb_err_set(err, "empty address (use ADDR:PORT, "
		    "e.g. 127.0.0.1:9464)");
	colon = strrchr(addr_port, ':');
	if (colon == NULL)
		return cb_err_set(err, "'%s': no port (use ADDR:PORT, "
		    "e.g. 127.0.0.1:9464)", addr_port);
	hlen = (size_t)(colon - h);
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= sizeof host)
		return cb_err_set(err, "'%s': no address before the port",
		    addr_port);
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port < 0 ||
	    port > 65535)
		return cb_err_set(err, "'%s': port must be a number from 0 "
		    "to 65535", addr_port);
	if (strchr(host, ':') == NULL) {
		struct sockaddr_in *in4 = (struct sockaddr_in *)ss;

		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &in4->sin_addr) != 1)
			return cb_err_set(err, "'%s': '%s' is not a numeric "
			    "IPv4 address", addr_port, host);
		*sslen = sizeof *in4;
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			return cb_err_set(err, "'%s': '%s' is not a numeric "
			    "IPv6 address", addr_port, host);
		*sslen = sizeof *in6;
	}
	return 0;
}

int cb_http_addr_check(const char *addr_port, struct cb_err *err)
{
	struct sockaddr_storage ss;
	socklen_t len;

	return parse_addr(addr_port, &ss, &len, err);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
    const char *url, const char *method, const char *version,
    const char *upload, size_t *upload_size, void **state)
{
	struct cb_http *h = cls;

	(void)version;
	(void)upload;
	(void)state;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return (enum MHD_Result)cb_http_reply_text(conn,
		    MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8",
		    "method not allowed: this server is read-only\n");
	if (*upload_size != 0)
		return MHD_NO;
	return h->handler(h->ctx, conn, url) == MHD_YES ? MHD_YES : MHD_NO;
}

/* Each connection knows its server, for cb_http_stream_open. */
static void on_connection(void *cls, struct MHD_Connection *conn,
    void **socket_context, enum MHD_ConnectionNotificationCode code)
{
	(void)conn;
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		*socket_context = cls;
}

int cb_http_open(struct cb_http **out, const char *addr_port,
    cb_http_handler handler, void *ctx, struct cb_err *err)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct cb_http *h;
	const union MHD_DaemonInfo *info;
	unsigned flags = MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
	char host[INET6_ADDRSTRLEN];
	unsigned port;

	*out = NULL;
	if (parse_addr(addr_port, &ss, &sslen, err) < 0 ||
	    load_mhd(err) < 0)
		return -1;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h = cb_xcalloc(1, sizeof *h);
	h->handler = handler;
	h->ctx = ctx;
	h->mhd = mhd.start_daemon(flags, 0, NULL, NULL, on_request, h,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)CB_HTTP_MAX_CONN,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)CB_HTTP_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	    MHD_OPTION_NOTIFY_CONNECTION, on_connection, h,
	    MHD_OPTION_END);
	if (h->mhd == NULL) {
		free(h);
		return cb_err_set(err, "cannot listen on %s for HTTP (is the "
		    "port in use, or the address not on this machine?)",
		    addr_port);
	}
	info = mhd.get_daemon_info(h->mhd, MHD_DAEMON_INFO_BIND_PORT);
	port = info != NULL ? info->port : 0;
	if (ss.ss_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
		    host, sizeof host);
	else
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr,
		    host, sizeof host);
	snprintf(h->address, sizeof h->address,
	    ss.ss_family == AF_INET ? "%s:%u" : "[%s]:%u", host, port);
	*out = h;
	return 0;
}

void cb_http_close(struct cb_http *h)
{
	struct cb_http_stream *s;

	if (h == NULL)
		return;
	/* MHD refuses to stop with connections suspended: end them. */
	for (s = h->streams; s != NULL; s = s->next)
		cb_http_stream_end(s);
	mhd.stop_daemon(h->mhd);
	free(h);
}

const char *cb_http_address(const struct cb_http *h)
{
	return h->address;
}

int cb_http_fd(const struct cb_http *h)
{
	const union MHD_DaemonInfo *info;

	info = mhd.get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	return info != NULL ? info->epoll_fd : -1;
}

long cb_http_timeout_ms(const struct cb_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (mhd.get_timeout(h->mhd, &ms) != MHD_YES)
		return -1;
	return ms > LONG_MAX ? LONG_MAX : (long)ms;
}

void cb_http_run(struct cb_http *h)
{
	mhd.run(h->mhd);
}

/* The headers every answer carries, and hdrs; then queue r. */
static int queue(struct MHD_Connection *conn, unsigned status,
    struct MHD_Response *r, const char *content_type,
    const char *const *hdrs)
{
	enum MHD_Result ret;
	size_t i;

	mhd.add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	mhd.add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	mhd.add_response_header(r, "X-Content-Type-Options", "nosniff");
	for (i = 0; hdrs != NULL && hdrs[i] != NULL; i += 2)
		if (hdrs[i + 1] != NULL)
			mhd.add_response_header(r, hdrs[i], hdrs[i + 1]);
	ret = mhd.queue_response(conn, status, r);
	mhd.destroy_response(r);
	return ret;
}

int cb_http_reply_with(struct MHD_Connection *conn, unsigned status,
    const char *content_type, const char *body, size_t len,
    const char *const *hdrs)
{
	struct MHD_Response *r;

	r = mhd.create_response_from_buffer(len, (void *)(uintptr_t)body,
	    MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return MHD_NO;
	return queue(conn, status, r, content_type, hdrs);
}

int cb_http_reply(struct MHD_Connection *conn, unsigned status,
    const char *content_type, const char *body, size_t len)
{
	return cb_http_reply_with(conn, status, content_type, body, len, NULL);
}

int cb_http_reply_text(struct MHD_Connection *conn, unsigned status,
    const char *content_type, const char *text)
{
	return cb_http_reply(conn, status, content_type, text, strlen(text));
}

const char *cb_http_header(struct MHD_Connection *conn, const char *name)
{
	return mhd.lookup_connection_value(conn, MHD_HEADER_KIND, name);
}

const char *cb_http_cookie(struct MHD_Connection *conn, const char *name)
{
	return mhd.lookup_connection_value(conn, MHD_COOKIE_KIND, name);
}

const char *cb_http_query(struct MHD_Connection *conn, const char *name)
{
	return mhd.lookup_connection_value(conn, MHD_GET_ARGUMENT_KIND, name);
}

/* --- streams ------------------------------------------------------------- */

/* MHD asks for more of the body: what is queued, the end, or (nothing
 * queued) suspend until cb_http_stream_write resumes it; 0 after a
 * suspend is what MHD documents for that. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct cb_http_stream *s = cls;
	size_t n;

	(void)pos;
	if (s->len == 0) {
		if (s->ended)
			return MHD_CONTENT_READER_END_OF_STREAM;
		s->suspended = 1;
		mhd.suspend_connection(s->conn);
		return 0;
	}
	n = s->len < max ? s->len : max;
	memcpy(buf, s->buf, n);
	memmove(s->buf, s->buf + n, s->len - n);
	s->len -= n;
	return (ssize_t)n;
}

/* The response is gone with its connection. */
static void stream_free(void *cls)
{
	struct cb_http_stream *s = cls;

	if (s->prev != NULL)
		s->prev->next = s->next;
	else
		s->h->streams = s->next;
	if (s->next != NULL)
		s->next->prev = s->prev;
	s->gone(s->arg, s);
	free(s->buf);
	free(s);
}

static void stream_wake(struct cb_http_stream *s)
{
	if (!s->suspended)
		return;
	s->suspended = 0;
	mhd.resume_connection(s->conn);
}

int cb_http_stream_open(struct MHD_Connection *conn,
    const char *content_type, const char *const *hdrs,
    cb_http_stream_gone gone, void *arg, struct cb_http_stream **out)
{
	const union MHD_ConnectionInfo *info;
	struct cb_http_stream *s;
	struct MHD_Response *r;
	int ret;

	*out = NULL;
	info = mhd.get_connection_info(conn,
	    MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	if (info == NULL || info->socket_context == NULL)
		return MHD_NO;
	s = cb_xcalloc(1, sizeof *s);
	s->h = info->socket_context;
	s->conn = conn;
	s->gone = gone;
	s->arg = arg;
	r = mhd.create_response_from_callback(MHD_SIZE_UNKNOWN, 4096,
	    stream_read, s, stream_free);
	if (r == NULL) {
		free(s);
		return MHD_NO;
	}
	s->next = s->h->streams;
	if (s->next != NULL)
		s->next->prev = s;
	s->h->streams = s;
	ret = queue(conn, MHD_HTTP_OK, r, content_type, hdrs);
	if (ret == MHD_YES)
		*out = s;
	return ret;
}

int cb_http_stream_write(struct cb_http_stream *s, const char *data,
    size_t len)
{
	if (s->ended)
		return -1;
	if (len > CB_HTTP_STREAM_MAX - s->len) {
		cb_http_stream_end(s);
		return -1;
	}
	s->buf = cb_xrealloc(s->buf, s->len + len);
	memcpy(s->buf + s->len, data, len);
	s->len += len;
	stream_wake(s);
	return 0;
}

void cb_http_stream_end(struct cb_http_stream *s)
{
	s->ended = 1;
	stream_wake(s);
}
