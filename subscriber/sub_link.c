/* sub_link: the state of the subscriber's connections (see .h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <zmq.h>

#include "cb_file.h"
#include "cb_json.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_net.h"
#include "cb_locale.h"
#include "cb_time.h"
#include "cb_utf8.h"
#include "sub_daemon.h"
#include "sub_link.h"

#define N_(s) (s)
#define MAXWATCH SUB_LINK_MAXWATCH

struct watched {
	char *channel, *endpoint;
	void *sock, *mon;
	enum cb_net_link state;
	int64_t since;      /* when it came into this state */
	int64_t retry_at;   /* monotonic ms; after a failed handshake */
	char event[96];     /* the last event that changed it */
	char why[400];      /* the state as a sentence, with what to do */
	char why_local[800]; /* the same in the user's language */
};

struct sub_link {
	char *state;
	int insecure;
	char curve_hex[65]; /* "" with --insecure */
	struct watched w[MAXWATCH];
	size_t n;
	int64_t heartbeat_ms;   /* wall clock; 0 before the first */
	uint64_t publisher_seq; /* as the last heartbeat announced */
	int stale;
	size_t source, nsources; /* the source in use; 0 sources: unknown */
	char *source_bc, *source_req;
};

struct sub_link *
sub_link_new(const char *state, int insecure, const uint8_t *curve_public)
{
	struct sub_link *l = cb_xcalloc(1, sizeof(*l));
	size_t i;

	l->state = cb_xstrdup(state);
	l->insecure = insecure;
	for (i = 0; curve_public != NULL && i < 32; i++)
		snprintf(l->curve_hex + 2 * i, 3, "%02x", curve_public[i]);
	return l;
}

void
sub_link_free(struct sub_link *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++) {
		zmq_socket_monitor(l->w[i].sock, NULL, 0);
		cb_net_close(l->w[i].mon);
		free(l->w[i].channel);
		free(l->w[i].endpoint);
	}
	free(l->source_bc);
	free(l->source_req);
	free(l->state);
	free(l);
}

/* The two states whose sentence holds a value: the key refused, the
 * event of the failed handshake. */
#define REFUSED N_("not admitted: the publisher refused our agency key " \
	"(our CurveZMQ key %s, as its log names it): send agency.pub to " \
	"the department (canhbao-pub agency add)")
#define FAILED N_("handshake failed (%s): is the publisher key file " \
	"the key of the publisher at this address?")

/* The state of w as a sentence that says what to do, into buf: in
 * English (the log, link.json), or with local set in the user's
 * language (the stale-channel pop-up). */
static void
say(const struct sub_link *l, const struct watched *w, int local, char *buf,
    size_t size)
{
#define SAY(s) (local ? gettext(s) : (s))
	switch (w->state) {
	case CB_LINK_CONNECTING:
		snprintf(buf, size, "%s", SAY("connecting"));
		break;
	case CB_LINK_CONNECTED:
		snprintf(buf, size, "%s", SAY("connected"));
		break;
	case CB_LINK_REFUSED:
		snprintf(buf, size, SAY(REFUSED), l->curve_hex);
		break;
	case CB_LINK_MISMATCH:
		snprintf(buf, size, "%s", l->insecure ?
		    SAY("wrong transport: we speak plaintext (--insecure), the "
			"publisher CurveZMQ: start without --insecure") :
		    SAY("wrong transport: we speak CurveZMQ, the publisher "
			"plaintext (it runs with --insecure): ask the "
			"department, or start with --insecure"));
		break;
	case CB_LINK_FAILED:
		snprintf(buf, size, SAY(FAILED), w->event);
		break;
	case CB_LINK_UNREACHABLE:
		snprintf(buf, size, "%s", SAY("publisher not reachable: is it "
		    "running, and is the address right?"));
		break;
	case CB_LINK_LOST:
		snprintf(buf, size, "%s", SAY("connection lost"));
		break;
	}
#undef SAY
}

static void
explain(const struct sub_link *l, struct watched *w)
{
	say(l, w, 0, w->why, sizeof(w->why));
	say(l, w, 1, w->why_local, sizeof(w->why_local));
}

