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

#include "mcuprov/der.h"
#include "mcuprov/devkey.h"
#include "mcuprov/fileio.h"
#include "mcuprov/key.h"
#include "mcuprov/passwd.h"

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
	free(key);
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
	uint8_t *buf = NULL;
	size_t len = 0;
	mode_t mode = 0;
	int rc;

	*out = NULL;
	rc = file_read(path, KEY_FILE_MAX, &buf, &len, &mode, err);
	if (rc < 0)
		return rc;
	rc = key_load_mem(buf, len, path, pw_cb, pw_arg, out, err);
	OPENSSL_clear_free(buf, len + 1);
	if (rc < 0)
		return rc;
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

/* Encode with OSSL_ENCODER into a secure-memory BIO (so that intermediate
 * buffers holding private keys are wiped), then copy out.  When SECRET the
 * result must be released with OPENSSL_clear_free. */
static int encode(const EVP_PKEY *pkey, int selection, const char *otype, const char *structure,
		  const char *password, uint8_t **outp, size_t *outlen, const char *what,
		  struct mcuprov_err *err)
{
	OSSL_ENCODER_CTX *ectx = NULL;
	BIO *bio = NULL;
	BUF_MEM *mem = NULL;
	uint8_t *buf = NULL;
	int rc;

	*outp = NULL;
	*outlen = 0;
	ectx = OSSL_ENCODER_CTX_new_for_pkey(pkey, selection, otype, structure, NULL);
	if (ectx == NULL || OSSL_ENCODER_CTX_get_num_encoders(ectx) == 0) {
		rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL, "no encoder for %s", what);
		goto out;
	}
	if (password != NULL && password[0] != '\0') {
		if (!OSSL_ENCODER_CTX_set_cipher(ectx, "AES-256-CBC", NULL) ||
		    !OSSL_ENCODER_CTX_set_passphrase(ectx, (const unsigned char *)password,
						     strlen(password))) {
			rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL, "cannot encrypt %s", what);
			goto out;
		}
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
	BIO_get_mem_ptr(bio, &mem);
	if (mem == NULL || mem->length == 0) {
		rc = err_set(err, MCUPROV_ERR_CRYPTO, NULL, "cannot encode %s", what);
		goto out;
	}
	/* +1 so that PEM text can be NUL-terminated */
	buf = OPENSSL_malloc(mem->length + 1);
	if (buf == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	memcpy(buf, mem->data, mem->length);
	buf[mem->length] = '\0';
	*outp = buf;
	*outlen = mem->length;
	rc = 0;
out:
	BIO_free(bio);
	OSSL_ENCODER_CTX_free(ectx);
	ERR_clear_error();
	return rc;
}

int key_private_pem(const struct mcuprov_key *key, const char *password, char **pem,
		    size_t *len, struct mcuprov_err *err)
{
	if (!key->is_private)
		return err_set(err, MCUPROV_ERR_USAGE, NULL, "not a private key");
	return encode(key->pkey, OSSL_KEYMGMT_SELECT_KEYPAIR, "PEM", "PrivateKeyInfo", password,
		      (uint8_t **)pem, len, "private key", err);
}

/* How key_save() writes: private, the directory made, replaced only when FORCE. */
static unsigned key_save_flags(bool force)
{
	return FILE_WRITE_PRIVATE | FILE_WRITE_MKDIR | (force ? FILE_WRITE_FORCE : 0);
}

int key_save(const struct mcuprov_key *key, const char *path, const char *password, bool force,
	     struct mcuprov_err *err)
{
	char *pem = NULL;
	size_t len = 0;
	int rc;

	rc = key_private_pem(key, password, &pem, &len, err);
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
		    "DER", structure, NULL, &buf, len, "public key", err);
	*der = buf;
	return rc;
}

int key_public_pem(const struct mcuprov_key *key, char **pem, size_t *len,
		   struct mcuprov_err *err)
{
	return encode(key->pkey, OSSL_KEYMGMT_SELECT_PUBLIC_KEY | OSSL_KEYMGMT_SELECT_DOMAIN_PARAMETERS,
		      "PEM", "SubjectPublicKeyInfo", NULL, (uint8_t **)pem, len, "public key", err);
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
		    "DER", structure, NULL, &full, &full_len, "private key", err);
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
