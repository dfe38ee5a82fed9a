/* pub_control: the daemon's local control socket (see pub_control.h). */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "cb_file.h"
#include "cb_locale.h"
#include "cb_mem.h"
#include "cb_net.h"
#include "pub_control.h"

#define CALL_SEND_TIMEOUT_MS 2000
#define CALL_REPLY_TIMEOUT_MS 30000
#define CALL_CHECK_MS 250 /* how often a waiting call checks the daemon */

static char *
sock_path(const char *state)
{
	return cb_xasprintf("%s/%s", state, PUB_CONTROL_SOCK);
}

void *
pub_control_bind(const char *state, struct cb_err *err)
{
	char *path = sock_path(state), *ep = cb_xasprintf("ipc://%s", path);
	void *s;

	unlink(path);
	s = cb_net_socket(ZMQ_ROUTER, err);
	if (s != NULL && cb_net_bind(s, ep, NULL, 0, err) < 0) {
		cb_net_close(s);
		s = NULL;
	}
	if (s != NULL && chmod(path, 0600) < 0) {
		cb_err_setsys(err, _("cannot chmod '%s'"), path);
		cb_net_close(s);
		s = NULL;
	}
	free(ep);
	free(path);
	return s;
}

void
pub_control_close(void *sock, const char *state)
{
	char *path;

	if (sock == NULL)
		return;
	cb_net_close(sock);
	path = sock_path(state);
	unlink(path);
	free(path);
}

static void *
call_socket(const char *state, struct cb_err *err)
{
	char *path = sock_path(state), *ep = cb_xasprintf("ipc://%s", path);
	int one = 1, sndto = CALL_SEND_TIMEOUT_MS,
	    rcvto = CALL_REPLY_TIMEOUT_MS;
	struct stat st;
	void *s = NULL;

	if (stat(path, &st) < 0) {
		cb_err_set(err,
		    _("canhbao-pub is not running on '%s' (no control socket "
		      "'%s')"),
		    state, path);
		goto out;
	}
	s = cb_net_socket(ZMQ_REQ, err);
	if (s == NULL)
		goto out;
	zmq_setsockopt(s, ZMQ_IMMEDIATE, &one, sizeof(one));
	zmq_setsockopt(s, ZMQ_SNDTIMEO, &sndto, sizeof(sndto));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &rcvto, sizeof(rcvto));
	if (cb_net_connect(s, ep, err) < 0) {
		cb_net_close(s);
		s = NULL;
	}
out:
	free(ep);
	free(path);
	return s;
}

/* 1 while a daemon holds the state folder's lock. */
static int
daemon_alive(const char *state)
{
	char *path = cb_xasprintf("%s/%s", state, PUB_CONTROL_LOCK);
	int alive = cb_file_locked(path);

	free(path);
	return alive;
}

/* Wait for the reply, giving up early if the daemon dies meanwhile. */
static int
await_reply(void *s, const char *state, struct cb_err *err)
{
	zmq_pollitem_t item = { .socket = s, .events = ZMQ_POLLIN };
	int waited = 0;

	while (waited < CALL_REPLY_TIMEOUT_MS) {
		if (zmq_poll(&item, 1, CALL_CHECK_MS) > 0)
			return 0;
		waited += CALL_CHECK_MS;
		if (!daemon_alive(state))
			return cb_err_set(err,
			    _("canhbao-pub stopped before it answered; see "
			      "'canhbao-pub status' for whether the request "
			      "took effect"));
	}
	return cb_err_set(err, _("canhbao-pub did not answer within %d s"),
	    CALL_REPLY_TIMEOUT_MS / 1000);
}

char *
pub_control_call(const char *state, const char *request, struct cb_err *err)
{
	struct cb_frames f;
	const void *data[1] = { request };
	size_t len[1] = { strlen(request) };
	char *reply = NULL;
	void *s = call_socket(state, err);

	if (s == NULL)
		return NULL;
	if (cb_net_send(s, data, len, 1, 0) < 0) {
		cb_err_set(err,
		    _("canhbao-pub is not running on '%s' (nobody answers on "
		      "its control socket)"),
		    state);
		goto out;
	}
	if (await_reply(s, state, err) < 0 || cb_net_recv(s, &f, 0, err) < 0)
		goto out;
	if (f.n == 1) {
		reply = f.data[0];
		f.data[0] = NULL;
		f.n = 0;
	} else {
		cb_err_set(err, _("malformed reply from canhbao-pub"));
	}
	cb_frames_release(&f);
out:
	cb_net_close(s);
	return reply;
}
