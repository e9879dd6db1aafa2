/* Bootloader key files rendered from mustache-like templates.
 *
 * A template is parsed once into a flat list of nodes (text, variable,
 * section open/close) with every context rule checked, so rendering cannot
 * meet a syntax error; then the keys are checked against MCUboot's rules and
 * the node list is walked.  See include/mcuprov/render.h and
 * templates/README.md for the syntax. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/crypto.h>

#include "mcuprov/datadir.h"
#include "mcuprov/carray.h"
#include "mcuprov/devkey.h"
#include "mcuprov/fileio.h"
#include "mcuprov/kconf.h"
#include "mcuprov/keysc.h"
#include "mcuprov/provision.h"
#include "mcuprov/render.h"

/* ---- the vocabulary ------------------------------------------------------ */

enum scope {
	SCOPE_ANY, /* anywhere */
	SCOPE_KEY, /* inside {{#keys}} */
	SCOPE_ENC, /* inside {{#enc}} */
	SCOPE_RSA, /* inside {{#rsa}} */
};

enum var_id {
	V_COUNT,
	V_TYPE,
	V_SIGN_DEFINE,
	V_KCONFIG_TYPE,
	V_RSA_LEN,
	V_BANNER,
	V_LDELIM,
	V_NAME,
	V_INDEX,
	V_SUFFIX,
	V_BYTES,
	V_LEN,
	V_FINGERPRINT,
	V_ENC_BYTES,
	V_ENC_LEN,
};

static const struct {
	const char *name;
	enum scope scope;
} vars[] = {
	[V_COUNT] = { "count", SCOPE_ANY },
	[V_TYPE] = { "type", SCOPE_ANY },
	[V_SIGN_DEFINE] = { "sign_define", SCOPE_ANY },
	[V_KCONFIG_TYPE] = { "kconfig_type", SCOPE_ANY },
	[V_RSA_LEN] = { "rsa_len", SCOPE_RSA },
	[V_BANNER] = { "banner", SCOPE_ANY },
	[V_LDELIM] = { "ldelim", SCOPE_ANY },
	[V_NAME] = { "name", SCOPE_KEY },
	[V_INDEX] = { "index", SCOPE_KEY },
	[V_SUFFIX] = { "suffix", SCOPE_KEY },
	[V_BYTES] = { "bytes", SCOPE_KEY },
	[V_LEN] = { "len", SCOPE_KEY },
	[V_FINGERPRINT] = { "fingerprint", SCOPE_KEY },
	[V_ENC_BYTES] = { "enc_bytes", SCOPE_ENC },
	[V_ENC_LEN] = { "enc_len", SCOPE_ENC },
};

#define N_VARS (sizeof(vars) / sizeof(vars[0]))

enum sec_id { SEC_KEYS, SEC_FIRST, SEC_ENC, SEC_RSA, N_SECS };

static const char *const sections[N_SECS] = { "keys", "first", "enc", "rsa" };

enum node_kind { N_TEXT, N_VAR, N_OPEN, N_INVERT, N_CLOSE };

struct node {
	enum node_kind kind;
	const char *s; /* the text, or the whole tag for messages */
	size_t len;
	int id;	       /* enum var_id or enum sec_id */
	unsigned line; /* of the tag */
	size_t end;    /* N_OPEN, N_INVERT: index of the matching N_CLOSE */
};

struct tmpl {
	const char *name;
	struct node *nodes;
	size_t n, cap;
	unsigned min_keys, max_keys;
	unsigned keys_line; /* line of {{%keys}}, 0: not declared */
	unsigned enc_line;  /* line of {{%enc required}}, 0: not declared */
	bool has_enc;	    /* has a {{#enc}} section */
};

/* A tag for "'%.*s%s'" in a message: at most TAG_SHOWN characters of it. */
#define TAG_SHOWN 60
#define TAG(tag, len)                                                                              \
	(int)((len) > TAG_SHOWN ? TAG_SHOWN : (len)), (tag), (len) > TAG_SHOWN ? "..." : ""

/* ---- parsing ------------------------------------------------------------- */

static int syntax(struct mcuprov_err *err, const struct tmpl *t, unsigned line, const char *fmt,
		  ...) __attribute__((format(printf, 4, 5)));

