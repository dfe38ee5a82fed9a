/*
 * canhbao-pub: the publisher.  Each command's options and operands, and
 * the call that does its work: the daemon (pub_daemon), a request to
 * it (pub_control), the journal's registry, or a view (pub_views).
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cb_adv.h"
#include "cb_file.h"
#include "cb_cli.h"
#include "cb_json.h"
#include "cb_locale.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_registry.h"
#include "cb_sig.h"
#include "cb_time.h"
#include "feed.h"
#include "pub_config.h"
#include "pub_control.h"
#include "pub_daemon.h"
#include "pub_inbound.h"
#include "pub_journal.h"
#include "pub_views.h"
#include "pub_web.h"
#include "pub_webauth.h"

#define _(s) gettext(s)

#define ADVISORY_FILE_MAX (1024 * 1024)
/* How long a drill waits by default: long enough for the person on
 * duty at each agency to see the pop-up, read it and acknowledge it. */
#define DRILL_WAIT (10 * 60)
#define DRILL_POLL_MS 250


static int cmd_keygen(int, char **);
static int cmd_run(int, char **);
static int cmd_publish(int, char **);
static int cmd_status(int, char **);
static int cmd_check_config(int, char **);
static int cmd_poll(int, char **);
static int cmd_agency_add(int, char **);
static int cmd_agency_list(int, char **);
static int cmd_agency_remove(int, char **);
static int cmd_rotate_key(int, char **);
static int cmd_signing_key(int, char **);
static int cmd_receipts(int, char **);
static int cmd_overdue(int, char **);
static int cmd_reports(int, char **);
static int cmd_handle_report(int, char **);
static int cmd_drill(int, char **);
static const char *view_options(int, char **, const struct option *, int *,
    const char **);
static int cmd_web_link(int, char **);
static int cmd_advisories(int, char **);

