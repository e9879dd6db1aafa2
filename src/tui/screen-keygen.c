/* mcuprov wizard: guided key generation.
 *
 * Type -> file -> password (twice, no echo, or explicitly none) -> confirm
 * -> key_generate + key_save + key_fingerprint_hex in a worker thread while
 * the loop turns a spinner -> result.
 *
 * With a project here the key is the project's: the type defaults to
 * keys[0]'s and the file to keys[0]'s while that does not exist yet.
 * Another signing type switches a fresh project to it (project_retype_*:
 * its diff shown, applied when confirmed); once a key of the project
 * exists its type stays (project_retype_check() says why).  The file is
 * checked (key_save_check) before any password is asked.  The result warns
 * when the key cannot sign the project's images and offers "use as the
 * project's signing key": the Keyring's rotation (rotate add) with it.
 *
 * Or in a token (PKCS#11, chosen on the type step): a URI instead of the
 * file, the token's PIN instead of the password, and pkcs11_keygen() (as
 * `mcuprov keygen -k pkcs11:...`) instead of key_generate + key_save: the
 * private key is made in the token and never leaves it.  X25519 is not
 * offered there (the bootloader embeds its private half). */
#include "config.h"

#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui.h"
#include "mcuprov/lock.h"
#include "mcuprov/fileio.h"
#include "mcuprov/key.h"
#include "mcuprov/pkcs11.h"
#include "mcuprov/project.h"

#define PROJECT_FILE "mcuprov.yaml"
#define DEFAULT_FILE "keys/signing.pem"
#define DEFAULT_OBJECT "signing"

enum step {
	ST_TYPE,
	ST_RETYPE, /* the project's type switch: its diff */
	ST_FILE,
	ST_PWMODE,
	ST_PW1,
	ST_PW2,
	ST_CONFIRM,
	ST_WORKING,
	ST_RESULT
};

enum { D_OVERWRITE = 1, D_NOPASS, D_PWERR, D_GENERR, D_OTHERTYPE, D_RETYPE, D_ERR };

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

/* the result's choices */
enum { R_PROVISION, R_USE, R_HOME };
static const char *const result_texts[] = {
	"Provision bootloader with this key (next step)",
	"Use as the project's signing key (rotation)",
	"Back to Home",
};

/* screen_keygen_new_for(): the key is one step of a rotation */
static const char *const rotate_actions[] = {
	"Back to Keyring: continue the rotation (next step)",
};

struct job {
	enum key_type type;
	bool token;               /* path is a PKCS#11 URI, pw its PIN */
	char path[4096];
	char *pw; /* PASSWD_BUF bytes or NULL */
	bool force;
	int rc;
	struct mcuprov_err err;
	char fp[2 * KEY_FINGERPRINT_LEN + 1];
	char where[600];          /* token: "token 'prod', object 'signing'" */
	bool keep;                /* hand the key to the caller */
	struct mcuprov_key *key;  /* kept: the new key, loaded */
	atomic_bool done;
};

