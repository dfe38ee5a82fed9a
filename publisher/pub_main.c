/*
 * canhbao-pub: the publisher.  Command dispatch and the one-shot
 * commands; the daemon itself is pub_daemon.c.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cb_adv.h"
#include "cb_file.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_sig.h"
#include "pub_control.h"
#include "pub_daemon.h"

#define ADVISORY_FILE_MAX (1024 * 1024)

struct command {
	const char *name;
	int (*fn)(int, char **);
	const char *usage;
};

static int cmd_keygen(int, char **);
static int cmd_run(int, char **);
static int cmd_publish(int, char **);
static int cmd_status(int, char **);

static const struct command commands[] = {
	{ "keygen", cmd_keygen, "--state DIR" },
	{ "run", cmd_run,
	    "--state DIR [--broadcast ENDPOINT] [--heartbeat SECONDS] "
	    "[--insecure] [-v]" },
	{ "publish", cmd_publish,
	    "--state DIR --severity LEVEL --title TEXT [--summary TEXT]\n"
	    "\t\t[--cve ID]... [--origin ORIGIN] [--status STATUS]\n"
	    "\t\t[--file advisory.json]" },
	{ "status", cmd_status, "--state DIR [--json]" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void __attribute__((noreturn))
usage(void)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		fprintf(stderr, "%s canhbao-pub %s %s\n", i ? "      " : "usage:",
		    commands[i].name, commands[i].usage);
	exit(2);
}

static void __attribute__((noreturn))
die(const char *msg)
{
	fprintf(stderr, "canhbao-pub: %s\n", msg);
	exit(2);
}

static int
parse_seconds(const char *s, int min, int max, const char *what)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "canhbao-pub: %s must be a number from %d to "
		    "%d, not '%s'\n", what, min, max, s);
		exit(2);
	}
	return (int)v;
}

static char *
state_file(const char *state, const char *name)
{
	return cb_xasprintf("%s/%s", state, name);
}

/* --- keygen -------------------------------------------------------------- */

static int
cmd_keygen(int argc, char **argv)
{
	static const struct option opts[] = { { "state", 1, NULL, 's' },
		{ NULL, 0, NULL, 0 } };
	const char *state = NULL;
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_err err;
	char *skpath, *pkpath, keyhex[CB_SIG_KEYIDHEX];
	int ch;

	while ((ch = getopt_long(argc, argv, "s:", opts, NULL)) != -1)
		if (ch == 's')
			state = optarg;
		else
			usage();
	if (state == NULL || optind != argc)
		usage();
	if (cb_file_private_dir(state, 1, &err) < 0)
		die(err.msg);
	skpath = state_file(state, PUB_KEY_FILE);
	pkpath = state_file(state, PUB_PUBKEY_FILE);
	if (cb_sig_keygen(&sk, &pk, &err) < 0 ||
	    cb_sig_write_seckey(skpath, sk, &err) < 0)
		die(err.msg);
	cb_seckey_free(sk);
	if (cb_sig_write_pubkey(pkpath, &pk, &err) < 0)
		die(err.msg);
	printf("key id %s\nsecret key %s\npublic key %s\n",
	    cb_sig_keyid_hex(pk.id, keyhex), skpath, pkpath);
	free(skpath);
	free(pkpath);
	return 0;
}

/* --- run ----------------------------------------------------------------- */

static int
cmd_run(int argc, char **argv)
{
	static const struct option opts[] = { { "broadcast", 1, NULL, 'b' },
		{ "heartbeat", 1, NULL, 'H' }, { "insecure", 0, NULL, 'I' },
		{ "state", 1, NULL, 's' }, { "verbose", 0, NULL, 'v' },
		{ NULL, 0, NULL, 0 } };
	struct pub_options o = { .broadcast = PUB_DEFAULT_BROADCAST,
		.heartbeat = PUB_DEFAULT_HEARTBEAT };
	int ch, verbosity = CB_LOG_INFO;

	while ((ch = getopt_long(argc, argv, "b:H:Is:v", opts, NULL)) != -1) {
		switch (ch) {
		case 'b':
			o.broadcast = optarg;
			break;
		case 'H':
			o.heartbeat = parse_seconds(optarg, 1, 3600,
			    "--heartbeat");
			break;
		case 'I':
			o.insecure = 1;
			break;
		case 's':
			o.state = optarg;
			break;
		case 'v':
			verbosity = CB_LOG_DEBUG;
			break;
		default:
			usage();
		}
	}
	if (o.state == NULL || optind != argc)
		usage();
	cb_log_init("canhbao-pub", verbosity);
	return pub_daemon_run(&o);
}

