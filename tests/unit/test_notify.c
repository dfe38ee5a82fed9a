/* Unit tests for sub_notify and the filter keys of sub_config: what is
 * notified, and the hook path's child processes. */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cb_test.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_time.h"
#include "sub_config.h"
#include "sub_hint.h"
#include "sub_notify.h"

static void
adv_init(struct cb_adv *a, enum cb_severity sev)
{
	cb_adv_init(a);
	a->id = strdup("local:2026-000001");
	a->title = strdup("Cảnh báo");
	a->severity = sev;
	a->origin = CB_ORIGIN_PROVINCIAL;
	a->revision = 1;
}

/* The filter that cfg's keys (key, value, ...; NULL-terminated) make. */
static int
filter(struct sub_filter *f, struct cb_err *err, ...)
{
	struct sub_config c;
	const char *k, *v;
	va_list ap;
	int rc;

	sub_config_init(&c);
	va_start(ap, err);
	while ((k = va_arg(ap, const char *)) != NULL) {
		v = va_arg(ap, const char *);
		assert_int_equal(sub_config_set(&c, k, v, err), 0);
	}
	va_end(ap);
	rc = sub_config_filter(&c, f, err);
	sub_config_release(&c);
	return rc;
}

static void
test_filter_defaults(void **state)
{
	struct sub_filter f;
	struct cb_adv a;
	struct cb_err err;

	(void)state;
	assert_int_equal(filter(&f, &err, (char *)NULL), 0);
	adv_init(&a, CB_SEV_INFO);
	a.status = CB_STATUS_TEST;
	cb_strlist_add(&a.audience, "ubnd-huyen-x");
	assert_true(sub_filter_match(&f, &a, NULL)); /* everything */
	cb_adv_release(&a);
	sub_filter_release(&f);
}

static void
test_filter_keys(void **state)
{
	struct sub_filter f;
	struct cb_adv a;
	struct cb_err err;
	const char *why;

	(void)state;
	assert_int_equal(filter(&f, &err, "min_severity", "high", "origin",
			     "national", "status", "actual, exercise",
			     (char *)NULL),
	    0);
	adv_init(&a, CB_SEV_MEDIUM);
	a.origin = CB_ORIGIN_NATIONAL;
	assert_false(sub_filter_match(&f, &a, &why));
	assert_string_equal(why, "below the minimum severity");
	a.severity = CB_SEV_HIGH;
	assert_true(sub_filter_match(&f, &a, &why));
	a.origin = CB_ORIGIN_PROVINCIAL;
	assert_false(sub_filter_match(&f, &a, &why));
	assert_string_equal(why, "other origin");
	a.origin = CB_ORIGIN_NATIONAL;
	a.status = CB_STATUS_TEST;
	assert_false(sub_filter_match(&f, &a, &why));
	a.status = CB_STATUS_EXERCISE;
	assert_true(sub_filter_match(&f, &a, &why));
	cb_adv_release(&a);
	sub_filter_release(&f);
}

static void
test_filter_audience(void **state)
{
	struct sub_filter f;
	struct cb_adv a;
	struct cb_err err;
	const char *why;

	(void)state;
	assert_int_equal(filter(&f, &err, "group",
			     " Sở TT&TT Đà Nẵng ,, ubnd-quan-1", (char *)NULL),
	    0);
	assert_int_equal(f.groups.n, 2);
	adv_init(&a, CB_SEV_HIGH);
	assert_true(sub_filter_match(&f, &a, &why)); /* for everyone */
	cb_strlist_add(&a.audience, "ubnd-tinh");
	assert_false(sub_filter_match(&f, &a, &why));
	assert_string_equal(why, "meant for other agencies");
	cb_strlist_add(&a.audience, "SO TT&TT DA NANG"); /* folded alike */
	assert_true(sub_filter_match(&f, &a, &why));
	cb_adv_release(&a);
	sub_filter_release(&f);
}

static void
test_filter_errors(void **state)
{
	struct sub_filter f;
	struct cb_err err;

	(void)state;
	assert_int_equal(filter(&f, &err, "min_severity", "severe",
	    (char *)NULL), -1);
	assert_non_null(strstr(err.msg, "min_severity"));
	sub_filter_release(&f);
	assert_int_equal(filter(&f, &err, "origin", "local", (char *)NULL), -1);
	sub_filter_release(&f);
	assert_int_equal(filter(&f, &err, "status", "actual,drill",
	    (char *)NULL), -1);
	assert_non_null(strstr(err.msg, "drill"));
	sub_filter_release(&f);
	assert_int_equal(filter(&f, &err, "status", " , ", (char *)NULL), -1);
	sub_filter_release(&f);
}

