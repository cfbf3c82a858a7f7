// SPDX-License-Identifier: MIT
/*
 * Kernel heap tests: kmalloc over the TLSF allocator and its per-CPU
 * magazines on real mapped memory, growth, alignment, realloc, bad frees
 * reported, not obeyed, and every CPU allocating and freeing at once.
 */
#include <arch/spinlock.h>
#include <lib/string.h>

#include <stdint.h>

#include "arch/arch.h"
#include "core/ktest.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/smp.h"
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
	struct alloc_stats after;
	void *big[12];
	unsigned i;

	for (i = 0; i < 12; i++) {
		big[i] = kmalloc(512 * 1024);
		EXPECT_TRUE(big[i] != NULL);
		memset(big[i], 0x5a, 512 * 1024);
	}
	heap_stats(&after);
	/* Six megabytes live: the heap grew well past its first one, whatever ran before. */
	EXPECT_TRUE(after.heap_bytes >= 12 * 512 * 1024);
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

/*
 * A refused free leaves the block allocated with the scribbled header, and any later
 * free of a neighbour (in whatever test comes next) would report a corrupted
 * neighbouring block. So the header is put back and the block freed for real.
 */
TEST(heap, corrupted_header_is_reported)
{
	unsigned long errors = heap_errors();
	uint64_t *p = kmalloc(64);

	p[-1] ^= 0x5a5a5a5a00000000ull; /* scribble over the block header */
	kfree(p);
	EXPECT_EQ(heap_errors(), errors + 1);
	p[-1] ^= 0x5a5a5a5a00000000ull;
	kfree(p);
	EXPECT_EQ(heap_errors(), errors + 1);
}

/*
 * The same scribble with the magazines off, so frees of the blocks either side reach
 * the allocator's merging: once the header is restored, neither neighbour may find a
 * corrupted block, and nothing stays allocated.
 */
TEST(heap, restored_header_leaves_neighbours_whole)
{
	unsigned long errors = heap_errors();
	struct alloc_stats before, after;
	uint64_t *a, *p, *b;

	heap_set_cache(false);
	heap_stats(&before);
	a = kmalloc(64);
	p = kmalloc(64);
	b = kmalloc(64);
	p[-1] ^= 0x5a5a5a5a00000000ull;
	kfree(p);
	p[-1] ^= 0x5a5a5a5a00000000ull;
	kfree(a);
	kfree(b);
	kfree(p);
	heap_stats(&after);
	heap_set_cache(true);
	EXPECT_EQ(heap_errors(), errors + 1);
	EXPECT_EQ(after.live_blocks, before.live_blocks);
}

TEST(heap, may_fail_returns_null)
{
	EXPECT_TRUE(kmalloc_flags((size_t)1 << 37, KM_MAY_FAIL) == NULL);
}

TEST_MUST_PANIC(heap, out_of_memory_panics)
{
	(void)kmalloc((size_t)1 << 37);
}

/* ---- every CPU at once ---- */

#define STRESS_SLOTS   128
#define STRESS_OPS     20000
#define STRESS_WAIT_MS 60000

/* Locks: [a] atomic; [S] set before the CPUs start. */
static struct {
	uint32_t go;                   /* [a] start */
	uint32_t done;                 /* [a] CPUs finished */
	uint32_t bad;                  /* [a] blocks found changed */
	uint64_t handed;               /* [a] blocks freed by another CPU than their allocator */
	void *exchange[16];            /* [a] blocks in transit between CPUs */
	uint8_t **slots[SMP_MAX_CPUS]; /* [S] each CPU's live blocks */
} hs;

/*
 * A block describes itself: its size in the first word, then bytes that
 * follow from the size and the allocating CPU, so any CPU can check it.
 */
static uint8_t *stress_alloc(uint64_t r, unsigned cpu)
{
	size_t size = 16 + r % ((r >> 40) % 8 ? 1024 : 4096), i;
	uint8_t *p = kmalloc(size);

	*(uint32_t *)p = (uint32_t)size;
	p[4] = (uint8_t)cpu;
	for (i = 5; i < size; i++)
		p[i] = (uint8_t)(size + cpu + i);
	return p;
}

