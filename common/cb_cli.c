/* cb_cli: command table dispatch and usage (see cb_cli.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "cb_cli.h"
#include "cb_file.h"
#include "cb_mem.h"
#include "cb_sig.h"

static const char *cli_prog = "canhbao";
static const struct cb_command *cli_cmds;
static size_t cli_n;

void
cb_cli_init(const char *prog, const struct cb_command *cmds, size_t n)
{
	cli_prog = prog;
	cli_cmds = cmds;
	cli_n = n;
}

void
cb_cli_usage(void)
{
	size_t i;

	for (i = 0; i < cli_n; i++)
		fprintf(stderr, "%s %s %s %s\n", i ? "      " : "usage:",
		    cli_prog, cli_cmds[i].name, cli_cmds[i].usage);
	exit(2);
}

void
cb_cli_die(const char *msg)
{
	fprintf(stderr, "%s: %s\n", cli_prog, msg);
	exit(2);
}

int
cb_cli_dispatch(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		cb_cli_usage();
	for (i = 0; i < cli_n; i++)
		if (strcmp(argv[1], cli_cmds[i].name) == 0) {
			optind = 1;
			return cli_cmds[i].fn(argc - 1, argv + 1);
		}
	fprintf(stderr, "%s: unknown command '%s'\n", cli_prog, argv[1]);
	cb_cli_usage();
}

const char *
cb_cli_state_only(int argc, char **argv)
{
	static const struct option opts[] = { { "state", 1, NULL, 's' },
		{ NULL, 0, NULL, 0 } };
	const char *state = NULL;
	int ch;

	while ((ch = getopt_long(argc, argv, "s:", opts, NULL)) != -1)
		if (ch == 's')
			state = optarg;
		else
			cb_cli_usage();
	if (state == NULL || optind != argc)
		cb_cli_usage();
	return state;
}

int
cb_cli_keygen(int argc, char **argv, const char *keyfile, const char *pubfile,
    const char *after)
{
	const char *state = cb_cli_state_only(argc, argv);
	struct cb_seckey *sk;
	struct cb_pubkey pk;
	struct cb_err err;
	char *skpath, *pkpath, hex[CB_SIG_KEYIDHEX];

	if (cb_file_private_dir(state, 1, &err) < 0)
		cb_cli_die(err.msg);
	skpath = cb_xasprintf("%s/%s", state, keyfile);
	pkpath = cb_xasprintf("%s/%s", state, pubfile);
	if (access(pkpath, F_OK) == 0) {
		fprintf(stderr, "%s: '%s' already exists; refusing to "
		    "overwrite it\n", cli_prog, pkpath);
		exit(2);
	}
	if (cb_sig_keygen(&sk, &pk, &err) < 0 ||
	    cb_sig_write_seckey(skpath, sk, &err) < 0)
		cb_cli_die(err.msg);
	cb_seckey_free(sk);
	if (cb_sig_write_pubkey(pkpath, &pk, &err) < 0)
		cb_cli_die(err.msg);
	printf("key id %s\nsecret key %s\npublic key %s\n",
	    cb_sig_keyid_hex(pk.id, hex), skpath, pkpath);
	if (after != NULL)
		printf("%s\n", after);
	free(skpath);
	free(pkpath);
	return 0;
}
