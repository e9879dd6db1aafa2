/* mcuprov wizard: an ncurses front end over the core (src/lib).
 *
 * A thin shell: screens call core functions (key_generate, key_save,
 * key_load, key_fingerprint_hex, project_load, ...) and never reimplement
 * a flow; the core never prints.
 *
 *   term.c     owns initscr/newterm and endwin; restores the terminal on
 *              exit, on SIGINT/SIGTERM/SIGSEGV/SIGABRT and atexit
 *   loop.c     owns input (keyboard, or MCUPROV_TUI_SCRIPT) and the screen
 *              stack; ?/F1 help, Esc back, KEY_RESIZE redraw, spinner ticks
 *   widgets.c  drawing helpers, text fields, dialogs (error, info, confirm)
 *   filepick.c the file browser behind every path field (Ctrl-O / F2)
 *   keyset.c   loading several keys with password prompts
 *   screen-*.c one screen each: a struct tui_screen with draw() and event()
 */
#ifndef MCUPROV_TUI_H
#define MCUPROV_TUI_H

#ifndef NCURSES_WIDECHAR
#define NCURSES_WIDECHAR 1
#endif

#include <stdbool.h>
#include <stddef.h>

#include <curses.h>

#include "mcuprov/error.h"
#include "mcuprov/key.h"
#include "mcuprov/passwd.h"

/* What an event handler tells the loop. */
enum tui_result {
	TUI_UNHANDLED = 0, /* the loop applies the defaults: Esc, ?, F1 */
	TUI_HANDLED,       /* consumed; redraw */
	TUI_NEXT,          /* push the screen given to tui_push() */
	TUI_BACK,          /* pop this screen */
	TUI_QUIT,          /* leave the wizard */
};

struct tui_screen {
	const char *title;
	const char *help;  /* text of the ?/F1 help for this screen */
	bool overlay;      /* a dialog: the screens below stay visible */
	bool text_input;   /* a text field has the focus: printable keys,
			    * including '?' and 'q', go to event() */
	void (*draw)(struct tui_screen *s);
	int (*event)(struct tui_screen *s, int key);
	/* optional: called every loop turn (~100 ms) for background work;
	 * returns a tui_result (TUI_HANDLED: redraw) */
	int (*tick)(struct tui_screen *s);
	/* tick() also runs while a dialog this screen opened covers it; it
	 * must then return only TUI_HANDLED or TUI_UNHANDLED (push nothing) */
	bool tick_covered;
	/* optional: the screen is on top again after the one above it closed */
	void (*resume)(struct tui_screen *s);
	/* optional: a dialog opened by this screen with tui_dialog_*() closed;
	 * ID is the dialog's, YES its answer (false for Esc).  Returns a
	 * tui_result applied to this screen (TUI_NEXT after tui_push(), ...) */
	int (*on_dialog)(struct tui_screen *s, int id, bool yes);
	void (*destroy)(struct tui_screen *s);

	/* set by the dialog helpers */
	struct tui_screen *parent;
	int dialog_id;
	bool answer;
};

/* ---- term.c ---------------------------------------------------------- */

enum tui_lines { TUI_LINES_UTF8, TUI_LINES_ACS, TUI_LINES_ASCII };

struct tui_term {
	bool scripted;     /* MCUPROV_TUI_SCRIPT: virtual 80x24 screen */
	bool color;        /* colours in use (not NO_COLOR, terminal has them) */
	enum tui_lines lines;
};
extern struct tui_term tui_term;

/* Colour pairs (attributes without colour in monochrome). */
enum { TUI_PAIR_TITLE = 1, TUI_PAIR_WARN, TUI_PAIR_ERROR, TUI_PAIR_OK, TUI_PAIR_DIM };

int term_start(bool scripted, struct mcuprov_err *err);
void term_stop(void);
int tui_attr(int pair); /* the attribute for a pair, mono fallback */
/* While ON (a screen runs a long step), SIGINT (Ctrl-C on the terminal)
 * does not end the wizard: the loop hands it to the top screen as the key
 * TUI_KEY_CTRL_C instead.  Off again, Ctrl-C restores the terminal and
 * ends the wizard as before. */
void term_catch_sigint(bool on);
/* Was a SIGINT caught since the last call?  (The loop's.) */
bool term_sigint_taken(void);
#define TUI_KEY_CTRL_C 3
/* Hand the terminal to ARGV (a NULL-terminated argv, run with execvp, no
 * shell; an editor) until it exits, then take it back and repaint.  The
 * wizard ignores SIGINT/SIGQUIT meanwhile (they are the program's).
 * *STATUS: its exit status, or 128 + the signal that ended it.  Returns 0,
 * MCUPROV_ERR_USAGE in scripted mode ("the editor needs a terminal") or
 * MCUPROV_ERR_IO (cannot start it; subject ARGV[0]). */
