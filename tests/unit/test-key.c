/* Unit tests: MCUboot keys (generate, encode, load, export). */
#include "config.h"

#include "unit.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "mcuprov/der.h"
#include "mcuprov/devkey.h"
#include "mcuprov/fileio.h"
#include "mcuprov/key.h"

#define MSG_NOT_KEY  "not a PEM or DER key (PKCS#1, SEC1, PKCS#8 or SubjectPublicKeyInfo)"
#define MSG_WRONG_PW "wrong password (or damaged key)"
#define MSG_NO_PW    "key is encrypted and no password was given (use --passin)"
#define PASSWORD     "correct horse battery staple"

/* Every MCUboot key type, in the order of key_type_from_name's table. */
static const struct {
	enum key_type type;
	const char *name;
	const char *shortname;
} types[] = {
	{ KEY_RSA2048, "rsa-2048", "rsa" },
	{ KEY_RSA3072, "rsa-3072", "rsa" },
	{ KEY_ECDSA_P256, "ecdsa-p256", "ecdsa" },
	{ KEY_ECDSA_P384, "ecdsa-p384", "ecdsap384" },
	{ KEY_ED25519, "ed25519", "ed25519" },
	{ KEY_X25519, "x25519", "x25519" },
};

#define N_TYPES (sizeof(types) / sizeof(types[0]))

/* Group state: one generated key per type (RSA-3072 is slow to make), the
 * encrypted PEM of each, and a temporary directory. */
struct fixture {
	struct mcuprov_key *keys[N_TYPES];
	char *enc_pem[N_TYPES];
	size_t enc_len[N_TYPES];
	char tmpdir[64];
};

/* The generated key of TYPE. */
static struct mcuprov_key *key_of(void **state, enum key_type type)
{
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < N_TYPES; i++)
		if (types[i].type == type)
			return f->keys[i];
	fail();
	return NULL;
}

/* key_passwd_cb that answers PW (NULL: refuses) and counts the calls. */
struct pw_answer {
	const char *pw;
	int calls;
};

static int answer_pw(char *buf, size_t size, void *arg)
{
	struct pw_answer *a = arg;
	size_t n;

	a->calls++;
	if (a->pw == NULL)
		return -1;
	n = strlen(a->pw);
	if (n >= size)
		return -1;
	memcpy(buf, a->pw, n + 1);
	return (int)n;
}

static void fingerprint_of(const struct mcuprov_key *key, uint8_t fp[KEY_FINGERPRINT_LEN])
{
	struct mcuprov_err err;

	err_clear(&err);
	assert_int_equal(key_fingerprint(key, fp, &err), 0);
	assert_int_equal(err.code, 0);
}

/* KEY must have the public key of WANT. */
static void assert_same_key(const struct mcuprov_key *key, const struct mcuprov_key *want)
{
	uint8_t a[KEY_FINGERPRINT_LEN], b[KEY_FINGERPRINT_LEN];

	assert_int_equal(key->type, want->type);
	fingerprint_of(key, a);
	fingerprint_of(want, b);
	assert_memory_equal(a, b, KEY_FINGERPRINT_LEN);
	assert_int_equal(EVP_PKEY_eq(key->pkey, want->pkey), 1);
}

/* Load DATA: must succeed and give a key of the same public half as WANT. */
static struct mcuprov_key *load_ok(const void *data, size_t len, key_passwd_cb cb, void *arg,
				   const struct mcuprov_key *want)
{
	struct mcuprov_key *key = (struct mcuprov_key *)&key; /* must be overwritten */
	struct mcuprov_err err;
	int rc;

	err_clear(&err);
	rc = key_load_mem(data, len, "mem", cb, arg, &key, &err);
	if (rc != 0)
		print_error("# loading a %s key: %s\n", key_type_name(want->type), err.msg);
	assert_int_equal(rc, 0);
	assert_int_equal(err.code, 0);
	assert_non_null(key);
	assert_non_null(key->pkey);
	assert_null(key->devkey);
	assert_false(key->insecure_mode);
	assert_same_key(key, want);
	return key;
}

/* Load DATA: must fail with CODE, subject "mem" and MSG, *out NULL. */
static void load_fails(const void *data, size_t len, key_passwd_cb cb, void *arg, int code,
		       const char *msg)
{
	struct mcuprov_key *key = (struct mcuprov_key *)&key;
	struct mcuprov_err err;

	err_clear(&err);
	assert_int_equal(key_load_mem(data, len, "mem", cb, arg, &key, &err), code);
	assert_null(key);
	assert_int_equal(err.code, code);
	assert_string_equal(err.subject, "mem");
	assert_string_equal(err.msg, msg);
}

static int group_setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	size_t i;

	if (f == NULL)
		return -1;
	*state = f;
	if (unit_mkdtemp(f->tmpdir, sizeof(f->tmpdir)) < 0)
		return -1;
	for (i = 0; i < N_TYPES; i++) {
		int rc = key_generate(types[i].type, &f->keys[i], NULL);

		if (rc == 0)
			rc = key_private_pem(f->keys[i], PASSWORD, &f->enc_pem[i], &f->enc_len[i],
					     NULL);
		if (rc != 0)
			return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	struct fixture *f = *state;
	int rc = 0;
	size_t i;

	if (f == NULL)
		return 0;
	for (i = 0; i < N_TYPES; i++) {
		key_free(f->keys[i]);
		if (f->enc_pem[i] != NULL)
			OPENSSL_clear_free(f->enc_pem[i], f->enc_len[i]);
	}
	if (f->tmpdir[0] != '\0' && unit_rmtree(f->tmpdir) < 0)
		rc = -1;
	free(f);
	return rc;
}

static void test_type_names(void **state)
{
	size_t i;

	for (i = 0; i < N_TYPES; i++) {
		assert_int_equal(key_type_from_name(types[i].name), types[i].type);
		assert_string_equal(key_type_name(types[i].type), types[i].name);
		assert_string_equal(key_type_shortname(types[i].type), types[i].shortname);
	}
	assert_string_equal(KEY_SUPPORTED_TYPES,
			    "rsa-2048, rsa-3072, ecdsa-p256, ecdsa-p384, ed25519, x25519");
	assert_int_equal(key_type_from_name(""), KEY_TYPE_NONE);
	assert_int_equal(key_type_from_name("rsa"), KEY_TYPE_NONE);
	assert_int_equal(key_type_from_name("RSA-2048"), KEY_TYPE_NONE);
	assert_int_equal(key_type_from_name("rsa-2048 "), KEY_TYPE_NONE);
	assert_int_equal(key_type_from_name("ecdsa"), KEY_TYPE_NONE);
	assert_int_equal(key_type_from_name("ecdsa-p521"), KEY_TYPE_NONE);
	assert_int_equal(key_type_from_name("none"), KEY_TYPE_NONE);
	assert_string_equal(key_type_name(KEY_TYPE_NONE), "none");
	assert_string_equal(key_type_shortname(KEY_TYPE_NONE), "none");

	assert_true(key_type_can_sign(KEY_RSA2048));
	assert_true(key_type_can_sign(KEY_RSA3072));
	assert_true(key_type_can_sign(KEY_ECDSA_P256));
	assert_true(key_type_can_sign(KEY_ECDSA_P384));
	assert_true(key_type_can_sign(KEY_ED25519));
	assert_false(key_type_can_sign(KEY_X25519));
	assert_false(key_type_can_sign(KEY_TYPE_NONE));
}

