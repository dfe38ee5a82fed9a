/* pub_webauth: the page's tokens, kept as hashes (see pub_webauth.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_file.h"
#include "cb_mem.h"
#include "cb_sig.h"
#include "pub_webauth.h"

#define HASH_HEX 64
#define LINE (HASH_HEX + 1)
#define FILE_MAX (PUB_WEB_TOKENS_MAX * LINE)

static void
to_hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* The hash of a token's text, as hex. */
static void
token_hash(const char *token, char out[HASH_HEX + 1])
{
	uint8_t h[32];

	cb_sig_hash(token, strlen(token), h);
	to_hex(h, sizeof(h), out);
}

static char *
tokens_path(const char *state)
{
	return cb_xasprintf("%s/%s", state, PUB_WEB_TOKENS_FILE);
}

/* The file's lines (hashes), or "" when there is none. */
static char *
read_hashes(const char *path, struct cb_err *err)
{
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return cb_xstrdup("");
	return cb_file_read_secret(path, FILE_MAX, NULL, err);
}

int
pub_webauth_new(const char *state, int replace,
    char out[PUB_WEB_TOKEN_HEX + 1], struct cb_err *err)
{
	char *path = tokens_path(state), *old = NULL, *text;
	const char *keep;
	char hash[HASH_HEX + 1];
	uint8_t raw[PUB_WEB_TOKEN_BYTES];
	size_t n;
	int rc = -1;

	if (!replace && (old = read_hashes(path, err)) == NULL)
		goto out;
	keep = old != NULL ? old : "";
	/* Room for the new line: drop the oldest past the cap. */
	for (n = strlen(keep) / LINE; n >= PUB_WEB_TOKENS_MAX; n--)
		keep += LINE;
	cb_sig_random(raw, sizeof(raw));
	to_hex(raw, sizeof(raw), out);
	cb_sig_wipe(raw, sizeof(raw));
	token_hash(out, hash);
	text = cb_xasprintf("%s%s\n", keep, hash);
	rc = cb_file_write_atomic(path, text, strlen(text), 0600, err);
	free(text);
out:
	free(old);
	free(path);
	return rc;
}

int
pub_webauth_check(const char *state, const char *token)
{
	char *path, *text, *p;
	char hash[HASH_HEX + 1];
	struct cb_err err;
	int found = 0;

	if (token == NULL || strlen(token) != PUB_WEB_TOKEN_HEX)
		return 0;
	path = tokens_path(state);
	text = read_hashes(path, &err);
	free(path);
	if (text == NULL)
		return 0;
	token_hash(token, hash);
	/* Every line compared, whichever matches. */
	for (p = text; strlen(p) >= LINE; p += LINE)
		found |= p[HASH_HEX] == '\n' &&
		    cb_sig_memcmp(p, hash, HASH_HEX) == 0;
	free(text);
	return found;
}