/* --- the hook ------------------------------------------------------------ */

struct hookfx {
	char *dir, *script;
	struct sub_config cfg;
};

static struct hookfx *
hook_setup(const char *body, int timeout, int retries)
{
	struct hookfx *h = calloc(1, sizeof(*h));
	char num[16];
	FILE *f;

	h->dir = cb_test_tmpdir();
	h->script = cb_test_path(h->dir, "hook");
	f = fopen(h->script, "w");
	assert_non_null(f);
	fprintf(f, "#!/bin/sh\ncd '%s' || exit 9\n%s\n", h->dir, body);
	fclose(f);
	chmod(h->script, 0700);
	sub_config_init(&h->cfg);
	assert_int_equal(sub_config_set(&h->cfg, "on_advisory", h->script,
			     NULL),
	    0);
	snprintf(num, sizeof(num), "%d", timeout);
	sub_config_set(&h->cfg, "hook_timeout", num, NULL);
	snprintf(num, sizeof(num), "%d", retries);
	sub_config_set(&h->cfg, "hook_retries", num, NULL);
	h->cfg.desktop = h->cfg.terminal = h->cfg.journal = 0;
	return h;
}

static void
hook_teardown(struct hookfx *h)
{
	sub_config_release(&h->cfg);
	cb_test_rmtree(h->dir);
	free(h->dir);
	free(h->script);
	free(h);
}

/* Tick until no run is pending (at most limit_ms); returns the time it
 * took. */
static int64_t
drain(struct sub_notify *n, int64_t limit_ms)
{
	int64_t start = cb_time_mono_ms();
	struct timespec ts = { 0, 20 * 1000000L };

	while (sub_notify_hooks_pending(n) > 0 &&
	    cb_time_mono_ms() - start < limit_ms) {
		nanosleep(&ts, NULL);
		sub_notify_tick(n);
	}
	return cb_time_mono_ms() - start;
}

static char *
read_in(const struct hookfx *h, const char *name)
{
	char *p = cb_test_path(h->dir, name), *text;

	text = cb_test_read(p, NULL);
	free(p);
	return text;
}

static void
test_hook_input_and_env(void **state)
{
	static const char json[] =
	    "{\"id\":\"local:2026-000001\",\"x\":\"Đà\"}";
	struct hookfx *h = hook_setup("cat >stdin; env | grep ^CANHBAO_ | "
				      "sort >env; echo \"$0 $#\" >argv",
	    5, 0);
	struct sub_notify *n;
	struct cb_adv a;
	struct cb_err err;
	char *text;

	(void)state;
	setenv("CANHBAO_STALE", "from the parent", 1);
	n = sub_notify_new(&h->cfg, &err);
	assert_non_null(n);
	adv_init(&a, CB_SEV_CRITICAL);
	a.status = CB_STATUS_EXERCISE;
	assert_int_equal(sub_notify_advisory(n, SUB_EVENT_ADVISORY, 42, &a,
			     (const uint8_t *)json, strlen(json)),
	    1);
	drain(n, 5000);
	assert_int_equal(sub_notify_hooks_pending(n), 0);
	text = read_in(h, "stdin");
	assert_string_equal(text, json);
	free(text);
	text = read_in(h, "env");
	assert_non_null(strstr(text, "CANHBAO_ID=local:2026-000001\n"));
	assert_non_null(strstr(text, "CANHBAO_SEVERITY=critical\n"));
	assert_non_null(strstr(text, "CANHBAO_TITLE=Cảnh báo\n"));
	assert_non_null(strstr(text, "CANHBAO_ORIGIN=provincial\n"));
	assert_non_null(strstr(text, "CANHBAO_STATUS=exercise\n"));
	assert_non_null(strstr(text, "CANHBAO_SEQ=42\n"));
	assert_null(strstr(text, "CANHBAO_STALE")); /* not passed on */
	free(text);
	text = read_in(h, "argv");
	assert_non_null(strstr(text, "/hook 0\n")); /* argv = [PROGRAM] */
	free(text);
	unsetenv("CANHBAO_STALE");
	cb_adv_release(&a);
	sub_notify_free(n);
	hook_teardown(h);
}

