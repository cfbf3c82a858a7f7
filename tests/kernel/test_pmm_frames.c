// SPDX-License-Identifier: MIT
/*
 * Kernel tests of the frame records and the per-CPU frame caches: records
 * follow each allocation, references share a frame and the last one frees
 * it, draining the caches leaves the free count alone, and every CPU
 * allocating and freeing at once never gets a frame another CPU holds.
 * Same suite as test_pmm.c (ktest=pmm); they expect pmm_init() to have run.
 */
#include <cairn/boot.h>
#include <cairn/errno.h>

#include <stdbool.h>

#include "core/kmain.h"
#include "core/ktest.h"
#include "core/percpu.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "pmm_test.h"
#include "sched/sched.h"
#include "sched/task.h"

#define STRESS_ROUNDS 150
#define STRESS_MAX    (PMM_CACHE_SIZE * 2) /* past a full cache: refills and drains too */

static uint32_t flags_of(uint64_t pa)
{
	return __atomic_load_n(&pmm_frame(pa)->flags, __ATOMIC_RELAXED);
}

static uint32_t refs_of(uint64_t pa)
{
	return __atomic_load_n(&pmm_frame(pa)->refs, __ATOMIC_RELAXED);
}

TEST(pmm, frame_records_map_both_ways)
{
	uint64_t pa = pmm_alloc_frame();

	EXPECT_TRUE(pa != 0);
	EXPECT_TRUE(pmm_frame(pa) != NULL);
	EXPECT_EQ(pmm_frame_paddr(pmm_frame(pa)), pa);
	EXPECT_EQ(pmm_frame_paddr(pmm_frame(pa + 123)), pa); /* any address in the frame */
	EXPECT_TRUE(pmm_frame(pa + PAGE_SIZE) == pmm_frame(pa) + 1 ||
	            pmm_frame(pa + PAGE_SIZE) == NULL);
	EXPECT_TRUE(pmm_frame(0) == NULL); /* frame 0 is never managed */
	EXPECT_TRUE(pmm_frame(1ull << 51) == NULL);
	EXPECT_TRUE(pmm_frame(UINT64_MAX) == NULL);
	pmm_free_frame(pa);
}

TEST(pmm, records_track_allocation_state)
{
	uint64_t one, block;

	pmm_drain_caches();
	one = pmm_alloc_frame();
	block = pmm_alloc_pages(3, 0);
	EXPECT_TRUE(one != 0 && block != 0);
	EXPECT_EQ(flags_of(one), PMM_FRAME_ALLOCATED);
	EXPECT_EQ(refs_of(one), 1);
	EXPECT_EQ(pmm_frame(one)->npages, 1);
	EXPECT_TRUE(pmm_frame(one)->owner == NULL);
	EXPECT_EQ(flags_of(block), PMM_FRAME_ALLOCATED);
	EXPECT_EQ(pmm_frame(block)->npages, 8);
	/* Only the first frame of a block carries the allocation. */
	EXPECT_EQ(flags_of(block + PAGE_SIZE), 0);
	EXPECT_EQ(refs_of(block + 7 * PAGE_SIZE), 0);
	/* A freed single frame waits in a CPU's cache; a freed block goes to its zone. */
	pmm_free_frame(one);
	EXPECT_EQ(flags_of(one), PMM_FRAME_CACHED);
	EXPECT_EQ(refs_of(one), 0);
	pmm_free_pages(block, 3);
	EXPECT_EQ(flags_of(block), 0);
	EXPECT_EQ(pmm_frame(block)->npages, 0);
	EXPECT_EQ(pmm_check(), 0);
	pmm_drain_caches();
	EXPECT_EQ(flags_of(one), 0);
	/* A frame taken past the cache goes back past it. */
	one = pmm_alloc_pages(0, PMM_NOCACHE);
	EXPECT_EQ(flags_of(one), PMM_FRAME_ALLOCATED | PMM_FRAME_NOCACHE);
	pmm_free_frame(one);
	EXPECT_EQ(flags_of(one), 0);
	EXPECT_EQ(pmm_check(), 0);
}