/* Every command also takes -c FILE, --state DIR and -h (cb_cli.h). */
static const struct cb_command commands[] = {
	{ "keygen", cmd_keygen, N_("[--state DIR]") },
	{ "run", cmd_run,
	    N_("[-c FILE] [--state DIR] [--broadcast ENDPOINT]\n"
	    "\t\t[--requests ENDPOINT] [--ca-path DIR] [--heartbeat SECONDS]\n"
	    "\t\t[--on-report PROGRAM] [--hook-timeout SECONDS] [--insecure] "
	    "[-v]\n"
	    "\t\t[--metrics ADDR:PORT] [--web ADDR:PORT]") },
	{ "check-config", cmd_check_config, N_("[-c FILE]") },
	{ "publish", cmd_publish,
	    N_("[--state DIR] --severity LEVEL --title TEXT "
	    "[--summary TEXT | -]\n"
	    "\t\t[--cve ID]... [--origin ORIGIN] [--status STATUS]\n"
	    "\t\t[--file advisory.json] [--dry-run]") },
	{ "status", cmd_status, N_("[--state DIR] [--json] [--utc]") },
	{ "poll", cmd_poll, N_("[--state DIR] [FEED]") },
	{ "agency add", cmd_agency_add,
	    N_("[--state DIR] [--relay] NAME PUBFILE") },
	{ "agency list", cmd_agency_list,
	    N_("[--state DIR] [--silent-after DURATION] [--json] [--utc]") },
	{ "agency remove", cmd_agency_remove, N_("[--state DIR] NAME") },
	{ "rotate-key", cmd_rotate_key, N_("[--state DIR]") },
	{ "signing-key", cmd_signing_key, N_("[--state DIR] [-o FILE]") },
	{ "receipts", cmd_receipts, N_("[--state DIR] [--json] [--utc] ID") },
	{ "overdue", cmd_overdue,
	    N_("[--state DIR] [--severity LEVEL] [--older DURATION] [--json]\n"
	    "\t\t[--utc]") },
	{ "reports", cmd_reports,
	    N_("[--state DIR] [--agency NAME] [--since DURATION] "
	    "[--unhandled]\n"
	    "\t\t[--save DIR] [--json] [--utc]") },
	{ "handle-report", cmd_handle_report,
	    N_("[--state DIR] --by NAME [--note TEXT] AGENCY SEQ") },
	{ "drill", cmd_drill,
	    N_("[--state DIR] [--wait DURATION] [--json] [--utc]") },
	{ "web-link", cmd_web_link, N_("[--state DIR] [--new]") },
	{ "advisories", cmd_advisories,
	    N_("[--state DIR] [--limit N] [--json] [--utc]") },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* --- keygen -------------------------------------------------------------- */

static int
cmd_keygen(int argc, char **argv)
{
	return cb_cli_keygen(argc, argv, PUB_KEY_FILE, PUB_PUBKEY_FILE,
	    NULL);
}

/* --- run, check-config ------------------------------------------------- */

/* The run options, each also a [publisher] key of the same name. */
static const struct option run_opts[] = { { "broadcast", 1, NULL, 'b' },
	{ "ca-path", 1, NULL, 'A' },
	{ "heartbeat", 1, NULL, 'H' }, { "insecure", 0, NULL, 'I' },
	{ "on-report", 1, NULL, 'O' }, { "hook-timeout", 1, NULL, 'T' },
	{ "requests", 1, NULL, 'R' }, { "verbose", 0, NULL, 'v' },
	{ "metrics", 1, NULL, 'm' },
	{ "web", 1, NULL, 'W' },
	{ NULL, 0, NULL, 0 } };

static const char *
run_key(int ch)
{
	switch (ch) {
	case 'A':
		return "ca_path";
	case 'b':
		return "broadcast";
	case 'H':
		return "heartbeat";
	case 'I':
		return "insecure";
	case 'm':
		return "metrics";
	case 'R':
		return "requests";
	case 'O':
		return "on_report";
	case 'T':
		return "hook_timeout";
	case 'v':
		return "verbose";
	case 'W':
		return "web";
	}
	return NULL;
}

/* Defaults, then the file (cb_cli_config), then the flags on top, and
 * the state folder cb_cli_state_from finds; exits 2 with the file:line
 * of the first problem. */
static void
load_config(int argc, char **argv, struct pub_config *cfg)
{
	const char *file, *keys[17], *values[17];
	struct cb_err err;
	char *state;
	int ch, n = 0, i;

	while ((ch = cb_cli_next_option(argc, argv, ":A:b:H:IR:vW:", run_opts)) !=
	    -1) {
		if (run_key(ch) == NULL || n == 16)
			cb_cli_usage();
		keys[n] = run_key(ch);
		values[n++] = (ch == 'I' || ch == 'v') ? "yes" : optarg;
	}
	cb_cli_operands(argc, argv, 0, 0, NULL);
	pub_config_init(cfg);
	if ((file = cb_cli_config()) != NULL &&
	    pub_config_load(cfg, file, &err) < 0)
		cb_cli_die(err.msg);
	/* (set from a copy: setting frees the old value) */
	state = cb_xstrdup(cb_cli_state_from(cfg->state));
	keys[n] = "state";
	values[n++] = state;
	for (i = 0; i < n; i++)
		if (pub_config_set(cfg, keys[i], values[i], &err) < 0) {
			fprintf(stderr, "canhbao-pub: --%s: %s\n", keys[i],
			    err.msg);
			exit(2);
		}
	free(state);
	if (pub_config_check(cfg, &err) < 0)
		cb_cli_die(err.msg);
}

static int
cmd_run(int argc, char **argv)
{
	struct pub_config cfg;
	int rc;

	load_config(argc, argv, &cfg);
	cb_log_init("canhbao-pub", cfg.verbose ? CB_LOG_DEBUG : CB_LOG_INFO);
	rc = pub_daemon_run(&cfg);
	pub_config_release(&cfg);
	return rc;
}

static int
cmd_check_config(int argc, char **argv)
{
	struct pub_config cfg;
	size_t i;

	load_config(argc, argv, &cfg);
	printf(ngettext("%s: ok: state %s, broadcast %s, %zu feed\n",
		   "%s: ok: state %s, broadcast %s, %zu feeds\n", cfg.nfeeds),
	    cfg.path ? cfg.path : _("(no file)"), cfg.state, cfg.broadcast,
	    cfg.nfeeds);
	for (i = 0; i < cfg.nfeeds; i++)
		printf(_("  feed %s: %s %s every %ds\n"), cfg.feeds[i].name,
		    feed_format_name(cfg.feeds[i].format), cfg.feeds[i].url,
		    cfg.feeds[i].interval);
	if (cfg.metrics != NULL)
		printf("  metrics: http://%s/metrics\n", cfg.metrics);
	pub_config_release(&cfg);
	return 0;
}

/* The state key of the config file at path, for cb_cli_state. */
static char *
config_state(const char *path)
{
	struct pub_config cfg;
	struct cb_err err;
	char *state;

	pub_config_init(&cfg);
	if (pub_config_load(&cfg, path, &err) < 0)
		cb_cli_die(err.msg);
	state = cfg.state ? cb_xstrdup(cfg.state) : NULL;
	pub_config_release(&cfg);
	return state;
}

/* --- publish ------------------------------------------------------------- */

struct publish_args {
	const char *file, *severity, *title, *summary, *status, *origin;
	char *summary_in; /* --summary -: what standard input held */
	struct cb_strlist cves;
	int dry_run;
};

/* --summary -: standard input, up to the summary's cap. */
static char *
read_stdin_text(const char *what, size_t max)
{
	struct cb_err err;
	char *text = cb_file_read_fd(STDIN_FILENO, "standard input", max,
	    NULL, &err);

	if (text == NULL) {
		fprintf(stderr, "canhbao-pub: %s -: %s\n", what, err.msg);
		exit(2);
	}
	return text;
}

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
		cb_cli_die(err.msg);
	obj = cJSON_ParseWithLength(text, len);
	if (obj == NULL) {
		fprintf(stderr, _("canhbao-pub: %s: malformed JSON near byte "
				  "%td\n"),
		    file, cJSON_GetErrorPtr() - text);
		exit(2);
	}
	free(text);
	if (!cJSON_IsObject(obj)) {
		fprintf(stderr, _("canhbao-pub: %s: not a JSON object\n"),
		    file);
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

/* The severity as typed ("Critical") in its signed form ("critical"),
 * or the one message for a bad one; a value that is not a string is
 * left for cb_adv_from_cjson to name. */
static void
normalise_severity(cJSON *obj)
{
	cJSON *sev = cJSON_GetObjectItemCaseSensitive(obj, "severity");

	if (cJSON_IsString(sev))
		set_string(obj, "severity",
		    cb_severity_name(cb_cli_severity(sev->valuestring)));
}

/* Every CVE id checked and upper-cased ("cve-2024-3400" ->
 * "CVE-2024-3400"): a typo would reach every agency, since an advisory
 * names its audience and CVEs rather than the other way round. */
static void
normalise_cves(cJSON *obj)
{
	cJSON *cves = cJSON_GetObjectItemCaseSensitive(obj, "cves"), *c;
	char norm[CB_CVE_MAX];
	struct cb_err err;

	cJSON_ArrayForEach(c, cves)
	{
		if (!cJSON_IsString(c))
			continue; /* cb_adv_from_cjson names it */
		if (cb_cve_normalise(c->valuestring, norm, &err) < 0)
			cb_cli_die(err.msg);
		cJSON_SetValuestring(c, norm);
	}
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
	normalise_severity(obj);
	normalise_cves(obj);
}

static void
build_advisory(struct cb_adv *adv, struct publish_args *a)
{
	struct cb_err err;
	cJSON *obj;

	if (a->file == NULL && a->severity == NULL)
		cb_cli_usage_error(_("missing --severity LEVEL"));
	if (a->summary != NULL && strcmp(a->summary, "-") == 0) {
		a->summary_in = read_stdin_text("--summary", CB_ADV_MAX_TEXT);
		a->summary = a->summary_in;
	}
	if (a->file == NULL && a->title == NULL)
		cb_cli_usage_error(_("missing --title TEXT"));
	obj = load_file(a->file);
	apply_args(obj, a);
	if (cb_adv_from_cjson(adv, obj, 1, &err) < 0) {
		fprintf(stderr, "canhbao-pub: %s%s%s\n", a->file ? a->file : "",
		    a->file ? ": " : "", err.msg);
		exit(2);
	}
	cJSON_Delete(obj);
}

static char *
publish_request(const struct cb_adv *adv)
{
	char *json = cb_adv_to_json(adv), *req;
	cJSON *r;

	/* Leave room for what the daemon adds (id, times). */
	if (strlen(json) > CB_MSG_MAXPAYLOAD - 1024) {
		fprintf(stderr, _("canhbao-pub: advisory of %zu bytes is over "
				  "the limit of %d\n"),
		    strlen(json), CB_MSG_MAXPAYLOAD - 1024);
		exit(2);
	}
	r = cJSON_CreateObject();

	cJSON_AddStringToObject(r, "cmd", "publish");
	cJSON_AddItemToObject(r, "advisory", cJSON_Parse(json));
	req = cJSON_PrintUnformatted(r);
	cJSON_Delete(r);
	free(json);
	return req;
}

/* --dry-run: the advisory as it goes to the daemon, which adds the id
 * (for a new one), the times, the sequence and the signature. */
static int
print_dry_run(const char *req)
{
	cJSON *r = cJSON_Parse(req);
	char *text = cJSON_Print(cJSON_GetObjectItemCaseSensitive(r,
	    "advisory"));

	printf("%s\n", text);
	free(text);
	cJSON_Delete(r);
	return 0;
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
		cb_cli_die(err.msg);
	r = cJSON_Parse(text);
	free(text);
	if (r == NULL)
		cb_cli_die(_("malformed reply from the daemon"));
	if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "ok"))) {
		e = cJSON_GetObjectItemCaseSensitive(r, "error");
		fprintf(stderr, "canhbao-pub: %s\n",
		    cJSON_IsString(e) ? e->valuestring : _("request failed"));
		exit(2);
	}
	return r;
}

