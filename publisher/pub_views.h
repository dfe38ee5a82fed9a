/*
 * pub_views: what the duty officer reads, the publisher's counterpart
 * of the subscriber's lookups: who received and acknowledged an
 * advisory, who is overdue, the incident reports, the agencies and
 * whether each has gone silent, and the daemon's status.
 *
 * The views are read-only: they join the journal's messages and agency
 * registry with the inbound tables (pub_inbound) and return JSON (shapes
 * in canhbao-pub.8) that the caller owns.  The pub_views_print
 * functions are the one-shot commands' output on stdout.
 */
#ifndef PUB_VIEWS_H
#define PUB_VIEWS_H

#include <stdint.h>

#include "cb_err.h"
#include "pub_journal.h"

struct cJSON;

/* 1 when advisory id is in the journal, 0 when not, -1 on error. */
int pub_views_known(struct pub_journal *j, const char *id,
    struct cb_err *err);

/* Per registered agency: received and acknowledged times of advisory
 * id (any revision), who acknowledged, the note. */
struct cJSON *pub_views_receipts(struct pub_journal *j, const char *id,
    struct cb_err *err);

/* Agencies with advisories of at least min_severity, published before
 * older_than (Unix seconds), that they have not acknowledged. */
struct cJSON *pub_views_overdue(struct pub_journal *j, int min_severity,
    int64_t older_than, struct cb_err *err);

/* Per registered agency, by name (/metrics): its last contact, and how
 * many critical advisories (latest revision, issued at or after since
 * (Unix seconds) and since the agency was registered) it has not
 * received, and not acknowledged.  The strings are borrowed for the
 * call of fn. */
struct pub_agency_health {
	const char *name;
	int64_t last_contact; /* Unix seconds, 0 never */
	long unreceived, unacknowledged;
};
int pub_views_agency_health(struct pub_journal *j, int64_t since,
    void (*fn)(const struct pub_agency_health *h, void *arg), void *arg,
    struct cb_err *err);

/* Which reports pub_views_reports shows; zero for all of them. */
struct pub_report_filter {
	const char *agency; /* only this agency's */
	int64_t since;      /* only those received at or after (Unix s) */
	int unhandled;      /* only those not marked handled */
};

/* The reports f selects, newest (by when the publisher received them)
 * first; with save_dir, attachments are written there as
 * AGENCY-SEQ-NAME. */
struct cJSON *pub_views_reports(struct pub_journal *j,
    const struct pub_report_filter *f, const char *save_dir,
    struct cb_err *err);

/* One report as JSON (agency, seq, received, filed, severity, title,
 * details, handled: null or {at, by, note}, attachments: [{name,
 * size}]); NULL when there is none. */
struct cJSON *pub_views_report(struct pub_journal *j, const char *agency,
    uint64_t seq, struct cb_err *err);

/* 1 when name is a registered agency or one that sent reports, 0 when
 * neither, -1 on error. */
int pub_views_agency_known(struct pub_journal *j, const char *name,
    struct cb_err *err);

/* A drill's verdict on advisory id: {id, registered, received,
 * acknowledged, agencies: the receipts above}, counting the registered
 * agencies, those that received it (or acknowledged it, which implies
 * receipt) and those that acknowledged it. */
struct cJSON *pub_views_drill(struct pub_journal *j, const char *id,
    struct cb_err *err);

/* 1 when every registered agency has received the drill (with acked,
 * received and acknowledged), else 0. */
int pub_views_drill_all(const struct cJSON *drill, int acked);

/* Print a drill's verdict as JSON, or as the receipts table and a line
 * "N/M received, K/M acknowledged", and free it (flags: PUB_VIEWS_*).
 * Returns the exit status: 0 when every registered agency received it,
 * else 1. */
int pub_views_print_drill(struct cJSON *drill, int flags);

/* The latest limit advisories (their latest revision each), newest
 * first, each as a drill's counts without the agencies: {id, revision,
 * severity, title, published (the advisory's own, as signed; null when
 * it has none), issued (when that revision was signed), seq,
 * registered, received, acknowledged}. */
struct cJSON *pub_views_advisories(struct pub_journal *j, int limit,
    struct cb_err *err);

/* The bytes of attachment name of agency's report seq, malloc'd (the
 * caller frees them), *len its size; NULL with err empty when there is
 * no such attachment, NULL with err set on error. */
void *pub_views_attachment(struct pub_journal *j, const char *agency,
    uint64_t seq, const char *name, size_t *len, struct cb_err *err);

/* Registered agencies (kind "agency") with their last contact, and
 * silent: true when that is older than silent_after seconds at now (or
 * never).  Relays are not among them. */
struct cJSON *pub_views_agencies(struct pub_journal *j, int64_t now,
    int64_t silent_after, struct cb_err *err);

/* Registered relays (kind "relay") with their last contact, the
 * journal's last number their latest presence gave (last_seq) and how
 * far the publisher's latest is ahead of it (behind); both null before
 * a first presence. */
struct cJSON *pub_views_relays(struct pub_journal *j, struct cb_err *err);

/* How the pub_views_print functions print (flags, ORed): JSON rather
 * than text; times in UTC rather than local (text; JSON is always
 * UTC).  1 is JSON, so a "json" boolean also works. */
#define PUB_VIEWS_JSON 1
#define PUB_VIEWS_UTC 2

enum pub_view {
	PUB_VIEW_RECEIPTS,
	PUB_VIEW_OVERDUE,
	PUB_VIEW_REPORTS,
	PUB_VIEW_AGENCIES,
	PUB_VIEW_ADVISORIES,
	PUB_VIEW_RELAYS, /* text under a heading of its own */
};

/* Print view (one of the arrays above) as JSON, or as text in the
 * user's language, and free it (flags: PUB_VIEWS_*).  Returns the exit
 * status: 0 when it has entries, 1 when empty. */
int pub_views_print(enum pub_view kind, struct cJSON *view, int flags);

/* Fields of a view or a daemon reply, tolerant of a missing one: the
 * string ("-" when missing), the number (0). */
const char *pub_views_str(const struct cJSON *obj, const char *key);
double pub_views_num(const struct cJSON *obj, const char *key);

/* Print the daemon's reply to "status" as JSON, or as text (flags:
 * PUB_VIEWS_*). */
void pub_views_print_status(const struct cJSON *status, int flags);

#endif
