/* MCUboot keys: load, generate, save and export through OpenSSL 3. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/buffer.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "mcuprov/der.h"
#include "mcuprov/devkey.h"
#include "mcuprov/fileio.h"
#include "mcuprov/key.h"
#include "mcuprov/passwd.h"
#include "mcuprov/pkcs11.h"

#include "key-internal.h"

static const struct {
	enum key_type type;
	const char *name;
	const char *shortname;
} key_types[] = {
	{ KEY_RSA2048, "rsa-2048", "rsa" },
	{ KEY_RSA3072, "rsa-3072", "rsa" },
	{ KEY_ECDSA_P256, "ecdsa-p256", "ecdsa" },
	{ KEY_ECDSA_P384, "ecdsa-p384", "ecdsap384" },
	{ KEY_ED25519, "ed25519", "ed25519" },
	{ KEY_X25519, "x25519", "x25519" },
};

#define N_KEY_TYPES (sizeof(key_types) / sizeof(key_types[0]))

enum key_type key_type_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < N_KEY_TYPES; i++)
		if (strcmp(key_types[i].name, name) == 0)
			return key_types[i].type;
	return KEY_TYPE_NONE;
}

const char *key_type_name(enum key_type type)
{
	size_t i;

	for (i = 0; i < N_KEY_TYPES; i++)
		if (key_types[i].type == type)
			return key_types[i].name;
	return "none";
}

const char *key_type_shortname(enum key_type type)
{
	size_t i;

	for (i = 0; i < N_KEY_TYPES; i++)
		if (key_types[i].type == type)
			return key_types[i].shortname;
	return "none";
}

bool key_type_can_sign(enum key_type type)
{
	return type != KEY_TYPE_NONE && type != KEY_X25519;
}

void key_free(struct mcuprov_key *key)
{
	if (key == NULL)
		return;
	EVP_PKEY_free(key->pkey);
	if (key->ops != NULL && key->ops->free != NULL)
		key->ops->free(key->ops_ctx);
	free(key->uri);
	free(key->where);
	free(key->token);
	free(key);
}

bool key_can_sign(const struct mcuprov_key *key)
{
	return key_type_can_sign(key->type) &&
	       (key->is_private || (key->ops != NULL && key->ops->sign != NULL));
}

bool key_can_export(const struct mcuprov_key *key)
{
	return key->is_private;
}

int key_sig_ctx_init(EVP_PKEY_CTX *pctx, enum key_type type, const EVP_MD *md, bool verify)
{
	bool rsa = type == KEY_RSA2048 || type == KEY_RSA3072;

	if ((verify ? EVP_PKEY_verify_init(pctx) : EVP_PKEY_sign_init(pctx)) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(pctx, md) != 1)
		return 0;
	/* MCUboot's RSA: PSS, MGF1 with the image hash, 32-byte salt */
	if (rsa && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, 32) != 1 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md) != 1))
		return 0;
	return 1;
}

int key_sign(const struct mcuprov_key *key, const EVP_MD *md, const uint8_t *msg, size_t msglen,
	     uint8_t *sig, size_t *siglen, struct mcuprov_err *err)
{
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *ed = NULL;
	int ok;

	if (!key_can_sign(key))
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       key_type_can_sign(key->type) ? "a public %s key cannot sign"
							    : "%s keys do not sign",
			       key_type_name(key->type));
	if (key->ops != NULL)
		return key->ops->sign(key, md, msg, msglen, sig, siglen, err);
	if (key->type == KEY_ED25519) {
		/* Ed25519 hashes internally: one-shot over MSG */
		ed = EVP_MD_CTX_new();
		ok = ed != NULL &&
		     EVP_DigestSignInit_ex(ed, NULL, NULL, NULL, NULL, key->pkey, NULL) == 1 &&
		     EVP_DigestSign(ed, sig, siglen, msg, msglen) == 1;
	} else {
		pctx = EVP_PKEY_CTX_new_from_pkey(NULL, key->pkey, NULL);
		ok = pctx != NULL && key_sig_ctx_init(pctx, key->type, md, false) &&
		     EVP_PKEY_sign(pctx, sig, siglen, msg, msglen) == 1;
	}
	EVP_MD_CTX_free(ed);
	EVP_PKEY_CTX_free(pctx);
	if (ok)
		return 0;
	return err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL, "%s signing failed",
			   key_type_name(key->type));
}

/* ---- loading ---------------------------------------------------------- */

struct pw_state {
	key_passwd_cb cb;
	void *arg;
	bool asked;    /* the decoder wanted a password */
	bool refused;  /* ... and the front end had none */
	bool cached;
	char pw[PASSWD_BUF];
	size_t pwlen;
};

/* OSSL_PASSPHRASE_CALLBACK: ask the front end once, then reuse the answer
 * for every decoder OpenSSL tries. */
static int decoder_pw_cb(char *pass, size_t pass_size, size_t *pass_len, const OSSL_PARAM params[],
			 void *arg)
{
	struct pw_state *st = arg;
	int n;

	st->asked = true;
	if (!st->cached) {
		if (st->cb == NULL) {
			st->refused = true;
			return 0;
		}
		n = st->cb(st->pw, sizeof(st->pw), st->arg);
		if (n < 0 || (size_t)n >= sizeof(st->pw)) {
			st->refused = true;
			return 0;
		}
		st->pwlen = (size_t)n;
		st->cached = true;
	}
	if (st->pwlen > pass_size)
		return 0;
	memcpy(pass, st->pw, st->pwlen);
	*pass_len = st->pwlen;
	return 1;
}

