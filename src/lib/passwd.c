/* Password sources: pass:, env:, file:, fd:, stdin. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "mcuprov/passwd.h"

extern char **environ;

void passwd_free(char *pw)
{
	if (pw != NULL)
		OPENSSL_clear_free(pw, PASSWD_BUF);
}

/* ---- the names passwd_withhold() remembered: a process-wide set under
 * withheld_mu (a runner in another thread, the wizard's, may be reading it) */
static pthread_mutex_t withheld_mu = PTHREAD_MUTEX_INITIALIZER;
static char **withheld;
static size_t n_withheld, cap_withheld;

static bool withheld_locked(const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < n_withheld; i++)
		if (strlen(withheld[i]) == n && memcmp(withheld[i], name, n) == 0)
			return true;
	return false;
}

/* Remember NAME[0..N). */
static int withhold_name(const char *name, size_t n, struct mcuprov_err *err)
{
	int rc = 0;

	pthread_mutex_lock(&withheld_mu);
	if (!withheld_locked(name, n)) {
		char *copy = strndup(name, n);

		if (copy != NULL && n_withheld == cap_withheld) {
			size_t cap = cap_withheld ? 2 * cap_withheld : 8;
			char **v = realloc(withheld, cap * sizeof(*v));

			if (v == NULL) {
				free(copy);
				copy = NULL;
			} else {
				withheld = v;
				cap_withheld = cap;
			}
		}
		if (copy == NULL)
			rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		else
			withheld[n_withheld++] = copy;
	}
	pthread_mutex_unlock(&withheld_mu);
	return rc;
}

int passwd_withhold(const char *src, struct mcuprov_err *err)
{
	if (src == NULL || passwd_source_kind(src) != PASSWD_ENV || src[4] == '\0')
		return 0;
	return withhold_name(src + 4, strlen(src + 4), err);
}

int passwd_withhold_value(const char *pw, struct mcuprov_err *err)
{
	size_t i;
	int rc;

	if (pw == NULL || pw[0] == '\0')
		return 0;
	for (i = 0; environ != NULL && environ[i] != NULL; i++) {
		const char *e = environ[i], *eq = strchr(e, '=');

		if (eq != NULL && eq != e && strcmp(eq + 1, pw) == 0 &&
		    (rc = withhold_name(e, (size_t)(eq - e), err)) < 0)
			return rc;
	}
	return 0;
}

bool passwd_withheld(const char *name, size_t n)
{
	bool found;

	pthread_mutex_lock(&withheld_mu);
	found = withheld_locked(name, n);
	pthread_mutex_unlock(&withheld_mu);
	return found;
}

void passwd_withhold_reset(void)
{
	size_t i;

	pthread_mutex_lock(&withheld_mu);
	for (i = 0; i < n_withheld; i++)
		free(withheld[i]);
	free(withheld);
	withheld = NULL;
	n_withheld = cap_withheld = 0;
	pthread_mutex_unlock(&withheld_mu);
}

/* Read the first line from FD into BUF (PASSWD_BUF bytes): at most
 * PASSWD_MAX bytes of password, then "\n", "\r\n" or the end of input. */
