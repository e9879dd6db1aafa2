/* Unit tests: password sources (pass:, env:, file:, fd:, stdin). */
#include "config.h"

#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "mcuprov/passwd.h"

#define ENV_SET	   "MCUPROV_UNIT_PASSWD"
#define ENV_UNSET  "MCUPROV_UNIT_PASSWD_UNSET"
#define MSG_SOURCE "invalid password source (use pass:, env:, file:, fd: or stdin)"

/* The temporary directory of the group (set up once). */
static char tmpdir[64];

/* Write LEN bytes of DATA to a new file NAME in the temporary directory and
 * store its path in PATH. */
static void write_tmp(const char *name, const void *data, size_t len, char *path, size_t size)
{
	int fd;

	assert_true((size_t)snprintf(path, size, "%s/%s", tmpdir, name) < size);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* SRC must resolve to WANT. */
static void assert_passwd(const char *src, const char *want)
{
	struct mcuprov_err err;
	char *pw = (char *)&err; /* must be overwritten */

	char got[PASSWD_MAX + 2];
	int rc;

	/* copy and free before asserting, so that a failure leaks nothing */
	err_clear(&err);
	rc = passwd_from_source(src, &pw, &err);
	got[0] = '\0';
	if (rc == 0 && pw != NULL)
		snprintf(got, sizeof(got), "%s", pw);
	if (rc == 0)
		passwd_free(pw);
	if (rc != 0)
		print_error("# %s: %s\n", src, err.msg);
	assert_int_equal(rc, 0);
	assert_non_null(pw);
	assert_string_equal(got, want);
	assert_int_equal(err.code, 0);
}

/* SRC must fail with CODE, SUBJECT and MSG, and leave *out NULL. */
static void assert_passwd_fails(const char *src, int code, const char *subject, const char *msg)
{
	struct mcuprov_err err;
	char *pw = (char *)&err;

	err_clear(&err);
	assert_int_equal(passwd_from_source(src, &pw, &err), code);
	assert_null(pw);
	assert_int_equal(err.code, code);
	assert_string_equal(err.subject, subject);
	assert_string_equal(err.msg, msg);
	/* a NULL error record is allowed and changes nothing but the detail */
	pw = (char *)&err;
	assert_int_equal(passwd_from_source(src, &pw, NULL), code);
	assert_null(pw);
}

/* Fill S with N 'p' characters and a NUL. */
static char *repeat(char *s, size_t n)
{
	memset(s, 'p', n);
	s[n] = '\0';
	return s;
}

static int group_setup(void **state)
{
	return unit_mkdtemp(tmpdir, sizeof(tmpdir));
}

static int group_teardown(void **state)
{
	return unit_rmtree(tmpdir);
}

static void test_pass(void **state)
{
	assert_passwd("pass:secret", "secret");
	assert_passwd("pass:with space:and colon", "with space:and colon");
	/* only the first colon separates: the rest is the password */
	assert_passwd("pass:env:X", "env:X");
	assert_passwd_fails("pass:", MCUPROV_ERR_PASSWORD, "", "empty password");
}

static void test_pass_max(void **state)
{
	char pw[PASSWD_MAX + 2], src[PASSWD_MAX + 8];

	snprintf(src, sizeof(src), "pass:%s", repeat(pw, PASSWD_MAX));
	assert_int_equal(strlen(src), 5 + PASSWD_MAX);
	assert_passwd(src, pw);

	snprintf(src, sizeof(src), "pass:%s", repeat(pw, PASSWD_MAX + 1));
	assert_int_equal(strlen(src), 5 + PASSWD_MAX + 1);
	assert_passwd_fails(src, MCUPROV_ERR_PASSWORD, "", "password longer than 1024 bytes");
}

static void test_env(void **state)
{
	char pw[PASSWD_MAX + 2];

	assert_int_equal(setenv(ENV_SET, "from-env", 1), 0);
	assert_passwd("env:" ENV_SET, "from-env");
	/* the value is used as it is: no line handling */
	assert_int_equal(setenv(ENV_SET, "a b\tc", 1), 0);
	assert_passwd("env:" ENV_SET, "a b\tc");

	assert_int_equal(unsetenv(ENV_UNSET), 0);
	assert_passwd_fails("env:" ENV_UNSET, MCUPROV_ERR_PASSWORD, "",
			    "password variable '" ENV_UNSET "' is not set");
	assert_passwd_fails("env:", MCUPROV_ERR_PASSWORD, "", "password variable '' is not set");

	assert_int_equal(setenv(ENV_SET, "", 1), 0);
	assert_passwd_fails("env:" ENV_SET, MCUPROV_ERR_PASSWORD, "", "empty password");

	assert_int_equal(setenv(ENV_SET, repeat(pw, PASSWD_MAX), 1), 0);
	assert_passwd("env:" ENV_SET, pw);
	assert_int_equal(setenv(ENV_SET, repeat(pw, PASSWD_MAX + 1), 1), 0);
	assert_passwd_fails("env:" ENV_SET, MCUPROV_ERR_PASSWORD, "",
			    "password longer than 1024 bytes");
	assert_int_equal(unsetenv(ENV_SET), 0);
}

static void test_file(void **state)
{
	char path[256], src[300];

	write_tmp("lf", "first\nsecond\n", 13, path, sizeof(path));
	snprintf(src, sizeof(src), "file:%s", path);
	assert_passwd(src, "first");

	write_tmp("crlf", "dos\r\nsecond\r\n", 13, path, sizeof(path));
	snprintf(src, sizeof(src), "file:%s", path);
	assert_passwd(src, "dos");

	write_tmp("noeol", "last", 4, path, sizeof(path));
	snprintf(src, sizeof(src), "file:%s", path);
	assert_passwd(src, "last");

	/* only one trailing CR is removed, and only at the end of the line */
	write_tmp("cr", "a\rb\r\r\n", 6, path, sizeof(path));
	snprintf(src, sizeof(src), "file:%s", path);
	assert_passwd(src, "a\rb\r");

	/* leading and trailing spaces are part of the password */
	write_tmp("spaces", " sp \n", 5, path, sizeof(path));
	snprintf(src, sizeof(src), "file:%s", path);
	assert_passwd(src, " sp ");
}

static void test_file_empty(void **state)
{
	char path[256], src[300];

	write_tmp("empty", "", 0, path, sizeof(path));
	snprintf(src, sizeof(src), "file:%s", path);
	assert_passwd_fails(src, MCUPROV_ERR_PASSWORD, "", "empty password");

	write_tmp("newline", "\nsecond\n", 8, path, sizeof(path));
	snprintf(src, sizeof(src), "file:%s", path);
	assert_passwd_fails(src, MCUPROV_ERR_PASSWORD, "", "empty password");

	write_tmp("crlfonly", "\r\n", 2, path, sizeof(path));
	snprintf(src, sizeof(src), "file:%s", path);
	assert_passwd_fails(src, MCUPROV_ERR_PASSWORD, "", "empty password");
}

static void test_file_missing(void **state)
{
	char path[256], src[300];

	snprintf(path, sizeof(path), "%s/does-not-exist", tmpdir);
	snprintf(src, sizeof(src), "file:%s", path);
	assert_passwd_fails(src, MCUPROV_ERR_IO, path,
			    "cannot open password file: No such file or directory");
	assert_passwd_fails("file:", MCUPROV_ERR_IO, "",
			    "cannot open password file: No such file or directory");
	/* a directory opens but cannot be read */
	snprintf(src, sizeof(src), "file:%s", tmpdir);
	assert_passwd_fails(src, MCUPROV_ERR_IO, tmpdir, "cannot read password: Is a directory");
}

static void test_file_max(void **state)
{
	char path[256], src[300];
	char line[PASSWD_MAX + 3], pw[PASSWD_MAX + 1];

	memcpy(line, repeat(pw, PASSWD_MAX), PASSWD_MAX);
	line[PASSWD_MAX] = '\n';
	write_tmp("max", line, PASSWD_MAX + 1, path, sizeof(path));
	snprintf(src, sizeof(src), "file:%s", path);
	assert_passwd(src, pw);

	/* without a newline at the end of the file */
	write_tmp("max-noeol", line, PASSWD_MAX, path, sizeof(path));
	snprintf(src, sizeof(src), "file:%s", path);
	assert_passwd(src, pw);

	line[PASSWD_MAX] = 'p';
	line[PASSWD_MAX + 1] = '\n';
	write_tmp("max1", line, PASSWD_MAX + 2, path, sizeof(path));
	snprintf(src, sizeof(src), "file:%s", path);
	assert_passwd_fails(src, MCUPROV_ERR_PASSWORD, path, "password longer than 1024 bytes");
}

static void test_file_max_crlf(void **state)
{
	char path[256], src[300];
	char line[PASSWD_MAX + 2], pw[PASSWD_MAX + 1];

	/* a PASSWD_MAX-byte password on a CRLF line: the CR is line ending,
	 * not password, so the password is not too long */
	memcpy(line, repeat(pw, PASSWD_MAX), PASSWD_MAX);
	line[PASSWD_MAX] = '\r';
	line[PASSWD_MAX + 1] = '\n';
	write_tmp("max-crlf", line, PASSWD_MAX + 2, path, sizeof(path));
	snprintf(src, sizeof(src), "file:%s", path);
	assert_passwd(src, pw);
}

static void test_fd(void **state)
{
	int p[2];
	char src[32];
	char buf[8];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "piped\nrest", 10), 10);
	assert_int_equal(close(p[1]), 0);
	snprintf(src, sizeof(src), "fd:%d", p[0]);
	assert_passwd(src, "piped");
	/* only the first line was consumed: the rest is still in the pipe */
	assert_int_equal(read(p[0], buf, sizeof(buf)), 4);
	assert_memory_equal(buf, "rest", 4);
	/* the descriptor is the caller's: still open */
	assert_int_equal(close(p[0]), 0);

	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "crlf\r\n", 6), 6);
	assert_int_equal(close(p[1]), 0);
	snprintf(src, sizeof(src), "fd:%d", p[0]);
	assert_passwd(src, "crlf");
	assert_int_equal(close(p[0]), 0);

	/* end of input at once: empty */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(close(p[1]), 0);
	snprintf(src, sizeof(src), "fd:%d", p[0]);
	assert_passwd_fails(src, MCUPROV_ERR_PASSWORD, "", "empty password");
	assert_int_equal(close(p[0]), 0);
}