static void test_generate(void **state)
{
	static const struct {
		const char *alg;
		int bits;
	} want[N_TYPES] = {
		{ "RSA", 2048 }, { "RSA", 3072 }, { "EC", 256 }, { "EC", 384 }, { "ED25519", 256 },
		{ "X25519", 253 },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < N_TYPES; i++) {
		struct mcuprov_key *k = f->keys[i];

		assert_non_null(k);
		assert_non_null(k->pkey);
		assert_int_equal(k->type, types[i].type);
		assert_true(k->is_private);
		assert_false(k->was_encrypted);
		assert_false(k->insecure_mode);
		assert_null(k->devkey);
		assert_true(EVP_PKEY_is_a(k->pkey, want[i].alg));
		assert_int_equal(EVP_PKEY_get_bits(k->pkey), want[i].bits);
	}
}

static void test_generate_bad_type(void **state)
{
	struct mcuprov_key *key = (struct mcuprov_key *)&key;
	struct mcuprov_err err;

	err_clear(&err);
	assert_int_equal(key_generate(KEY_TYPE_NONE, &key, &err), MCUPROV_ERR_USAGE);
	assert_null(key);
	assert_int_equal(err.code, MCUPROV_ERR_USAGE);
	assert_string_equal(err.subject, "");
	assert_string_equal(err.msg, "unknown key type");
	key_free(NULL);
}

