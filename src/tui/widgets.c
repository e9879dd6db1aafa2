/* mcuprov wizard: drawing helpers, text fields and dialogs. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include <openssl/crypto.h>

#include "tui.h"

/* ---- UTF-8 text: columns, not bytes ----------------------------------- */

/* The next character of S (at most N bytes): its length in bytes (1 for an
 * invalid or incomplete sequence, shown as one column) and its width. */
static size_t u8_char(const char *s, size_t n, int *cols)
{
	mbstate_t st;
	wchar_t wc;
	size_t l;
	int w;

	memset(&st, 0, sizeof(st));
	l = mbrtowc(&wc, s, n, &st);
	if (l == (size_t)-1 || l == (size_t)-2 || l == 0) {
		*cols = 1;
		return 1;
	}
	w = wcwidth(wc);
	*cols = w < 0 ? 1 : w;
	return l;
}

/* The number of bytes of S (N bytes) that fit in W columns without
 * splitting a character; *used gets their width. */
static size_t u8_fit(const char *s, size_t n, int w, int *used)
{
	size_t o = 0;
	int c = 0, cw;

	while (o < n) {
		size_t l = u8_char(s + o, n - o, &cw);

		if (c + cw > w)
			break;
		c += cw;
		o += l;
	}
	*used = c;
	return o;
}

/* The width in columns of N bytes of S. */
static int u8_width(const char *s, size_t n)
{
	int used;

	u8_fit(s, n, 1 << 30, &used);
	return used;
}

/* ---- lines --------------------------------------------------------------- */

void tui_hline(int y, int x, int w)
{
	switch (tui_term.lines) {
	case TUI_LINES_UTF8: mvhline_set(y, x, WACS_HLINE, w); break;
	case TUI_LINES_ACS: mvhline(y, x, ACS_HLINE, w); break;
	default: mvhline(y, x, '-', w); break;
	}
}

static void tui_vline(int y, int x, int h)
{
	switch (tui_term.lines) {
	case TUI_LINES_UTF8: mvvline_set(y, x, WACS_VLINE, h); break;
	case TUI_LINES_ACS: mvvline(y, x, ACS_VLINE, h); break;
	default: mvvline(y, x, '|', h); break;
	}
}

static void corner(int y, int x, int which)
{
	static const char ascii[] = "++++";

	if (tui_term.lines == TUI_LINES_UTF8) {
		const cchar_t *c[] = { WACS_ULCORNER, WACS_URCORNER, WACS_LLCORNER,
				       WACS_LRCORNER };

		mvadd_wch(y, x, c[which]);
	} else if (tui_term.lines == TUI_LINES_ACS) {
		chtype c[] = { ACS_ULCORNER, ACS_URCORNER, ACS_LLCORNER, ACS_LRCORNER };

		mvaddch(y, x, c[which]);
	} else {
		mvaddch(y, x, (chtype)ascii[which]);
	}
}

void tui_box(int y, int x, int h, int w)
{
	int i;

	for (i = 0; i < h; i++)
		mvhline(y + i, x, ' ', w);
	tui_hline(y, x + 1, w - 2);
	tui_hline(y + h - 1, x + 1, w - 2);
	tui_vline(y + 1, x, h - 2);
	tui_vline(y + 1, x + w - 1, h - 2);
	corner(y, x, 0);
	corner(y, x + w - 1, 1);
	corner(y + h - 1, x, 2);
	corner(y + h - 1, x + w - 1, 3);
}

void tui_frame(const char *title, const char *hints)
{
	attron(tui_attr(TUI_PAIR_TITLE));
	mvprintw(0, 1, "mcuprov wizard");
	attroff(tui_attr(TUI_PAIR_TITLE));
	if (title != NULL)
		printw(" | %s", title);
	tui_hline(1, 0, COLS);
	tui_hline(LINES - 2, 0, COLS);
	if (hints != NULL)
		mvaddnstr(LINES - 1, 1, hints, COLS - 2);
}

