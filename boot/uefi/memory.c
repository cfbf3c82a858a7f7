/* SPDX-License-Identifier: MIT */
/*
 * Physical memory on UEFI: page allocations tagged with our own memory
 * types, the firmware memory map and its translation into boot_info
 * ranges, and ExitBootServices (UEFI 2.10, 7.2 and 7.4).
 */
#include <lib/string.h>

#include "boot/uefi/uefi.h"

#define PAGE 4096ull

static EFI_MEMORY_TYPE alloc_type(enum loader_alloc_kind kind)
{
	switch (kind) {
	case LOADER_ALLOC_KERNEL:
		return UEFI_MEM_KERNEL;
	case LOADER_ALLOC_INITRD:
		return UEFI_MEM_INITRD;
	default:
		return UEFI_MEM_LOADER;
	}
}

/*
 * loader_env.alloc_pages: AllocatePages only promises 4 KiB alignment, so
 * over-allocate by the alignment and give back the head and tail.
 * LOADER_ALLOC_LOW asks for AllocateMaxAddress with the last byte below
 * 4 GiB as the limit (UEFI 2.10, 7.2 AllocatePages).
 * Returns the zeroed block's physical (= identity virtual) address, or 0.
 */
uint64_t uefi_alloc_pages(void *ctx, size_t npages, uint64_t align, enum loader_alloc_kind kind)
{
	uint64_t extra = align > PAGE ? align / PAGE - 1 : 0;
	EFI_ALLOCATE_TYPE how = kind == LOADER_ALLOC_LOW ? AllocateMaxAddress : AllocateAnyPages;
	EFI_PHYSICAL_ADDRESS pa = 0xffffffffull, start;

	if (npages == 0 || !uefi.bs)
		return 0;
	if (EFI_ERROR(uefi.bs->AllocatePages(how, alloc_type(kind), npages + extra, &pa)))
		return 0;
	start = (pa + align - 1) & ~(align - 1);
	if (start > pa)
		uefi.bs->FreePages(pa, (start - pa) / PAGE);
	if (pa + extra * PAGE > start)
		uefi.bs->FreePages(start + npages * PAGE, (pa + extra * PAGE - start) / PAGE);
	if (start == 0) /* keep page 0 out of use: 0 means failure */
		return uefi_alloc_pages(ctx, npages, align, kind);
	memset((void *)(uintptr_t)start, 0, npages * PAGE);
	return start;
}

/* The firmware memory map, fetched into pages we allocate (and never free). */
struct efi_mmap {
	uint8_t *buf;
	UINTN cap;       /* bytes allocated */
	UINTN size;      /* bytes filled */
	UINTN key;       /* for ExitBootServices */
	UINTN desc_size; /* stride: may exceed sizeof(EFI_MEMORY_DESCRIPTOR) */
	UINT32 desc_version;
};

/* Size the buffer with room for the allocation itself and a few more splits. */
static int mmap_alloc(struct efi_mmap *m)
{
	EFI_PHYSICAL_ADDRESS pa;
	EFI_STATUS st;

	m->size = 0;
	st = uefi.bs->GetMemoryMap(&m->size, NULL, &m->key, &m->desc_size, &m->desc_version);
	if (st != EFI_BUFFER_TOO_SMALL || m->desc_size < sizeof(EFI_MEMORY_DESCRIPTOR))
		return -1;
	m->cap = m->size + 64 * m->desc_size;
	if (EFI_ERROR(uefi.bs->AllocatePages(AllocateAnyPages, EfiLoaderData,
	                                     (m->cap + PAGE - 1) / PAGE, &pa)))
		return -1;
	m->buf = (uint8_t *)(uintptr_t)pa;
	return 0;
}

static EFI_STATUS mmap_get(struct efi_mmap *m)
{
	m->size = m->cap;
	return uefi.bs->GetMemoryMap(&m->size, (EFI_MEMORY_DESCRIPTOR *)m->buf, &m->key,
	                             &m->desc_size, &m->desc_version);
}

