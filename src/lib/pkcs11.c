/* Keys in PKCS#11 tokens: p11-kit for URIs and modules, the PKCS#11 C API
 * for everything else.  See pkcs11.h for the contract. */
#include "config.h"

#include <ctype.h>
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rand.h>

#include <p11-kit/p11-kit.h>
#include <p11-kit/pkcs11.h>
#include <p11-kit/uri.h>

#include "mcuprov/key.h"
#include "mcuprov/passwd.h"
#include "mcuprov/pkcs11.h"

#include "key-internal.h"

/* ---- p11-kit, loaded when a token is first named -------------------------
 *
 * Every mcuprov command would otherwise map libp11-kit and libffi and run
 * p11-kit's constructor at start-up (about 450 KiB of peak RSS measured on
 * a 16 MiB sign) though most never see a token: the library is opened
 * with dlopen() the first time a URI is used, and its functions called
 * through this table under their own names. */

static struct {
	__typeof__(p11_kit_message) *message;
	__typeof__(p11_kit_module_finalize) *module_finalize;
	__typeof__(p11_kit_module_initialize) *module_initialize;
	__typeof__(p11_kit_module_load) *module_load;
	__typeof__(p11_kit_module_release) *module_release;
	__typeof__(p11_kit_modules_finalize_and_release) *modules_finalize_and_release;
	__typeof__(p11_kit_modules_load_and_initialize) *modules_load_and_initialize;
	__typeof__(p11_kit_strerror) *strerror;
	__typeof__(p11_kit_uri_any_unrecognized) *uri_any_unrecognized;
	__typeof__(p11_kit_uri_free) *uri_free;
	__typeof__(p11_kit_uri_get_attribute) *uri_get_attribute;
	__typeof__(p11_kit_uri_get_module_path) *uri_get_module_path;
	__typeof__(p11_kit_uri_get_pin_source) *uri_get_pin_source;
	__typeof__(p11_kit_uri_get_pin_value) *uri_get_pin_value;
	__typeof__(p11_kit_uri_match_module_info) *uri_match_module_info;
	__typeof__(p11_kit_uri_match_slot_info) *uri_match_slot_info;
	__typeof__(p11_kit_uri_match_token_info) *uri_match_token_info;
	__typeof__(p11_kit_uri_message) *uri_message;
	__typeof__(p11_kit_uri_new) *uri_new;
	__typeof__(p11_kit_uri_parse) *uri_parse;
} p11;

static const char *const p11_names[] = {
		"p11_kit_message",
		"p11_kit_module_finalize",
		"p11_kit_module_initialize",
		"p11_kit_module_load",
		"p11_kit_module_release",
		"p11_kit_modules_finalize_and_release",
		"p11_kit_modules_load_and_initialize",
		"p11_kit_strerror",
		"p11_kit_uri_any_unrecognized",
		"p11_kit_uri_free",
		"p11_kit_uri_get_attribute",
		"p11_kit_uri_get_module_path",
		"p11_kit_uri_get_pin_source",
		"p11_kit_uri_get_pin_value",
		"p11_kit_uri_match_module_info",
		"p11_kit_uri_match_slot_info",
		"p11_kit_uri_match_token_info",
		"p11_kit_uri_message",
		"p11_kit_uri_new",
		"p11_kit_uri_parse",
};

static const char *p11_error; /* why p11-kit could not be loaded, or NULL */

static void p11_open(void)
{
	void *h = dlopen("libp11-kit.so.0", RTLD_NOW | RTLD_LOCAL);
	void **slot = (void **)&p11;
	size_t i;

	if (h == NULL) {
		p11_error = "cannot load libp11-kit.so.0 (install the Debian package 'libp11-kit0')";
		return;
	}
	for (i = 0; i < sizeof(p11_names) / sizeof(p11_names[0]); i++)
		if ((slot[i] = dlsym(h, p11_names[i])) == NULL) {
			p11_error = "libp11-kit.so.0 lacks a function mcuprov needs (p11-kit 0.23 or "
				    "later is needed)";
			return;
		}
}

/* Load p11-kit once per process.  Returns 0, or MCUPROV_ERR_IO and why. */
static int p11_load(struct mcuprov_err *err)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, p11_open);
	return p11_error == NULL ? 0 : err_set(err, MCUPROV_ERR_IO, NULL, "%s", p11_error);
}

#define p11_kit_message (p11.message)
#define p11_kit_module_finalize (p11.module_finalize)
#define p11_kit_module_initialize (p11.module_initialize)
#define p11_kit_module_load (p11.module_load)
#define p11_kit_module_release (p11.module_release)
#define p11_kit_modules_finalize_and_release (p11.modules_finalize_and_release)
#define p11_kit_modules_load_and_initialize (p11.modules_load_and_initialize)
#define p11_kit_strerror (p11.strerror)
#define p11_kit_uri_any_unrecognized (p11.uri_any_unrecognized)
#define p11_kit_uri_free (p11.uri_free)
#define p11_kit_uri_get_attribute (p11.uri_get_attribute)
#define p11_kit_uri_get_module_path (p11.uri_get_module_path)
#define p11_kit_uri_get_pin_source (p11.uri_get_pin_source)
#define p11_kit_uri_get_pin_value (p11.uri_get_pin_value)
#define p11_kit_uri_match_module_info (p11.uri_match_module_info)
#define p11_kit_uri_match_slot_info (p11.uri_match_slot_info)
#define p11_kit_uri_match_token_info (p11.uri_match_token_info)
#define p11_kit_uri_message (p11.uri_message)
#define p11_kit_uri_new (p11.uri_new)
#define p11_kit_uri_parse (p11.uri_parse)

/* p11_kit_uri_free() of a URI that may never have been made (NULL, also
 * when p11-kit did not load). */
static void uri_free(P11KitUri *u)
{
	if (u != NULL)
		p11_kit_uri_free(u);
}

/* p11-kit's text for RV in the house style: "the PIN is incorrect", not
 * "The PIN is incorrect" (a thread's own buffer: the wizard loads keys in a
 * worker thread). */
static const char *p11_why(CK_RV rv)
{
	static _Thread_local char buf[160];
	const char *t = p11_kit_strerror(rv);

	snprintf(buf, sizeof(buf), "%s", t != NULL ? t : "unknown error");
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	for (size_t i = strlen(buf); i > 0 && (buf[i - 1] == '.' || buf[i - 1] == ' '); i--)
		buf[i - 1] = '\0';
	return buf;
}

/* ---- modules: loaded on first use, released with the last token key ---- */

static struct {
	CK_FUNCTION_LIST **mods; /* NULL-terminated */
	bool single;             /* one module by path, not p11-kit's list */
	unsigned refs;
	char *path;              /* pkcs11_set_module() */
} g;

