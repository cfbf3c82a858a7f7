// SPDX-License-Identifier: MIT
/*
 * The 64-bit division helper GCC calls in 32-bit code (lib/format.c
 * divides 64-bit values). The toolchain's 32-bit libgcc is often not
 * installed, so the null kernel carries this one routine: restoring
 * long division, one quotient bit per step.
 */
#include <stdint.h>

uint64_t __udivmoddi4(uint64_t num, uint64_t den, uint64_t *rem);

uint64_t __udivmoddi4(uint64_t num, uint64_t den, uint64_t *rem)
{
	uint64_t q = 0, r = 0;
	int bit;

	if (den == 0)
		__builtin_trap();
	for (bit = 63; bit >= 0; bit--) {
		r = (r << 1) | ((num >> bit) & 1);
		if (r >= den) {
			r -= den;
			q |= 1ull << bit;
		}
	}
	if (rem)
		*rem = r;
	return q;
}
