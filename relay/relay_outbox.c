/* relay_outbox: a relay's way back, SUBMIT to upstream (see .h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cb_db.h"
#include "cb_locale.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_time.h"
#include "cb_utf8.h"
#include "relay_outbox.h"

#define HASHLEN 32

/*
 * 1: the messages, in the order kept (id), pending while forwarded is
 *    NULL; once upstream answered, signed and sigblock go and the row
 *    stays as the record (signer, seq, hash) until pruned.  due_ms: not
 *    before this monotonic time (upstream said "later"), 0 otherwise;
 *    set back to 0 at every open.  size: of signed and sigblock, for
 *    the cap.  own: the next number of the relay's own messages.
 */
static const char *const steps[] = {
	"CREATE TABLE IF NOT EXISTS relay_outbox ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  signer BLOB NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  type INTEGER NOT NULL,"
	"  hash BLOB NOT NULL,"
	"  kept INTEGER NOT NULL,"
	"  size INTEGER NOT NULL,"
	"  signed BLOB,"
	"  sigblock BLOB,"
	"  forwarded INTEGER,"
	"  due_ms INTEGER NOT NULL DEFAULT 0,"
	"  UNIQUE (signer, seq));"
	"CREATE INDEX IF NOT EXISTS relay_outbox_pending ON relay_outbox (id) "
	"  WHERE forwarded IS NULL;"
	"CREATE INDEX IF NOT EXISTS relay_outbox_done ON relay_outbox "
	"  (forwarded) WHERE forwarded IS NOT NULL;"
	"CREATE TABLE IF NOT EXISTS relay_outbox_own ("
	"  next_seq INTEGER NOT NULL);",
};

static const struct cb_db_schema schema = { "relay_outbox", steps,
	(int)(sizeof(steps) / sizeof(steps[0])) };

/* One message sent upstream, waiting for its answer. */
struct slot {
	int64_t id; /* 0: free */
	uint8_t signer[CB_SIG_KEYIDLEN];
	uint64_t seq;
	size_t bytes;
	int64_t sent_ms;
};

struct relay_outbox {
	sqlite3 *db;
	struct slot slot[RELAY_OUTBOX_INFLIGHT];
	size_t inflight;       /* slots in use */
	size_t inflight_bytes; /* their signed bytes and blocks */
	int64_t cursor;        /* the highest id picked since the rewind */
	int more;              /* rows past cursor may wait */
	int full;              /* the next waits for room in flight */
	int batch;             /* inside relay_outbox_begin */
	int64_t later_ms;      /* the earliest "later" falls due, or -1 */
	int64_t blocked_ms;    /* a send could not go: not before */
	int64_t pruned_ms;     /* last prune */
	size_t pending;
	uint64_t pending_bytes;
	uint64_t max_bytes;    /* the cap on pending_bytes */
	uint8_t own[CB_SIG_KEYIDLEN]; /* the relay key's id, once known */
	const struct cb_registry *reg; /* borrowed: who may still sign */
	int said_full;         /* logged that the cap was reached */
	uint64_t inserted;     /* messages kept since open */
	int64_t retry_ms, wait_ms;
};

/* A message as read to be sent. */
struct row {
	int64_t id;
	uint8_t signer[CB_SIG_KEYIDLEN];
	uint64_t seq;
	struct cb_sealed s;
};

static int
step_done(sqlite3 *db, sqlite3_stmt *st, struct cb_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(db, "relay outbox", err);
}

/* One integer from sql with up to one bound blob (key id) and integer;
 * *out 0 when the result is NULL.  0 or -1. */
static int
query_int(sqlite3 *db, const char *sql, const uint8_t *blob, int64_t arg,
    int64_t *out, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	if (blob != NULL)
		sqlite3_bind_blob(st, 1, blob, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(st) >= (blob != NULL ? 2 : 1))
		sqlite3_bind_int64(st, blob != NULL ? 2 : 1, arg);
	rc = sqlite3_step(st);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : cb_db_error(db, "relay outbox", err);
}

/* --- opening -------------------------------------------------------------- */

/* What is pending, from the table. */
static int
count_pending(struct relay_outbox *o, struct cb_err *err)
{
	int64_t n, bytes;

	if (query_int(o->db, "SELECT count(*) FROM relay_outbox WHERE "
	    "forwarded IS NULL", NULL, 0, &n, err) < 0 ||
	    query_int(o->db, "SELECT coalesce(sum(size), 0) FROM relay_outbox "
	    "WHERE forwarded IS NULL", NULL, 0, &bytes, err) < 0)
		return -1;
	o->pending = (size_t)n;
	o->pending_bytes = (uint64_t)bytes;
	return 0;
}

