/*
 * sub_ack: what the agency did with its advisories, kept in the archive
 * (sub_store) in tables of its own: which revision of each advisory was
 * read, who acknowledged which revision, and, from those, the critical
 * advisories that still need a reminder.
 */
#ifndef SUB_ACK_H
#define SUB_ACK_H

#include <stdint.h>

#include "cb_err.h"

struct cb_db_schema;
struct sub_store;
struct sub_row;

/* The tables seen, ack and meta (created_ms: when they were made, with
 * the archive), applied by sub_store_open. */
extern const struct cb_db_schema sub_ack_schema;

/* SQL: revision m (an alias of the archive's message table) of its
 * advisory was read, or acknowledged (that revision or a later one). */
#define SUB_ACK_READ(m) \
	"EXISTS (SELECT 1 FROM seen WHERE seen.adv_id = " m ".adv_id " \
	"  AND seen.revision >= " m ".revision)"
#define SUB_ACK_ACKED(m) \
	"EXISTS (SELECT 1 FROM ack WHERE ack.adv_id = " m ".adv_id " \
	"  AND ack.revision >= " m ".revision)"

/* An acknowledgement: who handled which revision, when, and a note
 * (NULL when none).  Strings owned, freed by sub_ack_release. */
struct sub_ack {
	unsigned revision;
	char *by;
	int64_t at;
	char *note;
};
void sub_ack_release(struct sub_ack *a);

/* Acknowledge the latest revision of advisory id as by, at time at
 * (Unix seconds), with an optional note; it also counts as read, and
 * queues a receipt when the archive sends them (sub_store_set_receipts).
 * Returns 1 recorded (out->revision says which), 2 that revision was
 * acknowledged already (out holds the earlier acknowledgement, which is
 * kept), 0 no such advisory, -1 error.  Release out after 1 or 2. */
int sub_ack_add(struct sub_store *s, const char *id, const char *by,
    const char *note, int64_t at, struct sub_ack *out, struct cb_err *err);

/* Call fn for each acknowledgement of advisory id, oldest first.
 * Returns how many or -1. */
int sub_ack_each(struct sub_store *s, const char *id,
    int (*fn)(const struct sub_ack *, void *), void *arg, struct cb_err *err);

/* Record that revision of advisory id was read at time at (revisions
 * up to it count as read). */
int sub_ack_mark_read(struct sub_store *s, const char *id,
    unsigned revision, int64_t at, struct cb_err *err);

/* When the archive was created (Unix milliseconds) into *ms: 0, or -1. */
int sub_ack_created(struct sub_store *s, int64_t *ms, struct cb_err *err);

/* What still needs a reminder: the latest revision (with blobs) of
 * every critical advisory that is not cancelled, not expired at now,
 * not acknowledged, issued after the archive was created (history
 * fetched on the first catch-up is not reminded) and received at or
 * before received_before; oldest first, at most max.  Returns how many
 * or -1. */
int sub_ack_reminders(struct sub_store *s, int64_t now,
    int64_t received_before, int max,
    int (*fn)(const struct sub_row *, void *), void *arg, struct cb_err *err);

#endif
