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
#include "mcuprov/lock.h"
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

/* The error a command reported last (cli_report(), cli_fail(),
 * cli_usage() record it): what --json prints as "error". */
struct cli_reported {
	int exit; /* the exit code it returns; 0: nothing reported */
	char subject[MCUPROV_ERR_SUBJECT_MAX]; /* "" when none */
	char msg[MCUPROV_ERR_MSG_MAX + 256];
};

/* Global state set by main() from global options and the environment. */
struct cli_globals {
	const char *cmd;  /* running command's name, for messages */
	bool production;  /* --production or MCUPROV_PRODUCTION=1 */
	bool batch;       /* --batch: never prompt; a missing answer is an error */
	struct cli_reported reported;
	bool json_printed; /* cli_json_print() printed the command's object */
	/* --lock-timeout SECONDS, MCUPROV_LOCK_TIMEOUT: the longest wait for
	 * another mcuprov changing the same project (ms) */
	unsigned lock_timeout_ms;
	/* key_load_ex() flags of the keys cli_load_key*() load: a command
	 * that needs only public halves sets KEY_LOAD_PUBLIC before loading,
	 * so that a token key is read without its PIN */
	unsigned key_load_flags;
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
	OPT_LOCK_TIMEOUT,
	OPT_PKCS11_MODULE,
	OPT_FIRST_FREE, /* a command's own options start here */
};

#define CLI_COMMON_LONGOPTS \
	{ "help", no_argument, NULL, OPT_HELP }, \
	{ "production", no_argument, NULL, OPT_PRODUCTION }, \
	{ "lock-timeout", required_argument, NULL, OPT_LOCK_TIMEOUT }, \
	{ "pkcs11-module", required_argument, NULL, OPT_PKCS11_MODULE }

/* The lock options of a command that changes project files: the wait of
 * --lock-timeout, a busy lock announced once on stderr ("mcuprov: CMD:
 * waiting for the lock on 'mcuprov.yaml' held by pid N"). */
const struct lock_opts *cli_lock_opts(void);

/* Say on stderr which files an interrupted earlier change left to finish
 * (lock_project()'s RECOVERED), when any. */
void cli_recovered(const char *list);

/* Parse SECONDS of --lock-timeout / MCUPROV_LOCK_TIMEOUT (0 to 3600,
 * decimals allowed) into *MS; false when it is not such a number. */
bool cli_parse_lock_timeout(const char *s, unsigned *ms);

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

/* Report an error once on stderr:
 *   mcuprov: <cmd>: '<subject>': <message>    (SUBJECT NULL or "": without it)
 * record it in cli.reported (for --json) and return EXIT_CODE. */