struct keygen {
	struct tui_screen s;
	enum step step;
	int type_sel, pwmode_sel, result_sel;
	struct tui_field file, pw1, pw2;
	bool token;           /* in a token (PKCS#11): uri, pw1 its PIN */
	struct tui_field uri;
	bool uri_edited;
	bool overwrite;
	bool running;
	pthread_t thread;
	struct job job;
	unsigned spin;
	unsigned mode; /* of the written file */
	bool file_edited; /* the user typed in the file field: no default over it */
	/* the project here (screen_keygen_new() only) */
	bool has_project;
	enum key_type proj_type;     /* keys[0].type */
	char proj_key[4096];         /* keys[0] as a path from here (its URI in a token) */
	bool proj_token;             /* keys[0] is a PKCS#11 URI */
	char proj_key_abs[4096];
	bool proj_key_exists;
	char proj_enc[4096];         /* encryption_key from here, or "" */
	char proj_next[4200];        /* a free file beside keys[0] */
	struct project_retype retype; /* ST_RETYPE: the plan shown */
	bool have_retype;
	int retype_top;
	char retype_note[600];       /* after it was applied: what changed */
	/* the result */
	int results[3];
	int n_results;
	char result_warn[1200];
	char result_note[1200];
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
	if (j->token) {
		struct tui_pw a = { j->pw, false };

		/* the one keygen of token keys, as the CLI's */
		j->rc = pkcs11_keygen(j->path, j->type, tui_pw_cb, &a, &key, &j->err);
		if (j->rc == 0 && key->where != NULL)
			snprintf(j->where, sizeof(j->where), "%.590s", key->where);
	} else {
		j->rc = key_generate(j->type, &key, &j->err);
		if (j->rc == 0)
			j->rc = key_save(key, j->path, j->pw, j->force, &j->err);
	}
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

/* The types offered: all, or (in a token) the signing ones; X25519 is last. */
static int n_types(const struct keygen *k)
{
	return k->token ? N_TYPES - 1 : N_TYPES;
}

/* The URI field's default: a label not yet taken in the first token that
 * holds keys (pkcs11_list() lists keys, not empty tokens), else any one
 * token (the only one, as a token= attribute is left out). */
static void default_uri(struct keygen *k)
{
	struct pkcs11_entry *v = NULL;
	struct mcuprov_err err;
	char obj[64], *tok = NULL, uri[600];
	size_t n = 0, i;
	int num;

	if (k->uri_edited)
		return;
	if (k->has_project && k->proj_token && !k->proj_key_exists &&
	    types[k->type_sel].type == k->proj_type) {
		/* the project's key, to be made */
		tui_field_set(&k->uri, k->proj_key);
		return;
	}
	err_clear(&err);
	if (pkcs11_list(NULL, &v, &n, &err) < 0)
		n = 0;
	if (n > 0)
		tok = pkcs11_uri_redact(v[0].uri); /* the token's name, URI-encoded */
	if (tok != NULL) {
		char *semi = strchr(tok, ';');

		if (semi != NULL)
			*semi = '\0';
	}
	snprintf(obj, sizeof(obj), "%s", DEFAULT_OBJECT);
	for (num = 2; n > 0 && num < 1000; num++) {
		for (i = 0; i < n; i++)
			if (strcmp(v[i].token, v[0].token) == 0 && strcmp(v[i].label, obj) == 0)
				break;
		if (i == n)
			break;
		snprintf(obj, sizeof(obj), "%s-%d", DEFAULT_OBJECT, num);
	}
	if (tok != NULL && strncmp(tok, "pkcs11:token=", 13) == 0)
		snprintf(uri, sizeof(uri), "%.500s;object=%s", tok, obj);
	else
		snprintf(uri, sizeof(uri), "pkcs11:object=%s", obj);
	tui_field_set(&k->uri, uri);
	free(tok);
	pkcs11_list_free(v, n);
}

static int type_index(enum key_type t)
{
	int i;

	for (i = 0; i < N_TYPES; i++)
		if (types[i].type == t)
			return i;
	return -1;
}

static struct project *project_here(void)
{
	struct project *p = NULL;
	struct mcuprov_err err;