/* --- publish ------------------------------------------------------------- */

struct publish_args {
	const char *file, *severity, *title, *summary, *status, *origin;
	struct cb_strlist cves;
};

/* The advisory as a JSON object: the file's, or an empty one. */
static cJSON *
load_file(const char *file)
{
	struct cb_err err;
	size_t len;
	char *text;
	cJSON *obj;

	if (file == NULL)
		return cJSON_CreateObject();
	text = cb_file_read(file, ADVISORY_FILE_MAX, 0, &len, &err);
	if (text == NULL)
		die(err.msg);
	obj = cJSON_ParseWithLength(text, len);
	if (obj == NULL) {
		fprintf(stderr, "canhbao-pub: %s: malformed JSON near byte "
		    "%td\n", file, cJSON_GetErrorPtr() - text);
		exit(2);
	}
	free(text);
	if (!cJSON_IsObject(obj)) {
		fprintf(stderr, "canhbao-pub: %s: not a JSON object\n", file);
		exit(2);
	}
	return obj;
}

static void
set_string(cJSON *obj, const char *key, const char *value)
{
	if (value == NULL)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(obj, key);
	cJSON_AddStringToObject(obj, key, value);
}

/* Command-line options override the file's keys; --cve adds to its. */
static void
apply_args(cJSON *obj, const struct publish_args *a)
{
	cJSON *cves = cJSON_GetObjectItemCaseSensitive(obj, "cves");
	size_t i;

	set_string(obj, "severity", a->severity);
	set_string(obj, "title", a->title);
	set_string(obj, "summary", a->summary);
	set_string(obj, "status", a->status);
	set_string(obj, "origin", a->origin);
	/* Staff at a provincial department write provincial advisories. */
	if (cJSON_GetObjectItemCaseSensitive(obj, "origin") == NULL)
		cJSON_AddStringToObject(obj, "origin", "provincial");
	if (a->cves.n > 0 && cves == NULL)
		cves = cJSON_AddArrayToObject(obj, "cves");
	for (i = 0; i < a->cves.n; i++)
		cJSON_AddItemToArray(cves, cJSON_CreateString(a->cves.v[i]));
}

static void
build_advisory(struct cb_adv *adv, const struct publish_args *a)
{
	struct cb_err err;
	cJSON *obj;

	if (a->file == NULL && a->severity == NULL)
		die("--severity is required");
	if (a->file == NULL && a->title == NULL)
		die("--title is required");
	obj = load_file(a->file);
	apply_args(obj, a);
	if (cb_adv_from_cjson(adv, obj, 1, &err) < 0) {
		fprintf(stderr, "canhbao-pub: %s%s%s\n", a->file ? a->file : "",
		    a->file ? ": " : "", err.msg);
		if (strstr(err.msg, "severity") != NULL)
			fprintf(stderr, "canhbao-pub: severity is one of "
			    "critical, high, medium, low, info\n");
		exit(2);
	}
	cJSON_Delete(obj);
}

static char *
publish_request(const struct cb_adv *adv)
{
	char *json = cb_adv_to_json(adv), *req;
	cJSON *r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "cmd", "publish");
	cJSON_AddItemToObject(r, "advisory", cJSON_Parse(json));
	req = cJSON_PrintUnformatted(r);
	cJSON_Delete(r);
	free(json);
	return req;
}

