/* mcuprov wizard: provision the bootloader with a key — the flow of
 * `mcuprov patch`: provision_keys_c / provision_conf with dry_run for the
 * diff, then, confirmed, again without dry_run to apply (PATH.bak kept).
 * A keys.c that does not exist yet is offered from a template instead, as
 * `mcuprov render -t inline-single -k KEY -o FILE` writes it (render.h:
 * render, then render_verify under the project's configuration). */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui.h"
#include "mcuprov/pkcs11.h"
#include "mcuprov/lock.h"
#include "mcuprov/fileio.h"
#include "mcuprov/devkey.h"
#include "mcuprov/key.h"
#include "mcuprov/keysc.h"
#include "mcuprov/project.h"
#include "mcuprov/provision.h"
#include "mcuprov/render.h"
#include "mcuprov/udiff.h"

#define PROJECT_FILE "mcuprov.yaml"
#define DEFAULT_KEY "keys/signing.pem"
#define TEMPLATE "inline-single" /* a new keys.c: one key, inline */

enum step { ST_FORM, ST_PW, ST_DIFF, ST_RESULT };

/* form items */
enum { F_FILE, F_KEY, F_DEV, N_FORM };

enum { D_ERR = 1, D_PWERR, D_APPLY, D_RENDER };

struct provision {
	struct tui_screen s;
	enum step step;
	int focus;
	struct tui_field file, key;
	struct tui_keyset ks; /* loads the key, its password only when needed */
	bool allow_dev;
	/* after the dry run */
	char path[PROVISION_PATH_MAX]; /* the target file as used */
	char key_path[PROVISION_PATH_MAX];
	bool is_keys_c;
	struct mcuprov_key *k;
	char shape[PROVISION_PATH_MAX + 128];
	char assumed[512]; /* "assuming ..." as patch prints it, or "" */
	char *diff;
	bool changed;
	int top;
	char result[2 * PROVISION_PATH_MAX + 64];
	/* the file does not exist: rendered from TEMPLATE, not patched */
	bool render_new;
	char *rendered;
	size_t rendered_len;
	/* the key is not one of the project's whose bootloader file this is */
	char warn[PROVISION_PATH_MAX + 200];
};

static void set_step(struct provision *p, enum step st)
{
	p->step = st;
	p->s.text_input = st == ST_PW || (st == ST_FORM && p->focus != F_DEV);
}

