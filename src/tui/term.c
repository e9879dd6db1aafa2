/* mcuprov wizard: the terminal.  The only module that calls initscr/newterm
 * and endwin; the terminal is restored on every way out: normal exit,
 * atexit, and the signals SIGINT/SIGTERM/SIGSEGV/SIGABRT (endwin, then the
 * signal is raised again with its default action) — but for a SIGINT while
 * a screen has asked for it (term_catch_sigint): that one becomes a key. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <langinfo.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tui.h"
#include "mcuprov/fileio.h"

struct tui_term tui_term;

static SCREEN *term_screen;
static FILE *term_null_out, *term_null_in;
static volatile sig_atomic_t term_active;
static volatile sig_atomic_t term_catch, term_caught;

static const int term_signals[] = { SIGINT, SIGTERM, SIGSEGV, SIGABRT };

static void term_restore(void)
{
	if (!term_active)
		return;
	term_active = 0;
	endwin();
}

static void term_on_signal(int sig)
{
	if (sig == SIGINT && term_catch && term_active) {
		term_caught = 1; /* the loop hands it to the screen */
		return;
	}
	term_restore();
	file_tmp_cleanup(); /* no half-written file stays behind */
	signal(sig, SIG_DFL);
	raise(sig);
}

static void term_atexit(void)
{
	term_restore();
}

void term_catch_sigint(bool on)
{
	term_catch = on;
	if (!on)
		term_caught = 0;
}

bool term_sigint_taken(void)
{
	if (!term_caught)
		return false;
	term_caught = 0;
	return true;
}

int tui_attr(int pair)
{
	if (tui_term.color)
		return COLOR_PAIR(pair) | (pair == TUI_PAIR_TITLE ? A_BOLD : 0);
	switch (pair) {
	case TUI_PAIR_TITLE: return A_BOLD;
	case TUI_PAIR_WARN: return A_BOLD;
	case TUI_PAIR_ERROR: return A_BOLD;
	case TUI_PAIR_DIM: return A_NORMAL;
	default: return A_NORMAL;
	}
}

int term_start(bool scripted, struct mcuprov_err *err)
{
	static bool atexit_done;
	const char *codeset, *no_color;
	struct sigaction sa;
	size_t i;

	memset(&tui_term, 0, sizeof(tui_term));
	tui_term.scripted = scripted;
	if (scripted) {
		/* a fixed 80x24 virtual screen nobody sees: the script's
		 * save-screen reads the window contents back */
		setenv("LINES", "24", 1);
		setenv("COLUMNS", "80", 1);
		term_null_out = fopen("/dev/null", "w");
		term_null_in = fopen("/dev/null", "r");
		if (term_null_out == NULL || term_null_in == NULL)
			return err_set(err, MCUPROV_ERR_IO, "/dev/null", "cannot open");
		term_screen = newterm("xterm", term_null_out, term_null_in);
		if (term_screen == NULL)
			term_screen = newterm("vt100", term_null_out, term_null_in);
		if (term_screen == NULL)
			return err_set(err, MCUPROV_ERR_UNSUPPORTED, "xterm",
				       "no terminfo entry for the scripted screen");
	} else {
		const char *term = getenv("TERM");

		term_screen = newterm(NULL, stdout, stdin);
		if (term_screen == NULL)
			return err_set(err, MCUPROV_ERR_UNSUPPORTED, term ? term : "",
				       "unknown terminal type (set TERM)");
	}
	set_term(term_screen);
	term_active = 1;
	if (!atexit_done) {
		atexit(term_atexit);
		atexit_done = true;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = term_on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(term_signals) / sizeof(term_signals[0]); i++)
		sigaction(term_signals[i], &sa, NULL);

	cbreak(); /* Ctrl-C still raises SIGINT: restored, then default */
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	{
		/* Home/End as xterm, the Linux console, screen and tmux send them:
		 * a TERM that does not match the terminal (xterm-256color inside
		 * tmux is common) would otherwise turn End into Esc + text */
		static const struct {
			const char *seq;
			int key;
		} extra[] = {
			{ "\033[1~", KEY_HOME }, { "\033[4~", KEY_END }, { "\033[7~", KEY_HOME },
			{ "\033[8~", KEY_END },  { "\033[H", KEY_HOME },  { "\033[F", KEY_END },
			{ "\033OH", KEY_HOME },  { "\033OF", KEY_END },
		};
		size_t k;

		for (k = 0; k < sizeof(extra) / sizeof(extra[0]); k++)
			if (key_defined(extra[k].seq) == 0)
				define_key(extra[k].seq, extra[k].key);
	}
	set_escdelay(25);
	timeout(100);
	curs_set(0);

	no_color = getenv("NO_COLOR");
	if (has_colors() && (no_color == NULL || no_color[0] == '\0')) {
		start_color();
		use_default_colors();
		init_pair(TUI_PAIR_TITLE, COLOR_CYAN, -1);
		init_pair(TUI_PAIR_WARN, COLOR_YELLOW, -1);
		init_pair(TUI_PAIR_ERROR, COLOR_RED, -1);
		init_pair(TUI_PAIR_OK, COLOR_GREEN, -1);
		init_pair(TUI_PAIR_DIM, COLOR_BLUE, -1);
		tui_term.color = true;
	}
	codeset = nl_langinfo(CODESET);
	if (scripted)
		tui_term.lines = TUI_LINES_ASCII; /* deterministic screen dumps */
	else if (codeset != NULL && strcmp(codeset, "UTF-8") == 0)
		tui_term.lines = TUI_LINES_UTF8;
	else
		tui_term.lines = TUI_LINES_ACS;
	return 0;
}

