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
	int pp;		   /* T_PP: 1 #if*, 2 #elif, 3 #else, 4 #endif, 0 other */
	/* compiled under the configuration analysed: TRUE, FALSE or MAYBE
	 * (then doubt: index in toks.doubts of the macros it depends on);
	 * for a T_PP token, the region the line itself stands in */
	enum pp_truth live;
	size_t doubt;
	unsigned alt;	 /* bit (1 << key_type): compiled or maybe for keys of that type */
	bool image_cond; /* some enclosing condition tests MCUBOOT_IMAGE_NUMBER */
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
int keysc_liveness(const char *text, struct toks *t, const struct pp_env *env, const char *subject,
		   struct mcuprov_err *err);

void keysc_toks_free(struct toks *t);

/* "A and B" for a MAYBE token ("" otherwise). */
const char *keysc_tok_doubt(const struct toks *t, const struct tok *k);

bool keysc_tok_is(const char *text, const struct tok *k, const char *s);
/* Is W a whole word (an identifier) in [S, E) of TEXT? */
bool keysc_word_in(const char *text, size_t s, size_t e, const char *w);
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
void keysc_detect_style(const char *text, const struct toks *t, size_t first_num, size_t close,
			struct keysc_array *a);

/* ---- declarations (keysc-decl.c) ---- */

void keysc_live_of(struct keysc_live *l, const struct toks *t, const struct tok *k);
bool keysc_decl_start(const char *text, const struct toks *t, size_t i);
/* A byte array's declaration at I: NAME's index (0: none); *size_tok the
 * index of N in NAME[N] (0: none), *init whether '{' (at *brace) follows,
 * else *brace is the ';' of a tentative definition. */
size_t keysc_match_array(const char *text, const struct toks *t, size_t i, size_t *size_tok,
			 bool *init, size_t *brace);
/* A length variable at I: NAME's index (0: none); *value the number's
 * (or sizeof's operand's, *is_sizeof) index, *semi the ';'. */
size_t keysc_match_len(const char *text, const struct toks *t, size_t i, size_t *value,
		       bool *is_sizeof, size_t *semi);
/* `extern const unsigned char rsa_pub_key[]`: the type bit and suffix. */
void keysc_match_extern(const char *text, const struct toks *t, size_t i, struct keysc_info *info);
/* `#define X ecdsa_pub_key`: the type bit. */
void keysc_match_primary(const char *text, const struct tok *k, struct keysc_info *info);
/* The initializer of bootutil_keys[] whose '{' is token OPEN into L;
 * *close its '}'.  Returns 0 or -1 (out of memory). */
int keysc_parse_list(const char *text, const struct toks *t, size_t open, struct keysc_list *l,
		     size_t *close);
/* bootutil_keys[] names ID: its arrays are keys. */
void keysc_mark_listed(const char *text, const struct tok *id, struct keysc_info *info);
/* Is preprocessor token K the directive W? */
bool keysc_pp_is(const char *text, const struct tok *k, const char *w);
/* The sign macro an #if/#elif tests positively, or NULL. */
const char *keysc_block_label(const char *text, const struct tok *k);
const char *keysc_cur_block(const char *const *stack, size_t depth);

/* ---- key slots (keysc-slots.c) ---- */

/* A name of a signing key as imgtool, MCUboot and its ports write them. */
bool keysc_key_like_name(const char *n);
/* Fill INFO's slots, live list and count, or its slot error.  Returns 0
 * or -1 (out of memory). */
int keysc_find_slots(const char *text, struct keysc_info *info, const struct pp_env *env,
		     const char *include);

/* Shapes 2 and 3: a count that is known and differs from the live list's
 * entries sets the slot error (keysc-slots.c). */
void keysc_check_count(struct keysc_info *info, const struct pp_env *env);

/* keysc_verify() against DER bytes: DERS[i] (NULL: slot i not checked). */
int keysc_verify_der(const char *text, size_t len, const char *subject, const struct pp_env *env,
		     const uint8_t *const *ders, const size_t *dlens, size_t n,
		     struct mcuprov_err *err);

/* The bytes slot SLOT of INFO (analysed from TEXT) holds: *der malloc'd.
 * Returns 0 or -1. */
int keysc_slot_der(const char *text, const struct keysc_info *info, size_t slot, uint8_t **der,
		   size_t *len);

/* ---- the text toolkit of patching (keysc-edit.c) ---- */

/* Replace [start, end) by TEXT (an insertion when start == end); SEQ keeps
 * several insertions at one place in the order they were made. */
struct edit {
	size_t start, end, seq;
	char *text;
};

struct edits {
	struct edit *v;
	size_t n, cap;
};

/* A growing string; running out of memory is remembered. */
struct sbuf {
	char *s;
	size_t n, cap;
	bool oom;
};

int keysc_edit_add(struct edits *ed, size_t start, size_t end, char *text);
int keysc_edit_del(struct edits *ed, size_t start, size_t end);
void keysc_edits_free(struct edits *ed);
/* The text with the edits made: *out (malloc'd, NUL-terminated). */
int keysc_apply_edits(const char *text, size_t len, struct edits *ed, const char *subject,
		      char **out, size_t *out_len, struct mcuprov_err *err);
void keysc_sb_put(struct sbuf *b, const char *s, size_t n);
void keysc_sb_str(struct sbuf *b, const char *s);
char *keysc_sb_take(struct sbuf *b);
/* The new initializer body of array A for DER in A's style; *splice_end:
 * where the text it replaces (from A->body_start) ends. */
char *keysc_format_body(const struct keysc_info *info, const char *text,
			const struct keysc_array *a, const uint8_t *der, size_t len,
			size_t *splice_end);
size_t keysc_line_begin(const char *text, size_t pos);
bool keysc_ws_before(const char *text, size_t pos);
bool keysc_line_rest(const char *text, size_t len, size_t pos, size_t *next);
bool keysc_only_ws(const char *text, size_t s, size_t e);
bool keysc_only_ws_comments(const char *text, size_t s, size_t e);
bool keysc_line_above(const char *text, size_t pos, size_t *b, size_t *e);
bool keysc_key_comment(const char *text, size_t b, size_t e, bool strict, size_t *cs, size_t *ce);
bool keysc_array_comment(const char *text, const struct keysc_array *a, size_t *cb, size_t *cs,
			 size_t *ce);
char *keysc_comment_text(size_t i, const struct mcuprov_key *key, const char *fp);
/* The edits that make array A hold KEY (key number I). */
int keysc_put_key(const struct keysc_info *info, const char *text, const struct keysc_array *a,
		  size_t i, const struct mcuprov_key *key, struct edits *ed, const char *subject,
		  struct mcuprov_err *err);

/* ---- another number of keys (keysc-resize.c) ---- */

struct resize_plan {
	const char *text;
	size_t len;
	const char *subject;
	const struct keysc_info *info;
	enum key_type type;
	const size_t *idx; /* the block's arrays */
	size_t n_idx;
	const struct mcuprov_key *const *keys;
	size_t n_keys;
	char head[320]; /* "its ... block holds N key arrays ... but M keys were given" */
	struct toks t;
	const struct keysc_list *list;
	size_t *ent;	   /* the list's entry for each array of the block */
	const char *other; /* another sign block the list also serves, or NULL */
	unsigned others;   /* alt bits of the other key types */
};

/* The checks and edits for another number of keys than P's slots; only
 * where the file's key list says for sure what to change.  Returns 0 or
 * MCUPROV_ERR_REFUSED naming what it found (after P->head). */
int keysc_resize(struct resize_plan *p, struct edits *ed, struct mcuprov_err *err);

#endif
