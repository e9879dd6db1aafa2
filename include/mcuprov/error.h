/* mcuprov core: error codes and the error-detail record.
 *
 * Every core function returns 0 on success or a negative MCUPROV_ERR_* code
 * and, when given a non-NULL struct mcuprov_err, fills it with the subject
 * (usually a file name) and a one-line, lower-case reason.  The core never
 * prints: the front end reports the detail once, as
 *   mcuprov: <command>: '<subject>': <reason>
 */
#ifndef MCUPROV_ERROR_H
#define MCUPROV_ERROR_H

#include <stddef.h>

enum mcuprov_errcode {
	MCUPROV_OK = 0,
	MCUPROV_ERR_IO = -1,          /* open/read/write/rename failed */
	MCUPROV_ERR_NOMEM = -2,       /* allocation failed */
	MCUPROV_ERR_FORMAT = -3,      /* input is not what it claims to be */
	MCUPROV_ERR_UNSUPPORTED = -4, /* valid input MCUboot cannot use */
	MCUPROV_ERR_PASSWORD = -5,    /* password missing or wrong */
	MCUPROV_ERR_EXISTS = -6,      /* output exists and --force not given */
	MCUPROV_ERR_USAGE = -7,       /* caller asked for an invalid combination */
	MCUPROV_ERR_CRYPTO = -8,      /* OpenSSL operation failed */
	MCUPROV_ERR_REFUSED = -9,     /* policy refusal (e.g. dev key in production) */
	MCUPROV_ERR_INTERNAL = -10,   /* a bug: should not happen */
};

#define MCUPROV_ERR_SUBJECT_MAX 512
#define MCUPROV_ERR_MSG_MAX 512

struct mcuprov_err {
	int code;                              /* MCUPROV_ERR_* or 0 */
	char subject[MCUPROV_ERR_SUBJECT_MAX]; /* "" when none */
	char msg[MCUPROV_ERR_MSG_MAX];         /* one line, no trailing period */
};

/* Clear an error record.  Safe on NULL. */
void err_clear(struct mcuprov_err *err);

/* Record an error and return CODE, so callers can write
 * `return err_set(err, MCUPROV_ERR_IO, path, "cannot open: %s", ...)`.
 * SUBJECT may be NULL.  Safe with err == NULL (only returns CODE). */
int err_set(struct mcuprov_err *err, int code, const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Like err_set(), then appends ": <reason>" from the newest entry of
 * OpenSSL's error queue (when there is one) and clears the queue. */
int err_set_ssl(struct mcuprov_err *err, int code, const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A short static name for CODE ("i/o error", "wrong password", ...). */
const char *err_name(int code);

#endif
