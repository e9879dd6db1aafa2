/* Minimal bounds-checked DER TLV walker. */
#include "config.h"

#include "mcuprov/der.h"

int der_next(const uint8_t *buf, size_t end, size_t *off, struct der_tlv *t)
{
	size_t o = *off, len, hdr, i, nlen;

	if (o >= end || end - o < 2)
		return -1;
	if ((buf[o] & 0x1f) == 0x1f) /* multi-byte tags are never used here */
		return -1;
	len = buf[o + 1];
	hdr = 2;
	if (len & 0x80) {
		nlen = len & 0x7f;
		if (nlen == 0 || nlen > 4 || end - o - 2 < nlen)
			return -1; /* indefinite or oversized length */
		len = 0;
		for (i = 0; i < nlen; i++)
			len = (len << 8) | buf[o + 2 + i];
		hdr += nlen;
	}
	if (len > end - o - hdr)
		return -1;
	t->tag = buf[o];
	t->hdr_len = hdr;
	t->len = len;
	t->p = buf + o;
	*off = o + hdr + len;
	return 0;
}

size_t der_put_header(uint8_t *out, uint8_t tag, size_t len)
{
	size_t n = 0, i;

	if ((uint64_t)len > 0xffffffffULL)
		return 0;
	out[0] = tag;
	if (len < 0x80) {
		out[1] = (uint8_t)len;
		return 2;
	}
	for (i = len; i > 0; i >>= 8)
		n++;
	out[1] = (uint8_t)(0x80 | n);
	for (i = 0; i < n; i++)
		out[2 + i] = (uint8_t)(len >> (8 * (n - 1 - i)));
	return 2 + n;
}
