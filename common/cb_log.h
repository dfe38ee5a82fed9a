/*
 * cb_log: the daemons' log, after OpenBSD's log.c.
 *
 * Lines go to stderr as "<ident>: <level>: <message>"; under systemd,
 * journald adds the time and pid.  The level is checked before any
 * formatting.  Not for use from signal handlers.
 */
#ifndef CB_LOG_H
#define CB_LOG_H

enum cb_log_level { CB_LOG_WARN = 0, CB_LOG_INFO = 1, CB_LOG_DEBUG = 2 };

/* ident: program name shown on every line; verbosity: highest level
 * shown (CB_LOG_INFO by default). */
void cb_log_init(const char *ident, int verbosity);
int cb_log_verbosity(void);

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
