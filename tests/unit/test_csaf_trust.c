/*
 * test_csaf_trust: the SHA-512 check of CSAF documents, the private
 * keyring's folder, and what the keyring refuses.  Good signatures by
 * a pinned key, and keys of the wrong fingerprint, are exercised with
 * real gpg keys in tests/integration/t420-csaf-trust.sh.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cb_test.h"
#include "pub_csaf_trust.h"

#define DOC "csaf/provider-sotttt/white/2025/so-tttt-2025-01.json"
#define FPR "8F5F267907B2C4559DB360DB2294BA7D2B2298B1"

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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
