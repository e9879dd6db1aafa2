/* keys.c internals shared by its three parts: the tokenizer with the
 * conditional-compilation state of every token (keysc-tok.c), the shape
 * analysis (keysc.c) and the edits that patch (keysc-edit.c). */
#ifndef MCUPROV_KEYSC_INTERNAL_H
#define MCUPROV_KEYSC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mcuprov/keysc.h"
#include "mcuprov/ppcond.h"

#define KEYSC_MAX_TEXT (4 * 1024 * 1024)

enum tok_kind { T_IDENT, T_NUMBER, T_PUNCT, T_PP, T_OTHER };

/* The signing key types, one bit each in tok.alt. */
#define KEYSC_N_SIGN_TYPES 5
extern const enum key_type keysc_sign_types[KEYSC_N_SIGN_TYPES];

struct tok {
	enum tok_kind kind;
	size_t start, end; /* [start, end) in the text */
	size_t line;
	const char *macro; /* T_PP: the MCUBOOT_SIGN_* / *_ENC* macro it tests, or NULL */
	int pp;            /* T_PP: 1 #if*, 2 #elif, 3 #else, 4 #endif, 0 other */
	/* compiled under the configuration analysed: TRUE, FALSE or MAYBE
	 * (then doubt: index in toks.doubts of the macros it depends on);
	 * for a T_PP token, the region the line itself stands in */
	enum pp_truth live;
	size_t doubt;
	unsigned alt;     /* bit (1 << key_type): compiled or maybe for keys of that type */
	bool image_cond;  /* some enclosing condition tests MCUBOOT_IMAGE_NUMBER */
};

struct toks {
	struct tok *v;
	size_t n, cap;
	char **doubts; /* "A and B", for MAYBE tokens */
	size_t n_doubts, cap_doubts;
	char *assumed; /* pp_env_describe() of the configuration's run, or NULL */
};

/* Split TEXT into tokens (comments and literals skipped, a preprocessor
 * line one T_PP token).  Every token is live (TRUE, alt all ones) until
 * keysc_liveness().  Returns 0 or -1 (out of memory). */
int keysc_tokenize(const char *text, size_t len, struct toks *t);

/* Mark every token of T with whether it is compiled under ENV (NULL: an
 * empty environment) and, in alt, under ENV with each signing key type's
 * macros forced instead.  Returns 0, MCUPROV_ERR_FORMAT (unbalanced
 * conditionals, a bad #if expression: "line N: ..."), MCUPROV_ERR_NOMEM;
 * SUBJECT names the file in errors. */
int keysc_liveness(const char *text, struct toks *t, const struct pp_env *env,
		   const char *subject, struct mcuprov_err *err);

void keysc_toks_free(struct toks *t);

/* "A and B" for a MAYBE token ("" otherwise). */
const char *keysc_tok_doubt(const struct toks *t, const struct tok *k);

bool keysc_tok_is(const char *text, const struct tok *k, const char *s);
/* The value of a number token (0x.. hex or decimal, u/U suffix); -1 if
 * malformed or octal. */
long long keysc_tok_num(const char *text, const struct tok *k);

/* The known MCUBOOT_SIGN_* / BOOTUTIL_SIGN_* / *_ENC* macro a
 * preprocessor condition in [s, e) names first, or NULL. */
const char *keysc_pp_macro(const char *text, size_t s, size_t e);
bool keysc_is_sign_macro(const char *m);
/* Does block macro M select key TYPE?  (BOOTUTIL_* is the 2017 spelling.) */
bool keysc_macro_selects(const char *m, enum key_type type);
/* Set ENV's signature macros for TYPE, overriding what it says. */
int keysc_env_force_type(struct pp_env *env, enum key_type type, struct mcuprov_err *err);

/* Room for element N in V (capacity *CAP, elements of SIZE): the array,
 * perhaps moved, or NULL when out of memory (V is then still valid). */
void *keysc_grow(void *v, size_t n, size_t *cap, size_t size);

/* The style of array A's initializer (A->style*), from its tokens. */
void keysc_detect_style(const char *text, size_t len, const struct toks *t, size_t first_num,
			size_t close, struct keysc_array *a);

/* keysc_verify() against DER bytes: DERS[i] (NULL: slot i not checked). */
int keysc_verify_der(const char *text, size_t len, const char *subject, const struct pp_env *env,
		     const uint8_t *const *ders, const size_t *dlens, size_t n,
		     struct mcuprov_err *err);

/* The bytes slot SLOT of INFO (analysed from TEXT) holds: *der malloc'd.
 * Returns 0 or -1. */
int keysc_slot_der(const char *text, const struct keysc_info *info, size_t slot, uint8_t **der,
		   size_t *len);

#endif