/* "template 'NAME': line N: <reason>" */
static int syntax(struct mcuprov_err *err, const struct tmpl *t, unsigned line, const char *fmt,
		  ...)
{
	char reason[MCUPROV_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	return err_set(err, MCUPROV_ERR_FORMAT, NULL, "template '%s': line %u: %s", t->name, line,
		       reason);
}

static int add_node(struct tmpl *t, enum node_kind kind, const char *s, size_t len, int id,
		    unsigned line, struct mcuprov_err *err)
{
	struct node *n;

	if (kind == N_TEXT && len == 0)
		return 0;
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;
		struct node *p = realloc(t->nodes, cap * sizeof(*p));

		if (p == NULL)
			return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		t->nodes = p;
		t->cap = cap;
	}
	n = &t->nodes[t->n++];
	n->kind = kind;
	n->s = s;
	n->len = len;
	n->id = id;
	n->line = line;
	n->end = 0;
	return 0;
}

/* The enum var_id or enum sec_id named S (LEN bytes), or -1. */
static int var_lookup(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < N_VARS; i++)
		if (strlen(vars[i].name) == len && memcmp(vars[i].name, s, len) == 0)
			return (int)i;
	return -1;
}

static int sec_lookup(const char *s, size_t len)
{
	int i;

	for (i = 0; i < N_SECS; i++)
		if (strlen(sections[i]) == len && memcmp(sections[i], s, len) == 0)
			return i;
	return -1;
}

/* Parse a decimal number of at most 3 digits at *s; advances *s. */
static int small_number(const char **s, const char *end, unsigned *out)
{
	unsigned v = 0, digits = 0;

	while (*s < end && **s >= '0' && **s <= '9' && digits < 3) {
		v = v * 10 + (unsigned)(**s - '0');
		(*s)++;
		digits++;
	}
	*out = v;
	return digits > 0 ? 0 : -1;
}

/* A declaration: "keys N", "keys N-M" or "enc required" (after the '%'). */
static int declaration(struct tmpl *t, const char *s, size_t len, const char *tag, size_t tag_len,
		       unsigned line, struct mcuprov_err *err)
{
	const char *end = s + len;
	unsigned lo, hi;

	if (len > 5 && memcmp(s, "keys ", 5) == 0) {
		if (t->keys_line != 0)
			return syntax(err, t, line, "'%.*s%s' repeats the declaration of line %u",
				      TAG(tag, tag_len), t->keys_line);
		s += 5;
		if (small_number(&s, end, &lo) < 0)
			goto bad;
		hi = lo;
		if (s < end && *s == '-') {
			s++;
			if (small_number(&s, end, &hi) < 0)
				goto bad;
		}
		if (s != end || lo > hi || hi > RENDER_KEYS_MAX)
			goto bad;
		t->min_keys = lo;
		t->max_keys = hi;
		t->keys_line = line;
		return 0;
	}
	if (len == 12 && memcmp(s, "enc required", 12) == 0) {
		if (t->enc_line != 0)
			return syntax(err, t, line, "'%.*s%s' repeats the declaration of line %u",
				      TAG(tag, tag_len), t->enc_line);
		t->enc_line = line;
		return 0;
	}
bad:
	return syntax(err, t, line,
		      "bad declaration '%.*s%s' (expected {{%%keys N}}, {{%%keys N-M}} with "
		      "M <= %d, or {{%%enc required}})",
		      TAG(tag, tag_len), RENDER_KEYS_MAX);
}

struct open_sec {
	int sec;
	bool inverted;
	size_t node;
	unsigned line;
};

/* Is section SEC open, not inverted, in STACK[0..DEPTH)? */
static const struct open_sec *find_open(const struct open_sec *stack, int depth, int sec,
					bool any_polarity)
{
	int i;

	for (i = depth - 1; i >= 0; i--)
		if (stack[i].sec == sec && (any_polarity || !stack[i].inverted))
			return &stack[i];
	return NULL;
}

static int parse(const char *name, const char *text, size_t len, struct tmpl *t,
		 struct mcuprov_err *err)
{
	struct open_sec stack[N_SECS];
	const char *nul;
	size_t pos = 0, counted = 0;
	unsigned line = 1;
	int depth = 0, rc;