static void test_private_round_trip(void **state)
{
	struct fixture *f = *state;
	struct pw_answer a = { PASSWORD, 0 };
	size_t i;

	for (i = 0; i < N_TYPES; i++) {
		struct mcuprov_key *k;
		struct mcuprov_err err;
		char *pem = NULL;
		size_t len = 0;

		err_clear(&err);
		assert_int_equal(key_private_pem(f->keys[i], NULL, &pem, &len, &err), 0);
		assert_non_null(pem);
		assert_int_equal(strlen(pem), len);
		assert_true(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
		assert_string_equal(pem + len - 26, "-----END PRIVATE KEY-----\n");
		/* an unencrypted key never asks for a password */
		k = load_ok(pem, len, answer_pw, &a, f->keys[i]);
		assert_int_equal(a.calls, 0);
		assert_true(k->is_private);
		assert_false(k->was_encrypted);
		key_free(k);
		OPENSSL_clear_free(pem, len);

		/* an empty password means no encryption */
		pem = NULL;
		assert_int_equal(key_private_pem(f->keys[i], "", &pem, &len, &err), 0);
		assert_true(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
		k = load_ok(pem, len, NULL, NULL, f->keys[i]);
		assert_true(k->is_private);
		assert_false(k->was_encrypted);
		key_free(k);
		OPENSSL_clear_free(pem, len);
	}
}

static void test_encrypted_round_trip(void **state)
{
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < N_TYPES; i++) {
		struct pw_answer a = { PASSWORD, 0 };
		struct mcuprov_key *k;
		const char *pem = f->enc_pem[i];

		assert_int_equal(strlen(pem), f->enc_len[i]);
		assert_true(strncmp(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----\n", 38) == 0);
		assert_string_equal(pem + f->enc_len[i] - 36,
				    "-----END ENCRYPTED PRIVATE KEY-----\n");
		k = load_ok(pem, f->enc_len[i], answer_pw, &a, f->keys[i]);
		assert_int_equal(a.calls, 1);
		assert_true(k->is_private);
		assert_true(k->was_encrypted);
		/* PBES2, PBKDF2-HMAC-SHA256 at the default cost, AES-256-CBC */
		assert_int_equal(k->enc.kdf, KEY_KDF_PBKDF2);
		assert_int_equal(k->enc.iterations, KEY_KDF_ROUNDS_DEFAULT);
		assert_string_equal(k->enc.prf, "HMAC-SHA256");
		assert_string_equal(k->enc.cipher, "AES-256-CBC");
		assert_string_equal(k->enc.text,
				    "PBES2, PBKDF2-HMAC-SHA256, 600000 iterations, AES-256-CBC");
		assert_false(k->enc.weak);
		key_free(k);
	}
}

static void test_kdf_rounds(void **state)
{
	struct mcuprov_key *k = key_of(state, KEY_ED25519), *l;
	struct pw_answer a = { PASSWORD, 0 };
	struct mcuprov_err err;
	struct key_encryption e;
	char *pem = NULL;
	size_t len = 0;
	unsigned r = 0;

	/* --kdf-rounds: digits only, 600000..100000000 */
	assert_int_equal(key_kdf_rounds_parse("600000", &r), 0);
	assert_int_equal(r, 600000);
	assert_int_equal(key_kdf_rounds_parse("100000000", &r), 0);
	assert_int_equal(r, 100000000);
	assert_int_equal(key_kdf_rounds_parse("0000600001", &r), 0);
	assert_int_equal(r, 600001);
	r = 7;
	assert_int_equal(key_kdf_rounds_parse("599999", &r), -1);
	assert_int_equal(key_kdf_rounds_parse("100000001", &r), -1);
	assert_int_equal(key_kdf_rounds_parse("99999999999999999999", &r), -1);
	assert_int_equal(key_kdf_rounds_parse("", &r), -1);
	assert_int_equal(key_kdf_rounds_parse("+600000", &r), -1);
	assert_int_equal(key_kdf_rounds_parse("-600000", &r), -1);
	assert_int_equal(key_kdf_rounds_parse("600000 ", &r), -1);
	assert_int_equal(key_kdf_rounds_parse("6e5", &r), -1);
	assert_int_equal(key_kdf_rounds_parse("0x93e00", &r), -1);
	assert_int_equal(r, 7);

	/* a chosen count is written and read back */
	err_clear(&err);
	assert_int_equal(key_private_pem_ex(k, PASSWORD, 700001, &pem, &len, &err), 0);
	key_encryption_info((const uint8_t *)pem, len, &e);
	assert_int_equal(e.kdf, KEY_KDF_PBKDF2);
	assert_int_equal(e.iterations, 700001);
	assert_string_equal(e.text, "PBES2, PBKDF2-HMAC-SHA256, 700001 iterations, AES-256-CBC");
	l = load_ok(pem, len, answer_pw, &a, k);
	assert_int_equal(l->enc.iterations, 700001);
	key_free(l);
	OPENSSL_clear_free(pem, len);

	/* out of range: refused; without a password the count does not matter */
	pem = (char *)&pem;
	assert_int_equal(key_private_pem_ex(k, PASSWORD, 2048, &pem, &len, &err),
			 MCUPROV_ERR_USAGE);
	assert_null(pem);
	assert_string_equal(err.msg,
			    "invalid number of key derivation rounds 2048 (600000 to 100000000)");
	err_clear(&err);
	assert_int_equal(key_private_pem_ex(k, NULL, 2048, &pem, &len, &err), 0);
	assert_true(strncmp(pem, "-----BEGIN PRIVATE KEY-----\n", 28) == 0);
	key_encryption_info((const uint8_t *)pem, len, &e);
	assert_int_equal(e.kdf, KEY_KDF_NONE);
	assert_false(e.weak);
	OPENSSL_clear_free(pem, len);
}

/* PEM (or DER when DER) of K's PKCS#8 encrypted with PBE (freed). */
static char *pkcs8_with(const struct mcuprov_key *k, X509_ALGOR *pbe, bool der, size_t *len)
{
	PKCS8_PRIV_KEY_INFO *p8 = EVP_PKEY2PKCS8(k->pkey);
	X509_SIG *sig;
	BIO *bio = BIO_new(BIO_s_mem());
	BUF_MEM *mem = NULL;
	char *out;

	assert_non_null(p8);
	assert_non_null(pbe);
	sig = PKCS8_set0_pbe_ex(PASSWORD, (int)strlen(PASSWORD), p8, pbe, NULL, NULL);
	assert_non_null(sig);
	assert_true(der ? i2d_PKCS8_bio(bio, sig) == 1 : PEM_write_bio_PKCS8(bio, sig) == 1);
	BIO_get_mem_ptr(bio, &mem);
	out = malloc(mem->length);
	assert_non_null(out);
	memcpy(out, mem->data, mem->length);
	*len = mem->length;
	BIO_free(bio);
	X509_SIG_free(sig);
	PKCS8_PRIV_KEY_INFO_free(p8);
	return out;
}

/* Load DATA with the password: ENC is what the file says, it still loads. */
static void enc_loads(void **state, enum key_type type, const char *data, size_t len,
		      enum key_kdf kdf, const char *text, const char *weak_why)
{
	struct pw_answer a = { PASSWORD, 0 };
	struct key_encryption e;
	struct mcuprov_key *l;

	key_encryption_info((const uint8_t *)data, len, &e);
	assert_int_equal(e.kdf, kdf);
	assert_string_equal(e.text, text);
	assert_int_equal(e.weak, weak_why != NULL);
	assert_string_equal(e.weak_why, weak_why != NULL ? weak_why : "");
	l = load_ok(data, len, answer_pw, &a, key_of(state, type));
	assert_true(l->was_encrypted);
	assert_memory_equal(&l->enc, &e, sizeof(e));
	key_free(l);
}

static void test_encryption_info(void **state)
{
	struct mcuprov_key *ed = key_of(state, KEY_ED25519), *rsa = key_of(state, KEY_RSA2048);
	OSSL_ENCODER_CTX *ectx;
	unsigned char salt[16] = { 1 };
	BIO *bio;
	BUF_MEM *mem = NULL;
	char *buf;
	size_t len;

	/* OpenSSL's own default (what mcuprov wrote before): 2048 iterations */
	ectx = OSSL_ENCODER_CTX_new_for_pkey(ed->pkey, OSSL_KEYMGMT_SELECT_KEYPAIR, "PEM",
					     "PrivateKeyInfo", NULL);
	assert_non_null(ectx);
	assert_true(OSSL_ENCODER_CTX_set_cipher(ectx, "AES-256-CBC", NULL));
	assert_true(OSSL_ENCODER_CTX_set_passphrase(ectx, (const unsigned char *)PASSWORD,
						    strlen(PASSWORD)));
	bio = BIO_new(BIO_s_mem());
	assert_true(OSSL_ENCODER_to_bio(ectx, bio));
	BIO_get_mem_ptr(bio, &mem);
	enc_loads(state, KEY_ED25519, mem->data, mem->length, KEY_KDF_PBKDF2,
		  "PBES2, PBKDF2-HMAC-SHA256, 2048 iterations, AES-256-CBC",
		  "2048 PBKDF2-HMAC-SHA256 iterations (at least 600000)");
	BIO_free(bio);
	OSSL_ENCODER_CTX_free(ectx);

	/* PBKDF2 with the default PRF (HMAC-SHA1) and with HMAC-SHA512, in DER */
	buf = pkcs8_with(ed, PKCS5_pbe2_set_iv_ex(EVP_aes_128_cbc(), 1000000, NULL, 0, NULL,
						  NID_hmacWithSHA1, NULL), true, &len);
	enc_loads(state, KEY_ED25519, buf, len, KEY_KDF_PBKDF2,
		  "PBES2, PBKDF2-HMAC-SHA1, 1000000 iterations, AES-128-CBC",
		  "1000000 PBKDF2-HMAC-SHA1 iterations (at least 1300000)");
	free(buf);
	buf = pkcs8_with(ed, PKCS5_pbe2_set_iv_ex(EVP_aes_256_cbc(), 210000, NULL, 0, NULL,
						  NID_hmacWithSHA512, NULL), true, &len);
	enc_loads(state, KEY_ED25519, buf, len, KEY_KDF_PBKDF2,
		  "PBES2, PBKDF2-HMAC-SHA512, 210000 iterations, AES-256-CBC", NULL);
	free(buf);

	/* scrypt: `openssl pkcs8 -scrypt`'s N=2^14, r=8, p=1 is weak; p=5 is not */
	buf = pkcs8_with(ed, PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), salt, 16, NULL, 16384, 8, 1),
			 false, &len);
	enc_loads(state, KEY_ED25519, buf, len, KEY_KDF_SCRYPT,
		  "PBES2, scrypt (N=2^14, r=8, p=1), AES-256-CBC",
		  "scrypt N=2^14, r=8, p=1 (N*r*p at least 655360)");
	free(buf);
	buf = pkcs8_with(ed, PKCS5_pbe2_set_scrypt(EVP_aes_256_cbc(), salt, 16, NULL, 16384, 8, 5),
			 false, &len);
	enc_loads(state, KEY_ED25519, buf, len, KEY_KDF_SCRYPT,
		  "PBES2, scrypt (N=2^14, r=8, p=5), AES-256-CBC", NULL);
	free(buf);

	/* PKCS#12 PBE: always weak (PKCS#5 v1.5 PBES1 is DES or RC2, which
	 * OpenSSL 3 decrypts only with its legacy provider) */
	buf = pkcs8_with(ed, PKCS5_pbe_set(NID_pbe_WithSHA1And3_Key_TripleDES_CBC, 2048, NULL, 0),
			 false, &len);
	enc_loads(state, KEY_ED25519, buf, len, KEY_KDF_PBES1,
		  "PKCS#12 PBE, PBE-SHA1-3DES, 2048 iterations",
		  "the obsolete PBE-SHA1-3DES, 2048 iterations");
	free(buf);


	/* legacy PEM "Proc-Type: 4,ENCRYPTED" (RSA PKCS#1) */
	bio = BIO_new(BIO_s_mem());
	assert_true(PEM_write_bio_PrivateKey_traditional(bio, rsa->pkey, EVP_aes_256_cbc(),
							 (unsigned char *)PASSWORD,
							 (int)strlen(PASSWORD), NULL, NULL));
	BIO_get_mem_ptr(bio, &mem);
	assert_non_null(strstr(mem->data, "Proc-Type: 4,ENCRYPTED"));
	enc_loads(state, KEY_RSA2048, mem->data, mem->length, KEY_KDF_LEGACY_PEM,
		  "legacy PEM (Proc-Type: 4,ENCRYPTED), AES-256-CBC, key from one MD5 round",
		  "legacy PEM encryption (its key is one MD5 round of the password)");
	BIO_free(bio);

	/* not encrypted, not a key */
	{
		struct key_encryption e;

		key_encryption_info((const uint8_t *)"garbage", 7, &e);
		assert_int_equal(e.kdf, KEY_KDF_NONE);
		key_encryption_info(NULL, 0, &e);
		assert_int_equal(e.kdf, KEY_KDF_NONE);
	}
}

static void test_wrong_password(void **state)
{
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < N_TYPES; i++) {
		struct pw_answer a = { "correct horse battery stapler", 0 };

		load_fails(f->enc_pem[i], f->enc_len[i], answer_pw, &a, MCUPROV_ERR_PASSWORD,
			   MSG_WRONG_PW);
		assert_int_equal(a.calls, 1);
	}
}

