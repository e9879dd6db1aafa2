/* mcuprov.yaml read again to be edited in place (yamledit.h). */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "mcuprov/yamledit.h"

int yamledit_check_bounds(const char *text, size_t len, size_t *line, size_t *column, char *msg,
			  size_t msg_size)
{
	yaml_parser_t yp;
	yaml_event_t ev;
	size_t depth = 0, nodes = 0;
	int rc = 0;

	*line = *column = 0;
	if (msg_size > 0)
		msg[0] = '\0';
	if (!yaml_parser_initialize(&yp))
		return MCUPROV_ERR_NOMEM;
	yaml_parser_set_input_string(&yp, (const unsigned char *)text, len);
	for (;;) {
		yaml_event_type_t t;

		if (!yaml_parser_parse(&yp, &ev)) {
			if (yp.error == YAML_MEMORY_ERROR)
				rc = MCUPROV_ERR_NOMEM;
			break; /* a syntax error: the loader says what it is */
		}
		t = ev.type;
		if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT ||
		    t == YAML_SCALAR_EVENT || t == YAML_ALIAS_EVENT) {
			if (++nodes > YAMLEDIT_MAX_NODES) {
				snprintf(msg, msg_size, "more than %d nodes", YAMLEDIT_MAX_NODES);
				rc = MCUPROV_ERR_FORMAT;
			}
		}
		if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
			if (rc == 0 && ++depth > YAMLEDIT_MAX_DEPTH) {
				snprintf(msg, msg_size, "nesting deeper than %d levels",
					 YAMLEDIT_MAX_DEPTH);
				rc = MCUPROV_ERR_FORMAT;
			}
		} else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		if (rc != 0) {
			*line = ev.start_mark.line + 1;
			*column = ev.start_mark.column + 1;
		}
		yaml_event_delete(&ev);
		if (rc != 0 || t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&yp);
	return rc;
}

int yamledit_load(const char *name, const char *text, size_t len, yaml_document_t *doc,
		  size_t *base, struct mcuprov_err *err)
{
	yaml_parser_t yp;
	size_t line, column;
	char msg[64];
	int rc = 0;

	*base = 0;
	if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
		*base = 3; /* libyaml's marks start after the byte order mark */
	switch (yamledit_check_bounds(text, len, &line, &column, msg, sizeof(msg))) {
	case 0: break;
	case MCUPROV_ERR_NOMEM: return err_set(err, MCUPROV_ERR_NOMEM, NULL, "out of memory");
	default: return err_set(err, MCUPROV_ERR_FORMAT, name, "line %zu: %s", line, msg);
	}
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