static bool pkey_has_private(EVP_PKEY *pkey)
{
	BIGNUM *bn = NULL;
	size_t len = 0;
	bool priv = false;

	if (EVP_PKEY_is_a(pkey, "RSA")) {
		priv = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_RSA_D, &bn) == 1 && !BN_is_zero(bn);
	} else if (EVP_PKEY_is_a(pkey, "EC")) {
		priv = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, &bn) == 1 &&
		       !BN_is_zero(bn);
	} else {
		/* ED25519/X25519: ask only for the length, copy nothing */
		priv = EVP_PKEY_get_octet_string_param(pkey, OSSL_PKEY_PARAM_PRIV_KEY, NULL, 0, &len) ==
			       1 &&
		       len > 0;
	}
	BN_clear_free(bn);
	ERR_clear_error();
	return priv;
}

/* Map an EVP_PKEY to an MCUboot key type, or explain why it is not one. */
static int classify(EVP_PKEY *pkey, const char *subject, enum key_type *type,
		    struct mcuprov_err *err)
{
	char group[64];

	if (EVP_PKEY_is_a(pkey, "RSA")) {
		int bits = EVP_PKEY_get_bits(pkey);

		if (bits == 2048) {
			*type = KEY_RSA2048;
			return 0;
		}
		if (bits == 3072) {
			*type = KEY_RSA3072;
			return 0;
		}
		return err_set(err, MCUPROV_ERR_UNSUPPORTED, subject,
			       "unsupported key type rsa-%d (MCUboot supports " KEY_SUPPORTED_TYPES
			       ")",
			       bits);
	}
	if (EVP_PKEY_is_a(pkey, "EC")) {
		if (EVP_PKEY_get_group_name(pkey, group, sizeof(group), NULL) != 1) {
			ERR_clear_error();
			return err_set(err, MCUPROV_ERR_UNSUPPORTED, subject,
				       "unsupported EC key with explicit curve parameters (MCUboot "
				       "supports " KEY_SUPPORTED_TYPES ")");
		}
		if (strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0) {
			*type = KEY_ECDSA_P256;
		} else if (strcmp(group, "secp384r1") == 0 || strcmp(group, "P-384") == 0) {
			*type = KEY_ECDSA_P384;
		} else {
			return err_set(err, MCUPROV_ERR_UNSUPPORTED, subject,
				       "unsupported EC curve %s (MCUboot supports " KEY_SUPPORTED_TYPES
				       ")",
				       group);
		}
		/* MCUboot parses only the named-curve, uncompressed-point form of
		 * SubjectPublicKeyInfo, whatever the file had (OpenSSL already
		 * matched explicit parameters to the named curve above). */
		if (EVP_PKEY_set_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_ENCODING,
						   OSSL_PKEY_EC_ENCODING_GROUP) != 1 ||
		    EVP_PKEY_set_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT,
						   OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) != 1) {
			ERR_clear_error();
			return err_set(err, MCUPROV_ERR_UNSUPPORTED, subject,
				       "cannot use this EC key's curve encoding (MCUboot needs a "
				       "named curve)");
		}
		ERR_clear_error();
		return 0;
	}
	if (EVP_PKEY_is_a(pkey, "ED25519")) {
		*type = KEY_ED25519;
		return 0;
	}
	if (EVP_PKEY_is_a(pkey, "X25519")) {
		*type = KEY_X25519;
		return 0;
	}
	{
		const char *name = EVP_PKEY_get0_type_name(pkey);
		char lower[32];
		size_t i;

		snprintf(lower, sizeof(lower), "%s", name ? name : "unknown");
		for (i = 0; lower[i]; i++)
			if (lower[i] >= 'A' && lower[i] <= 'Z')
				lower[i] = (char)(lower[i] - 'A' + 'a');
		return err_set(err, MCUPROV_ERR_UNSUPPORTED, subject,
			       "unsupported key type %s (MCUboot supports " KEY_SUPPORTED_TYPES ")",
			       lower);
	}
}

/* One OSSL_DECODER pass over DATA; NULL arguments mean "try all". */
static EVP_PKEY *decode(const uint8_t *data, size_t len, const char *input_type,
			const char *structure, const char *keytype, int selection,
			struct pw_state *pw)
{
	OSSL_DECODER_CTX *dctx;
	EVP_PKEY *pkey = NULL;
	const unsigned char *p = data;
	size_t left = len;

	dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, input_type, structure, keytype, selection, NULL,
					     NULL);
	if (dctx == NULL)
		return NULL;
	if (!OSSL_DECODER_CTX_set_passphrase_cb(dctx, decoder_pw_cb, pw) ||
	    !OSSL_DECODER_from_data(dctx, &p, &left)) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	OSSL_DECODER_CTX_free(dctx);
	ERR_clear_error();
	return pkey;
}

