/* pub_inbound: receipts, presence and incident reports (see .h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "cb_adv.h"
#include "cb_db.h"
#include "cb_json.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_sig.h"
#include "cb_time.h"
#include "cb_utf8.h"
#include "pub_inbound.h"

#define MAX_ID 200
#define MAX_BY 200 /* = canhbao-sub ack --by */
#define MAX_NOTE 4096
#define MAX_TITLE 1024
#define MAX_DETAILS 65536
#define MAX_NAME 255

/* The inbound tables, with their own version (module "inbound").  The
 * journal's migration 4 created them before they had one: the first
 * step adopts those. */
static const char *const steps[] = {
	"CREATE TABLE IF NOT EXISTS inbound ("
	"  agency TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  type INTEGER NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  signed BLOB NOT NULL,"
	"  sigblock BLOB NOT NULL,"
	"  PRIMARY KEY (agency, seq));"
	"CREATE TABLE IF NOT EXISTS receipt ("
	"  agency TEXT NOT NULL,"
	"  adv_id TEXT NOT NULL,"
	"  revision INTEGER NOT NULL,"
	"  event TEXT NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  ack_by TEXT,"
	"  note TEXT,"
	"  PRIMARY KEY (agency, adv_id, revision, event));"
	"CREATE TABLE IF NOT EXISTS report ("
	"  agency TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  received INTEGER NOT NULL,"
	"  filed INTEGER NOT NULL,"
	"  severity TEXT NOT NULL,"
	"  title TEXT NOT NULL,"
	"  details TEXT,"
	"  PRIMARY KEY (agency, seq));"
	"CREATE TABLE IF NOT EXISTS report_attachment ("
	"  agency TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  name TEXT NOT NULL,"
	"  data BLOB NOT NULL);",
	/* 2: the department marks a report handled: by whom, when (its
	 * own clock), with a note.  Apart from the report, which holds
	 * only what the agency signed. */
	"CREATE TABLE report_handled ("
	"  agency TEXT NOT NULL,"
	"  seq INTEGER NOT NULL,"
	"  at INTEGER NOT NULL,"
	"  handled_by TEXT NOT NULL,"
	"  note TEXT,"
	"  PRIMARY KEY (agency, seq),"
	"  FOREIGN KEY (agency, seq) REFERENCES report (agency, seq));",
	/* 3: who received and acknowledged an advisory, for every
	 * advisory on the duty page at each event (pub_views_advisories):
	 * by advisory, not by agency as the key is. */
	"CREATE INDEX receipt_adv ON receipt (adv_id, event, agency);",
};

static const struct cb_db_schema schema = { "inbound", steps,
	(int)(sizeof(steps) / sizeof(steps[0])) };

int
pub_inbound_migrate(struct pub_journal *j, struct cb_err *err)
{
	return cb_db_migrate(pub_journal_db(j), 0, &schema, err);
}

/* --- payload checks ------------------------------------------------------ */

/* 1 when s is 1 to max bytes of UTF-8, else 0. */
static int
valid_text(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max && cb_utf8_valid(s, n);
}

static const char *
str_field(const cJSON *o, const char *key, size_t max, int required,
    struct cb_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v == NULL && !required)
		return NULL;
	if (!cJSON_IsString(v) || !valid_text(v->valuestring, max)) {
		cb_err_set(err, "'%s' must be a UTF-8 string of 1 to %zu "
		    "bytes", key, max);
		return NULL;
	}
	return v->valuestring;
}

static int
time_field(const cJSON *o, const char *key, int64_t *out, struct cb_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (!cJSON_IsString(v) || cb_time_parse_iso(v->valuestring, out) < 0)
		return cb_err_set(err, "'%s' must be an RFC 3339 time", key);
	return 0;
}

static int
only_keys(const cJSON *o, const char *const *keys, struct cb_err *err)
{
	const cJSON *item;
	size_t i;

	cJSON_ArrayForEach(item, o)
	{
		for (i = 0; keys[i] != NULL; i++)
			if (strcmp(item->string, keys[i]) == 0)
				break;
		if (keys[i] == NULL)
			return cb_err_set(err, "unknown key '%s'", item->string);
	}
	return 0;
}

static cJSON *
parse_payload(const struct cb_msg *m, struct cb_err *err)
{
	return cb_json_parse_object((const char *)m->payload, m->payload_len,
	    "payload", err);
}

/* --- storing ------------------------------------------------------------- */

static int
exec_step(sqlite3_stmt *st, sqlite3 *db, struct cb_err *err)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(db, "journal", err);
}