int pkcs11_set_module(const char *path, struct mcuprov_err *err)
{
	char *copy = NULL;

	if (path != NULL && path[0] != '\0' && (copy = strdup(path)) == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	free(g.path);
	g.path = copy;
	return 0;
}

static void mods_put(void)
{
	if (g.refs == 0 || --g.refs > 0)
		return;
	if (g.single) {
		p11_kit_module_finalize(g.mods[0]);
		p11_kit_module_release(g.mods[0]);
		free(g.mods);
	} else {
		p11_kit_modules_finalize_and_release(g.mods);
	}
	g.mods = NULL;
}

/* Take a reference on the modules, loading them first: URI_PATH (the
 * URI's module-path), else pkcs11_set_module()'s, else p11-kit's. */
static int mods_get(const char *uri_path, struct mcuprov_err *err)
{
	const char *path = uri_path != NULL ? uri_path : g.path;
	char full[PATH_MAX];
	CK_FUNCTION_LIST *m;
	CK_RV rv;

	if (g.refs > 0) {
		g.refs++;
		return 0;
	}
	if (path != NULL) {
		/* p11-kit looks for a relative path in its module directory:
		 * "./x.so" and "dir/x.so" mean the caller's directory, as for
		 * dlopen(); a bare name still means p11-kit's directory */
		const char *load =
			path[0] != '/' && strchr(path, '/') != NULL && realpath(path, full) != NULL
				? full
				: path;

		m = p11_kit_module_load(load, 0);
		if (m == NULL) {
			/* p11-kit says "couldn't load module: PATH: PATH: why" */
			const char *why = p11_kit_message(), *p;
			size_t pl = strlen(load);

			while (why != NULL && (p = strstr(why, load)) != NULL && p[pl] == ':' &&
			       p[pl + 1] == ' ')
				why = p + pl + 2;
			if (why != NULL && strstr(why, "symbol: C_GetFunctionList") != NULL)
				why = "not a PKCS#11 module (no C_GetFunctionList)";
			return err_set(err, MCUPROV_ERR_IO, NULL,
				       "cannot load the PKCS#11 module '%s': %s", path,
				       why != NULL && why[0] ? why : "not a PKCS#11 module");
		}
		rv = p11_kit_module_initialize(m);
		if (rv != CKR_OK) {
			p11_kit_module_release(m);
			return err_set(err, MCUPROV_ERR_IO, NULL,
				       "the PKCS#11 module '%s' failed to initialize: %s", path,
				       p11_why(rv));
		}
		g.mods = calloc(2, sizeof(*g.mods));
		if (g.mods == NULL) {
			p11_kit_module_finalize(m);
			p11_kit_module_release(m);
			return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		}
		g.mods[0] = m;
		g.single = true;
	} else {
		g.mods = p11_kit_modules_load_and_initialize(0);
		if (g.mods == NULL) {
			const char *why = p11_kit_message();

			return err_set(err, MCUPROV_ERR_IO, NULL,
				       "cannot load the configured PKCS#11 modules: %s",
				       why != NULL && why[0] ? why : "p11-kit failed");
		}
		g.single = false;
	}
	g.refs = 1;
	return 0;
}

/* ---- small helpers ----------------------------------------------------- */

bool pkcs11_is_uri(const char *name)
{
	return name != NULL && strncasecmp(name, "pkcs11:", 7) == 0;
}

/* Does the URI component [P, P+N) name attribute ATTR ("pin-value")? */
static bool comp_is(const char *p, size_t n, const char *attr)
{
	size_t k = strlen(attr);

	return n > k && strncasecmp(p, attr, k) == 0 && p[k] == '=';
}

bool pkcs11_uri_has_pin_value(const char *uri)
{
	char *r = pkcs11_uri_redact(uri);
	bool has = r == NULL || strcmp(r, uri) != 0;

	free(r);
	return has;
}

char *pkcs11_uri_redact(const char *uri)
{
	size_t len = strlen(uri), i = 0, o = 0;
	char *out = malloc(len + 1);
	char sep = 0; /* the separator before the next kept component */

	if (out == NULL)
		return NULL;
	/* path components are ';'-separated after "pkcs11:", query ones
	 * '&'-separated after '?': drop every pin-value=... */
	if (pkcs11_is_uri(uri)) {
		memcpy(out, uri, 7);
		i = o = 7;
	}
	while (i <= len) {
		size_t j = i;
		bool query = false;

		while (j < len && uri[j] != ';' && uri[j] != '&' && uri[j] != '?')
			j++;
		if (!comp_is(uri + i, j - i, "pin-value")) {
			if (sep != 0 && (o > 7 || sep == '?'))
				out[o++] = sep;
			memcpy(out + o, uri + i, j - i);
			o += j - i;
			sep = 0;
		} else if (sep == '?') {
			query = true;
		}
		if (j >= len)
			break;
		if (query && uri[j] == '&')
			sep = '?'; /* the query's first kept component still needs '?' */
		else if (sep != '?' || uri[j] == '?')
			sep = uri[j];
		i = j + 1;
	}
	out[o] = '\0';
	return out;
}

bool pkcs11_uri_is_public(const char *uri)
{
	P11KitUri *u = p11_load(NULL) == 0 ? p11_kit_uri_new() : NULL;
	CK_ATTRIBUTE *a;
	bool pub = false;

	if (u != NULL && p11_kit_uri_parse(uri, P11_KIT_URI_FOR_ANY, u) == P11_KIT_URI_OK &&
	    (a = p11_kit_uri_get_attribute(u, CKA_CLASS)) != NULL &&
	    a->ulValueLen == sizeof(CK_OBJECT_CLASS))
		pub = *(CK_OBJECT_CLASS *)a->pValue == CKO_PUBLIC_KEY;
	uri_free(u);
	return pub;
}

char *pkcs11_uri_label(const char *uri)
{
	P11KitUri *u = p11_load(NULL) == 0 ? p11_kit_uri_new() : NULL;
	CK_ATTRIBUTE *a;
	char *label = NULL;

	if (u != NULL && p11_kit_uri_parse(uri, P11_KIT_URI_FOR_ANY, u) == P11_KIT_URI_OK &&
	    (a = p11_kit_uri_get_attribute(u, CKA_LABEL)) != NULL &&
	    (label = malloc(a->ulValueLen + 1)) != NULL) {
		memcpy(label, a->pValue, a->ulValueLen);
		label[a->ulValueLen] = '\0';
	}
	uri_free(u);
	return label;
}

char *pkcs11_uri_public(const char *uri)
{
	size_t len = strlen(uri), plen = strcspn(uri + 7, "?"), o = 7;
	const char *p = uri + 7, *end = p + plen;
	char *out = malloc(len + 16);

	if (out == NULL)
		return NULL;
	memcpy(out, uri, 7);
	/* the path part's components but type=..., then type=public */
	while (p < end) {
		size_t n = strcspn(p, ";?");

		if (p + n > end)
			n = (size_t)(end - p);
		if (n > 0 && !(n >= 5 && strncasecmp(p, "type=", 5) == 0)) {
			if (o > 7)
				out[o++] = ';';
			memcpy(out + o, p, n);
			o += n;
		}
		p += n + 1;
	}
	o += (size_t)sprintf(out + o, "%stype=public", o > 7 ? ";" : "");
	memcpy(out + o, uri + 7 + plen, len - 7 - plen + 1);
	return out;
}

/* A PKCS#11 blank-padded UTF-8 field as a C string. */
static void field_str(const unsigned char *f, size_t n, char *out, size_t size)
{
	while (n > 0 && f[n - 1] == ' ')
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(out, f, n);
	out[n] = '\0';
}

static const char *mech_name(CK_MECHANISM_TYPE m)
{
	switch (m) {
	case CKM_EDDSA: return "CKM_EDDSA";
	case CKM_ECDSA: return "CKM_ECDSA";
	case CKM_RSA_PKCS_PSS: return "CKM_RSA_PKCS_PSS";
	case CKM_EC_EDWARDS_KEY_PAIR_GEN: return "CKM_EC_EDWARDS_KEY_PAIR_GEN";
	case CKM_EC_KEY_PAIR_GEN: return "CKM_EC_KEY_PAIR_GEN";
	case CKM_RSA_PKCS_KEY_PAIR_GEN: return "CKM_RSA_PKCS_KEY_PAIR_GEN";
	default: return "?";
	}
}

/* One attribute of OBJ, malloc'd into *VAL (*LEN bytes).  Returns the
 * PKCS#11 result (CKR_ATTRIBUTE_TYPE_INVALID etc. when absent). */
static CK_RV get_attr(CK_FUNCTION_LIST *m, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE obj,
		      CK_ATTRIBUTE_TYPE type, unsigned char **val, size_t *len)
{
	CK_ATTRIBUTE a = { type, NULL, 0 };
	CK_RV rv;

	*val = NULL;
	*len = 0;
	rv = m->C_GetAttributeValue(s, obj, &a, 1);
	if (rv != CKR_OK)
		return rv;
	if (a.ulValueLen == (CK_ULONG)-1 || a.ulValueLen > 65536)
		return CKR_ATTRIBUTE_TYPE_INVALID;
	a.pValue = malloc(a.ulValueLen + 1);
	if (a.pValue == NULL)
		return CKR_HOST_MEMORY;
	rv = m->C_GetAttributeValue(s, obj, &a, 1);
	if (rv != CKR_OK) {
		free(a.pValue);
		return rv;
	}
	*val = a.pValue;
	*len = a.ulValueLen;
	return CKR_OK;
}

/* ---- one token, opened ------------------------------------------------- */

struct tok {
	CK_FUNCTION_LIST *m;
	CK_SLOT_ID slot;
	CK_SESSION_HANDLE s;
	CK_TOKEN_INFO info;
	char label[33];
	bool open;
};

static void tok_close(struct tok *t)
{
	if (t->open)
		t->m->C_CloseSession(t->s);
	t->open = false;
}

/* The tokens URI matches, in module and slot order: *TOKS (n of them),
 * sessions not yet open.  ALL_LABELS gets the labels of every token seen
 * ("'a', 'b'") for the no-match message. */
static int tokens_find(P11KitUri *uri, struct tok **toks, size_t *n, char *all, size_t allsize,
		       struct mcuprov_err *err)
{
	size_t i, k, cap = 0;
	struct tok *v = NULL;

	*toks = NULL;
	*n = 0;
	all[0] = '\0';
	for (i = 0; g.mods[i] != NULL; i++) {
		CK_FUNCTION_LIST *m = g.mods[i];
		CK_INFO minfo;
		CK_SLOT_ID *slots = NULL;
		CK_ULONG ns = 0;

		if (m->C_GetInfo(&minfo) != CKR_OK || !p11_kit_uri_match_module_info(uri, &minfo))
			continue;
		if (m->C_GetSlotList(CK_TRUE, NULL, &ns) != CKR_OK || ns == 0)
			continue;
		slots = calloc(ns, sizeof(*slots));
		if (slots == NULL)
			goto nomem;
		if (m->C_GetSlotList(CK_TRUE, slots, &ns) != CKR_OK)
			ns = 0;
		for (k = 0; k < ns; k++) {
			CK_SLOT_INFO sinfo;
			struct tok t;

			memset(&t, 0, sizeof(t));
			if (m->C_GetSlotInfo(slots[k], &sinfo) != CKR_OK ||
			    m->C_GetTokenInfo(slots[k], &t.info) != CKR_OK)
				continue;
			field_str(t.info.label, sizeof(t.info.label), t.label, sizeof(t.label));
			if ((t.info.flags & CKF_TOKEN_INITIALIZED) &&
			    strlen(all) + strlen(t.label) + 5 < allsize)
				snprintf(all + strlen(all), allsize - strlen(all), "%s'%s'",
					 all[0] ? ", " : "", t.label);
			if (!p11_kit_uri_match_slot_info(uri, &sinfo) ||
			    !p11_kit_uri_match_token_info(uri, &t.info))
				continue;
			if (!(t.info.flags & CKF_TOKEN_INITIALIZED))
				continue;
			if (*n == cap) {
				struct tok *nv;

				cap = cap ? 2 * cap : 4;
				nv = realloc(v, cap * sizeof(*v));
				if (nv == NULL) {
					free(slots);
					goto nomem;
				}
				v = nv;
			}
			t.m = m;
			t.slot = slots[k];
			v[(*n)++] = t;
		}
		free(slots);
	}
	*toks = v;
	return 0;
nomem:
	free(v);
	*n = 0;
	return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
}

static int tok_open(struct tok *t, bool rw, const char *subject, struct mcuprov_err *err)
{
	CK_FLAGS fl = CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0);
	CK_RV rv = t->m->C_OpenSession(t->slot, fl, NULL, NULL, &t->s);

	if (rv != CKR_OK)
		return err_set(err, MCUPROV_ERR_IO, subject, "token '%s': cannot open a session: %s",
			       t->label, p11_why(rv));
	t->open = true;
	return 0;
}

