/* mcuprov core: mcuprov.yaml read again to be edited in place.
 *
 * rotate, the type switch and init change a few scalars of a project file
 * a person wrote and keep every other byte: they load the text with
 * libyaml, whose marks give each node's byte offsets, and splice. */
#ifndef MCUPROV_YAMLEDIT_H
#define MCUPROV_YAMLEDIT_H

#include <stddef.h>

#include <yaml.h>

#include "mcuprov/error.h"

/* The bounds of a YAML text mcuprov reads: libyaml's scanner and loader
 * take time quadratic in the nesting, so deeper or larger input is
 * refused on the parser's events, before a document is built. */
#define YAMLEDIT_MAX_DEPTH 64
#define YAMLEDIT_MAX_NODES 100000

/* Check TEXT (LEN bytes) against the bounds, on the parser's events (every
 * document of the stream).  Returns 0 when it stays within them (a syntax
 * error also returns 0: the loader reports it), MCUPROV_ERR_NOMEM, or
 * MCUPROV_ERR_FORMAT with *line and *column (1-based) where it went past
 * and MSG ("nesting deeper than 64 levels", "more than 100000 nodes"). */
int yamledit_check_bounds(const char *text, size_t len, size_t *line, size_t *column, char *msg,
			  size_t msg_size);

/* Load TEXT (LEN bytes; NAME in messages) as one YAML document into *doc
 * (yaml_document_delete() it).  *base gets the number of bytes before
 * libyaml's first mark (3 after a UTF-8 byte order mark, else 0): add it
 * to a mark's index for an offset into TEXT.  Returns 0, MCUPROV_ERR_NOMEM
 * or MCUPROV_ERR_FORMAT ("cannot be parsed again: PROBLEM", or "line N:
 * nesting deeper than 64 levels" past yamledit_check_bounds()). */
int yamledit_load(const char *name, const char *text, size_t len, yaml_document_t *doc,
		  size_t *base, struct mcuprov_err *err);

/* The value of KEY in the mapping MAP of D, or NULL (MAP NULL or not a
 * mapping, no such key). */
const yaml_node_t *yamledit_get(yaml_document_t *d, const yaml_node_t *map, const char *key);

/* The byte offset in S (LEN bytes) of libyaml's character index IDX (a
 * mark's index: characters, not bytes, from BASE as yamledit_load() gave). */
size_t yamledit_byte_at(const char *s, size_t len, size_t base, size_t idx);

#endif
