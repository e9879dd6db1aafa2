/* mcuprov wizard: Settings: the project file (mcuprov.yaml) at a glance.
 *
 * With a project: a read-only summary from project_load (keys, encryption
 * key, bootloader, image settings, targets), and two actions: edit the file
 * in $VISUAL / $EDITOR / vi (term_run_interactive), then load it again;
 * or replace it from a profile (project_init with force, after a
 * confirmation that defaults to No).  Without one: the profiles of
 * `mcuprov init --list`, and project_init creates the file from the one
 * chosen. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui.h"
#include "mcuprov/project.h"

#define PROJECT_FILE "mcuprov.yaml"

enum mode { M_SUMMARY, M_PROFILES };

enum { ACT_EDIT, ACT_REPLACE, N_ACTS };

enum { D_ERR = 1, D_CREATE, D_REPLACE };

static const char *const acts[N_ACTS] = {
	"Edit mcuprov.yaml",
	"Replace from a profile...",
};

struct settings {
	struct tui_screen s;
	enum mode mode;
	bool has_file;	     /* mcuprov.yaml exists */
	bool loaded;	     /* and loads: summary is set */
	char *summary;	     /* the pane's text */
	char load_msg[1200]; /* the CLI's message when it does not load */
	struct mcuprov_err load_err;
	int top;
	int act;
	/* the profiles (M_PROFILES, or the no-project screen) */
	struct project_profile *prof;
	size_t n_prof;
	bool prof_tried;
	char prof_msg[600];
	int psel, ptop;
};

/* ---- the summary ------------------------------------------------------------ */

static const char *yes_no(bool b)
{
	return b ? "yes" : "no";
}

/* PATH shown relative to DIR when below it. */
static const char *under(const char *dir, const char *path)
{
	size_t l = strlen(dir);

	if (strncmp(path, dir, l) == 0 && path[l] == '/' && path[l + 1] != '\0')
		return path + l + 1;
	return path;
}

/* The summary text of P (malloc'd), or NULL when out of memory.  Values
 * start in column 20 ("label" padded), nested ones under a heading. */
