/* Where templates are found: one search order for render and init. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "mcuprov/datadir.h"

const char *datadir_templates(int i, const char *sub, char *buf, size_t size)
{
	const char *env;

	switch (i) {
	case 0:
		env = getenv("MCUPROV_TEMPLATES");
		if (env == NULL || env[0] == '\0')
			return "";
		snprintf(buf, size, "%s/%s", env, sub);
		return buf;
#ifdef MCUPROV_SRC_TEMPLATES
	case 1:
		snprintf(buf, size, "%s/%s", MCUPROV_SRC_TEMPLATES, sub);
		return buf;
#endif
#ifdef MCUPROV_DATA_TEMPLATES
	case 2:
		snprintf(buf, size, "%s/%s", MCUPROV_DATA_TEMPLATES, sub);
		return buf;
#endif
	default: return i < 3 ? "" : NULL;
	}
}
