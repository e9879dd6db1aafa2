/* mcuprov wizard: Settings: the project file (mcuprov.yaml) at a glance.
 *
 * With a project: a read-only summary from project_load (keys, encryption
 * key, bootloader, image settings, targets), and two actions: edit the file
 * in $VISUAL / $EDITOR / vi (term_run_interactive), then load it again;
 * or replace it from a profile (project_create with force, after a
 * confirmation that defaults to No).  Without one: the profiles of
 * `mcuprov init --list`; the one chosen opens a form (what the profile
 * needs you to supply: where it is, checked, and written into the project
 * when the profile's "# supply:" line names its var; the key type; your
 * key file, optional), and project_create makes the project as `mcuprov
 * init -p NAME -t TYPE -k KEY --supply DIR` does, after a confirmation
 * that defaults to Create (nothing is replaced).  Either answer says what
 * happened. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui.h"
#include "mcuprov/pkcs11.h"
#include "mcuprov/fileio.h"
#include "mcuprov/project.h"

#define PROJECT_FILE "mcuprov.yaml"

enum mode { M_SUMMARY, M_PROFILES, M_CREATE };

enum { ACT_EDIT, ACT_REPLACE, N_ACTS };

enum { D_ERR = 1, D_CREATE, D_REPLACE, D_MISSING, D_PICK_NEED, D_PICK_KEY };

/* the create form's items */
enum { F_NEED, F_TYPE, F_KEY, F_CREATE, N_FIELDS };

/* the type choices: the default (the key file's, else the profile's), then
 * the signing types */
static const enum key_type type_choices[] = { KEY_TYPE_NONE, KEY_ED25519, KEY_ECDSA_P256,
					      KEY_ECDSA_P384, KEY_RSA2048, KEY_RSA3072 };
#define N_TYPE_CHOICES ((int)(sizeof(type_choices) / sizeof(type_choices[0])))

static const char *const key_exts[] = { ".pem", ".der", ".key", NULL };

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
	/* the create form (M_CREATE) for profile psel */
	int focus;
	struct tui_field need; /* where what the profile needs is (checked) */
	struct tui_field key;  /* your key file, or empty: the profile's */
	int type_sel;          /* into type_choices */
	enum key_type prof_type; /* the default: the key file's, else the profile's */
	char prof_key[4096];   /* the profile's keys[0] */
	bool need_ok;          /* a missing NEED was confirmed */
	/* what the last create (or its cancel) did, shown until the next key */
	char status[1200];
	bool status_err;
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

static void draw_status(struct settings *st, int y);

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
	if (st->status[0] != '\0') {
		draw_status(st, y);
	} else if (st->psel < (int)st->n_prof) {
		snprintf(line, sizeof(line), "%s: %s", st->prof[st->psel].name,
			 st->prof[st->psel].description);
		tui_wrap(y, 2, COLS - 4, line, tui_attr(TUI_PAIR_DIM));
	}
}

static bool needs_of(const struct settings *st)
{
	return st->psel < (int)st->n_prof && st->prof[st->psel].needs != NULL &&
	       st->prof[st->psel].needs[0] != '\0';
}

static void draw_status(struct settings *st, int y)
{
	if (st->status[0] == '\0')
		return;
	attron(tui_attr(st->status_err ? TUI_PAIR_WARN : TUI_PAIR_OK) | A_BOLD);
	tui_wrap(y, 2, COLS - 4, st->status, 0);
	attroff(tui_attr(st->status_err ? TUI_PAIR_WARN : TUI_PAIR_OK) | A_BOLD);
}

