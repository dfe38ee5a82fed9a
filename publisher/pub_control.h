/*
 * pub_control: the local control channel between staff commands
 * ("canhbao-pub publish", "status") and the running daemon.
 *
 * ZeroMQ over ipc://STATE/control.sock: each command a REQ, the daemon
 * a ROUTER, so that it can take the requests waiting all at once (a
 * burst of "publish" commands is journaled in one transaction).  The
 * socket file is 0600 inside the 0700 state folder, so only the
 * daemon's own user can talk to it.  Requests and replies are JSON objects
 * (canhbao.7 lists them): {"cmd":"publish","advisory":{...}} is
 * answered by {"ok":true,"id":...,"seq":...} or {"ok":false,"error":...}.
 */
#ifndef PUB_CONTROL_H
#define PUB_CONTROL_H

#include "cb_err.h"

#define PUB_CONTROL_SOCK "control.sock"
#define PUB_CONTROL_LOCK "pub.lock" /* held by the running daemon */
#define PUB_CONTROL_MAXREQ (512 * 1024) /* within CB_NET_MAXMSG */

/* Daemon side: bind the ROUTER socket (a stale socket file left by a
 * killed daemon is removed; the caller holds the state folder's lock).
 * A request arrives as three frames, the caller's routing id, an empty
 * one and the request; the reply goes back as the same three. */
void *pub_control_bind(const char *state, struct cb_err *err);
void pub_control_close(void *sock, const char *state);

/* Command side: send request, wait for the reply (caller frees it).
 * Fails with a clear message when no daemon is running. */
char *pub_control_call(const char *state, const char *request,
    struct cb_err *err);

#endif