static void test_fd_closed(void **state)
{
	/* a valid number that is not an open descriptor */
	assert_int_equal(fcntl(65535, F_GETFD), -1);
	assert_passwd_fails("fd:65535", MCUPROV_ERR_IO, "fd:65535",
			    "cannot read password: Bad file descriptor");
}

static void test_fd_invalid(void **state)
{
	static const char *const bad[] = {
		"fd:", "fd:abc", "fd:3x", "fd:-1", "fd:65536", "fd:99999999999999999999", "fd: ",
	};
	char msg[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(msg, sizeof(msg), "invalid password descriptor '%s'", bad[i]);
		assert_passwd_fails(bad[i], MCUPROV_ERR_USAGE, "", msg);
	}
}

static void test_stdin(void **state)
{
	int p[2], saved = dup(STDIN_FILENO);

	assert_true(saved >= 0);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(write(p[1], "from-stdin\r\nmore\n", 17), 17);
	assert_int_equal(close(p[1]), 0);
	assert_int_equal(dup2(p[0], STDIN_FILENO), STDIN_FILENO);
	assert_int_equal(close(p[0]), 0);
	assert_passwd("stdin", "from-stdin");
	assert_passwd("stdin", "more");
	assert_passwd_fails("stdin", MCUPROV_ERR_PASSWORD, "", "empty password");
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	assert_int_equal(close(saved), 0);
}

