/*
 * Empty stand-in for MCUboot's mcuboot_config/mcuboot_config.h, for compile
 * checks of keys.c files (tests/keysc-lib.sh): the configuration
 * (MCUBOOT_SIGN_*, MCUBOOT_SIGN_KEY_COUNT, MCUBOOT_ENC_IMAGES) comes from -D
 * options, or from a real config header found earlier on the -I path.
 */

#ifndef MCUPROV_STUB_MCUBOOT_CONFIG_H
#define MCUPROV_STUB_MCUBOOT_CONFIG_H
#endif
