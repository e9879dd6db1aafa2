/* mcuprov core: a minimal, bounds-checked DER TLV walker.
 *
 * Used to reshape already-encoded keys (imgtool's --minimal private key
 * exports).  It never decodes key material itself; that is OpenSSL's job. */
#ifndef MCUPROV_DER_H
#define MCUPROV_DER_H

#include <stddef.h>
#include <stdint.h>

struct der_tlv {
	uint8_t tag;       /* identifier octet (single-byte tags only) */
	size_t hdr_len;    /* tag + length octets */
	size_t len;        /* content length */
	const uint8_t *p;  /* start of the whole TLV (tag octet) */
};

/* Parse one TLV at BUF[*off .. end).  Only definite lengths of up to four
 * octets are accepted; the content must fit in the buffer.  On success fills
 * T, advances *off past the TLV and returns 0; returns -1 on malformed or
 * truncated input, leaving *off unchanged. */
int der_next(const uint8_t *buf, size_t end, size_t *off, struct der_tlv *t);

/* Write the DER header for TAG with content length LEN (below 2^32, as
 * der_next() accepts) into OUT (at least 6 bytes); returns the header
 * length, or 0 for a LEN it cannot encode in 6 bytes. */
size_t der_put_header(uint8_t *out, uint8_t tag, size_t len);

#endif
