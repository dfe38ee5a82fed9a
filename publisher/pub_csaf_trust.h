/*
 * pub_csaf_trust: the OpenPGP side of CSAF, on gpgme.  The only file
 * that includes <gpgme.h>.
 *
 * A CSAF provider signs every document (<doc>.asc, a detached OpenPGP
 * signature) and lists its keys in provider-metadata.json, each with
 * the URL to fetch it from and its fingerprint.  This module keeps
 * those keys in a keyring of its own, a folder only the publisher's
 * user may enter (the state folder's "openpgp", never the user's
 * ~/.gnupg), and checks documents against them.  gpg runs there with
 * no agent started and no network: keys come only from what the caller
 * fetched from the listed URLs, and only under their listed
 * fingerprint.
 *
 * Nothing here fetches, logs or prints; every refusal comes back as a
 * sentence in err that names the reason.
 */
#ifndef PUB_CSAF_TRUST_H
#define PUB_CSAF_TRUST_H

#include <stddef.h>

#include "cb_adv.h"
#include "cb_err.h"

#define PUB_CSAF_TRUST_MAX_KEY (1024u * 1024) /* bytes of one key file */
#define PUB_CSAF_TRUST_MAX_ASC (64u * 1024)   /* bytes of one .asc */
#define PUB_CSAF_TRUST_MAX_SHA 4096           /* bytes of one .sha512 */

struct pub_csaf_trust;

/* The keyring in dir, created 0700 when missing (an existing dir that
 * others may enter is refused).  NULL with err when gpg cannot be used
 * there.  Free with pub_csaf_trust_free (NULL is fine). */
struct pub_csaf_trust *pub_csaf_trust_open(const char *dir,
    struct cb_err *err);
void pub_csaf_trust_free(struct pub_csaf_trust *t);

/* 1 when the keyring holds the key whose primary fingerprint is fpr
 * (upper-case hex), else 0. */
int pub_csaf_trust_has_key(struct pub_csaf_trust *t, const char *fpr);

/* Import the key file buf (len bytes, armored or binary) fetched from
 * the URL listed with fingerprint fpr.  Refused, with nothing imported,
 * unless buf holds exactly one key and that key's primary fingerprint
 * is fpr.  Returns 0 or -1. */
int pub_csaf_trust_import(struct pub_csaf_trust *t, const char *fpr,
    const char *buf, size_t len, struct cb_err *err);

/* Check the detached signature asc over the document doc: 0 when a
 * good signature by a key in the keyring whose primary fingerprint is
 * one of fprs (the provider's, upper-case hex) is there, else -1 with
 * the reason (an unknown or unlisted key, a bad signature, no
 * signature). */
int pub_csaf_trust_verify(struct pub_csaf_trust *t, const char *doc,
    size_t len, const char *asc, size_t asc_len,
    const struct cb_strlist *fprs, struct cb_err *err);

/* A .sha512 file (128 hex digits, then optionally the file name, as
 * sha512sum writes it) against the document: 0 when they match, else
 * -1 with the reason. */
int pub_csaf_trust_check_sha512(const char *doc, size_t len,
    const char *text, size_t text_len, struct cb_err *err);

#endif