int key_load_mem(const uint8_t *data, size_t len, const char *subject, key_passwd_cb pw_cb,
		 void *pw_arg, struct mcuprov_key **out, struct mcuprov_err *err)
{
	EVP_PKEY *pkey = NULL;
	struct mcuprov_key *key = NULL;
	struct pw_state *pw = NULL;
	uint8_t fp[KEY_FINGERPRINT_LEN];
	int rc;

	*out = NULL;
	pw = OPENSSL_zalloc(sizeof(*pw));
	if (pw == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
	pw->cb = pw_cb;
	pw->arg = pw_arg;

	/* input type NULL: PEM and DER; structure NULL: PKCS#1, SEC1, PKCS#8
	 * (plain or encrypted) and SubjectPublicKeyInfo are all tried. */
	pkey = decode(data, len, NULL, NULL, NULL, 0, pw);
	if (pkey != NULL && (EVP_PKEY_is_a(pkey, "DH") || EVP_PKEY_is_a(pkey, "DHX"))) {
		/* A DER PKCS#1 RSAPublicKey (what `getpub -e raw` writes) is
		 * SEQUENCE { INTEGER, INTEGER }, which DH parameters match too:
		 * prefer the RSA reading when there is one. */
		EVP_PKEY *rsa = decode(data, len, "DER", "type-specific", "RSA",
				       OSSL_KEYMGMT_SELECT_PUBLIC_KEY, pw);

		if (rsa != NULL) {
			EVP_PKEY_free(pkey);
			pkey = rsa;
		}
	}
	if (pkey == NULL) {
		if (pw->asked && pw->refused)
			rc = err_set(err, MCUPROV_ERR_PASSWORD, subject,
				     "key is encrypted and no password was given (use --passin)");
		else if (pw->asked)
			rc = err_set(err, MCUPROV_ERR_PASSWORD, subject,
				     "wrong password (or damaged key)");
		else
			rc = err_set(err, MCUPROV_ERR_FORMAT, subject,
				     "not a PEM or DER key (PKCS#1, SEC1, PKCS#8 or "
				     "SubjectPublicKeyInfo)");
		goto out;
	}

	key = calloc(1, sizeof(*key));
	if (key == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
		goto out;
	}
	rc = classify(pkey, subject, &key->type, err);
	if (rc < 0)
		goto out;
	key->pkey = pkey;
	pkey = NULL;
	key->is_private = pkey_has_private(key->pkey);
	key->was_encrypted = pw->asked;
	if (key->was_encrypted)
		key_encryption_info(data, len, &key->enc);
	rc = key_fingerprint(key, fp, err);
	if (rc < 0)
		goto out;
	key->devkey = devkey_find(fp);
	*out = key;
	key = NULL;
	rc = 0;
out:
	key_free(key);
	EVP_PKEY_free(pkey);
	OPENSSL_clear_free(pw, sizeof(*pw));
	return rc;
}

int key_load(const char *path, key_passwd_cb pw_cb, void *pw_arg, struct mcuprov_key **out,
	     struct mcuprov_err *err)
{
	return key_load_ex(path, 0, pw_cb, pw_arg, out, err);
}

int key_wrap_pkey(EVP_PKEY *pkey, const char *subject, struct mcuprov_key **out,
		  struct mcuprov_err *err)
{
	struct mcuprov_key *key;
	uint8_t fp[KEY_FINGERPRINT_LEN];
	int rc;

	*out = NULL;
	key = calloc(1, sizeof(*key));
	if (key == NULL) {
		EVP_PKEY_free(pkey);
		return err_set(err, MCUPROV_ERR_NOMEM, subject, "out of memory");
	}
	key->pkey = pkey;
	rc = classify(pkey, subject, &key->type, err);
	if (rc == 0)
		rc = key_fingerprint(key, fp, err);
	if (rc < 0) {
		key_free(key);
		return rc;
	}
	key->devkey = devkey_find(fp);
	*out = key;
	return 0;
}

int key_load_ex(const char *path, unsigned flags, key_passwd_cb pw_cb, void *pw_arg,
		struct mcuprov_key **out, struct mcuprov_err *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	mode_t mode = 0;
	int rc;

	*out = NULL;
	if (pkcs11_is_uri(path))
		return pkcs11_key_load(path, flags, pw_cb, pw_arg, out, err);
	rc = file_read(path, KEY_FILE_MAX, &buf, &len, &mode, err);
	if (rc < 0)
		return rc;
	rc = key_load_mem(buf, len, path, pw_cb, pw_arg, out, err);
	OPENSSL_clear_free(buf, len + 1);
	if (rc < 0)
		return rc;
	(*out)->origin = KEY_ORIGIN_FILE;
	(*out)->file_mode = mode;
	(*out)->insecure_mode = (*out)->is_private && (mode & 077) != 0;
	return 0;
}

/* ---- generation --------------------------------------------------------- */

int key_generate(enum key_type type, struct mcuprov_key **out, struct mcuprov_err *err)
{
	EVP_PKEY *pkey = NULL;
	struct mcuprov_key *key;

	*out = NULL;
	switch (type) {
	case KEY_RSA2048: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048); break;
	case KEY_RSA3072: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)3072); break;
	case KEY_ECDSA_P256: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256"); break;
	case KEY_ECDSA_P384: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-384"); break;
	case KEY_ED25519: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519"); break;
	case KEY_X25519: pkey = EVP_PKEY_Q_keygen(NULL, NULL, "X25519"); break;
	default: return err_set(err, MCUPROV_ERR_USAGE, NULL, "unknown key type");
	}
	if (pkey == NULL)
		return err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL, "%s key generation failed",
				   key_type_name(type));
	key = calloc(1, sizeof(*key));
	if (key == NULL) {
		EVP_PKEY_free(pkey);
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	}
	key->pkey = pkey;
	key->type = type;
	key->is_private = true;
	*out = key;
	return 0;
}

/* ---- encoding ------------------------------------------------------------ */

