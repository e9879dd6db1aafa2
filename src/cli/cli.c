/* Shared helpers of the command-line front end. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "cli.h"
#include "mcuprov/devkey.h"
#include "mcuprov/fileio.h"
#include "mcuprov/passwd.h"
#include "mcuprov/provision.h"

struct cli_globals cli;

int cli_fail(const struct mcuprov_err *err)
{
	if (err->subject[0] != '\0')
		fprintf(stderr, "mcuprov: %s: '%s': %s\n", cli.cmd, err->subject, err->msg);
	else
		fprintf(stderr, "mcuprov: %s: %s\n", cli.cmd, err->msg);
	return err->code == MCUPROV_ERR_USAGE ? EXIT_USAGE : EXIT_FAIL;
}

int cli_usage(const struct cmd_entry *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mcuprov: %s: ", cmd->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: mcuprov %s\n", cmd->usage);
	return EXIT_USAGE;
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
	char *a = NULL, *b = NULL;
	int fd, rc;

	*out = NULL;
	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return err_set(err, MCUPROV_ERR_PASSWORD, NULL,
			       "no terminal to ask for the password on (give it with %s)", option);
	a = OPENSSL_zalloc(PASSWD_BUF);
	b = OPENSSL_zalloc(PASSWD_BUF);
	if (a == NULL || b == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	if (tty_read(fd, prompt, a, PASSWD_MAX + 1) < 0) {
		rc = err_set(err, MCUPROV_ERR_PASSWORD, NULL, "cannot read password");
		goto out;
	}
	if (a[0] == '\0') {
		rc = err_set(err, MCUPROV_ERR_PASSWORD, NULL, "empty password");
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

struct load_pw {
	const char *path;
	const char *passin;
	struct mcuprov_err *err; /* why no password could be had */
	bool failed;
};

/* key_passwd_cb: resolve --passin, or prompt. */
static int load_pw_cb(char *buf, size_t size, void *arg)
{
	struct load_pw *lp = arg;
	char prompt[600];
	char *pw = NULL;
	int rc;
	size_t n;

	if (lp->passin != NULL) {
		rc = passwd_from_source(lp->passin, &pw, lp->err);
	} else if (cli.batch) {
		rc = err_set(lp->err, MCUPROV_ERR_PASSWORD, NULL,
			     "key is encrypted and --batch never prompts: give --passin");
	} else {
		snprintf(prompt, sizeof(prompt), "Enter password for '%s': ", lp->path);
		rc = cli_prompt_password(prompt, false, "--passin", &pw, lp->err);
	}
	if (rc < 0) {
		lp->failed = true;
		return -1;
	}
	n = strlen(pw);
	if (n >= size) {
		passwd_free(pw);
		lp->failed = true;
		err_set(lp->err, MCUPROV_ERR_PASSWORD, NULL, "password too long");
		return -1;
	}
	memcpy(buf, pw, n + 1);
	passwd_free(pw);
	return (int)n;
}

int cli_load_key(const char *path, const char *passin, struct mcuprov_key **key)
{
	struct mcuprov_err err, pwerr;
	struct load_pw lp = { path, passin, &pwerr, false };
	int rc;

	err_clear(&err);
	err_clear(&pwerr);
	rc = key_load(path, load_pw_cb, &lp, key, &err);
	if (rc < 0) {
		/* the reason no password could be had beats "no password given" */
		if (lp.failed && pwerr.code != 0) {
			snprintf(pwerr.subject, sizeof(pwerr.subject), "%s", path);
			return cli_fail(&pwerr);
		}
		return cli_fail(&err);
	}
	if ((*key)->insecure_mode)
		cli_warn("private key '%s' is accessible by group or others (mode %04o); "
			 "run: chmod 600 '%s'",
			 path, (unsigned)((*key)->file_mode & 07777), path);
	if ((*key)->devkey != NULL) {
		if (cli.production) {
			fprintf(stderr,
				"mcuprov: %s: '%s': refusing MCUboot's published development key "
				"%s in production mode\n",
				cli.cmd, path, (*key)->devkey->name);
			key_free(*key);
			*key = NULL;
			return EXIT_FAIL;
		}
		cli_warn("'%s' is MCUboot's published development key %s: its private half is "
			 "public, anyone can sign images it accepts; never ship it",
			 path, (*key)->devkey->name);
	}
	return EXIT_OK;
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
