/* Shared helpers of the command-line front end. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "cli.h"
#include "mcuprov/devkey.h"
#include "mcuprov/fileio.h"
#include "mcuprov/lock.h"
#include "mcuprov/passwd.h"
#include "mcuprov/pkcs11.h"
#include "mcuprov/provision.h"
#include "mcuprov/strutil.h"

struct cli_globals cli;

int cli_report(int exit_code, const char *subject, const char *fmt, ...)
{
	struct cli_reported *r = &cli.reported;
	va_list ap;

	snprintf(r->subject, sizeof(r->subject), "%s", subject != NULL ? subject : "");
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	r->exit = exit_code;
	if (r->subject[0] != '\0')
		fprintf(stderr, "mcuprov: %s: '%s': %s\n", cli.cmd, r->subject, r->msg);
	else
		fprintf(stderr, "mcuprov: %s: %s\n", cli.cmd, r->msg);
	return exit_code;
}

bool cli_parse_lock_timeout(const char *s, unsigned *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (s[0] == '\0' || *end != '\0' || errno != 0 || !(v >= 0 && v <= 3600))
		return false;
	*ms = (unsigned)(v * 1000 + 0.5);
	return true;
}

static void lock_waiting(void *arg, const char *path, long pid)
{
	(void)arg;
	if (pid > 0)
		fprintf(stderr, "mcuprov: %s: waiting for the lock on '%s' held by pid %ld\n",
			cli.cmd, path, pid);
	else
		fprintf(stderr, "mcuprov: %s: waiting for the lock on '%s' held by another mcuprov\n",
			cli.cmd, path);
}

const struct lock_opts *cli_lock_opts(void)
{
	static struct lock_opts o;

	o.timeout_ms = cli.lock_timeout_ms;
	o.waiting = lock_waiting;
	o.arg = NULL;
	return &o;
}

void cli_recovered(const char *list)
{
	if (list != NULL && list[0] != '\0')
		fprintf(stderr, "mcuprov: %s: finished a change an earlier run left half-done: %s\n",
			cli.cmd, list);
}

int cli_fail(const struct mcuprov_err *err)
{
	return cli_report(err->code == MCUPROV_ERR_USAGE ? EXIT_USAGE : EXIT_FAIL, err->subject,
			  "%s", err->msg);
}

int cli_usage(const struct cmd_entry *cmd, const char *fmt, ...)
{
	struct cli_reported *r = &cli.reported;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	r->subject[0] = '\0';
	r->exit = EXIT_USAGE;
	fprintf(stderr, "mcuprov: %s: %s\nusage: mcuprov %s\n", cmd->name, r->msg, cmd->usage);
	return EXIT_USAGE;
}

bool cli_json_wanted(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			return true;
	return false;
}

int cli_json_print(json_object *j, int rc)
{
	json_object *e = NULL;

	json_object_object_add(j, "ok", json_object_new_boolean(rc == EXIT_OK));
	if (rc != EXIT_OK) {
		e = json_object_new_object();
		json_object_object_add(e, "subject",
				       json_object_new_string(cli.reported.exit ? cli.reported.subject
										: ""));
		json_object_object_add(e, "message",
				       json_object_new_string(cli.reported.exit ? cli.reported.msg
										: "failed"));
		json_object_object_add(e, "exit", json_object_new_int(rc));
	}
	json_object_object_add(j, "error", e);
	printf("%s\n", json_object_to_json_string_ext(j, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(j);
	cli.json_printed = true;
	return rc;
}

int cli_json_fallback(const struct cmd_entry *cmd, int argc, char **argv, int rc)
{
	json_object *j;

	if (rc == EXIT_OK || cli.json_printed || strstr(cmd->usage, "--json") == NULL ||
	    !cli_json_wanted(argc, argv))
		return rc;
	j = json_object_new_object();
	json_object_object_add(j, "command", json_object_new_string(cmd->name));
	return cli_json_print(j, rc);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mcuprov: warning: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int cli_help(const struct cmd_entry *cmd)
{
	printf("usage: mcuprov %s\n\n%s\n\n%s", cmd->usage, cmd->summary, cmd->help);
	return EXIT_OK;
}

/* The option getopt_long() just stumbled on, as the user wrote it. */
static const char *bad_option(char **argv)
{
	static char shortopt[3] = "-?";

	if (optopt != 0 && optopt < 0x100) {
		shortopt[1] = (char)optopt;
		return shortopt;
	}
	return argv[optind - 1];
}