	memset(t, 0, sizeof(*t));
	t->name = name;
	t->min_keys = 1;
	t->max_keys = RENDER_KEYS_MAX;
	if ((nul = memchr(text, '\0', len)) != NULL) {
		for (; counted < (size_t)(nul - text); counted++)
			line += text[counted] == '\n';
		return syntax(err, t, line, "NUL byte (a template is text)");
	}
	while (pos < len) {
		const char *open = NULL, *close, *in, *tag;
		size_t ts, te, tag_len, in_len, ls, le, i;
		enum node_kind kind;
		bool standalone;
		int id;
		char sigil;

		for (i = pos; i + 1 < len; i++)
			if (text[i] == '{' && text[i + 1] == '{') {
				open = text + i;
				break;
			}
		if (open == NULL) {
			if ((rc = add_node(t, N_TEXT, text + pos, len - pos, 0, line, err)) < 0)
				return rc;
			break;
		}
		ts = (size_t)(open - text);
		for (; counted < ts; counted++)
			line += text[counted] == '\n';
		close = NULL;
		for (i = ts + 2; i + 1 < len && text[i] != '\n'; i++)
			if (text[i] == '}' && text[i + 1] == '}') {
				close = text + i;
				break;
			}
		if (close == NULL)
			return syntax(err, t, line,
				      "'{{' without '}}' on the same line (write {{ldelim}} for a "
				      "literal '{{')");
		te = (size_t)(close - text) + 2;
		tag = text + ts;
		tag_len = te - ts;
		in = tag + 2;
		in_len = tag_len - 4;
		sigil = in_len > 0 ? in[0] : '\0';

		/* a tag that prints nothing, alone on its line, takes the line */
		ls = ts;
		while (ls > pos && (text[ls - 1] == ' ' || text[ls - 1] == '\t'))
			ls--;
		le = te;
		while (le < len && (text[le] == ' ' || text[le] == '\t'))
			le++;
		standalone = (sigil == '#' || sigil == '^' || sigil == '/' || sigil == '!' ||
			      sigil == '%') &&
			     (ls == 0 || text[ls - 1] == '\n') &&
			     (le == len || text[le] == '\n' ||
			      (text[le] == '\r' && le + 1 < len && text[le + 1] == '\n'));
		if ((rc = add_node(t, N_TEXT, text + pos, (standalone ? ls : ts) - pos, 0, line,
				   err)) < 0)
			return rc;
		if (standalone)
			pos = le == len ? len : le + (text[le] == '\r' ? 2 : 1);
		else
			pos = te;

		switch (sigil) {
		case '!': continue;
		case '%':
			if (depth > 0)
				return syntax(err, t, line, "'%.*s%s' inside '{{#%s}}' of line %u",
					      TAG(tag, tag_len), sections[stack[depth - 1].sec],
					      stack[depth - 1].line);
			if ((rc = declaration(t, in + 1, in_len - 1, tag, tag_len, line, err)) < 0)
				return rc;
			continue;
		case '#':
		case '^':
		case '/':
			id = sec_lookup(in + 1, in_len - 1);
			if (id < 0)
				return syntax(err, t, line, "unknown section '%.*s%s'",
					      TAG(tag, tag_len));
			break;
		default:
			id = var_lookup(in, in_len);
			if (id < 0)
				return syntax(err, t, line, "unknown placeholder '%.*s%s'",
					      TAG(tag, tag_len));
			if (vars[id].scope == SCOPE_KEY &&
			    !find_open(stack, depth, SEC_KEYS, false))
				return syntax(err, t, line, "'%.*s' outside {{#keys}}",
					      (int)tag_len, tag);
			if (vars[id].scope == SCOPE_ENC && !find_open(stack, depth, SEC_ENC, false))
				return syntax(err, t, line, "'%.*s' outside {{#enc}}", (int)tag_len,
					      tag);
			if (vars[id].scope == SCOPE_RSA && !find_open(stack, depth, SEC_RSA, false))
				return syntax(err, t, line, "'%.*s' outside {{#rsa}}", (int)tag_len,
					      tag);
			if ((rc = add_node(t, N_VAR, tag, tag_len, id, line, err)) < 0)
				return rc;
			continue;
		}

		if (sigil == '/') {
			const struct open_sec *top = depth > 0 ? &stack[depth - 1] : NULL;

			if (top == NULL)
				return syntax(err, t, line, "'%.*s' closes no section",
					      (int)tag_len, tag);
			if (top->sec != id)
				return syntax(err, t, line, "'%.*s%s' closes '{{%c%s}}' of line %u",
					      TAG(tag, tag_len), top->inverted ? '^' : '#',
					      sections[top->sec], top->line);
			t->nodes[top->node].end = t->n;
			if ((rc = add_node(t, N_CLOSE, tag, tag_len, id, line, err)) < 0)
				return rc;
			depth--;
			continue;
		}

		/* opening a section: where may it go? */
		kind = sigil == '#' ? N_OPEN : N_INVERT;
		{
			const struct open_sec *clash = find_open(stack, depth, id, true);

			if (clash == NULL && id == SEC_ENC)
				clash = find_open(stack, depth, SEC_KEYS, true);
			if (clash != NULL)
				return syntax(err, t, line, "'%.*s%s' inside '{{%c%s}}' of line %u",
					      TAG(tag, tag_len), clash->inverted ? '^' : '#',
					      sections[clash->sec], clash->line);
		}
		if (id == SEC_FIRST && !find_open(stack, depth, SEC_KEYS, false))
			return syntax(err, t, line, "'%.*s%s' outside {{#keys}}",
				      TAG(tag, tag_len));
		if (id == SEC_ENC && kind == N_OPEN)
			t->has_enc = true;
		stack[depth].sec = id;
		stack[depth].inverted = kind == N_INVERT;
		stack[depth].node = t->n;
		stack[depth].line = line;
		depth++;
		if ((rc = add_node(t, kind, tag, tag_len, id, line, err)) < 0)
			return rc;
	}
	if (depth > 0)
		return syntax(err, t, stack[depth - 1].line, "'{{%c%s}}' is never closed",
			      stack[depth - 1].inverted ? '^' : '#',
			      sections[stack[depth - 1].sec]);
	return 0;
}

