/* mcuprov core: small string helpers. */
#ifndef MCUPROV_STRUTIL_H
#define MCUPROV_STRUTIL_H

#include <stddef.h>

/* Append printf-style text to OUT (SIZE bytes) at offset *O, always
 * NUL-terminated and never past SIZE; *O grows by the full length the text
 * would have had, so *O >= SIZE afterwards tells it was cut.  Safe to call
 * again once *O is past SIZE (it then writes nothing). */
void str_appendf(char *out, size_t size, size_t *o, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* One change of a text: bytes [from, to) become TEXT (LEN bytes; TEXT may
 * be NULL when LEN is 0: a deletion). */
struct str_edit {
	size_t from, to;
	const char *text;
	size_t len;
};

/* TEXT (LEN bytes) with the N edits E made at once; E must be in the
 * text's order, none overlapping the next (an insertion, from == to, may
 * share its place with a change that follows it).  *out is malloc'd and
 * NUL-terminated, *out_len its length.  Returns 0, -1 (out of memory) or
 * -2 (an edit out of order, overlapping or past LEN: a bug of the caller;
 * nothing returned). */
int str_splice(const char *text, size_t len, const struct str_edit *e, size_t n, char **out,
	       size_t *out_len);

/* The words of the command line S, split as a POSIX shell splits a simple
 * command without expanding anything: blanks (space, tab, newline)
 * separate words; '...' keeps everything literally; "..." too, except
 * that \ before ", \, $ or ` stands for that character; outside quotes \
 * makes the next character literal; quotes may join parts of one word and
 * '' or "" is an empty word.  $VAR, ~, globs, ;, |, > and the like are
 * plain characters: no shell runs.  *ARGV is one malloc'd block (free()
 * it), NULL-terminated, *ARGC words.  Returns 0, -1 (out of memory), -2
 * (a quote left open) or -3 (a \ at the end); nothing returned on error. */
int str_split_words(const char *s, char ***argv, size_t *argc);

#endif
