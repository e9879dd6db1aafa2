/* mcuprov wizard: import (check) a key file with key_load: its type,
 * private or public, fingerprint and the development-key warning.  The
 * file comes from the browser (Enter on the empty field, Ctrl-O, F2) or is
 * typed; from the result, p provisions the bootloader with the key.  With a
 * project here the result says what the key is to it: one of its keys, a
 * key of another type (a warning), or a key that u makes its signing key
 * through the Keyring's rotation (rotate add). */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui.h"
#include "mcuprov/devkey.h"
#include "mcuprov/key.h"
#include "mcuprov/project.h"

#define PROJECT_FILE "mcuprov.yaml"

enum step { ST_PATH, ST_PW, ST_SHOW };

enum { D_LOADERR = 1, D_PWERR, D_PICK };

/* what the browser lists until Tab shows all files */
static const char *const key_exts[] = { ".pem", ".der", ".key", ".pub", ".priv", NULL };

struct import {
	struct tui_screen s;
	enum step step;
	struct tui_field path;
	struct tui_keyset ks; /* loads the key, its password only when needed */
	/* what was loaded */
	enum key_type type;
	bool is_private, was_encrypted, insecure, can_sign;
	unsigned mode;
	char devkey[128];
	char fp[2 * KEY_FINGERPRINT_LEN + 1];
	struct mcuprov_key *key; /* kept: handed to the rotation (u) */
	/* what the key is to the project here */
	char proj_warn[1200];
	char proj_note[1200];
	bool can_use; /* u: make it the project's signing key */
};

/* The project here against the key loaded: IM's proj_* and can_use. */
static void relate(struct import *im)
{
	struct project *p = NULL;
	struct mcuprov_err err;
	char a[PATH_MAX], b[PATH_MAX];
	size_t i;

	im->proj_warn[0] = im->proj_note[0] = '\0';
	im->can_use = false;
	err_clear(&err);
	if (access(PROJECT_FILE, F_OK) != 0 || project_load(PROJECT_FILE, &p, &err) < 0)
		return;
	for (i = 0; i < p->n_keys; i++)
		if (realpath(im->path.buf, a) != NULL && realpath(p->keys[i].abspath, b) != NULL &&
		    strcmp(a, b) == 0)
			break;
	if (i < p->n_keys) {
		snprintf(im->proj_note, sizeof(im->proj_note), "One of %s's keys (%s).",
			 PROJECT_FILE, i == 0 ? "it signs" : "trusted by the bootloader");
	} else if (!im->can_sign) {
		/* an encryption key: nothing to say of signing */
	} else if (im->type != p->keys[0].type) {
		snprintf(im->proj_warn, sizeof(im->proj_warn),
			 "warning: the project's keys are %s (%s): this %s key cannot sign its "
			 "images",
			 key_type_name(p->keys[0].type), PROJECT_FILE, key_type_name(im->type));
	} else if (access(p->keys[0].abspath, F_OK) != 0) {
		snprintf(im->proj_note, sizeof(im->proj_note),
			 "%s's signing key '%.600s' does not exist yet: create the project for "
			 "this key in Settings (your key file), or generate that one.",
			 PROJECT_FILE, p->keys[0].path);
	} else if (im->is_private) {
		snprintf(im->proj_note, sizeof(im->proj_note),
			 "Not one of %s's keys: u makes it the signing key (a rotation, its diff "
			 "shown first).",
			 PROJECT_FILE);
		im->can_use = true;
	}
	project_free(p);
}

static void set_step(struct import *im, enum step st)
{
	im->step = st;
	im->s.text_input = st != ST_SHOW;
}

