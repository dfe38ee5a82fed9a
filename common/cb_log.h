/*
 * cb_log: the daemons' log, after OpenBSD's log.c.
 *
 * Lines go to stderr as "<ident>: <level>: <message>"; under systemd,
 * journald adds the time and pid, and each line starts with its syslog
 * priority ("<3>" for an error, as sd-daemon(3) describes), so that
 * "journalctl -p err" shows the errors only.  The level is checked
 * before any formatting.  Not for use from signal handlers.
 *
 * What each level is for:
 *   error    something failed that needs a person: the daemon cannot
 *            start, cannot write its journal or archive, refused a
 *            reload;
 *   warning  something is wrong outside (a feed, a message, a peer)
 *            and the daemon carries on;
 *   info     a change of state: started, a feed's poll, an agency in
 *            contact or silent, a reload and what it changed;
 *   debug    routine traffic: each heartbeat, receipt, presence.
 */
#ifndef CB_LOG_H
#define CB_LOG_H

enum cb_log_level {
	CB_LOG_ERR = 0,
	CB_LOG_WARN = 1,
	CB_LOG_INFO = 2,
	CB_LOG_DEBUG = 3
};

/* ident: program name shown on every line; verbosity: highest level
 * shown (CB_LOG_INFO by default).  May be called again (a reload). */
void cb_log_init(const char *ident, int verbosity);
int cb_log_verbosity(void);

/* log_err and log_warn add the text of errno. */
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_errx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Log and exit(2): for start-up failures and broken invariants only,
 * never for bad input. */
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