static int
cmd_publish(int argc, char **argv)
{
	static const struct option opts[] = { { "cve", 1, NULL, 'C' },
		{ "file", 1, NULL, 'f' }, { "origin", 1, NULL, 'O' },
		{ "severity", 1, NULL, 'S' }, { "status", 1, NULL, 'T' },
		{ "summary", 1, NULL, 'm' }, { "title", 1, NULL, 't' },
		{ "dry-run", 0, NULL, 'n' }, { NULL, 0, NULL, 0 } };
	struct publish_args a = { 0 };
	struct cb_adv adv;
	const cJSON *id;
	cJSON *reply;
	char *req;
	int ch;

	while ((ch = cb_cli_next_option(argc, argv, ":C:f:O:S:T:m:t:n", opts)) !=
	    -1) {
		switch (ch) {
		case 'n':
			a.dry_run = 1;
			break;
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
			cb_cli_usage();
		}
	}
	cb_cli_operands(argc, argv, 0, 0, NULL);
	build_advisory(&adv, &a);
	req = publish_request(&adv);
	if (a.dry_run) {
		print_dry_run(req);
		goto out;
	}
	reply = call(cb_cli_state(), req);
	id = cJSON_GetObjectItemCaseSensitive(reply, "id");
	if (!cJSON_IsString(id))
		cb_cli_die(_("malformed reply from the daemon"));
	printf("%s\n", id->valuestring);
	cJSON_Delete(reply);
out:
	free(req);
	cb_adv_release(&adv);
	cb_strlist_release(&a.cves);
	free(a.summary_in);
	return 0;
}

