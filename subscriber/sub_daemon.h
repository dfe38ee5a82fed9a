/*
 * sub_daemon: "canhbao-sub run": receive, verify, archive, report, until
 * SIGINT or SIGTERM.
 */
#ifndef SUB_DAEMON_H
#define SUB_DAEMON_H

struct sub_options {
	const char *state;         /* state folder (archive, lock) */
	const char *broadcast;     /* publisher's PUB endpoint */
	const char *publisher_key; /* minisign public key file to pin */
	int insecure;              /* plaintext transport accepted */
};

#define SUB_LOCK_FILE "sub.lock"

/* Runs until asked to stop; returns the exit status (0 after a clean
 * shutdown, 2 when start-up failed). */
int sub_daemon_run(const struct sub_options *opts);

#endif