/* The PIN: the URI's pin-value, its pin-source file, or PW_CB.  *pin is a
 * PASSWD_BUF secret (passwd_free()). */
static int pin_get(P11KitUri *uri, const struct tok *t, const char *subject, key_passwd_cb pw_cb,
		   void *pw_arg, char **pin, struct mcuprov_err *err)
{
	const char *v = p11_kit_uri_get_pin_value(uri);
	const char *src = p11_kit_uri_get_pin_source(uri);
	char *buf;
	int n;

	*pin = NULL;
	if (src != NULL && v == NULL) {
		/* RFC 7512: a file name or a file: URI, nothing else */
		char *spec;
		int rc;

		if (strncmp(src, "file:", 5) == 0)
			src += 5;
		if (strncmp(src, "//", 2) == 0)
			src += 2;
		if (src[0] == '\0')
			return err_set(err, MCUPROV_ERR_USAGE, subject, "empty pin-source");
		spec = malloc(strlen(src) + 6);
		if (spec == NULL)
			return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		sprintf(spec, "file:%s", src);
		rc = passwd_from_source(spec, pin, err);
		free(spec);
		if (rc < 0 && err != NULL) {
			/* the caller names the key: say which file */
			char why[sizeof(err->msg)];

			snprintf(why, sizeof(why), "%s", err->msg);
			return err_set(err, rc, subject, "pin-source '%s': %s", src, why);
		}
		return rc < 0 ? rc : 0;
	}
	buf = OPENSSL_secure_zalloc(PASSWD_BUF);
	if (buf == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	if (v != NULL) {
		if (strlen(v) >= PASSWD_BUF) {
			OPENSSL_secure_clear_free(buf, PASSWD_BUF);
			return err_set(err, MCUPROV_ERR_PASSWORD, subject, "pin-value too long");
		}
		strcpy(buf, v);
	} else if (pw_cb == NULL || (n = pw_cb(buf, PASSWD_BUF, pw_arg)) < 0) {
		OPENSSL_secure_clear_free(buf, PASSWD_BUF);
		return err_set(err, MCUPROV_ERR_PASSWORD, subject,
			       "token '%s' needs its PIN and none was given (use --passin)",
			       t->label);
	}
	/* passwd_free() releases PASSWD_BUF bytes of ordinary heap: copy */
	*pin = malloc(PASSWD_BUF);
	if (*pin == NULL) {
		OPENSSL_secure_clear_free(buf, PASSWD_BUF);
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	}
	memcpy(*pin, buf, PASSWD_BUF);
	OPENSSL_secure_clear_free(buf, PASSWD_BUF);
	return 0;
}

/* Log in as the user, once: a wrong PIN is reported, never retried. */
static int tok_login(struct tok *t, P11KitUri *uri, const char *subject, key_passwd_cb pw_cb,
		     void *pw_arg, struct mcuprov_err *err)
{
	char *pin = NULL;
	CK_RV rv;
	int rc;

	/* the flags as they are now, not when the slot was listed */
	if (t->m->C_GetTokenInfo(t->slot, &t->info) != CKR_OK)
		return err_set(err, MCUPROV_ERR_IO, subject, "token '%s' went away", t->label);
	if (!(t->info.flags & CKF_LOGIN_REQUIRED))
		return 0;
	if (t->info.flags & CKF_USER_PIN_LOCKED)
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "token '%s': the user PIN is locked (too many wrong PINs); unlock it "
			       "with the token's own tool",
			       t->label);
	if (t->info.flags & CKF_USER_PIN_TO_BE_CHANGED)
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "token '%s': the user PIN must be changed first (with the token's "
			       "own tool)",
			       t->label);
	if (t->info.flags & CKF_USER_PIN_FINAL_TRY)
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "token '%s' locks its PIN at the next wrong attempt: mcuprov will not "
			       "try; check the PIN and log in once with the token's own tool",
			       t->label);
	if (t->info.flags & CKF_PROTECTED_AUTHENTICATION_PATH) {
		rv = t->m->C_Login(t->s, CKU_USER, NULL, 0); /* the token's own PIN pad */
	} else {
		rc = pin_get(uri, t, subject, pw_cb, pw_arg, &pin, err);
		if (rc < 0)
			return rc;
		rv = t->m->C_Login(t->s, CKU_USER, (CK_UTF8CHAR *)pin, strlen(pin));
		passwd_free(pin);
	}
	switch (rv) {
	case CKR_OK:
	case CKR_USER_ALREADY_LOGGED_IN: return 0;
	case CKR_PIN_INCORRECT:
	case CKR_PIN_INVALID:
	case CKR_PIN_LEN_RANGE:
		t->m->C_GetTokenInfo(t->slot, &t->info);
		return err_set(err, MCUPROV_ERR_PASSWORD, subject, "token '%s': wrong PIN%s", t->label,
			       t->info.flags & CKF_USER_PIN_FINAL_TRY
				       ? " (one attempt left before the token locks it)"
			       : t->info.flags & CKF_USER_PIN_COUNT_LOW
				       ? " (few attempts left before the token locks it)"
				       : "");
	case CKR_PIN_LOCKED:
		return err_set(err, MCUPROV_ERR_REFUSED, subject,
			       "token '%s': the user PIN is locked; unlock it with the token's own "
			       "tool",
			       t->label);
	default:
		return err_set(err, MCUPROV_ERR_IO, subject, "token '%s': cannot log in: %s",
			       t->label, p11_why(rv));
	}
}