/* key_load with the password typed so far (or none); on success fill IM. */
static int load(struct import *im, bool with_pw)
{
	struct mcuprov_key *key = NULL;
	struct mcuprov_err err;
	int rc;

	rc = tui_keyset_load_one(&im->ks, im->path.buf, with_pw, &key, &err);
	if (rc == 1) {
		set_step(im, ST_PW);
		return TUI_HANDLED;
	}
	if (rc < 0) {
		return tui_dialog_error(
			&im->s, with_pw && err.code == MCUPROV_ERR_PASSWORD ? D_PWERR : D_LOADERR,
			&err);
	}
	im->type = key->type;
	im->can_sign = key_type_can_sign(key->type);
	im->is_private = key->is_private;
	im->was_encrypted = key->was_encrypted;
	im->insecure = key->insecure_mode;
	im->mode = (unsigned)(key->file_mode & 07777);
	snprintf(im->devkey, sizeof(im->devkey), "%s", key->devkey ? key->devkey->name : "");
	rc = key_fingerprint_hex(key, im->fp, &err);
	key_free(im->key);
	im->key = key;
	if (rc < 0) {
		if (err.subject[0] == '\0')
			snprintf(err.subject, sizeof(err.subject), "%.500s", im->path.buf);
		return tui_dialog_error(&im->s, D_LOADERR, &err);
	}
	relate(im);
	set_step(im, ST_SHOW);
	return TUI_HANDLED;
}

static void import_draw(struct tui_screen *s)
{
	struct import *im = (struct import *)s;
	const char *hints;
	char text[1400];
	int y = 3;

	switch (im->step) {
	case ST_PATH:
		tui_frame("Import key",
			  "type the path  Enter load  Ctrl-O/F2 browse  Esc back  F1 help");
		mvaddstr(y++, 2, "Key file to check (PEM or DER, private or public):");
		y++;
		tui_field_draw(&im->path, y, 3, COLS - 8, true);
		y += 2;
		tui_wrap(y, 2, COLS - 4,
			 "Enter on the empty field, Ctrl-O or F2 opens the file browser.",
			 tui_attr(TUI_PAIR_DIM));
		break;
	case ST_PW:
		tui_frame("Import key", "type the password (not shown)  Enter load  Esc back");
		mvprintw(y++, 2, "File: %s", im->path.buf);
		y++;
		mvaddstr(y++, 2, "The key is encrypted. Password:");
		tui_field_draw(&im->ks.pw, y, 3, 40, true);
		y += 2;
		mvaddstr(y, 2, "Nothing is shown while you type.");
		break;
	case ST_SHOW:
		if (im->can_use)
			hints = "u use as signing key  p provision  Enter/Esc back  ? help";
		else if (im->can_sign)
			hints = "p provision with this key  Enter/Esc back  ? help";
		else
			hints = "Enter/Esc back  ? help";
		tui_frame("Import key", hints);
		mvprintw(y++, 2, "File: %s", im->path.buf);
		y++;
		mvprintw(y++, 2, "type         %s", key_type_name(im->type));
		mvprintw(y++, 2, "kind         %s%s", im->is_private ? "private" : "public",
			 im->is_private ? (im->was_encrypted ? " (password-protected)"
							     : " (not encrypted)")
					: "");
		mvprintw(y++, 2, "fingerprint  %s", im->fp);
		y++;
		if (im->devkey[0] != '\0') {
			snprintf(text, sizeof(text),
				 "warning: this is MCUboot's published development key %s: its "
				 "private half is public, anyone can sign images it accepts; "
				 "never ship it",
				 im->devkey);
			y += tui_wrap(y, 2, COLS - 4, text, tui_attr(TUI_PAIR_WARN));
		}
		if (im->insecure) {
			snprintf(text, sizeof(text),
				 "warning: the file is accessible by group or others (mode "
				 "%04o); run: chmod 600 '%s'",
				 im->mode, im->path.buf);
			y += tui_wrap(y, 2, COLS - 4, text, tui_attr(TUI_PAIR_WARN));
		}
		if (im->proj_warn[0] != '\0')
			y += tui_wrap(y, 2, COLS - 4, im->proj_warn, tui_attr(TUI_PAIR_WARN));
		if (im->devkey[0] == '\0' && !im->insecure && im->proj_warn[0] == '\0')
			mvaddstr(y++, 2, "No warnings.");
		if (im->proj_note[0] != '\0') {
			y++;
			y += tui_wrap(y, 2, COLS - 4, im->proj_note, 0);
		}
		if (im->can_sign) {
			y++;
			if (im->can_use)
				mvaddstr(y++, 2,
					 "Next:  u  Use as the project's signing key (rotation)");
			mvprintw(y, 2, "%s  p  Provision the bootloader with this key",
				 im->can_use ? "     " : "Next:");
		}
		break;
	}
}

