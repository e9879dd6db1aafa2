/* Where templates and examples are found: one search order for render,
 * init, the demo and the projects made from the demo-qemu profile. */
#include "config.h"

#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

const char *datadir_examples(void)
{
	static char found[4096];
	const char *candidates[3] = { getenv("MCUPROV_EXAMPLES"), NULL, NULL };
	char probe[4200];
	size_t i;

#ifdef MCUPROV_SRC_EXAMPLES
	candidates[1] = MCUPROV_SRC_EXAMPLES;
#endif
#ifdef MCUPROV_DATA_EXAMPLES
	candidates[2] = MCUPROV_DATA_EXAMPLES;
#endif
	for (i = 0; i < 3; i++) {
		if (candidates[i] == NULL || candidates[i][0] == '\0')
			continue;
		if ((size_t)snprintf(probe, sizeof(probe), "%s/demo-qemu/Makefile", candidates[i]) <
			    sizeof(probe) &&
		    access(probe, R_OK) == 0) {
			/* as a person would write it: the build's abs_top_srcdir
			 * may be "/src/build/.." */
			if (strlen(candidates[i]) >= sizeof(found) || realpath(candidates[i], found) == NULL)
				snprintf(found, sizeof(found), "%s", candidates[i]);
			return found;
		}
	}
	return NULL;
}
