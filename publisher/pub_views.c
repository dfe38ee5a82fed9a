/* pub_views: the duty officer's read-only views (see pub_views.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <sqlite3.h>

#include "cb_adv.h"
#include "cb_db.h"
#include "cb_file.h"
#include "cb_json.h"
#include "cb_locale.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_sig.h"
#include "cb_time.h"
#include "cb_utf8.h"
#include "pub_views.h"

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
pub_views_receipts(struct pub_journal *j, const char *id,
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
	    "FROM agency a WHERE a.kind = 'agency' ORDER BY a.name", err);
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
		cb_json_add_time(o, "received", sqlite3_column_int64(st, 1));
		cb_json_add_time(o, "acknowledged", sqlite3_column_int64(st, 2));
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
pub_views_known(struct pub_journal *j, const char *id, struct cb_err *err)
{
	unsigned rev;

	return pub_journal_revision(j, id, &rev, err);
}

cJSON *
pub_views_overdue(struct pub_journal *j, int min_severity,
    int64_t older_than, struct cb_err *err)
{
	sqlite3 *db = pub_journal_db(j);
	/* The advisories that count first, once each (latest revision, of
	 * a severity ?3..?7, old enough), then per agency those it has not
	 * acknowledged: not a latest-revision subquery per agency and
	 * advisory, which took seconds at 1000 agencies (bench_web). */
	sqlite3_stmt *st = cb_db_prepare(db,
	    "WITH due AS MATERIALIZED (SELECT m.adv_id, m.revision, "
	    " m.severity, m.title, m.issued_ms, m.seq, "
	    " CASE WHEN json_valid(CAST(substr(m.signed, ?8) AS TEXT)) THEN "
	    "  json_extract(CAST(substr(m.signed, ?8) AS TEXT), '$.published') "
	    " END AS published FROM message m "
	    " WHERE m.type = ?2 AND m.issued_ms / 1000 <= ?1 "
	    " AND m.severity IN (?3, ?4, ?5, ?6, ?7) "
	    " AND m.revision = (SELECT max(revision) FROM message x "
	    "  WHERE x.adv_id = m.adv_id)) "
	    "SELECT a.name, a.last_contact, d.adv_id, d.revision, d.severity, "
	    " d.title, d.issued_ms, "
	    " (SELECT min(at) FROM receipt r WHERE r.agency = a.name AND "
	    "  r.adv_id = d.adv_id AND r.event = 'received'), d.published "
	    "FROM agency a, due d "
	    "WHERE a.kind = 'agency' AND NOT EXISTS (SELECT 1 FROM receipt r WHERE r.agency = a.name "
	    "  AND r.adv_id = d.adv_id AND r.event = 'acknowledged') "
	    "ORDER BY a.name, d.seq", err);
	cJSON *out = cJSON_CreateArray(), *agency = NULL, *list = NULL, *o;
	const char *last = "";
	int rc, s;

	if (st == NULL) {
		cJSON_Delete(out);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, older_than);
	sqlite3_bind_int(st, 2, CB_MSG_ADVISORY);
	for (s = min_severity < 0 ? 0 : min_severity; s <= CB_SEV_CRITICAL; s++)
		sqlite3_bind_text(st, 3 + s, cb_severity_name((enum cb_severity)s),
		    -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 8, CB_MSG_HDRLEN + 1); /* the signed payload */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (agency == NULL || strcmp(last, cb_db_text(st, 0)) != 0) {
			agency = cJSON_CreateObject();
			cJSON_AddStringToObject(agency, "agency",
			    cb_db_text(st, 0));
			cb_json_add_time(agency, "last_contact",
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
		add_text(o, "published", st, 8);
		cb_json_add_time(o, "issued",
		    sqlite3_column_int64(st, 6) / 1000);
		cb_json_add_time(o, "received", sqlite3_column_int64(st, 7));
		cJSON_AddItemToArray(list, o);
	}
	if (rc != SQLITE_DONE)
		return query_fail(db, st, out, err);
	sqlite3_finalize(st);
	return out;
}