/* The relay's own numbers start from the wall clock (see .h). */
static int
number_from_clock(sqlite3 *db, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db, "INSERT INTO relay_outbox_own "
	    "(next_seq) SELECT ? WHERE NOT EXISTS (SELECT 1 FROM "
	    "relay_outbox_own)", err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, cb_time_now_ms() * 1000);
	return step_done(db, st, err);
}

struct relay_outbox *
relay_outbox_open(sqlite3 *db, struct cb_err *err)
{
	struct relay_outbox *o = cb_xcalloc(1, sizeof(*o));

	o->db = db;
	if (cb_db_migrate(db, 0, &schema, err) < 0 ||
	    number_from_clock(db, err) < 0 ||
	    cb_db_exec(db, "UPDATE relay_outbox SET due_ms = 0 WHERE "
		"due_ms != 0", err) < 0 ||
	    count_pending(o, err) < 0) {
		free(o);
		return NULL;
	}
	o->more = o->pending > 0;
	o->max_bytes = RELAY_OUTBOX_MAX_BYTES;
	o->later_ms = -1;
	o->pruned_ms = cb_time_mono_ms() - RELAY_OUTBOX_PRUNE_MS;
	o->retry_ms = RELAY_OUTBOX_RETRY_MS;
	o->wait_ms = RELAY_OUTBOX_LATER_MS;
	return o;
}

void
relay_outbox_close(struct relay_outbox *o)
{
	if (o != NULL && o->batch) /* nothing of it was confirmed */
		cb_db_exec(o->db, "ROLLBACK", NULL);
	free(o);
}

void
relay_outbox_set_times(struct relay_outbox *o, int64_t retry_ms,
    int64_t later_ms)
{
	o->retry_ms = retry_ms;
	o->wait_ms = later_ms;
}

void
relay_outbox_set_limit(struct relay_outbox *o, uint64_t max_bytes)
{
	o->max_bytes = max_bytes;
}

size_t
relay_outbox_pending(const struct relay_outbox *o)
{
	return o->pending;
}

size_t
relay_outbox_inflight(const struct relay_outbox *o)
{
	return o->inflight;
}

/* --- keeping -------------------------------------------------------------- */

/* Upstream is done with what the rest of the statement names (a
 * presence superseded is as good as done): keep only the record. */
#define RETIRE "UPDATE relay_outbox SET forwarded = ?1, signed = NULL, " \
	"sigblock = NULL, due_ms = 0 WHERE forwarded IS NULL AND signer = ?2 "

/* Run a RETIRE statement for signer and arg (?3); 0 or -1. */
static int
retire(struct relay_outbox *o, const char *sql, const uint8_t *signer,
    int64_t arg, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(o->db, sql, err);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, cb_time_now());
	sqlite3_bind_blob(st, 2, signer, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, arg);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o->pending--;
		o->pending_bytes -= (uint64_t)sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(o->db, "relay outbox", err);
}

/* Add a verified message m (its bytes sb and sig) to the queue. */
static int
insert(struct relay_outbox *o, const struct cb_msg *m, const uint8_t *sb,
    size_t sblen, const uint8_t *sig, size_t siglen, const uint8_t *hash,
    struct cb_err *err)
{
	sqlite3_stmt *st;

	if (m->type == CB_MSG_PRESENCE && retire(o, RETIRE "AND type = ?3 "
	    "RETURNING size", m->key_id, CB_MSG_PRESENCE, err) < 0)
		return -1;
	st = cb_db_prepare(o->db, "INSERT INTO relay_outbox (signer, seq, "
	    "type, hash, kept, size, signed, sigblock) VALUES (?, ?, ?, ?, ?, "
	    "?, ?, ?)", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, m->key_id, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)m->seq);
	sqlite3_bind_int(st, 3, (int)m->type);
	sqlite3_bind_blob(st, 4, hash, HASHLEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, cb_time_now());
	sqlite3_bind_int64(st, 6, (sqlite3_int64)(sblen + siglen));
	sqlite3_bind_blob(st, 7, sb, (int)sblen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 8, sig, (int)siglen, SQLITE_STATIC);
	if (step_done(o->db, st, err) < 0)
		return -1;
	o->pending++;
	o->pending_bytes += sblen + siglen;
	o->inserted++;
	o->more = 1;
	return 0;
}

