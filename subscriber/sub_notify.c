/* sub_notify: terminal, desktop, journal and hook paths (sub_notify.h). */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>

#include <cjson/cJSON.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "cb_hook.h"
#include "cb_locale.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_time.h"
#include "cb_utf8.h"
#include "sub_notify.h"
#include "sub_search.h"

extern char **environ;

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define ACK_BY_MAX 200 /* bytes, as "canhbao-sub ack --by" takes */

struct sub_notify {
	struct sub_filter filter;
	int terminal, tty;
	int journal, journald;
	struct sub_desk *desk; /* NULL: off */
	struct cb_hook *hook; /* on_advisory, or NULL */
};

/* --- filters ---------------------------------------------------------- */

static int
in_audience(const struct cb_strlist *groups, const struct cb_strlist *aud)
{
	size_t i, j;
	int found = 0;

	if (groups->n == 0 || aud->n == 0)
		return 1; /* no groups set, or meant for everyone */
	for (i = 0; i < aud->n && !found; i++)
		for (j = 0; j < groups->n && !found; j++)
			found = sub_search_same(aud->v[i], groups->v[j]);
	return found;
}

int
sub_filter_match(const struct sub_filter *f, const struct cb_adv *adv,
    const char **why)
{
	const char *no = NULL;

	if (adv->severity < f->min_severity)
		no = "below the minimum severity";
	else if (f->origin >= 0 && (int)adv->origin != f->origin)
		no = "other origin";
	else if ((f->status_mask & (1u << adv->status)) == 0)
		no = "status not notified";
	else if (!in_audience(&f->groups, &adv->audience))
		no = "meant for other agencies";
	if (why != NULL)
		*why = no;
	return no == NULL;
}

/* --- terminal ----------------------------------------------------------- */

static const char *
colour(enum cb_severity sev)
{
	switch (sev) {
	case CB_SEV_CRITICAL:
		return "\033[1;31m";
	case CB_SEV_HIGH:
		return "\033[31m";
	case CB_SEV_MEDIUM:
		return "\033[33m";
	case CB_SEV_LOW:
		return "\033[36m";
	case CB_SEV_INFO:
		break;
	}
	return "";
}

/* line is printable already.  Plain text when stdout is not a tty;
 * a bell for a critical one unless it is old news (bell 0). */
static void
terminal_line(struct sub_notify *n, const char *line, enum cb_severity sev,
    int bell)
{
	const char *c = colour(sev);

	if (!n->terminal)
		return;
	if (n->tty)
		printf("%s%s%s%s\n", c, line, *c ? "\033[0m" : "",
		    bell && sev == CB_SEV_CRITICAL ? "\a" : "");
	else
		printf("%s\n", line);
	fflush(stdout);
}

/* "SEQ SEVERITY ID rREVISION [STATUS] TITLE", made safe to print;
 * the caller frees it. */
static char *
advisory_line(uint64_t seq, const struct cb_adv *a)
{
	char *title = cb_utf8_printable(a->title);
	char *id = cb_utf8_printable(a->id);
	char status[32] = "", *line;

	if (a->status != CB_STATUS_ACTUAL)
		snprintf(status, sizeof(status), "[%s] ",
		    cb_status_name(a->status));
	line = cb_xasprintf("%llu %s %s r%u %s%s", (unsigned long long)seq,
	    cb_severity_name(a->severity), id, a->revision, status, title);
	free(title);
	free(id);
	return line;
}

/* --- journal / syslog ------------------------------------------------ */

static int
priority(enum cb_severity sev)
{
	switch (sev) {
	case CB_SEV_CRITICAL:
		return LOG_CRIT;
	case CB_SEV_HIGH:
		return LOG_ERR;
	case CB_SEV_MEDIUM:
		return LOG_WARNING;
	case CB_SEV_LOW:
		return LOG_NOTICE;
	case CB_SEV_INFO:
		break;
	}
	return LOG_INFO;
}

static void
journal_advisory(struct sub_notify *n, enum sub_event ev, uint64_t seq,
    const struct cb_adv *a, const char *line)
{
	const char *event = ev == SUB_EVENT_REMINDER ? "reminder" : "advisory";
	int prio = priority(a->severity);
	char *id;

	if (!n->journal)
		return;
	if (!n->journald) {
		syslog(prio, "%s: %s", event, line);
		return;
	}
	id = cb_utf8_printable(a->id);
	sd_journal_send("MESSAGE=%s: %s", event, line, "PRIORITY=%d", prio,
	    "SYSLOG_IDENTIFIER=canhbao-sub", "CANHBAO_EVENT=%s", event,
	    "CANHBAO_SEQ=%llu", (unsigned long long)seq, "CANHBAO_ID=%s", id,
	    "CANHBAO_REVISION=%u", a->revision, "CANHBAO_KIND=%s",
	    cb_kind_name(a->kind), "CANHBAO_SEVERITY=%s",
	    cb_severity_name(a->severity), "CANHBAO_STATUS=%s",
	    cb_status_name(a->status), "CANHBAO_ORIGIN=%s",
	    cb_origin_name(a->origin), NULL);
	free(id);
}