static char *summarize(const struct project *p)
{
	const struct project_target *def = project_target(p, NULL);
	const struct project_image *im = &p->image;
	char *text = NULL;
	size_t len = 0, i;
	int w = 4;
	FILE *f = open_memstream(&text, &len);

	if (f == NULL)
		return NULL;
	fprintf(f, "%-20s%s\n", "file", PROJECT_FILE);
	fprintf(f, "%-20s%s\n", "directory", p->dir);
	fprintf(f, "%-20s%u\n", "version", p->version);
	fprintf(f, "\n");

	for (i = 0; i < p->n_keys; i++)
		if ((int)strlen(p->keys[i].path) > w)
			w = (int)strlen(p->keys[i].path);
	if (w > 40)
		w = 40;
	fprintf(f, "keys (the first signs, the bootloader trusts all)\n");
	for (i = 0; i < p->n_keys; i++)
		fprintf(f, "  %-*s  %-10s%s\n", w, p->keys[i].path, key_type_name(p->keys[i].type),
			i == 0 ? "  signs" : "");
	fprintf(f, "%-20s%s\n", "encryption key", p->encryption_key ? p->encryption_key : "none");
	fprintf(f, "\n");

	if (p->bootloader.kind == PROJECT_BOOT_NONE) {
		fprintf(f, "%-20s%s\n", "bootloader", "none (no bootloader section)");
	} else {
		const char *rel =
			p->bootloader.path != NULL ? under(p->dir, p->bootloader.path) : "";

		fprintf(f, "bootloader\n");
		fprintf(f, "  %-18s%s",
			p->bootloader.kind == PROJECT_BOOT_KEYS_C ? "keys_c" : "conf",
			p->bootloader.file);
		if (rel[0] != '\0' && strcmp(rel, p->bootloader.file) != 0)
			fprintf(f, " (%s)", rel);
		fprintf(f, "\n");
		if (p->bootloader.tree != NULL)
			fprintf(f, "  %-18s%s\n", "tree", p->bootloader.tree);
	}
	fprintf(f, "\n");

	fprintf(f, "image\n");
	fprintf(f, "  %-18s0x%x\n", "header_size", (unsigned)im->header_size);
	fprintf(f, "  %-18s0x%x\n", "slot_size", (unsigned)im->slot_size);
	fprintf(f, "  %-18s%u\n", "align", im->align);
	fprintf(f, "  %-18s%s\n", "version", im->version_text ? im->version_text : "");
	if (!im->has_security_counter)
		fprintf(f, "  %-18s%s\n", "security counter", "none");
	else if (im->security_counter_auto)
		fprintf(f, "  %-18s%s\n", "security counter", "auto (from the version)");
	else
		fprintf(f, "  %-18s%u\n", "security counter", (unsigned)im->security_counter);
	fprintf(f, "  %-18s%s\n", "pad", yes_no(im->pad));
	fprintf(f, "  %-18s%s\n", "confirm", yes_no(im->confirm));
	fprintf(f, "  %-18s%s\n", "pad_header", yes_no(im->pad_header));
	fprintf(f, "\n");

	if (p->n_targets == 0)
		fprintf(f, "%-20s%s\n", "targets", "none");
	else
		fprintf(f, "targets\n");
	for (i = 0; i < p->n_targets; i++) {
		const struct project_target *t = &p->targets[i];

		fprintf(f, "  %-18s%-9s%s%s\n", t->name, t == def ? "default" : "",
			t->board != NULL ? "board " : "", t->board != NULL ? t->board : "");
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

/* (Re)load mcuprov.yaml: the summary, or the CLI's message in load_msg. */
static void load(struct settings *st)
{
	struct project *p = NULL;

	free(st->summary);
	st->summary = NULL;
	st->loaded = false;
	st->load_msg[0] = '\0';
	st->top = 0;
	err_clear(&st->load_err);
	st->has_file = access(PROJECT_FILE, F_OK) == 0;
	if (!st->has_file)
		return;
	if (project_load(PROJECT_FILE, &p, &st->load_err) == 0) {
		st->summary = summarize(p);
		project_free(p);
		if (st->summary != NULL) {
			st->loaded = true;
			return;
		}
		err_set(&st->load_err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	}
	if (st->load_err.subject[0] != '\0')
		snprintf(st->load_msg, sizeof(st->load_msg), "mcuprov: wizard: '%s': %s",
			 st->load_err.subject, st->load_err.msg);
	else
		snprintf(st->load_msg, sizeof(st->load_msg), "mcuprov: wizard: %s",
			 st->load_err.msg);
}

static void load_profiles(struct settings *st)
{
	struct mcuprov_err err;

	if (st->prof_tried)
		return;
	st->prof_tried = true;
	err_clear(&err);
	if (project_profiles(&st->prof, &st->n_prof, &err) < 0)
		snprintf(st->prof_msg, sizeof(st->prof_msg), "mcuprov: wizard: %s", err.msg);
	else if (st->n_prof == 0)
		snprintf(st->prof_msg, sizeof(st->prof_msg),
			 "mcuprov: wizard: no profiles found (set MCUPROV_TEMPLATES)");
}

/* ---- drawing ---------------------------------------------------------------- */

/* rows of the summary pane */
static int pane_rows(void)
{
	return LINES - 9;
}

/* The profile list from row Y down to row BOTTOM (exclusive), then the
 * selected profile's description under it. */
static void draw_profiles(struct settings *st, int y, int bottom)
{
	int rows, i, w = 4;
	size_t k;
	char line[512];

	if (st->prof_msg[0] != '\0') {
		tui_wrap(y, 2, COLS - 4, st->prof_msg, tui_attr(TUI_PAIR_ERROR));
		return;
	}
	for (k = 0; k < st->n_prof; k++)
		if ((int)strlen(st->prof[k].name) > w)
			w = (int)strlen(st->prof[k].name);
	if (w > 24)
		w = 24;
	rows = bottom - y - 3;
	if (rows < 1)
		rows = 1;
	if (st->psel < st->ptop)
		st->ptop = st->psel;
	if (st->psel >= st->ptop + rows)
		st->ptop = st->psel - rows + 1;
	for (i = 0; i < rows && st->ptop + i < (int)st->n_prof; i++) {
		const struct project_profile *pp = &st->prof[st->ptop + i];
		bool sel = st->ptop + i == st->psel;

		snprintf(line, sizeof(line), "%c %-*.*s  %s", sel ? '>' : ' ', w, w, pp->name,
			 pp->description);
		if ((int)strlen(line) > COLS - 4 && COLS > 10)
			snprintf(line + COLS - 7, sizeof(line) - (size_t)(COLS - 7), "...");
		if (sel)
			attron(A_REVERSE);
		mvprintw(y + i, 2, "%-*.*s", COLS - 4, COLS - 4, line);
		if (sel)
			attroff(A_REVERSE);
	}
	y += rows + 1;
	if (st->psel < (int)st->n_prof) {
		snprintf(line, sizeof(line), "%s: %s", st->prof[st->psel].name,
			 st->prof[st->psel].description);
		tui_wrap(y, 2, COLS - 4, line, tui_attr(TUI_PAIR_DIM));
	}
}

static void settings_draw(struct tui_screen *s)
{
	struct settings *st = (struct settings *)s;
	int y = 3, n, rows, i;

	if (st->mode == M_PROFILES || !st->has_file) {
		bool replace = st->has_file;

		tui_frame("Settings", replace ? "Up/Down choose  Enter replace  Esc back  F1 help"
					      : "Up/Down choose  Enter create  Esc back  F1 help");
		if (replace) {
			mvaddstr(y++, 2,
				 "Replace mcuprov.yaml with a profile (your edits in it are "
				 "lost):");
		} else {
			mvaddstr(y++, 2, "no project here: this directory has no mcuprov.yaml");
			y++;
			mvaddstr(y++, 2,
				 "Create mcuprov.yaml from a profile (as `mcuprov init -p "
				 "NAME`):");
		}
		y++;
		draw_profiles(st, y, LINES - 2);
		return;
	}

	tui_frame("Settings",
		  st->loaded ? "Up/Down scroll  Tab action  Enter run  e edit  r replace  Esc back "
			       " F1 help"
			     : "Tab action  Enter run  e edit  r replace  Esc back  F1 help");
	if (st->loaded) {
		rows = pane_rows();
		n = tui_pane_lines(st->summary);
		tui_pane_draw(y, 2, rows, COLS - 4, st->summary, st->top);
		tui_hline(y + rows, 0, COLS);
		if (n > rows)
			mvprintw(y + rows, COLS - 24, " lines %d-%d of %d ", st->top + 1,
				 st->top + rows < n ? st->top + rows : n, n);
	} else {
		mvaddstr(y++, 2, "mcuprov.yaml does not load:");
		y++;
		tui_wrap(y, 2, COLS - 4, st->load_msg, tui_attr(TUI_PAIR_ERROR));
		tui_hline(3 + pane_rows(), 0, COLS);
	}
	y = 3 + pane_rows() + 1;
	for (i = 0; i < N_ACTS; i++) {
		if (i == st->act)
			attron(A_REVERSE);
		mvprintw(y + i, 2, "%c %-28s", i == st->act ? '>' : ' ', acts[i]);
		if (i == st->act)
			attroff(A_REVERSE);
	}
	attron(tui_attr(TUI_PAIR_DIM));
	mvaddnstr(y + st->act, 34,
		  st->act == ACT_EDIT ? "in $VISUAL, else $EDITOR, else vi"
				      : "as mcuprov init --force, after you confirm",
		  COLS - 36);
	attroff(tui_attr(TUI_PAIR_DIM));
}

/* ---- actions ---------------------------------------------------------------- */

/* $VISUAL, else $EDITOR, else vi, split on blanks (no shell), then FILE. */
static char **editor_argv(const char *file)
{
	const char *vars[] = { "VISUAL", "EDITOR" };
	const char *ed = "vi";
	char **argv, *copy, *tok, *save = NULL;
	size_t n = 0, i;

	for (i = 0; i < 2; i++) {
		const char *v = getenv(vars[i]);

		if (v != NULL && v[strspn(v, " \t")] != '\0') {
			ed = v;
			break;
		}
	}
	copy = strdup(ed);
	argv = calloc(strlen(ed) / 2 + 3, sizeof(*argv));
	if (copy == NULL || argv == NULL)
		goto nomem;
	for (tok = strtok_r(copy, " \t", &save); tok != NULL; tok = strtok_r(NULL, " \t", &save))
		if ((argv[n++] = strdup(tok)) == NULL)
			goto nomem;
	if ((argv[n++] = strdup(file)) == NULL)
		goto nomem;
	free(copy);
	return argv;
nomem:
	for (i = 0; argv != NULL && i < n; i++)
		free(argv[i]);
	free(argv);
	free(copy);
	return NULL;
}

static int edit(struct settings *st)
{
	struct mcuprov_err err;
	char **argv = editor_argv(PROJECT_FILE);
	int status = 0, rc;
	size_t i;

	err_clear(&err);
	if (argv == NULL) {
		err_set(&err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		return tui_dialog_error(&st->s, D_ERR, &err);
	}
	rc = term_run_interactive(argv, &status, &err);
	if (rc == 0 && status != 0)
		err_set(&err, MCUPROV_ERR_IO, argv[0], "exited with status %d", status);
	for (i = 0; argv[i] != NULL; i++)
		free(argv[i]);
	free(argv);
	if (rc < 0)
		return tui_dialog_error(&st->s, D_ERR, &err);
	load(st);
	if (st->has_file && !st->loaded)
		return tui_dialog_error(&st->s, D_ERR, &st->load_err);
	if (status != 0)
		return tui_dialog_error(&st->s, D_ERR, &err);
	return TUI_HANDLED;
}

static int ask_profile(struct settings *st)
{
	char text[800];
	const char *name;

	if (st->psel >= (int)st->n_prof)
		return TUI_HANDLED;
	name = st->prof[st->psel].name;
	if (st->has_file) {
		snprintf(text, sizeof(text),
			 "Replace mcuprov.yaml with the profile '%s'? What the file holds now, "
			 "your edits included, is lost.",
			 name);
		return tui_dialog_confirm(&st->s, D_REPLACE, "Replace mcuprov.yaml", text,
					  "Replace", "Keep");
	}
	snprintf(text, sizeof(text),
		 "Create mcuprov.yaml from the profile '%s'? Edit its keys, image layout "
		 "and vars for your board afterwards.",
		 name);
	return tui_dialog_confirm(&st->s, D_CREATE, "Create mcuprov.yaml", text, "Create",
				  "Cancel");
}

static int write_profile(struct settings *st, bool force)
{
	struct mcuprov_err err;

	err_clear(&err);
	if (project_init(st->prof[st->psel].name, PROJECT_FILE, force, &err) < 0) {
		load(st);
		return tui_dialog_error(&st->s, D_ERR, &err);
	}
	st->mode = M_SUMMARY;
	st->act = ACT_EDIT;
	load(st);
	if (st->has_file && !st->loaded)
		return tui_dialog_error(&st->s, D_ERR, &st->load_err);
	return TUI_HANDLED;
}

static bool is_enter(int key)
{
	return key == '\r' || key == '\n' || key == KEY_ENTER;
}

static int run_act(struct settings *st, int act)
{
	if (act == ACT_EDIT)
		return edit(st);
	load_profiles(st);
	st->mode = M_PROFILES;
	st->psel = st->ptop = 0;
	return TUI_HANDLED;
}

static int settings_event(struct tui_screen *s, int key)
{
	struct settings *st = (struct settings *)s;

	if (st->mode == M_PROFILES || !st->has_file) {
		int n = (int)st->n_prof;

		if (key == 27) {
			if (!st->has_file)
				return TUI_BACK;
			st->mode = M_SUMMARY;
			return TUI_HANDLED;
		}
		if (n > 0 && tui_menu_key(key, &st->psel, n))
			return TUI_HANDLED;
		if (n > 0 && key == KEY_PPAGE) {
			st->psel = st->psel > 5 ? st->psel - 5 : 0;
			return TUI_HANDLED;
		}
		if (n > 0 && key == KEY_NPAGE) {
			st->psel = st->psel + 5 < n ? st->psel + 5 : n - 1;
			return TUI_HANDLED;
		}
		if (n > 0 && is_enter(key))
			return ask_profile(st);
		return TUI_UNHANDLED;
	}
	if (key == 27)
		return TUI_BACK;
	if (key == '\t' || key == KEY_BTAB) {
		st->act = (st->act + 1) % N_ACTS;
		return TUI_HANDLED;
	}
	if (is_enter(key))
		return run_act(st, st->act);
	if (key == 'e' || key == 'E')
		return run_act(st, ACT_EDIT);
	if (key == 'r' || key == 'R')
		return run_act(st, ACT_REPLACE);
	if (st->loaded && tui_pane_key(key, &st->top, tui_pane_lines(st->summary), pane_rows()))
		return TUI_HANDLED;
	return TUI_UNHANDLED;
}

static int settings_on_dialog(struct tui_screen *s, int id, bool yes)
{
	struct settings *st = (struct settings *)s;

	if (id == D_CREATE && yes)
		return write_profile(st, false);
	if (id == D_REPLACE && yes)
		return write_profile(st, true);
	return TUI_HANDLED;
}

static void settings_destroy(struct tui_screen *s)
{
	struct settings *st = (struct settings *)s;

	free(st->summary);
	project_profiles_free(st->prof, st->n_prof);
	free(st);
}

struct tui_screen *screen_settings_new(void)
{
	struct settings *st = calloc(1, sizeof(*st));

	if (st == NULL)
		return NULL;
	st->s.title = "Settings";
	st->s.help = "The project file of this directory, mcuprov.yaml, read-only: its keys "
		     "(the first signs), encryption key, bootloader file, image settings and "
		     "targets; Up/Down/PgUp/PgDn scroll. e (Edit mcuprov.yaml) opens it in "
		     "$VISUAL, else $EDITOR, else vi, and loads it again when the editor exits: "
		     "an error is shown with its line and column. r (Replace from a profile) "
		     "writes a profile over it, as `mcuprov init --force`, after you confirm. "
		     "Without a project, choose a profile to create mcuprov.yaml from, as "
		     "`mcuprov init -p NAME`; the schema is in templates/targets/README.md.";
	st->s.draw = settings_draw;
	st->s.event = settings_event;
	st->s.on_dialog = settings_on_dialog;
	st->s.destroy = settings_destroy;
	load(st);
	if (!st->has_file)
		load_profiles(st);
	return &st->s;
}
