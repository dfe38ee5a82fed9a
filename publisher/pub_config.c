/*
 * pub_config: the publisher's settings (see pub_config.h).  Table
 * driven: the tables below are the whole list of keys; the parser, the
 * defaults and canhbao.conf.5 follow them.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_cfg.h"
#include "cb_file.h"
#include "cb_locale.h"
#include "cb_mem.h"
#include "cb_net.h"
#include "cb_time.h"
#include "cb_url.h"
#include "pub_config.h"
#include "pub_web.h"

#define HEADER_FILE_MAX 8192

static const struct cb_cfg_key publisher_keys[] = {
	{ "broadcast", CB_CFG_ENDPOINT, offsetof(struct pub_config, broadcast), 0,
	    0 },
	{ "ca_path", CB_CFG_STRING, offsetof(struct pub_config, ca_path), 0, 0 },
	{ "heartbeat", CB_CFG_DURATION, offsetof(struct pub_config, heartbeat), 1,
	    3600 },
	{ "hook_timeout", CB_CFG_DURATION, offsetof(struct pub_config, hook_timeout),
	    1, 3600 },
	{ "insecure", CB_CFG_BOOL, offsetof(struct pub_config, insecure), 0, 1 },
	{ "metrics", CB_CFG_HTTP, offsetof(struct pub_config, metrics), 0, 0 },
	{ "on_report", CB_CFG_STRING, offsetof(struct pub_config, on_report), 0,
	    0 },
	{ "requests", CB_CFG_ENDPOINT, offsetof(struct pub_config, requests), 0,
	    0 },
	{ "silent_after", CB_CFG_DURATION, offsetof(struct pub_config, silent_after),
	    10, 30 * 86400 },
	{ "state", CB_CFG_STRING, offsetof(struct pub_config, state), 0, 0 },
	{ "verbose", CB_CFG_BOOL, offsetof(struct pub_config, verbose), 0, 1 },
	{ "web", CB_CFG_STRING, offsetof(struct pub_config, web), 0, 0 },
};

#define NKEYS (sizeof(publisher_keys) / sizeof(publisher_keys[0]))

/* Keys a running daemon cannot change: a reload keeps their values. */
static const char *const fixed_keys[] = { "state", "broadcast", "requests",
	"insecure", "metrics", "web", NULL };

/* Keys of a [feed "NAME"] section; bit i of pub_feed_conf.seen. */
enum feed_key {
	FK_URL,
	FK_FORMAT,
	FK_ORIGIN,
	FK_INTERVAL,
	FK_SEVERITY,
	FK_HEADER,
	FK_HEADER_FILE,
	FK_BACKFILL,
	FK_USERNAME,
	FK_PASSWORD_FILE,
	FK_SILENT_AFTER,
	FK_FILL_FROM,
	FK_CSAF_SIGNATURES,
	FK_MAX_DOCUMENTS,
	FK_COUNT
};

static const char *const feed_keys[FK_COUNT] = { "url", "format", "origin",
	"interval", "severity", "header", "header_file", "backfill",
	"username", "password_file", "silent_after", "fill_from",
	"csaf_signatures", "max_documents" };

void
pub_config_init(struct pub_config *c)
{
	memset(c, 0, sizeof(*c));
	c->broadcast = cb_xstrdup(PUB_DEFAULT_BROADCAST);
	c->heartbeat = PUB_DEFAULT_HEARTBEAT;
	c->hook_timeout = PUB_DEFAULT_HOOK_TIMEOUT;
	c->silent_after = PUB_DEFAULT_SILENT_AFTER;
}

static void
feed_release(struct pub_feed_conf *f)
{
	free(f->name);
	free(f->url);
	cb_strlist_release(&f->headers);
	free(f->username);
	free(f->password);
	free(f->fill_from);
}

void
pub_config_release(struct pub_config *c)
{
	size_t i;

	for (i = 0; i < c->nfeeds; i++)
		feed_release(&c->feeds[i]);
	free(c->feeds);
	free(c->path);
	free(c->state);
	free(c->broadcast);
	free(c->ca_path);
	free(c->requests);
	free(c->on_report);
	free(c->metrics);
	free(c->web);
	cb_strlist_release(&c->flags);
	memset(c, 0, sizeof(*c));
}

