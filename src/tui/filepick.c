/* mcuprov wizard: the file browser behind every path field (Ctrl-O / F2).
 *
 * A full screen pushed over the screen that owns the field.  It lists one
 * directory at a time (".." first, then directories, then files), filters
 * files by suffix until Tab shows them all, hides dotfiles until '.' shows
 * them, and on Enter over a file sets the field and closes the way the
 * dialogs of widgets.c do: s.parent/dialog_id/answer set, TUI_BACK, and
 * the loop calls the owner's on_dialog(id, yes).  s.parent stays NULL
 * while the browser is open so that the loop's ?/F1 help works on it. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#include "tui.h"
#include "mcuprov/fileio.h"

#define FP_MAX_ENTRIES 10000 /* listed per directory; more gives a note */

bool tui_is_browse_key(int key)
{
	return key == 15 || key == KEY_F(2);
}

struct fp_entry {
	char *name;
	bool is_dir;
	bool is_parent; /* ".." */
	bool stat_ok;	/* size and mode known (not a dangling link) */
	off_t size;
	mode_t mode;
};

struct filepick {
	struct tui_screen s;
	struct tui_screen *owner; /* gets on_dialog(id, yes) */
	int id;
	struct tui_field *f;
	char title[64];
	char **exts; /* NULL-terminated copies, or NULL: no filter */
	char *dir;   /* absolute, no trailing '/' (except "/") */
	struct fp_entry *v;
	size_t n;
	bool truncated; /* more than FP_MAX_ENTRIES */
	bool all_files; /* Tab: the filter is off */
	bool hidden;	/* '.': dotfiles listed */
	int sel, top;
	char msg[1200]; /* an error (or a note) under the list */
};

/* ---- helpers -------------------------------------------------------------- */

static void entries_free(struct fp_entry *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* DIR/NAME, malloc'd. */
static char *path_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	bool slash = a > 0 && dir[a - 1] == '/';
	char *p = malloc(a + b + 2);

	if (p != NULL)
		snprintf(p, a + b + 2, "%s%s%s", dir, slash ? "" : "/", name);
	return p;
}

/* The parent of the absolute DIR, malloc'd, or NULL for "/". */
static char *path_parent(const char *dir)
{
	const char *e = strrchr(dir, '/');

	if (e == NULL || strcmp(dir, "/") == 0)
		return NULL;
	if (e == dir)
		return strdup("/");
	return strndup(dir, (size_t)(e - dir));
}

static bool ext_match(const struct filepick *fp, const char *name)
{
	size_t n = strlen(name), i;

	if (fp->exts == NULL || fp->all_files)
		return true;
	for (i = 0; fp->exts[i] != NULL; i++) {
		size_t e = strlen(fp->exts[i]);

		if (n >= e && strcasecmp(name + n - e, fp->exts[i]) == 0)
			return true;
	}
	return false;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct fp_entry *x = a, *y = b;
	int c;

	if (x->is_parent != y->is_parent)
		return x->is_parent ? -1 : 1;
	if (x->is_dir != y->is_dir)
		return x->is_dir ? -1 : 1;
	c = strcasecmp(x->name, y->name);
	return c != 0 ? c : strcmp(x->name, y->name);
}

/* Add an entry; false when out of memory. */
static bool entry_add(struct fp_entry **v, size_t *n, size_t *cap, const char *name, bool is_dir,
		      bool is_parent, const struct stat *st)
{
	struct fp_entry *e;

	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		struct fp_entry *nv = realloc(*v, c * sizeof(*nv));

		if (nv == NULL)
			return false;
		*v = nv;
		*cap = c;
	}
	e = &(*v)[*n];
	memset(e, 0, sizeof(*e));
	e->name = strdup(name);
	if (e->name == NULL)
		return false;
	e->is_dir = is_dir;
	e->is_parent = is_parent;
	if (st != NULL) {
		e->stat_ok = true;
		e->size = st->st_size;
		e->mode = st->st_mode;
	}
	(*n)++;
	return true;
}

/* List DIR (absolute) into FP with the current filters; on success FP's
 * directory becomes DIR (taken over) and SELECT (or the first entry) is
 * selected.  On failure FP is unchanged, DIR freed and FP->msg says why. */
