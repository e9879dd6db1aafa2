/* mcuprov core, C preprocessor conditionals: the tokens of an #if
 * expression.
 *
 * A small lexer over a stack of sources: the expression and, above it, the
 * values of the macros being expanded.  Object-like macros are rescanned
 * as cpp does; a macro being expanded is not expanded again.  The parser
 * (ppcond-eval.c) reads the tokens through ppcond_peek()/ppcond_next(). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ppcond-internal.h"

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

int ppcond_fail(struct ctx *c, const char *fmt, ...)
{
	char msg[MCUPROV_ERR_MSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return err_set(c->err, MCUPROV_ERR_FORMAT, NULL, "%s", msg);
}

const char *ppcond_tokstr(const struct tok *t, char *buf, size_t size)
{
	return ppcond_shown(t->p, t->len, buf, size);
}

/* The next token as written, expanding nothing. */
void ppcond_lex_raw(struct ctx *c, struct tok *t)
{
	struct frame *f;
	size_t i, j, k;

	memset(t, 0, sizeof(*t));
	for (;;) {
		f = &c->fr[c->nfr - 1];
		while (f->pos < f->len && ppcond_is_space(f->p[f->pos]))
			f->pos++;
		if (f->pos < f->len || c->nfr == 1)
			break;
		c->nfr--;
	}
	if (f->pos >= f->len)
		return; /* T_END */
	i = j = f->pos;
	t->p = f->p + i;
	if (ppcond_is_idstart(f->p[i])) {
		t->kind = T_IDENT;
		while (j < f->len && ppcond_is_idchar(f->p[j]))
			j++;
	} else if (ppcond_is_digit(f->p[i]) ||
		   (f->p[i] == '.' && i + 1 < f->len && ppcond_is_digit(f->p[i + 1]))) {
		/* a pp-number: digits, letters, '.', and e+ e- p+ p- */
		t->kind = T_NUM;
		for (j++; j < f->len; j++) {
			char p = f->p[j - 1];

			if ((f->p[j] == '+' || f->p[j] == '-') &&
			    (p == 'e' || p == 'E' || p == 'p' || p == 'P'))
				continue;
			if (!ppcond_is_idchar(f->p[j]) && f->p[j] != '.')
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

bool ppcond_is_word(const struct tok *t, const char *w)
{
	return t->kind == T_IDENT && t->len == strlen(w) && memcmp(t->p, w, t->len) == 0;
}

/* The next token with object-like macros expanded. */
static int lex(struct ctx *c, struct tok *t)
{
	char buf[64];
	size_t i, k;

	for (;;) {
		ppcond_lex_raw(c, t);
		if (t->kind != T_IDENT || ppcond_is_word(t, "defined"))
			return 0;
		if (t->len >= PP_NAME_MAX)
			return ppcond_fail(c, "name '%s' is too long",
					   ppcond_tokstr(t, buf, sizeof(buf)));
		t->entry = i = ppcond_env_find(c->env, t->p, t->len);
		if (i == 0)
			return 0;
		if (c->active)
			ppcond_env_mark(c->env, i);
		if (c->env->v[i - 1].state != PP_DEF || c->env->v[i - 1].funclike)
			return 0;
		for (k = 0; k < c->nfr; k++)
			if (c->fr[k].entry == i)
				return 0; /* being expanded: stays an identifier */
		if (c->nfr == PP_DEPTH_MAX + 1)
			return ppcond_fail(c, "macro expansion nested too deep");
		c->fr[c->nfr].p = c->env->v[i - 1].value;
		c->fr[c->nfr].len = strlen(c->env->v[i - 1].value);
		c->fr[c->nfr].pos = 0;
		c->fr[c->nfr++].entry = i;
	}
}

int ppcond_peek(struct ctx *c, struct tok *t)
{
	int rc = 0;

	if (!c->has_la)
		rc = lex(c, &c->la);
	c->has_la = rc == 0;
	*t = c->la;
	return rc;
}

int ppcond_next(struct ctx *c, struct tok *t)
{
	int rc = ppcond_peek(c, t);

	c->has_la = false;
	return rc;
}

/* Is the next character '(' (looking through the sources, moving nothing)? */
bool ppcond_next_is_lparen(const struct ctx *c)
{
	size_t k, i;

	for (k = c->nfr; k-- > 0;) {
		for (i = c->fr[k].pos; i < c->fr[k].len && ppcond_is_space(c->fr[k].p[i]); i++)
			;
		if (i < c->fr[k].len)
			return c->fr[k].p[i] == '(';
	}
	return false;
}
