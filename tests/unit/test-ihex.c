/* Unit tests: Intel HEX writer and reader (ihex_to_bin). */
#include "config.h"

#include "unit.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#include "mcuprov/ihex.h"

/* The temporary directory of the group (set up once, removed at the end). */
static char tmpdir[64];

static int group_setup(void **state)
{
	return unit_mkdtemp(tmpdir, sizeof(tmpdir));
}

static int group_teardown(void **state)
{
	return unit_rmtree(tmpdir);
}

/* ---- helpers ----------------------------------------------------------- */

/* A writer on a memory stream; finish() returns the text (caller frees). */
struct memout {
	FILE *f;
	char *text;
	size_t len;
	struct ihex_writer *w;
};

static void memout_open(struct memout *m)
{
	m->text = NULL;
	m->len = 0;
	m->f = open_memstream(&m->text, &m->len);
	assert_non_null(m->f);
	m->w = ihex_writer_new(m->f);
	assert_non_null(m->w);
}

static char *memout_finish(struct memout *m)
{
	struct mcuprov_err err;

	err_clear(&err);
	assert_int_equal(ihex_writer_finish(m->w, &err), 0);
	assert_int_equal(fclose(m->f), 0);
	return m->text;
}

/* Write LEN bytes at ADDR in one call; returns the text (caller frees). */
static char *hex_of(uint32_t addr, const uint8_t *data, size_t len)
{
	struct memout m;
	struct mcuprov_err err;

	memout_open(&m);
	err_clear(&err);
	assert_int_equal(ihex_write(m.w, addr, data, len, &err), 0);
	return memout_finish(&m);
}

/* Create a file with TEXT (mkstemp in tmpdir); PATH receives its name. */
static void make_file(char *path, size_t size, const char *text, size_t len)
{
	int fd;

	assert_true((size_t)snprintf(path, size, "%s/in-XXXXXX", tmpdir) < size);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}

/* An empty output file (mkstemp in tmpdir), open read-write; removed by
 * close_out(). */
static int open_out(char *path, size_t size)
{
	int fd;

	assert_true((size_t)snprintf(path, size, "%s/out-XXXXXX", tmpdir) < size);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	return fd;
}

static void close_out(int fd, const char *path)
{
	assert_int_equal(close(fd), 0);
	assert_int_equal(unlink(path), 0);
}

/* The output file must hold exactly LEN bytes of WANT. */
static void assert_out(int fd, const uint8_t *want, size_t len)
{
	struct stat st;
	uint8_t *got = malloc(len + 1);

	assert_non_null(got);
	assert_int_equal(fstat(fd, &st), 0);
	assert_int_equal(st.st_size, (off_t)len);
	assert_int_equal(pread(fd, got, len + 1, 0), (ssize_t)len);
	assert_memory_equal(got, want, len);
	free(got);
}

/* Convert TEXT; it must succeed with BASE and WANT (LEN bytes). */
static void assert_converts(const char *text, uint8_t fill, uint64_t max_span, uint32_t base,
			    const uint8_t *want, size_t len)
{
	char in[96], out[96];
	struct mcuprov_err err;
	uint32_t got_base = 0xdeadbeef;
	uint64_t got_size = 0xdeadbeef;
	int fd;

	make_file(in, sizeof(in), text, strlen(text));
	fd = open_out(out, sizeof(out));
	err_clear(&err);
	if (ihex_to_bin(in, fill, fd, max_span, &got_base, &got_size, &err) != 0)
		fail_msg("ihex_to_bin: %s", err.msg);
	assert_int_equal(got_base, base);
	assert_int_equal(got_size, len);
	assert_out(fd, want, len);
	close_out(fd, out);
	assert_int_equal(unlink(in), 0);
}

/* Convert TEXT; it must fail with CODE and "MSG" about the input file. */
static void assert_rejects(const char *text, uint64_t max_span, int code, const char *msg)
{
	char in[96], out[96];
	struct mcuprov_err err;
	uint32_t base = 1;
	uint64_t size = 1;
	int fd;

	make_file(in, sizeof(in), text, strlen(text));
	fd = open_out(out, sizeof(out));
	err_clear(&err);
	assert_int_equal(ihex_to_bin(in, 0xff, fd, max_span, &base, &size, &err), code);
	assert_int_equal(err.code, code);
	assert_string_equal(err.subject, in);
	assert_string_equal(err.msg, msg);
	assert_int_equal(base, 0);
	assert_int_equal(size, 0);
	close_out(fd, out);
	assert_int_equal(unlink(in), 0);
}