/* --- status -------------------------------------------------------------- */

static int
cmd_status(int argc, char **argv)
{
	int flags = 0;
	const char *state = view_options(argc, argv, NULL, &flags, NULL);
	cJSON *r;

	cb_cli_operands(argc, argv, 0, 0, NULL);
	r = call(state, "{\"cmd\":\"status\"}");
	cJSON_DeleteItemFromObjectCaseSensitive(r, "ok");
	pub_views_print_status(r, flags);
	cJSON_Delete(r);
	return 0;
}

static int
cmd_poll(int argc, char **argv)
{
	cJSON *req, *r;
	char *text;

	while (cb_cli_next_option(argc, argv, "", NULL) != -1)
		;
	cb_cli_operands(argc, argv, 0, 1, NULL);
	req = cJSON_CreateObject();
	cJSON_AddStringToObject(req, "cmd", "poll");
	if (optind == argc - 1)
		cJSON_AddStringToObject(req, "feed", argv[optind]);
	text = cJSON_PrintUnformatted(req);
	r = call(cb_cli_state(), text);
	printf(_("polling %.0f feed(s)\n"), pub_views_num(r, "feeds"));
	cJSON_Delete(r);
	cJSON_Delete(req);
	free(text);
	return 0;
}

/* --- rotate-key ------------------------------------------------------------ */

static int
cmd_rotate_key(int argc, char **argv)
{
	cJSON *r = call(cb_cli_state_only(argc, argv), "{\"cmd\":\"rotate\"}");

	printf(_("signing key rotated from %s to %s (seq %.0f)\n"),
	    pub_views_str(r, "old_key_id"), pub_views_str(r, "key_id"),
	    pub_views_num(r, "seq"));
	cJSON_Delete(r);
	return 0;
}

/* --- signing-key ---------------------------------------------------------- */

/* The key that signs now: signing.pub after a rotation, else the
 * identity key itself. */
static void
current_signing_key(const char *state, const struct cb_seckey *identity,
    struct cb_pubkey *pk)
{
	char *path = cb_xasprintf("%s/%s", state, PUB_SIGNING_PUB_FILE);
	struct cb_err err;

	if (access(path, F_OK) < 0)
		cb_seckey_public(identity, pk);
	else if (cb_sig_read_pubkey(path, pk, &err) < 0)
		cb_cli_die(err.msg);
	free(path);
}

/* The current signing key's public key file and its certificate by
 * publisher.key (cb_msg.h), to FILE and FILE.minisig, or both to
 * standard output. */
static int
cmd_signing_key(int argc, char **argv)
{
	static const struct option opts[] = { { "output", 1, NULL, 'o' },
		{ NULL, 0, NULL, 0 } };
	const char *state, *out = NULL;
	char *path, *text, *minisig = NULL;
	struct cb_seckey *identity;
	struct cb_pubkey pk;
	struct cb_err err;
	uint8_t *cert;
	size_t len;

	while (cb_cli_next_option(argc, argv, ":o:", opts) != -1)
		out = optarg;
	cb_cli_operands(argc, argv, 0, 0, NULL);
	state = cb_cli_state();
	if (out != NULL && strcmp(out, "-") == 0)
		out = NULL; /* -o -: standard output, as without -o */
	path = cb_xasprintf("%s/%s", state, PUB_KEY_FILE);
	identity = cb_sig_read_seckey(path, &err);
	free(path);
	if (identity == NULL)
		cb_cli_die(err.msg);
	current_signing_key(state, identity, &pk);
	cert = cb_msg_certify(identity, &pk, &len);
	cb_seckey_free(identity);
	text = cb_sig_pubkey_text(&pk);
	if ((minisig = cb_msg_minisig(cert, len, &err)) == NULL ||
	    (out != NULL && cb_file_write_signed(out, text, strlen(text),
		minisig, &err) < 0))
		cb_cli_die(err.msg);
	if (out != NULL)
		printf("%s\n%s.minisig\n", out, out);
	else
		printf("%s%s", text, minisig);
	free(cert);
	free(text);
	free(minisig);
	return 0;
}

/* --- agency -------------------------------------------------------------- */

/* The journal of the state folder, with the inbound tables the views
 * read.  Only a command that registers (create set) makes one; a
 * lookup in a folder without one says so, exit 2. */
static struct pub_journal *
open_journal(const char *state, int create)
{
	char *path = cb_xasprintf("%s/%s", state, PUB_JOURNAL_FILE);
	struct pub_journal *j;
	struct cb_err err;

	if (!create && access(path, F_OK) < 0) {
		fprintf(stderr, _("canhbao-pub: no journal in '%s' (has "
				  "'canhbao-pub run' been started there?)\n"),
		    state);
		exit(2);
	}
	if (cb_file_private_dir(state, 0, &err) < 0)
		cb_cli_die(err.msg);
	j = pub_journal_open(path, &err);
	free(path);
	if (j == NULL || pub_inbound_migrate(j, &err) < 0)
		cb_cli_die(err.msg);
	return j;
}

