/* Password sources: pass:, env:, file:, fd:, stdin. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "mcuprov/passwd.h"

void passwd_free(char *pw)
{
	if (pw != NULL)
		OPENSSL_clear_free(pw, PASSWD_BUF);
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
	*out = buf;
	buf = NULL;
out:
	if (buf != NULL)
		OPENSSL_clear_free(buf, PASSWD_BUF);
	return rc;
}
