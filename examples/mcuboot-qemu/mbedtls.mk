# mbedtls.mk: SIGN=RSA and SIGN=EC384 of the MCUboot QEMU port (included by
# the Makefile once its variables are set).  MCUboot verifies these with
# mbedTLS, compiled here from the source tree at MBEDTLS_DIR (2.28, as
# Debian 12 ships it -- scripts/fetch-mbedtls DIR in mcuprov's source tree
# unpacks it -- or 3.x) with port/include/mcuboot-mbedtls-config.h:
#
#   SIGN=RSA [RSA_LEN=2048|3072]  MCUBOOT_USE_MBED_TLS: RSA-PSS, SHA-256
#   SIGN=EC384                    MCUBOOT_USE_PSA_CRYPTO (MCUboot verifies
#                                 P-384 only through PSA): ECDSA P-384,
#                                 SHA-384 image hash and KEYHASH
#
# mbedTLS replaces MCUboot's ext/mbedtls-asn1 (same symbols); tinycrypt's
# SHA-256 stays for the port's key fingerprint.

RSA_LEN ?= 2048

ifeq ($(SIGN),RSA)
ifeq ($(filter 2048 3072,$(RSA_LEN)),)
$(error RSA_LEN=$(RSA_LEN): 2048 or 3072)
endif
MBEDTLS_SIGN_CFLAGS = -DMCUBOOT_SIGN_RSA_LEN=$(RSA_LEN)
MBEDTLS_LIB_SRCS = rsa.c rsa_internal.c rsa_alt_helpers.c md.c sha256.c oid.c
MBEDTLS_PORT_OBJS =
else
MBEDTLS_SIGN_CFLAGS =
MBEDTLS_LIB_SRCS = ecp.c ecp_curves.c ecdsa.c asn1write.c sha512.c md.c \
	psa_crypto.c psa_crypto_client.c psa_crypto_driver_wrappers.c \
	psa_crypto_driver_wrappers_no_static.c psa_crypto_ecp.c psa_crypto_hash.c \
	psa_crypto_slot_management.c psa_util.c
MBEDTLS_PORT_OBJS = $(O)/port/mbedtls_port.o
endif
# common; each list names the files of 2.28 and 3.x, those of this tree are built
MBEDTLS_LIB_SRCS += asn1parse.c bignum.c bignum_core.c constant_time.c platform_util.c
MBEDTLS_LIB_SRCS := $(notdir $(wildcard $(addprefix $(MBEDTLS_DIR)/library/,$(MBEDTLS_LIB_SRCS))))

MBEDTLS_CFLAGS = $(MBEDTLS_SIGN_CFLAGS) -I$(MBEDTLS_DIR)/include \
	-DMBEDTLS_CONFIG_FILE='"mcuboot-mbedtls-config.h"'
MCUBOOT_CFLAGS := $(MBEDTLS_CFLAGS) \
	$(filter-out -I$(MCUBOOT_DIR)/ext/mbedtls-asn1/include,$(MCUBOOT_CFLAGS))
PORT_CFLAGS := $(MBEDTLS_CFLAGS) $(PORT_CFLAGS)
# mbedTLS's own sources: its library/ headers; -Wall, warnings not fatal
MBEDTLS_LIB_CFLAGS = $(MCUBOOT_CFLAGS) -I$(MBEDTLS_DIR)/library

EXT_SRCS := $(filter-out ext/mbedtls-asn1/%,$(EXT_SRCS))
MBEDTLS_OBJS = $(addprefix $(O)/mbedtls/,$(MBEDTLS_LIB_SRCS:.c=.o))
MCUBOOT_OBJS += $(MBEDTLS_OBJS)
PORT_OBJS += $(MBEDTLS_PORT_OBJS)

$(O)/mbedtls/%.o: $(MBEDTLS_DIR)/library/%.c $(O)/flags
	@mkdir -p $(@D)
	$(CC) $(MBEDTLS_LIB_CFLAGS) -MMD -MP -c -o $@ $<
