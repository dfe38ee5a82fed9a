/* pub_csaf_trust: CSAF documents' OpenPGP signatures and SHA-512
 * (see pub_csaf_trust.h). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <gpgme.h>

#include "cb_file.h"
#include "cb_mem.h"
#include "cb_sig.h"
#include "pub_csaf_trust.h"

/* gpg in the keyring's folder: never start an agent or a dirmngr, never
 * look a key up anywhere, and take validity from our pinning, not from
 * a web of trust. */
static const char gpg_conf[] = "# written by canhbao-pub: do not edit\n"
			       "no-autostart\n"
			       "no-auto-key-retrieve\n"
			       "no-auto-key-import\n"
			       "trust-model always\n";

#define FPR_BUF 80 /* a fingerprint in hex, with room to spare */

struct pub_csaf_trust {
	gpgme_ctx_t ctx;
};

static int
gpg_fail(struct cb_err *err, const char *what, gpgme_error_t e)
{
	return cb_err_set(err, "%s: %s", what, gpgme_strerror(e));
}

struct pub_csaf_trust *
pub_csaf_trust_open(const char *dir, struct cb_err *err)
{
	struct pub_csaf_trust *t;
	gpgme_error_t e;
	char *conf;
	int rc;

	gpgme_check_version(NULL);
	if ((e = gpgme_engine_check_version(GPGME_PROTOCOL_OpenPGP)) != 0) {
		gpg_fail(err, "gpg cannot be used", e);
		return NULL;
	}
	if (cb_file_private_dir(dir, 1, err) < 0)
		return NULL;
	conf = cb_xasprintf("%s/gpg.conf", dir);
	rc = cb_file_write_atomic(conf, gpg_conf, sizeof(gpg_conf) - 1, 0600,
	    err);
	free(conf);
	if (rc < 0)
		return NULL;
	t = cb_xcalloc(1, sizeof(*t));
	if ((e = gpgme_new(&t->ctx)) != 0 ||
	    (e = gpgme_set_protocol(t->ctx, GPGME_PROTOCOL_OpenPGP)) != 0 ||
	    (e = gpgme_ctx_set_engine_info(t->ctx, GPGME_PROTOCOL_OpenPGP,
		 NULL, dir)) != 0) {
		gpg_fail(err, "gpgme", e);
		pub_csaf_trust_free(t);
		return NULL;
	}
	gpgme_set_offline(t->ctx, 1);
	return t;
}

void
pub_csaf_trust_free(struct pub_csaf_trust *t)
{
	if (t == NULL)
		return;
	if (t->ctx != NULL)
		gpgme_release(t->ctx);
	free(t);
}

/* The primary fingerprint of the key that holds fpr (a primary or a
 * subkey fingerprint, or a key id) into out; -1 when the keyring has
 * none. */
static int
primary_fpr(struct pub_csaf_trust *t, const char *fpr, char *out,
    size_t outsz)
{
	gpgme_key_t key = NULL;

	if (fpr == NULL || gpgme_get_key(t->ctx, fpr, &key, 0) != 0 ||
	    key == NULL || key->subkeys == NULL || key->subkeys->fpr == NULL) {
		gpgme_key_unref(key);
		return -1;
	}
	snprintf(out, outsz, "%s", key->subkeys->fpr);
	gpgme_key_unref(key);
	return 0;
}

int
pub_csaf_trust_has_key(struct pub_csaf_trust *t, const char *fpr)
{
	char have[FPR_BUF];

	return primary_fpr(t, fpr, have, sizeof(have)) == 0 &&
	    strcasecmp(have, fpr) == 0;
}

/* How many keys data holds, and whether one of them is fpr. */
static int
keys_in(struct pub_csaf_trust *t, gpgme_data_t data, const char *fpr,
    int *found, struct cb_err *err)
{
	gpgme_key_t key;
	gpgme_error_t e;
	int n = 0;

	*found = 0;
	if ((e = gpgme_op_keylist_from_data_start(t->ctx, data, 0)) != 0)
		return gpg_fail(err, "cannot read the key file", e);
	while (gpgme_op_keylist_next(t->ctx, &key) == 0) {
		if (key->subkeys != NULL && key->subkeys->fpr != NULL &&
		    strcasecmp(key->subkeys->fpr, fpr) == 0)
			*found = 1;
		gpgme_key_unref(key);
		n++;
	}
	gpgme_op_keylist_end(t->ctx);
	return n;
}

