/* mcuprov wizard: Home: the project at a glance and the action list. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tui.h"
#include "mcuprov/pkcs11.h"
#include "mcuprov/devkey.h"
#include "mcuprov/key.h"
#include "mcuprov/project.h"
#include "mcuprov/provision.h"

#define PROJECT_FILE "mcuprov.yaml"

enum {
	ACT_KEYGEN,
	ACT_IMPORT,
	ACT_PROVISION,
	ACT_RUN,
	ACT_SIGN,
	ACT_INSPECT,
	ACT_KEYRING,
	ACT_SETTINGS,
	ACT_QUIT,
	N_ACTIONS,
};

static const char *const actions[N_ACTIONS] = {
	"Generate key", "Import key", "Provision bootloader", "Build & flash", "Sign image",
	"Inspect image", "Keyring", "Settings", "Quit",
};

static const char *const action_notes[N_ACTIONS] = {
	"a new signing key, password-protected, mode 0600",
	"check a key file: type, fingerprint, dev key",
	"make the bootloader trust your key",
	"build, sign, verify and flash the target",
	"sign an app image with your key",
	"show an image's header and TLVs",
	"the project's keys",
	"mcuprov.yaml",
	"leave the wizard",
};

struct home {
	struct tui_screen s;
	int sel;
	bool has_project;
	char project_line[256];
	char key_line[1200];
	char fp_line[160];
	char warn[5][1200];
	int n_warn;
	bool key_missing; /* the project's signing key file does not exist */
	char keygen_note[600];
};

static void home_load(struct home *h)
{
	struct project *p = NULL;
	struct mcuprov_key *key = NULL;
	struct mcuprov_err err;
	char hex[2 * KEY_FINGERPRINT_LEN + 1];
	const char *base;

	h->has_project = false;
	h->key_missing = false;
	h->n_warn = 0;
	h->key_line[0] = h->fp_line[0] = '\0';
	if (access(PROJECT_FILE, F_OK) != 0) {
		snprintf(h->project_line, sizeof(h->project_line),
			 "no project - create one in Settings (or with `mcuprov init`)");
		return;
	}
	err_clear(&err);
	if (project_load(PROJECT_FILE, &p, &err) < 0) {
		snprintf(h->project_line, sizeof(h->project_line), "project: %s (cannot load)",
			 PROJECT_FILE);
		if (err.subject[0] != '\0')
			snprintf(h->warn[h->n_warn++], sizeof(h->warn[0]), "'%s': %s", err.subject,
				 err.msg);
		else
			snprintf(h->warn[h->n_warn++], sizeof(h->warn[0]), "%s", err.msg);
		return;
	}
	h->has_project = true;
	base = strrchr(p->dir, '/');
	base = base != NULL && base[1] != '\0' ? base + 1 : p->dir;
	snprintf(h->project_line, sizeof(h->project_line), "project: %s (%s)", base, PROJECT_FILE);
	snprintf(h->key_line, sizeof(h->key_line), "signing key: %s (%s)", p->keys[0].path,
		 key_type_name(p->keys[0].type));
	err_clear(&err);
	if (!tui_key_exists(tui_key_src(p->keys[0].path, p->keys[0].abspath))) {
		/* a fresh project: the next step is its key, offered */
		h->key_missing = true;
		snprintf(h->fp_line, sizeof(h->fp_line),
			 "not created yet: Generate key makes it (Enter)");
		snprintf(h->keygen_note, sizeof(h->keygen_note), "%s (%s)", p->keys[0].path,
			 key_type_name(p->keys[0].type));
		h->sel = ACT_KEYGEN;
	} else if (key_load_ex(tui_key_src(p->keys[0].path, p->keys[0].abspath), KEY_LOAD_PUBLIC,
			       NULL, NULL, &key, &err) == 0) {
		/* (a token key: its public half, the PIN is asked when it signs) */
		if (key_fingerprint_hex(key, hex, &err) == 0)
			snprintf(h->fp_line, sizeof(h->fp_line), "fingerprint: %s", hex);
		if (key->type != p->keys[0].type)
			snprintf(h->warn[h->n_warn++], sizeof(h->warn[0]),
				 "'%s' is %s but %s:%u says %s", p->keys[0].path,
				 key_type_name(key->type), PROJECT_FILE, p->keys[0].mark.line,
				 key_type_name(p->keys[0].type));
		if (key->devkey != NULL)
			snprintf(h->warn[h->n_warn++], sizeof(h->warn[0]),
				 "'%s' is MCUboot's published development key %s: never ship it",
				 p->keys[0].path, key->devkey->name);
		if (key->insecure_mode)
			snprintf(h->warn[h->n_warn++], sizeof(h->warn[0]),
				 "'%s' is readable by group or others (mode %04o): chmod 600 it",
				 p->keys[0].path, (unsigned)(key->file_mode & 07777));
		key_free(key);
	} else if (err.code == MCUPROV_ERR_PASSWORD) {
		snprintf(h->fp_line, sizeof(h->fp_line), "fingerprint: (password-protected)");
	} else if (pkcs11_is_uri(p->keys[0].path) && err.code == MCUPROV_ERR_IO) {
		/* not in the token (or no such token): the core says which; the
		 * next step may be to make it there */
		h->key_missing = true;
		snprintf(h->fp_line, sizeof(h->fp_line),
			 "not in a token: Generate key makes it there (Enter)");
		snprintf(h->keygen_note, sizeof(h->keygen_note), "in the token (%s)",
			 key_type_name(p->keys[0].type));
		h->sel = ACT_KEYGEN;
		snprintf(h->warn[h->n_warn++], sizeof(h->warn[0]), "%s", err.msg);
	} else {
		snprintf(h->warn[h->n_warn++], sizeof(h->warn[0]), "'%s': %s", p->keys[0].path,
			 err.msg);
	}
	/* the bootloader's configuration against the project's key type */
	err_clear(&err);
	if (p->bootloader.path != NULL && access(p->bootloader.path, F_OK) == 0 &&
	    provision_check_type(p->bootloader.path, p->keys[0].type, p->n_keys,
				 (const char *const *)p->bootloader.defines, p->bootloader.n_defines,
				 (const char *const *)p->bootloader.undefs, p->bootloader.n_undefs,
				 &err) < 0)
		snprintf(h->warn[h->n_warn++], sizeof(h->warn[0]), "'%s': %s",
			 p->bootloader.file != NULL ? p->bootloader.file : p->bootloader.path,
			 err.msg);
	project_free(p);
}

