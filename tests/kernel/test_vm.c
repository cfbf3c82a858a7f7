// SPDX-License-Identifier: MIT
/*
 * Kernel address-space tests on the real page tables: fresh mappings,
 * W^X of the kernel image, NX, write protection, SMAP, guard pages and
 * cache modes.
 */
#include <lib/paging/paging.h>
#include <lib/string.h>

#include <stdbool.h>

#include "arch/arch.h"
#include "core/kmain.h"
#include "core/ktest.h"
#include "mm/pmm.h"
#include "mm/vm.h"

#define PF_P 0x1
#define PF_W 0x2
#define PF_U 0x4
#define PF_I 0x10

static const uint64_t read_only_value = 0x1234;
static uint64_t writable_value;

static bool word(const char *s, const char *w)
{
	size_t n = strlen(w);

	for (; *s; s++)
		if (strncmp(s, w, n) == 0 && (s[n] == 0 || s[n] == ' '))
			return true;
	return false;
}

TEST(vm, fresh_mapping_reads_back_through_direct_map)
{
	volatile uint64_t *p = vm_alloc_pages(2, PT_WRITE);
	uint64_t pa;

	EXPECT_TRUE(p != NULL);
	p[0] = 0xfeedfacecafebeefull;
	p[512] = 0x0123456789abcdefull;
	EXPECT_EQ(pt_translate(vm_kernel_space(), (uint64_t)(uintptr_t)p, &pa, NULL, NULL), 0);
	EXPECT_EQ(*(volatile uint64_t *)phys_to_virt(pa), 0xfeedfacecafebeefull);
	EXPECT_EQ(pt_translate(vm_kernel_space(), (uint64_t)(uintptr_t)&p[512], &pa, NULL, NULL),
	          0);
	EXPECT_EQ(*(volatile uint64_t *)phys_to_virt(pa), 0x0123456789abcdefull);
}

TEST(vm, kernel_image_is_w_xor_x)
{
	uint32_t text, rodata, data;

	EXPECT_EQ(pt_translate(vm_kernel_space(), (uint64_t)(uintptr_t)&kmain, NULL, &text, NULL),
	          0);
	EXPECT_EQ(pt_translate(vm_kernel_space(), (uint64_t)(uintptr_t)&read_only_value, NULL,
	                       &rodata, NULL),
	          0);
	EXPECT_EQ(pt_translate(vm_kernel_space(), (uint64_t)(uintptr_t)&writable_value, NULL, &data,
	                       NULL),
	          0);
	EXPECT_EQ(text & (PT_WRITE | PT_EXEC), PT_EXEC);
	EXPECT_EQ(rodata & (PT_WRITE | PT_EXEC), 0);
	EXPECT_EQ(data & (PT_WRITE | PT_EXEC), PT_WRITE);
}

static void exec_nx(void *page)
{
	((void (*)(void))page)();
}

TEST(vm, execute_on_nx_page_faults)
{
	uint8_t *page = vm_alloc_pages(1, PT_WRITE);
	struct ktest_fault f;

	EXPECT_TRUE(page != NULL);
	page[0] = 0xc3; /* ret */
	EXPECT_EQ(ktest_catch(exec_nx, page, &f), 1);
	EXPECT_EQ(f.vector, 14);
	EXPECT_EQ(f.error & (PF_P | PF_I | PF_U), PF_P | PF_I);
	EXPECT_EQ(f.addr, (uint64_t)(uintptr_t)page);
}

static void write_rodata(void *arg)
{
	*(volatile uint64_t *)&read_only_value = 1;
}

TEST(vm, write_to_read_only_page_faults)
{
	struct ktest_fault f;

	EXPECT_EQ(ktest_catch(write_rodata, NULL, &f), 1);
	EXPECT_EQ(f.vector, 14);
	EXPECT_EQ(f.error & (PF_P | PF_W | PF_U), PF_P | PF_W);
	EXPECT_EQ(f.addr, (uint64_t)(uintptr_t)&read_only_value);
	EXPECT_EQ(read_only_value, 0x1234);
}

#define USER_TEST_VA 0x0000000040000000ull

static void read_user(void *arg)
{
	volatile uint64_t v = *(volatile uint64_t *)(uintptr_t)USER_TEST_VA;

	(void)v;
}

TEST(vm, smap_blocks_kernel_access_to_user_page)
{
	uint64_t pa = pmm_alloc_pages(0, PMM_ZERO);
	struct ktest_fault f;
	int caught;

	if (!word(vm_protections(), "SMAP")) {
		pmm_free_pages(pa, 0);
		ktest_skip("CPU without SMAP (run with QEMU_CPU=max)");
	}
	EXPECT_TRUE(pa != 0);
	EXPECT_EQ(pt_map(vm_kernel_space(), USER_TEST_VA, pa, 4096, PT_USER | PT_WRITE, PT_PAGE_4K),
	          0);
	caught = ktest_catch(read_user, NULL, &f);
	/* Inside a user-access window the same read works. */
	arch_user_access_begin();
	read_user(NULL);
	arch_user_access_end();
	EXPECT_EQ(pt_unmap(vm_kernel_space(), USER_TEST_VA, 4096), 0);
	pmm_free_pages(pa, 0);
	EXPECT_EQ(caught, 1);
	EXPECT_EQ(f.vector, 14);
	EXPECT_EQ(f.error & (PF_P | PF_U), PF_P);
}

static void touch_below(void *top)
{
	*(volatile uint64_t *)((uintptr_t)top - 16384 - 8) = 1;
}

TEST(vm, stack_guard_page_faults)
{
	uintptr_t top = vm_alloc_stack(16384);
	struct ktest_fault f;

	EXPECT_TRUE(top != 0);
	*(volatile uint64_t *)(top - 8) = 7; /* the stack itself is mapped */
	EXPECT_EQ(ktest_catch(touch_below, (void *)top, &f), 1);
	EXPECT_EQ(f.vector, 14);
	EXPECT_EQ(f.error & PF_P, 0);
	EXPECT_EQ(f.addr, top - 16384 - 8);
}

TEST(vm, mmio_mapping_has_its_cache_mode)
{
	uint64_t pa = pmm_alloc_pages(0, PMM_ZERO);
	volatile uint32_t *wc = vm_map_mmio(pa + 16, 64, VM_CACHE_WC);
	uint32_t flags;

	EXPECT_TRUE(wc != NULL);
	EXPECT_EQ((uintptr_t)wc & 4095, 16);
	EXPECT_EQ(pt_translate(vm_kernel_space(), (uint64_t)(uintptr_t)wc, NULL, &flags, NULL), 0);
	EXPECT_EQ(flags & PT_CACHE_MASK, PT_CACHE_WC);
	EXPECT_EQ(flags & PT_EXEC, 0);
	wc[0] = 0xabcd1234;
	EXPECT_EQ(*(volatile uint32_t *)phys_to_virt(pa + 16), 0xabcd1234);
}
