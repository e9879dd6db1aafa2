/* mcuprov wizard: Sign image — a form for the common sign options with the
 * project's defaults (flow_sign_opts_init, the settings `mcuprov run`
 * signs with), the key loaded through the keyset (password only when
 * needed), image_sign then image_verify in a worker thread, and the result
 * with the equivalent `mcuprov sign` command line.  Encryption (`sign -E
 * KEY --encrypt-keylen N`): the device's public key loaded with key_load
 * into image_sign_opts.enc, as the CLI does; an encrypted image cannot be
 * verified without the device's private key, so it is only parsed back. */
#include "config.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tui.h"
#include "mcuprov/devkey.h"
#include "mcuprov/fileio.h"
#include "mcuprov/flow.h"
#include "mcuprov/image.h"
#include "mcuprov/imgenc.h"
#include "mcuprov/key.h"
#include "mcuprov/project.h"

#define PROJECT_FILE "mcuprov.yaml"
#define LABEL_W 20 /* label column width */

enum phase { PH_FORM, PH_PW, PH_RUN, PH_DONE };

/* Focus order: the text fields, the check boxes, the button. */
enum {
	F_IN,
	F_OUT,
	F_KEY,
	F_VERSION,
	F_HDR,
	F_SLOT,
	F_ALIGN,
	F_SECCNT,
	F_ENC,
	F_KEYLEN,
	F_COMP,
	N_TEXT,
	F_PADHDR = N_TEXT,
	F_PAD,
	F_CONFIRM,
	F_SIGN,
	N_FOCUS,
};

enum { D_ERR = 1, D_PWERR, D_OVERWRITE, D_NOKEY, D_DEVKEY };

static const char *const labels[N_TEXT] = {
	"Image to sign", "Signed image", "Signing key", "Version",
	"Header size",	 "Slot size",	 "Align",	"Security counter",
	"Encrypt for",	 "AES key length", "Compression",
};

static const char *const notes[N_TEXT] = {
	"the app binary (raw .bin or Intel .hex)",
	"written atomically; .hex gives Intel HEX",
	"private key; empty: a hash-only image",
	"MAJOR.MINOR.REVISION+BUILD",
	"bytes the bootloader reserves (0x200)",
	"the bootloader's image slot size",
	"flash write size: 1, 2, 4, 8, 16 or 32",
	"empty: none; auto: from the version",
	"the device's public key: x25519, ecdsa-p256, rsa-2048; empty: plain",
	"bits, 128 or 256 (with Encrypt for)",
	"empty: none; lzma2 or lzma2armthumb",
};

static const char *const checks[3] = {
	"Pad header: add the header's zero bytes in front of the app",
	"Pad: fill the slot and write the trailer (boot magic)",
	"Confirm: mark the image OK (no test boot)",
};

static const char *const in_exts[] = { ".bin", ".hex", ".elf", NULL };
static const char *const key_exts[] = { ".pem", ".der", ".key", NULL };
static const char *const enc_exts[] = { ".pem", ".der", ".pub", ".key", NULL };

struct job {
	struct image_sign_opts so;
	char in[4096], out[4096], in_key[4096], in_enc[4096];
	const struct mcuprov_key *key; /* owned by the screen's keyset */
	bool encrypted;               /* so.enc set, the payload encrypted */
	enum key_type enc_type;       /* the encryption key's */
	unsigned enc_tlv;             /* its ENC TLV */
	unsigned enc_keylen;          /* AES key bits */
	int rc;
	struct mcuprov_err err;
	struct image_sign_result res;
	struct image_verify_result vres;
	atomic_bool done;
};

struct sign {
	struct tui_screen s;
	enum phase phase;
	int focus;
	struct tui_field f[N_TEXT];
	bool check[3];
	char note[1200];     /* where the defaults came from */
	bool overwrite_ok;   /* the user agreed to replace the output */
	bool nokey_ok;       /* the user agreed to a hash-only image */
	bool devkey_ok;      /* ... to sign with an MCUboot development key */
	struct tui_keyset ks;
	struct image_sign_opts so; /* validated form, for the job */
	struct image_enc_opts eo;  /* so.enc when encrypting */
	struct mcuprov_key *enckey; /* the device's encryption key (eo.key) */
	bool running;
	pthread_t thread;
	struct job job;
	unsigned spin;
	char cmdline[8192]; /* the equivalent `mcuprov sign` */
	char digest[2 * IMAGE_MAX_DIGEST + 1];
	char fp[2 * KEY_FINGERPRINT_LEN + 1];
	bool signed_with_key; /* the result's key (freed after the run) */
	enum key_type key_type;
};

static bool is_enter(int key)
{
	return key == '\r' || key == '\n' || key == KEY_ENTER;
}

