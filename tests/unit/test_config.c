/* Unit tests for pub_config: the INI file, defaults, flags on top, and
 * errors that name the file and line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cb_adv.h"
#include "cb_cfg.h"
#include "cb_test.h"
#include "pub_config.h"
#include "sub_config.h"

static char *dir;

static char *
write_conf(const char *name, const char *text)
{
	char *path = cb_test_path(dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static char *
write_conf_len(const char *name, const char *text, size_t len)
{
	char *path = cb_test_path(dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
	return path;
}

/* rc is -1 and err names the problem. */
static void
expect_failed(int rc, const struct cb_err *err, const char *needle)
{
	assert_int_equal(rc, -1);
	if (strstr(err->msg, needle) == NULL)
		fail_msg("error '%s' does not contain '%s'", err->msg, needle);
}

static void
expect_error_len(const char *text, size_t len, const char *needle)
{
	char *path = write_conf_len("bad.conf", text, len);
	struct pub_config c;
	struct cb_err err = { "" };
	int rc;

	pub_config_init(&c);
	rc = pub_config_load(&c, path, &err);
	expect_failed(rc == 0 ? pub_config_check(&c, &err) : rc, &err, needle);
	pub_config_release(&c);
	free(path);
}

static void
expect_error(const char *text, const char *needle)
{
	expect_error_len(text, strlen(text), needle);
}

/* The subscriber's file, read by sub_config_load and checked; len 0 is
 * strlen(text). */
static void
expect_sub_error(const char *text, size_t len, const char *needle)
{
	char *path = write_conf_len("bad.conf", text,
	    len > 0 ? len : strlen(text));
	struct sub_config c;
	struct cb_err err = { "" };
	int rc;

	sub_config_init(&c);
	rc = sub_config_load(&c, path, &err);
	expect_failed(rc == 0 ? sub_config_check(&c, &err) : rc, &err, needle);
	sub_config_release(&c);
	free(path);
}

static void
test_full_file(void **state)
{
	char *path = write_conf("pub.conf",
	    "# a comment\n"
	    "[publisher]\n"
	    "state = /var/lib/canhbao\n"
	    "broadcast = tcp://127.0.0.1:7370\n"
	    "heartbeat = 10\n"
	    "insecure = yes\n"
	    "\n"
	    "[feed \"kev\"]\n"
	    "url = https://www.cisa.gov/kev.json\n"
	    "format = kev\n"
	    "interval = 3600\n"
	    "backfill = 30d\n"
	    "header = Authorization: Bearer abc\n"
	    "\n"
	    "[feed \"so-tttt\"]\n"
	    "url = http://127.0.0.1/feed.json\n"
	    "format = json\n"
	    "origin = provincial\n"
	    "severity = high\n"
	    "backfill = all\n");
	struct pub_config c;
	struct cb_err err;

	(void)state;
	pub_config_init(&c);
	assert_int_equal(pub_config_load(&c, path, &err), 0);
	assert_int_equal(pub_config_check(&c, &err), 0);
	assert_string_equal(c.state, "/var/lib/canhbao");
	assert_string_equal(c.broadcast, "tcp://127.0.0.1:7370");
	assert_int_equal(c.heartbeat, 10);
	assert_int_equal(c.insecure, 1);
	assert_int_equal(c.nfeeds, 2);
	assert_string_equal(c.feeds[0].name, "kev");
	assert_int_equal(c.feeds[0].format, FEED_KEV);
	assert_int_equal(c.feeds[0].interval, 3600);
	assert_int_equal(c.feeds[0].backfill, 30 * 86400);
	assert_int_equal(c.feeds[0].origin, CB_ORIGIN_NATIONAL);
	assert_int_equal(c.feeds[0].headers.n, 1);
	assert_string_equal(c.feeds[0].headers.v[0],
	    "Authorization: Bearer abc");
	assert_int_equal(c.feeds[1].origin, CB_ORIGIN_PROVINCIAL);
	assert_int_equal(c.feeds[1].severity, CB_SEV_HIGH);
	assert_true(c.feeds[1].backfill == PUB_BACKFILL_ALL);
	/* A flag overrides the file. */
	assert_int_equal(pub_config_set(&c, "heartbeat", "3", &err), 0);
	assert_int_equal(c.heartbeat, 3);
	assert_int_equal(pub_config_set(&c, "heartbeat", "0", &err), -1);
	assert_non_null(strstr(err.msg, "from 1s to 1h"));
	pub_config_release(&c);
	free(path);
}

