/* pub_watch: clients on the wrong transport (see pub_watch.h). */
#include <stdlib.h>

#include <zmq.h>

#include "cb_locale.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_net.h"
#include "cb_time.h"
#include "pub_watch.h"

struct pub_watch {
	void *sock, *mon;
	const char *channel;
	int curve;
	int64_t said_ms;      /* monotonic; 0 before the first */
	unsigned long unsaid; /* mismatches since the last line */
	long open;            /* accepted, not yet disconnected */
};

struct pub_watch *
pub_watch_new(void *sock, const char *channel, int curve)
{
	struct cb_err err;
	struct pub_watch *w;
	void *mon = cb_net_monitor(sock, &err);

	if (mon == NULL) {
		log_warnx("%s: clients on the wrong transport will not be "
		    "logged: %s", channel, err.msg);
		return NULL;
	}
	w = cb_xcalloc(1, sizeof(*w));
	w->sock = sock;
	w->mon = mon;
	w->channel = channel;
	w->curve = curve;
	return w;
}

void
pub_watch_free(struct pub_watch *w)
{
	if (w == NULL)
		return;
	/* Stop the monitor first: its inproc socket inside libzmq would
	 * otherwise outlive sock and keep zmq_ctx_term waiting. */
	zmq_socket_monitor(w->sock, NULL, 0);
	cb_net_close(w->mon);
	free(w);
}

static void
say(struct pub_watch *w, const char *peer)
{
	int64_t now = cb_time_mono_ms();

	w->unsaid++;
	if (w->said_ms != 0 && now - w->said_ms < PUB_WATCH_SAY_MS)
		return;
	log_warnx(_("%s: a client at %s speaks %s (said once per %d min; "
		    "%lu attempts since the last such line)"),
	    cb_locale_word(w->channel), peer,
	    w->curve ? _("plaintext (a subscriber run with --insecure) but "
			 "this publisher requires CurveZMQ: the agency must "
			 "run without --insecure") :
		       _("CurveZMQ but this publisher runs with --insecure "
			 "(plaintext): run it without --insecure, or the "
			 "agency with --insecure"),
	    PUB_WATCH_SAY_MS / 60000, w->unsaid);
	w->said_ms = now;
	w->unsaid = 0;
}

void
pub_watch_drain(struct pub_watch *w)
{
	struct cb_net_event ev;

	if (w == NULL)
		return;
	while (cb_net_monitor_recv(w->mon, &ev)) {
		if (ev.event == ZMQ_EVENT_ACCEPTED)
			w->open++;
		else if (ev.event == ZMQ_EVENT_DISCONNECTED && w->open > 0)
			w->open--;
		else if (cb_net_link_next(CB_LINK_CONNECTING, &ev) ==
		    CB_LINK_MISMATCH)
			say(w, ev.endpoint[0] != '\0' ? ev.endpoint :
			    "an unknown address");
	}
}

long
pub_watch_open(struct pub_watch *w)
{
	if (w == NULL)
		return 0;
	pub_watch_drain(w);
	return w->open;
}