static bool is_path(int focus)
{
	return focus == F_IN || focus == F_OUT || focus == F_KEY || focus == F_ENC;
}

static void set_phase(struct sign *g, enum phase ph)
{
	g->phase = ph;
	g->s.text_input = (ph == PH_FORM && g->focus < N_TEXT) || ph == PH_PW;
}

static void set_focus(struct sign *g, int focus)
{
	g->focus = focus;
	set_phase(g, g->phase);
}

/* ---- defaults ----------------------------------------------------------------- */

static void load_defaults(struct sign *g)
{
	struct project *p = NULL;
	const struct project_target *t;
	struct image_sign_opts so;
	struct mcuprov_err err;
	char num[32];

	tui_field_set(&g->f[F_VERSION], "1.0.0");
	tui_field_set(&g->f[F_ALIGN], "1");
	tui_field_set(&g->f[F_KEYLEN], "128");
	g->check[0] = true; /* a plain app binary has no room for the header */
	if (access(PROJECT_FILE, F_OK) != 0) {
		snprintf(g->note, sizeof(g->note),
			 "No " PROJECT_FILE " here: fill in your bootloader's header and slot "
			 "sizes (Settings creates a project that remembers them).");
		return;
	}
	err_clear(&err);
	if (project_load(PROJECT_FILE, &p, &err) < 0) {
		snprintf(g->note, sizeof(g->note), "%s: %s (no defaults taken)",
			 err.subject[0] != '\0' ? err.subject : PROJECT_FILE, err.msg);
		return;
	}
	flow_sign_opts_init(p, &so);
	t = project_target(p, NULL);
	if (t != NULL && t->app != NULL)
		tui_field_set(&g->f[F_IN], t->app);
	if (t != NULL && t->signed_app != NULL)
		tui_field_set(&g->f[F_OUT], t->signed_app);
	tui_field_set(&g->f[F_KEY], p->keys[0].path);
	if (p->image.version_text != NULL)
		tui_field_set(&g->f[F_VERSION], p->image.version_text);
	if (so.header_size != 0) {
		snprintf(num, sizeof(num), "0x%x", (unsigned)so.header_size);
		tui_field_set(&g->f[F_HDR], num);
	}
	if (so.slot_size != 0) {
		snprintf(num, sizeof(num), "0x%x", (unsigned)so.slot_size);
		tui_field_set(&g->f[F_SLOT], num);
	}
	snprintf(num, sizeof(num), "%u", so.align);
	tui_field_set(&g->f[F_ALIGN], num);
	if (so.security_counter_auto)
		tui_field_set(&g->f[F_SECCNT], "auto");
	else if (so.has_security_counter) {
		snprintf(num, sizeof(num), "%u", (unsigned)so.security_counter);
		tui_field_set(&g->f[F_SECCNT], num);
	}
	g->check[0] = so.pad_header;
	g->check[1] = so.pad && !so.confirm;
	g->check[2] = so.confirm;
	snprintf(g->note, sizeof(g->note), "Defaults from " PROJECT_FILE "%s%s%s.",
		 t != NULL ? " (target '" : "", t != NULL ? t->name : "", t != NULL ? "')" : "");
	project_free(p);
}

/* An output name next to the input: app.bin -> app.signed.bin. */
static void default_output(struct sign *g)
{
	char out[PASSWD_BUF];
	const char *in = g->f[F_IN].buf, *dot, *slash;
	size_t stem;

	if (g->f[F_OUT].len > 0 || g->f[F_IN].len == 0)
		return;
	dot = strrchr(in, '.');
	slash = strrchr(in, '/');
	stem = dot != NULL && (slash == NULL || dot > slash) ? (size_t)(dot - in) : strlen(in);
	snprintf(out, sizeof(out), "%.*s.signed%s", (int)stem, in,
		 dot != NULL && (slash == NULL || dot > slash) && strcmp(dot, ".hex") == 0 ? ".hex"
											    : ".bin");
	tui_field_set(&g->f[F_OUT], out);
}

/* ---- the form into image_sign_opts -------------------------------------------- */