static void
test_defaults(void **state)
{
	char *path = write_conf("min.conf", "[feed \"x\"]\nurl = "
					    "https://a/b\nformat = rss\n");
	struct pub_config c;
	struct cb_err err;

	(void)state;
	pub_config_init(&c);
	assert_int_equal(pub_config_load(&c, path, &err), 0);
	assert_string_equal(c.broadcast, PUB_DEFAULT_BROADCAST);
	assert_int_equal(c.heartbeat, PUB_DEFAULT_HEARTBEAT);
	assert_int_equal(c.feeds[0].interval, PUB_DEFAULT_INTERVAL);
	assert_int_equal(c.feeds[0].backfill, PUB_DEFAULT_BACKFILL);
	assert_int_equal(c.feeds[0].csaf_signatures, PUB_CSAF_STRICT);
	assert_int_equal(c.feeds[0].max_documents, PUB_DEFAULT_MAX_DOCUMENTS);
	/* No state folder anywhere: the check says so. */
	assert_int_equal(pub_config_check(&c, &err), -1);
	assert_non_null(strstr(err.msg, "no state folder"));
	pub_config_release(&c);
	free(path);
}

static void
test_errors_name_the_line(void **state)
{
	(void)state;
	expect_error("[publisher]\nstate = /x\nheartbaet = 5\n",
	    "bad.conf:3: unknown key 'heartbaet' in [publisher]");
	expect_error("[publisher]\nstate = /x\n[feed \"a\"]\nurl = ftp://x\n",
	    "bad.conf:4: url 'ftp://x' is not");
	expect_error("[publisher]\nstate = /x\n[feed \"a\"]\nurl = http://x\n"
		     "format = yaml\n",
	    "bad.conf:5: unknown format 'yaml'");
	expect_error("[publisher]\nstate = /x\n[feed \"a\"]\nformat = rss\n",
	    "bad.conf:4: feed \"a\" has no url");
	expect_error("[publisher]\nstate = /x\n[feed \"a\"]\nurl = http://x\n",
	    "feed \"a\" has no format");
	expect_error("[publisher]\nstate = /x\n[feed \"a\"]\nurl = http://x\n"
		     "format = rss\nbackfill = forever\n",
	    "bad.conf:6: backfill must be a duration");
	expect_error("[publisher]\nstate = /x\n[feed \"a\"]\nurl = http://x\n"
		     "url = http://y\n",
	    "bad.conf:5: 'url' given twice in [feed \"a\"] (first on line "
	    "4)");
	expect_error("[publisher]\ninsecure = maybe\n",
	    "bad.conf:2: 'insecure' must be yes or no");
	expect_error("[publisher]\nstate = /x\n[feeds]\nurl = http://x\n",
	    "bad.conf:4: unknown section [feeds]");
	expect_error("[publisher]\nthis is not ini\n", "bad.conf:2: syntax");
	expect_error("[publisher]\nstate = /x\n[feed \"a\"]\nurl = http://x\n"
		     "format = rss\nheader = no colon here\n",
	    "bad.conf:6: header must be");
	expect_error("[publisher]\nstate = /x\n[feed \"a\"]\nurl = http://x\n"
		     "format = csaf\ncsaf_signatures = off\n",
	    "bad.conf:6: csaf_signatures must be strict or warn, not 'off'");
	expect_error("[publisher]\nstate = /x\n[feed \"a\"]\nurl = http://x\n"
		     "format = csaf\nmax_documents = 0\n",
	    "bad.conf:6: max_documents must be a number from 1 to 20000");
}

static void collect(void *arg, const char *line);