	err_clear(&err);
	if (access(PROJECT_FILE, F_OK) != 0 || project_load(PROJECT_FILE, &p, &err) < 0)
		return NULL;
	return p;
}

/* What the defaults need of the project here (none: has_project false). */
static void load_project(struct keygen *k)
{
	struct project *p = project_here();
	char dir[4096];
	const char *slash;
	struct stat st;
	int i;

	k->has_project = p != NULL;
	if (p == NULL)
		return;
	k->proj_type = p->keys[0].type;
	k->proj_token = pkcs11_is_uri(p->keys[0].path);
	if (k->proj_token)
		snprintf(k->proj_key, sizeof(k->proj_key), "%s", p->keys[0].path);
	else
		file_rel_cwd(p->keys[0].abspath, k->proj_key, sizeof(k->proj_key));
	snprintf(k->proj_key_abs, sizeof(k->proj_key_abs), "%s", p->keys[0].abspath);
	if (k->proj_token) {
		/* in the token already?  its public half, no PIN */
		struct mcuprov_key *key = NULL;
		struct mcuprov_err err;

		err_clear(&err);
		k->proj_key_exists =
			key_load_ex(k->proj_key, KEY_LOAD_PUBLIC, NULL, NULL, &key, &err) == 0;
		key_free(key);
	} else {
		k->proj_key_exists = access(p->keys[0].abspath, F_OK) == 0;
	}
	k->proj_enc[0] = '\0';
	if (p->encryption_key_abspath != NULL)
		file_rel_cwd(p->encryption_key_abspath, k->proj_enc, sizeof(k->proj_enc));
	/* a free name beside the signing key, as the Keyring's rotation picks
	 * (in keys/ when that key is in a token) */
	slash = strrchr(k->proj_key, '/');
	if (k->proj_token)
		snprintf(dir, sizeof(dir), "keys/");
	else if (slash != NULL)
		snprintf(dir, sizeof(dir), "%.*s/", (int)(slash - k->proj_key), k->proj_key);
	else
		dir[0] = '\0';
	for (i = 2; i < 1000; i++) {
		snprintf(k->proj_next, sizeof(k->proj_next), "%ssigning-%d.pem", dir, i);
		if (stat(k->proj_next, &st) != 0)
			break;
	}
	project_free(p);
}

/* The file field's default for the chosen type, unless the user typed. */
static void default_file(struct keygen *k)
{
	enum key_type t = types[k->type_sel].type;

	if (k->fixed_type || k->file_edited)
		return;
	if (!k->has_project)
		tui_field_set(&k->file, DEFAULT_FILE);
	else if (t == KEY_X25519)
		tui_field_set(&k->file, k->proj_enc[0] != '\0' && access(k->proj_enc, F_OK) != 0
						? k->proj_enc
						: "keys/encryption.pem");
	else if (!k->proj_key_exists && t == k->proj_type && !k->proj_token)
		tui_field_set(&k->file, k->proj_key);
	else
		tui_field_set(&k->file, k->proj_next);
}

static void to_file_step(struct keygen *k)
{
	if (k->token)
		default_uri(k);
	else
		default_file(k);
	set_step(k, ST_FILE);
}

/* Enter on a type: with a project, another signing type switches a fresh
 * project (its diff first) or is refused for the project with the core's
 * reason (the key may still be made). */
static int choose_type(struct keygen *k)
{
	enum key_type t = types[k->type_sel].type;
	struct project *p;
	struct mcuprov_err err;
	char text[1600];
	int rc;

	if (k->fixed_type || !k->has_project || !key_type_can_sign(t) || t == k->proj_type) {
		to_file_step(k);
		return TUI_HANDLED;
	}
	if ((p = project_here()) == NULL) {
		to_file_step(k);
		return TUI_HANDLED;
	}
	err_clear(&err);
	rc = project_retype_check(p, t, &err);
	if (rc == MCUPROV_ERR_REFUSED) {
		project_free(p);
		snprintf(text, sizeof(text),
			 "'%.600s' %.700s. An %s key cannot sign its images. Generate one anyway?",
			 err.subject, err.msg, key_type_name(t));
		return tui_dialog_confirm(&k->s, D_OTHERTYPE, "Another key type", text,
					  "Generate anyway", "Choose again");
	}
	if (k->have_retype)
		project_retype_free(&k->retype);
	k->have_retype = false;
	if (rc == 0)
		rc = project_retype_plan(p, t, &k->retype, &err);
	project_free(p);
	if (rc < 0)
		return tui_dialog_error(&k->s, D_ERR, &err);
	k->have_retype = true;
	k->retype_top = 0;
	set_step(k, ST_RETYPE);
	return TUI_HANDLED;
}

/* The type switch confirmed: write it, then on to the file. */
static int apply_retype(struct keygen *k)
{
	struct project_retype_result r;
	struct mcuprov_err err;
	struct mcuprov_lock *lock = NULL;
	char bak[4200];

	err_clear(&err);
	/* no other mcuprov changes the project while both files are written;
	 * the apply refuses files changed since the plan */
	{
		char recovered[1024];
		const char *bp = k->retype.boot_path;

		if (lock_project(k->retype.project_file, &bp, bp != NULL, NULL, &lock, recovered,
				 sizeof(recovered), &err) == 0 &&
		    recovered[0] != '\0')
			err_set(&err, MCUPROV_ERR_REFUSED, k->retype.project_file,
				"an earlier mcuprov was interrupted in the middle of a change to "
				"this project; it is finished now (%.400s): choose the type again",
				recovered);
	}
	if (err.code != 0 || project_retype_apply(&k->retype, &r, &err) < 0) {
		lock_release(lock);
		return tui_dialog_error(&k->s, D_ERR, &err);
	}
	lock_release(lock);
	file_rel_cwd(r.project_backup, bak, sizeof(bak));
	snprintf(k->retype_note, sizeof(k->retype_note),
		 "The project is %s now (the old %s is '%.200s')", key_type_name(k->retype.to),
		 PROJECT_FILE, r.project_written ? bak : PROJECT_FILE);
	project_retype_free(&k->retype);
	k->have_retype = false;
	load_project(k);
	to_file_step(k);
	return TUI_HANDLED;
}

/* Enter on the file: key_save()'s own checks before any password. */
static int check_file(struct keygen *k, bool force)
{
	struct mcuprov_err err;
	char text[4200];
	int rc;

	err_clear(&err);
	if (k->token) {
		/* the token itself is asked once, with the PIN, by the keygen */
		if (!pkcs11_is_uri(k->uri.buf)) {
			err_set(&err, MCUPROV_ERR_USAGE, k->uri.buf,
				"not a PKCS#11 URI (pkcs11:token=NAME;object=LABEL)");
			return tui_dialog_error(&k->s, D_ERR, &err);
		}
		if (pkcs11_uri_has_pin_value(k->uri.buf)) {
			err_set(&err, MCUPROV_ERR_USAGE, NULL,
				"leave pin-value out of the URI: the PIN is asked next, not shown");
			return tui_dialog_error(&k->s, D_ERR, &err);
		}
		set_step(k, ST_PW1);
		return TUI_HANDLED;
	}
	if (k->file.len == 0) {
		err_set(&err, MCUPROV_ERR_USAGE, NULL, "no file name given");
		return tui_dialog_error(&k->s, D_PWERR, &err);
	}
	k->overwrite = force;
	rc = key_save_check(k->file.buf, force, &err);
	if (rc == MCUPROV_ERR_EXISTS && !force) {
		snprintf(text, sizeof(text),
			 "'%s' exists. Replace it? The key in it is lost unless you have a copy.",
			 k->file.buf);
		return tui_dialog_confirm(&k->s, D_OVERWRITE, "Replace file?", text, "Replace",
					  "Keep");
	}
	if (rc < 0)
		return tui_dialog_error(&k->s, D_ERR, &err);
	set_step(k, ST_PWMODE);
	return TUI_HANDLED;
}

/* The result: what the key is to the project here, and the next steps. */
static void result_setup(struct keygen *k)
{
	enum key_type t = k->job.type;
	char a[4096], b[4096];
	bool same;

	k->n_results = 0;
	k->result_sel = 0;
	k->result_warn[0] = k->result_note[0] = '\0';
	if (k->fixed_type)
		return;
	load_project(k);
	if (!key_type_can_sign(t)) {
		snprintf(k->result_note, sizeof(k->result_note),
			 "An image-encryption key: the bootloader's encryption_key, not a "
			 "signing key.");
		k->results[k->n_results++] = R_HOME;
		return;
	}
	if (!k->has_project) {
		k->results[k->n_results++] = R_PROVISION;
		k->results[k->n_results++] = R_HOME;
		return;
	}
	if (k->job.token)
		same = strcmp(k->job.path, k->proj_key) == 0;
	else
		same = realpath(k->job.path, a) != NULL &&
		       realpath(k->proj_key_abs, b) != NULL && strcmp(a, b) == 0;
	if (t != k->proj_type) {
		snprintf(k->result_warn, sizeof(k->result_warn),
			 "warning: the project's keys are %s (%s): this %s key cannot sign its "
			 "images",
			 key_type_name(k->proj_type), PROJECT_FILE, key_type_name(t));
	} else if (same) {
		snprintf(k->result_note, sizeof(k->result_note),
			 "This is the project's signing key (the first of %s's keys).",
			 PROJECT_FILE);
	} else if (k->proj_key_exists) {
		snprintf(k->result_note, sizeof(k->result_note),
			 "%s signs with '%.600s': a rotation makes this key the signing key, "
			 "the bootloader trusting both until you retire the old one.",
			 PROJECT_FILE, k->proj_key);
		k->results[k->n_results++] = R_USE;
	} else {
		snprintf(k->result_warn, sizeof(k->result_warn),
			 "warning: %s's signing key is '%.600s', which does not exist: generate "
			 "it there, or edit %s (Settings)",
			 PROJECT_FILE, k->proj_key, PROJECT_FILE);
	}
	k->results[k->n_results++] = R_PROVISION;
	k->results[k->n_results++] = R_HOME;
}

static int start(struct keygen *k)
{
	struct job *j = &k->job;

	memset(j, 0, sizeof(*j));
	j->type = types[k->type_sel].type;
	j->token = k->token;
	snprintf(j->path, sizeof(j->path), "%s", k->token ? k->uri.buf : k->file.buf);
	j->force = k->overwrite;
	j->keep = true; /* for the caller, or for the rotation it may start */
	if (k->token || k->pwmode_sel == 0) {
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
		/* a wrong PIN is typed again; anything else is the URI's or file's */
		set_step(k, k->job.token && k->job.err.code == MCUPROV_ERR_PASSWORD ? ST_PW1
										    : ST_FILE);
		return tui_dialog_error(s, D_GENERR, &k->job.err);
	}
	k->mode = !k->job.token && stat(k->job.path, &st) == 0
			  ? (unsigned)(st.st_mode & 07777)
			  : 0;
	if (k->out_path != NULL)
		snprintf(k->out_path, k->out_n, "%s", k->job.path);
	if (k->out_key != NULL) {
		/* the caller's now: no second password prompt for it */
		key_free(*k->out_key);
		*k->out_key = k->job.key;
		k->job.key = NULL;
	}
	result_setup(k);
	set_step(k, ST_RESULT);
	return TUI_HANDLED;
}

static void draw_steps(struct keygen *k)
{
	static const char *const file_names[] = { "Type", "File", "Password", "Confirm", "Done" };
	static const char *const token_names[] = { "Type", "Token", "PIN", "Confirm", "Done" };
	static const int of_step[] = { 0, 0, 1, 2, 2, 2, 3, 4, 4 };
	const char *const *names = k->token ? token_names : file_names;
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

/* rows of the type switch's diff pane */
static int pane_top(void)
{
	return 8;
}

static int pane_rows(void)
{
	return LINES - 3 - pane_top();
}

static void keygen_draw(struct tui_screen *s)
{
	static const char spinner[] = "|/-\\";
	struct keygen *k = (struct keygen *)s;
	const char *hints = "Enter next  Esc back  ? help";
	const char *items[3];
	char line[4400];
	int i, y = 5, n, last;

	switch (k->step) {
	case ST_TYPE: hints = "Enter next  Left/Right file or token  Esc back  ? help"; break;
	case ST_RETYPE: hints = "Up/Down/PgUp/PgDn scroll  a apply  Esc back  F1 help"; break;
	case ST_FILE:
		hints = k->token ? "type the token URI  Enter next  Esc back  F1 help"
				 : "type the file name  Enter next  Esc back  F1 help";
		break;
	case ST_PW1:
	case ST_PW2:
		hints = k->token ? "type the PIN (not shown)  Enter next  Esc back  F1 help"
				 : "type the password (not shown)  Enter next  Esc back  F1 help";
		break;
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
		if (k->has_project && !k->fixed_type)
			mvprintw(y++, 2, "Key type (the project's: %s):",
				 key_type_name(k->proj_type));
		else
			mvaddstr(y++, 2, "Key type:");
		y++;
		for (i = 0; i < n_types(k); i++) {
			items[0] = key_type_name(types[i].type);
			tui_menu(y, 2, 13, items, 1, i == k->type_sel ? 0 : -1);
			y += tui_wrap(y, 16, COLS - 18, types[i].advice, 0);
		}
		if (k->token)
			y++; /* the x25519 row's place */
		y++;
		mvprintw(y++, 2, "Keep the key:  (%c) in a file   (%c) in a token (PKCS#11)",
			 k->token ? ' ' : '*', k->token ? '*' : ' ');
		if (k->token)
			tui_wrap(y + 1, 2, COLS - 4,
				 "The key pair is made inside the token: its private half never "
				 "leaves it. No x25519 there: a bootloader embeds the private half "
				 "of its encryption key.",
				 tui_attr(TUI_PAIR_DIM));
		break;
	case ST_RETYPE:
		snprintf(line, sizeof(line),
			 "Switch the project from %s to %s? None of its keys exists yet, so its "
			 "type can follow the key's; a applies the change shown.",
			 key_type_name(k->retype.from), key_type_name(k->retype.to));
		tui_wrap(y, 2, COLS - 4, line, 0);
		n = tui_pane_lines(k->retype.diff);
		tui_hline(pane_top() - 1, 2, COLS - 4);
		last = k->retype_top + pane_rows() < n ? k->retype_top + pane_rows() : n;
		if (n > pane_rows())
			mvprintw(pane_top() - 1, COLS - 24, " lines %d-%d of %d ",
				 k->retype_top + 1, last, n);
		tui_pane_draw(pane_top(), 2, pane_rows(), COLS - 4, k->retype.diff, k->retype_top);
		break;
	case ST_FILE:
		mvprintw(y++, 2, "Type: %s", key_type_name(types[k->type_sel].type));
		if (k->fixed_type)
			printw(" (fixed: the bootloader verifies one signature type)");
		else if (k->has_project && key_type_can_sign(types[k->type_sel].type) &&
			 strcmp(k->token ? k->uri.buf : k->file.buf, k->proj_key) == 0)
			printw(" (the project's signing key, %s)", PROJECT_FILE);
		if (k->retype_note[0] != '\0')
			mvaddnstr(y, 2, k->retype_note, COLS - 4);
		y++;
		if (k->token) {
			mvaddstr(y++, 2,
				 "The new key in a token, as a PKCS#11 URI (object= names it):");
			tui_field_draw(&k->uri, y, 3, COLS - 8, true);
			y += 2;
			tui_wrap(y, 2, COLS - 4,
				 "token= chooses the token (left out: the only one there is). A "
				 "token never gets a key replaced: a label it holds is refused.",
				 0);
			break;
		}
		mvaddstr(y++, 2, "Private key file to create (mode 0600):");
		tui_field_draw(&k->file, y, 3, COLS - 8, true);
		y += 2;
		mvaddstr(y, 2, "Relative to the current directory; missing directories are made "
			       "(mode 0700).");
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
		if (k->token) {
			mvprintw(y++, 2, "Token: %.*s", COLS - 11, k->uri.buf);
			y++;
			mvaddstr(y++, 2, "The token's PIN (its user PIN):");
			tui_field_draw(&k->pw1, y, 3, 40, true);
			y += 2;
			mvaddstr(y, 2,
				 "Nothing is shown while you type. A wrong PIN is not retried.");
			break;
		}
		mvprintw(y++, 2, "File: %s", k->file.buf);
		y++;
		mvaddstr(y++, 2, k->step == ST_PW1 ? "Password for the new key:"
						   : "The same password again:");
		tui_field_draw(k->step == ST_PW1 ? &k->pw1 : &k->pw2, y, 3, 40, true);
		y += 2;
		mvaddstr(y, 2, "Nothing is shown while you type.");
		break;
	case ST_CONFIRM:
		if (k->token) {
			mvaddstr(y++, 2, "Generate this key in the token?");
			y++;
			mvprintw(y++, 2, "type         %s", key_type_name(types[k->type_sel].type));
			mvprintw(y++, 2, "uri          %.*s", COLS - 17, k->uri.buf);
			mvaddstr(y++, 2, "private key  made in the token, never leaves it");
			y++;
			mvaddstr(y, 2, "Enter generates the key; Esc goes back.");
			break;
		}
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
		mvprintw(y, 2, "%c Generating %s key%s...", spinner[k->spin % 4],
			 key_type_name(types[k->type_sel].type), k->token ? " in the token" : "");
		break;
	case ST_RESULT:
		attron(tui_attr(TUI_PAIR_OK) | A_BOLD);
		mvaddstr(y++, 2, k->job.token ? "Key created in the token." : "Key created.");
		attroff(tui_attr(TUI_PAIR_OK) | A_BOLD);
		y++;
		if (k->job.token) {
			mvprintw(y++, 2, "uri          %.*s", COLS - 17, k->job.path);
			mvprintw(y++, 2, "where        %.*s", COLS - 17, k->job.where);
			mvprintw(y++, 2, "type         %s", key_type_name(k->job.type));
			mvaddstr(y++, 2, "private key  in the token: it never leaves the token");
		} else {
			mvprintw(y++, 2, "file         %s", k->job.path);
			mvprintw(y++, 2, "mode         %04o", k->mode);
			mvprintw(y++, 2, "type         %s", key_type_name(k->job.type));
			mvprintw(y++, 2, "password     %s", k->pwmode_sel == 0 ? "yes" : "none");
		}
		mvprintw(y++, 2, "fingerprint  %s", k->job.fp);
		y++;
		if (k->result_warn[0] != '\0')
			y += tui_wrap(y, 2, COLS - 4, k->result_warn, tui_attr(TUI_PAIR_WARN));
		if (k->result_note[0] != '\0')
			y += tui_wrap(y, 2, COLS - 4, k->result_note, 0);
		if (k->result_warn[0] != '\0' || k->result_note[0] != '\0')
			y++;
		mvaddstr(y++, 2, "Next:");
		if (k->fixed_type) {
			tui_menu(y, 2, 54, rotate_actions, 1, 0);
			break;
		}
		for (i = 0; i < k->n_results; i++)
			items[i] = result_texts[k->results[i]];
		tui_menu(y, 2, 50, items, k->n_results, k->result_sel);
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
	struct tui_screen *next;
	int r;

	switch (k->step) {
	case ST_TYPE:
		if (key == KEY_LEFT || key == KEY_RIGHT) {
			k->token = !k->token;
			if (k->type_sel >= n_types(k))
				k->type_sel = 0;
			return TUI_HANDLED;
		}
		if (tui_menu_key(key, &k->type_sel, n_types(k)))
			return TUI_HANDLED;
		if (is_enter(key))
			return choose_type(k);
		return key == 27 ? TUI_BACK : TUI_UNHANDLED;
	case ST_RETYPE:
		if (key == 27) {
			project_retype_free(&k->retype);
			k->have_retype = false;
			set_step(k, ST_TYPE);
			return TUI_HANDLED;
		}
		if (key == 'a' || key == 'A' || is_enter(key)) {
			char text[600];

			snprintf(text, sizeof(text),
				 "Write the changes shown? The old files are kept as backups "
				 "(%s.bak).",
				 PROJECT_FILE);
			return tui_dialog_confirm(s, D_RETYPE, "Switch the project's type", text,
						  "Apply", "Cancel");
		}
		return tui_pane_key(key, &k->retype_top, tui_pane_lines(k->retype.diff),
				    pane_rows())
			       ? TUI_HANDLED
			       : TUI_UNHANDLED;
	case ST_FILE:
		if (key == 27 && k->fixed_type)
			return TUI_BACK; /* no type step to go back to */
		if (key == 27) {
			set_step(k, ST_TYPE);
			return TUI_HANDLED;
		}
		if (is_enter(key))
			return check_file(k, false);
		if (k->token) {
			if (!tui_field_key(&k->uri, key))
				return TUI_UNHANDLED;
			k->uri_edited = true;
			return TUI_HANDLED;
		}
		if (tui_field_key(&k->file, key)) {
			k->file_edited = true;
			return TUI_HANDLED;
		}
		return TUI_UNHANDLED;
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
			set_step(k, k->token ? ST_FILE : ST_PWMODE);
			return TUI_HANDLED;
		}
		if (is_enter(key)) {
			err_clear(&err);
			if (k->token) {
				if (k->pw1.len == 0) {
					err_set(&err, MCUPROV_ERR_PASSWORD, NULL, "empty PIN");
					return tui_dialog_error(s, D_PWERR, &err);
				}
				set_step(k, ST_CONFIRM);
				return TUI_HANDLED;
			}
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
			/* the PIN is typed again rather than kept on a screen behind */
			tui_field_clear(&k->pw1);
			set_step(k, k->token ? ST_PW1 : ST_PWMODE);
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
		if (tui_menu_key(key, &k->result_sel, k->n_results))
			return TUI_HANDLED;
		if (!is_enter(key))
			return key == 27 ? TUI_BACK : TUI_UNHANDLED;
		r = k->results[k->result_sel];
		if (r == R_HOME)
			return TUI_BACK;
		if (r == R_PROVISION) {
			next = screen_provision_new(k->job.path);
		} else {
			/* the Keyring's rotation, with the key as loaded here */
			next = screen_keyring_new_add(k->job.path, k->job.key);
			if (next != NULL)
				k->job.key = NULL;
		}
		if (next == NULL) {
			err_set(&err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
			return tui_dialog_error(s, D_ERR, &err);
		}
		tui_push(next);
		return TUI_NEXT;
	}
	return TUI_UNHANDLED;
}

static int keygen_on_dialog(struct tui_screen *s, int id, bool yes)
{
	struct keygen *k = (struct keygen *)s;

	switch (id) {
	case D_OVERWRITE:
		if (yes)
			return check_file(k, true);
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
	case D_OTHERTYPE:
		if (yes)
			to_file_step(k);
		break;
	case D_RETYPE:
		if (yes)
			return apply_retype(k);
		break;
	default:
		break;
	}
	return TUI_HANDLED;
}

/* Back from Provision or the Keyring: the project may have changed. */
static void keygen_resume(struct tui_screen *s)
{
	struct keygen *k = (struct keygen *)s;

	if (k->step == ST_RESULT)
		result_setup(k);
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
	if (k->have_retype)
		project_retype_free(&k->retype);
	free(k);
}

struct tui_screen *screen_keygen_new(void)
{
	struct keygen *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return NULL;
	k->s.title = "Generate key";
	k->s.help = "Generate a new key in five steps: the type (the project's, else ed25519 "
		    "unless your bootloader needs another), the file to create (the project's "
		    "signing key while it does not exist; mode 0600, missing directories "
		    "made 0700; an existing file is replaced only if you confirm), a password "
		    "typed twice without echo (or explicitly none), a summary to confirm, then "
		    "the key is generated and its fingerprint shown. Another type switches a "
		    "project that has no key yet (its diff shown first). The result offers "
		    "the next step: provision the bootloader, or make the key the project's "
		    "signing key (a rotation, as in the Keyring). Left/Right on the type step "
		    "keeps the key in a token (PKCS#11) instead: a URI (pkcs11:token=NAME;"
		    "object=LABEL) and the token's PIN replace the file and the password, and "
		    "the private key is made in the token, never leaving it. In text fields "
		    "Backspace deletes and Ctrl-U clears.";
	k->s.draw = keygen_draw;
	k->s.event = keygen_event;
	k->s.tick = keygen_tick;
	k->s.on_dialog = keygen_on_dialog;
	k->s.resume = keygen_resume;
	k->s.destroy = keygen_destroy;
	k->pw1.secret = k->pw2.secret = true;
	tui_field_set(&k->file, DEFAULT_FILE);
	tui_field_set(&k->uri, "pkcs11:object=" DEFAULT_OBJECT);
	/* the project's key: its type first */
	load_project(k);
	if (k->has_project && type_index(k->proj_type) >= 0)
		k->type_sel = type_index(k->proj_type);
	/* the project's key is to be made in a token: start there */
	k->token = k->has_project && k->proj_token && !k->proj_key_exists &&
		   key_type_can_sign(k->proj_type);
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
