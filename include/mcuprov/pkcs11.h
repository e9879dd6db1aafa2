/* mcuprov core: keys that live in a PKCS#11 token.
 *
 * A key is named by an RFC 7512 URI ("pkcs11:token=prod;object=signing-2026")
 * wherever a key file is accepted: key_load() hands such a name to
 * pkcs11_key_load().  p11-kit parses the URI and loads the modules (the
 * ones p11-kit is configured with, or the one pkcs11_set_module() names);
 * the operations are the PKCS#11 C API.  The private key is never read:
 * a token key's public half is built from the token's public key object,
 * and it signs through key_sign() inside the token (CKM_EDDSA, CKM_ECDSA on
 * the image digest, CKM_RSA_PKCS_PSS with MCUboot's parameters).
 *
 * The PIN: the URI's pin-value, else its pin-source (a file), else the
 * caller's key_passwd_cb; one C_Login per load, never retried, and never
 * tried at all when the token says one attempt is left before it locks. */
#ifndef MCUPROV_PKCS11_H
#define MCUPROV_PKCS11_H

#include <stdbool.h>
#include <stddef.h>

#include "mcuprov/error.h"
#include "mcuprov/key.h"

/* Does NAME start with the "pkcs11:" scheme (case-insensitive)? */
bool pkcs11_is_uri(const char *name);

/* Use the module at PATH (a shared object) instead of p11-kit's configured
 * modules, for the rest of the process (NULL: back to the configured
 * ones).  Takes effect at the next load when no token key is open.
 * Returns 0 or MCUPROV_ERR_NOMEM. */
int pkcs11_set_module(const char *path, struct mcuprov_err *err);

/* Does URI carry a pin-value attribute (a PIN in clear text)? */
bool pkcs11_uri_has_pin_value(const char *uri);

/* URI without its pin-value attribute, for messages, logs and files:
 * malloc'd, caller frees; NULL when out of memory. */
char *pkcs11_uri_redact(const char *uri);

/* Does URI name a public key only (type=public)?  False for a URI that
 * does not parse. */
bool pkcs11_uri_is_public(const char *uri);

/* URI naming the public half of the key URI names: its path part without
 * any type= and with type=public, the query (after '?') as it was.  What a
 * key that no longer signs is kept as (rotate).  malloc'd, caller frees;
 * NULL when out of memory. */
char *pkcs11_uri_public(const char *uri);

/* The object label URI names (object=, percent-decoded), malloc'd; NULL
 * when it names none or does not parse. */
char *pkcs11_uri_label(const char *uri);

/* Load the key URI names: exactly one token must match the URI's token
 * and slot attributes, and in it exactly one public key object the
 * object/id attributes (or, after login, one private key whose public
 * half it exposes).  Unless FLAGS has KEY_LOAD_PUBLIC or the URI says
 * type=public, the token is logged in (the PIN from the URI's
 * pin-value/pin-source or PW_CB) and the private key found, so that the
 * key signs (key_can_sign()).  *out is a new key (origin
 * KEY_ORIGIN_TOKEN, uri and where set) the caller releases with
 * key_free(), which closes its session.
 * Returns 0; MCUPROV_ERR_USAGE (a URI that does not parse or names no
 * key), MCUPROV_ERR_IO (the module does not load, no such token or
 * object, several match, a token error), MCUPROV_ERR_PASSWORD (no PIN,
 * wrong PIN), MCUPROV_ERR_REFUSED (PIN locked or one attempt left),
 * MCUPROV_ERR_UNSUPPORTED (a key type MCUboot does not use). */
int pkcs11_key_load(const char *uri, unsigned flags, key_passwd_cb pw_cb, void *pw_arg,
		    struct mcuprov_key **out, struct mcuprov_err *err);

/* Generate a key pair of TYPE in the one token URI matches, labelled with
 * the URI's object (required) and its id (or 16 random bytes): the private
 * key sensitive, never extractable, CKA_SIGN; the public key CKA_VERIFY.
 * Logs in as pkcs11_key_load() does.  Refuses X25519 (a bootloader's
 * decryption key is embedded in it, so it cannot live in a token) and a
 * label or id the token already holds (a key in a token is never
 * replaced).  *out as pkcs11_key_load().  Returns 0, MCUPROV_ERR_EXISTS,
 * MCUPROV_ERR_UNSUPPORTED (type, or a mechanism the token lacks), or an
 * error of pkcs11_key_load(). */
int pkcs11_keygen(const char *uri, enum key_type type, key_passwd_cb pw_cb, void *pw_arg,
		  struct mcuprov_key **out, struct mcuprov_err *err);

/* One signing key found in a token by pkcs11_list(). */
struct pkcs11_entry {
	char *uri;   /* "pkcs11:token=prod;object=signing-2026" (id added when the label is not unique) */
	char *token; /* the token's label */
	char *label; /* the object's label ("" when none) */
	enum key_type type;
	char fingerprint[2 * KEY_FINGERPRINT_LEN + 1];
};

/* Every public key of a type MCUboot signs with, in every token (of the
 * tokens FILTER matches, when FILTER is a URI), without logging in.
 * Keys of other types are skipped.  *out (n entries) is released with
 * pkcs11_list_free().  Returns 0 (no module or no token: 0 entries when
 * FILTER is NULL) or an error as pkcs11_key_load(). */
int pkcs11_list(const char *filter, struct pkcs11_entry **out, size_t *n,
		struct mcuprov_err *err);

void pkcs11_list_free(struct pkcs11_entry *v, size_t n);

#endif
