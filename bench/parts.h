/*
 * parts: what the delivery benchmarks share (bench_delivery,
 * bench_fanout): the ~2 KB signed Vietnamese advisory they send, the
 * rates of a subscriber's parts alone on this machine (Ed25519 verify,
 * durable SQLite + FTS5 insert), and starting and ending the daemons.
 *
 * Benchmarks are programs, not library code: these helpers print to
 * stderr and exit(2) on what should not happen (parts_die).
 */
#ifndef BENCH_PARTS_H
#define BENCH_PARTS_H

#include <sys/types.h>

#include <stddef.h>

/* About 1.8 KB of summary, so that a signed advisory is about 2 KB. */
extern const char parts_summary[];

/* Monotonic milliseconds: the same clock in every process here. */
double parts_now_ms(void);
/* Median (p = 0.5), p99 (0.99) ... of n values; sorts v in place. */
double parts_pct(double *v, int n, double p);
/* "bench: WHAT" on stderr, exit 2. */
void parts_die(const char *what) __attribute__((noreturn));

/* The JSON of advisory i of a run tag, as a feed item or a draft: an
 * object with id TAG-i.  The caller frees it. */
char *parts_advisory_json(const char *tag, int i);
/* DIR/feed.json, written atomically: a canhbao JSON feed document of n
 * advisories (ids Fn-0 ... Fn-(n-1)). */
void parts_write_feed(const char *dir, int n);
/* A control "publish" request (JSON) for advisory i of TAG, as a staff
 * command would send it (no id: the publisher assigns one).  The caller
 * frees it. */
char *parts_publish_request(const char *tag, int i);

/* A canhbao-pub for a benchmark: its key made in HOME/pub, its
 * configuration HOME/pub.conf (broadcast and requests on the endpoints
 * given, a heartbeat every second, no CurveZMQ, one canhbao JSON feed,
 * HOME/feed.json, written empty now and polled only when asked), its
 * log HOME/pub.log; returns its pid.  BINDIR holds canhbao-pub. */
pid_t parts_start_pub(const char *bindir, const char *home,
    const char *broadcast, const char *requests);

/* Start argv[0] with stdout on fd out (or /dev/null when out < 0) and
 * stderr appended to the file log; returns its pid. */
pid_t parts_spawn(char *const argv[], int out, const char *log);
/* As parts_spawn, stdout on a new pipe whose reading end (close on
 * exec) is put in *out_fd. */
pid_t parts_spawn_piped(char *const argv[], int *out_fd, const char *log);
/* SIGTERM *pid, wait for it, set it to 0 (nothing when it is 0). */
void parts_stop(pid_t *pid);
/* SIGTERM all n (those not 0), then wait for each; sets them to 0. */
void parts_stop_all(pid_t *pids, int n);

/* What the subscriber's parts do alone, measured in this run. */
struct parts_rates {
	double sign_per_s;   /* envelopes signed (cb_msg_seal) */
	double verify_per_s; /* envelopes verified (cb_msg_open: both
				Ed25519 signatures, as a subscriber does) */
	size_t envelope;     /* bytes of one signed envelope */
	double insert_per_s; /* the same rows into raw SQLite + FTS5, WAL,
				synchronous = FULL, PARTS_BATCH a commit */
	double commit_ms;    /* median durable commit of one row */
};

#define PARTS_BATCH 1000

/* Sign, then verify, n envelopes of about 2 KB. */
void parts_crypto_rates(int n, struct parts_rates *r);
/* Insert n rows into a new database file, PARTS_BATCH to a transaction,
 * then 50 single rows one transaction each. */
void parts_insert_rates(const char *file, int n, struct parts_rates *r);

#endif
