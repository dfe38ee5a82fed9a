/* Unit tests for cb_sig and cb_file: key files in minisign's formats,
 * their permissions, and signatures. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_test.h"
#include "cb_file.h"
#include "cb_sig.h"

static void
test_keyfiles_roundtrip(void **state)
{
	char *dir = cb_test_tmpdir(), *sp = cb_test_path(dir, "k.key"),
	     *pp = cb_test_path(dir, "k.pub");
	struct cb_seckey *sk, *sk2;
	struct cb_pubkey pk, pk2, pk3;
	struct cb_err err;
	struct stat st;
	uint8_t sig[CB_SIG_LEN];

	(void)state;
	assert_int_equal(cb_sig_keygen(&sk, &pk, &err), 0);
	assert_int_equal(cb_sig_write_seckey(sp, sk, &err), 0);
	assert_int_equal(cb_sig_write_pubkey(pp, &pk, &err), 0);
	assert_int_equal(stat(sp, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	sk2 = cb_sig_read_seckey(sp, &err);
	assert_non_null(sk2);
	assert_int_equal(cb_sig_read_pubkey(pp, &pk2, &err), 0);
	assert_memory_equal(&pk, &pk2, sizeof(pk));
	cb_seckey_public(sk2, &pk3);
	assert_memory_equal(&pk, &pk3, sizeof(pk));
	cb_sig_sign(sk2, "hello", 5, sig);
	assert_int_equal(cb_sig_verify(&pk, "hello", 5, sig), 0);
	cb_seckey_free(sk);
	cb_seckey_free(sk2);
	cb_test_rmtree(dir);
	free(sp);
	free(pp);
	free(dir);
}

static void
test_refuses_overwrite(void **state)
{
	char *dir = cb_test_tmpdir(), *sp = cb_test_path(dir, "k.key");
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_err err;

	(void)state;
	assert_int_equal(cb_sig_keygen(&sk, &pk, &err), 0);
	assert_int_equal(cb_sig_write_seckey(sp, sk, &err), 0);
	assert_int_equal(cb_sig_write_seckey(sp, sk, &err), -1);
	assert_non_null(strstr(err.msg, "refusing to overwrite"));
	cb_seckey_free(sk);
	cb_test_rmtree(dir);
	free(sp);
	free(dir);
}

static void
test_refuses_readable_secret(void **state)
{
	char *dir = cb_test_tmpdir(), *sp = cb_test_path(dir, "k.key"),
	     *lp = cb_test_path(dir, "link.key");
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_err err;

	(void)state;
	assert_int_equal(cb_sig_keygen(&sk, &pk, &err), 0);
	assert_int_equal(cb_sig_write_seckey(sp, sk, &err), 0);
	cb_seckey_free(sk);
	assert_int_equal(chmod(sp, 0640), 0);
	assert_null(cb_sig_read_seckey(sp, &err));
	assert_non_null(strstr(err.msg, "accessible by others"));
	assert_int_equal(chmod(sp, 0600), 0);
	/* A symbolic link to a key is refused too. */
	assert_int_equal(symlink(sp, lp), 0);
	assert_null(cb_sig_read_seckey(lp, &err));
	sk = cb_sig_read_seckey(sp, &err);
	assert_non_null(sk);
	cb_seckey_free(sk);
	cb_test_rmtree(dir);
	free(sp);
	free(lp);
	free(dir);
}

/* A key file another user owns is named as such, not as a mode problem
 * that chmod would not fix (needs root to chown; skipped otherwise). */
static void
test_refuses_foreign_secret(void **state)
{
	char *dir = cb_test_tmpdir(), *sp = cb_test_path(dir, "k.key");
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_err err;
	char want[64];

	(void)state;
	assert_int_equal(cb_sig_keygen(&sk, &pk, &err), 0);
	assert_int_equal(cb_sig_write_seckey(sp, sk, &err), 0);
	cb_seckey_free(sk);
	if (chown(sp, geteuid() + 1, (gid_t)-1) == 0) {
		assert_null(cb_sig_read_seckey(sp, &err));
		snprintf(want, sizeof(want), "is owned by uid %u, not by you "
		    "(uid %u)", (unsigned)geteuid() + 1, (unsigned)geteuid());
		if (strstr(err.msg, want) == NULL)
			fail_msg("'%s' does not say '%s'", err.msg, want);
		assert_null(strstr(err.msg, "chmod"));
	}
	cb_test_rmtree(dir);
	free(sp);
	free(dir);
}

static void
test_damaged_keys(void **state)
{
	struct cb_pubkey pk;
	struct cb_err err;

	(void)state;
	assert_int_equal(cb_sig_parse_pubkey("untrusted comment: x\nRWQ=\n",
			     &pk, &err),
	    -1);
	assert_non_null(strstr(err.msg, "not a valid key"));
	assert_int_equal(cb_sig_parse_pubkey("", &pk, &err), -1);
}

static void
test_private_dir(void **state)
{
	char *dir = cb_test_tmpdir(), *sub = cb_test_path(dir, "a/b/state");
	struct cb_err err;
	struct stat st;

	(void)state;
	assert_int_equal(cb_file_private_dir(sub, 1, &err), 0);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(chmod(sub, 0755), 0);
	assert_int_equal(cb_file_private_dir(sub, 1, &err), -1);
	assert_non_null(strstr(err.msg, "chmod 700"));
	cb_test_rmtree(dir);
	free(sub);
	free(dir);
}

static void
test_keyid_hex(void **state)
{
	const uint8_t id[8] = { 0xb4, 0x41, 0x65, 0x97, 0xe5, 0x35, 0x7e, 0x05 };
	char hex[CB_SIG_KEYIDHEX];

	(void)state;
	/* minisign prints the key number as a little-endian integer. */
	assert_string_equal(cb_sig_keyid_hex(id, hex), "057E35E5976541B4");
}

/* The decoded size is known exactly before decoding: data of exactly
 * max bytes decodes whatever its padding, one byte more does not. */
static void
test_unbase64_exact(void **state)
{
	uint8_t data[4100], *out;
	size_t n, len;
	char *b64;

	(void)state;
	for (n = 0; n < sizeof(data); n++)
		data[n] = (uint8_t)(n * 7);
	for (n = 0; n < 8; n++) {
		b64 = cb_sig_base64(data, n);
		out = cb_sig_unbase64(b64, n, &len);
		assert_non_null(out);
		assert_int_equal(len, n);
		assert_memory_equal(out, data, n);
		free(out);
		if (n > 0)
			assert_null(cb_sig_unbase64(b64, n - 1, &len));
		free(b64);
	}
	b64 = cb_sig_base64(data, 4096);
	out = cb_sig_unbase64(b64, 4096, &len);
	assert_non_null(out);
	assert_int_equal(len, 4096);
	free(out);
	assert_null(cb_sig_unbase64(b64, 4095, &len));
	free(b64);
	assert_null(cb_sig_unbase64("AAA", 10, &len)); /* unpadded */
	assert_null(cb_sig_unbase64("AA=A", 10, &len));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keyfiles_roundtrip),
		cmocka_unit_test(test_unbase64_exact),
		cmocka_unit_test(test_refuses_overwrite),
		cmocka_unit_test(test_refuses_readable_secret),
		cmocka_unit_test(test_refuses_foreign_secret),
		cmocka_unit_test(test_damaged_keys),
		cmocka_unit_test(test_private_dir),
		cmocka_unit_test(test_keyid_hex),
	};

	if (cb_sig_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
