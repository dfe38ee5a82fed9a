/*
 * canhbao-relay: a relay between the publisher (or another relay) and
 * agencies.  Command dispatch; the daemon is relay_daemon.c.
 */
#include <getopt.h>
#include <inttypes.h>
#include <libintl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cb_cli.h"
#include "cb_locale.h"
#include "cb_log.h"
#include "cb_mem.h"
#include "cb_msg.h"
#include "cb_registry.h"
#include "cb_sig.h"
#include "relay_config.h"
#include "relay_daemon.h"
#include "relay_store.h"

static int cmd_run(int, char **);
static int cmd_keygen(int, char **);
static int cmd_status(int, char **);
static int cmd_check_config(int, char **);

/* Every command also takes -c FILE, --state DIR and -h (cb_cli.h). */
static const struct cb_command commands[] = {
	{ "run", cmd_run,
	    N_("[-c FILE] [--state DIR] --upstream-broadcast EP[,EP...]\n"
	    "\t\t--upstream-requests EP[,EP...] --publisher-key FILE\n"
	    "\t\t[--upstream-key FILE[,FILE...]] --broadcast EP --requests EP\n"
	    "\t\t[--insecure] [--stale-after SECONDS] "
	    "[--failover-after SECONDS]\n"
	    "\t\t[--revoked-keys LIST] [--metrics ADDR:PORT] [--verbose]") },
	{ "keygen", cmd_keygen, N_("[--state DIR]") },
	{ "status", cmd_status, N_("[--state DIR] [--json]") },
	{ "check-config", cmd_check_config, N_("[-c FILE]") },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

/* The run options, each also a [relay] key of the same name. */
static const struct option run_opts[] = {
	{ "broadcast", 1, NULL, 'b' }, { "failover-after", 1, NULL, 'F' },
	{ "insecure", 0, NULL, 'I' }, { "metrics", 1, NULL, 'm' },
	{ "publisher-key", 1, NULL, 'k' }, { "requests", 1, NULL, 'R' },
	{ "revoked-keys", 1, NULL, 'X' }, { "stale-after", 1, NULL, 'S' },
	{ "upstream-broadcast", 1, NULL, 'U' },
	{ "upstream-key", 1, NULL, 'K' },
	{ "upstream-requests", 1, NULL, 'Q' }, { "verbose", 0, NULL, 'v' },
	{ NULL, 0, NULL, 0 } };

static const char *
run_key(int ch)
{
	const struct option *o;
	static char key[32];
	size_t i;

	for (o = run_opts; o->name != NULL; o++) {
		if (o->val != ch)
			continue;
		for (i = 0; i < sizeof(key) - 1 && o->name[i] != '\0'; i++)
			key[i] = o->name[i] == '-' ? '_' : o->name[i];
		key[i] = '\0';
		return key;
	}
	return NULL;
}

/* Defaults, then the file (cb_cli_config), then the flags on top;
 * exits 2 with the file:line of the first problem. */
static void
load_config(int argc, char **argv, struct relay_config *cfg)
{
	const char *file, *keys[24], *values[24];
	char *names[24], *state;
	struct cb_err err;
	int ch, n = 0, i;

	while ((ch = cb_cli_next_option(argc, argv, ":v", run_opts)) != -1) {
		if (run_key(ch) == NULL || n == 22)
			cb_cli_usage();
		names[n] = cb_xstrdup(run_key(ch));
		keys[n] = names[n];
		values[n++] = ch == 'I' || ch == 'v' ? "yes" : optarg;
	}
	cb_cli_operands(argc, argv, 0, 0, NULL);
	relay_config_init(cfg);
	if ((file = cb_cli_config()) != NULL &&
	    relay_config_load(cfg, file, &err) < 0)
		cb_cli_die(err.msg);
	state = cb_xstrdup(cb_cli_state_from(cfg->state));
	names[n] = NULL;
	keys[n] = "state";
	values[n++] = state;
	for (i = 0; i < n; i++)
		if (relay_config_set(cfg, keys[i], values[i], &err) < 0)
			cb_cli_die(err.msg);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(state);
	if (relay_config_check(cfg, &err) < 0)
		cb_cli_die(err.msg);
}

static int
cmd_run(int argc, char **argv)
{
	struct relay_config cfg;
	int rc;

	load_config(argc, argv, &cfg);
	cb_log_init("canhbao-relay", cfg.verbose ? CB_LOG_DEBUG : CB_LOG_INFO);
	rc = relay_daemon_run(&cfg);
	relay_config_release(&cfg);
	return rc;
}

static int
cmd_check_config(int argc, char **argv)
{
	struct relay_config cfg;

	load_config(argc, argv, &cfg);
	printf(_("%s: ok: state %s, upstream %s, broadcast %s, requests %s\n"),
	    cfg.path ? cfg.path : _("(no file)"), cfg.state,
	    cfg.upstream_broadcast, cfg.broadcast, cfg.requests);
	relay_config_release(&cfg);
	return 0;
}

static int
cmd_keygen(int argc, char **argv)
{
	return cb_cli_keygen(argc, argv, RELAY_KEY_FILE, RELAY_PUB_FILE,
	    _("have the department register it: canhbao-pub agency add "
	      "--relay NAME relay.pub"));
}

/* --- status ------------------------------------------------------------ */

struct status {
	char upstream[256];
	uint64_t publisher_seq, forwarded, dropped, switches, pending;
	uint64_t downstream;
};

static void
status_row(const char *name, const char *value, void *arg)
{
	struct status *st = arg;
	uint64_t v = strtoull(value, NULL, 10);

	if (strcmp(name, "upstream") == 0)
		snprintf(st->upstream, sizeof(st->upstream), "%s", value);
	else if (strcmp(name, "publisher_seq") == 0)
		st->publisher_seq = v;
	else if (strcmp(name, "forwarded") == 0)
		st->forwarded = v;
	else if (strcmp(name, "dropped") == 0)
		st->dropped = v;
	else if (strcmp(name, "switches") == 0)
		st->switches = v;
	else if (strcmp(name, "outbox_pending") == 0)
		st->pending = v;
	else if (strcmp(name, "downstream") == 0)
		st->downstream = v;
}

/* The registry kept: its generation and number of members (0, 0 when
 * none).  Read from what the daemon verified before it kept it. */
static int
registry_counts(struct relay_store *s, uint64_t *gen, size_t *members,
    struct cb_err *err)
{
	struct cb_registry r;
	uint8_t *sb = NULL, *sig = NULL;
	size_t sblen, siglen;
	int found;

	*gen = 0;
	*members = 0;
	found = relay_store_registry(s, &sb, &sblen, &sig, &siglen, gen, err);
	if (found > 0 && sblen > CB_MSG_HDRLEN &&
	    cb_registry_decode(sb + CB_MSG_HDRLEN, sblen - CB_MSG_HDRLEN, &r,
		err) == 0) {
		*members = r.n;
		cb_registry_release(&r);
	}
	free(sb);
	free(sig);
	return found < 0 ? -1 : 0;
}

static int
cmd_status(int argc, char **argv)
{
	static const struct option opts[] = { { "json", 0, NULL, 'j' },
		{ NULL, 0, NULL, 0 } };
	struct status st;
	struct relay_store *s;
	struct cb_err err;
	char *path;
	uint64_t gen;
	size_t members;
	int ch, json = 0;

	memset(&st, 0, sizeof(st));
	while ((ch = cb_cli_next_option(argc, argv, "j", opts)) != -1)
		json = ch == 'j' ? 1 : (cb_cli_usage(), 0);
	cb_cli_operands(argc, argv, 0, 0, NULL);
	path = cb_xasprintf("%s/%s", cb_cli_state(), RELAY_STORE_FILE);
	s = relay_store_open(path, 1, &err);
	free(path);
	if (s == NULL || relay_store_status_each(s, status_row, &st, &err) < 0 ||
	    registry_counts(s, &gen, &members, &err) < 0) {
		relay_store_close(s);
		cb_cli_die(err.msg);
	}
	if (json)
		printf("{\"upstream\":\"%s\",\"last_seq\":%" PRIu64
		       ",\"publisher_seq\":%" PRIu64 ",\"registry_generation\":"
		       "%" PRIu64 ",\"registry_members\":%zu,\"forwarded\":%"
		       PRIu64 ",\"dropped\":%" PRIu64 ",\"switches\":%" PRIu64
		       ",\"outbox_pending\":%" PRIu64 ",\"downstream\":%" PRIu64
		       "}\n",
		    st.upstream, relay_store_last_seq(s), st.publisher_seq, gen,
		    members, st.forwarded, st.dropped, st.switches,
		    st.pending, st.downstream);
	else
		printf(_("upstream:      %s\nlast seq:      %" PRIu64
			 "\npublisher at:  %" PRIu64 "\nregistry:      "
			 "generation %" PRIu64 ", %zu members\nforwarded:     %"
			 PRIu64 "\ndropped:       %" PRIu64 "\nswitches:      %"
			 PRIu64 "\noutbox:        %" PRIu64 " pending\n"
			 "downstream:    %" PRIu64 " connections\n"),
		    st.upstream[0] ? st.upstream : _("(never ran)"),
		    relay_store_last_seq(s), st.publisher_seq, gen, members,
		    st.forwarded, st.dropped, st.switches, st.pending,
		    st.downstream);
	relay_store_close(s);
	return 0;
}

/* The state key of the config file at path, for cb_cli_state. */
static char *
config_state(const char *path)
{
	struct relay_config cfg;
	struct cb_err err;
	char *state;

	relay_config_init(&cfg);
	if (relay_config_load(&cfg, path, &err) < 0)
		cb_cli_die(err.msg);
	state = cfg.state ? cb_xstrdup(cfg.state) : NULL;
	relay_config_release(&cfg);
	return state;
}

static const struct cb_cli_program program = { "canhbao-relay", commands,
	NCOMMANDS, "relay.conf", 0, config_state, "-relay" };

int
main(int argc, char **argv)
{
	cb_locale_init();
	if (cb_sig_init() < 0) {
		fprintf(stderr,
		    _("canhbao-relay: cannot initialise libsodium\n"));
		return 2;
	}
	cb_log_init("canhbao-relay", CB_LOG_INFO);
	cb_cli_init(&program);
	return cb_cli_dispatch(argc, argv);
}
