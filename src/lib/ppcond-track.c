/* mcuprov core, C preprocessor conditionals: the conditional structure
 * of a file.
 *
 * The tracker keeps the open #if groups: for each, whether its current
 * branch is compiled and whether an earlier one was taken, three-valued
 * with the names behind every MAYBE.  #define and #undef change the
 * environment in a compiled region, and make the macro unknown (for the
 * region's reasons) in a MAYBE one. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ppcond-internal.h"

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
const char *ppcond_where(const struct pp_tracker *t, size_t line, char *buf, size_t size)
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
		       ppcond_where(t, t->g[t->n - 1].line, w, sizeof(w)));
}

/* Skip blanks, comments and backslash-newlines (not newlines) from I. */
size_t ppcond_skip_blank(const char *s, size_t len, size_t i)
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
	size_t i = ppcond_skip_blank(text, len, 0), s;

	if (i >= len || text[i] != '#')
		return false;
	s = i = ppcond_skip_blank(text, len, i + 1);
	while (i < len && ppcond_is_idchar(text[i]))
		i++;
	if (i == s || !ppcond_is_idstart(text[s]))
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

/* #define / #undef NAME (S, ppcond_clean()ed) in a compiled or MAYBE region. */
static int track_define(struct pp_tracker *t, bool define, const char *s, size_t len, const char *w,
			struct mcuprov_err *err)
{
	struct pp_names doubt, live_names;
	enum pp_truth live;
	const char *value = "";
	size_t n = 0, i, vlen = 0;
	bool funclike = false;
	struct entry *e;

	while (n < len && ppcond_is_idchar(s[n]))
		n++;
	if (n == 0 || !ppcond_is_idstart(s[0]))
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
			return ppcond_env_set(t->env, s, n, PP_UNKNOWN, NULL, false, w, NULL, err);
		return ppcond_env_set(t->env, s, n, define ? PP_DEF : PP_UNDEF, value, funclike, w,
				      NULL, err);
	}
	/* MAYBE: the macro is what it was or the new thing; nothing changes when
	 * both are the same, else it is unknown for the region's reasons (and
	 * any it had; a macro never heard of is the file's own, not a cause) */
	i = ppcond_env_find(t->env, s, n);
	e = i ? &t->env->v[i - 1] : NULL;
	if (e != NULL && !define && e->state == PP_UNDEF)
		return 0;
	if (e != NULL && define && e->state == PP_DEF && e->funclike == funclike &&
	    strlen(e->value) == vlen && memcmp(e->value, value, vlen) == 0)
		return 0;
	doubt = live_names;
	if (e != NULL && e->state == PP_UNKNOWN && e->doubt != NULL)
		pp_names_merge(&doubt, e->doubt);
	return ppcond_env_set(t->env, s, n, PP_UNKNOWN, NULL, false, w, &doubt, err);
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
	ppcond_where(t, line, w, sizeof(w));
	s = malloc(len - rest + 1);
	if (s == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	n = ppcond_clean(text + rest, len - rest, s);
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
		rc = ppcond_eval_clean(t->env, s, n, &b, &bn, &e2);
		if (rc < 0) {
			rc = err_set(err, rc, NULL, "%s: #%.*s: %s", w, (int)nl, dn, e2.msg);
			goto out;
		}
	} else if (d != D_ELSE) {
		size_t k = 0;
		bool neg = d == D_IFNDEF || d == D_ELIFNDEF;
		struct val v;

		while (k < n && ppcond_is_idchar(s[k]))
			k++;
		if (k == 0 || !ppcond_is_idstart(s[0])) {
			rc = err_set(err, MCUPROV_ERR_FORMAT, NULL,
				     "%s: #%.*s without a macro name", w, (int)nl, dn);
			goto out;
		}
		if (k >= PP_NAME_MAX) {
			rc = err_set(err, MCUPROV_ERR_FORMAT, NULL, "%s: #%.*s: name too long", w,
				     (int)nl, dn);
			goto out;
		}
		v = ppcond_defined_of(t->env, s, k, true, &bn);
		b = !v.known ? PP_MAYBE : (v.v != 0) != neg ? PP_TRUE : PP_FALSE;
	}
	enter_branch(t, b, &bn);
out:
	free(s);
	return rc;
}
