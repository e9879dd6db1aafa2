/* keys.c tokens and their conditional-compilation state.
 *
 * A small tokenizer (identifiers, numbers, punctuation, preprocessor
 * lines; comments and literals skipped) feeds the shape analysis.  Each
 * token then learns whether the bootloader compiles it: the preprocessor
 * lines are run through a ppcond tracker over the configuration analysed
 * (live: TRUE, FALSE or MAYBE with the macros it depends on), and once more
 * for each signing key type with that type's macros forced (alt): what a
 * bootloader for another type would compile, to know which lines other
 * configurations share. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "keysc-internal.h"

const enum key_type keysc_sign_types[KEYSC_N_SIGN_TYPES] = {
	KEY_RSA2048, KEY_RSA3072, KEY_ECDSA_P256, KEY_ECDSA_P384, KEY_ED25519,
};

static const char *const known_macros[] = {
	"MCUBOOT_SIGN_RSA",	"MCUBOOT_SIGN_EC256",	 "MCUBOOT_SIGN_EC384",
	"MCUBOOT_SIGN_ED25519", "MCUBOOT_SIGN_EC",	 "BOOTUTIL_SIGN_RSA",
	"BOOTUTIL_SIGN_EC256",	"BOOTUTIL_SIGN_EC",	 "MCUBOOT_ENC_IMAGES",
	"MCUBOOT_ENCRYPT_RSA",	"MCUBOOT_ENCRYPT_EC256", "MCUBOOT_ENCRYPT_X25519",
	"MCUBOOT_ENCRYPT_KW",
};

/* Every signature macro a keys.c may test, and the types it selects. */
static const struct {
	const char *name;
	unsigned types;
} sign_macros[] = {
	{"MCUBOOT_SIGN_RSA", 1u << KEY_RSA2048 | 1u << KEY_RSA3072},
	{"MCUBOOT_SIGN_EC256", 1u << KEY_ECDSA_P256},
	{"MCUBOOT_SIGN_EC384", 1u << KEY_ECDSA_P384},
	{"MCUBOOT_SIGN_ED25519", 1u << KEY_ED25519},
	{"MCUBOOT_SIGN_EC", 0}, /* P-224, long gone */
	{"BOOTUTIL_SIGN_RSA", 1u << KEY_RSA2048 | 1u << KEY_RSA3072},
	{"BOOTUTIL_SIGN_EC256", 1u << KEY_ECDSA_P256},
	{"BOOTUTIL_SIGN_EC", 0},
};

#define TYPE_ORIGIN "from the key type"

bool keysc_is_sign_macro(const char *m)
{
	return m != NULL &&
	       (strncmp(m, "MCUBOOT_SIGN_", 13) == 0 || strncmp(m, "BOOTUTIL_SIGN_", 14) == 0);
}

bool keysc_macro_selects(const char *m, enum key_type type)
{
	size_t i;

	if (m == NULL)
		return false;
	for (i = 0; i < sizeof(sign_macros) / sizeof(sign_macros[0]); i++)
		if (strcmp(m, sign_macros[i].name) == 0)
			return (sign_macros[i].types & (1u << type)) != 0;
	return false;
}

/* Set (FORCE) or default the signature macros of TYPE in ENV. */
static int env_type(struct pp_env *env, enum key_type type, bool force, struct mcuprov_err *err)
{
	bool rsa = type == KEY_RSA2048 || type == KEY_RSA3072;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < sizeof(sign_macros) / sizeof(sign_macros[0]); i++) {
		bool on = (sign_macros[i].types & (1u << type)) != 0;

		if (on)
			/* as MCUboot's mcuboot_config.h: `#define MCUBOOT_SIGN_EC256` */
			rc = (force ? pp_env_define : pp_env_default_define)(
				env, sign_macros[i].name, "", TYPE_ORIGIN, err);
		else
			rc = (force ? pp_env_undef : pp_env_default_undef)(env, sign_macros[i].name,
									   TYPE_ORIGIN, err);
	}
	if (rc == 0 && rsa)
		rc = (force ? pp_env_define : pp_env_default_define)(
			env, "MCUBOOT_SIGN_RSA_LEN", type == KEY_RSA3072 ? "3072" : "2048",
			TYPE_ORIGIN, err);
	else if (rc == 0)
		rc = (force ? pp_env_undef : pp_env_default_undef)(env, "MCUBOOT_SIGN_RSA_LEN",
								   TYPE_ORIGIN, err);
	return rc;
}

int keysc_env_force_type(struct pp_env *env, enum key_type type, struct mcuprov_err *err)
{
	return env_type(env, type, true, err);
}

int keysc_env_key_type(struct pp_env *env, enum key_type type, struct mcuprov_err *err)
{
	int rc = env_type(env, type, false, err);

	/* key bytes compiled in: a build without a hardware key */
	if (rc == 0)
		rc = pp_env_default_undef(env, "MCUBOOT_HW_KEY", "inline keys", err);
	return rc;
}