int
pub_config_set(struct pub_config *c, const char *key, const char *value,
    struct cb_err *err)
{
	if (cb_cfg_set(publisher_keys, NKEYS, c, "publisher", key, value,
		err) < 0)
		return -1;
	cb_strlist_add(&c->flags, key);
	cb_strlist_add(&c->flags, value);
	return 0;
}

/* "feed \"kev\"" -> "kev"; NULL when the section is not a feed. */
static char *
feed_section_name(const char *section)
{
	size_t len;

	if (strncmp(section, "feed \"", 6) != 0)
		return NULL;
	len = strlen(section + 6);
	if (len < 2 || section[6 + len - 1] != '"')
		return NULL;
	return cb_xstrndup(section + 6, len - 1);
}

static struct pub_feed_conf *
feed_for(struct pub_config *c, const char *name, int line, int *created)
{
	struct pub_feed_conf *f;
	size_t i;

	*created = 0;
	for (i = 0; i < c->nfeeds; i++)
		if (strcmp(c->feeds[i].name, name) == 0)
			return &c->feeds[i];
	if (c->nfeeds >= PUB_MAX_FEEDS)
		return NULL;
	c->feeds = cb_xrealloc(c->feeds, (c->nfeeds + 1) * sizeof(*c->feeds));
	f = &c->feeds[c->nfeeds++];
	memset(f, 0, sizeof(*f));
	f->name = cb_xstrdup(name);
	f->origin = CB_ORIGIN_NATIONAL;
	f->interval = PUB_DEFAULT_INTERVAL;
	f->severity = CB_SEV_MEDIUM;
	f->backfill = PUB_DEFAULT_BACKFILL;
	f->silent_after = PUB_DEFAULT_MISP_SILENT;
	f->max_documents = PUB_DEFAULT_MAX_DOCUMENTS;
	f->line = line;
	*created = 1;
	return f;
}

static int
valid_url(const char *u)
{
	return cb_url_scheme(u, NULL) != CB_URL_OTHER ||
	    strncmp(u, "tcp://", 6) == 0; /* misp-zmq, checked below */
}

