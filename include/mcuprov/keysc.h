/* mcuprov core: MCUboot keys.c files — recognise the shape, patch the keys.
 *
 * boot/zephyr/keys.c has had three shapes:
 *  1. inline arrays (2017 - early 2018): `#if defined(MCUBOOT_SIGN_RSA)`
 *     blocks holding `const unsigned char root_pub_der[] = {...};` and
 *     `const unsigned int root_pub_der_len = N;` (bare-metal, simulator and
 *     Mynewt ports keep this shape, sometimes with several arrays);
 *  2. generated key file (2018 - 2026): keys.c only declares
 *     `extern const unsigned char ed25519_pub_key[]`; the bytes come from
 *     CONFIG_BOOT_SIGNATURE_KEY_FILE;
 *  3. several keys (2026): as 2, with `ed25519_pub_key_1`, ... counted by
 *     MCUBOOT_SIGN_KEY_COUNT.
 * Only shape 1 carries key bytes to patch; shapes 2 and 3 are provisioned
 * through the config fragment (kconf.h) or a generated key file. */
#ifndef MCUPROV_KEYSC_H
#define MCUPROV_KEYSC_H

#include <stdbool.h>
#include <stddef.h>

#include "mcuprov/error.h"
#include "mcuprov/key.h"
#include "mcuprov/ppcond.h"

enum keysc_shape {
	KEYSC_SHAPE_UNKNOWN = 0,
	KEYSC_SHAPE_INLINE,    /* 1 */
	KEYSC_SHAPE_GENERATED, /* 2 */
	KEYSC_SHAPE_MULTI,     /* 3 */
};

/* "inline arrays (2017-2018)", ... for messages. */
const char *keysc_shape_name(enum keysc_shape shape);

#define KEYSC_NAME_MAX 128
/* "A, B and C": the macros a MAYBE depends on */
#define KEYSC_DOUBT_MAX 256

/* Whether a declaration is compiled under the configuration analysed
 * (TRUE, FALSE, or MAYBE with the macros it depends on), and for which
 * signing key types it would be (bit 1 << key_type). */
struct keysc_live {
	enum pp_truth live;
	char doubt[KEYSC_DOUBT_MAX];
	unsigned alt;
	bool image_cond; /* under a condition on MCUBOOT_IMAGE_NUMBER */
};

/* One inline key array and its length variable. */
struct keysc_array {
	char name[KEYSC_NAME_MAX];
	const char *block;   /* the MCUBOOT_SIGN_* macro its #if tests, or NULL */
	bool is_key;         /* in a sign block, or listed in bootutil_keys[] */
	struct keysc_live live;
	bool tentative;      /* `const unsigned char NAME[N];`: no initializer */
	bool fixed;          /* NAME[N]: its size is written; [size_start, size_end) */
	size_t size_start, size_end;
	unsigned long fixed_size;
	size_t n_bytes;      /* bytes in the initializer */
	bool has_len;
	char len_name[KEYSC_NAME_MAX];
	bool len_sizeof;     /* its length is sizeof(NAME): follows by itself */
	unsigned long declared_len; /* the length variable's value */
	size_t line;         /* of the declaration, 1-based */
	/* where to splice: the initializer between its braces, the length digits */
	size_t body_start, body_end;
	size_t len_start, len_end;
	/* the whole declarations (first token to the end of the ';'; decl_end
	 * is 0 when no ';' follows the closing brace) and where the names are:
	 * to remove the array or copy it under another name */
	size_t decl_start, decl_end, name_start;
	size_t len_decl_start, len_decl_end, len_name_start;
	/* the style of its initializer, kept when it is replaced */
	char indent[16];
	unsigned per_line;
	bool trailing_comma;
	bool upper_hex;
};

/* One entry of a bootutil_keys[] list: `{ .key = NAME, .len = &NAME_len }`
 * (members in either order) or `{ NAME, &NAME_len }`. */
struct keysc_entry {
	size_t start, end; /* its '[N] =' or '{' to its '}', and the ',' after it if any */
	bool desig;        /* written `[N] = { ... }` (N: its position) */
	size_t desig_num_start, desig_num_end; /* the digits of N */
	bool comma;
	size_t comma_pos; /* of that ',' */
	size_t line;
	char key[KEYSC_NAME_MAX];    /* the array it names; "" when it is not of that form */
	size_t key_start, len_start; /* the two names in the text (len_start: after the '&') */
	char len_name[KEYSC_NAME_MAX];
	int group; /* the `#if defined(MCUBOOT_SIGN_...)` group around it inside
		    * the list: its index in the list's groups, or -1 */
	struct keysc_live live;
};