static int read_line_fd(int fd, char *buf, const char *what, struct mcuprov_err *err)
{
	size_t used = 0;
	char c;

	for (;;) {
		ssize_t n = read(fd, &c, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set(err, MCUPROV_ERR_IO, what, "cannot read password: %s",
				       strerror(errno));
		if (n == 0 || c == '\n')
			break;
		if (c == '\0')
			return err_set(err, MCUPROV_ERR_PASSWORD, what, "password contains a NUL byte");
		/* one byte more than the limit is allowed: the '\r' of "\r\n" */
		if (used == PASSWD_MAX + 1 || (used == PASSWD_MAX && c != '\r'))
			return err_set(err, MCUPROV_ERR_PASSWORD, what,
				       "password longer than %d bytes", PASSWD_MAX);
		buf[used++] = c;
	}
	if (used > 0 && buf[used - 1] == '\r')
		used--;
	if (used > PASSWD_MAX)
		return err_set(err, MCUPROV_ERR_PASSWORD, what, "password longer than %d bytes",
			       PASSWD_MAX);
	buf[used] = '\0';
	return 0;
}

enum passwd_kind passwd_source_kind(const char *src)
{
	if (strncmp(src, "pass:", 5) == 0)
		return PASSWD_PASS;
	if (strncmp(src, "env:", 4) == 0)
		return PASSWD_ENV;
	if (strncmp(src, "file:", 5) == 0)
		return PASSWD_FILE;
	if (strncmp(src, "fd:", 3) == 0)
		return PASSWD_FD;
	if (strcmp(src, "stdin") == 0)
		return PASSWD_STDIN;
	return PASSWD_NONE;
}

int passwd_from_source(const char *src, char **out, struct mcuprov_err *err)
{
	enum passwd_kind kind = passwd_source_kind(src);
	char *buf = NULL;
	int rc = 0;

	*out = NULL;
	buf = OPENSSL_zalloc(PASSWD_BUF);
	if (buf == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");

	if (kind == PASSWD_PASS) {
		if (strlen(src + 5) > PASSWD_MAX) {
			rc = err_set(err, MCUPROV_ERR_PASSWORD, NULL, "password longer than %d bytes",
				     PASSWD_MAX);
			goto out;
		}
		strcpy(buf, src + 5);
	} else if (kind == PASSWD_ENV) {
		const char *v = getenv(src + 4);

		/* from now on no child sees it, whatever happens here */
		if ((rc = passwd_withhold(src, err)) < 0)
			goto out;
		if (src[4] == '\0' || v == NULL) {
			rc = err_set(err, MCUPROV_ERR_PASSWORD, NULL,
				     "password variable '%s' is not set", src + 4);
			goto out;
		}
		if (strlen(v) > PASSWD_MAX) {
			rc = err_set(err, MCUPROV_ERR_PASSWORD, NULL, "password longer than %d bytes",
				     PASSWD_MAX);
			goto out;
		}
		strcpy(buf, v);
	} else if (kind == PASSWD_FILE) {
		int fd = open(src + 5, O_RDONLY | O_CLOEXEC | O_NOCTTY);

		if (fd < 0) {
			rc = err_set(err, MCUPROV_ERR_IO, src + 5, "cannot open password file: %s",
				     strerror(errno));
			goto out;
		}
		rc = read_line_fd(fd, buf, src + 5, err);
		close(fd);
		if (rc < 0)
			goto out;
	} else if (kind == PASSWD_FD) {
		char *end;
		long fd;

		errno = 0;
		fd = strtol(src + 3, &end, 10);
		if (src[3] == '\0' || *end != '\0' || errno != 0 || fd < 0 || fd > 65535) {
			rc = err_set(err, MCUPROV_ERR_USAGE, NULL, "invalid password descriptor '%s'",
				     src);
			goto out;
		}
		rc = read_line_fd((int)fd, buf, src, err);
		if (rc < 0)
			goto out;
	} else if (kind == PASSWD_STDIN) {
		rc = read_line_fd(STDIN_FILENO, buf, "stdin", err);
		if (rc < 0)
			goto out;
	} else {
		rc = err_set(err, MCUPROV_ERR_USAGE, NULL,
			     "invalid password source (use pass:, env:, file:, fd: or stdin)");
		goto out;
	}
	if (buf[0] == '\0') {
		rc = err_set(err, MCUPROV_ERR_PASSWORD, NULL, "empty password");
		goto out;
	}
	if ((rc = passwd_withhold_value(buf, err)) < 0)
		goto out;
	*out = buf;
	buf = NULL;
out:
	if (buf != NULL)
		OPENSSL_clear_free(buf, PASSWD_BUF);
	return rc;
}
