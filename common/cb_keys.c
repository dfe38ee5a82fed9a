/* cb_keys: the trusted publisher key and its rotations (see .h). */
#include <ctype.h>
#include <string.h>

#include "cb_keys.h"

void
cb_keys_init(struct cb_keys *k, const struct cb_pubkey *identity)
{
	memset(k, 0, sizeof(*k));
	k->identity = *identity;
	k->current = *identity;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = toupper(c);
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

int
cb_keys_parse_id(const char *hex, uint8_t id[CB_SIG_KEYIDLEN])
{
	int i, hi, lo;

	for (i = 0; i < CB_SIG_KEYIDLEN; i++) {
		hi = hexval((unsigned char)hex[2 * i]);
		lo = hi < 0 ? -1 : hexval((unsigned char)hex[2 * i + 1]);
		if (lo < 0)
			return -1;
		/* printed as a little-endian number: last byte first */
		id[CB_SIG_KEYIDLEN - 1 - i] = (uint8_t)(hi << 4 | lo);
	}
	return hex[2 * CB_SIG_KEYIDLEN] == '\0' ? 0 : -1;
}

int
cb_keys_revoke(struct cb_keys *k, const char *list, struct cb_err *err)
{
	char word[32];
	const char *p = list;
	size_t n;

	while (*p != '\0') {
		p += strspn(p, " ,\t");
		n = strcspn(p, " ,\t");
		if (n == 0)
			break;
		if (n >= sizeof(word) || k->nrevoked == CB_KEYS_MAX_REVOKED)
			return cb_err_set(err, "revoked_keys: too long a list "
			    "or word");
		memcpy(word, p, n);
		word[n] = '\0';
		if (cb_keys_parse_id(word, k->revoked[k->nrevoked]) < 0)
			return cb_err_set(err, "revoked_keys: '%s' is not a "
			    "key id (16 hex digits)", word);
		k->nrevoked++;
		p += n;
	}
	return 0;
}

int
cb_keys_is_revoked(const struct cb_keys *k, const uint8_t *id)
{
	size_t i;

	for (i = 0; i < k->nrevoked; i++)
		if (memcmp(k->revoked[i], id, CB_SIG_KEYIDLEN) == 0)
			return 1;
	return 0;
}

int
cb_keys_rotate(struct cb_keys *k, const struct cb_msg *m,
    struct cb_err *err)
{
	char hex[CB_SIG_KEYIDHEX];
	struct cb_pubkey next;
	const uint8_t *cert;
	size_t len;

	if (memcmp(m->key_id, k->current.id, CB_SIG_KEYIDLEN) != 0)
		return cb_err_set(err, "key rotation not signed by the current "
		    "key");
	if (cb_msg_rotation_check(m, &next, err) < 0)
		return -1;
	cert = cb_msg_rotation_cert(m, &len);
	if (cert != NULL &&
	    cb_msg_cert_check(&k->identity, &next, cert, len, err) < 0)
		return -1;
	if (cb_keys_is_revoked(k, next.id))
		return cb_err_set(err, "key rotation to revoked key %s",
		    cb_sig_keyid_hex(next.id, hex));
	k->current = next;
	k->since = m->seq;
	return 0;
}
