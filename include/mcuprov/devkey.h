/* mcuprov core: MCUboot's published development keys.
 *
 * MCUboot ships key pairs (root-rsa-2048.pem, root-ec-p256.pem, ...) whose
 * private halves are public.  A bootloader that trusts one of them verifies
 * anybody's firmware.  mcuprov recognises them by the SHA-256 fingerprint of
 * their public key so that it can warn on every use and refuse them in
 * production. */
#ifndef MCUPROV_DEVKEY_H
#define MCUPROV_DEVKEY_H

#include <stdint.h>

#include "mcuprov/key.h"

struct devkey {
	const char *name;          /* file name in the MCUboot tree */
	enum key_type type;
	uint8_t fingerprint[KEY_FINGERPRINT_LEN];
};

/* The published key with this public-key fingerprint, or NULL. */
const struct devkey *devkey_find(const uint8_t fingerprint[KEY_FINGERPRINT_LEN]);

/* The table itself, terminated by an entry with name == NULL. */
extern const struct devkey devkey_table[];

#endif