static bool is_enter(int key)
{
	return key == '\r' || key == '\n' || key == KEY_ENTER;
}

static int import_event(struct tui_screen *s, int key)
{
	struct import *im = (struct import *)s;

	switch (im->step) {
	case ST_PATH:
		if (key == 27)
			return TUI_BACK;
		if (tui_is_browse_key(key) || (is_enter(key) && im->path.len == 0))
			return tui_filepick(s, D_PICK, "Import key: choose a key file", NULL,
					    key_exts, &im->path);
		if (is_enter(key))
			return load(im, false);
		return tui_field_key(&im->path, key) ? TUI_HANDLED : TUI_UNHANDLED;
	case ST_PW:
		if (key == 27) {
			tui_field_clear(&im->ks.pw);
			set_step(im, ST_PATH);
			return TUI_HANDLED;
		}
		if (is_enter(key))
			return load(im, true);
		return tui_field_key(&im->ks.pw, key) ? TUI_HANDLED : TUI_UNHANDLED;
	case ST_SHOW:
		if (key == 27 || is_enter(key))
			return TUI_BACK;
		if ((key == 'u' || key == 'U') && im->can_use) {
			struct tui_screen *next = screen_keyring_new_add(im->path.buf, im->key);

			if (next == NULL) {
				struct mcuprov_err err;

				err_set(&err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
				return tui_dialog_error(s, D_LOADERR, &err);
			}
			im->key = NULL; /* the rotation's now */
			im->can_use = false;
			tui_push(next);
			return TUI_NEXT;
		}
		if ((key == 'p' || key == 'P') && im->can_sign) {
			struct tui_screen *next = screen_provision_new(im->path.buf);

			if (next == NULL) {
				struct mcuprov_err err;

				err_set(&err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
				return tui_dialog_error(s, D_LOADERR, &err);
			}
			tui_push(next);
			return TUI_NEXT;
		}
		return TUI_UNHANDLED;
	}
	return TUI_UNHANDLED;
}

static int import_on_dialog(struct tui_screen *s, int id, bool yes)
{
	struct import *im = (struct import *)s;

	/* a file chosen in the browser is loaded right away */
	if (id == D_PICK && yes && im->step == ST_PATH && im->path.len > 0)
		return load(im, false);
	return TUI_HANDLED;
}

/* Back from Provision or the rotation: the project may have changed. */
static void import_resume(struct tui_screen *s)
{
	struct import *im = (struct import *)s;

	if (im->step == ST_SHOW) {
		relate(im);
		if (im->key == NULL)
			im->can_use = false; /* handed over: load it again to use it */
	}
}

static void import_destroy(struct tui_screen *s)
{
	struct import *im = (struct import *)s;

	tui_keyset_clear(&im->ks);
	key_free(im->key);
	free(im);
}

struct tui_screen *screen_import_new(void)
{
	struct import *im = calloc(1, sizeof(*im));

	if (im == NULL)
		return NULL;
	im->s.title = "Import key";
	im->s.help = "Check a key file before you use it: type its path, or press Enter on "
		     "the empty field (or Ctrl-O, F2) to pick it in the file browser. mcuprov "
		     "loads it (asking for the password when it is encrypted) and shows its "
		     "type, whether it is a private or public key, its fingerprint (the value "
		     "`mcuprov fingerprint` prints and images carry) and warns about MCUboot's "
		     "published development keys and loose file modes, and what the key is to "
		     "the project here (one of its keys, or of another type). From there, p "
		     "provisions the bootloader with the key, and u makes it the project's "
		     "signing key (a rotation, as in the Keyring).";
	im->s.draw = import_draw;
	im->s.event = import_event;
	im->s.on_dialog = import_on_dialog;
	im->s.resume = import_resume;
	im->s.destroy = import_destroy;
	im->ks.pw.secret = true;
	set_step(im, ST_PATH);
	return &im->s;
}
