/* libFuzzer target for the keys.c reader and patcher: keysc_analyze() on
 * the input and, for an inline keys.c (shape 1), keysc_patch() with 1, 2
 * and 3 fixed keys of each of three types (ed25519, ecdsa-p256, rsa-2048:
 * one type per call, so each sign block and a resize in both directions
 * are reached).  Every successful patch is checked against the contract:
 *  - the output is NUL-terminated at its length;
 *  - keysc_analyze() accepts the output as an inline keys.c;
 *  - patching the output again with the same keys gives the same text.
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