static void test_no_password(void **state)
{
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < N_TYPES; i++) {
		struct pw_answer a = { NULL, 0 };

		load_fails(f->enc_pem[i], f->enc_len[i], NULL, NULL, MCUPROV_ERR_PASSWORD,
			   MSG_NO_PW);
		/* a callback that has no password counts as none given */
		load_fails(f->enc_pem[i], f->enc_len[i], answer_pw, &a, MCUPROV_ERR_PASSWORD,
			   MSG_NO_PW);
		assert_int_equal(a.calls, 1);
	}
}

static void test_public_round_trip(void **state)
{
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < N_TYPES; i++) {
		struct pw_answer a = { PASSWORD, 0 };
		struct mcuprov_key *k;
		struct mcuprov_err err;
		char *pem = NULL, *pem2 = NULL;
		size_t len = 0, len2 = 0;

		err_clear(&err);
		assert_int_equal(key_public_pem(f->keys[i], &pem, &len, &err), 0);
		assert_int_equal(strlen(pem), len);
		assert_true(strncmp(pem, "-----BEGIN PUBLIC KEY-----\n", 27) == 0);
		assert_string_equal(pem + len - 25, "-----END PUBLIC KEY-----\n");
		k = load_ok(pem, len, answer_pw, &a, f->keys[i]);
		assert_int_equal(a.calls, 0);
		assert_false(k->is_private);
		assert_false(k->was_encrypted);

		/* re-exporting the public key gives the same text */
		assert_int_equal(key_public_pem(k, &pem2, &len2, &err), 0);
		assert_int_equal(len2, len);
		assert_string_equal(pem2, pem);

		/* and there is no private half to export */
		OPENSSL_free(pem2);
		pem2 = (char *)&pem2;
		assert_int_equal(key_private_pem(k, NULL, &pem2, &len2, &err), MCUPROV_ERR_USAGE);
		assert_int_equal(err.code, MCUPROV_ERR_USAGE);
		assert_string_equal(err.msg, "not a private key");
		key_free(k);
		OPENSSL_free(pem);
	}
}

/* Load the LEN bytes of DER (OpenSSL-allocated, freed here), which must give
 * WANT with IS_PRIVATE. */
static void load_der_ok(unsigned char *der, int len, const struct mcuprov_key *want,
			bool is_private)
{
	struct mcuprov_key *k;

	assert_true(len > 0);
	k = load_ok(der, (size_t)len, NULL, NULL, want);
	assert_int_equal(k->is_private, is_private);
	assert_false(k->was_encrypted);
	key_free(k);
	OPENSSL_clear_free(der, (size_t)len);
}

static void test_der_round_trip(void **state)
{
	struct fixture *f = *state;
	size_t i;

	/* DER input as OpenSSL writes it: type-specific private keys (PKCS#1,
	 * SEC1, or PKCS#8 for the 25519 types), PKCS#8 and SubjectPublicKeyInfo */
	for (i = 0; i < N_TYPES; i++) {
		EVP_PKEY *pkey = f->keys[i]->pkey;
		PKCS8_PRIV_KEY_INFO *p8;
		unsigned char *der = NULL;
		int len;

		len = i2d_PrivateKey(pkey, &der);
		load_der_ok(der, len, f->keys[i], true);

		p8 = EVP_PKEY2PKCS8(pkey);
		assert_non_null(p8);
		der = NULL;
		len = i2d_PKCS8_PRIV_KEY_INFO(p8, &der);
		PKCS8_PRIV_KEY_INFO_free(p8);
		load_der_ok(der, len, f->keys[i], true);

		der = NULL;
		len = i2d_PUBKEY(pkey, &der);
		load_der_ok(der, len, f->keys[i], false);
	}
}

static void test_der_own_exports(void **state)
{
	struct fixture *f = *state;
	size_t i;

	/* mcuprov reads back what it exports: key_private_der in its default
	 * format (`getpriv`) and key_public_der (`getpub -e raw`), here the
	 * SubjectPublicKeyInfo of the non-RSA types */
	for (i = 0; i < N_TYPES; i++) {
		struct mcuprov_key *k;
		struct mcuprov_err err;
		uint8_t *der = NULL;
		size_t len = 0;

		err_clear(&err);
		if (types[i].type != KEY_ED25519) {
			assert_int_equal(key_private_der(f->keys[i], KEY_PRIV_DEFAULT, false, &der,
							 &len, &err),
					 0);
			k = load_ok(der, len, NULL, NULL, f->keys[i]);
			assert_true(k->is_private);
			key_free(k);
			OPENSSL_clear_free(der, len);
		}
		if (types[i].type == KEY_RSA2048 || types[i].type == KEY_RSA3072)
			continue;
		assert_int_equal(key_public_der(f->keys[i], &der, &len, &err), 0);
		k = load_ok(der, len, NULL, NULL, f->keys[i]);
		assert_false(k->is_private);
		key_free(k);
		free(der);
	}
}

static void test_der_pkcs1_public(void **state)
{
	static const enum key_type rsa[] = { KEY_RSA2048, KEY_RSA3072 };
	size_t i;

	/* `getpub -e raw` of an RSA key is a DER PKCS#1 RSAPublicKey, which
	 * key_load_mem promises to read (a PKCS#1 key).  Everything is freed
	 * before the assertions so that a failure leaks nothing. */
	for (i = 0; i < 2; i++) {
		struct mcuprov_key *want = key_of(state, rsa[i]), *k = NULL;
		uint8_t fp[KEY_FINGERPRINT_LEN], want_fp[KEY_FINGERPRINT_LEN];
		struct mcuprov_err err;
		enum key_type type = KEY_TYPE_NONE;
		bool is_private = true;
		uint8_t *der = NULL;
		size_t len = 0;
		int rc;

		memset(fp, 0, sizeof(fp));
		assert_int_equal(key_public_der(want, &der, &len, NULL), 0);
		err_clear(&err);
		rc = key_load_mem(der, len, "mem", NULL, NULL, &k, &err);
		free(der);
		if (rc == 0) {
			type = k->type;
			is_private = k->is_private;
			rc = key_fingerprint(k, fp, NULL);
			key_free(k);
		} else {
			print_error("# loading a %s key: %s\n", key_type_name(want->type), err.msg);
		}
		assert_int_equal(rc, 0);
		assert_int_equal(type, want->type);
		assert_false(is_private);
		fingerprint_of(want, want_fp);
		assert_memory_equal(fp, want_fp, KEY_FINGERPRINT_LEN);
	}
}

static void test_garbage(void **state)
{
	static const uint8_t junk[] = { 0x00, 0x01, 0x02, 0xff, 0x30, 0x03, 0x02, 0x01 };
	static const char bad_pem[] = "-----BEGIN PRIVATE KEY-----\n"
				      "bm90IGEga2V5IGF0IGFsbAo=\n"
				      "-----END PRIVATE KEY-----\n";
	static const char text[] = "hello, world\n";
	struct pw_answer a = { PASSWORD, 0 };
	char *pem = NULL;
	size_t len = 0;

	load_fails(junk, sizeof(junk), NULL, NULL, MCUPROV_ERR_FORMAT, MSG_NOT_KEY);
	load_fails(junk, 0, NULL, NULL, MCUPROV_ERR_FORMAT, MSG_NOT_KEY);
	load_fails(text, sizeof(text) - 1, answer_pw, &a, MCUPROV_ERR_FORMAT, MSG_NOT_KEY);
	load_fails(bad_pem, sizeof(bad_pem) - 1, answer_pw, &a, MCUPROV_ERR_FORMAT, MSG_NOT_KEY);
	assert_int_equal(a.calls, 0);

	/* a real key cut in half */
	assert_int_equal(key_private_pem(key_of(state, KEY_ECDSA_P256), NULL, &pem, &len, NULL), 0);
	load_fails(pem, len / 2, NULL, NULL, MCUPROV_ERR_FORMAT, MSG_NOT_KEY);
	OPENSSL_clear_free(pem, len);
}

