/* pub_web: the duty officer's page and its API (see pub_web.h). */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "cb_adv.h"
#include "cb_file.h"
#include "cb_http.h"
#include "cb_json.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_time.h"
#include "pub_inbound.h"
#include "pub_views.h"
#include "pub_web.h"
#include "pub_web_assets.h"
#include "pub_webauth.h"

#define COOKIE "canhbao_web"
#define COOKIE_AGE "2592000" /* seconds: a wall screen stays logged in */
#define MAX_LIMIT 200        /* ?limit= of /api/advisories */
/* Every screen reads the views again after each event: one answer,
 * kept until the next event and at most CACHE_MS ("silent" depends on
 * the time), serves them all (bench_web gives what a view costs). */
#define CACHE_SLOTS 16
#define CACHE_MS 1000

/* Only this server's own script, style and data, nothing inline, no
 * framing, no referrer (a login link carries its token). */
#define CSP                                                               \
	"default-src 'none'; script-src 'self'; style-src 'self'; "      \
	"img-src 'self'; connect-src 'self'; base-uri 'none'; "          \
	"form-action 'none'; frame-ancestors 'none'"

static const char *const secure_headers[] = { "Content-Security-Policy",
	CSP, "X-Frame-Options", "DENY", "Referrer-Policy", "no-referrer",
	"Cross-Origin-Opener-Policy", "same-origin",
	"Cross-Origin-Resource-Policy", "same-origin", NULL };

#define NSECURE (sizeof(secure_headers) / sizeof(secure_headers[0]) - 1)

struct cached {
	char *key;          /* view and query; NULL: a free slot */
	char *body;
	unsigned long gen;  /* pub_web.gen when it was made */
	int64_t at_ms;      /* monotonic */
};

struct pub_web {
	struct cached cache[CACHE_SLOTS];
	unsigned long gen;  /* events so far: what a cached answer predates */
	struct cb_http *http;
	struct pub_web_source src;
	struct cb_http_stream *streams[PUB_WEB_MAX_STREAMS];
	int64_t next_keepalive; /* monotonic ms */
	char *state;            /* web.address's folder */
};

/* --- answers ----------------------------------------------------------- */

/* Any answer: the security headers, then extra (name, value, ...,
 * NULL; at most four pairs). */
static int
answer(struct MHD_Connection *conn, unsigned status, const char *type,
    const char *body, size_t len, const char *const *extra)
{
	const char *h[NSECURE + 9];
	size_t n, i;

	memcpy(h, secure_headers, NSECURE * sizeof(h[0]));
	n = NSECURE;
	for (i = 0; extra != NULL && extra[i] != NULL && i < 8; i++)
		h[n++] = extra[i];
	h[n] = NULL;
	return cb_http_reply_with(conn, status, type, body, len, h);
}

/* v as JSON (freed here). */
static int
answer_json(struct MHD_Connection *conn, unsigned status, cJSON *v,
    const char *const *extra)
{
	char *s = cJSON_PrintUnformatted(v);
	int rc = answer(conn, status, "application/json; charset=utf-8", s,
	    strlen(s), extra);

	free(s);
	cJSON_Delete(v);
	return rc;
}

static int
answer_error(struct MHD_Connection *conn, unsigned status, const char *msg)
{
	cJSON *v = cJSON_CreateObject();

	cJSON_AddStringToObject(v, "error", msg);
	return answer_json(conn, status, v, NULL);
}

static const char unauthorised_page[] =
    "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\">"
    "<title>canhbao</title></head><body>"
    "<h1>401</h1><p>Cần đường dẫn đăng nhập: chạy "
    "<code>canhbao-pub web-link</code> trên máy phát và mở đường dẫn nó "
    "in ra.</p><p>This page needs its login link: run "
    "<code>canhbao-pub web-link</code> on the publisher and open the link "
    "it prints.</p></body></html>\n";

static int
unauthorised(struct MHD_Connection *conn, const char *path)
{
	static const char *const bearer[] = { "WWW-Authenticate",
		"Bearer realm=\"canhbao\"", NULL };

	if (strncmp(path, "/api/", 5) == 0) {
		cJSON *v = cJSON_CreateObject();

		cJSON_AddStringToObject(v, "error", "a token is needed "
		    "(canhbao-pub web-link)");
		return answer_json(conn, 401, v, bearer);
	}
	return answer(conn, 401, "text/html; charset=utf-8", unauthorised_page,
	    sizeof(unauthorised_page) - 1, bearer);
}

/* --- who may look ------------------------------------------------------ */

