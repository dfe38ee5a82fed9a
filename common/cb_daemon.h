/*
 * cb_daemon: what both daemons do with signals.  SIGINT and SIGTERM set
 * the quit flag, SIGHUP the reload flag; nothing else happens in the
 * handler (installed without SA_RESTART, so zmq_poll returns with EINTR
 * and the loop sees the flag at once).  SIGPIPE is ignored.
 */
#ifndef CB_DAEMON_H
#define CB_DAEMON_H

void cb_daemon_signals(void);
/* 1 once SIGINT or SIGTERM arrived. */
int cb_daemon_quitting(void);
/* 1 when SIGHUP arrived since the last call (the flag is cleared: a
 * SIGHUP during the reload that follows asks for one more). */
int cb_daemon_reload_requested(void);

#endif
