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

/* Replace, in a shape-1 keys.c, the contents and lengths of the arrays in
 * the block for the keys' type with the public keys KEYS (all of one type;
 * array i gets key i), keeping the names, every other byte and the file's
 * style (line ends, indentation, bytes per line, hex case, trailing comma).
 * Refuses (MCUPROV_ERR_REFUSED, message saying what was found) another
 * shape, a missing block for the type, a block holding a different number
 * of arrays than keys, and any array whose _len disagrees with its bytes.
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