int render_check(const char *name, const char *text, size_t len, struct mcuprov_err *err)
{
	struct tmpl t;
	int rc;

	rc = parse(name, text, len, &t, err);
	free(t.nodes);
	return rc;
}

/* ---- the keys ------------------------------------------------------------ */

struct rkey {
	const struct render_key *in;
	uint8_t *der;
	size_t len;
	char *bytes; /* the array body lines, no final newline */
	char fp[2 * KEY_FINGERPRINT_LEN + 1];
	char suffix[16];
	char name[64];
};

struct renc {
	uint8_t *der; /* secret */
	size_t len;
	char *bytes; /* secret */
};

/* The data lines of carray_format()'s C array: what lies between the line
 * "const unsigned char x[] = {" and the line "};". */
static char *array_body(const uint8_t *data, size_t len, bool secret)
{
	char *full = carray_format(data, len, "x", CARRAY_LANG_C, 0);
	char *start, *end, *body = NULL;

	if (full == NULL)
		return NULL;
	start = strchr(full, '\n') + 1;
	end = strstr(start, "\n};\n");
	if (end == NULL) /* no data: "{\n};" */
		end = start;
	body = OPENSSL_strndup(start, (size_t)(end - start));
	if (secret)
		OPENSSL_clear_free(full, strlen(full));
	else
		free(full);
	return body;
}

static int devkey_refused(const struct render_key *k, unsigned flags, const char *what,
			  struct mcuprov_err *err)
{
	if (k->key->devkey == NULL || (flags & RENDER_ALLOW_DEVKEY))
		return 0;
	return err_set(err, MCUPROV_ERR_REFUSED, k->label,
		       "refusing MCUboot's published development key %s: its private half is "
		       "public, %s (--allow-dev-key renders it for test builds)",
		       k->key->devkey->name, what);
}

