/* mcuprov wizard: inspect an image — image_parse + imginfo_format (the text
 * of `mcuprov dumpinfo`) in a scrollable pane, with image_verify's verdict
 * on top: the hash without a key, the signature with one. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tui.h"
#include "mcuprov/image.h"
#include "mcuprov/key.h"

enum step { ST_FORM, ST_PW, ST_SHOW };

enum { F_IMAGE, F_KEY, N_FORM };

enum { D_ERR = 1, D_PWERR };

struct inspect {
	struct tui_screen s;
	enum step step;
	int focus;
	struct tui_field image, key, pw;
	char *text;   /* imginfo_format output */
	bool ok;      /* the verify status */
	char status[1400];
	int top;
};

static void set_step(struct inspect *in, enum step st)
{
	in->step = st;
	in->s.text_input = st != ST_SHOW;
}

static int fail(struct inspect *in, int id, struct mcuprov_err *err, const char *subject)
{
	if (err->subject[0] == '\0')
		snprintf(err->subject, sizeof(err->subject), "%.500s", subject);
	return tui_dialog_error(&in->s, id, err);
}

static int run(struct inspect *in, bool with_pw)
{
	struct tui_pw a = { with_pw ? in->pw.buf : NULL, false };
	struct image_info *info = NULL;
	struct image_verify_result res;
	struct mcuprov_key *key = NULL;
	const struct mcuprov_key *keys[1];
	struct mcuprov_err err;
	char fp[2 * KEY_FINGERPRINT_LEN + 1];
	const char *base;
	size_t len;
	int rc;

	err_clear(&err);
	if (in->key.len > 0) {
		rc = key_load(in->key.buf, tui_pw_cb, &a, &key, &err);
		tui_field_clear(&in->pw);
		if (rc < 0) {
			if (err.code == MCUPROV_ERR_PASSWORD && a.asked && !with_pw) {
				set_step(in, ST_PW);
				return TUI_HANDLED;
			}
			set_step(in, ST_FORM);
			return fail(in, with_pw && err.code == MCUPROV_ERR_PASSWORD ? D_PWERR : D_ERR,
				     &err, in->key.buf);
		}
	}
	set_step(in, ST_FORM);
	if (image_parse(in->image.buf, &info, &err) < 0) {
		key_free(key);
		return fail(in, D_ERR, &err, in->image.buf);
	}
	base = strrchr(in->image.buf, '/');
	base = base != NULL ? base + 1 : in->image.buf;
	free(in->text);
	in->text = NULL;
	rc = imginfo_format(info, base, IMGINFO_HUMAN, &in->text, &len, &err);
	image_info_free(info);
	if (rc < 0) {
		key_free(key);
		return fail(in, D_ERR, &err, in->image.buf);
	}
	keys[0] = key;
	err_clear(&err);
	memset(&res, 0, sizeof(res));
	rc = image_verify(in->image.buf, keys, key != NULL ? 1 : 0, &res, &err);
	in->ok = rc == 0;
	if (rc < 0)
		snprintf(in->status, sizeof(in->status), "%s", err.msg);
	else if (key == NULL)
		snprintf(in->status, sizeof(in->status), "hash OK%s",
			 res.signed_image ? " (signature not checked: give a key)" : "");
	else if (key_fingerprint_hex(key, fp, &err) == 0)
		snprintf(in->status, sizeof(in->status), "signature OK (key %.16s...)", fp);
	else
		snprintf(in->status, sizeof(in->status), "signature OK");
	key_free(key);
	in->top = 0;
	set_step(in, ST_SHOW);
	return TUI_HANDLED;
}

#define PANE_Y 5

static int pane_rows(void)
{
	return LINES - 3 - PANE_Y;
}

