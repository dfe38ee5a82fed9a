/* pub_inbound: receipts, presence and incident reports (see .h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "cb_adv.h"
#include "cb_db.h"
#include "cb_file.h"
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

/* --- payload checks ------------------------------------------------------ */

static const char *
str_field(const cJSON *o, const char *key, size_t max, int required,
    struct cb_err *err)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	if (v == NULL && !required)
		return NULL;
	if (!cJSON_IsString(v) || v->valuestring[0] == '\0' ||
	    strlen(v->valuestring) > max ||
	    !cb_utf8_valid(v->valuestring, strlen(v->valuestring))) {
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
touch_agency(sqlite3 *db, const char *agency, int64_t now,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db,
	    "UPDATE agency SET last_contact = max(last_contact, ?) "
	    "WHERE name = ?", err);

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, now);
	sqlite3_bind_text(st, 2, agency, -1, SQLITE_STATIC);
	return exec_step(st, db, err);
}

static int
store_receipt(sqlite3 *db, const char *agency, const cJSON *o,
    struct cb_err *err)
{
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
store(sqlite3 *db, const struct pub_inbound_result *res,
    const struct cb_msg *m, int64_t now, struct cb_err *err)
{
	cJSON *o = parse_payload(m, err);
	int rc = 0;

	if (o == NULL)
		return -1;
	if (m->type == CB_MSG_RECEIPT)
		rc = store_receipt(db, res->agency, o, err);
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

	res->status = CB_REQ_REFUSED;
	if (siglen < CB_MSG_SIGHDRLEN)
		return cb_err_set(err, "signature block too short");
	memcpy(res->key_id, sig + 2, 8);
	found = pub_journal_agency_by_key(j, sig + 2, res->agency,
	    sizeof(res->agency), &pk, err);
	if (found < 0)
		return -1;
	if (found == 0) {
		res->status = CB_REQ_LATER;
		return cb_err_set(err, "signed by key %s, which no registered "
		    "agency has", cb_sig_keyid_hex(sig + 2, hex));
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
	return 0;
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
	if (cb_db_exec(db, "BEGIN IMMEDIATE", err) < 0)
		return -1;
	fresh = keep_once(db, res->agency, &m, signed_bytes, signed_len,
	    sigblock, sigblock_len, now, err);
	if (fresh < 0 || (fresh && store(db, res, &m, now, err) < 0) ||
	    touch_agency(db, res->agency, now, err) < 0 ||
	    cb_db_exec(db, "COMMIT", err) < 0) {
		cb_db_exec(db, "ROLLBACK", NULL);
		cb_err_prefix(err, "%s from agency %s",
		    cb_msg_type_name(m.type), res->agency);
		return -1; /* refused for good: it would fail the same again */
	}
	res->fresh = fresh;
	res->status = CB_REQ_KEPT;
	return 0;
}

/* --- views ----------------------------------------------------------------- */

static void
add_time(cJSON *o, const char *key, int64_t t)
{
	char buf[CB_TIME_BUFSZ];

	if (t > 0)
		cJSON_AddStringToObject(o, key, cb_time_format(t, buf));
	else
		cJSON_AddNullToObject(o, key);
}

static void
add_text(cJSON *o, const char *key, sqlite3_stmt *st, int col)
{
	if (sqlite3_column_type(st, col) == SQLITE_NULL)
		cJSON_AddNullToObject(o, key);
	else
		cJSON_AddStringToObject(o, key, cb_db_text(st, col));
}

static cJSON *
query_fail(sqlite3 *db, sqlite3_stmt *st, cJSON *out, struct cb_err *err)
{
	cb_db_error(db, "journal", err);
	sqlite3_finalize(st);
	cJSON_Delete(out);
	return NULL;
}

cJSON *
pub_inbound_receipts(struct pub_journal *j, const char *id,
    struct cb_err *err)
{
	sqlite3 *db = pub_journal_db(j);
	sqlite3_stmt *st = cb_db_prepare(db,
	    "SELECT a.name, "
	    " (SELECT min(at) FROM receipt r WHERE r.agency = a.name AND "
	    "  r.adv_id = ?1 AND r.event = 'received'), "
	    " (SELECT max(at) FROM receipt r WHERE r.agency = a.name AND "
	    "  r.adv_id = ?1 AND r.event = 'acknowledged'), "
	    " (SELECT ack_by FROM receipt r WHERE r.agency = a.name AND "
	    "  r.adv_id = ?1 AND r.event = 'acknowledged' "
	    "  ORDER BY at DESC LIMIT 1), "
	    " (SELECT note FROM receipt r WHERE r.agency = a.name AND "
	    "  r.adv_id = ?1 AND r.event = 'acknowledged' "
	    "  ORDER BY at DESC LIMIT 1) "
	    "FROM agency a ORDER BY a.name", err);
	cJSON *out = cJSON_CreateArray(), *o;
	int rc;

	if (st == NULL) {
		cJSON_Delete(out);
		return NULL;
	}
	sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "agency", cb_db_text(st, 0));
		add_time(o, "received", sqlite3_column_int64(st, 1));
		add_time(o, "acknowledged", sqlite3_column_int64(st, 2));
		add_text(o, "by", st, 3);
		add_text(o, "note", st, 4);
		cJSON_AddBoolToObject(o, "missing",
		    sqlite3_column_type(st, 1) == SQLITE_NULL &&
			sqlite3_column_type(st, 2) == SQLITE_NULL);
		cJSON_AddItemToArray(out, o);
	}
	if (rc != SQLITE_DONE)
		return query_fail(db, st, out, err);
	sqlite3_finalize(st);
	return out;
}