/* The critical advisories are looked for only among the messages
 * issued since then: sequence numbers follow issue times, so the scan
 * starts from the newest and stops at the first older one. */
int
pub_views_agency_health(struct pub_journal *j, int64_t since,
    void (*fn)(const struct pub_agency_health *h, void *arg), void *arg,
    struct cb_err *err)
{
	sqlite3 *db = pub_journal_db(j);
	sqlite3_stmt *st = cb_db_prepare(db,
	    "WITH crit AS (SELECT m.adv_id, m.issued_ms FROM message m "
	    " WHERE m.seq > coalesce((SELECT seq FROM message "
	    "  WHERE issued_ms < ?2 * 1000 ORDER BY seq DESC LIMIT 1), 0) "
	    " AND m.issued_ms >= ?2 * 1000 "
	    " AND m.type = ?1 AND m.severity = 'critical' "
	    " AND m.revision = (SELECT max(revision) FROM message x "
	    "  WHERE x.adv_id = m.adv_id)) "
	    "SELECT a.name, a.last_contact, "
	    " (SELECT count(*) FROM crit c WHERE c.issued_ms >= a.added * 1000 "
	    "  AND NOT EXISTS (SELECT 1 FROM receipt r WHERE r.agency = a.name "
	    "  AND r.adv_id = c.adv_id)), "
	    " (SELECT count(*) FROM crit c WHERE c.issued_ms >= a.added * 1000 "
	    "  AND NOT EXISTS (SELECT 1 FROM receipt r WHERE r.agency = a.name "
	    "  AND r.adv_id = c.adv_id AND r.event = 'acknowledged')) "
	    "FROM agency a WHERE a.kind = 'agency' ORDER BY a.name", err);
	struct pub_agency_health h;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, CB_MSG_ADVISORY);
	sqlite3_bind_int64(st, 2, since);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		h.name = cb_db_text(st, 0);
		h.last_contact = sqlite3_column_int64(st, 1);
		h.unreceived = (long)sqlite3_column_int64(st, 2);
		h.unacknowledged = (long)sqlite3_column_int64(st, 3);
		fn(&h, arg);
	}
	if (rc != SQLITE_DONE)
		cb_db_error(db, "journal", err);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
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

/* A report row of reports_where, without its attachments; "handled"
 * is null until the department marks it. */
static cJSON *
report_object(sqlite3_stmt *st)
{
	cJSON *o = cJSON_CreateObject(), *h;

	cJSON_AddStringToObject(o, "agency", cb_db_text(st, 0));
	cJSON_AddNumberToObject(o, "seq", (double)sqlite3_column_int64(st, 1));
	cb_json_add_time(o, "received", sqlite3_column_int64(st, 2));
	cb_json_add_time(o, "filed", sqlite3_column_int64(st, 3));
	cJSON_AddStringToObject(o, "severity", cb_db_text(st, 4));
	cJSON_AddStringToObject(o, "title", cb_db_text(st, 5));
	add_text(o, "details", st, 6);
	if (sqlite3_column_type(st, 7) == SQLITE_NULL) {
		cJSON_AddNullToObject(o, "handled");
		return o;
	}
	h = cJSON_AddObjectToObject(o, "handled");
	cb_json_add_time(h, "at", sqlite3_column_int64(st, 7));
	cJSON_AddStringToObject(h, "by", cb_db_text(st, 8));
	add_text(h, "note", st, 9);
	return o;
}

