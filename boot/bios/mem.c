/* SPDX-License-Identifier: MIT */
/*
 * Physical memory for stage 2: the BIOS E820 map, a bump allocator over its
 * usable RAM in [1 MiB, 4 GiB), and the record of what was handed out so
 * the boot_info memory map can tag it (kernel, loader, initrd).
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "boot/bios/bios.h"

#define E820_MAX  128
#define E820_SMAP 0x534d4150u /* "SMAP" */
#define ALLOC_MAX 64
#define MEM_1M    0x100000ull
#define MEM_4G    0x100000000ull

/* ACPI 6.5, 15.1 Address Range Descriptor Structure (INT 15h E820h). */
struct e820_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;  /* 1 usable, 2 reserved, 3 ACPI reclaimable, 4 ACPI NVS, 5 bad */
	uint32_t attrs; /* ACPI 3.0 extended attributes: bit 0 clear = ignore entry */
} __attribute__((packed));

struct alloc_rec {
	uint64_t base, end;
	enum loader_alloc_kind kind;
};

static struct e820_entry e820[E820_MAX];
static unsigned e820_count;
static struct e820_entry e820_buf; /* below 1 MiB: the BIOS writes here */
static uint64_t bump = MEM_1M;     /* next free candidate address */
static struct alloc_rec allocs[ALLOC_MAX];
static unsigned alloc_count;

/*
 * Collect the map with INT 15h EAX=E820h (ACPI 6.5, 15.1; Ralf Brown INT 15h
 * AX=E820h): EBX is the continuation value, 0 after the last entry; CF set
 * past the end. Ask for 24-byte entries; 20-byte answers get attrs = 1.
 */
int mem_init(void)
{
	struct bios_regs r;
	uint32_t cont = 0;

	do {
		memset(&r, 0, sizeof(r));
		e820_buf.attrs = 1;
		r.eax = 0xe820;
		r.edx = E820_SMAP;
		r.ebx = cont;
		r.ecx = sizeof(e820_buf);
		r.es = rm_seg(&e820_buf);
		r.edi = rm_off(&e820_buf);
		bios_int(0x15, &r);
		if ((r.eflags & BIOS_EFLAGS_CF) || r.eax != E820_SMAP)
			break;
		if (r.ecx < 24)
			e820_buf.attrs = 1;
		if (e820_buf.length != 0 && (e820_buf.attrs & 1) && e820_count < E820_MAX)
			e820[e820_count++] = e820_buf;
		cont = r.ebx;
	} while (cont != 0);

	if (e820_count == 0)
		return -EIO;
	for (unsigned i = 0; i < e820_count; i++)
		bios_log("e820: %016llx-%016llx type %u\n", (unsigned long long)e820[i].base,
		         (unsigned long long)(e820[i].base + e820[i].length - 1), e820[i].type);
	return 0;
}

static uint64_t e820_end(const struct e820_entry *e)
{
	uint64_t end = e->base + e->length;

	return end < e->base ? UINT64_MAX : end;
}

/* The usable range containing @a, as [*lo, *hi) page-shrunk; false when none does. */
static bool usable_at(uint64_t a, uint64_t *hi)
{
	for (unsigned i = 0; i < e820_count; i++) {
		uint64_t lo = (e820[i].base + 4095) & ~4095ull;
		uint64_t end = e820_end(&e820[i]) & ~4095ull;

		if (e820[i].type == 1 && a >= lo && a < end) {
			*hi = end;
			return true;
		}
	}
	return false;
}

/* The lowest usable page-aligned start above @a, or 0 when there is none. */
static uint64_t next_usable(uint64_t a)
{
	uint64_t best = 0;

	for (unsigned i = 0; i < e820_count; i++) {
		uint64_t lo = (e820[i].base + 4095) & ~4095ull;

		if (e820[i].type == 1 && lo > a && lo < e820_end(&e820[i]) && (!best || lo < best))
			best = lo;
	}
	return best;
}

/* End of a non-usable range overlapping [a, a + size), or 0 when none does. */
static uint64_t conflict(uint64_t a, uint64_t size)
{
	for (unsigned i = 0; i < e820_count; i++) {
		if (e820[i].type != 1 && e820[i].base < a + size && e820_end(&e820[i]) > a)
			return (e820_end(&e820[i]) + 4095) & ~4095ull;
	}
	return 0;
}