static void stress_free(uint8_t *p)
{
	size_t size = *(uint32_t *)p, i;

	for (i = 5; i < size; i++)
		if (p[i] != (uint8_t)(size + p[4] + i)) {
			__atomic_fetch_add(&hs.bad, 1, __ATOMIC_RELAXED);
			break;
		}
	kfree(p);
}

/* Swap @p into a random exchange slot; free what was there (another CPU's, often). */
static void stress_exchange(uint8_t *p, uint64_t r)
{
	uint8_t *old = __atomic_exchange_n(&hs.exchange[r % 16], p, __ATOMIC_ACQ_REL);

	if (old) {
		if (old[4] != (uint8_t)this_cpu_index())
			__atomic_fetch_add(&hs.handed, 1, __ATOMIC_RELAXED);
		stress_free(old);
	}
}

static void stress_run(void *arg)
{
	unsigned cpu = this_cpu_index(), i, k;
	uint64_t r = 0x9e3779b97f4a7c15ull * (cpu + 1);
	uint8_t **slot = hs.slots[cpu];

	while (!__atomic_load_n(&hs.go, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	for (i = 0; i < STRESS_OPS; i++) {
		r ^= r << 13;
		r ^= r >> 7;
		r ^= r << 17;
		k = (unsigned)(r >> 32) % STRESS_SLOTS;
		if (!slot[k]) {
			slot[k] = stress_alloc(r, cpu);
		} else if ((r & 7) == 0) {
			stress_exchange(slot[k], r >> 8);
			slot[k] = NULL;
		} else {
			stress_free(slot[k]);
			slot[k] = NULL;
		}
	}
	for (k = 0; k < STRESS_SLOTS; k++)
		if (slot[k])
			stress_free(slot[k]);
	__atomic_fetch_add(&hs.done, 1, __ATOMIC_RELEASE);
}

TEST(heap, every_cpu_allocating_and_freeing_at_once)
{
	uint32_t n = smp_cpu_count();
	unsigned long errors = heap_errors();
	uint64_t t0, limit = arch_cycles_khz() * STRESS_WAIT_MS;
	struct alloc_stats before, after;
	unsigned i;

	memset(&hs, 0, sizeof(hs));
	kfree(kmalloc(4u << 20)); /* grow first, so no CPU maps memory in its IPI handler */
	for (i = 0; i < SMP_MAX_CPUS; i++)
		if (smp_cpu_online(i))
			hs.slots[i] = kcalloc(STRESS_SLOTS, sizeof(uint8_t *));
	heap_stats(&before);
	for (i = 1; i < SMP_MAX_CPUS; i++)
		if (smp_cpu_online(i))
			EXPECT_EQ(smp_call(i, stress_run, NULL, false), 0);
	t0 = arch_cycles();
	__atomic_store_n(&hs.go, 1, __ATOMIC_RELEASE);
	stress_run(NULL);
	while (__atomic_load_n(&hs.done, __ATOMIC_ACQUIRE) != n && arch_cycles() - t0 < limit)
		arch_cpu_relax();
	EXPECT_EQ(hs.done, n);
	for (i = 0; i < 16; i++)
		if (hs.exchange[i])
			stress_free(hs.exchange[i]);
	heap_stats(&after);
	kprintf("# heap: %u CPUs, %u ops each, %llu blocks freed on another CPU, %zu cached\n", n,
	        STRESS_OPS, (unsigned long long)hs.handed, after.cached_blocks);
	EXPECT_EQ(hs.bad, 0);
	EXPECT_EQ(heap_errors(), errors);
	EXPECT_EQ(after.live_blocks, before.live_blocks);
	EXPECT_TRUE(after.cached_blocks > 0); /* the magazines were in use */
	if (n > 1)
		EXPECT_TRUE(hs.handed > 0);
	for (i = 0; i < SMP_MAX_CPUS; i++)
		kfree(hs.slots[i]);
}
