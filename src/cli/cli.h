/* mcuprov command-line front end: the command table and shared helpers.
 *
 * Every subcommand lives in src/cli/cmd-<verb>.c and is one entry of
 * cli_commands[].  Commands parse their options, call the core, and report a
 * core error once through cli_fail(). */
#ifndef MCUPROV_CLI_H
#define MCUPROV_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <getopt.h>

#include "mcuprov/error.h"
#include "mcuprov/key.h"

/* Exit codes (documented in mcuprov(1)). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,  /* the operation failed: bad input, wrong password, i/o */
	EXIT_USAGE = 2, /* the command line was wrong */
};

struct cmd_entry {
	const char *name;
	const char *summary; /* one line for `mcuprov help` */
	const char *usage;   /* synopsis after "usage: mcuprov " */
	const char *help;    /* option descriptions for --help */
	int (*exec)(int argc, char **argv);
};

extern const struct cmd_entry *const cli_commands[];

/* Global state set by main() from global options and the environment. */
struct cli_globals {
	const char *cmd;  /* running command's name, for messages */
	bool production;  /* --production or MCUPROV_PRODUCTION=1 */
	bool batch;       /* --batch: never prompt; a missing answer is an error */
};
extern struct cli_globals cli;

/* Options every command accepts; their getopt codes. */
enum {
	OPT_HELP = 'h',
	OPT_PRODUCTION = 0x100,
	OPT_PASSIN,
	OPT_PASSOUT,
	OPT_FORCE,
	OPT_NAME_SUFFIX,
	OPT_MINIMAL,
	OPT_REQUIRE,
	OPT_FIRST_FREE,
};

#define CLI_COMMON_LONGOPTS \
	{ "help", no_argument, NULL, OPT_HELP }, \
	{ "production", no_argument, NULL, OPT_PRODUCTION }

/* Handle an option common to all commands (help, production) or a getopt
 * error ('?', ':'; short options must start with ':' and opterr be 0).
 * Returns -1 when the option was handled and parsing goes on, otherwise the
 * exit code the command must return at once. */
int cli_common_option(const struct cmd_entry *cmd, int opt, char **argv);

/* -D NAME[=VALUE] and -U NAME of a command, as cpp takes them: a later one
 * for a name replaces an earlier -D or -U of it. */
#define CLI_DEFINES_MAX 64
struct cli_defines {
	const char *defines[CLI_DEFINES_MAX];
	size_t n_defines;
	const char *undefs[CLI_DEFINES_MAX];
	size_t n_undefs;
};

/* Add ARG of -D (UNDEF: -U) to D after checking it as provisioning will
 * take it (provision_define_check()).  Returns -1
 * when parsing goes on, else EXIT_USAGE after the usage message
 * ("-D '1X': REASON", "at most 64 -D/-U"). */
int cli_define(const struct cmd_entry *cmd, struct cli_defines *d, const char *arg, bool undef);

/* Report a core error once on stderr:
 *   mcuprov: <cmd>: '<subject>': <reason>
 * and return EXIT_USAGE for MCUPROV_ERR_USAGE, EXIT_FAIL otherwise. */
int cli_fail(const struct mcuprov_err *err);

/* Print "mcuprov: <cmd>: <message>" and the command's usage line to stderr;
 * returns EXIT_USAGE. */
int cli_usage(const struct cmd_entry *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Print "mcuprov: warning: <message>" to stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print the full help of CMD to stdout; returns EXIT_OK. */
int cli_help(const struct cmd_entry *cmd);

/* Load the key at PATH for the running command.  An encrypted key takes its
 * password from PASSIN (pass:/env:/file:/fd:/stdin) or else from a prompt on
 * the terminal without echo.  Prints the insecure-mode and development-key
 * warnings and refuses a development key in production mode.  On failure the
 * error is already reported and the return value is the exit code. */
int cli_load_key(const char *path, const char *passin, struct mcuprov_key **key);

/* Ask for a password on the terminal without echo (twice when VERIFY).
 * OPTION names the option that gives the password without a terminal
 * ("--passin"), for the error when there is none.
 * Returns 0 and a secret to release with passwd_free(), or fills ERR. */
int cli_prompt_password(const char *prompt, bool verify, const char *option, char **out,
			struct mcuprov_err *err);

/* Write DATA to OUT_PATH atomically (replacing it, as imgtool does), or to
 * stdout when OUT_PATH is NULL or "-".  Returns an exit code, error reported. */
int cli_output(const char *out_path, const void *data, size_t len);

/* Long steps: "WHAT: NN%" rewritten in place on stderr when it is a
 * terminal; *SHOWN remembers that a line is there to clear. */
void cli_progress(int *shown, const char *what, int percent);

/* Erase a progress line left by cli_progress(), if any. */
void cli_progress_clear(int *shown);

#endif
