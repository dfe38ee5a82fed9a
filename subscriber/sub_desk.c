/* sub_desk: desktop pop-ups a duty officer can act on (sub_desk.h). */
#include <errno.h>
#include <libintl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <systemd/sd-bus.h>

#include "cb_buf.h"
#include "cb_locale.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_time.h"
#include "cb_utf8.h"
#include "sub_desk.h"
#include "sub_hint.h"

#define _(s) gettext(s)

#define BUS_RETRY_MS 30000
#define BUS_CALL_TIMEOUT_US (10 * 1000000ULL)
#define NOTIFY_DEST "org.freedesktop.Notifications"
#define NOTIFY_PATH "/org/freedesktop/Notifications"
#define BODY_COLUMNS 400     /* of the advisory's summary in a pop-up */
#define DETAILS_COLUMNS 1500 /* of the summary in its details */
#define DETAILS_REFS 5       /* references listed in the details */
#define POPUP_MAX 64         /* advisories whose pop-up is remembered */
#define CATCHUP_QUIET_MS 1000 /* a catch-up is over after this calm */
#define ACK_POLL_MS 1000     /* how often acknowledgements are looked for */
#define CATEGORY "x-canhbao.advisory"

/* What one advisory's pop-up shows, ready to send. */
struct shown {
	char *id;
	unsigned rev;
	enum cb_severity sev;
	int actions; /* offer Show and Acknowledge */
	char *title, *body, *details; /* printable; body, details escaped */
};

/* The pop-up an advisory has on screen. */
struct popup {
	struct shown s;
	uint32_t nid; /* the server's id; 0 until it answers */
	int pending;  /* Notify calls it has not answered yet */
};

/* Advisories held back for one summary pop-up. */
struct batch {
	int n, critical, high;
	int64_t first_ms, last_ms;
	struct shown top[SUB_DESK_FEW]; /* the most severe */
	int ntop;
};

/* One Notify call in flight: whose reply it waits for. */
struct call {
	struct sub_desk *d;
	char *id; /* the advisory, or NULL */
	int alarm;
};

struct sub_desk {
	sd_bus *bus; /* NULL: lost, retried at retry_at */
	int64_t retry_at;
	char *state, *ack_by;
	struct sub_desk_ops ops;
	int markup;  /* the server reads body markup (escape) */
	int actions; /* the server shows actions */
	uint32_t alarm_id;
	int64_t window_start;
	int shown_now; /* pop-ups below high in this window */
	struct batch held, caught;
	struct popup pop[POPUP_MAX];
	int npop;
	int64_t next_poll;
	int failing; /* a failure is logged; quiet until success */
};

/* --- text ----------------------------------------------------------------- */

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