void term_stop(void)
{
	size_t i;

	term_catch_sigint(false);
	term_restore();
	for (i = 0; i < sizeof(term_signals) / sizeof(term_signals[0]); i++)
		signal(term_signals[i], SIG_DFL);
	if (term_screen != NULL) {
		delscreen(term_screen);
		term_screen = NULL;
	}
	if (term_null_out != NULL)
		fclose(term_null_out);
	if (term_null_in != NULL)
		fclose(term_null_in);
	term_null_out = term_null_in = NULL;
}

int term_run_interactive(char *const argv[], int *status, struct mcuprov_err *err)
{
	struct sigaction ign, old_int, old_quit;
	int pfd[2], child_errno = 0, wst = 0, rc = 0;
	ssize_t r;
	pid_t pid;

	*status = 0;
	if (tui_term.scripted)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "the editor needs a terminal");
	if (argv == NULL || argv[0] == NULL || argv[0][0] == '\0')
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "no program to run");
	/* the child reports a failed execvp through a close-on-exec pipe */
	if (pipe2(pfd, O_CLOEXEC) != 0)
		return err_set(err, MCUPROV_ERR_IO, argv[0], "cannot start: %s", strerror(errno));

	def_prog_mode();
	endwin();
	fflush(stdout);
	/* Ctrl-C and Ctrl-\ in the editor are the editor's, as for a shell's
	 * foreground job: the wizard ignores them until it is back */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigemptyset(&ign.sa_mask);
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);

	pid = fork();
	if (pid == 0) {
		int e;

		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		close(pfd[0]);
		execvp(argv[0], argv);
		e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	close(pfd[1]);
	if (pid < 0) {
		rc = err_set(err, MCUPROV_ERR_IO, argv[0], "cannot start: %s", strerror(errno));
	} else {
		do
			r = read(pfd[0], &child_errno, sizeof(child_errno));
		while (r < 0 && errno == EINTR);
		if (r != (ssize_t)sizeof(child_errno))
			child_errno = 0;
		while (waitpid(pid, &wst, 0) < 0 && errno == EINTR)
			;
		if (child_errno != 0)
			rc = err_set(err, MCUPROV_ERR_IO, argv[0], "cannot run: %s",
				     strerror(child_errno));
		else if (WIFEXITED(wst))
			*status = WEXITSTATUS(wst);
		else if (WIFSIGNALED(wst))
			*status = 128 + WTERMSIG(wst);
	}
	close(pfd[0]);
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);

	reset_prog_mode();
	clearok(curscr, TRUE); /* the program drew over everything */
	refresh();
	return rc;
}
