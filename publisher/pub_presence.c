/* pub_presence: agencies' contact, logged when it changes (see .h). */
#include <stdlib.h>
#include <string.h>

#include "cb_locale.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "pub_presence.h"

enum contact { UNKNOWN, PRESENT, SILENT };

struct entry {
	char *name;
	enum contact state;
	int64_t silent_since; /* last contact when it went silent */
	int seen;             /* in the registry at this check */
};

struct pub_presence {
	int64_t started;
	struct entry *v;
	size_t n;
	int64_t now, silent_after; /* of the check under way */
	void (*on_change)(void *arg, const char *agency, int silent,
	    int64_t last);
	void *change_arg;
};

struct pub_presence *
pub_presence_new(int64_t started)
{
	struct pub_presence *p = cb_xcalloc(1, sizeof(*p));

	p->started = started;
	return p;
}

void
pub_presence_free(struct pub_presence *p)
{
	size_t i;

	if (p == NULL)
		return;
	for (i = 0; i < p->n; i++)
		free(p->v[i].name);
	free(p->v);
	free(p);
}

void
pub_presence_on_change(struct pub_presence *p,
    void (*fn)(void *arg, const char *agency, int silent, int64_t last),
    void *arg)
{
	p->on_change = fn;
	p->change_arg = arg;
}

/* Tell on_change, if any, about e's new state. */
static void
changed(const struct pub_presence *p, const struct entry *e, int64_t last)
{
	if (p->on_change != NULL)
		p->on_change(p->change_arg, e->name, e->state == SILENT, last);
}

static struct entry *
entry_for(struct pub_presence *p, const char *name)
{
	struct entry *e;
	size_t i;

	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return &p->v[i];
	p->v = cb_xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	e = &p->v[p->n++];
	memset(e, 0, sizeof(*e));
	e->name = cb_xstrdup(name);
	return e;
}

static void
silent(struct pub_presence *p, struct entry *e, int64_t last)
{
	const struct cb_log_about about = { .agency = e->name };

	if (last == 0)
		log_warnx_about(&about, _("agency %s silent: never in contact"),
		    e->name);
	else if (last < p->started)
		log_warnx_about(&about,
		    _("agency %s silent: no contact since before the "
		      "start (%lld s ago)"),
		    e->name, (long long)(p->now - last));
	else
		log_warnx_about(&about,
		    _("agency %s silent: no contact for %lld s"), e->name,
		    (long long)(p->now - last));
	e->state = SILENT;
	e->silent_since = last;
	changed(p, e, last);
}

static void
one(const struct pub_agency *a, void *arg)
{
	struct pub_presence *p = arg;
	struct entry *e;
	const struct cb_log_about about = { .agency = a->name };
	int64_t quiet =
	    a->last_contact > p->started ? a->last_contact : p->started;
	int quiet_now = p->now - quiet > p->silent_after;

	if (a->kind != CB_REGISTRY_AGENCY)
		return; /* a relay is not an agency ("agency list" shows it) */
	e = entry_for(p, a->name);
	e->seen = 1;
	if (e->state != SILENT && quiet_now) {
		silent(p, e, a->last_contact);
	} else if (e->state == UNKNOWN && a->last_contact >= p->started) {
		log_info_about(&about, _("agency %s in contact"), a->name);
		e->state = PRESENT;
		changed(p, e, a->last_contact);
	} else if (e->state == SILENT && a->last_contact > e->silent_since &&
	    !quiet_now) {
		log_info_about(&about,
		    _("agency %s back in contact after %lld s"), a->name,
		    (long long)(a->last_contact -
			(e->silent_since ? e->silent_since : p->started)));
		e->state = PRESENT;
		changed(p, e, a->last_contact);
	}
}

void
pub_presence_check(struct pub_presence *p, struct pub_journal *j,
    int64_t now, int64_t silent_after)
{
	struct cb_err err;
	size_t i, k;

	p->now = now;
	p->silent_after = silent_after;
	for (i = 0; i < p->n; i++)
		p->v[i].seen = 0;
	if (pub_journal_agency_each(j, one, p, &err) < 0) {
		log_errx("agency contact: %s", err.msg);
		return;
	}
	for (i = k = 0; i < p->n; i++) { /* forget removed agencies */
		if (p->v[i].seen)
			p->v[k++] = p->v[i];
		else
			free(p->v[i].name);
	}
	p->n = k;
}
