/*
 * sub_store: the subscriber's archive, one SQLite file (WAL) per state
 * folder.  It keeps the exact signed bytes and signature block of every
 * verified message beside the fields lookups need, so any advisory can
 * be verified again and exported for stock minisign.
 *
 * The daemon writes; lookup commands open it read-only at the same time.
 */
#ifndef SUB_STORE_H
#define SUB_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "cb_adv.h"
#include "cb_err.h"
#include "cb_msg.h"

struct sub_store;

#define SUB_ARCHIVE_FILE "archive.db"

/* Open the archive at path; read-only for lookups.  NULL on error. */
struct sub_store *sub_store_open(const char *path, int readonly,
    struct cb_err *err);
void sub_store_close(struct sub_store *s);

/* Sequence of the last archived message from the publisher key_id
 * (0 when none). */
int sub_store_last_seq(struct sub_store *s, const uint8_t *key_id,
    uint64_t *seq, struct cb_err *err);

/* Archive a verified advisory message and move the publisher's last
 * sequence on, in one transaction.  Returns 1 when stored, 0 when that
 * sequence was already archived (nothing changes), -1 on error. */
int sub_store_put(struct sub_store *s, const struct cb_msg *msg,
    const struct cb_adv *adv, const uint8_t *signed_bytes, size_t signed_len,
    const uint8_t *sigblock, size_t sigblock_len, struct cb_err *err);

/* One archived advisory as lookups see it.  Strings and blobs are owned
 * by the row and freed by sub_row_release. */
struct sub_row {
	uint64_t seq;
	char *id;
	unsigned revision;
	char *kind, *severity, *status, *origin, *title;
	int64_t published;
	int64_t issued_ms;
	int64_t received;
	int64_t expires; /* 0: does not expire */
	uint8_t *signed_bytes;
	size_t signed_len;
	uint8_t *sigblock;
	size_t sigblock_len;
	int read;  /* sub_store_list, _search: this revision was shown */
	int acked; /* and acknowledged (this revision or a later one) */
};
void sub_row_release(struct sub_row *r);

/* Call fn for every archived advisory, newest sequence first (blobs are
 * not loaded).  Stops early when fn returns non-zero.  Returns the
 * number of rows visited or -1. */
int sub_store_each(struct sub_store *s,
    int (*fn)(const struct sub_row *, void *), void *arg, struct cb_err *err);

/* The latest revision of advisory id, with its blobs: 1 found, 0 not
 * found, -1 error. */
int sub_store_get(struct sub_store *s, const char *id, struct sub_row *out,
    struct cb_err *err);

/* --- lookups with filters, search, acknowledgement, read state --- */

/* Filters of sub_store_list and sub_store_search; sub_query_init sets
 * them to "any".  Strings are borrowed. */
struct sub_query {
	int64_t since;    /* published (issued, when unknown) at or after,
			   * Unix seconds; 0: any time */
	int min_severity; /* enum cb_severity; -1: any */
	int origin;       /* enum cb_origin; -1: any */
	const char *cve;  /* search only: advisories naming this CVE */
	int unread;       /* only revisions not yet read, */
	int unacked;      /* or not acknowledged; both keep only the latest
			   * revision of each advisory */
	int limit;        /* at most this many rows; 0: no limit */
};
void sub_query_init(struct sub_query *q);

/* Call fn for every archived revision that passes q, newest sequence
 * first (no blobs; read and acked set).  Stops early when fn returns
 * non-zero.  Returns the number of rows visited or -1. */
int sub_store_list(struct sub_store *s, const struct sub_query *q,
    int (*fn)(const struct sub_row *, void *), void *arg, struct cb_err *err);

/* Marks around each matched word in sub_hit.snippet. */
#define SUB_MARK_ON '\x02'
#define SUB_MARK_OFF '\x03'

/* One search result: the revision that matched, an extract of the
 * field that matched best with SUB_MARK_ON/OFF around the matched
 * words (raw advisory text: make it printable before showing it), and
 * its bm25 score (lower is better).  Valid during the callback only. */
struct sub_hit {
	struct sub_row row;
	const char *snippet;
	double score;
};