/* The contents of the memory BIO BIO, copied to *OUTP (OPENSSL_malloc'd,
 * NUL-terminated for PEM text, *OUTLEN bytes without the NUL); WHAT names
 * it in the error. */
static int bio_take(BIO *bio, const char *what, uint8_t **outp, size_t *outlen,
		    struct mcuprov_err *err)
{
	BUF_MEM *mem = NULL;
	uint8_t *buf;

	BIO_get_mem_ptr(bio, &mem);
	if (mem == NULL || mem->length == 0)
		return err_set(err, MCUPROV_ERR_CRYPTO, NULL, "cannot encode %s", what);
	if ((buf = OPENSSL_malloc(mem->length + 1)) == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	memcpy(buf, mem->data, mem->length);
	buf[mem->length] = '\0';
	*outp = buf;
	*outlen = mem->length;
	return 0;
}

/* Encode with OSSL_ENCODER, unencrypted, into a secure-memory BIO (so that
 * intermediate buffers holding private keys are wiped), then copy out.  A
 * private key result must be released with OPENSSL_clear_free. */
static int encode(const EVP_PKEY *pkey, int selection, const char *otype, const char *structure,
		  uint8_t **outp, size_t *outlen, const char *what, struct mcuprov_err *err)
{
	OSSL_ENCODER_CTX *ectx = NULL;
	BIO *bio = NULL;
	int rc;

	*outp = NULL;
	*outlen = 0;
	ectx = OSSL_ENCODER_CTX_new_for_pkey(pkey, selection, otype, structure, NULL);
	if (ectx == NULL || OSSL_ENCODER_CTX_get_num_encoders(ectx) == 0) {
		rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL, "no encoder for %s", what);
		goto out;
	}
	bio = BIO_new(BIO_s_secmem());
	if (bio == NULL) {
		rc = err_set_ssl(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	if (!OSSL_ENCODER_to_bio(ectx, bio)) {
		rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL, "cannot encode %s", what);
		goto out;
	}
	rc = bio_take(bio, what, outp, outlen, err);
out:
	BIO_free(bio);
	OSSL_ENCODER_CTX_free(ectx);
	ERR_clear_error();
	return rc;
}

/* PKCS#8 EncryptedPrivateKeyInfo PEM: PBES2, PBKDF2-HMAC-SHA256 with
 * ROUNDS iterations, AES-256-CBC (OSSL_ENCODER cannot be told the iteration
 * count).  The PrivateKeyInfo DER comes from encode() (not EVP_PKEY2PKCS8,
 * which frees its DER copy without wiping it) and is wiped here; OpenSSL
 * wipes the parsed PrivateKeyInfo and the plaintext it encrypts when freed;
 * the PEM goes through a secure-memory BIO. */
static int encode_encrypted(const EVP_PKEY *pkey, const char *password, unsigned rounds,
			    uint8_t **outp, size_t *outlen, struct mcuprov_err *err)
{
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	X509_ALGOR *pbe = NULL;
	X509_SIG *sig = NULL;
	BIO *bio = NULL;
	uint8_t *der = NULL;
	const unsigned char *p;
	size_t der_len = 0;
	int rc;

	*outp = NULL;
	*outlen = 0;
	rc = encode(pkey, OSSL_KEYMGMT_SELECT_KEYPAIR | OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS,
		    "DER", "PrivateKeyInfo", &der, &der_len, "private key", err);
	if (rc < 0)
		goto out;
	p = der;
	p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, (long)der_len);
	if (p8 == NULL) {
		rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL, "cannot encode private key");
		goto out;
	}
	/* a random 16-byte salt (OpenSSL's default is 8; SP 800-132 asks for 16) */
	pbe = PKCS5_pbe2_set_iv_ex(EVP_aes_256_cbc(), (int)rounds, NULL, 16, NULL,
				   NID_hmacWithSHA256, NULL);
	if (pbe == NULL) {
		rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL, "cannot encrypt private key");
		goto out;
	}
	sig = PKCS8_set0_pbe_ex(password, (int)strlen(password), p8, pbe, NULL, NULL);
	if (sig == NULL) {
		rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL, "cannot encrypt private key");
		goto out;
	}
	pbe = NULL; /* owned by sig */
	bio = BIO_new(BIO_s_secmem());
	if (bio == NULL) {
		rc = err_set_ssl(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	if (!PEM_write_bio_PKCS8(bio, sig)) {
		rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL, "cannot encode private key");
		goto out;
	}
	rc = bio_take(bio, "private key", outp, outlen, err);
out:
	BIO_free(bio);
	X509_SIG_free(sig);
	X509_ALGOR_free(pbe);
	PKCS8_PRIV_KEY_INFO_free(p8);
	if (der != NULL)
		OPENSSL_clear_free(der, der_len + 1);
	ERR_clear_error();
	return rc;
}

int key_kdf_rounds_parse(const char *s, unsigned *out)
{
	unsigned long v = 0;
	const char *p;

	if (s == NULL || *s == '\0' || strlen(s) > 10)
		return -1;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < KEY_KDF_ROUNDS_MIN || v > KEY_KDF_ROUNDS_MAX)
		return -1;
	*out = (unsigned)v;
	return 0;
}