static void
test_hook_filtered(void **state)
{
	struct hookfx *h = hook_setup("touch ran", 5, 0);
	struct sub_notify *n;
	struct cb_adv a;
	struct cb_err err;
	char *p = cb_test_path(h->dir, "ran");

	(void)state;
	sub_config_set(&h->cfg, "min_severity", "critical", NULL);
	n = sub_notify_new(&h->cfg, &err);
	adv_init(&a, CB_SEV_HIGH);
	assert_int_equal(sub_notify_advisory(n, SUB_EVENT_ADVISORY, 1, &a,
			     (const uint8_t *)"{}", 2),
	    0);
	assert_int_equal(sub_notify_hooks_pending(n), 0);
	assert_int_equal(access(p, F_OK), -1);
	free(p);
	cb_adv_release(&a);
	sub_notify_free(n);
	hook_teardown(h);
}

/* A run that hangs is killed at its time limit, retried as configured,
 * and the daemon never waits for it. */
static void
test_hook_timeout(void **state)
{
	struct hookfx *h = hook_setup("echo x >>runs; exec sleep 30", 1, 0);
	struct sub_notify *n;
	struct cb_adv a;
	struct cb_err err;
	int64_t t0 = cb_time_mono_ms(), took;
	char *text;

	(void)state;
	cb_log_init("test", CB_LOG_WARN - 1); /* quiet */
	n = sub_notify_new(&h->cfg, &err);
	adv_init(&a, CB_SEV_LOW);
	sub_notify_advisory(n, SUB_EVENT_ADVISORY, 1, &a,
	    (const uint8_t *)"{}", 2);
	assert_true(cb_time_mono_ms() - t0 < 500); /* it did not wait */
	assert_int_equal(sub_notify_hooks_pending(n), 1);
	took = drain(n, 5000);
	assert_int_equal(sub_notify_hooks_pending(n), 0);
	assert_true(took >= 900 && took < 3000);
	text = read_in(h, "runs");
	assert_string_equal(text, "x\n"); /* retries 0: one run */
	free(text);
	cb_adv_release(&a);
	sub_notify_free(n);
	hook_teardown(h);
	cb_log_init("test", CB_LOG_INFO);
}

static void
test_hook_not_executable(void **state)
{
	struct hookfx *h = hook_setup("true", 5, 0);
	struct cb_err err;

	(void)state;
	chmod(h->script, 0600);
	assert_null(sub_notify_new(&h->cfg, &err));
	assert_non_null(strstr(err.msg, "not an executable file"));
	hook_teardown(h);
}

/* --- hints that run as printed ------------------------------------------- */

/* What sh makes of word: the one argument it passes on. */
static char *
through_shell(const char *word)
{
	char *cmd, out[512];
	size_t n;
	FILE *p;

	cmd = cb_xasprintf("printf '%%s' %s", word);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	assert_int_equal(pclose(p), 0);
	free(cmd);
	return strdup(out);
}

static void
test_hint_quote(void **state)
{
	static const char *const words[] = { "local:2026-000001",
		"/var/lib/canhbao", "Trần Thị Bình", "it's", "'", "a b'c\"d$e`f",
		"", "--by", "*", "x\\y" };
	char *q, *back;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		q = sub_hint_quote(words[i]);
		back = through_shell(q);
		assert_string_equal(back, words[i]);
		free(back);
		free(q);
	}
	q = sub_hint_quote("local:2026-000001");
	assert_string_equal(q, "local:2026-000001"); /* plain stays plain */
	free(q);
}

static void
test_hint_commands(void **state)
{
	char *s;

	(void)state;
	s = sub_hint_ack("/tmp/x y", "local:2026-000001", "Nguyễn Văn An");
	assert_string_equal(s, "canhbao-sub ack --state '/tmp/x y' "
			       "local:2026-000001 --by 'Nguyễn Văn An'");
	free(s);
	s = sub_hint_unread("/var/lib/canhbao");
	assert_string_equal(s,
	    "canhbao-sub list --state /var/lib/canhbao --unread");
	free(s);
	s = sub_hint_show(NULL, "a'b");
	assert_string_equal(s, "canhbao-sub show 'a'\\''b'");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_filter_defaults),
		cmocka_unit_test(test_filter_keys),
		cmocka_unit_test(test_filter_audience),
		cmocka_unit_test(test_filter_errors),
		cmocka_unit_test(test_hook_input_and_env),
		cmocka_unit_test(test_hook_filtered),
		cmocka_unit_test(test_hook_timeout),
		cmocka_unit_test(test_hook_not_executable),
		cmocka_unit_test(test_hint_quote),
		cmocka_unit_test(test_hint_commands),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