/* `#if defined(MCUBOOT_SIGN_X)` ... `#endif` around entries inside a list. */
struct keysc_group {
	size_t if_start, if_end;       /* the two preprocessor lines ('#' to */
	size_t endif_start, endif_end; /* the end of the line, without its eol) */
};

/* `const struct bootutil_key bootutil_keys[] = { ... };` */
struct keysc_list {
	size_t line;
	size_t open, close; /* its braces */
	struct keysc_entry *entries;
	size_t n_entries;
	struct keysc_group *groups;
	size_t n_groups;
	size_t bad_line; /* nonzero: a line of it that is not an entry or a preprocessor line */
	bool complex;    /* preprocessor lines other than simple groups: groups unusable */
	size_t junk_line; /* nonzero: a compiled line that is neither an entry nor a
			   * preprocessor line (the keys it lists cannot be told) */
	struct keysc_live live;
};

/* `const int bootutil_key_cnt = EXPR;` */
enum keysc_count_kind {
	KEYSC_COUNT_OTHER = 0,
	KEYSC_COUNT_NUMBER, /* `= 2` */
	KEYSC_COUNT_SIZEOF, /* `= sizeof(bootutil_keys) / sizeof(bootutil_keys[0])` */
};

struct keysc_count {
	size_t line;
	enum keysc_count_kind kind;
	unsigned long value; /* KEYSC_COUNT_NUMBER; KEYSC_COUNT_OTHER when known */
	bool known;          /* value known (a number, or an expression of known macros) */
	size_t start, end;   /* EXPR */
	struct keysc_live live;
};

struct keysc_info {
	enum keysc_shape shape;
	struct keysc_array *arrays; /* shape 1 */
	size_t n_arrays;
	/* shapes 2 and 3: the key types keys.c declares (bit per key_type) */
	unsigned declared_types;
	unsigned max_suffix; /* highest _N suffix declared (shape 3) */
	bool upstream_2026;  /* MCUboot 2026's boot/zephyr/keys.c (LISTIFY over MCUBOOT_SIGN_KEY_COUNT) */
	const char *eol; /* "\n" or "\r\n": the file's line ends (each array's
			  * own style is in struct keysc_array) */
	/* shape 1: the key lists and counts (one per #if block at most, usually
	 * one in all) */
	struct keysc_list *lists;
	size_t n_lists;
	struct keysc_count *counts;
	size_t n_counts;
	/* under the configuration analysed: the key slots (arrays[] indices:
	 * the arrays the live bootutil_keys[] entries name, in its order; or
	 * the live key arrays of a file without a list), the live list and
	 * count (or NULL).  slot_rc < 0: the slots cannot be told, slot_msg
	 * says why (keysc_patch() refuses with it). */
	size_t *slots;
	size_t n_slots;
	const struct keysc_list *live_list;
	const struct keysc_count *live_count;
	bool multi_image;  /* the slots are one key per image (MCUBOOT_IMAGE_NUMBER) */
	int slot_rc;
	char slot_msg[MCUPROV_ERR_MSG_MAX];
	/* the slot names are not defined here but in a file this one
	 * #includes ("" otherwise): the quoted name, as written */
	char include[KEYSC_NAME_MAX * 2];
	char **slot_names; /* then: the names the list gives, n_slot_names */
	size_t n_slot_names;
	/* a live #error: its line (0: none) */
	size_t error_line;
	/* a copy of the configuration analysed (owned), for the self-check
	 * of keysc_patch() */
	struct pp_env *env;
	/* the tokens the configuration does not compile ([start, end) and
	 * line), in the text's order: keysc_patch() checks that no edit
	 * touches one */
	struct keysc_span {
		size_t start, end, line;
	} *dead;
	size_t n_dead;
	/* the macros of the configuration the file's conditionals consulted
	 * (pp_env_describe()), or NULL; owned */
	char *assumed;
};

/* Analyse the keys.c text TEXT (untrusted: bounded, no assumption that it
 * is valid C) and describe its shape, and which declarations and key slots
 * the bootloader compiles under the configuration ENV (NULL: nothing
 * known; ENV is not changed: the file's own #defines apply to a copy).
 * SUBJECT names it in errors.  On success *out is a new record
 * (keysc_info_free()).  Returns 0, or MCUPROV_ERR_FORMAT when an array or
 * the conditional structure cannot be read. */
int keysc_analyze(const char *text, size_t len, const char *subject, const struct pp_env *env,
		  struct keysc_info **out, struct mcuprov_err *err);

void keysc_info_free(struct keysc_info *info);