/* Print the reply's error, or hand back the parsed reply. */
static cJSON *
call(const char *state, const char *request)
{
	struct cb_err err;
	const cJSON *e;
	cJSON *r;
	char *text = pub_control_call(state, request, &err);

	if (text == NULL)
		die(err.msg);
	r = cJSON_Parse(text);
	free(text);
	if (r == NULL)
		die("malformed reply from the daemon");
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok"))) {
		e = cJSON_GetObjectItemCaseSensitive(r, "error");
		fprintf(stderr, "canhbao-pub: %s\n",
		    cJSON_IsString(e) ? e->valuestring : "request failed");
		exit(2);
	}
	return r;
}

static int
cmd_publish(int argc, char **argv)
{
	static const struct option opts[] = { { "cve", 1, NULL, 'C' },
		{ "file", 1, NULL, 'f' }, { "origin", 1, NULL, 'O' },
		{ "severity", 1, NULL, 'S' },
		{ "state", 1, NULL, 's' }, { "status", 1, NULL, 'T' },
		{ "summary", 1, NULL, 'm' }, { "title", 1, NULL, 't' },
		{ NULL, 0, NULL, 0 } };
	struct publish_args a = { 0 };
	const char *state = NULL;
	struct cb_adv adv;
	const cJSON *id;
	cJSON *reply;
	char *req;
	int ch;

	while ((ch = getopt_long(argc, argv, "C:f:O:S:s:T:m:t:", opts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'C':
			cb_strlist_add(&a.cves, optarg);
			break;
		case 'f':
			a.file = optarg;
			break;
		case 'O':
			a.origin = optarg;
			break;
		case 'S':
			a.severity = optarg;
			break;
		case 's':
			state = optarg;
			break;
		case 'T':
			a.status = optarg;
			break;
		case 'm':
			a.summary = optarg;
			break;
		case 't':
			a.title = optarg;
			break;
		default:
			usage();
		}
	}
	if (state == NULL || optind != argc)
		usage();
	build_advisory(&adv, &a);
	req = publish_request(&adv);
	reply = call(state, req);
	id = cJSON_GetObjectItemCaseSensitive(reply, "id");
	if (!cJSON_IsString(id))
		die("malformed reply from the daemon");
	printf("%s\n", id->valuestring);
	cJSON_Delete(reply);
	free(req);
	cb_adv_release(&adv);
	cb_strlist_release(&a.cves);
	return 0;
}

/* --- status -------------------------------------------------------------- */

static int
cmd_status(int argc, char **argv)
{
	static const struct option opts[] = { { "json", 0, NULL, 'j' },
		{ "state", 1, NULL, 's' }, { NULL, 0, NULL, 0 } };
	const char *state = NULL;
	int ch, json = 0;
	cJSON *r;
	char *s;

	while ((ch = getopt_long(argc, argv, "js:", opts, NULL)) != -1)
		if (ch == 'j')
			json = 1;
		else if (ch == 's')
			state = optarg;
		else
			usage();
	if (state == NULL || optind != argc)
		usage();
	r = call(state, "{\"cmd\":\"status\"}");
	cJSON_DeleteItemFromObjectCaseSensitive(r, "ok");
	if (json) {
		s = cJSON_Print(r);
		printf("%s\n", s);
		free(s);
	} else {
		printf("key id     %s\nbroadcast  %s\nlast seq   %.0f\n"
		       "published  %.0f since start\nuptime     %.0f s\n",
		    cJSON_GetObjectItem(r, "key_id")->valuestring,
		    cJSON_GetObjectItem(r, "broadcast")->valuestring,
		    cJSON_GetObjectItem(r, "last_seq")->valuedouble,
		    cJSON_GetObjectItem(r, "published")->valuedouble,
		    cJSON_GetObjectItem(r, "uptime")->valuedouble);
	}
	cJSON_Delete(r);
	return 0;
}

int
main(int argc, char **argv)
{
	size_t i;

	if (cb_sig_init() < 0)
		die("cannot initialise libsodium");
	cb_log_init("canhbao-pub", CB_LOG_INFO);
	if (argc < 2)
		usage();
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0) {
			optind = 1;
			return commands[i].fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "canhbao-pub: unknown command '%s'\n", argv[1]);
	usage();
}
