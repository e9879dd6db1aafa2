/* Running external tools: fork + execve, two pipes read with poll(). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mcuprov/fileio.h"
#include "mcuprov/passwd.h"
#include "mcuprov/runner.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

#define POLL_MS 100
#define CHUNK 16384
/* execvp's search path when PATH is unset (glibc's confstr(_CS_PATH)) */
#define DEFAULT_PATH "/bin:/usr/bin"

extern char **environ;

/* What the child writes to the status pipe when it cannot exec. */
enum child_stage {
	STAGE_SETUP = 1, /* /dev/null or dup2 */
	STAGE_CWD = 2,
	STAGE_EXEC = 3,
};

struct child_status {
	int stage;
	int errnum;
};

/* Everything the child needs, prepared before fork(): after it the child
 * only calls async-signal-safe functions (the parent may have threads). */
struct child_plan {
	char *const *argv;
	char *const *envp;
	const char *path; /* the search path from ENVP */
	const char *cwd;
	int in_r; /* the stdin pipe's read end, or -1: /dev/null */
	int out_w, err_w, status_w;
};

struct stream {
	int fd;
	int is_stderr;
	size_t len;
	/* a "\n" right after a line ended by "\r" or split for length ends
	 * nothing (it belongs to that line) */
	bool skip_lf;
	char line[RUNNER_LINE_MAX + 1];
};

struct run_ctx {
	const struct runner_opts *o;
	int log_fd;
	int log_errno; /* first log write error; logging stops there */
	struct stream s[2];
	int in_fd;     /* the stdin pipe's write end, or -1 */
	size_t in_off; /* bytes of o->stdin_data written */
	bool cap_nomem;
	char logline[5 + RUNNER_LINE_MAX + 1];
	char chunk[CHUNK];
};

static const struct {
	const char *tool;
	const char *hint;
} hints[] = {
	{ "west", "pip install west" },
	{ "make", "apt-get install make" },
	{ "cmake", "apt-get install cmake" },
	{ "ninja", "apt-get install ninja-build" },
	{ "pyocd", "pip install pyocd" },
	{ "openocd", "apt-get install openocd" },
	{ "nrfjprog", "Nordic's nRF Command Line Tools" },
	{ "JLinkExe", "SEGGER J-Link Software" },
	{ "esptool.py", "pip install esptool" },
	{ "esptool", "pip install esptool" },
	{ "st-flash", "apt-get install stlink-tools" },
	{ "qemu-system-arm", "apt-get install qemu-system-arm" },
	{ "arm-none-eabi-gcc", "apt-get install gcc-arm-none-eabi" },
	{ "dtc", "apt-get install device-tree-compiler" },
};