static int load_dir(struct filepick *fp, char *dir, const char *select)
{
	struct fp_entry *v = NULL;
	size_t n = 0, cap = 0, i;
	bool truncated = false;
	struct dirent *de;
	DIR *dh;
	int fd;

	dh = opendir(dir);
	if (dh == NULL) {
		snprintf(fp->msg, sizeof(fp->msg), "cannot open '%s': %s", dir, strerror(errno));
		if (fp->dir != dir)
			free(dir);
		return -1;
	}
	fd = dirfd(dh);
	if (strcmp(dir, "/") != 0 && !entry_add(&v, &n, &cap, "..", true, true, NULL))
		goto nomem;
	while ((de = readdir(dh)) != NULL) {
		struct stat st;
		bool ok;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (de->d_name[0] == '.' && !fp->hidden)
			continue;
		/* follow links: a link to a directory is entered like one */
		ok = fstatat(fd, de->d_name, &st, 0) == 0;
		if (!ok && fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0)
			continue;
		if (ok && S_ISDIR(st.st_mode)) {
			if (n >= FP_MAX_ENTRIES) {
				truncated = true;
				continue;
			}
			if (!entry_add(&v, &n, &cap, de->d_name, true, false, &st))
				goto nomem;
			continue;
		}
		/* only regular files (and dangling links, to be told so) */
		if ((ok && !S_ISREG(st.st_mode)) || !ext_match(fp, de->d_name))
			continue;
		if (n >= FP_MAX_ENTRIES) {
			truncated = true;
			continue;
		}
		if (!entry_add(&v, &n, &cap, de->d_name, false, false, ok ? &st : NULL))
			goto nomem;
	}
	closedir(dh);
	qsort(v, n, sizeof(*v), entry_cmp);

	entries_free(fp->v, fp->n);
	fp->v = v;
	fp->n = n;
	fp->truncated = truncated;
	if (fp->dir != dir) {
		free(fp->dir);
		fp->dir = dir;
	}
	fp->sel = 0;
	fp->top = 0;
	for (i = 0; select != NULL && i < n; i++)
		if (strcmp(v[i].name, select) == 0)
			fp->sel = (int)i;
	return 0;
nomem:
	closedir(dh);
	entries_free(v, n);
	snprintf(fp->msg, sizeof(fp->msg), "cannot list '%s': out of memory", dir);
	if (fp->dir != dir)
		free(dir);
	return -1;
}

/* Re-read the current directory (after a filter change), keeping the
 * selected name when it is still listed. */
static void reload(struct filepick *fp)
{
	char *keep = fp->n > 0 ? strdup(fp->v[fp->sel].name) : NULL;

	fp->msg[0] = '\0';
	load_dir(fp, fp->dir, keep);
	free(keep);
}

/* The first directory that opens among: F's text when it is a directory,
 * its directory part, START, the working directory; "/" at worst. */
static void load_first(struct filepick *fp, const char *start)
{
	const char *text = fp->f != NULL ? fp->f->buf : "";
	char *cand[4] = { NULL, NULL, NULL, NULL };
	const char *select = NULL;
	char first_err[sizeof(fp->msg)] = "";
	struct stat st;
	size_t i;

	if (text[0] != '\0') {
		if (stat(text, &st) == 0 && S_ISDIR(st.st_mode)) {
			cand[0] = strdup(text);
		} else {
			const char *slash = strrchr(text, '/');

			cand[0] = slash == NULL	  ? strdup(".")
				  : slash == text ? strdup("/")
						  : strndup(text, (size_t)(slash - text));
			select = slash != NULL ? slash + 1 : text;
		}
	}
	if (start != NULL)
		cand[1] = strdup(start);
	cand[2] = strdup(".");
	cand[3] = strdup("/");
	for (i = 0; i < 4; i++) {
		char *abs;

		if (cand[i] == NULL || (abs = realpath(cand[i], NULL)) == NULL)
			continue;
		if (stat(abs, &st) != 0 || !S_ISDIR(st.st_mode)) {
			free(abs);
			continue;
		}
		if (load_dir(fp, abs, i == 0 ? select : NULL) == 0)
			break;
		if (first_err[0] == '\0')
			snprintf(first_err, sizeof(first_err), "%s", fp->msg);
	}
	for (i = 0; i < 4; i++)
		free(cand[i]);
	snprintf(fp->msg, sizeof(fp->msg), "%s", first_err);
	if (fp->dir == NULL)
		fp->dir = strdup("/");
}

/* ---- drawing -------------------------------------------------------------- */

/* S as at most W columns at (Y, X): control characters and invalid bytes
 * shown as '?'; when too long clipped on the right (LEFT: on the left)
 * with "...".  Returns the columns used. */
