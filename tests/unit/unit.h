/* Shared includes and helpers for cmocka unit tests. */
#ifndef MCUPROV_UNIT_H
#define MCUPROV_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* The vectors folder (MCUPROV_VECTORS, set by `make check`), or NULL. */
static inline const char *unit_vectors(void)
{
	const char *v = getenv("MCUPROV_VECTORS");

	return v != NULL && v[0] != '\0' ? v : NULL;
}

#endif