int tui_wrap(int y, int x, int w, const char *text, int attr)
{
	const char *p = text;
	int lines = 0;

	if (attr)
		attron(attr);
	while (*p != '\0') {
		int len = 0, cut = -1, cols = 0, cw;

		while (p[len] != '\0' && p[len] != '\n') {
			size_t l = u8_char(p + len, strlen(p + len), &cw);

			if (cols + cw > w)
				break;
			if (p[len] == ' ')
				cut = len;
			cols += cw;
			len += (int)l;
		}
		if (p[len] != '\0' && p[len] != '\n' && p[len] != ' ' && cut > 0)
			len = cut;
		mvaddnstr(y + lines, x, p, len);
		lines++;
		p += len;
		if (*p == ' ' || *p == '\n')
			p++;
	}
	if (attr)
		attroff(attr);
	return lines;
}

void tui_menu(int y, int x, int w, const char *const *items, int n, int sel)
{
	int i;

	for (i = 0; i < n; i++) {
		if (i == sel)
			attron(A_REVERSE);
		mvprintw(y + i, x, "%c %-*.*s", i == sel ? '>' : ' ', w - 2, w - 2, items[i]);
		if (i == sel)
			attroff(A_REVERSE);
	}
}

bool tui_menu_key(int key, int *sel, int n)
{
	switch (key) {
	case KEY_UP:
	case KEY_BTAB:
		*sel = (*sel + n - 1) % n;
		return true;
	case KEY_DOWN:
	case '\t':
		*sel = (*sel + 1) % n;
		return true;
	case KEY_HOME: *sel = 0; return true;
	case KEY_END: *sel = n - 1; return true;
	default: return false;
	}
}

/* ---- text fields ------------------------------------------------------ */

void tui_field_set(struct tui_field *f, const char *text)
{
	tui_field_clear(f);
	snprintf(f->buf, sizeof(f->buf), "%s", text);
	f->len = strlen(f->buf);
}

void tui_field_clear(struct tui_field *f)
{
	OPENSSL_cleanse(f->buf, sizeof(f->buf));
	f->len = 0;
}

bool tui_field_key(struct tui_field *f, int key)
{
	if (key == KEY_BACKSPACE || key == 127 || key == 8) {
		/* a whole UTF-8 character */
		while (f->len > 0 && ((unsigned char)f->buf[f->len - 1] & 0xc0) == 0x80)
			f->buf[--f->len] = '\0';
		if (f->len > 0)
			f->buf[--f->len] = '\0';
		return true;
	}
	if (key == 21) { /* Ctrl-U */
		tui_field_clear(f);
		return true;
	}
	if (key >= 0x20 && key <= 0xff && key != 127) {
		if (f->len < PASSWD_MAX) {
			f->buf[f->len++] = (char)key;
			f->buf[f->len] = '\0';
		}
		return true;
	}
	return false;
}

void tui_field_draw(const struct tui_field *f, int y, int x, int w, bool focus)
{
	const char *shown = f->secret ? "" : f->buf;
	size_t len = strlen(shown), off = 0;
	int used;

	/* the tail that fits in W - 1 columns (one is the cursor's), starting
	 * on a character boundary */
	while (off < len && u8_width(shown + off, len - off) > w - 1) {
		int cw;

		off += u8_char(shown + off, len - off, &cw);
	}
	u8_fit(shown + off, len - off, w - 1, &used);
	mvaddch(y, x - 1, '[');
	mvhline(y, x, '_', w);
	mvaddch(y, x + w, ']');
	mvaddnstr(y, x, shown + off, (int)(len - off));
	if (focus) {
		attron(A_REVERSE);
		mvaddch(y, x + used, ' ');
		attroff(A_REVERSE);
	}
}

/* ---- dialogs ------------------------------------------------------------ */

struct dialog {
	struct tui_screen s;
	char title[64];
	char text[2048];
	char yes[32], no[32]; /* no[0] == 0: a single OK button */
	int sel;              /* 0: yes/OK, 1: no */
	int attr;
};

