/* mcuprov wizard: guided key generation.
 *
 * Type -> file -> password (twice, no echo, or explicitly none) -> confirm
 * -> key_generate + key_save + key_fingerprint_hex in a worker thread while
 * the loop turns a spinner -> result. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tui.h"
#include "mcuprov/key.h"

enum step { ST_TYPE, ST_FILE, ST_PWMODE, ST_PW1, ST_PW2, ST_CONFIRM, ST_WORKING, ST_RESULT };

enum { D_OVERWRITE = 1, D_NOPASS, D_PWERR, D_GENERR };

static const struct {
	enum key_type type;
	const char *advice;
} types[] = {
	{ KEY_ED25519, "recommended: small and fast; bootloader needs "
		       "CONFIG_BOOT_SIGNATURE_TYPE_ED25519" },
	{ KEY_ECDSA_P256, "widely supported: CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256" },
	{ KEY_ECDSA_P384, "SHA-384 images; keys.c/MCUboot with P-384 support" },
	{ KEY_RSA2048, "the oldest MCUboot default; large signatures" },
	{ KEY_RSA3072, "RSA with a longer life; slowest to generate and verify" },
	{ KEY_X25519, "image encryption key, not for signing" },
};
#define N_TYPES ((int)(sizeof(types) / sizeof(types[0])))

static const char *const pwmodes[] = {
	"Protect the key with a password (recommended)",
	"No password",
};

static const char *const result_actions[] = {
	"Provision bootloader with this key (next step)",
	"Back to Home",
};

/* screen_keygen_new_for(): the key is one step of a rotation */
static const char *const rotate_actions[] = {
	"Back to Keyring: continue the rotation (next step)",
};

struct job {
	enum key_type type;
	char path[4096];
	char *pw; /* PASSWD_BUF bytes or NULL */
	bool force;
	int rc;
	struct mcuprov_err err;
	char fp[2 * KEY_FINGERPRINT_LEN + 1];
	bool keep;                /* hand the key to the caller */
	struct mcuprov_key *key;  /* kept: the new key, loaded */
	atomic_bool done;
};

struct keygen {
	struct tui_screen s;
	enum step step;
	int type_sel, pwmode_sel, result_sel;
	struct tui_field file, pw1, pw2;
	bool overwrite;
	bool running;
	pthread_t thread;
	struct job job;
	unsigned spin;
	unsigned mode; /* of the written file */
	/* screen_keygen_new_for(): type fixed, the saved path goes to out_path */
	bool fixed_type;
	char *out_path;
	size_t out_n;
	struct mcuprov_key **out_key;
};

static void *worker(void *arg)
{
	struct job *j = arg;
	struct mcuprov_key *key = NULL;

	err_clear(&j->err);
	j->rc = key_generate(j->type, &key, &j->err);
	if (j->rc == 0)
		j->rc = key_save(key, j->path, j->pw, j->force, &j->err);
	if (j->rc == 0)
		j->rc = key_fingerprint_hex(key, j->fp, &j->err);
	if (j->rc < 0 && j->err.subject[0] == '\0')
		snprintf(j->err.subject, sizeof(j->err.subject), "%.500s", j->path);
	if (j->rc == 0 && j->keep)
		j->key = key;
	else
		key_free(key);
	passwd_free(j->pw);
	j->pw = NULL;
	atomic_store(&j->done, true);
	tui_busy_add(-1);
	return NULL;
}

static void set_step(struct keygen *k, enum step st)
{
	k->step = st;
	k->s.text_input = st == ST_FILE || st == ST_PW1 || st == ST_PW2;
}