/* Objects of CLASS matching the URI's label/id: up to MAX handles. */
static int objects_find(struct tok *t, P11KitUri *uri, CK_OBJECT_CLASS cls, CK_OBJECT_HANDLE *h,
			CK_ULONG max, CK_ULONG *n, const char *subject, struct mcuprov_err *err)
{
	CK_ATTRIBUTE tmpl[3];
	CK_ULONG nt = 0;
	CK_ATTRIBUTE *a;
	CK_RV rv;

	tmpl[nt].type = CKA_CLASS;
	tmpl[nt].pValue = &cls;
	tmpl[nt++].ulValueLen = sizeof(cls);
	if ((a = p11_kit_uri_get_attribute(uri, CKA_LABEL)) != NULL)
		tmpl[nt++] = *a;
	if ((a = p11_kit_uri_get_attribute(uri, CKA_ID)) != NULL)
		tmpl[nt++] = *a;
	*n = 0;
	rv = t->m->C_FindObjectsInit(t->s, tmpl, nt);
	if (rv == CKR_OK) {
		rv = t->m->C_FindObjects(t->s, h, max, n);
		t->m->C_FindObjectsFinal(t->s);
	}
	if (rv != CKR_OK)
		return err_set(err, MCUPROV_ERR_IO, subject, "token '%s': cannot search: %s",
			       t->label, p11_why(rv));
	return 0;
}

/* ---- public keys from attributes -------------------------------------- */

static const unsigned char oid_p256[] = { 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07 };
static const unsigned char oid_p384[] = { 0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22 };
static const unsigned char oid_ed25519[] = { 0x06, 0x03, 0x2b, 0x65, 0x70 };
static const unsigned char str_ed25519[] = { 0x13, 0x0c, 'e', 'd', 'w', 'a', 'r', 'd',
					     's', '2', '5', '5', '1', '9' };

static bool bytes_eq(const unsigned char *a, size_t alen, const unsigned char *b, size_t blen)
{
	return alen == blen && memcmp(a, b, alen) == 0;
}

/* CKA_EC_POINT: a DER OCTET STRING around the point (the standard), or
 * the bare point (some tokens); WANT is the bare point's length. */
static const unsigned char *ec_point(const unsigned char *p, size_t len, size_t want)
{
	if (len == want)
		return p;
	if (want < 128 && len == want + 2 && p[0] == 0x04 && p[1] == want)
		return p + 2;
	if (want >= 128 && want < 256 && len == want + 3 && p[0] == 0x04 && p[1] == 0x81 &&
	    p[2] == want)
		return p + 3;
	return NULL;
}

/* The EVP_PKEY of the public half of OBJ (a public key, or a private key
 * that exposes its public attributes). */
static int pub_from_object(struct tok *t, CK_OBJECT_HANDLE obj, const char *subject,
			   EVP_PKEY **out, struct mcuprov_err *err)
{
	unsigned char *kt = NULL, *a = NULL, *b = NULL;
	size_t ktl, al, bl;
	CK_KEY_TYPE type;
	OSSL_PARAM_BLD *bld = NULL;
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	BIGNUM *n = NULL, *e = NULL;
	int rc = 0;

	*out = NULL;
	if (get_attr(t->m, t->s, obj, CKA_KEY_TYPE, &kt, &ktl) != CKR_OK || ktl != sizeof(type)) {
		rc = err_set(err, MCUPROV_ERR_IO, subject, "token '%s': the key has no key type",
			     t->label);
		goto out;
	}
	memcpy(&type, kt, sizeof(type));
	if (type == CKK_RSA) {
		if (get_attr(t->m, t->s, obj, CKA_MODULUS, &a, &al) != CKR_OK ||
		    get_attr(t->m, t->s, obj, CKA_PUBLIC_EXPONENT, &b, &bl) != CKR_OK) {
			rc = err_set(err, MCUPROV_ERR_IO, subject,
				     "token '%s': cannot read the RSA public key", t->label);
			goto out;
		}
		n = BN_bin2bn(a, (int)al, NULL);
		e = BN_bin2bn(b, (int)bl, NULL);
		bld = OSSL_PARAM_BLD_new();
		if (n == NULL || e == NULL || bld == NULL ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, n) ||
		    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, e) ||
		    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
		    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL)) == NULL ||
		    EVP_PKEY_fromdata_init(ctx) != 1 ||
		    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1)
			rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, subject,
					 "token '%s': not a usable RSA public key", t->label);
	} else if (type == CKK_EC || type == CKK_EC_EDWARDS) {
		const char *group = NULL;
		const unsigned char *pt;
		size_t want;

		if (get_attr(t->m, t->s, obj, CKA_EC_PARAMS, &a, &al) != CKR_OK ||
		    get_attr(t->m, t->s, obj, CKA_EC_POINT, &b, &bl) != CKR_OK) {
			rc = err_set(err, MCUPROV_ERR_IO, subject,
				     "token '%s': cannot read the EC public key (CKA_EC_PARAMS, "
				     "CKA_EC_POINT)",
				     t->label);
			goto out;
		}
		if (bytes_eq(a, al, oid_ed25519, sizeof(oid_ed25519)) ||
		    bytes_eq(a, al, str_ed25519, sizeof(str_ed25519))) {
			pt = ec_point(b, bl, 32);
			if (pt == NULL ||
			    (*out = EVP_PKEY_new_raw_public_key_ex(NULL, "ED25519", NULL, pt, 32)) ==
				    NULL)
				rc = err_set_ssl(err, MCUPROV_ERR_FORMAT, subject,
						 "token '%s': not a usable Ed25519 public key",
						 t->label);
			goto out;
		}
		if (bytes_eq(a, al, oid_p256, sizeof(oid_p256))) {
			group = "prime256v1";
			want = 65;
		} else if (bytes_eq(a, al, oid_p384, sizeof(oid_p384))) {
			group = "secp384r1";
			want = 97;
		} else {
			/* name the curve when OpenSSL knows its OID */
			const unsigned char *q = a;
			ASN1_OBJECT *oid = d2i_ASN1_OBJECT(NULL, &q, (long)al);
			int nid = oid != NULL ? OBJ_obj2nid(oid) : NID_undef;

			ASN1_OBJECT_free(oid);
			rc = err_set(err, MCUPROV_ERR_UNSUPPORTED, subject,
				     "token '%s': the key's curve%s%s%s is not one MCUboot uses "
				     "(MCUboot supports " KEY_SUPPORTED_TYPES ")",
				     t->label, nid != NID_undef ? " (" : "",
				     nid != NID_undef ? OBJ_nid2sn(nid) : "",
				     nid != NID_undef ? ")" : "");
			goto out;
		}
		pt = ec_point(b, bl, want);
		bld = OSSL_PARAM_BLD_new();
		if (pt == NULL || pt[0] != 0x04 || bld == NULL ||
		    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, group, 0) ||
		    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pt, want) ||
		    (params = OSSL_PARAM_BLD_to_param(bld)) == NULL ||
		    (ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL)) == NULL ||
		    EVP_PKEY_fromdata_init(ctx) != 1 ||
		    EVP_PKEY_fromdata(ctx, out, EVP_PKEY_PUBLIC_KEY, params) != 1)
			rc = err_set_ssl(err, MCUPROV_ERR_FORMAT, subject,
					 "token '%s': not a usable EC public key", t->label);
	} else {
		rc = err_set(err, MCUPROV_ERR_UNSUPPORTED, subject,
			     "token '%s': unsupported key type 0x%lx (MCUboot supports "
			     KEY_SUPPORTED_TYPES ")",
			     t->label, (unsigned long)type);
	}
out:
	if (rc < 0) {
		EVP_PKEY_free(*out);
		*out = NULL;
	}
	free(kt);
	free(a);
	free(b);
	BN_free(n);
	BN_free(e);
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* ---- signing in the token --------------------------------------------- */

struct p11key {
	struct tok t;
	CK_OBJECT_HANDLE priv;
};

static void p11key_free(void *ctx)
{
	struct p11key *k = ctx;

	if (k == NULL)
		return;
	tok_close(&k->t);
	free(k);
	mods_put();
}

static CK_MECHANISM_TYPE sign_mech(enum key_type type)
{
	switch (type) {
	case KEY_ED25519: return CKM_EDDSA;
	case KEY_ECDSA_P256:
	case KEY_ECDSA_P384: return CKM_ECDSA;
	default: return CKM_RSA_PKCS_PSS;
	}
}