/* Tell a running daemon the registry changed; quiet when none runs
 * (none holds the state folder's lock: asked, not read from a message
 * that may be translated). */
static void
notify_daemon(const char *state)
{
	char *lock = cb_xasprintf("%s/%s", state, PUB_CONTROL_LOCK), *reply;
	int running = cb_file_locked(lock);
	struct cb_err err;

	free(lock);
	if (!running)
		return;
	reply = pub_control_call(state, "{\"cmd\":\"agencies\"}", &err);
	if (reply == NULL)
		fprintf(stderr, _("canhbao-pub: warning: %s\n"), err.msg);
	free(reply);
}

static int
agency_add(const char *state, const char *name, const char *pubfile,
    enum cb_registry_kind kind)
{
	struct pub_journal *j;
	struct cb_pubkey pk;
	struct cb_err err;
	char hex[CB_SIG_KEYIDHEX];

	if (!cb_registry_name_ok(name)) {
		fprintf(stderr, _("canhbao-pub: agency name '%s' must be 1 to "
				  "64 letters, digits, '.', '-' or '_'\n"),
		    name);
		return 2;
	}
	if (cb_sig_read_pubkey(pubfile, &pk, &err) < 0)
		cb_cli_die(err.msg);
	j = open_journal(state, 1);
	if (pub_journal_member_add(j, name, kind, &pk, cb_time_now(),
		&err) < 0) {
		pub_journal_close(j);
		cb_cli_die(err.msg);
	}
	pub_journal_close(j);
	notify_daemon(state);
	if (kind == CB_REGISTRY_RELAY)
		printf(_("relay %s added (key %s)\n"), name,
		    cb_sig_keyid_hex(pk.id, hex));
	else
		printf(_("agency %s added (key %s)\n"), name,
		    cb_sig_keyid_hex(pk.id, hex));
	return 0;
}

static int
agency_remove(const char *state, const char *name)
{
	struct pub_journal *j = open_journal(state, 0);
	struct cb_err err;
	int relay = pub_journal_is_relay(j, name);
	int rc = pub_journal_agency_remove(j, name, &err);

	pub_journal_close(j);
	if (rc < 0)
		cb_cli_die(err.msg);
	if (rc == 0) {
		fprintf(stderr, _("canhbao-pub: no agency '%s'\n"), name);
		return 1;
	}
	notify_daemon(state);
	if (relay)
		printf(_("relay %s removed\n"), name);
	else
		printf(_("agency %s removed\n"), name);
	return 0;
}

/* Show a view: die when it failed, else print it; exit status 0 when it
 * has entries, 1 when empty. */
static int
show(enum pub_view kind, cJSON *view, const struct cb_err *err, int flags)
{
	if (view == NULL)
		cb_cli_die(err->msg);
	return pub_views_print(kind, view, flags);
}

/* The agencies, then the relays apart (in JSON, one array: each
 * entry's kind tells them apart). */
static int
agency_list(const char *state, int64_t silent_after, int flags)
{
	struct pub_journal *j = open_journal(state, 0);
	struct cb_err err;
	cJSON *view = pub_views_agencies(j, cb_time_now(), silent_after, &err);
	cJSON *relays = view ? pub_views_relays(j, &err) : NULL, *r;
	int st;

	pub_journal_close(j);
	if (view == NULL || relays == NULL) {
		cJSON_Delete(view);
		cb_cli_die(err.msg);
	}
	if (flags & PUB_VIEWS_JSON) {
		while ((r = cJSON_DetachItemFromArray(relays, 0)) != NULL)
			cJSON_AddItemToArray(view, r);
		cJSON_Delete(relays);
		return show(PUB_VIEW_AGENCIES, view, &err, flags);
	}
	st = show(PUB_VIEW_AGENCIES, view, &err, flags);
	return show(PUB_VIEW_RELAYS, relays, &err, flags) && st;
}

static int64_t
duration_arg(const char *s, const char *what)
{
	int64_t d;

	if (cb_duration_parse(s, &d) < 0) {
		fprintf(stderr, _("canhbao-pub: %s must be a duration such as "
				  "90s, 10m, 1h or 2d, not '%s'\n"),
		    what, s);
		exit(2);
	}
	return d;
}

/* The state folder of a command that takes only the common options,
 * leaving optind on its operands. */
static const char *
state_and_operands(int argc, char **argv)
{
	while (cb_cli_next_option(argc, argv, "", NULL) != -1)
		;
	return cb_cli_state();
}

static int
cmd_agency_list(int argc, char **argv)
{
	static const struct option silent_opt = { "silent-after", 1, NULL,
		'S' };
	const char *silent = NULL;
	int flags = 0;
	const char *state = view_options(argc, argv, &silent_opt, &flags,
	    &silent);

	cb_cli_operands(argc, argv, 0, 0, NULL);
	return agency_list(state, silent ? duration_arg(silent,
	    "--silent-after") : PUB_SILENT_AFTER, flags);
}

