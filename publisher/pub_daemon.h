/*
 * pub_daemon: "canhbao-pub run": open everything, then serve the
 * control channel and send heartbeats until SIGINT or SIGTERM.  SIGHUP
 * reloads the configuration file and the agency registry.
 */
#ifndef PUB_DAEMON_H
#define PUB_DAEMON_H

#include "pub_config.h"
#include "pub_control.h"

#define PUB_KEY_FILE "publisher.key"
#define PUB_PUBKEY_FILE "publisher.pub"
#define PUB_SIGNING_KEY_FILE "signing.key" /* after a rotation */
#define PUB_SIGNING_PUB_FILE "signing.pub"
#define PUB_JOURNAL_FILE "journal.db"
#define PUB_LOCK_FILE PUB_CONTROL_LOCK
#define PUB_ENDPOINT_FILE "broadcast.endpoint"
#define PUB_REQUESTS_FILE "requests.endpoint"
#define PUB_SILENT_AFTER 600 /* seconds without contact: an agency is silent */

/* Runs until asked to stop; returns the process exit status (0 after a
 * clean shutdown, 2 when start-up failed).  A reload replaces what cfg
 * holds with the new configuration; the caller still releases it. */
int pub_daemon_run(struct pub_config *cfg);

#endif