/* The CSAF keys, and a reload that changes them. */
static void
test_csaf_keys(void **state)
{
	char *path = write_conf("csaf.conf",
	    "[publisher]\nstate = /x\n[feed \"c\"]\nurl = http://x/p.json\n"
	    "format = csaf\ncsaf_signatures = warn\nmax_documents = 40\n");
	struct pub_config a, b;
	struct cb_err err;
	struct cb_strlist what = { NULL, 0 };

	(void)state;
	pub_config_init(&a);
	pub_config_init(&b);
	assert_int_equal(pub_config_load(&a, path, &err), 0);
	assert_int_equal(a.feeds[0].csaf_signatures, PUB_CSAF_WARN);
	assert_int_equal(a.feeds[0].max_documents, 40);
	assert_int_equal(pub_config_load(&b, path, &err), 0);
	assert_true(pub_feed_conf_same(&a.feeds[0], &b.feeds[0]));
	b.feeds[0].csaf_signatures = PUB_CSAF_STRICT;
	b.feeds[0].max_documents = 500;
	assert_false(pub_feed_conf_same(&a.feeds[0], &b.feeds[0]));
	assert_int_equal(pub_config_diff(&a, &b, collect, &what), 1);
	assert_string_equal(what.v[0], "feed 'c' changed: csaf_signatures "
				       "warn -> strict, max_documents 40 -> 500");
	cb_strlist_release(&what);
	pub_config_release(&a);
	pub_config_release(&b);
	free(path);
}

/* check-config is strict: a key given twice, a port out of range and a
 * value cut at a NUL byte are errors that name the line. */
static void
test_strict(void **state)
{
	static const char nul[] = "[publisher]\nstate = /x\0/y\n";
	static const char sub_nul[] = "[subscriber]\nstate = /x\n"
				      "broadcast = tcp://a:1\0\n";

	(void)state;
	expect_error("[publisher]\nstate = /x\nheartbeat = 5\n\n"
		     "heartbeat = 6\n",
	    "bad.conf:5: 'heartbeat' given twice in [publisher] (first on line "
	    "3)");
	expect_error("[publisher]\nbroadcast = tcp://127.0.0.1:99999\n",
	    "bad.conf:2: 'broadcast' must be a ZeroMQ endpoint");
	expect_error("[publisher]\nrequests = tcp://*:0\n",
	    "bad.conf:2: 'requests' must be");
	expect_error("[publisher]\nrequests = tcp://127.0.0.1\n",
	    "bad.conf:2: 'requests' must be");
	expect_error_len(nul, sizeof(nul) - 1, "bad.conf:2: NUL byte");
	expect_sub_error(sub_nul, sizeof(sub_nul) - 1, "bad.conf:3: NUL byte");
	expect_sub_error("[subscriber]\nstate = /x\nstate = /y\n", 0,
	    "bad.conf:3: 'state' given twice in [subscriber] (first on line 2)");
	expect_sub_error("[subscriber]\nrequests = tcp://h:65536\n", 0,
	    "bad.conf:2: 'requests' must be a ZeroMQ endpoint");
}

static void
test_indented_lines_are_keys(void **state)
{
	char *path = write_conf("indent.conf", "[publisher]\nstate = /x\n"
					       "  heartbeat = 10\n");
	struct pub_config c;
	struct cb_err err;

	(void)state;
	pub_config_init(&c);
	assert_int_equal(pub_config_load(&c, path, &err), 0);
	assert_string_equal(c.state, "/x"); /* not "/x\nheartbeat = 10" */
	assert_int_equal(c.heartbeat, 10);
	pub_config_release(&c);
	free(path);
	/* The first problem is the one named, with its own line. */
	expect_error("[publisher]\nthis is junk\nheartbaet = 5\n",
	    "bad.conf:2: syntax error");
}

static void
test_header_file_must_be_private(void **state)
{
	char *hdr = write_conf("token", "Authorization: Bearer s3cret\n");
	char text[512], *path;
	struct pub_config c;
	struct cb_err err;

	(void)state;
	snprintf(text, sizeof(text), "[feed \"a\"]\nurl = https://x\n"
				     "format = json\nheader_file = %s\n", hdr);
	path = write_conf("h.conf", text);
	chmod(hdr, 0644);
	pub_config_init(&c);
	assert_int_equal(pub_config_load(&c, path, &err), -1);
	assert_non_null(strstr(err.msg, "accessible by others"));
	pub_config_release(&c);
	chmod(hdr, 0600);
	pub_config_init(&c);
	assert_int_equal(pub_config_load(&c, path, &err), 0);
	assert_string_equal(c.feeds[0].headers.v[0],
	    "Authorization: Bearer s3cret");
	pub_config_release(&c);
	free(hdr);
	free(path);
}

