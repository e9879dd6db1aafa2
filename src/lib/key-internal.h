/* mcuprov core: what the key module shares with its token back end. */
#ifndef MCUPROV_KEY_INTERNAL_H
#define MCUPROV_KEY_INTERNAL_H

#include <openssl/evp.h>

#include "mcuprov/key.h"

/* A new key around PKEY (taken, freed on failure too): its type checked
 * as for a key file, its fingerprint matched against the dev keys.
 * The caller sets origin, ops and the rest.  Returns 0 or the error. */
int key_wrap_pkey(EVP_PKEY *pkey, const char *subject, struct mcuprov_key **out,
		  struct mcuprov_err *err);

/* Set PCTX (over a key of TYPE) up to sign, or VERIFY, a digest of MD as
 * MCUboot does: ECDSA, or RSA-PSS with MGF1 over MD and a 32-byte salt.
 * Returns 1 on success, 0 on an OpenSSL failure (its queue says why). */
int key_sig_ctx_init(EVP_PKEY_CTX *pctx, enum key_type type, const EVP_MD *md, bool verify);

#endif