/* The reports f selects, and with seq only that number of f->agency's. */
static cJSON *
reports_where(struct pub_journal *j, const struct pub_report_filter *f,
    const uint64_t *seq, const char *save_dir, struct cb_err *err)
{
	sqlite3 *db = pub_journal_db(j);
	sqlite3_stmt *st = cb_db_prepare(db,
	    "SELECT r.agency, r.seq, r.received, r.filed, r.severity, r.title, "
	    " r.details, h.at, h.handled_by, h.note "
	    "FROM report r LEFT JOIN report_handled h USING (agency, seq) "
	    "WHERE (?1 IS NULL OR r.agency = ?1) AND (?2 IS NULL OR r.seq = ?2) "
	    " AND r.received >= ?3 AND (?4 = 0 OR h.at IS NULL) "
	    "ORDER BY r.received DESC, r.agency, r.seq", err);
	cJSON *out = cJSON_CreateArray(), *o;
	int rc;

	if (st == NULL) {
		cJSON_Delete(out);
		return NULL;
	}
	sqlite3_bind_text(st, 1, f->agency, -1, SQLITE_STATIC);
	if (seq != NULL)
		sqlite3_bind_int64(st, 2, (sqlite3_int64)*seq);
	sqlite3_bind_int64(st, 3, f->since);
	sqlite3_bind_int(st, 4, f->unhandled);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = report_object(st);
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
pub_views_reports(struct pub_journal *j, const struct pub_report_filter *f,
    const char *save_dir, struct cb_err *err)
{
	return reports_where(j, f, NULL, save_dir, err);
}

cJSON *
pub_views_report(struct pub_journal *j, const char *agency, uint64_t seq,
    struct cb_err *err)
{
	const struct pub_report_filter f = { agency, 0, 0 };
	cJSON *all = reports_where(j, &f, &seq, NULL, err), *one;

	if (all == NULL)
		return NULL;
	one = cJSON_DetachItemFromArray(all, 0);
	cJSON_Delete(all);
	return one;
}

int
pub_views_agency_known(struct pub_journal *j, const char *name,
    struct cb_err *err)
{
	sqlite3 *db = pub_journal_db(j);
	sqlite3_stmt *st = cb_db_prepare(db,
	    "SELECT EXISTS (SELECT 1 FROM agency WHERE name = ?1 "
	    " AND kind = 'agency') OR "
	    " EXISTS (SELECT 1 FROM report WHERE agency = ?1)", err);
	int rc, known;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	known = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? known : cb_db_error(db, "journal", err);
}

cJSON *
pub_views_drill(struct pub_journal *j, const char *id, struct cb_err *err)
{
	cJSON *agencies = pub_views_receipts(j, id, err), *out;
	const cJSON *a;
	int received = 0, acked = 0;

	if (agencies == NULL)
		return NULL;
	cJSON_ArrayForEach(a, agencies) {
		received += !cJSON_IsTrue(cJSON_GetObjectItem(a, "missing"));
		acked += cJSON_IsString(cJSON_GetObjectItem(a, "acknowledged"));
	}
	out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "id", id);
	cJSON_AddNumberToObject(out, "registered",
	    cJSON_GetArraySize(agencies));
	cJSON_AddNumberToObject(out, "received", received);
	cJSON_AddNumberToObject(out, "acknowledged", acked);
	cJSON_AddItemToObject(out, "agencies", agencies);
	return out;
}

int
pub_views_drill_all(const cJSON *drill, int acked)
{
	double m = pub_views_num(drill, "registered");

	return pub_views_num(drill, "received") == m &&
	    (!acked || pub_views_num(drill, "acknowledged") == m);
}