int key_private_pem_ex(const struct mcuprov_key *key, const char *password, unsigned kdf_rounds,
		       char **pem, size_t *len, struct mcuprov_err *err)
{
	*pem = NULL;
	*len = 0;
	if (key->origin == KEY_ORIGIN_TOKEN)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "a key in a PKCS#11 token: its private half never leaves the token");
	if (!key->is_private)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "not a private key");
	if (password == NULL || password[0] == '\0')
		return encode(key->pkey, OSSL_KEYMGMT_SELECT_KEYPAIR, "PEM", "PrivateKeyInfo",
			      (uint8_t **)pem, len, "private key", err);
	if (kdf_rounds == 0)
		kdf_rounds = KEY_KDF_ROUNDS_DEFAULT;
	if (kdf_rounds < KEY_KDF_ROUNDS_MIN || kdf_rounds > KEY_KDF_ROUNDS_MAX)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "invalid number of key derivation rounds %u (%u to %u)", kdf_rounds,
			       KEY_KDF_ROUNDS_MIN, KEY_KDF_ROUNDS_MAX);
	return encode_encrypted(key->pkey, password, kdf_rounds, (uint8_t **)pem, len, err);
}

int key_private_pem(const struct mcuprov_key *key, const char *password, char **pem,
		    size_t *len, struct mcuprov_err *err)
{
	return key_private_pem_ex(key, password, 0, pem, len, err);
}

/* ---- encryption at rest: what a file uses -------------------------------- */

/* "hmacWithSHA256" -> "HMAC-SHA256" */
static void prf_name(int nid, char *out, size_t n)
{
	const char *sn = OBJ_nid2sn(nid);

	if (sn == NULL)
		snprintf(out, n, "unknown PRF");
	else if (strncmp(sn, "hmacWith", 8) == 0)
		snprintf(out, n, "HMAC-%s", sn + 8);
	else
		snprintf(out, n, "%s", sn);
}

static void oid_name(const ASN1_OBJECT *obj, char *out, size_t n)
{
	int nid = OBJ_obj2nid(obj);

	if (nid != NID_undef && OBJ_nid2sn(nid) != NULL)
		snprintf(out, n, "%s", OBJ_nid2sn(nid));
	else if (OBJ_obj2txt(out, (int)n, obj, 1) <= 0)
		snprintf(out, n, "unknown");
}

/* X509_ALGOR parameters of type SEQUENCE decoded as IT, or NULL */
static void *algor_params(const X509_ALGOR *alg, const ASN1_ITEM *it)
{
	const ASN1_OBJECT *obj;
	const void *pval;
	int ptype;

	X509_ALGOR_get0(&obj, &ptype, &pval, alg);
	if (ptype != V_ASN1_SEQUENCE || pval == NULL)
		return NULL;
	return ASN1_item_unpack((const ASN1_STRING *)pval, it);
}

static bool asn1_u64(const ASN1_INTEGER *a, uint64_t *v)
{
	return a != NULL && ASN1_INTEGER_get_uint64(v, a) == 1;
}

/* OWASP 2023 (Password Storage Cheat Sheet) PBKDF2 iteration floors */
static uint64_t pbkdf2_floor(int prf_nid)
{
	switch (prf_nid) {
	case NID_hmacWithSHA1: return 1300000;
	case NID_hmacWithSHA512: return 210000;
	default: return 600000;
	}
}

/* scrypt's smallest OWASP 2023 setting: N=2^13, r=8, p=10 (and N=2^14, r=8,
 * p=5), N*r*p = 655,360 */
#define SCRYPT_FLOOR 655360u

static void scrypt_n_text(uint64_t n, char *out, size_t size)
{
	unsigned k = 0;

	if (n != 0 && (n & (n - 1)) == 0) {
		while ((1ull << k) != n)
			k++;
		snprintf(out, size, "2^%u", k);
	} else {
		snprintf(out, size, "%llu", (unsigned long long)n);
	}
}