/*
 * First fit at or above the bump pointer: the candidate must lie inside
 * one usable range, overlap no other kind of range (BIOSes do report
 * overlaps) and end below 4 GiB. The pointer only moves up, so nothing is
 * handed out twice.
 */
uint64_t mem_alloc(uint64_t size, uint64_t align)
{
	size = (size + 4095) & ~4095ull;
	if (size == 0 || size > MEM_4G || align < 4096 || (align & (align - 1)))
		return 0;
	for (unsigned tries = 0; tries < 4 * E820_MAX; tries++) {
		uint64_t a = (bump + align - 1) & ~(align - 1), hi, c;

		if (a + size > MEM_4G || a < bump)
			return 0;
		if (!usable_at(a, &hi)) {
			bump = next_usable(a);
			if (!bump)
				return 0;
			continue;
		}
		if (a + size > hi) {
			bump = hi;
			continue;
		}
		c = conflict(a, size);
		if (c) {
			bump = c;
			continue;
		}
		bump = a + size;
		return a;
	}
	return 0;
}

/* Remember [base, base + size) as @kind, merging with the previous record of the same kind. */
static void record(uint64_t base, uint64_t size, enum loader_alloc_kind kind)
{
	struct alloc_rec *last = alloc_count ? &allocs[alloc_count - 1] : NULL;

	/* Fold an alignment gap into the record rather than run out of records. */
	if (last && last->kind == kind && base >= last->end && base - last->end < (2ull << 20)) {
		last->end = base + size;
		return;
	}
	if (alloc_count == ALLOC_MAX) {
		/* Out of records: widen the last one; the memory stays off-limits. */
		last->end = base + size;
		if (kind != last->kind)
			last->kind = LOADER_ALLOC_KERNEL;
		return;
	}
	allocs[alloc_count++] = (struct alloc_rec){ base, base + size, kind };
}

uint64_t mem_alloc_kind(uint64_t size, uint64_t align, enum loader_alloc_kind kind)
{
	uint64_t a = mem_alloc(size, align);

	if (!a)
		return 0;
	size = (size + 4095) & ~4095ull;
	memset((void *)(uintptr_t)a, 0, size);
	record(a, size, kind);
	return a;
}

uint64_t mem_phys_limit(void)
{
	uint64_t limit = MEM_4G;

	for (unsigned i = 0; i < e820_count; i++) {
		uint32_t t = e820[i].type;

		if ((t == 1 || t == 3 || t == 4 || t == 5) && e820_end(&e820[i]) > limit)
			limit = e820_end(&e820[i]);
	}
	return limit;
}

static uint32_t boot_type(uint32_t e820_type)
{
	switch (e820_type) {
	case 1:
		return BOOT_MEM_USABLE;
	case 3:
		return BOOT_MEM_ACPI_RECLAIMABLE;
	case 4:
		return BOOT_MEM_ACPI_NVS;
	case 5:
		return BOOT_MEM_BAD;
	default:
		return BOOT_MEM_RESERVED;
	}
}

static uint32_t alloc_type(enum loader_alloc_kind kind)
{
	switch (kind) {
	case LOADER_ALLOC_KERNEL:
		return BOOT_MEM_KERNEL;
	case LOADER_ALLOC_INITRD:
		return BOOT_MEM_INITRD;
	default:
		return BOOT_MEM_LOADER;
	}
}

/*
 * The E820 ranges as they are, then stage 2's own memory below 1 MiB
 * (the GDT and the hand-over code are in use until the kernel replaces
 * them) and every tagged allocation; memmap_boot_finish() resolves overlaps.
 */
void mem_fill_boot_info(struct boot_info *bi)
{
	for (unsigned i = 0; i < e820_count; i++)
		memmap_boot_add(bi, e820[i].base, e820[i].length, boot_type(e820[i].type));
	memmap_boot_add(bi, STAGE2_BASE, (uintptr_t)__stage2_end - STAGE2_BASE, BOOT_MEM_LOADER);
	for (unsigned i = 0; i < alloc_count; i++)
		memmap_boot_add(bi, allocs[i].base, allocs[i].end - allocs[i].base,
		                alloc_type(allocs[i].kind));
}
