/*
 * relay_outbox: a relay's way back.  Agencies (and downstream relays)
 * SUBMIT their receipts, presence and incident reports to the relay on
 * its requests channel; the relay checks each against the publisher's
 * signed registry (cb_registry.h), keeps it durably in its outbox (a
 * table of its own in the relay's one SQLite file, committed with
 * synchronous=FULL before CONFIRM 0 goes back: the agency then forgets
 * it) and forwards it upstream unchanged (SUBMIT on the relay's
 * upstream DEALER, cb_catchup_submit) until upstream CONFIRMs it.
 *
 * What a SUBMIT is answered (canhbao.7, REQUESTS CHANNEL):
 *   0 kept: verified and committed here (or held already with the same
 *     bytes, pending or forwarded); the relay now owes it to upstream;
 *   1 refused for good: a malformed signature block, a bad signature,
 *     a type other than 4, 5, 6, a payload over its type's limit;
 *   2 later: no registry yet, a key no member of the registry has, the
 *     outbox full (RELAY_OUTBOX_MAX_BYTES waiting for upstream: the
 *     senders keep theirs in their own outboxes meanwhile), or it
 *     cannot write now (a database error, a full disk);
 *   3 number taken: the relay holds other bytes from this signer under
 *     this number; "highest" is the highest number it holds from it.
 * Upstream's answer to a forwarded message: 0 deletes it; 1 or 3 is
 * logged as a warning naming the signer's key id and number, and the
 * message is deleted (the agency was told 0 and is not told again: a
 * publisher refuses only what a relay cannot check, a payload's JSON,
 * or a number reused with other content); 2 keeps it and sends it
 * again after RELAY_OUTBOX_LATER_MS (upstream does not know the signer
 * yet: the registry travels down while messages travel up).
 *
 * Exactly once end to end: the publisher keeps each (signer, number)
 * once and answers a resend of the same bytes 0, so the relay may send
 * anything again at no harm: it does after RELAY_OUTBOX_RETRY_MS
 * without an answer, after relay_outbox_resend (the upstream changed),
 * and after a restart (nothing in flight survives one: every pending
 * message is due at once).  What the relay kept it never loses (it is
 * committed before the agency hears 0) and what upstream confirmed it
 * does not send again (the answer is written before the message could
 * be picked again, without an fsync of its own: should a power cut
 * undo that write, the message goes once more and upstream answers 0).
 *
 * A forwarded message leaves a record of (signer key id, number,
 * BLAKE2b-256 of the signed bytes) for RELAY_OUTBOX_KEEP_S, so that an
 * agency sending it again (its CONFIRM was lost, or it restarted before
 * reading it) is answered 0 without a second trip upstream, and other
 * bytes under that number are answered 3 here, where the agency still
 * hears it.  A day is enough: an agency's outbox sends an unconfirmed
 * message again within SUB_OUTBOX_RETRY_MS while it runs, and at its
 * next start; past the record, a resend goes upstream again and the
 * publisher, which keeps every number for good, answers it 0 (or 3,
 * then logged here) as it would have.
 *
 * A new presence from a signer supersedes any earlier one of the same
 * signer still waiting here (the publisher keeps only the latest
 * contact), so a relay whose upstream is away for hours holds one
 * presence per agency, not one a minute.  The relay's own presence
 * (relay_outbox_presence) is signed with the relay key and numbered as
 * a subscriber's outbox numbers its entries: from the wall clock in
 * milliseconds times 1000 when the outbox is made, +1 each, never
 * reused; when upstream answers 3 to one of them, the next is numbered
 * above the highest it holds.
 *
 * Flow: at most RELAY_OUTBOX_INFLIGHT messages, and at most
 * RELAY_OUTBOX_INFLIGHT_BYTES of them (one larger message alone),
 * wait for an answer at a time; the outbox reads the next one from
 * SQLite when it sends it, so memory stays bounded by those two however
 * many wait (a report may be 6 MiB).  Times are cb_time_mono_ms().
 *
 * Logs through cb_log: warnings for each SUBMIT refused and each
 * upstream refusal, once when the outbox fills and (info) once when it
 * takes new messages again; errors for the database.  Not thread-safe;
 * one outbox per database handle.
 */
#ifndef RELAY_OUTBOX_H
#define RELAY_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "cb_catchup.h"
#include "cb_err.h"
#include "cb_registry.h"
#include "cb_req.h"
#include "cb_sig.h"

struct sqlite3;
struct relay_outbox;

#define RELAY_OUTBOX_INFLIGHT 64
#define RELAY_OUTBOX_INFLIGHT_BYTES (16 * 1024 * 1024)
#define RELAY_OUTBOX_RETRY_MS 15000 /* no answer: send again */
#define RELAY_OUTBOX_LATER_MS 30000 /* upstream said "later" */
#define RELAY_OUTBOX_KEEP_S 86400   /* the record of a forwarded one */
#define RELAY_OUTBOX_PRUNE_MS 600000 /* how often pump prunes records */
#define RELAY_OUTBOX_MAX_BYTES (1024ULL * 1024 * 1024) /* pending, at most */

/* Open over db (borrowed: the relay's SQLite file, opened with cb_db_open
 * by relay_store; it must outlive the outbox), creating or updating the
 * outbox's tables (cb_db schema module "relay_outbox").  Every pending
 * message is due at once.  NULL with err on a database error. */