static const EFI_MEMORY_DESCRIPTOR *mmap_desc(const struct efi_mmap *m, UINTN i)
{
	return (const EFI_MEMORY_DESCRIPTOR *)(m->buf + i * m->desc_size);
}

/*
 * The end of the highest range in the firmware map: the direct map must
 * cover it. Returns 0 when the map cannot be read (the caller then maps 4 GiB).
 */
uint64_t uefi_phys_limit(void)
{
	struct efi_mmap m;
	uint64_t top = 0;

	if (mmap_alloc(&m) || EFI_ERROR(mmap_get(&m)))
		return 0;
	for (UINTN i = 0; i < m.size / m.desc_size; i++) {
		const EFI_MEMORY_DESCRIPTOR *d = mmap_desc(&m, i);
		uint64_t end = d->PhysicalStart + d->NumberOfPages * PAGE;

		if (end > top)
			top = end;
	}
	uefi.bs->FreePages((EFI_PHYSICAL_ADDRESS)(uintptr_t)m.buf, (m.cap + PAGE - 1) / PAGE);
	return top;
}

/*
 * Normalize a UEFI memory type (UEFI 2.10, 7.2, Table 7-6). Loader and boot
 * services memory is free once we have jumped; of the loader's own
 * allocations only those with our custom types survive.
 */
static uint32_t boot_type(UINT32 efi_type)
{
	switch (efi_type) {
	case EfiConventionalMemory:
	case EfiLoaderCode:
	case EfiLoaderData:
	case EfiBootServicesCode:
	case EfiBootServicesData:
		return BOOT_MEM_USABLE;
	case EfiRuntimeServicesCode:
	case EfiRuntimeServicesData:
		return BOOT_MEM_FIRMWARE;
	case EfiACPIReclaimMemory:
		return BOOT_MEM_ACPI_RECLAIMABLE;
	case EfiACPIMemoryNVS:
		return BOOT_MEM_ACPI_NVS;
	case EfiUnusableMemory:
		return BOOT_MEM_BAD;
	case UEFI_MEM_KERNEL:
		return BOOT_MEM_KERNEL;
	case UEFI_MEM_LOADER:
		return BOOT_MEM_LOADER;
	case UEFI_MEM_INITRD:
		return BOOT_MEM_INITRD;
	default:
		return BOOT_MEM_RESERVED; /* MMIO, port space, PAL code, reserved, unknown */
	}
}

static void mmap_convert(const struct efi_mmap *m, struct boot_info *bi)
{
	bi->mmap_count = 0;
	for (UINTN i = 0; i < m->size / m->desc_size; i++) {
		const EFI_MEMORY_DESCRIPTOR *d = mmap_desc(m, i);

		memmap_boot_add(bi, d->PhysicalStart, d->NumberOfPages * PAGE, boot_type(d->Type));
	}
	memmap_boot_finish(bi);
}

/*
 * Take the final memory map and leave boot services. A changed map key
 * makes ExitBootServices fail with EFI_INVALID_PARAMETER; then only
 * GetMemoryMap and ExitBootServices may be called again (UEFI 2.10, 7.4).
 * From the first GetMemoryMap on, the log goes to the serial port only.
 * Halts on failure; on return bi->mmap holds the normalized map.
 */
void uefi_exit_boot_services(struct boot_info *bi)
{
	struct efi_mmap m;
	EFI_STATUS st = EFI_INVALID_PARAMETER;

	if (mmap_alloc(&m))
		uefi_fail("cannot read the memory map\n");
	uefi.console = false;
	for (unsigned tries = 0; tries < 8 && st == EFI_INVALID_PARAMETER; tries++) {
		st = mmap_get(&m);
		if (EFI_ERROR(st))
			break;
		st = uefi.bs->ExitBootServices(uefi.image, m.key);
	}
	if (EFI_ERROR(st))
		uefi_fail("ExitBootServices failed (status 0x%llx)\n", (unsigned long long)st);
	uefi.bs = NULL;
	mmap_convert(&m, bi);
}
