/*
 * sub_store: the subscriber's archive, one SQLite file (WAL) per state
 * folder.  It keeps the exact signed bytes and signature block of every
 * verified message beside the fields lookups need, so any advisory can
 * be verified again and exported for stock minisign; the sequence the
 * publisher reached; the publisher keys rotations installed.  Lookups
 * list the archived revisions with filters (struct sub_query).
 *
 * Search (sub_search), acknowledgements and read state (sub_ack) and
 * the outbox (sub_outbox) keep their own tables in the same file; see
 * the last section.
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
struct sqlite3;
struct sqlite3_stmt;

#define SUB_ARCHIVE_FILE "archive.db"

/* Open the archive at path; read-only for lookups.  NULL on error. */
struct sub_store *sub_store_open(const char *path, int readonly,
    struct cb_err *err);
void sub_store_close(struct sub_store *s);

/* Sequence of the last archived message from the publisher key_id
 * (0 when none); with key_id NULL, from any publisher key. */
int sub_store_last_seq(struct sub_store *s, const uint8_t *key_id,
    uint64_t *seq, struct cb_err *err);

/* Archive a verified advisory message, index it for search (sub_search),
 * keep its indicators (sub_store_indicator_find), queue its receipt
 * (sub_store_set_receipts) and move the publisher's last sequence on, in
 * one transaction (or in the open batch, see sub_store_batch: then an
 * error rolls back the whole batch and ends it).  Returns 1 when
 * stored, 0 when that sequence was already archived (nothing changes),
 * -1 on error. */
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
	int read;  /* this revision was shown */
	int acked; /* and acknowledged (this revision or a later one) */
};
void sub_row_release(struct sub_row *r);

/* The latest revision of advisory id, with its blobs: 1 found, 0 not
 * found, -1 error. */
int sub_store_get(struct sub_store *s, const char *id, struct sub_row *out,
    struct cb_err *err);

/* The revision archived as sequence seq, with its blobs: 1 found, 0
 * not found, -1 error. */
int sub_store_get_seq(struct sub_store *s, uint64_t seq,
    struct sub_row *out, struct cb_err *err);

/* The latest revision of advisory id archived: 1 with it, 0 none, -1
 * error. */
int sub_store_latest(struct sub_store *s, const char *id, unsigned *revision,
    struct cb_err *err);

/* Call fn for every archived message, with its blobs, in order of
 * sequence (verify).  Stops early when fn returns non-zero.  Returns
 * the number of rows visited or -1. */
int sub_store_each(struct sub_store *s, int (*fn)(const struct sub_row *, void *),
    void *arg, struct cb_err *err);

/* --- damage ---------------------------------------------------------- */

/* 1 when the last error on the archive was SQLite's "database disk
 * image is malformed" or "file is not a database": the file is
 * damaged, rather than busy, missing or unwritable. */
int sub_store_damaged(struct sub_store *s);

/* SQLite's quick check of the whole file (every page, index and
 * constraint, not the content): 0 when sound, -1 with err naming the
 * first problem (or the error that stopped the check).  It reads the
 * whole file: for a negative result, not for every lookup. */
int sub_store_check(struct sub_store *s, struct cb_err *err);

/* --- lookups with filters ---------------------------------------------- */

/* Filters of sub_store_list and sub_search; sub_query_init sets them to
 * "any".  Strings are borrowed. */
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

/* Call fn with the sequence and type of every archived indicator whose
 * value is exactly value (an address, a domain, a hash), in sequence
 * order; type is borrowed for the call.  Stops early when fn returns
 * non-zero.  Returns the number visited or -1. */
int sub_store_indicator_find(struct sub_store *s, const char *value,
    int (*fn)(uint64_t seq, const char *type, void *arg), void *arg,
    struct cb_err *err);

/* Call fn for every archived revision of advisory id (no blobs), in
 * order of revision and sequence.  Returns how many or -1. */
int sub_store_revisions(struct sub_store *s, const char *id,
    int (*fn)(const struct sub_row *, void *), void *arg, struct cb_err *err);

/* Group commit (the daemon, benchmarks, imports): between
 * sub_store_batch(s, 1) and sub_store_batch(s, 0), sub_store_put and
 * the other writes share one transaction, committed by the second
 * call (durably: it survives a power cut); a put that fails inside
 * rolls the whole batch back and ends it.  When the commit
 * fails, everything since sub_store_batch(s, 1) is rolled back and -1
 * returned; sub_store_abort rolls it back on purpose.  No receipt
 * queued inside a batch can leave before it commits: the outbox reads
 * only committed entries once the batch is over. */
int sub_store_batch(struct sub_store *s, int on, struct cb_err *err);
void sub_store_abort(struct sub_store *s);
/* 1 inside sub_store_batch. */
int sub_store_in_batch(const struct sub_store *s);

/* --- the channel: keys and the way back --------------------------------- */

/* Keep the last sequence under key_id (the pinned publisher key), so
 * that it runs on across key rotations. */
void sub_store_set_channel(struct sub_store *s, const uint8_t *key_id);

/* Queue a receipt in the outbox (sub_outbox) with every newly archived
 * advisory ("received") and every new acknowledgement ("acknowledged",
 * sub_ack), in the same transaction. */
