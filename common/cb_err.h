/*
 * cb_err: the caller-owned error buffer every fallible function fills.
 *
 * Library code returns -1 (or NULL) and, when the caller passed a
 * non-NULL err, writes one lower-case sentence into it naming what was
 * wrong and where; the program decides what to do.  Every module of
 * common/ and feeds/ keeps to this and neither prints nor exits, with
 * these exceptions, each by design:
 *   - out of memory exits 2 (cb_mem: cb_xmalloc and friends, cb_oom for
 *     cJSON's allocations; cb_sig when it cannot lock secure memory);
 *   - cb_log is the daemons' log: it writes to stderr, and its fatal()
 *     and fatalx() exit 2 (only programs call them);
 *   - cb_cli is the programs' shared command line (usage, keygen): it
 *     prints and exits as a command does;
 *   - cb_hook logs the runs of the hook programs it supervises;
 *   - cb_net aborts when ZeroMQ cannot create its context.
 */
#ifndef CB_ERR_H
#define CB_ERR_H

struct cb_err {
	char msg[512];
};

/* Set err->msg from a printf format.  err may be NULL.  Returns -1 so
 * that callers can write "return cb_err_set(err, ...);". */
int cb_err_set(struct cb_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Like cb_err_set, then appends ": " and strerror(errno). */
int cb_err_setsys(struct cb_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prefix the message already in err with "<prefix>: ". */
void cb_err_prefix(struct cb_err *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
