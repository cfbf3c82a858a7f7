// SPDX-License-Identifier: MIT
/*
 * Kernel heap tests: kmalloc over the TLSF allocator on real mapped
 * memory, growth, alignment, realloc, and bad frees reported, not obeyed.
 */
#include <lib/string.h>

#include <stdint.h>

#include "core/ktest.h"
#include "mm/heap.h"

#define NBLOCKS 512

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

TEST(heap, random_blocks_keep_their_contents)
{
	static uint8_t *blocks[NBLOCKS];
	static size_t sizes[NBLOCKS];
	struct alloc_stats before, after;
	unsigned i, round;
	size_t j;

	heap_stats(&before);
	for (round = 0; round < 4; round++) {
		for (i = 0; i < NBLOCKS; i++) {
			sizes[i] = 1 + next() % 3000;
			blocks[i] = kmalloc(sizes[i]);
			EXPECT_TRUE(blocks[i] != NULL);
			EXPECT_EQ((uintptr_t)blocks[i] % 16, 0);
			memset(blocks[i], (int)(i + round), sizes[i]);
		}
		for (i = 0; i < NBLOCKS; i++) {
			for (j = 0; j < sizes[i]; j++)
				if (blocks[i][j] != (uint8_t)(i + round))
					ktest_fail(__FILE__, __LINE__, "block %u byte %zu changed",
					           i, j);
			kfree(blocks[i]);
		}
	}
	heap_stats(&after);
	EXPECT_EQ(after.live_blocks, before.live_blocks);
}

TEST(heap, grows_past_its_first_megabyte)
{
	struct alloc_stats before, after;
	void *big[12];
	unsigned i;

	heap_stats(&before);
	for (i = 0; i < 12; i++) {
		big[i] = kmalloc(512 * 1024);
		EXPECT_TRUE(big[i] != NULL);
		memset(big[i], 0x5a, 512 * 1024);
	}
	heap_stats(&after);
	EXPECT_TRUE(after.heap_bytes >= before.heap_bytes + 4 * 1024 * 1024);
	for (i = 0; i < 12; i++)
		kfree(big[i]);
}

TEST(heap, aligned_allocations)
{
	size_t align;

	for (align = 16; align <= 4096; align <<= 1) {
		void *p = kmalloc_aligned(100 + align, align, KM_ZERO);

		EXPECT_TRUE(p != NULL);
		EXPECT_EQ((uintptr_t)p % align, 0);
		EXPECT_EQ(((uint8_t *)p)[99], 0);
		kfree(p);
	}
}

TEST(heap, realloc_keeps_contents)
{
	char *p = kmalloc(32), *q;

	memcpy(p, "cairn heap realloc", 19);
	q = krealloc(p, 100000);
	EXPECT_TRUE(q != NULL);
	EXPECT_STREQ(q, "cairn heap realloc");
	q = krealloc(q, 8);
	EXPECT_TRUE(q != NULL);
	EXPECT_EQ(memcmp(q, "cairn he", 8), 0);
	kfree(q);
	EXPECT_TRUE(kcalloc((size_t)1 << 62, 16) == NULL);
}

TEST(heap, double_free_is_reported_not_obeyed)
{
	unsigned long errors = heap_errors();
	void *p = kmalloc(64), *q;

	kfree(p);
	kfree(p);
	EXPECT_EQ(heap_errors(), errors + 1);
	q = kmalloc(64);
	EXPECT_TRUE(q != NULL);
	kfree(q);
}

TEST(heap, foreign_pointer_is_reported)
{
	static uint64_t not_from_heap[4];
	unsigned long errors = heap_errors();

	kfree(&not_from_heap[2]);
	EXPECT_EQ(heap_errors(), errors + 1);
}

TEST(heap, corrupted_header_is_reported)
{
	unsigned long errors = heap_errors();
	uint64_t *p = kmalloc(64);

	p[-1] ^= 0x5a5a5a5a00000000ull; /* scribble over the block header */
	kfree(p);
	EXPECT_EQ(heap_errors(), errors + 1);
}

TEST(heap, may_fail_returns_null)
{
	EXPECT_TRUE(kmalloc_flags((size_t)1 << 37, KM_MAY_FAIL) == NULL);
}

TEST_MUST_PANIC(heap, out_of_memory_panics)
{
	(void)kmalloc((size_t)1 << 37);
}
