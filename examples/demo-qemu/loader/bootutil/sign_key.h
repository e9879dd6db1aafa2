/*
 * bootutil/sign_key.h for the mcuprov QEMU demo loader.
 *
 * Written for mcuprov (not MCUboot's header): it declares what an MCUboot
 * inline-array keys.c defines, so that the same keys.c that
 * `mcuprov patch --keys-c` edits builds into this loader unchanged.
 */

#ifndef DEMO_BOOTUTIL_SIGN_KEY_H
#define DEMO_BOOTUTIL_SIGN_KEY_H

/* One trusted image-signing public key: its DER bytes and their length. */
struct bootutil_key {
    const unsigned char *key;
    const unsigned int *len;
};

/* The trusted keys (defined in keys.c). */
extern const struct bootutil_key bootutil_keys[];
extern const int bootutil_key_cnt;

#endif /* DEMO_BOOTUTIL_SIGN_KEY_H */
