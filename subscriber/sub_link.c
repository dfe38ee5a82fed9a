/* sub_link: the state of the subscriber's connections (see .h). */
#include <errno.h>
#include <libintl.h>
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
#include "cb_time.h"
#include "cb_utf8.h"
#include "sub_daemon.h"
#include "sub_link.h"

#define _(s) gettext(s)
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
};

struct sub_link {
	const char *state;
	int insecure;
	char curve_hex[65]; /* "" with --insecure */
	struct watched w[MAXWATCH];
	size_t n;
};

struct sub_link *
sub_link_new(const char *state, int insecure, const uint8_t *curve_public)
{
	struct sub_link *l = cb_xcalloc(1, sizeof(*l));
	size_t i;

	l->state = state;
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
	free(l);
}

/* The state of w as a sentence that says what to do. */
static void
explain(const struct sub_link *l, struct watched *w)
{
	switch (w->state) {
	case CB_LINK_CONNECTING:
		snprintf(w->why, sizeof(w->why), N_("connecting"));
		break;
	case CB_LINK_CONNECTED:
		snprintf(w->why, sizeof(w->why), N_("connected"));
		break;
	case CB_LINK_REFUSED:
		snprintf(w->why, sizeof(w->why), "not admitted: the publisher "
		    "refused our agency key (our CurveZMQ key %s, as its log "
		    "names it): send agency.pub to the department (canhbao-pub "
		    "agency add)", l->curve_hex);
		break;
	case CB_LINK_MISMATCH:
		snprintf(w->why, sizeof(w->why), "%s", l->insecure ?
		    N_("wrong transport: we speak plaintext (--insecure), the "
		       "publisher CurveZMQ: start without --insecure") :
		    N_("wrong transport: we speak CurveZMQ, the publisher "
		       "plaintext (it runs with --insecure): ask the "
		       "department, or start with --insecure"));
		break;
	case CB_LINK_FAILED:
		snprintf(w->why, sizeof(w->why), "handshake failed (%s): is "
		    "the publisher key file the key of the publisher at this "
		    "address?", w->event);
		break;
	case CB_LINK_UNREACHABLE:
		snprintf(w->why, sizeof(w->why), N_("publisher not reachable: "
		    "is it running, and is the address right?"));
		break;
	case CB_LINK_LOST:
		snprintf(w->why, sizeof(w->why), N_("connection lost"));
		break;
	}
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
	text = cJSON_PrintUnformatted(o);
	path = cb_xasprintf("%s/%s", l->state, SUB_LINK_FILE);
	if (cb_file_write_atomic(path, text, strlen(text), 0600, &err) < 0)
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
		log_info("%s %s: %s", w->channel, w->endpoint, w->why);
	else
		log_warnx("%s %s: %s (%s)", w->channel, w->endpoint, w->why,
		    event);
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
		log_warnx("%s: cannot connect to '%s': %s", w->channel,
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
		return "connected, but no heartbeat comes: the publisher is "
		       "running but silent, or its clock is wrong";
	return l->w[0].why;
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

void
sub_link_print(const char *state)
{
	cJSON *o = load(state);
	const cJSON *c;
	char *safe;

	if (!running(state))
		printf(_("daemon: not running (as last seen below)\n"));
	else
		printf(_("daemon: running\n"));
	cJSON_ArrayForEach(c, cb_json_array(o, "channels")) {
		safe = cb_utf8_printable(cb_json_str(c, "why") ?
			cb_json_str(c, "why") : "");
		printf(_("%s (%s): %s, since %s\n"),
		    cb_json_str(c, "channel"), cb_json_str(c, "endpoint"),
		    _(safe), cb_json_str(c, "since") ?
		    cb_json_str(c, "since") : "?");
		free(safe);
	}
	if (o == NULL)
		printf(_("connection: not known (the daemon has not run)\n"));
	cJSON_Delete(o);
}

void
sub_link_add_json(const char *state, cJSON *obj)
{
	cJSON *o = load(state), *conn;

	conn = cJSON_AddObjectToObject(obj, "connection");
	cJSON_AddBoolToObject(conn, "running", running(state));
	if (o != NULL && cb_json_array(o, "channels") != NULL)
		cJSON_AddItemToObject(conn, "channels",
		    cJSON_DetachItemFromObject(o, "channels"));
	else
		cJSON_AddArrayToObject(conn, "channels");
	cJSON_Delete(o);
}
