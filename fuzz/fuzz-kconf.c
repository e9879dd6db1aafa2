/* libFuzzer target for the Kconfig fragment patcher: kconf_patch() on the
 * input with three fixed settings (ed25519 with one key file and a note;
 * rsa-2048 with two key files and an encryption key; ecdsa-p256 with no
 * key file), each checked against the contract:
 *  - the output is NUL-terminated at its length;
 *  - applying the same settings to the output changes nothing.
 * A refusal must say why.  The bootloader configuration checks read their
 * files through ppcond's pp_env_read_kconfig() / pp_env_read_header(), and
 * bootcfg_from_env() takes their environment: not fuzzed here.
 *
 * Run: make fuzz-run (all targets) or fuzz/fuzz-kconf CORPUS_DIR */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcuprov/error.h"
#include "mcuprov/kconf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const ed_files[] = {"keys/root-ed25519.pem"};
static const char *const rsa_files[] = {"/abs/keys/signing.pem", "keys dir/next key.pem"};

static const struct kconf_settings settings[] = {
	{KEY_ED25519, ed_files, 1, NULL, "set by mcuprov"},
	{KEY_RSA2048, rsa_files, 2, "keys/enc-rsa2048-priv.pem", NULL},
	{KEY_ECDSA_P256, NULL, 0, NULL, NULL},
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct mcuprov_err err;
	size_t i;

	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		char *out = NULL, *out2 = NULL;
		size_t out_len = 0, out2_len = 0;

		err_clear(&err);
		if (kconf_patch(text, size, "mcuboot.conf", &settings[i], &out, &out_len, &err) <
		    0) {
			if (out != NULL || err.code == 0 || err.msg[0] == '\0')
				abort();
			continue;
		}
		if (out == NULL || out[out_len] != '\0')
			abort();
		err_clear(&err);
		if (kconf_patch(out, out_len, "mcuboot.conf", &settings[i], &out2, &out2_len,
				&err) < 0) {
			fprintf(stderr, "fuzz-kconf: patching again (%s) fails: %s\n",
				key_type_name(settings[i].type), err.msg);
			abort();
		}
		if (out2_len != out_len || memcmp(out, out2, out_len) != 0) {
			fprintf(stderr, "fuzz-kconf: patching twice (%s) changes the text\n",
				key_type_name(settings[i].type));
			abort();
		}
		free(out2);
		free(out);
	}
	return 0;
}