/* One record with its checksum, "\n"-terminated, appended at *P. */
static void put_rec(char **p, unsigned type, unsigned addr16, const uint8_t *data, size_t len)
{
	unsigned sum = (unsigned)len + (addr16 >> 8) + (addr16 & 0xff) + type;
	size_t i;

	*p += sprintf(*p, ":%02X%04X%02X", (unsigned)len, addr16, type);
	for (i = 0; i < len; i++) {
		*p += sprintf(*p, "%02X", data[i]);
		sum += data[i];
	}
	*p += sprintf(*p, "%02X\n", (0x100 - (sum & 0xff)) & 0xff);
}

/* Deterministic test data. */
static void fill_pattern(uint8_t *buf, size_t len, uint32_t seed)
{
	size_t i;

	for (i = 0; i < len; i++) {
		seed = seed * 1103515245U + 12345U;
		buf[i] = (uint8_t)(seed >> 16);
	}
}

#define BIG 1000000 /* enough for the default limit tests: not a real limit */

/* ---- writer ------------------------------------------------------------ */

/* The classic example file (Wikipedia "Intel HEX"): 64 bytes at 0x0100.
 * Checksum by hand, first line: the bytes are
 *   10 (length) 01 00 (address) 00 (type)
 *   21 46 01 36 01 21 47 01 36 00 7E FE 09 D2 19 01 (data)
 * and sum to 0x10+0x01 + 0x21+0x46+0x01+0x36+0x01+0x21+0x47+0x01 (0xDF+0x11
 * = 0xF0) + 0x36+0x00+0x7E+0xFE+0x09+0xD2+0x19+0x01 (0x2AD) = 0x3C0; the
 * checksum is the two's complement of the low byte: 0x100 - 0xC0 = 0x40.
 * The EOF record 00 0000 01 sums to 0x01, so its checksum is 0xFF.  No
 * type 04 record: the upper address bits are zero throughout. */
static const uint8_t wiki_data[64] = {
	0x21, 0x46, 0x01, 0x36, 0x01, 0x21, 0x47, 0x01, 0x36, 0x00, 0x7E, 0xFE, 0x09,
	0xD2, 0x19, 0x01, 0x21, 0x46, 0x01, 0x7E, 0x17, 0xC2, 0x00, 0x01, 0xFF, 0x5F,
	0x16, 0x00, 0x21, 0x48, 0x01, 0x19, 0x19, 0x4E, 0x79, 0x23, 0x46, 0x23, 0x96,
	0x57, 0x78, 0x23, 0x9E, 0xDA, 0x3F, 0x01, 0xB2, 0xCA, 0x3F, 0x01, 0x56, 0x70,
	0x2B, 0x5E, 0x71, 0x2B, 0x72, 0x2B, 0x73, 0x21, 0x46, 0x01, 0x34, 0x21,
};

static const char wiki_text[] = ":10010000214601360121470136007EFE09D2190140\n"
				":100110002146017E17C20001FF5F16002148011928\n"
				":10012000194E79234623965778239EDA3F01B2CAA7\n"
				":100130003F0156702B5E712B722B732146013421C7\n"
				":00000001FF\n";

static void test_write_known_file(void **state)
{
	char *text = hex_of(0x0100, wiki_data, sizeof(wiki_data));

	assert_string_equal(text, wiki_text);
	/* ... and back: the same 64 bytes at 0x0100, no fill needed. */
	assert_converts(text, 0xff, BIG, 0x0100, wiki_data, sizeof(wiki_data));
	free(text);
}

/* Data above 64 KiB: first a type 04 record for the upper bits 0x0001
 * (02 0000 04 0001: sum 0x07, checksum 0xF9), then the record at 0x2340
 * (04 2340 00 DEADBEEF: sum 0x04+0x23+0x40 + 0x338 = 0x39F, checksum 0x61). */
static void test_write_ela_above_64k(void **state)
{
	const uint8_t data[] = {0xDE, 0xAD, 0xBE, 0xEF};
	char *text = hex_of(0x00012340, data, sizeof(data));

	assert_string_equal(text, ":020000040001F9\n"
				  ":04234000DEADBEEF61\n"
				  ":00000001FF\n");
	free(text);
}

/* Eight bytes at 0xFFFC are split at the 64 KiB boundary: four in the
 * first segment (04 FFFC 00 01020304: sum 0x209, checksum 0xF7), the type 04
 * record, four at 0x0000 of the next (04 0000 00 05060708: sum 0x1E,
 * checksum 0xE2). */
static void test_write_64k_crossing(void **state)
{
	const uint8_t data[] = {1, 2, 3, 4, 5, 6, 7, 8};
	char *text = hex_of(0xFFFC, data, sizeof(data));

	assert_string_equal(text, ":04FFFC0001020304F7\n"
				  ":020000040001F9\n"
				  ":0400000005060708E2\n"
				  ":00000001FF\n");
	free(text);
}

