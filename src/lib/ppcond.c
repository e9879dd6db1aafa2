/* mcuprov core: C preprocessor conditionals against a configuration (an
 * environment of macros), three-valued.  See ppcond.h.
 *
 * Text goes through clean() first (backslash-newlines out, comments and
 * white space runs to one space), then a small lexer over a stack of
 * sources: the expression and, above it, the values of the macros being
 * expanded (object-like macros are rescanned as cpp does, a macro being
 * expanded is not expanded again).  The parser is recursive descent with
 * C's precedence; values are intmax_t or uintmax_t (kept as uintmax_t
 * bits) or unknown, and the names behind the unknown ones are gathered in
 * one list that a short circuit rolls back when it makes them irrelevant. */
#include "config.h"

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcuprov/ppcond.h"
#include "mcuprov/strutil.h"

#define PP_DEPTH_MAX 64
#define INT_BITS     (sizeof(uintmax_t) * CHAR_BIT)

static bool is_idstart(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_idchar(char c)
{
	return is_idstart(c) || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static bool is_ident(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || !is_idstart(s[0]))
		return false;
	for (i = 1; i < len; i++)
		if (!is_idchar(s[i]))
			return false;
	return true;
}

/* TEXT (LEN bytes) for a message: at most 40 bytes, unprintable ones as '?'. */
static const char *shown(const char *text, size_t len, char *buf, size_t size)
{
	size_t i, n = len > 40 ? 40 : len;

	if (n + 4 > size)
		n = size - 4;
	for (i = 0; i < n; i++)
		buf[i] = text[i] >= 0x20 && text[i] < 0x7f ? text[i] : '?';
	strcpy(buf + i, n < len ? "..." : "");
	return buf;
}

/* ---- names ---- */

void pp_names_clear(struct pp_names *n)
{
	n->n = 0;
	n->more = false;
}

void pp_names_add(struct pp_names *n, const char *name, size_t len)
{
	size_t i;

	if (len >= PP_NAME_MAX)
		len = PP_NAME_MAX - 1;
	for (i = 0; i < n->n; i++)
		if (strlen(n->v[i]) == len && memcmp(n->v[i], name, len) == 0)
			return;
	if (n->n == PP_NAMES_MAX) {
		n->more = true;
		return;
	}
	memcpy(n->v[n->n], name, len);
	n->v[n->n++][len] = '\0';
}

void pp_names_merge(struct pp_names *n, const struct pp_names *from)
{
	size_t i;

	for (i = 0; i < from->n; i++)
		pp_names_add(n, from->v[i], strlen(from->v[i]));
	if (from->more)
		n->more = true;
}

char *pp_names_join(const struct pp_names *n, char *buf, size_t size)
{
	size_t i, o = 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	for (i = 0; i < n->n; i++) {
		const char *sep = i + 1 == n->n && !n->more ? " and " : ", ";

		str_appendf(buf, size, &o, "%s%s", i == 0 ? "" : sep, n->v[i]);
	}
	if (n->more)
		str_appendf(buf, size, &o, ", ...");
	return buf;
}

/* ---- the environment: entries in an array, chained hash over names ---- */

struct entry {
	char name[PP_NAME_MAX];
	char *value;		/* PP_DEF only, clean()ed */
	char *origin;		/* never NULL once set */
	struct pp_names *doubt; /* PP_UNKNOWN from a MAYBE region: its names */
	size_t next;		/* next in the hash chain, index + 1 */
	size_t used;		/* order of first use, 0 when unused */
	enum pp_state state;
	bool funclike; /* `#define F(x) ...`: F( ... ) is MAYBE, F alone 0 */
};

struct pp_env {
	struct entry *v;
	size_t n, cap;
	size_t *head; /* nbuckets chains, index + 1 */
	size_t nbuckets;
	size_t used_seq;
};

static size_t hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* NAME's index + 1, 0 when it has no entry. */
static size_t env_find(const struct pp_env *env, const char *name, size_t len)
{
	size_t i;

	if (env == NULL || len >= PP_NAME_MAX)
		return 0;
	for (i = env->head[hash(name, len) & (env->nbuckets - 1)]; i != 0; i = env->v[i - 1].next)
		if (strncmp(env->v[i - 1].name, name, len) == 0 && env->v[i - 1].name[len] == '\0')
			return i;
	return 0;
}

static int env_rehash(struct pp_env *env, size_t nbuckets)
{
	size_t *head = calloc(nbuckets, sizeof(*head));
	size_t i, b;

	if (head == NULL)
		return MCUPROV_ERR_NOMEM;
	for (i = 0; i < env->n; i++) {
		b = hash(env->v[i].name, strlen(env->v[i].name)) & (nbuckets - 1);
		env->v[i].next = head[b];
		head[b] = i + 1;
	}
	free(env->head);
	env->head = head;
	env->nbuckets = nbuckets;
	return 0;
}

/* NAME's entry, made (PP_UNKNOWN) when missing; NULL when out of memory. */
static struct entry *env_slot(struct pp_env *env, const char *name, size_t len)
{
	size_t i = env_find(env, name, len), b;
	struct entry *e;

	if (i != 0)
		return &env->v[i - 1];
	if (env->n == env->cap) {
		size_t cap = env->cap * 2;
		struct entry *v = realloc(env->v, cap * sizeof(*v));

		if (v == NULL)
			return NULL;
		env->v = v;
		env->cap = cap;
	}
	if (env->n >= env->nbuckets && env_rehash(env, env->nbuckets * 2) < 0)
		return NULL;
	e = &env->v[env->n];
	memset(e, 0, sizeof(*e));
	memcpy(e->name, name, len);
	b = hash(name, len) & (env->nbuckets - 1);
	e->next = env->head[b];
	env->head[b] = ++env->n;
	return e;
}

static void entry_free(struct entry *e)
{
	free(e->value);
	free(e->origin);
	free(e->doubt);
}

int pp_env_new(struct pp_env **out, struct mcuprov_err *err)
{
	struct pp_env *env = calloc(1, sizeof(*env));

	*out = NULL;
	if (env != NULL) {
		env->cap = 16;
		env->v = malloc(env->cap * sizeof(*env->v));
	}
	if (env == NULL || env->v == NULL || env_rehash(env, 64) < 0) {
		pp_env_free(env);
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	}
	*out = env;
	return 0;
}

void pp_env_free(struct pp_env *env)
{
	size_t i;

	if (env == NULL)
		return;
	for (i = 0; i < env->n; i++)
		entry_free(&env->v[i]);
	free(env->v);
	free(env->head);
	free(env);
}

static char *dup_or_null(const char *s, bool *oom)
{
	char *d;

	if (s == NULL)
		return NULL;
	d = strdup(s);
	if (d == NULL)
		*oom = true;
	return d;
}

struct pp_env *pp_env_dup(const struct pp_env *env)
{
	struct pp_env *d = calloc(1, sizeof(*d));
	bool oom = false;
	size_t i;

	if (d == NULL)
		return NULL;
	d->v = malloc(env->cap * sizeof(*d->v));
	d->head = malloc(env->nbuckets * sizeof(*d->head));
	if (d->v == NULL || d->head == NULL) {
		pp_env_free(d);
		return NULL;
	}
	memcpy(d->head, env->head, env->nbuckets * sizeof(*d->head));
	d->cap = env->cap;
	d->nbuckets = env->nbuckets;
	d->used_seq = env->used_seq;
	for (i = 0; i < env->n; i++, d->n++) {
		d->v[i] = env->v[i];
		d->v[i].value = dup_or_null(env->v[i].value, &oom);
		d->v[i].origin = dup_or_null(env->v[i].origin, &oom);
		d->v[i].doubt = NULL;
		if (env->v[i].doubt != NULL) {
			d->v[i].doubt = malloc(sizeof(*d->v[i].doubt));
			if (d->v[i].doubt == NULL)
				oom = true;
			else
				*d->v[i].doubt = *env->v[i].doubt;
		}
	}
	if (oom) {
		pp_env_free(d);
		return NULL;
	}
	return d;
}

/* Copy TEXT to OUT (LEN + 1 bytes) as translation phases 2 and 3 leave it
 * for the directive: backslash-newlines (LF or CRLF) removed, every comment
 * and every run of white space outside literals one space, none at either
 * end; NUL-terminated.  Returns the new length.  An unterminated comment
 * ends with the text. */
static size_t clean(const char *text, size_t len, char *out)
{
	size_t r, w = 0;
	bool space = false;

	for (r = 0; r < len; r++) {
		if (text[r] == '\\' && r + 1 < len && text[r + 1] == '\n')
			r++;
		else if (text[r] == '\\' && r + 2 < len && text[r + 1] == '\r' &&
			 text[r + 2] == '\n')
			r += 2;
		else
			out[w++] = text[r];
	}
	len = w;
	for (r = w = 0; r < len;) {
		char c = out[r];

		if (c == '/' && r + 1 < len && out[r + 1] == '*') {
			for (r += 2;
			     r < len && !(out[r] == '*' && r + 1 < len && out[r + 1] == '/');)
				r++;
			r = r < len ? r + 2 : len;
			space = true;
			continue;
		}
		if (c == '/' && r + 1 < len && out[r + 1] == '/') {
			while (r < len && out[r] != '\n')
				r++;
			space = true;
			continue;
		}
		if (is_space(c)) {
			space = true;
			r++;
			continue;
		}
		/* w < r here whenever a space is pending: something was skipped */
		if (space && w > 0)
			out[w++] = ' ';
		space = false;
		out[w++] = out[r++];
		if (c == '"' || c == '\'') {
			while (r < len && out[r] != c && out[r] != '\n') {
				if (out[r] == '\\' && r + 1 < len && out[r + 1] != '\n')
					out[w++] = out[r++];
				out[w++] = out[r++];
			}
			if (r < len && out[r] == c)
				out[w++] = out[r++];
		}
	}
	out[w] = '\0';
	return w;
}

/* Set NAME (LEN bytes, an identifier shorter than PP_NAME_MAX) to STATE;
 * VALUE (PP_DEF, clean()ed), ORIGIN and DOUBT (PP_UNKNOWN) are copied.  On
 * failure the entry is as it was. */
static int env_set(struct pp_env *env, const char *name, size_t len, enum pp_state state,
		   const char *value, bool funclike, const char *origin,
		   const struct pp_names *doubt, struct mcuprov_err *err)
{
	char *v = NULL, *o = NULL;
	struct pp_names *d = NULL;
	struct entry *e;

	o = strndup(origin ? origin : "", PP_ORIGIN_MAX - 1);
	if (state == PP_DEF)
		v = strdup(value ? value : "");
	if (doubt != NULL && state == PP_UNKNOWN && (d = malloc(sizeof(*d))) != NULL)
		*d = *doubt;
	e = env_slot(env, name, len);
	if (e == NULL || o == NULL || (state == PP_DEF && v == NULL) ||
	    (doubt != NULL && state == PP_UNKNOWN && d == NULL)) {
		free(v);
		free(o);
		free(d);
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	}
	entry_free(e);
	e->value = v;
	e->origin = o;
	e->doubt = d;
	e->state = state;
	e->funclike = funclike;
	return 0;
}

/* Check NAME (and VALUE) as pp_env_define() takes them; the clean()ed value
 * goes to CLEANED (PP_VALUE_MAX bytes) when given. */
static int check_args(const char *name, const char *value, char *cleaned, struct mcuprov_err *err)
{
	char buf[64];
	size_t len = name ? strlen(name) : 0;

	if (!is_ident(name ? name : "", len))
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "'%s' is not a macro name",
			       shown(name ? name : "", len, buf, sizeof(buf)));
	if (len >= PP_NAME_MAX)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "macro name '%s' is too long",
			       shown(name, len, buf, sizeof(buf)));
	if (value != NULL && strlen(value) >= PP_VALUE_MAX)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "the value of %s is too long", name);
	if (cleaned != NULL)
		clean(value ? value : "", value ? strlen(value) : 0, cleaned);
	return 0;
}