/* What the outbox holds under (signer, seq): 1 with the same hash, 0
 * with none, 2 with other content, -1 on error. */
static int
held(struct relay_outbox *o, const uint8_t *signer, uint64_t seq,
    const uint8_t *hash, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(o->db, "SELECT hash FROM relay_outbox "
	    "WHERE signer = ? AND seq = ?", err);
	int rc, same;

	if (st == NULL)
		return -1;
	sqlite3_bind_blob(st, 1, signer, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	rc = sqlite3_step(st);
	same = rc == SQLITE_ROW && sqlite3_column_bytes(st, 0) == HASHLEN &&
	    memcmp(sqlite3_column_blob(st, 0), hash, HASHLEN) == 0;
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW)
		return cb_db_error(o->db, "relay outbox", err);
	return same ? 1 : 2;
}

/* Keep m in one transaction: the status to answer (KEPT, TAKEN with
 * c->highest, LATER when it is new and the outbox is full), or -1 on a
 * database error. */
static int
keep(struct relay_outbox *o, const struct cb_msg *m, const uint8_t *sb,
    size_t sblen, const uint8_t *sig, size_t siglen, struct cb_req *c,
    struct cb_err *err)
{
	uint8_t hash[HASHLEN];
	size_t pending = o->pending;
	uint64_t bytes = o->pending_bytes;
	int64_t highest = 0;
	int h, rc = 0;

	cb_sig_hash(sb, sblen, hash);
	/* a transaction of its own, or a part of relay_outbox_begin's */
	if (cb_db_exec(o->db, "SAVEPOINT keep", err) < 0)
		return -1;
	h = held(o, m->key_id, m->seq, hash, err);
	if (h == 2)
		rc = query_int(o->db, "SELECT max(seq) FROM relay_outbox "
		    "WHERE signer = ?", m->key_id, 0, &highest, err);
	else if (h == 0 && o->pending_bytes + sblen + siglen > o->max_bytes)
		h = 3;
	else if (h == 0)
		rc = insert(o, m, sb, sblen, sig, siglen, hash, err);
	if (h < 0 || rc < 0 || cb_db_exec(o->db, "RELEASE keep", err) < 0) {
		cb_db_exec(o->db, "ROLLBACK TO keep; RELEASE keep", NULL);
		o->pending = pending;
		o->pending_bytes = bytes;
		return -1;
	}
	c->highest = (uint64_t)highest;
	return h == 3 ? CB_REQ_LATER : h == 2 ? CB_REQ_TAKEN : CB_REQ_KEPT;
}

/* What a refusal says in a CONFIRM: err's text, printable, cut. */
static void
refuse(struct cb_req *c, enum cb_req_status status, const struct cb_err *err)
{
	char *why = cb_utf8_printable(err->msg);

	cb_utf8_clip_bytes(why, CB_REQ_MAXREASON);
	c->status = (uint8_t)status;
	snprintf(c->reason, sizeof(c->reason), "%s", why);
	free(why);
}

/* Check a SUBMIT (see .h for the order): 0 with m filled, or -1 with
 * c->status (and c->key_id once known) and err saying why. */
static int
check(const struct cb_registry *r, const uint8_t *sb, size_t sblen,
    const uint8_t *sig, size_t siglen, struct cb_msg *m, struct cb_req *c,
    struct cb_err *err)
{
	const struct cb_registry_member *who;
	char hex[CB_SIG_KEYIDHEX];
	size_t clen;

	c->status = CB_REQ_REFUSED;
	if (cb_msg_check_sigblock(sig, siglen, &clen, err) < 0)
		return -1;
	memcpy(c->key_id, sig + CB_MSG_SB_KEYID, CB_SIG_KEYIDLEN);
	c->status = CB_REQ_LATER;
	if (r == NULL)
		return cb_err_set(err, "no registry yet: the relay admits "
		    "nobody before the publisher's registry arrives");
	who = cb_registry_find_key(r, sig + CB_MSG_SB_KEYID);
	if (who == NULL)
		return cb_err_set(err, "signed by key %s, which no member of "
		    "registry generation %llu has",
		    cb_sig_keyid_hex(sig + CB_MSG_SB_KEYID, hex),
		    (unsigned long long)r->generation);
	c->status = CB_REQ_REFUSED;
	if (cb_msg_open(&who->key, 1, sb, sblen, sig, siglen, m, err) < 0) {
		cb_err_prefix(err, "from %s %s",
		    cb_registry_kind_name(who->kind), who->name);
		return -1;
	}
	c->seq = m->seq;
	if (m->type < CB_MSG_RECEIPT || m->type > CB_MSG_REPORT)
		return cb_err_set(err, "%s %s sent a message of type %d "
		    "(%s), which only the publisher may send",
		    cb_registry_kind_name(who->kind), who->name, (int)m->type,
		    cb_msg_type_name(m->type));
	return 0;
}