TEST(pmm, refcounts_share_and_free_on_last_put)
{
	uint64_t start = pmm_test_free_bytes(), bad = pmm_test_bad_frees(), pa;
	struct pmm_frame *f;

	pa = pmm_alloc_frame();
	f = pmm_frame(pa);
	EXPECT_EQ(pmm_frame_get(f), 0);
	EXPECT_EQ(refs_of(pa), 2);
	pmm_free_frame(pa); /* still shared: refused */
	EXPECT_EQ(pmm_test_bad_frees(), bad + 1);
	EXPECT_EQ(pmm_test_free_bytes(), start - PAGE_SIZE);
	EXPECT_TRUE(!pmm_frame_put(f));
	EXPECT_EQ(refs_of(pa), 1);
	EXPECT_TRUE(pmm_frame_put(f));
	EXPECT_EQ(pmm_test_free_bytes(), start);
	EXPECT_TRUE(!(flags_of(pa) & PMM_FRAME_ALLOCATED));
	EXPECT_TRUE(!pmm_frame_put(f)); /* nobody holds it any more */
	EXPECT_EQ(pmm_frame_get(f), -EINVAL);
	EXPECT_EQ(pmm_test_bad_frees(), bad + 2);

	/* The last put frees a whole exact run. */
	pa = pmm_alloc_contig(5, 0);
	f = pmm_frame(pa);
	EXPECT_EQ(f->npages, 5);
	EXPECT_EQ(pmm_frame_get(f), 0);
	EXPECT_TRUE(!pmm_frame_put(f));
	EXPECT_EQ(pmm_test_free_bytes(), start - 5 * PAGE_SIZE);
	EXPECT_TRUE(pmm_frame_put(f));
	EXPECT_EQ(pmm_test_free_bytes(), start);
	EXPECT_EQ(pmm_test_bad_frees(), bad + 2);
	EXPECT_EQ(pmm_check(), 0);
}

static uint64_t zone_free_sum(const struct pmm_stats *st)
{
	uint64_t sum = 0;

	for (int z = 0; z < PMM_NZONES; z++)
		sum += st->zone[z].free;
	return sum;
}

TEST(pmm, drain_keeps_the_free_count)
{
	uint64_t pa[PMM_CACHE_SIZE];
	struct pmm_stats a, b;

	for (unsigned i = 0; i < PMM_CACHE_SIZE; i++)
		pa[i] = pmm_alloc_frame();
	for (unsigned i = 0; i < PMM_CACHE_SIZE; i++)
		pmm_free_frame(pa[i]);
	pmm_stats(&a);
	EXPECT_TRUE(a.cached >= PMM_CACHE_BATCH * PAGE_SIZE);
	EXPECT_EQ(a.free, zone_free_sum(&a) + a.cached);
	pmm_drain_caches();
	pmm_stats(&b);
	EXPECT_EQ(b.cached, 0);
	EXPECT_EQ(b.free, a.free);
	EXPECT_EQ(zone_free_sum(&b), b.free);
	EXPECT_EQ(pmm_check(), 0);
}

/* Shared by the stress tasks: one bit per frame, set while some task holds it. */
struct stress {
	uint64_t *held;
	uint64_t nbits;
};

/* Mark @pa held; false if it already was (handed out twice). */
static bool hold(struct stress *s, uint64_t pa)
{
	uint64_t pfn = pa >> PAGE_SHIFT, bit = 1ull << (pfn % 64);

	if (pfn >= s->nbits)
		return false;
	return !(__atomic_fetch_or(&s->held[pfn / 64], bit, __ATOMIC_ACQ_REL) & bit);
}

