/* Error-detail records for the core library. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>

#include "mcuprov/error.h"

void err_clear(struct mcuprov_err *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->subject[0] = '\0';
	err->msg[0] = '\0';
}

static void err_vset(struct mcuprov_err *err, int code, const char *subject, const char *fmt,
		     va_list ap) __attribute__((format(printf, 4, 0)));

static void err_vset(struct mcuprov_err *err, int code, const char *subject, const char *fmt,
		     va_list ap)
{
	err->code = code;
	snprintf(err->subject, sizeof(err->subject), "%s", subject ? subject : "");
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
}

int err_set(struct mcuprov_err *err, int code, const char *subject, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL)
		return code;
	va_start(ap, fmt);
	err_vset(err, code, subject, fmt, ap);
	va_end(ap);
	return code;
}

int err_set_ssl(struct mcuprov_err *err, int code, const char *subject, const char *fmt, ...)
{
	va_list ap;
	unsigned long e;

	e = ERR_peek_last_error();
	if (err != NULL) {
		va_start(ap, fmt);
		err_vset(err, code, subject, fmt, ap);
		va_end(ap);
		if (e != 0) {
			const char *reason = ERR_reason_error_string(e);
			size_t n = strlen(err->msg);

			if (reason != NULL)
				snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", reason);
		}
	}
	ERR_clear_error();
	return code;
}

const char *err_name(int code)
{
	switch (code) {
	case MCUPROV_OK: return "success";
	case MCUPROV_ERR_IO: return "i/o error";
	case MCUPROV_ERR_NOMEM: return "out of memory";
	case MCUPROV_ERR_FORMAT: return "bad format";
	case MCUPROV_ERR_UNSUPPORTED: return "unsupported";
	case MCUPROV_ERR_PASSWORD: return "password error";
	case MCUPROV_ERR_EXISTS: return "already exists";
	case MCUPROV_ERR_USAGE: return "invalid request";
	case MCUPROV_ERR_CRYPTO: return "cryptographic operation failed";
	case MCUPROV_ERR_REFUSED: return "refused";
	default: return "internal error";
	}
}