static int push(struct toks *t, struct tok k)
{
	struct tok *nv = keysc_grow(t->v, t->n, &t->cap, sizeof(*nv));

	if (nv == NULL)
		return -1;
	t->v = nv;
	t->v[t->n++] = k;
	return 0;
}

void *keysc_grow(void *v, size_t n, size_t *cap, size_t size)
{
	void *nv;
	size_t nc;

	if (n < *cap)
		return v;
	nc = *cap ? *cap * 2 : 16;
	nv = realloc(v, nc * size);
	if (nv != NULL)
		*cap = nc;
	return nv;
}

const char *keysc_pp_macro(const char *text, size_t s, size_t e)
{
	size_t i, k;

	for (i = s; i < e; i++) {
		if (!(isalpha((unsigned char)text[i]) || text[i] == '_') ||
		    (i > s && (isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_')))
			continue;
		for (k = 0; k < sizeof(known_macros) / sizeof(known_macros[0]); k++) {
			size_t n = strlen(known_macros[k]);

			if (i + n <= e && memcmp(text + i, known_macros[k], n) == 0 &&
			    (i + n == e ||
			     !(isalnum((unsigned char)text[i + n]) || text[i + n] == '_')))
				return known_macros[k];
		}
	}
	return NULL;
}

int keysc_tokenize(const char *text, size_t len, struct toks *t)
{
	size_t i = 0, line = 1;
	bool line_start = true;

	while (i < len) {
		char c = text[i];
		struct tok k;

		memset(&k, 0, sizeof(k));
		k.kind = T_OTHER;
		k.start = i;
		k.end = i + 1;
		k.line = line;
		k.live = PP_TRUE;
		k.alt = ~0u;
		if (c == '\n') {
			line++;
			line_start = true;
			i++;
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
			i++;
			continue;
		}
		if (c == '/' && i + 1 < len && text[i + 1] == '*') {
			for (i += 2;
			     i < len && !(text[i] == '*' && i + 1 < len && text[i + 1] == '/'); i++)
				if (text[i] == '\n')
					line++;
			i = i < len ? i + 2 : len;
			continue;
		}
		if (c == '/' && i + 1 < len && text[i + 1] == '/') {
			while (i < len && text[i] != '\n')
				i++;
			continue;
		}
		if (c == '#' && line_start) {
			/* a preprocessor line, with backslash continuations and
			 * comments that may span lines */
			size_t s = i, w;

			while (i < len && text[i] != '\n') {
				if (text[i] == '\\' && i + 1 < len &&
				    (text[i + 1] == '\n' ||
				     (text[i + 1] == '\r' && i + 2 < len && text[i + 2] == '\n'))) {
					i += text[i + 1] == '\r' ? 3 : 2;
					line++;
					continue;
				}
				if (text[i] == '/' && i + 1 < len && text[i + 1] == '*') {
					for (i += 2; i < len && !(text[i] == '*' && i + 1 < len &&
								  text[i + 1] == '/');
					     i++)
						if (text[i] == '\n')
							line++;
					i = i < len ? i + 2 : len;
					continue;
				}
				i++;
			}
			k.kind = T_PP;
			k.end = i;
			for (w = s + 1; w < i && (text[w] == ' ' || text[w] == '\t'); w++)
				;
			if (i - w >= 2 && strncmp(text + w, "if", 2) == 0 &&
			    (i - w < 7 || strncmp(text + w, "include", 7) != 0))
				k.pp = 1;
			if (i - w >= 4 && strncmp(text + w, "elif", 4) == 0)
				k.pp = 2;
			else if (i - w >= 4 && strncmp(text + w, "else", 4) == 0)
				k.pp = 3;
			else if (i - w >= 5 && strncmp(text + w, "endif", 5) == 0)
				k.pp = 4;
			if (k.pp == 1 || k.pp == 2)
				k.macro = keysc_pp_macro(text, w, i);
			if (push(t, k) < 0)
				return -1;
			continue;
		}
		line_start = false;
		if (c == '"' || c == '\'') {
			for (i++; i < len && text[i] != c && text[i] != '\n'; i++)
				if (text[i] == '\\')
					i++;
			i = i < len ? i + 1 : len;
			continue;
		}
		if (isalpha((unsigned char)c) || c == '_') {
			while (k.end < len &&
			       (isalnum((unsigned char)text[k.end]) || text[k.end] == '_'))
				k.end++;
			k.kind = T_IDENT;
		} else if (isdigit((unsigned char)c)) {
			while (k.end < len && (isalnum((unsigned char)text[k.end])))
				k.end++;
			k.kind = T_NUMBER;
		} else {
			k.kind = T_PUNCT;
		}
		i = k.end;
		if (push(t, k) < 0)
			return -1;
	}
	return 0;
}

void keysc_toks_free(struct toks *t)
{
	size_t i;

	for (i = 0; i < t->n_doubts; i++)
		free(t->doubts[i]);
	free(t->doubts);
	free(t->assumed);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

const char *keysc_tok_doubt(const struct toks *t, const struct tok *k)
{
	return k->live == PP_MAYBE && k->doubt < t->n_doubts ? t->doubts[k->doubt] : "";
}

/* The index of the doubt string for NAMES (the last one again when it is
 * the same), or (size_t)-1 when out of memory. */
static size_t doubt_index(struct toks *t, const struct pp_names *names)
{
	char buf[KEYSC_DOUBT_MAX];
	char **nv;

	pp_names_join(names, buf, sizeof(buf));
	if (t->n_doubts > 0 && strcmp(t->doubts[t->n_doubts - 1], buf) == 0)
		return t->n_doubts - 1;
	nv = keysc_grow(t->doubts, t->n_doubts, &t->cap_doubts, sizeof(*nv));
	if (nv == NULL)
		return (size_t)-1;
	t->doubts = nv;
	if ((t->doubts[t->n_doubts] = strdup(buf)) == NULL)
		return (size_t)-1;
	return t->n_doubts++;
}

bool keysc_word_in(const char *text, size_t s, size_t e, const char *w)
{
	size_t n = strlen(w), i;

	for (i = s; i + n <= e; i++)
		if (memcmp(text + i, w, n) == 0 &&
		    (i == s || !(isalnum((unsigned char)text[i - 1]) || text[i - 1] == '_')) &&
		    (i + n == e || !(isalnum((unsigned char)text[i + n]) || text[i + n] == '_')))
			return true;
	return false;
}

/* Take the file's own #defines ("NAME (line N)") out of a
 * pp_env_describe() line: they are not assumptions. */
static void drop_file_defines(char *s)
{
	char *p = s, *w = s;

	while (p != NULL && *p != '\0') {
		char *next = strstr(p, "; ");
		size_t n = next != NULL ? (size_t)(next - p) : strlen(p);
		const char *o = n >= 2 && p[n - 1] == ')' ? memmem(p, n, " (line ", 7) : NULL;
		bool ours =
			o != NULL && strspn(o + 7, "0123456789") == (size_t)(p + n - 1 - (o + 7));

		if (!ours) {
			if (w != s) {
				memmove(w, "; ", 2);
				w += 2;
			}
			memmove(w, p, n);
			w += n;
		}
		p = next != NULL ? next + 2 : NULL;
	}
	if (s != NULL)
		*w = '\0';
}

/* One pass of the tracker over ENV (taken over, freed here).  BIT 0: set
 * each token's live/doubt (and image_cond); else: set BIT in alt where
 * the token is compiled or maybe. */
static int run(const char *text, struct toks *t, struct pp_env *env, unsigned bit,
	       const char *subject, struct mcuprov_err *err)
{
	struct pp_tracker *tr = NULL;
	struct pp_names names;
	struct mcuprov_err e2;
	enum pp_truth cur = PP_TRUE;
	size_t i, doubt = 0, depth_img = 0;
	/* which nesting levels test MCUBOOT_IMAGE_NUMBER (64 levels at most:
	 * the tracker refuses deeper) */
	bool img[65];
	int rc;

	memset(img, 0, sizeof(img));
	err_clear(&e2);
	pp_env_clear_used(env);
	if ((rc = pp_tracker_new(env, &tr, &e2)) < 0)
		goto out;
	pp_names_clear(&names);
	for (i = 0; i < t->n; i++) {
		struct tok *k = &t->v[i];

		if (bit == 0) {
			k->live = cur;
			k->doubt = doubt;
			k->image_cond = depth_img > 0;
		} else if (cur != PP_FALSE) {
			k->alt |= bit;
		} else {
			k->alt &= ~bit;
		}
		if (k->kind != T_PP)
			continue;
		if ((rc = pp_tracker_line(tr, text + k->start, k->end - k->start, k->line, &e2)) <
		    0)
			goto out;
		if (bit == 0) {
			size_t d = pp_tracker_depth(tr), l;
			bool mentions =
				keysc_word_in(text, k->start, k->end, "MCUBOOT_IMAGE_NUMBER");

			/* an #elif/#else inherits its chain's tests */
			if (d <= 64 && k->pp == 1)
				img[d] = mentions;
			else if (d <= 64 && (k->pp == 2 || k->pp == 3))
				img[d] |= mentions;
			for (depth_img = 0, l = 1; l <= d && l <= 64; l++)
				depth_img += img[l];
		}
		pp_names_clear(&names);
		cur = pp_tracker_live(tr, &names);
		if (bit == 0 && cur == PP_MAYBE && (doubt = doubt_index(t, &names)) == (size_t)-1) {
			rc = err_set(&e2, MCUPROV_ERR_NOMEM, NULL, "out of memory");
			goto out;
		}
	}
	rc = pp_tracker_finish(tr, &e2);
	if (rc == 0 && bit == 0 && pp_env_describe(env, &t->assumed, &e2) < 0)
		rc = e2.code;
	if (rc == 0 && bit == 0)
		drop_file_defines(t->assumed);
out:
	pp_tracker_free(tr);
	pp_env_free(env);
	if (rc < 0)
		return err_set(err, rc, subject, "%s", e2.msg);
	return 0;
}

int keysc_liveness(const char *text, struct toks *t, const struct pp_env *env, const char *subject,
		   struct mcuprov_err *err)
{
	struct pp_env *e = NULL;
	size_t i;
	int rc;

	if (env != NULL)
		e = pp_env_dup(env);
	else if (pp_env_new(&e, NULL) < 0)
		e = NULL;
	if (e == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
	if ((rc = run(text, t, e, 0, subject, err)) < 0)
		return rc;
	for (i = 0; i < KEYSC_N_SIGN_TYPES; i++) {
		struct pp_env *a = env != NULL ? pp_env_dup(env) : NULL;

		if (a == NULL && (env != NULL || pp_env_new(&a, NULL) < 0))
			return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
		if ((rc = keysc_env_force_type(a, keysc_sign_types[i], err)) < 0) {
			pp_env_free(a);
			return rc;
		}
		/* an #if another configuration cannot evaluate (1 / MACRO with
		 * MACRO 0 there) says nothing of this one: that type's bootloader
		 * is taken to compile everything (more sharing, never less) */
		if ((rc = run(text, t, a, 1u << keysc_sign_types[i], subject, NULL)) ==
		    MCUPROV_ERR_FORMAT) {
			size_t k;

			for (k = 0; k < t->n; k++)
				t->v[k].alt |= 1u << keysc_sign_types[i];
		} else if (rc < 0) {
			return err_set(err, rc, subject, "out of memory");
		}
	}
	return 0;
}

bool keysc_tok_is(const char *text, const struct tok *k, const char *s)
{
	size_t n = strlen(s);

	return k->end - k->start == n && memcmp(text + k->start, s, n) == 0;
}

long long keysc_tok_num(const char *text, const struct tok *k)
{
	char buf[32], *end;
	size_t n = k->end - k->start;
	unsigned long long v;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, text + k->start, n);
	buf[n] = '\0';
	/* allow the C suffixes u/U */
	if (n > 1 && (buf[n - 1] == 'u' || buf[n - 1] == 'U'))
		buf[--n] = '\0';
	if (buf[0] == '0' && n > 1 && buf[1] != 'x' && buf[1] != 'X')
		return -1; /* octal: never used for key bytes */
	v = strtoull(buf, &end, 0);
	if (*end != '\0' || v > 0x7fffffffULL)
		return -1;
	return (long long)v;
}

void keysc_detect_style(const char *text, const struct toks *t, size_t first_num, size_t close,
			struct keysc_array *a)
{
	size_t ls, p, n = 0, k;

	snprintf(a->indent, sizeof(a->indent), "    ");
	a->per_line = 8;
	a->trailing_comma = false;
	a->upper_hex = false;
	if (first_num == 0 || t->v[first_num].kind != T_NUMBER)
		return;
	/* indentation: the whitespace before the first byte on its line */
	for (ls = t->v[first_num].start; ls > 0 && text[ls - 1] != '\n'; ls--)
		;
	for (p = ls; p < t->v[first_num].start && (text[p] == ' ' || text[p] == '\t'); p++)
		;
	if (p == t->v[first_num].start && p - ls < sizeof(a->indent)) {
		memcpy(a->indent, text + ls, p - ls);
		a->indent[p - ls] = '\0';
	}
	for (k = first_num; k < close; k++)
		if (t->v[k].kind == T_NUMBER && t->v[k].line == t->v[first_num].line)
			n++;
	a->per_line = n > 0 ? (unsigned)n : 8;
	a->trailing_comma = close > 0 && keysc_tok_is(text, &t->v[close - 1], ",");
	/* hex case: the first byte with a letter says (0x30 has none) */
	for (k = first_num; k < close; k++) {
		if (t->v[k].kind != T_NUMBER || t->v[k].end - t->v[k].start < 3)
			continue;
		for (p = t->v[k].start + 2; p < t->v[k].end; p++)
			if (isalpha((unsigned char)text[p]))
				break;
		if (p < t->v[k].end) {
			a->upper_hex = isupper((unsigned char)text[p]) != 0;
			break;
		}
	}
}