/* Encode PKEY, a key MCUboot cannot use, as a private key and as a public
 * key (DER) and check that loading either says why; frees PKEY. */
static void assert_unsupported(EVP_PKEY *pkey, const char *msg)
{
	struct mcuprov_key *key = (struct mcuprov_key *)&key;
	struct mcuprov_err err;
	unsigned char *der = NULL;
	int len;

	assert_non_null(pkey);
	len = i2d_PrivateKey(pkey, &der);
	assert_true(len > 0);
	err_clear(&err);
	assert_int_equal(key_load_mem(der, (size_t)len, "mem", NULL, NULL, &key, &err),
			 MCUPROV_ERR_UNSUPPORTED);
	assert_null(key);
	assert_int_equal(err.code, MCUPROV_ERR_UNSUPPORTED);
	assert_string_equal(err.subject, "mem");
	assert_string_equal(err.msg, msg);
	OPENSSL_clear_free(der, (size_t)len);

	der = NULL;
	len = i2d_PUBKEY(pkey, &der);
	assert_true(len > 0);
	key = (struct mcuprov_key *)&key;
	err_clear(&err);
	assert_int_equal(key_load_mem(der, (size_t)len, "mem", NULL, NULL, &key, &err),
			 MCUPROV_ERR_UNSUPPORTED);
	assert_null(key);
	assert_string_equal(err.msg, msg);
	OPENSSL_free(der);
	EVP_PKEY_free(pkey);
}

static void test_unsupported(void **state)
{
	assert_unsupported(EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024),
			   "unsupported key type rsa-1024 (MCUboot supports " KEY_SUPPORTED_TYPES
			   ")");
	assert_unsupported(EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521"),
			   "unsupported EC curve secp521r1 (MCUboot supports " KEY_SUPPORTED_TYPES
			   ")");
	assert_unsupported(EVP_PKEY_Q_keygen(NULL, NULL, "ED448"),
			   "unsupported key type ed448 (MCUboot supports " KEY_SUPPORTED_TYPES ")");
}

/* key_private_der must refuse with MCUPROV_ERR_USAGE and MSG. */
static void assert_priv_refused(const struct mcuprov_key *key, enum key_priv_format fmt,
				bool minimal, const char *msg)
{
	struct mcuprov_err err;
	uint8_t *der = (uint8_t *)&err;
	size_t len = 99;

	err_clear(&err);
	assert_int_equal(key_private_der(key, fmt, minimal, &der, &len, &err), MCUPROV_ERR_USAGE);
	assert_null(der);
	assert_int_equal(len, 0);
	assert_int_equal(err.code, MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg, msg);
}

static void test_private_der_refusals(void **state)
{
	static const char ed_msg[] = "getpriv is not supported with ed25519 keys (only rsa, ecdsa "
				     "and x25519 encryption keys)";
	struct mcuprov_key *pub;
	struct mcuprov_err err;
	char *pem = NULL;
	size_t len = 0;

	assert_priv_refused(key_of(state, KEY_ED25519), KEY_PRIV_DEFAULT, false, ed_msg);
	assert_priv_refused(key_of(state, KEY_ED25519), KEY_PRIV_PKCS8, false, ed_msg);
	assert_priv_refused(key_of(state, KEY_ED25519), KEY_PRIV_OPENSSL, true, ed_msg);
	assert_priv_refused(key_of(state, KEY_RSA2048), KEY_PRIV_PKCS8, false,
			    "rsa does not support pkcs8 (use -f openssl)");
	assert_priv_refused(key_of(state, KEY_RSA3072), KEY_PRIV_PKCS8, true,
			    "rsa does not support pkcs8 (use -f openssl)");
	assert_priv_refused(key_of(state, KEY_X25519), KEY_PRIV_OPENSSL, false,
			    "x25519 does not support openssl (use -f pkcs8)");
	assert_priv_refused(key_of(state, KEY_X25519), KEY_PRIV_OPENSSL, true,
			    "x25519 does not support openssl (use -f pkcs8)");

	/* a public-only key */
	err_clear(&err);
	assert_int_equal(key_public_pem(key_of(state, KEY_RSA2048), &pem, &len, &err), 0);
	pub = load_ok(pem, len, NULL, NULL, key_of(state, KEY_RSA2048));
	assert_priv_refused(pub, KEY_PRIV_DEFAULT, false,
			    "not a private key (getpriv needs the private half)");
	assert_priv_refused(pub, KEY_PRIV_OPENSSL, true,
			    "not a private key (getpriv needs the private half)");
	key_free(pub);
	OPENSSL_free(pem);
}

/* The tags of the children of the SEQUENCE that must fill DER exactly. */
static size_t seq_children(const uint8_t *der, size_t len, uint8_t *tags, size_t max)
{
	struct der_tlv seq, c;
	size_t off = 0, inner, n = 0;

	assert_int_equal(der_next(der, len, &off, &seq), 0);
	assert_int_equal(seq.tag, 0x30);
	assert_int_equal(off, len);
	inner = seq.hdr_len;
	while (inner < len) {
		assert_int_equal(der_next(der, len, &inner, &c), 0);
		assert_true(n < max);
		tags[n++] = c.tag;
	}
	return n;
}

static void test_private_der_rsa(void **state)
{
	static const uint8_t nine[] = { 2, 2, 2, 2, 2, 2, 2, 2, 2 };
	struct mcuprov_key *k = key_of(state, KEY_RSA2048);
	struct mcuprov_err err;
	uint8_t *full = NULL, *dflt = NULL, *small = NULL, tags[16];
	size_t full_len = 0, dflt_len = 0, small_len = 0, n, off, off2;
	struct der_tlv a, b, seq1, seq2;
	int i;

	err_clear(&err);
	/* default for RSA is openssl: RSAPrivateKey, nine INTEGERs, version 0 */
	assert_int_equal(key_private_der(k, KEY_PRIV_DEFAULT, false, &dflt, &dflt_len, &err), 0);
	assert_int_equal(key_private_der(k, KEY_PRIV_OPENSSL, false, &full, &full_len, &err), 0);
	assert_int_equal(dflt_len, full_len);
	assert_memory_equal(dflt, full, full_len);
	n = seq_children(full, full_len, tags, sizeof(tags));
	assert_int_equal(n, 9);
	assert_memory_equal(tags, nine, 9);
	assert_int_equal(full[0], 0x30);
	assert_int_equal(full[1], 0x82);

	/* minimal: the first six INTEGERs (version, n, e, d, p, q) unchanged */
	assert_int_equal(key_private_der(k, KEY_PRIV_OPENSSL, true, &small, &small_len, &err), 0);
	n = seq_children(small, small_len, tags, sizeof(tags));
	assert_int_equal(n, 6);
	assert_memory_equal(tags, nine, 6);
	off = 0;
	off2 = 0;
	assert_int_equal(der_next(full, full_len, &off, &seq1), 0);
	assert_int_equal(der_next(small, small_len, &off2, &seq2), 0);
	off = seq1.hdr_len;
	off2 = seq2.hdr_len;
	for (i = 0; i < 6; i++) {
		assert_int_equal(der_next(full, full_len, &off, &a), 0);
		assert_int_equal(der_next(small, small_len, &off2, &b), 0);
		assert_int_equal(a.hdr_len + a.len, b.hdr_len + b.len);
		assert_memory_equal(a.p, b.p, a.hdr_len + a.len);
	}
	assert_int_equal(off2, small_len);
	OPENSSL_clear_free(dflt, dflt_len);
	OPENSSL_clear_free(full, full_len);
	OPENSSL_clear_free(small, small_len);
}

