/* Unit tests: bounds-checked DER TLV walker. */
#include "config.h"

#include "unit.h"

#include "mcuprov/der.h"

/* der_next must fail and leave *off and T untouched. */
static void assert_der_rejects(const uint8_t *buf, size_t end, size_t start)
{
	struct der_tlv t;
	size_t off = start;

	memset(&t, 0x5a, sizeof(t));
	assert_int_equal(der_next(buf, end, &off, &t), -1);
	assert_int_equal(off, start);
	assert_int_equal(t.tag, 0x5a);
}

static void test_next_short(void **state)
{
	const uint8_t buf[] = { 0x02, 0x01, 0x05, 0x04, 0x00, 0x30, 0x7f };
	uint8_t big[2 + 0x7f];
	struct der_tlv t;
	size_t off = 0;

	/* INTEGER 5 */
	assert_int_equal(der_next(buf, sizeof(buf), &off, &t), 0);
	assert_int_equal(t.tag, 0x02);
	assert_int_equal(t.hdr_len, 2);
	assert_int_equal(t.len, 1);
	assert_ptr_equal(t.p, buf);
	assert_int_equal(off, 3);
	/* empty OCTET STRING */
	assert_int_equal(der_next(buf, sizeof(buf), &off, &t), 0);
	assert_int_equal(t.tag, 0x04);
	assert_int_equal(t.hdr_len, 2);
	assert_int_equal(t.len, 0);
	assert_ptr_equal(t.p, buf + 3);
	assert_int_equal(off, 5);
	/* SEQUENCE claiming 0x7f bytes with none left */
	assert_der_rejects(buf, sizeof(buf), 5);
	/* at the end: nothing to parse */
	assert_der_rejects(buf, sizeof(buf), sizeof(buf));
	/* past the end */
	assert_der_rejects(buf, sizeof(buf), sizeof(buf) + 1);

	/* largest short form, exactly filling the buffer */
	memset(big, 0xee, sizeof(big));
	big[0] = 0x30;
	big[1] = 0x7f;
	off = 0;
	assert_int_equal(der_next(big, sizeof(big), &off, &t), 0);
	assert_int_equal(t.tag, 0x30);
	assert_int_equal(t.hdr_len, 2);
	assert_int_equal(t.len, 0x7f);
	assert_int_equal(off, sizeof(big));
}

static void test_next_long(void **state)
{
	static uint8_t buf[6 + 0x10000];
	struct der_tlv t;
	size_t off;

	memset(buf, 0, sizeof(buf));
	/* 0x81: one length octet */
	buf[0] = 0x30;
	buf[1] = 0x81;
	buf[2] = 0x80;
	off = 0;
	assert_int_equal(der_next(buf, 3 + 0x80, &off, &t), 0);
	assert_int_equal(t.tag, 0x30);
	assert_int_equal(t.hdr_len, 3);
	assert_int_equal(t.len, 0x80);
	assert_ptr_equal(t.p, buf);
	assert_int_equal(off, 3 + 0x80);

	/* 0x82: two length octets, 0x0100 */
	buf[0] = 0x04;
	buf[1] = 0x82;
	buf[2] = 0x01;
	buf[3] = 0x00;
	off = 0;
	assert_int_equal(der_next(buf, 4 + 0x100, &off, &t), 0);
	assert_int_equal(t.tag, 0x04);
	assert_int_equal(t.hdr_len, 4);
	assert_int_equal(t.len, 0x100);
	assert_int_equal(off, 4 + 0x100);

	/* 0x83: three length octets, 0x010000 */
	buf[0] = 0x30;
	buf[1] = 0x83;
	buf[2] = 0x01;
	buf[3] = 0x00;
	buf[4] = 0x00;
	off = 0;
	assert_int_equal(der_next(buf, 5 + 0x10000, &off, &t), 0);
	assert_int_equal(t.hdr_len, 5);
	assert_int_equal(t.len, 0x10000);
	assert_int_equal(off, 5 + 0x10000);

	/* 0x84: four length octets (the maximum), 0x00000010 */
	buf[0] = 0x02;
	buf[1] = 0x84;
	buf[2] = 0x00;
	buf[3] = 0x00;
	buf[4] = 0x00;
	buf[5] = 0x10;
	off = 0;
	assert_int_equal(der_next(buf, 6 + 0x10, &off, &t), 0);
	assert_int_equal(t.tag, 0x02);
	assert_int_equal(t.hdr_len, 6);
	assert_int_equal(t.len, 0x10);
	assert_int_equal(off, 6 + 0x10);
}

static void test_next_offset(void **state)
{
	/* a TLV in the middle of a buffer: t.p and *off are absolute */
	const uint8_t buf[] = { 0xff, 0xff, 0x30, 0x81, 0x02, 0xaa, 0xbb, 0x05, 0x00 };
	struct der_tlv t;
	size_t off = 2;

	assert_int_equal(der_next(buf, sizeof(buf), &off, &t), 0);
	assert_int_equal(t.tag, 0x30);
	assert_int_equal(t.hdr_len, 3);
	assert_int_equal(t.len, 2);
	assert_ptr_equal(t.p, buf + 2);
	assert_int_equal(off, 7);
	assert_int_equal(der_next(buf, sizeof(buf), &off, &t), 0);
	assert_int_equal(t.tag, 0x05);
	assert_int_equal(t.len, 0);
	assert_int_equal(off, sizeof(buf));
	/* END limits the walk even when the array is longer */
	assert_der_rejects(buf, 6, 2);
}

