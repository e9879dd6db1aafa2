/* mcuprov core: running the user's real tools (west, make, cmake, ninja,
 * pyocd, openocd, nrfjprog, JLinkExe, esptool.py, st-flash, qemu-system-arm)
 * with their output captured line by line.
 *
 * The program is started with fork + execve of an argv array after a PATH
 * search of our own: never through a shell, not even for a script without
 * "#!" (execvp's /bin/sh fallback), which is reported as "Exec format error".
 */
#ifndef MCUPROV_RUNNER_H
#define MCUPROV_RUNNER_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcuprov/error.h"

/* Longest line handed to on_line: longer ones arrive in pieces of this size. */
#define RUNNER_LINE_MAX 4096

/* After SIGINT (timeout or cancel), the process group gets SIGKILL when
 * still alive after this long. */
#define RUNNER_KILL_DELAY_MS 2000

/* How long to keep reading after the program exited while something it
 * started (still in its process group) holds its output open. */
#define RUNNER_LINGER_MS 2000

/* Line callbacks.  LINE is NUL-terminated, without its line end, and valid
 * only during the call.  A line ends at "\n", at "\r\n", or at a "\r" that
 * follows some text (progress bars redraw with "\r"; a "\r" on an empty
 * line is ignored); a line longer than RUNNER_LINE_MAX bytes arrives in
 * RUNNER_LINE_MAX-byte pieces and a final unterminated line at end of
 * output.  Both streams keep their own order; the order between stdout and
 * stderr lines is the order they were read in. */
typedef void (*runner_line_cb)(void *arg, int is_stderr, const char *line);
typedef void (*runner_progress_cb)(void *arg, int percent, const char *line);

/* stdout kept as bytes (runner_opts.capture) instead of read as lines: for
 * a program whose output is data (an external signer's signature). */
struct runner_capture {
	size_t max;      /* set by the caller: keep at most this many bytes */
	uint8_t *data;   /* set by runner_run(): malloc'd (free() it), or NULL
			  * when nothing came */
	size_t len;
	bool truncated;  /* more than MAX came: the rest was read and dropped */
};

struct runner_opts {
	/* argv[0] is looked up in the PATH of the child's environment (after
	 * SETENV); with a '/' it is used as is.  Never run through a shell. */
	const char *const *argv;
	const char *cwd; /* the child's working directory, or NULL */
	/* "NAME=VALUE" to add or override, or "NAME" to remove, applied after
	 * the cleaning described at runner_run(); NULL-terminated, or NULL */
	const char *const *setenv;
	/* append every output line here as "out: LINE\n" or "err: LINE\n"
	 * (created mode 0600 if missing; a symbolic link is refused), or NULL */
	const char *log_path;
	/* 0: none; else after this long the process group gets SIGINT, then
	 * SIGKILL RUNNER_KILL_DELAY_MS later if still alive (timed_out) */
	unsigned timeout_ms;
	/* or NULL; the front end sets *cancel = 1 (e.g. from its SIGINT
	 * handler or another thread, or from on_line): same escalation as the
	 * timeout, seen within 100 ms (cancelled) */
	volatile sig_atomic_t *cancel;
	runner_line_cb on_line; /* each line of either stream, or NULL */
	/* after on_line, for each line where runner_progress() finds a
	 * percentage, or NULL */
	runner_progress_cb on_progress;
	void *arg; /* passed to both callbacks */
	/* or NULL: the child's stdin is a pipe that gets these STDIN_LEN
	 * bytes, then end of file (a child that exits or closes its stdin
	 * before reading them all is no error: the rest is dropped, and no
	 * SIGPIPE reaches the caller); NULL: stdin is /dev/null */
	const void *stdin_data;
	size_t stdin_len;
	/* or NULL: stdout collected into *CAPTURE (see runner_capture), not
	 * handed to on_line nor logged; stderr is read line by line as ever */
	struct runner_capture *capture;
};

struct runner_result {
	int exit_code;    /* the exit status, or -1 if killed by a signal */
	int term_signal;  /* the signal that killed it, or 0 */
	bool timed_out;   /* runner_opts.timeout_ms expired and we signalled it */
	bool cancelled;   /* *runner_opts.cancel was set and we signalled it */
	double seconds;   /* wall-clock time from start to exit (monotonic) */
};

/* Run O->argv and wait for it.  The child gets its own process group,
 * stdin from /dev/null (or O->stdin_data through a pipe), stdout and
 * stderr on two pipes read line by line (see runner_line_cb; stdout as
 * bytes with O->capture), default signal dispositions, no file descriptors
 * beyond 0-2, and the parent's environment less every variable whose name
 * contains PASS, SECRET or TOKEN, case-insensitively (so also PASSWORD,
 * PASSPHRASE and MCUPROV_PASS*: passwords never pass through), and less
 * every variable a password source named (env:NAME, see passwd_withhold():
 * a password read from $KEY_PW never reaches a child either), then
 * O->setenv applied.  The child is always reaped.
 * Returns 0 when the program ran, whatever its exit status (see *RES), or
 * MCUPROV_ERR_USAGE (no argv[0], a bad setenv entry),
 * MCUPROV_ERR_NOMEM (also for a capture buffer, after the program ran),
 * or MCUPROV_ERR_IO: "<tool> not found in PATH" (with
 * " (install: <hint>)" for tools runner_install_hint() knows),
 * "cannot run <tool>: Permission denied" (or another execve reason),
 * "cannot change directory: <reason>" (subject O->cwd), a log file that
 * cannot be opened or written (subject O->log_path; a write error is
 * reported after the program finished, *RES filled).  *RES is always
 * written (exit_code -1 when the program did not run); RES may be NULL. */
int runner_run(const struct runner_opts *o, struct runner_result *res, struct mcuprov_err *err);

/* Does LINE show progress?  Returns 1 and *PERCENT (0-100) for a ninja or
 * cmake "[n/m]" counter (n*100/m) or the first "NN%" / "NN.N%" / "NN %"
 * anywhere (cmake "[ 45%]", pyocd "[====  ] 50%", esptool "(45 %)",
 * J-Link "[100%]"), else 0 (*PERCENT untouched). */
int runner_progress(const char *line, int *percent);

/* How to install TOOL when it is missing: "pip install west",
 * "apt-get install openocd", "SEGGER J-Link Software", ...; a static
 * string, or NULL for a tool we know nothing about. */
const char *runner_install_hint(const char *tool);

/* ARGV as one line a POSIX shell would split back into the same words, for
 * display (--dry-run) only: a word is put in single quotes (a ' inside as
 * '\'') when it is empty or holds anything besides [A-Za-z0-9_@%+=:,./-]
 * ('=' in the first word too, so it cannot read as an assignment); words
 * are separated by one space.  Writes at most N bytes including the NUL
 * (always terminated when N > 0) and returns the length of the whole text,
 * as snprintf(): a result >= N means BUF was too small. */
size_t runner_format_argv(const char *const *argv, char *buf, size_t n);

#endif
