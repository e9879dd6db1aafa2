/* mcuprov core: password sources in OpenSSL's -passin/-passout syntax. */
#ifndef MCUPROV_PASSWD_H
#define MCUPROV_PASSWD_H

#include <stdbool.h>
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

/* ---- variables that hold passwords, kept from every child ---------------- */

/* When SRC is env:NAME, remember NAME for the rest of the process:
 * runner_run() leaves it out of every child's environment from then on,
 * whatever its name (the PASS/SECRET/TOKEN rule there covers only the
 * usual names).  Any other source form: nothing to remember.
 * passwd_from_source() does this itself for each env: source it reads; a
 * front end calls it as well for every source it was given (a key that
 * turns out not to be encrypted never reads its source), and flow_run()
 * for mcuprov.yaml's keys[].passin.  Thread-safe; a name is kept once.
 * Returns 0 or MCUPROV_ERR_NOMEM. */
int passwd_withhold(const char *src, struct mcuprov_err *err);

/* Remember the name of every environment variable whose value is PW: a
 * CI job that exports the password and hands it over as pass:, file:, fd:
 * or stdin gets that variable withheld as env:NAME's is.  Only names are
 * kept, never PW.  passwd_from_source() does this for every password it
 * reads; a front end for a password typed at its prompt.  Returns 0 or
 * MCUPROV_ERR_NOMEM. */
int passwd_withhold_value(const char *pw, struct mcuprov_err *err);

/* Is NAME[0..N) (not NUL-terminated: an environment entry's name) a
 * variable passwd_withhold() remembered?  Case-sensitive, as the
 * environment.  Thread-safe. */
bool passwd_withheld(const char *name, size_t n);

/* Forget every name passwd_withhold() remembered (tests only). */
void passwd_withhold_reset(void);

/* Wipe (all PASSWD_BUF bytes) and free a password from
 * passwd_from_source() or a front end's prompt, which must allocate
 * PASSWD_BUF bytes.  Safe on NULL. */
void passwd_free(char *pw);

#endif