static void dialog_draw(struct tui_screen *s)
{
	struct dialog *d = (struct dialog *)s;
	int w = 64, x = (COLS - w) / 2, h, y, lines, bx;

	/* measure the text: wrap into an off-screen count */
	{
		const char *p = d->text;
		int tw = w - 4;

		lines = 0;
		while (*p != '\0') {
			int len = 0, cut = -1;

			while (p[len] != '\0' && p[len] != '\n' && len < tw) {
				if (p[len] == ' ')
					cut = len;
				len++;
			}
			if (p[len] != '\0' && p[len] != '\n' && p[len] != ' ' && cut > 0)
				len = cut;
			lines++;
			p += len;
			if (*p == ' ' || *p == '\n')
				p++;
		}
	}
	if (lines > LINES - 8)
		lines = LINES - 8;
	h = lines + 5;
	y = (LINES - h) / 2;
	tui_box(y, x, h, w);
	attron(d->attr | A_BOLD);
	mvprintw(y, x + 2, " %s ", d->title);
	attroff(d->attr | A_BOLD);
	tui_wrap(y + 2, x + 2, w - 4, d->text, 0);
	if (d->no[0] == '\0') {
		bx = x + (w - (int)strlen(d->yes) - 4) / 2;
		attron(A_REVERSE);
		mvprintw(y + h - 2, bx, "[ %s ]", d->yes);
		attroff(A_REVERSE);
	} else {
		bx = x + (w - (int)strlen(d->yes) - (int)strlen(d->no) - 11) / 2;
		if (d->sel == 0)
			attron(A_REVERSE);
		mvprintw(y + h - 2, bx, "[ %s ]", d->yes);
		if (d->sel == 0)
			attroff(A_REVERSE);
		if (d->sel == 1)
			attron(A_REVERSE);
		mvprintw(y + h - 2, bx + (int)strlen(d->yes) + 7, "[ %s ]", d->no);
		if (d->sel == 1)
			attroff(A_REVERSE);
	}
}

static int dialog_event(struct tui_screen *s, int key)
{
	struct dialog *d = (struct dialog *)s;

	switch (key) {
	case '\r':
	case '\n':
	case KEY_ENTER:
		s->answer = d->no[0] == '\0' || d->sel == 0;
		return TUI_BACK;
	case 27:
		s->answer = d->no[0] == '\0';
		return TUI_BACK;
	case KEY_LEFT:
	case KEY_RIGHT:
	case '\t':
	case KEY_BTAB:
		if (d->no[0] != '\0')
			d->sel = !d->sel;
		return TUI_HANDLED;
	case 'y':
		if (d->no[0] != '\0') {
			s->answer = true;
			return TUI_BACK;
		}
		return TUI_HANDLED;
	case 'n':
		if (d->no[0] != '\0') {
			s->answer = false;
			return TUI_BACK;
		}
		return TUI_HANDLED;
	default:
		return TUI_HANDLED; /* modal */
	}
}

static struct dialog *dialog_new(struct tui_screen *parent, int id, const char *title,
				 const char *text, const char *yes, const char *no)
{
	struct dialog *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return NULL;
	d->s.title = title;
	d->s.overlay = true;
	d->s.draw = dialog_draw;
	d->s.event = dialog_event;
	d->s.parent = parent;
	d->s.dialog_id = id;
	snprintf(d->title, sizeof(d->title), "%s", title);
	d->s.title = d->title;
	snprintf(d->text, sizeof(d->text), "%s", text);
	snprintf(d->yes, sizeof(d->yes), "%s", yes);
	snprintf(d->no, sizeof(d->no), "%s", no ? no : "");
	d->sel = 0;
	return d;
}

int tui_dialog_info(struct tui_screen *parent, int id, const char *title, const char *text)
{
	struct dialog *d = dialog_new(parent, id, title, text, "OK", NULL);

	tui_push(d ? &d->s : NULL);
	return TUI_NEXT;
}

int tui_dialog_error(struct tui_screen *parent, int id, const struct mcuprov_err *err)
{
	char text[1200];
	struct dialog *d;

	if (err->subject[0] != '\0')
		snprintf(text, sizeof(text), "mcuprov: wizard: '%s': %s", err->subject, err->msg);
	else
		snprintf(text, sizeof(text), "mcuprov: wizard: %s", err->msg);
	d = dialog_new(parent, id, "Error", text, "OK", NULL);
	if (d != NULL)
		d->attr = tui_attr(TUI_PAIR_ERROR);
	tui_push(d ? &d->s : NULL);
	return TUI_NEXT;
}

int tui_dialog_confirm(struct tui_screen *parent, int id, const char *title, const char *text,
		       const char *yes, const char *no)
{
	struct dialog *d = dialog_new(parent, id, title, text, yes, no);

	if (d != NULL) {
		d->attr = tui_attr(TUI_PAIR_WARN);
		d->sel = 1; /* destructive choices are never the default */
	}
	tui_push(d ? &d->s : NULL);
	return TUI_NEXT;
}

