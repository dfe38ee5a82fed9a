/* pub_registry: the signed registry for relays (see pub_registry.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_registry.h"
#include "cb_time.h"
#include "pub_registry.h"

struct pub_registry {
	struct pub_journal *journal;
	struct pub_seal *seal;
	struct pub_bcast *bcast;
	struct cb_sealed sealed; /* signed_bytes NULL: none yet */
	uint64_t generation;     /* of sealed */
	int64_t next_ms;         /* the next periodic send (monotonic) */
};

struct members {
	struct cb_registry_member *v;
	size_t n;
};

static void
add_member(const struct pub_agency *a, void *arg)
{
	struct members *m = arg;
	struct cb_registry_member *e;

	m->v = cb_xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
	e = &m->v[m->n++];
	memset(e, 0, sizeof(*e));
	snprintf(e->name, sizeof(e->name), "%s", a->name);
	e->kind = a->kind;
	e->key = a->pk;
}

char *
pub_registry_payload(struct pub_journal *j, uint64_t *gen, size_t *len,
    struct cb_err *err)
{
	struct members m = { NULL, 0 };
	char *p = NULL;

	/* agency_each goes by name: the order the payload wants. */
	if (pub_journal_generation(j, gen, err) == 0 &&
	    pub_journal_agency_each(j, add_member, &m, err) >= 0)
		p = cb_registry_encode(*gen, m.v, m.n, len, err);
	free(m.v);
	return p;
}

struct pub_registry *
pub_registry_new(struct pub_journal *j, struct pub_seal *seal,
    struct pub_bcast *bcast)
{
	struct pub_registry *r = cb_xcalloc(1, sizeof(*r));

	r->journal = j;
	r->seal = seal;
	r->bcast = bcast;
	r->next_ms = cb_time_mono_ms();
	return r;
}

void
pub_registry_free(struct pub_registry *r)
{
	if (r == NULL)
		return;
	cb_sealed_release(&r->sealed);
	free(r);
}

/* 1 when the kept message is of generation gen and signed by the key
 * that signs now. */
static int
fresh(const struct pub_registry *r, uint64_t gen)
{
	uint8_t id[CB_SIG_KEYIDLEN];

	if (r->sealed.signed_bytes == NULL || r->generation != gen)
		return 0;
	pub_seal_key_id(r->seal, id);
	return memcmp(r->sealed.sigblock + CB_MSG_SB_KEYID, id,
	    CB_SIG_KEYIDLEN) == 0;
}

/* Seal the journal's registry again when the kept one is stale. */
static int
reseal(struct pub_registry *r, struct cb_err *err)
{
	struct cb_sealed s;
	uint64_t gen;
	size_t len;
	char *p;
	int rc;

	if (pub_journal_generation(r->journal, &gen, err) < 0)
		return -1;
	if (fresh(r, gen))
		return 0;
	if ((p = pub_registry_payload(r->journal, &gen, &len, err)) == NULL)
		return -1;
	rc = pub_seal_registry(r->seal, gen, p, len, &s, err);
	free(p);
	if (rc < 0)
		return -1;
	cb_sealed_release(&r->sealed);
	r->sealed = s;
	r->generation = gen;
	return 0;
}

int
pub_registry_send(struct pub_registry *r, struct cb_err *err)
{
	r->next_ms = cb_time_mono_ms() + PUB_REGISTRY_EVERY * 1000;
	if (reseal(r, err) < 0)
		return -1;
	return pub_bcast_send(r->bcast, CB_REGISTRY_TOPIC, &r->sealed, err);
}

long
pub_registry_timeout(const struct pub_registry *r, int64_t now_ms)
{
	return r->next_ms > now_ms ? (long)(r->next_ms - now_ms) : 0;
}