cJSON *
pub_views_advisories(struct pub_journal *j, int limit, struct cb_err *err)
{
	sqlite3 *db = pub_journal_db(j);
	/* The latest advisories first, then the agencies that sent each
	 * a receipt (index receipt_adv); agencies removed since do not
	 * count. */
	sqlite3_stmt *st = cb_db_prepare(db,
	    "WITH latest AS MATERIALIZED (SELECT m.adv_id, m.revision, "
	    " m.severity, m.title, m.issued_ms, m.seq, "
	    " CAST(substr(m.signed, ?3) AS TEXT) AS payload FROM message m "
	    " WHERE m.type = ?1 AND m.revision = (SELECT max(revision) "
	    "  FROM message x WHERE x.adv_id = m.adv_id) "
	    " ORDER BY m.seq DESC LIMIT ?2) "
	    "SELECT l.adv_id, l.revision, l.severity, l.title, l.issued_ms, "
	    " l.seq, (SELECT count(*) FROM agency WHERE kind = 'agency'), "
	    " (SELECT count(DISTINCT r.agency) FROM receipt r JOIN agency a "
	    "  ON a.name = r.agency WHERE r.adv_id = l.adv_id "
	    "  AND a.kind = 'agency'), "
	    " (SELECT count(DISTINCT r.agency) FROM receipt r JOIN agency a "
	    "  ON a.name = r.agency WHERE r.adv_id = l.adv_id "
	    "  AND a.kind = 'agency' "
	    "  AND r.event = 'acknowledged'), "
	    " CASE WHEN json_valid(l.payload) THEN "
	    "  json_extract(l.payload, '$.published') END "
	    "FROM latest l ORDER BY l.seq DESC", err);
	cJSON *out = cJSON_CreateArray(), *o;
	int rc;

	if (st == NULL) {
		cJSON_Delete(out);
		return NULL;
	}
	sqlite3_bind_int(st, 1, CB_MSG_ADVISORY);
	sqlite3_bind_int(st, 2, limit);
	sqlite3_bind_int(st, 3, CB_MSG_HDRLEN + 1); /* the signed payload */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "id", cb_db_text(st, 0));
		cJSON_AddNumberToObject(o, "revision",
		    (double)sqlite3_column_int64(st, 1));
		cJSON_AddStringToObject(o, "severity", cb_db_text(st, 2));
		cJSON_AddStringToObject(o, "title", cb_db_text(st, 3));
		add_text(o, "published", st, 9);
		cb_json_add_time(o, "issued", sqlite3_column_int64(st, 4) / 1000);
		cJSON_AddNumberToObject(o, "seq", (double)sqlite3_column_int64(st, 5));
		cJSON_AddNumberToObject(o, "registered", sqlite3_column_int(st, 6));
		cJSON_AddNumberToObject(o, "received", sqlite3_column_int(st, 7));
		cJSON_AddNumberToObject(o, "acknowledged",
		    sqlite3_column_int(st, 8));
		cJSON_AddItemToArray(out, o);
	}
	if (rc != SQLITE_DONE)
		return query_fail(db, st, out, err);
	sqlite3_finalize(st);
	return out;
}

void *
pub_views_attachment(struct pub_journal *j, const char *agency, uint64_t seq,
    const char *name, size_t *len, struct cb_err *err)
{
	sqlite3 *db = pub_journal_db(j);
	sqlite3_stmt *st = cb_db_prepare(db,
	    "SELECT data FROM report_attachment WHERE agency = ? AND seq = ? "
	    "AND name = ? ORDER BY rowid LIMIT 1", err);
	void *data = NULL;
	int rc;

	err->msg[0] = '\0';
	if (st == NULL)
		return NULL;
	sqlite3_bind_text(st, 1, agency, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, (sqlite3_int64)seq);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*len = (size_t)sqlite3_column_bytes(st, 0);
		data = cb_xmalloc(*len + 1);
		if (*len > 0)
			memcpy(data, sqlite3_column_blob(st, 0), *len);
	} else if (rc != SQLITE_DONE) {
		cb_db_error(db, "journal", err);
	}
	sqlite3_finalize(st);
	return data;
}

struct agencies {
	cJSON *out;
	int64_t now, silent_after;
};

/* What "agency list" shows of either kind of member. */
static cJSON *
member_json(const struct pub_agency *a)
{
	char hex[CB_SIG_KEYIDHEX];
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "name", a->name);
	cJSON_AddStringToObject(o, "kind", cb_registry_kind_name(a->kind));
	cJSON_AddStringToObject(o, "key_id", cb_sig_keyid_hex(a->pk.id, hex));
	cb_json_add_time(o, "added", a->added);
	cb_json_add_time(o, "last_contact", a->last_contact);
	return o;
}

static void
add_agency(const struct pub_agency *a, void *arg)
{
	struct agencies *v = arg;
	cJSON *o;

	if (a->kind != CB_REGISTRY_AGENCY)
		return;
	o = member_json(a);
	cJSON_AddBoolToObject(o, "silent", a->last_contact == 0 ||
	    v->now - a->last_contact > v->silent_after);
	cJSON_AddItemToArray(v->out, o);
}

