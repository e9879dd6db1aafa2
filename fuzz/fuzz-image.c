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
 * Then the ENC TLV parsing of decrypt and verify --enc-key: image_enc_open()
 * with an x25519, an ecdsa-p256 and an rsa-2048 key (made once), which must
 * either say why it refuses or decrypt a block of the payload.  And
 * image_verify() on the input written to a file: the hash TLVs, and a
 * compressed image's DECOMP_* TLVs (liblzma decodes the fuzzed stream).
 *
 * Build: ./configure --enable-fuzz CC=clang && make fuzz
 * Run:   make fuzz-run FUZZ_SECONDS=60 */
#include "config.h"

#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mcuprov/error.h"
#include "mcuprov/fileio.h"
#include "mcuprov/image.h"
#include "mcuprov/imgenc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* image_enc_open() with each kind of encryption key */
static void fuzz_enc(const struct image_info *info, const uint8_t *data, size_t size)
{
	static const enum key_type types[] = {KEY_X25519, KEY_ECDSA_P256, KEY_RSA2048};
	static struct mcuprov_key *keys[3]; /* made once, kept (still reachable) */
	struct mcuprov_err err;
	size_t i;

	for (i = 0; i < 3; i++) {
		struct image_enc *e = NULL;
		uint8_t blk[64];
		size_t n = size < sizeof(blk) ? size : sizeof(blk);

		if (keys[i] == NULL && key_generate(types[i], &keys[i], NULL) < 0)
			abort();
		err_clear(&err);
		if (image_enc_open(info, keys[i], "fuzz.bin", &e, &err) < 0) {
			if (e != NULL || err.code == 0 || err.msg[0] == '\0')
				abort();
			continue;
		}
		memcpy(blk, data, n);
		image_enc_apply(e, info->hdr.hdr_size, blk, n);
		image_enc_free(e);
	}
}

/* image_verify() (which reads a file) on the input: every hash TLV and,
 * for a compressed image, the DECOMP_* TLVs -- liblzma decoding an
 * untrusted stream.  A rejection must say why. */
static void fuzz_verify(const uint8_t *data, size_t size)
{
	static char path[64];
	struct image_verify_result vr;
	struct mcuprov_err err;
	int fd;

	if (path[0] == '\0')
		snprintf(path, sizeof(path), "/tmp/mcuprov-fuzz-image-%ld.bin", (long)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return;
	if (file_write_all(fd, data, size) < 0) {
		close(fd);
		return;
	}
	close(fd);
	err_clear(&err);
	if (image_verify(path, NULL, 0, &vr, &err) < 0 && (err.code == 0 || err.msg[0] == '\0'))
		abort();
	(void)unlink(path);
}

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
	fuzz_enc(info, data, size);
	fuzz_verify(data, size);
	image_info_free(info);
	return 0;
}
