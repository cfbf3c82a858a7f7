// SPDX-License-Identifier: MIT
/*
 * Kernel tests of the physical memory manager on the real memory map:
 * frames are aligned, distinct, writable through the direct map and never
 * inside anything the boot map reserves; zones hold their limits; bad frees
 * are refused; every test leaves the free count where it found it. They
 * expect kmain to have called pmm_init().
 */
#include <cairn/boot.h>
#include <cairn/errno.h>

#include <lib/string.h>

#include <stdbool.h>

#include "core/kmain.h"
#include "core/ktest.h"
#include "mm/pmm.h"
#include "pmm_test.h"

#define MANY 3000
#define MIB  (1ull << 20)
#define GIB  (1ull << 30)

static uint64_t frames[MANY];

static void require_pmm(void)
{
	if (!pmm_initialized())
		ktest_fail(__FILE__, __LINE__,
		           "pmm_init() has not run: kmain must call it after arch_early_init()");
}

static bool overlaps(uint64_t a, uint64_t alen, uint64_t b, uint64_t blen)
{
	return a < b + blen && b < a + alen;
}

/*
 * True when [pa, pa + len) is anything but free RAM from the boot map: frame
 * 0, the kernel image (which holds the direct-boot stack and page tables),
 * any range that is not BOOT_MEM_USABLE (loader data: the boot stack and page
 * tables of our own loaders, the initrd, ACPI, firmware) or the pmm metadata.
 */
static bool reserved(uint64_t pa, uint64_t len)
{
	struct pmm_stats st;
	bool inside_usable = false;

	pmm_stats(&st);
	if (pa < PAGE_SIZE || overlaps(pa, len, st.meta_base, st.meta_size) ||
	    overlaps(pa, len, boot_info.kernel_phys_base, boot_info.kernel_phys_size))
		return true;
	for (uint32_t i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mem_range *r = &boot_info.mmap[i];

		if (!overlaps(pa, len, r->base, r->length))
			continue;
		if (r->type != BOOT_MEM_USABLE)
			return true;
		if (pa >= r->base && pa + len <= r->base + r->length)
			inside_usable = true;
	}
	return !inside_usable;
}

/* Fill a frame with a pattern derived from its address, and check it. */
static void stamp(uint64_t pa, uint64_t salt)
{
	uint64_t *w = phys_to_virt(pa);

	for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
		w[i] = pa ^ salt ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull);
}

static bool stamped(uint64_t pa, uint64_t salt)
{
	const uint64_t *w = phys_to_virt(pa);

	for (unsigned i = 0; i < PAGE_SIZE / 8; i++)
		if (w[i] != (pa ^ salt ^ ((uint64_t)i * 0x9e3779b97f4a7c15ull)))
			return false;
	return true;
}

TEST(pmm, initialized_with_sane_stats)
{
	struct pmm_stats st;
	uint64_t sum = 0;

	require_pmm();
	pmm_stats(&st);
	EXPECT_TRUE(st.total > 0 && st.free > 0 && st.free <= st.total);
	for (int z = 0; z < PMM_NZONES; z++) {
		EXPECT_TRUE(st.zone[z].free <= st.zone[z].total);
		sum += st.zone[z].total;
	}
	EXPECT_EQ(sum, st.total);
	EXPECT_TRUE(st.zone[PMM_DMA].total < MIB);
	EXPECT_TRUE(st.reserved >= boot_info.kernel_phys_size);
	EXPECT_TRUE(st.meta_size >= PAGE_SIZE && st.meta_base >= PAGE_SIZE);
	EXPECT_EQ(st.corruptions, 0);
	EXPECT_EQ(pmm_check(), 0);
}

TEST(pmm, init_only_once)
{
	uint64_t before;

	require_pmm();
	before = pmm_test_free_bytes();
	EXPECT_EQ(pmm_init(&boot_info), -EBUSY);
	EXPECT_EQ(pmm_test_free_bytes(), before);
}

TEST(pmm, many_frames_distinct_and_writable)
{
	uint64_t start;

	require_pmm();
	start = pmm_test_free_bytes();
	for (int i = 0; i < MANY; i++) {
		frames[i] = pmm_alloc_frame();
		EXPECT_TRUE(frames[i] != 0);
		EXPECT_EQ(frames[i] & (PAGE_SIZE - 1), 0);
		EXPECT_TRUE(!reserved(frames[i], PAGE_SIZE));
		stamp(frames[i], 1);
	}
	EXPECT_EQ(pmm_test_free_bytes(), start - MANY * PAGE_SIZE);
	/* A frame handed out twice would carry the other owner's stamp. */
	for (int i = 0; i < MANY; i++)
		EXPECT_TRUE(stamped(frames[i], 1));
	for (int i = 0; i < MANY; i++)
		pmm_free_frame(frames[i]);
	EXPECT_EQ(pmm_test_free_bytes(), start);
	EXPECT_EQ(pmm_check(), 0);
}

