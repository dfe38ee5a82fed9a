/* cb_daemon: signal flags for the daemons' loops (see cb_daemon.h). */
#include <signal.h>
#include <string.h>

#include "cb_daemon.h"

static volatile sig_atomic_t quit, reload;

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