static int start(struct keygen *k)
{
	struct job *j = &k->job;

	memset(j, 0, sizeof(*j));
	j->type = types[k->type_sel].type;
	snprintf(j->path, sizeof(j->path), "%s", k->file.buf);
	j->force = k->overwrite;
	j->keep = k->out_key != NULL;
	if (k->pwmode_sel == 0) {
		j->pw = calloc(1, PASSWD_BUF);
		if (j->pw == NULL) {
			err_set(&j->err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
			return tui_dialog_error(&k->s, D_GENERR, &j->err);
		}
		memcpy(j->pw, k->pw1.buf, k->pw1.len + 1);
	}
	tui_field_clear(&k->pw1);
	tui_field_clear(&k->pw2);
	atomic_store(&j->done, false);
	tui_busy_add(1);
	if (pthread_create(&k->thread, NULL, worker, j) != 0) {
		tui_busy_add(-1);
		passwd_free(j->pw);
		j->pw = NULL;
		err_set(&j->err, MCUPROV_ERR_INTERNAL, NULL, "cannot start a thread");
		return tui_dialog_error(&k->s, D_GENERR, &j->err);
	}
	k->running = true;
	set_step(k, ST_WORKING);
	return TUI_HANDLED;
}

static int keygen_tick(struct tui_screen *s)
{
	struct keygen *k = (struct keygen *)s;
	struct stat st;

	if (!k->running)
		return TUI_UNHANDLED;
	if (!atomic_load(&k->job.done)) {
		k->spin++;
		return TUI_HANDLED;
	}
	pthread_join(k->thread, NULL);
	k->running = false;
	if (k->job.rc < 0) {
		set_step(k, ST_FILE);
		return tui_dialog_error(s, D_GENERR, &k->job.err);
	}
	k->mode = stat(k->job.path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0;
	if (k->out_path != NULL)
		snprintf(k->out_path, k->out_n, "%s", k->job.path);
	if (k->out_key != NULL) {
		/* the caller's now: no second password prompt for it */
		key_free(*k->out_key);
		*k->out_key = k->job.key;
		k->job.key = NULL;
	}
	set_step(k, ST_RESULT);
	return TUI_HANDLED;
}

static void draw_steps(struct keygen *k)
{
	static const char *const names[] = { "Type", "File", "Password", "Confirm", "Done" };
	static const int of_step[] = { 0, 1, 2, 2, 2, 3, 4, 4 };
	int i, x = 2;

	for (i = 0; i < 5; i++) {
		if (i == of_step[k->step])
			attron(A_BOLD | A_UNDERLINE);
		mvprintw(3, x, "%d %s", i + 1, names[i]);
		if (i == of_step[k->step])
			attroff(A_BOLD | A_UNDERLINE);
		x += (int)strlen(names[i]) + 2;
		if (i < 4)
			mvaddstr(3, x, " > ");
		x += 3;
	}
}

static void keygen_draw(struct tui_screen *s)
{
	static const char spinner[] = "|/-\\";
	struct keygen *k = (struct keygen *)s;
	const char *hints = "Enter next  Esc back  ? help";
	const char *items[1];
	int i, y = 5;

	switch (k->step) {
	case ST_FILE: hints = "type the file name  Enter next  Esc back  F1 help"; break;
	case ST_PW1:
	case ST_PW2: hints = "type the password (not shown)  Enter next  Esc back  F1 help"; break;
	case ST_WORKING: hints = "generating..."; break;
	case ST_RESULT:
		hints = k->fixed_type ? "Enter/Esc back to Keyring  ? help"
				      : "Enter choose  Esc home  ? help";
		break;
	default: break;
	}
	tui_frame("Generate key", hints);
	draw_steps(k);
	switch (k->step) {
	case ST_TYPE:
		mvaddstr(y++, 2, "Key type:");
		y++;
		for (i = 0; i < N_TYPES; i++) {
			items[0] = key_type_name(types[i].type);
			tui_menu(y, 2, 13, items, 1, i == k->type_sel ? 0 : -1);
			y += tui_wrap(y, 16, COLS - 18, types[i].advice, 0);
		}
		break;
	case ST_FILE:
		mvprintw(y++, 2, "Type: %s", key_type_name(types[k->type_sel].type));
		if (k->fixed_type)
			printw(" (fixed: the bootloader verifies one signature type)");
		y++;
		mvaddstr(y++, 2, "Private key file to create (mode 0600):");
		tui_field_draw(&k->file, y, 3, COLS - 8, true);
		y += 2;
		mvaddstr(y, 2, "Relative to the current directory; the directory must exist.");
		break;
	case ST_PWMODE:
		mvprintw(y++, 2, "File: %s", k->file.buf);
		y++;
		mvaddstr(y++, 2, "Password:");
		y++;
		tui_menu(y, 2, 50, pwmodes, 2, k->pwmode_sel);
		y += 3;
		tui_wrap(y, 2, COLS - 4,
			 "A password encrypts the key file (AES-256, PBKDF2): a copied file "
			 "alone cannot sign firmware.",
			 0);
		break;
	case ST_PW1:
	case ST_PW2:
		mvprintw(y++, 2, "File: %s", k->file.buf);
		y++;
		mvaddstr(y++, 2, k->step == ST_PW1 ? "Password for the new key:"
						   : "The same password again:");
		tui_field_draw(k->step == ST_PW1 ? &k->pw1 : &k->pw2, y, 3, 40, true);
		y += 2;
		mvaddstr(y, 2, "Nothing is shown while you type.");
		break;
	case ST_CONFIRM:
		mvaddstr(y++, 2, "Generate this key?");
		y++;
		mvprintw(y++, 2, "type         %s", key_type_name(types[k->type_sel].type));
		mvprintw(y++, 2, "file         %s%s", k->file.buf,
			 k->overwrite ? " (replaces the existing file)" : "");
		mvprintw(y++, 2, "password     %s",
			 k->pwmode_sel == 0 ? "yes (encrypted)" : "none (not encrypted)");
		mvaddstr(y++, 2, "mode         0600");
		y++;
		mvaddstr(y, 2, "Enter generates the key; Esc goes back.");
		break;
	case ST_WORKING:
		mvprintw(y, 2, "%c Generating %s key...", spinner[k->spin % 4],
			 key_type_name(types[k->type_sel].type));
		break;
	case ST_RESULT:
		attron(tui_attr(TUI_PAIR_OK) | A_BOLD);
		mvaddstr(y++, 2, "Key created.");
		attroff(tui_attr(TUI_PAIR_OK) | A_BOLD);
		y++;
		mvprintw(y++, 2, "file         %s", k->job.path);
		mvprintw(y++, 2, "mode         %04o", k->mode);
		mvprintw(y++, 2, "type         %s", key_type_name(k->job.type));
		mvprintw(y++, 2, "password     %s", k->pwmode_sel == 0 ? "yes" : "none");
		mvprintw(y++, 2, "fingerprint  %s", k->job.fp);
		y++;
		mvaddstr(y++, 2, "Next:");
		if (k->fixed_type)
			tui_menu(y, 2, 54, rotate_actions, 1, 0);
		else
			tui_menu(y, 2, 50, result_actions, 2, k->result_sel);
		break;
	}
}

static bool is_enter(int key)
{
	return key == '\r' || key == '\n' || key == KEY_ENTER;
}

static int keygen_event(struct tui_screen *s, int key)
{
	struct keygen *k = (struct keygen *)s;
	struct mcuprov_err err;
	struct stat st;

	switch (k->step) {
	case ST_TYPE:
		if (tui_menu_key(key, &k->type_sel, N_TYPES))
			return TUI_HANDLED;
		if (is_enter(key)) {
			set_step(k, ST_FILE);
			return TUI_HANDLED;
		}
		return key == 27 ? TUI_BACK : TUI_UNHANDLED;
	case ST_FILE:
		if (key == 27 && k->fixed_type)
			return TUI_BACK; /* no type step to go back to */
		if (key == 27) {
			set_step(k, ST_TYPE);
			return TUI_HANDLED;
		}
		if (is_enter(key)) {
			err_clear(&err);
			if (k->file.len == 0) {
				err_set(&err, MCUPROV_ERR_USAGE, NULL, "no file name given");
				return tui_dialog_error(s, D_PWERR, &err);
			}
			k->overwrite = false;
			if (stat(k->file.buf, &st) == 0) {
				char text[4200];

				snprintf(text, sizeof(text),
					 "'%s' exists. Replace it? The key in it is lost "
					 "unless you have a copy.",
					 k->file.buf);
				return tui_dialog_confirm(s, D_OVERWRITE, "Replace file?", text,
							  "Replace", "Keep");
			}
			set_step(k, ST_PWMODE);
			return TUI_HANDLED;
		}
		return tui_field_key(&k->file, key) ? TUI_HANDLED : TUI_UNHANDLED;
	case ST_PWMODE:
		if (tui_menu_key(key, &k->pwmode_sel, 2))
			return TUI_HANDLED;
		if (key == 27) {
			set_step(k, ST_FILE);
			return TUI_HANDLED;
		}
		if (is_enter(key)) {
			if (k->pwmode_sel == 0) {
				set_step(k, ST_PW1);
				return TUI_HANDLED;
			}
			return tui_dialog_confirm(
				s, D_NOPASS, "No password?",
				"The key file will not be encrypted: anyone who can read it "
				"(a backup, a copied folder) can sign firmware your bootloader "
				"accepts.",
				"No password", "Go back");
		}
		return TUI_UNHANDLED;
	case ST_PW1:
	case ST_PW2:
		if (key == 27) {
			tui_field_clear(&k->pw1);
			tui_field_clear(&k->pw2);
			set_step(k, ST_PWMODE);
			return TUI_HANDLED;
		}
		if (is_enter(key)) {
			err_clear(&err);
			if (k->step == ST_PW1) {
				if (k->pw1.len == 0) {
					err_set(&err, MCUPROV_ERR_PASSWORD, NULL,
						"empty password (choose \"No password\" instead)");
					return tui_dialog_error(s, D_PWERR, &err);
				}
				set_step(k, ST_PW2);
				return TUI_HANDLED;
			}
			if (strcmp(k->pw1.buf, k->pw2.buf) != 0) {
				err_set(&err, MCUPROV_ERR_PASSWORD, NULL,
					"passwords do not match");
				return tui_dialog_error(s, D_PWERR, &err);
			}
			set_step(k, ST_CONFIRM);
			return TUI_HANDLED;
		}
		return tui_field_key(k->step == ST_PW1 ? &k->pw1 : &k->pw2, key) ? TUI_HANDLED
										 : TUI_UNHANDLED;
	case ST_CONFIRM:
		if (key == 27) {
			set_step(k, ST_PWMODE);
			return TUI_HANDLED;
		}
		if (is_enter(key))
			return start(k);
		return TUI_UNHANDLED;
	case ST_WORKING:
		return TUI_HANDLED; /* the key is being written: nothing to cancel */
	case ST_RESULT:
		if (k->fixed_type) /* the next step is the Keyring's, below */
			return is_enter(key) || key == 27 ? TUI_BACK : TUI_UNHANDLED;
		if (tui_menu_key(key, &k->result_sel, 2))
			return TUI_HANDLED;
		if (is_enter(key)) {
			if (k->result_sel == 0) {
				tui_push(screen_provision_new(k->job.path));
				return TUI_NEXT;
			}
			return TUI_BACK;
		}
		return key == 27 ? TUI_BACK : TUI_UNHANDLED;
	}
	return TUI_UNHANDLED;
}

static int keygen_on_dialog(struct tui_screen *s, int id, bool yes)
{
	struct keygen *k = (struct keygen *)s;

	switch (id) {
	case D_OVERWRITE:
		if (yes) {
			k->overwrite = true;
			set_step(k, ST_PWMODE);
		}
		break;
	case D_NOPASS:
		if (yes)
			set_step(k, ST_CONFIRM);
		break;
	case D_PWERR:
		if (k->step == ST_PW1 || k->step == ST_PW2) {
			tui_field_clear(&k->pw1);
			tui_field_clear(&k->pw2);
			set_step(k, ST_PW1);
		}
		break;
	default:
		break;
	}
	return TUI_HANDLED;
}

static void keygen_destroy(struct tui_screen *s)
{
	struct keygen *k = (struct keygen *)s;

	if (k->running)
		pthread_join(k->thread, NULL);
	passwd_free(k->job.pw);
	tui_field_clear(&k->pw1);
	tui_field_clear(&k->pw2);
	key_free(k->job.key);
	free(k);
}

struct tui_screen *screen_keygen_new(void)
{
	struct keygen *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return NULL;
	k->s.title = "Generate key";
	k->s.help = "Generate a new key in five steps: the type (ed25519 unless your "
		    "bootloader needs another), the file to create (mode 0600; an existing "
		    "file is replaced only if you confirm), a password typed twice without "
		    "echo (or explicitly none), a summary to confirm, then the key is "
		    "generated and its fingerprint shown. In text fields Backspace deletes "
		    "and Ctrl-U clears.";
	k->s.draw = keygen_draw;
	k->s.event = keygen_event;
	k->s.tick = keygen_tick;
	k->s.on_dialog = keygen_on_dialog;
	k->s.destroy = keygen_destroy;
	k->pw1.secret = k->pw2.secret = true;
	tui_field_set(&k->file, "keys/signing.pem");
	set_step(k, ST_TYPE);
	return &k->s;
}

/* The keygen screen preset for a rotation (contract in tui.h). */
struct tui_screen *screen_keygen_new_for(enum key_type type, const char *path, char *out_path,
					 size_t out_n, struct mcuprov_key **out_key)
{
	struct tui_screen *s = screen_keygen_new();
	struct keygen *k = (struct keygen *)s;
	int i;

	if (k == NULL)
		return NULL;
	for (i = 0; i < N_TYPES; i++)
		if (types[i].type == type) {
			k->type_sel = i;
			k->fixed_type = true;
		}
	if (path != NULL)
		tui_field_set(&k->file, path);
	k->out_path = out_path;
	k->out_n = out_n;
	k->out_key = out_key;
	if (out_path != NULL && out_n > 0)
		out_path[0] = '\0';
	if (k->fixed_type) {
		k->s.help = "Generate the new signing key of a rotation: its type is the project's "
			    "(the bootloader verifies one signature type), so the steps are the "
			    "file to create (mode 0600; an existing file is replaced only if you "
			    "confirm), a password typed twice without echo (or explicitly none), "
			    "a summary to confirm, then the key is generated and its fingerprint "
			    "shown. Leaving the result goes back to the Keyring, which continues "
			    "the rotation with this key.";
		set_step(k, ST_FILE);
	}
	return s;
}