/* "Name: value" with a token name and no line breaks. */
static int
valid_header(const char *h)
{
	const char *colon = strchr(h, ':'), *p;

	if (colon == NULL || colon == h)
		return 0;
	for (p = h; p < colon; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return 0;
	return strpbrk(h, "\r\n") == NULL;
}

static int
read_header_file(struct pub_feed_conf *f, const char *path,
    struct cb_err *err)
{
	char *text = cb_file_read_secret(path, HEADER_FILE_MAX, NULL, err);

	if (text == NULL)
		return -1;
	text[strcspn(text, "\r\n")] = '\0';
	if (!valid_header(text)) {
		free(text);
		return cb_err_set(err,
		    _("'%s' does not hold one 'Name: value' header line"),
		    path);
	}
	cb_strlist_add(&f->headers, text);
	free(text);
	return 0;
}

/* The keys of a misp-zmq feed; the password is a secret, read from a
 * file only its owner may read. */
static int
set_misp_key(struct pub_feed_conf *f, enum feed_key k, const char *v,
    struct cb_err *err)
{
	char *pw;

	if (k == FK_SILENT_AFTER)
		return cb_cfg_duration("silent_after", v, 5, 86400,
		    &f->silent_after, err);
	if (k == FK_PASSWORD_FILE) {
		if ((pw = cb_file_read_secret(v, 1024, NULL, err)) == NULL)
			return -1;
		pw[strcspn(pw, "\r\n")] = '\0';
		free(f->password);
		f->password = pw;
		return 0;
	}
	if (v[0] == '\0' || strlen(v) > 255)
		return cb_err_set(err, "%s must be 1 to 255 bytes",
		    feed_keys[k]);
	if (k == FK_USERNAME) {
		free(f->username);
		f->username = cb_xstrdup(v);
	} else {
		free(f->fill_from);
		f->fill_from = cb_xstrdup(v);
	}
	return 0;
}

static int
set_feed_key(struct pub_feed_conf *f, enum feed_key k, const char *v,
    struct cb_err *err)
{
	switch (k) {
	case FK_URL:
		if (!valid_url(v))
			return cb_err_set(err, _("url '%s' is not https://, "
			    "http://, file:// (or tcp:// for misp-zmq)"), v);
		free(f->url);
		f->url = cb_xstrdup(v);
		return 0;
	case FK_FORMAT:
		if (feed_format_parse(v, &f->format) < 0)
			return cb_err_set(err, _("unknown format '%s' (use csaf, "
			    "kev, rss, atom, cap, json, misp or misp-zmq)"), v);
		return 0;
	case FK_ORIGIN:
		if (cb_origin_parse(v, &f->origin) < 0)
			return cb_err_set(err,
			    _("origin must be national or provincial, not "
			      "'%s'"),
			    v);
		return 0;
	case FK_INTERVAL:
		return cb_cfg_duration("interval", v, 10, 7 * 86400,
		    &f->interval, err);
	case FK_SEVERITY:
		return cb_severity_arg(v, &f->severity, err);
	case FK_HEADER:
		if (!valid_header(v))
			return cb_err_set(err,
			    _("header must be 'Name: value'"));
		cb_strlist_add(&f->headers, v);
		return 0;
	case FK_HEADER_FILE:
		return read_header_file(f, v, err);
	case FK_BACKFILL:
		if (strcmp(v, "all") == 0)
			f->backfill = PUB_BACKFILL_ALL;
		else if (cb_duration_parse(v, &f->backfill) < 0)
			return cb_err_set(err,
			    _("backfill must be a duration such as 30d or "
			      "12h, or all; not '%s'"),
			    v);
		return 0;
	case FK_USERNAME:
	case FK_PASSWORD_FILE:
	case FK_SILENT_AFTER:
	case FK_FILL_FROM:
		return set_misp_key(f, k, v, err);
	case FK_CSAF_SIGNATURES:
		if (strcmp(v, "strict") == 0)
			f->csaf_signatures = PUB_CSAF_STRICT;
		else if (strcmp(v, "warn") == 0)
			f->csaf_signatures = PUB_CSAF_WARN;
		else
			return cb_err_set(err, "csaf_signatures must be strict "
			    "or warn, not '%s'", v);
		return 0;
	case FK_MAX_DOCUMENTS:
		if (cb_cfg_int(v, 1, FEED_MAX_ITEMS, &f->max_documents) < 0)
			return cb_err_set(err, "max_documents must be a number "
			    "from 1 to %d, not '%s'", FEED_MAX_ITEMS, v);
		return 0;
	case FK_COUNT:
		break;
	}
	return -1;
}

static int
feed_key(void *user, const char *section, const char *name,
    const char *value, int line, struct cb_err *err)
{
	char *fname = feed_section_name(section);
	struct pub_feed_conf *f;
	int created, k;

	if (fname == NULL)
		return cb_err_set(err, _("unknown section [%s]"), section);
	f = feed_for(user, fname, line, &created);
	free(fname);
	if (f == NULL)
		return cb_err_set(err, _("more than %d feeds"), PUB_MAX_FEEDS);
	for (k = 0; k < FK_COUNT; k++)
		if (strcmp(feed_keys[k], name) == 0)
			break;
	if (k == FK_COUNT)
		return cb_err_set(err, _("unknown key '%s' in [%s]"), name,
		    section);
	if ((f->seen & (1u << k)) && k != FK_HEADER && k != FK_HEADER_FILE)
		return cb_err_set(err, _("'%s' given twice in [%s]"), name,
		    section);
	f->seen |= 1u << k;
	return set_feed_key(f, (enum feed_key)k, value, err);
}

int
pub_config_load(struct pub_config *c, const char *path, struct cb_err *err)
{
	free(c->path);
	c->path = cb_xstrdup(path);
	return cb_cfg_load(path, "publisher", publisher_keys, NKEYS, c,
	    feed_key, c, (const char *const[]){ "header", "header_file", NULL },
	    err);
}

/* A misp-zmq feed: a tcp:// endpoint, and fill_from naming a misp
 * feed; the misp-zmq keys on no other format. */
static int
check_misp(const struct pub_config *c, const struct pub_feed_conf *f,
    struct cb_err *err)
{
	const unsigned zmq_keys = (1u << FK_USERNAME) |
	    (1u << FK_PASSWORD_FILE) | (1u << FK_SILENT_AFTER) |
	    (1u << FK_FILL_FROM);
	size_t i;

	if (f->format != FEED_MISP_ZMQ) {
		if (f->seen & zmq_keys)
			return cb_err_set(err, "username, password_file, "
			    "silent_after and fill_from are for misp-zmq "
			    "feeds");
		if (strncmp(f->url, "tcp://", 6) == 0)
			return cb_err_set(err, "a tcp:// url is for misp-zmq "
			    "feeds");
		return 0;
	}
	if (strncmp(f->url, "tcp://", 6) != 0 ||
	    cb_net_endpoint_check(f->url, err) < 0)
		return cb_err_set(err, "url must be tcp://HOST:PORT, MISP's "
		    "ZeroMQ address");
	if (f->password != NULL && f->username == NULL)
		return cb_err_set(err, "password_file without username");
	if (f->fill_from == NULL)
		return 0;
	for (i = 0; i < c->nfeeds; i++)
		if (strcmp(c->feeds[i].name, f->fill_from) == 0 &&
		    c->feeds[i].format == FEED_MISP)
			return 0;
	return cb_err_set(err, "fill_from '%s' is not a misp feed",
	    f->fill_from);
}

int
pub_config_check(const struct pub_config *c, struct cb_err *err)
{
	const char *where = c->path ? c->path : "configuration";
	char *web = NULL;
	size_t i;

	if (c->state == NULL)
		return cb_err_set(err,
		    _("%s: no state folder (--state or state = in "
		      "[publisher])"),
		    where);
	if (c->web != NULL && (web = pub_web_addr(c->web, err)) == NULL) {
		cb_err_prefix(err, "%s: web", where);
		return -1;
	}
	free(web);
	for (i = 0; i < c->nfeeds; i++) {
		const struct pub_feed_conf *f = &c->feeds[i];

		if (f->url == NULL)
			return cb_err_set(err,
			    _("%s:%d: feed \"%s\" has no url"), where, f->line,
			    f->name);
		if (!(f->seen & (1u << FK_FORMAT)))
			return cb_err_set(err,
			    _("%s:%d: feed \"%s\" has no format"),
			    where, f->line, f->name);
		if (f->name[0] == '\0' || strpbrk(f->name, ": \t/") != NULL)
			return cb_err_set(err,
			    _("%s:%d: feed name \"%s\" must be non-empty, "
			      "without spaces, '/' or ':'"),
			    where, f->line, f->name);
		if (check_misp(c, f, err) < 0) {
			cb_err_prefix(err, "%s:%d: feed \"%s\"", where, f->line,
			    f->name);
			return -1;
		}
	}
	return 0;
}

int
pub_config_reread(const struct pub_config *c, struct pub_config *next,
    struct cb_err *err)
{
	size_t i;

	pub_config_init(next);
	if (pub_config_load(next, c->path, err) < 0)
		goto fail;
	for (i = 0; i + 1 < c->flags.n; i += 2)
		if (pub_config_set(next, c->flags.v[i], c->flags.v[i + 1],
			err) < 0)
			goto fail;
	/* Not in the file and not on the command line: the one at start
	 * (found by other means) stays. */
	if (next->state == NULL && c->state != NULL)
		next->state = cb_xstrdup(c->state);
	if (pub_config_check(next, err) < 0)
		goto fail;
	return 0;
fail:
	pub_config_release(next);
	return -1;
}

static int
same_str(const char *a, const char *b)
{
	return (a == NULL && b == NULL) ||
	    (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static int
same_headers(const struct cb_strlist *a, const struct cb_strlist *b)
{
	size_t i;

	if (a->n != b->n)
		return 0;
	for (i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]) != 0)
			return 0;
	return 1;
}

static void
show_backfill(int64_t b, char *out, size_t sz)
{
	if (b == PUB_BACKFILL_ALL)
		snprintf(out, sz, "all");
	else
		snprintf(out, sz, "%llds", (long long)b);
}

/* Append ", " (unless first) and the formatted text to out. */
static void __attribute__((format(printf, 3, 4)))
add_change(char *out, size_t sz, const char *fmt, ...)
{
	size_t len = strlen(out);
	va_list ap;

	if (len > 0 && len + 2 < sz) {
		memcpy(out + len, ", ", 3);
		len += 2;
	}
	va_start(ap, fmt);
	vsnprintf(out + len, sz - len, fmt, ap);
	va_end(ap);
}

/* "interval 900 -> 300, url": what differs between two feeds (urls and
 * headers without their values: they may carry tokens). */
static void
feed_changes(const struct pub_feed_conf *a, const struct pub_feed_conf *b,
    char *out, size_t sz)
{
	char x[32], y[32];

	out[0] = '\0';
	if (!same_str(a->url, b->url))
		add_change(out, sz, "url");
	if (a->format != b->format)
		add_change(out, sz, "format %s -> %s",
		    feed_format_name(a->format), feed_format_name(b->format));
	if (a->origin != b->origin)
		add_change(out, sz, "origin %s -> %s",
		    cb_origin_name(a->origin), cb_origin_name(b->origin));
	if (a->interval != b->interval)
		add_change(out, sz, "interval %d -> %d", a->interval,
		    b->interval);
	if (a->severity != b->severity)
		add_change(out, sz, "severity %s -> %s",
		    cb_severity_name(a->severity),
		    cb_severity_name(b->severity));
	if (!same_headers(&a->headers, &b->headers))
		add_change(out, sz, "headers");
	if (a->backfill != b->backfill) {
		show_backfill(a->backfill, x, sizeof(x));
		show_backfill(b->backfill, y, sizeof(y));
		add_change(out, sz, "backfill %s -> %s", x, y);
	}
	if (!same_str(a->username, b->username) ||
	    !same_str(a->password, b->password))
		add_change(out, sz, "credentials");
	if (a->silent_after != b->silent_after)
		add_change(out, sz, "silent_after %d -> %d", a->silent_after,
		    b->silent_after);
	if (!same_str(a->fill_from, b->fill_from))
		add_change(out, sz, "fill_from");
	if (a->csaf_signatures != b->csaf_signatures)
		add_change(out, sz, "csaf_signatures %s -> %s",
		    a->csaf_signatures == PUB_CSAF_WARN ? "warn" : "strict",
		    b->csaf_signatures == PUB_CSAF_WARN ? "warn" : "strict");
	if (a->max_documents != b->max_documents)
		add_change(out, sz, "max_documents %d -> %d",
		    a->max_documents, b->max_documents);
}

int
pub_feed_conf_same(const struct pub_feed_conf *a,
    const struct pub_feed_conf *b)
{
	char what[512];

	feed_changes(a, b, what, sizeof(what));
	return strcmp(a->name, b->name) == 0 && what[0] == '\0';
}

static const struct pub_feed_conf *
find_feed(const struct pub_config *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->nfeeds; i++)
		if (strcmp(c->feeds[i].name, name) == 0)
			return &c->feeds[i];
	return NULL;
}

int
pub_config_diff(const struct pub_config *cur, struct pub_config *next,
    cb_cfg_say_fn say, void *arg)
{
	const struct pub_feed_conf *f, *g;
	char what[512], line[600];
	int n;
	size_t i;

	n = cb_cfg_diff(publisher_keys, NKEYS, cur, next, fixed_keys, say,
	    arg);
	for (i = 0; i < next->nfeeds; i++) {
		f = &next->feeds[i];
		g = find_feed(cur, f->name);
		if (g == NULL) {
			snprintf(line, sizeof(line), "feed '%s' added",
			    f->name);
		} else {
			feed_changes(g, f, what, sizeof(what));
			if (what[0] == '\0')
				continue;
			snprintf(line, sizeof(line), "feed '%s' changed: %s",
			    f->name, what);
		}
		say(arg, line);
		n++;
	}
	for (i = 0; i < cur->nfeeds; i++) {
		if (find_feed(next, cur->feeds[i].name) != NULL)
			continue;
		snprintf(line, sizeof(line), "feed '%s' removed",
		    cur->feeds[i].name);
		say(arg, line);
		n++;
	}
	return n;
}