TEST(pmm, order4_block_is_aligned_and_contiguous)
{
	uint64_t start, a, b;
	uint8_t *p;

	require_pmm();
	start = pmm_test_free_bytes();
	a = pmm_alloc_pages(4, 0);
	b = pmm_alloc_pages(4, 0);
	EXPECT_TRUE(a != 0 && b != 0);
	EXPECT_EQ(a & (16 * PAGE_SIZE - 1), 0);
	EXPECT_EQ(b & (16 * PAGE_SIZE - 1), 0);
	EXPECT_TRUE(!overlaps(a, 16 * PAGE_SIZE, b, 16 * PAGE_SIZE));
	EXPECT_TRUE(!reserved(a, 16 * PAGE_SIZE) && !reserved(b, 16 * PAGE_SIZE));
	EXPECT_EQ(pmm_test_free_bytes(), start - 32 * PAGE_SIZE);
	/* Contiguous physical frames are contiguous in the direct map. */
	p = phys_to_virt(a);
	for (uint64_t i = 0; i < 16 * PAGE_SIZE; i++)
		p[i] = (uint8_t)(i * 7 + (i >> 12));
	for (uint64_t i = 0; i < 16; i++)
		stamp(b + i * PAGE_SIZE, 2);
	for (uint64_t i = 0; i < 16 * PAGE_SIZE; i++)
		EXPECT_EQ(p[i], (uint8_t)(i * 7 + (i >> 12)));
	for (uint64_t i = 0; i < 16; i++)
		EXPECT_TRUE(stamped(b + i * PAGE_SIZE, 2));
	pmm_free_pages(a, 4);
	pmm_free_pages(b, 4);
	EXPECT_EQ(pmm_test_free_bytes(), start);
}

TEST(pmm, largest_block)
{
	uint64_t start, pa;

	require_pmm();
	start = pmm_test_free_bytes();
	pa = pmm_alloc_pages(PMM_MAX_ORDER, 0);
	EXPECT_TRUE(pa != 0);
	EXPECT_EQ(pa & ((PAGE_SIZE << PMM_MAX_ORDER) - 1), 0);
	EXPECT_TRUE(!reserved(pa, PAGE_SIZE << PMM_MAX_ORDER));
	pmm_free_pages(pa, PMM_MAX_ORDER);
	EXPECT_EQ(pmm_test_free_bytes(), start);
}

TEST(pmm, zone_dma_below_1mib)
{
	struct pmm_stats st;
	uint64_t pa;

	require_pmm();
	pmm_stats(&st);
	pa = pmm_alloc_pages(0, PMM_ZONE_DMA | PMM_ZERO);
	if (st.zone[PMM_DMA].free == 0) {
		EXPECT_EQ(pa, 0);
		return;
	}
	EXPECT_TRUE(pa != 0 && pa + PAGE_SIZE <= MIB);
	EXPECT_TRUE(!reserved(pa, PAGE_SIZE));
	pmm_free_pages(pa, 0);
	pmm_stats(&st);
	EXPECT_TRUE(st.zone[PMM_DMA].free > 0);
}

TEST(pmm, zone_dma32_below_4gib)
{
	struct pmm_stats st;
	uint64_t a, b;

	require_pmm();
	pmm_stats(&st);
	a = pmm_alloc_pages(3, PMM_ZONE_DMA32);
	EXPECT_TRUE(a != 0 && a + 8 * PAGE_SIZE <= 4 * GIB && a >= MIB);
	/* Without a zone flag, normal memory comes first when there is any. */
	b = pmm_alloc_frame();
	EXPECT_TRUE(b >= MIB);
	if (st.zone[PMM_NORMAL].free)
		EXPECT_TRUE(b >= 4 * GIB);
	pmm_free_pages(a, 3);
	pmm_free_frame(b);
	EXPECT_EQ(pmm_test_free_bytes(), st.free);
}

TEST(pmm, zero_flag_clears)
{
	uint64_t pa;
	const uint64_t *w;

	require_pmm();
	pa = pmm_alloc_pages(1, 0);
	EXPECT_TRUE(pa != 0);
	memset(phys_to_virt(pa), 0xa5, 2 * PAGE_SIZE);
	pmm_free_pages(pa, 1);
	pa = pmm_alloc_pages(1, PMM_ZERO);
	EXPECT_TRUE(pa != 0);
	w = phys_to_virt(pa);
	for (unsigned i = 0; i < 2 * PAGE_SIZE / 8; i++)
		EXPECT_EQ(w[i], 0);
	pmm_free_pages(pa, 1);
}