int cli_report(int exit_code, const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Report a core error once (cli_report()) and return EXIT_USAGE for
 * MCUPROV_ERR_USAGE, EXIT_FAIL otherwise. */
int cli_fail(const struct mcuprov_err *err);

/* Print "mcuprov: <cmd>: <message>" and the command's usage line to stderr,
 * record the message (cli.reported); returns EXIT_USAGE. */
int cli_usage(const struct cmd_entry *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- --json: one JSON object on stdout, success or failure --------------- */

struct json_object;

/* Is "--json" one of ARGV's words before a "--"?  Read before the options
 * are parsed, so that even a usage error is reported as JSON. */
bool cli_json_wanted(int argc, char **argv);

/* After command CMD returned RC: when its synopsis offers --json, ARGV
 * (ARGC words) asks for it and the command printed no JSON object (it
 * stopped before it could: a usage error, a key that does not load), print
 * {"command": NAME, "ok": false, "error": {...}} with cli_json_print().
 * Returns RC.  main() calls it for every command. */
int cli_json_fallback(const struct cmd_entry *cmd, int argc, char **argv, int rc);

/* Print J (consumed) as the command's one JSON object on stdout, after
 * adding "ok" (RC == EXIT_OK) and "error": null, or when RC is not 0
 * {"subject": ..., "message": ..., "exit": RC} from cli.reported.
 * Returns RC. */
int cli_json_print(struct json_object *j, int rc);

/* Print "mcuprov: warning: <message>" to stderr. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print the full help of CMD to stdout; returns EXIT_OK. */
int cli_help(const struct cmd_entry *cmd);

/* ---- passwords of keys: --passin SRC and --passin KEYFILE=SRC ------------ */

#define CLI_PASSIN_MAX 32

/* A command's --passin options.  Each is either SRC, for every key, or
 * KEYFILE=SRC, for one key: KEYFILE=SRC when the part before its first '='
 * names one of the keys the command loads (as written in mcuprov.yaml or
 * on the command line, or the same file); otherwise the whole argument is
 * a plain source.  An argument with '=' that names no key and is no source
 * (pass:, env:, file:, fd:, stdin) is a usage error.  Each source is read
 * at most once (stdin and fd: give one line), its password wiped by
 * cli_passin_free(). */
struct cli_passin {
	struct {
		const char *arg;   /* as given */
		const char *key;   /* KEYFILE (key_len bytes of arg), or NULL: every key */
		size_t key_len;
		const char *src;   /* the source */
		char *pw;          /* once read, or NULL */
	} v[CLI_PASSIN_MAX];
	size_t n;
};

/* Add --passin ARG to PI (zeroed before the first).  Returns -1 when
 * parsing goes on, else EXIT_USAGE after the usage message ("at most 32
 * --passin"). */
int cli_passin_add(const struct cmd_entry *cmd, struct cli_passin *pi, const char *arg);

/* Tell PI's KEYFILE=SRC from plain sources, once the keys the command
 * loads are known: NAMES as the user wrote them, FILES where they are
 * (relative to the working directory or absolute), N of each; NULL
 * entries are skipped.  Every env:NAME source is passwd_withhold()en: no
 * step the command runs sees NAME.  Returns EXIT_OK, or EXIT_USAGE after
 * reporting "mcuprov: CMD: 'KEYFILE': --passin names no key that CMD loads
 * (keys: a.pem, b.pem)". */
int cli_passin_bind(struct cli_passin *pi, const char *const *names, const char *const *files,
		    size_t n);

/* Wipe and free the passwords PI read.  Safe on a zeroed PI. */
void cli_passin_free(struct cli_passin *pi);

/* Load the key in FILE, named NAME (as the user wrote it: messages, and
 * PI's KEYFILE=SRC match it), for the running command.  An encrypted key
 * takes its password from, in this order: PI's KEYFILE=SRC for it, PI's
 * plain SRC (the last of each), FILE_SRC (mcuprov.yaml's keys[].passin, or
 * NULL), else a prompt on the terminal without echo (never under --batch).
 * PI may be NULL (none given).  Prints the insecure-mode and development-key
 * warnings and refuses a development key in production mode.  On failure
 * the error is already reported, subject NAME ("'keys/b.pem': wrong
 * password (or damaged key)"), and the return value is the exit code. */
int cli_load_key_as(struct cli_passin *pi, const char *file, const char *name,
		    const char *file_src, struct mcuprov_key **key);

/* The password (or token PIN) of key NAME (file or URI FILE) for a core
 * call that takes a key_passwd_cb: cli_key_pw_cb() with a struct
 * cli_key_pw takes the key's KEYFILE=SRC in PI, the plain --passin, its
 * mcuprov.yaml source FILE_SRC, or asks on the terminal (never under
 * --batch); ERR gets why none could be had.  cli_key_fail() reports a
 * failed call once (that reason first, the key named as NAME, any PIN in
 * a URI left out) and returns the exit code. */
struct cli_key_pw {
	struct cli_passin *pi;
	const char *file, *name, *file_src;
	struct mcuprov_err *err; /* why no password could be had */
	bool failed;
};
int cli_key_pw_cb(char *buf, size_t size, void *arg);
int cli_key_fail(const struct cli_key_pw *lp, struct mcuprov_err *err);

/* cli_load_key_as() for a command that loads one key, PATH, with the one
 * --passin PASSIN (plain or PATH=SRC; NULL: none). */
int cli_load_key(const char *path, const char *passin, struct mcuprov_key **key);

/* Ask for a password on the terminal without echo (twice when VERIFY).
 * OPTION names the option that gives the password without a terminal
 * ("--passin"), for the error when there is none.
 * Returns 0 and a secret to release with passwd_free(), or fills ERR. */
int cli_prompt_password(const char *prompt, bool verify, const char *option, char **out,
			struct mcuprov_err *err);

/* cli_prompt_password() for a secret called WHAT in its messages ("PIN"):
 * "no terminal to ask for the PIN on (give it with --passin)". */
int cli_prompt_secret(const char *prompt, bool verify, const char *option, const char *what,
		      char **out, struct mcuprov_err *err);

/* Write DATA to OUT_PATH atomically (replacing it, as imgtool does), or to
 * stdout when OUT_PATH is NULL or "-".  Returns an exit code, error reported. */
int cli_output(const char *out_path, const void *data, size_t len);

/* Long steps: "WHAT: NN%" rewritten in place on stderr when it is a
 * terminal; *SHOWN remembers that a line is there to clear. */
void cli_progress(int *shown, const char *what, int percent);

/* Erase a progress line left by cli_progress(), if any. */
void cli_progress_clear(int *shown);

#endif