/* The highest number the inbound table holds from agency, or -1. */
static int64_t
highest(sqlite3 *db, const char *agency, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db, "SELECT coalesce(max(seq), 0) "
	    "FROM inbound WHERE agency = ?", err);
	int64_t h;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, agency, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	h = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? h : cb_db_error(db, "journal", err);
}

/* A number held already: 0 when it holds the same signed bytes (a
 * resend), -1 with res->status CB_REQ_TAKEN when other content. */
static int
same_as_held(sqlite3 *db, struct pub_inbound_result *res,
    const uint8_t *sb, size_t sblen, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db, "SELECT signed FROM inbound "
	    "WHERE agency = ? AND seq = ?", err);
	int same, rc;
	int64_t h;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, res->agency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)res->seq);
	rc = sqlite3_step(st);
	same = rc == SQLITE_ROW &&
	    (size_t)sqlite3_column_bytes(st, 0) == sblen &&
	    memcmp(sqlite3_column_blob(st, 0), sb, sblen) == 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return cb_db_error(db, "journal", err);
	if (same)
		return 0;
	if ((h = highest(db, res->agency, err)) < 0)
		return -1;
	res->status = CB_REQ_TAKEN;
	res->highest = (uint64_t)h;
	return cb_err_set(err, "agency %s sent number %llu again with "
	    "content that differs from what it holds under that number "
	    "(its highest is %lld; a lost archive or a clock set back?): "
	    "number taken", res->agency, (unsigned long long)res->seq,
	    (long long)h);
}

/* 1 when the message is new (and now recorded), 0 when seen before. */
static int
keep_once(sqlite3 *db, const char *agency, const struct cb_msg *m,
    const uint8_t *sb, size_t sblen, const uint8_t *sig, size_t siglen,
    int64_t now, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db,
	    "INSERT OR IGNORE INTO inbound (agency, seq, type, received, "
	    "signed, sigblock) VALUES (?, ?, ?, ?, ?, ?)", err);

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, agency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)m->seq);
	sqlite3_bind_int(st, 3, (int)m->type);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_blob(st, 5, sb, (int)sblen, SQLITE_STATIC);
	sqlite3_bind_blob(st, 6, sig, (int)siglen, SQLITE_STATIC);
	if (exec_step(st, db, err) < 0)
		return -1;
	return sqlite3_changes(db) > 0;
}

static int
store_receipt(sqlite3 *db, struct pub_inbound_result *res, const cJSON *o,
    struct cb_err *err)
{
	const char *agency = res->agency;
	static const char *const keys[] = { "id", "revision", "event", "at",
		"by", "note", NULL };
	const cJSON *rev = cJSON_GetObjectItemCaseSensitive(o, "revision");
	const char *id, *event, *by, *note;
	sqlite3_stmt *st;
	int64_t at;

	if (only_keys(o, keys, err) < 0 ||
	    (id = str_field(o, "id", MAX_ID, 1, err)) == NULL ||
	    (event = str_field(o, "event", 16, 1, err)) == NULL ||
	    time_field(o, "at", &at, err) < 0)
		return -1;
	if (strcmp(event, "received") != 0 && strcmp(event, "acknowledged"))
		return cb_err_set(err, "'event' must be received or "
		    "acknowledged");
	if (!cJSON_IsNumber(rev) || rev->valuedouble < 1 ||
	    rev->valuedouble > 1e9)
		return cb_err_set(err, "'revision' must be a number from 1");
	by = str_field(o, "by", MAX_BY, 0, err);
	note = str_field(o, "note", MAX_NOTE, 0, err);
	if ((by == NULL && cJSON_GetObjectItem(o, "by")) ||
	    (note == NULL && cJSON_GetObjectItem(o, "note")))
		return -1;
	st = cb_db_prepare(db,
	    "INSERT OR REPLACE INTO receipt (agency, adv_id, revision, event, "
	    "at, ack_by, note) VALUES (?, ?, ?, ?, ?, ?, ?)", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, agency, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, (sqlite3_int64)rev->valuedouble);
	sqlite3_bind_text(st, 4, event, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, at);
	sqlite3_bind_text(st, 6, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, note, -1, SQLITE_STATIC);
	snprintf(res->adv_id, sizeof(res->adv_id), "%s", id);
	snprintf(res->event, sizeof(res->event), "%s", event);
	return exec_step(st, db, err);
}

static int
valid_file_name(const char *n)
{
	return n[0] != '.' && strchr(n, '/') == NULL &&
	    strchr(n, '\\') == NULL;
}