/* MCUboot's rules on the keys of one bootloader; fills RK[] and ENC. */
static int prepare_keys(const struct render_key *keys, size_t nkeys, const struct render_key *enc,
			unsigned flags, struct rkey *rk, struct renc *re, struct mcuprov_err *err)
{
	size_t i, j;
	int rc;

	for (i = 0; i < nkeys; i++) {
		const struct mcuprov_key *key = keys[i].key;

		rk[i].in = &keys[i];
		if (!key_type_can_sign(key->type))
			return err_set(err, MCUPROV_ERR_USAGE, keys[i].label,
				       "%s key cannot sign images (it is for image encryption)",
				       key_type_name(key->type));
		if (key->type != keys[0].key->type)
			return err_set(
				err, MCUPROV_ERR_USAGE, keys[i].label,
				"%s key, but '%s' is %s: the keys of one bootloader have one "
				"signature type",
				key_type_name(key->type), keys[0].label,
				key_type_name(keys[0].key->type));
		if ((rc = key_public_der(key, &rk[i].der, &rk[i].len, err)) < 0 ||
		    (rc = key_fingerprint_hex(key, rk[i].fp, err)) < 0)
			return rc;
		for (j = 0; j < i; j++)
			if (strcmp(rk[j].fp, rk[i].fp) == 0)
				return err_set(err, MCUPROV_ERR_USAGE, keys[i].label,
					       "same key as '%s'", keys[j].label);
		if ((rc = devkey_refused(&keys[i], flags,
					 "so the bootloader would accept anybody's images", err)) <
		    0)
			return rc;
		rk[i].bytes = array_body(rk[i].der, rk[i].len, false);
		if (rk[i].bytes == NULL)
			return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		if (i > 0)
			snprintf(rk[i].suffix, sizeof(rk[i].suffix), "_%zu", i);
		snprintf(rk[i].name, sizeof(rk[i].name), "%s_pub_key%s",
			 key_type_shortname(key->type), rk[i].suffix);
	}
	if (enc == NULL)
		return 0;
	if (enc->key->type != KEY_RSA2048 && enc->key->type != KEY_ECDSA_P256 &&
	    enc->key->type != KEY_X25519)
		return err_set(err, MCUPROV_ERR_UNSUPPORTED, enc->label,
			       "%s key cannot encrypt images: MCUboot's encryption keys are "
			       "rsa-2048, ecdsa-p256 or x25519",
			       key_type_name(enc->key->type));
	if (!enc->key->is_private)
		return err_set(err, MCUPROV_ERR_USAGE, enc->label,
			       "public key: the bootloader needs the private encryption key");
	{
		char fp[2 * KEY_FINGERPRINT_LEN + 1];

		if ((rc = key_fingerprint_hex(enc->key, fp, err)) < 0)
			return rc;
		for (i = 0; i < nkeys; i++)
			if (strcmp(rk[i].fp, fp) == 0)
				return err_set(err, MCUPROV_ERR_REFUSED, enc->label,
					       "same key as signing key '%s': rendering it would "
					       "publish the signing key's private part",
					       keys[i].label);
	}
	if ((rc = devkey_refused(enc, flags, "so anybody could decrypt the images", err)) < 0)
		return rc;
	if ((rc = key_private_der(enc->key, KEY_PRIV_DEFAULT, false, &re->der, &re->len, err)) <
	    0) {
		if (err != NULL)
			snprintf(err->subject, sizeof(err->subject), "%s", enc->label);
		return rc;
	}
	re->bytes = array_body(re->der, re->len, true);
	if (re->bytes == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	return 0;
}

/* Does the number of keys fit the template's declarations? */
static int check_fit(const struct tmpl *t, size_t nkeys, bool have_enc, struct mcuprov_err *err)
{
	if (nkeys < t->min_keys || nkeys > t->max_keys) {
		if (t->max_keys == 0)
			return err_set(err, MCUPROV_ERR_USAGE, NULL,
				       "template '%s' takes no signing key, got %zu", t->name,
				       nkeys);
		if (t->min_keys == t->max_keys)
			return err_set(err, MCUPROV_ERR_USAGE, NULL,
				       "template '%s' takes %u signing key%s, got %zu", t->name,
				       t->min_keys, t->min_keys == 1 ? "" : "s", nkeys);
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "template '%s' takes %u to %u signing keys, got %zu", t->name,
			       t->min_keys, t->max_keys, nkeys);
	}
	if (t->enc_line != 0 && !have_enc)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "template '%s' needs an encryption key", t->name);
	if (have_enc && !t->has_enc)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "template '%s' has no {{#enc}} section for the encryption key",
			       t->name);
	return 0;
}

/* ---- rendering ----------------------------------------------------------- */

struct ctx {
	const struct tmpl *t;
	const struct rkey *rk;
	size_t nkeys;
	const struct renc *enc; /* NULL: none */
	char banner[256];
	char *out; /* may hold the secret encryption key: cleared on growth */
	size_t len, cap;
	long key; /* index in {{#keys}}, -1 outside */
};

