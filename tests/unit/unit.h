/* Shared includes and helpers for cmocka unit tests. */
#ifndef MCUPROV_UNIT_H
#define MCUPROV_UNIT_H

#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

/* The vectors folder (MCUPROV_VECTORS, set by `make check`) when it
 * exists, or NULL (a user's fresh clone has no ../shared/vectors). */
static inline const char *unit_vectors(void)
{
	const char *v = getenv("MCUPROV_VECTORS");
	char keys[4096];

	if (v == NULL || v[0] == '\0')
		return NULL;
	snprintf(keys, sizeof(keys), "%s/keys", v);
	return access(keys, R_OK | X_OK) == 0 ? v : NULL;
}

/* Tests that need the vectors are left out of the run when they are
 * absent, with this TAP comment: cmocka's "not ok # SKIP" would count as a
 * failure under automake's TAP driver. */
#define UNIT_VECTOR_TESTS_SKIPPED(n)                                                         \
	printf("# %d vector tests skipped: vectors folder not found (set MCUPROV_VECTORS)\n", \
	       (int)(n))

/* Create a fresh private directory /tmp/mcuprov-unit-XXXXXX into DIR
 * (at least 32 bytes).  Returns 0 or -1. */
static inline int unit_mkdtemp(char *dir, size_t size)
{
	if ((size_t)snprintf(dir, size, "/tmp/mcuprov-unit-XXXXXX") >= size)
		return -1;
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static inline int unit_rmtree_one(const char *path, const struct stat *st, int type,
				  struct FTW *ftw)
{
	return remove(path);
}

/* Remove DIR and everything below it (symbolic links are not followed).
 * Returns 0 or -1. */
static inline int unit_rmtree(const char *dir)
{
	return nftw(dir, unit_rmtree_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
