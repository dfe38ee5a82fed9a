/* pub_fetch: libcurl multi transfers inside the zmq_poll loop
 * (see pub_fetch.h). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "cb_buf.h"
#include "cb_mem.h"
#include "cb_time.h"
#include "pub_fetch.h"

struct sock {
	curl_socket_t fd;
	int what; /* CURL_POLL_IN, _OUT, _INOUT */
};

struct transfer {
	CURL *easy;
	struct curl_slist *headers;
	struct cb_buf body;
	char *url;
	char *etag;
	char *last_modified;
	void *user;
	size_t max_body;
	char errbuf[CURL_ERROR_SIZE];
	struct transfer *prev, *next; /* the fetcher's list of transfers */
};

struct pub_fetch {
	CURLM *multi;
	char *ca_path;
	size_t max_body;
	pub_fetch_done_fn done;
	void *arg;
	struct sock socks[PUB_FETCH_MAX_ITEMS];
	int nsocks;
	int64_t deadline_ms; /* monotonic; -1 when curl wants no timer */
	int active;
	struct transfer *transfers;
};

static void
link_transfer(struct pub_fetch *f, struct transfer *t)
{
	t->prev = NULL;
	t->next = f->transfers;
	if (f->transfers != NULL)
		f->transfers->prev = t;
	f->transfers = t;
	f->active++;
}

static void
unlink_transfer(struct pub_fetch *f, struct transfer *t)
{
	if (t->prev != NULL)
		t->prev->next = t->next;
	else
		f->transfers = t->next;
	if (t->next != NULL)
		t->next->prev = t->prev;
	f->active--;
}

static int
on_socket(CURL *easy, curl_socket_t fd, int what, void *arg, void *sockp)
{
	struct pub_fetch *f = arg;
	int i;

	(void)easy;
	(void)sockp;
	for (i = 0; i < f->nsocks; i++)
		if (f->socks[i].fd == fd)
			break;
	if (what == CURL_POLL_REMOVE) {
		if (i < f->nsocks)
			f->socks[i] = f->socks[--f->nsocks];
		return 0;
	}
	if (i == f->nsocks) {
		if (f->nsocks == PUB_FETCH_MAX_ITEMS)
			return -1; /* curl fails that transfer */
		f->nsocks++;
	}
	f->socks[i].fd = fd;
	f->socks[i].what = what;
	return 0;
}

static int
on_timer(CURLM *multi, long timeout_ms, void *arg)
{
	struct pub_fetch *f = arg;

	(void)multi;
	f->deadline_ms = timeout_ms < 0 ? -1 : cb_time_mono_ms() + timeout_ms;
	return 0;
}

struct pub_fetch *
pub_fetch_new(const char *ca_path, size_t max_body, pub_fetch_done_fn done,
    void *arg, struct cb_err *err)
{
	static int initialised;
	struct pub_fetch *f;

	if (!initialised) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			cb_err_set(err, "cannot initialise libcurl");
			return NULL;
		}
		initialised = 1;
	}
	f = cb_xcalloc(1, sizeof(*f));
	f->multi = curl_multi_init();
	if (f->multi == NULL) {
		free(f);
		cb_err_set(err, "cannot initialise libcurl");
		return NULL;
	}
	f->ca_path = ca_path ? cb_xstrdup(ca_path) : NULL;
	f->max_body = max_body;
	f->done = done;
	f->arg = arg;
	f->deadline_ms = -1;
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(f->multi, CURLMOPT_SOCKETDATA, f);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(f->multi, CURLMOPT_TIMERDATA, f);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS,
	    (long)PUB_FETCH_MAX_CONNECTIONS);
	curl_multi_setopt(f->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)PUB_FETCH_MAX_PER_HOST);
	return f;
}

static void
transfer_free(struct transfer *t)
{
	curl_slist_free_all(t->headers);
	cb_buf_release(&t->body);
	free(t->url);
	free(t->etag);
	free(t->last_modified);
	free(t);
}

static void
abandon(struct pub_fetch *f, struct transfer *t, void (*release)(void *user))
{
	unlink_transfer(f, t);
	if (release != NULL)
		release(t->user);
	curl_multi_remove_handle(f->multi, t->easy);
	curl_easy_cleanup(t->easy);
	transfer_free(t);
}

