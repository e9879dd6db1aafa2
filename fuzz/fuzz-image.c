/* libFuzzer target for the untrusted-image parser and the dumpinfo
 * formatter: image_parse_mem() on the input and, when it accepts it,
 * imginfo_format() in all three formats.  Everything is freed, so
 * libFuzzer's leak detection covers both.
 *
 * The file name shown by dumpinfo is fuzzed too, without disturbing the
 * parse: it is taken from the header padding after the 32-byte header (up
 * to the first NUL, at most NAME_MAX bytes), which the parser ignores;
 * "fuzz.bin" when that is empty.
 *
 * Build: ./configure --enable-fuzz CC=clang && make fuzz
 * Run:   make fuzz-run FUZZ_SECONDS=60 */
#include "config.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mcuprov/error.h"
#include "mcuprov/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum imginfo_format fmts[] = {IMGINFO_HUMAN, IMGINFO_YAML, IMGINFO_JSON};
	struct image_info *info = NULL;
	struct mcuprov_err err;
	char name[NAME_MAX + 1] = "fuzz.bin";
	size_t i, n;

	err_clear(&err);
	if (image_parse_mem(data, size, "fuzz.bin", &info, &err) < 0) {
		/* A rejection must say why, and must not hand out a record. */
		if (info != NULL || err.code == 0 || err.msg[0] == '\0')
			abort();
		return 0;
	}
	if (info == NULL)
		abort();
	for (n = 0; n < NAME_MAX && IMAGE_HEADER_SIZE + n < size && data[IMAGE_HEADER_SIZE + n];
	     n++)
		;
	if (n > 0) {
		memcpy(name, data + IMAGE_HEADER_SIZE, n);
		name[n] = '\0';
	}
	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		char *text = NULL;
		size_t len = 0;

		err_clear(&err);
		if (imginfo_format(info, name, fmts[i], &text, &len, &err) == 0) {
			/* The contract: NUL-terminated, LEN excludes the NUL. */
			if (text == NULL || strlen(text) != len)
				abort();
		} else if (err.code == 0) {
			abort();
		}
		free(text);
	}
	image_info_free(info);
	return 0;
}
