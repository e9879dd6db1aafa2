/* Unit tests: the PKCS#11 module's pure parts (URI redaction, the scheme
 * test, a module that does not load) and the key capability model on keys
 * that do not live in a token.  Tokens themselves: tests/cli/pkcs11*.sh. */
#include "config.h"

#include "unit.h"

#include <openssl/evp.h>

#include "mcuprov/key.h"
#include "mcuprov/pkcs11.h"

static void redacts(const char *in, const char *want)
{
	char *got = pkcs11_uri_redact(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void test_redact(void **state)
{
	(void)state;
	redacts("pkcs11:token=a;object=b", "pkcs11:token=a;object=b");
	redacts("pkcs11:token=a;pin-value=1234;object=b", "pkcs11:token=a;object=b");
	redacts("pkcs11:pin-value=1234;token=a", "pkcs11:token=a");
	redacts("pkcs11:token=a;object=b;pin-value=1234", "pkcs11:token=a;object=b");
	redacts("pkcs11:token=a;object=b?pin-value=1234", "pkcs11:token=a;object=b");
	redacts("pkcs11:token=a?pin-value=1234&module-path=/x.so", "pkcs11:token=a?module-path=/x.so");
	redacts("pkcs11:token=a?module-path=/x.so&pin-value=1", "pkcs11:token=a?module-path=/x.so");
	redacts("pkcs11:token=a?pin-value=1&module-path=/x&pin-source=f",
		"pkcs11:token=a?module-path=/x&pin-source=f");
	redacts("pkcs11:pin-value=1", "pkcs11:");
	redacts("PKCS11:token=a;PIN-VALUE=1", "PKCS11:token=a");
	/* only the attribute itself: a longer name or a value is kept */
	redacts("pkcs11:token=a;pin-valuex=1", "pkcs11:token=a;pin-valuex=1");
	redacts("pkcs11:token=pin-value;object=b", "pkcs11:token=pin-value;object=b");
	redacts("pkcs11:token=a;pin-source=file:/p", "pkcs11:token=a;pin-source=file:/p");
}

static void test_has_pin_value(void **state)
{
	(void)state;
	assert_true(pkcs11_uri_has_pin_value("pkcs11:token=a;pin-value=1"));
	assert_true(pkcs11_uri_has_pin_value("pkcs11:token=a?pin-value=1"));
	assert_false(pkcs11_uri_has_pin_value("pkcs11:token=a;pin-source=/f"));
	assert_false(pkcs11_uri_has_pin_value("pkcs11:token=a"));
}

static void publics(const char *in, const char *want)
{
	char *got = pkcs11_uri_public(in);

	assert_non_null(got);
	assert_string_equal(got, want);
	assert_true(pkcs11_uri_is_public(got));
	free(got);
}

static void test_public(void **state)
{
	(void)state;
	publics("pkcs11:token=a;object=b", "pkcs11:token=a;object=b;type=public");
	publics("pkcs11:token=a;type=private;object=b", "pkcs11:token=a;object=b;type=public");
	publics("pkcs11:token=a;object=b;type=public", "pkcs11:token=a;object=b;type=public");
	publics("pkcs11:token=a;object=b?pin-source=/p", "pkcs11:token=a;object=b;type=public?pin-source=/p");
	publics("pkcs11:", "pkcs11:type=public");
	assert_false(pkcs11_uri_is_public("pkcs11:token=a;object=b"));
	assert_false(pkcs11_uri_is_public("pkcs11:token=a;type=private"));
	assert_false(pkcs11_uri_is_public("pkcs11:token=a;type=bogus"));
	assert_true(pkcs11_uri_is_public("pkcs11:type=public;token=a"));
}

static void test_is_uri(void **state)
{
	(void)state;
	assert_true(pkcs11_is_uri("pkcs11:token=a"));
	assert_true(pkcs11_is_uri("PKCS11:"));
	assert_false(pkcs11_is_uri("pkcs11"));
	assert_false(pkcs11_is_uri("./pkcs11:token=a"));
	assert_false(pkcs11_is_uri("keys/signing.pem"));
	assert_false(pkcs11_is_uri(NULL));
}

/* A module that is not there: the load fails with the module named, and
 * nothing stays loaded (a second try fails the same way). */
static void test_module_missing(void **state)
{
	struct mcuprov_key *key = (void *)1;
	struct mcuprov_err err;
	int i;

	(void)state;
	assert_int_equal(pkcs11_set_module("/nonexistent/mod.so", NULL), 0);
	for (i = 0; i < 2; i++) {
		err_clear(&err);
		assert_int_equal(key_load("pkcs11:token=t;object=k", NULL, NULL, &key, &err),
				 MCUPROV_ERR_IO);
		assert_null(key);
		assert_string_equal(err.msg, "cannot load the PKCS#11 module '/nonexistent/mod.so': "
					     "cannot open shared object file: No such file or "
					     "directory");
	}
	/* the URI is checked before any module is loaded */
	err_clear(&err);
	assert_int_equal(key_load("pkcs11:token=t;object=k;bogus=1", NULL, NULL, &key, &err),
			 MCUPROV_ERR_USAGE);
	assert_string_equal(err.subject, "pkcs11:token=t;object=k;bogus=1");
	err_clear(&err);
	assert_int_equal(key_load("pkcs11:token=t;object=k;pin-value=SECRET;bogus=1", NULL, NULL,
				  &key, &err),
			 MCUPROV_ERR_USAGE);
	assert_string_equal(err.subject, "pkcs11:token=t;object=k;bogus=1");
	assert_null(strstr(err.msg, "SECRET"));
	assert_int_equal(pkcs11_set_module(NULL, NULL), 0);
}

/* Keys in memory: sign when private, export when private; a public key
 * does neither and key_sign() says so. */
static void test_capabilities(void **state)
{
	struct mcuprov_key *key = NULL, *pub = NULL;
	struct mcuprov_err err;
	char *pem = NULL;
	size_t len = 0;
	uint8_t sig[64], msg[32] = { 1 };
	size_t siglen = sizeof(sig);

	(void)state;
	err_clear(&err);
	assert_int_equal(key_generate(KEY_ED25519, &key, &err), 0);
	assert_true(key_can_sign(key));
	assert_true(key_can_export(key));
	assert_int_equal(key->origin, KEY_ORIGIN_MEMORY);
	assert_int_equal(key_sign(key, EVP_sha256(), msg, sizeof(msg), sig, &siglen, &err), 0);
	assert_int_equal(siglen, 64);
	assert_int_equal(key_public_pem(key, &pem, &len, &err), 0);
	assert_int_equal(key_load_mem((uint8_t *)pem, len, "pub", NULL, NULL, &pub, &err), 0);
	assert_false(key_can_sign(pub));
	assert_false(key_can_export(pub));
	siglen = sizeof(sig);
	assert_int_equal(key_sign(pub, EVP_sha256(), msg, sizeof(msg), sig, &siglen, &err),
			 MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg, "a public ed25519 key cannot sign");
	free(pem);
	key_free(pub);
	key_free(key);
	/* X25519 never signs, private or not */
	assert_int_equal(key_generate(KEY_X25519, &key, &err), 0);
	assert_false(key_can_sign(key));
	assert_true(key_can_export(key));
	siglen = sizeof(sig);
	assert_int_equal(key_sign(key, EVP_sha256(), msg, sizeof(msg), sig, &siglen, &err),
			 MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg, "x25519 keys do not sign");
	key_free(key);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_has_pin_value),
		cmocka_unit_test(test_public),
		cmocka_unit_test(test_is_uri),
		cmocka_unit_test(test_module_missing),
		cmocka_unit_test(test_capabilities),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