int term_run_interactive(char *const argv[], int *status, struct mcuprov_err *err);

/* ---- loop.c ---------------------------------------------------------- */

#define TUI_MIN_COLS 80
#define TUI_MIN_ROWS 24

/* Run the wizard with HOME as its first screen until it quits.
 * SCRIPT: a MCUPROV_TUI_SCRIPT file or NULL for the keyboard. */
int tui_loop(struct tui_screen *home, const char *script, struct mcuprov_err *err);

/* The screen an event handler wants on top: call, then return TUI_NEXT. */
void tui_push(struct tui_screen *s);

/* Background work (worker threads) running: wait-idle waits for 0. */
void tui_busy_add(int delta);

/* ---- widgets.c ------------------------------------------------------- */

/* Frame with the screen title and the bottom key line HINTS. */
void tui_frame(const char *title, const char *hints);
void tui_box(int y, int x, int h, int w);
void tui_hline(int y, int x, int w);
/* Print TEXT at (Y, X), wrapped to W columns; returns the lines used. */
int tui_wrap(int y, int x, int w, const char *text, int attr);
/* A vertical menu; SEL highlighted.  Items may be NULL-separated notes. */
void tui_menu(int y, int x, int w, const char *const *items, int n, int sel);
/* Move SEL in a list of N for KEY (Up/Down/Tab/Shift-Tab/Home/End);
 * returns true when it handled KEY. */
bool tui_menu_key(int key, int *sel, int n);

struct tui_field {
	char buf[PASSWD_BUF];
	size_t len;
	bool secret; /* never drawn: no echo */
};
void tui_field_set(struct tui_field *f, const char *text);
void tui_field_clear(struct tui_field *f); /* wipes */
/* Edit F with KEY (printable, Backspace, Ctrl-U); true when handled. */
bool tui_field_key(struct tui_field *f, int key);
void tui_field_draw(const struct tui_field *f, int y, int x, int w, bool focus);

enum { TUI_DIALOG_INFO = -1 };

/* Open a dialog over PARENT; PARENT->on_dialog(ID, yes) is called when it
 * closes.  Each returns TUI_NEXT for the caller to return. */
int tui_dialog_info(struct tui_screen *parent, int id, const char *title, const char *text);
/* the CLI's one-line message: "mcuprov: wizard: '<subject>': <reason>" */
int tui_dialog_error(struct tui_screen *parent, int id, const struct mcuprov_err *err);
int tui_dialog_confirm(struct tui_screen *parent, int id, const char *title, const char *text,
		       const char *yes, const char *no);
/* A question whose YES loses nothing (creating what does not exist):
 * YES is the default, Enter takes it. */
int tui_dialog_ask(struct tui_screen *parent, int id, const char *title, const char *text,
		   const char *yes, const char *no);
/* "not in this version yet - use `mcuprov CMD`" */
int tui_dialog_stub(struct tui_screen *parent, const char *what, const char *cmd);
/* The help text of S in a dialog. */
struct tui_screen *tui_help_screen(struct tui_screen *s);

/* A scrollable pane: TEXT's lines from TOP in the H x W box at (Y, X), tabs
 * expanded, long lines clipped, diff lines (+/-) coloured. */
int tui_pane_lines(const char *text);
void tui_pane_draw(int y, int x, int h, int w, const char *text, int top);
/* Scroll TOP for KEY (Up/Down/PgUp/PgDn/Home/End) over TOTAL lines shown H
 * at a time; true when it handled KEY. */
bool tui_pane_key(int key, int *top, int total, int h);

/* The password a screen's field holds, for key_load(): PW (NULL: none yet);
 * ASKED tells afterwards whether the key wanted one. */
struct tui_pw {
	const char *pw;
	bool asked;
};

/* key_passwd_cb over a struct tui_pw. */
int tui_pw_cb(char *buf, size_t size, void *arg);

/* ---- filepick.c -------------------------------------------------------- */

/* Is KEY the "browse" key of a path field (Ctrl-O or F2)? */
bool tui_is_browse_key(int key);

/* Open a file browser over PARENT (a full screen): directories first, then
 * files; with EXTS (NULL-terminated suffixes like ".pem", or NULL for all)
 * only matching files are listed until Tab toggles "all files".  It starts
 * in the directory of F's current text when that is one, else START (NULL:
 * the working directory).  Enter on a directory enters it (".." goes up),
 * on a file chooses it: its path (relative to the working directory when
 * below it, else absolute) is set into F and PARENT->on_dialog(ID, true)
 * runs; Esc closes with PARENT->on_dialog(ID, false) and F unchanged.
 * Returns TUI_NEXT for the caller to return. */
