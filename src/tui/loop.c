/* mcuprov wizard: the one input loop and the screen stack.
 *
 * Keys come from the keyboard (getch with a 100 ms timeout, so that
 * screens with background work tick and spinners turn) or, when
 * MCUPROV_TUI_SCRIPT names a file, from that file, one command per line:
 *   key NAME          Enter, Esc, Tab, BTab, Up, Down, Left, Right, Home,
 *                     End, PgUp, PgDn, Backspace, Delete, Space, F1, F2,
 *                     C-u, C-o, or a single character
 *   type TEXT         each character of TEXT as a key
 *   wait-idle         until no worker thread runs
 *   save-screen NAME  the screen as text to $MCUPROV_TUI_SCREENS/NAME.txt
 *   resize COLS ROWS  resize the virtual screen
 * Empty lines and lines starting with '#' are ignored. */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "tui.h"

#define STACK_MAX 16

static struct tui_screen *stack[STACK_MAX];
static int depth;
static struct tui_screen *pending;
static atomic_int busy;
static bool quit;
static bool dirty;

void tui_push(struct tui_screen *s)
{
	pending = s;
}

void tui_busy_add(int delta)
{
	atomic_fetch_add(&busy, delta);
}

static void draw_all(void)
{
	int i, base;

	erase();
	if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_ROWS) {
		mvprintw(0, 0, "terminal too small: %dx%d, the wizard needs %dx%d", COLS, LINES,
			 TUI_MIN_COLS, TUI_MIN_ROWS);
		mvprintw(1, 0, "resize it, or press Ctrl-C to leave");
		refresh();
		return;
	}
	for (base = depth - 1; base > 0 && stack[base]->overlay; base--)
		;
	for (i = base; i < depth; i++)
		stack[i]->draw(stack[i]);
	refresh();
}

static void destroy(struct tui_screen *s)
{
	if (s->destroy != NULL)
		s->destroy(s);
	else
		free(s);
}

static void apply(int r, struct tui_screen *s);

static void push(struct tui_screen *s)
{
	if (s == NULL)
		return;
	if (depth == STACK_MAX) {
		destroy(s);
		return;
	}
	stack[depth++] = s;
}

static void pop(void)
{
	struct tui_screen *s, *parent;
	int r = TUI_HANDLED;

	if (depth == 0)
		return;
	s = stack[--depth];
	parent = s->parent;
	if (parent != NULL && depth > 0 && stack[depth - 1] == parent &&
	    parent->on_dialog != NULL)
		r = parent->on_dialog(parent, s->dialog_id, s->answer);
	else if (!s->overlay && depth > 0 && stack[depth - 1]->resume != NULL)
		stack[depth - 1]->resume(stack[depth - 1]);
	destroy(s);
	if (depth == 0) {
		quit = true;
		return;
	}
	if (parent != NULL && stack[depth - 1] == parent)
		apply(r, parent);
}

static void apply(int r, struct tui_screen *s)
{
	dirty = true;
	switch (r) {
	case TUI_NEXT:
		push(pending);
		pending = NULL;
		break;
	case TUI_BACK:
		if (depth > 0 && stack[depth - 1] == s)
			pop();
		break;
	case TUI_QUIT:
		quit = true;
		break;
	default:
		break;
	}
}

static void dispatch(int key)
{
	struct tui_screen *top;
	int r;

	if (key == KEY_RESIZE) {
		dirty = true;
		return;
	}
	if (depth == 0)
		return;
	top = stack[depth - 1];
	if (key == KEY_F(1) || (key == '?' && !top->text_input)) {
		if (top->help != NULL && top->parent == NULL && !top->overlay) {
			tui_push(tui_help_screen(top));
			apply(TUI_NEXT, top);
		}
		return;
	}
	r = top->event(top, key);
	if (r == TUI_UNHANDLED && key == 27 && depth > 1)
		r = TUI_BACK;
	apply(r, top);
}

static void tick(void)
{
	struct tui_screen *top;

	if (depth == 0)
		return;
	top = stack[depth - 1];
	if (top->tick != NULL) {
		int r = top->tick(top);

		if (r != TUI_UNHANDLED)
			apply(r, top);
	} else if (top->overlay && depth > 1 && top->parent == stack[depth - 2] &&
		   top->parent->tick != NULL && top->parent->tick_covered) {
		/* the screen under its own dialog keeps up with its work */
		if (top->parent->tick(top->parent) == TUI_HANDLED)
			dirty = true;
	}
}

/* ---- scripted input ----------------------------------------------------- */

static const struct {
	const char *name;
	int key;
} key_names[] = {
	{ "Enter", '\r' },	   { "Esc", 27 },		{ "Tab", '\t' },
	{ "BTab", KEY_BTAB },	   { "S-Tab", KEY_BTAB },	{ "Up", KEY_UP },
	{ "Down", KEY_DOWN },	   { "Left", KEY_LEFT },	{ "Right", KEY_RIGHT },
	{ "Home", KEY_HOME },	   { "End", KEY_END },		{ "Backspace", KEY_BACKSPACE },
	{ "Space", ' ' },	   { "F1", KEY_F(1) },		{ "C-u", 21 },
	{ "C-c", TUI_KEY_CTRL_C },		   { "PgUp", KEY_PPAGE },	{ "PgDn", KEY_NPAGE },
	{ "C-o", 15 },		   { "F2", KEY_F(2) },		{ "Delete", KEY_DC },
};

static int script_key(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(key_names) / sizeof(key_names[0]); i++)
		if (strcmp(key_names[i].name, name) == 0)
			return key_names[i].key;
	if (name[0] != '\0' && name[1] == '\0')
		return (unsigned char)name[0];
	return -1;
}

