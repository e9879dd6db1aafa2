/* mcuprov.yaml read again to be edited in place (yamledit.h). */
#include "config.h"

#include <string.h>

#include "mcuprov/yamledit.h"

int yamledit_load(const char *name, const char *text, size_t len, yaml_document_t *doc,
		  size_t *base, struct mcuprov_err *err)
{
	yaml_parser_t yp;
	int rc = 0;

	*base = 0;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		*base = 3; /* libyaml's marks start after the byte order mark */
	if (!yaml_parser_initialize(&yp))
		return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	if (!yaml_parser_load(&yp, doc))
		rc = err_set(err, MCUPROV_ERR_FORMAT, name, "cannot be parsed again: %s",
			     yp.problem ? yp.problem : "syntax error");
	yaml_parser_delete(&yp);
	return rc;
}

const yaml_node_t *yamledit_get(yaml_document_t *d, const yaml_node_t *map, const char *key)
{
	const yaml_node_pair_t *pr;

	if (map == NULL || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (pr = map->data.mapping.pairs.start; pr < map->data.mapping.pairs.top; pr++) {
		const yaml_node_t *k = yaml_document_get_node(d, pr->key);

		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return yaml_document_get_node(d, pr->value);
	}
	return NULL;
}

size_t yamledit_byte_at(const char *s, size_t len, size_t base, size_t idx)
{
	size_t b = base, c = 0;

	while (b < len && c < idx) {
		b++;
		while (b < len && ((unsigned char)s[b] & 0xc0) == 0x80)
			b++;
		c++;
	}
	return b;
}
