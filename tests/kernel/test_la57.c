// SPDX-License-Identifier: MIT
/*
 * 5-level paging: when the loader turned CR4.LA57 on, the boot info must
 * say so, the direct map must sit at its 5-level base, and addresses beyond
 * the 48-bit range must map and unmap like any other. Under 4-level paging
 * (direct boot, or a CPU without LA57) the tests are skipped.
 */
#include <cairn/boot.h>
#include <cairn/errno.h>

#include <arch/page.h>
#include <lib/paging/paging.h>

#include <stdint.h>

#include "arch/arch.h"
#include "core/kmain.h"
#include "core/ktest.h"
#include "mm/pmm.h"
#include "mm/vm.h"

/*
 * PML5 entry 384: canonical only with 57-bit addresses (bits 63:56 copy
 * bit 56), beyond the direct map and the kernel's PML5[511] (Intel SDM
 * Vol. 3A, 4.5).
 */
#define HIGH_VA 0xff80000000000000ull

static const uint64_t marker = 0x5a5a1234a5a5cdefull;

static void need_la57(void)
{
	if (arch_mmu_levels() != 5)
		ktest_skip("4-level paging");
}

TEST(la57, boot_info_says_5_level)
{
	need_la57();
	EXPECT_TRUE(boot_info.flags & BOOT_FLAG_LA57);
	/* At CAIRN_DIRECT_MAP_5LEVEL, or a random 256 TiB step above it with KASLR. */
	EXPECT_TRUE(boot_info.direct_map_base >= CAIRN_DIRECT_MAP_5LEVEL);
	EXPECT_TRUE(boot_info.direct_map_base < 0xffff000000000000ull);
	if (!(boot_info.kaslr.flags & BOOT_KASLR_ON))
		EXPECT_EQ(boot_info.direct_map_base, CAIRN_DIRECT_MAP_5LEVEL);
	EXPECT_EQ(vm_kernel_space()->levels, 5);
}

/* The kernel image read back through the 5-level direct map. */
TEST(la57, direct_map_reaches_the_kernel)
{
	uint64_t pa = (uint64_t)(uintptr_t)&marker - boot_info.kernel_virt_base +
	              boot_info.kernel_phys_base;
	volatile const uint64_t *p;

	need_la57();
	p = phys_to_virt(pa);
	EXPECT_TRUE((uint64_t)(uintptr_t)p >= CAIRN_DIRECT_MAP_5LEVEL);
	EXPECT_TRUE((uint64_t)(uintptr_t)p < CAIRN_DIRECT_MAP_4LEVEL);
	EXPECT_EQ(*p, marker);
}

static void touch(void *va)
{
	(void)*(volatile uint64_t *)va;
}

TEST(la57, map_above_48_bits)
{
	struct pt_space *s = vm_kernel_space();
	volatile uint64_t *hi = (volatile uint64_t *)(uintptr_t)HIGH_VA;
	volatile uint64_t *lo;
	struct ktest_fault f;
	uint64_t pa, got;

	need_la57();
	EXPECT_TRUE(pt_canonical(5, HIGH_VA));
	EXPECT_TRUE(!pt_canonical(4, HIGH_VA));
	pa = pmm_alloc_pages(0, PMM_ZERO);
	EXPECT_TRUE(pa != 0);
	EXPECT_EQ(pt_map(s, HIGH_VA, pa, PAGE_SIZE, PT_WRITE, PT_PAGE_4K), 0);
	EXPECT_EQ(pt_translate(s, HIGH_VA + 8, &got, NULL, NULL), 0);
	EXPECT_EQ(got, pa + 8);

	lo = phys_to_virt(pa);
	hi[0] = 0x0123456789abcdefull;
	EXPECT_EQ(lo[0], 0x0123456789abcdefull);
	lo[511] = 0xfedcba9876543210ull;
	EXPECT_EQ(hi[511], 0xfedcba9876543210ull);

	EXPECT_EQ(pt_unmap(s, HIGH_VA, PAGE_SIZE), 0);
	EXPECT_EQ(pt_translate(s, HIGH_VA, NULL, NULL, NULL), -ENOENT);
	EXPECT_EQ(ktest_catch(touch, (void *)(uintptr_t)HIGH_VA, &f), 1);
	EXPECT_EQ(f.vector, 14);
	EXPECT_EQ(f.addr, HIGH_VA);
	pmm_free_pages(pa, 0);
}
