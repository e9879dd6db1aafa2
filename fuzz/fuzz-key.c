/* libFuzzer target for the key reader: key_load_mem() on the input (PEM
 * or DER, any structure OpenSSL's decoders know), with a password callback
 * that always answers "mcuprov-test" (the password of the shared vectors'
 * keys-enc/), so encrypted keys are decrypted and parsed too.  For a key it
 * accepts, every export a command can make of it:
 *  - key_fingerprint_hex(), key_public_der(), key_public_pem(): the
 *    public DER and PEM load back as a public key of the same type and
 *    fingerprint;
 *  - for a private key, key_private_pem() without a password (with one it
 *    only adds a PBKDF2 run) loads back as the same private key, and
 *    key_private_der() in each format, full and minimal (refusals must say
 *    why).
 * key_encryption_info() reads every input too: its texts are terminated,
 * a weak encryption says why and no encryption has no text.
 * Everything is freed, so libFuzzer's leak detection covers the loader.
 *
 * Inputs over 16 KiB are skipped: a key file is under 3 KiB (the CLI reads
 * at most KEY_FILE_MAX), and OpenSSL's decoders try every format on the
 * whole input, so larger inputs only slow the fuzzer down.
 *
 * Run: make fuzz-run (all targets) or fuzz/fuzz-key CORPUS_DIR */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "mcuprov/error.h"
#include "mcuprov/key.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_KEY_MAX (16 * 1024)

static int password(char *buf, size_t size, void *arg)
{
	static const char pw[] = "mcuprov-test";

	(void)arg;
	if (size < sizeof(pw))
		return -1;
	memcpy(buf, pw, sizeof(pw));
	return (int)(sizeof(pw) - 1);
}

/* Load the export BUF back and check it is KEY again (IS_PRIVATE: with its
 * private half). */
static void reload_check(const struct mcuprov_key *key, const void *buf, size_t len,
			 bool is_private, const char *what)
{
	struct mcuprov_key *k2 = NULL;
	struct mcuprov_err err;
	char fp[2 * KEY_FINGERPRINT_LEN + 1], fp2[2 * KEY_FINGERPRINT_LEN + 1];

	err_clear(&err);
	if (key_load_mem(buf, len, what, NULL, NULL, &k2, &err) < 0) {
		fprintf(stderr, "fuzz-key: the %s of a %s key does not load: %s\n", what,
			key_type_name(key->type), err.msg);
		abort();
	}
	if (key_fingerprint_hex(key, fp, &err) < 0 || key_fingerprint_hex(k2, fp2, &err) < 0)
		abort();
	if (k2->type != key->type || k2->is_private != is_private || strcmp(fp, fp2) != 0) {
		fprintf(stderr, "fuzz-key: the %s of a %s key loads as another key (%s%s)\n", what,
			key_type_name(key->type), key_type_name(k2->type),
			k2->is_private ? ", private" : "");
		abort();
	}
	key_free(k2);
}

static void private_checks(const struct mcuprov_key *key)
{
	static const enum key_priv_format fmts[] = {KEY_PRIV_DEFAULT, KEY_PRIV_OPENSSL,
						    KEY_PRIV_PKCS8};
	struct mcuprov_err err;
	char *pem = NULL;
	size_t len = 0, i, m;

	err_clear(&err);
	if (key_private_pem(key, NULL, &pem, &len, &err) < 0) {
		fprintf(stderr, "fuzz-key: cannot write a %s private key: %s\n",
			key_type_name(key->type), err.msg);
		abort();
	}
	reload_check(key, pem, len, true, "private PEM");
	OPENSSL_clear_free(pem, len);
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++)
		for (m = 0; m < 2; m++) {
			uint8_t *der = NULL;

			len = 0;
			err_clear(&err);
			if (key_private_der(key, fmts[i], m == 1, &der, &len, &err) < 0) {
				if (der != NULL || err.code == 0 || err.msg[0] == '\0')
					abort();
				continue;
			}
			if (der == NULL || len == 0)
				abort();
			OPENSSL_clear_free(der, len);
		}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mcuprov_key *key = NULL;
	struct mcuprov_err err;
	char fp[2 * KEY_FINGERPRINT_LEN + 1];
	uint8_t *der = NULL;
	char *pem = NULL;
	size_t der_len = 0, pem_len = 0;
	struct key_encryption enc;

	if (size > FUZZ_KEY_MAX)
		return 0;
	key_encryption_info(data, size, &enc);
	if (memchr(enc.text, '\0', sizeof(enc.text)) == NULL ||
	    memchr(enc.weak_why, '\0', sizeof(enc.weak_why)) == NULL ||
	    enc.weak != (enc.weak_why[0] != '\0') ||
	    (enc.kdf == KEY_KDF_NONE) != (enc.text[0] == '\0'))
		abort();
	err_clear(&err);
	if (key_load_mem(data, size, "fuzz.pem", password, NULL, &key, &err) < 0) {
		if (key != NULL || err.code == 0 || err.msg[0] == '\0')
			abort();
		return 0;
	}
	if (key == NULL || key->pkey == NULL || key->type == KEY_TYPE_NONE)
		abort();
	err_clear(&err);
	if (key_fingerprint_hex(key, fp, &err) < 0 || strlen(fp) != 2 * KEY_FINGERPRINT_LEN)
		abort();
	if (key_public_der(key, &der, &der_len, &err) < 0 || der == NULL || der_len == 0)
		abort();
	reload_check(key, der, der_len, false, "public DER");
	if (key_public_pem(key, &pem, &pem_len, &err) < 0 || pem == NULL || strlen(pem) != pem_len)
		abort();
	reload_check(key, pem, pem_len, false, "public PEM");
	if (key->is_private)
		private_checks(key);
	OPENSSL_free(pem);
	OPENSSL_free(der);
	key_free(key);
	return 0;
}