/* Say once when the outbox fills up (new messages answered "later"),
 * and once when it takes them again. */
static void
full(struct relay_outbox *o, int now_full)
{
	if (now_full == o->said_full)
		return;
	o->said_full = now_full;
	if (now_full)
		log_warnx(_("way back: the relay's outbox holds %llu bytes "
			    "waiting for upstream, its cap: new messages are "
			    "answered \"later\" and wait at their senders"),
		    (unsigned long long)o->pending_bytes);
	else
		log_info(_("way back: the relay's outbox takes new messages "
			   "again"));
}

/* Keep a checked message m and fill the CONFIRM c for it. */
static void
keep_and_answer(struct relay_outbox *o, const struct cb_msg *m,
    const uint8_t *sb, size_t sblen, const uint8_t *sig, size_t siglen,
    struct cb_req *c)
{
	char hex[CB_SIG_KEYIDHEX];
	uint64_t inserted = o->inserted;
	struct cb_err err;
	int rc;

	cb_sig_keyid_hex(m->key_id, hex);
	c->status = CB_REQ_LATER;
	if (!sqlite3_get_autocommit(o->db) && !o->batch) {
		log_errx(_("way back: the relay's database is inside a "
			   "transaction: %s from key %s (seq %llu) answered "
			   "\"later\""), cb_msg_type_name(m->type), hex,
		    (unsigned long long)m->seq);
		return;
	}
	rc = keep(o, m, sb, sblen, sig, siglen, c, &err);
	if (rc < 0)
		log_errx(_("way back: cannot keep a %s from key %s: %s"),
		    cb_msg_type_name(m->type), hex, err.msg);
	else if (rc == CB_REQ_TAKEN) {
		cb_err_set(&err, "key %s sent number %llu again with content "
		    "that differs from what the relay holds under that number "
		    "(its highest is %llu): number taken", hex,
		    (unsigned long long)m->seq, (unsigned long long)c->highest);
		log_warnx(_("way back: %s"), err.msg);
		refuse(c, CB_REQ_TAKEN, &err);
	} else {
		if (rc == CB_REQ_LATER || o->inserted != inserted)
			full(o, rc == CB_REQ_LATER); /* (not on a resend) */
		c->status = (uint8_t)rc;
	}
}

void
relay_outbox_submit(struct relay_outbox *o, const struct cb_registry *r,
    const uint8_t *sb, size_t sblen, const uint8_t *sig, size_t siglen,
    struct cb_req *confirm)
{
	uint32_t id = confirm->id;
	struct cb_err err;
	struct cb_msg m;

	memset(confirm, 0, sizeof(*confirm));
	confirm->type = CB_REQ_CONFIRM;
	confirm->id = id;
	if (check(r, sb, sblen, sig, siglen, &m, confirm, &err) == 0) {
		keep_and_answer(o, &m, sb, sblen, sig, siglen, confirm);
		return;
	}
	log_warnx(_("way back: %s"), err.msg);
	if (confirm->status == CB_REQ_REFUSED)
		refuse(confirm, CB_REQ_REFUSED, &err);
}

/* The relay's presence under its next number, sealed with sk and
 * queued (inside the caller's savepoint). */
