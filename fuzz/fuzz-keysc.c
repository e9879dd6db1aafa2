/* libFuzzer target for the keys.c reader and patcher: keysc_analyze() on
 * the input, as a bootloader for each of three key types would build it
 * (ed25519, ecdsa-p256, rsa-2048: the key type's configuration), and, for
 * an inline keys.c (shape 1), keysc_patch() with 1, 2 and 3 fixed keys of
 * that type (so each sign block and a resize in both directions are
 * reached); then the same on a keys.c with conditional structure the
 * input builds (structured()).  Every successful patch is checked against the contract:
 *  - the output is NUL-terminated at its length;
 *  - keysc_analyze() accepts the output as an inline keys.c;
 *  - patching the output again with the same keys gives the same text.
 *  - no MCUPROV_ERR_INTERNAL: keysc_patch() checks its result compiles
 *    exactly the keys and that no edit touches a line the configuration
 *    does not compile, so only live arrays change.
 * A refusal must say why.  Everything is freed, so libFuzzer's leak
 * detection covers both functions.
 *
 * The keys are built once from constant DER (no I/O, no randomness: a
 * crash replays with the same key bytes): ed25519 PKCS#8 from fixed seeds,
 * P-256 SEC1 from fixed scalars, RSA PKCS#1 public keys with a fixed
 * 2048-bit modulus (never used to verify, so it need not be a real one).
 *
 * Run: make fuzz-run (all targets) or fuzz/fuzz-keysc CORPUS_DIR */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcuprov/error.h"
#include "mcuprov/key.h"
#include "mcuprov/keysc.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define N_TYPES 3
#define N_KEYS	3

static const struct mcuprov_key *keys[N_TYPES][N_KEYS];

static struct mcuprov_key *load_der(const uint8_t *der, size_t len)
{
	struct mcuprov_key *k = NULL;
	struct mcuprov_err err;

