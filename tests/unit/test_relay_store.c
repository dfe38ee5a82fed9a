/* Unit tests for relay_store: the relay's journal in order, a batch
 * that repeats a seq, the signing key and registry kept across a reopen, the
 * journal reader cb_serve uses. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_test.h"
#include "relay_store.h"

struct fx {
	char *dir, *path;
	struct relay_store *s;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct cb_err err;

	f->dir = cb_test_tmpdir();
	f->path = cb_test_path(f->dir, "relay.db");
	f->s = relay_store_open(f->path, 0, &err);
	if (f->s == NULL)
		fail_msg("%s", err.msg);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	relay_store_close(f->s);
	cb_test_rmtree(f->dir);
	free(f->dir);
	free(f->path);
	free(f);
	return 0;
}

static void
put(struct relay_store *s, uint64_t seq)
{
	uint8_t sb[40], sig[20];
	struct cb_err err;

	memset(sb, (int)seq, sizeof(sb));
	memset(sig, (int)seq + 1, sizeof(sig));
	assert_int_equal(relay_store_begin(s, &err), 0);
	assert_int_equal(relay_store_put(s, seq, 1, sb, sizeof(sb), sig,
	    sizeof(sig), &err), 0);
}

static void
reopen(struct fx *f)
{
	struct cb_err err;

	relay_store_close(f->s);
	f->s = relay_store_open(f->path, 0, &err);
	assert_non_null(f->s);
}

struct seen {
	uint64_t seqs[16];
	int n, stop_at;
};

static int
collect(const struct cb_serve_entry *e, void *arg)
{
	struct seen *s = arg;

	if (s->n == s->stop_at)
		return -1;
	assert_int_equal(e->signed_len, 40);
	assert_int_equal(e->signed_bytes[0], (uint8_t)e->seq);
	assert_int_equal(e->sigblock_len, 20);
	s->seqs[s->n++] = e->seq;
	return 0;
}

static void
test_journal_in_order(void **state)
{
	struct fx *f = *state;
	struct seen seen = { .stop_at = -1 };
	struct cb_err err;
	uint64_t i;

	assert_int_equal(relay_store_last_seq(f->s), 0);
	for (i = 1; i <= 5; i++)
		put(f->s, i);
	assert_int_equal(relay_store_commit(f->s, &err), 0);
	assert_int_equal(relay_store_last_seq(f->s), 5);
	reopen(f);
	assert_int_equal(relay_store_last_seq(f->s), 5);
	assert_int_equal(relay_store_each(f->s, 2, 2, collect, &seen, &err), 2);
	assert_int_equal(seen.seqs[0], 3);
	assert_int_equal(seen.seqs[1], 4);
	seen = (struct seen){ .stop_at = 1 };
	assert_int_equal(relay_store_each(f->s, 0, 10, collect, &seen, &err),
	    1);
}

static void
test_same_seq_refused(void **state)
{
	struct fx *f = *state;
	struct cb_err err;
	uint8_t b[1] = { 0 };

	put(f->s, 1);
	assert_int_equal(relay_store_commit(f->s, &err), 0);
	put(f->s, 2);
	/* the same seq twice: the second put fails, the first stays */
	assert_int_equal(relay_store_put(f->s, 2, 1, b, 1, b, 1, &err), -1);
	assert_int_equal(relay_store_commit(f->s, &err), 0);
	reopen(f);
	assert_int_equal(relay_store_last_seq(f->s), 2);
}

static void
test_key_and_registry_kept(void **state)
{
	struct fx *f = *state;
	struct cb_pubkey pk, got;
	uint8_t *sb, *sig;
	size_t sblen, siglen;
	uint64_t since, gen;
	struct cb_err err;

	assert_int_equal(relay_store_signing_key(f->s, &got, &since, &err), 0);
	assert_int_equal(relay_store_registry(f->s, &sb, &sblen, &sig,
	    &siglen, &gen, &err), 0);
	memset(&pk, 7, sizeof(pk));
	assert_int_equal(relay_store_set_signing_key(f->s, &pk, 42, &err), 0);
	assert_int_equal(relay_store_set_registry(f->s, 3,
	    (const uint8_t *)"abc", 3, (const uint8_t *)"de", 2, &err), 0);
	assert_int_equal(relay_store_set_registry(f->s, 4,
	    (const uint8_t *)"wxyz", 4, (const uint8_t *)"q", 1, &err), 0);
	reopen(f);
	assert_int_equal(relay_store_signing_key(f->s, &got, &since, &err), 1);
	assert_int_equal(since, 42);
	assert_memory_equal(&got, &pk, sizeof(pk));
	assert_int_equal(relay_store_registry(f->s, &sb, &sblen, &sig,
	    &siglen, &gen, &err), 1);
	assert_int_equal(gen, 4);
	assert_int_equal(sblen, 4);
	assert_memory_equal(sb, "wxyz", 4);
	assert_int_equal(siglen, 1);
	free(sb);
	free(sig);
}

static void
status_one(const char *name, const char *value, void *arg)
{
	int *n = arg;

	assert_string_equal(name, "upstream");
	assert_string_equal(value, "tcp://b:1");
	(*n)++;
}

static void
test_status_rows(void **state)
{
	struct fx *f = *state;
	struct cb_err err;
	int n = 0;

	assert_int_equal(relay_store_set_status(f->s, "upstream", "tcp://a:1",
	    &err), 0);
	assert_int_equal(relay_store_set_status(f->s, "upstream", "tcp://b:1",
	    &err), 0);
	assert_int_equal(relay_store_status_each(f->s, status_one, &n, &err),
	    0);
	assert_int_equal(n, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_journal_in_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_same_seq_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_key_and_registry_kept,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_rows, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
