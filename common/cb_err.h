/*
 * cb_err: the caller-owned error buffer every fallible function fills.
 *
 * Library code never prints or exits: it returns -1 (or NULL) and, when
 * the caller passed a non-NULL err, writes one lower-case sentence into
 * it naming what was wrong and where.  The program decides what to do.
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
