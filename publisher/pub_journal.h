/*
 * pub_journal: the publisher's SQLite journal.  Every signed message is
 * written here and committed before it is broadcast, so a crash never
 * reuses a sequence number and never loses a message a subscriber could
 * have seen.  Later: feed state, agencies, receipts, reports.
 */
#ifndef PUB_JOURNAL_H
#define PUB_JOURNAL_H

#include <stdint.h>

#include "cb_err.h"
#include "cb_msg.h"

struct pub_journal;

/* Open or create the journal at path.  NULL on error. */
struct pub_journal *pub_journal_open(const char *path, struct cb_err *err);
void pub_journal_close(struct pub_journal *j);

/* Highest sequence number journaled (0 for an empty journal). */
uint64_t pub_journal_last_seq(const struct pub_journal *j);

/* Latest revision of advisory adv_id: 1 and *revision when found, 0 when
 * the id is unknown, -1 on error. */
int pub_journal_revision(struct pub_journal *j, const char *adv_id,
    unsigned *revision, struct cb_err *err);

/* One journaled message, as handed to the append and replay calls. */
struct pub_entry {
	uint64_t seq;
	int type;
	int64_t issued_ms;
	const char *adv_id; /* NULL for non-advisory messages */
	unsigned revision;
	const uint8_t *signed_bytes;
	size_t signed_len;
	const uint8_t *sigblock;
	size_t sigblock_len;
};

/* Write e and commit.  e->seq must be pub_journal_last_seq() + 1. */
int pub_journal_append(struct pub_journal *j, const struct pub_entry *e,
    struct cb_err *err);

/* Call fn for each message with after < seq, in order, at most limit of
 * them (the entry's pointers are valid during the call only).  Returns
 * the number visited, or -1. */
int pub_journal_each(struct pub_journal *j, uint64_t after, int limit,
    int (*fn)(const struct pub_entry *, void *), void *arg,
    struct cb_err *err);

#endif