/* Does the token's mechanism list name MECH?  (Some tokens answer
 * C_GetMechanismInfo for mechanisms they do not offer, e.g. SoftHSM2 with
 * slots.mechanisms.)  True when the list cannot be had. */
static bool mech_listed(struct tok *t, CK_MECHANISM_TYPE mech)
{
	CK_MECHANISM_TYPE *v;
	CK_ULONG n = 0, i;
	bool found = true;

	if (t->m->C_GetMechanismList(t->slot, NULL, &n) != CKR_OK || n == 0 ||
	    (v = calloc(n, sizeof(*v))) == NULL)
		return true;
	if (t->m->C_GetMechanismList(t->slot, v, &n) == CKR_OK)
		for (i = 0, found = false; i < n && !found; i++)
			found = v[i] == mech;
	free(v);
	return found;
}

static int mech_missing(struct tok *t, CK_MECHANISM_TYPE mech, const char *subject,
			const char *why, struct mcuprov_err *err)
{
	return err_set(err, MCUPROV_ERR_UNSUPPORTED, subject,
		       "token '%s' does not offer %s (needed %s)", t->label, mech_name(mech), why);
}

/* Is mechanism MECH there for USE (CKF_SIGN, CKF_GENERATE_KEY_PAIR)? */
static int mech_check(struct tok *t, CK_MECHANISM_TYPE mech, CK_FLAGS use, const char *subject,
		      const char *why, struct mcuprov_err *err)
{
	CK_MECHANISM_INFO mi;
	CK_RV rv = t->m->C_GetMechanismInfo(t->slot, mech, &mi);

	if (rv == CKR_OK && (mi.flags & use) && mech_listed(t, mech))
		return 0;
	return mech_missing(t, mech, subject, why, err);
}

/* r||s as the token gives it to the DER ECDSA-Sig-Value of the TLV. */
static int ecdsa_der(const unsigned char *rs, size_t len, uint8_t *sig, size_t *siglen)
{
	ECDSA_SIG *es = ECDSA_SIG_new();
	BIGNUM *r = BN_bin2bn(rs, (int)(len / 2), NULL);
	BIGNUM *s = BN_bin2bn(rs + len / 2, (int)(len / 2), NULL);
	unsigned char *der = NULL;
	int n = -1;

	if (es != NULL && r != NULL && s != NULL && ECDSA_SIG_set0(es, r, s) == 1) {
		r = s = NULL;
		n = i2d_ECDSA_SIG(es, &der);
	}
	BN_free(r);
	BN_free(s);
	ECDSA_SIG_free(es);
	if (n <= 0 || (size_t)n > *siglen) {
		OPENSSL_free(der);
		return -1;
	}
	memcpy(sig, der, (size_t)n);
	*siglen = (size_t)n;
	OPENSSL_free(der);
	return 0;
}

static int p11_sign(const struct mcuprov_key *key, const EVP_MD *md, const uint8_t *msg,
		    size_t msglen, uint8_t *sig, size_t *siglen, struct mcuprov_err *err)
{
	struct p11key *k = key->ops_ctx;
	struct tok *t = &k->t;
	CK_RSA_PKCS_PSS_PARAMS pss;
	CK_MECHANISM mech = { sign_mech(key->type), NULL, 0 };
	unsigned char buf[1024];
	CK_ULONG n = sizeof(buf);
	const char *subject = key->uri;
	char why[64];
	CK_RV rv;
	int rc;

	snprintf(why, sizeof(why), "to sign with %s keys", key_type_name(key->type));
	rc = mech_check(t, mech.mechanism, CKF_SIGN, subject, why, err);
	if (rc < 0)
		return rc;
	if (mech.mechanism == CKM_RSA_PKCS_PSS) {
		/* imgtool: PSS, MGF1 with the image hash, 32-byte salt */
		int nid = EVP_MD_get_type(md);

		pss.hashAlg = nid == NID_sha384 ? CKM_SHA384 : nid == NID_sha512 ? CKM_SHA512
										 : CKM_SHA256;
		pss.mgf = nid == NID_sha384 ? CKG_MGF1_SHA384 : nid == NID_sha512 ? CKG_MGF1_SHA512
										  : CKG_MGF1_SHA256;
		pss.sLen = 32;
		mech.pParameter = &pss;
		mech.ulParameterLen = sizeof(pss);
	}
	rv = t->m->C_SignInit(t->s, &mech, k->priv);
	if (rv == CKR_OK)
		rv = t->m->C_Sign(t->s, (CK_BYTE *)msg, msglen, buf, &n);
	if (rv == CKR_MECHANISM_INVALID)
		return mech_missing(t, mech.mechanism, subject, why, err);
	if (rv == CKR_USER_NOT_LOGGED_IN)
		return err_set(err, MCUPROV_ERR_PASSWORD, subject,
			       "token '%s': not logged in (the key was loaded without its PIN)",
			       t->label);
	if (rv != CKR_OK)
		return err_set(err, MCUPROV_ERR_CRYPTO, subject, "token '%s': %s signing failed: %s",
			       t->label, mech_name(mech.mechanism), p11_why(rv));
	if (mech.mechanism == CKM_ECDSA) {
		size_t want = key->type == KEY_ECDSA_P256 ? 64 : 96;

		if (n != want || ecdsa_der(buf, n, sig, siglen) < 0)
			return err_set(err, MCUPROV_ERR_CRYPTO, subject,
				       "token '%s' returned a %lu-byte ECDSA signature (expected %zu)",
				       t->label, (unsigned long)n, want);
		return 0;
	}
	if (n > *siglen)
		return err_set(err, MCUPROV_ERR_CRYPTO, subject,
			       "token '%s' returned a %lu-byte signature (room for %zu)", t->label,
			       (unsigned long)n, *siglen);
	memcpy(sig, buf, n);
	*siglen = n;
	return 0;
}

static const struct key_ops p11_ops = { p11_sign, p11key_free };

/* ---- loading ----------------------------------------------------------- */

/* Parse URI_S into *URI; refuse what this module would misread. */
static int uri_parse(const char *uri_s, const char *subject, P11KitUri **uri,
		     struct mcuprov_err *err)
{
	int r;

	*uri = NULL;
	if ((r = p11_load(err)) < 0)
		return r;
	*uri = p11_kit_uri_new();
	if (*uri == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	r = p11_kit_uri_parse(uri_s, P11_KIT_URI_FOR_ANY, *uri);
	if (r != P11_KIT_URI_OK) {
		uri_free(*uri);
		*uri = NULL;
		return err_set(err, MCUPROV_ERR_USAGE, subject, "not a valid PKCS#11 URI: %s",
			       p11_kit_uri_message(r));
	}
	if (p11_kit_uri_any_unrecognized(*uri)) {
		uri_free(*uri);
		*uri = NULL;
		return err_set(err, MCUPROV_ERR_USAGE, subject,
			       "the PKCS#11 URI has an attribute mcuprov does not know (RFC 7512: "
			       "token, manufacturer, model, serial, slot-*, library-*, object, id, "
			       "type, pin-source, pin-value, module-name, module-path)");
	}
	return 0;
}

/* The one token URI matches (its session open), or why not. */
/* Several tokens match a URI that names no token (p11-kit's configured
 * modules bring a read-only "System Trust" one, for instance): a new key
 * (RW) goes to the one writable token; an existing key is in the one token
 * that shows a public key the URI names without logging in.  TOKS is cut
 * to that one when there is exactly one, else left as it is.  Returns how
 * many qualified. */
static size_t narrow(P11KitUri *uri, bool rw, struct tok *toks, size_t *n)
{
	size_t i, found = 0, which = 0;

	for (i = 0; i < *n; i++) {
		CK_OBJECT_HANDLE h;
		CK_ULONG nh = 0;
		bool hit;

		if (rw) {
			hit = !(toks[i].info.flags & CKF_WRITE_PROTECTED);
		} else {
			if (tok_open(&toks[i], false, "", NULL) < 0)
				continue;
			hit = objects_find(&toks[i], uri, CKO_PUBLIC_KEY, &h, 1, &nh, "", NULL) == 0 &&
			      nh > 0;
			tok_close(&toks[i]);
		}
		if (hit) {
			found++;
			which = i;
		}
	}
	if (found == 1) {
		toks[0] = toks[which];
		*n = 1;
	}
	return found;
}

static int token_one(P11KitUri *uri, const char *subject, bool rw, struct tok *out,
		     struct mcuprov_err *err)
{
	struct tok *toks = NULL;
	size_t n = 0, found = 1;
	char all[512];
	int rc;