struct relay_outbox *relay_outbox_open(struct sqlite3 *db,
    struct cb_err *err);
/* Frees o (NULL is fine); the database stays open.  A batch still open
 * (relay_outbox_begin) is rolled back. */
void relay_outbox_close(struct relay_outbox *o);

/* A SUBMIT from downstream: sb, sblen the signed bytes and sig, siglen
 * the signature block of a message an agency (or a downstream relay)
 * signed; borrowed for the call.  r is the latest verified registry,
 * NULL while the relay has none (answered 2).  Checked in this order:
 * the signature block's layout, the signer a member of r, the
 * signature, the type (4, 5, 6), the payload's size; then kept and
 * committed.  Fills confirm as the CONFIRM to send back (type
 * CB_REQ_CONFIRM, status, key id, number, and for statuses 1 and 3 the
 * reason and highest), every field but confirm->id, which is left as
 * the caller set it (the request's).  Must be called outside any open
 * transaction on the database but relay_outbox_begin's (else answered
 * 2: "committed" would not be true yet).  Blocks for the commit (an
 * fsync), outside a batch. */
void relay_outbox_submit(struct relay_outbox *o, const struct cb_registry *r,
    const uint8_t *sb, size_t sblen, const uint8_t *sig, size_t siglen,
    struct cb_req *confirm);

/* The relay's own presence, {"at": RFC 3339 now, "last_seq": last_seq}
 * (last_seq: the last sequence number in the relay's journal), signed
 * with sk (the relay key, borrowed) and queued like the rest,
 * superseding one of its own still waiting (inside a batch, with the
 * batch).  0, or -1 with err. */
int relay_outbox_presence(struct relay_outbox *o, const struct cb_seckey *sk,
    uint64_t last_seq, struct cb_err *err);

/* Send upstream through c what is due: the messages not yet sent, in
 * the order kept, within the in-flight bounds, and those whose answer
 * is overdue.  Call on every loop pass and at relay_outbox_deadline;
 * never blocks (a send that cannot go now is tried again after
 * CB_CATCHUP_RESEND_MS).  c NULL (no upstream) sends nothing.  Also
 * prunes old records every RELAY_OUTBOX_PRUNE_MS. */
void relay_outbox_pump(struct relay_outbox *o, struct cb_catchup *c);

/* An upstream CONFIRM (cb_catchup_recv gave CB_CATCHUP_CONFIRM), matched
 * by key id and number; one for nothing pending here (a late answer to
 * a resend) changes nothing. */
void relay_outbox_confirmed(struct relay_outbox *o,
    const struct cb_req *confirm);

/* Monotonic ms at which pump has something to do (0 or a past time:
 * now), -1 when nothing waits. */
int64_t relay_outbox_deadline(const struct relay_outbox *o);

/* The upstream changed (failover): everything in flight, and everything
 * the old upstream said "later" to, is due again at once. */
void relay_outbox_resend(struct relay_outbox *o);

/* The registry the relay now trusts (borrowed; it may change in place,
 * and a generation of 0 means none yet).  Upstream's "later" (status
 * 2) for a message whose signer it no longer names is final: the
 * agency was removed, the publisher will never take it, and the
 * message is dropped with a warning instead of being sent every 30
 * seconds for ever. */
void relay_outbox_set_registry(struct relay_outbox *o,
    const struct cb_registry *r);

/* Messages kept and not yet confirmed upstream. */
size_t relay_outbox_pending(const struct relay_outbox *o);

/* Beyond what the relay core needs: */

/* Group commit, for a loop that reads several SUBMITs in one pass: one
 * fsync for all of them instead of one each.  Between
 * relay_outbox_begin and relay_outbox_commit, relay_outbox_submit keeps
 * each message in the one open transaction (a message that fails
 * leaves nothing behind), and the status 0 it gives holds only once
 * relay_outbox_commit has returned 0: send the CONFIRMs after it.  When
 * the commit fails (-1 with err), nothing since begin was kept: answer
 * every one of them 2 (later) instead.  pump sends nothing inside a
 * batch.  begin: 0, or -1 with err (a batch is already open, or the
 * database is busy). */
int relay_outbox_begin(struct relay_outbox *o, struct cb_err *err);
int relay_outbox_commit(struct relay_outbox *o, struct cb_err *err);

/* Messages sent upstream and waiting for an answer now. */
size_t relay_outbox_inflight(const struct relay_outbox *o);

/* Other times than RELAY_OUTBOX_RETRY_MS and RELAY_OUTBOX_LATER_MS (the
 * unit tests use short ones). */
void relay_outbox_set_times(struct relay_outbox *o, int64_t retry_ms,
    int64_t later_ms);

/* Another cap than RELAY_OUTBOX_MAX_BYTES on the bytes waiting for
 * upstream (a new message past it is answered 2). */
void relay_outbox_set_limit(struct relay_outbox *o, uint64_t max_bytes);

/* Forget the records of messages forwarded before the Unix time before
 * (seconds); pump does this itself with now - RELAY_OUTBOX_KEEP_S.
 * Returns how many went, or -1 with err. */
long relay_outbox_prune(struct relay_outbox *o, int64_t before,
    struct cb_err *err);

#endif
