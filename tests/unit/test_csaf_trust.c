/*
 * test_csaf_trust: the SHA-512 check of CSAF documents, the private
 * keyring's folder, keys pinned by fingerprint and signatures checked
 * against them, with two test keys made once with gpg (tests/data/csaf:
 * provider.asc, other.asc, their fingerprints, and a document signed by
 * each).  tests/integration/t420-csaf-trust.sh does the same through
 * the daemon with keys it makes itself.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cb_test.h"
#include "pub_csaf_trust.h"

#define DOC "csaf/provider-sotttt/white/2025/so-tttt-2025-01.json"
#define FPR "8F5F267907B2C4559DB360DB2294BA7D2B2298B1"

/* tests/data/csaf/<name>, read whole (the caller frees it). */
static char *
data(const char *name, size_t *lenp)
{
	const char *top = getenv("CANHBAO_TOP");
	char *rel, *path, *buf;

	if (top == NULL)
		fail_msg("set CANHBAO_TOP to the repository");
	rel = cb_test_path("tests/data/csaf", name);
	path = cb_test_path(top, rel);
	buf = cb_test_read(path, lenp);
	free(rel);
	free(path);
	return buf;
}

/* A fingerprint file's first line, in place. */
static char *
fpr_of(const char *name)
{
	char *f = data(name, NULL);

	f[strcspn(f, "\r\n")] = '\0';
	return f;
}