/* Does the SEQUENCE DER (an ECPrivateKey) have a child with TAG? */
static bool has_child(const uint8_t *der, size_t len, uint8_t tag)
{
	uint8_t tags[16];
	size_t n = seq_children(der, len, tags, sizeof(tags)), i;

	for (i = 0; i < n; i++)
		if (tags[i] == tag)
			return true;
	return false;
}

/* The ECPrivateKey inside a PKCS#8 PrivateKeyInfo. */
static void pkcs8_inner(const uint8_t *der, size_t len, const uint8_t **in, size_t *inlen)
{
	uint8_t tags[8];
	struct der_tlv seq, t;
	size_t off = 0;

	assert_int_equal(seq_children(der, len, tags, sizeof(tags)), 3);
	assert_int_equal(tags[0], 0x02);
	assert_int_equal(tags[1], 0x30);
	assert_int_equal(tags[2], 0x04);
	assert_int_equal(der_next(der, len, &off, &seq), 0);
	off = seq.hdr_len;
	assert_int_equal(der_next(der, len, &off, &t), 0);
	assert_int_equal(der_next(der, len, &off, &t), 0);
	assert_int_equal(der_next(der, len, &off, &t), 0);
	*in = t.p + t.hdr_len;
	*inlen = t.len;
}

static void check_private_der_ec(void **state, enum key_type type)
{
	struct mcuprov_key *k = key_of(state, type), *l;
	struct mcuprov_err err;
	const uint8_t *in;
	uint8_t *der = NULL, *dflt = NULL;
	size_t len = 0, dflt_len = 0, inlen;

	err_clear(&err);
	/* default for EC is pkcs8, with the public key */
	assert_int_equal(key_private_der(k, KEY_PRIV_DEFAULT, false, &dflt, &dflt_len, &err), 0);
	assert_int_equal(key_private_der(k, KEY_PRIV_PKCS8, false, &der, &len, &err), 0);
	assert_int_equal(dflt_len, len);
	assert_memory_equal(dflt, der, len);
	pkcs8_inner(der, len, &in, &inlen);
	assert_true(has_child(in, inlen, 0xa1));
	l = load_ok(der, len, NULL, NULL, k);
	assert_true(l->is_private);
	key_free(l);
	OPENSSL_clear_free(der, len);
	OPENSSL_clear_free(dflt, dflt_len);

	/* pkcs8 minimal: no public key, still the same key */
	assert_int_equal(key_private_der(k, KEY_PRIV_PKCS8, true, &der, &len, &err), 0);
	pkcs8_inner(der, len, &in, &inlen);
	assert_false(has_child(in, inlen, 0xa1));
	l = load_ok(der, len, NULL, NULL, k);
	assert_true(l->is_private);
	key_free(l);
	OPENSSL_clear_free(der, len);

	/* openssl: SEC1 ECPrivateKey, version 1, with the public key */
	assert_int_equal(key_private_der(k, KEY_PRIV_OPENSSL, false, &der, &len, &err), 0);
	assert_int_equal(der[0], 0x30);
	assert_true(has_child(der, len, 0xa1));
	l = load_ok(der, len, NULL, NULL, k);
	key_free(l);
	OPENSSL_clear_free(der, len);

	/* openssl minimal: without it */
	assert_int_equal(key_private_der(k, KEY_PRIV_OPENSSL, true, &der, &len, &err), 0);
	assert_false(has_child(der, len, 0xa1));
	l = load_ok(der, len, NULL, NULL, k);
	key_free(l);
	OPENSSL_clear_free(der, len);
}

static void test_private_der_ec(void **state)
{
	check_private_der_ec(state, KEY_ECDSA_P256);
	check_private_der_ec(state, KEY_ECDSA_P384);
}

static void test_private_der_x25519(void **state)
{
	struct mcuprov_key *k = key_of(state, KEY_X25519);
	struct mcuprov_err err;
	uint8_t *a = NULL, *b = NULL, *c = NULL;
	size_t alen = 0, blen = 0, clen = 0;
	/* PrivateKeyInfo { 0, { id-X25519 }, OCTET STRING { OCTET STRING (32) } } */
	static const uint8_t prefix[] = { 0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06,
					  0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20 };

	err_clear(&err);
	assert_int_equal(key_private_der(k, KEY_PRIV_DEFAULT, false, &a, &alen, &err), 0);
	assert_int_equal(key_private_der(k, KEY_PRIV_PKCS8, false, &b, &blen, &err), 0);
	assert_int_equal(key_private_der(k, KEY_PRIV_PKCS8, true, &c, &clen, &err), 0);
	assert_int_equal(alen, 48);
	assert_memory_equal(a, prefix, sizeof(prefix));
	/* all three are the same: there is nothing to drop */
	assert_int_equal(blen, alen);
	assert_int_equal(clen, alen);
	assert_memory_equal(a, b, alen);
	assert_memory_equal(a, c, alen);
	OPENSSL_clear_free(a, alen);
	OPENSSL_clear_free(b, blen);
	OPENSSL_clear_free(c, clen);
}

static void check_public_der_rsa(const struct mcuprov_key *k)
{
	OSSL_DECODER_CTX *dctx;
	EVP_PKEY *pub = NULL;
	BIGNUM *n1 = NULL, *n2 = NULL, *e = NULL;
	struct mcuprov_err err;
	const unsigned char *p;
	uint8_t *der = NULL, tags[4];
	size_t len = 0, left;

	err_clear(&err);
	assert_int_equal(key_public_der(k, &der, &len, &err), 0);
	assert_int_equal(der[0], 0x30);
	assert_int_equal(der[1], 0x82);
	assert_int_equal(((size_t)der[2] << 8 | der[3]) + 4, len);
	/* PKCS#1 RSAPublicKey { n INTEGER, e INTEGER }, not SubjectPublicKeyInfo */
	assert_int_equal(seq_children(der, len, tags, sizeof(tags)), 2);
	assert_int_equal(tags[0], 0x02);
	assert_int_equal(tags[1], 0x02);

	dctx = OSSL_DECODER_CTX_new_for_pkey(&pub, "DER", "type-specific", "RSA",
					     OSSL_KEYMGMT_SELECT_PUBLIC_KEY, NULL, NULL);
	assert_non_null(dctx);
	p = der;
	left = len;
	assert_int_equal(OSSL_DECODER_from_data(dctx, &p, &left), 1);
	assert_int_equal(left, 0);
	assert_non_null(pub);
	assert_int_equal(EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_N, &n1), 1);
	assert_int_equal(EVP_PKEY_get_bn_param(k->pkey, OSSL_PKEY_PARAM_RSA_N, &n2), 1);
	assert_int_equal(BN_cmp(n1, n2), 0);
	assert_int_equal(BN_num_bits(n1), EVP_PKEY_get_bits(k->pkey));
	assert_int_equal(EVP_PKEY_get_bn_param(pub, OSSL_PKEY_PARAM_RSA_E, &e), 1);
	assert_true(BN_is_word(e, 65537));
	BN_free(n1);
	BN_free(n2);
	BN_free(e);
	EVP_PKEY_free(pub);
	OSSL_DECODER_CTX_free(dctx);
	free(der);
}

