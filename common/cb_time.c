/*
 * cb_time: date parsing and formatting in UTC (see cb_time.h).
 *
 * The parsers read the fields themselves and leave the calendar to
 * timegm.  strptime is not used: its %b reads month names of LC_TIME
 * (the programs call setlocale, and a Vietnamese locale has no "Jun"),
 * and its numeric fields take fewer digits than the formats promise.
 */
#include <ctype.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cb_time.h"

int64_t
cb_time_now(void)
{
	return (int64_t)time(NULL);
}

int64_t
cb_time_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
cb_time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t
clamp(int64_t v)
{
	return v < -INT64_MAX ? -INT64_MAX : v;
}

int64_t
cb_time_add_ms(int64_t t, int64_t d_ms)
{
	int64_t r;

	if (__builtin_add_overflow(t, d_ms, &r))
		return d_ms > 0 ? INT64_MAX : -INT64_MAX;
	return clamp(r);
}

int64_t
cb_time_diff_ms(int64_t a, int64_t b)
{
	int64_t r;

	if (__builtin_sub_overflow(a, b, &r))
		return b < 0 ? INT64_MAX : -INT64_MAX;
	return clamp(r);
}

int
cb_time_within(int64_t now, int64_t t, int64_t window_ms)
{
	int64_t d = cb_time_diff_ms(now, t);

	return d <= window_ms && d >= -window_ms;
}

static int
valid_fields(int y, int mo, int d, int h, int mi, int s)
{
	return y >= 1970 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 &&
	    d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59 && s >= 0 &&
	    s <= 60;
}

/*
 * Seconds since the epoch of a UTC date and time, the calendar left to
 * timegm (which ignores TZ).  A day the month does not have (February
 * 30) is refused: timegm would move it into the next month.  Second 60
 * (a leap second) counts as the first second of the next minute.
 */
static int
to_epoch(int y, int mo, int d, int h, int mi, int s, int64_t *out)
{
	struct tm tm;
	time_t t;

	if (!valid_fields(y, mo, d, h, mi, s))
		return -1;
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	t = timegm(&tm);
	if (t == (time_t)-1 || tm.tm_mon != mo - 1 || tm.tm_mday != d)
		return -1;
	*out = (int64_t)t + h * 3600 + mi * 60 + s;
	return 0;
}

/* Reads exactly n digits from *pp into *out. */
static int
digits(const char **pp, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*pp)[i]))
			return -1;
		v = v * 10 + ((*pp)[i] - '0');
	}
	*pp += n;
	*out = v;
	return 0;
}

/* "+07:00", "+0700", "-05", "Z": seconds east of UTC. */
static int
parse_offset(const char *p, int *off)
{
	int sign, oh, om = 0;

	if (*p == 'Z' || *p == 'z') {
		*off = 0;
		return p[1] == '\0' ? 0 : -1;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (digits(&p, 2, &oh) < 0)
		return -1;
	if (*p == ':')
		p++;
	if (*p != '\0' && digits(&p, 2, &om) < 0)
		return -1;
	if (*p != '\0' || oh > 23 || om > 59)
		return -1;
	*off = sign * (oh * 3600 + om * 60);
	return 0;
}

int
cb_time_parse_iso(const char *s, int64_t *out)
{
	const char *p = s;
	int y, mo, d, h = 0, mi = 0, sec = 0, off = 0;
	int64_t t;

	while (isspace((unsigned char)*p))
		p++;
	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 ||
	    *p++ != '-' || digits(&p, 2, &d) < 0)
		return -1;
	if (*p == 'T' || *p == 't' || *p == ' ') {
		p++;
		if (digits(&p, 2, &h) < 0 || *p++ != ':' ||
		    digits(&p, 2, &mi) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &sec) < 0)
				return -1;
		}
		if (*p == '.' || *p == ',') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p))
				p++;
		}
		if (*p == '\0')
			off = 0; /* no zone: taken as UTC */
		else if (parse_offset(p, &off) < 0)
			return -1;
	} else if (*p != '\0') {
		return -1;
	}
	if (to_epoch(y, mo, d, h, mi, sec, &t) < 0)
		return -1;
	*out = t - off;
	return 0;
}

