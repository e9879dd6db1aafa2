/* mcuprov core: small string helpers. */
#include "config.h"

#include <stdarg.h>
#include <stdbool.h>
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

/* One pass of the splitter: the words into ARGV and BUF when non-NULL;
 * counts words and bytes (with NULs) either way. */
static int split_pass(const char *s, char **argv, char *buf, size_t *nwords, size_t *nbytes)
{
	size_t w = 0, b = 0;

	for (;;) {
		char q = 0;

		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (*s == '\0')
			break;
		if (argv != NULL)
			argv[w] = buf + b;
		for (; *s != '\0' && (q != 0 || !strchr(" \t\n", *s)); s++) {
			char ch = *s;

			if (q == 0 && (ch == '\'' || ch == '"')) {
				q = ch;
				continue;
			}
			if (q != 0 && ch == q) {
				q = 0;
				continue;
			}
			if (ch == '\\' && q == 0) {
				if (s[1] == '\0')
					return -3;
				ch = *++s;
			} else if (ch == '\\' && q == '"' && s[1] != '\0' && strchr("\"\\$`", s[1])) {
				ch = *++s;
			}
			if (buf != NULL)
				buf[b] = ch;
			b++;
		}
		if (q != 0)
			return -2;
		if (buf != NULL)
			buf[b] = '\0';
		b++;
		w++;
	}
	*nwords = w;
	*nbytes = b;
	return 0;
}

int str_split_words(const char *s, char ***argv, size_t *argc)
{
	size_t nw = 0, nb = 0;
	char **v;
	int rc;

	*argv = NULL;
	*argc = 0;
	rc = split_pass(s, NULL, NULL, &nw, &nb);
	if (rc < 0)
		return rc;
	v = malloc((nw + 1) * sizeof(*v) + nb + 1);
	if (v == NULL)
		return -1;
	split_pass(s, v, (char *)(v + nw + 1), &nw, &nb);
	v[nw] = NULL;
	*argv = v;
	*argc = nw;
	return 0;
}