static const char *
bearer_token(struct MHD_Connection *conn)
{
	const char *a = cb_http_header(conn, "Authorization");

	if (a != NULL && strncasecmp(a, "Bearer ", 7) == 0)
		return a + 7;
	return NULL;
}

static int
authorised(const struct pub_web *w, struct MHD_Connection *conn)
{
	const char *state = w->src.opts->state;

	return pub_webauth_check(state, bearer_token(conn)) ||
	    pub_webauth_check(state, cb_http_cookie(conn, COOKIE));
}

/* /?token=T: the cookie, and back to / without the token. */
static int
login(const struct pub_web *w, struct MHD_Connection *conn,
    const char *token)
{
	char cookie[PUB_WEB_TOKEN_HEX + 128];
	const char *extra[] = { "Set-Cookie", cookie, "Location", "/", NULL };
	size_t i;

	if (!pub_webauth_check(w->src.opts->state, token))
		return unauthorised(conn, "/");
	for (i = 0; token[i] != '\0'; i++)
		if (!isxdigit((unsigned char)token[i]))
			return unauthorised(conn, "/");
	snprintf(cookie, sizeof(cookie), COOKIE "=%s; Path=/; HttpOnly; "
	    "SameSite=Strict; Max-Age=" COOKIE_AGE, token);
	return answer(conn, 303, "text/plain; charset=utf-8", "", 0, extra);
}

/* --- the API ----------------------------------------------------------- */

/* A view for the API: 200 with *out, or an HTTP status with err. */
typedef unsigned (*view_fn)(struct pub_web *w, struct MHD_Connection *conn,
    cJSON **out, struct cb_err *err);

static unsigned
got(cJSON *v, cJSON **out)
{
	*out = v;
	return v != NULL ? 200 : 500;
}

/* ?name= as a duration in seconds (0 when absent); -1 when malformed. */
static int
duration_query(struct MHD_Connection *conn, const char *name, int64_t *out,
    struct cb_err *err)
{
	const char *v = cb_http_query(conn, name);

	*out = 0;
	if (v != NULL && cb_duration_parse(v, out) < 0)
		return cb_err_set(err, "%s must be a duration such as 90s, "
		    "10m, 1h or 2d", name);
	return 0;
}

static unsigned
view_agencies(struct pub_web *w, struct MHD_Connection *conn, cJSON **out,
    struct cb_err *err)
{
	(void)conn;
	return got(pub_views_agencies(w->src.journal, cb_time_now(),
		       w->src.opts->silent_after, err), out);
}

static unsigned
view_advisories(struct pub_web *w, struct MHD_Connection *conn,
    cJSON **out, struct cb_err *err)
{
	const char *v = cb_http_query(conn, "limit");
	long limit = PUB_WEB_ADVISORIES;
	char *end;

	if (v != NULL) {
		errno = 0;
		limit = strtol(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0 || limit < 1 ||
		    limit > MAX_LIMIT) {
			cb_err_set(err, "limit must be a number from 1 to %d",
			    MAX_LIMIT);
			return 400;
		}
	}
	return got(pub_views_advisories(w->src.journal, (int)limit, err),
	    out);
}

static unsigned
view_overdue(struct pub_web *w, struct MHD_Connection *conn, cJSON **out,
    struct cb_err *err)
{
	const char *sev = cb_http_query(conn, "severity");
	enum cb_severity min = CB_SEV_INFO;
	int64_t older;

	if ((sev != NULL && cb_severity_arg(sev, &min, err) < 0) ||
	    duration_query(conn, "older", &older, err) < 0)
		return 400;
	return got(pub_views_overdue(w->src.journal, (int)min,
		       cb_time_now() - older, err), out);
}

static unsigned
view_reports(struct pub_web *w, struct MHD_Connection *conn, cJSON **out,
    struct cb_err *err)
{
	struct pub_report_filter f = { cb_http_query(conn, "agency"), 0, 0 };
	const char *u = cb_http_query(conn, "unhandled");
	int64_t since;

	if (duration_query(conn, "since", &since, err) < 0)
		return 400;
	if (since > 0)
		f.since = cb_time_now() - since;
	f.unhandled = u != NULL && strcmp(u, "0") != 0;
	return got(pub_views_reports(w->src.journal, &f, NULL, err), out);
}

static unsigned
view_feeds(struct pub_web *w, struct MHD_Connection *conn, cJSON **out,
    struct cb_err *err)
{
	(void)conn;
	(void)err;
	return got(pub_feeds_status(w->src.feeds), out);
}

static unsigned
view_status(struct pub_web *w, struct MHD_Connection *conn, cJSON **out,
    struct cb_err *err)
{
	cJSON *s = w->src.status(w->src.arg);