static int
store_attachments(sqlite3 *db, const char *agency, uint64_t seq,
    const cJSON *files, struct cb_err *err)
{
	const cJSON *f;
	size_t total = 0, len, n = 0;
	sqlite3_stmt *st;
	uint8_t *data;
	const char *name, *b64;

	if (files == NULL)
		return 0;
	if (!cJSON_IsArray(files))
		return cb_err_set(err, "'attachments' must be an array");
	cJSON_ArrayForEach(f, files)
	{
		if (++n > PUB_REPORT_MAX_FILES)
			return cb_err_set(err, "more than %d attachments",
			    PUB_REPORT_MAX_FILES);
		if ((name = str_field(f, "name", MAX_NAME, 1, err)) == NULL ||
		    (b64 = str_field(f, "data", (PUB_REPORT_MAX_ATTACH / 3 + 1) *
				4, 1, err)) == NULL)
			return -1;
		if (!valid_file_name(name))
			return cb_err_set(err, "attachment name '%s' is not a "
			    "plain file name", name);
		data = cb_sig_unbase64(b64, PUB_REPORT_MAX_ATTACH - total, &len);
		if (data == NULL)
			return cb_err_set(err, "attachment '%s' is not base64 or "
			    "over the cap of %d bytes", name,
			    PUB_REPORT_MAX_ATTACH);
		total += len;
		st = cb_db_prepare(db, "INSERT INTO report_attachment (agency, "
				       "seq, name, data) VALUES (?, ?, ?, ?)",
		    err);
		if (st == NULL) {
			free(data);
			return -1;
		}
		sqlite3_bind_text(st, 1, agency, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
		sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 4, data, (int)len, SQLITE_STATIC);
		if (exec_step(st, db, err) < 0) {
			free(data);
			return -1;
		}
		free(data);
	}
	return 0;
}

