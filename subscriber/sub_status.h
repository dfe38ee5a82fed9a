/*
 * sub_status: `canhbao-sub status`: whether the daemon runs and where
 * each channel stands (sub_link: connected, not admitted, wrong
 * transport, not reachable, with what to do), and what the agency's
 * outbox holds: how
 * many entries wait for the publisher, and each one it refused for
 * good with its reason, so the staff member who filed a report learns
 * that it did not arrive and why.  Reads the archive only.
 */
#ifndef SUB_STATUS_H
#define SUB_STATUS_H

/* Print the connection and the outbox of the archive in state, as text
 * (times local, or UTC with utc set) or (json set) one JSON object.
 * Returns the exit status: 0, or 2 when the archive cannot be read
 * (said on stderr). */
int sub_status_print(const char *state, int json, int utc);

#endif