static void defaults(struct provision *p, const char *key_path)
{
	struct project *pr = NULL;
	struct mcuprov_err err;
	char buf[PROVISION_PATH_MAX];

	err_clear(&err);
	if (access(PROJECT_FILE, F_OK) == 0 && project_load(PROJECT_FILE, &pr, &err) == 0) {
		if (pr->bootloader.path != NULL) {
			file_rel_cwd(pr->bootloader.path, buf, sizeof(buf));
			tui_field_set(&p->file, buf);
		}
		if (key_path == NULL && pr->n_keys > 0 && pkcs11_is_uri(pr->keys[0].path)) {
			tui_field_set(&p->key, pr->keys[0].path);
		} else if (key_path == NULL && pr->n_keys > 0) {
			file_rel_cwd(pr->keys[0].abspath, buf, sizeof(buf));
			tui_field_set(&p->key, buf);
		}
		project_free(pr);
	}
	if (key_path != NULL)
		tui_field_set(&p->key, key_path);
	else if (p->key.len == 0)
		tui_field_set(&p->key, DEFAULT_KEY);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static void drop_result(struct provision *p)
{
	free(p->diff);
	p->diff = NULL;
	free(p->rendered);
	p->rendered = NULL;
	p->rendered_len = 0;
	p->render_new = false;
	p->warn[0] = '\0';
	p->changed = false;
	p->top = 0;
	p->shape[0] = '\0';
	p->assumed[0] = '\0';
}

/* The project here when PATH is its bootloader file (its bootloader.defines
 * and undefines are that file's configuration), else NULL. */
static struct project *project_of(const char *path)
{
	struct project *pr = NULL;
	struct mcuprov_err err;
	char a[PATH_MAX], b[PATH_MAX];

	err_clear(&err);
	if (access(PROJECT_FILE, F_OK) != 0 || project_load(PROJECT_FILE, &pr, &err) < 0)
		return NULL;
	if (pr->bootloader.path == NULL) {
		project_free(pr);
		return NULL;
	}
	if (realpath(path, a) != NULL && realpath(pr->bootloader.path, b) != NULL &&
	    strcmp(a, b) == 0)
		return pr;
	/* not there yet: the same name from here */
	file_rel_cwd(pr->bootloader.path, b, sizeof(b));
	if (access(path, F_OK) != 0 && strcmp(path, b) == 0)
		return pr;
	project_free(pr);
	return NULL;
}

/* provision_keys_c or provision_conf on the chosen file with the loaded key
 * (and the project's bootloader configuration when it is the project's
 * file). */
static int provision(struct provision *p, bool dry, struct provision_result *r,
		     struct mcuprov_err *err)
{
	const struct mcuprov_key *keys[1] = { p->k };
	const char *paths[1] = { p->key_path };
	struct project *pr = project_of(p->path);
	struct provision_opts o;
	struct mcuprov_lock *lock = NULL;
	const char *target = p->path;
	int rc;

	memset(&o, 0, sizeof(o));
	o.keys = keys;
	o.key_paths = paths;
	o.n_keys = 1;
	o.dry_run = dry;
	if (pr != NULL) {
		o.defines = (const char *const *)pr->bootloader.defines;
		o.n_defines = pr->bootloader.n_defines;
		o.undefs = (const char *const *)pr->bootloader.undefs;
		o.n_undefs = pr->bootloader.n_undefs;
	}
	err_clear(err);
	/* applying: no other mcuprov changes the file meanwhile */
	if (!dry && (rc = lock_acquire(&target, 1, NULL, &lock, err)) < 0) {
		project_free(pr);
		return rc;
	}
	rc = p->is_keys_c ? provision_keys_c(p->path, &o, r, err)
			  : provision_conf(p->path, &o, r, err);
	lock_release(lock);
	project_free(pr);
	return rc;
}

/* A key that is not one of the project's (its bootloader file chosen):
 * the next build provisions the project's keys over it. */
static void key_warning(struct provision *p)
{
	struct project *pr = project_of(p->path);
	char a[PATH_MAX], b[PATH_MAX];
	size_t i;

	p->warn[0] = '\0';
	if (pr == NULL)
		return;
	for (i = 0; i < pr->n_keys; i++) {
		if (pkcs11_is_uri(p->key_path)) { /* a URI names, it does not resolve */
			if (strcmp(p->key_path, pr->keys[i].path) == 0)
				break;
		} else if (realpath(p->key_path, a) != NULL &&
			   realpath(pr->keys[i].abspath, b) != NULL && strcmp(a, b) == 0) {
			break;
		}
	}
	if (i == pr->n_keys)
		snprintf(p->warn, sizeof(p->warn),
			 "warning: '%s' is not one of %s's keys: the next build provisions the "
			 "project's keys again",
			 p->key_path, PROJECT_FILE);
	project_free(pr);
}

/* Render TEMPLATE for the key, checked under the project's configuration
 * as `mcuprov render` checks it; its diff against nothing. */
static int render_new(struct provision *p)
{
	struct project *pr = project_of(p->path);
	struct render_key rk = { p->k, p->key_path };
	struct mcuprov_err err;
	char *text = NULL, *tpath = NULL;
	size_t len = 0, dlen = 0;
	int rc;

	err_clear(&err);
	drop_result(p);
	key_warning(p);
	rc = render_template_load(TEMPLATE, &text, &len, &tpath, &err);
	if (rc == 0)
		rc = render_check(TEMPLATE, text, len, &err);
	if (rc == 0)
		rc = render(TEMPLATE, tpath, text, len, &rk, 1, NULL,
			    p->allow_dev ? RENDER_ALLOW_DEVKEY : 0, &p->rendered, &p->rendered_len,
			    &err);
	if (rc == 0)
		rc = render_verify(TEMPLATE, tpath, p->rendered, p->rendered_len, &rk, 1,
				   pr ? (const char *const *)pr->bootloader.defines : NULL,
				   pr ? pr->bootloader.n_defines : 0,
				   pr ? (const char *const *)pr->bootloader.undefs : NULL,
				   pr ? pr->bootloader.n_undefs : 0, &err);
	if (rc == 0)
		rc = udiff("", 0, p->rendered, p->rendered_len, p->path, &p->diff, &dlen, &err);
	free(text);
	free(tpath);
	project_free(pr);
	if (rc < 0) {
		drop_result(p);
		return tui_dialog_error(&p->s, D_ERR, &err);
	}
	p->render_new = true;
	p->changed = true;
	snprintf(p->shape, sizeof(p->shape), "'%s': a new file from the template %s", p->path,
		 TEMPLATE);
	set_step(p, ST_DIFF);
	return TUI_HANDLED;
}

/* The key is loaded: the CLI's checks, then the dry run. */
static int dry_run(struct provision *p)
{
	struct provision_result r;
	struct mcuprov_err err;
	int rc;

	err_clear(&err);
	if (!key_type_can_sign(p->k->type)) {
		err_set(&err, MCUPROV_ERR_USAGE, p->key_path,
			"%s keys cannot sign (use --enc-key for an encryption key)",
			key_type_name(p->k->type));
		return tui_dialog_error(&p->s, D_ERR, &err);
	}
	if (p->k->devkey != NULL && !p->allow_dev) {
		err_set(&err, MCUPROV_ERR_REFUSED, p->key_path,
			"is MCUboot's published development key %s: a bootloader trusting it "
			"boots anybody's images (use --allow-dev-key for a development build)",
			p->k->devkey->name);
		return tui_dialog_error(&p->s, D_ERR, &err);
	}
	drop_result(p);
	key_warning(p);
	if (p->is_keys_c && access(p->path, F_OK) != 0) {
		char text[2 * PROVISION_PATH_MAX + 300];

		snprintf(text, sizeof(text),
			 "'%s' does not exist. Write it from the template %s for this key (as "
			 "`mcuprov render -t %s -k KEY -o FILE`)? The new file is shown first.",
			 p->path, TEMPLATE, TEMPLATE);
		return tui_dialog_ask(&p->s, D_RENDER, "New keys.c", text, "Render", "Cancel");
	}
	rc = provision(p, true, &r, &err);
	if (p->is_keys_c && r.shape != KEYSC_SHAPE_UNKNOWN)
		snprintf(p->shape, sizeof(p->shape), "'%s': %s", p->path,
			 keysc_shape_name(r.shape));
	else if (!p->is_keys_c)
		snprintf(p->shape, sizeof(p->shape), "'%s': Kconfig fragment", p->path);
	if (rc < 0) {
		provision_result_free(&r);
		return tui_dialog_error(&p->s, D_ERR, &err);
	}
	/* the configuration keys.c was read under, as patch says it */
	if (r.assumed != NULL)
		snprintf(p->assumed, sizeof(p->assumed), "assuming %s", r.assumed);
	p->changed = r.changed;
	p->diff = r.diff;
	r.diff = NULL;
	provision_result_free(&r);
	set_step(p, ST_DIFF);
	return TUI_HANDLED;
}

static int load_key(struct provision *p, bool with_pw)
{
	struct mcuprov_err err;
	int rc;

	key_free(p->k);
	p->k = NULL;
	rc = tui_keyset_load_one(&p->ks, p->key_path, with_pw, &p->k, &err);
	if (rc == 1) {
		set_step(p, ST_PW);
		return TUI_HANDLED;
	}
	if (rc < 0) {
		return tui_dialog_error(
			&p->s, with_pw && err.code == MCUPROV_ERR_PASSWORD ? D_PWERR : D_ERR, &err);
	}
	set_step(p, ST_FORM);
	return dry_run(p);
}

static int start(struct provision *p)
{
	struct mcuprov_err err;

	err_clear(&err);
	if (p->file.len == 0) {
		err_set(&err, MCUPROV_ERR_USAGE, NULL,
			"give the bootloader's keys.c or Kconfig fragment (mcuboot.conf)");
		return tui_dialog_error(&p->s, D_ERR, &err);
	}
	if (p->key.len == 0) {
		err_set(&err, MCUPROV_ERR_USAGE, NULL, "give the key to trust");
		return tui_dialog_error(&p->s, D_ERR, &err);
	}
	snprintf(p->path, sizeof(p->path), "%s", p->file.buf);
	snprintf(p->key_path, sizeof(p->key_path), "%s", p->key.buf);
	p->is_keys_c = ends_with(p->path, ".c") || ends_with(p->path, ".h");
	return load_key(p, false);
}

static int apply(struct provision *p)
{
	struct provision_result r;
	struct mcuprov_err err;
	const char *shown;
	size_t i, o = 0;
	int rc;

	if (p->render_new) {
		err_clear(&err);
		/* never over a file that appeared meanwhile; its directory made */
		if (file_write_atomic(p->path, p->rendered, p->rendered_len, FILE_WRITE_MKDIR,
				      &err) < 0)
			return tui_dialog_error(&p->s, D_ERR, &err);
		/* (a new file: O_EXCL decides between two writers, no lock) */
		snprintf(p->result, sizeof(p->result), "created '%s' (from the template %s)",
			 p->path, TEMPLATE);
		set_step(p, ST_RESULT);
		return TUI_HANDLED;
	}
	rc = provision(p, false, &r, &err);

	if (rc < 0) {
		provision_result_free(&r);
		return tui_dialog_error(&p->s, D_ERR, &err);
	}
	p->result[0] = '\0';
	for (i = 0; i < r.n_pub_written && o < sizeof(p->result); i++)
		o += (size_t)snprintf(p->result + o, sizeof(p->result) - o,
				      "wrote the public key '%s'\n", r.pub_written[i]);
	/* the key file keys.c #includes when that is the one patched */
	shown = r.patched[0] != '\0' ? r.patched : p->path;
	if (o < sizeof(p->result)) {
		if (!r.changed)
			snprintf(p->result + o, sizeof(p->result) - o,
				 "'%s' already trusts these keys: nothing to change", shown);
		else if (r.created)
			snprintf(p->result + o, sizeof(p->result) - o, "created '%s'", shown);
		else
			snprintf(p->result + o, sizeof(p->result) - o,
				 "patched '%s' (the old one is '%s')", shown, r.backup);
	}
	provision_result_free(&r);
	set_step(p, ST_RESULT);
	return TUI_HANDLED;
}

/* rows of the diff pane */
static int pane_top(void)
{
	return 7;
}

static int pane_rows(void)
{
	return LINES - 3 - pane_top();
}

static void provision_draw(struct tui_screen *s)
{
	struct provision *p = (struct provision *)s;
	int y = 3, n;

	switch (p->step) {
	case ST_FORM:
		tui_frame("Provision bootloader",
			  p->focus == F_DEV ? "Tab move  Space toggle  Enter diff  Esc back  F1 help"
					    : "Tab move  type the path  Enter diff  Esc back  F1 help");
		mvaddstr(y++, 2, "Bootloader key file (keys.c) or Kconfig fragment (mcuboot.conf):");
		tui_field_draw(&p->file, y++, 3, COLS - 8, p->focus == F_FILE);
		y++;
		mvaddstr(y++, 2, "Key to trust (private or public key file, or a pkcs11: URI):");
		tui_field_draw(&p->key, y++, 3, COLS - 8, p->focus == F_KEY);
		y++;
		if (p->focus == F_DEV)
			attron(A_REVERSE);
		mvprintw(y++, 2, "[%c] Allow a published development key (--allow-dev-key)",
			 p->allow_dev ? 'x' : ' ');
		if (p->focus == F_DEV)
			attroff(A_REVERSE);
		y++;
		tui_wrap(y, 2, COLS - 4,
			 "Enter shows the change first; nothing is written until you apply it. "
			 "The old file is kept as FILE.bak.",
			 tui_attr(TUI_PAIR_DIM));
		break;
	case ST_PW:
		tui_frame("Provision bootloader",
			  pkcs11_is_uri(p->key_path)
				  ? "type the PIN (not shown)  Enter load  Esc back"
				  : "type the password (not shown)  Enter load  Esc back");
		mvprintw(y++, 2, "Key: %s", p->key_path);
		y++;
		mvaddstr(y++, 2, tui_pw_prompt(p->key_path));
		tui_field_draw(&p->ks.pw, y, 3, 40, true);
		y += 2;
		mvaddstr(y, 2, "Nothing is shown while you type.");
		break;
	case ST_DIFF:
		tui_frame("Provision bootloader",
			  p->changed ? "Up/Down/PgUp/PgDn scroll  a apply  Esc back  F1 help"
				     : "Enter/Esc back  F1 help");
		mvaddnstr(y++, 2, p->shape, COLS - 4);
		mvaddnstr(y++, 2, p->assumed, COLS - 4);
		if (!p->changed) {
			y++;
			attron(tui_attr(TUI_PAIR_OK));
			mvprintw(y, 2, "'%.*s' already trusts these keys: nothing to change",
				 COLS - 50, p->path);
			attroff(tui_attr(TUI_PAIR_OK));
			break;
		}
		n = tui_pane_lines(p->diff);
		mvprintw(y, 2, "Change (lines %d-%d of %d); a: apply it", n ? p->top + 1 : 0,
			 p->top + pane_rows() < n ? p->top + pane_rows() : n, n);
		tui_hline(pane_top() - 1, 2, COLS - 4);
		tui_pane_draw(pane_top(), 2, pane_rows(), COLS - 4, p->diff, p->top);
		break;
	case ST_RESULT:
		tui_frame("Provision bootloader", "Enter/Esc back to Home");
		attron(tui_attr(TUI_PAIR_OK) | A_BOLD);
		y += tui_wrap(y, 2, COLS - 4, p->result, 0);
		attroff(tui_attr(TUI_PAIR_OK) | A_BOLD);
		y++;
		mvprintw(y++, 2, "Key: %s", p->key_path);
		if (p->warn[0] != '\0') {
			y++;
			tui_wrap(y, 2, COLS - 4, p->warn, tui_attr(TUI_PAIR_WARN));
		}
		break;
	}
}

static bool is_enter(int key)
{
	return key == '\r' || key == '\n' || key == KEY_ENTER;
}

static int provision_event(struct tui_screen *s, int key)
{
	struct provision *p = (struct provision *)s;
	struct tui_field *f;

	switch (p->step) {
	case ST_FORM:
		if (key == 27)
			return TUI_BACK;
		if (is_enter(key))
			return start(p);
		if (tui_menu_key(key, &p->focus, N_FORM)) {
			set_step(p, ST_FORM);
			return TUI_HANDLED;
		}
		if (p->focus == F_DEV) {
			if (key == ' ' || key == 'x') {
				p->allow_dev = !p->allow_dev;
				return TUI_HANDLED;
			}
			return TUI_UNHANDLED;
		}
		f = p->focus == F_FILE ? &p->file : &p->key;
		return tui_field_key(f, key) ? TUI_HANDLED : TUI_UNHANDLED;
	case ST_PW:
		if (key == 27) {
			tui_field_clear(&p->ks.pw);
			set_step(p, ST_FORM);
			return TUI_HANDLED;
		}
		if (is_enter(key))
			return load_key(p, true);
		return tui_field_key(&p->ks.pw, key) ? TUI_HANDLED : TUI_UNHANDLED;
	case ST_DIFF:
		if (key == 27 || (!p->changed && is_enter(key))) {
			set_step(p, ST_FORM);
			return TUI_HANDLED;
		}
		if (p->changed && (key == 'a' || key == 'A' || is_enter(key))) {
			char text[4 * PROVISION_PATH_MAX + 400], bak[PROVISION_PATH_MAX + 8];
			bool numbered;

			if (p->render_new) {
				snprintf(text, sizeof(text), "Create '%s' as shown?%s%s", p->path,
					 p->warn[0] ? " " : "", p->warn);
			} else {
				/* the core never writes over an earlier backup */
				snprintf(bak, sizeof(bak), "%s.bak", p->path);
				numbered = access(bak, F_OK) == 0;
				snprintf(text, sizeof(text),
					 "Replace '%s' with the version shown? The old one is kept "
					 "as %s'%s'%s.%s%s",
					 p->path, numbered ? "a numbered backup (" : "", bak,
					 numbered ? " exists)" : "", p->warn[0] ? " " : "", p->warn);
			}
			if (p->render_new)
				return tui_dialog_ask(&p->s, D_APPLY, "Create the file", text,
						      "Create", "Cancel");
			return tui_dialog_confirm(&p->s, D_APPLY, "Apply the change", text,
						  "Apply", "Cancel");
		}
		if (tui_pane_key(key, &p->top, tui_pane_lines(p->diff), pane_rows()))
			return TUI_HANDLED;
		return TUI_UNHANDLED;
	case ST_RESULT:
		if (key == 27 || is_enter(key))
			return TUI_BACK;
		return TUI_UNHANDLED;
	}
	return TUI_UNHANDLED;
}

static int provision_on_dialog(struct tui_screen *s, int id, bool yes)
{
	struct provision *p = (struct provision *)s;

	if (id == D_APPLY)
		return yes ? apply(p) : TUI_HANDLED;
	if (id == D_RENDER)
		return yes ? render_new(p) : TUI_HANDLED;
	if (id == D_PWERR)
		set_step(p, ST_PW);
	return TUI_HANDLED;
}

static void provision_destroy(struct tui_screen *s)
{
	struct provision *p = (struct provision *)s;

	tui_keyset_clear(&p->ks);
	key_free(p->k);
	drop_result(p);
	free(p);
}

struct tui_screen *screen_provision_new(const char *key_path)
{
	struct provision *p = calloc(1, sizeof(*p));

	if (p == NULL)
		return NULL;
	p->s.title = "Provision bootloader";
	p->s.help = "Make the bootloader trust your key, as `mcuprov patch` does: give the "
		    "bootloader's keys.c (inline-array shape) or its Kconfig fragment "
		    "(mcuboot.conf) and the key. The change is shown as a unified diff first "
		    "(Up/Down/PgUp/PgDn scroll); a applies it after a confirmation, keeping "
		    "the old file as FILE.bak. Applying the same key again changes nothing. "
		    "MCUboot's published development keys are refused unless allowed.";
	p->s.draw = provision_draw;
	p->s.event = provision_event;
	p->s.on_dialog = provision_on_dialog;
	p->s.destroy = provision_destroy;
	p->ks.pw.secret = true;
	p->ks.flags = KEY_LOAD_PUBLIC; /* the bootloader trusts a public key: no token PIN */
	defaults(p, key_path);
	set_step(p, ST_FORM);
	return &p->s;
}
