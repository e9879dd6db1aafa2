/* mock-p11.so: a PKCS#11 v2.40 module of the tests' own, for the token
 * states and quirks SoftHSM2 cannot be put in (tests/cli/pkcs11-errors.sh).
 *
 * One slot (id 1) with one token; everything comes from the environment,
 * read at C_Initialize:
 *   MOCKP11_LABEL      the token's label (default "mock")
 *   MOCKP11_FLAGS      comma list of token states: locked (CKF_USER_PIN_LOCKED),
 *                      final-try, count-low, to-be-changed, pin-pad
 *                      (CKF_PROTECTED_AUTHENTICATION_PATH: C_Login takes a NULL
 *                      PIN), no-login (no CKF_LOGIN_REQUIRED, the private key
 *                      visible without logging in)
 *   MOCKP11_PIN        the user PIN (default "1234")
 *   MOCKP11_LOG        every C_Login appends "login PIN|NULL RV" to this file, so
 *                      a test can count the attempts mcuprov spent
 *   MOCKP11_KEY        a PEM private key (Ed25519, EC or RSA): the token holds its
 *                      public key object and, visible after login, its private key
 *                      (none when unset: an empty token)
 *   MOCKP11_OBJECT     both objects' label (default "k"); CKA_ID is 01
 *   MOCKP11_MECHS      the mechanisms offered, comma list of CKM_EDDSA,
 *                      CKM_ECDSA, CKM_RSA_PKCS_PSS (default all three)
 *   MOCKP11_POINT=raw  CKA_EC_POINT is the bare point, not a DER OCTET STRING
 *   MOCKP11_INIT_FAIL=1  C_Initialize fails (CKR_DEVICE_ERROR)
 * Signing is OpenSSL's: CKM_EDDSA over the message, CKM_ECDSA over the
 * digest (raw r||s), CKM_RSA_PKCS_PSS over the digest with the mechanism's
 * parameters.  Whatever is not implemented returns CKR_FUNCTION_NOT_SUPPORTED. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <p11-kit/pkcs11.h>

#define SLOT 1
#define NSESS 8
#define H_PUB 1
#define H_PRIV 2

struct attr {
	CK_ATTRIBUTE_TYPE type;
	unsigned char *v;
	CK_ULONG len;
};

struct obj {
	struct attr a[16];
	int n;
	bool priv; /* CKA_PRIVATE: visible after login only */
};

struct sess {
	bool open;
	CK_FLAGS flags;
	bool finding;
	CK_OBJECT_HANDLE next; /* the search's next candidate */
	CK_ATTRIBUTE tmpl[8];
	CK_ULONG ntmpl;
	bool signing;
	CK_MECHANISM_TYPE mech;
	CK_RSA_PKCS_PSS_PARAMS pss;
};

static struct {
	bool init, logged_in;
	char label[33];
	const char *pin, *log;
	CK_FLAGS flags;
	EVP_PKEY *key;
	CK_KEY_TYPE ktype;
	struct obj objs[3]; /* [H_PUB], [H_PRIV] */
	CK_MECHANISM_TYPE mechs[3];
	CK_ULONG nmechs;
	struct sess s[NSESS + 1]; /* handles 1..NSESS */
} m;

static const char *env(const char *name, const char *def)
{
	const char *v = getenv(name);

	return v != NULL && v[0] != '\0' ? v : def;
}

/* Is WORD in the comma list LIST? */
static bool has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p != NULL && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, word, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

static struct attr *attr_of(struct obj *o, CK_ATTRIBUTE_TYPE t)
{
	for (int i = 0; i < o->n; i++)
		if (o->a[i].type == t)
			return &o->a[i];
	return NULL;
}

static void pad(CK_UTF8CHAR *f, size_t n, const char *s)
{
	size_t l = strlen(s);

	memset(f, ' ', n);
	memcpy(f, s, l < n ? l : n);
}

