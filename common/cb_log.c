/* cb_log: levelled logging to stderr (see cb_log.h). */
#include <sys/stat.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "cb_log.h"

static const char *log_ident = "canhbao";
static int log_level = CB_LOG_INFO;
static int log_journal; /* stderr is journald's stream: "<N>" prefixes */

/* systemd sets JOURNAL_STREAM to "DEV:INO" of the stream it connected
 * stderr to; only when stderr is still that stream does a priority
 * prefix mean anything (and not end up in a file or a terminal). */
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

/* One line at level (shown when the verbosity is at least min), with
 * the text of errno when sys. */
static void
vlog(int min, int prio, const char *level, int sys, const char *fmt,
    va_list ap)
{
	int saved = errno;
	char line[2048], pfx[16] = "";

	if (log_level < min)
		return;
	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_journal)
		snprintf(pfx, sizeof(pfx), "<%d>", prio);
	if (sys)
		fprintf(stderr, "%s%s: %s: %s: %s\n", pfx, log_ident, level,
		    line, strerror(saved));
	else
		fprintf(stderr, "%s%s: %s: %s\n", pfx, log_ident, level, line);
	fflush(stderr);
	errno = saved;
}

#define LOG_BODY(min, prio, level, sys)                  \
	do {                                             \
		va_list ap;                              \
		va_start(ap, fmt);                       \
		vlog(min, prio, level, sys, fmt, ap);    \
		va_end(ap);                              \
	} while (0)

void
log_err(const char *fmt, ...)
{
	LOG_BODY(CB_LOG_ERR, LOG_ERR, "error", 1);
}

void
log_errx(const char *fmt, ...)
{
	LOG_BODY(CB_LOG_ERR, LOG_ERR, "error", 0);
}

void
log_warn(const char *fmt, ...)
{
	LOG_BODY(CB_LOG_WARN, LOG_WARNING, "warning", 1);
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(CB_LOG_WARN, LOG_WARNING, "warning", 0);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(CB_LOG_INFO, LOG_INFO, "info", 0);
}

void
log_debug(const char *fmt, ...)
{
	LOG_BODY(CB_LOG_DEBUG, LOG_DEBUG, "debug", 0);
}

/* fatal and fatalx always log, whatever the verbosity. */
void
fatal(const char *fmt, ...)
{
	LOG_BODY(CB_LOG_ERR, LOG_CRIT, "fatal", 1);
	exit(2);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(CB_LOG_ERR, LOG_CRIT, "fatal", 0);
	exit(2);
}
