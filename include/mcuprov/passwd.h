/* mcuprov core: password sources in OpenSSL's -passin/-passout syntax. */
#ifndef MCUPROV_PASSWD_H
#define MCUPROV_PASSWD_H

#include <stddef.h>

#include "mcuprov/error.h"

#define PASSWD_MAX 1024
/* Size of every password buffer the core and front ends allocate: the
 * password, a possible '\r' of a CRLF line end, and the NUL. */
#define PASSWD_BUF (PASSWD_MAX + 2)

/* The forms of a password source. */
enum passwd_kind {
	PASSWD_NONE,  /* not a source */
	PASSWD_PASS,  /* pass:PASSWORD */
	PASSWD_ENV,   /* env:VAR */
	PASSWD_FILE,  /* file:PATH */
	PASSWD_FD,    /* fd:N */
	PASSWD_STDIN, /* stdin */
};

/* The form of SRC, by its prefix only (nothing is read or checked beyond
 * it): what passwd_from_source() dispatches on, and what tells a front end
 * whether an argument is a source at all. */
enum passwd_kind passwd_source_kind(const char *src);

/* Resolve SRC, one of
 *   pass:PASSWORD   the password itself (visible in argv: the user's choice)
 *   env:VAR         the value of environment variable VAR
 *   file:PATH       the first line of PATH
 *   fd:N            the first line read from file descriptor N
 *   stdin           the first line of standard input
 * into *out, a NUL-terminated malloc'd secret the caller must release with
 * passwd_free().  Trailing "\n" / "\r\n" is removed; a NUL byte is refused.
 * Never prompts.
 * Returns 0, MCUPROV_ERR_USAGE for an unknown source form,
 * MCUPROV_ERR_PASSWORD for an unset variable or empty/too long password,
 * MCUPROV_ERR_IO for an unreadable file or descriptor. */
int passwd_from_source(const char *src, char **out, struct mcuprov_err *err);

/* Wipe (all PASSWD_BUF bytes) and free a password from
 * passwd_from_source() or a front end's prompt, which must allocate
 * PASSWD_BUF bytes.  Safe on NULL. */
void passwd_free(char *pw);

#endif