static void
event_text(const struct cb_net_event *ev, char *buf, size_t sz)
{
	switch (ev->event) {
	case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
		snprintf(buf, sz, "handshake succeeded");
		break;
	case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
		snprintf(buf, sz, "handshake refused (ZAP status %u)",
		    (unsigned)ev->value);
		break;
	case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
		snprintf(buf, sz, "handshake failed (ZMTP error 0x%08x)",
		    (unsigned)ev->value);
		break;
	case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
		snprintf(buf, sz, "handshake failed (%s)",
		    zmq_strerror((int)ev->value));
		break;
	case ZMQ_EVENT_CONNECT_RETRIED:
		snprintf(buf, sz, "connection failed, retrying");
		break;
	case ZMQ_EVENT_DISCONNECTED:
		snprintf(buf, sz, "disconnected");
		break;
	default:
		snprintf(buf, sz, "event 0x%x", ev->event);
		break;
	}
}

/* "source": {"index": 1, "count": 2, "broadcast": ..., "requests":
 * ...}, index from 1 as the log and the options count. */
static void
add_source(const struct sub_link *l, cJSON *o)
{
	cJSON *s = cJSON_AddObjectToObject(o, "source");

	cJSON_AddNumberToObject(s, "index", (double)l->source + 1);
	cJSON_AddNumberToObject(s, "count", (double)l->nsources);
	cJSON_AddStringToObject(s, "broadcast", l->source_bc);
	if (l->source_req != NULL)
		cJSON_AddStringToObject(s, "requests", l->source_req);
	else
		cJSON_AddNullToObject(s, "requests");
}

static void
save(const struct sub_link *l)
{
	cJSON *o = cJSON_CreateObject(), *list, *c;
	struct cb_err err;
	char *path, *text;
	size_t i;

	list = cJSON_AddArrayToObject(o, "channels");
	for (i = 0; i < l->n; i++) {
		c = cJSON_CreateObject();
		cJSON_AddStringToObject(c, "channel", l->w[i].channel);
		cJSON_AddStringToObject(c, "endpoint", l->w[i].endpoint);
		cJSON_AddStringToObject(c, "state",
		    cb_net_link_name(l->w[i].state));
		cJSON_AddBoolToObject(c, "connected",
		    l->w[i].state == CB_LINK_CONNECTED);
		cb_json_add_time(c, "since", l->w[i].since);
		cJSON_AddStringToObject(c, "event", l->w[i].event);
		cJSON_AddStringToObject(c, "why", l->w[i].why);
		cJSON_AddItemToArray(list, c);
	}
	if (l->nsources > 0)
		add_source(l, o);
	if (l->heartbeat_ms > 0)
		cb_json_add_time(o, "last_heartbeat", l->heartbeat_ms / 1000);
	else
		cJSON_AddNullToObject(o, "last_heartbeat");
	cJSON_AddNumberToObject(o, "publisher_seq", (double)l->publisher_seq);
	cJSON_AddBoolToObject(o, "stale", l->stale);
	text = cJSON_PrintUnformatted(o);
	path = cb_xasprintf("%s/%s", l->state, SUB_LINK_FILE);
	if (cb_file_replace(path, text, strlen(text), 0600, &err) < 0)
		log_warnx("%s", err.msg);
	free(path);
	free(text);
	cJSON_Delete(o);
}

int
sub_link_watch(struct sub_link *l, const char *channel, void *sock,
    const char *endpoint, struct cb_err *err)
{
	struct watched *w = &l->w[l->n];

	if (l->n == MAXWATCH)
		return cb_err_set(err, "too many sockets to watch");
	memset(w, 0, sizeof(*w));
	w->mon = cb_net_monitor(sock, err);
	if (w->mon == NULL)
		return -1;
	w->sock = sock;
	w->channel = cb_xstrdup(channel);
	w->endpoint = cb_xstrdup(endpoint);
	w->since = cb_time_now();
	explain(l, w);
	l->n++;
	save(l);
	return 0;
}

/* One line per change: problems as warnings, recovery as news. */
static void
changed(struct sub_link *l, struct watched *w, enum cb_net_link next,
    const char *event)
{
	w->state = next;
	w->since = cb_time_now();
	snprintf(w->event, sizeof(w->event), "%s", event);
	explain(l, w);
	if (next == CB_LINK_CONNECTED)
		log_info("%s %s: %s", cb_locale_word(w->channel), w->endpoint,
		    w->why_local);
	else
		log_warnx("%s %s: %s (%s)", cb_locale_word(w->channel),
		    w->endpoint, w->why_local, event);
	if (cb_net_link_given_up(next))
		w->retry_at = cb_time_mono_ms() + SUB_LINK_RETRY_MS;
	save(l);
}

/* libzmq gave the connection up after a failed handshake: connect
 * again, since what failed (registration, transport) may be put right
 * on the other side. */
