/*
 * sub_daemon: "canhbao-sub run": receive, verify, order, archive and
 * report, catching up from the requests channel on start and on every
 * gap, and raising an alarm when the channel goes silent, until SIGINT
 * or SIGTERM.  SIGHUP reloads the configuration file.
 */
#ifndef SUB_DAEMON_H
#define SUB_DAEMON_H

#include "sub_config.h"

#define SUB_LOCK_FILE "sub.lock"
#define SUB_AGENCY_KEY_FILE "agency.key"
#define SUB_AGENCY_PUB_FILE "agency.pub"

/* Runs until asked to stop; returns the exit status (0 after a clean
 * shutdown, 2 when start-up failed).  A reload replaces what cfg holds
 * with the new configuration; the caller still releases it. */
int sub_daemon_run(struct sub_config *cfg);

#endif
