/* cb_daemon: signal flags and systemd notifications for the daemons'
 * loops (see cb_daemon.h). */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <systemd/sd-daemon.h>

#include "cb_daemon.h"
#include "cb_time.h"

#define STATUS_MAX 256

static volatile sig_atomic_t quit, reload;
static char status_sent[STATUS_MAX];
static int64_t watchdog_ms = -1; /* ping interval; 0: none; -1: not asked */
static int64_t watchdog_next;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		reload = 1;
	else
		quit = 1;
}

void
cb_daemon_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal; /* no SA_RESTART: zmq_poll sees EINTR */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int
cb_daemon_quitting(void)
{
	return quit;
}

int
cb_daemon_reload_requested(void)
{
	if (!reload)
		return 0;
	reload = 0;
	return 1;
}

/* Send what (e.g. "READY=1\n") followed by STATUS=<fmt...>. */
static void
notify_status(const char *what, const char *fmt, va_list ap)
{
	char status[STATUS_MAX];

	vsnprintf(status, sizeof(status), fmt, ap);
	snprintf(status_sent, sizeof(status_sent), "%s", status);
	sd_notifyf(0, "%sSTATUS=%s", what, status);
}

void
cb_daemon_ready(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	notify_status("READY=1\n", fmt, ap);
	va_end(ap);
}

void
cb_daemon_stopping(const char *status)
{
	sd_notifyf(0, "STOPPING=1\nSTATUS=%s", status);
}

void
cb_daemon_status(const char *fmt, ...)
{
	char status[STATUS_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(status, sizeof(status), fmt, ap);
	va_end(ap);
	if (strcmp(status, status_sent) == 0)
		return;
	snprintf(status_sent, sizeof(status_sent), "%s", status);
	sd_notifyf(0, "STATUS=%s", status);
}

void
cb_daemon_reloading(void)
{
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)cb_time_mono_ms() * 1000ULL);
}

long
cb_daemon_watchdog(int64_t now_ms)
{
	uint64_t usec = 0;

	if (watchdog_ms < 0) { /* the first call: is there a watchdog? */
		watchdog_ms = 0;
		if (sd_watchdog_enabled(0, &usec) > 0) /* half, 1 ms at least */
			watchdog_ms = usec >= 2000 ? (int64_t)(usec / 2000) : 1;
		watchdog_next = now_ms;
	}
	if (watchdog_ms == 0)
		return -1;
	if (now_ms >= watchdog_next) {
		sd_notify(0, "WATCHDOG=1");
		watchdog_next = now_ms + watchdog_ms;
	}
	return (long)(watchdog_next - now_ms);
}