static void unhold(struct stress *s, uint64_t pa)
{
	uint64_t pfn = pa >> PAGE_SHIFT;

	__atomic_fetch_and(&s->held[pfn / 64], ~(1ull << (pfn % 64)), __ATOMIC_ACQ_REL);
}

/* One round: take @n frames (every third round as order-1 blocks), stamp, check, free. */
static int stress_round(struct stress *s, uint64_t tag, unsigned n, bool pairs)
{
	uint64_t pa[STRESS_MAX];
	unsigned got = 0, errors = 0;

	while (got < n && (pa[got] = pairs ? pmm_alloc_pages(1, 0) : pmm_alloc_frame()) != 0) {
		if (!hold(s, pa[got]) || (pairs && !hold(s, pa[got] + PAGE_SIZE)))
			errors++;
		*(volatile uint64_t *)phys_to_virt(pa[got]) = tag + got;
		got++;
	}
	if (got % 8 == 0)
		task_yield();
	while (got--) {
		if (*(volatile uint64_t *)phys_to_virt(pa[got]) != tag + got)
			errors++;
		unhold(s, pa[got]);
		if (pairs)
			unhold(s, pa[got] + PAGE_SIZE);
		pairs ? pmm_free_pages(pa[got], 1) : pmm_free_frame(pa[got]);
	}
	return (int)errors;
}

static int stress_task(void *arg)
{
	uint64_t rng = 0x9e3779b97f4a7c15ull ^ this_cpu_index();
	int errors = 0;

	for (unsigned r = 0; r < STRESS_ROUNDS; r++) {
		rng = rng * 6364136223846793005ull + 1442695040888963407ull;
		errors +=
			stress_round(arg, ((uint64_t)this_cpu_index() << 48) | ((uint64_t)r << 24),
		                     1 + (unsigned)((rng >> 33) % STRESS_MAX), r % 3 == 2);
	}
	return errors;
}

/* The highest usable frame number in the boot map, plus one. */
static uint64_t frame_limit(void)
{
	uint64_t end = 0;

	for (uint32_t i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mem_range *r = &boot_info.mmap[i];

		if (r->type == BOOT_MEM_USABLE && r->base + r->length > end)
			end = r->base + r->length;
	}
	return end >> PAGE_SHIFT;
}

TEST(pmm, caches_on_every_cpu_never_hand_out_a_frame_twice)
{
	struct stress s = { .nbits = frame_limit() };
	unsigned ncpu = sched_cpu_count();
	struct task_handle h[SMP_MAX_CPUS];
	uint64_t start, bad;
	struct task_result r;

	s.held = kcalloc(s.nbits / 64 + 1, sizeof(uint64_t));
	EXPECT_TRUE(s.held != NULL);
	/*
	 * The stress tasks' stacks go back to the task-stack cache when they
	 * end: count with that cache empty on both sides, and the bitmap
	 * already taken from the heap (which keeps what it grows by).
	 */
	task_stack_cache_drain();
	start = pmm_test_free_bytes();
	bad = pmm_test_bad_frees();
	for (unsigned c = 0; c < ncpu; c++) {
		struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT,
			                     .affinity = 1ull << c,
			                     .cpu = -1 };

		EXPECT_EQ(task_spawn_opts(&h[c], "pmm.stress", stress_task, &s, &o), 0);
	}
	for (unsigned c = 0; c < ncpu; c++) {
		EXPECT_EQ(task_join(h[c], &r), 0);
		EXPECT_EQ(r.how, TASK_END_RETURNED);
		EXPECT_EQ(r.value, 0);
	}
	task_stack_cache_drain();
	EXPECT_EQ(pmm_test_bad_frees(), bad);
	EXPECT_EQ(pmm_test_free_bytes(), start);
	EXPECT_EQ(pmm_check(), 0);
	pmm_drain_caches();
	EXPECT_EQ(pmm_test_free_bytes(), start);
	EXPECT_EQ(pmm_check(), 0);
	kfree(s.held);
}