static int bad(struct sign *g, int focus, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(struct sign *g, int focus, const char *fmt, ...)
{
	struct mcuprov_err err;
	char msg[sizeof(err.msg)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	err_set(&err, MCUPROV_ERR_USAGE, NULL, "%s", msg);
	set_focus(g, focus);
	return tui_dialog_error(&g->s, D_ERR, &err);
}

static void enc_clear(struct sign *g)
{
	key_free(g->enckey);
	g->enckey = NULL;
	image_enc_opts_init(&g->eo);
}

/* -E and --encrypt-keylen as `mcuprov sign` takes them: the key file
 * loaded with key_load (a public key has no password to ask), checked with
 * image_enc_check (the signing key's kind is checked by image_sign). */
static int validate_enc(struct sign *g)
{
	struct mcuprov_err err;
	const char *kl = g->f[F_KEYLEN].buf;

	enc_clear(g);
	g->so.enc = NULL;
	if (g->f[F_KEYLEN].len > 0 && strcmp(kl, "128") != 0 && strcmp(kl, "256") != 0)
		return bad(g, F_KEYLEN, "invalid --encrypt-keylen '%s' (128 or 256)", kl);
	if (g->f[F_ENC].len == 0) /* imgtool ignores the key length without -E */
		return TUI_HANDLED;
	g->eo.keylen = strcmp(kl, "256") == 0 ? 256 : 128;
	err_clear(&err);
	if (key_load(g->f[F_ENC].buf, NULL, NULL, &g->enckey, &err) == 0) {
		g->eo.key = g->enckey;
		if (image_enc_check(&g->eo, NULL, &err) == 0) {
			g->so.enc = &g->eo;
			return TUI_HANDLED;
		}
	}
	enc_clear(g); /* the CLI's message (key_load names the file) */
	set_focus(g, F_ENC);
	return tui_dialog_error(&g->s, D_ERR, &err);
}

/* Fill g->so from the form; returns TUI_HANDLED when valid, else the
 * dialog naming the field. */
static int validate(struct sign *g)
{
	struct image_sign_opts *so = &g->so;
	struct mcuprov_err err;
	uint32_t align = 0;

	/* imgtool's defaults; the form sets every setting flow_sign_opts_init()
	 * would take from the project (load_defaults() filled it from there) */
	image_sign_opts_init(so);
	err_clear(&err);
	if (g->f[F_IN].len == 0)
		return bad(g, F_IN, "missing the image to sign (the app binary)");
	/* before any password is asked: the message image_sign() would give */
	{
		struct stat st;
		int fd = file_open_regular(g->f[F_IN].buf, &st, &err);

		if (fd < 0) {
			set_focus(g, F_IN);
			return tui_dialog_error(&g->s, D_ERR, &err);
		}
		close(fd);
	}
	default_output(g);
	if (strcmp(g->f[F_IN].buf, g->f[F_OUT].buf) == 0)
		return bad(g, F_OUT, "the signed image '%s' must differ from the input",
			   g->f[F_OUT].buf);
	err_clear(&err);
	if (image_version_parse(g->f[F_VERSION].buf, &so->version, &err) < 0) {
		set_focus(g, F_VERSION);
		return tui_dialog_error(&g->s, D_ERR, &err);
	}
	if (g->f[F_HDR].len == 0)
		return bad(g, F_HDR, "missing the header size (-H/--header-size)");
	if (image_number_parse(g->f[F_HDR].buf, &so->header_size) < 0)
		return bad(g, F_HDR, "invalid header size '%s' (a number, decimal or 0x hex)",
			   g->f[F_HDR].buf);
	if (g->f[F_SLOT].len == 0)
		return bad(g, F_SLOT, "missing the slot size (-S/--slot-size)");
	if (image_number_parse(g->f[F_SLOT].buf, &so->slot_size) < 0)
		return bad(g, F_SLOT, "invalid slot size '%s' (a number, decimal or 0x hex)",
			   g->f[F_SLOT].buf);
	if (so->slot_size == 0) /* image_sign(): no slot, no fit check */
		return bad(g, F_SLOT,
			   "invalid slot size '%s' (the size of the slot the image "
			   "must fit, more than 0)",
			   g->f[F_SLOT].buf);
	if (image_number_parse(g->f[F_ALIGN].buf, &align) < 0 ||
	    (so->align = align, so->align != 1 && so->align != 2 && so->align != 4 && so->align != 8 &&
	     so->align != 16 && so->align != 32))
		return bad(g, F_ALIGN, "invalid align '%s' (1, 2, 4, 8, 16 or 32)",
			   g->f[F_ALIGN].buf);
	so->has_security_counter = g->f[F_SECCNT].len > 0;
	so->security_counter_auto = false;
	if (strcmp(g->f[F_SECCNT].buf, "auto") == 0)
		so->security_counter_auto = true;
	else if (so->has_security_counter &&
		 image_number_parse(g->f[F_SECCNT].buf, &so->security_counter) < 0)
		return bad(g, F_SECCNT,
			   "invalid security counter '%s' (a number, or auto from the version)",
			   g->f[F_SECCNT].buf);
	so->pad_header = g->check[0];
	so->confirm = g->check[2];
	so->pad = g->check[1] || g->check[2];
	/* imgtool's --compression choices (disabled is its default) */
	if (g->f[F_COMP].len == 0 || strcmp(g->f[F_COMP].buf, "none") == 0 ||
	    strcmp(g->f[F_COMP].buf, "disabled") == 0)
		so->compression = IMAGE_COMP_NONE;
	else if (strcmp(g->f[F_COMP].buf, "lzma2") == 0)
		so->compression = IMAGE_COMP_LZMA2;
	else if (strcmp(g->f[F_COMP].buf, "lzma2armthumb") == 0)
		so->compression = IMAGE_COMP_LZMA2_ARMTHUMB;
	else
		return bad(g, F_COMP, "invalid --compression '%s' (lzma2 or lzma2armthumb)",
			   g->f[F_COMP].buf);
	return validate_enc(g);
}

/* ---- the equivalent command line ------------------------------------------------ */

static void add_word(char *buf, size_t n, const char *w)
{
	size_t len = strlen(buf);
	bool plain = w[0] != '\0';
	const char *c;

	for (c = w; *c != '\0'; c++)
		if (!(((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z') || (*c >= '0' && *c <= '9') ||
		      strchr("-_./+:,=@%", *c) != NULL))
			plain = false;
	if (len + 1 >= n)
		return;
	buf[len++] = ' ';
	buf[len] = '\0';
	if (plain) {
		snprintf(buf + len, n - len, "%s", w);
		return;
	}
	/* shell single quotes, ' as '\'' */
	for (c = w, buf[len++] = '\''; *c != '\0' && len + 5 < n; c++) {
		if (*c == '\'') {
			memcpy(buf + len, "'\\''", 4);
			len += 4;
		} else {
			buf[len++] = *c;
		}
	}
	buf[len++] = '\'';
	buf[len] = '\0';
}

static void make_cmdline(struct sign *g)
{
	char *b = g->cmdline;
	size_t n = sizeof(g->cmdline);

	snprintf(b, n, "mcuprov sign");
	if (g->f[F_KEY].len > 0) {
		add_word(b, n, "-k");
		add_word(b, n, g->f[F_KEY].buf);
	}
	if (g->so.enc != NULL) {
		add_word(b, n, "-E");
		add_word(b, n, g->f[F_ENC].buf);
		if (g->so.enc->keylen != 128) {
			add_word(b, n, "--encrypt-keylen");
			add_word(b, n, g->f[F_KEYLEN].buf);
		}
	}
	if (g->so.compression != IMAGE_COMP_NONE) {
		add_word(b, n, "--compression");
		add_word(b, n, g->f[F_COMP].buf);
	}
	add_word(b, n, "--version");
	add_word(b, n, g->f[F_VERSION].buf);
	add_word(b, n, "-H");
	add_word(b, n, g->f[F_HDR].buf);
	if (g->check[0])
		add_word(b, n, "--pad-header");
	add_word(b, n, "-S");
	add_word(b, n, g->f[F_SLOT].buf);
	if (g->so.align != 1) {
		add_word(b, n, "--align");
		add_word(b, n, g->f[F_ALIGN].buf);
	}
	if (g->check[2])
		add_word(b, n, "--confirm");
	else if (g->check[1])
		add_word(b, n, "--pad");
	if (g->f[F_SECCNT].len > 0) {
		add_word(b, n, "-s");
		add_word(b, n, g->f[F_SECCNT].buf);
	}
	add_word(b, n, g->f[F_IN].buf);
	add_word(b, n, g->f[F_OUT].buf);
}

/* ---- the work --------------------------------------------------------------------- */

/* An encrypted image: its hash and signature cover the plain payload,
 * which only the device's private key recovers; parse it back and take
 * the hash image_sign computed. */
static int check_encrypted(struct job *j)
{
	struct image_info *info = NULL;
	size_t i;
	int rc = image_parse(j->out, &info, &j->err);

	if (rc < 0)
		return rc;
	for (i = 0; i < info->tlvs.n_tlvs; i++) {
		unsigned t = info->tlvs.tlvs[i].type;

		if (t == TLV_SHA256 || t == TLV_SHA384 || t == TLV_SHA512)
			j->vres.hash_tlv = t;
	}
	image_info_free(info);
	memcpy(j->vres.digest, j->res.digest, sizeof(j->vres.digest));
	j->vres.digest_len = j->res.digest_len;
	return 0;
}

static void *worker(void *arg)
{
	struct job *j = arg;

	err_clear(&j->err);
	j->rc = image_sign(&j->so, &j->res, &j->err);
	if (j->rc == 0 && j->encrypted)
		j->rc = check_encrypted(j);
	else if (j->rc == 0 && j->key != NULL)
		j->rc = image_verify(j->out, &j->key, 1, &j->vres, &j->err);
	else if (j->rc == 0)
		j->rc = image_verify(j->out, NULL, 0, &j->vres, &j->err);
	atomic_store(&j->done, true);
	tui_busy_add(-1);
	return NULL;
}

static int start(struct sign *g)
{
	struct job *j = &g->job;

	memset(j, 0, sizeof(*j));
	j->so = g->so;
	snprintf(j->in, sizeof(j->in), "%s", g->f[F_IN].buf);
	snprintf(j->out, sizeof(j->out), "%s", g->f[F_OUT].buf);
	snprintf(j->in_key, sizeof(j->in_key), "%s", g->f[F_KEY].buf);
	j->so.infile = j->in;
	j->so.outfile = j->out;
	j->key = g->ks.loaded > 0 ? g->ks.keys[0] : NULL;
	j->so.key = j->key;
	if (j->so.enc != NULL) { /* g->eo and g->enckey stay until the run ends */
		snprintf(j->in_enc, sizeof(j->in_enc), "%s", g->f[F_ENC].buf);
		j->encrypted = !j->so.enc->clear;
		j->enc_type = j->so.enc->key->type;
		j->enc_tlv = image_enc_tlv_type(j->so.enc);
		j->enc_keylen = j->so.enc->keylen;
	}
	make_cmdline(g);
	atomic_store(&j->done, false);
	tui_busy_add(1);
	if (pthread_create(&g->thread, NULL, worker, j) != 0) {
		tui_busy_add(-1);
		err_set(&j->err, MCUPROV_ERR_INTERNAL, NULL, "cannot start a thread");
		return tui_dialog_error(&g->s, D_ERR, &j->err);
	}
	g->running = true;
	g->spin = 0;
	set_phase(g, PH_RUN);
	return TUI_HANDLED;
}

/* Load the key (asking for its password when it has one), then start. */
static int load_and_start(struct sign *g, bool with_pw)
{
	struct mcuprov_err err;
	int rc;

	if (g->f[F_KEY].len == 0)
		return start(g);
	rc = tui_keyset_load(&g->ks, with_pw, &err);
	if (rc == 1) {
		set_phase(g, PH_PW);
		return TUI_HANDLED;
	}
	if (rc < 0) {
		int id = err.code == MCUPROV_ERR_PASSWORD && with_pw ? D_PWERR : D_ERR;

		if (id == D_ERR)
			set_phase(g, PH_FORM);
		return tui_dialog_error(&g->s, id, &err);
	}
	if (g->ks.keys[0]->devkey != NULL && tui_production) {
		err_set(&err, MCUPROV_ERR_REFUSED, g->f[F_KEY].buf,
			"refusing MCUboot's published development key %s in production mode",
			g->ks.keys[0]->devkey->name);
		tui_keyset_clear(&g->ks);
		set_phase(g, PH_FORM);
		return tui_dialog_error(&g->s, D_ERR, &err);
	}
	if (g->ks.keys[0]->devkey != NULL && !g->devkey_ok) {
		char text[1400];

		snprintf(text, sizeof(text),
			 "'%.900s' is MCUboot's published development key %s: its private half "
			 "is public, anyone can sign images it accepts; never ship it. Sign with "
			 "it anyway?",
			 g->f[F_KEY].buf, g->ks.keys[0]->devkey->name);
		set_phase(g, PH_FORM);
		return tui_dialog_confirm(&g->s, D_DEVKEY, "Development key", text, "Sign anyway",
					  "Cancel");
	}
	if (!key_can_sign(g->ks.keys[0])) {
		err_set(&err, MCUPROV_ERR_USAGE, g->f[F_KEY].buf,
			"is a public key: signing needs the private key");
		tui_keyset_clear(&g->ks);
		set_phase(g, PH_FORM);
		set_focus(g, F_KEY);
		return tui_dialog_error(&g->s, D_ERR, &err);
	}
	return start(g);
}

/* The Sign button: check, ask what must be asked, then go. */
static int sign_now(struct sign *g)
{
	int r = validate(g);

	if (r != TUI_HANDLED)
		return r;
	if (g->f[F_KEY].len == 0 && !g->nokey_ok)
		return tui_dialog_confirm(&g->s, D_NOKEY, "No signing key",
					  "Without a key the image carries only its hash: a "
					  "bootloader that checks signatures refuses it. Write a "
					  "hash-only image?",
					  "Hash only", "Cancel");
	if (access(g->f[F_OUT].buf, F_OK) == 0 && !g->overwrite_ok) {
		char text[1400];

		snprintf(text, sizeof(text), "'%.1000s' exists. Replace it with the new image?",
			 g->f[F_OUT].buf);
		return tui_dialog_confirm(&g->s, D_OVERWRITE, "Replace file", text, "Replace",
					  "Cancel");
	}
	tui_keyset_clear(&g->ks);
	g->ks.paths[0] = g->f[F_KEY].buf;
	g->ks.n = g->f[F_KEY].len > 0 ? 1 : 0;
	return load_and_start(g, false);
}

static int sign_tick(struct tui_screen *s)
{
	struct sign *g = (struct sign *)s;
	struct job *j = &g->job;
	size_t i;

	if (!g->running)
		return TUI_UNHANDLED;
	if (!atomic_load(&j->done)) {
		g->spin++;
		return TUI_HANDLED;
	}
	pthread_join(g->thread, NULL);
	g->running = false;
	g->fp[0] = '\0';
	g->signed_with_key = j->key != NULL;
	g->key_type = j->key != NULL ? j->key->type : KEY_TYPE_NONE;
	if (j->rc == 0 && j->key != NULL)
		j->rc = key_fingerprint_hex(j->key, g->fp, &j->err);
	j->key = NULL;
	j->so.key = NULL;
	j->so.enc = NULL;
	/* the keys are not needed any more */
	tui_keyset_clear(&g->ks);
	enc_clear(g);
	g->overwrite_ok = g->nokey_ok = g->devkey_ok = false;
	if (j->rc < 0) {
		set_phase(g, PH_FORM);
		if (j->err.subject[0] == '\0')
			snprintf(j->err.subject, sizeof(j->err.subject), "%.500s", j->in);
		return tui_dialog_error(&g->s, D_ERR, &j->err);
	}
	for (i = 0; i < j->vres.digest_len && i < IMAGE_MAX_DIGEST; i++)
		snprintf(g->digest + 2 * i, 3, "%02x", j->vres.digest[i]);
	g->digest[2 * i] = '\0';
	set_phase(g, PH_DONE);
	return TUI_HANDLED;
}

/* ---- drawing ---------------------------------------------------------------------- */

static void draw_form(struct sign *g)
{
	int y = 3, i, fx = 2 + LABEL_W + 2, fw = COLS - fx - 2;

	tui_frame("Sign image", g->focus < N_TEXT
					? "Tab/Up/Down move  ^O browse  Enter next  End: Sign  Esc back  F1 help"
					: "Tab/Up/Down move  Space toggle  Enter sign  Esc back  ? help");
	/* no blank rows after the note and before the button: 24 rows hold
	 * the form with the encryption and compression fields */
	y += tui_wrap(y, 2, COLS - 4, g->note, tui_attr(TUI_PAIR_DIM));
	for (i = 0; i < N_TEXT; i++, y++) {
		int w = is_path(i) ? fw : 12;

		mvaddnstr(y, 2, labels[i], LABEL_W);
		tui_field_draw(&g->f[i], y, fx, w, g->focus == i);
		if (!is_path(i)) {
			attron(tui_attr(TUI_PAIR_DIM));
			mvaddnstr(y, fx + w + 3, notes[i], COLS - (fx + w + 3) - 2);
			attroff(tui_attr(TUI_PAIR_DIM));
		}
	}
	y++;
	for (i = 0; i < 3; i++, y++) {
		if (g->focus == F_PADHDR + i)
			attron(A_REVERSE);
		/* '>' shows the focus without colour or reverse video too */
		mvprintw(y, 1, "%c[%c]", g->focus == F_PADHDR + i ? '>' : ' ',
			 g->check[i] ? 'x' : ' ');
		if (g->focus == F_PADHDR + i)
			attroff(A_REVERSE);
		mvaddnstr(y, 6, checks[i], COLS - 8);
	}
	if (g->focus == F_SIGN)
		mvaddch(y, fx - 2, '>');
	if (g->focus == F_SIGN)
		attron(A_REVERSE);
	mvaddstr(y, fx, "[ Sign ]");
	if (g->focus == F_SIGN)
		attroff(A_REVERSE);
	y++;
	if (is_path(g->focus)) {
		attron(tui_attr(TUI_PAIR_DIM));
		tui_wrap(y, 2, COLS - 4, notes[g->focus], 0);
		attroff(tui_attr(TUI_PAIR_DIM));
	}
}

static void draw_done(struct sign *g)
{
	struct job *j = &g->job;
	char line[5000];
	int y = 3;

	tui_frame("Sign image", "Enter/Esc back to the form  ? help");
	attron(tui_attr(TUI_PAIR_OK));
	snprintf(line, sizeof(line), "Signed '%s' (%llu bytes)", j->out,
		 (unsigned long long)j->res.out_size);
	y += tui_wrap(y, 2, COLS - 4, line, tui_attr(TUI_PAIR_OK));
	attroff(tui_attr(TUI_PAIR_OK));
	y++;
	mvprintw(y++, 2, "version     %u.%u.%u+%u", j->so.version.major, j->so.version.minor,
		 j->so.version.revision, j->so.version.build);
	snprintf(line, sizeof(line), "%-11s %s",
		 image_tlv_name(j->vres.hash_tlv) != NULL ? image_tlv_name(j->vres.hash_tlv) : "hash",
		 g->digest);
	mvaddnstr(y++, 2, line, COLS - 4);
	if (g->signed_with_key) {
		mvprintw(y++, 2, "key         %s '%.50s'", key_type_name(g->key_type), j->in_key);
		mvprintw(y++, 2, "fingerprint %s", g->fp);
	} else {
		mvaddstr(y++, 2, "key         none: a hash-only image");
	}
	if (j->in_enc[0] != '\0') {
		snprintf(line, sizeof(line), "encrypted   AES-%u for %s '%s' (%s)", j->enc_keylen,
			 key_type_name(j->enc_type), j->in_enc,
			 image_tlv_name(j->enc_tlv) != NULL ? image_tlv_name(j->enc_tlv) : "ENC");
		mvaddnstr(y++, 2, line, COLS - 4);
	}
	/* the sizes as `mcuprov sign` prints them: comp_size is the raw LZMA2
	 * stream, the payload has its 2-byte header in front */
	if (j->so.compression != IMAGE_COMP_NONE && j->res.compressed)
		mvprintw(y++, 2, "compressed  %s: payload %llu -> %llu bytes",
			 j->so.compression == IMAGE_COMP_LZMA2 ? "lzma2" : "lzma2armthumb",
			 (unsigned long long)j->res.decomp_size,
			 (unsigned long long)j->res.comp_size + 2);
	else if (j->so.compression != IMAGE_COMP_NONE)
		mvaddstr(y++, 2, "compressed  no: it did not help, the image is plain");
	if (j->encrypted)
		mvaddstr(y++, 2, "verified    not here: the device's private key decrypts it");
	else if (g->signed_with_key)
		mvaddstr(y++, 2, "verified    hash and signature valid with the key");
	else
		mvaddstr(y++, 2, "verified    hash valid");
	y++;
	mvaddstr(y++, 2, "The same from a shell or a CI script:");
	y += tui_wrap(y, 4, COLS - 6, g->cmdline, tui_attr(TUI_PAIR_DIM));
	y++;
	tui_wrap(y, 2, COLS - 4,
		 "Next: flash it with your board's tool or Build & flash, or look inside it with "
		 "Inspect image.",
		 0);
}

static void sign_draw(struct tui_screen *s)
{
	static const char spinner[] = "|/-\\";
	struct sign *g = (struct sign *)s;

	switch (g->phase) {
	case PH_FORM: draw_form(g); break;
	case PH_PW:
		tui_frame("Sign image",
			  tui_keyset_wants_pin(&g->ks)
				  ? "type the PIN (not shown)  Enter sign  Esc back"
				  : "type the password (not shown)  Enter sign  Esc back");
		tui_keyset_draw_pw(&g->ks, 3);
		break;
	case PH_RUN:
		tui_frame("Sign image", "signing...");
		mvprintw(3, 2, "%c Signing '%.60s'...", spinner[g->spin % 4], g->job.in);
		break;
	case PH_DONE: draw_done(g); break;
	}
}

/* ---- input ------------------------------------------------------------------------ */

static int form_event(struct sign *g, int key)
{
	switch (key) {
	case 27: return TUI_BACK;
	case '\t':
	case KEY_DOWN:
		if (g->focus == F_IN)
			default_output(g);
		set_focus(g, (g->focus + 1) % N_FOCUS);
		return TUI_HANDLED;
	case KEY_BTAB:
	case KEY_UP:
		set_focus(g, (g->focus + N_FOCUS - 1) % N_FOCUS);
		return TUI_HANDLED;
	case KEY_END:
	case KEY_NPAGE:
		if (g->focus == F_IN)
			default_output(g);
		set_focus(g, F_SIGN);
		return TUI_HANDLED;
	case KEY_HOME:
	case KEY_PPAGE:
		set_focus(g, F_IN);
		return TUI_HANDLED;
	default: break;
	}
	if (is_path(g->focus) &&
	    (tui_is_browse_key(key) || (is_enter(key) && g->f[g->focus].len == 0)))
		return tui_filepick(&g->s, 0,
				    g->focus == F_KEY	? "Choose the signing key"
				    : g->focus == F_ENC ? "Choose the device's public encryption key"
							: "Choose the image",
				    NULL,
				    g->focus == F_KEY	? key_exts
				    : g->focus == F_ENC ? enc_exts
							: in_exts,
				    &g->f[g->focus]);
	if (g->focus < N_TEXT) {
		if (is_enter(key)) {
			if (g->focus == F_IN)
				default_output(g);
			set_focus(g, g->focus + 1);
			return TUI_HANDLED;
		}
		return tui_field_key(&g->f[g->focus], key) ? TUI_HANDLED : TUI_UNHANDLED;
	}
	if (g->focus == F_SIGN)
		return is_enter(key) || key == ' ' ? sign_now(g) : TUI_UNHANDLED;
	if (is_enter(key) || key == ' ') {
		int c = g->focus - F_PADHDR;

		g->check[c] = !g->check[c];
		/* confirm implies pad, as `mcuprov sign --confirm` */
		if (c == 2 && g->check[2])
			g->check[1] = false;
		if (c == 1 && g->check[1])
			g->check[2] = false;
		return TUI_HANDLED;
	}
	return TUI_UNHANDLED;
}

static int sign_event(struct tui_screen *s, int key)
{
	struct sign *g = (struct sign *)s;

	switch (g->phase) {
	case PH_FORM: return form_event(g, key);
	case PH_PW:
		if (key == 27) {
			tui_keyset_clear(&g->ks);
			set_phase(g, PH_FORM);
			return TUI_HANDLED;
		}
		if (is_enter(key))
			return load_and_start(g, true);
		return tui_keyset_key(&g->ks, key) ? TUI_HANDLED : TUI_UNHANDLED;
	case PH_RUN: return TUI_HANDLED; /* short; nothing to cancel halfway */
	case PH_DONE:
		if (key == 27 || is_enter(key)) {
			set_phase(g, PH_FORM);
			return TUI_HANDLED;
		}
		return TUI_UNHANDLED;
	}
	return TUI_UNHANDLED;
}

static int sign_on_dialog(struct tui_screen *s, int id, bool yes)
{
	struct sign *g = (struct sign *)s;

	switch (id) {
	case D_PWERR: /* wrong password: ask again */
		set_phase(g, PH_PW);
		return TUI_HANDLED;
	case D_NOKEY:
		g->nokey_ok = yes;
		return yes ? sign_now(g) : TUI_HANDLED;
	case D_OVERWRITE:
		g->overwrite_ok = yes;
		return yes ? sign_now(g) : TUI_HANDLED;
	case D_DEVKEY:
		/* the key stays loaded: no second password prompt */
		g->devkey_ok = yes;
		if (!yes) {
			tui_keyset_clear(&g->ks);
			return TUI_HANDLED;
		}
		return load_and_start(g, false);
	case 0: /* the file browser closed */
		if (yes && g->focus == F_IN)
			default_output(g);
		return TUI_HANDLED;
	default: return TUI_HANDLED;
	}
}

static void sign_destroy(struct tui_screen *s)
{
	struct sign *g = (struct sign *)s;

	if (g->running)
		pthread_join(g->thread, NULL);
	tui_keyset_clear(&g->ks);
	enc_clear(g);
	free(g);
}

struct tui_screen *screen_sign_new(void)
{
	struct sign *g = calloc(1, sizeof(*g));

	if (g == NULL)
		return NULL;
	g->s.title = "Sign image";
	g->s.help = "Sign an app binary into an MCUboot image, byte for byte as imgtool "
		    "would. The form starts with the settings mcuprov.yaml gives `mcuprov "
		    "run` (the target's app and signed image, the first key, the image "
		    "settings). Tab/Up/Down move between fields; in a path field Enter on an "
		    "empty field, Ctrl-O or F2 opens the file browser; Space toggles a box. "
		    "Sign loads the key (asking for its password if it has one), signs, "
		    "verifies the result with the same key and shows the equivalent "
		    "`mcuprov sign` command. Encrypt for: the public key the device "
		    "decrypts with (x25519, ecdsa-p256 or rsa-2048; `sign -E`), with the "
		    "AES key length (128 or 256); the payload is encrypted after it is "
		    "hashed and signed, so the wizard cannot verify the result: `mcuprov "
		    "verify --enc-key` with the device's private key does. Compression: "
		    "lzma2 or lzma2armthumb (`sign --compression`), kept only when it "
		    "makes the image smaller. Other options (dependencies, custom TLVs, "
		    "Intel HEX addresses, HSM signing): `mcuprov sign --help`.";
	g->s.draw = sign_draw;
	g->s.event = sign_event;
	g->s.tick = sign_tick;
	g->s.on_dialog = sign_on_dialog;
	g->s.destroy = sign_destroy;
	g->ks.pw.secret = true;
	load_defaults(g);
	set_phase(g, PH_FORM);
	return &g->s;
}