int pp_env_define(struct pp_env *env, const char *name, const char *value, const char *origin,
		  struct mcuprov_err *err)
{
	char v[PP_VALUE_MAX];
	int rc = check_args(name, value, v, err);

	if (rc < 0)
		return rc;
	return env_set(env, name, strlen(name), PP_DEF, v, false, origin, NULL, err);
}

int pp_env_undef(struct pp_env *env, const char *name, const char *origin, struct mcuprov_err *err)
{
	int rc = check_args(name, NULL, NULL, err);

	if (rc < 0)
		return rc;
	return env_set(env, name, strlen(name), PP_UNDEF, NULL, false, origin, NULL, err);
}

int pp_env_forget(struct pp_env *env, const char *name)
{
	int rc = check_args(name, NULL, NULL, NULL);
	size_t i;

	if (rc < 0)
		return rc;
	i = env_find(env, name, strlen(name));
	if (i != 0) {
		entry_free(&env->v[i - 1]);
		env->v[i - 1].value = env->v[i - 1].origin = NULL;
		env->v[i - 1].doubt = NULL;
		env->v[i - 1].state = PP_UNKNOWN;
		env->v[i - 1].funclike = false;
	}
	return 0;
}

int pp_env_default_define(struct pp_env *env, const char *name, const char *value,
			  const char *origin, struct mcuprov_err *err)
{
	int rc = check_args(name, value, NULL, err);

	if (rc < 0 || pp_env_get(env, name, strlen(name), NULL, NULL) != PP_UNKNOWN)
		return rc;
	return pp_env_define(env, name, value, origin, err);
}

int pp_env_default_undef(struct pp_env *env, const char *name, const char *origin,
			 struct mcuprov_err *err)
{
	int rc = check_args(name, NULL, NULL, err);

	if (rc < 0 || pp_env_get(env, name, strlen(name), NULL, NULL) != PP_UNKNOWN)
		return rc;
	return pp_env_undef(env, name, origin, err);
}

int pp_env_define_arg(struct pp_env *env, const char *arg, const char *origin,
		      struct mcuprov_err *err)
{
	const char *eq = strchr(arg, '=');
	char name[PP_NAME_MAX], buf[64];
	size_t len = eq ? (size_t)(eq - arg) : strlen(arg);

	if (!is_ident(arg, len))
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "'%s' is not a macro name",
			       shown(arg, len, buf, sizeof(buf)));
	if (len >= PP_NAME_MAX)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "macro name '%s' is too long",
			       shown(arg, len, buf, sizeof(buf)));
	memcpy(name, arg, len);
	name[len] = '\0';
	return pp_env_define(env, name, eq ? eq + 1 : "1", origin, err);
}

int pp_env_undef_arg(struct pp_env *env, const char *arg, const char *origin,
		     struct mcuprov_err *err)
{
	return pp_env_undef(env, arg, origin, err);
}

enum pp_state pp_env_get(const struct pp_env *env, const char *name, size_t len, const char **value,
			 const char **origin)
{
	size_t i = env_find(env, name, len);
	const struct entry *e = i ? &env->v[i - 1] : NULL;

	if (value != NULL)
		*value = e && e->state == PP_DEF ? e->value : NULL;
	if (origin != NULL)
		*origin = e ? e->origin : NULL;
	return e ? e->state : PP_UNKNOWN;
}

void pp_env_clear_used(struct pp_env *env)
{
	size_t i;

	for (i = 0; i < env->n; i++)
		env->v[i].used = 0;
	env->used_seq = 0;
}

static void env_mark(struct pp_env *env, size_t i)
{
	if (i != 0 && env->v[i - 1].used == 0)
		env->v[i - 1].used = ++env->used_seq;
}

/* A growing string. */
struct sbuf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void sb_add(struct sbuf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->len + n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (p == NULL) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n + 1);
	b->len += n;
}

/* One group of pp_env_describe(): the entries of ORDER[from..k) with
 * ORIGIN and STATE, marking them done. */
static void describe_group(const struct pp_env *env, const size_t *order, size_t k, size_t from,
			   const char *origin, enum pp_state state, bool *done, struct sbuf *b)
{
	size_t i, n = 0;

	for (i = from; i < k; i++) {
		const struct entry *e = &env->v[order[i]];

		if (done[i] || e->state != state || strcmp(e->origin, origin) != 0)
			continue;
		done[i] = true;
		sb_add(b, n++ == 0 ? (b->len ? "; " : "") : ", ");
		sb_add(b, e->name);
		if (state == PP_DEF && e->value[0] != '\0') {
			sb_add(b, "=");
			sb_add(b, e->value);
		}
	}
	if (n == 0)
		return;
	if (state == PP_UNDEF)
		sb_add(b, " undefined");
	if (origin[0] != '\0') {
		sb_add(b, " (");
		sb_add(b, origin);
		sb_add(b, ")");
	}
}