static void
retry(struct watched *w)
{
	if (!cb_net_link_given_up(w->state) ||
	    cb_time_mono_ms() < w->retry_at)
		return;
	log_debug("%s %s: trying again to connect (%s)", w->channel,
	    w->endpoint, cb_net_link_name(w->state));
	zmq_disconnect(w->sock, w->endpoint); /* gone already, usually */
	if (zmq_connect(w->sock, w->endpoint) < 0)
		log_warnx(_("%s: cannot connect to '%s': %s"), w->channel,
		    w->endpoint, zmq_strerror(errno));
	w->retry_at = cb_time_mono_ms() + SUB_LINK_RETRY_MS;
}

void
sub_link_process(struct sub_link *l)
{
	struct cb_net_event ev;
	enum cb_net_link next;
	char text[96];
	size_t i;

	for (i = 0; i < l->n; i++) {
		while (cb_net_monitor_recv(l->w[i].mon, &ev)) {
			next = cb_net_link_next(l->w[i].state, &ev);
			event_text(&ev, text, sizeof(text));
			log_debug("%s %s: %s", l->w[i].channel,
			    l->w[i].endpoint, text);
			if (next != l->w[i].state)
				changed(l, &l->w[i], next, text);
		}
		retry(&l->w[i]);
	}
}

void
sub_link_source(struct sub_link *l, size_t index, size_t count,
    const char *broadcast, const char *requests)
{
	free(l->source_bc);
	free(l->source_req);
	l->source = index;
	l->nsources = count;
	l->source_bc = cb_xstrdup(broadcast);
	l->source_req = requests != NULL ? cb_xstrdup(requests) : NULL;
	save(l);
}

void
sub_link_health(struct sub_link *l, int64_t heartbeat_ms,
    uint64_t publisher_seq, int stale)
{
	l->heartbeat_ms = heartbeat_ms;
	l->publisher_seq = publisher_seq;
	l->stale = stale;
	save(l);
}

/* The silent-but-connected case, which no socket event tells. */
#define SILENT_WHY N_("connected, but no heartbeat comes: the publisher " \
	"is running but silent, or its clock is wrong")
int
sub_link_pollitems(const struct sub_link *l, zmq_pollitem_t *items, int max)
{
	int i;

	for (i = 0; i < (int)l->n && i < max; i++)
		items[i] = (zmq_pollitem_t){ .socket = l->w[i].mon,
			.events = ZMQ_POLLIN };
	return i;
}

int64_t
sub_link_deadline(const struct sub_link *l)
{
	int64_t at = -1;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (cb_net_link_given_up(l->w[i].state) &&
		    (at < 0 || l->w[i].retry_at < at))
			at = l->w[i].retry_at;
	return at;
}

const char *
sub_link_why(const struct sub_link *l)
{
	if (l == NULL || l->n == 0)
		return NULL;
	if (l->w[0].state == CB_LINK_CONNECTED)
		return SILENT_WHY;
	return l->w[0].why;
}

const char *
sub_link_why_local(const struct sub_link *l)
{
	if (l == NULL || l->n == 0)
		return NULL;
	if (l->w[0].state == CB_LINK_CONNECTED)
		return _(SILENT_WHY);
	return l->w[0].why_local;
}

/* --- canhbao-sub status --------------------------------------------- */

/* 1 when a daemon holds the lock on state, 0 when none does. */
static int
running(const char *state)
{
	char *path = cb_xasprintf("%s/%s", state, SUB_LOCK_FILE);
	int held = cb_file_locked(path);

	free(path);
	return held;
}

/* The channels as the daemon last saved them, or NULL. */
static cJSON *
load(const char *state)
{
	char *path = cb_xasprintf("%s/%s", state, SUB_LINK_FILE), *text;
	size_t len;
	cJSON *o = NULL;

	text = cb_file_read(path, 64 * 1024, 1, &len, NULL);
	free(path);
	if (text != NULL)
		o = cJSON_Parse(text);
	free(text);
	return o;
}

/* "last heartbeat: ..., publisher at seq N" and whether the channel is
 * stale, as the daemon last saved them. */
static void
print_health(const cJSON *o, int utc)
{
	const char *hb = cb_json_str(o, "last_heartbeat");
	const cJSON *stale = cJSON_GetObjectItemCaseSensitive(o, "stale");
	char when[CB_TIME_BUFSZ];
	int64_t t;

	if (hb == NULL || cb_time_parse_iso(hb, &t) < 0)
		printf(_("last heartbeat: none yet\n"));
	else
		printf(_("last heartbeat: %s, the publisher at seq %llu\n"),
		    cb_time_human(t, utc, when),
		    (unsigned long long)cb_json_num(o, "publisher_seq", 0));
	if (cJSON_IsTrue(stale))
		printf(_("channel: stale (the alarm is raised)\n"));
	else if (hb != NULL)
		printf(_("channel: fresh\n"));
}

