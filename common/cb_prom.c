/* cb_prom: the Prometheus text exposition format (see cb_prom.h). */
#include <assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_http.h"
#include "cb_prom.h"
#include "cb_utf8.h"

#define HTTP_OK 200
#define HTTP_NOT_FOUND 404
#define HTTP_ERROR 500

void
cb_prom_init(struct cb_prom *p)
{
	cb_buf_init(&p->buf, CB_PROM_MAX);
	p->full = 0;
}

void
cb_prom_release(struct cb_prom *p)
{
	cb_buf_release(&p->buf);
}

static int
valid_name(const char *s)
{
	const char *c;

	if (*s == '\0' || (*s >= '0' && *s <= '9'))
		return 0;
	for (c = s; *c != '\0'; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		    (*c >= '0' && *c <= '9') || *c == '_' || *c == ':'))
			return 0;
	return 1;
}

/* Append to line, or mark the page full. */
static void
add(struct cb_buf *line, const char *s, size_t n, int *full)
{
	if (cb_buf_append(line, s, n, NULL) < 0)
		*full = 1;
}

/* s escaped: '\\' and '\n' always, '"' in label values; what is not
 * UTF-8 becomes '?'. */
static void
add_escaped(struct cb_buf *line, const char *s, int quote, int *full)
{
	size_t n, len = strlen(s);
	uint32_t cp;

	while (len > 0) {
		if (*s == '\\')
			add(line, "\\\\", 2, full);
		else if (*s == '\n')
			add(line, "\\n", 2, full);
		else if (*s == '"' && quote)
			add(line, "\\\"", 2, full);
		else if ((n = cb_utf8_decode(s, len, &cp)) > 1) {
			add(line, s, n, full);
			s += n;
			len -= n;
			continue;
		} else
			add(line, (unsigned char)*s < 0x80 ? s : "?", 1, full);
		s++;
		len--;
	}
}

/* Lines are made whole, then appended: a page cut by the cap ends with
 * a complete line. */
static void
add_line(struct cb_prom *p, struct cb_buf *line, int full)
{
	if (full || cb_buf_append(&p->buf, line->data, line->len, NULL) < 0)
		p->full = 1;
	cb_buf_release(line);
}

void
cb_prom_family(struct cb_prom *p, const char *name, const char *type,
    const char *help)
{
	struct cb_buf line;
	int full = 0;

	assert(valid_name(name));
	assert(strcmp(type, "gauge") == 0 || (strcmp(type, "counter") == 0 &&
	    strlen(name) > 6 && strcmp(name + strlen(name) - 6, "_total") == 0));
	cb_buf_init(&line, CB_PROM_MAX);
	add(&line, "# HELP ", 7, &full);
	add(&line, name, strlen(name), &full);
	add(&line, " ", 1, &full);
	add_escaped(&line, help, 0, &full);
	add(&line, "\n# TYPE ", 8, &full);
	add(&line, name, strlen(name), &full);
	add(&line, " ", 1, &full);
	add(&line, type, strlen(type), &full);
	add(&line, "\n", 1, &full);
	add_line(p, &line, full);
}

/* Integers as integers; others in the fewest digits (15 or 17) that
 * read back as the same number.  The decimal point is '.': the programs
 * keep LC_NUMERIC at "C" (cb_locale). */
static void
format_value(double v, char *out, size_t sz)
{
	if (isnan(v))
		snprintf(out, sz, "NaN");
	else if (isinf(v))
		snprintf(out, sz, v > 0 ? "+Inf" : "-Inf");
	else if (v == floor(v) && fabs(v) < 9007199254740992.0) /* 2^53 */
		snprintf(out, sz, "%lld", (long long)v);
	else if (snprintf(out, sz, "%.15g", v) > 0 && strtod(out, NULL) != v)
		snprintf(out, sz, "%.17g", v);
}

void
cb_prom_sample(struct cb_prom *p, const char *name,
    const char *const *labels, double value)
{
	struct cb_buf line;
	char num[40];
	int full = 0, i;

	assert(valid_name(name));
	cb_buf_init(&line, CB_PROM_MAX);
	add(&line, name, strlen(name), &full);
	for (i = 0; labels != NULL && labels[i] != NULL; i += 2) {
		assert(valid_name(labels[i]) && labels[i + 1] != NULL);
		add(&line, i == 0 ? "{" : ",", 1, &full);
		add(&line, labels[i], strlen(labels[i]), &full);
		add(&line, "=\"", 2, &full);
		add_escaped(&line, labels[i + 1], 1, &full);
		add(&line, "\"", 1, &full);
	}
	if (i > 0)
		add(&line, "}", 1, &full);
	format_value(value, num, sizeof(num));
	add(&line, " ", 1, &full);
	add(&line, num, strlen(num), &full);
	add(&line, "\n", 1, &full);
	add_line(p, &line, full);
}

void
cb_prom_one(struct cb_prom *p, const char *name, const char *type,
    const char *help, double value)
{
	cb_prom_family(p, name, type, help);
	cb_prom_sample(p, name, NULL, value);
}

int
cb_prom_serve(struct MHD_Connection *conn, const char *path,
    int (*write)(struct cb_prom *p, void *arg), void *arg)
{
	struct cb_prom p;
	int rc;

	if (strcmp(path, CB_PROM_PATH) != 0)
		return cb_http_reply_text(conn, HTTP_NOT_FOUND,
		    "text/plain; charset=utf-8", "not found: try /metrics\n");
	cb_prom_init(&p);
	if (write(&p, arg) < 0 || p.full)
		rc = cb_http_reply_text(conn, HTTP_ERROR,
		    "text/plain; charset=utf-8", p.full ?
		    "the metrics are over their size limit\n" :
		    "cannot read the metrics (see the daemon's log)\n");
	else
		rc = cb_http_reply(conn, HTTP_OK, CB_PROM_CONTENT_TYPE,
		    p.buf.data != NULL ? p.buf.data : "", p.buf.len);
	cb_prom_release(&p);
	return rc;
}