static int
store_report(sqlite3 *db, const char *agency, uint64_t seq, int64_t now,
    const cJSON *o, struct cb_err *err)
{
	static const char *const keys[] = { "severity", "title", "details",
		"filed", "attachments", NULL };
	const char *sev, *title, *details;
	enum cb_severity s;
	sqlite3_stmt *st;
	int64_t filed;

	if (only_keys(o, keys, err) < 0 ||
	    (sev = str_field(o, "severity", 16, 1, err)) == NULL ||
	    (title = str_field(o, "title", MAX_TITLE, 1, err)) == NULL ||
	    time_field(o, "filed", &filed, err) < 0)
		return -1;
	if (cb_severity_parse(sev, &s) < 0)
		return cb_err_set(err, "unknown severity '%s'", sev);
	details = str_field(o, "details", MAX_DETAILS, 0, err);
	if (details == NULL && cJSON_GetObjectItem(o, "details"))
		return -1;
	st = cb_db_prepare(db,
	    "INSERT INTO report (agency, seq, received, filed, severity, "
	    "title, details) VALUES (?, ?, ?, ?, ?, ?, ?)", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, agency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	sqlite3_bind_int64(st, 3, now);
	sqlite3_bind_int64(st, 4, filed);
	sqlite3_bind_text(st, 5, sev, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, title, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, details, -1, SQLITE_STATIC);
	if (exec_step(st, db, err) < 0)
		return -1;
	return store_attachments(db, agency, seq,
	    cJSON_GetObjectItemCaseSensitive(o, "attachments"), err);
}

static int
store(sqlite3 *db, struct pub_inbound_result *res,
    const struct cb_msg *m, int64_t now, struct cb_err *err)
{
	cJSON *o = parse_payload(m, err);
	int rc = 0;

	if (o == NULL)
		return -1;
	if (m->type == CB_MSG_RECEIPT)
		rc = store_receipt(db, res, o, err);
	else if (m->type == CB_MSG_REPORT)
		rc = store_report(db, res->agency, m->seq, now, o, err);
	cJSON_Delete(o); /* presence: nothing to keep but the contact */
	return rc;
}

/* Verify against the registry; fills res->agency and the message. */
static int
verify(struct pub_journal *j, const uint8_t *sb, size_t sblen,
    const uint8_t *sig, size_t siglen, struct cb_msg *m,
    struct pub_inbound_result *res, struct cb_err *err)
{
	struct cb_pubkey pk;
	char hex[CB_SIG_KEYIDHEX];
	int found;

	size_t clen;

	res->status = CB_REQ_REFUSED;
	if (cb_msg_check_sigblock(sig, siglen, &clen, err) < 0)
		return -1; /* no key id to look up: malformed, for good */
	memcpy(res->key_id, sig + CB_MSG_SB_KEYID, CB_SIG_KEYIDLEN);
	found = pub_journal_agency_by_key(j, sig + CB_MSG_SB_KEYID, res->agency,
	    sizeof(res->agency), &pk, err);
	if (found < 0)
		return -1;
	if (found == 0) {
		res->status = CB_REQ_LATER;
		return cb_err_set(err, "signed by key %s, which no registered "
		    "agency has", cb_sig_keyid_hex(sig + CB_MSG_SB_KEYID, hex));
	}
	if (cb_msg_open(&pk, 1, sb, sblen, sig, siglen, m, err) < 0) {
		cb_err_prefix(err, "from agency %s", res->agency);
		return -1;
	}
	res->seq = m->seq;
	res->type = (int)m->type;
	if (m->type < CB_MSG_RECEIPT)
		return cb_err_set(err, "agency %s sent a %s, which only the "
		    "publisher may", res->agency, cb_msg_type_name(m->type));
	res->relay = pub_journal_is_relay(j, res->agency);
	if (res->relay && m->type != CB_MSG_PRESENCE)
		return cb_err_set(err, "relay %s signed a %s: a relay signs "
		    "only its presence (it passes on what agencies sign)",
		    res->agency, cb_msg_type_name(m->type));
	return 0;
}

/* A relay's presence: where its journal ends, for "agency list". */
static int
relay_presence(struct pub_journal *j, const struct pub_inbound_result *res,
    const struct cb_msg *m, struct cb_err *err)
{
	cJSON *o = parse_payload(m, err);
	const cJSON *last;
	int rc;

	if (o == NULL)
		return -1;
	last = cJSON_GetObjectItemCaseSensitive(o, "last_seq");
	if (!cJSON_IsNumber(last) || last->valuedouble < 0 ||
	    last->valuedouble > 9007199254740992.0 ||
	    last->valuedouble != (double)(uint64_t)last->valuedouble) {
		cJSON_Delete(o);
		return cb_err_set(err, "'last_seq' must be a whole number "
		    "from 0");
	}
	rc = pub_journal_relay_presence(j, res->agency, m->seq,
	    (uint64_t)last->valuedouble, err);
	cJSON_Delete(o);
	return rc;
}

int
pub_inbound_submit(struct pub_journal *j, const uint8_t *signed_bytes,
    size_t signed_len, const uint8_t *sigblock, size_t sigblock_len,
    int64_t now, struct pub_inbound_result *res, struct cb_err *err)
{
	sqlite3 *db = pub_journal_db(j);
	struct cb_msg m;
	int fresh;

	memset(res, 0, sizeof(*res));
	if (verify(j, signed_bytes, signed_len, sigblock, sigblock_len, &m,
		res, err) < 0)
		return -1;
	if (pub_journal_begin(j, err) < 0)
		return -1;
	fresh = keep_once(db, res->agency, &m, signed_bytes, signed_len,
	    sigblock, sigblock_len, now, err);
	if (fresh == 0 &&
	    same_as_held(db, res, signed_bytes, signed_len, err) < 0) {
		pub_journal_rollback(j);
		return -1; /* not prefixed: the message names the agency */
	}
	if (fresh < 0 || (fresh && store(db, res, &m, now, err) < 0) ||
	    (fresh && res->relay && relay_presence(j, res, &m, err) < 0) ||
	    pub_journal_agency_touch(j, res->agency, now, err) < 0 ||
	    pub_journal_commit(j, err) < 0) {
		pub_journal_rollback(j);
		cb_err_prefix(err, "%s from agency %s",
		    cb_msg_type_name(m.type), res->agency);
		return -1; /* refused for good: it would fail the same again */
	}
	res->fresh = fresh;
	res->status = CB_REQ_KEPT;
	return 0;
}

/* --- handling reports ---------------------------------------------------- */

int
pub_inbound_handle(struct pub_journal *j, const char *agency, uint64_t seq,
    const char *by, const char *note, int64_t at, struct cb_err *err)
{
	sqlite3 *db = pub_journal_db(j);
	sqlite3_stmt *st;

	if (!valid_text(by, MAX_BY))
		return cb_err_set(err, "the name of who handled it must be 1 "
		    "to %d bytes of UTF-8", MAX_BY);
	if (note != NULL && !valid_text(note, MAX_NOTE))
		return cb_err_set(err, "a note must be 1 to %d bytes of UTF-8",
		    MAX_NOTE);
	st = cb_db_prepare(db,
	    "INSERT OR REPLACE INTO report_handled (agency, seq, at, handled_by, note) "
	    "SELECT agency, seq, ?3, ?4, ?5 FROM report "
	    "WHERE agency = ?1 AND seq = ?2", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, agency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	sqlite3_bind_int64(st, 3, at);
	sqlite3_bind_text(st, 4, by, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, note, -1, SQLITE_STATIC);
	if (exec_step(st, db, err) < 0)
		return -1;
	return sqlite3_changes(db) > 0;
}
