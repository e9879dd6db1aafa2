/*
 * Minimal stand-in for MCUboot's bootutil/sign_key.h, for compile checks of
 * keys.c files (tests/keysc-lib.sh).  Not MCUboot's header: it declares only
 * what a keys.c of each shape defines or refers to.
 */

#ifndef MCUPROV_STUB_SIGN_KEY_H
#define MCUPROV_STUB_SIGN_KEY_H

struct bootutil_key {
    const unsigned char *key;
    const unsigned int *len;
};

/* Trusted image signing keys (every shape). */
extern const struct bootutil_key bootutil_keys[];
extern const int bootutil_key_cnt;

/* Image encryption private key (MCUBOOT_ENC_IMAGES, generated shape). */
extern const struct bootutil_key bootutil_enc_key;

#endif /* MCUPROV_STUB_SIGN_KEY_H */
