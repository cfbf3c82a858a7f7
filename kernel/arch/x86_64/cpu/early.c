// SPDX-License-Identifier: MIT
/*
 * Early x86_64 bring-up on the boot CPU and the small architecture
 * services the generic kernel uses: halting, the cycle counter, leaving
 * QEMU, backtraces and early page-table edits.
 */
#include <cairn/boot.h>

#include <arch/cpu.h>
#include <arch/page.h>
#include <arch/pio.h>

#include <stdbool.h>

#include "arch/arch.h"
#include "arch/x86_64/x86.h"
#include "core/log.h"

#define PTE_P         (1ull << 0)
#define PTE_W         (1ull << 1)
#define PTE_PS        (1ull << 7)
#define PTE_PAT_LARGE (1ull << 12)
#define PTE_PAT_4K    (1ull << 7)
#define PTE_ADDR      0x000ffffffffff000ull

/* QEMU's isa-debug-exit device, when present (-device isa-debug-exit,iobase=0xf4). */
#define QEMU_DEBUG_EXIT_PORT 0xf4

/* One spare page table for splitting a 2 MiB page early in boot. */
static uint64_t split_table[512] __attribute__((aligned(PAGE_SIZE)));
static bool split_used;

static uint64_t *table_at(const struct boot_info *bi, uint64_t entry)
{
	return (uint64_t *)(uintptr_t)(bi->direct_map_base + (entry & PTE_ADDR));
}

static uint64_t kernel_virt_to_phys(const struct boot_info *bi, const void *p)
{
	return (uint64_t)(uintptr_t)p - bi->kernel_virt_base + bi->kernel_phys_base;
}

/* Replace the 2 MiB mapping in *pde with a table of 512 equivalent 4 KiB pages. */
static bool split_large_page(const struct boot_info *bi, uint64_t *pde)
{
	uint64_t base = *pde & PTE_ADDR & ~0x1fffffull;
	uint64_t flags = *pde & ~PTE_ADDR & ~PTE_PS;
	int i;

	if (split_used)
		return false;
	if (flags & PTE_PAT_LARGE)
		flags = (flags & ~PTE_PAT_LARGE) | PTE_PAT_4K;
	for (i = 0; i < 512; i++)
		split_table[i] = (base + (uint64_t)i * PAGE_SIZE) | flags;
	split_used = true;
	*pde = kernel_virt_to_phys(bi, split_table) | PTE_P | PTE_W;
	return true;
}

void x86_unmap_early(const struct boot_info *bi, uintptr_t va)
{
	int levels = (x86_read_cr4() & X86_CR4_LA57) ? 5 : 4;
	uint64_t *table = table_at(bi, x86_read_cr3());
	int level;

	for (level = levels; level > 1; level--) {
		uint64_t *e = &table[(va >> (12 + 9 * (level - 1))) & 511];

		if (!(*e & PTE_P))
			return;
		if ((*e & PTE_PS) && level == 2 && !split_large_page(bi, e))
			return;
		if (*e & PTE_PS)
			return; /* a 1 GiB page: not expected for the kernel image */
		table = table_at(bi, *e);
	}
	table[(va >> 12) & 511] = 0;
	x86_write_cr3(x86_read_cr3());
}

/* The loaders identity-map low memory for the hand-over; nothing may use it now. */
static void drop_identity_map(const struct boot_info *bi)
{
	uint64_t *root = table_at(bi, x86_read_cr3());
	int i;

	for (i = 0; i < 256; i++)
		root[i] = 0;
	x86_write_cr3(x86_read_cr3());
}

void arch_early_init(const struct boot_info *bi)
{
	x86_gdt_init();
	x86_idt_init();
	drop_identity_map(bi);
	x86_tsc_nominal_init();
	pr_info("cpu: GDT, TSS with IST stacks, IDT; TSC %llu kHz until calibrated (%s)",
	        (unsigned long long)arch_cycles_khz(), x86_tsc_nominal_source());
}

void arch_halt(void)
{
	for (;;) {
		x86_cli();
		x86_hlt();
	}
}

void arch_idle(void)
{
	x86_hlt();
}

uint64_t arch_cycles(void)
{
	return x86_rdtsc();
}

void arch_qemu_exit(uint32_t code)
{
	outl(QEMU_DEBUG_EXIT_PORT, code);
}

uintptr_t arch_frame_pointer(void)
{
	return (uintptr_t)__builtin_frame_address(0);
}

/* Follow the saved-RBP chain; frames must move up the stack, so the walk ends. */
void arch_backtrace(uintptr_t fp, void (*fn)(uintptr_t pc, void *ctx), void *ctx)
{
	/* The lowest kernel address: the direct map's base (docs/boot-protocol.md). */
	uintptr_t lowest =
		(x86_read_cr4() & X86_CR4_LA57) ? CAIRN_DIRECT_MAP_5LEVEL : CAIRN_DIRECT_MAP_4LEVEL;
	int depth;

	for (depth = 0; depth < 32; depth++) {
		const uintptr_t *frame = (const uintptr_t *)fp;

		if (fp < lowest || (fp & 7) || frame[1] == 0)
			return;
		fn(frame[1], ctx);
		if (frame[0] <= fp)
			return;
		fp = frame[0];
	}
}
