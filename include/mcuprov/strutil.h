/* mcuprov core: small string helpers. */
#ifndef MCUPROV_STRUTIL_H
#define MCUPROV_STRUTIL_H

#include <stddef.h>

/* Append printf-style text to OUT (SIZE bytes) at offset *O, always
 * NUL-terminated and never past SIZE; *O grows by the full length the text
 * would have had, so *O >= SIZE afterwards tells it was cut.  Safe to call
 * again once *O is past SIZE (it then writes nothing). */
void str_appendf(char *out, size_t size, size_t *o, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
