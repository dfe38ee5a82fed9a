/*
 * pub_inbound: the way back.  What agencies send on the requests channel,
 * signed by their own keys: receipts (an advisory was archived, or
 * acknowledged by someone), presence (the agency's subscriber is alive)
 * and incident reports with attachments.  Each message is verified
 * against the agency registry and kept exactly once (by the agency's own
 * sequence number, with its signed bytes) in the inbound tables, which
 * this module owns inside the journal's file, beside the one thing the
 * department adds: which reports it has handled.  pub_views shows them.
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

#define PUB_REPORT_MAX_ATTACH (4 * 1024 * 1024) /* bytes, all together */
#define PUB_REPORT_MAX_FILES 16

struct pub_inbound_result {
	enum cb_req_status status; /* what to CONFIRM */
	uint8_t key_id[8];
	uint64_t seq;
	uint64_t highest;          /* CB_REQ_TAKEN: the agency's highest */
	char agency[65];           /* when the key is registered */
	int relay;                 /* and it is a relay's */
	int type;                  /* CB_MSG_RECEIPT, _PRESENCE, _REPORT */
	int fresh;                 /* kept now (not seen before) */
	char adv_id[201];          /* a fresh receipt: its advisory, */
	char event[16];            /* "received" or "acknowledged" */
};

/* Verify and keep one agency message.  Always fills res (status says
 * what to answer); returns 0 when kept (the same signed bytes again
 * under a number already held are kept too: a resend), -1 with err
 * saying why not: CB_REQ_LATER for a key no agency has (a malformed
 * signature block is refused for good before the key is looked up),
 * CB_REQ_TAKEN, with res->highest, for other content under a number
 * the agency's messages already hold, else CB_REQ_REFUSED.  A relay's
 * key signs only its presence, whose last_seq is kept (the agencies'
 * messages it passes on are signed by them, so kept as theirs). */
int pub_inbound_submit(struct pub_journal *j, const uint8_t *signed_bytes,
    size_t signed_len, const uint8_t *sigblock, size_t sigblock_len,
    int64_t now, struct pub_inbound_result *res, struct cb_err *err);

/* Mark agency's report seq handled by who (1 to 200 bytes of UTF-8)
 * at time at (Unix seconds), with note (NULL for none, else 1 to 4096
 * bytes); marking it again replaces all three.  Returns 1 when marked,
 * 0 when the agency has no such report, -1 with err. */
int pub_inbound_handle(struct pub_journal *j, const char *agency,
    uint64_t seq, const char *by, const char *note, int64_t at,
    struct cb_err *err);

/* Create the inbound tables in the journal's file, or bring them up to
 * date (their own version, module "inbound" of cb_db.h; tables an older
 * journal made are adopted).  Call once after pub_journal_open, before
 * pub_inbound_submit or pub_views read them. */
int pub_inbound_migrate(struct pub_journal *j, struct cb_err *err);

#endif
