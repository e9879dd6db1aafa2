/* imgtool-compatible array emitters. */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcuprov/carray.h"

int carray_valid_suffix(const char *suffix)
{
	for (; *suffix; suffix++)
		if (!isalnum((unsigned char)*suffix) && *suffix != '_')
			return 0;
	return 1;
}

char *carray_format(const uint8_t *data, size_t len, const char *name, enum carray_lang lang,
		    int with_banner)
{
	/* Per byte at most "\n    0x00," (10 chars); name appears twice. */
	size_t cap = sizeof(CARRAY_BANNER) + 2 * strlen(name) + 10 * len + 128;
	char *out = malloc(cap), *p;
	size_t i, n;

	if (out == NULL)
		return NULL;
	p = out;
	if (with_banner)
		p += sprintf(p, "%s\n", CARRAY_BANNER);
	if (lang == CARRAY_LANG_RUST) {
		p += sprintf(p, "static ");
		for (n = 0; name[n]; n++)
			*p++ = (char)toupper((unsigned char)name[n]);
		p += sprintf(p, ": &[u8] = &[");
	} else {
		p += sprintf(p, "const unsigned char %s[] = {", name);
	}
	for (i = 0; i < len; i++) {
		if (i % 8 == 0)
			p += sprintf(p, "\n    ");
		else
			*p++ = ' ';
		p += sprintf(p, "0x%02x,", data[i]);
	}
	if (lang == CARRAY_LANG_RUST)
		p += sprintf(p, "\n];\n");
	else
		p += sprintf(p, "\n};\nconst unsigned int %s_len = %zu;\n", name, len);
	*p = '\0';
	return out;
}
