/* sub_verify: the archive checked again (see sub_verify.h). */
#include <stdlib.h>
#include <string.h>

#include "cb_adv.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_keys.h"
#include "sub_verify.h"

/* The key that signs from sequence since + 1 on. */
struct link {
	uint64_t since;
	struct cb_pubkey key;
};

struct sub_verify {
	struct link *links; /* links[0]: the pinned key, since 0 */
	size_t n, cap;
	uint64_t first_bad;
	void (*bad)(uint64_t, const char *, void *);
	void *arg;
};

static void
damaged(struct sub_verify *v, uint64_t seq, const char *why)
{
	if (v->first_bad == 0)
		v->first_bad = seq;
	if (v->bad != NULL)
		v->bad(seq, why, v->arg);
}

/* The rotation r, opened with the key before it (its certificate
 * checked against the pinned key); 0 or -1 with err. */
static int
check_rotation(const struct sub_verify *v, const struct sub_rotation *r,
    struct cb_err *err)
{
	const struct cb_pubkey *prev = &v->links[v->n - 1].key;
	struct cb_keys k;
	struct cb_msg m;

	if (!r->key_ok)
		return cb_err_set(err, "the stored key is not a key");
	if (cb_msg_open(prev, 1, r->signed_bytes, r->signed_len, r->sigblock,
		r->sigblock_len, &m, err) < 0)
		return -1;
	if (m.type != CB_MSG_ROTATE)
		return cb_err_set(err, "signed as a %s, not a key rotation",
		    cb_msg_type_name(m.type));
	if (m.seq != r->seq)
		return cb_err_set(err, "signed as seq %llu",
		    (unsigned long long)m.seq);
	cb_keys_init(&k, &v->links[0].key);
	k.current = *prev;
	if (cb_keys_rotate(&k, &m, err) < 0)
		return -1;
	if (memcmp(&k.current, &r->key, sizeof(r->key)) != 0)
		return cb_err_set(err, "the stored key is not the one the "
		    "rotation names");
	return 0;
}

static int
add_rotation(const struct sub_rotation *r, void *arg)
{
	struct sub_verify *v = arg;
	struct cb_err err;

	if (check_rotation(v, r, &err) < 0)
		damaged(v, r->seq, err.msg);
	if (!r->key_ok)
		return 0; /* nothing to go on with: keep the key before */
	if (v->n == v->cap) {
		v->cap *= 2;
		v->links = cb_xrealloc(v->links,
		    v->cap * sizeof(v->links[0]));
	}
	v->links[v->n].since = r->seq;
	v->links[v->n].key = r->key;
	v->n++;
	return 0;
}

struct sub_verify *
sub_verify_new(struct sub_store *s, const struct cb_pubkey *pinned,
    void (*bad)(uint64_t, const char *, void *), void *arg,
    struct cb_err *err)
{
	struct sub_verify *v = cb_xcalloc(1, sizeof(*v));

	v->cap = 4;
	v->links = cb_xcalloc(v->cap, sizeof(v->links[0]));
	v->links[0].key = *pinned;
	v->n = 1;
	v->bad = bad;
	v->arg = arg;
	if (sub_store_rotations(s, add_rotation, v, err) < 0) {
		sub_verify_free(v);
		return NULL;
	}
	return v;
}

void
sub_verify_free(struct sub_verify *v)
{
	if (v == NULL)
		return;
	free(v->links);
	free(v);
}

size_t
sub_verify_rotations(const struct sub_verify *v)
{
	return v->n - 1;
}

uint64_t
sub_verify_first_bad(const struct sub_verify *v)
{
	return v->first_bad;
}

/* The last key installed before seq. */
const struct cb_pubkey *
sub_verify_key_at(const struct sub_verify *v, uint64_t seq)
{
	size_t i = v->n;

	while (i > 1 && v->links[i - 1].since >= seq)
		i--;
	return &v->links[i - 1].key;
}

/* A text column that differs from what is signed; -1 with err. */
static int
differs(const char *column, const char *stored, const char *signed_value,
    struct cb_err *err)
{
	if (strcmp(stored, signed_value) == 0)
		return 0;
	return cb_err_set(err, "the %s column '%s' differs from the signed "
	    "'%s'", column, stored, signed_value);
}

static int
check_columns(const struct sub_row *r, const struct cb_adv *a,
    struct cb_err *err)
{
	if (differs("adv_id", r->id, a->id, err) < 0 ||
	    differs("kind", r->kind, cb_kind_name(a->kind), err) < 0 ||
	    differs("severity", r->severity, cb_severity_name(a->severity),
		err) < 0 ||
	    differs("status", r->status, cb_status_name(a->status), err) < 0 ||
	    differs("origin", r->origin, cb_origin_name(a->origin), err) < 0 ||
	    differs("title", r->title, a->title, err) < 0)
		return -1;
	if (r->revision != a->revision)
		return cb_err_set(err, "the revision column %u differs from "
		    "the signed %u", r->revision, a->revision);
	if (r->published != a->published || r->expires != a->expires)
		return cb_err_set(err, "the published or expires column "
		    "differs from the signed time");
	return 0;
}

int
sub_verify_row(const struct sub_verify *v, const struct sub_row *r,
    struct cb_err *err)
{
	struct cb_adv a;
	struct cb_msg m;
	int rc;

	if (cb_msg_open(sub_verify_key_at(v, r->seq), 1, r->signed_bytes,
		r->signed_len, r->sigblock, r->sigblock_len, &m, err) < 0)
		return -1;
	if (m.type != CB_MSG_ADVISORY)
		return cb_err_set(err, "signed as a %s, not an advisory",
		    cb_msg_type_name(m.type));
	if (m.seq != r->seq)
		return cb_err_set(err, "signed as seq %llu",
		    (unsigned long long)m.seq);
	if (m.issued_ms != r->issued_ms)
		return cb_err_set(err, "the issued_ms column differs from the "
		    "signed issue time");
	cb_adv_init(&a);
	rc = cb_adv_from_json(&a, (const char *)m.payload, m.payload_len, 0,
	    err);
	if (rc < 0)
		cb_err_prefix(err, "the signed advisory does not parse");
	else
		rc = check_columns(r, &a, err);
	cb_adv_release(&a);
	return rc;
}