/* key_public_der of KEY is the SPKI PREFIX followed by the raw public key. */
static void check_public_der_spki(const struct mcuprov_key *k, const uint8_t *prefix,
				  size_t prefix_len, size_t total)
{
	struct mcuprov_err err;
	uint8_t *der = NULL, raw[128];
	size_t len = 0, rawlen = sizeof(raw);

	err_clear(&err);
	assert_int_equal(key_public_der(k, &der, &len, &err), 0);
	assert_int_equal(len, total);
	assert_memory_equal(der, prefix, prefix_len);
	if (EVP_PKEY_is_a(k->pkey, "EC"))
		assert_int_equal(EVP_PKEY_get_octet_string_param(k->pkey, OSSL_PKEY_PARAM_PUB_KEY,
								 raw, sizeof(raw), &rawlen),
				 1);
	else
		assert_int_equal(EVP_PKEY_get_raw_public_key(k->pkey, raw, &rawlen), 1);
	assert_int_equal(prefix_len + rawlen - (EVP_PKEY_is_a(k->pkey, "EC") ? 1 : 0), total);
	assert_memory_equal(der + total - rawlen, raw, rawlen);
	free(der);
}

static void test_public_der(void **state)
{
	static const uint8_t ed25519[] = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
					   0x2b, 0x65, 0x70, 0x03, 0x21, 0x00 };
	static const uint8_t x25519[] = { 0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
					  0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00 };
	/* the uncompressed point (0x04 ...) is part of the raw key */
	static const uint8_t p256[] = { 0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce,
					0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
					0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04 };
	static const uint8_t p384[] = { 0x30, 0x76, 0x30, 0x10, 0x06, 0x07, 0x2a, 0x86,
					0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x05, 0x2b,
					0x81, 0x04, 0x00, 0x22, 0x03, 0x62, 0x00, 0x04 };

	check_public_der_rsa(key_of(state, KEY_RSA2048));
	check_public_der_rsa(key_of(state, KEY_RSA3072));
	check_public_der_spki(key_of(state, KEY_ED25519), ed25519, sizeof(ed25519), 44);
	check_public_der_spki(key_of(state, KEY_X25519), x25519, sizeof(x25519), 44);
	check_public_der_spki(key_of(state, KEY_ECDSA_P256), p256, sizeof(p256), 91);
	check_public_der_spki(key_of(state, KEY_ECDSA_P384), p384, sizeof(p384), 120);
}

static void test_fingerprint(void **state)
{
	struct fixture *f = *state;
	size_t i;
	int j;

	for (i = 0; i < N_TYPES; i++) {
		uint8_t *der = NULL, fp[KEY_FINGERPRINT_LEN], want[KEY_FINGERPRINT_LEN];
		char hex[2 * KEY_FINGERPRINT_LEN + 1], want_hex[2 * KEY_FINGERPRINT_LEN + 1];
		unsigned int mdlen = 0;
		size_t len = 0;

		assert_int_equal(key_public_der(f->keys[i], &der, &len, NULL), 0);
		assert_int_equal(EVP_Digest(der, len, want, &mdlen, EVP_sha256(), NULL), 1);
		assert_int_equal(mdlen, KEY_FINGERPRINT_LEN);
		free(der);
		fingerprint_of(f->keys[i], fp);
		assert_memory_equal(fp, want, KEY_FINGERPRINT_LEN);
		for (j = 0; j < KEY_FINGERPRINT_LEN; j++)
			snprintf(want_hex + 2 * j, 3, "%02x", want[j]);
		memset(hex, 'X', sizeof(hex));
		assert_int_equal(key_fingerprint_hex(f->keys[i], hex, NULL), 0);
		assert_string_equal(hex, want_hex);
	}
}

static void test_ec_compressed(void **state)
{
	struct mcuprov_key *k = key_of(state, KEY_ECDSA_P256), *l;
	EVP_PKEY *dup = EVP_PKEY_dup(k->pkey);
	unsigned char *der = NULL;
	int len;

	/* a compressed-point SubjectPublicKeyInfo: MCUboot still gets the
	 * uncompressed encoding, so the fingerprint is the same */
	assert_non_null(dup);
	assert_int_equal(EVP_PKEY_set_utf8_string_param(
				 dup, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, "compressed"),
			 1);
	len = i2d_PUBKEY(dup, &der);
	assert_int_equal(len, 59);
	assert_true(der[26] == 0x02 || der[26] == 0x03);
	l = load_ok(der, (size_t)len, NULL, NULL, k);
	assert_false(l->is_private);
	key_free(l);
	OPENSSL_free(der);
	EVP_PKEY_free(dup);
}

static void test_ec_explicit(void **state)
{
	static const char msg[] = "unsupported EC key with explicit curve parameters (MCUboot "
				  "supports " KEY_SUPPORTED_TYPES ")";
	struct mcuprov_key *want = key_of(state, KEY_ECDSA_P256), *k = NULL;
	struct mcuprov_err err;
	EVP_PKEY *dup = EVP_PKEY_dup(want->pkey);
	unsigned char *der = NULL;
	uint8_t *pub = NULL, got[512], wanted[512];
	size_t pub_len = 0, want_len = 0;
	enum key_type type;
	int len, rc;

	/* P-256 spelt out as explicit parameters instead of the curve's OID.
	 * MCUboot only parses the named-curve form, so mcuprov must either
	 * refuse the key or export it in the named-curve form (91 bytes).
	 * Everything is freed before the assertions. */
	assert_non_null(dup);
	assert_int_equal(
		EVP_PKEY_set_utf8_string_param(dup, OSSL_PKEY_PARAM_EC_ENCODING, "explicit"), 1);
	len = i2d_PUBKEY(dup, &der);
	EVP_PKEY_free(dup);
	assert_true(len > 91);
	err_clear(&err);
	rc = key_load_mem(der, (size_t)len, "mem", NULL, NULL, &k, &err);
	OPENSSL_free(der);
	if (rc != 0) {
		assert_int_equal(rc, MCUPROV_ERR_UNSUPPORTED);
		assert_null(k);
		assert_string_equal(err.msg, msg);
		return;
	}
	type = k->type;
	rc = key_public_der(k, &pub, &pub_len, NULL);
	key_free(k);
	if (rc == 0 && pub_len <= sizeof(got))
		memcpy(got, pub, pub_len);
	free(pub);
	assert_int_equal(rc, 0);
	assert_int_equal(type, KEY_ECDSA_P256);
	assert_int_equal(key_public_der(want, &pub, &want_len, NULL), 0);
	assert_int_equal(want_len, 91);
	memcpy(wanted, pub, want_len);
	free(pub);
	assert_int_equal(pub_len, want_len);
	assert_memory_equal(got, wanted, want_len);
}