static void test_unknown(void **state)
{
	static const char *const bad[] = {
		"", "secret", "foo:bar", "PASS:x", "pass", "env", "stdin:", "stdinx", " pass:x",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_passwd_fails(bad[i], MCUPROV_ERR_USAGE, "", MSG_SOURCE);
}

static void test_free_null(void **state)
{
	passwd_free(NULL);
}

/* the variables passwords come from, remembered for runner_run() */
static void test_withhold(void **state)
{
	struct mcuprov_err err;
	char *pw = NULL;

	passwd_withhold_reset();
	err_clear(&err);
	/* only env: names a variable; a name is matched whole, case and all */
	assert_int_equal(passwd_withhold("pass:KEY_A", &err), 0);
	assert_int_equal(passwd_withhold("file:KEY_A", &err), 0);
	assert_int_equal(passwd_withhold("env:", &err), 0);
	assert_int_equal(passwd_withhold(NULL, &err), 0);
	assert_false(passwd_withheld("KEY_A", 5));
	assert_int_equal(passwd_withhold("env:KEY_A", &err), 0);
	assert_int_equal(passwd_withhold("env:KEY_A", &err), 0);
	assert_true(passwd_withheld("KEY_A", 5));
	assert_true(passwd_withheld("KEY_A=x", 5));
	assert_false(passwd_withheld("KEY_AB", 6));
	assert_false(passwd_withheld("KEY_", 4));
	assert_false(passwd_withheld("key_a", 5));
	/* reading env:NAME remembers NAME, even when it is not set */
	assert_int_equal(unsetenv(ENV_UNSET), 0);
	assert_int_equal(passwd_from_source("env:" ENV_UNSET, &pw, &err), MCUPROV_ERR_PASSWORD);
	assert_true(passwd_withheld(ENV_UNSET, strlen(ENV_UNSET)));
	/* any password read: the variables holding exactly it */
	assert_int_equal(setenv("MCUPROV_UNIT_COPY", "same-pw", 1), 0);
	assert_int_equal(setenv("MCUPROV_UNIT_LONGER", "same-pw2", 1), 0);
	assert_int_equal(passwd_from_source("pass:same-pw", &pw, &err), 0);
	passwd_free(pw);
	assert_true(passwd_withheld("MCUPROV_UNIT_COPY", 17));
	assert_false(passwd_withheld("MCUPROV_UNIT_LONGER", 19));
	assert_int_equal(passwd_withhold_value("", &err), 0);
	assert_int_equal(passwd_withhold_value(NULL, &err), 0);
	assert_int_equal(unsetenv("MCUPROV_UNIT_COPY"), 0);
	assert_int_equal(unsetenv("MCUPROV_UNIT_LONGER"), 0);
	passwd_withhold_reset();
	assert_false(passwd_withheld("KEY_A", 5));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass),	   cmocka_unit_test(test_pass_max),
		cmocka_unit_test(test_env),	   cmocka_unit_test(test_file),
		cmocka_unit_test(test_file_empty), cmocka_unit_test(test_file_missing),
		cmocka_unit_test(test_file_max),   cmocka_unit_test(test_file_max_crlf),
		cmocka_unit_test(test_fd),	   cmocka_unit_test(test_fd_closed),
		cmocka_unit_test(test_fd_invalid), cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_unknown),	   cmocka_unit_test(test_free_null),
		cmocka_unit_test(test_withhold),
	};

	return cmocka_run_group_tests_name("passwd", tests, group_setup, group_teardown);
}