/* misp-zmq feeds: a tcp:// url, PLAIN credentials from a private file,
 * fill_from naming a misp feed; their keys on no other format. */
static void
test_misp_feeds(void **state)
{
	char *pw = write_conf("misp.pw", "mật khẩu\n");
	char text[1024], *path;
	struct pub_config c;
	struct cb_err err;

	(void)state;
	chmod(pw, 0600);
	snprintf(text, sizeof(text),
	    "[feed \"m\"]\nurl = https://misp.example/feed/manifest.json\n"
	    "format = misp\n"
	    "[feed \"live\"]\nurl = tcp://misp.example:50000\n"
	    "format = misp-zmq\nusername = tinh\npassword_file = %s\n"
	    "silent_after = 2m\nfill_from = m\n", pw);
	path = write_conf("m.conf", text);
	pub_config_init(&c);
	c.state = strdup("/tmp");
	assert_int_equal(pub_config_load(&c, path, &err), 0);
	if (pub_config_check(&c, &err) != 0)
		fail_msg("%s", err.msg);
	assert_int_equal(c.feeds[1].format, FEED_MISP_ZMQ);
	assert_string_equal(c.feeds[1].password, "mật khẩu");
	assert_int_equal(c.feeds[1].silent_after, 120);
	assert_int_equal(c.feeds[0].silent_after, PUB_DEFAULT_MISP_SILENT);
	pub_config_release(&c);
	free(path);
	free(pw);
	expect_error("[publisher]\nstate = /tmp\n[feed \"z\"]\n"
		     "url = tcp://misp.example:50000\nformat = misp-zmq\n"
		     "fill_from = nowhere\n",
	    "fill_from 'nowhere' is not a misp feed");
	expect_error("[publisher]\nstate = /tmp\n[feed \"z\"]\n"
		     "url = https://misp.example/\nformat = misp-zmq\n",
	    "url must be tcp://HOST:PORT");
	expect_error("[publisher]\nstate = /tmp\n[feed \"z\"]\n"
		     "url = tcp://misp.example:50000\nformat = rss\n",
	    "a tcp:// url is for misp-zmq feeds");
	expect_error("[publisher]\nstate = /tmp\n[feed \"z\"]\n"
		     "url = https://x/\nformat = rss\nusername = a\n",
	    "are for misp-zmq feeds");
}

/* A reload: the file again, the command line's keys on top, each
 * change one line; endpoints and the state folder kept. */
static void
collect(void *arg, const char *line)
{
	struct cb_strlist *l = arg;

	cb_strlist_add(l, line);
}

static void
test_reread_and_diff(void **state)
{
	char *path = write_conf("re.conf", "[publisher]\nstate = /x\n"
	    "heartbeat = 5\n[feed \"a\"]\nurl = file:///a\nformat = json\n"
	    "[feed \"b\"]\nurl = file:///b\nformat = json\n");
	struct pub_config cur, next;
	struct cb_strlist lines = { NULL, 0 };
	struct cb_err err;

	(void)state;
	pub_config_init(&cur);
	assert_int_equal(pub_config_load(&cur, path, &err), 0);
	assert_int_equal(pub_config_set(&cur, "verbose", "yes", &err), 0);
	free(write_conf("re.conf", "[publisher]\nstate = /y\n"
	    "heartbeat = 10\n[feed \"a\"]\nurl = file:///a\nformat = json\n"
	    "interval = 60\n[feed \"c\"]\nurl = file:///c\nformat = rss\n"));
	assert_int_equal(pub_config_reread(&cur, &next, &err), 0);
	assert_int_equal(next.verbose, 1); /* the flag, replayed */
	assert_int_equal(pub_config_diff(&cur, &next, collect, &lines), 5);
	assert_string_equal(lines.v[0], "heartbeat 5 -> 10");
	assert_string_equal(lines.v[1], "state '/x' -> '/y' needs a restart; "
	    "'/x' stays in force");
	assert_string_equal(lines.v[2], "feed 'a' changed: interval 900 -> 60");
	assert_string_equal(lines.v[3], "feed 'c' added");
	assert_string_equal(lines.v[4], "feed 'b' removed");
	assert_string_equal(next.state, "/x");
	assert_true(pub_feed_conf_same(&cur.feeds[0], &cur.feeds[0]));
	assert_false(pub_feed_conf_same(&cur.feeds[0], &next.feeds[0]));
	pub_config_release(&next);
	/* A bad file: refused, with its place. */
	free(write_conf("re.conf", "[publisher]\nstate = /x\nheartbeat = 0\n"));
	expect_failed(pub_config_reread(&cur, &next, &err), &err,
	    "re.conf:3:");
	cb_strlist_release(&lines);
	pub_config_release(&cur);
	free(path);
}

