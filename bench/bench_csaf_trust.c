/*
 * bench_csaf_trust: what checking a CSAF document costs the publisher's
 * event loop (it runs inside it): gpg's verification of the .asc
 * through gpgme (one gpg process a document), and the SHA-512 check.
 *
 *   bench_csaf_trust DATA N KEYRING
 *
 * DATA is tests/data/csaf (a test key, a document and its .asc and
 * .sha512); the key goes into a keyring made in the folder KEYRING
 * (which the caller removes), then the document is checked N times for
 * its signature, 100 N times for its SHA-512.  Prints milliseconds per
 * document, and merges them into bench/results.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_adv.h"
#include "cb_file.h"
#include "cb_mem.h"
#include "cb_time.h"
#include "pub_csaf_trust.h"
#include "results.h"

static void
die(const char *msg)
{
	fprintf(stderr, "bench_csaf_trust: %s\n", msg);
	exit(2);
}

static char *
load(const char *dir, const char *name, size_t *len)
{
	char *path = cb_xasprintf("%s/%s", dir, name);
	struct cb_err err;
	char *buf = cb_file_read(path, 1 << 20, 0, len, &err);

	if (buf == NULL)
		die(err.msg);
	free(path);
	return buf;
}

int
main(int argc, char **argv)
{
	char *doc, *asc, *sha, *key, *fpr;
	struct cb_strlist fprs = { NULL, 0 };
	struct pub_csaf_trust *t;
	struct cb_err err;
	size_t dlen, alen, slen, klen;
	int64_t t0, t1, t2;
	long i, n;

	if (argc != 4 || (n = atol(argv[2])) <= 0)
		die("usage: bench_csaf_trust DATA N KEYRING");
	doc = load(argv[1], "doc.json", &dlen);
	asc = load(argv[1], "doc.json.asc", &alen);
	sha = load(argv[1], "doc.json.sha512", &slen);
	key = load(argv[1], "provider.asc", &klen);
	fpr = load(argv[1], "provider.fpr", NULL);
	fpr[strcspn(fpr, "\r\n")] = '\0';
	if ((t = pub_csaf_trust_open(argv[3], &err)) == NULL ||
	    pub_csaf_trust_import(t, fpr, key, klen, &err) < 0)
		die(err.msg);
	cb_strlist_add(&fprs, fpr);
	t0 = cb_time_mono_ms();
	for (i = 0; i < n; i++)
		if (pub_csaf_trust_verify(t, doc, dlen, asc, alen, &fprs,
			&err) < 0)
			die(err.msg);
	t1 = cb_time_mono_ms();
	for (i = 0; i < n * 100; i++)
		if (pub_csaf_trust_check_sha512(doc, dlen, sha, slen,
			&err) < 0)
			die(err.msg);
	t2 = cb_time_mono_ms();
	printf("  OpenPGP signature (gpg through gpgme): %.2f ms a document; "
	       "SHA-512: %.4f ms a document (%zu bytes)\n",
	    (double)(t1 - t0) / (double)n, (double)(t2 - t1) / (double)(n * 100),
	    dlen);
	results_set_in("csaf_trust", "signature_ms",
	    cJSON_CreateNumber((double)(t1 - t0) / (double)n));
	results_set_in("csaf_trust", "sha512_ms",
	    cJSON_CreateNumber((double)(t2 - t1) / (double)(n * 100)));
	pub_csaf_trust_free(t);
	cb_strlist_release(&fprs);
	free(doc);
	free(asc);
	free(sha);
	free(key);
	free(fpr);
	return results_save() < 0 ? 2 : 0;
}