const char *runner_install_hint(const char *tool)
{
	size_t i;

	if (tool == NULL)
		return NULL;
	for (i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
		if (strcmp(hints[i].tool, tool) == 0)
			return hints[i].hint;
	return NULL;
}

/* ---- progress */

/* Parse up to 9 decimal digits at *P into *V; more is no number. */
static int parse_uint(const char **p, unsigned long *v)
{
	const char *q = *p;
	unsigned long n = 0;
	int digits = 0;

	while (isdigit((unsigned char)*q)) {
		if (++digits > 9)
			return 0;
		n = n * 10 + (unsigned long)(*q - '0');
		q++;
	}
	if (digits == 0)
		return 0;
	*p = q;
	*v = n;
	return 1;
}

/* ninja / cmake --build: "[12/48] Building C object ..." */
static int progress_counter(const char *line, int *percent)
{
	const char *p;

	for (p = strchr(line, '['); p != NULL; p = strchr(p + 1, '[')) {
		const char *q = p + 1;
		unsigned long n, m;

		while (*q == ' ')
			q++;
		if (!parse_uint(&q, &n) || *q != '/')
			continue;
		q++;
		if (!parse_uint(&q, &m))
			continue;
		while (*q == ' ')
			q++;
		if (*q != ']' || m == 0 || n > m)
			continue;
		*percent = (int)(n * 100 / m);
		return 1;
	}
	return 0;
}

/* "45%", "45 %", "45.5%", a number starting after a non-alphanumeric */
static int progress_percent(const char *line, int *percent)
{
	const char *p;

	for (p = line; *p != '\0'; p++) {
		const char *q = p;
		unsigned long v;

		if (!isdigit((unsigned char)*p))
			continue;
		if (p > line && (isalnum((unsigned char)p[-1]) || p[-1] == '.'))
			continue;
		if (!parse_uint(&q, &v))
			continue;
		if (*q == '.' && isdigit((unsigned char)q[1])) {
			q++;
			while (isdigit((unsigned char)*q))
				q++;
		}
		while (*q == ' ')
			q++;
		if (*q == '%' && v <= 100) {
			*percent = (int)v;
			return 1;
		}
	}
	return 0;
}

int runner_progress(const char *line, int *percent)
{
	if (line == NULL)
		return 0;
	return progress_counter(line, percent) || progress_percent(line, percent);
}

/* ---- argv display */

static bool word_safe(const char *w, bool first)
{
	if (*w == '\0')
		return false;
	for (; *w != '\0'; w++) {
		unsigned char c = (unsigned char)*w;

		if (c < 0x80 && (isalnum(c) || strchr("_@%+:,./-", c) != NULL))
			continue;
		if (c == '=' && !first)
			continue;
		return false;
	}
	return true;
}

static void put(char *buf, size_t n, size_t *len, const char *s, size_t k)
{
	if (*len < n) {
		size_t room = n - 1 - *len;

		memcpy(buf + *len, s, k < room ? k : room);
	}
	*len += k;
}

size_t runner_format_argv(const char *const *argv, char *buf, size_t n)
{
	size_t len = 0, i;

	for (i = 0; argv != NULL && argv[i] != NULL; i++) {
		const char *w = argv[i];

		if (i > 0)
			put(buf, n, &len, " ", 1);
		if (word_safe(w, i == 0)) {
			put(buf, n, &len, w, strlen(w));
			continue;
		}
		put(buf, n, &len, "'", 1);
		for (; *w != '\0'; w++) {
			if (*w == '\'')
				put(buf, n, &len, "'\\''", 4);
			else
				put(buf, n, &len, w, 1);
		}
		put(buf, n, &len, "'", 1);
	}
	if (n > 0)
		buf[len < n ? len : n - 1] = '\0';
	return len;
}

/* ---- environment */

/* Does NAME[0..N) contain WORD, ignoring case? */
static bool name_has(const char *name, size_t n, const char *word)
{
	size_t k = strlen(word), i;

	for (i = 0; i + k <= n; i++)
		if (strncasecmp(name + i, word, k) == 0)
			return true;
	return false;
}

static bool secret_name(const char *name, size_t n)
{
	/* PASS also covers PASSWORD, PASSPHRASE and MCUPROV_PASS* */
	return name_has(name, n, "PASS") || name_has(name, n, "SECRET") ||
	       name_has(name, n, "TOKEN");
}

static size_t name_len(const char *entry)
{
	const char *eq = strchr(entry, '=');

	return eq != NULL ? (size_t)(eq - entry) : strlen(entry);
}

/* Drop entries named like ENTRY's name from ENV[0..*N). */
static void env_remove(const char **env, size_t *n, const char *entry)
{
	size_t k = name_len(entry), i, j;

	for (i = j = 0; i < *n; i++)
		if (!(name_len(env[i]) == k && strncmp(env[i], entry, k) == 0))
			env[j++] = env[i];
	*n = j;
}

/* The child's environment: pointers into environ and O->setenv, in a
 * malloc'd NULL-terminated array. */
static int build_env(const struct runner_opts *o, const char ***envp, struct mcuprov_err *err)
{
	size_t ne = 0, ns = 0, n = 0, i;
	const char **env;

	*envp = NULL;
	for (i = 0; o->setenv != NULL && o->setenv[i] != NULL; i++) {
		const char *e = o->setenv[i];

		if (e[0] == '\0' || e[0] == '=')
			return err_set(err, MCUPROV_ERR_USAGE, e, "bad environment entry");
		ns++;
	}
	while (environ != NULL && environ[ne] != NULL)
		ne++;
	env = calloc(ne + ns + 1, sizeof(*env));
	if (env == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	for (i = 0; i < ne; i++) {
		const char *e = environ[i];

		if (strchr(e, '=') != NULL && !secret_name(e, name_len(e)) &&
		    !passwd_withheld(e, name_len(e)))
			env[n++] = e;
	}
	for (i = 0; i < ns; i++) {
		env_remove(env, &n, o->setenv[i]);
		if (strchr(o->setenv[i], '=') != NULL)
			env[n++] = o->setenv[i];
	}
	env[n] = NULL;
	*envp = env;
	return 0;
}

static const char *env_path(const char *const *env)
{
	for (; *env != NULL; env++)
		if (strncmp(*env, "PATH=", 5) == 0)
			return *env + 5;
	return DEFAULT_PATH;
}

/* ---- the child (async-signal-safe calls only) */

/* execvp() without its /bin/sh fallback for ENOEXEC, searching PATH.
 * Returns the errno to report. */
static int exec_search(const char *file, char *const *argv, char *const *envp, const char *path)
{
	char buf[PATH_MAX];
	size_t flen = strlen(file);
	bool eacces = false;
	const char *p = path;

	if (strchr(file, '/') != NULL) {
		execve(file, argv, envp);
		return errno;
	}
	for (;;) {
		const char *end = p;
		size_t dlen;

		while (*end != '\0' && *end != ':')
			end++;
		dlen = (size_t)(end - p);
		if (dlen + 1 + flen < sizeof(buf)) {
			if (dlen == 0) {
				/* an empty entry is the current directory */
				memcpy(buf, file, flen + 1);
			} else {
				memcpy(buf, p, dlen);
				buf[dlen] = '/';
				memcpy(buf + dlen + 1, file, flen + 1);
			}
			execve(buf, argv, envp);
			switch (errno) {
			case EACCES: eacces = true; break;
			case ENOENT:
			case ENOTDIR:
			case ESTALE:
			case ENODEV:
			case ETIMEDOUT: break;
			default: return errno;
			}
		}
		if (*end == '\0')
			break;
		p = end + 1;
	}
	return eacces ? EACCES : ENOENT;
}

static void child_fail(int status_w, int stage, int errnum) __attribute__((noreturn));

static void child_fail(int status_w, int stage, int errnum)
{
	struct child_status st = { stage, errnum };
	ssize_t r;

	do
		r = write(status_w, &st, sizeof(st));
	while (r < 0 && errno == EINTR);
	_exit(127);
}

static void child_run(const struct child_plan *p) __attribute__((noreturn));

static void child_run(const struct child_plan *p)
{
	struct sigaction sa;
	sigset_t none;
	int sig, fd;

	setpgid(0, 0);
	/* ignored signals stay ignored across exec: a front end ignoring
	 * SIGINT must not make the tool deaf to our SIGINT */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	fd = p->in_r >= 0 ? p->in_r : open("/dev/null", O_RDONLY | O_NOCTTY);
	if (fd < 0)
		child_fail(p->status_w, STAGE_SETUP, errno);
	if (p->in_r >= 0) {
		/* >= 3 and close on exec: dup2 leaves the copy open */
		if (dup2(fd, STDIN_FILENO) < 0)
			child_fail(p->status_w, STAGE_SETUP, errno);
	} else if (fd != STDIN_FILENO) {
		if (dup2(fd, STDIN_FILENO) < 0)
			child_fail(p->status_w, STAGE_SETUP, errno);
		close(fd);
	}
	/* the pipe ends are >= 3 (see move_high) and close on exec */
	if (dup2(p->out_w, STDOUT_FILENO) < 0 || dup2(p->err_w, STDERR_FILENO) < 0)
		child_fail(p->status_w, STAGE_SETUP, errno);
	if (p->cwd != NULL && chdir(p->cwd) < 0)
		child_fail(p->status_w, STAGE_CWD, errno);
#ifdef SYS_close_range
	/* descriptors the parent opened without O_CLOEXEC stay with it;
	 * best effort (Linux 5.11+) */
	syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
#endif
	child_fail(p->status_w, STAGE_EXEC, exec_search(p->argv[0], p->argv, p->envp, p->path));
}

/* ---- the parent */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void close_fd(int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
	}
}

/* Keep FD off 0-2, so that the child's dup2() onto 0-2 never meets it
 * (when the caller runs with a standard descriptor closed). */
static int move_high(int *fd)
{
	int nfd;

	if (*fd > STDERR_FILENO)
		return 0;
	nfd = fcntl(*fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
	if (nfd < 0)
		return -1;
	close(*fd);
	*fd = nfd;
	return 0;
}

static int make_pipe(int fds[2])
{
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	if (move_high(&fds[0]) < 0 || move_high(&fds[1]) < 0) {
		int e = errno;

		close_fd(&fds[0]);
		close_fd(&fds[1]);
		errno = e;
		return -1;
	}
	return 0;
}

static void deliver(struct run_ctx *c, struct stream *s)
{
	const struct runner_opts *o = c->o;
	int percent;

	s->line[s->len] = '\0';
	if (c->log_fd >= 0 && c->log_errno == 0) {
		size_t n = 5 + s->len;

		memcpy(c->logline, s->is_stderr ? "err: " : "out: ", 5);
		memcpy(c->logline + 5, s->line, s->len);
		c->logline[n++] = '\n';
		if (file_write_all(c->log_fd, c->logline, n) < 0)
			c->log_errno = errno != 0 ? errno : EIO;
	}
	if (o->on_line != NULL)
		o->on_line(o->arg, s->is_stderr, s->line);
	if (o->on_progress != NULL && runner_progress(s->line, &percent))
		o->on_progress(o->arg, percent, s->line);
	s->len = 0;
}

static void feed(struct run_ctx *c, struct stream *s, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char ch = p[i];

		if (ch == '\n') {
			if (s->skip_lf && s->len == 0) {
				s->skip_lf = false;
				continue;
			}
			s->skip_lf = false;
			deliver(c, s);
		} else if (ch == '\r') {
			/* a "\r" on an empty line (progress redraw, or the
			 * first half of "\r\n") ends nothing */
			if (s->len > 0) {
				deliver(c, s);
				s->skip_lf = true;
			}
		} else {
			s->skip_lf = false;
			s->line[s->len++] = ch;
			if (s->len == RUNNER_LINE_MAX) {
				deliver(c, s);
				s->skip_lf = true;
			}
		}
	}
}

/* stdout bytes into o->capture, up to its max */
static void keep(struct run_ctx *c, const char *p, size_t n)
{
	struct runner_capture *cap = c->o->capture;
	size_t room = cap->max - cap->len, k = n < room ? n : room;
	uint8_t *nd;

	if (k < n)
		cap->truncated = true;
	if (k == 0 || c->cap_nomem)
		return;
	nd = realloc(cap->data, cap->len + k);
	if (nd == NULL) {
		c->cap_nomem = true;
		return;
	}
	cap->data = nd;
	memcpy(cap->data + cap->len, p, k);
	cap->len += k;
}

/* Write what the stdin pipe takes; close it after the last byte, or when
 * the child no longer reads (EPIPE, its SIGPIPE blocked and taken back). */
static void pump(struct run_ctx *c)
{
	const struct runner_opts *o = c->o;
	sigset_t pipe_set, old, pending;
	bool was_pending;
	ssize_t n;

	if (c->in_off < o->stdin_len) {
		sigemptyset(&pipe_set);
		sigaddset(&pipe_set, SIGPIPE);
		pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
		sigemptyset(&pending);
		sigpending(&pending);
		was_pending = sigismember(&pending, SIGPIPE) == 1;
		do
			n = write(c->in_fd, (const char *)o->stdin_data + c->in_off,
				  o->stdin_len - c->in_off);
		while (n < 0 && errno == EINTR);
		if (n < 0 && errno == EPIPE && !was_pending) {
			const struct timespec zero = { 0, 0 };

			while (sigtimedwait(&pipe_set, NULL, &zero) < 0 && errno == EINTR)
				;
		}
		pthread_sigmask(SIG_SETMASK, &old, NULL);
		if (n < 0 && errno == EAGAIN)
			return;
		if (n > 0)
			c->in_off += (size_t)n;
		if (n > 0 && c->in_off < o->stdin_len)
			return;
	}
	close_fd(&c->in_fd);
}

/* Read what is there; at end of file (or a read error) deliver the
 * unterminated rest and close. */
static void drain(struct run_ctx *c, struct stream *s)
{
	ssize_t n = read(s->fd, c->chunk, sizeof(c->chunk));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n > 0 && !s->is_stderr && c->o->capture != NULL) {
		keep(c, c->chunk, (size_t)n);
		return;
	}
	if (n > 0) {
		feed(c, s, c->chunk, (size_t)n);
		return;
	}
	if (s->len > 0)
		deliver(c, s);
	close_fd(&s->fd);
}