int
pub_csaf_trust_import(struct pub_csaf_trust *t, const char *fpr,
    const char *buf, size_t len, struct cb_err *err)
{
	gpgme_data_t data;
	gpgme_error_t e;
	int n, found = 0, rc = -1;

	if (len > PUB_CSAF_TRUST_MAX_KEY)
		return cb_err_set(err, "the key file is larger than %u bytes",
		    PUB_CSAF_TRUST_MAX_KEY);
	if ((e = gpgme_data_new_from_mem(&data, buf, len, 0)) != 0)
		return gpg_fail(err, "gpgme", e);
	if ((n = keys_in(t, data, fpr, &found, err)) < 0)
		goto out;
	if (n == 0) {
		cb_err_set(err, "the key file holds no OpenPGP key");
		goto out;
	}
	if (!found) {
		cb_err_set(err, "the key's fingerprint is not %s, the one "
		    "provider-metadata.json lists: refused", fpr);
		goto out;
	}
	if (n > 1) {
		cb_err_set(err, "the key file holds %d keys, not only %s: "
		    "refused", n, fpr);
		goto out;
	}
	gpgme_data_seek(data, 0, SEEK_SET);
	if ((e = gpgme_op_import(t->ctx, data)) != 0) {
		gpg_fail(err, "cannot import the key", e);
		goto out;
	}
	if (!pub_csaf_trust_has_key(t, fpr)) {
		cb_err_set(err, "gpg did not import key %s", fpr);
		goto out;
	}
	rc = 0;
out:
	gpgme_data_release(data);
	return rc;
}

static int
listed(const struct cb_strlist *fprs, const char *fpr)
{
	size_t i;

	for (i = 0; i < fprs->n; i++)
		if (strcasecmp(fprs->v[i], fpr) == 0)
			return 1;
	return 0;
}

/* 0 when sig is a good signature by a listed key, else -1 with why. */
static int
check_sig(struct pub_csaf_trust *t, gpgme_signature_t sig,
    const struct cb_strlist *fprs, struct cb_err *err)
{
	const char *by = sig->fpr != NULL ? sig->fpr : "(unknown)";
	char primary[FPR_BUF];

	switch (gpg_err_code(sig->status)) {
	case GPG_ERR_NO_ERROR:
		break;
	case GPG_ERR_NO_PUBKEY:
		return cb_err_set(err, "signed by key %s, which "
		    "provider-metadata.json does not list", by);
	case GPG_ERR_BAD_SIGNATURE:
		return cb_err_set(err, "bad signature by key %s: the document "
		    "is not the one that was signed", by);
	default:
		return cb_err_set(err, "signature by key %s: %s", by,
		    gpgme_strerror(sig->status));
	}
	if (primary_fpr(t, sig->fpr, primary, sizeof(primary)) < 0 ||
	    !listed(fprs, primary))
		return cb_err_set(err, "signed by key %s, which "
		    "provider-metadata.json does not list", by);
	return 0;
}

int
pub_csaf_trust_verify(struct pub_csaf_trust *t, const char *doc, size_t len,
    const char *asc, size_t asc_len, const struct cb_strlist *fprs,
    struct cb_err *err)
{
	gpgme_data_t sig = NULL, text = NULL;
	gpgme_verify_result_t res;
	gpgme_signature_t s;
	gpgme_error_t e;
	int rc = -1;

	if (asc_len > PUB_CSAF_TRUST_MAX_ASC)
		return cb_err_set(err, "the .asc is larger than %u bytes",
		    PUB_CSAF_TRUST_MAX_ASC);
	if ((e = gpgme_data_new_from_mem(&sig, asc, asc_len, 0)) != 0 ||
	    (e = gpgme_data_new_from_mem(&text, doc, len, 0)) != 0) {
		gpg_fail(err, "gpgme", e);
		goto out;
	}
	if ((e = gpgme_op_verify(t->ctx, sig, text, NULL)) != 0) {
		gpg_fail(err, "the .asc is not an OpenPGP signature", e);
		goto out;
	}
	res = gpgme_op_verify_result(t->ctx);
	if (res == NULL || res->signatures == NULL) {
		cb_err_set(err, "the .asc holds no signature");
		goto out;
	}
	/* Any good signature by a listed key will do; else the first
	 * one's reason. */
	for (s = res->signatures; s != NULL; s = s->next)
		if (check_sig(t, s, fprs, NULL) == 0) {
			rc = 0;
			goto out;
		}
	check_sig(t, res->signatures, fprs, err);
out:
	gpgme_data_release(sig);
	gpgme_data_release(text);
	return rc;
}

int
pub_csaf_trust_check_sha512(const char *doc, size_t len, const char *text,
    size_t text_len, struct cb_err *err)
{
	uint8_t want[64], have[64];

	if (text_len > PUB_CSAF_TRUST_MAX_SHA)
		return cb_err_set(err, "the .sha512 is larger than %d bytes",
		    PUB_CSAF_TRUST_MAX_SHA);
	if (cb_sig_unhex(text, text_len, want, sizeof(want)) < 0 ||
	    (text_len > 128 && !isspace((unsigned char)text[128])))
		return cb_err_set(err, "the .sha512 does not start with 128 "
		    "hex digits");
	cb_sig_sha512(doc, len, have);
	if (cb_sig_memcmp(want, have, sizeof(have)) != 0)
		return cb_err_set(err, "the SHA-512 in the .sha512 does not "
		    "match the document");
	return 0;
}