/* Matches ranked by one search, at most: a query that matches more
 * revisions (the most common words in a large archive) gets the best
 * of the newest this many. */
#define SUB_SEARCH_WINDOW 50000

/* Full-text search over title, summary, actions, CVEs and products of
 * every archived revision, ignoring case and diacritics (cb_fold: "da
 * nang" finds "Đà Nẵng").  words: the user's words, all of which must
 * match (in any field); a word ending in '*' matches as a prefix, and
 * punctuation inside a word makes it a phrase ("CVE-2024-3400").  The
 * best match first; q filters as for sub_store_list, and q->cve keeps
 * the advisories that name that CVE; at most SUB_SEARCH_WINDOW matches,
 * the newest, are ranked.  Returns the number of hits or -1
 * (err says why; a query without any word is an error). */
int sub_store_search(struct sub_store *s, const char *words,
    const struct sub_query *q, int (*fn)(const struct sub_hit *, void *),
    void *arg, struct cb_err *err);

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
 * (Unix seconds), with an optional note; it also counts as read.
 * Returns 1 recorded (out->revision says which), 2 that revision was
 * acknowledged already (out holds the earlier acknowledgement, which is
 * kept), 0 no such advisory, -1 error.  Release out after 1 or 2. */
int sub_store_ack(struct sub_store *s, const char *id, const char *by,
    const char *note, int64_t at, struct sub_ack *out, struct cb_err *err);

/* Call fn for each acknowledgement of advisory id, oldest first.
 * Returns how many or -1. */
int sub_store_acks(struct sub_store *s, const char *id,
    int (*fn)(const struct sub_ack *, void *), void *arg, struct cb_err *err);

/* Call fn for every archived revision of advisory id (no blobs), in
 * order of revision and sequence.  Returns how many or -1. */
int sub_store_revisions(struct sub_store *s, const char *id,
    int (*fn)(const struct sub_row *, void *), void *arg, struct cb_err *err);

/* Record that revision of advisory id was read at time at (revisions
 * up to it count as read). */
int sub_store_mark_read(struct sub_store *s, const char *id,
    unsigned revision, int64_t at, struct cb_err *err);

/* What still needs a reminder: the latest revision (with blobs) of
 * every critical advisory that is not cancelled, not expired at now,
 * not acknowledged, issued after the archive was created (history
 * fetched on the first catch-up is not reminded) and received at or
 * before received_before; oldest first, at most max.  Returns how many
 * or -1. */
int sub_store_reminders(struct sub_store *s, int64_t now,
    int64_t received_before, int max,
    int (*fn)(const struct sub_row *, void *), void *arg, struct cb_err *err);

/* Bulk loading (benchmarks, imports): between sub_store_batch(s, 1)
 * and sub_store_batch(s, 0), sub_store_put calls share one transaction,
 * committed by the second call. */
int sub_store_batch(struct sub_store *s, int on, struct cb_err *err);

/* --- the channel: keys and the way back --------------------------------- */

/* Keep the last sequence under key_id (the pinned publisher key), so
 * that it runs on across key rotations. */
void sub_store_set_channel(struct sub_store *s, const uint8_t *key_id);

/* Queue a receipt in the outbox (sub_outbox) with every newly archived
 * advisory ("received") and every new acknowledgement ("acknowledged"),
 * in the same transaction. */
void sub_store_set_receipts(struct sub_store *s, int on);

/* The handle, for sub_outbox; borrowed. */
struct sqlite3 *sub_store_db(struct sub_store *s);

/* Record a verified key rotation to next and move the last sequence on,
 * in one transaction. */
int sub_store_rotate(struct sub_store *s, const struct cb_msg *msg,
    const struct cb_pubkey *next, const uint8_t *signed_bytes,
    size_t signed_len, const uint8_t *sigblock, size_t sigblock_len,
    struct cb_err *err);

/* The publisher key the latest recorded rotation installed: 1 with it
 * and the rotation's sequence, 0 when there was none, -1 on error. */
int sub_store_signing_key(struct sub_store *s, struct cb_pubkey *pk,
    uint64_t *since, struct cb_err *err);

#endif