static void
journal_alarm(struct sub_notify *n, int raised, const char *line)
{
	int prio = raised ? LOG_CRIT : LOG_INFO;

	if (!n->journal)
		return;
	if (!n->journald)
		syslog(prio, "%s", line);
	else
		sd_journal_send("MESSAGE=%s", line, "PRIORITY=%d", prio,
		    "SYSLOG_IDENTIFIER=canhbao-sub", "CANHBAO_EVENT=alarm",
		    "CANHBAO_ALARM=%s", raised ? "raised" : "cleared", NULL);
}

/* --- hook --------------------------------------------------------------- */

static void
hook_advisory(struct sub_notify *n, enum sub_event ev, uint64_t seq,
    const struct cb_adv *a, const uint8_t *json, size_t len)
{
	struct cb_hook_job *j;
	char num[32], label[96], *s;

	if (n->hook == NULL)
		return;
	s = cb_utf8_printable(a->id);
	snprintf(label, sizeof(label), "%s seq %llu", s,
	    (unsigned long long)seq);
	j = cb_hook_job_new(label, json, len);
	cb_hook_job_env(j, "CANHBAO_EVENT",
	    ev == SUB_EVENT_REMINDER ? "reminder" : "advisory");
	cb_hook_job_env(j, "CANHBAO_ID", s);
	free(s);
	cb_hook_job_env(j, "CANHBAO_SEVERITY", cb_severity_name(a->severity));
	s = cb_utf8_printable(a->title);
	cb_hook_job_env(j, "CANHBAO_TITLE", s);
	free(s);
	cb_hook_job_env(j, "CANHBAO_ORIGIN", cb_origin_name(a->origin));
	cb_hook_job_env(j, "CANHBAO_STATUS", cb_status_name(a->status));
	cb_hook_job_env(j, "CANHBAO_KIND", cb_kind_name(a->kind));
	snprintf(num, sizeof(num), "%llu", (unsigned long long)seq);
	cb_hook_job_env(j, "CANHBAO_SEQ", num);
	snprintf(num, sizeof(num), "%u", a->revision);
	cb_hook_job_env(j, "CANHBAO_REVISION", num);
	cb_hook_submit(n->hook, j);
}

static void
hook_alarm(struct sub_notify *n, int raised, int stale_after, const char *why,
    const char *line)
{
	struct cb_hook_job *j;
	cJSON *o;
	char *input;

	if (n->hook == NULL)
		return;
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "event", "alarm");
	cJSON_AddStringToObject(o, "alarm", "stale-channel");
	cJSON_AddBoolToObject(o, "raised", raised);
	cJSON_AddNumberToObject(o, "stale_after", stale_after);
	if (raised && why != NULL)
		cJSON_AddStringToObject(o, "reason", why);
	input = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (input == NULL)
		cb_oom(0);
	j = cb_hook_job_new(raised ? "the raised alarm" : "the cleared alarm",
	    input, strlen(input));
	free(input);
	cb_hook_job_env(j, "CANHBAO_EVENT", "alarm");
	cb_hook_job_env(j, "CANHBAO_ID", "alarm:stale-channel");
	cb_hook_job_env(j, "CANHBAO_SEVERITY", raised ? "critical" : "info");
	cb_hook_job_env(j, "CANHBAO_TITLE", line);
	cb_hook_job_env(j, "CANHBAO_ORIGIN", "");
	cb_hook_job_env(j, "CANHBAO_STATUS", "actual");
	cb_hook_job_env(j, "CANHBAO_ALARM", raised ? "raised" : "cleared");
	cb_hook_submit(n->hook, j);
}

/* --- the paths together ------------------------------------------------- */

