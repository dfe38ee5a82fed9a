/* sub_notify: terminal, desktop, journal and hook paths (sub_notify.h). */
#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <libintl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-bus.h>
#include <systemd/sd-journal.h>

#include "cb_buf.h"
#include "cb_hook.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_time.h"
#include "cb_utf8.h"
#include "sub_notify.h"
#include "sub_search.h"

#define _(s) gettext(s)

extern char **environ;

#define JOURNAL_SOCKET "/run/systemd/journal/socket"
#define BUS_RETRY_MS 30000
#define BUS_CALL_TIMEOUT_US (10 * 1000000ULL)
#define NOTIFY_DEST "org.freedesktop.Notifications"
#define NOTIFY_PATH "/org/freedesktop/Notifications"
#define BODY_COLUMNS 400 /* of the advisory's summary in a pop-up */

struct desktop {
	sd_bus *bus; /* NULL: off, or lost (retry_at) */
	int lost;
	int64_t retry_at;
	int markup;         /* the server reads body markup (escape) */
	uint32_t alarm_id;  /* pop-up of the raised alarm, to replace */
	int64_t window_start;
	int shown;          /* pop-ups in this window */
	int held, held_critical;
	int failing;        /* a failure is logged; quiet until success */
};

struct sub_notify {
	struct sub_filter filter;
	int terminal, tty;
	int journal, journald;
	struct desktop desk;
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

/* line is printable already.  Plain text when stdout is not a tty. */
static void
terminal_line(struct sub_notify *n, const char *line, enum cb_severity sev)
{
	const char *c = colour(sev);

	if (!n->terminal)
		return;
	if (n->tty)
		printf("%s%s%s%s\n", c, line, *c ? "\033[0m" : "",
		    sev == CB_SEV_CRITICAL ? "\a" : "");
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

/* --- desktop ------------------------------------------------------------ */

static void
desk_failed(struct sub_notify *n, const char *what, const char *detail)
{
	if (!n->desk.failing)
		log_warnx("desktop notification failed: %s%s%s (further "
		    "failures are not logged until one succeeds)", what,
		    detail ? ": " : "", detail ? detail : "");
	n->desk.failing = 1;
}

static void
desk_lost(struct sub_notify *n, int r)
{
	log_warnx("desktop notifications: session bus lost (%s); trying "
	    "again every %d s", strerror(-r), BUS_RETRY_MS / 1000);
	n->desk.bus = sd_bus_close_unref(n->desk.bus);
	n->desk.lost = 1;
	n->desk.retry_at = cb_time_mono_ms() + BUS_RETRY_MS;
}

/* The id of the pop-up a Notify reply carries (0 after an error, which
 * is logged). */
static uint32_t
reply_id(struct sub_notify *n, sd_bus_message *m)
{
	const sd_bus_error *e = sd_bus_message_get_error(m);
	uint32_t id = 0;

	if (e != NULL) {
		desk_failed(n, e->name, e->message);
		return 0;
	}
	n->desk.failing = 0;
	if (sd_bus_message_read(m, "u", &id) < 0)
		return 0;
	log_debug("desktop notification %u shown", id);
	return id;
}

static int
on_reply(sd_bus_message *m, void *arg, sd_bus_error *ret)
{
	(void)ret;
	reply_id(arg, m);
	return 0;
}

static int
on_alarm_reply(sd_bus_message *m, void *arg, sd_bus_error *ret)
{
	struct sub_notify *n = arg;

	(void)ret;
	n->desk.alarm_id = reply_id(n, m);
	return 0;
}

static int
on_caps(sd_bus_message *m, void *arg, sd_bus_error *ret)
{
	struct sub_notify *n = arg;
	const char *cap;

	(void)ret;
	if (sd_bus_message_get_error(m) != NULL ||
	    sd_bus_message_enter_container(m, 'a', "s") < 0)
		return 0;
	n->desk.markup = 0;
	while (sd_bus_message_read(m, "s", &cap) > 0)
		if (strcmp(cap, "body-markup") == 0)
			n->desk.markup = 1;
	return 0;
}

/* Connect to the session bus; 0, or -errno when there is none. */
static int
desk_open(struct sub_notify *n)
{
	int r = sd_bus_open_user(&n->desk.bus);

	if (r < 0) {
		n->desk.bus = NULL;
		return r;
	}
	n->desk.lost = 0;
	n->desk.markup = 1; /* escape until the server says it need not */
	r = sd_bus_call_method_async(n->desk.bus, NULL, NOTIFY_DEST,
	    NOTIFY_PATH, NOTIFY_DEST, "GetCapabilities", on_caps, n, NULL);
	if (r < 0)
		desk_failed(n, "GetCapabilities", strerror(-r));
	return 0;
}

/* &, < and > as entities when the server reads markup. */
static char *
markup_escape(const struct sub_notify *n, const char *s)
{
	struct cb_buf b;

	if (!n->desk.markup)
		return cb_xstrdup(s);
	cb_buf_init(&b, strlen(s) * 5 + 1);
	for (; *s != '\0'; s++) {
		if (*s == '&')
			cb_buf_appendstr(&b, "&amp;", NULL);
		else if (*s == '<')
			cb_buf_appendstr(&b, "&lt;", NULL);
		else if (*s == '>')
			cb_buf_appendstr(&b, "&gt;", NULL);
		else
			cb_buf_append(&b, s, 1, NULL);
	}
	return cb_buf_detach(&b, NULL);
}

/* One Notify call; title and body printable UTF-8 (body escaped). */
static void
desk_send(struct sub_notify *n, const char *title, const char *body,
    uint8_t urgency, const char *category, uint32_t replaces,
    sd_bus_message_handler_t reply)
{
	int32_t timeout = urgency == 2 ? 0 : -1; /* critical: until closed */
	int r;

	if (n->desk.bus == NULL)
		return;
	r = sd_bus_call_method_async(n->desk.bus, NULL, NOTIFY_DEST,
	    NOTIFY_PATH, NOTIFY_DEST, "Notify", reply, n, "susssasa{sv}i",
	    "canhbao", replaces, urgency == 2 ? "dialog-warning" :
					 "dialog-information",
	    title, body, 0, 2, "urgency", "y", urgency, "category", "s",
	    category, timeout);
	if (r < 0)
		desk_failed(n, "Notify", strerror(-r));
	sub_notify_process(n);
}

static uint8_t
urgency(enum cb_severity sev)
{
	return sev == CB_SEV_CRITICAL ? 2 : sev >= CB_SEV_MEDIUM ? 1 : 0;
}

static const char *
severity_label(enum cb_severity sev)
{
	switch (sev) {
	case CB_SEV_CRITICAL:
		return _("Critical");
	case CB_SEV_HIGH:
		return _("High");
	case CB_SEV_MEDIUM:
		return _("Medium");
	case CB_SEV_LOW:
		return _("Low");
	case CB_SEV_INFO:
		break;
	}
	return _("Information");
}

/* "[EXERCISE] Reminder: Critical: TITLE" and the like. */
static char *
desk_title(enum sub_event ev, const struct cb_adv *a)
{
	const char *status = "", *what = "";
	char *title = cb_utf8_printable(a->title), *s;

	if (a->status == CB_STATUS_EXERCISE)
		status = _("[EXERCISE] ");
	else if (a->status == CB_STATUS_TEST)
		status = _("[TEST] ");
	if (ev == SUB_EVENT_REMINDER)
		what = _("Not acknowledged: ");
	else if (a->kind == CB_KIND_UPDATE)
		what = _("Update: ");
	else if (a->kind == CB_KIND_CANCEL)
		what = _("Cancelled: ");

	s = cb_xasprintf("%s%s%s: %s", status, what,
	    severity_label(a->severity), title);
	free(title);
	return s;
}

/* The advisory's summary (cut), then its id and what to do. */
static char *
desk_body(const struct sub_notify *n, enum sub_event ev,
    const struct cb_adv *a)
{
	char *summary = cb_utf8_printable(a->summary ? a->summary : "");
	char *id = cb_utf8_printable(a->id), *text, *body;
	size_t i = cb_utf8_prefix_cols(summary, BODY_COLUMNS, NULL);

	text = cb_xasprintf("%.*s%s%s%s r%u%s%s", (int)i, summary,
	    summary[i] ? "\xe2\x80\xa6" : "", i ? "\n" : "", id, a->revision,
	    ev == SUB_EVENT_REMINDER ? "\n" : "",
	    ev == SUB_EVENT_REMINDER ?
		_("Acknowledge it: canhbao-sub ack --state DIR ID --by NAME") :
		"");
	body = markup_escape(n, text);
	free(summary);
	free(id);
	free(text);
	return body;
}

/* The pop-ups held back in the last window, as one. */
static void
desk_flush(struct sub_notify *n)
{
	struct desktop *d = &n->desk;
	char *title;

	if (d->held == 0)
		return;
	title = cb_xasprintf(ngettext("%d more advisory (%d critical)",
				 "%d more advisories (%d critical)", d->held),
	    d->held, d->held_critical);
	desk_send(n, title, _("See them with: canhbao-sub list --unread"),
	    d->held_critical ? 2 : 1, "x-canhbao.advisory", 0, on_reply);
	free(title);
	d->held = d->held_critical = 0;
}

/* May a pop-up be shown now?  Otherwise it is counted for the summary
 * at the end of the window. */
static int
desk_budget(struct sub_notify *n, int critical)
{
	struct desktop *d = &n->desk;
	int64_t now = cb_time_mono_ms();

	if (now - d->window_start >= SUB_NOTIFY_WINDOW * 1000) {
		desk_flush(n);
		d->window_start = now;
		d->shown = 0;
	}
	if (d->shown < SUB_NOTIFY_BURST) {
		d->shown++;
		return 1;
	}
	d->held++;
	d->held_critical += critical;
	return 0;
}

static void
desk_advisory(struct sub_notify *n, enum sub_event ev, const struct cb_adv *a)
{
	char *title, *body;

	if (n->desk.bus == NULL ||
	    !desk_budget(n, a->severity == CB_SEV_CRITICAL))
		return;
	title = desk_title(ev, a);
	body = desk_body(n, ev, a);
	desk_send(n, title, body, urgency(a->severity), "x-canhbao.advisory", 0,
	    on_reply);
	free(title);
	free(body);
}

static void
desk_alarm(struct sub_notify *n, int raised, int stale_after)
{
	char *body;

	if (n->desk.bus == NULL)
		return;
	if (raised) {
		body = cb_xasprintf(_("No valid heartbeat from the publisher "
				      "for %d s: new warnings may not be "
				      "arriving."),
		    stale_after);
		desk_send(n, _("canhbao: the warning channel is silent"),
		    body, 2, "x-canhbao.alarm", 0, on_alarm_reply);
		free(body);
	} else {
		desk_send(n, _("canhbao: the warning channel is back"),
		    _("Heartbeats from the publisher are arriving again."), 1,
		    "x-canhbao.alarm", n->desk.alarm_id, on_reply);
		n->desk.alarm_id = 0;
	}
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
hook_alarm(struct sub_notify *n, int raised, int stale_after, const char *line)
{
	struct cb_hook_job *j;
	char *input;

	if (n->hook == NULL)
		return;
	input = cb_xasprintf("{\"event\":\"alarm\",\"alarm\":"
			     "\"stale-channel\",\"raised\":%s,"
			     "\"stale_after\":%d}",
	    raised ? "true" : "false", stale_after);
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
	if (cfg->desktop && (r = desk_open(n)) < 0)
		log_info("desktop notifications off: no session bus (%s)",
		    strerror(-r));
	log_info("notifying on:%s%s%s%s%s", n->terminal ? " terminal" : "",
	    n->desk.bus ? " desktop" : "",
	    !n->journal ? "" : n->journald ? " journal" : " syslog",
	    n->hook ? " hook " : "", n->hook ? cfg->on_advisory : "");
	return n;
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
		log_warnx("stopping %zu hook run(s) still running or waiting",
		    left);
	cb_hook_free(n->hook);
	sd_bus_close_unref(n->desk.bus);
	if (n->journal && !n->journald)
		closelog();
	sub_filter_release(&n->filter);
	free(n);
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
	terminal_line(n, shown, adv->severity);
	journal_advisory(n, ev, seq, adv, line);
	desk_advisory(n, ev, adv);
	hook_advisory(n, ev, seq, adv, json, len);
	free(shown);
	free(line);
	return 1;
}

void
sub_notify_alarm(struct sub_notify *n, int raised, int stale_after)
{
	char line[160];

	if (raised)
		snprintf(line, sizeof(line), "ALARM stale channel: no valid "
		    "heartbeat from the publisher for %d s", stale_after);
	else
		snprintf(line, sizeof(line), "ALARM cleared: heartbeats from "
		    "the publisher are back");
	terminal_line(n, line, raised ? CB_SEV_CRITICAL : CB_SEV_INFO);
	journal_alarm(n, raised, line);
	desk_alarm(n, raised, stale_after);
	hook_alarm(n, raised, stale_after, line);
}

int
sub_notify_fd(struct sub_notify *n, short *events)
{
	int e;

	if (n == NULL || n->desk.bus == NULL)
		return -1;
	e = sd_bus_get_events(n->desk.bus);
	if (e < 0)
		return -1;
	*events = (short)e;
	return sd_bus_get_fd(n->desk.bus);
}

void
sub_notify_process(struct sub_notify *n)
{
	int r, rounds = 0;

	if (n->desk.bus == NULL)
		return;
	do {
		r = sd_bus_process(n->desk.bus, NULL);
	} while (r > 0 && ++rounds < 64);
	if (r < 0)
		desk_lost(n, r);
}

void
sub_notify_tick(struct sub_notify *n)
{
	cb_hook_tick(n->hook);
	if (n->desk.bus != NULL &&
	    cb_time_mono_ms() - n->desk.window_start >=
		SUB_NOTIFY_WINDOW * 1000)
		desk_flush(n);
	if (n->desk.lost && cb_time_mono_ms() >= n->desk.retry_at &&
	    desk_open(n) < 0)
		n->desk.retry_at = cb_time_mono_ms() + BUS_RETRY_MS;
	sub_notify_process(n);
}