/* &, < and > as entities when the server reads markup. */
static char *
escape(const struct sub_desk *d, const char *s)
{
	struct cb_buf b;

	if (!d->markup)
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

/* b's text, escaped; b is emptied.  The caller frees it. */
static char *
detach_escaped(const struct sub_desk *d, struct cb_buf *b)
{
	char *text = cb_buf_detach(b, NULL), *s = escape(d, text);

	free(text);
	return s;
}

/* "LABEL: COMMAND" (cmd freed). */
static void
add_command(struct cb_buf *b, const char *label, char *cmd)
{
	char *line = cb_xasprintf("%s: %s", label, cmd);

	cb_buf_appendstr(b, line, NULL);
	free(line);
	free(cmd);
}

/* "[EXERCISE] Update: Critical: TITLE" and the like. */
static char *
title_of(enum sub_event ev, const struct cb_adv *a)
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

/* The name an acknowledgement is recorded under: ack_by, or the login
 * name for a hint when there is none.  The caller frees it. */
static char *
ack_name(const struct sub_desk *d)
{
	return d->ack_by != NULL ? cb_xstrdup(d->ack_by) : sub_hint_login();
}

/* "Acknowledge it: canhbao-sub ack ..." for advisory id. */
static void
add_ack_hint(const struct sub_desk *d, struct cb_buf *b, const char *id)
{
	char *by = ack_name(d);

	cb_buf_appendstr(b, "\n", NULL);
	add_command(b, _("Acknowledge it"), sub_hint_ack(d->state, id, by));
	free(by);
}

/* s cut to cols columns (with an ellipsis), then a new line. */
static void
add_cut(struct cb_buf *b, const char *text, size_t cols)
{
	char *s = cb_utf8_printable(text);
	size_t i = cb_utf8_prefix_cols(s, cols, NULL);

	cb_buf_append(b, s, i, NULL);
	if (s[i] != '\0')
		cb_buf_appendstr(b, "\xe2\x80\xa6", NULL);
	if (i > 0)
		cb_buf_appendstr(b, "\n", NULL);
	free(s);
}

/* "LABEL: a, b, c" and a new line, when l is not empty. */
static void
add_list(struct cb_buf *b, const char *label, const struct cb_strlist *l,
    size_t max)
{
	size_t i;
	char *s;

	if (l->n == 0)
		return;
	cb_buf_appendstr(b, label, NULL);
	for (i = 0; i < l->n && i < max; i++) {
		s = cb_utf8_printable(l->v[i]);
		cb_buf_appendstr(b, i ? ", " : " ", NULL);
		cb_buf_appendstr(b, s, NULL);
		free(s);
	}
	cb_buf_appendstr(b, i < l->n ? ", \xe2\x80\xa6\n" : "\n", NULL);
}

/* The pop-up's body: the summary (cut), id and revision, and for a
 * reminder (or where no action can acknowledge) the command that
 * acknowledges. */
static char *
body_of(const struct sub_desk *d, enum sub_event ev, const struct cb_adv *a,
    int actions)
{
	struct cb_buf b;
	char *id = cb_utf8_printable(a->id), *line;

	cb_buf_init(&b, (size_t)1 << 20);
	add_cut(&b, a->summary ? a->summary : "", BODY_COLUMNS);
	line = cb_xasprintf("%s r%u", id, a->revision);
	cb_buf_appendstr(&b, line, NULL);
	free(line);
	if (ev == SUB_EVENT_REMINDER ||
	    (a->severity >= CB_SEV_HIGH && !actions &&
		a->kind != CB_KIND_CANCEL))
		add_ack_hint(d, &b, id);
	free(id);
	return detach_escaped(d, &b);
}

/* What "Show" turns the pop-up into: the summary at length, CVEs,
 * products, what to do, references, and the commands to see it all
 * and to acknowledge it. */
static char *
details_of(const struct sub_desk *d, const struct cb_adv *a)
{
	struct cb_buf b;
	char *id = cb_utf8_printable(a->id);

	cb_buf_init(&b, (size_t)1 << 20);
	add_cut(&b, a->summary ? a->summary : "", DETAILS_COLUMNS);
	add_list(&b, _("CVE:"), &a->cves, 20);
	add_list(&b, _("Products:"), &a->products, 20);
	add_list(&b, _("What to do:"), &a->actions, 20);
	add_list(&b, _("References:"), &a->references, DETAILS_REFS);
	add_command(&b, _("All of it"), sub_hint_show(d->state, id));
	if (a->kind != CB_KIND_CANCEL)
		add_ack_hint(d, &b, id);
	free(id);
	return detach_escaped(d, &b);
}

static void
shown_release(struct shown *s)
{
	free(s->id);
	free(s->title);
	free(s->body);
	free(s->details);
	memset(s, 0, sizeof(*s));
}

static void
shown_make(const struct sub_desk *d, enum sub_event ev,
    const struct cb_adv *a, struct shown *s)
{
	s->id = cb_xstrdup(a->id);
	s->rev = a->revision;
	s->sev = a->severity;
	s->actions = a->severity >= CB_SEV_HIGH && a->kind != CB_KIND_CANCEL;
	s->title = title_of(ev, a);
	s->body = body_of(d, ev, a, s->actions && d->actions);
	s->details = details_of(d, a);
}

/* --- the bus -------------------------------------------------------------- */

static void
failed(struct sub_desk *d, const char *what, const char *detail)
{
	if (!d->failing)
		log_warnx(_("desktop notification failed: %s%s%s (further "
			    "failures are not logged until one succeeds)"),
		    what, detail ? ": " : "", detail ? detail : "");
	d->failing = 1;
}

static void
forget_popups(struct sub_desk *d)
{
	int i;

	for (i = 0; i < d->npop; i++)
		shown_release(&d->pop[i].s);
	d->npop = 0;
}

static void
lost(struct sub_desk *d, int r)
{
	log_warnx(_("desktop notifications: session bus lost (%s); trying "
		    "again every %d s"),
	    strerror(-r), BUS_RETRY_MS / 1000);
	d->bus = sd_bus_close_unref(d->bus);
	d->retry_at = cb_time_mono_ms() + BUS_RETRY_MS;
	forget_popups(d);
}

static struct popup *
popup_by_id(struct sub_desk *d, const char *id)
{
	int i;

	for (i = 0; i < d->npop; i++)
		if (strcmp(d->pop[i].s.id, id) == 0)
			return &d->pop[i];
	return NULL;
}

static struct popup *
popup_by_nid(struct sub_desk *d, uint32_t nid)
{
	int i;

	for (i = 0; nid != 0 && i < d->npop; i++)
		if (d->pop[i].nid == nid)
			return &d->pop[i];
	return NULL;
}

static void
popup_drop(struct sub_desk *d, struct popup *p)
{
	int i = (int)(p - d->pop);

	shown_release(&p->s);
	memmove(p, p + 1, (size_t)(d->npop - i - 1) * sizeof(*p));
	d->npop--;
}

/* The entry of advisory s->id (taking s over), made when it has none;
 * the oldest is forgotten (not closed) when the table is full. */
static struct popup *
popup_take(struct sub_desk *d, struct shown *s)
{
	struct popup *p = popup_by_id(d, s->id);

	if (p == NULL) {
		if (d->npop == POPUP_MAX)
			popup_drop(d, &d->pop[0]);
		p = &d->pop[d->npop++];
		memset(p, 0, sizeof(*p));
	}
	shown_release(&p->s);
	p->s = *s;
	memset(s, 0, sizeof(*s));
	return p;
}

static void
call_free(void *arg)
{
	struct call *c = arg;

	free(c->id);
	free(c);
}

/* The id the server gave a pop-up, or 0 after an error (logged). */
static uint32_t
reply_id(struct sub_desk *d, sd_bus_message *m)
{
	const sd_bus_error *e = sd_bus_message_get_error(m);
	uint32_t id = 0;

	if (e != NULL) {
		failed(d, e->name, e->message);
		return 0;
	}
	d->failing = 0;
	if (sd_bus_message_read(m, "u", &id) < 0)
		return 0;
	log_debug("desktop notification %u shown", id);
	return id;
}

static int
on_reply(sd_bus_message *m, void *arg, sd_bus_error *ret)
{
	struct call *c = arg;
	uint32_t id = reply_id(c->d, m);
	struct popup *p;

	(void)ret;
	if (c->alarm) {
		c->d->alarm_id = id;
	} else if (c->id != NULL && (p = popup_by_id(c->d, c->id)) != NULL) {
		if (p->pending > 0)
			p->pending--;
		if (id != 0)
			p->nid = id;
	}
	return 0;
}

/* A pop-up to send. */
struct note {
	const char *title, *body; /* body escaped */
	uint8_t urgency;          /* 0 low, 1 normal, 2 critical */
	int sticky;               /* stays until closed */
	int quiet;                /* old news: no sound */
	int actions;              /* Show and Acknowledge */
	const char *category;
	uint32_t replaces;
};

/* One Notify call, answered in on_reply for call c (taken over). */
static void
notify(struct sub_desk *d, const struct note *nt, struct call *c)
{
	sd_bus_message *m = NULL;
	sd_bus_slot *slot = NULL;
	int acts = nt->actions ? 4 : 0, r;

	c->d = d;
	if (d->bus == NULL) {
		call_free(c);
		return;
	}
	r = sd_bus_message_new_method_call(d->bus, &m, NOTIFY_DEST,
	    NOTIFY_PATH, NOTIFY_DEST, "Notify");
	if (r >= 0)
		r = sd_bus_message_append(m, "susss", "canhbao", nt->replaces,
		    nt->urgency == 2 ? "dialog-warning" : "dialog-information",
		    nt->title, nt->body);
	if (r >= 0)
		r = sd_bus_message_append(m, "as", acts, "default", _("Show"),
		    "ack", _("Acknowledge"));
	if (r >= 0)
		r = sd_bus_message_append(m, "a{sv}i", nt->quiet ? 3 : 2,
		    "urgency", "y", nt->urgency, "category", "s", nt->category,
		    "suppress-sound", "b", 1, nt->sticky ? 0 : -1);
	if (r >= 0)
		r = sd_bus_call_async(d->bus, &slot, m, on_reply, c,
		    BUS_CALL_TIMEOUT_US);
	sd_bus_message_unref(m);
	if (r < 0) {
		failed(d, "Notify", strerror(-r));
		call_free(c);
		return;
	}
	sd_bus_slot_set_destroy_callback(slot, call_free);
	sd_bus_slot_set_floating(slot, 1);
	sd_bus_slot_unref(slot);
	/* Sent when the daemon's poll finds the bus writable: this may run
	 * inside a signal's callback, where sd_bus_process may not. */
}

static struct call *
call_new(const char *id, int alarm)
{
	struct call *c = cb_xcalloc(1, sizeof(*c));

	c->id = id != NULL ? cb_xstrdup(id) : NULL;
	c->alarm = alarm;
	return c;
}

static void
close_popup(struct sub_desk *d, struct popup *p)
{
	int r;

	if (d->bus != NULL && p->nid != 0) {
		r = sd_bus_call_method_async(d->bus, NULL, NOTIFY_DEST,
		    NOTIFY_PATH, NOTIFY_DEST, "CloseNotification", NULL, NULL,
		    "u", p->nid);
		if (r < 0)
			failed(d, "CloseNotification", strerror(-r));
	}
	popup_drop(d, p);
}

static uint8_t
urgency(enum cb_severity sev)
{
	return sev == CB_SEV_CRITICAL ? 2 : sev >= CB_SEV_MEDIUM ? 1 : 0;
}

/* (Re)show popup p: body is its own, or its details. */
static void
send_popup(struct sub_desk *d, struct popup *p, const char *body, int quiet)
{
	struct note nt = { 0 };
	uint8_t u = urgency(p->s.sev);

	nt.title = p->s.title;
	nt.body = body;
	nt.urgency = quiet && u > 1 ? 1 : u;
	nt.sticky = p->s.sev == CB_SEV_CRITICAL;
	nt.quiet = quiet;
	nt.actions = p->s.actions;
	nt.category = CATEGORY;
	nt.replaces = p->nid;
	p->pending++;
	notify(d, &nt, call_new(p->s.id, 0));
}

/* Show s (taken over) as its advisory's one pop-up. */
static void
show(struct sub_desk *d, struct shown *s, int quiet)
{
	struct popup *p = popup_take(d, s);

	send_popup(d, p, p->s.body, quiet);
}

/* --- summaries ------------------------------------------------------------ */

static void
batch_add(struct batch *b, struct shown *s)
{
	int i, least = -1;

	if (b->n == 0)
		b->first_ms = cb_time_mono_ms();
	b->last_ms = cb_time_mono_ms();
	b->n++;
	b->critical += s->sev == CB_SEV_CRITICAL;
	b->high += s->sev == CB_SEV_HIGH;
	if (b->ntop < SUB_DESK_FEW) {
		b->top[b->ntop++] = *s;
		memset(s, 0, sizeof(*s));
		return;
	}
	for (i = 0; i < b->ntop; i++) /* the least severe, the oldest */
		if (least < 0 || b->top[i].sev < b->top[least].sev)
			least = i;
	if (s->sev >= b->top[least].sev) {
		shown_release(&b->top[least]);
		memmove(&b->top[least], &b->top[least + 1],
		    (size_t)(b->ntop - least - 1) * sizeof(b->top[0]));
		b->top[b->ntop - 1] = *s;
		memset(s, 0, sizeof(*s));
	} else {
		shown_release(s);
	}
}

static int
by_severity(const void *x, const void *y)
{
	const struct shown *a = x, *b = y;

	return (int)b->sev - (int)a->sev;
}

/* "20 advisories caught up (4 critical, 4 high)": the summary's title. */
static char *
summary_title(const struct batch *b, int caught)
{
	char *what = cb_xasprintf(caught ?
		ngettext("%d advisory caught up", "%d advisories caught up",
		    (unsigned long)b->n) :
		ngettext("%d more advisory", "%d more advisories",
		    (unsigned long)b->n),
	    b->n), *s;

	if (b->critical + b->high == 0)
		return what;
	s = cb_xasprintf(_("%s (%d critical, %d high)"), what, b->critical,
	    b->high);
	free(what);
	return s;
}

/* The most severe of the batch, one per line, and the command that
 * lists them all. */
static char *
summary_body(const struct sub_desk *d, struct batch *b)
{
	struct cb_buf buf;
	char *line;
	int i;

	cb_buf_init(&buf, (size_t)1 << 20);
	qsort(b->top, (size_t)b->ntop, sizeof(b->top[0]), by_severity);
	for (i = 0; i < b->ntop; i++) {
		line = cb_xasprintf("%s \xe2\x80\x94 %s\n", b->top[i].title,
		    b->top[i].id);
		cb_buf_appendstr(&buf, line, NULL);
		free(line);
	}
	add_command(&buf, _("List them"), sub_hint_unread(d->state));
	return detach_escaped(d, &buf);
}

static void
batch_release(struct batch *b)
{
	int i;

	for (i = 0; i < b->ntop; i++)
		shown_release(&b->top[i]);
	memset(b, 0, sizeof(*b));
}

/* A few one by one, more as one summary; caught: quiet. */
static void
flush(struct sub_desk *d, struct batch *b, int caught)
{
	struct note nt = { 0 };
	char *title, *body;
	int i;

	if (b->n == 0)
		return;
	if (b->n <= SUB_DESK_FEW) {
		for (i = 0; i < b->ntop; i++)
			show(d, &b->top[i], caught);
		batch_release(b);
		return;
	}
	title = summary_title(b, caught);
	body = summary_body(d, b);
	nt.title = title;
	nt.body = body;
	nt.urgency = 1;
	nt.sticky = b->critical + b->high > 0;
	nt.quiet = caught;
	nt.category = CATEGORY;
	notify(d, &nt, call_new(NULL, 0));
	free(title);
	free(body);
	batch_release(b);
}

/* May a live pop-up below high be shown now?  Otherwise it is held
 * for the summary at the end of the window. */
static int
budget(struct sub_desk *d)
{
	int64_t now = cb_time_mono_ms();

	if (now - d->window_start >= SUB_DESK_WINDOW * 1000) {
		flush(d, &d->held, 0);
		d->window_start = now;
		d->shown_now = 0;
	}
	return d->shown_now++ < SUB_DESK_BURST;
}

void
sub_desk_advisory(struct sub_desk *d, enum sub_event ev,
    const struct cb_adv *a)
{
	struct shown s;

	if (d == NULL || d->bus == NULL)
		return;
	shown_make(d, ev, a, &s);
	if (ev == SUB_EVENT_CATCHUP)
		batch_add(&d->caught, &s);
	else if (ev == SUB_EVENT_REMINDER || a->severity >= CB_SEV_HIGH ||
	    popup_by_id(d, a->id) != NULL || budget(d))
		show(d, &s, 0);
	else
		batch_add(&d->held, &s);
	shown_release(&s);
}

/* --- actions -------------------------------------------------------------- */

/* Acknowledge from the pop-up: as ack_by, then close it; without
 * ack_by, or when it fails, the pop-up says what to run instead. */
static void
act_ack(struct sub_desk *d, struct popup *p)
{
	struct cb_buf b;
	struct cb_err err;
	char *body;

	if (d->ack_by != NULL && d->ops.ack != NULL &&
	    d->ops.ack(p->s.id, d->ack_by, d->ops.arg, &err) == 0) {
		log_info_about(&(struct cb_log_about){ .id = p->s.id },
		    _("acknowledged %s from the desktop as %s"), p->s.id,
		    d->ack_by);
		close_popup(d, p);
		return;
	}
	cb_buf_init(&b, (size_t)1 << 20);
	if (d->ack_by == NULL || d->ops.ack == NULL) {
		log_info(_("Acknowledge of %s from the desktop: no ack_by set"),
		    p->s.id);
		cb_buf_appendstr(&b, _("This desk has no ack_by name in "
				       "sub.conf, so the pop-up cannot "
				       "acknowledge."),
		    NULL);
	} else {
		log_warnx(_("cannot acknowledge %s from the desktop: %s"),
		    p->s.id, err.msg);
		cb_buf_appendstr(&b, err.msg, NULL);
	}
	add_ack_hint(d, &b, p->s.id);
	body = detach_escaped(d, &b);
	send_popup(d, p, body, 0);
	free(body);
}

static int
on_action(sd_bus_message *m, void *arg, sd_bus_error *ret)
{
	struct sub_desk *d = arg;
	const char *key;
	struct popup *p;
	uint32_t nid;

	(void)ret;
	if (sd_bus_message_read(m, "us", &nid, &key) < 0 ||
	    (p = popup_by_nid(d, nid)) == NULL)
		return 0;
	log_debug("desktop action '%s' on %s", key, p->s.id);
	if (strcmp(key, "ack") == 0)
		act_ack(d, p);
	else if (strcmp(key, "default") == 0)
		send_popup(d, p, p->s.details, 0);
	return 0;
}

/* Closed by the person or the server: forget it, unless a call to
 * show it again is on its way (an action's answer). */
static int
on_closed(sd_bus_message *m, void *arg, sd_bus_error *ret)
{
	struct sub_desk *d = arg;
	struct popup *p;
	uint32_t nid, reason;

	(void)ret;
	if (sd_bus_message_read(m, "uu", &nid, &reason) >= 0 &&
	    (p = popup_by_nid(d, nid)) != NULL && p->pending == 0)
		popup_drop(d, p);
	return 0;
}

static int
on_caps(sd_bus_message *m, void *arg, sd_bus_error *ret)
{
	struct sub_desk *d = arg;
	const char *cap;

	(void)ret;
	if (sd_bus_message_get_error(m) != NULL ||
	    sd_bus_message_enter_container(m, 'a', "s") < 0)
		return 0;
	d->markup = d->actions = 0;
	while (sd_bus_message_read(m, "s", &cap) > 0) {
		if (strcmp(cap, "body-markup") == 0)
			d->markup = 1;
		else if (strcmp(cap, "actions") == 0)
			d->actions = 1;
	}
	return 0;
}

/* Connect, ask what the server can do, listen to its signals. */
static int
connect_bus(struct sub_desk *d)
{
	int r = sd_bus_open_user(&d->bus);

	if (r < 0) {
		d->bus = NULL;
		return r;
	}
	d->markup = 1; /* escape until the server says it need not */
	d->actions = 0;
	r = sd_bus_call_method_async(d->bus, NULL, NOTIFY_DEST, NOTIFY_PATH,
	    NOTIFY_DEST, "GetCapabilities", on_caps, d, NULL);
	if (r >= 0)
		r = sd_bus_match_signal_async(d->bus, NULL, NOTIFY_DEST,
		    NOTIFY_PATH, NOTIFY_DEST, "ActionInvoked", on_action, NULL,
		    d);
	if (r >= 0)
		r = sd_bus_match_signal_async(d->bus, NULL, NOTIFY_DEST,
		    NOTIFY_PATH, NOTIFY_DEST, "NotificationClosed", on_closed,
		    NULL, d);
	if (r < 0)
		failed(d, "GetCapabilities", strerror(-r));
	return 0;
}

/* --- the rest --------------------------------------------------------------- */

struct sub_desk *
sub_desk_open(const char *state, const char *ack_by, int *error)
{
	struct sub_desk *d = cb_xcalloc(1, sizeof(*d));
	char *real = state != NULL ? realpath(state, NULL) : NULL;
	int r = connect_bus(d);

	if (r < 0) {
		free(real);
		free(d);
		*error = r;
		return NULL;
	}
	d->state = real != NULL ? real : state ? cb_xstrdup(state) : NULL;
	d->ack_by = ack_by != NULL ? cb_xstrdup(ack_by) : NULL;
	return d;
}

void
sub_desk_set_ack_by(struct sub_desk *d, const char *ack_by)
{
	if (d == NULL)
		return;
	free(d->ack_by);
	d->ack_by = ack_by != NULL ? cb_xstrdup(ack_by) : NULL;
}

void
sub_desk_free(struct sub_desk *d)
{
	if (d == NULL)
		return;
	sd_bus_close_unref(d->bus);
	forget_popups(d);
	batch_release(&d->held);
	batch_release(&d->caught);
	free(d->state);
	free(d->ack_by);
	free(d);
}

void
sub_desk_set_ops(struct sub_desk *d, const struct sub_desk_ops *ops)
{
	if (d != NULL)
		d->ops = *ops;
}

void
sub_desk_alarm(struct sub_desk *d, int raised, int stale_after,
    const char *why)
{
	struct note nt = { 0 };
	char *body;

	if (d == NULL || d->bus == NULL)
		return;
	nt.category = "x-canhbao.alarm";
	if (raised) {
		body = cb_xasprintf(_("No valid heartbeat from the publisher "
				      "for %d s: new warnings may not be "
				      "arriving.%s%s"),
		    stale_after, why != NULL ? "\n" : "",
		    why != NULL ? _(why) : "");
		nt.title = _("canhbao: the warning channel is silent");
		nt.body = body;
		nt.urgency = 2;
		nt.sticky = 1;
		notify(d, &nt, call_new(NULL, 1));
		free(body);
	} else {
		nt.title = _("canhbao: the warning channel is back");
		nt.body = _("Heartbeats from the publisher are arriving again.");
		nt.urgency = 1;
		nt.replaces = d->alarm_id;
		notify(d, &nt, call_new(NULL, 0));
		d->alarm_id = 0;
	}
}

int
sub_desk_fd(struct sub_desk *d, short *events)
{
	int e;

	if (d == NULL || d->bus == NULL)
		return -1;
	e = sd_bus_get_events(d->bus);
	if (e < 0)
		return -1;
	*events = (short)e;
	return sd_bus_get_fd(d->bus);
}

void
sub_desk_process(struct sub_desk *d)
{
	int r, rounds = 0;

	if (d == NULL || d->bus == NULL)
		return;
	do {
		r = sd_bus_process(d->bus, NULL);
	} while (r > 0 && ++rounds < 64 && d->bus != NULL);
	if (r < 0 && d->bus != NULL)
		lost(d, r);
}

/* Close the pop-ups of advisories acknowledged since (by anyone). */
static void
close_acknowledged(struct sub_desk *d)
{
	int i;

	if (d->ops.acked == NULL || cb_time_mono_ms() < d->next_poll)
		return;
	d->next_poll = cb_time_mono_ms() + ACK_POLL_MS;
	for (i = d->npop - 1; i >= 0; i--)
		if (d->pop[i].nid != 0 && d->pop[i].pending == 0 &&
		    d->ops.acked(d->pop[i].s.id, d->pop[i].s.rev,
			d->ops.arg) == 1) {
			log_debug("%s is acknowledged: its pop-up closes",
			    d->pop[i].s.id);
			close_popup(d, &d->pop[i]);
		}
}

static void
sooner(int64_t *at, int64_t t)
{
	if (*at < 0 || t < *at)
		*at = t;
}

int64_t
sub_desk_deadline(const struct sub_desk *d)
{
	int64_t at = -1;

	if (d == NULL)
		return -1;
	if (d->bus == NULL)
		return d->retry_at;
	if (d->held.n > 0)
		sooner(&at, d->window_start + SUB_DESK_WINDOW * 1000);
	if (d->caught.n > 0) {
		sooner(&at, d->caught.last_ms + CATCHUP_QUIET_MS);
		sooner(&at, d->caught.first_ms + SUB_DESK_WINDOW * 1000);
	}
	if (d->npop > 0 && d->ops.acked != NULL)
		sooner(&at, d->next_poll);
	return at;
}

void
sub_desk_tick(struct sub_desk *d)
{
	int64_t now = cb_time_mono_ms();

	if (d == NULL)
		return;
	if (d->bus == NULL) {
		if (now >= d->retry_at && connect_bus(d) < 0)
			d->retry_at = now + BUS_RETRY_MS;
		return;
	}
	if (now - d->window_start >= SUB_DESK_WINDOW * 1000)
		flush(d, &d->held, 0);
	if (d->caught.n > 0 &&
	    (now - d->caught.last_ms >= CATCHUP_QUIET_MS ||
		now - d->caught.first_ms >= SUB_DESK_WINDOW * 1000))
		flush(d, &d->caught, 1);
	close_acknowledged(d);
	sub_desk_process(d);
}
