/* mcuprov core: small string helpers. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcuprov/strutil.h"

void str_appendf(char *out, size_t size, size_t *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	/* no pointer past the buffer is ever formed (out + *o with *o > size
	 * would be undefined even unused) */
	va_start(ap, fmt);
	n = vsnprintf(*o < size ? out + *o : NULL, *o < size ? size - *o : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*o += (size_t)n;
}

int str_splice(const char *text, size_t len, const struct str_edit *e, size_t n, char **out,
	       size_t *out_len)
{
	size_t i, total = len, o = 0, at = 0;
	char *res;

	*out = NULL;
	for (i = 0; i < n; i++) {
		if (e[i].to < e[i].from || e[i].to > len || (i > 0 && e[i].from < e[i - 1].to))
			return -2;
		total = total - (e[i].to - e[i].from) + e[i].len;
	}
	if ((res = malloc(total + 1)) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		memcpy(res + o, text + at, e[i].from - at);
		o += e[i].from - at;
		if (e[i].len > 0)
			memcpy(res + o, e[i].text, e[i].len);
		o += e[i].len;
		at = e[i].to;
	}
	memcpy(res + o, text + at, len - at);
	o += len - at;
	res[o] = '\0';
	*out = res;
	*out_len = o;
	return 0;
}