TEST(pmm, exact_contiguous_runs)
{
	uint64_t start, pa;

	require_pmm();
	start = pmm_test_free_bytes();
	pa = pmm_alloc_contig(5, PMM_ZERO);
	EXPECT_TRUE(pa != 0);
	EXPECT_EQ(pa & (8 * PAGE_SIZE - 1), 0);
	EXPECT_EQ(pmm_test_free_bytes(), start - 5 * PAGE_SIZE);
	for (int i = 0; i < 5; i++)
		stamp(pa + i * PAGE_SIZE, 3);
	for (int i = 0; i < 5; i++)
		EXPECT_TRUE(stamped(pa + i * PAGE_SIZE, 3));
	pmm_free_contig(pa, 6); /* the wrong size is refused */
	EXPECT_EQ(pmm_test_free_bytes(), start - 5 * PAGE_SIZE);
	pmm_free_contig(pa, 5);
	EXPECT_EQ(pmm_test_free_bytes(), start);
}

TEST(pmm, bad_arguments_refused)
{
	uint64_t start;

	require_pmm();
	start = pmm_test_free_bytes();
	EXPECT_EQ(pmm_alloc_pages(PMM_MAX_ORDER + 1, 0), 0);
	EXPECT_EQ(pmm_alloc_pages(0, 1u << 31), 0);
	EXPECT_EQ(pmm_alloc_contig(0, 0), 0);
	EXPECT_EQ(pmm_alloc_contig((1u << PMM_MAX_ORDER) + 1, 0), 0);
	EXPECT_EQ(pmm_test_free_bytes(), start);
}

TEST(pmm, bad_frees_refused)
{
	uint64_t start, bad, a, b;

	require_pmm();
	a = pmm_alloc_frame();
	b = pmm_alloc_pages(2, 0);
	EXPECT_TRUE(a != 0 && b != 0);
	pmm_free_frame(a);
	start = pmm_test_free_bytes();
	bad = pmm_test_bad_frees();
	pmm_free_frame(a);                          /* double free */
	pmm_free_pages(b, 1);                       /* wrong order */
	pmm_free_pages(b, 3);                       /* wrong order, larger */
	pmm_free_pages(b + PAGE_SIZE, 0);           /* inside a block */
	pmm_free_pages(b + 1, 2);                   /* unaligned */
	pmm_free_frame(0);                          /* frame 0 is never handed out */
	pmm_free_frame(boot_info.kernel_phys_base); /* the kernel image */
	pmm_free_pages(b, PMM_MAX_ORDER + 1);
	EXPECT_EQ(pmm_test_bad_frees(), bad + 8);
	EXPECT_EQ(pmm_test_free_bytes(), start);
	EXPECT_EQ(pmm_check(), 0);
	pmm_free_pages(b, 2);
	EXPECT_EQ(pmm_test_free_bytes(), start + 4 * PAGE_SIZE);
}

/*
 * Allocate every frame @flags can reach, chaining them through their first
 * word, and check each against the boot map. Returns the chain's head and
 * stores the count.
 */
static uint64_t drain(unsigned flags, uint64_t *count)
{
	uint64_t head = 0, pa;

	*count = 0;
	while ((pa = pmm_alloc_pages(0, flags)) != 0) {
		if (reserved(pa, PAGE_SIZE))
			ktest_fail(__FILE__, __LINE__, "reserved frame %#llx handed out",
			           (unsigned long long)pa);
		*(uint64_t *)phys_to_virt(pa) = head;
		head = pa;
		(*count)++;
	}
	return head;
}

static void refill(uint64_t head)
{
	while (head) {
		uint64_t next = *(uint64_t *)phys_to_virt(head);

		pmm_free_frame(head);
		head = next;
	}
}

TEST(pmm, exhaust_every_zone_never_reserved)
{
	struct pmm_stats st, now;
	uint64_t main_chain, dma_chain, n_main, n_dma;

	require_pmm();
	/* With the caches empty, the zones' free counts are everything there is. */
	pmm_drain_caches();
	pmm_stats(&st);
	main_chain = drain(0, &n_main);
	dma_chain = drain(PMM_ZONE_DMA, &n_dma);
	EXPECT_EQ(n_main * PAGE_SIZE, st.zone[PMM_NORMAL].free + st.zone[PMM_DMA32].free);
	EXPECT_EQ(n_dma * PAGE_SIZE, st.zone[PMM_DMA].free);
	EXPECT_EQ(pmm_test_free_bytes(), 0);
	EXPECT_EQ(pmm_alloc_pages(4, PMM_ZONE_DMA32), 0);
	EXPECT_EQ(pmm_alloc_contig(3, 0), 0);
	EXPECT_EQ(pmm_check(), 0);
	refill(dma_chain);
	refill(main_chain);
	EXPECT_EQ(pmm_test_free_bytes(), st.free);
	EXPECT_EQ(pmm_check(), 0);
	pmm_drain_caches();
	/* Freed frames merged back into the very blocks there were before. */
	pmm_stats(&now);
	for (int z = 0; z < PMM_NZONES; z++)
		for (int k = 0; k <= PMM_MAX_ORDER; k++)
			EXPECT_EQ(now.zone[z].free_blocks[k], st.zone[z].free_blocks[k]);
}
