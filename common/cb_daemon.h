/*
 * cb_daemon: what both daemons do with signals.  SIGINT and SIGTERM only
 * set a flag (installed without SA_RESTART, so zmq_poll returns with
 * EINTR and the loop sees the flag at once); SIGPIPE is ignored.
 */
#ifndef CB_DAEMON_H
#define CB_DAEMON_H

void cb_daemon_signals(void);
/* 1 once SIGINT or SIGTERM arrived. */
int cb_daemon_quitting(void);

#endif
