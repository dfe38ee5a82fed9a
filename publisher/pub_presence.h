/*
 * pub_presence: one log line per change in an agency's contact, not one
 * per message.  Receipts and presence messages are routine (logged at
 * debug); what the duty officer needs in the log is when an agency
 * comes into contact, goes silent (no contact for silent_after
 * seconds) and comes back.  The daemon calls pub_presence_check now
 * and then; it reads each agency's last contact from the journal.
 */
#ifndef PUB_PRESENCE_H
#define PUB_PRESENCE_H

#include <stdint.h>

#include "pub_journal.h"

struct pub_presence;

/* started: when the daemon started (Unix seconds); an agency not heard
 * from since counts as silent once silent_after has passed from then. */
struct pub_presence *pub_presence_new(int64_t started);
void pub_presence_free(struct pub_presence *p);

/* Call fn at each change pub_presence_check logs: silent set when the
 * agency went silent, clear when it came into contact or back; last is
 * its last contact (0: never). */
void pub_presence_on_change(struct pub_presence *p,
    void (*fn)(void *arg, const char *agency, int silent, int64_t last),
    void *arg);

/* Look at every registered agency at now and log what changed:
 * "agency NAME in contact", "agency NAME silent: ...", "agency NAME
 * back in contact after N s".  Agencies removed are forgotten. */
void pub_presence_check(struct pub_presence *p, struct pub_journal *j,
    int64_t now, int64_t silent_after);

#endif