static int emit(struct ctx *c, const char *s, size_t n, struct mcuprov_err *err)
{
	if (n > RENDER_OUTPUT_MAX - c->len)
		return err_set(err, MCUPROV_ERR_FORMAT, NULL,
			       "template '%s': output larger than %d bytes", c->t->name,
			       RENDER_OUTPUT_MAX);
	if (c->len + n + 1 > c->cap) {
		size_t cap = c->cap ? c->cap : 4096;
		char *p;

		while (cap < c->len + n + 1)
			cap *= 2;
		if (cap > RENDER_OUTPUT_MAX + 1)
			cap = RENDER_OUTPUT_MAX + 1;
		p = OPENSSL_clear_realloc(c->out, c->cap, cap);
		if (p == NULL)
			return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		c->out = p;
		c->cap = cap;
	}
	memcpy(c->out + c->len, s, n);
	c->len += n;
	c->out[c->len] = '\0';
	return 0;
}

static int emit_var(struct ctx *c, const struct node *n, struct mcuprov_err *err)
{
	const struct rkey *k = c->key >= 0 ? &c->rk[c->key] : c->nkeys > 0 ? &c->rk[0] : NULL;
	enum key_type type = k != NULL ? k->in->key->type : KEY_TYPE_NONE;
	char num[32];
	const char *s = num;

	switch ((enum var_id)n->id) {
	case V_COUNT: snprintf(num, sizeof(num), "%zu", c->nkeys); break;
	case V_BANNER: s = c->banner; break;
	case V_LDELIM: s = "{{"; break;
	case V_TYPE:
	case V_SIGN_DEFINE:
	case V_KCONFIG_TYPE:
		if (k == NULL)
			return err_set(err, MCUPROV_ERR_USAGE, NULL,
				       "template '%s': line %u: '%.*s' needs a signing key",
				       c->t->name, n->line, (int)n->len, n->s);
		s = n->id == V_TYPE	     ? key_type_name(type)
		    : n->id == V_SIGN_DEFINE ? keysc_sign_macro(type)
					     : kconf_type_name(type);
		if (s == NULL)
			return err_set(err, MCUPROV_ERR_USAGE, NULL,
				       "template '%s': line %u: MCUboot's Kconfig has no signature "
				       "type for %s keys (RSA, ECDSA_P256 and ED25519 only)",
				       c->t->name, n->line, key_type_name(type));
		break;
	case V_RSA_LEN: s = type == KEY_RSA3072 ? "3072" : "2048"; break;
	case V_NAME: s = k->name; break;
	case V_INDEX: snprintf(num, sizeof(num), "%ld", c->key); break;
	case V_SUFFIX: s = k->suffix; break;
	case V_BYTES: s = k->bytes; break;
	case V_LEN: snprintf(num, sizeof(num), "%zu", k->len); break;
	case V_FINGERPRINT: s = k->fp; break;
	case V_ENC_BYTES: s = c->enc->bytes; break;
	case V_ENC_LEN: snprintf(num, sizeof(num), "%zu", c->enc->len); break;
	}
	return emit(c, s, strlen(s), err);
}

static bool section_true(const struct ctx *c, int sec)
{
	switch ((enum sec_id)sec) {
	case SEC_KEYS: return c->nkeys > 0;
	case SEC_FIRST: return c->key == 0;
	case SEC_ENC: return c->enc != NULL;
	case SEC_RSA:
		return c->nkeys > 0 && (c->rk[0].in->key->type == KEY_RSA2048 ||
					c->rk[0].in->key->type == KEY_RSA3072);
	default: return false;
	}
}