static int
cmd_agency_add(int argc, char **argv)
{
	static const struct option opts[] = { { "relay", 0, NULL, 'r' },
		{ NULL, 0, NULL, 0 } };
	enum cb_registry_kind kind = CB_REGISTRY_AGENCY;

	while (cb_cli_next_option(argc, argv, "", opts) != -1)
		kind = CB_REGISTRY_RELAY;
	cb_cli_operands(argc, argv, 2, 2, "NAME PUBFILE");
	return agency_add(cb_cli_state(), argv[optind], argv[optind + 1],
	    kind);
}

static int
cmd_agency_remove(int argc, char **argv)
{
	const char *state = state_and_operands(argc, argv);

	cb_cli_operands(argc, argv, 1, 1, "NAME");
	return agency_remove(state, argv[optind]);
}

/* --- receipts, overdue, reports, drill --------------------------------- */

/* --json and --utc, the options every view takes (into *flags,
 * PUB_VIEWS_*), and one more of its own when extra is not NULL (its
 * value goes to *value).  Returns the state folder. */
static const char *
view_options(int argc, char **argv, const struct option *extra, int *flags,
    const char **value)
{
	struct option opts[4] = { { "json", 0, NULL, 'j' },
		{ "utc", 0, NULL, 'u' }, { NULL, 0, NULL, 0 },
		{ NULL, 0, NULL, 0 } };
	char shorts[8] = ":ju";
	int ch;

	if (extra != NULL) {
		opts[2] = *extra;
		snprintf(shorts + 3, 4, "%c:", extra->val);
	}
	while ((ch = cb_cli_next_option(argc, argv, shorts, opts)) != -1)
		if (ch == 'j')
			*flags |= PUB_VIEWS_JSON;
		else if (ch == 'u')
			*flags |= PUB_VIEWS_UTC;
		else if (value != NULL)
			*value = optarg;
	return cb_cli_state();
}

static int
print_receipts(const char *state, const char *id, int flags)
{
	struct pub_journal *j = open_journal(state, 0);
	struct cb_err err;
	int known = pub_views_known(j, id, &err);
	cJSON *view = known > 0 ? pub_views_receipts(j, id, &err) : NULL;

	pub_journal_close(j);
	if (known == 0) {
		fprintf(stderr, _("canhbao-pub: no advisory '%s' in the "
				  "journal\n"),
		    id);
		return 1;
	}
	return show(PUB_VIEW_RECEIPTS, view, &err, flags);
}

static int
cmd_receipts(int argc, char **argv)
{
	int flags = 0;
	const char *state = view_options(argc, argv, NULL, &flags, NULL);

	cb_cli_operands(argc, argv, 1, 1, "ID");
	return print_receipts(state, argv[optind], flags);
}

static int
cmd_overdue(int argc, char **argv)
{
	static const struct option opts[] = { { "json", 0, NULL, 'j' },
		{ "older", 1, NULL, 'o' }, { "severity", 1, NULL, 'e' },
		{ "utc", 0, NULL, 'u' }, { NULL, 0, NULL, 0 } };
	int min = CB_SEV_INFO;
	int64_t older = 0;
	struct pub_journal *j;
	struct cb_err err;
	int ch, flags = 0;
	cJSON *view;

	while ((ch = cb_cli_next_option(argc, argv, ":jo:e:u", opts)) != -1)
		if (ch == 'j')
			flags |= PUB_VIEWS_JSON;
		else if (ch == 'u')
			flags |= PUB_VIEWS_UTC;
		else if (ch == 'o')
			older = duration_arg(optarg, "--older");
		else
			min = cb_cli_severity(optarg);
	cb_cli_operands(argc, argv, 0, 0, NULL);
	j = open_journal(cb_cli_state(), 0);
	view = pub_views_overdue(j, min, cb_time_now() - older, &err);
	pub_journal_close(j);
	return show(PUB_VIEW_OVERDUE, view, &err, flags);
}

/* An agency's name in a lookup: exit 1 naming it when the journal
 * knows no such agency. */
static void
known_agency(struct pub_journal *j, const char *name)
{
	struct cb_err err;
	int known = pub_views_agency_known(j, name, &err);

	if (known < 0)
		cb_cli_die(err.msg);
	if (known == 0) {
		pub_journal_close(j);
		fprintf(stderr, _("canhbao-pub: no agency '%s'\n"), name);
		exit(1);
	}
}

static int
cmd_reports(int argc, char **argv)
{
	static const struct option opts[] = { { "agency", 1, NULL, 'a' },
		{ "json", 0, NULL, 'j' }, { "save", 1, NULL, 'S' },
		{ "since", 1, NULL, 'i' }, { "unhandled", 0, NULL, 'u' },
		{ "utc", 0, NULL, 'U' }, { NULL, 0, NULL, 0 } };
	struct pub_report_filter f = { NULL, 0, 0 };
	const char *save = NULL;
	struct pub_journal *j;
	struct cb_err err;
	int ch, flags = 0;
	cJSON *view;

	while ((ch = cb_cli_next_option(argc, argv, ":a:jS:i:uU", opts)) != -1)
		if (ch == 'a')
			f.agency = optarg;
		else if (ch == 'j')
			flags |= PUB_VIEWS_JSON;
		else if (ch == 'U')
			flags |= PUB_VIEWS_UTC;
		else if (ch == 'S')
			save = optarg;
		else if (ch == 'i')
			f.since = cb_time_now() - duration_arg(optarg, "--since");
		else
			f.unhandled = 1;
	cb_cli_operands(argc, argv, 0, 0, NULL);
	if (save != NULL && mkdir(save, 0700) < 0 && errno != EEXIST) {
		fprintf(stderr, _("canhbao-pub: cannot create '%s': %s\n"),
		    save, strerror(errno));
		return 2;
	}
	j = open_journal(cb_cli_state(), 0);
	if (f.agency != NULL)
		known_agency(j, f.agency);
	view = pub_views_reports(j, &f, save, &err);
	pub_journal_close(j);
	return show(PUB_VIEW_REPORTS, view, &err, flags);
}

