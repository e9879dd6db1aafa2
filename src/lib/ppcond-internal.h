/* ppcond.c internals shared by its parts: the environment (ppcond-env.c),
 * the tokens of an #if expression (ppcond-lex.c), the evaluator
 * (ppcond-eval.c), the tracker (ppcond-track.c) and the configuration
 * files (ppcond-config.c). */
#ifndef MCUPROV_PPCOND_INTERNAL_H
#define MCUPROV_PPCOND_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcuprov/ppcond.h"

/* The deepest #if nesting, expression nesting and macro expansion. */
#define PP_DEPTH_MAX 64

/* ---- characters ---- */

/* Can C start an identifier ([A-Za-z_])? */
static inline bool ppcond_is_idstart(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

/* Can C be in an identifier ([A-Za-z_0-9])? */
static inline bool ppcond_is_idchar(char c)
{
	return ppcond_is_idstart(c) || (c >= '0' && c <= '9');
}

/* Is C a decimal digit? */
static inline bool ppcond_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Is C white space as isspace() says in the C locale? */
static inline bool ppcond_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* TEXT (LEN bytes) for a message: at most 40 bytes, unprintable ones as '?'. */
const char *ppcond_shown(const char *text, size_t len, char *buf, size_t size);

/* ---- the environment (ppcond-env.c): entries in an array, chained hash
 * over names ---- */

struct entry {
	char name[PP_NAME_MAX];
	char *value;		/* PP_DEF only, ppcond_clean()ed */
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

/* NAME's (LEN bytes) index + 1 in ENV (may be NULL), 0 when it has no entry. */
size_t ppcond_env_find(const struct pp_env *env, const char *name, size_t len);
/* Mark entry I (index + 1; 0: none) used, numbered in the order first used. */
void ppcond_env_mark(struct pp_env *env, size_t i);
/* Set NAME (LEN bytes, an identifier shorter than PP_NAME_MAX) to STATE
 * with copies of VALUE (PP_DEF, ppcond_clean()ed), ORIGIN and DOUBT (PP_UNKNOWN).
 * Returns 0 or MCUPROV_ERR_NOMEM (the entry then as it was). */
int ppcond_env_set(struct pp_env *env, const char *name, size_t len, enum pp_state state,
		   const char *value, bool funclike, const char *origin,
		   const struct pp_names *doubt, struct mcuprov_err *err);
/* TEXT as a directive sees it (backslash-newlines out, comments and white
 * space runs one space, none at the ends) into OUT (LEN + 1 bytes,
 * NUL-terminated).  Returns its length. */
size_t ppcond_clean(const char *text, size_t len, char *out);

/* ---- the tokens of an #if expression (ppcond-lex.c) ---- */

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

/* Set C's error to MCUPROV_ERR_FORMAT with the printf-style message; returns it. */
int ppcond_fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Token T's text for a message, as ppcond_shown() makes it. */
const char *ppcond_tokstr(const struct tok *t, char *buf, size_t size);
/* The next token as written, expanding nothing. */
void ppcond_lex_raw(struct ctx *c, struct tok *t);
/* Is T the identifier W? */
bool ppcond_is_word(const struct tok *t, const char *w);
/* The next token, object-like macros expanded, left to be read again. */
int ppcond_peek(struct ctx *c, struct tok *t);
/* The next token, object-like macros expanded.  Returns 0 or an error. */
int ppcond_next(struct ctx *c, struct tok *t);
/* Is the next character '(' (looking through the sources, moving nothing)? */
bool ppcond_next_is_lparen(const struct ctx *c);

/* ---- the evaluator (ppcond-eval.c) ---- */

/* An integer as cpp computes it, or unknown.  An unknown value is taken to
 * be signed (as -D NAME and NAME=1 are). */
struct val {
	uintmax_t v;
	bool known, uns;
};

/* `defined NAME` (LEN < PP_NAME_MAX) in ENV; NAMES gets why when unknown. */
struct val ppcond_defined_of(struct pp_env *env, const char *name, size_t len, bool mark_used,
			     struct pp_names *names);
/* pp_eval() on ppcond_clean()ed text. */
int ppcond_eval_clean(struct pp_env *env, const char *s, size_t len, enum pp_truth *truth,
		      struct pp_names *unknown_names, struct mcuprov_err *err);

/* ---- the tracker (ppcond-track.c) ---- */

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

/* "line N" or "FILE:N" (FILE: T's origin) into BUF, for messages and
 * origins; returns BUF. */
const char *ppcond_where(const struct pp_tracker *t, size_t line, char *buf, size_t size);
/* Skip blanks, comments and backslash-newlines (not newlines) from I. */
size_t ppcond_skip_blank(const char *s, size_t len, size_t i);

#endif