int
pub_fetch_cancel(struct pub_fetch *f, int (*match)(void *user,
					       const void *arg),
    const void *arg, void (*release)(void *user))
{
	struct transfer *t = f->transfers, *next;
	int n = 0;

	for (; t != NULL; t = next) {
		next = t->next;
		if (match(t->user, arg)) {
			abandon(f, t, release);
			n++;
		}
	}
	return n;
}

void
pub_fetch_set_ca_path(struct pub_fetch *f, const char *ca_path)
{
	free(f->ca_path);
	f->ca_path = ca_path ? cb_xstrdup(ca_path) : NULL;
}

void
pub_fetch_free(struct pub_fetch *f, void (*release)(void *user))
{
	if (f == NULL)
		return;
	while (f->transfers != NULL)
		abandon(f, f->transfers, release);
	curl_multi_cleanup(f->multi);
	free(f->ca_path);
	free(f);
}

static size_t
on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	size_t n = size * nmemb;

	if (cb_buf_append(&t->body, data, n, NULL) < 0)
		return 0; /* over the limit: curl fails the transfer */
	return n;
}

/* Keep the value of "Name: value" when name matches, without the CRLF. */
static void
take_header(const char *line, size_t len, const char *name, char **out)
{
	size_t nlen = strlen(name);

	if (len <= nlen + 1 || strncasecmp(line, name, nlen) != 0 ||
	    line[nlen] != ':')
		return;
	line += nlen + 1;
	len -= nlen + 1;
	while (len > 0 && (*line == ' ' || *line == '\t')) {
		line++;
		len--;
	}
	while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == '\n' ||
			      line[len - 1] == ' '))
		len--;
	if (len == 0 || len > 512)
		return;
	free(*out);
	*out = cb_xstrndup(line, len);
}

static size_t
on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct transfer *t = arg;
	size_t n = size * nmemb;

	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* a new response (after a redirect): forget the last one's */
		free(t->etag);
		free(t->last_modified);
		t->etag = t->last_modified = NULL;
	}
	take_header(data, n, "ETag", &t->etag);
	take_header(data, n, "Last-Modified", &t->last_modified);
	return n;
}

static struct curl_slist *
request_headers(const struct pub_fetch_req *req)
{
	struct curl_slist *h = NULL;
	char *line;
	size_t i;

	for (i = 0; req->headers != NULL && i < req->headers->n; i++)
		h = curl_slist_append(h, req->headers->v[i]);
	if (req->etag != NULL) {
		line = cb_xasprintf("If-None-Match: %s", req->etag);
		h = curl_slist_append(h, line);
		free(line);
	}
	if (req->last_modified != NULL) {
		line = cb_xasprintf("If-Modified-Since: %s", req->last_modified);
		h = curl_slist_append(h, line);
		free(line);
	}
	return h;
}

static void
set_options(struct pub_fetch *f, CURL *e, struct transfer *t)
{
	curl_easy_setopt(e, CURLOPT_URL, t->url);
	curl_easy_setopt(e, CURLOPT_PRIVATE, t);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "https,http,file");
	curl_easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "https,http");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(e, CURLOPT_MAXREDIRS, 5L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT, (long)PUB_FETCH_CONNECT_TIMEOUT);
	curl_easy_setopt(e, CURLOPT_TIMEOUT, (long)PUB_FETCH_TOTAL_TIMEOUT);
	curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE,
	    (curl_off_t)t->max_body);
	curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "");
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (f->ca_path != NULL)
		curl_easy_setopt(e, CURLOPT_CAPATH, f->ca_path);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "canhbao/1");
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
}

int
pub_fetch_add(struct pub_fetch *f, const struct pub_fetch_req *req,
    struct cb_err *err)
{
	struct transfer *t = cb_xcalloc(1, sizeof(*t));