	(void)conn;
	(void)err;
	cJSON_DeleteItemFromObjectCaseSensitive(s, "ok");
	return got(s, out);
}

/* /api/advisories/ID: receipts --json ID. */
static int
receipts(struct pub_web *w, struct MHD_Connection *conn, const char *id)
{
	struct cb_err err;
	int known = pub_views_known(w->src.journal, id, &err);
	cJSON *v;

	if (known == 0)
		return answer_error(conn, 404, "no such advisory in the journal");
	v = known > 0 ? pub_views_receipts(w->src.journal, id, &err) : NULL;
	if (v == NULL)
		return answer_error(conn, 500, err.msg);
	return answer_json(conn, 200, v, NULL);
}

/* filename*= of Content-Disposition (RFC 6266): UTF-8, %-encoded but
 * for letters, digits and ".-_". */
static char *
disposition(const char *name)
{
	size_t n = strlen(name), i, k;
	char *out = cb_xmalloc(40 + 3 * n), *p;

	k = (size_t)sprintf(out, "attachment; filename*=UTF-8''");
	p = out + k;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (isalnum(c) || c == '.' || c == '-' || c == '_')
			*p++ = (char)c;
		else
			p += sprintf(p, "%%%02X", c);
	}
	*p = '\0';
	return out;
}

/* /api/reports/AGENCY/SEQ/NAME: one attachment, to download. */
static int
attachment(struct pub_web *w, struct MHD_Connection *conn, const char *rest)
{
	const char *slash = strchr(rest, '/'), *name;
	char agency[65], *end, *cd;
	unsigned long long seq;
	const char *extra[] = { "Content-Disposition", NULL,
		"Content-Security-Policy", "sandbox", NULL };
	struct cb_err err;
	size_t len;
	void *data;
	int rc;

	if (slash == NULL || (size_t)(slash - rest) >= sizeof(agency))
		return answer_error(conn, 404, "no such attachment");
	memcpy(agency, rest, (size_t)(slash - rest));
	agency[slash - rest] = '\0';
	errno = 0;
	seq = strtoull(slash + 1, &end, 10);
	if (!isdigit((unsigned char)slash[1]) || *end != '/' || errno != 0)
		return answer_error(conn, 404, "no such attachment");
	name = end + 1;
	data = pub_views_attachment(w->src.journal, agency, seq, name, &len,
	    &err);
	if (data == NULL)
		return answer_error(conn, err.msg[0] ? 500 : 404,
		    err.msg[0] ? err.msg : "no such attachment");
	cd = disposition(name);
	extra[1] = cd;
	rc = answer(conn, 200, "application/octet-stream", data, len, extra);
	free(cd);
	free(data);
	return rc;
}

/* --- /api/events --------------------------------------------------------- */

static void
stream_gone(void *arg, const struct cb_http_stream *s)
{
	struct pub_web *w = arg;
	int i;

	for (i = 0; i < PUB_WEB_MAX_STREAMS; i++)
		if (w->streams[i] == s)
			w->streams[i] = NULL;
}

static int
events(struct pub_web *w, struct MHD_Connection *conn)
{
	static const char hello[] = "retry: 3000\n\n";
	struct cb_http_stream *s;
	int i, rc;

	for (i = 0; i < PUB_WEB_MAX_STREAMS; i++)
		if (w->streams[i] == NULL)
			break;
	if (i == PUB_WEB_MAX_STREAMS)
		return answer_error(conn, 503, "too many event streams");
	rc = cb_http_stream_open(conn, "text/event-stream; charset=utf-8",
	    secure_headers, stream_gone, w, &s);
	if (s != NULL) {
		w->streams[i] = s;
		cb_http_stream_write(s, hello, sizeof(hello) - 1);
	}
	return rc;
}

/* Send text to every stream. */
static void
to_streams(struct pub_web *w, const char *text)
{
	size_t len = strlen(text);
	int i;

	for (i = 0; i < PUB_WEB_MAX_STREAMS; i++)
		if (w->streams[i] != NULL)
			cb_http_stream_write(w->streams[i], text, len);
}

/* One event, its data (freed here) as one line of JSON. */
static void
emit(struct pub_web *w, const char *name, cJSON *data)
{
	char *json = cJSON_PrintUnformatted(data);
	char *text = cb_xasprintf("event: %s\ndata: %s\n\n", name, json);

	w->gen++; /* what the views answered before is out of date */

	to_streams(w, text);
	free(text);
	free(json);
	cJSON_Delete(data);
}

