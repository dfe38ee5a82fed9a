/*
 * cb_time: the date formats feeds and commands use, all to and from
 * Unix seconds in UTC; and the one form both programs show people.
 */
#ifndef CB_TIME_H
#define CB_TIME_H

#include <stddef.h>
#include <stdint.h>

#define CB_TIME_BUFSZ 32

/* Seconds and milliseconds since the epoch, from the real-time clock. */
int64_t cb_time_now(void);
int64_t cb_time_now_ms(void);
/* Milliseconds from CLOCK_MONOTONIC, for intervals. */
int64_t cb_time_mono_ms(void);

/*
 * Arithmetic on times that may come from untrusted input (an issue time
 * in a signed header, a date in a feed): saturating, never signed
 * overflow.  Results stay within [-INT64_MAX, INT64_MAX], so they can
 * be negated too.
 */
/* t + d_ms. */
int64_t cb_time_add_ms(int64_t t, int64_t d_ms);
/* a - b: how much later a is than b (negative when earlier). */
int64_t cb_time_diff_ms(int64_t a, int64_t b);

/* Deadlines on the monotonic clock, for an event loop: *next becomes at
 * when at comes first (-1 on either side: none); cb_time_until_ms is
 * how long zmq_poll may sleep until next (0 when it has passed, -1 when
 * there is none). */
void cb_time_sooner(int64_t *next, int64_t at);
long cb_time_until_ms(int64_t next);
/* 1 when t is within window_ms (>= 0) of now, before or after; else 0. */
int cb_time_within(int64_t now, int64_t t, int64_t window_ms);

/* RFC 3339 / ISO 8601: "2024-03-01T12:00:00Z", with optional fraction
 * and numeric offset ("+07:00", "+0700"), or a bare date "2024-03-01".
 * Returns 0 and sets *out, or -1. */
int cb_time_parse_iso(const char *s, int64_t *out);

/* RFC 822 / 2822 as in RSS: "Tue, 10 Jun 2003 04:00:00 GMT", with a
 * numeric offset or one of UT, GMT, Z, EST, EDT, CST, CDT, MST, MDT,
 * PST, PDT; the weekday is optional.  Returns 0 or -1. */
int cb_time_parse_rfc822(const char *s, int64_t *out);

/* Either of the two above. */
int cb_time_parse_any(const char *s, int64_t *out);

/* "2026-11-24T01:02:03Z" into buf (CB_TIME_BUFSZ bytes); returns buf. */
char *cb_time_format(int64_t t, char *buf);

/* A time for people, the one form of both programs' text output:
 * "2026-11-28 14:05 +07" in the local zone (its offset from UTC, with
 * minutes only when it has them: "+0530"), or "2026-11-28 07:05 UTC"
 * with utc set; "-" for 0 (unknown).  The order of the date and time is
 * the message catalogue's (gettext domain "canhbao"; in Vietnamese
 * "28/11/2026 14:05 +07").  Into buf (CB_TIME_BUFSZ bytes); returns
 * buf.  JSON output keeps cb_time_format. */
char *cb_time_human(int64_t t, int utc, char *buf);

/* A duration: a number followed by s, m, h, d or w ("30d", "12h"; a
 * bare number is seconds).  Returns 0 and *out in seconds, or -1. */
int cb_duration_parse(const char *s, int64_t *out);

#endif