/* The very top of the address space: ELA 0xFFFF (02 0000 04 FFFF: sum
 * 0x204, checksum 0xFC), then 16 bytes F0..FF at 0xFFF0 (sum 0x1077,
 * checksum 0x89); the next byte would be past 4 GiB. */
static void test_write_top_of_4g(void **state)
{
	struct memout m;
	struct mcuprov_err err;
	uint8_t data[16];
	size_t i;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(0xF0 + i);
	memout_open(&m);
	err_clear(&err);
	assert_int_equal(ihex_write(m.w, 0xFFFFFFF0U, data, sizeof(data), &err), 0);
	/* Nothing more fits, not even at the same address. */
	assert_int_equal(ihex_write(m.w, 0xFFFFFFFFU, data, 1, &err), MCUPROV_ERR_USAGE);
	assert_int_equal(err.code, MCUPROV_ERR_USAGE);
	assert_string_equal(err.subject, "");
	assert_string_equal(err.msg,
			    "address 0xFFFFFFFF is below earlier data (ending at 0xFFFFFFFF)");
	assert_string_equal(memout_finish(&m), ":02000004FFFFFC\n"
					       ":10FFF000F0F1F2F3F4F5F6F7F8F9FAFBFCFDFEFF89\n"
					       ":00000001FF\n");
	free(m.text);
}

/* A gap ends a record; contiguous calls continue it:
 *   10 bytes 00..09 at 0x10                     -> 0A 0010 00 ...   (B9)
 *   3 bytes A0..A2 at 0x20, 5 bytes B0..B4 at 0x23 -> one 8-byte record (7B) */
