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

static void
vlog(int prio, const char *level, const char *fmt, va_list ap,
    const char *suffix)
{
	char line[2048], pfx[8] = "";

	vsnprintf(line, sizeof(line), fmt, ap);
	if (log_journal)
		snprintf(pfx, sizeof(pfx), "<%d>", prio);
	if (suffix != NULL)
		fprintf(stderr, "%s%s: %s: %s: %s\n", pfx, log_ident, level,
		    line, suffix);
	else
		fprintf(stderr, "%s%s: %s: %s\n", pfx, log_ident, level, line);
	fflush(stderr);
}

void
log_err(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, "error", fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_errx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, "error", fmt, ap, NULL);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	if (log_level < CB_LOG_WARN)
		return;
	va_start(ap, fmt);
	vlog(LOG_WARNING, "warning", fmt, ap, strerror(saved));
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	if (log_level < CB_LOG_WARN)
		return;
	va_start(ap, fmt);
	vlog(LOG_WARNING, "warning", fmt, ap, NULL);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_level < CB_LOG_INFO)
		return;
	va_start(ap, fmt);
	vlog(LOG_INFO, "info", fmt, ap, NULL);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_level < CB_LOG_DEBUG)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, "debug", fmt, ap, NULL);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, "fatal", fmt, ap, strerror(saved));
	va_end(ap);
	exit(2);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, "fatal", fmt, ap, NULL);
	va_end(ap);
	exit(2);
}
