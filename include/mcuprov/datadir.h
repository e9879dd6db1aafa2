/* mcuprov core: where mcuprov's data files (templates) are found. */
#ifndef MCUPROV_DATADIR_H
#define MCUPROV_DATADIR_H

#include <stddef.h>

/* The I-th directory to search for templates of kind SUB ("keys",
 * "targets"): $MCUPROV_TEMPLATES/SUB, the source tree's templates/SUB, the
 * installed $(pkgdatadir)/templates/SUB.  Returns "" for a candidate that
 * does not apply (unset variable), NULL past the last.  BUF holds the
 * environment's path. */
const char *datadir_templates(int i, const char *sub, char *buf, size_t size);

#endif
