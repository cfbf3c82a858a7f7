// SPDX-License-Identifier: MIT
/*
 * getrandom: full reads, no two alike, the flags Linux accepts and refuses.
 */
#include <sys/random.h>

#include "utest.h"

int main(void)
{
	unsigned char a[64], b[64], big[4096];
	long r1, r2;
	int zeros = 0, bits = 0;
	size_t i;

	tap_plan(7);
	r1 = getrandom(a, sizeof(a), 0);
	r2 = getrandom(b, sizeof(b), 0);
	tap_ok(r1 == 64 && r2 == 64, "two reads of 64 bytes");
	tap_ok(memcmp(a, b, sizeof(a)) != 0, "they differ");
	for (i = 0; i < sizeof(a); i++)
		zeros += a[i] == 0;
	tap_ok(zeros < 8, "they are not mostly zero");
	tap_ok(getrandom(big, sizeof(big), GRND_NONBLOCK) == sizeof(big), "GRND_NONBLOCK, 4 KiB");
	for (i = 0; i < sizeof(big); i++)
		bits += __builtin_popcount(big[i]);
	tap_ok(bits > 4096 * 4 - 600 && bits < 4096 * 4 + 600, "about half the bits are set");
	tap_errno(syscall(SYS_getrandom, a, 8, 0x100), EINVAL, "an unknown flag");
	tap_errno(syscall(SYS_getrandom, (void *)8, 8, 0), EFAULT, "a bad buffer");
	return tap_done(7);
}