static void pbes2_info(const X509_ALGOR *alg, struct key_encryption *e)
{
	PBE2PARAM *p2 = algor_params(alg, ASN1_ITEM_rptr(PBE2PARAM));
	const ASN1_OBJECT *obj;
	int nid;

	e->kdf = KEY_KDF_UNKNOWN;
	snprintf(e->text, sizeof(e->text), "PBES2, unrecognised parameters");
	if (p2 == NULL || p2->keyfunc == NULL || p2->encryption == NULL)
		goto out;
	X509_ALGOR_get0(&obj, NULL, NULL, p2->encryption);
	oid_name(obj, e->cipher, sizeof(e->cipher));
	X509_ALGOR_get0(&obj, NULL, NULL, p2->keyfunc);
	nid = OBJ_obj2nid(obj);
	if (nid == NID_id_pbkdf2) {
		PBKDF2PARAM *kp = algor_params(p2->keyfunc, ASN1_ITEM_rptr(PBKDF2PARAM));
		int prf = NID_hmacWithSHA1; /* the default when absent */
		uint64_t floor;

		if (kp == NULL || !asn1_u64(kp->iter, &e->iterations)) {
			PBKDF2PARAM_free(kp);
			goto out;
		}
		if (kp->prf != NULL) {
			X509_ALGOR_get0(&obj, NULL, NULL, kp->prf);
			prf = OBJ_obj2nid(obj);
		}
		PBKDF2PARAM_free(kp);
		e->kdf = KEY_KDF_PBKDF2;
		prf_name(prf, e->prf, sizeof(e->prf));
		snprintf(e->text, sizeof(e->text), "PBES2, PBKDF2-%s, %llu iterations, %s", e->prf,
			 (unsigned long long)e->iterations, e->cipher);
		floor = pbkdf2_floor(prf);
		if (e->iterations < floor) {
			e->weak = true;
			snprintf(e->weak_why, sizeof(e->weak_why),
				 "%llu PBKDF2-%s iterations (at least %llu)",
				 (unsigned long long)e->iterations, e->prf,
				 (unsigned long long)floor);
		}
	} else if (nid == NID_id_scrypt) {
		SCRYPT_PARAMS *sp = algor_params(p2->keyfunc, ASN1_ITEM_rptr(SCRYPT_PARAMS));
		char nt[32];

		if (sp == NULL || !asn1_u64(sp->costParameter, &e->scrypt_n) ||
		    !asn1_u64(sp->blockSize, &e->scrypt_r) ||
		    !asn1_u64(sp->parallelizationParameter, &e->scrypt_p)) {
			SCRYPT_PARAMS_free(sp);
			goto out;
		}
		SCRYPT_PARAMS_free(sp);
		e->kdf = KEY_KDF_SCRYPT;
		scrypt_n_text(e->scrypt_n, nt, sizeof(nt));
		snprintf(e->text, sizeof(e->text), "PBES2, scrypt (N=%s, r=%llu, p=%llu), %s", nt,
			 (unsigned long long)e->scrypt_r, (unsigned long long)e->scrypt_p,
			 e->cipher);
		/* N*r*p without overflow: each bounded before multiplying */
		if (e->scrypt_n < SCRYPT_FLOOR && e->scrypt_r < SCRYPT_FLOOR &&
		    e->scrypt_p < SCRYPT_FLOOR &&
		    e->scrypt_n * e->scrypt_r * e->scrypt_p < SCRYPT_FLOOR) {
			e->weak = true;
			snprintf(e->weak_why, sizeof(e->weak_why),
				 "scrypt N=%s, r=%llu, p=%llu (N*r*p at least %u)", nt,
				 (unsigned long long)e->scrypt_r, (unsigned long long)e->scrypt_p,
				 SCRYPT_FLOOR);
		}
	} else {
		char kn[64];

		oid_name(obj, kn, sizeof(kn));
		snprintf(e->text, sizeof(e->text), "PBES2, unrecognised key derivation %s, %s", kn,
			 e->cipher);
	}
out:
	PBE2PARAM_free(p2);
}

static void pkcs8_info(const uint8_t *der, long len, struct key_encryption *e)
{
	const unsigned char *p = der;
	X509_SIG *sig = d2i_X509_SIG(NULL, &p, len);
	const X509_ALGOR *alg;
	const ASN1_OBJECT *obj;
	int nid;

	if (sig == NULL)
		return;
	X509_SIG_get0(sig, &alg, NULL);
	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	nid = OBJ_obj2nid(obj);
	if (nid == NID_pbes2) {
		pbes2_info(alg, e);
	} else if (nid != NID_undef &&
		   EVP_PBE_find(EVP_PBE_TYPE_OUTER, nid, NULL, NULL, NULL)) {
		/* PKCS#5 v1.5 / PKCS#12 PBE: DES, RC2, 3DES, RC4 with MD5/SHA-1 */
		PBEPARAM *pp = algor_params(alg, ASN1_ITEM_rptr(PBEPARAM));
		const char *scheme = "PBES1";

		switch (nid) {
		case NID_pbe_WithSHA1And128BitRC4:
		case NID_pbe_WithSHA1And40BitRC4:
		case NID_pbe_WithSHA1And3_Key_TripleDES_CBC:
		case NID_pbe_WithSHA1And2_Key_TripleDES_CBC:
		case NID_pbe_WithSHA1And128BitRC2_CBC:
		case NID_pbe_WithSHA1And40BitRC2_CBC: scheme = "PKCS#12 PBE"; break;
		default: break;
		}
		e->kdf = KEY_KDF_PBES1;
		e->weak = true;
		oid_name(obj, e->prf, sizeof(e->prf));
		if (pp != NULL && asn1_u64(pp->iter, &e->iterations)) {
			snprintf(e->text, sizeof(e->text), "%s, %s, %llu iterations", scheme,
				 e->prf, (unsigned long long)e->iterations);
			snprintf(e->weak_why, sizeof(e->weak_why),
				 "the obsolete %s, %llu iterations", e->prf,
				 (unsigned long long)e->iterations);
		} else {
			snprintf(e->text, sizeof(e->text), "%s, %s", scheme, e->prf);
			snprintf(e->weak_why, sizeof(e->weak_why), "the obsolete %s", e->prf);
		}
		PBEPARAM_free(pp);
	} else {
		char on[64];

		oid_name(obj, on, sizeof(on));
		e->kdf = KEY_KDF_UNKNOWN;
		snprintf(e->text, sizeof(e->text), "unrecognised encryption %s", on);
	}
	X509_SIG_free(sig);
	ERR_clear_error();
}

