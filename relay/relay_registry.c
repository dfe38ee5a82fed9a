/* relay_registry: the verified registry and its CurveZMQ keys (see .h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_zap.h"
#include "relay_registry.h"

void
relay_registry_init(struct relay_registry *r)
{
	memset(r, 0, sizeof(*r));
}

void
relay_registry_release(struct relay_registry *r)
{
	cb_registry_release(&r->reg);
	free(r->curve);
	free(r->signed_bytes);
	free(r->sigblock);
	memset(r, 0, sizeof(*r));
}

static int
member_of(const struct cb_registry *reg, const char *name)
{
	size_t i;

	for (i = 0; i < reg->n; i++)
		if (strcmp(reg->members[i].name, name) == 0)
			return 1;
	return 0;
}

static uint8_t *
copy(const uint8_t *p, size_t n)
{
	uint8_t *q = cb_xmalloc(n ? n : 1);

	memcpy(q, p, n);
	return q;
}

int
relay_registry_take(struct relay_registry *r, const struct cb_pubkey *key,
    const uint8_t *sb, size_t sblen, const uint8_t *sig, size_t siglen,
    enum relay_registry_news *news, size_t *gone, struct cb_err *err)
{
	struct relay_registry next;
	struct cb_msg m;
	size_t i;

	*gone = 0;
	if (cb_msg_open(key, 1, sb, sblen, sig, siglen, &m, err) < 0)
		return -1;
	if (m.type != CB_MSG_REGISTRY)
		return cb_err_set(err, "a %s under the registry's topic",
		    cb_msg_type_name(m.type));
	relay_registry_init(&next);
	if (cb_registry_decode(m.payload, m.payload_len, &next.reg, err) < 0)
		return -1;
	if (next.reg.generation <= r->reg.generation) {
		*news = next.reg.generation < r->reg.generation ?
		    RELAY_REGISTRY_OLDER : RELAY_REGISTRY_SAME;
		relay_registry_release(&next);
		return 0;
	}
	next.curve = cb_xcalloc(next.reg.n ? next.reg.n : 1, 32);
	for (i = 0; i < next.reg.n; i++)
		if (cb_sig_curve_public(&next.reg.members[i].key,
			next.curve[i]) < 0)
			memset(next.curve[i], 0, 32); /* matches no client */
	for (i = 0; i < r->reg.n; i++)
		*gone += !member_of(&next.reg, r->reg.members[i].name);
	next.signed_bytes = copy(sb, sblen);
	next.signed_len = sblen;
	next.sigblock = copy(sig, siglen);
	next.sigblock_len = siglen;
	relay_registry_release(r);
	*r = next;
	*news = RELAY_REGISTRY_NEWER;
	return 0;
}

int
relay_registry_lookup(void *arg, const uint8_t curve[32], char *name,
    size_t namesz)
{
	const struct relay_registry *r = arg;
	static const uint8_t zero[32];
	size_t i;

	if (memcmp(curve, zero, 32) == 0)
		return 0;
	for (i = 0; i < r->reg.n; i++)
		if (cb_sig_memcmp(r->curve[i], curve, 32) == 0) {
			snprintf(name, namesz, "%s", r->reg.members[i].name);
			return r->reg.members[i].kind == CB_REGISTRY_RELAY ?
			    CB_ZAP_RELAY : CB_ZAP_AGENCY;
		}
	return 0;
}