/* An agency's number for a report: digits only. */
static uint64_t
report_seq(const char *s)
{
	unsigned long long n;
	char *end;

	errno = 0;
	n = strtoull(s, &end, 10);
	if (!isdigit((unsigned char)s[0]) || *end != '\0' || errno != 0) {
		fprintf(stderr, _("canhbao-pub: report number '%s' is not a "
				  "number\n"),
		    s);
		exit(2);
	}
	return n;
}

static int
handle_report(const char *state, const char *agency, uint64_t seq,
    const char *by, const char *note)
{
	struct pub_journal *j = open_journal(state, 0);
	struct cb_err err;
	int rc;

	known_agency(j, agency);
	rc = pub_inbound_handle(j, agency, seq, by, note, cb_time_now(), &err);
	pub_journal_close(j);
	if (rc < 0)
		cb_cli_die(err.msg);
	if (rc == 0) {
		fprintf(stderr, _("canhbao-pub: agency %s has no report "
				  "#%llu\n"),
		    agency, (unsigned long long)seq);
		return 1;
	}
	printf(_("report %s #%llu handled by %s\n"), agency,
	    (unsigned long long)seq, by);
	return 0;
}

static int
cmd_handle_report(int argc, char **argv)
{
	static const struct option opts[] = { { "by", 1, NULL, 'b' },
		{ "note", 1, NULL, 'n' }, { NULL, 0, NULL, 0 } };
	const char *by = NULL, *note = NULL;
	int ch;

	while ((ch = cb_cli_next_option(argc, argv, ":b:n:", opts)) != -1)
		if (ch == 'b')
			by = optarg;
		else
			note = optarg;
	cb_cli_operands(argc, argv, 2, 2, "AGENCY SEQ");
	if (by == NULL)
		cb_cli_usage_error(
		    _("missing --by NAME (who handled the report)"));
	return handle_report(cb_cli_state(), argv[optind],
	    report_seq(argv[optind + 1]), by, note);
}

/* --- drill ----------------------------------------------------------------- */

/* The number of registered agencies. */
static int
count_agencies(struct pub_journal *j)
{
	struct cb_err err;
	cJSON *a = pub_views_agencies(j, 0, 0, &err);
	int n;

	if (a == NULL)
		cb_cli_die(err.msg);
	n = cJSON_GetArraySize(a);
	cJSON_Delete(a);
	return n;
}

static char *
publish_drill(const char *state)
{
	cJSON *reply = call(state, "{\"cmd\":\"publish\",\"advisory\":{"
				   "\"severity\":\"high\",\"status\":"
				   "\"exercise\",\"origin\":\"provincial\","
				   "\"title\":\"Diễn tập: xác nhận đã nhận "
				   "cảnh báo (drill: please acknowledge)\","
				   "\"summary\":\"Đây là bài diễn tập. Đề nghị "
				   "cán bộ trực xác nhận bằng canhbao-sub "
				   "ack.\"}}");
	char *id = cb_xstrdup(pub_views_str(reply, "id"));

	cJSON_Delete(reply);
	return id;
}

/* Progress on stderr, one line each time the counts change. */
static void
drill_progress(const cJSON *d, double *last)
{
	double now = pub_views_num(d, "received") * 1e6 +
	    pub_views_num(d, "acknowledged");

	if (now == *last)
		return;
	*last = now;
	fprintf(stderr, _("drill: %.0f/%.0f received, %.0f/%.0f "
			  "acknowledged\n"),
	    pub_views_num(d, "received"), pub_views_num(d, "registered"),
	    pub_views_num(d, "acknowledged"), pub_views_num(d, "registered"));
}

/* The drill's verdict once every agency has received and acknowledged
 * it, or when wait seconds have passed. */
static cJSON *
drill_wait(struct pub_journal *j, const char *id, int64_t wait)
{
	const struct timespec tick = { 0, DRILL_POLL_MS * 1000000L };
	int64_t end = cb_time_mono_ms() + wait * 1000;
	double last = -1;
	struct cb_err err;
	cJSON *d;

	for (;;) {
		if ((d = pub_views_drill(j, id, &err)) == NULL)
			cb_cli_die(err.msg);
		drill_progress(d, &last);
		if (pub_views_drill_all(d, 1) || cb_time_mono_ms() >= end)
			return d;
		cJSON_Delete(d);
		nanosleep(&tick, NULL);
	}
}

/* A drill: an exercise advisory, then who received and acknowledged
 * it, and the verdict. */