static void
test_pinned_keys(void **state)
{
	char *tmp = cb_test_tmpdir();
	char *dir = cb_test_path(tmp, "openpgp");
	char *fpr = fpr_of("provider.fpr"), *other = fpr_of("other.fpr");
	size_t klen, olen, dlen, alen, xlen;
	char *key = data("provider.asc", &klen);
	char *okey = data("other.asc", &olen);
	char *doc = data("doc.json", &dlen);
	char *asc = data("doc.json.asc", &alen);
	char *xasc = data("doc.json.other.asc", &xlen);
	char both[2048];
	struct cb_strlist fprs = { NULL, 0 };
	struct pub_csaf_trust *t;
	struct cb_err err = { "" };

	(void)state;
	if ((t = pub_csaf_trust_open(dir, &err)) == NULL)
		fail_msg("%s", err.msg);
	cb_strlist_add(&fprs, fpr);
	/* before the key is in: no public key */
	assert_int_equal(pub_csaf_trust_verify(t, doc, dlen, asc, alen, &fprs,
			     &err),
	    -1);
	assert_non_null(strstr(err.msg, "does not list"));
	/* the other key under the provider's fingerprint: refused */
	assert_int_equal(pub_csaf_trust_import(t, fpr, okey, olen, &err), -1);
	assert_non_null(strstr(err.msg, "fingerprint is not"));
	assert_int_equal(pub_csaf_trust_has_key(t, other), 0);
	/* both keys in one file: refused, nothing imported */
	assert_true(klen + olen < sizeof(both));
	memcpy(both, key, klen);
	memcpy(both + klen, okey, olen);
	assert_int_equal(pub_csaf_trust_import(t, fpr, both, klen + olen,
			     &err),
	    -1);
	assert_non_null(strstr(err.msg, "holds 2 keys"));
	assert_int_equal(pub_csaf_trust_has_key(t, fpr), 0);
	/* the right one */
	if (pub_csaf_trust_import(t, fpr, key, klen, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(pub_csaf_trust_has_key(t, fpr), 1);
	if (pub_csaf_trust_verify(t, doc, dlen, asc, alen, &fprs, &err) != 0)
		fail_msg("%s", err.msg);
	/* signed by a key not listed (nor in the keyring) */
	assert_int_equal(pub_csaf_trust_verify(t, doc, dlen, xasc, xlen, &fprs,
			     &err),
	    -1);
	assert_non_null(strstr(err.msg, other));
	assert_non_null(strstr(err.msg, "does not list"));
	/* a key in the keyring that this provider does not list */
	cb_strlist_release(&fprs);
	cb_strlist_add(&fprs, other);
	assert_int_equal(pub_csaf_trust_verify(t, doc, dlen, asc, alen, &fprs,
			     &err),
	    -1);
	assert_non_null(strstr(err.msg, "does not list"));
	cb_strlist_release(&fprs);
	cb_strlist_add(&fprs, fpr);
	/* one byte of the document changed */
	doc[20] ^= 1;
	assert_int_equal(pub_csaf_trust_verify(t, doc, dlen, asc, alen, &fprs,
			     &err),
	    -1);
	assert_non_null(strstr(err.msg, "bad signature"));
	pub_csaf_trust_free(t);
	/* the keyring keeps the key for the next start */
	t = pub_csaf_trust_open(dir, &err);
	assert_non_null(t);
	assert_int_equal(pub_csaf_trust_has_key(t, fpr), 1);
	pub_csaf_trust_free(t);
	cb_strlist_release(&fprs);
	cb_test_rmtree(tmp);
	free(xasc);
	free(asc);
	free(doc);
	free(okey);
	free(key);
	free(other);
	free(fpr);
	free(dir);
	free(tmp);
}

static void
test_sha512(void **state)
{
	struct cb_err err = { "" };
	size_t len, slen;
	char *doc = cb_test_fixture(DOC, &len);
	char *sha = cb_test_fixture(DOC ".sha512", &slen);
	char bad[200];

	(void)state;
	assert_int_equal(pub_csaf_trust_check_sha512(doc, len, sha, slen,
			     &err),
	    0);
	/* only the digest, upper case: fine too */
	memcpy(bad, sha, 128);
	for (size_t i = 0; i < 128; i++)
		bad[i] = (char)(bad[i] >= 'a' ? bad[i] - 32 : bad[i]);
	assert_int_equal(pub_csaf_trust_check_sha512(doc, len, bad, 128,
			     &err),
	    0);
	/* one byte of the document changed */
	doc[10] ^= 1;
	assert_int_equal(pub_csaf_trust_check_sha512(doc, len, sha, slen,
			     &err),
	    -1);
	assert_non_null(strstr(err.msg, "does not match the document"));
	doc[10] ^= 1;
	/* not a digest */
	assert_int_equal(pub_csaf_trust_check_sha512(doc, len, sha, 127,
			     &err),
	    -1);
	assert_non_null(strstr(err.msg, "128 hex digits"));
	memcpy(bad, sha, 128);
	bad[128] = 'f';
	assert_int_equal(pub_csaf_trust_check_sha512(doc, len, bad, 129,
			     &err),
	    -1);
	bad[5] = 'g';
	assert_int_equal(pub_csaf_trust_check_sha512(doc, len, bad, 128,
			     &err),
	    -1);
	assert_int_equal(pub_csaf_trust_check_sha512(doc, len, sha,
			     PUB_CSAF_TRUST_MAX_SHA + 1, &err),
	    -1);
	assert_non_null(strstr(err.msg, "larger than"));
	free(doc);
	free(sha);
}

static void
test_keyring(void **state)
{
	char *tmp = cb_test_tmpdir();
	char *dir = cb_test_path(tmp, "openpgp");
	char *conf = cb_test_path(dir, "gpg.conf");
	struct cb_strlist fprs = { NULL, 0 };
	struct pub_csaf_trust *t;
	struct cb_err err = { "" };
	struct stat st;
	static const char junk[] = "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\n"
				   "bm90IGEga2V5\n-----END PGP PUBLIC KEY "
				   "BLOCK-----\n";

	(void)state;
	if ((t = pub_csaf_trust_open(dir, &err)) == NULL)
		fail_msg("%s", err.msg);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(conf, &st), 0);
	assert_int_equal(pub_csaf_trust_has_key(t, FPR), 0);
	/* no key in it, or a key file too large: nothing imported */
	assert_int_equal(pub_csaf_trust_import(t, FPR, junk, strlen(junk),
			     &err),
	    -1);
	assert_int_equal(pub_csaf_trust_import(t, FPR, junk,
			     PUB_CSAF_TRUST_MAX_KEY + 1, &err),
	    -1);
	assert_non_null(strstr(err.msg, "larger than"));
	assert_int_equal(pub_csaf_trust_has_key(t, FPR), 0);
	/* no signature, or one by a key it does not hold */
	cb_strlist_add(&fprs, FPR);
	assert_int_equal(pub_csaf_trust_verify(t, "{}", 2, junk, strlen(junk),
			     &fprs, &err),
	    -1);
	assert_int_equal(pub_csaf_trust_verify(t, "{}", 2, "", 0, &fprs,
			     &err),
	    -1);
	cb_strlist_release(&fprs);
	pub_csaf_trust_free(t);
	pub_csaf_trust_free(NULL);

	/* a folder others may enter is refused */
	assert_int_equal(chmod(dir, 0755), 0);
	assert_null(pub_csaf_trust_open(dir, &err));
	cb_test_rmtree(tmp);
	free(conf);
	free(dir);
	free(tmp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sha512),
		cmocka_unit_test(test_keyring),
		cmocka_unit_test(test_pinned_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