void key_encryption_info(const uint8_t *data, size_t len, struct key_encryption *out)
{
	BIO *bio;
	char *name = NULL, *header = NULL;
	unsigned char *der = NULL;
	long dlen = 0;
	bool pem = false;

	memset(out, 0, sizeof(*out));
	if (len == 0 || len > KEY_FILE_MAX)
		return;
	bio = BIO_new_mem_buf(data, (int)len);
	if (bio == NULL)
		return;
	/* every PEM block in turn, until an encrypted one */
	while (out->kdf == KEY_KDF_NONE && PEM_read_bio(bio, &name, &header, &der, &dlen) == 1) {
		EVP_CIPHER_INFO ci;

		pem = true;
		if (strcmp(name, PEM_STRING_PKCS8) == 0) {
			pkcs8_info(der, dlen, out);
		} else if (header != NULL && header[0] != '\0' &&
			   PEM_get_EVP_CIPHER_INFO(header, &ci) == 1 && ci.cipher != NULL) {
			out->kdf = KEY_KDF_LEGACY_PEM;
			out->weak = true;
			snprintf(out->cipher, sizeof(out->cipher), "%s",
				 EVP_CIPHER_get0_name(ci.cipher));
			snprintf(out->text, sizeof(out->text),
				 "legacy PEM (Proc-Type: 4,ENCRYPTED), %s, key from one MD5 round",
				 out->cipher);
			snprintf(out->weak_why, sizeof(out->weak_why), "%s",
				 "legacy PEM encryption (its key is one MD5 round of the "
				 "password)");
		}
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_clear_free(der, dlen > 0 ? (size_t)dlen : 0);
		name = header = NULL;
		der = NULL;
	}
	BIO_free(bio);
	if (!pem)
		pkcs8_info(data, (long)len, out);
	ERR_clear_error();
}

/* How key_save() writes: private, the directory made, replaced only when FORCE. */
static unsigned key_save_flags(bool force)
{
	return FILE_WRITE_PRIVATE | FILE_WRITE_MKDIR | (force ? FILE_WRITE_FORCE : 0);
}

int key_save(const struct mcuprov_key *key, const char *path, const char *password, bool force,
	     struct mcuprov_err *err)
{
	return key_save_ex(key, path, password, 0, force, err);
}

int key_save_ex(const struct mcuprov_key *key, const char *path, const char *password,
		unsigned kdf_rounds, bool force, struct mcuprov_err *err)
{
	char *pem = NULL;
	size_t len = 0;
	int rc;

	rc = key_private_pem_ex(key, password, kdf_rounds, &pem, &len, err);
	if (rc < 0) {
		if (err != NULL)
			snprintf(err->subject, sizeof(err->subject), "%s", path);
		return rc;
	}
	rc = file_write_atomic(path, pem, len, key_save_flags(force), err);
	OPENSSL_clear_free(pem, len + 1);
	return rc;
}

int key_save_check(const char *path, bool force, struct mcuprov_err *err)
{
	return file_write_check(path, key_save_flags(force), err);
}

int key_public_der(const struct mcuprov_key *key, uint8_t **der, size_t *len,
		   struct mcuprov_err *err)
{
	/* MCUboot embeds RSA keys as PKCS#1 RSAPublicKey, all others as SPKI */
	const char *structure = EVP_PKEY_is_a(key->pkey, "RSA") ? "type-specific"
								: "SubjectPublicKeyInfo";
	int rc;
	uint8_t *buf = NULL;

	rc = encode(key->pkey, OSSL_KEYMGMT_SELECT_PUBLIC_KEY | OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS,
		    "DER", structure, &buf, len, "public key", err);
	*der = buf;
	return rc;
}

int key_public_pem(const struct mcuprov_key *key, char **pem, size_t *len,
		   struct mcuprov_err *err)
{
	return encode(key->pkey, OSSL_KEYMGMT_SELECT_PUBLIC_KEY | OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS,
		      "PEM", "SubjectPublicKeyInfo", (uint8_t **)pem, len, "public key", err);
}

int key_fingerprint(const struct mcuprov_key *key, uint8_t out[KEY_FINGERPRINT_LEN],
		    struct mcuprov_err *err)
{
	uint8_t *der = NULL;
	size_t len = 0;
	unsigned int mdlen = 0;
	int rc;

	rc = key_public_der(key, &der, &len, err);
	if (rc < 0)
		return rc;
	if (!EVP_Digest(der, len, out, &mdlen, EVP_sha256(), NULL) || mdlen != KEY_FINGERPRINT_LEN)
		rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL, "SHA-256 failed");
	OPENSSL_free(der);
	return rc;
}

int key_fingerprint_hex(const struct mcuprov_key *key, char out[2 * KEY_FINGERPRINT_LEN + 1],
			struct mcuprov_err *err)
{
	uint8_t fp[KEY_FINGERPRINT_LEN];
	int rc, i;

	rc = key_fingerprint(key, fp, err);
	if (rc < 0)
		return rc;
	for (i = 0; i < KEY_FINGERPRINT_LEN; i++)
		sprintf(out + 2 * i, "%02x", fp[i]);
	return 0;
}

/* ---- private key export (getpriv) ----------------------------------------- */

/* Append LEN bytes to the secret buffer OUT at *pos (capacity checked). */
static void put(uint8_t *out, size_t *pos, const void *src, size_t len)
{
	memcpy(out + *pos, src, len);
	*pos += len;
}

/* Re-encode the SEQUENCE in IN keeping at most MAX_CHILDREN children and
 * dropping any child whose tag is DROP_TAG (0: none).  The result is a new
 * secret buffer (OPENSSL_clear_free). */