cJSON *
pub_views_agencies(struct pub_journal *j, int64_t now, int64_t silent_after,
    struct cb_err *err)
{
	struct agencies v = { cJSON_CreateArray(), now, silent_after };

	if (pub_journal_agency_each(j, add_agency, &v, err) < 0) {
		cJSON_Delete(v.out);
		return NULL;
	}
	return v.out;
}

struct relays {
	cJSON *out;
	uint64_t last_seq; /* the publisher's */
};

static void
add_relay(const struct pub_agency *a, void *arg)
{
	struct relays *v = arg;
	cJSON *o;

	if (a->kind != CB_REGISTRY_RELAY)
		return;
	o = member_json(a);
	if (a->has_last_seq) {
		cJSON_AddNumberToObject(o, "last_seq", (double)a->last_seq);
		cJSON_AddNumberToObject(o, "behind", a->last_seq >=
		    v->last_seq ? 0 : (double)(v->last_seq - a->last_seq));
	} else {
		cJSON_AddNullToObject(o, "last_seq");
		cJSON_AddNullToObject(o, "behind");
	}
	cJSON_AddItemToArray(v->out, o);
}

cJSON *
pub_views_relays(struct pub_journal *j, struct cb_err *err)
{
	struct relays v = { cJSON_CreateArray(), pub_journal_last_seq(j) };

	if (pub_journal_agency_each(j, add_relay, &v, err) < 0) {
		cJSON_Delete(v.out);
		return NULL;
	}
	return v.out;
}

/* --- the commands' output ------------------------------------------------ */

/* The string member key of obj, or fallback when there is none. */
static const char *
str_or(const cJSON *obj, const char *key, const char *fallback)
{
	const char *s = cb_json_str(obj, key);

	return s != NULL ? s : fallback;
}

const char *
pub_views_str(const cJSON *obj, const char *key)
{
	return str_or(obj, key, "-");
}

double
pub_views_num(const cJSON *obj, const char *key)
{
	return cb_json_num(obj, key, 0);
}

static void
print_json(const cJSON *obj)
{
	char *s = cJSON_Print(obj);

	printf("%s\n", s);
	free(s);
}

/* The time member key of o for people (cb_time_human, local or UTC as
 * flags say), or absent when it has none (null: never). */
static const char *
when(const cJSON *o, const char *key, int flags, const char *absent,
    char *buf)
{
	const char *iso = cb_json_str(o, key);
	int64_t t;

	if (iso == NULL || cb_time_parse_iso(iso, &t) < 0)
		return iso != NULL ? iso : absent;
	return cb_time_human(t, flags & PUB_VIEWS_UTC, buf);
}

/* The columns a time takes in this language and zone. */
static int
time_cols(int flags)
{
	char buf[CB_TIME_BUFSZ];

	return (int)cb_utf8_width(cb_time_human(cb_time_now(),
	    flags & PUB_VIEWS_UTC, buf));
}

/* Print s padded to cols columns, then a space. */
static void
padded(const char *s, int cols)
{
	printf("%-*s ", cb_utf8_field(s, (size_t)cols), s);
}

static void
receipts_heading(int flags)
{
	int w = time_cols(flags);

	padded(_("AGENCY"), 24);
	padded(_("RECEIVED"), w);
	padded(_("ACKNOWLEDGED"), w);
	printf("%s\n", _("BY"));
}

static void
receipt_text(const cJSON *r, int flags)
{
	char b1[CB_TIME_BUFSZ], b2[CB_TIME_BUFSZ];
	int w = time_cols(flags);

	padded(pub_views_str(r, "agency"), 24);
	padded(when(r, "received", flags, _("not received"), b1), w);
	padded(when(r, "acknowledged", flags, _("not acknowledged"), b2), w);
	printf("%s\n", pub_views_str(r, "by"));
}

