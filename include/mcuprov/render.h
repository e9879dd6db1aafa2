/* mcuprov core: bootloader key files rendered from templates.
 *
 * A template is text with mustache-like placeholders (the full syntax is in
 * templates/README.md):
 *
 *   {{var}}               a value: count, type, sign_define, kconfig_type,
 *                         banner, ldelim ("{{"); rsa_len inside {{#rsa}};
 *                         name, index, suffix, bytes, len, fingerprint,
 *                         type inside {{#keys}}; enc_bytes, enc_len inside
 *                         {{#enc}}
 *   {{#sec}}..{{/sec}}    a section: keys (once per signing key), first (the
 *                         first key, inside keys), enc (with --enc-key),
 *                         rsa (signature type is RSA)
 *   {{^sec}}..{{/sec}}    an inverted section: rendered when sec is false
 *   {{! text}}            a comment
 *   {{%keys N}}, {{%keys N-M}}, {{%enc required}}
 *                         declarations: how many signing keys the template
 *                         takes (default 1-RENDER_KEYS_MAX) and that it needs
 *                         an encryption key
 *
 * A line holding only a section tag, a comment or a declaration (and blanks)
 * leaves no trace in the output.  Everything else is copied as is.  Anything
 * unknown or misplaced is an error naming the template line, so a template
 * never renders into something the bootloader build reads differently.
 *
 * Rules on the keys, whatever the template: all signing keys have one
 * signing type (MCUboot is built for one signature type), no key appears
 * twice, the encryption key is a private rsa-2048, ecdsa-p256 or x25519 key
 * distinct from every signing key, and MCUboot's published development keys
 * are refused without RENDER_ALLOW_DEVKEY.  Only the public part of a
 * signing key is ever rendered. */
#ifndef MCUPROV_RENDER_H
#define MCUPROV_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "mcuprov/error.h"
#include "mcuprov/key.h"

#define RENDER_TEMPLATE_MAX (64 * 1024)	  /* largest template file */
#define RENDER_OUTPUT_MAX   (1024 * 1024) /* largest rendered output */
#define RENDER_KEYS_MAX	    16		  /* most signing keys in one file */

/* A key to render and the name the user gave it (its file), for messages. */
struct render_key {
	const struct mcuprov_key *key;
	const char *label;
};

enum render_flags {
	RENDER_ALLOW_DEVKEY = 1 << 0, /* accept MCUboot's published dev keys */
};

/* Check the syntax of template TEXT (LEN bytes) named NAME in messages,
 * without rendering it.  Returns 0 or MCUPROV_ERR_FORMAT with
 *   template '<name>': line <n>: <reason>
 * in ERR (subject empty). */
int render_check(const char *name, const char *text, size_t len, struct mcuprov_err *err);

/* Render template TEXT (LEN bytes, named NAME in messages; BANNER_NAME, or
 * NAME when NULL, goes into {{banner}}) with the signing keys KEYS[0..NKEYS)
 * and the optional encryption key ENC (NULL: none).  FLAGS: render_flags.
 * On success *out is a malloc'd NUL-terminated text of *out_len bytes
 * (at most RENDER_OUTPUT_MAX); it holds a private key when ENC is given, so
 * always release it with OPENSSL_clear_free(*out, *out_len).
 * Returns 0, MCUPROV_ERR_FORMAT (template syntax, output too large),
 * MCUPROV_ERR_USAGE (key count, mixed or non-signing types, a key given
 * twice, enc key missing or unused, public enc key), MCUPROV_ERR_UNSUPPORTED
 * (enc key type), MCUPROV_ERR_REFUSED (dev key, enc key also a signing key),
 * or a key-encoding error. */
int render(const char *name, const char *banner_name, const char *text, size_t len,
	   const struct render_key *keys, size_t nkeys, const struct render_key *enc,
	   unsigned flags, char **out, size_t *out_len, struct mcuprov_err *err);

/* Check TEXT (LEN bytes), rendered from the template NAME (in messages;
 * PATH, or NAME when NULL, is its file) with the signing keys
 * KEYS[0..NKEYS), against the bootloader configuration
 * `-D DEFINES` / `-U UNDEFS` and, for what they leave unsaid, the keys'
 * type (keysc_env_key_type()): when TEXT is a keys.c of inline key arrays
 * (keysc_analyze() says KEYSC_SHAPE_INLINE) and PATH no Kconfig fragment
 * (*.conf, *.conf.tmpl), the key slots its conditionals compile must hold
 * exactly KEYS, in order (keysc_verify(), subject NAME).  Any other text
 * (a generated key file, an encryption key, a fragment) passes.  Returns
 * 0, MCUPROV_ERR_REFUSED (the first difference), MCUPROV_ERR_USAGE (a bad
 * -D / -U), or the other errors of keysc_verify(). */
int render_verify(const char *name, const char *path, const char *text, size_t len,
		  const struct render_key *keys, size_t nkeys, const char *const *defines,
		  size_t n_defines, const char *const *undefs, size_t n_undefs,
		  struct mcuprov_err *err);

/* Load the template NAME: a path when it contains '/', else a file name in
 * the template directories, in order: $MCUPROV_TEMPLATES/keys, the source
 * tree's templates/keys (for an uninstalled build), then
 * $(pkgdatadir)/templates/keys.  A NAME without ".tmpl" also finds the one
 * template NAME.*.tmpl ("inline-single" finds inline-single.c.tmpl).
 * On success *text (NUL-terminated, *len bytes, at most RENDER_TEMPLATE_MAX)
 * and *path (the file read) are malloc'd; the caller frees both.
 * Returns 0, MCUPROV_ERR_USAGE (no such template, ambiguous: the message
 * lists the available ones) or a file_read() error. */
int render_template_load(const char *name, char **text, size_t *len, char **path,
			 struct mcuprov_err *err);

#endif
