/*
 * cb_bytes: big-endian integers in wire formats (cb_msg, cb_req).
 */
#ifndef CB_BYTES_H
#define CB_BYTES_H

#include <stdint.h>

/* Write the low n bytes of v at p, most significant first. */
static inline void
cb_put_be(uint8_t *p, uint64_t v, int n)
{
	int i;

	for (i = n - 1; i >= 0; i--) {
		p[i] = (uint8_t)(v & 0xff);
		v >>= 8;
	}
}

/* Read n bytes at p, most significant first. */
static inline uint64_t
cb_get_be(const uint8_t *p, int n)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < n; i++)
		v = (v << 8) | p[i];
	return v;
}

#endif
