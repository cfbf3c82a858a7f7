/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of random_bytes(): it seeds itself from a named source, and
 * two requests (and the halves of one) differ, on every CPU at once.
 */
#include <lib/string.h>

#include "core/ktest.h"
#include "core/log.h"
#include "core/random.h"

TEST(random, seeded_and_distinct)
{
	uint64_t a[4], b[4];

	random_bytes(a, sizeof(a));
	random_bytes(b, sizeof(b));
	EXPECT_TRUE(memcmp(a, b, sizeof(a)) != 0);
	EXPECT_TRUE(a[0] != a[1] && a[2] != a[3]);
	EXPECT_TRUE(strcmp(random_source(), "none") != 0);
	kprintf("# random: seeded from %s\n", random_source());
}

/* Odd lengths are filled exactly, the guard byte after them untouched. */
TEST(random, exact_lengths)
{
	uint8_t buf[130];

	for (size_t n = 0; n < 129; n += 13) {
		memset(buf, 0x5a, sizeof(buf));
		random_bytes(buf, n);
		EXPECT_EQ(buf[n], 0x5a);
	}
}
