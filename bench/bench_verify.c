/*
 * bench_verify: time of "canhbao-sub verify" over an archive of N
 * advisories, each sealed with a real key (so every signature is
 * checked as the daemon checked it on arrival).
 *
 *   bench_verify N DIR
 *
 * Builds DIR/archive.db (once; kept for the next run) through
 * sub_store_put, as the daemon writes, with the key recorded as
 * pinned; then runs the verify command's code (sub_lookup_verify) 5
 * times and prints the median.
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cb_adv.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_sig.h"
#include "cb_time.h"
#include "sub_lookup.h"
#include "sub_store.h"

#define RUNS 5

static void
die(const char *msg)
{
	fprintf(stderr, "bench_verify: %s\n", msg);
	exit(2);
}

static void
put_one(struct sub_store *s, const struct cb_seckey *sk, uint64_t seq)
{
	struct cb_sealed sealed;
	struct cb_pubkey pk;
	struct cb_msg msg;
	struct cb_adv a;
	struct cb_err err;
	char *json;

	cb_adv_init(&a);
	a.id = cb_xasprintf("bench:%08llu", (unsigned long long)seq);
	a.source = cb_xstrdup("bench");
	a.revision = 1;
	a.severity = (enum cb_severity)(seq % 5);
	a.title = cb_xasprintf("Cảnh báo số %llu: lỗ hổng nghiêm trọng trong "
	    "hệ thống một cửa", (unsigned long long)seq);
	a.summary = cb_xstrdup("Đề nghị các đơn vị rà soát, cập nhật bản vá "
	    "và giám sát nhật ký truy cập trong dịp Tết Nguyên đán.");
	a.published = 1700000000 + (int64_t)seq * 60;
	json = cb_adv_to_json(&a);
	cb_seckey_public(sk, &pk);
	if (cb_msg_seal(sk, CB_MSG_ADVISORY, seq, a.published * 1000, json,
		strlen(json), "bench", &sealed, &err) < 0 ||
	    cb_msg_open(&pk, 1, sealed.signed_bytes, sealed.signed_len,
		sealed.sigblock, sealed.sigblock_len, &msg, &err) < 0 ||
	    sub_store_put(s, &msg, &a, sealed.signed_bytes, sealed.signed_len,
		sealed.sigblock, sealed.sigblock_len, &err) < 0)
		die(err.msg);
	cb_sealed_release(&sealed);
	free(json);
	cb_adv_release(&a);
}

static void
build(const char *dir, unsigned long n)
{
	char *path = cb_xasprintf("%s/%s", dir, SUB_ARCHIVE_FILE);
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct sub_store *s;
	struct cb_err err;
	unsigned long i;

	if (access(path, F_OK) == 0) {
		free(path);
		return;
	}
	mkdir(dir, 0700);
	if (cb_sig_keygen(&sk, &pk, &err) < 0 ||
	    (s = sub_store_open(path, 0, &err)) == NULL ||
	    sub_store_pin(s, &pk, &err) < 0 || sub_store_batch(s, 1, &err) < 0)
		die(err.msg);
	for (i = 1; i <= n; i++)
		put_one(s, sk, i);
	if (sub_store_batch(s, 0, &err) < 0)
		die(err.msg);
	sub_store_close(s);
	cb_seckey_free(sk);
	free(path);
}

static int
cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
	struct sub_lookup_opts o;
	int64_t ms[RUNS], t0;
	unsigned long n;
	int i;

	if (argc != 3 || (n = strtoul(argv[1], NULL, 10)) == 0)
		die("usage: bench_verify N DIR");
	if (cb_sig_init() < 0)
		die("cannot initialise libsodium");
	build(argv[2], n);
	memset(&o, 0, sizeof(o));
	o.state = argv[2];
	for (i = 0; i < RUNS; i++) {
		t0 = cb_time_mono_ms();
		if (sub_lookup_verify(&o) != 0)
			die("the archive does not verify");
		ms[i] = cb_time_mono_ms() - t0;
	}
	qsort(ms, RUNS, sizeof(ms[0]), cmp);
	printf("verify, %lu advisories: median %lld ms of %d runs "
	       "(%.1f us per message)\n",
	    n, (long long)ms[RUNS / 2], RUNS, 1000.0 * (double)ms[RUNS / 2] /
	    (double)n);
	return 0;
}
