/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/random/chacha: the block function against the test
 * vector of RFC 8439, 2.3.2, and the generator's properties (same seed,
 * same stream; different seeds or requests, different output; every length
 * filled exactly; the key changes after each request).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

/* The code under test. */
#include <lib/random/chacha.h>

static void rfc8439_block_vector(void **state)
{
	/* RFC 8439, 2.3.2: key 00..1f, nonce 00:00:00:09 00:00:00:4a 00:00:00:00, counter 1. */
	static const uint8_t want[64] = {
		0x10, 0xf1, 0xe7, 0xe4, 0xd1, 0x3b, 0x59, 0x15, 0x50, 0x0f, 0xdd, 0x1f, 0xa3,
		0x20, 0x71, 0xc4, 0xc7, 0xd1, 0xf4, 0xc7, 0x33, 0xc0, 0x68, 0x03, 0x04, 0x22,
		0xaa, 0x9a, 0xc3, 0xd4, 0x6c, 0x4e, 0xd2, 0x82, 0x64, 0x46, 0x07, 0x9f, 0xaa,
		0x09, 0x14, 0xc2, 0xd7, 0x05, 0xd9, 0x8b, 0x02, 0xa2, 0xb5, 0x12, 0x9c, 0xd1,
		0xde, 0x16, 0x4e, 0xb9, 0xcb, 0xd0, 0x83, 0xe8, 0xa2, 0x50, 0x3c, 0x4e,
	};
	uint32_t key[8], nonce[3] = { 0x09000000, 0x4a000000, 0 };
	uint8_t out[64];

	(void)state;
	for (int i = 0; i < 8; i++)
		key[i] = (uint32_t)(4 * i) | (uint32_t)(4 * i + 1) << 8 |
		         (uint32_t)(4 * i + 2) << 16 | (uint32_t)(4 * i + 3) << 24;
	chacha20_block(key, 1, nonce, out);
	assert_memory_equal(out, want, sizeof(want));
}

static void same_seed_same_stream(void **state)
{
	struct chacha_rng a, b;
	uint8_t x[100], y[100];

	(void)state;
	chacha_rng_init(&a, "seed", 4);
	chacha_rng_init(&b, "seed", 4);
	for (int i = 0; i < 5; i++) {
		chacha_rng_fill(&a, x, sizeof(x));
		chacha_rng_fill(&b, y, sizeof(y));
		assert_memory_equal(x, y, sizeof(x));
	}
	chacha_rng_mix(&a, "more", 4);
	chacha_rng_fill(&a, x, sizeof(x));
	chacha_rng_fill(&b, y, sizeof(y));
	assert_memory_not_equal(x, y, sizeof(x));
}

static void requests_differ_and_key_moves(void **state)
{
	struct chacha_rng r;
	uint32_t key[8];
	uint8_t x[32], y[32];

	(void)state;
	chacha_rng_init(&r, "k", 1);
	memcpy(key, r.key, sizeof(key));
	chacha_rng_fill(&r, x, sizeof(x));
	assert_memory_not_equal(key, r.key, sizeof(key));
	chacha_rng_fill(&r, y, sizeof(y));
	assert_memory_not_equal(x, y, sizeof(x));
}

/* Each length is filled exactly: the byte past the end keeps its guard value. */
static void lengths_exact(void **state)
{
	static const size_t lens[] = { 0, 1, 31, 63, 64, 65, 127, 128, 129, 1000, 4096 };
	static uint8_t buf[4097];
	struct chacha_rng r;

	(void)state;
	chacha_rng_init(&r, "len", 3);
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t zeros = 0;

		memset(buf, 0, sizeof(buf));
		buf[lens[i]] = 0xa5;
		chacha_rng_fill(&r, buf, lens[i]);
		assert_int_equal(buf[lens[i]], 0xa5);
		for (size_t j = 0; j < lens[i]; j++)
			zeros += buf[j] == 0;
		/* About 1 in 256 bytes is zero; far more would mean part of it was not written. */
		assert_true(zeros <= 4 + lens[i] / 64);
	}
}

/* A loose uniformity check: each byte value's count within 30% of the mean. */
static void roughly_uniform(void **state)
{
	static uint8_t buf[1 << 20];
	static unsigned count[256];
	struct chacha_rng r;

	(void)state;
	chacha_rng_init(&r, "u", 1);
	chacha_rng_fill(&r, buf, sizeof(buf));
	for (size_t i = 0; i < sizeof(buf); i++)
		count[buf[i]]++;
	for (int v = 0; v < 256; v++) {
		assert_true(count[v] > 4096 * 7 / 10);
		assert_true(count[v] < 4096 * 13 / 10);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(rfc8439_block_vector),
		cmocka_unit_test(same_seed_same_stream),
		cmocka_unit_test(requests_differ_and_key_moves),
		cmocka_unit_test(lengths_exact),
		cmocka_unit_test(roughly_uniform),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
