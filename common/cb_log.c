/* cb_log: levelled logging to stderr or the journal (see cb_log.h). */
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

/* CODE_FILE and CODE_LINE would name this file, not the caller's. */
#define SD_JOURNAL_SUPPRESS_LOCATION 1
#include <systemd/sd-journal.h>

#include "cb_log.h"

#define LOG_LINE_MAX 2048
#define LOG_FIELDS 8 /* MESSAGE, PRIORITY, SYSLOG_IDENTIFIER, CANHBAO_* */
#define LOG_FIELD_MAX 512 /* an about field, name included */

static const char *log_ident = "canhbao";
static int log_level = CB_LOG_INFO;
static int log_journal; /* stderr is journald's stream */

/* systemd sets JOURNAL_STREAM to "DEV:INO" of the stream it connected
 * stderr to; only when stderr is still that stream does the line
 * belong in the journal (and not in a file or on a terminal that the
 * daemon's stderr was sent to instead). */
static int
stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (js == NULL || sscanf(js, "%llu:%llu", &dev, &ino) != 2 ||
	    fstat(STDERR_FILENO, &st) < 0)
		return 0;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

void
cb_log_init(const char *ident, int verbosity)
{
	log_ident = ident;
	log_level = verbosity;
	log_journal = stderr_is_journal();
}

int
cb_log_verbosity(void)
{
	return log_level;
}

/* The fields of one journal entry, in one buffer. */
struct entry {
	struct iovec iov[LOG_FIELDS];
	int n;
	char buf[LOG_LINE_MAX + 64 + (LOG_FIELDS - 1) * LOG_FIELD_MAX];
	size_t used;
};

/* Add the field "NAME=value" (value as fmt says, cut at the room left
 * for one field). */
static void
add_field(struct entry *e, size_t max, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
add_field(struct entry *e, size_t max, const char *fmt, ...)
{
	char *at = e->buf + e->used;
	size_t room = sizeof(e->buf) - e->used;
	va_list ap;
	int len;

	if (max > room)
		max = room;
	va_start(ap, fmt);
	len = vsnprintf(at, max, fmt, ap);
	va_end(ap);
	if (len < 0 || e->n == LOG_FIELDS)
		return;
	if ((size_t)len >= max)
		len = (int)max - 1;
	e->iov[e->n].iov_base = at;
	e->iov[e->n].iov_len = (size_t)len;
	e->n++;
	e->used += (size_t)len + 1;
}

/* One entry in the journal; -1 when journald did not take it. */
static int
journal_send(int prio, const char *msg, const char *sys,
    const struct cb_log_about *a)
{
	struct entry e = { .n = 0 };

	if (sys != NULL)
		add_field(&e, LOG_LINE_MAX + 64, "MESSAGE=%s: %s", msg, sys);
	else
		add_field(&e, LOG_LINE_MAX + 64, "MESSAGE=%s", msg);
	add_field(&e, LOG_FIELD_MAX, "PRIORITY=%d", prio);
	add_field(&e, LOG_FIELD_MAX, "SYSLOG_IDENTIFIER=%s", log_ident);
	if (a != NULL && a->id != NULL)
		add_field(&e, LOG_FIELD_MAX, "CANHBAO_ID=%s", a->id);
	if (a != NULL && a->seq != 0)
		add_field(&e, LOG_FIELD_MAX, "CANHBAO_SEQ=%llu",
		    (unsigned long long)a->seq);
	if (a != NULL && a->severity != NULL)
		add_field(&e, LOG_FIELD_MAX, "CANHBAO_SEVERITY=%s",
		    a->severity);
	if (a != NULL && a->agency != NULL)
		add_field(&e, LOG_FIELD_MAX, "CANHBAO_AGENCY=%s", a->agency);
	if (a != NULL && a->feed != NULL)
		add_field(&e, LOG_FIELD_MAX, "CANHBAO_FEED=%s", a->feed);
	return sd_journal_sendv(e.iov, e.n) < 0 ? -1 : 0;
}

/* One line at level (shown when the verbosity is at least min), with
 * the text of errno when sys, about what a says (may be NULL). */
static void
vlog(int min, int prio, const char *level, int sys,
    const struct cb_log_about *a, const char *fmt, va_list ap)
{
	int saved = errno;
	char line[LOG_LINE_MAX], pfx[16] = "";
	const char *syserr = sys ? strerror(saved) : NULL;

	if (log_level < min)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_journal && journal_send(prio, line, syserr, a) == 0) {
		errno = saved;
		return;
	}
	if (log_journal)
		snprintf(pfx, sizeof(pfx), "<%d>", prio);
	if (sys)
		fprintf(stderr, "%s%s: %s: %s: %s\n", pfx, log_ident, level,
		    line, syserr);
	else
		fprintf(stderr, "%s%s: %s: %s\n", pfx, log_ident, level, line);
	fflush(stderr);
	errno = saved;
}

#define LOG_BODY(min, prio, level, sys, about)               \
	do {                                                 \
		va_list ap;                                  \
		va_start(ap, fmt);                           \
		vlog(min, prio, level, sys, about, fmt, ap); \
		va_end(ap);                                  \
	} while (0)

void
log_err(const char *fmt, ...)
{
	LOG_BODY(CB_LOG_ERR, LOG_ERR, "error", 1, NULL);
}

void
log_errx(const char *fmt, ...)
{
	LOG_BODY(CB_LOG_ERR, LOG_ERR, "error", 0, NULL);
}

void
log_warn(const char *fmt, ...)
{
	LOG_BODY(CB_LOG_WARN, LOG_WARNING, "warning", 1, NULL);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(CB_LOG_WARN, LOG_WARNING, "warning", 0, NULL);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(CB_LOG_INFO, LOG_INFO, "info", 0, NULL);
}

void
log_debug(const char *fmt, ...)
{
	LOG_BODY(CB_LOG_DEBUG, LOG_DEBUG, "debug", 0, NULL);
}

void
log_errx_about(const struct cb_log_about *about, const char *fmt, ...)
{
	LOG_BODY(CB_LOG_ERR, LOG_ERR, "error", 0, about);
}

void
log_warnx_about(const struct cb_log_about *about, const char *fmt, ...)
{
	LOG_BODY(CB_LOG_WARN, LOG_WARNING, "warning", 0, about);
}

void
log_info_about(const struct cb_log_about *about, const char *fmt, ...)
{
	LOG_BODY(CB_LOG_INFO, LOG_INFO, "info", 0, about);
}

void
log_debug_about(const struct cb_log_about *about, const char *fmt, ...)
{
	LOG_BODY(CB_LOG_DEBUG, LOG_DEBUG, "debug", 0, about);
}

/* fatal and fatalx always log, whatever the verbosity. */
void
fatal(const char *fmt, ...)
{
	LOG_BODY(CB_LOG_ERR, LOG_CRIT, "fatal", 1, NULL);
	exit(2);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(CB_LOG_ERR, LOG_CRIT, "fatal", 0, NULL);
	exit(2);
}