int
pub_inbound_known(struct pub_journal *j, const char *id, struct cb_err *err)
{
	unsigned rev;

	return pub_journal_revision(j, id, &rev, err);
}

static int
severity_rank(const char *name)
{
	enum cb_severity s;

	return cb_severity_parse(name, &s) < 0 ? -1 : (int)s;
}

cJSON *
pub_inbound_overdue(struct pub_journal *j, int min_severity,
    int64_t older_than, struct cb_err *err)
{
	sqlite3 *db = pub_journal_db(j);
	sqlite3_stmt *st = cb_db_prepare(db,
	    "SELECT a.name, a.last_contact, m.adv_id, m.revision, m.severity, "
	    " m.title, m.issued_ms, "
	    " (SELECT min(at) FROM receipt r WHERE r.agency = a.name AND "
	    "  r.adv_id = m.adv_id AND r.event = 'received') "
	    "FROM agency a, message m "
	    "WHERE m.type = 1 AND m.issued_ms <= ?1 * 1000 "
	    " AND m.revision = (SELECT max(revision) FROM message x "
	    "  WHERE x.adv_id = m.adv_id) "
	    " AND NOT EXISTS (SELECT 1 FROM receipt r WHERE r.agency = a.name "
	    "  AND r.adv_id = m.adv_id AND r.event = 'acknowledged') "
	    "ORDER BY a.name, m.seq", err);
	cJSON *out = cJSON_CreateArray(), *agency = NULL, *list = NULL, *o;
	const char *last = "";
	int rc;

	if (st == NULL) {
		cJSON_Delete(out);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, older_than);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (severity_rank(cb_db_text(st, 4)) < min_severity)
			continue;
		if (agency == NULL || strcmp(last, cb_db_text(st, 0)) != 0) {
			agency = cJSON_CreateObject();
			cJSON_AddStringToObject(agency, "agency",
			    cb_db_text(st, 0));
			add_time(agency, "last_contact",
			    sqlite3_column_int64(st, 1));
			list = cJSON_AddArrayToObject(agency, "advisories");
			cJSON_AddItemToArray(out, agency);
			last = cJSON_GetObjectItem(agency, "agency")->valuestring;
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", cb_db_text(st, 2));
		cJSON_AddNumberToObject(o, "revision",
		    (double)sqlite3_column_int64(st, 3));
		cJSON_AddStringToObject(o, "severity", cb_db_text(st, 4));
		cJSON_AddStringToObject(o, "title", cb_db_text(st, 5));
		add_time(o, "published", sqlite3_column_int64(st, 6) / 1000);
		add_time(o, "received", sqlite3_column_int64(st, 7));
		cJSON_AddItemToArray(list, o);
	}
	if (rc != SQLITE_DONE)
		return query_fail(db, st, out, err);
	sqlite3_finalize(st);
	return out;
}

static int
save_attachment(const char *dir, const char *agency, int64_t seq,
    const char *name, const void *data, size_t len, struct cb_err *err)
{
	char *path = cb_xasprintf("%s/%s-%lld-%s", dir, agency, (long long)seq,
	    name);
	int rc = cb_file_write_atomic(path, data, len, 0600, err);

	free(path);
	return rc;
}

