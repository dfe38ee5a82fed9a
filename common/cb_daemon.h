/*
 * cb_daemon: what both daemons do with signals.  SIGINT and SIGTERM set
 * the quit flag, SIGHUP the reload flag; nothing else happens in the
 * handler (installed without SA_RESTART, so zmq_poll returns with EINTR
 * and the loop sees the flag at once).  SIGPIPE is ignored.
 */
#ifndef CB_DAEMON_H
#define CB_DAEMON_H

#include <stdint.h>

void cb_daemon_signals(void);
/* 1 once SIGINT or SIGTERM arrived. */
int cb_daemon_quitting(void);
/* 1 when SIGHUP arrived since the last call (the flag is cleared: a
 * SIGHUP during the reload that follows asks for one more). */
int cb_daemon_reload_requested(void);

/*
 * Telling systemd (sd_notify(3)); each does nothing when the daemon was
 * not started by systemd ($NOTIFY_SOCKET unset).  status is a line a
 * person reads in "systemctl status", printf-style.
 *
 * ready: the sockets are bound or connected: READY=1 with STATUS.
 * reloading: a SIGHUP reload begins: RELOADING=1 and MONOTONIC_USEC;
 * call ready again once it is over (done or refused).
 * stopping: STOPPING=1 with the STATUS line status.
 * status: STATUS alone, sent only when the text changed since the last.
 */
void cb_daemon_ready(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));
void cb_daemon_reloading(void);
void cb_daemon_stopping(const char *status);
void cb_daemon_status(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/*
 * The watchdog (WatchdogSec= in the unit): call from the event loop
 * every time round with the monotonic time now_ms; it pings
 * (WATCHDOG=1) when half the interval systemd gave has passed since the
 * last ping, and returns the milliseconds until the next ping is due,
 * for the loop to sleep no longer than that; -1 without a watchdog.
 */
long cb_daemon_watchdog(int64_t now_ms);

#endif
