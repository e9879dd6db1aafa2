/* mcuprov core, C preprocessor conditionals: the #if evaluator.
 *
 * Recursive descent with C's precedence over ppcond-lex.c's tokens; values
 * are intmax_t or uintmax_t (kept as uintmax_t bits) or unknown, computed
 * as cpp does, and the names behind the unknown ones are gathered in one
 * list that a short circuit rolls back when it makes them irrelevant. */
#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ppcond-internal.h"

#define INT_BITS (sizeof(uintmax_t) * CHAR_BIT)

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
	if (ppcond_is_digit(c))
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
		return ppcond_fail(c, "invalid integer constant '%s'",
				   ppcond_tokstr(t, buf, sizeof(buf)));
	if (big)
		return ppcond_fail(c, "integer constant '%s' is too large",
				   ppcond_tokstr(t, buf, sizeof(buf)));
	/* too large for intmax_t: unsigned, as cc makes it */
	*out = known(x, uns || x > INTMAX_MAX);
	return 0;
}

/* An overflow is an error where cpp evaluates, a wrapped value where not. */
static int overflow(struct ctx *c, uintmax_t wrapped, bool uns, struct val *r)
{
	*r = known(wrapped, uns);
	return c->active ? ppcond_fail(c, "integer overflow") : 0;
}

static int binop(struct ctx *c, enum op op, struct val a, struct val b, struct val *r)
{
	bool uns = op == OP_SHL || op == OP_SHR ? a.uns : a.uns || b.uns;
	intmax_t x = to_signed(a.v), y = to_signed(b.v), z;
	bool cmp = op >= OP_LT && op <= OP_NE;

	if (op == OP_SHL || op == OP_SHR) {
		if (b.known && ((!b.uns && y < 0) || b.v >= INT_BITS)) {
			*r = known(0, uns);
			return c->active ? ppcond_fail(c, "shift count out of range") : 0;
		}
	} else if ((op == OP_DIV || op == OP_MOD) && b.known && b.v == 0) {
		*r = known(0, uns);
		return c->active ? ppcond_fail(c, "division by zero") : 0;
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
struct val ppcond_defined_of(struct pp_env *env, const char *name, size_t len, bool mark_used,
			     struct pp_names *names)
{
	size_t i = ppcond_env_find(env, name, len);

	if (mark_used)
		ppcond_env_mark(env, i);
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

	ppcond_lex_raw(c, &t);
	paren = t.kind == T_PUNCT && t.op == OP_LPAREN;
	if (paren)
		ppcond_lex_raw(c, &t);
	if (t.kind != T_IDENT)
		return ppcond_fail(c, "missing macro name after 'defined'");
	if (t.len >= PP_NAME_MAX)
		return ppcond_fail(c, "name '%s' is too long", ppcond_tokstr(&t, buf, sizeof(buf)));
	*out = ppcond_defined_of(c->env, t.p, t.len, c->active, &c->names);
	if (paren) {
		ppcond_lex_raw(c, &t);
		if (t.kind != T_PUNCT || t.op != OP_RPAREN)
			return ppcond_fail(c, "missing ')' after 'defined'");
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
	if (ppcond_next_is_lparen(c)) {
		do {
			ppcond_lex_raw(c, &a);
			if (a.kind == T_END)
				return ppcond_fail(c, "unterminated argument list of '%s'",
						   ppcond_tokstr(t, buf, sizeof(buf)));
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
	int rc = ppcond_next(c, &t);

	if (rc < 0)
		return rc;
	switch (t.kind) {
	case T_NUM: return parse_number(c, &t, out);
	case T_CHAR:
		if (t.bad)
			return ppcond_fail(c, "missing terminating ' character");
		*out = unknown; /* the execution character set is not ours to know */
		return 0;
	case T_IDENT:
		if (ppcond_is_word(&t, "defined"))
			return parse_defined(c, out);
		return ident_value(c, &t, out);
	case T_END:
		return ppcond_fail(c, c->ntok == 0 ? "missing expression"
						   : "unexpected end of expression");
	case T_PUNCT:
		if (t.op != OP_LPAREN)
			break;
		rc = parse_cond(c, out);
		if (rc == 0)
			rc = ppcond_next(c, &t);
		if (rc == 0 && (t.kind != T_PUNCT || t.op != OP_RPAREN))
			rc = ppcond_fail(c, "missing ')'");
		return rc;
	default: break;
	}
	return ppcond_fail(c, "unexpected '%s'", ppcond_tokstr(&t, buf, sizeof(buf)));
}

static int parse_unary(struct ctx *c, struct val *out)
{
	struct tok t;
	struct val v;
	int rc = ppcond_peek(c, &t);

	if (rc < 0)
		return rc;
	if (t.kind != T_PUNCT ||
	    (t.op != OP_NOT && t.op != OP_COMPL && t.op != OP_SUB && t.op != OP_ADD))
		return parse_primary(c, out);
	ppcond_next(c, &t);
	if (++c->depth > PP_DEPTH_MAX)
		return ppcond_fail(c, "expression nested too deep");
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
		rc = ppcond_peek(c, &t);
		if (rc < 0 || t.kind != T_PUNCT || t.prec == 0 || t.prec < minprec)
			break;
		ppcond_next(c, &t);
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
		rc = ppcond_fail(c, "expression nested too deep");
		goto out;
	}
	rc = parse_binary(c, 1, &cv);
	if (rc == 0)
		rc = ppcond_peek(c, &t);
	*out = cv;
	if (rc < 0 || t.kind != T_PUNCT || t.op != OP_QUEST)
		goto out;
	ppcond_next(c, &t);
	m = mark(c);
	c->active = saved && !(cv.known && cv.v == 0);
	rc = parse_cond(c, &a);
	c->active = saved;
	if (rc < 0)
		goto out;
	if (cv.known && cv.v == 0)
		rollback(c, m);
	rc = ppcond_next(c, &t);
	if (rc == 0 && (t.kind != T_PUNCT || t.op != OP_COLON))
		rc = ppcond_fail(c, "missing ':' after '?'");
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

/* pp_eval() on ppcond_clean()ed text. */
int ppcond_eval_clean(struct pp_env *env, const char *s, size_t len, enum pp_truth *truth,
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
		rc = ppcond_next(&c, &t);
	if (rc == 0 && t.kind != T_END)
		rc = t.kind == T_PUNCT && t.op == OP_RPAREN
			     ? ppcond_fail(&c, "unexpected ')'")
			     : ppcond_fail(&c, "missing operator before '%s'",
					   ppcond_tokstr(&t, buf, sizeof(buf)));
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
	rc = ppcond_eval_clean(env, s, ppcond_clean(expr, len, s), truth, unknown_names, err);
	free(s);
	return rc;
}