int pp_env_describe(const struct pp_env *env, char **out, struct mcuprov_err *err)
{
	struct sbuf b = {NULL, 0, 0, false};
	size_t *order = calloc(env->used_seq + 1, sizeof(*order));
	bool *done = calloc(env->used_seq + 1, sizeof(*done));
	size_t i, k = 0;
	int rc = 0;

	*out = NULL;
	if (order == NULL || done == NULL) {
		b.oom = true;
		goto out;
	}
	/* used numbers are 1..used_seq, each once: ORDER by first use */
	for (i = 0; i < env->n; i++)
		if (env->v[i].used != 0 && env->v[i].used <= env->used_seq)
			order[env->v[i].used - 1] = i + 1;
	for (i = 0; i < env->used_seq; i++) {
		const struct entry *e = order[i] ? &env->v[order[i] - 1] : NULL;

		if (e != NULL && (e->state == PP_DEF || e->state == PP_UNDEF))
			order[k++] = order[i] - 1;
	}
	for (i = 0; i < k; i++) {
		const char *origin = env->v[order[i]].origin;

		if (done[i])
			continue;
		describe_group(env, order, k, i, origin, PP_DEF, done, &b);
		describe_group(env, order, k, i, origin, PP_UNDEF, done, &b);
	}
	sb_add(&b, ""); /* "" when nothing was used */
out:
	if (b.oom)
		rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	else
		*out = b.p, b.p = NULL;
	free(b.p);
	free(order);
	free(done);
	return rc;
}

/* ---- the #if evaluator ---- */

/* An integer as cpp computes it, or unknown.  An unknown value is taken to
 * be signed (as -D NAME and NAME=1 are). */
struct val {
	uintmax_t v;
	bool known, uns;
};

enum tok_kind { T_END, T_NUM, T_IDENT, T_CHAR, T_STRING, T_PUNCT };

enum op {
	OP_OTHER,
	OP_LPAREN,
	OP_RPAREN,
	OP_QUEST,
	OP_COLON,
	OP_NOT,
	OP_COMPL,
	/* the binary ones */
	OP_MUL,
	OP_DIV,
	OP_MOD,
	OP_ADD,
	OP_SUB,
	OP_SHL,
	OP_SHR,
	OP_LT,
	OP_GT,
	OP_LE,
	OP_GE,
	OP_EQ,
	OP_NE,
	OP_AND,
	OP_XOR,
	OP_OR,
	OP_LAND,
	OP_LOR
};

static const struct {
	const char *s;
	enum op op;
	int prec;
} puncts[] = {
	/* ++ and -- are one token each (no #if operator), never two signs */
	{"++", OP_OTHER, 0}, {"--", OP_OTHER, 0}, {"<<", OP_SHL, 8},   {">>", OP_SHR, 8},
	{"<=", OP_LE, 7},    {">=", OP_GE, 7},	  {"==", OP_EQ, 6},    {"!=", OP_NE, 6},
	{"&&", OP_LAND, 2},  {"||", OP_LOR, 1},	  {"(", OP_LPAREN, 0}, {")", OP_RPAREN, 0},
	{"?", OP_QUEST, 0},  {":", OP_COLON, 0},  {"!", OP_NOT, 0},    {"~", OP_COMPL, 0},
	{"*", OP_MUL, 10},   {"/", OP_DIV, 10},	  {"%", OP_MOD, 10},   {"+", OP_ADD, 9},
	{"-", OP_SUB, 9},    {"<", OP_LT, 7},	  {">", OP_GT, 7},     {"&", OP_AND, 5},
	{"^", OP_XOR, 4},    {"|", OP_OR, 3},
};

struct tok {
	enum tok_kind kind;
	enum op op;
	int prec;
	const char *p;
	size_t len;
	size_t entry; /* T_IDENT: its env entry + 1, or 0 */
	bool bad;     /* an unterminated literal */
};

/* A source of tokens: the expression, or a macro's value being expanded. */
struct frame {
	const char *p;
	size_t len, pos, entry;
};

struct ctx {
	struct pp_env *env;
	struct frame fr[PP_DEPTH_MAX + 1];
	size_t nfr, ntok;
	struct tok la;
	bool has_la;
	bool active; /* false in an operand cpp does not evaluate (0 && X) */
	int depth;
	struct pp_names names;
	struct mcuprov_err *err;
};

