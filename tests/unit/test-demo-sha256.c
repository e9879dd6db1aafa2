/* Unit tests: the QEMU demo loader's SHA-256 (examples/demo-qemu/loader/sha256.c,
 * built for the host) against OpenSSL's EVP SHA-256. */
#include "config.h"

#include "unit.h"

#include <openssl/evp.h>

#include "sha256.h"

/* OpenSSL's digest of LEN bytes at DATA. */
static void ref_sha256(const void *data, size_t len, uint8_t out[SHA256_DIGEST_SIZE])
{
	unsigned int n = 0;

	assert_int_equal(EVP_Digest(data, len, out, &n, EVP_sha256(), NULL), 1);
	assert_int_equal(n, SHA256_DIGEST_SIZE);
}

/* The loader's SHA-256 of DATA equals OpenSSL's: one shot, and fed one
 * byte at a time. */
static void check_same(const uint8_t *data, size_t len)
{
	uint8_t want[SHA256_DIGEST_SIZE], got[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	size_t i;

	ref_sha256(data, len, want);
	sha256(data, len, got);
	assert_memory_equal(got, want, sizeof(want));

	sha256_init(&ctx);
	for (i = 0; i < len; i++)
		sha256_update(&ctx, data + i, 1);
	sha256_final(&ctx, got);
	assert_memory_equal(got, want, sizeof(want));
}

static void test_empty(void **state)
{
	/* FIPS 180-4 example digest as well as OpenSSL's */
	static const uint8_t fips[SHA256_DIGEST_SIZE] = {
		0xe3, 0xb0, 0xc4, 0x42, 0x98, 0xfc, 0x1c, 0x14, 0x9a, 0xfb, 0xf4,
		0xc8, 0x99, 0x6f, 0xb9, 0x24, 0x27, 0xae, 0x41, 0xe4, 0x64, 0x9b,
		0x93, 0x4c, 0xa4, 0x95, 0x99, 0x1b, 0x78, 0x52, 0xb8, 0x55,
	};
	uint8_t got[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;

	check_same((const uint8_t *)"", 0);
	sha256_init(&ctx);
	sha256_update(&ctx, NULL, 0);
	sha256_final(&ctx, got);
	assert_memory_equal(got, fips, sizeof(fips));
}

static void test_abc(void **state)
{
	static const uint8_t fips[SHA256_DIGEST_SIZE] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
		0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
		0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	uint8_t got[SHA256_DIGEST_SIZE];

	check_same((const uint8_t *)"abc", 3);
	sha256("abc", 3, got);
	assert_memory_equal(got, fips, sizeof(fips));
}

/* Lengths around the padding boundary: 55 bytes still fit the length in
 * the last block, 56..63 need one more block, 64 and 65 cross a block. */
static void test_padding_boundaries(void **state)
{
	static const size_t lens[] = {55, 56, 63, 64, 65, 119, 120, 127, 128, 129};
	uint8_t msg[129];
	size_t i;

	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)('a' + i % 26);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		check_same(msg, lens[i]);
}

/* xorshift32: reproducible pseudo-random bytes */
static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

/* 1 MiB of pseudo-random data fed in odd-sized chunks (1, 3, 5, ... 127,
 * then again), so partial blocks are carried across nearly every update. */
static void test_1mib_odd_chunks(void **state)
{
	const size_t len = 1024 * 1024;
	uint8_t *data = malloc(len);
	uint8_t want[SHA256_DIGEST_SIZE], got[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	uint32_t seed = 0x6d637570; /* "mcup" */
	size_t i, off, chunk = 1;

	assert_non_null(data);
	for (i = 0; i < len; i++)
		data[i] = (uint8_t)(next_rand(&seed) >> 24);
	ref_sha256(data, len, want);

	sha256_init(&ctx);
	for (off = 0; off < len; off += chunk) {
		chunk = chunk >= 127 ? 1 : chunk + 2;
		if (chunk > len - off)
			chunk = len - off;
		sha256_update(&ctx, data + off, chunk);
	}
	sha256_final(&ctx, got);
	assert_memory_equal(got, want, sizeof(want));

	sha256(data, len, got);
	assert_memory_equal(got, want, sizeof(want));
	free(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_abc),
		cmocka_unit_test(test_padding_boundaries),
		cmocka_unit_test(test_1mib_odd_chunks),
	};

	return cmocka_run_group_tests_name("demo-sha256", tests, NULL, NULL);
}
