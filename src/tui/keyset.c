/* mcuprov wizard: load several key files in turn, asking for a password
 * (without echo) only for the encrypted ones — shared by every screen that
 * needs a project's keys. */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "tui.h"
#include "mcuprov/pkcs11.h"

static const char *shown(const struct tui_keyset *ks, size_t i)
{
	return ks->names[i] != NULL ? ks->names[i] : ks->paths[i];
}

int tui_keyset_load(struct tui_keyset *ks, bool with_pw, struct mcuprov_err *err)
{
	ks->pw.secret = true;
	while (ks->loaded < ks->n && ks->loaded < TUI_KEYSET_MAX) {
		struct tui_pw a = { with_pw ? ks->pw.buf : NULL, false };
		int rc;

		err_clear(err);
		rc = key_load_ex(ks->paths[ks->loaded],
				 ks->flags | (ks->signs_first && ks->loaded > 0 ? KEY_LOAD_PUBLIC : 0),
				 tui_pw_cb, &a, &ks->keys[ks->loaded], err);
		/* the password is wiped at its last use, whatever happened */
		tui_field_clear(&ks->pw);
		if (rc < 0) {
			if (err->code == MCUPROV_ERR_PASSWORD && a.asked && !with_pw) {
				ks->need_pw = true;
				return 1;
			}
			/* name the key as the screen shows it */
			snprintf(err->subject, sizeof(err->subject), "%.500s", shown(ks, ks->loaded));
			ks->need_pw = err->code == MCUPROV_ERR_PASSWORD && a.asked;
			return rc;
		}
		ks->need_pw = false;
		with_pw = false;
		ks->loaded++;
	}
	return 0;
}

void tui_keyset_draw_pw(const struct tui_keyset *ks, int y)
{
	size_t i = ks->loaded < ks->n ? ks->loaded : 0;

	y += tui_wrap(y, 2, COLS - 4, shown(ks, i), 0);
	y++;
	mvaddstr(y++, 2, tui_pw_prompt(ks->paths[i]));
	tui_field_draw(&ks->pw, y, 3, 40, true);
	y += 2;
	mvaddstr(y, 2, "Nothing is shown while you type.");
}

bool tui_keyset_key(struct tui_keyset *ks, int key)
{
	ks->pw.secret = true;
	return tui_field_key(&ks->pw, key);
}

void tui_keyset_clear(struct tui_keyset *ks)
{
	size_t i;

	for (i = 0; i < TUI_KEYSET_MAX; i++) {
		key_free(ks->keys[i]);
		ks->keys[i] = NULL;
	}
	ks->loaded = 0;
	ks->need_pw = false;
	tui_field_clear(&ks->pw);
}

int tui_keyset_load_one(struct tui_keyset *ks, const char *path, bool with_pw,
			struct mcuprov_key **out, struct mcuprov_err *err)
{
	int rc;

	*out = NULL;
	if (!with_pw) {
		tui_keyset_clear(ks);
		ks->paths[0] = path;
		ks->names[0] = NULL;
		ks->n = 1;
	}
	rc = tui_keyset_load(ks, with_pw, err);
	if (rc == 0) {
		*out = ks->keys[0];
		ks->keys[0] = NULL;
		tui_keyset_clear(ks);
	}
	return rc;
}

bool tui_keyset_wants_pin(const struct tui_keyset *ks)
{
	return ks->loaded < ks->n && ks->paths[ks->loaded] != NULL &&
	       pkcs11_is_uri(ks->paths[ks->loaded]);
}

const char *tui_pw_prompt(const char *path)
{
	return path != NULL && pkcs11_is_uri(path) ? "The key is in a token. PIN:"
						   : "The key is encrypted. Password:";
}

const char *tui_key_src(const char *path, const char *abspath)
{
	return path != NULL && pkcs11_is_uri(path) ? path : abspath;
}

bool tui_key_exists(const char *name)
{
	/* a token is asked when the key is loaded, not here */
	return pkcs11_is_uri(name) || access(name, F_OK) == 0;
}
