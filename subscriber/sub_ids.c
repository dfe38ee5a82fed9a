/* sub_ids: ids, id prefixes and sequence numbers (see sub_ids.h). */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "cb_db.h"
#include "sub_ids.h"
#include "sub_store.h"

uint64_t
sub_ids_seq(const char *arg)
{
	const char *p = arg[0] == '#' ? arg + 1 : arg;
	unsigned long long v;
	char *end;

	if (!isdigit((unsigned char)*p) || strlen(p) > 19)
		return 0;
	v = strtoull(p, &end, 10);
	return *end == '\0' ? (uint64_t)v : 0;
}

/* The ids that begin with prefix (one more than SUB_IDS_CANDIDATES at
 * most, to tell "that many" from "more") into ids: their count or -1. */
static int
with_prefix(struct sub_store *s, const char *prefix, struct cb_strlist *ids,
    struct cb_err *err)
{
	sqlite3_stmt *st = cb_db_prepare(sub_store_db(s),
	    "SELECT DISTINCT adv_id FROM message WHERE "
	    "substr(adv_id, 1, length(?1)) = ?1 ORDER BY adv_id LIMIT ?2",
	    err);
	int rc, n = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, SUB_IDS_CANDIDATES + 1);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		cb_strlist_add(ids, (const char *)sqlite3_column_text(st, 0));
		n++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return cb_db_error(sub_store_db(s), "archive", err);
	return n;
}

int
sub_ids_fetch(struct sub_store *s, const char *arg, struct sub_row *out,
    struct cb_strlist *cands, struct cb_err *err)
{
	uint64_t seq = sub_ids_seq(arg);
	int rc;

	if (*arg == '\0')
		return 0;
	if ((rc = sub_store_get(s, arg, out, err)) != 0)
		return rc;
	if (seq != 0)
		return sub_store_get_seq(s, seq, out, err);
	rc = with_prefix(s, arg, cands, err);
	if (rc == 1) {
		rc = sub_store_get(s, cands->v[0], out, err);
		cb_strlist_release(cands);
		return rc;
	}
	return rc > 1 ? 2 : rc;
}
