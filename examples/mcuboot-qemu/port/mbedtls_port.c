/*
 * mbedTLS glue of the mcuprov QEMU port for SIGN=EC384 (built by
 * mbedtls.mk): MCUboot verifies P-384 through mbedTLS's PSA core, built
 * with MBEDTLS_PSA_CRYPTO_EXTERNAL_RNG, whose random numbers come from the
 * platform -- here.  The an385 has no entropy source and MCUboot only
 * verifies (public-key operations: no secret to blind, no key to
 * generate), so there are none: a request fails rather than get
 * predictable bytes.
 */

#include <stddef.h>
#include <stdint.h>

#include <psa/crypto.h>

psa_status_t mbedtls_psa_external_get_random(mbedtls_psa_external_random_context_t *context,
					     uint8_t *output, size_t output_size,
					     size_t *output_length)
{
	(void)context;
	(void)output;
	(void)output_size;
	*output_length = 0;
	return PSA_ERROR_INSUFFICIENT_ENTROPY;
}