struct sub_notify *
sub_notify_new(const struct sub_config *cfg, struct cb_err *err)
{
	struct sub_notify *n = cb_xcalloc(1, sizeof(*n));
	int r;

	if (cfg->ack_by != NULL &&
	    (cfg->ack_by[0] == '\0' || strlen(cfg->ack_by) > ACK_BY_MAX ||
		!cb_utf8_valid(cfg->ack_by, strlen(cfg->ack_by)))) {
		cb_err_set(err, "'ack_by' is 1 to %d bytes of UTF-8 text",
		    ACK_BY_MAX);
		sub_notify_free(n);
		return NULL;
	}
	if (sub_config_filter(cfg, &n->filter, err) < 0 ||
	    (cfg->on_advisory != NULL &&
		(n->hook = cb_hook_new("on_advisory", cfg->on_advisory,
		     cfg->hook_timeout, cfg->hook_retries, err)) == NULL)) {
		sub_notify_free(n);
		return NULL;
	}
	n->terminal = cfg->terminal;
	n->tty = isatty(STDOUT_FILENO);
	n->journal = cfg->journal;
	n->journald = access(JOURNAL_SOCKET, W_OK) == 0;
	if (n->journal && !n->journald)
		openlog("canhbao-sub", LOG_PID, LOG_USER);
	if (cfg->desktop &&
	    (n->desk = sub_desk_open(cfg->state, cfg->ack_by, &r)) == NULL)
		log_info(_("desktop notifications off: no session bus (%s)"),
		    strerror(-r));
	log_info(_("notifying on:%s%s%s%s%s"), n->terminal ? " terminal" : "",
	    n->desk ? " desktop" : "",
	    !n->journal	      ? ""
		: n->journald ? " journal"
			      : " syslog",
	    n->hook ? " hook " : "", n->hook ? cfg->on_advisory : "");
	return n;
}

int64_t
sub_notify_deadline(const struct sub_notify *n)
{
	int64_t at = sub_desk_deadline(n->desk), hook;

	if (n->hook != NULL && cb_hook_busy(n->hook) > 0) {
		hook = cb_time_mono_ms() + SUB_NOTIFY_HOOK_POLL_MS;
		if (at < 0 || hook < at)
			at = hook;
	}
	return at;
}

size_t
sub_notify_hooks_pending(const struct sub_notify *n)
{
	return n->hook != NULL ? cb_hook_busy(n->hook) : 0;
}

void
sub_notify_free(struct sub_notify *n)
{
	size_t left;

	if (n == NULL)
		return;
	left = sub_notify_hooks_pending(n);
	if (left > 0)
		log_warnx(_("stopping %zu hook run(s) still running or "
			    "waiting"),
		    left);
	cb_hook_free(n->hook);
	sub_desk_free(n->desk);
	if (n->journal && !n->journald)
		closelog();
	sub_filter_release(&n->filter);
	free(n);
}

void
sub_notify_take_desk(struct sub_notify *next, struct sub_notify *old,
    const char *ack_by)
{
	struct sub_desk *fresh = next->desk;

	if (fresh == NULL || old->desk == NULL)
		return;
	next->desk = old->desk;
	old->desk = fresh;
	sub_desk_set_ack_by(next->desk, ack_by);
}

int
sub_notify_advisory(struct sub_notify *n, enum sub_event ev, uint64_t seq,
    const struct cb_adv *adv, const uint8_t *json, size_t len)
{
	const char *why;
	char *line, *shown;

	if (!sub_filter_match(&n->filter, adv, &why)) {
		log_debug("seq %llu not notified: %s",
		    (unsigned long long)seq, why);
		return 0;
	}
	line = advisory_line(seq, adv);
	shown = ev == SUB_EVENT_REMINDER ? cb_xasprintf("REMINDER %s", line) :
					   cb_xstrdup(line);
	terminal_line(n, shown, adv->severity, ev != SUB_EVENT_CATCHUP);
	journal_advisory(n, ev, seq, adv, line);
	sub_desk_advisory(n->desk, ev, adv);
	hook_advisory(n, ev, seq, adv, json, len);
	free(shown);
	free(line);
	return 1;
}

void
sub_notify_alarm(struct sub_notify *n, int raised, int stale_after,
    const char *why, const char *why_local)
{
	char line[640];

	if (raised)
		snprintf(line, sizeof(line), "ALARM stale channel: no valid "
		    "heartbeat from the publisher for %d s%s%s", stale_after,
		    why != NULL ? ": " : "", why != NULL ? why : "");
	else
		snprintf(line, sizeof(line), "ALARM cleared: heartbeats from "
		    "the publisher are back");
	terminal_line(n, line, raised ? CB_SEV_CRITICAL : CB_SEV_INFO, 1);
	journal_alarm(n, raised, line);
	sub_desk_alarm(n->desk, raised, stale_after, why_local);
	hook_alarm(n, raised, stale_after, why, line);
}

void
sub_notify_set_ops(struct sub_notify *n, const struct sub_desk_ops *ops)
{
	sub_desk_set_ops(n->desk, ops);
}

int
sub_notify_fd(struct sub_notify *n, short *events)
{
	return n != NULL ? sub_desk_fd(n->desk, events) : -1;
}

void
sub_notify_process(struct sub_notify *n)
{
	sub_desk_process(n->desk);
}

void
sub_notify_tick(struct sub_notify *n)
{
	cb_hook_tick(n->hook);
	sub_desk_tick(n->desk);
}