static int seq_filter(const uint8_t *in, size_t inlen, size_t max_children, uint8_t drop_tag,
		      uint8_t **out, size_t *outlen)
{
	struct der_tlv seq, child;
	size_t off = 0, inner, keep_len = 0, n = 0, pos = 0, hdr;
	uint8_t h[8], *buf;

	if (der_next(in, inlen, &off, &seq) < 0 || seq.tag != 0x30 || off != inlen)
		return -1;
	/* first pass: size of what is kept */
	inner = seq.hdr_len;
	while (inner < inlen && n < max_children) {
		if (der_next(in, inlen, &inner, &child) < 0)
			return -1;
		if (child.tag != drop_tag || drop_tag == 0)
			keep_len += child.hdr_len + child.len;
		n++;
	}
	hdr = der_put_header(h, 0x30, keep_len);
	buf = OPENSSL_malloc(hdr + keep_len);
	if (buf == NULL)
		return -1;
	put(buf, &pos, h, hdr);
	inner = seq.hdr_len;
	n = 0;
	while (inner < inlen && n < max_children) {
		(void)der_next(in, inlen, &inner, &child);
		if (child.tag != drop_tag || drop_tag == 0)
			put(buf, &pos, child.p, child.hdr_len + child.len);
		n++;
	}
	*out = buf;
	*outlen = pos;
	return 0;
}

/* PKCS#8 EC: PrivateKeyInfo { version, algorithm, OCTET STRING { ECPrivateKey } }
 * with the ECPrivateKey's [1] publicKey removed. */
static int pkcs8_ec_minimal(const uint8_t *in, size_t inlen, uint8_t **out, size_t *outlen)
{
	struct der_tlv seq, ver, alg, oct;
	size_t off = 0, inner, ec_len = 0, pos = 0, h1, h2;
	uint8_t *ec = NULL, *buf, hdr_oct[8], hdr_seq[8];

	if (der_next(in, inlen, &off, &seq) < 0 || seq.tag != 0x30)
		return -1;
	inner = seq.hdr_len;
	if (der_next(in, inlen, &inner, &ver) < 0 || der_next(in, inlen, &inner, &alg) < 0 ||
	    der_next(in, inlen, &inner, &oct) < 0 || oct.tag != 0x04)
		return -1;
	if (seq_filter(oct.p + oct.hdr_len, oct.len, SIZE_MAX, 0xa1, &ec, &ec_len) < 0)
		return -1;
	h2 = der_put_header(hdr_oct, 0x04, ec_len);
	h1 = der_put_header(hdr_seq, 0x30,
			    ver.hdr_len + ver.len + alg.hdr_len + alg.len + h2 + ec_len);
	buf = OPENSSL_malloc(h1 + ver.hdr_len + ver.len + alg.hdr_len + alg.len + h2 + ec_len);
	if (buf == NULL) {
		OPENSSL_clear_free(ec, ec_len);
		return -1;
	}
	put(buf, &pos, hdr_seq, h1);
	put(buf, &pos, ver.p, ver.hdr_len + ver.len);
	put(buf, &pos, alg.p, alg.hdr_len + alg.len);
	put(buf, &pos, hdr_oct, h2);
	put(buf, &pos, ec, ec_len);
	OPENSSL_clear_free(ec, ec_len);
	*out = buf;
	*outlen = pos;
	return 0;
}

int key_private_der(const struct mcuprov_key *key, enum key_priv_format fmt, bool minimal,
		    uint8_t **der, size_t *len, struct mcuprov_err *err)
{
	const char *structure;
	const char *shortname = key_type_shortname(key->type);
	uint8_t *full = NULL, *small = NULL;
	size_t full_len = 0, small_len = 0;
	bool is_rsa = key->type == KEY_RSA2048 || key->type == KEY_RSA3072;
	bool is_ec = key->type == KEY_ECDSA_P256 || key->type == KEY_ECDSA_P384;
	int rc;

	*der = NULL;
	*len = 0;
	if (key->origin == KEY_ORIGIN_TOKEN)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "a key in a PKCS#11 token: its private half never leaves the token");
	if (!key->is_private)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "not a private key (getpriv needs the private half)");
	if (key->type == KEY_ED25519)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "getpriv is not supported with ed25519 keys (only rsa, ecdsa and "
			       "x25519 encryption keys)");
	if (fmt == KEY_PRIV_DEFAULT)
		fmt = is_rsa ? KEY_PRIV_OPENSSL : KEY_PRIV_PKCS8;
	if (is_rsa && fmt == KEY_PRIV_PKCS8)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "%s does not support pkcs8 (use -f openssl)", shortname);
	if (key->type == KEY_X25519 && fmt == KEY_PRIV_OPENSSL)
		return err_set(err, MCUPROV_ERR_USAGE, NULL,
			       "%s does not support openssl (use -f pkcs8)", shortname);
	structure = fmt == KEY_PRIV_OPENSSL ? "type-specific" : "PrivateKeyInfo";
	rc = encode(key->pkey, OSSL_KEYMGMT_SELECT_KEYPAIR | OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS,
		    "DER", structure, &full, &full_len, "private key", err);
	if (rc < 0)
		return rc;
	if (!minimal || key->type == KEY_X25519) {
		*der = full;
		*len = full_len;
		return 0;
	}
	if (is_rsa) /* keep version, n, e, d, p, q; drop the CRT values */
		rc = seq_filter(full, full_len, 6, 0, &small, &small_len);
	else if (is_ec && fmt == KEY_PRIV_OPENSSL)
		rc = seq_filter(full, full_len, SIZE_MAX, 0xa1, &small, &small_len);
	else
		rc = pkcs8_ec_minimal(full, full_len, &small, &small_len);
	OPENSSL_clear_free(full, full_len + 1);
	if (rc < 0)
		return err_set(err, MCUPROV_ERR_INTERNAL, NULL, "cannot minimise the private key");
	*der = small;
	*len = small_len;
	return 0;
}