/* Render nodes [A, B). */
static int walk(struct ctx *c, size_t a, size_t b, struct mcuprov_err *err)
{
	size_t i;
	int rc;

	for (i = a; i < b; i++) {
		const struct node *n = &c->t->nodes[i];

		switch (n->kind) {
		case N_TEXT: rc = emit(c, n->s, n->len, err); break;
		case N_VAR: rc = emit_var(c, n, err); break;
		case N_OPEN:
			rc = 0;
			if (n->id == SEC_KEYS) {
				for (c->key = 0; rc == 0 && (size_t)c->key < c->nkeys; c->key++)
					rc = walk(c, i + 1, n->end, err);
				c->key = -1;
			} else if (section_true(c, n->id)) {
				rc = walk(c, i + 1, n->end, err);
			}
			i = n->end;
			break;
		case N_INVERT:
			rc = section_true(c, n->id) ? 0 : walk(c, i + 1, n->end, err);
			i = n->end;
			break;
		default:
			rc = err_set(err, MCUPROV_ERR_INTERNAL, NULL, "unbalanced template nodes");
			break;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* NAME's last component with anything unprintable made '?', so that the
 * banner stays one harmless comment line. */
static void banner(char *out, size_t size, const char *name)
{
	const char *base = strrchr(name, '/');
	char clean[128];
	size_t i;

	base = base != NULL ? base + 1 : name;
	for (i = 0; base[i] != '\0' && i + 1 < sizeof(clean); i++)
		clean[i] = base[i] >= 0x20 && base[i] < 0x7f && base[i] != '*' ? base[i] : '?';
	clean[i] = '\0';
	snprintf(out, size, "Generated by mcuprov from template %s, do not edit.", clean);
}

int render(const char *name, const char *banner_name, const char *text, size_t len,
	   const struct render_key *keys, size_t nkeys, const struct render_key *enc,
	   unsigned flags, char **out, size_t *out_len, struct mcuprov_err *err)
{
	struct tmpl t = { 0 };
	struct rkey rk[RENDER_KEYS_MAX];
	struct renc re = { 0 };
	struct ctx c = { 0 };
	size_t i;
	int rc;

	*out = NULL;
	*out_len = 0;
	memset(rk, 0, sizeof(rk));
	if ((rc = parse(name, text, len, &t, err)) < 0)
		goto out;
	if (nkeys > RENDER_KEYS_MAX) {
		rc = err_set(err, MCUPROV_ERR_USAGE, NULL,
			     "too many signing keys (%zu, at most %d)", nkeys, RENDER_KEYS_MAX);
		goto out;
	}
	if ((rc = prepare_keys(keys, nkeys, enc, flags, rk, &re, err)) < 0)
		goto out;
	if ((rc = check_fit(&t, nkeys, enc != NULL, err)) < 0)
		goto out;
	c.t = &t;
	c.rk = rk;
	c.nkeys = nkeys;
	c.enc = enc != NULL ? &re : NULL;
	c.key = -1;
	banner(c.banner, sizeof(c.banner), banner_name != NULL ? banner_name : name);
	if ((rc = emit(&c, "", 0, err)) < 0 || (rc = walk(&c, 0, t.n, err)) < 0)
		goto out;
	*out = c.out;
	*out_len = c.len;
	c.out = NULL;
	rc = 0;
out:
	OPENSSL_clear_free(c.out, c.cap);
	for (i = 0; i < RENDER_KEYS_MAX; i++) {
		OPENSSL_free(rk[i].der);
		OPENSSL_free(rk[i].bytes);
	}
	OPENSSL_clear_free(re.der, re.len);
	if (re.bytes != NULL)
		OPENSSL_clear_free(re.bytes, strlen(re.bytes));
	free(t.nodes);
	return rc;
}

/* ---- finding templates --------------------------------------------------- */


static bool has_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct names {
	char **v;
	size_t n, cap;
};

static int names_add(struct names *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		char **p = realloc(l->v, cap * sizeof(*p));

		if (p == NULL)
			return -1;
		l->v = p;
		l->cap = cap;
	}
	if ((l->v[l->n] = strdup(s)) == NULL)
		return -1;
	l->n++;
	return 0;
}

static void names_free(struct names *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

/* The *.tmpl files of DIR whose name is STEM.<anything>.tmpl (STEM NULL:
 * all of them), added to L. */
static int list_dir(const char *dir, const char *stem, struct names *l)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = stem != NULL ? strlen(stem) : 0;
	int rc = 0;

	if (d == NULL)
		return 0;
	while (rc == 0 && (e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.' || !has_suffix(e->d_name, ".tmpl"))
			continue;
		if (stem != NULL && (strncmp(e->d_name, stem, n) != 0 || e->d_name[n] != '.'))
			continue;
		rc = names_add(l, e->d_name);
	}
	closedir(d);
	return rc;
}

static int join(char **path, const char *dir, const char *file, struct mcuprov_err *err)
{
	size_t n = strlen(dir) + strlen(file) + 2;

	if ((*path = malloc(n)) == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	snprintf(*path, n, "%s/%s", dir, file);
	return 0;
}

/* "not found (available: a, b)" for NAME. */
static int not_found(const char *name, struct mcuprov_err *err)
{
	struct names all = { 0 };
	char list[MCUPROV_ERR_MSG_MAX] = "";
	char buf[4096];
	const char *dir;
	size_t i, used = 0;
	int d, rc;

	for (d = 0; (dir = datadir_templates(d, "keys", buf, sizeof(buf))) != NULL; d++)
		if (dir[0] != '\0' && list_dir(dir, NULL, &all) < 0) {
			rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
			goto out;
		}
	if (all.n == 0) {
		rc = err_set(err, MCUPROV_ERR_USAGE, NULL,
			     "template '%s': not found (no template directory; set "
			     "MCUPROV_TEMPLATES)",
			     name);
		goto out;
	}
	qsort(all.v, all.n, sizeof(all.v[0]), cmp_str);
	for (i = 0; i < all.n && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "",
					 all.v[i]);
	rc = err_set(err, MCUPROV_ERR_USAGE, NULL, "template '%s': not found (available: %s)", name,
		     list);
out:
	names_free(&all);
	return rc;
}

/* The file for template NAME (no '/') in the template directories. */
static int find_template(const char *name, char **path, struct mcuprov_err *err)
{
	char buf[4096];
	const char *dir;
	struct stat st;
	int d, rc;

	*path = NULL;
	for (d = 0; (dir = datadir_templates(d, "keys", buf, sizeof(buf))) != NULL; d++) {
		struct names stem = { 0 };

		rc = 0;
		if (dir[0] == '\0')
			continue;
		if ((rc = join(path, dir, name, err)) < 0)
			return rc;
		if (stat(*path, &st) == 0 || errno != ENOENT)
			return 0; /* there: file_read() says what is wrong with it */
		free(*path);
		*path = NULL;
		if (has_suffix(name, ".tmpl"))
			continue;
		if (list_dir(dir, name, &stem) < 0) {
			names_free(&stem);
			return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		}
		if (stem.n > 1) {
			qsort(stem.v, stem.n, sizeof(stem.v[0]), cmp_str);
			rc = err_set(err, MCUPROV_ERR_USAGE, NULL,
				     "template '%s': ambiguous (%s, %s%s)", name, stem.v[0],
				     stem.v[1], stem.n > 2 ? ", ..." : "");
		} else if (stem.n == 1) {
			rc = join(path, dir, stem.v[0], err);
		}
		names_free(&stem);
		if (rc < 0 || *path != NULL)
			return rc < 0 ? rc : 0;
	}
	return not_found(name, err);
}

int render_template_load(const char *name, char **text, size_t *len, char **path,
			 struct mcuprov_err *err)
{
	uint8_t *buf = NULL;
	char *p = NULL;
	int rc;

	*text = NULL;
	*len = 0;
	*path = NULL;
	if (name[0] == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "template '%s': not a template name",
			       name);
	if (strchr(name, '/') != NULL) {
		if ((p = strdup(name)) == NULL)
			return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	} else if ((rc = find_template(name, &p, err)) < 0) {
		return rc;
	}
	if ((rc = file_read(p, RENDER_TEMPLATE_MAX, &buf, len, NULL, err)) < 0) {
		free(p);
		return rc;
	}
	*text = (char *)buf;
	*path = p;
	return 0;
}

/* ---- checking a rendered keys.c ----------------------------------------- */

int render_verify(const char *name, const char *path, const char *text, size_t len,
		  const struct render_key *keys, size_t nkeys, const char *const *defines,
		  size_t n_defines, const char *const *undefs, size_t n_undefs,
		  struct mcuprov_err *err)
{
	const struct mcuprov_key *k[RENDER_KEYS_MAX];
	struct keysc_info *info = NULL;
	struct pp_env *env = NULL;
	size_t i;
	int rc;

	if (path == NULL)
		path = name;
	if (nkeys == 0 || nkeys > RENDER_KEYS_MAX || has_suffix(path, ".conf") ||
	    has_suffix(path, ".conf.tmpl"))
		return 0;
	/* only a keys.c of inline key arrays compiles keys under conditions */
	if (keysc_analyze(text, len, name, NULL, &info, NULL) < 0 ||
	    info->shape != KEYSC_SHAPE_INLINE) {
		keysc_info_free(info);
		return 0;
	}
	keysc_info_free(info);
	for (i = 0; i < nkeys; i++)
		k[i] = keys[i].key;
	if ((rc = pp_env_new(&env, err)) < 0)
		return rc;
	if ((rc = provision_define_env(env, defines, n_defines, undefs, n_undefs, err)) == 0 &&
	    (rc = keysc_env_key_type(env, k[0]->type, err)) == 0)
		rc = keysc_verify(text, len, name, env, k, nkeys, err);
	pp_env_free(env);
	return rc;
}