static void draw_form(struct settings *st)
{
	const struct project_profile *pp = &st->prof[st->psel];
	enum key_type t = type_choices[st->type_sel];
	char line[1400];
	int y = 3;

	tui_frame("Settings", st->focus == F_TYPE
				      ? "Tab move  Left/Right type  Enter create  Esc back  F1 help"
				      : "Tab move  ^O browse  Enter create  Esc back  F1 help");
	if (st->has_file)
		snprintf(line, sizeof(line),
			 "Replace mcuprov.yaml with the profile '%s' (your edits in it are lost):",
			 pp->name);
	else
		snprintf(line, sizeof(line), "Create mcuprov.yaml from the profile '%s':",
			 pp->name);
	mvaddnstr(y++, 2, line, COLS - 4);
	y += tui_wrap(y, 2, COLS - 4, pp->description, tui_attr(TUI_PAIR_DIM));
	y++;
	if (needs_of(st)) {
		snprintf(line, sizeof(line), "It needs %s", pp->needs);
		y += tui_wrap(y, 2, COLS - 4, line, 0);
		if (pp->supply_var[0] != '\0')
			snprintf(line, sizeof(line),
				 "Where is it? (mcuprov.yaml's %s; checked first; ^O browses)",
				 pp->supply_var);
		else
			snprintf(line, sizeof(line),
				 "Is it there? (checked before the file is written; ^O browses)");
		mvaddnstr(y++, 2, line, COLS - 4);
		tui_field_draw(&st->need, y++, 3, COLS - 8, st->focus == F_NEED);
	} else {
		y += tui_wrap(y, 2, COLS - 4,
			      "Self-contained: its keys.c is rendered for the key type and the "
			      "key's directory made; the demo sources are mcuprov's own.",
			      0);
	}
	y++;
	if (t == KEY_TYPE_NONE)
		snprintf(line, sizeof(line), "< %s >  (default: your key file's, else the "
					     "profile's)",
			 key_type_name(st->prof_type));
	else
		snprintf(line, sizeof(line), "< %s >", key_type_name(t));
	mvaddstr(y, 2, "Key type:");
	if (st->focus == F_TYPE)
		attron(A_REVERSE);
	mvaddnstr(y++, 13, line, COLS - 15);
	if (st->focus == F_TYPE)
		attroff(A_REVERSE);
	y++;
	snprintf(line, sizeof(line),
		 "Your key file, if you have one (empty: the profile's %.200s, made later with "
		 "Generate key):",
		 st->prof_key);
	y += tui_wrap(y, 2, COLS - 4, line, 0);
	tui_field_draw(&st->key, y++, 3, COLS - 8, st->focus == F_KEY);
	y++;
	if (st->focus == F_CREATE)
		attron(A_REVERSE);
	mvaddstr(y, 2, st->has_file ? "[ Replace ]" : "[ Create ]");
	if (st->focus == F_CREATE)
		attroff(A_REVERSE);
	y += 2;
	draw_status(st, y);
}