static void
test_durations(void **state)
{
	struct cb_err err;
	int v;

	(void)state;
	assert_int_equal(cb_cfg_duration("renotify", "10m", 0, 604800, &v,
			     &err), 0);
	assert_int_equal(v, 600);
	assert_int_equal(cb_cfg_duration("x", "90", 0, 3600, &v, &err), 0);
	assert_int_equal(v, 90);
	assert_int_equal(cb_cfg_duration("x", "1d", 0, 86400, &v, &err), 0);
	assert_int_equal(v, 86400);
	assert_int_equal(cb_cfg_duration("x", "2d", 0, 86400, &v, &err), -1);
	assert_int_equal(cb_cfg_duration("stale_after", "1", 2, 86400, &v,
			     &err), -1);
	assert_string_equal(err.msg, "'stale_after' must be a duration from "
	    "2s to 1d (such as 90s, 5m, 2h, 1d; a bare number is seconds), "
	    "not '1'");
	assert_int_equal(cb_cfg_duration("x", "5x", 0, 86400, &v, &err), -1);
	assert_int_equal(cb_cfg_duration("x", "-5", 0, 86400, &v, &err), -1);
}

/* metrics: ADDR:PORT as cb_http takes it, a bare port on loopback;
 * anything else names the line, in both programs' files. */
static void
test_metrics(void **state)
{
	struct pub_config c;
	struct sub_config sc;
	struct cb_err err;
	char *path;

	(void)state;
	path = write_conf("m.conf", "[publisher]\nstate = /x\nmetrics = 9464\n");
	pub_config_init(&c);
	assert_int_equal(pub_config_load(&c, path, &err), 0);
	assert_string_equal(c.metrics, "127.0.0.1:9464");
	assert_int_equal(pub_config_set(&c, "metrics", "[::1]:0", &err), 0);
	assert_string_equal(c.metrics, "[::1]:0");
	assert_int_equal(pub_config_set(&c, "metrics", "0.0.0.0:9464", &err),
	    0);
	assert_string_equal(c.metrics, "0.0.0.0:9464");
	pub_config_release(&c);
	free(path);
	path = write_conf("s.conf", "[subscriber]\nmetrics = 127.0.0.1:9465\n");
	sub_config_init(&sc);
	assert_int_equal(sub_config_load(&sc, path, &err), 0);
	assert_string_equal(sc.metrics, "127.0.0.1:9465");
	sub_config_release(&sc);
	free(path);
	expect_error("[publisher]\nstate = /x\nmetrics = localhost:9464\n",
	    "bad.conf:3: 'metrics' must be ADDR:PORT or a port: "
	    "'localhost:9464': 'localhost' is not a numeric IPv4 address");
	expect_error("[publisher]\nstate = /x\nmetrics = 127.0.0.1:70000\n",
	    "bad.conf:3: 'metrics' must be ADDR:PORT or a port");
	expect_sub_error("[subscriber]\nmetrics = 1.2.3.4\n", 0,
	    "bad.conf:2: 'metrics' must be ADDR:PORT or a port: '1.2.3.4': "
	    "no port");
}

/* The items of a list, blanks trimmed, empty ones kept (they mean
 * "the default" where lists pair by position). */
static void
test_items(void **state)
{
	struct cb_strlist l = { NULL, 0 };

	(void)state;
	cb_cfg_items(" tcp://a:1 ,\t, tcp://b:2", &l);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.v[0], "tcp://a:1");
	assert_string_equal(l.v[1], "");
	assert_string_equal(l.v[2], "tcp://b:2");
	cb_strlist_release(&l);
	cb_cfg_items("", &l);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.v[0], "");
	cb_strlist_release(&l);
}

