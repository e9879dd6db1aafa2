/* mcuprov core: where mcuprov's data files (templates, examples) are found. */
#ifndef MCUPROV_DATADIR_H
#define MCUPROV_DATADIR_H

#include <stddef.h>

/* The I-th directory to search for templates of kind SUB ("keys",
 * "targets"): $MCUPROV_TEMPLATES/SUB, the source tree's templates/SUB, the
 * installed $(pkgdatadir)/templates/SUB.  Returns "" for a candidate that
 * does not apply (unset variable), NULL past the last.  BUF holds the
 * environment's path. */
const char *datadir_templates(int i, const char *sub, char *buf, size_t size);

/* The folder holding mcuprov's examples (demo-qemu/ with its Makefile):
 * the first of $MCUPROV_EXAMPLES, the source tree's examples/ (for an
 * uninstalled build), the installed $(pkgdatadir)/examples that has
 * demo-qemu/Makefile; NULL when none has.  The string is static: valid
 * until the next call. */
const char *datadir_examples(void);

#endif