static void inspect_draw(struct tui_screen *s)
{
	struct inspect *in = (struct inspect *)s;
	int y = 3, n;

	switch (in->step) {
	case ST_FORM:
		tui_frame("Inspect image", "Tab move  type the path  Enter inspect  Esc back  F1 help");
		mvaddstr(y++, 2, "Image file (signed or not):");
		tui_field_draw(&in->image, y++, 3, COLS - 8, in->focus == F_IMAGE);
		y++;
		mvaddstr(y++, 2, "Key to check the signature with (optional; public is enough):");
		tui_field_draw(&in->key, y++, 3, COLS - 8, in->focus == F_KEY);
		y++;
		tui_wrap(y, 2, COLS - 4,
			 "Without a key the image hash is checked; with one, also that the image "
			 "names that key and its signature verifies.",
			 tui_attr(TUI_PAIR_DIM));
		break;
	case ST_PW:
		tui_frame("Inspect image", "type the password (not shown)  Enter load  Esc back");
		mvprintw(y++, 2, "Key: %s", in->key.buf);
		y++;
		mvaddstr(y++, 2, "The key is encrypted. Password:");
		tui_field_draw(&in->pw, y, 3, 40, true);
		y += 2;
		mvaddstr(y, 2, "Nothing is shown while you type.");
		break;
	case ST_SHOW:
		tui_frame("Inspect image", "Up/Down/PgUp/PgDn scroll  Esc back  F1 help");
		attron(tui_attr(in->ok ? TUI_PAIR_OK : TUI_PAIR_ERROR) | A_BOLD);
		mvaddnstr(y++, 2, in->status, COLS - 4);
		attroff(tui_attr(in->ok ? TUI_PAIR_OK : TUI_PAIR_ERROR) | A_BOLD);
		n = tui_pane_lines(in->text);
		tui_hline(PANE_Y - 1, 2, COLS - 4);
		if (n > pane_rows())
			mvprintw(PANE_Y - 1, COLS - 24, " lines %d-%d of %d ", in->top + 1,
				 in->top + pane_rows() < n ? in->top + pane_rows() : n, n);
		tui_pane_draw(PANE_Y, 2, pane_rows(), COLS - 4, in->text, in->top);
		break;
	}
}

static bool is_enter(int key)
{
	return key == '\r' || key == '\n' || key == KEY_ENTER;
}

static int inspect_event(struct tui_screen *s, int key)
{
	struct inspect *in = (struct inspect *)s;

	switch (in->step) {
	case ST_FORM:
		if (key == 27)
			return TUI_BACK;
		if (is_enter(key))
			return in->image.len > 0 ? run(in, false) : TUI_HANDLED;
		if (tui_menu_key(key, &in->focus, N_FORM))
			return TUI_HANDLED;
		return tui_field_key(in->focus == F_IMAGE ? &in->image : &in->key, key)
			       ? TUI_HANDLED
			       : TUI_UNHANDLED;
	case ST_PW:
		if (key == 27) {
			tui_field_clear(&in->pw);
			set_step(in, ST_FORM);
			return TUI_HANDLED;
		}
		if (is_enter(key))
			return run(in, true);
		return tui_field_key(&in->pw, key) ? TUI_HANDLED : TUI_UNHANDLED;
	case ST_SHOW:
		if (key == 27 || is_enter(key)) {
			set_step(in, ST_FORM);
			return TUI_HANDLED;
		}
		return tui_pane_key(key, &in->top, tui_pane_lines(in->text), pane_rows())
			       ? TUI_HANDLED
			       : TUI_UNHANDLED;
	}
	return TUI_UNHANDLED;
}

static int inspect_on_dialog(struct tui_screen *s, int id, bool yes)
{
	struct inspect *in = (struct inspect *)s;

	(void)yes;
	if (id == D_PWERR)
		set_step(in, ST_PW);
	return TUI_HANDLED;
}

static void inspect_destroy(struct tui_screen *s)
{
	struct inspect *in = (struct inspect *)s;

	tui_field_clear(&in->pw);
	free(in->text);
	free(in);
}

struct tui_screen *screen_inspect_new(void)
{
	struct inspect *in = calloc(1, sizeof(*in));

	if (in == NULL)
		return NULL;
	in->s.title = "Inspect image";
	in->s.help = "Show an MCUboot image as `mcuprov dumpinfo` does: header, TLVs and "
		     "trailer (Up/Down/PgUp/PgDn scroll). The line on top checks the image "
		     "as `mcuprov verify` does: the hash, and with a key the signature.";
	in->s.draw = inspect_draw;
	in->s.event = inspect_event;
	in->s.on_dialog = inspect_on_dialog;
	in->s.destroy = inspect_destroy;
	in->pw.secret = true;
	set_step(in, ST_FORM);
	return &in->s;
}
