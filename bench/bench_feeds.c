/*
 * bench_feeds: parse time and peak memory of the feed adapters on the
 * largest real samples.  For each file: the median and the fastest of
 * REPEAT parses, and the growth of the peak resident set size during
 * one parse, measured in a child process so runs do not share a heap.
 *
 *   bench_feeds FORMAT FILE [REPEAT]
 */
#include <sys/resource.h>
#include <sys/wait.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cb_file.h"
#include "cb_time.h"
#include "feed.h"

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static size_t
parse_once(enum feed_format fmt, const char *buf, size_t len)
{
	struct feed_opts opts = { .default_severity = CB_SEV_MEDIUM };
	struct cb_adv_list out = { 0 };
	struct cb_err err;
	size_t n;

	if (feed_parse(fmt, buf, len, &opts, &out, &err) < 0) {
		fprintf(stderr, "bench_feeds: %s\n", err.msg);
		exit(2);
	}
	n = out.n;
	cb_adv_list_release(&out);
	return n;
}

/* Peak RSS growth of one parse, in KiB, from a fresh child. */
static long
peak_kib(enum feed_format fmt, const char *buf, size_t len)
{
	struct rusage before, after;
	int fds[2], status;
	long delta = -1;
	pid_t pid;

	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		getrusage(RUSAGE_SELF, &before);
		parse_once(fmt, buf, len);
		getrusage(RUSAGE_SELF, &after);
		delta = after.ru_maxrss - before.ru_maxrss;
		if (write(fds[1], &delta, sizeof(delta)) != sizeof(delta))
			_exit(1);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], &delta, sizeof(delta)) != sizeof(delta))
		delta = -1;
	close(fds[0]);
	waitpid(pid, &status, 0);
	return delta;
}

int
main(int argc, char **argv)
{
	enum feed_format fmt;
	struct cb_err err;
	int64_t *t, start;
	size_t len, items = 0;
	int i, repeat;
	long peak;
	char *buf;

	if (argc < 3 || feed_format_parse(argv[1], &fmt) < 0) {
		fprintf(stderr, "usage: bench_feeds FORMAT FILE [REPEAT]\n");
		return 2;
	}
	repeat = argc > 3 ? atoi(argv[3]) : 21;
	if (repeat < 1)
		repeat = 1;
	buf = cb_file_read(argv[2], FEED_MAX_BODY, 0, &len, &err);
	if (buf == NULL) {
		fprintf(stderr, "bench_feeds: %s\n", err.msg);
		return 2;
	}
	peak = peak_kib(fmt, buf, len); /* before this process's heap grows */
	t = calloc((size_t)repeat, sizeof(*t));
	for (i = 0; i < repeat; i++) {
		start = now_us();
		items = parse_once(fmt, buf, len);
		t[i] = now_us() - start;
	}
	qsort(t, (size_t)repeat, sizeof(*t), cmp_i64);
	printf("%-4s %-44s %8zu bytes %5zu items  median %7.2f ms  best %7.2f "
	       "ms  %6.1f MB/s  peak +%ld KiB\n",
	    argv[1], strrchr(argv[2], '/') ? strrchr(argv[2], '/') + 1 :
					     argv[2],
	    len, items, t[repeat / 2] / 1000.0, t[0] / 1000.0,
	    (double)len / (double)t[repeat / 2], peak);
	free(t);
	free(buf);
	return 0;
}
