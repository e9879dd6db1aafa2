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

enum keysc_shape {
	KEYSC_SHAPE_UNKNOWN = 0,
	KEYSC_SHAPE_INLINE,    /* 1 */
	KEYSC_SHAPE_GENERATED, /* 2 */
	KEYSC_SHAPE_MULTI,     /* 3 */
};

/* "inline arrays (2017-2018)", ... for messages. */
const char *keysc_shape_name(enum keysc_shape shape);

#define KEYSC_NAME_MAX 128

/* One inline key array and its length variable. */
struct keysc_array {
	char name[KEYSC_NAME_MAX];
	const char *block;   /* the MCUBOOT_SIGN_* macro of its #if, or NULL */
	bool is_key;         /* in a sign block, or listed in bootutil_keys[] */
	size_t n_bytes;      /* bytes in the initializer */
	bool has_len;
	unsigned long declared_len; /* NAME_len's value */
	size_t line;         /* of the declaration, 1-based */
	/* where to splice: the initializer between its braces, the _len digits */
	size_t body_start, body_end;
	size_t len_start, len_end;
	/* the whole declarations (first token to the end of the ';'; decl_end
	 * is 0 when no ';' follows the closing brace) and where the names are:
	 * to remove the array or copy it under another name */
	size_t decl_start, decl_end, name_start;
	size_t len_decl_start, len_decl_end, len_name_start;
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
	const char *cond; /* the MCUBOOT_SIGN_* of an `#if defined(...)` around it
			   * inside the list, or NULL */
	int group;	  /* that #if's index in the list's groups, or -1 */
};

/* `#if defined(MCUBOOT_SIGN_X)` ... `#endif` around entries inside a list. */
struct keysc_group {
	const char *cond;
	size_t if_start, if_end;       /* the two preprocessor lines ('#' to */
	size_t endif_start, endif_end; /* the end of the line, without its eol) */
};

/* `const struct bootutil_key bootutil_keys[] = { ... };` */
struct keysc_list {
	const char *block; /* the MCUBOOT_SIGN_* macro of its #if, or NULL */
	size_t line;
	size_t open, close; /* its braces */
	struct keysc_entry *entries;
	size_t n_entries;
	struct keysc_group *groups;
	size_t n_groups;
	size_t bad_line; /* nonzero: a line of it that is not an entry or a simple #if */
};

/* `const int bootutil_key_cnt = EXPR;` */
enum keysc_count_kind {
	KEYSC_COUNT_OTHER = 0,
	KEYSC_COUNT_NUMBER, /* `= 2` */
	KEYSC_COUNT_SIZEOF, /* `= sizeof(bootutil_keys) / sizeof(bootutil_keys[0])` */
};

struct keysc_count {
	const char *block;
	size_t line;
	enum keysc_count_kind kind;
	unsigned long value; /* KEYSC_COUNT_NUMBER */
	size_t start, end;   /* EXPR */
};

struct keysc_info {
	enum keysc_shape shape;
	struct keysc_array *arrays; /* shape 1 */
	size_t n_arrays;
	/* shapes 2 and 3: the key types keys.c declares (bit per key_type) */
	unsigned declared_types;
	unsigned max_suffix; /* highest _N suffix declared (shape 3) */
	/* style, kept when patching */
	const char *eol;     /* "\n" or "\r\n" */
	char indent[16];
	unsigned per_line;
	bool trailing_comma;
	bool upper_hex;
	/* shape 1: the key lists and counts (one per #if block at most, usually
	 * one in all) */
	struct keysc_list *lists;
	size_t n_lists;
	struct keysc_count *counts;
	size_t n_counts;
};

/* Analyse the keys.c text TEXT (untrusted: bounded, no assumption that it
 * is valid C) and describe its shape.  SUBJECT names it in errors.
 * On success *out is a new record (keysc_info_free()).  Returns 0, or
 * MCUPROV_ERR_FORMAT when an array cannot be read. */
int keysc_analyze(const char *text, size_t len, const char *subject, struct keysc_info **out,
		  struct mcuprov_err *err);

void keysc_info_free(struct keysc_info *info);

/* The MCUBOOT_SIGN_* macro that selects a key type in keys.c, or NULL. */
const char *keysc_sign_macro(enum key_type type);

/* Make a shape-1 keys.c trust exactly the public keys KEYS (all of one
 * type; N_KEYS >= 1): array i of the type's block gets key i, its bytes
 * and its _len, keeping the names, every other byte and the file's style
 * (line ends, indentation, bytes per line, hex case, trailing comma).  A
 * `/\* key N: TYPE, SHA-256 HEX *\/` comment above an array (as
 * `mcuprov render -t inline-multi` writes) is updated with the array.
 * When the block holds another number of arrays than keys:
 *  - more keys: arrays named after the block's last one with _N (the first
 *    unused N; foo_1 continues as foo_2) are added after its _len line,
 *    each after a blank line (and a key comment if the last one has one),
 *    in its style; an entry per array is added to bootutil_keys[] after
 *    the last one's, copied from it; a list outside the #if that other
 *    sign blocks share gets them inside `#if defined(<block>)` ... `#endif`;
 *  - fewer keys: the block's last arrays (never array 0) go with their
 *    _len line, the key comment and blank line just above them, and their
 *    entries (and an #if in the list left without entries);
 *  - a numeric bootutil_key_cnt is updated; a sizeof quotient is left.
 * Refuses (MCUPROV_ERR_REFUSED, message saying what was found) another
 * shape, a missing block for the type, an array whose _len is missing or
 * disagrees with its bytes, and, when the number changes, anything it
 * cannot change for sure: no bootutil_keys[] list (or two) for the build,
 * a list line that is not a plain entry or `#if defined(MCUBOOT_SIGN_...)`,
 * an entry naming no array of the build or not in the arrays' order, a
 * count that is not a number or sizeof or disagrees with the list, a
 * numeric count or an unconditional entry that other sign blocks share,
 * arrays to remove whose names are used anywhere else, declarations
 * sharing their lines with other code, arrays to add that would come after
 * the list naming them (the last one's _len defined below bootutil_keys[]).
 * Patching twice with the same keys gives the same text.  *out is malloc'd
 * (NUL-terminated), caller frees. */
int keysc_patch(const char *text, size_t len, const char *subject, const struct keysc_info *info,
		const struct mcuprov_key *const *keys, size_t n_keys, char **out, size_t *out_len,
		struct mcuprov_err *err);

/* The generated key file of shapes 2 and 3 for KEYS: imgtool's getpub
 * arrays (`ed25519_pub_key`, `ed25519_pub_key_1`, ...), banner first.
 * *out is malloc'd, caller frees. */
int keysc_generated_file(const struct mcuprov_key *const *keys, size_t n_keys, char **out,
			 size_t *out_len, struct mcuprov_err *err);

#endif