static int
month_index(const char *m)
{
	static const char *const names[] = { "Jan", "Feb", "Mar", "Apr",
		"May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int i;

	for (i = 0; i < 12; i++)
		if (strncasecmp(m, names[i], 3) == 0)
			return i + 1;
	return -1;
}

static int
zone_offset(const char *z, int *off)
{
	static const struct {
		const char *name;
		int hours;
	} zones[] = { { "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 },
		{ "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
		{ "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 } };
	size_t i;
	int sign, hh, mm;

	if (*z == '\0') {
		*off = 0;
		return 0;
	}
	if (*z == '+' || *z == '-') {
		sign = *z == '-' ? -1 : 1;
		z++;
		if (digits(&z, 2, &hh) < 0 || digits(&z, 2, &mm) < 0 ||
		    *z != '\0')
			return -1;
		*off = sign * (hh * 3600 + mm * 60);
		return 0;
	}
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if (strcasecmp(z, zones[i].name) == 0) {
			*off = zones[i].hours * 3600;
			return 0;
		}
	return -1;
}

int
cb_time_parse_rfc822(const char *s, int64_t *out)
{
	char mon[4], zone[8] = "";
	int d, y, h, mi, sec = 0, off, mo, n;
	const char *p = s, *comma;
	int64_t t;

	while (isspace((unsigned char)*p))
		p++;
	comma = strchr(p, ',');
	if (comma != NULL && comma - p <= 9)
		p = comma + 1;
	n = sscanf(p, " %2d %3s %4d %2d:%2d:%2d %7s", &d, mon, &y, &h, &mi,
	    &sec, zone);
	if (n < 6) {
		sec = 0;
		zone[0] = '\0';
		n = sscanf(p, " %2d %3s %4d %2d:%2d %7s", &d, mon, &y, &h,
		    &mi, zone);
		if (n < 5)
			return -1;
	}
	if (y < 100)
		y += y < 70 ? 2000 : 1900;
	mo = month_index(mon);
	if (mo < 0 || zone_offset(zone, &off) < 0 ||
	    to_epoch(y, mo, d, h, mi, sec, &t) < 0)
		return -1;
	*out = t - off;
	return 0;
}

int
cb_time_parse_any(const char *s, int64_t *out)
{
	if (cb_time_parse_iso(s, out) == 0)
		return 0;
	return cb_time_parse_rfc822(s, out);
}

char *
cb_time_format(int64_t t, char *buf)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(buf, CB_TIME_BUFSZ, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, CB_TIME_BUFSZ, "%lld", (long long)t);
	return buf;
}

/* What cb_time_human leaves after the date for " +0530" or " UTC". */
#define ZONE_ROOM 8

/* The zone of tm as people write it after a time: "+07", "-05",
 * "+0530". */
static void
zone_suffix(const struct tm *tm, char *buf, size_t size)
{
	long off = tm->tm_gmtoff, a = off < 0 ? -off : off;
	int h = (int)(a / 3600 % 100), m = (int)(a % 3600 / 60);

	if (m == 0)
		snprintf(buf, size, "%c%02d", off < 0 ? '-' : '+', h);
	else
		snprintf(buf, size, "%c%02d%02d", off < 0 ? '-' : '+', h, m);
}

char *
cb_time_human(int64_t t, int utc, char *buf)
{
	time_t tt = (time_t)t;
	char zone[16];
	struct tm tm;
	size_t n;

	if (t == 0 || (utc ? gmtime_r(&tt, &tm) : localtime_r(&tt, &tm)) ==
	    NULL) {
		snprintf(buf, CB_TIME_BUFSZ, "-");
		return buf;
	}
	if (utc)
		snprintf(zone, sizeof(zone), "UTC");
	else
		zone_suffix(&tm, zone, sizeof(zone));
	/* The catalogue orders the fields (dgettext keeps the format
	 * checked); room is left for the zone. */
	n = strftime(buf, CB_TIME_BUFSZ - ZONE_ROOM,
	    /* xgettext:no-c-format */
	    dgettext("canhbao", "%Y-%m-%d %H:%M"), &tm);
	snprintf(buf + n, CB_TIME_BUFSZ - n, " %s", zone);
	return buf;
}

int
cb_duration_parse(const char *s, int64_t *out)
{
	char *end;
	long long v;
	int64_t mult = 1;

	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtoll(s, &end, 10);
	if (v < 0 || v > 100LL * 365 * 86400)
		return -1;
	switch (*end) {
	case '\0':
	case 's':
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	case 'w':
		mult = 7 * 86400;
		break;
	default:
		return -1;
	}
	if (*end != '\0' && end[1] != '\0')
		return -1;
	*out = (int64_t)v * mult;
	return 0;
}

void
cb_time_sooner(int64_t *next, int64_t at)
{
	if (at >= 0 && (*next < 0 || at < *next))
		*next = at;
}

long
cb_time_until_ms(int64_t next)
{
	int64_t now = cb_time_mono_ms();

	if (next < 0)
		return -1;
	return next <= now ? 0 : (long)(next - now);
}
