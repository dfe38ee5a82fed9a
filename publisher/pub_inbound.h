/*
 * pub_inbound: the way back.  What agencies send on the requests channel,
 * signed by their own keys: receipts (an advisory was archived, or
 * acknowledged by someone), presence (the agency's subscriber is alive)
 * and incident reports with attachments.  Each message is verified
 * against the agency registry, kept exactly once (by the agency's own
 * sequence number, with its signed bytes), and then shown by the views:
 * who received and acknowledged an advisory, who is overdue, who has
 * gone silent, which incidents were reported.
 *
 * The payloads are JSON objects, specified in canhbao.7.
 */
#ifndef PUB_INBOUND_H
#define PUB_INBOUND_H

#include <stddef.h>
#include <stdint.h>

#include "cb_err.h"
#include "cb_req.h"
#include "pub_journal.h"

struct cJSON;

#define PUB_REPORT_MAX_ATTACH (4 * 1024 * 1024) /* bytes, all together */
#define PUB_REPORT_MAX_FILES 16

struct pub_inbound_result {
	enum cb_req_status status; /* what to CONFIRM */
	uint8_t key_id[8];
	uint64_t seq;
	char agency[65];           /* when the key is registered */
	int type;                  /* CB_MSG_RECEIPT, _PRESENCE, _REPORT */
	int fresh;                 /* kept now (not seen before) */
};

/* Verify and keep one agency message.  Always fills res (status says
 * what to answer); returns 0 when kept, -1 with err saying why not. */
int pub_inbound_submit(struct pub_journal *j, const uint8_t *signed_bytes,
    size_t signed_len, const uint8_t *sigblock, size_t sigblock_len,
    int64_t now, struct pub_inbound_result *res, struct cb_err *err);

/* A report as JSON (agency, seq, received, filed, severity, title,
 * details, attachments: [{name, size}]); NULL when there is none. */
struct cJSON *pub_inbound_report(struct pub_journal *j, const char *agency,
    uint64_t seq, struct cb_err *err);

/* --- views (JSON shapes in canhbao-pub.8) --------------------------------- */

/* Per registered agency: received and acknowledged times of advisory
 * id (any revision), who acknowledged, the note. */
struct cJSON *pub_inbound_receipts(struct pub_journal *j, const char *id,
    struct cb_err *err);

/* Agencies with advisories of at least min_severity, published before
 * older_than (Unix seconds), that they have not acknowledged. */
struct cJSON *pub_inbound_overdue(struct pub_journal *j, int min_severity,
    int64_t older_than, struct cb_err *err);

/* Every report, newest first; with save_dir, attachments are written
 * there as AGENCY-SEQ-NAME. */
struct cJSON *pub_inbound_reports(struct pub_journal *j, const char *save_dir,
    struct cb_err *err);

/* Registered agencies with their last contact, and silent: true when
 * that is older than silent_after seconds (or never). */
struct cJSON *pub_inbound_agencies(struct pub_journal *j, int64_t now,
    int64_t silent_after, struct cb_err *err);

/* 1 when advisory id is in the journal, 0 when not, -1 on error. */
int pub_inbound_known(struct pub_journal *j, const char *id,
    struct cb_err *err);

#endif