int cli_common_option(const struct cmd_entry *cmd, int opt, char **argv)
{
	switch (opt) {
	case OPT_HELP:
		return cli_help(cmd);
	case OPT_PRODUCTION:
		cli.production = true;
		return -1;
	case OPT_LOCK_TIMEOUT:
		if (!cli_parse_lock_timeout(optarg, &cli.lock_timeout_ms))
			return cli_usage(cmd, "invalid --lock-timeout '%s' (seconds, 0 to 3600)",
					 optarg);
		return -1;
	case OPT_PKCS11_MODULE: {
		struct mcuprov_err err;

		err_clear(&err);
		if (optarg[0] == '\0')
			return cli_usage(cmd, "--pkcs11-module needs the path of a module");
		if (pkcs11_set_module(optarg, &err) < 0)
			return cli_fail(&err);
		return -1;
	}
	case ':':
		return cli_usage(cmd, "option '%s' needs a value", bad_option(argv));
	default:
		return cli_usage(cmd, "unknown option '%s'", bad_option(argv));
	}
}

/* Drop the entries of LIST (*N of them) that name ARG's macro. */
static void drop_macro(const char **list, size_t *n, const char *arg)
{
	size_t len = strcspn(arg, "="), i, k = 0;

	for (i = 0; i < *n; i++)
		if (strcspn(list[i], "=") != len || strncmp(list[i], arg, len) != 0)
			list[k++] = list[i];
	*n = k;
}

int cli_define(const struct cmd_entry *cmd, struct cli_defines *d, const char *arg, bool undef)
{
	struct mcuprov_err err;

	err_clear(&err);
	if (provision_define_check(arg, undef, &err) < 0)
		return cli_usage(cmd, "%s '%s': %s", undef ? "-U" : "-D", arg, err.msg);
	drop_macro(d->defines, &d->n_defines, arg);
	drop_macro(d->undefs, &d->n_undefs, arg);
	if ((undef ? d->n_undefs : d->n_defines) == CLI_DEFINES_MAX)
		return cli_usage(cmd, "at most %d -D/-U", CLI_DEFINES_MAX);
	if (undef)
		d->undefs[d->n_undefs++] = arg;
	else
		d->defines[d->n_defines++] = arg;
	return -1;
}

/* ---- passwords ----------------------------------------------------------- */

/* Read one line from the terminal with echo off. */
static int tty_read(int fd, const char *prompt, char *buf, size_t size)
{
	struct termios old, noecho;
	size_t used = 0;
	bool restore = false;
	char c;
	int rc = 0;

	if (write(fd, prompt, strlen(prompt)) < 0)
		return -1;
	if (tcgetattr(fd, &old) == 0) {
		noecho = old;
		noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
		noecho.c_lflag |= ICANON;
		restore = tcsetattr(fd, TCSAFLUSH, &noecho) == 0;
	}
	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		if (c == '\n' || c == '\r')
			break;
		if (used + 1 >= size) {
			rc = -1;
			break;
		}
		buf[used++] = c;
	}
	buf[used] = '\0';
	if (restore)
		(void)tcsetattr(fd, TCSAFLUSH, &old);
	if (write(fd, "\n", 1) < 0)
		rc = -1;
	return rc;
}

int cli_prompt_password(const char *prompt, bool verify, const char *option, char **out,
			struct mcuprov_err *err)
{
	return cli_prompt_secret(prompt, verify, option, "password", out, err);
}