static int wait_ms(double until, double now)
{
	double ms = (until - now) * 1000.0;

	if (ms <= 0)
		return 0;
	return ms < POLL_MS ? (int)ms + 1 : POLL_MS;
}

/* Has PID exited?  Leaves it a zombie, so that its number (our process
 * group's) cannot be reused while we may still signal the group. */
static bool exited(pid_t pid)
{
	siginfo_t si;

	memset(&si, 0, sizeof(si));
	if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) < 0)
		return errno == ECHILD;
	return si.si_pid == pid;
}

static void signal_group(pid_t pid, int sig)
{
	if (kill(-pid, sig) < 0 && errno == ESRCH)
		kill(pid, sig);
}

/* Read both streams until the child exited and its output ended,
 * escalating on timeout or cancel. */
static void supervise(struct run_ctx *c, pid_t pid, double t0, struct runner_result *res)
{
	const struct runner_opts *o = c->o;
	double deadline = t0 + o->timeout_ms / 1000.0, kill_at = 0, exit_at = 0;
	bool done = false, signalled = false, killed = false;
	int backoff = 1, k;

	for (;;) {
		struct pollfd pfd[3];
		struct stream *ps[2];
		double now = now_s(), until = now + POLL_MS / 1000.0;
		int nfd = 0, i, ms;

		if (!done && exited(pid)) {
			done = true;
			exit_at = now;
			close_fd(&c->in_fd); /* nobody reads the rest */
		}
		if (done && c->s[0].fd < 0 && c->s[1].fd < 0)
			break;
		if (done && now - exit_at >= RUNNER_LINGER_MS / 1000.0)
			break;
		if (!signalled) {
			if (o->cancel != NULL && *o->cancel != 0)
				res->cancelled = true;
			else if (o->timeout_ms != 0 && now >= deadline)
				res->timed_out = true;
			if (res->cancelled || res->timed_out) {
				signal_group(pid, SIGINT);
				signalled = true;
				kill_at = now + RUNNER_KILL_DELAY_MS / 1000.0;
			}
		} else if (!killed && now >= kill_at) {
			signal_group(pid, SIGKILL);
			killed = true;
		}
		if (!signalled && o->timeout_ms != 0 && deadline < until)
			until = deadline;
		if (signalled && !killed && kill_at < until)
			until = kill_at;
		if (done && exit_at + RUNNER_LINGER_MS / 1000.0 < until)
			until = exit_at + RUNNER_LINGER_MS / 1000.0;
		ms = wait_ms(until, now);
		for (i = 0; i < 2; i++) {
			if (c->s[i].fd < 0)
				continue;
			pfd[nfd].fd = c->s[i].fd;
			pfd[nfd].events = POLLIN;
			pfd[nfd].revents = 0;
			ps[nfd++] = &c->s[i];
		}
		if (nfd == 0) {
			/* output closed: the exit follows soon, look often */
			if (backoff < ms)
				ms = backoff;
			backoff *= 2;
		}
		if (c->in_fd >= 0) {
			pfd[nfd].fd = c->in_fd;
			pfd[nfd].events = POLLOUT;
			pfd[nfd].revents = 0;
		}
		if (poll(pfd, (nfds_t)(nfd + (c->in_fd >= 0)), ms) <= 0)
			continue;
		if (c->in_fd >= 0 && pfd[nfd].revents != 0)
			pump(c);
		for (i = 0; i < nfd; i++)
			if (pfd[i].revents != 0)
				drain(c, ps[i]);
	}
	/* gave up waiting for the end of some output: hand over what came */
	for (k = 0; k < 2; k++)
		if (c->s[k].fd >= 0 && c->s[k].len > 0)
			deliver(c, &c->s[k]);
}

