/* mcuprov core: unified diffs (libgit2), shown before anything changes. */
#ifndef MCUPROV_UDIFF_H
#define MCUPROV_UDIFF_H

#include <stddef.h>

#include "mcuprov/error.h"

/* The unified diff (3 lines of context, "--- a/PATH" / "+++ b/PATH"
 * headers) turning OLD into NEW; "" when they are equal.  *out is malloc'd,
 * NUL-terminated; caller frees.  Returns 0 or MCUPROV_ERR_NOMEM /
 * MCUPROV_ERR_INTERNAL. */
int udiff(const char *old, size_t old_len, const char *new_text, size_t new_len, const char *path,
	  char **out, size_t *out_len, struct mcuprov_err *err);

#endif