static int put_clipped(int y, int x, int w, const char *s, bool left)
{
	size_t n = strlen(s), i = 0, k = 0, start;
	wchar_t *wc;
	int *cw, total = 0, used = 0;
	mbstate_t ms;

	if (w <= 0)
		return 0;
	wc = malloc((n + 1) * sizeof(*wc));
	cw = malloc((n + 1) * sizeof(*cw));
	if (wc == NULL || cw == NULL) {
		free(wc);
		free(cw);
		return 0;
	}
	memset(&ms, 0, sizeof(ms));
	while (i < n) {
		wchar_t c;
		size_t r = mbrtowc(&c, s + i, n - i, &ms);
		int width;

		if (r == (size_t)-1 || r == (size_t)-2 || r == 0) {
			memset(&ms, 0, sizeof(ms));
			c = L'?';
			r = 1;
		}
		width = wcwidth(c);
		if (width < 0 || c < 0x20 || c == 0x7f) {
			c = L'?';
			width = 1;
		}
		wc[k] = c;
		cw[k++] = width;
		total += width;
		i += r;
	}
	start = 0;
	if (total > w && w > 3) {
		int room = w - 3;

		if (left) {
			size_t j = k;

			while (j > 0 && used + cw[j - 1] <= room)
				used += cw[--j];
			start = j;
			mvaddstr(y, x, "...");
			mvaddnwstr(y, x + 3, wc + start, (int)(k - start));
			used += 3;
		} else {
			size_t j = 0;

			while (j < k && used + cw[j] <= room)
				used += cw[j++];
			mvaddnwstr(y, x, wc, (int)j);
			mvaddstr(y, x + used, "...");
			used += 3;
		}
	} else {
		size_t j = 0;

		while (j < k && used + cw[j] <= w)
			used += cw[j++];
		mvaddnwstr(y, x, wc, (int)j);
	}
	free(wc);
	free(cw);
	return used;
}

/* 1234 -> "1.2 KiB" */
static void human_size(char *out, size_t n, off_t size)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)size;
	int u = -1;

	if (size < 1024) {
		snprintf(out, n, "%lld B", (long long)size);
		return;
	}
	while (v >= 1024.0 && u < 4) {
		v /= 1024.0;
		u++;
	}
	snprintf(out, n, "%.1f %s", v, units[u]);
}

/* rows of the list */
static int list_top(void)
{
	return 5;
}

static int list_rows(void)
{
	int r = LINES - 4 - list_top();

	return r > 1 ? r : 1;
}

static void keep_visible(struct filepick *fp)
{
	int rows = list_rows();

	if (fp->sel >= (int)fp->n)
		fp->sel = fp->n > 0 ? (int)fp->n - 1 : 0;
	if (fp->sel < 0)
		fp->sel = 0;
	if (fp->sel < fp->top)
		fp->top = fp->sel;
	if (fp->sel >= fp->top + rows)
		fp->top = fp->sel - rows + 1;
	if (fp->top < 0)
		fp->top = 0;
}