	err_clear(&err);
	if (key_load_mem(der, len, "fuzz-keysc key", NULL, NULL, &k, &err) < 0) {
		fprintf(stderr, "fuzz-keysc: cannot build a key: %s\n", err.msg);
		abort();
	}
	return k;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* ed25519 PrivateKeyInfo: this prefix, then the 32-byte seed */
	static const uint8_t ed_head[] = {0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
					  0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
	/* SEC1 ECPrivateKey: version 1, the 32-byte scalar, [0] prime256v1
	 * (OpenSSL computes the public point) */
	static const uint8_t ec_head[] = {0x30, 0x31, 0x02, 0x01, 0x01, 0x04, 0x20};
	static const uint8_t ec_tail[] = {0xa0, 0x0a, 0x06, 0x08, 0x2a, 0x86,
					  0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
	/* PKCS#1 RSAPublicKey: SEQUENCE { INTEGER n (256 bytes), INTEGER 65537 } */
	static const uint8_t rsa_head[] = {0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01, 0x00};
	static const uint8_t rsa_tail[] = {0x02, 0x03, 0x01, 0x00, 0x01};
	uint8_t der[300];
	size_t i, j;

	(void)argc;
	(void)argv;
	for (i = 0; i < N_KEYS; i++) {
		memcpy(der, ed_head, sizeof(ed_head));
		memset(der + sizeof(ed_head), (int)(0x11 * (i + 1)), 32);
		keys[0][i] = load_der(der, sizeof(ed_head) + 32);

		memcpy(der, ec_head, sizeof(ec_head));
		memset(der + sizeof(ec_head), (int)(0x21 * (i + 1)), 32);
		memcpy(der + sizeof(ec_head) + 32, ec_tail, sizeof(ec_tail));
		keys[1][i] = load_der(der, sizeof(ec_head) + 32 + sizeof(ec_tail));

		memcpy(der, rsa_head, sizeof(rsa_head));
		for (j = 0; j < 256; j++)
			der[sizeof(rsa_head) + j] = (uint8_t)(j * 131 + i * 17 + 7);
		der[sizeof(rsa_head)] |= 0xc0;	  /* 2048 bits */
		der[sizeof(rsa_head) + 255] |= 1; /* odd */
		memcpy(der + sizeof(rsa_head) + 256, rsa_tail, sizeof(rsa_tail));
		keys[2][i] = load_der(der, sizeof(rsa_head) + 256 + sizeof(rsa_tail));
	}
	if (keys[0][0]->type != KEY_ED25519 || keys[1][0]->type != KEY_ECDSA_P256 ||
	    keys[2][0]->type != KEY_RSA2048)
		abort();
	return 0;
}

/* Patch TEXT (analysed as INFO) with the first N keys of type row T and
 * check the result. */
static void patch_check(const char *text, size_t len, const struct keysc_info *info, size_t t,
			size_t n, const struct pp_env *env)
{
	struct keysc_info *info2 = NULL;
	struct mcuprov_err err;
	char *out = NULL, *out2 = NULL;
	size_t out_len = 0, out2_len = 0;

	err_clear(&err);
	if (keysc_patch(text, len, "keys.c", info, keys[t], n, -1, &out, &out_len, &err) < 0) {
		/* MCUPROV_ERR_INTERNAL: a self-check caught a wrong result */
		if (out != NULL || err.code == 0 || err.msg[0] == '\0' ||
		    err.code == MCUPROV_ERR_INTERNAL) {
			fprintf(stderr, "fuzz-keysc: %s\n", err.msg);
			abort();
		}
		return;
	}
	if (out == NULL || out[out_len] != '\0')
		abort();
	err_clear(&err);
	if (keysc_analyze(out, out_len, "keys.c", env, &info2, &err) < 0) {
		fprintf(stderr, "fuzz-keysc: the patched text (%zu %s keys) does not analyse: %s\n",
			n, key_type_name(keys[t][0]->type), err.msg);
		abort();
	}
	if (info2->shape != KEYSC_SHAPE_INLINE) {
		fprintf(stderr, "fuzz-keysc: the patched text is a %s\n",
			keysc_shape_name(info2->shape));
		abort();
	}
	err_clear(&err);
	if (keysc_patch(out, out_len, "keys.c", info2, keys[t], n, -1, &out2, &out2_len, &err) <
	    0) {
		fprintf(stderr, "fuzz-keysc: patching again (%zu %s keys) fails: %s\n", n,
			key_type_name(keys[t][0]->type), err.msg);
		abort();
	}
	if (out2_len != out_len || memcmp(out, out2, out_len) != 0) {
		fprintf(stderr, "fuzz-keysc: patching twice (%zu %s keys) changes the text\n", n,
			key_type_name(keys[t][0]->type));
		abort();
	}
	free(out2);
	keysc_info_free(info2);
	free(out);
}

/* Analyse TEXT as a bootloader for keys of type row T would build it and
 * patch it with 1 to N_KEYS keys. */
static void check_type(const char *text, size_t size, size_t t)
{
	struct keysc_info *info = NULL;
	struct pp_env *env = NULL;
	struct mcuprov_err err;
	size_t n;

	err_clear(&err);
	if (pp_env_new(&env, &err) < 0 || keysc_env_key_type(env, keys[t][0]->type, &err) < 0)
		abort();
	if (keysc_analyze(text, size, "keys.c", env, &info, &err) < 0) {
		if (info != NULL || err.code == 0 || err.msg[0] == '\0')
			abort();
		pp_env_free(env);
		return;
	}
	if (info == NULL)
		abort();
	if (info->shape == KEYSC_SHAPE_INLINE) {
		for (n = 1; n <= N_KEYS; n++)
			patch_check(text, size, info, t, n, env);
	} else {
		/* other shapes hold no key bytes: always refused */
		char *out = NULL;
		size_t out_len = 0;

		err_clear(&err);
		if (keysc_patch(text, size, "keys.c", info, keys[t], 1, -1, &out, &out_len, &err) !=
			    MCUPROV_ERR_REFUSED ||
		    out != NULL)
			abort();
	}
	keysc_info_free(info);
	pp_env_free(env);
}

/* A keys.c with conditional structure made from the input: before each
 * line of BASE, the next input byte may put one of DIRECTIVES (its low
 * nibble; 14 and 15 put nothing); the #ifs left open are closed at the
 * end.  So nested #if, #ifndef, #elif, #else, #define and expressions on
 * macro values reach the analysis and the patcher, whose own checks (the
 * patched text compiles exactly the keys; no edit touches a line the
 * configuration does not compile) make any wrong result an abort. */
static const char *const base[] = {
	"#include <bootutil/sign_key.h>",
	"const unsigned char root_pub_der[] = {",
	"    0x30, 0x59, 0x30, 0x13,",
	"};",
	"const unsigned int root_pub_der_len = 4;",
	"static const unsigned char root_pub_der_1[4] = { 0x01, 0x02, 0x03, 0x04 };",
	"static const unsigned int root_pub_der_1_len = 4;",
	"const unsigned char root_pub_der_2[] = { 0x00 };",
	"const uint32_t root_pub_der_2_len = sizeof(root_pub_der_2);",
	"const struct bootutil_key bootutil_keys[] = {",
	"    { .key = root_pub_der, .len = &root_pub_der_len, },",
	"    { .key = root_pub_der_1, .len = &root_pub_der_1_len, },",
	"    { .key = root_pub_der_2, .len = &root_pub_der_2_len, },",
	"};",
	"const int bootutil_key_cnt = sizeof(bootutil_keys) / sizeof(bootutil_keys[0]);",
};
static const char *const directives[] = {
	"#if defined(MCUBOOT_SIGN_EC256)",
	"#ifndef MCUBOOT_SIGN_EC384",
	"#ifdef MCUBOOT_SIGN_ED25519",
	"#if MCUBOOT_SIGN_RSA_LEN == 2048",
	"#elif defined(MCUBOOT_SIGN_RSA)",
	"#elif MCUBOOT_SIGN_RSA_LEN == 3072",
	"#else",
	"#endif",
	"#if !defined(MCUBOOT_HW_KEY)",
	"#if defined(MCUBOOT_SIGN_EC256) || \\\n    defined(MCUBOOT_SIGN_ED25519)",
	"#define HAVE_KEYS",
	"#if defined(HAVE_KEYS) && (MCUBOOT_IMAGE_NUMBER > 1 || 1)",
	"#if 0 /* old key */",
	"#if defined(MCUBOOT_SIGN_KEY_2)",
};

static void structured(const uint8_t *data, size_t size)
{
	char text[4096];
	size_t used = 0, i, d = 0, open = 0, t;

	for (i = 0; i < sizeof(base) / sizeof(base[0]); i++) {
		unsigned b = d < size ? data[d++] & 0x0f : 15;

		if (b < sizeof(directives) / sizeof(directives[0])) {
			used += (size_t)snprintf(text + used, sizeof(text) - used, "%s\n", directives[b]);
			if (strncmp(directives[b], "#if", 3) == 0)
				open++;
			else if (strcmp(directives[b], "#endif") == 0 && open > 0)
				open--;
		}
		used += (size_t)snprintf(text + used, sizeof(text) - used, "%s\n", base[i]);
	}
	while (open-- > 0)
		used += (size_t)snprintf(text + used, sizeof(text) - used, "#endif\n");
	for (t = 0; t < N_TYPES; t++)
		check_type(text, used, t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t t;

	for (t = 0; t < N_TYPES; t++)
		check_type((const char *)data, size, t);
	structured(data, size);
	return 0;
}