static int save_screen(const char *name, struct mcuprov_err *err)
{
	const char *dir = getenv("MCUPROV_TUI_SCREENS");
	char path[4096], line[8192];
	FILE *f;
	int y, n;

	if (dir == NULL || dir[0] == '\0')
		dir = ".";
	snprintf(path, sizeof(path), "%s/%s.txt", dir, name);
	f = fopen(path, "w");
	if (f == NULL)
		return err_set(err, MCUPROV_ERR_IO, path, "cannot create: %s", strerror(errno));
	for (y = 0; y < LINES; y++) {
		wchar_t wl[1001];
		mbstate_t st;
		int k;

		/* wide: a row of UTF-8 text is COLS columns, not COLS bytes */
		n = mvwinnwstr(stdscr, y, 0, wl, COLS < 1000 ? COLS : 1000);
		if (n < 0)
			n = 0;
		wl[n] = L'\0';
		memset(&st, 0, sizeof(st));
		for (k = 0, n = 0; wl[k] != L'\0' && n < (int)sizeof(line) - 8; k++) {
			size_t l = wcrtomb(line + n, wl[k], &st);

			if (l == (size_t)-1)
				line[n++] = '?';
			else
				n += (int)l;
		}
		line[n] = '\0';
		while (n > 0 && line[n - 1] == ' ')
			line[--n] = '\0';
		fprintf(f, "%s\n", line);
	}
	if (fclose(f) != 0)
		return err_set(err, MCUPROV_ERR_IO, path, "cannot write: %s", strerror(errno));
	return 0;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* Run one script line; returns 0 or an error. */
static int script_line(const char *script, unsigned lineno, char *line, struct mcuprov_err *err)
{
	char *arg;
	size_t n = strlen(line);

	while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
		line[--n] = '\0';
	if (line[0] == '\0' || line[0] == '#')
		return 0;
	arg = strchr(line, ' ');
	if (arg != NULL)
		*arg++ = '\0';
	else
		arg = line + n;

	if (strcmp(line, "key") == 0) {
		int k = script_key(arg);

		if (k < 0)
			return err_set(err, MCUPROV_ERR_USAGE, script, "line %u: unknown key '%s'",
				       lineno, arg);
		dispatch(k);
	} else if (strcmp(line, "type") == 0) {
		for (; *arg != '\0' && !quit; arg++)
			dispatch((unsigned char)*arg);
	} else if (strcmp(line, "wait-idle") == 0) {
		int waited = 0;

		while (atomic_load(&busy) > 0) {
			if (waited++ > 6000)
				return err_set(err, MCUPROV_ERR_INTERNAL, script,
					       "line %u: still busy after 60 s", lineno);
			sleep_ms(10);
		}
		tick();
	} else if (strcmp(line, "save-screen") == 0) {
		if (arg[0] == '\0' || strchr(arg, '/') != NULL)
			return err_set(err, MCUPROV_ERR_USAGE, script,
				       "line %u: save-screen needs a plain NAME", lineno);
		draw_all();
		dirty = false;
		return save_screen(arg, err);
	} else if (strcmp(line, "resize") == 0) {
		int cols, rows;

		if (sscanf(arg, "%d %d", &cols, &rows) != 2 || cols < 1 || rows < 1)
			return err_set(err, MCUPROV_ERR_USAGE, script,
				       "line %u: resize needs COLS ROWS", lineno);
		resizeterm(rows, cols);
		dispatch(KEY_RESIZE);
	} else {
		return err_set(err, MCUPROV_ERR_USAGE, script, "line %u: unknown command '%s'",
			       lineno, line);
	}
	return 0;
}

int tui_loop(struct tui_screen *home, const char *script, struct mcuprov_err *err)
{
	FILE *sf = NULL;
	char line[2048];
	unsigned lineno = 0;
	int rc = 0;

	if (script != NULL) {
		sf = fopen(script, "r");
		if (sf == NULL)
			return err_set(err, MCUPROV_ERR_IO, script, "cannot open: %s",
				       strerror(errno));
	}
	depth = 0;
	quit = false;
	dirty = true;
	push(home);
	while (!quit && depth > 0) {
		if (dirty) {
			draw_all();
			dirty = false;
		}
		if (sf != NULL) {
			if (fgets(line, sizeof(line), sf) == NULL) {
				rc = err_set(err, MCUPROV_ERR_USAGE, script,
					     "script ended before the wizard quit");
				break;
			}
			rc = script_line(script, ++lineno, line, err);
			if (rc < 0)
				break;
			tick();
		} else {
			int key = getch();

			if (term_sigint_taken())
				dispatch(TUI_KEY_CTRL_C);
			if (key == ERR)
				tick();
			else {
				dispatch(key);
				tick();
			}
		}
	}
	/* background work must finish before its screen goes away */
	while (atomic_load(&busy) > 0)
		sleep_ms(10);
	while (depth > 0)
		destroy(stack[--depth]);
	if (pending != NULL) {
		destroy(pending);
		pending = NULL;
	}
	if (sf != NULL)
		fclose(sf);
	return rc;
}

bool tui_production;

int tui_main(bool production, struct mcuprov_err *err)
{
	const char *script = getenv("MCUPROV_TUI_SCRIPT");
	struct tui_screen *home;
	int rc;

	tui_production = production;
	if (script != NULL && script[0] == '\0')
		script = NULL;
	rc = term_start(script != NULL, err);
	if (rc < 0) {
		term_stop();
		return rc;
	}
	home = screen_home_new();
	if (home == NULL) {
		term_stop();
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	}
	rc = tui_loop(home, script, err);
	term_stop();
	return rc;
}
