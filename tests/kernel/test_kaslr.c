// SPDX-License-Identifier: MIT
/*
 * KASLR (docs/kaslr.md): the image runs where the boot_info says, every
 * absolute address it holds of itself was moved with it, symbols still
 * resolve, and the direct map, heap and stack area lie where their regions
 * allow. The ktest kernels run with KASLR on (nokaslr is an e2e test).
 */
#include <cairn/boot.h>

#include <lib/kaslr/kaslr.h>
#include <lib/string.h>

#include "core/kmain.h"
#include "core/ksyms.h"
#include "core/ktest.h"
#include "mm/heap.h"
#include "mm/vm.h"

static uint64_t marker = 0x6b61736c72ull;
/* 64-bit fields (R_X86_64_64) the move must patch, in read-only and writable data. */
static uint64_t *const volatile marker_ro = &marker;
static uint64_t *volatile marker_rw = &marker;

extern const char _rodata_start[], _rodata_end[], _data_start[], _bss_start[];

static bool kaslr_on(void)
{
	return (boot_info.kaslr.flags & BOOT_KASLR_ON) != 0;
}

/* The address of marker as the CPU computes it from RIP: right whatever was patched. */
static uintptr_t marker_by_rip(void)
{
	uintptr_t p;

	__asm__("leaq marker(%%rip), %0" : "=r"(p));
	return p;
}

TEST(kaslr, image_is_where_the_boot_info_says)
{
	uint64_t slide = boot_info.kaslr.image_slide;

	EXPECT_EQ(kernel_slide(), slide);
	EXPECT_EQ(boot_info.kernel_virt_base, CAIRN_KERNEL_LINK_BASE + slide);
	EXPECT_EQ(slide % KASLR_IMAGE_ALIGN, 0);
	EXPECT_TRUE(boot_info.kernel_virt_base + boot_info.kernel_phys_size <= KASLR_IMAGE_TOP);
	if (kaslr_on())
		EXPECT_TRUE(slide != 0);
	else
		EXPECT_EQ(slide, 0);
}

TEST(kaslr, absolute_addresses_moved_with_the_image)
{
	/* (uintptr_t)&marker is a sign-extended 32-bit immediate (R_X86_64_32S). */
	EXPECT_EQ((uintptr_t)&marker, marker_by_rip());
	EXPECT_EQ((uintptr_t)marker_ro, marker_by_rip());
	EXPECT_EQ((uintptr_t)marker_rw, marker_by_rip());
	EXPECT_EQ(*marker_ro, 0x6b61736c72ull);
}

/* 8-byte words of [@from, @to) that still point into the linked image but not the moved one. */
static unsigned stale_words(const char *from, const char *to, uint64_t size)
{
	uint64_t slide = kernel_slide();
	unsigned n = 0;

	for (const uint64_t *w = (const uint64_t *)from; w + 1 <= (const uint64_t *)to; w++) {
		if (*w >= CAIRN_KERNEL_LINK_BASE && *w - CAIRN_KERNEL_LINK_BASE < size &&
		    (*w < CAIRN_KERNEL_LINK_BASE + slide ||
		     *w - slide - CAIRN_KERNEL_LINK_BASE >= size))
			n++;
	}
	return n;
}

/*
 * The table is complete: no pointer in the initialised data still aims at
 * where the image was linked. (The symbol table holds link addresses on
 * purpose and lies outside both ranges.)
 */
TEST(kaslr, no_pointer_into_the_linked_image_is_left)
{
	uint64_t size = boot_info.kernel_phys_size;

	if (!kaslr_on())
		ktest_skip("nokaslr");
	EXPECT_EQ(stale_words(_rodata_start, _rodata_end, size), 0);
	EXPECT_EQ(stale_words(_data_start, _bss_start, size), 0);
}

TEST(kaslr, symbols_resolve_at_the_moved_address)
{
	uintptr_t off = 0;
	const char *name = ksyms_lookup((uintptr_t)&kmain + 5, &off);

	EXPECT_TRUE(name && strcmp(name, "kmain") == 0);
	EXPECT_EQ(off, 5);
	EXPECT_EQ(ksyms_address("kmain"), (uintptr_t)&kmain);
	/* The link address of kmain is no longer a kernel address. */
	if (kernel_slide() > 0x100000)
		EXPECT_TRUE(
			ksyms_lookup((uintptr_t)&kmain - kernel_slide(), &off) == NULL ||
			strcmp(ksyms_lookup((uintptr_t)&kmain - kernel_slide(), &off), "kmain"));
}

TEST(kaslr, direct_map_in_its_region)
{
	bool la57 = (boot_info.flags & BOOT_FLAG_LA57) != 0;
	uint64_t lo = la57 ? CAIRN_DIRECT_MAP_5LEVEL : CAIRN_DIRECT_MAP_4LEVEL;
	uint64_t hi = la57 ? 0xffff000000000000ull : CAIRN_KVA_BASE;

	EXPECT_TRUE(boot_info.direct_map_base >= lo);
	EXPECT_TRUE(boot_info.direct_map_base + vm_direct_map_end() <= hi);
	EXPECT_EQ(boot_info.direct_map_base % KASLR_DIRECT_ALIGN, 0);
	if (!kaslr_on())
		EXPECT_EQ(boot_info.direct_map_base, lo);
}

TEST(kaslr, heap_and_stacks_in_the_kernel_area)
{
	uint64_t heap = vm_heap_base(), stack = vm_alloc_stack(4096);
	void *p = kmalloc(64);

	/* With KASLR the heap takes the second half of the span (lib/kaslr/kaslr.h). */
	EXPECT_TRUE(heap >= CAIRN_KVA_BASE + (kaslr_on() ? KASLR_KVA_SPAN / 2 : 1ull << 30));
	EXPECT_TRUE(heap + VM_HEAP_MAX <= CAIRN_KVA_BASE + KASLR_KVA_SPAN);
	EXPECT_EQ(heap % KASLR_AREA_ALIGN, 0);
	EXPECT_TRUE(p && (uint64_t)(uintptr_t)p >= heap &&
	            (uint64_t)(uintptr_t)p < heap + VM_HEAP_MAX);
	EXPECT_TRUE(stack > CAIRN_KVA_BASE + CAIRN_KVA_BOOT_STACK_SPAN);
	EXPECT_TRUE(stack < CAIRN_KVA_BASE + KASLR_KVA_SPAN / 2);
	kfree(p);
	if (stack)
		vm_unmap_free(stack - 4096, 1);
}