static void test_key_load_file(void **state)
{
	struct fixture *f = *state;
	struct mcuprov_key *k = key_of(state, KEY_ECDSA_P256), *l = NULL;
	struct mcuprov_err err;
	char path[128], pub_path[128], missing[128];
	char *pem = NULL;
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/key.pem", f->tmpdir);
	snprintf(pub_path, sizeof(pub_path), "%s/pub.pem", f->tmpdir);
	snprintf(missing, sizeof(missing), "%s/missing.pem", f->tmpdir);

	/* key_save: mode 0600, exclusive unless forced */
	err_clear(&err);
	assert_int_equal(key_save(k, path, NULL, false, &err), 0);
	assert_int_equal(key_load(path, NULL, NULL, &l, &err), 0);
	assert_same_key(l, k);
	assert_true(l->is_private);
	assert_int_equal(l->file_mode & 07777, 0600);
	assert_true(S_ISREG(l->file_mode));
	assert_false(l->insecure_mode);
	key_free(l);
	assert_int_equal(key_save(k, path, NULL, false, &err), MCUPROV_ERR_EXISTS);
	assert_string_equal(err.subject, path);
	assert_string_equal(err.msg, "already exists (use --force to replace it)");
	assert_int_equal(key_save(k, path, NULL, true, &err), 0);

	/* a private key readable by others is flagged */
	assert_int_equal(chmod(path, 0644), 0);
	assert_int_equal(key_load(path, NULL, NULL, &l, &err), 0);
	assert_int_equal(l->file_mode & 07777, 0644);
	assert_true(l->insecure_mode);
	key_free(l);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(key_load(path, NULL, NULL, &l, &err), 0);
	assert_true(l->insecure_mode);
	key_free(l);

	/* a public key readable by others is not */
	assert_int_equal(key_public_pem(k, &pem, &len, &err), 0);
	assert_int_equal(file_write_atomic(pub_path, pem, len, 0, &err), 0);
	OPENSSL_free(pem);
	assert_int_equal(chmod(pub_path, 0644), 0);
	assert_int_equal(key_load(pub_path, NULL, NULL, &l, &err), 0);
	assert_false(l->is_private);
	assert_false(l->insecure_mode);
	assert_int_equal(l->file_mode & 07777, 0644);
	key_free(l);

	/* errors name the file */
	l = (struct mcuprov_key *)&l;
	err_clear(&err);
	assert_int_equal(key_load(missing, NULL, NULL, &l, &err), MCUPROV_ERR_IO);
	assert_null(l);
	assert_string_equal(err.subject, missing);
	assert_string_equal(err.msg, "cannot open: No such file or directory");
	assert_int_equal(file_write_atomic(missing, "junk\n", 5, 0, &err), 0);
	l = (struct mcuprov_key *)&l;
	assert_int_equal(key_load(missing, NULL, NULL, &l, &err), MCUPROV_ERR_FORMAT);
	assert_null(l);
	assert_string_equal(err.subject, missing);
	assert_string_equal(err.msg, MSG_NOT_KEY);
}

static void test_key_save_encrypted(void **state)
{
	struct fixture *f = *state;
	struct mcuprov_key *k = key_of(state, KEY_ED25519), *l = NULL;
	struct pw_answer a = { PASSWORD, 0 };
	struct mcuprov_err err;
	char path[128];

	snprintf(path, sizeof(path), "%s/enc.pem", f->tmpdir);
	err_clear(&err);
	assert_int_equal(key_save(k, path, PASSWORD, false, &err), 0);
	assert_int_equal(key_load(path, answer_pw, &a, &l, &err), 0);
	assert_int_equal(a.calls, 1);
	assert_true(l->was_encrypted);
	assert_true(l->is_private);
	assert_same_key(l, k);
	key_free(l);
	l = (struct mcuprov_key *)&l;
	assert_int_equal(key_load(path, NULL, NULL, &l, &err), MCUPROV_ERR_PASSWORD);
	assert_null(l);
	assert_string_equal(err.subject, path);
	assert_string_equal(err.msg, MSG_NO_PW);
}

/* Read the whole vectors file REL into *buf (free()). */
static size_t read_vector(const char *rel, uint8_t **buf)
{
	char path[1024];
	size_t len = 0;

	snprintf(path, sizeof(path), "%s/%s", unit_vectors(), rel);
	assert_int_equal(file_read(path, 1 << 20, buf, &len, NULL, NULL), 0);
	return len;
}

static void test_vectors_devkey(void **state)
{
	struct mcuprov_key *k = NULL;
	struct mcuprov_err err;
	uint8_t fp[KEY_FINGERPRINT_LEN], *raw = NULL;
	char path[1024];

	if (unit_vectors() == NULL)
		skip();
	snprintf(path, sizeof(path), "%s/keys/root-ed25519.pem", unit_vectors());
	err_clear(&err);
	assert_int_equal(key_load(path, NULL, NULL, &k, &err), 0);
	assert_int_equal(k->type, KEY_ED25519);
	assert_true(k->is_private);
	assert_false(k->was_encrypted);
	assert_non_null(k->devkey);
	assert_string_equal(k->devkey->name, "root-ed25519.pem");
	assert_int_equal(k->devkey->type, KEY_ED25519);
	fingerprint_of(k, fp);
	assert_int_equal(read_vector("getpubhash/root-ed25519.raw", &raw), KEY_FINGERPRINT_LEN);
	assert_memory_equal(fp, raw, KEY_FINGERPRINT_LEN);
	assert_memory_equal(k->devkey->fingerprint, raw, KEY_FINGERPRINT_LEN);
	assert_ptr_equal(devkey_find(fp), k->devkey);
	free(raw);
	key_free(k);
}

static void test_vectors_encrypted(void **state)
{
	struct mcuprov_key *k = NULL;
	struct pw_answer a = { "mcuprov-test", 0 };
	struct mcuprov_err err;
	uint8_t fp[KEY_FINGERPRINT_LEN], *raw = NULL;
	char path[1024];

	if (unit_vectors() == NULL)
		skip();
	/* the same dev key, encrypted by `openssl pkcs8`, is still recognised */
	snprintf(path, sizeof(path), "%s/keys-enc/root-ed25519-pw.pem", unit_vectors());
	err_clear(&err);
	assert_int_equal(key_load(path, answer_pw, &a, &k, &err), 0);
	assert_int_equal(a.calls, 1);
	assert_true(k->was_encrypted);
	assert_true(k->is_private);
	/* openssl pkcs8's default cost: loads, and is reported weak */
	assert_int_equal(k->enc.kdf, KEY_KDF_PBKDF2);
	assert_int_equal(k->enc.iterations, 2048);
	assert_true(k->enc.weak);
	assert_non_null(k->devkey);
	assert_string_equal(k->devkey->name, "root-ed25519.pem");
	fingerprint_of(k, fp);
	assert_int_equal(read_vector("getpubhash/root-ed25519.raw", &raw), KEY_FINGERPRINT_LEN);
	assert_memory_equal(fp, raw, KEY_FINGERPRINT_LEN);
	free(raw);
	key_free(k);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_type_names),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_generate_bad_type),
		cmocka_unit_test(test_private_round_trip),
		cmocka_unit_test(test_encrypted_round_trip),
		cmocka_unit_test(test_kdf_rounds),
		cmocka_unit_test(test_encryption_info),
		cmocka_unit_test(test_wrong_password),
		cmocka_unit_test(test_no_password),
		cmocka_unit_test(test_public_round_trip),
		cmocka_unit_test(test_der_round_trip),
		cmocka_unit_test(test_der_own_exports),
		cmocka_unit_test(test_der_pkcs1_public),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_unsupported),
		cmocka_unit_test(test_private_der_refusals),
		cmocka_unit_test(test_private_der_rsa),
		cmocka_unit_test(test_private_der_ec),
		cmocka_unit_test(test_private_der_x25519),
		cmocka_unit_test(test_public_der),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_ec_compressed),
		cmocka_unit_test(test_ec_explicit),
		cmocka_unit_test(test_key_load_file),
		cmocka_unit_test(test_key_save_encrypted),
		/* these two need the vectors: keep them last */
		cmocka_unit_test(test_vectors_devkey),
		cmocka_unit_test(test_vectors_encrypted),
	};
	size_t n = sizeof(tests) / sizeof(tests[0]);

	if (unit_vectors() == NULL) {
		UNIT_VECTOR_TESTS_SKIPPED(2);
		n -= 2;
	}
	return _cmocka_run_group_tests("key", tests, n, group_setup, group_teardown);
}