	rc = tokens_find(uri, &toks, &n, all, sizeof(all), err);
	if (rc < 0)
		return rc;
	if (n > 1)
		found = narrow(uri, rw, toks, &n);
	if (n == 0) {
		rc = err_set(err, MCUPROV_ERR_IO, subject, "no PKCS#11 token matches%s%s%s",
			     all[0] ? " (tokens present: " : " (no token is present)",
			     all[0] ? all : "", all[0] ? ")" : "");
	} else if (n > 1) {
		/* the ones that match, with what tells them apart */
		char serial[17];
		size_t i, l;

		all[0] = '\0';
		for (i = 0; i < n && (l = strlen(all)) + 64 < sizeof(all); i++) {
			field_str(toks[i].info.serialNumber, sizeof(toks[i].info.serialNumber),
				  serial, sizeof(serial));
			snprintf(all + l, sizeof(all) - l, "%s'%s' serial %s", i ? ", " : "",
				 toks[i].label, serial);
		}
		if (found == 0 && !rw)
			rc = err_set(err, MCUPROV_ERR_IO, subject,
				     "none of the %zu PKCS#11 tokens that match (%s) shows this key "
				     "without logging in: add token=LABEL (or serial=...) to look "
				     "in one",
				     n, all);
		else
			rc = err_set(err, MCUPROV_ERR_IO, subject,
				     "%zu PKCS#11 tokens match (%s): add token=LABEL or serial=...",
				     n, all);
	} else {
		*out = toks[0];
		rc = tok_open(out, rw, subject, err);
	}
	free(toks);
	return rc;
}

static char *label_of(struct tok *t, CK_OBJECT_HANDLE h)
{
	unsigned char *v = NULL;
	size_t len = 0;
	char *s;

	if (get_attr(t->m, t->s, h, CKA_LABEL, &v, &len) != CKR_OK)
		return strdup("");
	s = malloc(len + 1);
	if (s != NULL) {
		memcpy(s, v, len);
		s[len] = '\0';
	}
	free(v);
	return s;
}

/* The loaded key around PUBLIC half PKEY (taken), signing through PRIV
 * when PRIV != CK_INVALID_HANDLE; T's session moves into the key. */
static int key_make(struct tok *t, EVP_PKEY *pkey, CK_OBJECT_HANDLE pub_or_priv,
		    CK_OBJECT_HANDLE priv, const char *uri_s, struct mcuprov_key **out,
		    struct mcuprov_err *err)
{
	struct mcuprov_key *key = NULL;
	struct p11key *k = NULL;
	char *label = NULL;
	int rc;