int tui_dialog_ask(struct tui_screen *parent, int id, const char *title, const char *text,
		   const char *yes, const char *no)
{
	struct dialog *d = dialog_new(parent, id, title, text, yes, no);

	if (d != NULL)
		d->sel = 0; /* nothing is lost either way: the step asked for */
	tui_push(d ? &d->s : NULL);
	return TUI_NEXT;
}

int tui_dialog_stub(struct tui_screen *parent, const char *what, const char *cmd)
{
	char text[256];

	snprintf(text, sizeof(text), "%s: not in this version yet - use `mcuprov %s`", what, cmd);
	return tui_dialog_info(parent, TUI_DIALOG_INFO, "Not yet", text);
}

struct tui_screen *tui_help_screen(struct tui_screen *s)
{
	char text[2048];
	struct dialog *d;

	snprintf(text, sizeof(text),
		 "%s\n\nEverywhere: arrows, Tab and Shift-Tab move; Enter chooses; Esc goes "
		 "back; ? or F1 shows this help; q on Home quits.",
		 s->help);
	d = dialog_new(NULL, 0, "Help", text, "OK", NULL);
	if (d != NULL) {
		snprintf(d->title, sizeof(d->title), "Help: %s", s->title);
		d->attr = tui_attr(TUI_PAIR_TITLE);
	}
	return d ? &d->s : NULL;
}

/* ---- scrollable text pane ------------------------------------------------ */

int tui_pane_lines(const char *text)
{
	int n = 0;

	for (; text != NULL && *text != '\0'; text++)
		if (*text == '\n' || text[1] == '\0')
			n++;
	return n;
}

void tui_pane_draw(int y, int x, int h, int w, const char *text, int top)
{
	const char *p = text;
	char line[1024];
	int i = 0, row = 0;

	while (p != NULL && *p != '\0' && row < h) {
		const char *e = strchr(p, '\n');
		size_t n = e != NULL ? (size_t)(e - p) : strlen(p);

		if (i++ >= top) {
			size_t k, o = 0;
			int attr = 0, col = 0, cw;

			/* expand tabs, drop other control characters, clip to W
			 * columns (UTF-8 characters whole) */
			for (k = 0; k < n && col < w && o < sizeof(line) - 8;) {
				if (p[k] == '\t') {
					do
						line[o++] = ' ', col++;
					while (col % 8 != 0 && col < w && o < sizeof(line) - 8);
					k++;
				} else if ((unsigned char)p[k] < 0x20 || p[k] == 0x7f) {
					k++;
				} else {
					size_t l = u8_char(p + k, n - k, &cw);

					if (col + cw > w)
						break;
					memcpy(line + o, p + k, l);
					o += l, k += l, col += cw;
				}
			}
			line[o] = '\0';
			if (n > 0 && p[0] == '+' && (n < 3 || strncmp(p, "+++", 3) != 0))
				attr = tui_attr(TUI_PAIR_OK);
			else if (n > 0 && p[0] == '-' && (n < 3 || strncmp(p, "---", 3) != 0))
				attr = tui_attr(TUI_PAIR_ERROR);
			if (attr)
				attron(attr);
			mvaddstr(y + row, x, line);
			if (attr)
				attroff(attr);
			row++;
		}
		p = e != NULL ? e + 1 : p + n;
	}
}

bool tui_pane_key(int key, int *top, int total, int h)
{
	int max = total > h ? total - h : 0;

	switch (key) {
	case KEY_UP: *top -= 1; break;
	case KEY_DOWN: *top += 1; break;
	case KEY_PPAGE: *top -= h > 1 ? h - 1 : 1; break;
	case KEY_NPAGE: *top += h > 1 ? h - 1 : 1; break;
	case KEY_HOME: *top = 0; break;
	case KEY_END: *top = max; break;
	default: return false;
	}
	if (*top > max)
		*top = max;
	if (*top < 0)
		*top = 0;
	return true;
}

int tui_pw_cb(char *buf, size_t size, void *arg)
{
	struct tui_pw *a = arg;
	size_t n;

	a->asked = true;
	if (a->pw == NULL)
		return -1;
	n = strlen(a->pw);
	if (n >= size)
		return -1;
	memcpy(buf, a->pw, n + 1);
	return (int)n;
}
