/* mcuprov core: small string helpers. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

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