static void test_next_truncated(void **state)
{
	const uint8_t one[] = { 0x30 };
	const uint8_t content[] = { 0x02, 0x03, 0x01, 0x02 };         /* 3 claimed, 2 there */
	const uint8_t long1[] = { 0x04, 0x81, 0x80, 0x00 };           /* 0x80 claimed, 1 there */
	const uint8_t lenoct[] = { 0x30, 0x82, 0x01 };                /* length octets cut */
	const uint8_t big4[] = { 0x30, 0x84, 0xff, 0xff, 0xff, 0xff }; /* 4 GiB claimed */
	static uint8_t almost[4 + 0x100];

	assert_der_rejects(one, sizeof(one), 0);
	assert_der_rejects(one, 0, 0);
	assert_der_rejects(content, sizeof(content), 0);
	assert_der_rejects(long1, sizeof(long1), 0);
	assert_der_rejects(lenoct, sizeof(lenoct), 0);
	assert_der_rejects(big4, sizeof(big4), 0);
	/* one byte short of 0x100 */
	almost[0] = 0x30;
	almost[1] = 0x82;
	almost[2] = 0x01;
	almost[3] = 0x00;
	assert_der_rejects(almost, sizeof(almost) - 1, 0);
}

static void test_next_indefinite(void **state)
{
	const uint8_t buf[] = { 0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00 };

	assert_der_rejects(buf, sizeof(buf), 0);
}

static void test_next_five_octets(void **state)
{
	static uint8_t buf[7 + 16];

	buf[0] = 0x30;
	buf[1] = 0x85; /* five length octets: 0x0000000010 */
	buf[2] = 0x00;
	buf[3] = 0x00;
	buf[4] = 0x00;
	buf[5] = 0x00;
	buf[6] = 0x10;
	assert_der_rejects(buf, sizeof(buf), 0);
	buf[1] = 0xff; /* 127 length octets (reserved) */
	assert_der_rejects(buf, sizeof(buf), 0);
}

static void test_next_multibyte_tag(void **state)
{
	const uint8_t universal[] = { 0x1f, 0x20, 0x01, 0x00 };
	const uint8_t context[] = { 0xbf, 0x81, 0x00, 0x00 };
	const uint8_t high_ok[] = { 0xbe, 0x00 }; /* [30] constructed: single octet */
	struct der_tlv t;
	size_t off = 0;

	assert_der_rejects(universal, sizeof(universal), 0);
	assert_der_rejects(context, sizeof(context), 0);
	assert_int_equal(der_next(high_ok, sizeof(high_ok), &off, &t), 0);
	assert_int_equal(t.tag, 0xbe);
	assert_int_equal(off, 2);
}

/* der_put_header(TAG, LEN) must produce exactly WANT. */
static void check_header(size_t len, const uint8_t *want, size_t want_len)
{
	uint8_t out[16];
	size_t n;

	memset(out, 0xcc, sizeof(out));
	n = der_put_header(out, 0x30, len);
	assert_int_equal(n, want_len);
	assert_memory_equal(out, want, want_len);
	assert_int_equal(out[want_len], 0xcc); /* nothing written past it */
}

static void test_put_header(void **state)
{
	const uint8_t h0[] = { 0x30, 0x00 };
	const uint8_t h7f[] = { 0x30, 0x7f };
	const uint8_t h80[] = { 0x30, 0x81, 0x80 };
	const uint8_t hff[] = { 0x30, 0x81, 0xff };
	const uint8_t h100[] = { 0x30, 0x82, 0x01, 0x00 };
	const uint8_t h10000[] = { 0x30, 0x83, 0x01, 0x00, 0x00 };
	const uint8_t hmax[] = { 0x30, 0x84, 0xff, 0xff, 0xff, 0xff };

	check_header(0, h0, sizeof(h0));
	check_header(0x7f, h7f, sizeof(h7f));
	check_header(0x80, h80, sizeof(h80));
	check_header(0xff, hff, sizeof(hff));
	check_header(0x100, h100, sizeof(h100));
	check_header(0x10000, h10000, sizeof(h10000));
	check_header(0xffffffff, hmax, sizeof(hmax));
}

static void test_put_header_tag(void **state)
{
	uint8_t out[8];

	assert_int_equal(der_put_header(out, 0x04, 3), 2);
	assert_int_equal(out[0], 0x04);
	assert_int_equal(out[1], 0x03);
	assert_int_equal(der_put_header(out, 0xa1, 0x1234), 4);
	assert_int_equal(out[0], 0xa1);
	assert_int_equal(out[1], 0x82);
	assert_int_equal(out[2], 0x12);
	assert_int_equal(out[3], 0x34);
}

static void test_round_trip(void **state)
{
	static uint8_t buf[6 + 0x10000];
	const size_t lens[] = { 0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000 };
	struct der_tlv t;
	size_t i, hdr, off;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		hdr = der_put_header(buf, 0x30, lens[i]);
		off = 0;
		assert_int_equal(der_next(buf, hdr + lens[i], &off, &t), 0);
		assert_int_equal(t.tag, 0x30);
		assert_int_equal(t.hdr_len, hdr);
		assert_int_equal(t.len, lens[i]);
		assert_int_equal(off, hdr + lens[i]);
		if (lens[i] > 0)
			assert_der_rejects(buf, hdr + lens[i] - 1, 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_next_short),	   cmocka_unit_test(test_next_long),
		cmocka_unit_test(test_next_offset),	   cmocka_unit_test(test_next_truncated),
		cmocka_unit_test(test_next_indefinite),	   cmocka_unit_test(test_next_five_octets),
		cmocka_unit_test(test_next_multibyte_tag), cmocka_unit_test(test_put_header),
		cmocka_unit_test(test_put_header_tag),	   cmocka_unit_test(test_round_trip),
	};

	return cmocka_run_group_tests_name("der", tests, NULL, NULL);
}