static int
add_attachments(sqlite3 *db, cJSON *report, const char *agency, int64_t seq,
    const char *save_dir, struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(db,
	    "SELECT name, data FROM report_attachment WHERE agency = ? AND "
	    "seq = ? ORDER BY rowid", err);
	cJSON *list = cJSON_AddArrayToObject(report, "attachments"), *o;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, agency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, seq);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", cb_db_text(st, 0));
		cJSON_AddNumberToObject(o, "size", sqlite3_column_bytes(st, 1));
		cJSON_AddItemToArray(list, o);
		if (save_dir != NULL &&
		    save_attachment(save_dir, agency, seq, cb_db_text(st, 0),
			sqlite3_column_blob(st, 1),
			(size_t)sqlite3_column_bytes(st, 1), err) < 0) {
			sqlite3_finalize(st);
			return -1;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : cb_db_error(db, "journal", err);
}

static cJSON *
reports_where(struct pub_journal *j, const char *where, const char *agency,
    int64_t seq, const char *save_dir, struct cb_err *err)
{
	sqlite3 *db = pub_journal_db(j);
	char *sql = cb_xasprintf("SELECT agency, seq, received, filed, "
				 "severity, title, details FROM report %s "
				 "ORDER BY received DESC, agency, seq", where);
	sqlite3_stmt *st = cb_db_prepare(db, sql, err);
	cJSON *out = cJSON_CreateArray(), *o;
	int rc;

	free(sql);
	if (st == NULL) {
		cJSON_Delete(out);
		return NULL;
	}
	if (agency != NULL) {
		sqlite3_bind_text(st, 1, agency, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, seq);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "agency", cb_db_text(st, 0));
		cJSON_AddNumberToObject(o, "seq",
		    (double)sqlite3_column_int64(st, 1));
		add_time(o, "received", sqlite3_column_int64(st, 2));
		add_time(o, "filed", sqlite3_column_int64(st, 3));
		cJSON_AddStringToObject(o, "severity", cb_db_text(st, 4));
		cJSON_AddStringToObject(o, "title", cb_db_text(st, 5));
		add_text(o, "details", st, 6);
		cJSON_AddItemToArray(out, o);
		if (add_attachments(db, o, cb_db_text(st, 0),
			sqlite3_column_int64(st, 1), save_dir, err) < 0) {
			sqlite3_finalize(st);
			cJSON_Delete(out);
			return NULL;
		}
	}
	if (rc != SQLITE_DONE)
		return query_fail(db, st, out, err);
	sqlite3_finalize(st);
	return out;
}

cJSON *
pub_inbound_reports(struct pub_journal *j, const char *save_dir,
    struct cb_err *err)
{
	return reports_where(j, "", NULL, 0, save_dir, err);
}

cJSON *
pub_inbound_report(struct pub_journal *j, const char *agency, uint64_t seq,
    struct cb_err *err)
{
	cJSON *all = reports_where(j, "WHERE agency = ?1 AND seq = ?2", agency,
	    (int64_t)seq, NULL, err), *one;

	if (all == NULL)
		return NULL;
	one = cJSON_DetachItemFromArray(all, 0);
	cJSON_Delete(all);
	return one;
}

cJSON *
pub_inbound_agencies(struct pub_journal *j, int64_t now, int64_t silent_after,
    struct cb_err *err)
{
	sqlite3 *db = pub_journal_db(j);
	sqlite3_stmt *st = cb_db_prepare(db,
	    "SELECT name, key_id, added, last_contact FROM agency ORDER BY "
	    "name", err);
	cJSON *out = cJSON_CreateArray(), *o;
	char hex[CB_SIG_KEYIDHEX];
	int64_t last;
	int rc;

	if (st == NULL) {
		cJSON_Delete(out);
		return NULL;
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		last = sqlite3_column_int64(st, 3);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", cb_db_text(st, 0));
		if (sqlite3_column_bytes(st, 1) == CB_SIG_KEYIDLEN)
			cJSON_AddStringToObject(o, "key_id",
			    cb_sig_keyid_hex(sqlite3_column_blob(st, 1), hex));
		add_time(o, "added", sqlite3_column_int64(st, 2));
		add_time(o, "last_contact", last);
		cJSON_AddBoolToObject(o, "silent",
		    last == 0 || now - last > silent_after);
		cJSON_AddItemToArray(out, o);
	}
	if (rc != SQLITE_DONE)
		return query_fail(db, st, out, err);
	sqlite3_finalize(st);
	return out;
}