static void settings_draw(struct tui_screen *s)
{
	struct settings *st = (struct settings *)s;
	int y = 3, n, rows, i;

	if (st->mode == M_CREATE) {
		draw_form(st);
		return;
	}
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
	if (st->status[0] != '\0') {
		attron(tui_attr(st->status_err ? TUI_PAIR_WARN : TUI_PAIR_OK) | A_BOLD);
		mvaddnstr(LINES - 3, 2, st->status, COLS - 4);
		attroff(tui_attr(st->status_err ? TUI_PAIR_WARN : TUI_PAIR_OK) | A_BOLD);
	}
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

static void set_status(struct settings *st, bool is_err, const char *text)
{
	snprintf(st->status, sizeof(st->status), "%s", text);
	st->status_err = is_err;
}

/* The first path in the profile's needs line ("app/", "../mcuboot"): where
 * the form looks first when the profile has no supply line. */
static void need_default(const char *needs, char *out, size_t n)
{
	const char *p = needs;

	out[0] = '\0';
	while (*p != '\0') {
		size_t len;

		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (memchr(p, '/', len) != NULL) {
			while (len > 0 && strchr(",;:)", p[len - 1]) != NULL)
				len--;
			if (*p == '(')
				p++, len--;
			snprintf(out, n, "%.*s", (int)len, p);
			return;
		}
		p += len;
	}
}

/* Is the need field empty, or the profile's supply default (or it has
 * none): what the file names when the field is not written into it? */
static bool need_is_default(const struct settings *st)
{
	const char *def = st->prof[st->psel].supply_default;
	size_t n = st->need.len;

	while (n > 1 && st->need.buf[n - 1] == '/')
		n--;
	return st->need.len == 0 || def[0] == '\0' ||
	       (strlen(def) == n && strncmp(st->need.buf, def, n) == 0);
}

static void form_set_focus(struct settings *st, int f)
{
	st->focus = f;
	st->s.text_input = st->mode == M_CREATE && (f == F_NEED || f == F_KEY);
}

/* Enter on a profile: the form, with what project_init_text() makes of it
 * by default (the type, keys[0]). */
static int open_form(struct settings *st)
{
	const struct project_profile *pp;
	struct project_init_opts o;
	struct project_init_result r;
	struct mcuprov_err err;
	char *text = NULL, need[512];
	size_t len = 0;

	if (st->psel >= (int)st->n_prof)
		return TUI_HANDLED;
	pp = &st->prof[st->psel];
	memset(&o, 0, sizeof(o));
	o.profile = pp->name;
	err_clear(&err);
	if (project_init_text(&o, &text, &len, &r, &err) < 0)
		return tui_dialog_error(&st->s, D_ERR, &err);
	free(text);
	st->prof_type = r.type;
	snprintf(st->prof_key, sizeof(st->prof_key), "%s", r.key);
	if (pp->supply_default[0] != '\0') /* the profile's default, as a folder */
		snprintf(need, sizeof(need), "%s%s", pp->supply_default,
			 pp->supply_default[strlen(pp->supply_default) - 1] == '/' ? "" : "/");
	else
		need_default(pp->needs != NULL ? pp->needs : "", need, sizeof(need));
	tui_field_set(&st->need, need);
	tui_field_clear(&st->key);
	st->type_sel = 0;
	st->need_ok = false;
	st->status[0] = '\0';
	st->mode = M_CREATE;
	form_set_focus(st, F_CREATE);
	return TUI_HANDLED;
}

/* Create (or Replace): the needs checked, then the confirmation. */
static int ask_profile(struct settings *st)
{
	const struct project_profile *pp = &st->prof[st->psel];
	char text[1600];
	struct stat sb;

	st->status[0] = '\0';
	if (needs_of(st) && !st->need_ok && (st->need.len == 0 || stat(st->need.buf, &sb) != 0)) {
		if (need_is_default(st))
			snprintf(text, sizeof(text),
				 "'%.200s' is not there. The profile needs %.700s. Create "
				 "mcuprov.yaml anyway (and put it there before you build)?",
				 st->need.len > 0 ? st->need.buf : "(nothing given)", pp->needs);
		else /* the file keeps the profile's default: say which */
			snprintf(text, sizeof(text),
				 "'%.200s' is not there. The profile needs %.600s. Create "
				 "mcuprov.yaml anyway, with the profile's '%.200s' (put it there, "
				 "or edit %s, before you build)?",
				 st->need.buf, pp->needs, pp->supply_default, pp->supply_var);
		return tui_dialog_confirm(&st->s, D_MISSING, "Not found", text, "Create anyway",
					  "Go back");
	}
	if (st->has_file) {
		snprintf(text, sizeof(text),
			 "Replace mcuprov.yaml with the profile '%s'? What the file holds now, "
			 "your edits included, is lost.",
			 pp->name);
		return tui_dialog_confirm(&st->s, D_REPLACE, "Replace mcuprov.yaml", text,
					  "Replace", "Keep");
	}
	snprintf(text, sizeof(text),
		 "Create mcuprov.yaml from the profile '%s'? Edit its keys, image layout "
		 "and vars for your board afterwards.",
		 pp->name);
	/* nothing is replaced: Create is the default */
	return tui_dialog_ask(&st->s, D_CREATE, "Create mcuprov.yaml", text, "Create", "Cancel");
}

static int write_profile(struct settings *st, bool force)
{
	const struct project_profile *pp = &st->prof[st->psel];
	struct project_init_opts o;
	struct project_init_result r;
	struct mcuprov_err err;
	char msg[1200], key[4096];
	struct stat sb;

	memset(&o, 0, sizeof(o));
	o.profile = pp->name;
	o.out_path = PROJECT_FILE;
	o.force = force;
	o.type = type_choices[st->type_sel];
	o.key = st->key.len > 0 ? st->key.buf : NULL;
	/* where the profile's needs are, written into the project; when it
	 * is not there (and Create anyway), the profile's default stays */
	o.supply = needs_of(st) && pp->supply_var[0] != '\0' && st->need.len > 0 &&
			   stat(st->need.buf, &sb) == 0
		   ? st->need.buf
		   : NULL;
	err_clear(&err);
	if (project_create(&o, &r, &err) < 0) {
		load(st);
		set_status(st, true, "nothing written");
		return tui_dialog_error(&st->s, D_ERR, &err);
	}
	if (pkcs11_is_uri(r.key_abspath)) /* a token key: its URI, not a path */
		snprintf(key, sizeof(key), "%.4000s", r.key_abspath);
	else
		file_rel_cwd(r.key_abspath, key, sizeof(key));
	if (r.key_exists)
		snprintf(msg, sizeof(msg), "%s mcuprov.yaml (%s, %s): its key is %.200s",
			 force ? "replaced" : "created", pp->name, key_type_name(r.type), key);
	else
		snprintf(msg, sizeof(msg), "%s mcuprov.yaml (%s, %s); next: Generate key on Home",
			 force ? "replaced" : "created", pp->name, key_type_name(r.type));
	st->mode = M_SUMMARY;
	st->act = ACT_EDIT;
	st->s.text_input = false;
	load(st);
	set_status(st, false, msg);
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

static int form_event(struct settings *st, int key)
{
	int n = N_FIELDS, f = st->focus;

	if (key == 27) {
		st->mode = M_PROFILES;
		st->status[0] = '\0';
		form_set_focus(st, F_CREATE);
		return TUI_HANDLED;
	}
	if (is_enter(key))
		return ask_profile(st);
	if (key == '\t' || key == KEY_DOWN || key == KEY_BTAB || key == KEY_UP) {
		do
			f = (f + (key == '\t' || key == KEY_DOWN ? 1 : n - 1)) % n;
		while (f == F_NEED && !needs_of(st));
		form_set_focus(st, f);
		return TUI_HANDLED;
	}
	if (f == F_TYPE) {
		if (key == KEY_RIGHT || key == ' ') {
			st->type_sel = (st->type_sel + 1) % N_TYPE_CHOICES;
			return TUI_HANDLED;
		}
		if (key == KEY_LEFT) {
			st->type_sel = (st->type_sel + N_TYPE_CHOICES - 1) % N_TYPE_CHOICES;
			return TUI_HANDLED;
		}
		return TUI_UNHANDLED;
	}
	if (f == F_NEED || f == F_KEY) {
		struct tui_field *fl = f == F_NEED ? &st->need : &st->key;

		if (tui_is_browse_key(key))
			return f == F_NEED ? tui_filepick(&st->s, D_PICK_NEED, "Where is it?", NULL,
							  NULL, fl)
					   : tui_filepick(&st->s, D_PICK_KEY, "Your key file", NULL,
							  key_exts, fl);
		if (tui_field_key(fl, key)) {
			if (f == F_NEED)
				st->need_ok = false;
			return TUI_HANDLED;
		}
	}
	return TUI_UNHANDLED;
}

static int settings_event(struct tui_screen *s, int key)
{
	struct settings *st = (struct settings *)s;

	if (key != KEY_RESIZE)
		st->status[0] = '\0'; /* said once, after what it reports */
	if (st->mode == M_CREATE)
		return form_event(st, key);
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
			return open_form(st);
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
	struct stat sb;

	switch (id) {
	case D_MISSING:
		if (!yes)
			return TUI_HANDLED;
		st->need_ok = true;
		return ask_profile(st);
	case D_CREATE:
		if (yes)
			return write_profile(st, false);
		set_status(st, true, "cancelled: nothing written, there is still no mcuprov.yaml");
		return TUI_HANDLED;
	case D_REPLACE:
		if (yes)
			return write_profile(st, true);
		set_status(st, true, "kept: mcuprov.yaml is as it was");
		return TUI_HANDLED;
	case D_PICK_NEED:
		/* a file chosen inside the folder the profile needs: the folder */
		if (yes && stat(st->need.buf, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
			char *slash = strrchr(st->need.buf, '/');

			if (slash != NULL) {
				slash[1] = '\0';
				st->need.len = strlen(st->need.buf);
			}
		}
		st->need_ok = false;
		return TUI_HANDLED;
	default:
		return TUI_HANDLED;
	}
}

static void settings_destroy(struct tui_screen *s)
{
	struct settings *st = (struct settings *)s;

	free(st->summary);
	project_profiles_free(st->prof, st->n_prof);
	tui_field_clear(&st->need);
	tui_field_clear(&st->key);
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
		     "`mcuprov init -p NAME -t TYPE -k KEY --supply DIR`: the form shows what "
		     "the profile needs you to supply and asks where it is (checked, and "
		     "written into mcuprov.yaml), the key type (Left/Right) "
		     "and your key file if you have one (Ctrl-O browses); Enter creates, "
		     "after a question that defaults to Create. The schema is in "
		     "templates/targets/README.md.";
	st->s.draw = settings_draw;
	st->s.event = settings_event;
	st->s.on_dialog = settings_on_dialog;
	st->s.destroy = settings_destroy;
	load(st);
	if (!st->has_file)
		load_profiles(st);
	return &st->s;
}