static int
queue_presence(struct relay_outbox *o, const struct cb_seckey *sk,
    uint64_t last_seq, struct cb_err *err)
{
	char when[CB_TIME_BUFSZ], comment[64], *payload;
	uint8_t hash[HASHLEN];
	struct cb_sealed s;
	struct cb_msg m;
	int64_t seq;
	int rc;

	if (query_int(o->db, "SELECT next_seq FROM relay_outbox_own", NULL, 0,
	    &seq, err) < 0)
		return -1;
	payload = cb_xasprintf("{\"at\":\"%s\",\"last_seq\":%llu}",
	    cb_time_format(cb_time_now(), when), (unsigned long long)last_seq);
	snprintf(comment, sizeof(comment), "canhbao relay presence seq:%lld",
	    (long long)seq);
	rc = cb_msg_seal(sk, CB_MSG_PRESENCE, (uint64_t)seq, cb_time_now_ms(),
	    payload, strlen(payload), comment, &s, err);
	free(payload);
	if (rc < 0)
		return -1;
	memset(&m, 0, sizeof(m));
	m.type = CB_MSG_PRESENCE;
	memcpy(m.key_id, s.sigblock + CB_MSG_SB_KEYID, CB_SIG_KEYIDLEN);
	memcpy(o->own, m.key_id, CB_SIG_KEYIDLEN);
	m.seq = (uint64_t)seq;
	cb_sig_hash(s.signed_bytes, s.signed_len, hash);
	rc = insert(o, &m, s.signed_bytes, s.signed_len, s.sigblock,
	    s.sigblock_len, hash, err);
	cb_sealed_release(&s);
	if (rc < 0)
		return -1;
	return cb_db_exec(o->db, "UPDATE relay_outbox_own SET next_seq = "
	    "next_seq + 1", err);
}

int
relay_outbox_presence(struct relay_outbox *o, const struct cb_seckey *sk,
    uint64_t last_seq, struct cb_err *err)
{
	size_t pending = o->pending;
	uint64_t bytes = o->pending_bytes;

	if (cb_db_exec(o->db, "SAVEPOINT presence", err) < 0)
		return -1;
	if (queue_presence(o, sk, last_seq, err) < 0 ||
	    cb_db_exec(o->db, "RELEASE presence", err) < 0) {
		cb_db_exec(o->db, "ROLLBACK TO presence; RELEASE presence",
		    NULL);
		o->pending = pending;
		o->pending_bytes = bytes;
		return -1;
	}
	return 0;
}