static void home_draw(struct tui_screen *s)
{
	struct home *h = (struct home *)s;
	int y = 3, i;

	tui_frame("Home", "Up/Down move  Enter choose  ? help  q quit");
	mvaddstr(y++, 2, h->project_line);
	if (h->key_line[0] != '\0')
		mvaddstr(y++, 2, h->key_line);
	if (h->fp_line[0] != '\0')
		mvaddstr(y++, 2, h->fp_line);
	for (i = 0; i < h->n_warn; i++)
		y += tui_wrap(y, 2, COLS - 4, h->warn[i], tui_attr(TUI_PAIR_WARN));
	y++;
	tui_menu(y, 2, 26, actions, N_ACTIONS, h->sel);
	attron(tui_attr(TUI_PAIR_DIM));
	mvaddnstr(y + h->sel, 30,
		  h->sel == ACT_KEYGEN && h->key_missing ? h->keygen_note : action_notes[h->sel],
		  COLS - 32);
	attroff(tui_attr(TUI_PAIR_DIM));
}

static int home_event(struct tui_screen *s, int key)
{
	struct home *h = (struct home *)s;
	struct tui_screen *next;

	if (tui_menu_key(key, &h->sel, N_ACTIONS))
		return TUI_HANDLED;
	switch (key) {
	case 'q':
	case 'Q':
		return TUI_QUIT;
	case 27:
		return TUI_HANDLED; /* Home is the bottom: q quits */
	case '\r':
	case '\n':
	case KEY_ENTER:
		break;
	default:
		return TUI_UNHANDLED;
	}
	switch (h->sel) {
	case ACT_KEYGEN: next = screen_keygen_new(); break;
	case ACT_IMPORT: next = screen_import_new(); break;
	case ACT_PROVISION: next = screen_provision_new(NULL); break;
	case ACT_RUN: next = screen_build_new(); break;
	case ACT_SIGN: next = screen_sign_new(); break;
	case ACT_INSPECT: next = screen_inspect_new(); break;
	case ACT_KEYRING: next = screen_keyring_new(); break;
	case ACT_SETTINGS: next = screen_settings_new(); break;
	default: return TUI_QUIT;
	}
	if (next == NULL) {
		struct mcuprov_err err;

		err_set(&err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		return tui_dialog_error(s, 0, &err);
	}
	tui_push(next);
	return TUI_NEXT;
}

static void home_resume(struct tui_screen *s)
{
	home_load((struct home *)s);
}

struct tui_screen *screen_home_new(void)
{
	struct home *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->s.title = "Home";
	h->s.help = "Home shows the project in this directory (mcuprov.yaml), its signing "
		    "key (or that it is not made yet: Generate key is then selected, with the "
		    "project's type and file) and warnings, and what you can do: make or "
		    "check a key, make the "
		    "bootloader trust it, build and flash (the QEMU demo works without "
		    "hardware), sign or inspect an image, rotate keys (Keyring), create or "
		    "edit the project (Settings). Every screen does what a mcuprov command "
		    "does, with the same messages; ? or F1 explains each screen.";
	h->s.draw = home_draw;
	h->s.event = home_event;
	h->s.resume = home_resume;
	home_load(h);
	return &h->s;
}