void
pub_web_on_kept(void *arg, const struct pub_inbound_result *res)
{
	cJSON *d;

	if (res->relay)
		return; /* a relay's presence: not an agency's event */
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "agency", res->agency);
	if (res->type == CB_MSG_RECEIPT) {
		cJSON_AddStringToObject(d, "id", res->adv_id);
		emit(arg, strcmp(res->event, "acknowledged") == 0 ?
			"acknowledgement" : "receipt", d);
	} else if (res->type == CB_MSG_REPORT) {
		cJSON_AddNumberToObject(d, "seq", (double)res->seq);
		emit(arg, "report", d);
	} else {
		emit(arg, "presence", d);
	}
}

void
pub_web_on_presence(void *arg, const char *agency, int silent, int64_t last)
{
	cJSON *d = cJSON_CreateObject();

	cJSON_AddStringToObject(d, "agency", agency);
	cb_json_add_time(d, "last_contact", last);
	emit(arg, silent ? "silent" : "back", d);
}

void
pub_web_on_send(void *arg, const char *topic)
{
	cJSON *d;

	if (strncmp(topic, "adv.", 4) != 0)
		return; /* heartbeats, key rotations */
	d = cJSON_CreateObject();
	cJSON_AddStringToObject(d, "severity", topic + 4);
	emit(arg, "advisory", d);
}

/* --- answers kept for the next screen ------------------------------------ */

/* A view's key: its name and every query argument a view reads. */
static char *
cache_key(struct MHD_Connection *conn, const char *view)
{
	static const char *const args[] = { "limit", "severity", "older",
		"agency", "since", "unhandled" };
	char *key = cb_xstrdup(view), *next;
	const char *v;
	size_t i;

	for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
		v = cb_http_query(conn, args[i]);
		next = cb_xasprintf("%s\n%s", key, v != NULL ? v : "");
		free(key);
		key = next;
	}
	return key;
}

static const char *
cache_get(const struct pub_web *w, const char *key)
{
	int64_t now = cb_time_mono_ms();
	size_t i;

	for (i = 0; i < CACHE_SLOTS; i++)
		if (w->cache[i].key != NULL &&
		    strcmp(w->cache[i].key, key) == 0 &&
		    w->cache[i].gen == w->gen &&
		    now - w->cache[i].at_ms < CACHE_MS)
			return w->cache[i].body;
	return NULL;
}

static void
cache_drop(struct cached *c)
{
	free(c->key);
	free(c->body);
	memset(c, 0, sizeof(*c));
}

/* Keep body (taken) under key (taken), in the slot of the same key, a
 * free one, or the oldest. */
static void
cache_put(struct pub_web *w, char *key, char *body)
{
	struct cached *c = &w->cache[0];
	size_t i;

	for (i = 0; i < CACHE_SLOTS; i++) {
		if (w->cache[i].key == NULL ||
		    strcmp(w->cache[i].key, key) == 0) {
			c = &w->cache[i];
			break;
		}
		if (w->cache[i].at_ms < c->at_ms)
			c = &w->cache[i];
	}
	cache_drop(c);
	*c = (struct cached){ key, body, w->gen, cb_time_mono_ms() };
}

/* A view, from the cache or made now (and kept). */
static int
answer_view(struct pub_web *w, struct MHD_Connection *conn,
    const char *name, view_fn fn)
{
	char *key = cache_key(conn, name), *body;
	const char *kept = cache_get(w, key);
	struct cb_err err;
	unsigned status;
	cJSON *v = NULL;
	int rc;

	if (kept != NULL) {
		free(key);
		return answer(conn, 200, "application/json; charset=utf-8",
		    kept, strlen(kept), NULL);
	}
	status = fn(w, conn, &v, &err);
	if (status != 200) {
		free(key);
		return answer_error(conn, status, err.msg);
	}
	body = cJSON_PrintUnformatted(v);
	cJSON_Delete(v);
	rc = answer(conn, 200, "application/json; charset=utf-8", body,
	    strlen(body), NULL);
	cache_put(w, key, body);
	return rc;
}

/* --- routing ------------------------------------------------------------- */

static int
api(struct pub_web *w, struct MHD_Connection *conn, const char *what)
{
	static const struct {
		const char *name;
		view_fn fn;
	} views[] = { { "agencies", view_agencies },
		{ "advisories", view_advisories }, { "overdue", view_overdue },
		{ "reports", view_reports }, { "feeds", view_feeds },
		{ "status", view_status } };
	size_t i;

	if (strcmp(what, "events") == 0)
		return events(w, conn);
	if (strncmp(what, "advisories/", 11) == 0)
		return receipts(w, conn, what + 11);
	if (strncmp(what, "reports/", 8) == 0)
		return attachment(w, conn, what + 8);
	for (i = 0; i < sizeof(views) / sizeof(views[0]); i++)
		if (strcmp(what, views[i].name) == 0)
			return answer_view(w, conn, views[i].name, views[i].fn);
	return answer_error(conn, 404, "no such API");
}

