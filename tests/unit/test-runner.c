/* Unit tests: running external tools.  The tests run /bin/sh scripts as
 * the child program (their choice; the runner itself never uses a shell). */
#include "config.h"

#include "unit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "mcuprov/passwd.h"
#include "mcuprov/runner.h"

#define MAX_LINES 64

struct capture {
	int n;
	char *line[MAX_LINES];
	int is_stderr[MAX_LINES];
	int nprog;
	int percent[MAX_LINES];
	volatile sig_atomic_t *cancel;
	const char *cancel_on; /* set *cancel when this line comes */
};

static void on_line(void *arg, int is_stderr, const char *line)
{
	struct capture *c = arg;

	if (c->cancel_on != NULL && strcmp(line, c->cancel_on) == 0)
		*c->cancel = 1;
	if (c->n == MAX_LINES)
		return;
	c->line[c->n] = strdup(line);
	assert_non_null(c->line[c->n]);
	c->is_stderr[c->n++] = is_stderr;
}

static void on_progress(void *arg, int percent, const char *line)
{
	struct capture *c = arg;

	if (c->nprog < MAX_LINES)
		c->percent[c->nprog++] = percent;
}

static void capture_free(struct capture *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		free(c->line[i]);
	memset(c, 0, sizeof(*c));
}

/* Lines of one stream, in order, joined by '|'. */
static char *stream_text(const struct capture *c, int is_stderr)
{
	static char buf[4096];
	size_t len = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; i < c->n; i++) {
		if (c->is_stderr[i] != is_stderr)
			continue;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? "|" : "",
					c->line[i]);
		assert_true(len < sizeof(buf));
	}
	return buf;
}

static bool has_line(const struct capture *c, const char *line)
{
	int i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->line[i], line) == 0)
			return true;
	return false;
}

/* Run ARGV capturing lines; returns runner_run()'s result. */
static int run(const char *const *argv, struct capture *c, struct runner_result *res,
	       struct mcuprov_err *err)
{
	struct runner_opts o = { .argv = argv, .on_line = on_line, .on_progress = on_progress,
				 .arg = c };

	err_clear(err);
	return runner_run(&o, res, err);
}

/* Run `sh -c SCRIPT`. */
static int sh(const char *script, struct capture *c, struct runner_result *res)
{
	const char *argv[] = { "sh", "-c", script, NULL };
	struct mcuprov_err err;
	int rc = run(argv, c, res, &err);

	if (rc != 0)
		fail_msg("%s", err.msg);
	return rc;
}

static void test_exit_codes(void **state)
{
	static const struct {
		const char *script;
		int code;
	} cases[] = { { "exit 0", 0 }, { "exit 3", 3 }, { "exit 255", 255 }, { "true", 0 } };
	struct capture c = { 0 };
	struct runner_result res;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(sh(cases[i].script, &c, &res), 0);
		assert_int_equal(res.exit_code, cases[i].code);
		assert_int_equal(res.term_signal, 0);
		assert_false(res.timed_out);
		assert_false(res.cancelled);
		assert_true(res.seconds >= 0.0 && res.seconds < 5.0);
		assert_int_equal(c.n, 0);
	}
}

static void test_signalled(void **state)
{
	struct capture c = { 0 };
	struct runner_result res;

	assert_int_equal(sh("kill -SEGV $$", &c, &res), 0);
	assert_int_equal(res.exit_code, -1);
	assert_int_equal(res.term_signal, SIGSEGV);
	assert_int_equal(sh("kill -KILL $$", &c, &res), 0);
	assert_int_equal(res.exit_code, -1);
	assert_int_equal(res.term_signal, SIGKILL);
	assert_false(res.timed_out);
}