static int fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(struct ctx *c, const char *fmt, ...)
{
	char msg[MCUPROV_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(c->err, MCUPROV_ERR_FORMAT, NULL, "%s", msg);
}

static const char *tokstr(const struct tok *t, char *buf, size_t size)
{
	return shown(t->p, t->len, buf, size);
}

/* The next token as written, expanding nothing. */
static void lex_raw(struct ctx *c, struct tok *t)
{
	struct frame *f;
	size_t i, j, k;

	memset(t, 0, sizeof(*t));
	for (;;) {
		f = &c->fr[c->nfr - 1];
		while (f->pos < f->len && is_space(f->p[f->pos]))
			f->pos++;
		if (f->pos < f->len || c->nfr == 1)
			break;
		c->nfr--;
	}
	if (f->pos >= f->len)
		return; /* T_END */
	i = j = f->pos;
	t->p = f->p + i;
	if (is_idstart(f->p[i])) {
		t->kind = T_IDENT;
		while (j < f->len && is_idchar(f->p[j]))
			j++;
	} else if (is_digit(f->p[i]) ||
		   (f->p[i] == '.' && i + 1 < f->len && is_digit(f->p[i + 1]))) {
		/* a pp-number: digits, letters, '.', and e+ e- p+ p- */
		t->kind = T_NUM;
		for (j++; j < f->len; j++) {
			char p = f->p[j - 1];

			if ((f->p[j] == '+' || f->p[j] == '-') &&
			    (p == 'e' || p == 'E' || p == 'p' || p == 'P'))
				continue;
			if (!is_idchar(f->p[j]) && f->p[j] != '.')
				break;
		}
	} else if (f->p[i] == '\'' || f->p[i] == '"') {
		t->kind = f->p[i] == '"' ? T_STRING : T_CHAR;
		for (j++; j < f->len && f->p[j] != f->p[i];)
			j += f->p[j] == '\\' && j + 1 < f->len ? 2 : 1;
		t->bad = j >= f->len;
		if (!t->bad)
			j++;
	} else {
		t->kind = T_PUNCT;
		t->op = OP_OTHER;
		j = i + 1;
		for (k = 0; k < sizeof(puncts) / sizeof(puncts[0]); k++) {
			size_t n = strlen(puncts[k].s);

			if (i + n <= f->len && memcmp(f->p + i, puncts[k].s, n) == 0) {
				t->op = puncts[k].op;
				t->prec = puncts[k].prec;
				j = i + n;
				break;
			}
		}
	}
	t->len = j - i;
	f->pos = j;
	c->ntok++;
}

static bool is_word(const struct tok *t, const char *w)
{
	return t->kind == T_IDENT && t->len == strlen(w) && memcmp(t->p, w, t->len) == 0;
}

/* The next token with object-like macros expanded. */
static int lex(struct ctx *c, struct tok *t)
{
	char buf[64];
	size_t i, k;

	for (;;) {
		lex_raw(c, t);
		if (t->kind != T_IDENT || is_word(t, "defined"))
			return 0;
		if (t->len >= PP_NAME_MAX)
			return fail(c, "name '%s' is too long", tokstr(t, buf, sizeof(buf)));
		t->entry = i = env_find(c->env, t->p, t->len);
		if (i == 0)
			return 0;
		if (c->active)
			env_mark(c->env, i);
		if (c->env->v[i - 1].state != PP_DEF || c->env->v[i - 1].funclike)
			return 0;
		for (k = 0; k < c->nfr; k++)
			if (c->fr[k].entry == i)
				return 0; /* being expanded: stays an identifier */
		if (c->nfr == PP_DEPTH_MAX + 1)
			return fail(c, "macro expansion nested too deep");
		c->fr[c->nfr].p = c->env->v[i - 1].value;
		c->fr[c->nfr].len = strlen(c->env->v[i - 1].value);
		c->fr[c->nfr].pos = 0;
		c->fr[c->nfr++].entry = i;
	}
}

static int peek(struct ctx *c, struct tok *t)
{
	int rc = 0;

	if (!c->has_la)
		rc = lex(c, &c->la);
	c->has_la = rc == 0;
	*t = c->la;
	return rc;
}

static int next(struct ctx *c, struct tok *t)
{
	int rc = peek(c, t);

	c->has_la = false;
	return rc;
}

/* Is the next character '(' (looking through the sources, moving nothing)? */
static bool next_is_lparen(const struct ctx *c)
{
	size_t k, i;

	for (k = c->nfr; k-- > 0;) {
		for (i = c->fr[k].pos; i < c->fr[k].len && is_space(c->fr[k].p[i]); i++)
			;
		if (i < c->fr[k].len)
			return c->fr[k].p[i] == '(';
	}
	return false;
}

struct mark {
	size_t n;
	bool more;
};

static struct mark mark(const struct ctx *c)
{
	struct mark m = {c->names.n, c->names.more};

	return m;
}

/* Drop the names gathered since M: the value they were for did not matter. */
static void rollback(struct ctx *c, struct mark m)
{
	c->names.n = m.n;
	c->names.more = m.more;
}

/* Add to NAMES why NAME (its ENTRY + 1, or 0) is unknown: the names of
 * the MAYBE region that made it so, else its own. */
static void add_unknown(const struct pp_env *env, struct pp_names *names, size_t entry,
			const char *name, size_t len)
{
	const struct entry *e = entry ? &env->v[entry - 1] : NULL;

	if (e != NULL && e->doubt != NULL && e->doubt->n > 0)
		pp_names_merge(names, e->doubt);
	else
		pp_names_add(names, name, len);
}

static struct val known(uintmax_t v, bool uns)
{
	struct val r = {v, true, uns};

	return r;
}

static const struct val unknown = {0, false, false};

static intmax_t to_signed(uintmax_t u)
{
	return u <= INTMAX_MAX ? (intmax_t)u : -(intmax_t)(UINTMAX_MAX - u) - 1;
}

/* X >> N, arithmetic, without the implementation-defined >> of a negative. */
static intmax_t asr(intmax_t x, unsigned n)
{
	return x < 0 ? ~(~x >> n) : x >> n;
}

/* C's value of the (hex) digit C, 99 for none. */
static unsigned digit_value(char c)
{
	if (is_digit(c))
		return (unsigned)(c - '0');
	if (c >= 'a' && c <= 'f')
		return (unsigned)(c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (unsigned)(c - 'A' + 10);
	return 99;
}

static int parse_number(struct ctx *c, const struct tok *t, struct val *out)
{
	const char *s = t->p;
	size_t i = 0, n = t->len;
	unsigned base = 10;
	uintmax_t x = 0;
	bool any = false, big = false, uns = false;
	char buf[64];

	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		base = 16, i = 2;
	else if (n >= 2 && s[0] == '0' && (s[1] == 'b' || s[1] == 'B'))
		base = 2, i = 2;
	else if (s[0] == '0')
		base = 8;
	for (; i < n; i++) {
		unsigned d = digit_value(s[i]);

		if (d >= base)
			break;
		if (x > (UINTMAX_MAX - d) / base)
			big = true;
		x = x * base + d;
		any = true;
	}
	/* suffix: u, l, ll in either order, any case (but not lL) */
	if (i < n && (s[i] == 'u' || s[i] == 'U'))
		uns = true, i++;
	if (i + 1 < n && ((s[i] == 'l' && s[i + 1] == 'l') || (s[i] == 'L' && s[i + 1] == 'L')))
		i += 2;
	else if (i < n && (s[i] == 'l' || s[i] == 'L'))
		i++;
	if (!uns && i < n && (s[i] == 'u' || s[i] == 'U'))
		uns = true, i++;
	if (i != n || !any)
		return fail(c, "invalid integer constant '%s'", tokstr(t, buf, sizeof(buf)));
	if (big)
		return fail(c, "integer constant '%s' is too large", tokstr(t, buf, sizeof(buf)));
	/* too large for intmax_t: unsigned, as cc makes it */
	*out = known(x, uns || x > INTMAX_MAX);
	return 0;
}

/* An overflow is an error where cpp evaluates, a wrapped value where not. */
static int overflow(struct ctx *c, uintmax_t wrapped, bool uns, struct val *r)
{
	*r = known(wrapped, uns);
	return c->active ? fail(c, "integer overflow") : 0;
}

static int binop(struct ctx *c, enum op op, struct val a, struct val b, struct val *r)
{
	bool uns = op == OP_SHL || op == OP_SHR ? a.uns : a.uns || b.uns;
	intmax_t x = to_signed(a.v), y = to_signed(b.v), z;
	bool cmp = op >= OP_LT && op <= OP_NE;

	if (op == OP_SHL || op == OP_SHR) {
		if (b.known && ((!b.uns && y < 0) || b.v >= INT_BITS)) {
			*r = known(0, uns);
			return c->active ? fail(c, "shift count out of range") : 0;
		}
	} else if ((op == OP_DIV || op == OP_MOD) && b.known && b.v == 0) {
		*r = known(0, uns);
		return c->active ? fail(c, "division by zero") : 0;
	}
	if (!a.known || !b.known) {
		*r = unknown;
		r->uns = uns && !cmp;
		return 0;
	}
	switch (op) {
	case OP_MUL:
		if (!uns && __builtin_mul_overflow(x, y, &z))
			return overflow(c, a.v * b.v, uns, r);
		*r = known(a.v * b.v, uns);
		break;
	case OP_DIV:
	case OP_MOD:
		if (!uns && x == INTMAX_MIN && y == -1)
			return overflow(c, op == OP_DIV ? a.v : 0, uns, r);
		if (uns)
			*r = known(op == OP_DIV ? a.v / b.v : a.v % b.v, uns);
		else
			*r = known((uintmax_t)(op == OP_DIV ? x / y : x % y), uns);
		break;
	case OP_ADD:
		if (!uns && __builtin_add_overflow(x, y, &z))
			return overflow(c, a.v + b.v, uns, r);
		*r = known(a.v + b.v, uns);
		break;
	case OP_SUB:
		if (!uns && __builtin_sub_overflow(x, y, &z))
			return overflow(c, a.v - b.v, uns, r);
		*r = known(a.v - b.v, uns);
		break;
	case OP_SHL:
		/* signed: x * 2^n, an overflow when that does not fit */
		*r = known(a.v << b.v, uns);
		if (!uns && asr(to_signed(r->v), (unsigned)b.v) != x)
			return overflow(c, r->v, uns, r);
		break;
	case OP_SHR: *r = known(uns ? a.v >> b.v : (uintmax_t)asr(x, (unsigned)b.v), uns); break;
	case OP_LT: *r = known(uns ? a.v < b.v : x < y, false); break;
	case OP_GT: *r = known(uns ? a.v > b.v : x > y, false); break;
	case OP_LE: *r = known(uns ? a.v <= b.v : x <= y, false); break;
	case OP_GE: *r = known(uns ? a.v >= b.v : x >= y, false); break;
	case OP_EQ: *r = known(a.v == b.v, false); break;
	case OP_NE: *r = known(a.v != b.v, false); break;
	case OP_AND: *r = known(a.v & b.v, uns); break;
	case OP_XOR: *r = known(a.v ^ b.v, uns); break;
	case OP_OR: *r = known(a.v | b.v, uns); break;
	default: return err_set(c->err, MCUPROV_ERR_INTERNAL, NULL, "bad operator");
	}
	return 0;
}

static int parse_cond(struct ctx *c, struct val *out);

/* `defined NAME` (LEN < PP_NAME_MAX) in ENV; NAMES gets why when unknown. */
static struct val defined_of(struct pp_env *env, const char *name, size_t len, bool mark_used,
			     struct pp_names *names)
{
	size_t i = env_find(env, name, len);

	if (mark_used)
		env_mark(env, i);
	switch (i ? env->v[i - 1].state : PP_UNKNOWN) {
	case PP_DEF: return known(1, false);
	case PP_UNDEF: return known(0, false);
	default: add_unknown(env, names, i, name, len); return unknown;
	}
}

static int parse_defined(struct ctx *c, struct val *out)
{
	struct tok t;
	bool paren;
	char buf[64];

	lex_raw(c, &t);
	paren = t.kind == T_PUNCT && t.op == OP_LPAREN;
	if (paren)
		lex_raw(c, &t);
	if (t.kind != T_IDENT)
		return fail(c, "missing macro name after 'defined'");
	if (t.len >= PP_NAME_MAX)
		return fail(c, "name '%s' is too long", tokstr(&t, buf, sizeof(buf)));
	*out = defined_of(c->env, t.p, t.len, c->active, &c->names);
	if (paren) {
		lex_raw(c, &t);
		if (t.kind != T_PUNCT || t.op != OP_RPAREN)
			return fail(c, "missing ')' after 'defined'");
	}
	return 0;
}

/* An identifier left after expansion: 0, or MAYBE when nothing is known
 * of it or it is a function-like macro's call (its arguments skipped). */
static int ident_value(struct ctx *c, const struct tok *t, struct val *out)
{
	const struct entry *e = t->entry ? &c->env->v[t->entry - 1] : NULL;
	enum pp_state state = e ? e->state : PP_UNKNOWN;
	size_t depth = 0;
	struct tok a;
	char buf[64];

	*out = known(0, false);
	if (state == PP_UNDEF || (state == PP_DEF && !e->funclike))
		return 0;
	if (next_is_lparen(c)) {
		do {
			lex_raw(c, &a);
			if (a.kind == T_END)
				return fail(c, "unterminated argument list of '%s'",
					    tokstr(t, buf, sizeof(buf)));
			if (a.kind == T_PUNCT && a.op == OP_LPAREN)
				depth++;
			else if (a.kind == T_PUNCT && a.op == OP_RPAREN)
				depth--;
		} while (depth > 0);
		*out = unknown;
		pp_names_add(&c->names, t->p, t->len);
	} else if (state == PP_UNKNOWN) {
		*out = unknown;
		add_unknown(c->env, &c->names, t->entry, t->p, t->len);
	}
	return 0;
}

static int parse_primary(struct ctx *c, struct val *out)
{
	struct tok t;
	char buf[64];
	int rc = next(c, &t);

	if (rc < 0)
		return rc;
	switch (t.kind) {
	case T_NUM: return parse_number(c, &t, out);
	case T_CHAR:
		if (t.bad)
			return fail(c, "missing terminating ' character");
		*out = unknown; /* the execution character set is not ours to know */
		return 0;
	case T_IDENT:
		if (is_word(&t, "defined"))
			return parse_defined(c, out);
		return ident_value(c, &t, out);
	case T_END:
		return fail(c,
			    c->ntok == 0 ? "missing expression" : "unexpected end of expression");
	case T_PUNCT:
		if (t.op != OP_LPAREN)
			break;
		rc = parse_cond(c, out);
		if (rc == 0)
			rc = next(c, &t);
		if (rc == 0 && (t.kind != T_PUNCT || t.op != OP_RPAREN))
			rc = fail(c, "missing ')'");
		return rc;
	default: break;
	}
	return fail(c, "unexpected '%s'", tokstr(&t, buf, sizeof(buf)));
}

static int parse_unary(struct ctx *c, struct val *out)
{
	struct tok t;
	struct val v;
	int rc = peek(c, &t);

	if (rc < 0)
		return rc;
	if (t.kind != T_PUNCT ||
	    (t.op != OP_NOT && t.op != OP_COMPL && t.op != OP_SUB && t.op != OP_ADD))
		return parse_primary(c, out);
	next(c, &t);
	if (++c->depth > PP_DEPTH_MAX)
		return fail(c, "expression nested too deep");
	rc = parse_unary(c, &v);
	c->depth--;
	if (rc < 0)
		return rc;
	*out = v;
	if (!v.known) {
		out->uns = t.op == OP_NOT ? false : v.uns;
		return 0;
	}
	switch (t.op) {
	case OP_NOT: *out = known(v.v == 0, false); break;
	case OP_COMPL: out->v = ~v.v; break;
	case OP_SUB:
		if (!v.uns && v.v == (uintmax_t)INTMAX_MIN)
			return overflow(c, v.v, false, out);
		out->v = 0 - v.v;
		break;
	default: break;
	}
	return 0;
}

/* Operators of precedence MINPREC and above, left to right. */
static int parse_binary(struct ctx *c, int minprec, struct val *out)
{
	struct mark m0 = mark(c);
	bool saved = c->active;
	struct val l = unknown, r;
	struct tok t;
	int rc = parse_unary(c, &l);

	while (rc == 0) {
		rc = peek(c, &t);
		if (rc < 0 || t.kind != T_PUNCT || t.prec == 0 || t.prec < minprec)
			break;
		next(c, &t);
		if (t.op == OP_LAND || t.op == OP_LOR) {
			bool dec = t.op == OP_LOR; /* the truth that decides */

			/* cpp does not evaluate the right side when the left decides */
			c->active = saved && !(l.known && (l.v != 0) == dec);
			rc = parse_binary(c, t.prec + 1, &r);
			c->active = saved;
			if (rc < 0)
				break;
			if ((l.known && (l.v != 0) == dec) || (r.known && (r.v != 0) == dec))
				l = known(dec, false);
			else if (l.known && r.known)
				l = known(!dec, false);
			else
				l = unknown;
		} else {
			rc = parse_binary(c, t.prec + 1, &r);
			if (rc == 0)
				rc = binop(c, t.op, l, r, &l);
		}
		if (l.known)
			rollback(c, m0);
	}
	*out = l;
	return rc;
}

static int parse_cond(struct ctx *c, struct val *out)
{
	struct mark m0 = mark(c), m;
	bool saved = c->active;
	struct val cv = unknown, a, b;
	struct tok t;
	int rc;

	if (++c->depth > PP_DEPTH_MAX) {
		rc = fail(c, "expression nested too deep");
		goto out;
	}
	rc = parse_binary(c, 1, &cv);
	if (rc == 0)
		rc = peek(c, &t);
	*out = cv;
	if (rc < 0 || t.kind != T_PUNCT || t.op != OP_QUEST)
		goto out;
	next(c, &t);
	m = mark(c);
	c->active = saved && !(cv.known && cv.v == 0);
	rc = parse_cond(c, &a);
	c->active = saved;
	if (rc < 0)
		goto out;
	if (cv.known && cv.v == 0)
		rollback(c, m);
	rc = next(c, &t);
	if (rc == 0 && (t.kind != T_PUNCT || t.op != OP_COLON))
		rc = fail(c, "missing ':' after '?'");
	if (rc < 0)
		goto out;
	m = mark(c);
	c->active = saved && !(cv.known && cv.v != 0);
	rc = parse_cond(c, &b);
	c->active = saved;
	if (rc < 0)
		goto out;
	if (cv.known && cv.v != 0)
		rollback(c, m);
	if (cv.known)
		*out = cv.v ? a : b;
	else if (a.known && b.known && a.v == b.v)
		*out = a, rollback(c, m0);
	else
		*out = unknown;
	out->uns = a.uns || b.uns;
out:
	c->depth--;
	return rc;
}

/* pp_eval() on clean()ed text. */
static int eval_clean(struct pp_env *env, const char *s, size_t len, enum pp_truth *truth,
		      struct pp_names *unknown_names, struct mcuprov_err *err)
{
	struct ctx c;
	struct val v;
	struct tok t;
	char buf[64];
	int rc;

	memset(&c, 0, sizeof(c));
	c.env = env;
	c.fr[0].p = s;
	c.fr[0].len = len;
	c.nfr = 1;
	c.active = true;
	c.depth = -1; /* the top level is no nesting */
	c.err = err;
	*truth = PP_MAYBE;
	rc = parse_cond(&c, &v);
	if (rc == 0)
		rc = next(&c, &t);
	if (rc == 0 && t.kind != T_END)
		rc = t.kind == T_PUNCT && t.op == OP_RPAREN
			     ? fail(&c, "unexpected ')'")
			     : fail(&c, "missing operator before '%s'",
				    tokstr(&t, buf, sizeof(buf)));
	if (rc < 0)
		return rc;
	if (v.known)
		*truth = v.v != 0 ? PP_TRUE : PP_FALSE;
	else if (unknown_names != NULL)
		pp_names_merge(unknown_names, &c.names);
	return 0;
}

int pp_eval(struct pp_env *env, const char *expr, size_t len, enum pp_truth *truth,
	    struct pp_names *unknown_names, struct mcuprov_err *err)
{
	char *s = malloc(len + 1);
	int rc;

	*truth = PP_MAYBE;
	if (s == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	rc = eval_clean(env, s, clean(expr, len, s), truth, unknown_names, err);
	free(s);
	return rc;
}

/* ---- the tracker ---- */

/* One open #if group. */
struct group {
	struct pp_names names;	     /* why cur is MAYBE */
	struct pp_names taken_names; /* why taken is MAYBE */
	size_t line;
	enum pp_truth cur;   /* is the current branch compiled */
	enum pp_truth taken; /* was an earlier branch (own condition) true */
	bool seen_else;
};

struct pp_tracker {
	struct pp_env *env;
	const char *origin; /* pp_env_read_header(): "FILE" for "FILE:N" */
	size_t n;
	struct group g[PP_DEPTH_MAX];
};

int pp_tracker_new(struct pp_env *env, struct pp_tracker **out, struct mcuprov_err *err)
{
	*out = calloc(1, sizeof(**out));
	if (*out == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	(*out)->env = env;
	return 0;
}

void pp_tracker_free(struct pp_tracker *t)
{
	free(t);
}

enum pp_truth pp_tracker_live(const struct pp_tracker *t, struct pp_names *unknown_names)
{
	const struct group *g = t->n ? &t->g[t->n - 1] : NULL;

	if (g == NULL)
		return PP_TRUE;
	if (g->cur == PP_MAYBE && unknown_names != NULL)
		pp_names_merge(unknown_names, &g->names);
	return g->cur;
}

size_t pp_tracker_depth(const struct pp_tracker *t)
{
	return t->n;
}

/* "line N" or "FILE:N", for messages and origins. */
static const char *where(const struct pp_tracker *t, size_t line, char *buf, size_t size)
{
	if (t->origin != NULL && t->origin[0] != '\0')
		snprintf(buf, size, "%s:%zu", t->origin, line);
	else
		snprintf(buf, size, "line %zu", line);
	return buf;
}

int pp_tracker_finish(const struct pp_tracker *t, struct mcuprov_err *err)
{
	char w[PP_ORIGIN_MAX + 32];

	if (t->n == 0)
		return 0;
	return err_set(err, MCUPROV_ERR_FORMAT, NULL, "%s: #if without #endif",
		       where(t, t->g[t->n - 1].line, w, sizeof(w)));
}

/* Skip blanks, comments and backslash-newlines (not newlines) from I. */
static size_t skip_blank(const char *s, size_t len, size_t i)
{
	while (i < len) {
		if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\f' || s[i] == '\v')
			i++;
		else if (s[i] == '\\' && i + 1 < len && s[i + 1] == '\n')
			i += 2;
		else if (s[i] == '\\' && i + 2 < len && s[i + 1] == '\r' && s[i + 2] == '\n')
			i += 3;
		else if (s[i] == '/' && i + 1 < len && s[i + 1] == '*') {
			for (i += 2; i < len && !(s[i] == '*' && i + 1 < len && s[i + 1] == '/');)
				i++;
			i = i < len ? i + 2 : len;
		} else
			break;
	}
	return i;
}

bool pp_directive(const char *text, size_t len, size_t *start, size_t *end, size_t *rest)
{
	size_t i = skip_blank(text, len, 0), s;

	if (i >= len || text[i] != '#')
		return false;
	s = i = skip_blank(text, len, i + 1);
	while (i < len && is_idchar(text[i]))
		i++;
	if (i == s || !is_idstart(text[s]))
		return false;
	*start = s;
	*end = *rest = i;
	return true;
}

/* The three-valued A && B of two regions, OUT getting the names. */
static enum pp_truth and3(enum pp_truth a, const struct pp_names *an, enum pp_truth b,
			  const struct pp_names *bn, struct pp_names *out)
{
	pp_names_clear(out);
	if (a == PP_FALSE || b == PP_FALSE)
		return PP_FALSE;
	if (a == PP_MAYBE)
		pp_names_merge(out, an);
	if (b == PP_MAYBE)
		pp_names_merge(out, bn);
	return a == PP_TRUE && b == PP_TRUE ? PP_TRUE : PP_MAYBE;
}

static enum pp_truth not3(enum pp_truth a)
{
	return a == PP_MAYBE ? PP_MAYBE : a == PP_TRUE ? PP_FALSE : PP_TRUE;
}

/* Enter the branch of the innermost group whose own condition is B (BN):
 * compiled when the enclosing region is, no earlier branch was taken and
 * B holds. */
static void enter_branch(struct pp_tracker *t, enum pp_truth b, const struct pp_names *bn)
{
	struct group *g = &t->g[t->n - 1];
	enum pp_truth up = t->n > 1 ? g[-1].cur : PP_TRUE, eff;
	struct pp_names none, en;

	pp_names_clear(&none);
	eff = and3(not3(g->taken), &g->taken_names, b, bn, &en);
	if (b == PP_TRUE) {
		g->taken = PP_TRUE;
		pp_names_clear(&g->taken_names);
	} else if (b == PP_MAYBE && g->taken != PP_TRUE) {
		g->taken = PP_MAYBE;
		pp_names_merge(&g->taken_names, bn);
	}
	g->cur = and3(up, t->n > 1 ? &g[-1].names : &none, eff, &en, &g->names);
}

enum directive {
	D_OTHER,
	D_IF,
	D_IFDEF,
	D_IFNDEF,
	D_ELIF,
	D_ELIFDEF,
	D_ELIFNDEF,
	D_ELSE,
	D_ENDIF,
	D_DEFINE,
	D_UNDEF
};

static enum directive directive_of(const char *s, size_t len)
{
	static const char *const names[] = {"",	     "if",	"ifdef",    "ifndef",
					    "elif",  "elifdef", "elifndef", "else",
					    "endif", "define",	"undef"};
	size_t i;

	for (i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == len && memcmp(names[i], s, len) == 0)
			return (enum directive)i;
	return D_OTHER;
}

/* #define / #undef NAME (S, clean()ed) in a compiled or MAYBE region. */
static int track_define(struct pp_tracker *t, bool define, const char *s, size_t len, const char *w,
			struct mcuprov_err *err)
{
	struct pp_names doubt, live_names;
	enum pp_truth live;
	const char *value = "";
	size_t n = 0, i, vlen = 0;
	bool funclike = false;
	struct entry *e;

	while (n < len && is_idchar(s[n]))
		n++;
	if (n == 0 || !is_idstart(s[0]))
		return err_set(err, MCUPROV_ERR_FORMAT, NULL, "%s: #%s without a macro name", w,
			       define ? "define" : "undef");
	if (n >= PP_NAME_MAX)
		return err_set(err, MCUPROV_ERR_FORMAT, NULL, "%s: macro name too long", w);
	pp_names_clear(&live_names);
	live = pp_tracker_live(t, &live_names);
	if (live == PP_FALSE)
		return 0;
	if (define) {
		i = n;
		funclike = i < len && s[i] == '(';
		if (funclike) {
			while (i < len && s[i] != ')')
				i++;
			i = i < len ? i + 1 : len;
		}
		if (i < len && s[i] == ' ')
			i++;
		value = s + i;
		vlen = len - i;
	}
	if (live == PP_TRUE) {
		if (vlen >= PP_VALUE_MAX) /* kept as unknown, never cut */
			return env_set(t->env, s, n, PP_UNKNOWN, NULL, false, w, NULL, err);
		return env_set(t->env, s, n, define ? PP_DEF : PP_UNDEF, value, funclike, w, NULL,
			       err);
	}
	/* MAYBE: the macro is what it was or the new thing; nothing changes when
	 * both are the same, else it is unknown for the region's reasons (and
	 * any it had; a macro never heard of is the file's own, not a cause) */
	i = env_find(t->env, s, n);
	e = i ? &t->env->v[i - 1] : NULL;
	if (e != NULL && !define && e->state == PP_UNDEF)
		return 0;
	if (e != NULL && define && e->state == PP_DEF && e->funclike == funclike &&
	    strlen(e->value) == vlen && memcmp(e->value, value, vlen) == 0)
		return 0;
	doubt = live_names;
	if (e != NULL && e->state == PP_UNKNOWN && e->doubt != NULL)
		pp_names_merge(&doubt, e->doubt);
	return env_set(t->env, s, n, PP_UNKNOWN, NULL, false, w, &doubt, err);
}

int pp_tracker_line(struct pp_tracker *t, const char *text, size_t len, size_t line,
		    struct mcuprov_err *err)
{
	struct pp_names bn;
	struct mcuprov_err e2;
	enum pp_truth b = PP_TRUE;
	enum directive d;
	struct group *g;
	size_t ds, de, rest, n, nl;
	char w[PP_ORIGIN_MAX + 32], *s = NULL;
	const char *dn;
	int rc = 0;

	if (!pp_directive(text, len, &ds, &de, &rest))
		return 0;
	d = directive_of(text + ds, de - ds);
	if (d == D_OTHER)
		return 0;
	dn = text + ds;
	nl = de - ds;
	where(t, line, w, sizeof(w));
	s = malloc(len - rest + 1);
	if (s == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	n = clean(text + rest, len - rest, s);
	g = t->n ? &t->g[t->n - 1] : NULL;
	pp_names_clear(&bn);

	if (d == D_DEFINE || d == D_UNDEF) {
		rc = track_define(t, d == D_DEFINE, s, n, w, err);
		goto out;
	}
	if (d == D_ENDIF) {
		if (g == NULL)
			rc = err_set(err, MCUPROV_ERR_FORMAT, NULL, "%s: #endif without #if", w);
		else
			t->n--;
		goto out;
	}
	if (d == D_IF || d == D_IFDEF || d == D_IFNDEF) {
		if (t->n == PP_DEPTH_MAX) {
			rc = err_set(err, MCUPROV_ERR_FORMAT, NULL, "%s: #if nested deeper than %d",
				     w, PP_DEPTH_MAX);
			goto out;
		}
		g = &t->g[t->n++];
		memset(g, 0, sizeof(*g));
		g->line = line;
		/* nothing is evaluated inside a dead region */
		if (t->n > 1 && g[-1].cur == PP_FALSE)
			g->taken = PP_TRUE;
	} else if (g == NULL) {
		rc = err_set(err, MCUPROV_ERR_FORMAT, NULL, "%s: #%.*s without #if", w, (int)nl,
			     dn);
		goto out;
	} else if (g->seen_else) {
		rc = err_set(err, MCUPROV_ERR_FORMAT, NULL, "%s: #%.*s after #else", w, (int)nl,
			     dn);
		goto out;
	}
	if (d == D_ELSE)
		g->seen_else = true;
	if (g->taken == PP_TRUE) {
		g->cur = PP_FALSE;
		goto out;
	}
	if (d == D_IF || d == D_ELIF) {
		err_clear(&e2);
		rc = eval_clean(t->env, s, n, &b, &bn, &e2);
		if (rc < 0) {
			rc = err_set(err, rc, NULL, "%s: #%.*s: %s", w, (int)nl, dn, e2.msg);
			goto out;
		}
	} else if (d != D_ELSE) {
		size_t k = 0;
		bool neg = d == D_IFNDEF || d == D_ELIFNDEF;
		struct val v;

		while (k < n && is_idchar(s[k]))
			k++;
		if (k == 0 || !is_idstart(s[0])) {
			rc = err_set(err, MCUPROV_ERR_FORMAT, NULL,
				     "%s: #%.*s without a macro name", w, (int)nl, dn);
			goto out;
		}
		if (k >= PP_NAME_MAX) {
			rc = err_set(err, MCUPROV_ERR_FORMAT, NULL, "%s: #%.*s: name too long", w,
				     (int)nl, dn);
			goto out;
		}
		v = defined_of(t->env, s, k, true, &bn);
		b = !v.known ? PP_MAYBE : (v.v != 0) != neg ? PP_TRUE : PP_FALSE;
	}
	enter_branch(t, b, &bn);
out:
	free(s);
	return rc;
}

/* ---- configuration files ---- */

/* The logical line at POS: its end (at the '\n' or LEN), the newlines in
 * it (comments and backslash-newlines continue it) and where its first
 * token is (LEN when none). */
static size_t logical_line(const char *s, size_t len, size_t pos, size_t *nls, size_t *first)
{
	size_t i = pos;

	*nls = 0;
	*first = len;
	while (i < len && s[i] != '\n') {
		size_t j = skip_blank(s, len, i), k;

		for (k = i; k < j; k++)
			*nls += s[k] == '\n';
		i = j;
		if (i >= len || s[i] == '\n')
			break;
		if (*first == len)
			*first = i;
		if (s[i] == '/' && i + 1 < len && s[i + 1] == '/') {
			/* to the end of the line, continued by backslash-newlines */
			while (i < len && s[i] != '\n') {
				if (s[i] == '\\' && i + 1 < len && s[i + 1] == '\n')
					i += 2, ++*nls;
				else if (s[i] == '\\' && i + 2 < len && s[i + 1] == '\r' &&
					 s[i + 2] == '\n')
					i += 3, ++*nls;
				else
					i++;
			}
		} else if (s[i] == '"' || s[i] == '\'') {
			char q = s[i];

			for (i++; i < len && s[i] != q && s[i] != '\n';)
				i += s[i] == '\\' && i + 1 < len && s[i + 1] != '\n' ? 2 : 1;
			if (i < len && s[i] == q)
				i++;
		} else
			i++;
	}
	return i;
}

/* The next directive from *POS: its text [*start, *end) and line; false at
 * the end.  *POS and *LINE move past it. */
static bool next_directive(const char *text, size_t len, size_t *pos, size_t *line, size_t *start,
			   size_t *end, size_t *dline)
{
	size_t nls, first, k;

	while (*pos < len) {
		*end = logical_line(text, len, *pos, &nls, &first);
		*start = first;
		for (*dline = *line, k = *pos; k < first && k < *end; k++)
			*dline += text[k] == '\n';
		*line += nls + 1;
		*pos = *end + 1;
		if (first < *end && text[first] == '#')
			return true;
	}
	return false;
}

/* The NAME of `#ifndef NAME` at TEXT (N bytes) when DIRECTIVE is ifndef
 * (or the NAME of `#define NAME`): *NAME, *NLEN. */
static bool directive_name(const char *text, size_t n, const char *directive, const char **name,
			   size_t *nlen)
{
	size_t ds, de, rest, i;

	if (!pp_directive(text, n, &ds, &de, &rest) || de - ds != strlen(directive) ||
	    memcmp(text + ds, directive, de - ds) != 0)
		return false;
	i = skip_blank(text, n, rest);
	for (*name = text + i; i < n && is_idchar(text[i]);)
		i++;
	*nlen = (size_t)(text + i - *name);
	return *nlen > 0 && *nlen < PP_NAME_MAX && is_idstart(**name);
}

int pp_env_read_header(struct pp_env *env, const char *text, size_t len, const char *origin,
		       struct mcuprov_err *err)
{
	struct pp_tracker *t = NULL;
	size_t pos = 0, line = 1, s, e, dl, s2, e2, dl2, n1, n2;
	const char *g1, *g2;
	char guard[PP_NAME_MAX], o[PP_ORIGIN_MAX + 32];
	int rc = pp_tracker_new(env, &t, err);

	if (rc < 0)
		return rc;
	t->origin = origin ? origin : "";
	/* an include guard (#ifndef X / #define X first) is undefined when the
	 * header is read: the first time is the one that counts */
	if (next_directive(text, len, &pos, &line, &s, &e, &dl) &&
	    next_directive(text, len, &pos, &line, &s2, &e2, &dl2) &&
	    directive_name(text + s, e - s, "ifndef", &g1, &n1) &&
	    directive_name(text + s2, e2 - s2, "define", &g2, &n2) && n1 == n2 &&
	    memcmp(g1, g2, n1) == 0) {
		memcpy(guard, g1, n1);
		guard[n1] = '\0';
		rc = pp_env_default_undef(env, guard, where(t, dl, o, sizeof(o)), err);
	}
	pos = 0;
	line = 1;
	while (rc == 0 && next_directive(text, len, &pos, &line, &s, &e, &dl))
		rc = pp_tracker_line(t, text + s, e - s, dl, err);
	if (rc == 0)
		rc = pp_tracker_finish(t, err);
	pp_tracker_free(t);
	return rc;
}

/* The Kconfig symbols behind Zephyr's mcuboot_config.h. */
enum {
	K_RSA,
	K_EC256,
	K_ED25519,
	K_NONE,
	K_RSA_LEN,
	K_HW_KEY,
	K_IMAGES,
	K_KEY_FILE,
	K_BUILTIN,
	K_N
};

static const char *const ksyms[K_N] = {
	"CONFIG_BOOT_SIGNATURE_TYPE_RSA",
	"CONFIG_BOOT_SIGNATURE_TYPE_ECDSA_P256",
	"CONFIG_BOOT_SIGNATURE_TYPE_ED25519",
	"CONFIG_BOOT_SIGNATURE_TYPE_NONE",
	"CONFIG_BOOT_SIGNATURE_TYPE_RSA_LEN",
	"CONFIG_BOOT_HW_KEY",
	"CONFIG_UPDATEABLE_IMAGE_NUMBER",
	"CONFIG_BOOT_SIGNATURE_KEY_FILE",
	"CONFIG_BOOT_BUILTIN_KEY",
};

/* The MCUBOOT_SIGN_* of each signature type (K_RSA..K_NONE); EC384 has no
 * Zephyr symbol: undefined whichever type is chosen. */
static const char *const sign_macros[] = {"MCUBOOT_SIGN_RSA", "MCUBOOT_SIGN_EC256",
					  "MCUBOOT_SIGN_ED25519", "MCUBOOT_SIGN_EC384"};

struct kseen {
	size_t line; /* 0: the file does not say */
	bool set;    /* =y or a value; else =n or "is not set" */
	char value[PP_VALUE_MAX];
};

/* Define NAME as VALUE (NULL: undefine it), from ORIGIN:LINE. */
static int kconfig_set(struct pp_env *env, const char *name, const char *value, const char *origin,
		       size_t line, struct mcuprov_err *err)
{
	char o[PP_ORIGIN_MAX + 32];

	snprintf(o, sizeof(o), "%s:%zu", origin, line);
	return value ? pp_env_define(env, name, value, o, err) : pp_env_undef(env, name, o, err);
}

/* What autoconf.h and mcuboot_config.h make of the symbols K saw. */
static int kconfig_derive(struct pp_env *env, const struct kseen *k, const char *origin,
			  struct mcuprov_err *err)
{
	size_t i, sel = K_N, off_line = 0;
	int rc = 0;

	/* a choice: the last =y wins and the others are off (with RSA, the
	 * RSA length that depends on it) */
	for (i = K_RSA; i <= K_NONE; i++)
		if (k[i].line && k[i].set && k[i].line > off_line)
			sel = i, off_line = k[i].line;
	for (i = K_RSA; i <= K_NONE && rc == 0; i++) {
		if (sel != K_N && i != sel)
			rc = kconfig_set(env, ksyms[i], NULL, origin, off_line, err);
		if (rc == 0 && i < K_NONE && (sel != K_N || k[i].line))
			rc = kconfig_set(env, sign_macros[i], i == sel ? "" : NULL, origin,
					 sel != K_N ? off_line : k[i].line, err);
	}
	if (rc == 0 && sel != K_N) /* Zephyr never sets MCUBOOT_SIGN_EC384 */
		rc = kconfig_set(env, sign_macros[3], NULL, origin, off_line, err);
	if (sel == K_N)
		off_line = k[K_RSA].line;
	if (rc == 0 && off_line != 0 && sel != K_RSA) {
		rc = kconfig_set(env, ksyms[K_RSA_LEN], NULL, origin, off_line, err);
		if (rc == 0)
			rc = kconfig_set(env, "MCUBOOT_SIGN_RSA_LEN", NULL, origin, off_line, err);
	} else if (rc == 0 && k[K_RSA_LEN].line && k[K_RSA_LEN].set) {
		rc = kconfig_set(env, "MCUBOOT_SIGN_RSA_LEN", k[K_RSA_LEN].value, origin,
				 k[K_RSA_LEN].line, err);
	}
	if (rc == 0 && k[K_HW_KEY].line)
		rc = kconfig_set(env, "MCUBOOT_HW_KEY", k[K_HW_KEY].set ? "" : NULL, origin,
				 k[K_HW_KEY].line, err);
	if (rc == 0 && k[K_IMAGES].line && k[K_IMAGES].set)
		rc = kconfig_set(env, "MCUBOOT_IMAGE_NUMBER", k[K_IMAGES].value, origin,
				 k[K_IMAGES].line, err);
	/* boot/zephyr/CMakeLists.txt: one key per comma-separated file, or the
	 * built-in one; none without a signature */
	if (rc == 0 && k[K_BUILTIN].line && k[K_BUILTIN].set) {
		rc = kconfig_set(env, "MCUBOOT_SIGN_KEY_COUNT", "1", origin, k[K_BUILTIN].line,
				 err);
	} else if (rc == 0 && sel == K_NONE) {
		rc = kconfig_set(env, "MCUBOOT_SIGN_KEY_COUNT", NULL, origin, off_line, err);
	} else if (rc == 0 && k[K_KEY_FILE].line) {
		const char *f = k[K_KEY_FILE].value;
		char count[24];
		size_t n = 1;

		for (i = 0; f[i] != '\0'; i++)
			n += f[i] == ',';
		snprintf(count, sizeof(count), "%zu", n);
		rc = kconfig_set(env, "MCUBOOT_SIGN_KEY_COUNT",
				 strcmp(f, "\"\"") == 0 || f[0] == '\0' ? NULL : count, origin,
				 k[K_KEY_FILE].line, err);
	}
	return rc;
}

/* One Kconfig line L (N bytes, no newline): "CONFIG_X=VALUE" or
 * "# CONFIG_X is not set".  *NAME, *NLEN get the symbol, VALUE (PP_VALUE_MAX
 * bytes) its autoconf.h value, "" when autoconf.h leaves it undefined.
 * Returns 0 when the line sets nothing, 1, or -1 when it is too long. */
static int kconfig_line(const char *l, size_t n, const char **name, size_t *nlen, char *value)
{
	static const char tail[] = " is not set";
	size_t i = 0, s, e, vs, ve;

	while (n > 0 && is_space(l[n - 1]))
		n--;
	while (i < n && is_space(l[i]))
		i++;
	if (i < n && l[i] == '#') {
		for (i++; i < n && l[i] == ' ';)
			i++;
		for (s = i; i < n && is_idchar(l[i]);)
			i++;
		e = i;
		if (n - i != sizeof(tail) - 1 || memcmp(l + i, tail, sizeof(tail) - 1) != 0)
			return 0;
		vs = ve = n;
	} else {
		for (s = i; i < n && is_idchar(l[i]);)
			i++;
		e = i;
		while (i < n && (l[i] == ' ' || l[i] == '\t'))
			i++;
		if (i >= n || l[i] != '=')
			return 0;
		for (i++; i < n && (l[i] == ' ' || l[i] == '\t');)
			i++;
		vs = ve = i;
		if (ve < n && l[ve] == '"') { /* the string, quotes kept */
			for (ve++; ve < n && l[ve] != '"';)
				ve += l[ve] == '\\' && ve + 1 < n ? 2 : 1;
			ve = ve < n ? ve + 1 : n;
		} else {
			while (ve < n && !is_space(l[ve]) && l[ve] != '#')
				ve++;
		}
		if (ve == vs)
			return 0;
	}
	if (e - s <= 7 || memcmp(l + s, "CONFIG_", 7) != 0)
		return 0;
	*name = l + s;
	*nlen = e - s;
	if (*nlen >= PP_NAME_MAX || ve - vs >= PP_VALUE_MAX)
		return -1;
	if (ve == vs || (ve - vs == 1 && (l[vs] == 'n' || l[vs] == 'm')))
		value[0] = '\0'; /* m: autoconf.h has CONFIG_X_MODULE instead */
	else if (ve - vs == 1 && l[vs] == 'y')
		strcpy(value, "1");
	else {
		memcpy(value, l + vs, ve - vs);
		value[ve - vs] = '\0';
	}
	return 1;
}

int pp_env_read_kconfig(struct pp_env *env, const char *text, size_t len, const char *origin,
			struct mcuprov_err *err)
{
	struct kseen k[K_N];
	char value[PP_VALUE_MAX], name[PP_NAME_MAX], o[PP_ORIGIN_MAX + 32];
	size_t pos = 0, line = 0, end, nlen, i;
	const char *np;
	int rc = 0, r;

	origin = origin ? origin : "";
	memset(k, 0, sizeof(k));
	for (; pos < len && rc == 0; pos = end + 1) {
		const char *nlp = memchr(text + pos, '\n', len - pos);

		end = nlp ? (size_t)(nlp - text) : len;
		line++;
		r = kconfig_line(text + pos, end - pos, &np, &nlen, value);
		if (r == 0 || nlen >= PP_NAME_MAX)
			continue;
		memcpy(name, np, nlen);
		name[nlen] = '\0';
		snprintf(o, sizeof(o), "%s:%zu", origin, line);
		if (r < 0) /* too long to keep: no longer known */
			rc = pp_env_forget(env, name);
		else if (value[0] != '\0')
			rc = pp_env_define(env, name, value, o, err);
		else
			rc = pp_env_undef(env, name, o, err);
		for (i = 0; i < K_N && r > 0; i++) {
			if (strcmp(name, ksyms[i]) != 0)
				continue;
			k[i].line = line;
			k[i].set = value[0] != '\0';
			strcpy(k[i].value, value);
		}
	}
	if (rc == 0)
		rc = kconfig_derive(env, k, origin, err);
	return rc;
}