int tui_filepick(struct tui_screen *parent, int id, const char *title, const char *start,
		 const char *const *exts, struct tui_field *f);

/* ---- keyset.c ---------------------------------------------------------- */

/* Load a list of key files one after the other, asking for a password
 * (no echo) only for those that need one: the one way every screen that
 * needs several keys (Build & flash, Keyring) loads them. */
#define TUI_KEYSET_MAX 18
struct tui_keyset {
	const char *paths[TUI_KEYSET_MAX]; /* files to load; not owned */
	const char *names[TUI_KEYSET_MAX]; /* as shown (NULL: the path) */
	size_t n;
	struct mcuprov_key *keys[TUI_KEYSET_MAX]; /* loaded so far (owned) */
	size_t loaded;
	bool need_pw;        /* keys[loaded] waits for the password in pw */
	unsigned flags;      /* key_load_ex()'s (KEY_LOAD_PUBLIC: a token key without its PIN) */
	bool signs_first;    /* only keys[0] signs: the others load with KEY_LOAD_PUBLIC */
	struct tui_field pw; /* secret */
};
/* Load keys from ks->loaded on, with ks->pw when WITH_PW (then wiped).
 * Returns 0 when all are loaded; 1 when paths[loaded] needs a password
 * (need_pw set: show tui_keyset_draw_pw and feed keys to ks->pw); or a
 * negative error with ERR filled (subject: the key file) — for a wrong
 * password err->code is MCUPROV_ERR_PASSWORD and need_pw stays set. */
int tui_keyset_load(struct tui_keyset *ks, bool with_pw, struct mcuprov_err *err);
/* The password prompt for key number LOADED at row Y (uses ~6 rows). */
void tui_keyset_draw_pw(const struct tui_keyset *ks, int y);
/* Feed KEY to the password field; true when handled. */
bool tui_keyset_key(struct tui_keyset *ks, int key);
/* Is the key the keyset waits for a token's (its PIN, not a password)? */
bool tui_keyset_wants_pin(const struct tui_keyset *ks);
/* Free the keys and wipe the password; the paths stay. */
void tui_keyset_clear(struct tui_keyset *ks);
/* One key file, PATH (a buffer that stays valid while a password is asked):
 * tui_keyset_load() on it, starting afresh unless WITH_PW (the password in
 * ks->pw).  Returns 0 with the key in *OUT (the caller's), 1 when it needs
 * a password, or a negative error as tui_keyset_load(). */
int tui_keyset_load_one(struct tui_keyset *ks, const char *path, bool with_pw,
			struct mcuprov_key **out, struct mcuprov_err *err);

/* The prompt for what PATH's key needs: a token's PIN, a key file's password. */
const char *tui_pw_prompt(const char *path);
/* A project key as it is loaded: its PKCS#11 URI as written (PATH), else
 * the file resolved (ABSPATH). */
const char *tui_key_src(const char *path, const char *abspath);
/* Does the key NAME exist: a file, or a URI (its token is asked at load). */
bool tui_key_exists(const char *name);

/* ---- screens ----------------------------------------------------------- */

struct tui_screen *screen_home_new(void);
struct tui_screen *screen_keygen_new(void);
/* Keygen for a rotation: TYPE fixed (the step skipped), PATH the default
 * file; the saved key's path is copied to OUT_PATH (OUT_N bytes, emptied
 * first), the key itself, loaded, to *OUT_KEY when not NULL (the caller
 * frees it), and the result goes back to the screen below (not Provision). */
struct tui_screen *screen_keygen_new_for(enum key_type type, const char *path, char *out_path,
					 size_t out_n, struct mcuprov_key **out_key);
struct tui_screen *screen_import_new(void);
/* KEY_PATH: the key to offer (keygen's new key), or NULL for the default */
struct tui_screen *screen_provision_new(const char *key_path);
struct tui_screen *screen_inspect_new(void);
struct tui_screen *screen_build_new(void);
struct tui_screen *screen_sign_new(void);
struct tui_screen *screen_keyring_new(void);
/* The Keyring opened on step 1 of a rotation: KEY_PATH becomes the
 * project's signing key (rotate add: its diffs, a confirmation).  KEY is
 * that file already loaded, or NULL (then loaded, its password asked); the
 * screen owns it once returned (not when NULL is returned). */
struct tui_screen *screen_keyring_new_add(const char *key_path, struct mcuprov_key *key);
struct tui_screen *screen_settings_new(void);

/* Entry point for `mcuprov wizard`: returns 0, or a negative error with ERR
 * filled.  PRODUCTION: --production / MCUPROV_PRODUCTION=1 — MCUboot's
 * development keys are refused, not only warned about. */
int tui_main(bool production, struct mcuprov_err *err);

/* Production mode (set by tui_main). */
extern bool tui_production;

#endif