static void test_write_gap_and_continue(void **state)
{
	const uint8_t a[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
	const uint8_t b[] = {0xA0, 0xA1, 0xA2};
	const uint8_t c[] = {0xB0, 0xB1, 0xB2, 0xB3, 0xB4};
	struct memout m;
	struct mcuprov_err err;

	memout_open(&m);
	err_clear(&err);
	assert_int_equal(ihex_write(m.w, 0x10, a, sizeof(a), &err), 0);
	assert_int_equal(ihex_write(m.w, 0x20, b, sizeof(b), &err), 0);
	assert_int_equal(ihex_write(m.w, 0x23, NULL, 0, &err), 0);
	assert_int_equal(ihex_write(m.w, 0x23, c, sizeof(c), &err), 0);
	assert_string_equal(memout_finish(&m), ":0A00100000010203040506070809B9\n"
					       ":08002000A0A1A2B0B1B2B3B47B\n"
					       ":00000001FF\n");
	free(m.text);
}

/* Writing in chunks (4096-byte and odd sizes) gives the text of one write,
 * across a 64 KiB boundary and from an unaligned start; and it reads back. */
static void test_write_chunks_equal_one_write(void **state)
{
	const size_t len = 3 * 4096 + 1234;
	const size_t chunks[] = {1, 7, 4096, 4096, 5, 4096};
	const uint32_t addr = 0x0000FFF3;
	uint8_t *data = malloc(len);
	struct memout m;
	struct mcuprov_err err;
	size_t i, done = 0;
	char *one, *many;

	assert_non_null(data);
	fill_pattern(data, len, 42);
	one = hex_of(addr, data, len);

	memout_open(&m);
	err_clear(&err);
	for (i = 0; done < len; i++) {
		size_t n = i < sizeof(chunks) / sizeof(chunks[0]) ? chunks[i] : len - done;

		if (n > len - done)
			n = len - done;
		assert_int_equal(ihex_write(m.w, addr + (uint32_t)done, data + done, n, &err), 0);
		done += n;
	}
	many = memout_finish(&m);
	assert_string_equal(many, one);
	/* The first record starts at the address given (13 bytes up to the
	 * boundary), then the type 04 record. */
	assert_memory_equal(one, ":0DFFF300", 9);
	assert_non_null(strstr(one, "\n:020000040001F9\n:10000000"));

	assert_converts(one, 0xff, BIG, addr, data, len);
	free(many);
	free(one);
	free(data);
}

static void test_write_usage_errors(void **state)
{
	const uint8_t data[32] = {0};
	struct memout m;
	struct mcuprov_err err;

	memout_open(&m);
	err_clear(&err);
	assert_int_equal(ihex_write(m.w, 0xFFFFFFF0U, data, sizeof(data), &err), MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg, "32 bytes at 0xFFFFFFF0 go past the 4 GiB address space");
	assert_int_equal(ihex_write(m.w, 0x100, data, 16, &err), 0);
	err_clear(&err);
	assert_int_equal(ihex_write(m.w, 0x10F, data, 1, &err), MCUPROV_ERR_USAGE);
	assert_int_equal(err.code, MCUPROV_ERR_USAGE);
	assert_string_equal(err.msg,
			    "address 0x0000010F is below earlier data (ending at 0x0000010F)");
	/* Still usable: the error changed nothing. */
	assert_int_equal(ihex_write(m.w, 0x110, data, 1, &err), 0);
	assert_string_equal(memout_finish(&m), ":1001000000000000000000000000000000000000EF\n"
					       ":0101100000EE\n"
					       ":00000001FF\n");
	free(m.text);

	/* Freeing an unfinished writer (and NULL) is fine. */
	memout_open(&m);
	assert_int_equal(ihex_write(m.w, 0, data, 3, &err), 0);
	ihex_writer_free(m.w);
	ihex_writer_free(NULL);
	assert_int_equal(fclose(m.f), 0);
	assert_int_equal(m.len, 0); /* the partial record was never written */
	free(m.text);
}

/* ---- reader ------------------------------------------------------------ */

/* Two records with a 4-byte gap, CRLF line ends, blank lines, whitespace
 * and an (ignored) start linear address record; lines after the EOF record
 * are not read. */
static void test_read_gap_filled(void **state)
{
	const uint8_t want[] = {0xA0, 0xA1, 0xA2, 0xA3, 0xFF, 0xFF, 0xFF, 0xFF, 0xB0, 0xB1};

	assert_converts(":04100000A0A1A2A366\r\n"
			"\r\n"
			"  :02100800B0B185 \t\r\n"
			":0400000500001000E7\r\n"
			":00000001FF\r\n"
			"anything\n",
			0xff, BIG, 0x1000, want, sizeof(want));
}

/* A segment record (0x1000 * 16 = 0x10000), then data below earlier data
 * after a type 04 record, and an ignored start segment record; fill 0x00. */
static void test_read_out_of_order_segments(void **state)
{
	uint8_t want[18];

	memset(want, 0, sizeof(want));
	want[0] = 0xD0;
	want[16] = 0xC0;
	want[17] = 0xC1;
	assert_converts(":020000021000EC\n"
			":02000000C0C17D\n"
			":020000040000FA\n"
			":01FFF000D040\n"
			":0400000300000000F9\n"
			":00000001FF",
			0x00, BIG, 0xFFF0, want, sizeof(want));
}

/* 100 descending records with gaps: more runs than the overlap table holds,
 * so overlap checks fall back to re-reading; valid data must pass, and an
 * overlap with a record the table left out must be found. */
static void test_read_many_runs(void **state)
{
	const int n = 100;
	char *text = malloc((size_t)n * 32 + 64), *p = text;
	uint8_t *want = calloc(1, (size_t)n * 32), rec[4];
	int i;

	assert_non_null(text);
	assert_non_null(want);
	for (i = 0; i < n; i++) {
		unsigned addr = (unsigned)(n - i) * 32; /* 3200, 3168, ..., 32 */

		fill_pattern(rec, sizeof(rec), (uint32_t)i);
		put_rec(&p, 0, addr, rec, sizeof(rec));
		memcpy(want + addr - 32, rec, sizeof(rec));
	}
	strcpy(p, ":00000001FF\n");
	assert_converts(text, 0x00, BIG, 32, want, (size_t)(n - 1) * 32 + 4);

	/* Append a record at 34 (inside the lowest one, 32..35) before EOF. */
	put_rec(&p, 0, 34, rec, 2);
	strcpy(p, ":00000001FF\n");
	assert_rejects(text, BIG, MCUPROV_ERR_FORMAT,
		       "line 101: data at 0x00000022 (2 bytes) overlaps earlier data");
	free(want);
	free(text);
}

static void test_read_span_limit(void **state)
{
	const char *text = ":0400000001020304F2\n"
			   ":01100000AA45\n"
			   ":00000001FF\n";
	uint8_t want[0x1001];

	memset(want, 0x5A, sizeof(want));
	memcpy(want, "\x01\x02\x03\x04", 4);
	want[0x1000] = 0xAA;
	/* A span of exactly the limit is fine ... */
	assert_converts(text, 0x5A, 0x1001, 0, want, sizeof(want));
	/* ... one byte more is not. */
	assert_rejects(text, 0x1000, MCUPROV_ERR_FORMAT,
		       "line 2: data would span 4097 bytes (0x00000000..0x00001000), "
		       "more than the limit of 4096");
}

/* Every rejection, with its exact message. */
static void test_read_rejects(void **state)
{
	static const struct {
		const char *text, *msg;
	} cases[] = {
		/* 04+00+00+00+01+02+03+04 = 0x0E: the checksum must be 0xF2 */
		{":0400000001020304F1\n:00000001FF\n", "line 1: bad checksum 0xF1 (expected 0xF2)"},
		{":04000000010G0304F2\n:00000001FF\n", "line 1: invalid hex digit 'G'"},
		{":0400000001020304F2\n", "line 2: missing end-of-file record (type 01)"},
		{":0400000001020304F2", "line 2: missing end-of-file record (type 01)"},
		{"", "line 1: missing end-of-file record (type 01)"},
		{":0400000001020304\n:00000001FF\n",
		 "line 1: truncated record (length field says 4 data bytes, found 3)"},
		{":0400000001020304F2F2\n:00000001FF\n",
		 "line 1: record longer than its length field (says 4 data bytes, found 5)"},
		{":0400000001020304F2\n:02000200AABB97\n:00000001FF\n",
		 "line 2: data at 0x00000002 (2 bytes) overlaps earlier data"},
		{":0400000001020304F2\n:0400000001020304F2\n:00000001FF\n",
		 "line 2: data at 0x00000000 (4 bytes) overlaps earlier data"},
		{":0400000001020304F\n", "line 1: odd number of hex digits"},
		{":00000001\n", "line 1: record too short (4 bytes, at least 5 needed)"},
		{"\n0400000001020304F2\n", "line 2: record does not start with ':'"},
		{":04000000 01020304F2\n", "line 1: invalid hex digit (byte 0x20)"},
		{":0000000600\n", "line 1: unknown record type 0x06"},
		{":0100000100FE\n", "line 1: end-of-file record (type 01) with data"},
		{":00000001FF\n", "line 1: no data records"},
		{":020001040000F9\n", "line 1: malformed extended linear address record (type 04)"},
		{":0100000210ED\n", "line 1: malformed extended segment address record (type 02)"},
		{":03000005000000F8\n", "line 1: malformed start linear address record (type 05)"},
		/* ELA 0xFFFF, then 2 bytes at 0xFFFF: the second is past 4 GiB */
		{":02000004FFFFFC\n:02FFFF00000000\n:00000001FF\n",
		 "line 2: data beyond the 4 GiB address space"},
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_rejects(cases[i].text, BIG, MCUPROV_ERR_FORMAT, cases[i].msg);
}

static void test_read_long_line(void **state)
{
	char text[1100];

	memset(text, '0', sizeof(text));
	text[0] = ':';
	text[sizeof(text) - 1] = '\0';
	assert_rejects(text, BIG, MCUPROV_ERR_FORMAT,
		       "line 1: line too long (more than 1024 characters)");
}

static void test_read_missing_file(void **state)
{
	char path[96], out[96];
	struct mcuprov_err err;
	uint32_t base;
	uint64_t size;
	int fd;

	assert_true((size_t)snprintf(path, sizeof(path), "%s/no-such.hex", tmpdir) < sizeof(path));
	fd = open_out(out, sizeof(out));
	err_clear(&err);
	assert_int_equal(ihex_to_bin(path, 0xff, fd, BIG, &base, &size, &err), MCUPROV_ERR_IO);
	assert_int_equal(err.code, MCUPROV_ERR_IO);
	assert_string_equal(err.subject, path);
	assert_string_equal(err.msg, "cannot open: No such file or directory");

	/* A directory is refused too. */
	assert_int_equal(ihex_to_bin(tmpdir, 0xff, fd, BIG, &base, &size, &err), MCUPROV_ERR_IO);
	assert_string_equal(err.msg, "is a directory");
	close_out(fd, out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_write_known_file),
		cmocka_unit_test(test_write_ela_above_64k),
		cmocka_unit_test(test_write_64k_crossing),
		cmocka_unit_test(test_write_top_of_4g),
		cmocka_unit_test(test_write_gap_and_continue),
		cmocka_unit_test(test_write_chunks_equal_one_write),
		cmocka_unit_test(test_write_usage_errors),
		cmocka_unit_test(test_read_gap_filled),
		cmocka_unit_test(test_read_out_of_order_segments),
		cmocka_unit_test(test_read_many_runs),
		cmocka_unit_test(test_read_span_limit),
		cmocka_unit_test(test_read_rejects),
		cmocka_unit_test(test_read_long_line),
		cmocka_unit_test(test_read_missing_file),
	};

	return cmocka_run_group_tests_name("ihex", tests, group_setup, group_teardown);
}
