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

#endif
