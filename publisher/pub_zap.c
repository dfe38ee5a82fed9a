/* pub_zap: the registered agencies, for cb_zap (see .h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_mem.h"
#include "cb_sig.h"
#include "cb_zap.h"
#include "pub_zap.h"

struct agency {
	char name[65];
	uint8_t curve[32];
	int relay; /* a relay's key, not an agency's */
};

struct pub_zap {
	struct cb_zap *zap;
	struct pub_journal *journal;
	struct agency *agencies;
	size_t n;
};

struct loading {
	struct agency *v;
	size_t n;
};

static void
add_one(const struct pub_agency *ag, void *arg)
{
	struct loading *l = arg;
	struct agency *a;

	l->v = cb_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	a = &l->v[l->n];
	snprintf(a->name, sizeof(a->name), "%s", ag->name);
	a->relay = ag->kind == CB_REGISTRY_RELAY;
	if (cb_sig_curve_public(&ag->pk, a->curve) == 0)
		l->n++;
}

static int
known(const struct agency *v, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].name, name) == 0)
			return 1;
	return 0;
}

int
pub_zap_reload(struct pub_zap *z, struct cb_err *err)
{
	struct loading l = { 0 };
	size_t i;
	int gone = 0;

	if (pub_journal_agency_each(z->journal, add_one, &l, err) < 0) {
		free(l.v);
		return -1;
	}
	for (i = 0; i < z->n; i++)
		if (!known(l.v, l.n, z->agencies[i].name))
			gone++;
	free(z->agencies);
	z->agencies = l.v;
	z->n = l.n;
	return gone;
}

static const struct agency *
find(const struct pub_zap *z, const void *key)
{
	size_t i;

	for (i = 0; i < z->n; i++)
		if (cb_sig_memcmp(z->agencies[i].curve, key, 32) == 0)
			return &z->agencies[i];
	return NULL;
}

static int
lookup(void *arg, const uint8_t curve[32], char *name, size_t namesz)
{
	const struct agency *a = find(arg, curve);

	if (a == NULL)
		return 0;
	snprintf(name, namesz, "%s", a->name);
	return a->relay ? CB_ZAP_RELAY : CB_ZAP_AGENCY;
}

struct pub_zap *
pub_zap_open(struct pub_journal *journal, struct cb_err *err)
{
	struct pub_zap *z = cb_xcalloc(1, sizeof(*z));

	z->journal = journal;
	z->zap = cb_zap_open(lookup, z, err);
	if (z->zap == NULL || pub_zap_reload(z, err) < 0) {
		pub_zap_close(z);
		return NULL;
	}
	return z;
}

void
pub_zap_close(struct pub_zap *z)
{
	if (z == NULL)
		return;
	cb_zap_close(z->zap);
	free(z->agencies);
	free(z);
}

void *
pub_zap_socket(const struct pub_zap *z)
{
	return cb_zap_socket(z->zap);
}

void
pub_zap_serve(struct pub_zap *z)
{
	cb_zap_serve(z->zap);
}

unsigned long
pub_zap_refused(const struct pub_zap *z)
{
	return cb_zap_refused(z->zap);
}