static void
overdue_text(const cJSON *a, int flags)
{
	char buf[CB_TIME_BUFSZ];
	const cJSON *adv;
	int w = (int)cb_locale_severity_cols();

	printf(_("%s (last contact %s)\n"), pub_views_str(a, "agency"),
	    when(a, "last_contact", flags, _("never"), buf));
	cJSON_ArrayForEach(adv, cJSON_GetObjectItem(a, "advisories")) {
		printf("  ");
		padded(cb_locale_word(pub_views_str(adv, "severity")), w);
		printf("%-24s %s%s\n", pub_views_str(adv, "id"),
		    pub_views_str(adv, "title"),
		    str_or(adv, "received", NULL) ? "" :
						   _(" (not even received)"));
	}
}

static void
report_text(const cJSON *r, int flags)
{
	const cJSON *a, *h = cJSON_GetObjectItem(r, "handled");
	char buf[CB_TIME_BUFSZ];

	printf("%s #%.0f %s [%s] %s%s\n", pub_views_str(r, "agency"),
	    pub_views_num(r, "seq"), when(r, "received", flags, "-", buf),
	    cb_locale_word(pub_views_str(r, "severity")),
	    pub_views_str(r, "title"),
	    cJSON_IsObject(h) ? "" : _("  UNHANDLED"));
	if (cJSON_IsObject(h))
		printf(_("  handled %s by %s%s%s\n"),
		    when(h, "at", flags, "-", buf), pub_views_str(h, "by"),
		    str_or(h, "note", NULL) ? ": " : "", str_or(h, "note", ""));
	if (str_or(r, "details", NULL) != NULL)
		printf("  %s\n", str_or(r, "details", NULL));
	cJSON_ArrayForEach(a, cJSON_GetObjectItem(r, "attachments"))
		printf(_("  attachment %s (%.0f bytes)\n"),
		    pub_views_str(a, "name"), pub_views_num(a, "size"));
}

static void
agency_text(const cJSON *a, int flags)
{
	char buf[CB_TIME_BUFSZ];

	printf(_("%-24s %s  last contact %s%s\n"), pub_views_str(a, "name"),
	    pub_views_str(a, "key_id"),
	    when(a, "last_contact", flags, _("never"), buf),
	    cJSON_IsTrue(cJSON_GetObjectItem(a, "silent")) ? _("  SILENT") :
							     "");
}

static void
relay_text(const cJSON *a, int flags)
{
	char buf[CB_TIME_BUFSZ];

	printf(_("%-24s %s  last contact %s"), pub_views_str(a, "name"),
	    pub_views_str(a, "key_id"),
	    when(a, "last_contact", flags, _("never"), buf));
	if (cJSON_IsNumber(cJSON_GetObjectItem(a, "behind")))
		printf(_(", %.0f behind\n"), pub_views_num(a, "behind"));
	else
		printf(_(", no presence yet\n"));
}

static void
advisory_text(const cJSON *a, int flags)
{
	char buf[CB_TIME_BUFSZ];

	printf(_("%s  %-8s %-24s %s  %.0f/%.0f received, %.0f/%.0f "
		 "acknowledged\n"), when(a, "issued", flags, "-", buf),
	    cb_locale_word(pub_views_str(a, "severity")),
	    pub_views_str(a, "id"),
	    pub_views_str(a, "title"), pub_views_num(a, "received"),
	    pub_views_num(a, "registered"), pub_views_num(a, "acknowledged"),
	    pub_views_num(a, "registered"));
}

int
pub_views_print(enum pub_view kind, cJSON *view, int flags)
{
	static void (*const text[])(const cJSON *, int) = {
		[PUB_VIEW_RECEIPTS] = receipt_text,
		[PUB_VIEW_OVERDUE] = overdue_text,
		[PUB_VIEW_REPORTS] = report_text,
		[PUB_VIEW_AGENCIES] = agency_text,
		[PUB_VIEW_ADVISORIES] = advisory_text,
		[PUB_VIEW_RELAYS] = relay_text,
	};
	const cJSON *e;
	int n = cJSON_GetArraySize(view);

	if (flags & PUB_VIEWS_JSON) {
		print_json(view);
	} else {
		if (kind == PUB_VIEW_RECEIPTS)
			receipts_heading(flags);
		if (kind == PUB_VIEW_RELAYS && n > 0)
			printf(_("Relays (not agencies):\n"));
		cJSON_ArrayForEach(e, view)
			text[kind](e, flags);
	}
	cJSON_Delete(view);
	return n > 0 ? 0 : 1;
}