int cli_prompt_secret(const char *prompt, bool verify, const char *option, const char *what,
		      char **out, struct mcuprov_err *err)
{
	char *a = NULL, *b = NULL;
	int fd, rc;

	*out = NULL;
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return err_set(err, MCUPROV_ERR_PASSWORD, NULL,
			       "no terminal to ask for the %s on (give it with %s)", what, option);
	a = OPENSSL_zalloc(PASSWD_BUF);
	b = OPENSSL_zalloc(PASSWD_BUF);
	if (a == NULL || b == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	if (tty_read(fd, prompt, a, PASSWD_MAX + 1) < 0) {
		rc = err_set(err, MCUPROV_ERR_PASSWORD, NULL, "cannot read %s", what);
		goto out;
	}
	if (a[0] == '\0') {
		rc = err_set(err, MCUPROV_ERR_PASSWORD, NULL, "empty %s", what);
		goto out;
	}
	if (verify) {
		if (tty_read(fd, "Repeat password: ", b, PASSWD_MAX + 1) < 0) {
			rc = err_set(err, MCUPROV_ERR_PASSWORD, NULL, "cannot read password");
			goto out;
		}
		if (strcmp(a, b) != 0) {
			rc = err_set(err, MCUPROV_ERR_PASSWORD, NULL, "passwords do not match");
			goto out;
		}
	}
	*out = a;
	a = NULL;
	rc = 0;
out:
	passwd_free(a);
	passwd_free(b);
	close(fd);
	return rc;
}

int cli_passin_add(const struct cmd_entry *cmd, struct cli_passin *pi, const char *arg)
{
	if (pi->n == CLI_PASSIN_MAX)
		return cli_usage(cmd, "at most %d --passin", CLI_PASSIN_MAX);
	pi->v[pi->n].arg = arg;
	pi->v[pi->n].key = NULL;
	pi->v[pi->n].src = arg;
	pi->v[pi->n].pw = NULL;
	pi->n++;
	return -1;
}

/* Does KEYFILE (LEN bytes) name the key NAME whose file is FILE: the same
 * words, or the same file? */
static bool names_key(const char *keyfile, size_t len, const char *name, const char *file)
{
	char kf[PATH_MAX], a[PATH_MAX], b[PATH_MAX];

	if (name != NULL && strlen(name) == len && memcmp(name, keyfile, len) == 0)
		return true;
	if (file == NULL || len == 0 || len >= sizeof(kf))
		return false;
	memcpy(kf, keyfile, len);
	kf[len] = '\0';
	return realpath(kf, a) != NULL && realpath(file, b) != NULL && strcmp(a, b) == 0;
}

int cli_passin_bind(struct cli_passin *pi, const char *const *names, const char *const *files,
		    size_t n)
{
	char list[MCUPROV_ERR_MSG_MAX / 2], kf[MCUPROV_ERR_SUBJECT_MAX];
	size_t j, i, o = 0;

	for (j = 0; j < pi->n; j++) {
		const char *arg = pi->v[j].arg, *eq = strchr(arg, '=');
		size_t len = eq != NULL ? (size_t)(eq - arg) : 0;

		pi->v[j].key = NULL;
		pi->v[j].src = arg;
		if (eq == NULL)
			continue;
		/* KEY=SRC splits at the '=' after a key's name: a PKCS#11
		 * URI has '=' of its own ('pkcs11:token=a;object=b=pass:PIN') */
		for (i = n; eq != NULL; eq = strchr(eq + 1, '=')) {
			len = (size_t)(eq - arg);
			for (i = 0; i < n; i++)
				if ((names[i] != NULL || files[i] != NULL) &&
				    names_key(arg, len, names[i], files[i]))
					break;
			if (i < n)
				break;
		}
		if (i < n) {
			pi->v[j].key = arg;
			pi->v[j].key_len = len;
			pi->v[j].src = eq + 1;
			continue;
		}
		if (passwd_source_kind(arg) != PASSWD_NONE)
			continue;
		/* the key it meant ends at the first '=' a source follows (a
		 * URI has '=' of its own), else at the first '=' */
		for (eq = strchr(arg, '='); eq != NULL; eq = strchr(eq + 1, '='))
			if (passwd_source_kind(eq + 1) != PASSWD_NONE)
				break;
		if (eq == NULL)
			eq = strchr(arg, '=');
		len = (size_t)(eq - arg);
		/* never the part after '=': it may be a password */
		list[0] = '\0';
		for (i = 0; i < n; i++)
			if (names[i] != NULL || files[i] != NULL)
				str_appendf(list, sizeof(list), &o, "%s%s", o ? ", " : "",
					    names[i] != NULL ? names[i] : files[i]);
		snprintf(kf, sizeof(kf), "%.*s", (int)len, arg);
		return cli_report(EXIT_USAGE, kf, "--passin names no key that %s loads (keys: %s)",
				  cli.cmd, list);
	}
	/* every env: source given, read or not, is kept from the steps */
	for (j = 0; j < pi->n; j++) {
		struct mcuprov_err err;

		err_clear(&err);
		if (passwd_withhold(pi->v[j].src, &err) < 0)
			return cli_fail(&err);
	}
	return EXIT_OK;
}

void cli_passin_free(struct cli_passin *pi)
{
	size_t j;

	for (j = 0; j < pi->n; j++) {
		passwd_free(pi->v[j].pw);
		pi->v[j].pw = NULL;
	}
}

int cli_key_pw_cb(char *buf, size_t size, void *arg)
{
	struct cli_key_pw *lp = arg;
	struct cli_passin *pi = lp->pi;
	char prompt[600];
	char *pw = NULL;
	const char *use;
	int rc = 0, per = -1, plain = -1;
	bool token = pkcs11_is_uri(lp->file);
	char *shown = token ? pkcs11_uri_redact(lp->name) : NULL;
	size_t j, n;

	if (!token)
		shown = (char *)lp->name;
	else if (shown == NULL)
		return -1;

	for (j = 0; pi != NULL && j < pi->n; j++)
		if (pi->v[j].key == NULL)
			plain = (int)j;
		else if (names_key(pi->v[j].key, pi->v[j].key_len, lp->name, lp->file))
			per = (int)j;
	if (per >= 0 || plain >= 0) {
		j = (size_t)(per >= 0 ? per : plain);
		if (pi->v[j].pw == NULL)
			rc = passwd_from_source(pi->v[j].src, &pi->v[j].pw, lp->err);
		use = pi->v[j].pw;
	} else if (lp->file_src != NULL) {
		rc = passwd_from_source(lp->file_src, &pw, lp->err);
		use = pw;
	} else if (cli.batch) {
		rc = err_set(lp->err, MCUPROV_ERR_PASSWORD, NULL,
			     token ? "the token needs its PIN and --batch never prompts: give --passin"
				   : "key is encrypted and --batch never prompts: give --passin");
		use = NULL;
	} else {
		snprintf(prompt, sizeof(prompt), token ? "Enter token PIN for '%s': "
						       : "Enter password for '%s': ",
			 shown);
		rc = cli_prompt_secret(prompt, false, "--passin", token ? "PIN" : "password", &pw,
				       lp->err);
		/* a variable that holds what was typed reaches no step either */
		if (rc == 0)
			rc = passwd_withhold_value(pw, lp->err);
		use = pw;
	}
	if (token)
		free(shown);
	if (rc < 0) {
		lp->failed = true;
		return -1;
	}
	n = strlen(use);
	if (n >= size) {
		passwd_free(pw);
		lp->failed = true;
		err_set(lp->err, MCUPROV_ERR_PASSWORD, NULL, "password too long");
		return -1;
	}
	memcpy(buf, use, n + 1);
	passwd_free(pw);
	return (int)n;
}

int cli_key_fail(const struct cli_key_pw *lp, struct mcuprov_err *err)
{
	/* the reason no password could be had beats "no password given";
	 * either way the key is named as the user wrote it (a PIN in a URI
	 * left out) */
	struct mcuprov_err *e = lp->failed && lp->err->code != 0 ? lp->err : err;
	char *shown = pkcs11_is_uri(lp->name) ? pkcs11_uri_redact(lp->name) : NULL;

	snprintf(e->subject, sizeof(e->subject), "%s", shown != NULL ? shown : lp->name);
	free(shown);
	return cli_fail(e);
}

int cli_load_key_as(struct cli_passin *pi, const char *file, const char *name,
		    const char *file_src, struct mcuprov_key **key)
{
	struct mcuprov_err err, pwerr;
	struct cli_key_pw lp = { pi, file, name, file_src, &pwerr, false };
	int rc;

	err_clear(&err);
	err_clear(&pwerr);
	rc = key_load_ex(file, cli.key_load_flags, cli_key_pw_cb, &lp, key, &err);
	if (rc < 0)
		return cli_key_fail(&lp, &err);
	if ((*key)->insecure_mode)
		cli_warn("private key '%s' is accessible by group or others (mode %04o); "
			 "run: chmod 600 '%s'",
			 name, (unsigned)((*key)->file_mode & 07777), name);
	if ((*key)->devkey != NULL) {
		if (cli.production) {
			cli_report(EXIT_FAIL, name,
				   "refusing MCUboot's published development key %s in production "
				   "mode",
				   (*key)->devkey->name);
			key_free(*key);
			*key = NULL;
			return EXIT_FAIL;
		}
		cli_warn("'%s' is MCUboot's published development key %s: its private half is "
			 "public, anyone can sign images it accepts; never ship it",
			 name, (*key)->devkey->name);
	}
	return EXIT_OK;
}

int cli_load_key(const char *path, const char *passin, struct mcuprov_key **key)
{
	struct cli_passin pi;
	int rc;

	memset(&pi, 0, sizeof(pi));
	if (passin != NULL) {
		pi.v[0].arg = passin;
		pi.v[0].src = passin;
		pi.n = 1;
	}
	rc = cli_passin_bind(&pi, &path, &path, 1);
	if (rc == EXIT_OK)
		rc = cli_load_key_as(&pi, path, path, NULL, key);
	cli_passin_free(&pi);
	return rc;
}

int cli_output(const char *out_path, const void *data, size_t len)
{
	struct mcuprov_err err;

	if (out_path == NULL || strcmp(out_path, "-") == 0) {
		if (len > 0 && fwrite(data, 1, len, stdout) != len) {
			fprintf(stderr, "mcuprov: %s: write error on standard output: %s\n", cli.cmd,
				strerror(errno));
			return EXIT_FAIL;
		}
		return EXIT_OK;
	}
	err_clear(&err);
	if (file_write_atomic(out_path, data, len, FILE_WRITE_FORCE, &err) < 0)
		return cli_fail(&err);
	return EXIT_OK;
}

void cli_progress(int *shown, const char *what, int percent)
{
	if (!isatty(STDERR_FILENO))
		return;
	fprintf(stderr, "\r      %s: %3d%%", what, percent);
	*shown = 1;
}

void cli_progress_clear(int *shown)
{
	if (*shown) {
		fprintf(stderr, "\r%*s\r", 40, "");
		*shown = 0;
	}
}