static void add(struct obj *o, CK_ATTRIBUTE_TYPE t, const void *v, size_t len)
{
	struct attr *a = &o->a[o->n++];

	a->type = t;
	a->v = malloc(len ? len : 1);
	memcpy(a->v, v, len);
	a->len = len;
}

static void add_ulong(struct obj *o, CK_ATTRIBUTE_TYPE t, CK_ULONG v)
{
	add(o, t, &v, sizeof(v));
}

static void add_bool(struct obj *o, CK_ATTRIBUTE_TYPE t, bool v)
{
	CK_BBOOL b = v ? CK_TRUE : CK_FALSE;

	add(o, t, &b, sizeof(b));
}

static void add_bn(struct obj *o, CK_ATTRIBUTE_TYPE t, const char *param)
{
	BIGNUM *bn = NULL;
	unsigned char buf[1024];
	int n;

	EVP_PKEY_get_bn_param(m.key, param, &bn);
	n = BN_bn2bin(bn, buf);
	add(o, t, buf, (size_t)n);
	BN_free(bn);
}

/* The key's CKA_EC_PARAMS (the curve's DER OID) and CKA_EC_POINT. */
static void add_ec(struct obj *o, bool raw_point)
{
	static const unsigned char ed25519[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
	unsigned char pt[200], der[203], *p = der;
	size_t n = 0, h;

	if (m.ktype == CKK_EC_EDWARDS) {
		add(o, CKA_EC_PARAMS, ed25519, sizeof(ed25519));
		n = sizeof(pt);
		EVP_PKEY_get_raw_public_key(m.key, pt, &n);
	} else {
		char group[64];
		ASN1_OBJECT *oid;
		unsigned char *q = der;
		int l;

		EVP_PKEY_get_utf8_string_param(m.key, OSSL_PKEY_PARAM_GROUP_NAME, group,
					       sizeof(group), NULL);
		oid = OBJ_nid2obj(OBJ_sn2nid(group));
		l = i2d_ASN1_OBJECT(oid, &q);
		add(o, CKA_EC_PARAMS, der, (size_t)l);
		EVP_PKEY_get_octet_string_param(m.key, OSSL_PKEY_PARAM_PUB_KEY, pt, sizeof(pt), &n);
	}
	if (raw_point) {
		add(o, CKA_EC_POINT, pt, n);
		return;
	}
	*p++ = 0x04;
	if (n >= 128)
		*p++ = 0x81;
	*p++ = (unsigned char)n;
	h = (size_t)(p - der);
	memcpy(p, pt, n);
	add(o, CKA_EC_POINT, der, h + n);
}

static void make_objects(void)
{
	const char *label = env("MOCKP11_OBJECT", "k");
	const unsigned char id = 0x01;
	bool raw = strcmp(env("MOCKP11_POINT", ""), "raw") == 0;
	const char *path = getenv("MOCKP11_KEY");
	FILE *f;

	if (path == NULL || (f = fopen(path, "r")) == NULL)
		return;
	m.key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	fclose(f);
	if (m.key == NULL)
		return;
	m.ktype = EVP_PKEY_is_a(m.key, "ED25519") ? CKK_EC_EDWARDS
		  : EVP_PKEY_is_a(m.key, "EC")    ? CKK_EC
						  : CKK_RSA;
	for (int i = H_PUB; i <= H_PRIV; i++) {
		struct obj *o = &m.objs[i];

		o->priv = i == H_PRIV && (m.flags & CKF_LOGIN_REQUIRED);
		add_ulong(o, CKA_CLASS, i == H_PUB ? CKO_PUBLIC_KEY : CKO_PRIVATE_KEY);
		add_ulong(o, CKA_KEY_TYPE, m.ktype);
		add(o, CKA_LABEL, label, strlen(label));
		add(o, CKA_ID, &id, 1);
		add_bool(o, CKA_TOKEN, true);
		add_bool(o, CKA_PRIVATE, o->priv);
		if (i == H_PRIV) {
			add_bool(o, CKA_SIGN, true);
			add_bool(o, CKA_SENSITIVE, true);
			add_bool(o, CKA_EXTRACTABLE, false);
		} else {
			add_bool(o, CKA_VERIFY, true);
		}
		if (m.ktype == CKK_RSA) {
			add_bn(o, CKA_MODULUS, OSSL_PKEY_PARAM_RSA_N);
			add_bn(o, CKA_PUBLIC_EXPONENT, OSSL_PKEY_PARAM_RSA_E);
		} else if (i == H_PUB) {
			add_ec(o, raw);
		} else {
			struct attr *p = attr_of(&m.objs[H_PUB], CKA_EC_PARAMS);

			add(o, CKA_EC_PARAMS, p->v, p->len);
		}
	}
}

/* ---- general, slot and token ------------------------------------------ */

static CK_RV m_Initialize(void *args)
{
	static const struct {
		const char *word;
		CK_FLAGS flag;
	} states[] = {
		{ "locked", CKF_USER_PIN_LOCKED },
		{ "final-try", CKF_USER_PIN_FINAL_TRY },
		{ "count-low", CKF_USER_PIN_COUNT_LOW },
		{ "to-be-changed", CKF_USER_PIN_TO_BE_CHANGED },
		{ "pin-pad", CKF_PROTECTED_AUTHENTICATION_PATH },
	};
	static const CK_MECHANISM_TYPE all[] = { CKM_EDDSA, CKM_ECDSA, CKM_RSA_PKCS_PSS };
	const char *fl = env("MOCKP11_FLAGS", ""), *mechs = getenv("MOCKP11_MECHS");

	(void)args;
	if (m.init)
		return CKR_CRYPTOKI_ALREADY_INITIALIZED;
	if (strcmp(env("MOCKP11_INIT_FAIL", "0"), "1") == 0)
		return CKR_DEVICE_ERROR;
	memset(&m, 0, sizeof(m));
	snprintf(m.label, sizeof(m.label), "%s", env("MOCKP11_LABEL", "mock"));
	m.pin = env("MOCKP11_PIN", "1234");
	m.log = getenv("MOCKP11_LOG");
	m.flags = CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED | CKF_RNG;
	if (!has_word(fl, "no-login"))
		m.flags |= CKF_LOGIN_REQUIRED;
	for (size_t i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		if (has_word(fl, states[i].word))
			m.flags |= states[i].flag;
	for (size_t i = 0; i < 3; i++) {
		static const char *names[] = { "CKM_EDDSA", "CKM_ECDSA", "CKM_RSA_PKCS_PSS" };

		if (mechs == NULL || has_word(mechs, names[i]))
			m.mechs[m.nmechs++] = all[i];
	}
	make_objects();
	m.init = true;
	return CKR_OK;
}

static CK_RV m_Finalize(void *reserved)
{
	(void)reserved;
	if (!m.init)
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	for (int i = 1; i <= 2; i++)
		for (int j = 0; j < m.objs[i].n; j++)
			free(m.objs[i].a[j].v);
	EVP_PKEY_free(m.key);
	memset(&m, 0, sizeof(m));
	return CKR_OK;
}

static CK_RV m_GetInfo(CK_INFO *info)
{
	if (!m.init)
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	memset(info, 0, sizeof(*info));
	info->cryptokiVersion.major = 2;
	info->cryptokiVersion.minor = 40;
	pad(info->manufacturerID, sizeof(info->manufacturerID), "mcuprov tests");
	pad(info->libraryDescription, sizeof(info->libraryDescription), "mock-p11");
	info->libraryVersion.major = 1;
	return CKR_OK;
}

static CK_RV m_GetSlotList(CK_BBOOL present, CK_SLOT_ID *list, CK_ULONG *count)
{
	(void)present;
	if (!m.init)
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (list != NULL) {
		if (*count < 1) {
			*count = 1;
			return CKR_BUFFER_TOO_SMALL;
		}
		list[0] = SLOT;
	}
	*count = 1;
	return CKR_OK;
}

static CK_RV m_GetSlotInfo(CK_SLOT_ID slot, CK_SLOT_INFO *info)
{
	if (!m.init)
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (slot != SLOT)
		return CKR_SLOT_ID_INVALID;
	memset(info, 0, sizeof(*info));
	pad(info->slotDescription, sizeof(info->slotDescription), "mock slot");
	pad(info->manufacturerID, sizeof(info->manufacturerID), "mcuprov tests");
	info->flags = CKF_TOKEN_PRESENT;
	return CKR_OK;
}

static CK_RV m_GetTokenInfo(CK_SLOT_ID slot, CK_TOKEN_INFO *info)
{
	if (!m.init)
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (slot != SLOT)
		return CKR_SLOT_ID_INVALID;
	memset(info, 0, sizeof(*info));
	pad(info->label, sizeof(info->label), m.label);
	pad(info->manufacturerID, sizeof(info->manufacturerID), "mcuprov tests");
	pad(info->model, sizeof(info->model), "mock-p11");
	pad(info->serialNumber, sizeof(info->serialNumber), "0001");
	info->flags = m.flags;
	info->ulMaxSessionCount = NSESS;
	info->ulMaxRwSessionCount = NSESS;
	info->ulMaxPinLen = 64;
	info->ulMinPinLen = 4;
	info->ulTotalPublicMemory = info->ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
	info->ulTotalPrivateMemory = info->ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
	return CKR_OK;
}

static CK_RV m_GetMechanismList(CK_SLOT_ID slot, CK_MECHANISM_TYPE *list, CK_ULONG *count)
{
	if (slot != SLOT)
		return CKR_SLOT_ID_INVALID;
	if (list != NULL) {
		if (*count < m.nmechs) {
			*count = m.nmechs;
			return CKR_BUFFER_TOO_SMALL;
		}
		memcpy(list, m.mechs, m.nmechs * sizeof(*list));
	}
	*count = m.nmechs;
	return CKR_OK;
}

static bool offered(CK_MECHANISM_TYPE t)
{
	for (CK_ULONG i = 0; i < m.nmechs; i++)
		if (m.mechs[i] == t)
			return true;
	return false;
}

static CK_RV m_GetMechanismInfo(CK_SLOT_ID slot, CK_MECHANISM_TYPE t, CK_MECHANISM_INFO *info)
{
	if (slot != SLOT)
		return CKR_SLOT_ID_INVALID;
	if (!offered(t))
		return CKR_MECHANISM_INVALID;
	info->ulMinKeySize = t == CKM_RSA_PKCS_PSS ? 1024 : 255;
	info->ulMaxKeySize = t == CKM_RSA_PKCS_PSS ? 4096 : 521;
	info->flags = CKF_SIGN | CKF_VERIFY;
	return CKR_OK;
}

/* ---- sessions and login ------------------------------------------------ */

static struct sess *sess_of(CK_SESSION_HANDLE h)
{
	return m.init && h >= 1 && h <= NSESS && m.s[h].open ? &m.s[h] : NULL;
}

static CK_RV m_OpenSession(CK_SLOT_ID slot, CK_FLAGS flags, void *app, CK_NOTIFY notify,
			   CK_SESSION_HANDLE *h)
{
	(void)app;
	(void)notify;
	if (!m.init)
		return CKR_CRYPTOKI_NOT_INITIALIZED;
	if (slot != SLOT)
		return CKR_SLOT_ID_INVALID;
	if (!(flags & CKF_SERIAL_SESSION))
		return CKR_SESSION_PARALLEL_NOT_SUPPORTED;
	for (CK_SESSION_HANDLE i = 1; i <= NSESS; i++) {
		if (!m.s[i].open) {
			memset(&m.s[i], 0, sizeof(m.s[i]));
			m.s[i].open = true;
			m.s[i].flags = flags;
			*h = i;
			return CKR_OK;
		}
	}
	return CKR_SESSION_COUNT;
}

static CK_RV m_CloseSession(CK_SESSION_HANDLE h)
{
	struct sess *s = sess_of(h);
	bool any = false;

	if (s == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	s->open = false;
	for (int i = 1; i <= NSESS; i++)
		any = any || m.s[i].open;
	if (!any)
		m.logged_in = false; /* the login goes with the last session */
	return CKR_OK;
}

static CK_RV m_CloseAllSessions(CK_SLOT_ID slot)
{
	if (slot != SLOT)
		return CKR_SLOT_ID_INVALID;
	for (int i = 1; i <= NSESS; i++)
		m.s[i].open = false;
	m.logged_in = false;
	return CKR_OK;
}

static CK_RV m_GetSessionInfo(CK_SESSION_HANDLE h, CK_SESSION_INFO *info)
{
	struct sess *s = sess_of(h);
	bool rw;

	if (s == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	rw = (s->flags & CKF_RW_SESSION) != 0;
	info->slotID = SLOT;
	info->state = m.logged_in ? (rw ? CKS_RW_USER_FUNCTIONS : CKS_RO_USER_FUNCTIONS)
				  : (rw ? CKS_RW_PUBLIC_SESSION : CKS_RO_PUBLIC_SESSION);
	info->flags = s->flags;
	info->ulDeviceError = 0;
	return CKR_OK;
}

static CK_RV m_Login(CK_SESSION_HANDLE h, CK_USER_TYPE user, CK_UTF8CHAR *pin, CK_ULONG len)
{
	CK_RV rv;
	FILE *f;

	if (sess_of(h) == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (user != CKU_USER)
		rv = CKR_USER_TYPE_INVALID;
	else if (m.logged_in)
		rv = CKR_USER_ALREADY_LOGGED_IN;
	else if (m.flags & CKF_USER_PIN_LOCKED)
		rv = CKR_PIN_LOCKED;
	else if (pin == NULL)
		rv = m.flags & CKF_PROTECTED_AUTHENTICATION_PATH ? CKR_OK : CKR_ARGUMENTS_BAD;
	else
		rv = len == strlen(m.pin) && memcmp(pin, m.pin, len) == 0 ? CKR_OK
									   : CKR_PIN_INCORRECT;
	if (rv == CKR_OK)
		m.logged_in = true;
	if (m.log != NULL && (f = fopen(m.log, "a")) != NULL) {
		fprintf(f, "login %.*s %s\n", pin ? (int)len : 4, pin ? (const char *)pin : "NULL",
			rv == CKR_OK		  ? "CKR_OK"
			: rv == CKR_PIN_INCORRECT ? "CKR_PIN_INCORRECT"
			: rv == CKR_PIN_LOCKED	  ? "CKR_PIN_LOCKED"
						  : "CKR_other");
		fclose(f);
	}
	return rv;
}

static CK_RV m_Logout(CK_SESSION_HANDLE h)
{
	if (sess_of(h) == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (!m.logged_in)
		return CKR_USER_NOT_LOGGED_IN;
	m.logged_in = false;
	return CKR_OK;
}

/* ---- objects ----------------------------------------------------------- */

static struct obj *obj_of(CK_OBJECT_HANDLE h)
{
	if ((h != H_PUB && h != H_PRIV) || m.objs[h].n == 0)
		return NULL;
	if (m.objs[h].priv && !m.logged_in)
		return NULL;
	return &m.objs[h];
}

static CK_RV m_GetAttributeValue(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE oh, CK_ATTRIBUTE *t,
				 CK_ULONG n)
{
	struct obj *o = obj_of(oh);
	CK_RV rv = CKR_OK;

	if (sess_of(h) == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (o == NULL)
		return CKR_OBJECT_HANDLE_INVALID;
	for (CK_ULONG i = 0; i < n; i++) {
		struct attr *a = attr_of(o, t[i].type);

		if (a == NULL) {
			t[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = t[i].type == CKA_VALUE && oh == H_PRIV ? CKR_ATTRIBUTE_SENSITIVE
								     : CKR_ATTRIBUTE_TYPE_INVALID;
		} else if (t[i].pValue == NULL) {
			t[i].ulValueLen = a->len;
		} else if (t[i].ulValueLen < a->len) {
			t[i].ulValueLen = CK_UNAVAILABLE_INFORMATION;
			rv = CKR_BUFFER_TOO_SMALL;
		} else {
			memcpy(t[i].pValue, a->v, a->len);
			t[i].ulValueLen = a->len;
		}
	}
	return rv;
}

static CK_RV m_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE *t, CK_ULONG n)
{
	struct sess *s = sess_of(h);

	if (s == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (s->finding)
		return CKR_OPERATION_ACTIVE;
	if (n > 8)
		return CKR_TEMPLATE_INCONSISTENT;
	for (CK_ULONG i = 0; i < n; i++) {
		s->tmpl[i] = t[i];
		s->tmpl[i].pValue = malloc(t[i].ulValueLen ? t[i].ulValueLen : 1);
		memcpy(s->tmpl[i].pValue, t[i].pValue, t[i].ulValueLen);
	}
	s->ntmpl = n;
	s->finding = true;
	s->next = H_PUB;
	return CKR_OK;
}

static bool matches(struct obj *o, const struct sess *s)
{
	for (CK_ULONG i = 0; i < s->ntmpl; i++) {
		struct attr *a = attr_of(o, s->tmpl[i].type);

		if (a == NULL || a->len != s->tmpl[i].ulValueLen ||
		    memcmp(a->v, s->tmpl[i].pValue, a->len) != 0)
			return false;
	}
	return true;
}

static CK_RV m_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE *out, CK_ULONG max, CK_ULONG *n)
{
	struct sess *s = sess_of(h);

	if (s == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (!s->finding)
		return CKR_OPERATION_NOT_INITIALIZED;
	*n = 0;
	for (; s->next <= H_PRIV && *n < max; s->next++)
		if (obj_of(s->next) != NULL && matches(obj_of(s->next), s))
			out[(*n)++] = s->next;
	return CKR_OK;
}

static CK_RV m_FindObjectsFinal(CK_SESSION_HANDLE h)
{
	struct sess *s = sess_of(h);

	if (s == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (!s->finding)
		return CKR_OPERATION_NOT_INITIALIZED;
	for (CK_ULONG i = 0; i < s->ntmpl; i++)
		free(s->tmpl[i].pValue);
	s->ntmpl = 0;
	s->finding = false;
	return CKR_OK;
}

/* ---- signing ----------------------------------------------------------- */

static CK_RV m_SignInit(CK_SESSION_HANDLE h, CK_MECHANISM *mech, CK_OBJECT_HANDLE key)
{
	struct sess *s = sess_of(h);
	CK_KEY_TYPE want;

	if (s == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (s->signing)
		return CKR_OPERATION_ACTIVE;
	if (key != H_PRIV || obj_of(key) == NULL)
		return m.logged_in || m.objs[H_PRIV].n == 0 ? CKR_KEY_HANDLE_INVALID
							    : CKR_USER_NOT_LOGGED_IN;
	if (!offered(mech->mechanism))
		return CKR_MECHANISM_INVALID;
	want = mech->mechanism == CKM_EDDSA ? CKK_EC_EDWARDS
	       : mech->mechanism == CKM_ECDSA ? CKK_EC
					      : CKK_RSA;
	if (want != m.ktype)
		return CKR_KEY_TYPE_INCONSISTENT;
	if (mech->mechanism == CKM_RSA_PKCS_PSS) {
		if (mech->pParameter == NULL || mech->ulParameterLen != sizeof(s->pss))
			return CKR_MECHANISM_PARAM_INVALID;
		memcpy(&s->pss, mech->pParameter, sizeof(s->pss));
	}
	s->mech = mech->mechanism;
	s->signing = true;
	return CKR_OK;
}

static const EVP_MD *md_of(CK_ULONG hash_or_mgf)
{
	switch (hash_or_mgf) {
	case CKM_SHA256:
	case CKG_MGF1_SHA256: return EVP_sha256();
	case CKM_SHA384:
	case CKG_MGF1_SHA384: return EVP_sha384();
	case CKM_SHA512:
	case CKG_MGF1_SHA512: return EVP_sha512();
	default: return NULL;
	}
}

/* The signature of MSG with S's mechanism into OUT (*outlen: its room). */
static CK_RV do_sign(struct sess *s, const unsigned char *msg, size_t len, unsigned char *out,
		     size_t *outlen)
{
	unsigned char der[600];
	size_t dl = sizeof(der);
	EVP_PKEY_CTX *ctx = NULL;
	EVP_MD_CTX *mctx = NULL;
	CK_RV rv = CKR_FUNCTION_FAILED;

	if (s->mech == CKM_EDDSA) {
		mctx = EVP_MD_CTX_new();
		if (mctx != NULL && EVP_DigestSignInit(mctx, NULL, NULL, NULL, m.key) == 1 &&
		    EVP_DigestSign(mctx, out, outlen, msg, len) == 1)
			rv = CKR_OK;
		EVP_MD_CTX_free(mctx);
		return rv;
	}
	ctx = EVP_PKEY_CTX_new(m.key, NULL);
	if (ctx == NULL || EVP_PKEY_sign_init(ctx) != 1)
		goto out;
	if (s->mech == CKM_RSA_PKCS_PSS) {
		const EVP_MD *md = md_of(s->pss.hashAlg), *mgf = md_of(s->pss.mgf);

		if (md == NULL || mgf == NULL) {
			rv = CKR_MECHANISM_PARAM_INVALID;
			goto out;
		}
		if (len != (size_t)EVP_MD_get_size(md)) {
			rv = CKR_DATA_LEN_RANGE;
			goto out;
		}
		if (EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
		    EVP_PKEY_CTX_set_signature_md(ctx, md) != 1 ||
		    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx, mgf) != 1 ||
		    EVP_PKEY_CTX_set_rsa_pss_saltlen(ctx, (int)s->pss.sLen) != 1 ||
		    EVP_PKEY_sign(ctx, out, outlen, msg, len) != 1)
			goto out;
		rv = CKR_OK;
	} else { /* CKM_ECDSA: the DER signature as r||s, each the field's size */
		size_t fl = (size_t)(EVP_PKEY_get_bits(m.key) + 7) / 8;
		const unsigned char *p = der;
		ECDSA_SIG *es;

		if (EVP_PKEY_sign(ctx, der, &dl, msg, len) != 1 ||
		    (es = d2i_ECDSA_SIG(NULL, &p, (long)dl)) == NULL)
			goto out;
		if (*outlen >= 2 * fl &&
		    BN_bn2binpad(ECDSA_SIG_get0_r(es), out, (int)fl) == (int)fl &&
		    BN_bn2binpad(ECDSA_SIG_get0_s(es), out + fl, (int)fl) == (int)fl) {
			*outlen = 2 * fl;
			rv = CKR_OK;
		}
		ECDSA_SIG_free(es);
	}
out:
	EVP_PKEY_CTX_free(ctx);
	return rv;
}

static CK_RV m_Sign(CK_SESSION_HANDLE h, CK_BYTE *msg, CK_ULONG len, CK_BYTE *sig,
		    CK_ULONG *siglen)
{
	struct sess *s = sess_of(h);
	unsigned char buf[1024];
	size_t n = sizeof(buf);
	CK_RV rv;

	if (s == NULL)
		return CKR_SESSION_HANDLE_INVALID;
	if (!s->signing)
		return CKR_OPERATION_NOT_INITIALIZED;
	rv = do_sign(s, msg, len, buf, &n);
	if (rv == CKR_OK && sig == NULL) {
		*siglen = n; /* the length only: the operation goes on */
		return CKR_OK;
	}
	if (rv == CKR_OK && *siglen < n) {
		*siglen = n;
		return CKR_BUFFER_TOO_SMALL;
	}
	if (rv == CKR_OK) {
		memcpy(sig, buf, n);
		*siglen = n;
	}
	s->signing = false;
	return rv;
}

/* ---- the function list ------------------------------------------------- */

static CK_RV nosup(void)
{
	return CKR_FUNCTION_NOT_SUPPORTED;
}

/* every other entry: nosup() cast to the entry's type.  A call through it
 * is, strictly, undefined in ISO C; on the ABIs the tests run on the
 * callee just ignores the arguments it is passed. */
#define NS(name) .name = (CK_##name)(void (*)(void))nosup

static CK_FUNCTION_LIST list = {
	.version = { 2, 40 },
	.C_Initialize = m_Initialize,
	.C_Finalize = m_Finalize,
	.C_GetInfo = m_GetInfo,
	.C_GetFunctionList = C_GetFunctionList,
	.C_GetSlotList = m_GetSlotList,
	.C_GetSlotInfo = m_GetSlotInfo,
	.C_GetTokenInfo = m_GetTokenInfo,
	.C_GetMechanismList = m_GetMechanismList,
	.C_GetMechanismInfo = m_GetMechanismInfo,
	.C_OpenSession = m_OpenSession,
	.C_CloseSession = m_CloseSession,
	.C_CloseAllSessions = m_CloseAllSessions,
	.C_GetSessionInfo = m_GetSessionInfo,
	.C_Login = m_Login,
	.C_Logout = m_Logout,
	.C_GetAttributeValue = m_GetAttributeValue,
	.C_FindObjectsInit = m_FindObjectsInit,
	.C_FindObjects = m_FindObjects,
	.C_FindObjectsFinal = m_FindObjectsFinal,
	.C_SignInit = m_SignInit,
	.C_Sign = m_Sign,
	NS(C_InitToken), NS(C_InitPIN), NS(C_SetPIN), NS(C_GetOperationState),
	NS(C_SetOperationState), NS(C_CreateObject), NS(C_CopyObject), NS(C_DestroyObject),
	NS(C_GetObjectSize), NS(C_SetAttributeValue), NS(C_EncryptInit), NS(C_Encrypt),
	NS(C_EncryptUpdate), NS(C_EncryptFinal), NS(C_DecryptInit), NS(C_Decrypt),
	NS(C_DecryptUpdate), NS(C_DecryptFinal), NS(C_DigestInit), NS(C_Digest),
	NS(C_DigestUpdate), NS(C_DigestKey), NS(C_DigestFinal), NS(C_SignUpdate),
	NS(C_SignFinal), NS(C_SignRecoverInit), NS(C_SignRecover), NS(C_VerifyInit),
	NS(C_Verify), NS(C_VerifyUpdate), NS(C_VerifyFinal), NS(C_VerifyRecoverInit),
	NS(C_VerifyRecover), NS(C_DigestEncryptUpdate), NS(C_DecryptDigestUpdate),
	NS(C_SignEncryptUpdate), NS(C_DecryptVerifyUpdate), NS(C_GenerateKey),
	NS(C_GenerateKeyPair), NS(C_WrapKey), NS(C_UnwrapKey), NS(C_DeriveKey),
	NS(C_SeedRandom), NS(C_GenerateRandom), NS(C_GetFunctionStatus), NS(C_CancelFunction),
	NS(C_WaitForSlotEvent),
};

CK_RV C_GetFunctionList(CK_FUNCTION_LIST **out)
{
	if (out == NULL)
		return CKR_ARGUMENTS_BAD;
	*out = &list;
	return CKR_OK;
}