	rc = key_wrap_pkey(pkey, uri_s, &key, err);
	if (rc < 0)
		return rc;
	key->origin = KEY_ORIGIN_TOKEN;
	key->uri = pkcs11_uri_redact(uri_s);
	label = label_of(t, pub_or_priv);
	key->token = strdup(t->label);
	if (key->uri == NULL || label == NULL || key->token == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	if (asprintf(&key->where, "token '%s', object '%s'", t->label, label) < 0) {
		key->where = NULL;
		rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	k = calloc(1, sizeof(*k));
	if (k == NULL) {
		rc = err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		goto out;
	}
	k->t = *t;
	t->open = false; /* the key's now */
	k->priv = priv;
	key->ops_ctx = k;
	/* a public-only key still holds the session and a module reference:
	 * ops->free releases both; sign only when the private key is there */
	key->ops = priv != CK_INVALID_HANDLE ? &p11_ops : NULL;
	if (key->ops == NULL) {
		p11key_free(k);
		key->ops_ctx = NULL;
	} else {
		k = NULL;
	}
	*out = key;
	key = NULL;
	rc = 0;
	k = NULL;
out:
	free(label);
	key_free(key);
	return rc;
}

/* Find the key in T: *PUB (or CK_INVALID_HANDLE) and, when logged in,
 * *PRIV.  Exactly one of each class may match. */
static int key_objects(struct tok *t, P11KitUri *uri, const char *subject, CK_OBJECT_HANDLE *pub,
		       CK_OBJECT_HANDLE *priv, bool want_priv, struct mcuprov_err *err)
{
	CK_OBJECT_HANDLE h[2];
	CK_ULONG n;
	int rc;

	*pub = *priv = CK_INVALID_HANDLE;
	rc = objects_find(t, uri, CKO_PUBLIC_KEY, h, 2, &n, subject, err);
	if (rc < 0)
		return rc;
	if (n > 1)
		return err_set(err, MCUPROV_ERR_IO, subject,
			       "token '%s' holds several public keys that match: add id=... to "
			       "the URI",
			       t->label);
	if (n == 1)
		*pub = h[0];
	if (!want_priv)
		return 0;
	rc = objects_find(t, uri, CKO_PRIVATE_KEY, h, 2, &n, subject, err);
	if (rc < 0)
		return rc;
	if (n > 1)
		return err_set(err, MCUPROV_ERR_IO, subject,
			       "token '%s' holds several private keys that match: add id=... to "
			       "the URI",
			       t->label);
	if (n == 1)
		*priv = h[0];
	return 0;
}

/* The object part of the URI, for messages: "object 'x'", "id 01:02". */
static void what_of(P11KitUri *uri, char *out, size_t size)
{
	CK_ATTRIBUTE *a = p11_kit_uri_get_attribute(uri, CKA_LABEL);

	if (a != NULL) {
		snprintf(out, size, "key '%.*s'", (int)a->ulValueLen, (const char *)a->pValue);
		return;
	}
	snprintf(out, size, "key with that id");
}

static int load_in(struct tok *t, P11KitUri *uri, const char *uri_s, const char *subject,
		   unsigned flags, key_passwd_cb pw_cb, void *pw_arg, struct mcuprov_key **out,
		   struct mcuprov_err *err)
{
	CK_OBJECT_CLASS *cls = NULL;
	CK_ATTRIBUTE *ca = p11_kit_uri_get_attribute(uri, CKA_CLASS);
	CK_OBJECT_HANDLE pub = CK_INVALID_HANDLE, priv = CK_INVALID_HANDLE;
	EVP_PKEY *pkey = NULL;
	bool public_only = (flags & KEY_LOAD_PUBLIC) != 0;
	char what[200];
	int rc;

	if (ca != NULL && ca->ulValueLen == sizeof(*cls)) {
		cls = ca->pValue;
		if (*cls == CKO_PUBLIC_KEY)
			public_only = true;
		else if (*cls != CKO_PRIVATE_KEY)
			return err_set(err, MCUPROV_ERR_USAGE, subject,
				       "the URI names a %s, not a key (type=private or type=public)",
				       *cls == CKO_CERTIFICATE  ? "certificate"
				       : *cls == CKO_SECRET_KEY ? "secret key"
								: "data object");
	}
	what_of(uri, what, sizeof(what));
	if (!public_only) {
		rc = tok_login(t, uri, subject, pw_cb, pw_arg, err);
		if (rc < 0)
			return rc;
	}
	rc = key_objects(t, uri, subject, &pub, &priv, !public_only, err);
	if (rc < 0)
		return rc;
	if (pub == CK_INVALID_HANDLE && priv == CK_INVALID_HANDLE)
		return err_set(err, MCUPROV_ERR_IO, subject, "token '%s' holds no %s%s", t->label,
			       what,
			       public_only && (t->info.flags & CKF_LOGIN_REQUIRED)
				       ? " readable without logging in"
				       : "");
	if (!public_only && priv == CK_INVALID_HANDLE)
		return err_set(err, MCUPROV_ERR_IO, subject,
			       "token '%s' holds the public %s but not its private key (add "
			       "type=public to use it to verify)",
			       t->label, what);
	rc = pub_from_object(t, pub != CK_INVALID_HANDLE ? pub : priv, subject, &pkey, err);
	if (rc < 0) {
		if (pub == CK_INVALID_HANDLE)
			return err_set(err, MCUPROV_ERR_IO, subject,
				       "token '%s' holds no public key for the %s and its private "
				       "key does not show its public half",
				       t->label, what);
		return rc;
	}
	return key_make(t, pkey, pub != CK_INVALID_HANDLE ? pub : priv, priv, uri_s, out, err);
}

/* What every entry point does first: the URI parsed, the modules taken,
 * the one token open.  On failure everything is released. */
static int begin(const char *uri_s, bool rw, char **subject, P11KitUri **uri, struct tok *t,
		 struct mcuprov_err *err)
{
	int rc;

	memset(t, 0, sizeof(*t));
	*uri = NULL;
	*subject = pkcs11_uri_redact(uri_s);
	if (*subject == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	rc = uri_parse(uri_s, *subject, uri, err);
	if (rc == 0) {
		rc = mods_get(p11_kit_uri_get_module_path(*uri), err);
		if (rc == 0) {
			rc = token_one(*uri, *subject, rw, t, err);
			if (rc < 0)
				mods_put();
		}
	}
	if (rc < 0) {
		uri_free(*uri);
		*uri = NULL;
		free(*subject);
		*subject = NULL;
	}
	return rc;
}

int pkcs11_key_load(const char *uri_s, unsigned flags, key_passwd_cb pw_cb, void *pw_arg,
		    struct mcuprov_key **out, struct mcuprov_err *err)
{
	P11KitUri *uri;
	struct tok t;
	char *subject;
	int rc;

	*out = NULL;
	rc = begin(uri_s, false, &subject, &uri, &t, err);
	if (rc < 0)
		return rc;
	if (p11_kit_uri_get_attribute(uri, CKA_LABEL) == NULL &&
	    p11_kit_uri_get_attribute(uri, CKA_ID) == NULL) {
		rc = err_set(err, MCUPROV_ERR_USAGE, subject,
			     "the URI names no key: add object=LABEL or id=...");
	} else {
		/* key_make() takes the module reference along with the session */
		rc = load_in(&t, uri, uri_s, subject, flags, pw_cb, pw_arg, out, err);
	}
	if (t.open || rc < 0) {
		tok_close(&t);
		if (rc < 0)
			mods_put();
	}
	uri_free(uri);
	free(subject);
	return rc;
}

/* ---- generation -------------------------------------------------------- */

int pkcs11_keygen(const char *uri_s, enum key_type type, key_passwd_cb pw_cb, void *pw_arg,
		  struct mcuprov_key **out, struct mcuprov_err *err)
{
	CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_ULONG bits = type == KEY_RSA3072 ? 3072 : 2048;
	unsigned char e65537[] = { 0x01, 0x00, 0x01 }, idbuf[16];
	CK_ATTRIBUTE *label, *id, idattr;
	CK_MECHANISM mech = { 0, NULL, 0 };
	CK_ATTRIBUTE pubt[10], privt[12];
	CK_ULONG np = 0, nv = 0;
	CK_OBJECT_HANDLE pub, priv, h[1];
	CK_ULONG nf;
	EVP_PKEY *pkey = NULL;
	P11KitUri *uri;
	struct tok t;
	char *subject;
	char why[64];
	CK_RV rv;
	int rc;

	*out = NULL;
	if (type == KEY_X25519)
	{
		char *shown = pkcs11_uri_redact(uri_s);

		rc = err_set(err, MCUPROV_ERR_UNSUPPORTED, shown,
			     "an x25519 key decrypts images inside the bootloader, which embeds "
			     "its private half: it cannot live in a token (generate it as a file)");
		free(shown);
		return rc;
	}
	if (!key_type_can_sign(type))
		return err_set(err, MCUPROV_ERR_USAGE, uri_s, "unknown key type");
	rc = begin(uri_s, true, &subject, &uri, &t, err);
	if (rc < 0)
		return rc;
	label = p11_kit_uri_get_attribute(uri, CKA_LABEL);
	id = p11_kit_uri_get_attribute(uri, CKA_ID);
	if (label == NULL || label->ulValueLen == 0) {
		rc = err_set(err, MCUPROV_ERR_USAGE, subject,
			     "name the new key: add object=LABEL to the URI");
		goto fail;
	}
	if (p11_kit_uri_get_attribute(uri, CKA_CLASS) != NULL) {
		rc = err_set(err, MCUPROV_ERR_USAGE, subject,
			     "type= does not belong in a URI for keygen (a key pair is made)");
		goto fail;
	}
	if (t.info.flags & CKF_WRITE_PROTECTED) {
		rc = err_set(err, MCUPROV_ERR_IO, subject, "token '%s' is write-protected", t.label);
		goto fail;
	}
	switch (type) {
	case KEY_ED25519: mech.mechanism = CKM_EC_EDWARDS_KEY_PAIR_GEN; break;
	case KEY_ECDSA_P256:
	case KEY_ECDSA_P384: mech.mechanism = CKM_EC_KEY_PAIR_GEN; break;
	default: mech.mechanism = CKM_RSA_PKCS_KEY_PAIR_GEN; break;
	}
	snprintf(why, sizeof(why), "to generate %s keys", key_type_name(type));
	rc = mech_check(&t, mech.mechanism, CKF_GENERATE_KEY_PAIR, subject, why, err);
	if (rc == 0) {
		snprintf(why, sizeof(why), "to sign with %s keys", key_type_name(type));
		rc = mech_check(&t, sign_mech(type), CKF_SIGN, subject, why, err);
	}
	if (rc == 0)
		rc = tok_login(&t, uri, subject, pw_cb, pw_arg, err);
	if (rc < 0)
		goto fail;
	/* never two keys under one name: look for the label and the id alone */
	{
		CK_ATTRIBUTE one[1] = { *label };

		for (int pass = 0; pass < 2; pass++) {
			if (pass == 1) {
				if (id == NULL)
					break;
				one[0] = *id;
			}
			nf = 0;
			rv = t.m->C_FindObjectsInit(t.s, one, 1);
			if (rv == CKR_OK) {
				rv = t.m->C_FindObjects(t.s, h, 1, &nf);
				t.m->C_FindObjectsFinal(t.s);
			}
			if (rv != CKR_OK) {
				rc = err_set(err, MCUPROV_ERR_IO, subject,
					     "token '%s': cannot search: %s", t.label,
					     p11_why(rv));
				goto fail;
			}
			if (nf > 0) {
				rc = err_set(err, MCUPROV_ERR_EXISTS, subject,
					     "token '%s' already holds an object with this %s; "
					     "mcuprov never replaces a key in a token (choose "
					     "another %s)",
					     t.label, pass ? "id" : "label",
					     pass ? "id=" : "object=");
				goto fail;
			}
		}
	}
	if (id == NULL) {
		if (RAND_bytes(idbuf, sizeof(idbuf)) != 1) {
			rc = err_set_ssl(err, MCUPROV_ERR_CRYPTO, NULL, "no random bytes");
			goto fail;
		}
		idattr.type = CKA_ID;
		idattr.pValue = idbuf;
		idattr.ulValueLen = sizeof(idbuf);
		id = &idattr;
	}
#define ADD(arr, n, t_, p_, l_)                                                                   \
	do {                                                                                      \
		arr[n].type = (t_);                                                               \
		arr[n].pValue = (p_);                                                             \
		arr[n].ulValueLen = (l_);                                                         \
		n++;                                                                              \
	} while (0)
	ADD(pubt, np, CKA_TOKEN, &yes, sizeof(yes));
	ADD(pubt, np, CKA_PRIVATE, &no, sizeof(no));
	ADD(pubt, np, CKA_VERIFY, &yes, sizeof(yes));
	ADD(pubt, np, CKA_ENCRYPT, &no, sizeof(no)); /* a signing key, for nothing else */
	ADD(pubt, np, CKA_WRAP, &no, sizeof(no));
	ADD(pubt, np, CKA_LABEL, label->pValue, label->ulValueLen);
	ADD(pubt, np, CKA_ID, id->pValue, id->ulValueLen);
	ADD(privt, nv, CKA_TOKEN, &yes, sizeof(yes));
	ADD(privt, nv, CKA_PRIVATE, &yes, sizeof(yes));
	ADD(privt, nv, CKA_SENSITIVE, &yes, sizeof(yes));
	ADD(privt, nv, CKA_EXTRACTABLE, &no, sizeof(no));
	ADD(privt, nv, CKA_SIGN, &yes, sizeof(yes));
	ADD(privt, nv, CKA_DECRYPT, &no, sizeof(no));
	ADD(privt, nv, CKA_UNWRAP, &no, sizeof(no));
	ADD(privt, nv, CKA_DERIVE, &no, sizeof(no));
	ADD(privt, nv, CKA_LABEL, label->pValue, label->ulValueLen);
	ADD(privt, nv, CKA_ID, id->pValue, id->ulValueLen);
	switch (type) {
	case KEY_ED25519: ADD(pubt, np, CKA_EC_PARAMS, (void *)oid_ed25519, sizeof(oid_ed25519)); break;
	case KEY_ECDSA_P256: ADD(pubt, np, CKA_EC_PARAMS, (void *)oid_p256, sizeof(oid_p256)); break;
	case KEY_ECDSA_P384: ADD(pubt, np, CKA_EC_PARAMS, (void *)oid_p384, sizeof(oid_p384)); break;
	default:
		ADD(pubt, np, CKA_MODULUS_BITS, &bits, sizeof(bits));
		ADD(pubt, np, CKA_PUBLIC_EXPONENT, e65537, sizeof(e65537));
		break;
	}
#undef ADD
	rv = t.m->C_GenerateKeyPair(t.s, &mech, pubt, np, privt, nv, &pub, &priv);
	if (rv != CKR_OK && type == KEY_ED25519) {
		/* PKCS#11 3.0 also names the curve as a PrintableString */
		pubt[np - 1].pValue = (void *)str_ed25519;
		pubt[np - 1].ulValueLen = sizeof(str_ed25519);
		rv = t.m->C_GenerateKeyPair(t.s, &mech, pubt, np, privt, nv, &pub, &priv);
	}
	if (rv != CKR_OK) {
		rc = err_set(err, MCUPROV_ERR_IO, subject,
			     "token '%s': %s key generation failed: %s", t.label,
			     key_type_name(type), p11_why(rv));
		goto fail;
	}
	rc = pub_from_object(&t, pub, subject, &pkey, err);
	if (rc == 0)
		rc = key_make(&t, pkey, pub, priv, uri_s, out, err);
	if (rc < 0) {
		/* a half-made pair is not left in the token */
		t.m->C_DestroyObject(t.s, pub);
		t.m->C_DestroyObject(t.s, priv);
		goto fail;
	}
	uri_free(uri);
	free(subject);
	return 0;
fail:
	tok_close(&t);
	mods_put();
	uri_free(uri);
	free(subject);
	return rc;
}

/* ---- listing ----------------------------------------------------------- */

static char *pct_encode(const char *s, size_t n)
{
	char *out = malloc(3 * n + 1), *o = out;
	size_t i;

	if (out == NULL)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (isalnum(c) || strchr("-._~:[]@!$'()*+,=&", c) != NULL)
			*o++ = (char)c;
		else
			o += sprintf(o, "%%%02X", c);
	}
	*o = '\0';
	return out;
}

/* The URI of object LABEL (and ID when the label is not unique) in T. */
static char *object_uri(const struct tok *t, const char *label, const unsigned char *idv,
			size_t idl)
{
	char *tl = pct_encode(t->label, strlen(t->label));
	char *ol = pct_encode(label, strlen(label));
	char *ids = NULL, *uri = NULL;
	size_t i;

	if (idv != NULL) {
		ids = malloc(3 * idl + 1);
		if (ids != NULL) {
			ids[0] = '\0';
			for (i = 0; i < idl; i++)
				sprintf(ids + 3 * i, "%%%02X", idv[i]);
		}
	}
	if (tl != NULL && ol != NULL && (idv == NULL || ids != NULL) &&
	    asprintf(&uri, "pkcs11:token=%s%s%s%s%s", tl, label[0] ? ";object=" : "", ol,
		     idv != NULL ? ";id=" : "", idv != NULL ? ids : "") < 0)
		uri = NULL;
	free(tl);
	free(ol);
	free(ids);
	return uri;
}

void pkcs11_list_free(struct pkcs11_entry *v, size_t n)
{
	size_t i;

	for (i = 0; v != NULL && i < n; i++) {
		free(v[i].uri);
		free(v[i].token);
		free(v[i].label);
	}
	free(v);
}

/* The public keys of token T appended to *V. */
static int list_token(struct tok *t, struct pkcs11_entry **v, size_t *n, size_t *cap,
		      struct mcuprov_err *err)
{
	CK_OBJECT_CLASS cls = CKO_PUBLIC_KEY;
	CK_ATTRIBUTE tmpl = { CKA_CLASS, &cls, sizeof(cls) };
	CK_OBJECT_HANDLE h[256];
	CK_ULONG nh = 0, i, j;
	CK_RV rv;
	char **labels = NULL;

	rv = t->m->C_FindObjectsInit(t->s, &tmpl, 1);
	if (rv == CKR_OK) {
		rv = t->m->C_FindObjects(t->s, h, 256, &nh);
		t->m->C_FindObjectsFinal(t->s);
	}
	if (rv != CKR_OK)
		return 0; /* a token that cannot be searched lists nothing */
	labels = calloc(nh + 1, sizeof(*labels));
	if (labels == NULL)
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	for (i = 0; i < nh; i++)
		labels[i] = label_of(t, h[i]);
	for (i = 0; i < nh; i++) {
		struct mcuprov_err e2;
		struct mcuprov_key *key = NULL;
		EVP_PKEY *pkey = NULL;
		unsigned char *idv = NULL;
		size_t idl = 0;
		bool unique = labels[i] != NULL && labels[i][0] != '\0';

		for (j = 0; unique && j < nh; j++)
			if (j != i && labels[j] != NULL && strcmp(labels[i], labels[j]) == 0)
				unique = false;
		err_clear(&e2);
		if (labels[i] == NULL || pub_from_object(t, h[i], "", &pkey, &e2) < 0 ||
		    key_wrap_pkey(pkey, "", &key, &e2) < 0 || !key_type_can_sign(key->type)) {
			key_free(key);
			continue; /* not a key MCUboot signs with */
		}
		if (*n == *cap) {
			struct pkcs11_entry *nv;

			*cap = *cap ? 2 * *cap : 8;
			nv = realloc(*v, *cap * sizeof(**v));
			if (nv == NULL) {
				key_free(key);
				goto nomem;
			}
			*v = nv;
		}
		memset(&(*v)[*n], 0, sizeof(**v));
		if (!unique)
			get_attr(t->m, t->s, h[i], CKA_ID, &idv, &idl);
		(*v)[*n].uri = object_uri(t, labels[i], idv, idl);
		(*v)[*n].token = strdup(t->label);
		(*v)[*n].label = strdup(labels[i]);
		(*v)[*n].type = key->type;
		key_fingerprint_hex(key, (*v)[*n].fingerprint, &e2);
		free(idv);
		key_free(key);
		(*n)++;
		if ((*v)[*n - 1].uri == NULL || (*v)[*n - 1].token == NULL ||
		    (*v)[*n - 1].label == NULL)
			goto nomem;
	}
	for (i = 0; i < nh; i++)
		free(labels[i]);
	free(labels);
	return 0;
nomem:
	for (i = 0; i < nh; i++)
		free(labels[i]);
	free(labels);
	return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
}

int pkcs11_list(const char *filter, struct pkcs11_entry **out, size_t *n, struct mcuprov_err *err)
{
	P11KitUri *uri = NULL;
	struct tok *toks = NULL;
	size_t nt = 0, i, cap = 0;
	char all[512];
	char *subject = NULL;
	int rc;

	*out = NULL;
	*n = 0;
	if (filter != NULL) {
		subject = pkcs11_uri_redact(filter);
		if (subject == NULL)
			return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
		rc = uri_parse(filter, subject, &uri, err);
		free(subject);
		if (rc < 0)
			return rc;
	} else {
		if (p11_load(err) < 0) {
			err_clear(err);
			return 0; /* no p11-kit: no token to list */
		}
		uri = p11_kit_uri_new(); /* matches everything */
		if (uri == NULL)
			return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	}
	rc = mods_get(p11_kit_uri_get_module_path(uri), err);
	if (rc < 0) {
		uri_free(uri);
		return filter == NULL ? 0 : rc;
	}
	rc = tokens_find(uri, &toks, &nt, all, sizeof(all), err);
	for (i = 0; rc == 0 && i < nt; i++) {
		if (tok_open(&toks[i], false, "", err) < 0) {
			err_clear(err);
			continue;
		}
		rc = list_token(&toks[i], out, n, &cap, err);
		tok_close(&toks[i]);
	}
	free(toks);
	mods_put();
	uri_free(uri);
	if (rc < 0) {
		pkcs11_list_free(*out, *n);
		*out = NULL;
		*n = 0;
	}
	return rc;
}