int
relay_outbox_begin(struct relay_outbox *o, struct cb_err *err)
{
	if (o->batch)
		return cb_err_set(err, "relay outbox: already in a batch");
	if (cb_db_exec(o->db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	o->batch = 1;
	return 0;
}

int
relay_outbox_commit(struct relay_outbox *o, struct cb_err *err)
{
	if (!o->batch)
		return 0;
	o->batch = 0;
	if (cb_db_exec(o->db, "COMMIT", err) == 0)
		return 0;
	cb_db_exec(o->db, "ROLLBACK", NULL);
	count_pending(o, NULL);
	return -1;
}

/* --- sending -------------------------------------------------------------- */

static struct slot *
find_id(struct relay_outbox *o, int64_t id)
{
	size_t i;

	for (i = 0; i < RELAY_OUTBOX_INFLIGHT; i++)
		if (o->slot[i].id == id)
			return &o->slot[i];
	return NULL;
}

static struct slot *
find_msg(struct relay_outbox *o, const uint8_t *signer, uint64_t seq)
{
	size_t i;

	for (i = 0; i < RELAY_OUTBOX_INFLIGHT; i++)
		if (o->slot[i].id != 0 && o->slot[i].seq == seq &&
		    memcmp(o->slot[i].signer, signer, CB_SIG_KEYIDLEN) == 0)
			return &o->slot[i];
	return NULL;
}

static void
free_slot(struct relay_outbox *o, struct slot *sl)
{
	o->inflight--;
	o->inflight_bytes -= sl->bytes;
	o->full = 0;
	memset(sl, 0, sizeof(*sl));
}

/* Fill *row from a SELECT id, signer, seq, signed, sigblock. */
static void
read_row(sqlite3_stmt *st, struct row *row)
{
	row->id = sqlite3_column_int64(st, 0);
	memset(row->signer, 0, CB_SIG_KEYIDLEN);
	if (sqlite3_column_bytes(st, 1) == CB_SIG_KEYIDLEN)
		memcpy(row->signer, sqlite3_column_blob(st, 1),
		    CB_SIG_KEYIDLEN);
	row->seq = (uint64_t)sqlite3_column_int64(st, 2);
	row->s.signed_bytes = cb_db_blob(st, 3, &row->s.signed_len);
	row->s.sigblock = cb_db_blob(st, 4, &row->s.sigblock_len);
}

/* The message of slot sl again, into *row: 1, 0 when it is no longer
 * pending (confirmed meanwhile, superseded), -1 on error. */
static int
reread(struct relay_outbox *o, const struct slot *sl, struct row *row)
{
	sqlite3_stmt *st = cb_db_prepare(o->db, "SELECT id, signer, seq, "
	    "signed, sigblock FROM relay_outbox WHERE id = ? AND "
	    "forwarded IS NULL", NULL);
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, sl->id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		read_row(st, row);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

/* The next pending message after the cursor that is due at now and not
 * in flight, within room bytes (any size when nothing is in flight):
 * 1 with *row, 0 when none (or the next is too big for now), -1. */
static int
next_row(struct relay_outbox *o, int64_t now, struct row *row)
{
	sqlite3_stmt *st = cb_db_prepare(o->db, "SELECT id, signer, seq, "
	    "signed, sigblock, size FROM relay_outbox WHERE forwarded IS NULL "
	    "AND id > ? AND due_ms <= ? ORDER BY id LIMIT 1", NULL);
	int64_t after = o->cursor;
	int rc;

	if (st == NULL)
		return -1;
	for (;;) {
		sqlite3_bind_int64(st, 1, after);
		sqlite3_bind_int64(st, 2, now);
		rc = sqlite3_step(st);
		if (rc != SQLITE_ROW)
			break;
		after = sqlite3_column_int64(st, 0);
		if (find_id(o, after) == NULL)
			break; /* (after a rewind, some are in flight) */
		o->cursor = after;
		sqlite3_reset(st);
	}
	if (rc == SQLITE_ROW && o->inflight > 0 &&
	    o->inflight_bytes + (size_t)sqlite3_column_int64(st, 5) >
		RELAY_OUTBOX_INFLIGHT_BYTES) {
		rc = SQLITE_BUSY; /* wait for answers to make room */
		o->full = 1;
	}
	else if (rc == SQLITE_ROW)
		read_row(st, row);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		o->more = 0;
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE || rc == SQLITE_BUSY ?
	    0 : -1;
}

/* Send row upstream: 0, or -1 when it cannot go now (the link is down
 * or full: pump stops until CB_CATCHUP_RESEND_MS later). */
static int
send_row(struct relay_outbox *o, struct cb_catchup *c, struct row *row,
    int64_t now)
{
	int rc = cb_catchup_submit(c, &row->s);

	if (rc < 0)
		o->blocked_ms = now + CB_CATCHUP_RESEND_MS;
	return rc;
}

/* The outbox cannot be read: say so, and try again a while later
 * rather than on every pass. */
static void
read_failed(struct relay_outbox *o, int64_t now)
{
	log_errx(_("way back: cannot read the relay outbox: %s"),
	    sqlite3_errmsg(o->db));
	o->blocked_ms = now + CB_CATCHUP_RESEND_MS;
}

/* Send again what waited too long for its answer. */
static void
resend_overdue(struct relay_outbox *o, struct cb_catchup *c, int64_t now)
{
	struct row row;
	size_t i;
	int rc;

	for (i = 0; i < RELAY_OUTBOX_INFLIGHT && o->blocked_ms <= now; i++) {
		struct slot *sl = &o->slot[i];

		if (sl->id == 0 || sl->sent_ms + o->retry_ms > now)
			continue;
		memset(&row, 0, sizeof(row));
		rc = reread(o, sl, &row);
		if (rc == 1 && send_row(o, c, &row, now) == 0)
			sl->sent_ms = now;
		else if (rc == 0)
			free_slot(o, sl);
		else if (rc < 0)
			read_failed(o, now);
		cb_sealed_release(&row.s);
		if (rc < 0)
			return;
	}
}

/* Put row in a free slot, as sent at now. */
static void
take_slot(struct relay_outbox *o, const struct row *row, int64_t now)
{
	struct slot *sl = o->slot;

	while (sl->id != 0) /* pump takes one only while inflight < max */
		sl++;
	sl->id = row->id;
	memcpy(sl->signer, row->signer, CB_SIG_KEYIDLEN);
	sl->seq = row->seq;
	sl->bytes = row->s.signed_len + row->s.sigblock_len;
	sl->sent_ms = now;
	o->inflight++;
	o->inflight_bytes += sl->bytes;
	o->cursor = row->id;
}

/* The earliest "later" still ahead of now, or -1. */
static void
find_later(struct relay_outbox *o, int64_t now)
{
	int64_t at;

	if (query_int(o->db, "SELECT min(due_ms) FROM relay_outbox WHERE "
	    "forwarded IS NULL AND due_ms > ?", NULL, now, &at, NULL) < 0)
		at = now + o->wait_ms; /* look again then */
	o->later_ms = at > 0 ? at : -1;
}

/* Those upstream said "later" to are due: read from the start again. */
static void
rewind_due(struct relay_outbox *o, int64_t now)
{
	if (o->later_ms < 0 || o->later_ms > now)
		return;
	o->cursor = 0;
	o->more = 1;
	find_later(o, now);
}

static void
prune_now_and_then(struct relay_outbox *o, int64_t now)
{
	struct cb_err err;

	if (now - o->pruned_ms < RELAY_OUTBOX_PRUNE_MS)
		return;
	o->pruned_ms = now;
	if (relay_outbox_prune(o, cb_time_now() - RELAY_OUTBOX_KEEP_S,
		&err) < 0)
		log_errx(_("way back: %s"), err.msg);
}

void
relay_outbox_pump(struct relay_outbox *o, struct cb_catchup *c)
{
	int64_t now = cb_time_mono_ms();
	struct row row;
	int rc;

	if (o->batch)
		return; /* nothing goes up before it is committed */
	prune_now_and_then(o, now);
	if (c == NULL)
		o->blocked_ms = now + CB_CATCHUP_RESEND_MS;
	if (o->blocked_ms > now)
		return;
	resend_overdue(o, c, now);
	rewind_due(o, now);
	while (o->more && o->inflight < RELAY_OUTBOX_INFLIGHT &&
	    o->blocked_ms <= now) {
		memset(&row, 0, sizeof(row));
		rc = next_row(o, now, &row);
		if (rc == 1 && send_row(o, c, &row, now) == 0)
			take_slot(o, &row, now);
		cb_sealed_release(&row.s);
		if (rc < 0)
			read_failed(o, now);
		if (rc != 1)
			break;
	}
}

/* --- answers -------------------------------------------------------------- */

/* Upstream said "later" to (signer, seq): not before now + wait_ms. */
static int
later(struct relay_outbox *o, const uint8_t *signer, uint64_t seq,
    int64_t now, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(o->db, "UPDATE relay_outbox SET "
	    "due_ms = ? WHERE signer = ? AND seq = ? AND forwarded IS NULL",
	    err);
	int64_t at = now + o->wait_ms;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, at);
	sqlite3_bind_blob(st, 2, signer, CB_SIG_KEYIDLEN, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)seq);
	if (step_done(o->db, st, err) < 0)
		return -1;
	if (sqlite3_changes(o->db) > 0 && (o->later_ms < 0 || at < o->later_ms))
		o->later_ms = at;
	return 0;
}

/* Upstream's answers are written without an fsync of their own (in
 * WAL mode, synchronous=NORMAL): one lost to a power cut only makes the
 * message go up again, which upstream answers 0 as a resend, and the
 * next commit that syncs (a SUBMIT kept) makes it durable with it.
 * Returns the setting to restore with relax_end, or -1 for none. */
static int64_t
relax(struct relay_outbox *o)
{
	int64_t sync;

	if (!sqlite3_get_autocommit(o->db) ||
	    query_int(o->db, "PRAGMA synchronous", NULL, 0, &sync, NULL) < 0 ||
	    cb_db_exec(o->db, "PRAGMA synchronous = NORMAL", NULL) < 0)
		return -1;
	return sync;
}

static void
relax_end(struct relay_outbox *o, int64_t sync)
{
	char sql[40];

	if (sync < 0)
		return;
	snprintf(sql, sizeof(sql), "PRAGMA synchronous = %d", (int)sync);
	cb_db_exec(o->db, sql, NULL);
}

/* Upstream holds other content under one of the relay's own numbers:
 * the next is numbered above its highest.  0 when it was one of ours
 * (done), -1 when not (or on error, logged). */
static int
own_taken(struct relay_outbox *o, const struct cb_req *c)
{
	sqlite3_stmt *st;
	struct cb_err err;

	if (memcmp(c->key_id, o->own, CB_SIG_KEYIDLEN) != 0)
		return -1;
	st = cb_db_prepare(o->db, "UPDATE relay_outbox_own SET next_seq = "
	    "max(next_seq, ? + 1)", &err);
	if (st != NULL) {
		sqlite3_bind_int64(st, 1, (sqlite3_int64)c->highest);
		if (step_done(o->db, st, &err) == 0)
			return 0;
	}
	log_errx(_("way back: %s"), err.msg);
	return -1;
}

void
relay_outbox_set_registry(struct relay_outbox *o, const struct cb_registry *r)
{
	o->reg = r;
}

/* 1 when the registry the relay trusts no longer names signer id (and
 * it is not the relay's own key). */
static int
signer_gone(const struct relay_outbox *o, const uint8_t *id)
{
	return o->reg != NULL && o->reg->generation > 0 &&
	    memcmp(id, o->own, CB_SIG_KEYIDLEN) != 0 &&
	    cb_registry_find_key(o->reg, id) == NULL;
}

void
relay_outbox_confirmed(struct relay_outbox *o, const struct cb_req *c)
{
	struct slot *sl = find_msg(o, c->key_id, c->seq);
	char hex[CB_SIG_KEYIDHEX];
	struct cb_err err;
	int64_t sync;
	int rc;

	if (sl != NULL)
		free_slot(o, sl);
	cb_sig_keyid_hex(c->key_id, hex);
	sync = relax(o);
	if (c->status == CB_REQ_LATER && !signer_gone(o, c->key_id))
		rc = later(o, c->key_id, c->seq, cb_time_mono_ms(), &err);
	else
		rc = retire(o, RETIRE "AND seq = ?3 RETURNING size", c->key_id,
		    (int64_t)c->seq, &err);
	relax_end(o, sync);
	if (rc < 0)
		log_errx(_("way back: %s"), err.msg);
	if (c->status == CB_REQ_LATER && signer_gone(o, c->key_id))
		log_warnx(_("way back: key %s is no longer registered: its "
			    "message number %llu, which upstream will not "
			    "take, is dropped"),
		    hex, (unsigned long long)c->seq);
	else if (c->status == CB_REQ_REFUSED)
		log_warnx(_("way back: upstream refused the message of key %s "
			    "number %llu for good, which this relay had "
			    "confirmed to its sender: %s"),
		    hex, (unsigned long long)c->seq, c->reason);
	else if (c->status == CB_REQ_TAKEN && own_taken(o, c) == 0)
		log_warnx(_("way back: upstream holds other messages of this "
			    "relay under numbers up to %llu (the relay's "
			    "database lost, or the clock set back): its next "
			    "message is numbered above them"),
		    (unsigned long long)c->highest);
	else if (c->status == CB_REQ_TAKEN)
		log_warnx(_("way back: upstream holds other content from key "
			    "%s under number %llu (its highest is %llu); the "
			    "message this relay had confirmed to its sender is "
			    "dropped: %s"),
		    hex, (unsigned long long)c->seq,
		    (unsigned long long)c->highest, c->reason);
}

int64_t
relay_outbox_deadline(const struct relay_outbox *o)
{
	int64_t at = -1;
	size_t i;

	if (o->more && !o->full && o->inflight < RELAY_OUTBOX_INFLIGHT)
		at = 0;
	for (i = 0; i < RELAY_OUTBOX_INFLIGHT; i++)
		if (o->slot[i].id != 0 &&
		    (at < 0 || o->slot[i].sent_ms + o->retry_ms < at))
			at = o->slot[i].sent_ms + o->retry_ms;
	if (o->later_ms >= 0 && (at < 0 || o->later_ms < at))
		at = o->later_ms;
	if (at >= 0 && at < o->blocked_ms)
		at = o->blocked_ms;
	return at;
}

void
relay_outbox_resend(struct relay_outbox *o)
{
	struct cb_err err;

	memset(o->slot, 0, sizeof(o->slot));
	o->inflight = 0;
	o->inflight_bytes = 0;
	o->cursor = 0;
	o->blocked_ms = 0;
	o->full = 0;
	o->later_ms = -1;
	o->more = o->pending > 0;
	if (cb_db_exec(o->db, "UPDATE relay_outbox SET due_ms = 0 WHERE "
	    "due_ms != 0", &err) < 0)
		log_errx(_("way back: %s"), err.msg);
}

long
relay_outbox_prune(struct relay_outbox *o, int64_t before,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(o->db, "DELETE FROM relay_outbox "
	    "WHERE forwarded IS NOT NULL AND forwarded < ?", err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, before);
	if (step_done(o->db, st, err) < 0)
		return -1;
	return (long)sqlite3_changes(o->db);
}
