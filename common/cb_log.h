/*
 * cb_log: the daemons' log, after OpenBSD's log.c.
 *
 * Lines go to stderr as "<ident>: <level>: <message>".  Under systemd
 * (stderr is the stream $JOURNAL_STREAM names, see systemd.exec(5))
 * each line goes to the journal instead, through sd_journal_send, as
 * one entry with MESSAGE, PRIORITY (so "journalctl -p err" shows the
 * errors only), SYSLOG_IDENTIFIER and, for a line about an advisory, an
 * agency or a feed, the fields of struct cb_log_about (so that
 * "journalctl CANHBAO_SEVERITY=critical" works).  Should the journal
 * refuse an entry, the line goes to stderr with its syslog priority in
 * front ("<3>" for an error, as sd-daemon(3) describes).  The level is
 * checked before any formatting.  Not for use from signal handlers.
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

#include <stdint.h>

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
/*
 * What a line is about, for the journal's fields: id CANHBAO_ID, seq
 * CANHBAO_SEQ, severity CANHBAO_SEVERITY, agency CANHBAO_AGENCY, feed
 * CANHBAO_FEED; a member left NULL (0 for seq) adds no field.  Off the
 * journal they add nothing to the line (say in the text what matters).
 * Borrowed for the call only.
 */
struct cb_log_about {
	const char *id;
	uint64_t seq;
	const char *severity;
	const char *agency;
	const char *feed;
};

void log_errx_about(const struct cb_log_about *about, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_warnx_about(const struct cb_log_about *about, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_info_about(const struct cb_log_about *about, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void log_debug_about(const struct cb_log_about *about, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Log and exit(2): for start-up failures and broken invariants only,
 * never for bad input. */
void fatal(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...)
    __attribute__((format(printf, 1, 2), noreturn));

#endif