int
pub_views_print_drill(cJSON *drill, int flags)
{
	const cJSON *e;
	int all = pub_views_drill_all(drill, 0);

	if (flags & PUB_VIEWS_JSON) {
		print_json(drill);
	} else {
		receipts_heading(flags);
		cJSON_ArrayForEach(e, cJSON_GetObjectItem(drill, "agencies"))
			receipt_text(e, flags);
		printf(_("%.0f/%.0f received, %.0f/%.0f acknowledged\n"),
		    pub_views_num(drill, "received"),
		    pub_views_num(drill, "registered"),
		    pub_views_num(drill, "acknowledged"),
		    pub_views_num(drill, "registered"));
	}
	cJSON_Delete(drill);
	return all ? 0 : 1;
}

/* A CSAF feed's signatures and walk, when it has them. */
static void
print_csaf(const cJSON *f)
{
	const cJSON *why;

	if (str_or(f, "signatures", NULL) == NULL)
		return;
	printf("  signatures %s, %.0f keys pinned, %.0f rejected, "
	       "%.0f unverified, %.0f left for the next poll\n",
	    pub_views_str(f, "signatures"), pub_views_num(f, "keys"),
	    pub_views_num(f, "rejected"), pub_views_num(f, "unverified"),
	    pub_views_num(f, "deferred"));
	cJSON_ArrayForEach(why, cJSON_GetObjectItem(f, "rejections"))
		if (cJSON_IsString(why))
			printf("  rejected: %s\n", why->valuestring);
}

static void
print_feed(const cJSON *f, int flags)
{
	char b1[CB_TIME_BUFSZ], b2[CB_TIME_BUFSZ];

	printf(_("feed %s (%s) %s\n"), pub_views_str(f, "name"),
	    pub_views_str(f, "format"), pub_views_str(f, "url"));
	if (str_or(f, "stream", NULL) != NULL) /* misp-zmq: no polls */
		printf(_("  last success %s, stream %s, %.0f items, %.0f "
			 "published, %.0f updated\n"),
		    when(f, "last_success", flags, _("never"), b1),
		    cb_locale_word(str_or(f, "stream", "")),
		    pub_views_num(f, "items"), pub_views_num(f, "published"),
		    pub_views_num(f, "updated"));
	else
		printf(_("  last success %s, next poll %s, %.0f items, %.0f "
			 "published, %.0f updated\n"),
		    when(f, "last_success", flags, _("never"), b1),
		    strcmp(pub_views_str(f, "next_poll"), "now") == 0 ?
			_("now") : when(f, "next_poll", flags, "-", b2),
		    pub_views_num(f, "items"), pub_views_num(f, "published"),
		    pub_views_num(f, "updated"));
	if (str_or(f, "last_error", NULL) != NULL)
		printf(_("  last error: %s\n"), str_or(f, "last_error", NULL));
	print_csaf(f);
}

void
pub_views_print_status(const cJSON *r, int flags)
{
	const cJSON *f;

	if (flags & PUB_VIEWS_JSON) {
		print_json(r);
		return;
	}
	printf(_("key id     %s\nbroadcast  %s\nlast seq   %.0f\n"
		 "published  %.0f since start\nuptime     %.0f s\n"),
	    pub_views_str(r, "key_id"), pub_views_str(r, "broadcast"),
	    pub_views_num(r, "last_seq"), pub_views_num(r, "published"),
	    pub_views_num(r, "uptime"));
	printf(_("connected  %.0f on the broadcast channel\n"),
	    pub_views_num(r, "subscribers_connected"));
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(r, "feeds"))
		print_feed(f, flags);
}