static void filepick_draw(struct tui_screen *s)
{
	struct filepick *fp = (struct filepick *)s;
	char filter[256], line[400], right[64], size[32];
	int rows = list_rows(), y, i, name_w, x;
	size_t o = 0, k;
	bool has_files = false;

	tui_frame(fp->title,
		  "Enter open  Bksp up  Tab filter  . dotfiles  a-z jump  Esc cancel  F1 help");
	put_clipped(2, 2, COLS - 4, fp->dir, true);

	filter[0] = '\0';
	for (k = 0; fp->exts != NULL && fp->exts[k] != NULL && o < sizeof(filter); k++)
		o += (size_t)snprintf(filter + o, sizeof(filter) - o, "%s*%s", k ? " " : "",
				      fp->exts[k]);
	if (fp->exts == NULL)
		snprintf(line, sizeof(line), "files: all   dotfiles: %s [.]",
			 fp->hidden ? "shown" : "hidden");
	else if (fp->all_files)
		snprintf(line, sizeof(line), "files: all [Tab: %s]   dotfiles: %s [.]", filter,
			 fp->hidden ? "shown" : "hidden");
	else
		snprintf(line, sizeof(line), "files: %s [Tab: all]   dotfiles: %s [.]", filter,
			 fp->hidden ? "shown" : "hidden");
	put_clipped(3, 2, COLS - 4, line, false);
	tui_hline(4, 0, COLS);
	snprintf(right, sizeof(right), " %d/%zu ", fp->n ? fp->sel + 1 : 0, fp->n);
	mvaddstr(4, COLS - 2 - (int)strlen(right), right);

	keep_visible(fp);
	/* "> name   size  mode 0644" */
	name_w = COLS - 4 - 2 - 11 - 11;
	for (i = 0; i < rows && fp->top + i < (int)fp->n; i++) {
		const struct fp_entry *e = &fp->v[fp->top + i];
		bool sel = fp->top + i == fp->sel;

		y = list_top() + i;
		if (sel) {
			attron(A_REVERSE);
			mvprintw(y, 2, ">%*s", COLS - 5, "");
		}
		x = 4 + put_clipped(y, 4, e->is_dir ? name_w - 1 : name_w, e->name, false);
		if (e->is_dir)
			mvaddch(y, x, '/');
		if (!e->is_dir) {
			if (e->stat_ok)
				human_size(size, sizeof(size), e->size);
			else
				snprintf(size, sizeof(size), "(broken link)");
			mvprintw(y, 4 + name_w, " %10s", size);
		}
		if (sel)
			attroff(A_REVERSE);
		if (!e->is_dir && e->stat_ok && (e->mode & 077) != 0) {
			attron(tui_attr(TUI_PAIR_WARN) | (sel ? A_REVERSE : 0));
			mvprintw(y, 4 + name_w + 11, " mode %04o", (unsigned)(e->mode & 07777));
			attroff(tui_attr(TUI_PAIR_WARN) | (sel ? A_REVERSE : 0));
		}
	}
	for (k = 0; k < fp->n && !has_files; k++)
		has_files = !fp->v[k].is_dir;
	if (!has_files && (int)fp->n + 1 < rows) {
		attron(tui_attr(TUI_PAIR_DIM));
		mvaddnstr(list_top() + (int)fp->n + 1, 4,
			  fp->exts != NULL && !fp->all_files
				  ? "no matching files here - Tab lists all files"
				  : "no files here",
			  COLS - 8);
		attroff(tui_attr(TUI_PAIR_DIM));
	}
	y = LINES - 3;
	if (fp->msg[0] != '\0') {
		attron(tui_attr(TUI_PAIR_ERROR));
		put_clipped(y, 2, COLS - 4, fp->msg, false);
		attroff(tui_attr(TUI_PAIR_ERROR));
	} else if (fp->truncated) {
		attron(tui_attr(TUI_PAIR_WARN));
		mvprintw(y, 2, "only the first %d entries are listed", FP_MAX_ENTRIES);
		attroff(tui_attr(TUI_PAIR_WARN));
	}
}

/* ---- keys ----------------------------------------------------------------- */

static int finish(struct filepick *fp, bool yes)
{
	fp->s.parent = fp->owner;
	fp->s.dialog_id = fp->id;
	fp->s.answer = yes;
	return TUI_BACK;
}

/* The path to put in the field: relative to the working directory when
 * below it, else absolute. */
static int choose(struct filepick *fp, const struct fp_entry *e)
{
	char *abs = path_join(fp->dir, e->name);
	char shown[PASSWD_BUF + 8];

	if (abs == NULL) {
		snprintf(fp->msg, sizeof(fp->msg), "out of memory");
		return TUI_HANDLED;
	}
	file_rel_cwd(abs, shown, sizeof(shown));
	if (strlen(shown) > PASSWD_MAX) {
		snprintf(fp->msg, sizeof(fp->msg),
			 "'%.200s...': the path is too long (%d bytes at most)", shown, PASSWD_MAX);
		free(abs);
		return TUI_HANDLED;
	}
	if (fp->f != NULL)
		tui_field_set(fp->f, shown);
	free(abs);
	return finish(fp, true);
}

static void go_up(struct filepick *fp)
{
	char *parent = path_parent(fp->dir);
	const char *base = strrchr(fp->dir, '/');
	char *from = base != NULL ? strdup(base + 1) : NULL;

	if (parent == NULL) {
		free(from);
		return;
	}
	fp->msg[0] = '\0';
	load_dir(fp, parent, from);
	free(from);
}

static void enter_dir(struct filepick *fp, const struct fp_entry *e)
{
	char *dir;

	if (e->is_parent) {
		go_up(fp);
		return;
	}
	dir = path_join(fp->dir, e->name);
	fp->msg[0] = '\0';
	if (dir == NULL)
		snprintf(fp->msg, sizeof(fp->msg), "out of memory");
	else
		load_dir(fp, dir, NULL);
}