static int
cmd_drill(int argc, char **argv)
{
	static const struct option wait_opt = { "wait", 1, NULL, 'w' };
	const char *wait = NULL;
	int flags = 0;
	const char *state = view_options(argc, argv, &wait_opt, &flags, &wait);
	int64_t seconds = wait ? duration_arg(wait, "--wait") : DRILL_WAIT;
	struct pub_journal *j;
	cJSON *verdict;
	char *id;
	int n;

	cb_cli_operands(argc, argv, 0, 0, NULL);
	j = open_journal(state, 0);
	if ((n = count_agencies(j)) == 0) {
		pub_journal_close(j);
		fprintf(stderr, _("canhbao-pub: no agency is registered, so "
				  "none can take part in a drill (see agency "
				  "add)\n"));
		return 1;
	}
	id = publish_drill(state);
	fprintf(stderr, ngettext("drill %s published; waiting up to %llds for "
				 "%d agency to receive and acknowledge it\n",
			    "drill %s published; waiting up to %llds for %d "
			    "agencies to receive and acknowledge it\n",
			    (unsigned long)n),
	    id, (long long)seconds, n);
	verdict = drill_wait(j, id, seconds);
	pub_journal_close(j);
	free(id);
	return pub_views_print_drill(verdict, flags);
}

/* --- web-link, advisories ------------------------------------------------ */

/* The duty page's address: the one the running daemon bound
 * (web.address), else the configuration's web key. */
static char *
web_address(const char *state)
{
	char *path = cb_xasprintf("%s/%s", state, PUB_WEB_ADDRESS_FILE);
	const char *file = cb_cli_config();
	struct pub_config cfg;
	struct cb_err err;
	char *addr = NULL;

	if (access(path, F_OK) == 0) {
		addr = cb_file_read(path, 128, 1, NULL, &err);
		if (addr == NULL)
			cb_cli_die(err.msg);
		addr[strcspn(addr, "\n")] = '\0';
	} else if (file != NULL) {
		pub_config_init(&cfg);
		if (pub_config_load(&cfg, file, &err) < 0)
			cb_cli_die(err.msg);
		if (cfg.web != NULL && (addr = pub_web_addr(cfg.web, &err)) ==
		    NULL)
			cb_cli_die(err.msg);
		pub_config_release(&cfg);
	}
	free(path);
	if (addr == NULL) {
		fprintf(stderr, _("canhbao-pub: the duty page is not set up: "
				  "start 'canhbao-pub run --web ADDR:PORT' (or "
				  "set web = in pub.conf) first\n"));
		exit(2);
	}
	return addr;
}

/* A link to the duty page that logs a browser in; --new makes every
 * earlier link stop working. */
static int
cmd_web_link(int argc, char **argv)
{
	static const struct option opts[] = { { "new", 0, NULL, 'n' },
		{ NULL, 0, NULL, 0 } };
	char token[PUB_WEB_TOKEN_HEX + 1], host[256], *addr, *link;
	const char *state;
	struct cb_err err;
	int replace = 0;

	while (cb_cli_next_option(argc, argv, ":n", opts) != -1)
		replace = 1;
	cb_cli_operands(argc, argv, 0, 0, NULL);
	state = cb_cli_state();
	if (cb_file_private_dir(state, 0, &err) < 0)
		cb_cli_die(err.msg);
	addr = web_address(state);
	if (pub_webauth_new(state, replace, token, &err) < 0)
		cb_cli_die(err.msg);
	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	link = pub_web_link(addr, host, token);
	printf("%s\n", link);
	if (replace)
		fprintf(stderr, _("canhbao-pub: every earlier link to the duty "
				  "page no longer works\n"));
	cb_sig_wipe(token, sizeof(token));
	free(link);
	free(addr);
	return 0;
}

/* The latest advisories with how many agencies received and
 * acknowledged each (the duty page's /api/advisories). */
static int
cmd_advisories(int argc, char **argv)
{
	static const struct option limit_opt = { "limit", 1, NULL, 'l' };
	const char *limit = NULL;
	int json = 0;
	const char *state = view_options(argc, argv, &limit_opt, &json, &limit);
	long n = PUB_WEB_ADVISORIES;
	struct pub_journal *j;
	struct cb_err err;
	cJSON *view;
	char *end;

	cb_cli_operands(argc, argv, 0, 0, NULL);
	if (limit != NULL) {
		n = strtol(limit, &end, 10);
		if (*limit == '\0' || *end != '\0' || n < 1 || n > 100000)
			cb_cli_usage_error("%s", _("--limit must be a number "
						   "from 1 to 100000"));
	}
	j = open_journal(state, 0);
	view = pub_views_advisories(j, (int)n, &err);
	pub_journal_close(j);
	return show(PUB_VIEW_ADVISORIES, view, &err, json);
}

static const struct cb_cli_program program = { "canhbao-pub", commands,
	NCOMMANDS, "pub.conf", 0, config_state, NULL };

int
main(int argc, char **argv)
{
	cb_locale_init();
	cb_cli_init(&program); /* before cb_cli_die can name the program */
	if (cb_sig_init() < 0)
		cb_cli_die(_("cannot initialise libsodium"));
	cb_log_init("canhbao-pub", CB_LOG_INFO);
	return cb_cli_dispatch(argc, argv);
}