void sub_store_set_receipts(struct sub_store *s, int on);

/* Record a verified key rotation to next, with the certificate it
 * carries, if any, and move the last sequence on, in one
 * transaction. */
int sub_store_rotate(struct sub_store *s, const struct cb_msg *msg,
    const struct cb_pubkey *next, const uint8_t *signed_bytes,
    size_t signed_len, const uint8_t *sigblock, size_t sigblock_len,
    struct cb_err *err);

/* Keep cert, the identity key's certificate of the signing key key_id
 * (cb_msg.h), verified by the caller; a rotation's is kept by
 * sub_store_rotate.  The first kept for a key stays.  0 or -1. */
int sub_store_certify(struct sub_store *s, const uint8_t *key_id,
    const uint8_t *cert, size_t len, struct cb_err *err);

/* The certificate kept for key_id: 1 with a malloc'd copy in *cert (the
 * caller frees it; not verified again), 0 when none is, -1 on error. */
int sub_store_certificate(struct sub_store *s, const uint8_t *key_id,
    uint8_t **cert, size_t *lenp, struct cb_err *err);

/* Record pk as the pinned key (the one run was started with) and keep
 * the last sequence under it (sub_store_set_channel).  0 or -1. */
int sub_store_pin(struct sub_store *s, const struct cb_pubkey *pk,
    struct cb_err *err);

/* The pinned key recorded: 1 with it, 0 when none was (an archive no
 * run of this version has opened), -1 on error. */
int sub_store_pinned(struct sub_store *s, struct cb_pubkey *pk,
    struct cb_err *err);

/* A recorded key rotation; the blobs are borrowed for the callback.
 * key_ok is 0 when the stored key columns are not a key. */
struct sub_rotation {
	uint64_t seq;
	struct cb_pubkey key;
	int key_ok;
	const uint8_t *signed_bytes;
	size_t signed_len;
	const uint8_t *sigblock;
	size_t sigblock_len;
};

/* Call fn for every recorded rotation in order of sequence, stopping
 * early when it returns non-zero.  Returns how many or -1. */
int sub_store_rotations(struct sub_store *s,
    int (*fn)(const struct sub_rotation *, void *), void *arg,
    struct cb_err *err);

/* The publisher key the latest recorded rotation installed: 1 with it
 * and the rotation's sequence, 0 when there was none, -1 on error. */
int sub_store_signing_key(struct sub_store *s, struct cb_pubkey *pk,
    uint64_t *since, struct cb_err *err);

/* --- for the modules that keep their tables in the archive ------------
 *
 * The archive is one SQLite file: sub_store owns the messages, the
 * publisher's last sequence and its keys; sub_ack (acknowledgements,
 * read state, reminders), sub_search (the full-text index) and
 * sub_outbox (the way back) each own their tables, created by their own
 * cb_db_schema, which sub_store_open applies after its own migrations.
 * They may read the message table (alias m) through sub_store_select. */

/* The handle, for those modules; borrowed. */
struct sqlite3 *sub_store_db(struct sub_store *s);

/* A transaction (a savepoint inside sub_store_batch): sub_store_begin,
 * then sub_store_end with ok = 1 to commit or 0 to roll back.  Both
 * return 0 or -1 (sub_store_end(s, 0, ...) always -1, so a caller
 * can return it). */
int sub_store_begin(struct sub_store *s, struct cb_err *err);
int sub_store_end(struct sub_store *s, int ok, struct cb_err *err);

/* Queue a receipt (sub_outbox) when receipts are on; 0 or -1. */
int sub_store_receipt(struct sub_store *s, const char *id, unsigned revision,
    const char *event, int64_t at, const char *by, const char *note,
    struct cb_err *err);

/* SQL: a later revision (or a later copy) of message m's advisory is
 * archived. */
#define SUB_STORE_SUPERSEDED(m) \
	"EXISTS (SELECT 1 FROM message n WHERE n.adv_id = " m ".adv_id " \
	"  AND (n.revision > " m ".revision OR (n.revision = " m ".revision " \
	"  AND n.seq > " m ".seq)))"

/* Prepare "SELECT <the columns of a sub_row, read, acked, and with
 * blobs the signed bytes and signature block> FROM message m <tail>".
 * NULL with err set on failure. */
struct sqlite3_stmt *sub_store_select(struct sub_store *s, int with_blobs,
    const char *tail, struct cb_err *err);

/* The row st (from sub_store_select, stepped to SQLITE_ROW) is on, into
 * r; release r with sub_row_release. */
void sub_store_row(struct sqlite3_stmt *st, int with_blobs,
    struct sub_row *r);

/* Step st (from sub_store_select, bound) to its end and call fn for
 * each row, stopping early when fn returns non-zero; st is finalized.
 * Returns the number of rows visited or -1. */
int sub_store_rows(struct sub_store *s, struct sqlite3_stmt *st,
    int with_blobs, int (*fn)(const struct sub_row *, void *), void *arg,
    struct cb_err *err);

/* The condition q puts on message m, in SQL with the parameters ?1 to
 * ?5, and the binding of those and of ?6, the limit (-1: none). */
const char *sub_query_sql(void);
void sub_query_bind(struct sqlite3_stmt *st, const struct sub_query *q);

#endif