static int
asset(struct MHD_Connection *conn, const char *path)
{
	const struct pub_web_asset *a;

	if (strcmp(path, "/") == 0)
		path = "/index.html";
	for (a = pub_web_assets; a->path != NULL; a++)
		if (strcmp(a->path, path) == 0)
			return answer(conn, 200, a->content_type,
			    (const char *)a->data, a->len, NULL);
	return answer(conn, 404, "text/plain; charset=utf-8", "not found\n",
	    10, NULL);
}

static int
handle(void *ctx, struct MHD_Connection *conn, const char *path)
{
	struct pub_web *w = ctx;
	const char *token = cb_http_query(conn, "token");

	if (strcmp(path, "/") == 0 && token != NULL)
		return login(w, conn, token);
	if (!authorised(w, conn))
		return unauthorised(conn, path);
	if (strncmp(path, "/api/", 5) == 0)
		return api(w, conn, path + 5);
	return asset(conn, path);
}

/* --- the server ---------------------------------------------------------- */

char *
pub_web_addr(const char *spec, struct cb_err *err)
{
	char *addr;

	if (spec[0] != '\0' && strspn(spec, "0123456789") == strlen(spec))
		addr = cb_xasprintf("127.0.0.1:%s", spec);
	else
		addr = cb_xstrdup(spec);
	if (cb_http_addr_check(addr, err) == 0)
		return addr;
	free(addr);
	return NULL;
}

struct pub_web *
pub_web_open(const char *spec, const struct pub_web_source *src,
    struct cb_err *err)
{
	struct pub_web *w = cb_xcalloc(1, sizeof(*w));
	char *addr = pub_web_addr(spec, err), *path;
	const char *bound;
	int rc;

	w->src = *src;
	if (addr == NULL || cb_http_open(&w->http, addr, handle, w, err) < 0) {
		free(addr);
		free(w);
		return NULL;
	}
	free(addr);
	w->state = cb_xstrdup(src->opts->state);
	bound = cb_http_address(w->http);
	path = cb_xasprintf("%s/%s", w->state, PUB_WEB_ADDRESS_FILE);
	rc = cb_file_write_atomic(path, bound, strlen(bound), 0600, err);
	free(path);
	if (rc < 0) {
		pub_web_close(w);
		return NULL;
	}
	w->next_keepalive = cb_time_mono_ms() + PUB_WEB_KEEPALIVE_MS;
	return w;
}

void
pub_web_close(struct pub_web *w)
{
	size_t i;

	if (w == NULL)
		return;
	cb_http_close(w->http); /* ends the streams: stream_gone */
	for (i = 0; i < CACHE_SLOTS; i++)
		cache_drop(&w->cache[i]);
	free(w->state);
	free(w);
}

const char *
pub_web_address(const struct pub_web *w)
{
	return cb_http_address(w->http);
}

int
pub_web_fd(const struct pub_web *w)
{
	return cb_http_fd(w->http);
}

static int
streaming(const struct pub_web *w)
{
	int i;

	for (i = 0; i < PUB_WEB_MAX_STREAMS; i++)
		if (w->streams[i] != NULL)
			return 1;
	return 0;
}

long
pub_web_timeout_ms(const struct pub_web *w)
{
	long t = cb_http_timeout_ms(w->http), k;

	if (!streaming(w))
		return t;
	k = (long)(w->next_keepalive - cb_time_mono_ms());
	if (k < 0)
		k = 0;
	return t < 0 || k < t ? k : t;
}

void
pub_web_run(struct pub_web *w)
{
	int64_t now = cb_time_mono_ms();

	if (now >= w->next_keepalive) {
		/* A comment line: proxies and browsers keep the stream. */
		to_streams(w, ": keep-alive\n\n");
		w->next_keepalive = now + PUB_WEB_KEEPALIVE_MS;
	}
	cb_http_run(w->http);
}

char *
pub_web_link(const char *address, const char *host, const char *token)
{
	const char *port = strrchr(address, ':');

	if (host != NULL && port != NULL &&
	    (strncmp(address, "0.0.0.0:", 8) == 0 ||
		strncmp(address, "[::]:", 5) == 0))
		return cb_xasprintf("http://%s%s/?token=%s", host, port, token);
	return cb_xasprintf("http://%s/?token=%s", address, token);
}