/* The next entry after the selection starting with C (any case). */
static void jump(struct filepick *fp, int c)
{
	size_t i, n = fp->n;

	for (i = 1; i <= n; i++) {
		size_t j = ((size_t)fp->sel + i) % n;

		if (!fp->v[j].is_parent && tolower((unsigned char)fp->v[j].name[0]) == tolower(c)) {
			fp->sel = (int)j;
			return;
		}
	}
}

static int filepick_event(struct tui_screen *s, int key)
{
	struct filepick *fp = (struct filepick *)s;
	int rows = list_rows(), last = fp->n > 0 ? (int)fp->n - 1 : 0;

	switch (key) {
	case 27: return finish(fp, false);
	case KEY_UP: fp->sel = fp->sel > 0 ? fp->sel - 1 : 0; break;
	case KEY_DOWN: fp->sel = fp->sel < last ? fp->sel + 1 : last; break;
	case KEY_PPAGE: fp->sel = fp->sel > rows - 1 ? fp->sel - (rows - 1) : 0; break;
	case KEY_NPAGE: fp->sel = fp->sel + rows - 1 < last ? fp->sel + rows - 1 : last; break;
	case KEY_HOME: fp->sel = 0; break;
	case KEY_END: fp->sel = last; break;
	case '\r':
	case '\n':
	case KEY_ENTER:
	case KEY_RIGHT:
		if (fp->n == 0)
			break;
		if (fp->v[fp->sel].is_dir)
			enter_dir(fp, &fp->v[fp->sel]);
		else if (key != KEY_RIGHT)
			return choose(fp, &fp->v[fp->sel]);
		break;
	case KEY_BACKSPACE:
	case 127:
	case 8:
	case KEY_LEFT: go_up(fp); break;
	case '\t':
		if (fp->exts != NULL) {
			fp->all_files = !fp->all_files;
			reload(fp);
		}
		break;
	case '.':
		fp->hidden = !fp->hidden;
		reload(fp);
		break;
	default:
		if (key >= 0 && key < 0x80 && isalnum(key)) {
			jump(fp, key);
			break;
		}
		return TUI_UNHANDLED;
	}
	keep_visible(fp);
	return TUI_HANDLED;
}

static void filepick_destroy(struct tui_screen *s)
{
	struct filepick *fp = (struct filepick *)s;
	size_t i;

	for (i = 0; fp->exts != NULL && fp->exts[i] != NULL; i++)
		free(fp->exts[i]);
	free(fp->exts);
	entries_free(fp->v, fp->n);
	free(fp->dir);
	free(fp);
}

int tui_filepick(struct tui_screen *parent, int id, const char *title, const char *start,
		 const char *const *exts, struct tui_field *f)
{
	struct filepick *fp = calloc(1, sizeof(*fp));
	size_t n = 0, i;

	if (fp == NULL)
		goto nomem;
	fp->s.help = "Choose a file. Up/Down, PgUp/PgDn, Home/End move; Enter opens a "
		     "directory or chooses a file; Left or Backspace goes to the parent "
		     "directory; a letter jumps to the next name starting with it. Tab switches "
		     "between the files this field expects and all files; '.' shows or hides "
		     "dotfiles. Sizes are shown, and \"mode 0644\" marks files that group or "
		     "others can access (keep private keys 0600). Esc leaves the field as it "
		     "was.";
	fp->s.draw = filepick_draw;
	fp->s.event = filepick_event;
	fp->s.destroy = filepick_destroy;
	fp->owner = parent;
	fp->id = id;
	fp->f = f;
	snprintf(fp->title, sizeof(fp->title), "%s", title != NULL ? title : "Choose a file");
	fp->s.title = fp->title;
	if (exts != NULL) {
		while (exts[n] != NULL)
			n++;
		fp->exts = calloc(n + 1, sizeof(*fp->exts));
		if (fp->exts == NULL)
			goto nomem;
		for (i = 0; i < n; i++)
			if ((fp->exts[i] = strdup(exts[i])) == NULL)
				goto nomem;
	}
	load_first(fp, start);
	if (fp->dir == NULL)
		goto nomem;
	tui_push(&fp->s);
	return TUI_NEXT;
nomem:
	if (fp != NULL)
		filepick_destroy(&fp->s);
	{
		struct mcuprov_err err;

		err_set(&err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		return tui_dialog_error(parent, id, &err);
	}
}