static int start_error(const char *tool, const struct child_status *st, const char *cwd,
		       struct mcuprov_err *err)
{
	const char *hint;

	switch (st->stage) {
	case STAGE_CWD:
		return err_set(err, MCUPROV_ERR_IO, cwd, "cannot change directory: %s",
			       strerror(st->errnum));
	case STAGE_EXEC:
		if (st->errnum == ENOENT && strchr(tool, '/') == NULL) {
			hint = runner_install_hint(tool);
			if (hint != NULL)
				return err_set(err, MCUPROV_ERR_IO, NULL,
					       "%s not found in PATH (install: %s)", tool, hint);
			return err_set(err, MCUPROV_ERR_IO, NULL, "%s not found in PATH", tool);
		}
		return err_set(err, MCUPROV_ERR_IO, NULL, "cannot run %s: %s", tool,
			       strerror(st->errnum));
	default:
		return err_set(err, MCUPROV_ERR_IO, NULL, "cannot start %s: %s", tool,
			       strerror(st->errnum));
	}
}

/* Wait for PID, retrying on EINTR.  Returns its status, or -1. */
static int reap(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

int runner_run(const struct runner_opts *o, struct runner_result *res, struct mcuprov_err *err)
{
	struct runner_result local;
	struct run_ctx *c = NULL;
	struct child_plan plan;
	struct child_status st;
	const char **envp = NULL;
	int out[2] = { -1, -1 }, errp[2] = { -1, -1 }, status[2] = { -1, -1 }, in[2] = { -1, -1 };
	int log_fd = -1, rc, wstatus;
	const char *tool;
	double t0;
	ssize_t n;
	pid_t pid;

	if (res == NULL)
		res = &local;
	memset(res, 0, sizeof(*res));
	res->exit_code = -1;
	if (o != NULL && o->capture != NULL) {
		o->capture->data = NULL;
		o->capture->len = 0;
		o->capture->truncated = false;
	}
	if (o == NULL || o->argv == NULL || o->argv[0] == NULL || o->argv[0][0] == '\0')
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "no program to run");
	tool = o->argv[0];
	rc = build_env(o, &envp, err);
	if (rc < 0)
		goto out;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	c->s[0].fd = c->s[1].fd = c->in_fd = -1;
	if (o->log_path != NULL) {
		log_fd = open(o->log_path,
			      O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW,
			      0600);
		if (log_fd < 0) {
			rc = err_set(err, MCUPROV_ERR_IO, o->log_path, "cannot open: %s",
				     strerror(errno));
			goto out;
		}
	}
	if (make_pipe(out) < 0 || make_pipe(errp) < 0 || make_pipe(status) < 0 ||
	    (o->stdin_data != NULL &&
	     (make_pipe(in) < 0 || fcntl(in[1], F_SETFL, O_NONBLOCK) < 0))) {
		rc = err_set(err, MCUPROV_ERR_IO, NULL, "cannot start %s: pipe: %s", tool,
			     strerror(errno));
		goto out;
	}
	plan.argv = (char *const *)o->argv;
	plan.envp = (char *const *)envp;
	plan.path = env_path(envp);
	plan.cwd = o->cwd;
	plan.in_r = in[0];
	plan.out_w = out[1];
	plan.err_w = errp[1];
	plan.status_w = status[1];

	t0 = now_s();
	pid = fork();
	if (pid < 0) {
		rc = err_set(err, MCUPROV_ERR_IO, NULL, "cannot start %s: fork: %s", tool,
			     strerror(errno));
		goto out;
	}
	if (pid == 0)
		child_run(&plan);
	/* also here, so that the group exists before we may signal it */
	setpgid(pid, pid);
	close_fd(&out[1]);
	close_fd(&errp[1]);
	close_fd(&status[1]);
	close_fd(&in[0]);

	/* end of file: execve succeeded and closed the write end */
	do
		n = read(status[0], &st, sizeof(st));
	while (n < 0 && errno == EINTR);
	if (n != 0) {
		reap(pid);
		res->seconds = now_s() - t0;
		if (n == (ssize_t)sizeof(st))
			rc = start_error(tool, &st, o->cwd, err);
		else
			rc = err_set(err, MCUPROV_ERR_INTERNAL, NULL,
				     "cannot start %s: bad status from child", tool);
		goto out;
	}

	c->o = o;
	c->log_fd = log_fd;
	c->s[0].fd = out[0];
	c->s[1].fd = errp[0];
	c->s[1].is_stderr = 1;
	c->in_fd = in[1];
	out[0] = errp[0] = in[1] = -1;
	if (o->stdin_data != NULL && o->stdin_len == 0)
		close_fd(&c->in_fd); /* only the end of file */
	supervise(c, pid, t0, res);
	wstatus = reap(pid);
	res->seconds = now_s() - t0;
	if (wstatus == -1) {
		rc = err_set(err, MCUPROV_ERR_INTERNAL, NULL, "cannot wait for %s: %s", tool,
			     strerror(errno));
	} else if (WIFSIGNALED(wstatus)) {
		res->term_signal = WTERMSIG(wstatus);
	} else {
		res->exit_code = WEXITSTATUS(wstatus);
	}
	if (rc == 0 && c->cap_nomem)
		rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory (the output of %s)", tool);
	if (rc == 0 && c->log_errno != 0)
		rc = err_set(err, MCUPROV_ERR_IO, o->log_path, "write error: %s",
			     strerror(c->log_errno));
out:
	if (c != NULL) {
		close_fd(&c->s[0].fd);
		close_fd(&c->s[1].fd);
		close_fd(&c->in_fd);
		free(c);
	}
	close_fd(&out[0]);
	close_fd(&out[1]);
	close_fd(&errp[0]);
	close_fd(&errp[1]);
	close_fd(&status[0]);
	close_fd(&status[1]);
	close_fd(&in[0]);
	close_fd(&in[1]);
	close_fd(&log_fd);
	free(envp);
	return rc;
}