	t->easy = curl_easy_init();
	if (t->easy == NULL) {
		free(t);
		return cb_err_set(err, "cannot create a transfer");
	}
	t->url = cb_xstrdup(req->url);
	t->user = req->user;
	t->headers = request_headers(req);
	t->max_body = req->max_body != 0 && req->max_body < f->max_body ?
	    req->max_body : f->max_body;
	cb_buf_init(&t->body, t->max_body);
	set_options(f, t->easy, t);
	if (curl_multi_add_handle(f->multi, t->easy) != CURLM_OK) {
		curl_easy_cleanup(t->easy);
		transfer_free(t);
		return cb_err_set(err, "cannot start a transfer");
	}
	link_transfer(f, t);
	return 0;
}

int
pub_fetch_active(const struct pub_fetch *f)
{
	return f->active;
}

int
pub_fetch_pollitems(const struct pub_fetch *f, zmq_pollitem_t *items, int max)
{
	int i, n = 0;

	for (i = 0; i < f->nsocks && n < max; i++, n++) {
		items[n] = (zmq_pollitem_t){ .socket = NULL,
			.fd = f->socks[i].fd, .events = 0 };
		if (f->socks[i].what & CURL_POLL_IN)
			items[n].events |= ZMQ_POLLIN;
		if (f->socks[i].what & CURL_POLL_OUT)
			items[n].events |= ZMQ_POLLOUT;
	}
	return n;
}

long
pub_fetch_timeout(const struct pub_fetch *f)
{
	int64_t left;

	if (f->deadline_ms < 0)
		return -1;
	left = f->deadline_ms - cb_time_mono_ms();
	return left < 0 ? 0 : (long)left;
}

static void
finish(struct pub_fetch *f, CURL *e, CURLcode code)
{
	struct pub_fetch_res res = { 0 };
	struct transfer *t;
	char msg[CURL_ERROR_SIZE + 64];
	long status = 0;

	curl_easy_getinfo(e, CURLINFO_PRIVATE, &t);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	res.user = t->user;
	res.url = t->url;
	res.status = status;
	res.etag = t->etag;
	res.last_modified = t->last_modified;
	if (code != CURLE_OK) {
		snprintf(msg, sizeof(msg), "%s", t->errbuf[0] ? t->errbuf :
		    curl_easy_strerror(code));
		if (code == CURLE_WRITE_ERROR ||
		    code == CURLE_FILESIZE_EXCEEDED)
			snprintf(msg, sizeof(msg), "body over the limit of %zu "
			    "bytes", t->max_body);
		res.error = msg;
	} else if (status == 304) {
		res.not_modified = 1;
	} else if (status == 200 || status == 0) {
		if (t->body.data == NULL)
			cb_buf_append(&t->body, "", 0, NULL);
		res.ok = 1;
		res.body = t->body.data;
		res.len = t->body.len;
	} else {
		snprintf(msg, sizeof(msg), "HTTP status %ld", status);
		res.error = msg;
	}
	curl_multi_remove_handle(f->multi, e);
	curl_easy_cleanup(e);
	unlink_transfer(f, t);
	f->done(&res, f->arg);
	transfer_free(t);
}

void
pub_fetch_run(struct pub_fetch *f, const zmq_pollitem_t *items, int n)
{
	CURLMsg *m;
	int i, j, running, flags, left;

	for (i = 0; i < n; i++) {
		if (items[i].socket != NULL || items[i].revents == 0)
			continue;
		for (j = 0; j < f->nsocks; j++)
			if (f->socks[j].fd == items[i].fd)
				break;
		if (j == f->nsocks)
			continue; /* curl dropped it meanwhile */
		flags = 0;
		if (items[i].revents & ZMQ_POLLIN)
			flags |= CURL_CSELECT_IN;
		if (items[i].revents & ZMQ_POLLOUT)
			flags |= CURL_CSELECT_OUT;
		if (items[i].revents & ZMQ_POLLERR)
			flags |= CURL_CSELECT_ERR;
		curl_multi_socket_action(f->multi, items[i].fd, flags,
		    &running);
	}
	if (f->deadline_ms >= 0 && cb_time_mono_ms() >= f->deadline_ms) {
		f->deadline_ms = -1;
		curl_multi_socket_action(f->multi, CURL_SOCKET_TIMEOUT, 0,
		    &running);
	}
	while ((m = curl_multi_info_read(f->multi, &left)) != NULL)
		if (m->msg == CURLMSG_DONE)
			finish(f, m->easy_handle, m->data.result);
}
