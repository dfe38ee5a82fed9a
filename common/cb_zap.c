/* cb_zap: the ZAP handler admitting the members a lookup names (see .h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "cb_locale.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_net.h"
#include "cb_time.h"
#include "cb_zap.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

/* A refused key, and when it was last logged at warning level. */
struct refusal {
	uint8_t curve[32];
	int64_t said_ms;
};

struct cb_zap {
	void *sock;
	struct refusal said[CB_ZAP_SAID_MAX];
	size_t nsaid, next_said; /* used, and the next to reuse */
	cb_zap_lookup_fn lookup;
	void *arg;
	unsigned long admitted, refused;
};

struct cb_zap *
cb_zap_open(cb_zap_lookup_fn lookup, void *arg, struct cb_err *err)
{
	struct cb_zap *z = cb_xcalloc(1, sizeof(*z));

	z->lookup = lookup;
	z->arg = arg;
	z->sock = cb_net_socket(ZMQ_REP, err);
	if (z->sock == NULL || cb_net_bind(z->sock, ZAP_ENDPOINT, NULL, 0,
				   err) < 0) {
		cb_zap_close(z);
		return NULL;
	}
	return z;
}

void
cb_zap_close(struct cb_zap *z)
{
	if (z == NULL)
		return;
	cb_net_close(z->sock);
	free(z);
}

void *
cb_zap_socket(const struct cb_zap *z)
{
	return z->sock;
}

/* 1 when the refusal of key should be logged as a warning: the first
 * one, or the first after CB_ZAP_SAY_MS (the oldest entry makes room
 * for a new key). */
static int
say_refusal(struct cb_zap *z, const uint8_t *key)
{
	int64_t now = cb_time_mono_ms();
	struct refusal *r;
	size_t i;

	for (i = 0; i < z->nsaid; i++) {
		r = &z->said[i];
		if (memcmp(r->curve, key, 32) != 0)
			continue;
		if (now - r->said_ms < CB_ZAP_SAY_MS)
			return 0;
		r->said_ms = now;
		return 1;
	}
	if (z->nsaid < CB_ZAP_SAID_MAX)
		r = &z->said[z->nsaid++];
	else {
		r = &z->said[z->next_said];
		z->next_said = (z->next_said + 1) % CB_ZAP_SAID_MAX;
	}
	memcpy(r->curve, key, 32);
	r->said_ms = now;
	return 1;
}

/* A refused client: its CurveZMQ key in hex (what the subscriber logs
 * as "our CurveZMQ key"), once per CB_ZAP_SAY_MS for each key, at
 * debug level in between (a refused subscriber tries again every few
 * seconds, on each of its sockets). */
static void
refused(struct cb_zap *z, const struct cb_frames *f, const char *text)
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
		    from, text, hex, CB_ZAP_SAY_MS / 60000, z->refused);
	else
		log_debug("refused a connection from %s: %s (CurveZMQ key %s)",
		    from, text, hex);
}

/* ZAP request: version, request id, domain, address, routing id,
 * mechanism, credentials...; reply: version, request id, status code,
 * status text, user id, metadata. */
static void
answer(struct cb_zap *z, const struct cb_frames *f)
{
	const char *code = "400", *text = "not a registered agency";
	char name[65] = "";
	int kind = CB_ZAP_NOBODY;
	const void *data[6];
	size_t len[6], i;

	if (f->n >= 7 && f->len[0] == 3 && memcmp(f->data[0], "1.0", 3) == 0 &&
	    strcmp(f->data[2], CB_NET_ZAP_DOMAIN) == 0 &&
	    f->len[5] == 5 && memcmp(f->data[5], "CURVE", 5) == 0 &&
	    f->len[6] == 32)
		kind = z->lookup(z->arg, f->data[6], name, sizeof(name));
	if (kind != CB_ZAP_NOBODY) {
		code = "200";
		text = "OK";
		z->admitted++;
		if (kind == CB_ZAP_RELAY)
			log_info(_("relay %s connected from %s"), name,
			    f->n > 3 ? (const char *)f->data[3] : "?");
		else
			log_info_about(&(struct cb_log_about){ .agency = name },
			    _("agency %s connected from %s"), name,
			    f->n > 3 ? (const char *)f->data[3] : "?");
	} else {
		refused(z, f, text);
	}
	data[0] = "1.0";
	data[1] = f->n > 1 ? f->data[1] : "";
	data[2] = code;
	data[3] = text;
	data[4] = name;
	data[5] = "";
	for (i = 0; i < 6; i++)
		len[i] = i == 1 && f->n > 1 ? f->len[1] : strlen(data[i]);
	cb_net_send(z->sock, data, len, 6, 0);
}

void
cb_zap_serve(struct cb_zap *z)
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
cb_zap_admitted(const struct cb_zap *z)
{
	return z->admitted;
}

unsigned long
cb_zap_refused(const struct cb_zap *z)
{
	return z->refused;
}
