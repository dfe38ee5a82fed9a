/* pub_zap: the ZAP handler admitting registered agencies (see .h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "cb_locale.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_net.h"
#include "cb_sig.h"
#include "cb_time.h"
#include "pub_zap.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

struct agency {
	char name[65];
	uint8_t curve[32];
	int relay; /* a relay's key, not an agency's */
};

/* A refused key, and when it was last logged at warning level. */
struct refusal {
	uint8_t curve[32];
	int64_t said_ms;
};

struct pub_zap {
	void *sock;
	struct refusal said[PUB_ZAP_SAID_MAX];
	size_t nsaid, next_said; /* used, and the next to reuse */
	struct pub_journal *journal;
	struct agency *agencies;
	size_t n;
	unsigned long admitted, refused;
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

struct pub_zap *
pub_zap_open(struct pub_journal *journal, struct cb_err *err)
{
	struct pub_zap *z = cb_xcalloc(1, sizeof(*z));

	z->journal = journal;
	z->sock = cb_net_socket(ZMQ_REP, err);
	if (z->sock == NULL || cb_net_bind(z->sock, ZAP_ENDPOINT, NULL, 0,
				   err) < 0 ||
	    pub_zap_reload(z, err) < 0) {
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
	cb_net_close(z->sock);
	free(z->agencies);
	free(z);
}

void *
pub_zap_socket(const struct pub_zap *z)
{
	return z->sock;
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

/* 1 when the refusal of key should be logged as a warning: the first
 * one, or the first after PUB_ZAP_SAY_MS (the oldest entry makes room
 * for a new key). */
static int
say_refusal(struct pub_zap *z, const uint8_t *key)
{
	int64_t now = cb_time_mono_ms();
	struct refusal *r;
	size_t i;

	for (i = 0; i < z->nsaid; i++) {
		r = &z->said[i];
		if (memcmp(r->curve, key, 32) != 0)
			continue;
		if (now - r->said_ms < PUB_ZAP_SAY_MS)
			return 0;
		r->said_ms = now;
		return 1;
	}
	if (z->nsaid < PUB_ZAP_SAID_MAX)
		r = &z->said[z->nsaid++];
	else {
		r = &z->said[z->next_said];
		z->next_said = (z->next_said + 1) % PUB_ZAP_SAID_MAX;
	}
	memcpy(r->curve, key, 32);
	r->said_ms = now;
	return 1;
}

/* A refused client: its CurveZMQ key in hex (what the subscriber logs
 * as "our CurveZMQ key"), once per PUB_ZAP_SAY_MS for each key, at
 * debug level in between (a refused subscriber tries again every few
 * seconds, on each of its sockets). */
static void
refused(struct pub_zap *z, const struct cb_frames *f, const char *text)
{
	const char *from = f->n > 3 ? (const char *)f->data[3] : "?";
	char hex[65];
	size_t i;

	z->refused++;
	if (f->n < 7 || f->len[6] != 32) {
		log_warnx(_("refused a connection from %s: not a CurveZMQ "
			    "client (%lu refused so far)"),
		    from, z->refused);
		return;
	}
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x",
		    ((const uint8_t *)f->data[6])[i]);
	if (say_refusal(z, f->data[6]))
		log_warnx(_("refused a connection from %s: %s (CurveZMQ key "
			    "%s; said once per %d min for each key, %lu "
			    "refused so far)"),
		    from, text, hex, PUB_ZAP_SAY_MS / 60000, z->refused);
	else
		log_debug("refused a connection from %s: %s (CurveZMQ key %s)",
		    from, text, hex);
}

/* ZAP request: version, request id, domain, address, routing id,
 * mechanism, credentials...; reply: version, request id, status code,
 * status text, user id, metadata. */
static void
answer(struct pub_zap *z, const struct cb_frames *f)
{
	const struct agency *a = NULL;
	const char *code = "400", *text = "not a registered agency";
	const void *data[6];
	size_t len[6], i;

	if (f->n >= 7 && f->len[0] == 3 && memcmp(f->data[0], "1.0", 3) == 0 &&
	    strcmp(f->data[2], CB_NET_ZAP_DOMAIN) == 0 &&
	    f->len[5] == 5 && memcmp(f->data[5], "CURVE", 5) == 0 &&
	    f->len[6] == 32)
		a = find(z, f->data[6]);
	if (a != NULL) {
		code = "200";
		text = "OK";
		z->admitted++;
		if (a->relay)
			log_info(_("relay %s connected from %s"), a->name,
			    f->n > 3 ? (const char *)f->data[3] : "?");
		else
			log_info_about(&(struct cb_log_about){
			    .agency = a->name }, _("agency %s connected from "
			    "%s"), a->name, f->n > 3 ? (const char *)f->data[3] :
			    "?");
	} else {
		refused(z, f, text);
	}
	data[0] = "1.0";
	data[1] = f->n > 1 ? f->data[1] : "";
	data[2] = code;
	data[3] = text;
	data[4] = a != NULL ? a->name : "";
	data[5] = "";
	for (i = 0; i < 6; i++)
		len[i] = i == 1 && f->n > 1 ? f->len[1] : strlen(data[i]);
	cb_net_send(z->sock, data, len, 6, 0);
}

void
pub_zap_serve(struct pub_zap *z)
{
	struct cb_frames f;
	struct cb_err err;
	int i;

	for (i = 0; i < 16; i++) {
		if (cb_net_recv(z->sock, &f, ZMQ_DONTWAIT, &err) < 0)
			return;
		answer(z, &f);
		cb_frames_release(&f);
	}
}

unsigned long
pub_zap_refused(const struct pub_zap *z)
{
	return z->refused;
}