/* Set in ENV what a bootloader built for keys of TYPE defines, where ENV
 * does not say already (pp_env_default_*, origin "from the key type"):
 * its MCUBOOT_SIGN_* macro (and the 2017 BOOTUTIL_SIGN_* spelling)
 * defined, every other signature type's undefined, MCUBOOT_SIGN_RSA_LEN
 * 2048 or 3072 for RSA (undefined otherwise), MCUBOOT_HW_KEY undefined
 * (patching key bytes is for builds that compile keys in).  Returns 0 or
 * MCUPROV_ERR_NOMEM. */
int keysc_env_key_type(struct pp_env *env, enum key_type type, struct mcuprov_err *err);

/* Do the key slots TEXT compiles under ENV (the arrays the live
 * bootutil_keys[] entries name, or the live key arrays of a file without
 * a list) hold exactly KEYS, in order, each with a matching length, and
 * does a numeric bootutil_key_cnt agree?  For a self-check after patching
 * or rendering.  Returns 0, MCUPROV_ERR_REFUSED naming the first
 * difference, or the errors of keysc_analyze(). */
int keysc_verify(const char *text, size_t len, const char *subject, const struct pp_env *env,
		 const struct mcuprov_key *const *keys, size_t n_keys, struct mcuprov_err *err);

/* The MCUBOOT_SIGN_* macro that selects a key type in keys.c, or NULL. */
const char *keysc_sign_macro(enum key_type type);

/* Make a shape-1 keys.c trust exactly the public keys KEYS (all of one
 * type; N_KEYS >= 1) under the configuration INFO was analysed with:
 * key slot i (INFO->slots: the arrays the live bootutil_keys[] entries
 * name, or the live key arrays of a file without a list) gets key i — its
 * bytes, its length variable (unless it is a sizeof), its written size
 * NAME[N] if any — keeping the names, every other byte, every branch the
 * configuration does not compile, and the replaced array's style (line
 * ends, indentation, bytes per line, hex case, trailing comma).  A
 * `/\* key N: TYPE, SHA-256 HEX *\/` comment above an array (as
 * `mcuprov render -t inline-multi` writes) is updated with the array.
 * IMAGE >= 0 (--image): a list of one key per image (MCUBOOT_IMAGE_NUMBER)
 * gets KEYS[0] in slot IMAGE only; such a list with several slots is
 * refused without it, naming each image's key.
 * When there are another number of slots than keys:
 *  - more keys: arrays named after the last slot with _N (the first
 *    unused N; foo_1 continues as foo_2) are added after its length line,
 *    each after a blank line (and a key comment if the last one has one),
 *    in its style; an entry per array is added to bootutil_keys[] after
 *    the last one's, copied from it; a list that other key types'
 *    bootloaders compile too gets them inside `#if defined(<block>)` ...
 *    `#endif` (refused when no such simple #if selects the same builds);
 *  - fewer keys: the last slots (never slot 0) go with their length line,
 *    the key comment and blank line just above them, and their entries
 *    (and an #if in the list left without entries);
 *  - a numeric bootutil_key_cnt is updated; a sizeof quotient is left.
 * Refuses (MCUPROV_ERR_REFUSED, message saying what was found) another
 * shape, slots that cannot be told (INFO->slot_msg: a macro whose value
 * the configuration does not give, a count that disagrees with the list,
 * ...), no key array for the type, a slot without bytes (tentative
 * definition) or whose length disagrees with its bytes, and, when the
 * number changes, anything it cannot change for sure (see resize() in
 * keysc-edit.c).  The result is analysed again and must compile exactly
 * the keys (else MCUPROV_ERR_INTERNAL, nothing returned).  Patching twice
 * with the same keys gives the same text.  *out is malloc'd
 * (NUL-terminated), caller frees. */
int keysc_patch(const char *text, size_t len, const char *subject, const struct keysc_info *info,
		const struct mcuprov_key *const *keys, size_t n_keys, long image, char **out,
		size_t *out_len, struct mcuprov_err *err);

/* A key file defining array NAMES[i] (and NAMES[i]_len) with KEYS[i]'s
 * public key, getpub's layout, banner first: for a keys.c that declares
 * its key arrays without bytes.  *out is malloc'd, caller frees. */
int keysc_key_file(const struct mcuprov_key *const *keys, const char *const *names, size_t n_keys,
		   char **out, size_t *out_len, struct mcuprov_err *err);

/* The generated key file of shapes 2 and 3 for KEYS: imgtool's getpub
 * arrays (`ed25519_pub_key`, `ed25519_pub_key_1`, ...), banner first.
 * *out is malloc'd, caller frees. */
int keysc_generated_file(const struct mcuprov_key *const *keys, size_t n_keys, char **out,
			 size_t *out_len, struct mcuprov_err *err);

#endif
