/*
 * pub_webauth: who may read the duty officer's page.  A token is 32
 * random bytes (64 hex digits) handed out in a link by "canhbao-pub
 * web-link"; the state folder keeps only its BLAKE2b-256 hash, one per
 * line in web.tokens (0600), so a copy of the folder logs nobody in.
 * Each link adds a token (one per screen), up to PUB_WEB_TOKENS_MAX,
 * the oldest dropped first; "web-link --new" replaces them all, so
 * every earlier link stops working.  The file is read at each check:
 * a replaced token is refused at once, without a restart.
 */
#ifndef PUB_WEBAUTH_H
#define PUB_WEBAUTH_H

#include "cb_err.h"

#define PUB_WEB_TOKENS_FILE "web.tokens"
#define PUB_WEB_TOKEN_BYTES 32
#define PUB_WEB_TOKEN_HEX (2 * PUB_WEB_TOKEN_BYTES)
#define PUB_WEB_TOKENS_MAX 16

/* A new token into out (64 hex digits and NUL), its hash added to
 * state/web.tokens, or replacing every hash there when replace is set.
 * Returns 0, or -1 with err (nothing changed). */
int pub_webauth_new(const char *state, int replace,
    char out[PUB_WEB_TOKEN_HEX + 1], struct cb_err *err);

/* 1 when token (NULL is fine) is one that state/web.tokens holds the
 * hash of, compared in constant time; 0 otherwise, also when there is
 * no file or it cannot be read. */
int pub_webauth_check(const char *state, const char *token);

#endif