static void test_streams(void **state)
{
	struct capture c = { 0 };
	struct runner_result res;
	int i, out = 0, err = 0;

	assert_int_equal(sh("echo o1; echo e1 >&2; echo o2; echo e2 >&2; echo; echo o4; "
			    "echo e3 >&2",
			    &c, &res),
			 0);
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(c.n, 7);
	assert_string_equal(stream_text(&c, 0), "o1|o2||o4");
	assert_string_equal(stream_text(&c, 1), "e1|e2|e3");
	for (i = 0; i < c.n; i++) {
		out += !c.is_stderr[i];
		err += c.is_stderr[i];
		assert_int_equal(c.is_stderr[i], c.line[i][0] == 'e');
	}
	assert_int_equal(out, 4);
	assert_int_equal(err, 3);
	capture_free(&c);
}

static void test_unterminated(void **state)
{
	struct capture c = { 0 };
	struct runner_result res;

	assert_int_equal(sh("printf 'a\\nb'; printf 'x\\ny' >&2", &c, &res), 0);
	assert_string_equal(stream_text(&c, 0), "a|b");
	assert_string_equal(stream_text(&c, 1), "x|y");
	capture_free(&c);
	/* "\r" ends a line that has text; "\r\n" is one line end */
	assert_int_equal(sh("printf '\\r10%%\\r20%%\\r\\nc\\r\\n\\r\\nd'", &c, &res), 0);
	assert_string_equal(stream_text(&c, 0), "10%|20%|c||d");
	assert_int_equal(c.nprog, 2);
	assert_int_equal(c.percent[0], 10);
	assert_int_equal(c.percent[1], 20);
	capture_free(&c);
}