/* A channel's sentence from link.json (in English) in the user's
 * language, into buf. */
static void
why_local(const cJSON *c, char *buf, size_t size)
{
	const char *why = cb_json_str(c, "why"), *st = cb_json_str(c, "state");
	const char *event = cb_json_str(c, "event");
	char key[65];

	if (why == NULL || st == NULL)
		snprintf(buf, size, "?");
	else if (strcmp(st, cb_net_link_name(CB_LINK_REFUSED)) == 0 &&
	    sscanf(why, "not admitted: the publisher refused our agency key "
		"(our CurveZMQ key %64[0-9a-f]", key) == 1)
		snprintf(buf, size, _(REFUSED), key);
	else if (strcmp(st, cb_net_link_name(CB_LINK_FAILED)) == 0 &&
	    event != NULL)
		snprintf(buf, size, _(FAILED), event);
	else
		snprintf(buf, size, "%s", _(why));
}

/* "source: 2 of 2 (broadcast EP, requests EP)", when there are
 * several to choose from. */
static void
print_source(const cJSON *o)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "source");
	const char *req = cb_json_str(s, "requests");

	if (cb_json_num(s, "count", 0) < 2)
		return;
	printf(_("source: %llu of %llu (broadcast %s, requests %s)\n"),
	    (unsigned long long)cb_json_num(s, "index", 0),
	    (unsigned long long)cb_json_num(s, "count", 0),
	    cb_json_str(s, "broadcast"), req != NULL ? req : _("(none)"));
}

void
sub_link_print(const char *state, int utc)
{
	cJSON *o = load(state);
	const cJSON *c;
	char *safe, when[CB_TIME_BUFSZ], why[800];
	int64_t t;

	if (!running(state))
		printf(_("daemon: not running (as last seen below)\n"));
	else
		printf(_("daemon: running\n"));
	cJSON_ArrayForEach(c, cb_json_array(o, "channels")) {
		why_local(c, why, sizeof(why));
		safe = cb_utf8_printable(why);
		if (cb_json_str(c, "since") == NULL ||
		    cb_time_parse_iso(cb_json_str(c, "since"), &t) < 0)
			t = 0;
		printf(_("%s (%s): %s, since %s\n"),
		    cb_locale_word(cb_json_str(c, "channel")),
		    cb_json_str(c, "endpoint"),
		    safe, cb_time_human(t, utc, when));
		free(safe);
	}
	if (o == NULL)
		printf(_("connection: not known (the daemon has not run)\n"));
	else
		print_health(o, utc);
	print_source(o);
	cJSON_Delete(o);
}

/* The broadcast channel (the first watched) is connected. */
static int
broadcast_connected(const cJSON *o)
{
	const cJSON *first = cJSON_GetArrayItem(cb_json_array(o, "channels"),
	    0);

	return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(first,
	    "connected"));
}

void
sub_link_add_json(const char *state, cJSON *obj)
{
	cJSON *o = load(state), *conn;
	const char *hb = cb_json_str(o, "last_heartbeat");

	conn = cJSON_AddObjectToObject(obj, "connection");
	cJSON_AddBoolToObject(conn, "running", running(state));
	if (o != NULL && cb_json_array(o, "channels") != NULL)
		cJSON_AddItemToObject(conn, "channels",
		    cJSON_DetachItemFromObject(o, "channels"));
	else
		cJSON_AddArrayToObject(conn, "channels");
	cJSON_AddBoolToObject(obj, "connected", running(state) &&
	    broadcast_connected(conn));
	if (hb != NULL)
		cJSON_AddStringToObject(obj, "last_heartbeat", hb);
	else
		cJSON_AddNullToObject(obj, "last_heartbeat");
	cJSON_AddNumberToObject(obj, "publisher_seq",
	    cb_json_num(o, "publisher_seq", 0));
	cJSON_AddBoolToObject(obj, "stale",
	    cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "stale")));
	if (cJSON_GetObjectItemCaseSensitive(o, "source") != NULL)
		cJSON_AddItemToObject(obj, "source",
		    cJSON_DetachItemFromObject(o, "source"));
	cJSON_Delete(o);
}