/* sub_config_sources on what the file text gives (checked first). */
static void
sources_of(const char *text, struct sub_sources *s)
{
	char *path = write_conf("src.conf", text);
	struct sub_config c;
	struct cb_err err;

	sub_config_init(&c);
	assert_int_equal(sub_config_load(&c, path, &err), 0);
	if (sub_config_check(&c, &err) < 0)
		fail_msg("%s", err.msg);
	assert_int_equal(sub_config_sources(&c, s, &err), 0);
	sub_config_release(&c);
	free(path);
}

/* One endpoint: one source, as before; several pair by position, an
 * empty server_key item meaning the publisher's key. */
static void
test_sources(void **state)
{
	struct sub_sources s;

	(void)state;
	sources_of("[subscriber]\nstate = /x\npublisher_key = /k\n"
		   "broadcast = tcp://127.0.0.1:5555\n", &s);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.v[0].broadcast, "tcp://127.0.0.1:5555");
	assert_null(s.v[0].requests);
	assert_null(s.v[0].server_key);
	sub_sources_release(&s);
	sources_of("[subscriber]\nstate = /x\npublisher_key = /k\n"
		   "broadcast = tcp://r1:5555, tcp://p:5555\n"
		   "requests = tcp://r1:5556,tcp://p:5556\n"
		   "server_key = /r1.pub,\nfailover_after = 5s\n", &s);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.v[0].broadcast, "tcp://r1:5555");
	assert_string_equal(s.v[1].broadcast, "tcp://p:5555");
	assert_string_equal(s.v[0].requests, "tcp://r1:5556");
	assert_string_equal(s.v[1].requests, "tcp://p:5556");
	assert_string_equal(s.v[0].server_key, "/r1.pub");
	assert_null(s.v[1].server_key);
	sub_sources_release(&s);
}

static void
test_sources_refused(void **state)
{
	const char *head = "[subscriber]\nstate = /x\npublisher_key = /k\n";
	char text[512];

	(void)state;
	snprintf(text, sizeof(text), "%sbroadcast = tcp://a:1,tcp://b:1\n"
	    "requests = tcp://a:2\n", head);
	expect_sub_error(text, 0, "'requests' (--requests) and 'broadcast' "
	    "(--broadcast) list 1 and 2 items: the lists pair by position");
	snprintf(text, sizeof(text), "%sbroadcast = tcp://a:1,tcp://b:1\n"
	    "server_key = /a,/b,/c\n", head);
	expect_sub_error(text, 0, "'server_key' (--server-key) and "
	    "'broadcast' (--broadcast) list 3 and 2 items");
	snprintf(text, sizeof(text), "%sbroadcast = tcp://a:1,,tcp://b:1\n",
	    head);
	expect_sub_error(text, 0, "bad.conf:4: 'broadcast' must be a ZeroMQ "
	    "endpoint or a comma-separated list of them: item 2 of");
	snprintf(text, sizeof(text), "%sbroadcast = tcp://a:1,udp://b:1\n",
	    head);
	expect_sub_error(text, 0, "'udp://b:1' is not tcp://");
	/* the old message, word for word, for a single endpoint */
	snprintf(text, sizeof(text), "%sbroadcast = udp://b:1\n", head);
	expect_sub_error(text, 0, "bad.conf:4: 'broadcast' must be a ZeroMQ "
	    "endpoint: 'udp://b:1' is not tcp://");
	snprintf(text, sizeof(text), "%sbroadcast = tcp://a:1,tcp://b:1\n"
	    "stale_after = 10\nfailover_after = 10\n", head);
	expect_sub_error(text, 0, "'failover_after' (10 s) must be below "
	    "'stale_after' (10 s)");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_csaf_keys),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_indented_lines_are_keys),
		cmocka_unit_test(test_header_file_must_be_private),
		cmocka_unit_test(test_misp_feeds),
		cmocka_unit_test(test_reread_and_diff),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_metrics),
		cmocka_unit_test(test_items),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_sources_refused),
	};
	int rc;

	dir = cb_test_tmpdir();
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	cb_test_rmtree(dir);
	free(dir);
	return rc;
}
