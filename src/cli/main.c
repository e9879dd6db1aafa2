/* mcuprov: entry point; global options and subcommand dispatch. */
#include "config.h"

#include <errno.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "mcuprov/pkcs11.h"
#include "mcuprov/fileio.h"
#include "mcuprov/lock.h"

const struct cmd_entry *cli_find_command(const char *name);
void cli_list_commands(FILE *f);
bool cli_invoked_as_imgtool(const char *argv0);
int imgtool_main(int argc, char **argv);

/* Scripts read our output: a failed write to stdout must not exit 0. */
static int finish(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "mcuprov: %s: write error on standard output: %s\n",
			cli.cmd ? cli.cmd : "mcuprov", strerror(errno));
		return EXIT_FAIL;
	}
	return rc;
}

/* A signal that ends mcuprov removes the temporary files it was writing
 * first (the original stays as it was); then it ends mcuprov as it would
 * have. */
static void on_fatal_signal(int sig)
{
	file_tmp_cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_cleanup(void)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		/* an ignored signal (nohup, a background job) stays ignored */
		if (sigaction(sigs[i], NULL, &old) == 0 && old.sa_handler == SIG_IGN)
			continue;
		sigaction(sigs[i], &sa, NULL);
	}
	atexit(file_tmp_cleanup);
}

int main(int argc, char **argv)
{
	const struct cmd_entry *cmd;
	const char *env;
	int i;

	setlocale(LC_ALL, "");
	install_cleanup();
	cli.lock_timeout_ms = LOCK_TIMEOUT_DEFAULT_MS;
	env = getenv("MCUPROV_LOCK_TIMEOUT");
	if (env != NULL && env[0] != '\0' && !cli_parse_lock_timeout(env, &cli.lock_timeout_ms)) {
		fprintf(stderr, "mcuprov: MCUPROV_LOCK_TIMEOUT='%s': not a number of seconds (0 to "
				"3600)\n",
			env);
		return EXIT_USAGE;
	}
	env = getenv("MCUPROV_PKCS11_MODULE");
	if (env != NULL && env[0] != '\0' && pkcs11_set_module(env, NULL) < 0) {
		fprintf(stderr, "mcuprov: out of memory\n");
		return EXIT_FAIL;
	}
	env = getenv("MCUPROV_PRODUCTION");
	cli.production = env != NULL && env[0] != '\0' && strcmp(env, "0") != 0;
	opterr = 0;
	if (cli_invoked_as_imgtool(argv[0])) /* the drop-in name: imgtool's command line */
		return finish(imgtool_main(argc, argv));

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--production") == 0) {
			cli.production = true;
		} else if (strcmp(argv[i], "--version") == 0 || strcmp(argv[i], "-V") == 0) {
			printf("mcuprov %s\n", PACKAGE_VERSION);
			return finish(EXIT_OK);
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			cli_list_commands(stdout);
			return finish(EXIT_OK);
		} else {
			fprintf(stderr, "mcuprov: unknown option '%s'\n", argv[i]);
			cli_list_commands(stderr);
			return EXIT_USAGE;
		}
	}
	if (i == argc && isatty(0) && isatty(1)) {
		/* `mcuprov` alone on a terminal: the wizard */
		static char *wizard_argv[] = { "wizard", NULL };

		cmd = cli_find_command("wizard");
		cli.cmd = cmd->name;
		optind = 0;
		return finish(cmd->exec(1, wizard_argv));
	}
	if (i == argc) {
		cli_list_commands(stderr);
		return EXIT_USAGE;
	}
	cmd = cli_find_command(argv[i]);
	if (cmd == NULL) {
		fprintf(stderr, "mcuprov: '%s' is not a command; see 'mcuprov help'\n", argv[i]);
		return EXIT_USAGE;
	}
	cli.cmd = cmd->name;
	optind = 0; /* GNU getopt: full re-initialisation for the subcommand */
	/* --json: one object on stdout even when the command stopped early */
	return finish(cli_json_fallback(cmd, argc - i, argv + i, cmd->exec(argc - i, argv + i)));
}
