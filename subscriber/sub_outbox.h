/*
 * sub_outbox: what an agency sends back, queued on disk until the
 * publisher confirms it: receipts (archived, acknowledged), presence,
 * incident reports.  A table of its own in the archive (sub_store);
 * the ack and report commands add to it with the daemon running or
 * not, and the daemon signs each entry with the agency key once (its
 * sequence number is the entry's id, never reused; a new outbox starts
 * numbering from the wall clock, so a recreated archive does not reuse
 * a lost one's numbers), sends it on the requests channel, and deletes
 * it when the publisher confirms.  One the publisher refuses stays,
 * marked with the reason; one whose number it holds with other content
 * is renumbered above the highest it holds and sent again.  An
 * unconfirmed entry goes again after SUB_OUTBOX_RETRY_MS, so nothing is
 * lost across restarts of either side, and the publisher's (agency,
 * sequence) key keeps each once.  At most SUB_OUTBOX_INFLIGHT entries
 * wait for an answer at a time.
 */
#ifndef SUB_OUTBOX_H
#define SUB_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "cb_err.h"
#include "cb_msg.h"
#include "cb_req.h"
#include "cb_sig.h"

struct sqlite3;
struct cb_db_schema;

#define SUB_OUTBOX_RETRY_MS 15000    /* unconfirmed: send again */
#define SUB_OUTBOX_LATER_MS 60000    /* "refused for now": wait longer */
#define SUB_OUTBOX_INFLIGHT 32       /* sent and not yet confirmed */
#define SUB_OUTBOX_MAX_ATTACH (4 * 1024 * 1024) /* = the publisher's cap */
#define SUB_OUTBOX_MAX_FILES 16

/* The table, applied by sub_store_open (the archive holds it). */
extern const struct cb_db_schema sub_outbox_schema;

/* Queue a message of type (CB_MSG_RECEIPT, _PRESENCE, _REPORT) with
 * its JSON payload.  A new presence replaces any still unsent. */
int sub_outbox_add(struct sqlite3 *db, enum cb_msg_type type,
    const char *payload, struct cb_err *err);

/* Queue the receipt for advisory id at revision (event "received" or
 * "acknowledged"; by and note may be NULL). */
int sub_outbox_receipt(struct sqlite3 *db, const char *id, unsigned revision,
    const char *event, int64_t at, const char *by, const char *note,
    struct cb_err *err);

/* The incident report payload: severity, title, details (may be NULL),
 * and the files to attach (at most SUB_OUTBOX_MAX_FILES, together at
 * most SUB_OUTBOX_MAX_ATTACH bytes; over that, NULL with err naming the
 * file and the cap).  The caller frees it. */
char *sub_outbox_report(const char *severity, const char *title,
    const char *details, char *const *files, size_t nfiles,
    struct cb_err *err);

/* One entry ready to go: signed, its frames owned here. */
struct sub_outbox_item {
	uint64_t seq;
	struct cb_sealed s;
};

/* The next entry that is due (signing it with sk the first time).
 * Returns 1 with *item (release with cb_sealed_release), 0 when none is
 * due or SUB_OUTBOX_INFLIGHT entries sent in the last
 * SUB_OUTBOX_RETRY_MS still wait for an answer, -1 on error.  It is
 * marked as sent at now_ms, waiting for an answer until it is due
 * again.  Times are cb_time_mono_ms(). */
int sub_outbox_next(struct sqlite3 *db, const struct cb_seckey *sk,
    int64_t now_ms, struct sub_outbox_item *item, struct cb_err *err);

/* When the next entry falls due after now_ms (an unanswered one goes
 * again): *at gets that time, or -1 when none will.  0 or -1. */
int sub_outbox_next_due(struct sqlite3 *db, int64_t now_ms, int64_t *at,
    struct cb_err *err);

/* The publisher's answer for entry seq: kept (delete), refused (keep
 * it, marked with reason (may be NULL), not sent again), later (send
 * again after a while; also for "number taken", which the caller
 * answers with sub_outbox_renumber). */
int sub_outbox_confirm(struct sqlite3 *db, uint64_t seq,
    enum cb_req_status status, const char *reason, int64_t now_ms,
    struct cb_err *err);

/* The publisher holds other content under entry seq's number, and
 * numbers up to highest: give seq, and every entry at or below highest
 * never signed yet, new numbers above highest and above every number
 * the outbox has used, in their order, to be signed and sent again
 * now.  *count gets how many were renumbered (0 when seq is gone). */
int sub_outbox_renumber(struct sqlite3 *db, uint64_t seq, uint64_t highest,
    size_t *count, struct cb_err *err);

/* A daemon starts: every entry not refused is due now, none waits for
 * an answer (the monotonic clock of the times above starts again with
 * the machine). */
int sub_outbox_restart(struct sqlite3 *db, struct cb_err *err);

/* One entry, as sub_outbox_each shows it; the strings are borrowed for
 * the call. */
struct sub_outbox_entry {
	uint64_t seq;
	enum cb_msg_type type;
	int64_t created;     /* seconds since 1970 */
	const char *payload; /* JSON */
	const char *refused; /* why, or NULL while it waits */
};

/* Call fn for every entry (only the refused ones when refused_only), in
 * number order; fn returning -1 stops with an error. */
int sub_outbox_each(struct sqlite3 *db, int refused_only,
    int (*fn)(const struct sub_outbox_entry *e, void *arg), void *arg,
    struct cb_err *err);

/* Entries waiting (not refused); entries refused. */
int sub_outbox_pending(struct sqlite3 *db, long *count, struct cb_err *err);
int sub_outbox_refused(struct sqlite3 *db, long *count, struct cb_err *err);

#endif
