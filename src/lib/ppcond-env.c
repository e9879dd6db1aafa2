/* mcuprov core, C preprocessor conditionals: the environment.
 *
 * The macros a configuration says something of (defined with a value,
 * undefined, or unknown again), each with its origin and the order it was
 * first used in, for pp_env_describe(): entries in an array with a chained
 * hash over names.  Here too: the lists of names behind a MAYBE, and
 * ppcond_clean(), which the text of every value and directive goes through
 * first (backslash-newlines out, comments and white space runs to one
 * space). */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mcuprov/strutil.h"
#include "ppcond-internal.h"

static bool is_ident(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || !ppcond_is_idstart(s[0]))
		return false;
	for (i = 1; i < len; i++)
		if (!ppcond_is_idchar(s[i]))
			return false;
	return true;
}

/* TEXT (LEN bytes) for a message: at most 40 bytes, unprintable ones as '?'. */
const char *ppcond_shown(const char *text, size_t len, char *buf, size_t size)
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

static size_t hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* NAME's index + 1, 0 when it has no entry. */
size_t ppcond_env_find(const struct pp_env *env, const char *name, size_t len)
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
	size_t i = ppcond_env_find(env, name, len), b;
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
size_t ppcond_clean(const char *text, size_t len, char *out)
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
		if (ppcond_is_space(c)) {
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
 * VALUE (PP_DEF, ppcond_clean()ed), ORIGIN and DOUBT (PP_UNKNOWN) are
 * copied.  On failure the entry is as it was. */
int ppcond_env_set(struct pp_env *env, const char *name, size_t len, enum pp_state state,
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

/* Check NAME (and VALUE) as pp_env_define() takes them; the
 * ppcond_clean()ed value goes to CLEANED (PP_VALUE_MAX bytes) when given. */
static int check_args(const char *name, const char *value, char *cleaned, struct mcuprov_err *err)
{
	char buf[64];
	size_t len = name ? strlen(name) : 0;

	if (!is_ident(name ? name : "", len))
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "'%s' is not a macro name",
			       ppcond_shown(name ? name : "", len, buf, sizeof(buf)));
	if (len >= PP_NAME_MAX)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "macro name '%s' is too long",
			       ppcond_shown(name, len, buf, sizeof(buf)));
	if (value != NULL && strlen(value) >= PP_VALUE_MAX)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "the value of %s is too long", name);
	if (cleaned != NULL)
		ppcond_clean(value ? value : "", value ? strlen(value) : 0, cleaned);
	return 0;
}

int pp_env_define(struct pp_env *env, const char *name, const char *value, const char *origin,
		  struct mcuprov_err *err)
{
	char v[PP_VALUE_MAX];
	int rc = check_args(name, value, v, err);

	if (rc < 0)
		return rc;
	return ppcond_env_set(env, name, strlen(name), PP_DEF, v, false, origin, NULL, err);
}

int pp_env_undef(struct pp_env *env, const char *name, const char *origin, struct mcuprov_err *err)
{
	int rc = check_args(name, NULL, NULL, err);

	if (rc < 0)
		return rc;
	return ppcond_env_set(env, name, strlen(name), PP_UNDEF, NULL, false, origin, NULL, err);
}

int pp_env_forget(struct pp_env *env, const char *name)
{
	int rc = check_args(name, NULL, NULL, NULL);
	size_t i;

	if (rc < 0)
		return rc;
	i = ppcond_env_find(env, name, strlen(name));
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
			       ppcond_shown(arg, len, buf, sizeof(buf)));
	if (len >= PP_NAME_MAX)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "macro name '%s' is too long",
			       ppcond_shown(arg, len, buf, sizeof(buf)));
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
	size_t i = ppcond_env_find(env, name, len);
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

void ppcond_env_mark(struct pp_env *env, size_t i)
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