static void test_long_line(void **state)
{
	struct capture c = { 0 };
	struct runner_result res;
	int i;

	/* 10 KiB then a newline: 4096 + 4096 + 2048 */
	assert_int_equal(sh("head -c 10240 /dev/zero | tr '\\0' x; echo; echo end", &c, &res), 0);
	assert_int_equal(c.n, 4);
	assert_int_equal(strlen(c.line[0]), 4096);
	assert_int_equal(strlen(c.line[1]), 4096);
	assert_int_equal(strlen(c.line[2]), 2048);
	for (i = 0; i < 3; i++)
		assert_int_equal(strspn(c.line[i], "x"), strlen(c.line[i]));
	assert_string_equal(c.line[3], "end");
	capture_free(&c);
	/* exactly 4096 bytes and a newline: one line, no empty one after */
	assert_int_equal(sh("head -c 4096 /dev/zero | tr '\\0' y; echo; echo end", &c, &res), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(strlen(c.line[0]), 4096);
	assert_string_equal(c.line[1], "end");
	capture_free(&c);
	/* 8192 bytes unterminated: two pieces */
	assert_int_equal(sh("head -c 8192 /dev/zero | tr '\\0' z", &c, &res), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(strlen(c.line[1]), 4096);
	capture_free(&c);
}

static char *slurp(const char *path)
{
	static char buf[8192];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void test_log(void **state)
{
	const char *argv[] = { "sh", "-c",
			       "echo one; sleep 0.1; echo two >&2; sleep 0.1; "
			       "printf 'three\\r\\n'; sleep 0.1; printf four >&2",
			       NULL };
	struct runner_opts o = { .argv = argv };
	struct runner_result res;
	struct mcuprov_err err;
	char dir[64], path[128];
	FILE *f;

	assert_int_equal(unit_mkdtemp(dir, sizeof(dir)), 0);
	snprintf(path, sizeof(path), "%s/run.log", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("earlier\n", f);
	fclose(f);
	o.log_path = path;
	assert_int_equal(runner_run(&o, &res, &err), 0);
	assert_int_equal(res.exit_code, 0);
	assert_string_equal(slurp(path), "earlier\nout: one\nerr: two\nout: three\nerr: four\n");

	/* a log that cannot be opened: nothing runs */
	snprintf(path, sizeof(path), "%s/missing/run.log", dir);
	assert_int_equal(runner_run(&o, &res, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.subject, path);
	assert_string_equal(err.msg, "cannot open: No such file or directory");
	assert_int_equal(res.exit_code, -1);
	assert_int_equal(unit_rmtree(dir), 0);
}

static void test_timeout(void **state)
{
	const char *sleep_argv[] = { "sleep", "30", NULL };
	const char *trap_argv[] = { "sh", "-c", "trap '' INT; echo ready; sleep 30", NULL };
	struct capture c = { 0 };
	struct runner_opts o = { .argv = sleep_argv, .timeout_ms = 300, .on_line = on_line,
				 .arg = &c };
	struct runner_result res;
	struct mcuprov_err err;

	assert_int_equal(runner_run(&o, &res, &err), 0);
	assert_true(res.timed_out);
	assert_false(res.cancelled);
	assert_int_equal(res.exit_code, -1);
	assert_int_equal(res.term_signal, SIGINT);
	assert_true(res.seconds >= 0.3 && res.seconds < 3.0);

	/* deaf to SIGINT: SIGKILL two seconds later */
	o.argv = trap_argv;
	assert_int_equal(runner_run(&o, &res, &err), 0);
	assert_true(res.timed_out);
	assert_int_equal(res.exit_code, -1);
	assert_int_equal(res.term_signal, SIGKILL);
	assert_true(res.seconds >= 2.3 && res.seconds < 4.0);
	assert_string_equal(stream_text(&c, 0), "ready");
	capture_free(&c);
}

static void *cancel_later(void *arg)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	nanosleep(&ts, NULL);
	*(volatile sig_atomic_t *)arg = 1;
	return NULL;
}

static void test_cancel(void **state)
{
	const char *sleep_argv[] = { "sleep", "30", NULL };
	const char *go_argv[] = { "sh", "-c", "echo go; exec sleep 30", NULL };
	volatile sig_atomic_t cancel = 0;
	struct capture c = { 0 };
	struct runner_opts o = { .argv = sleep_argv, .cancel = &cancel, .on_line = on_line,
				 .arg = &c };
	struct runner_result res;
	struct mcuprov_err err;
	pthread_t t;

	/* from another thread */
	assert_int_equal(pthread_create(&t, NULL, cancel_later, (void *)&cancel), 0);
	assert_int_equal(runner_run(&o, &res, &err), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_true(res.cancelled);
	assert_false(res.timed_out);
	assert_int_equal(res.term_signal, SIGINT);
	assert_true(res.seconds >= 0.2 && res.seconds < 2.0);

	/* from on_line */
	cancel = 0;
	c.cancel = &cancel;
	c.cancel_on = "go";
	o.argv = go_argv;
	assert_int_equal(runner_run(&o, &res, &err), 0);
	assert_true(res.cancelled);
	assert_int_equal(res.term_signal, SIGINT);
	assert_true(res.seconds < 2.0);
	assert_string_equal(stream_text(&c, 0), "go");
	capture_free(&c);

	/* already set: stopped at once */
	cancel = 1;
	o.argv = sleep_argv;
	assert_int_equal(runner_run(&o, &res, &err), 0);
	assert_true(res.cancelled);
	assert_true(res.seconds < 2.0);
}

static void test_environment(void **state)
{
	const char *argv[] = { "env", NULL };
	const char *env[] = { "ADDED=yes", "KEEP_ME=2", "EMPTY=", "DROP_ME", NULL };
	struct capture c = { 0 };
	struct runner_opts o = { .argv = argv, .setenv = env, .on_line = on_line, .arg = &c };
	struct runner_result res;
	struct mcuprov_err err;
	const char *bad[] = { "=x", NULL };
	int i;

	setenv("MY_PASSWORD", "hunter2", 1);
	setenv("API_TOKEN", "t0k", 1);
	setenv("github_token", "t1k", 1);
	setenv("Client_Secret", "s", 1);
	setenv("MCUPROV_PASS_FD", "3", 1);
	setenv("KEY_PASSPHRASE", "p", 1);
	setenv("KEEP_ME", "1", 1);
	setenv("DROP_ME", "1", 1);
	setenv("HARMLESS", "ok", 1);
	assert_int_equal(runner_run(&o, &res, &err), 0);
	assert_int_equal(res.exit_code, 0);
	for (i = 0; i < c.n; i++) {
		static const char *const gone[] = { "MY_PASSWORD=",    "API_TOKEN=",
						    "github_token=",   "Client_Secret=",
						    "MCUPROV_PASS_FD=", "KEY_PASSPHRASE=",
						    "DROP_ME=" };
		size_t j;

		assert_null(strstr(c.line[i], "hunter2"));
		for (j = 0; j < sizeof(gone) / sizeof(gone[0]); j++)
			assert_false(strncmp(c.line[i], gone[j], strlen(gone[j])) == 0);
	}
	assert_true(has_line(&c, "ADDED=yes"));
	assert_true(has_line(&c, "KEEP_ME=2"));
	assert_false(has_line(&c, "KEEP_ME=1"));
	assert_true(has_line(&c, "EMPTY="));
	assert_true(has_line(&c, "HARMLESS=ok"));
	for (i = 0; i < c.n; i++)
		if (strncmp(c.line[i], "PATH=", 5) == 0)
			break;
	assert_true(i < c.n);
	capture_free(&c);
	/* the parent's environment is untouched */
	assert_string_equal(getenv("MY_PASSWORD"), "hunter2");

	o.setenv = bad;
	assert_int_equal(runner_run(&o, &res, &err), MCUPROV_ERR_USAGE);
	unsetenv("MY_PASSWORD");
	unsetenv("API_TOKEN");
	unsetenv("github_token");
	unsetenv("Client_Secret");
	unsetenv("MCUPROV_PASS_FD");
	unsetenv("KEY_PASSPHRASE");
	unsetenv("KEEP_ME");
	unsetenv("DROP_ME");
	unsetenv("HARMLESS");
}

/* a variable a password came from (env:NAME, or holding a password read)
 * reaches no child, whatever its name; O->setenv may still set it */
static void test_environment_withheld(void **state)
{
	const char *argv[] = { "env", NULL };
	const char *env[] = { "FW_OTHER=set-by-caller", NULL };
	struct capture c = { 0 };
	struct runner_opts o = { .argv = argv, .setenv = env, .on_line = on_line, .arg = &c };
	struct runner_result res;
	struct mcuprov_err err;
	char *pw = NULL;

	passwd_withhold_reset();
	setenv("FW_SIGNING", "k3y-pw", 1);
	setenv("FW_COPY", "k3y-pw", 1);
	setenv("FW_OTHER", "k3y-pw", 1);
	setenv("FW_SIGNING_X", "not-it", 1);
	err_clear(&err);
	assert_int_equal(passwd_from_source("env:FW_SIGNING", &pw, &err), 0);
	passwd_free(pw);
	assert_int_equal(runner_run(&o, &res, &err), 0);
	assert_int_equal(res.exit_code, 0);
	assert_false(has_line(&c, "FW_SIGNING=k3y-pw"));
	assert_false(has_line(&c, "FW_COPY=k3y-pw"));
	assert_true(has_line(&c, "FW_OTHER=set-by-caller"));
	assert_true(has_line(&c, "FW_SIGNING_X=not-it"));
	capture_free(&c);
	assert_string_equal(getenv("FW_SIGNING"), "k3y-pw");
	passwd_withhold_reset();
	unsetenv("FW_SIGNING");
	unsetenv("FW_COPY");
	unsetenv("FW_OTHER");
	unsetenv("FW_SIGNING_X");
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_not_found(void **state)
{
	const char *missing[] = { "west-does-not-exist", "--version", NULL };
	const char *west[] = { "west", "build", NULL };
	const char *tool[] = { "tool", NULL };
	const char *noexec[] = { "noexec", NULL };
	char dir[64], pathenv[128], path[128], msg[256];
	const char *env[] = { pathenv, NULL };
	struct capture c = { 0 };
	struct runner_opts o = { .argv = missing, .on_line = on_line, .arg = &c };
	struct runner_result res;
	struct mcuprov_err err;

	assert_int_equal(runner_run(&o, &res, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.msg, "west-does-not-exist not found in PATH");
	assert_string_equal(err.subject, "");
	assert_int_equal(res.exit_code, -1);
	assert_int_equal(res.term_signal, 0);

	assert_int_equal(unit_mkdtemp(dir, sizeof(dir)), 0);
	snprintf(pathenv, sizeof(pathenv), "PATH=%s", dir);
	o.setenv = env;
	o.argv = west;
	assert_int_equal(runner_run(&o, &res, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.msg, "west not found in PATH (install: pip install west)");

	/* not executable */
	snprintf(path, sizeof(path), "%s/tool", dir);
	write_file(path, "#!/bin/sh\necho hi\n", 0644);
	o.argv = tool;
	assert_int_equal(runner_run(&o, &res, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.msg, "cannot run tool: Permission denied");
	tool[0] = path;
	assert_int_equal(runner_run(&o, &res, &err), MCUPROV_ERR_IO);
	snprintf(msg, sizeof(msg), "cannot run %s: Permission denied", path);
	assert_string_equal(err.msg, msg);
	/* now executable, found through the PATH given in setenv */
	assert_int_equal(chmod(path, 0755), 0);
	tool[0] = "tool";
	assert_int_equal(runner_run(&o, &res, &err), 0);
	assert_int_equal(res.exit_code, 0);
	assert_string_equal(stream_text(&c, 0), "hi");
	capture_free(&c);

	/* no "#!": not handed to /bin/sh as execvp would */
	snprintf(path, sizeof(path), "%s/noexec", dir);
	write_file(path, "echo should not run\n", 0755);
	o.argv = noexec;
	assert_int_equal(runner_run(&o, &res, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.msg, "cannot run noexec: Exec format error");
	assert_int_equal(c.n, 0);

	/* a bad working directory */
	o.setenv = NULL;
	o.argv = west;
	west[0] = "true";
	snprintf(path, sizeof(path), "%s/no-such-dir", dir);
	o.cwd = path;
	assert_int_equal(runner_run(&o, &res, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.subject, path);
	assert_string_equal(err.msg, "cannot change directory: No such file or directory");
	assert_int_equal(unit_rmtree(dir), 0);

	/* nothing to run */
	o.argv = NULL;
	assert_int_equal(runner_run(&o, &res, &err), MCUPROV_ERR_USAGE);
	tool[0] = "";
	o.argv = tool;
	assert_int_equal(runner_run(&o, &res, &err), MCUPROV_ERR_USAGE);
}

/* Something left behind in the background holding stdout: the run ends
 * RUNNER_LINGER_MS after the program itself exited. */
static void test_linger(void **state)
{
	struct capture c = { 0 };
	struct runner_result res;

	assert_int_equal(sh("sleep 4 & echo bye; exit 5", &c, &res), 0);
	assert_int_equal(res.exit_code, 5);
	assert_false(res.timed_out);
	assert_true(res.seconds >= 1.9 && res.seconds < 3.5);
	assert_string_equal(stream_text(&c, 0), "bye");
	capture_free(&c);
}

static void test_cwd_stdin(void **state)
{
	const char *argv[] = { "sh", "-c", "pwd; cat; echo done", NULL };
	char dir[64], real[PATH_MAX];
	struct capture c = { 0 };
	struct runner_opts o = { .argv = argv, .on_line = on_line, .arg = &c };
	struct runner_result res;
	struct mcuprov_err err;
	char expect[PATH_MAX + 8];

	assert_int_equal(unit_mkdtemp(dir, sizeof(dir)), 0);
	assert_non_null(realpath(dir, real));
	o.cwd = real;
	/* cat reads /dev/null: ends at once */
	assert_int_equal(runner_run(&o, &res, &err), 0);
	snprintf(expect, sizeof(expect), "%s|done", real);
	assert_string_equal(stream_text(&c, 0), expect);
	assert_true(res.seconds < 2.0);
	capture_free(&c);
	assert_int_equal(unit_rmtree(dir), 0);
}

/* stdin_data through a pipe, stdout kept as bytes */
static void test_stdin_capture(void **state)
{
	const char *cat[] = { "cat", NULL };
	const char *half[] = { "sh", "-c", "head -c 10 >/dev/null; echo read >&2; exit 4", NULL };
	const char *none[] = { "sh", "-c", "exec 0<&-; sleep 0.2; printf 'x\\0y'", NULL };
	struct capture c = { 0 };
	struct runner_capture cap = { 0 };
	struct runner_opts o = { .argv = cat, .on_line = on_line, .arg = &c, .capture = &cap };
	struct runner_result res;
	struct mcuprov_err err;
	size_t big = 3u << 20, i; /* more than a pipe holds */
	uint8_t *data = malloc(big);

	assert_non_null(data);
	for (i = 0; i < big; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 11));
	/* all of it, binary, through cat */
	cap.max = big;
	o.stdin_data = data;
	o.stdin_len = big;
	err_clear(&err);
	assert_int_equal(runner_run(&o, &res, &err), 0);
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(cap.len, big);
	assert_false(cap.truncated);
	assert_memory_equal(cap.data, data, big);
	assert_int_equal(c.n, 0); /* captured stdout is no lines */
	free(cap.data);
	/* more than max: truncated */
	cap.max = 100;
	assert_int_equal(runner_run(&o, &res, &err), 0);
	assert_int_equal(cap.len, 100);
	assert_true(cap.truncated);
	assert_memory_equal(cap.data, data, 100);
	free(cap.data);
	/* empty input: end of file at once, nothing out */
	o.stdin_len = 0;
	assert_int_equal(runner_run(&o, &res, &err), 0);
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(cap.len, 0);
	assert_null(cap.data);
	/* a child that reads 10 bytes of 3 MiB and exits: no SIGPIPE for us */
	o.argv = half;
	o.stdin_len = big;
	assert_int_equal(runner_run(&o, &res, &err), 0);
	assert_int_equal(res.exit_code, 4);
	assert_string_equal(stream_text(&c, 1), "read");
	capture_free(&c);
	/* one that closes its stdin first, then writes */
	o.argv = none;
	cap.max = 16;
	assert_int_equal(runner_run(&o, &res, &err), 0);
	assert_int_equal(res.exit_code, 0);
	assert_int_equal(cap.len, 3);
	assert_memory_equal(cap.data, "x\0y", 3);
	free(cap.data);
	free(data);
}

static void test_odd_words(void **state)
{
	/* words 4.. must come back intact, one a line */
	const char *argv[] = { "sh", "-c", "printf '%s\\n' \"$@\"", "sh",
			       "my file.bin", "it's \"quoted\"", "a;b", "-rf", "$(id)", "`id`",
			       "*", "x\\y", "", NULL };
	struct capture c = { 0 };
	struct runner_result res;
	struct mcuprov_err err;
	int i;

	assert_int_equal(run(argv, &c, &res, &err), 0);
	assert_int_equal(c.n, 9);
	for (i = 0; i < c.n; i++)
		assert_string_equal(c.line[i], argv[4 + i]);
	capture_free(&c);
}

static void test_progress_lines(void **state)
{
	struct capture c = { 0 };
	struct runner_result res;

	assert_int_equal(sh("echo '[1/4] Building C object a.o'; echo plain; "
			    "echo '[ 50%] Built target x' >&2; echo '[4/4] Linking'",
			    &c, &res),
			 0);
	assert_int_equal(c.nprog, 3);
	/* the stderr line may come before or after the others */
	assert_int_equal(c.percent[0] + c.percent[1] + c.percent[2], 25 + 50 + 100);
	capture_free(&c);
}

static void test_progress(void **state)
{
	int p = -7;

	assert_int_equal(runner_progress("[12/48] Building C object zephyr/main.c.obj", &p), 1);
	assert_int_equal(p, 25);
	assert_int_equal(runner_progress("[ 45%] Built target app", &p), 1);
	assert_int_equal(p, 45);
	assert_int_equal(runner_progress("[100%] Linking C executable zephyr.elf", &p), 1);
	assert_int_equal(p, 100);
	assert_int_equal(runner_progress("Writing at 0x00010000... (45 %)", &p), 1);
	assert_int_equal(p, 45);
	assert_int_equal(runner_progress("[====    ] 50%", &p), 1);
	assert_int_equal(p, 50);
	assert_int_equal(runner_progress("Programming 12.5%", &p), 1);
	assert_int_equal(p, 12);
	assert_int_equal(runner_progress("Erasing flash [100%] Done.", &p), 1);
	assert_int_equal(p, 100);
	assert_int_equal(runner_progress("[48/48] Linking", &p), 1);
	assert_int_equal(p, 100);
	p = -7;
	assert_int_equal(runner_progress("** Programming Started **", &p), 0);
	assert_int_equal(runner_progress("Info : flash size = 1024 KiB", &p), 0);
	assert_int_equal(
		runner_progress("wrote 16384 bytes from file zephyr.hex in 0.51s (31.2 KiB/s)", &p),
		0);
	assert_int_equal(runner_progress("** Verified OK **", &p), 0);
	assert_int_equal(runner_progress("", &p), 0);
	assert_int_equal(runner_progress("[3/0] x", &p), 0);
	assert_int_equal(runner_progress("[5/4] x", &p), 0);
	assert_int_equal(runner_progress("load 250%", &p), 0);
	assert_int_equal(runner_progress("0x45% x1%", &p), 0);
	assert_int_equal(runner_progress(NULL, &p), 0);
	assert_int_equal(p, -7);
}

static void test_format_argv(void **state)
{
	const char *a1[] = { "west", "flash", "--runner", "jlink", "-d", "build/nrf52840dk",
			     NULL };
	const char *a2[] = { "esptool.py",   "--port", "/dev/ttyUSB0", "write_flash",
			     "0x1000",       "my file.bin", "it's", "a;b",
			     "$(id)",        "",            "x=y",  NULL };
	const char *a3[] = { "A=b", "c", NULL };
	const char *a4[] = { "x", NULL };
	char buf[256], small[8];

	assert_int_equal(runner_format_argv(a1, buf, sizeof(buf)), 45);
	assert_string_equal(buf, "west flash --runner jlink -d build/nrf52840dk");
	runner_format_argv(a2, buf, sizeof(buf));
	assert_string_equal(buf, "esptool.py --port /dev/ttyUSB0 write_flash 0x1000 'my file.bin' "
				 "'it'\\''s' 'a;b' '$(id)' '' x=y");
	runner_format_argv(a3, buf, sizeof(buf));
	assert_string_equal(buf, "'A=b' c");
	assert_int_equal(runner_format_argv(a4, buf, sizeof(buf)), 1);
	assert_string_equal(buf, "x");
	assert_int_equal(runner_format_argv(NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	/* truncated, still terminated, full length returned */
	assert_int_equal(runner_format_argv(a1, small, sizeof(small)), 45);
	assert_string_equal(small, "west fl");
	assert_int_equal(runner_format_argv(a1, NULL, 0), 45);
}

static void test_hints(void **state)
{
	assert_string_equal(runner_install_hint("west"), "pip install west");
	assert_string_equal(runner_install_hint("qemu-system-arm"),
			    "apt-get install qemu-system-arm");
	assert_string_equal(runner_install_hint("pyocd"), "pip install pyocd");
	assert_string_equal(runner_install_hint("nrfjprog"), "Nordic's nRF Command Line Tools");
	assert_string_equal(runner_install_hint("JLinkExe"), "SEGGER J-Link Software");
	assert_string_equal(runner_install_hint("esptool.py"), "pip install esptool");
	assert_string_equal(runner_install_hint("st-flash"), "apt-get install stlink-tools");
	assert_string_equal(runner_install_hint("openocd"), "apt-get install openocd");
	assert_string_equal(runner_install_hint("make"), "apt-get install make");
	assert_string_equal(runner_install_hint("cmake"), "apt-get install cmake");
	assert_string_equal(runner_install_hint("ninja"), "apt-get install ninja-build");
	assert_null(runner_install_hint("frobnicate"));
	assert_null(runner_install_hint(NULL));
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		n += e->d_name[0] != '.';
	closedir(d);
	return n;
}

static void test_no_leaks(void **state)
{
	const char *missing[] = { "west-does-not-exist", NULL };
	const char *fds[] = { "sh", "-c", "ls /proc/$$/fd", NULL };
	const char *killed[] = { "sh", "-c", "kill -KILL $$", NULL };
	char dir[64], path[128];
	struct capture c = { 0 };
	struct runner_opts o = { .argv = fds, .on_line = on_line, .arg = &c };
	struct runner_result res;
	struct mcuprov_err err;
	int before, after, extra, i;

	assert_int_equal(unit_mkdtemp(dir, sizeof(dir)), 0);
	snprintf(path, sizeof(path), "%s/log", dir);
	/* a descriptor without O_CLOEXEC must not reach the child */
	extra = open("/dev/null", O_RDONLY);
	assert_true(extra > 2);
	before = count_fds();
	for (i = 0; i < 3; i++) {
		o.log_path = i == 1 ? path : NULL;
		o.argv = fds;
		assert_int_equal(runner_run(&o, &res, &err), 0);
		o.argv = missing;
		assert_int_equal(runner_run(&o, &res, &err), MCUPROV_ERR_IO);
		o.argv = killed;
		assert_int_equal(runner_run(&o, &res, &err), 0);
	}
	after = count_fds();
	assert_int_equal(before, after);
	/* the shell's descriptors, once per run */
	assert_int_equal(c.n, 9);
#ifdef SYS_close_range
	for (i = 0; i < c.n; i++)
		assert_string_equal(c.line[i], i % 3 == 0 ? "0" : i % 3 == 1 ? "1" : "2");
#endif
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
	close(extra);
	capture_free(&c);
	assert_int_equal(unit_rmtree(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_codes),    cmocka_unit_test(test_signalled),
		cmocka_unit_test(test_streams),       cmocka_unit_test(test_unterminated),
		cmocka_unit_test(test_long_line),     cmocka_unit_test(test_log),
		cmocka_unit_test(test_timeout),       cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_environment),
		cmocka_unit_test(test_environment_withheld),   cmocka_unit_test(test_not_found),
		cmocka_unit_test(test_linger),        cmocka_unit_test(test_cwd_stdin),
		cmocka_unit_test(test_stdin_capture),
		cmocka_unit_test(test_odd_words),     cmocka_unit_test(test_progress_lines),
		cmocka_unit_test(test_progress),      cmocka_unit_test(test_format_argv),
		cmocka_unit_test(test_hints),         cmocka_unit_test(test_no_leaks),
	};

	/* a front end that ignores SIGPIPE and SIGINT: the children must not */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	return cmocka_run_group_tests_name("runner", tests, NULL, NULL);
}
