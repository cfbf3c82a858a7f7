/* SPDX-License-Identifier: MIT */
/*
 * The UEFI loader's entry: read cairn/kernel.elf (and the optional initrd
 * and cmdline) from the ESP, load it through boot/common, fill the
 * boot_info, build the page tables, leave boot services and jump.
 * The boot protocol is in docs/boot-protocol.md.
 */
#include <cairn/errno.h>

#include <lib/format.h>
#include <lib/string.h>

#include "boot/common/entropy.h"
#include "boot/uefi/uefi.h"

#define LOADER_NAME "cairn-uefi"

struct uefi_state uefi = { .line_start = true };

const struct loader_env uefi_env = {
	.ctx = NULL,
	.alloc_pages = uefi_alloc_pages,
	.puts = uefi_puts,
};

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

void uefi_boot_failed(void)
{
	uefi_puts(NULL, "cairn: boot failed, halting\n");
	uefi_halt();
}

void uefi_fail(const char *fmt, ...)
{
	char buf[160];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	uefi_puts(NULL, buf);
	uefi_boot_failed();
}

/* Read and load the kernel; halts with the reason on any error. */
static void load_kernel(struct loaded_kernel *k)
{
	void *file;
	uint64_t size;
	int err;

	err = uefi_read_file(L"cairn\\kernel.elf", EfiLoaderData, &file, &size);
	if (err == -ENOENT)
		uefi_fail("cairn/kernel.elf not found on the boot volume\n");
	if (err)
		uefi_fail("cannot read cairn/kernel.elf (error %d)\n", err);
	if (loader_load_kernel(&uefi_env, file, size, k))
		uefi_boot_failed(); /* the reason is printed already */
	loader_printf(&uefi_env, "kernel %llu KiB at 0x%llx, entry 0x%llx\n",
	              (unsigned long long)(k->size >> 10), (unsigned long long)k->phys_base,
	              (unsigned long long)k->entry);
}

/* The optional initrd goes straight into pages typed BOOT_MEM_INITRD. */
static void load_initrd(struct boot_info *bi)
{
	void *data;
	uint64_t size;
	int err = uefi_read_file(L"cairn\\initrd", UEFI_MEM_INITRD, &data, &size);

	if (err == -ENOENT)
		return;
	if (err)
		uefi_fail("cannot read cairn/initrd (error %d)\n", err);
	bi->initrd_phys = (uint64_t)(uintptr_t)data;
	bi->initrd_size = size;
	loader_printf(&uefi_env, "initrd %llu KiB\n", (unsigned long long)(size >> 10));
}

static bool guid_eq(const EFI_GUID *a, const EFI_GUID *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

/* The RSDP from the configuration table, ACPI 2.0 preferred (UEFI 2.10, 4.6). */
static uint64_t find_rsdp(void)
{
	EFI_GUID acpi20 = ACPI_20_TABLE_GUID, acpi10 = ACPI_TABLE_GUID;
	uint64_t v1 = 0;

	for (UINTN i = 0; i < uefi.st->NumberOfTableEntries; i++) {
		const EFI_CONFIGURATION_TABLE *t = &uefi.st->ConfigurationTable[i];

		if (guid_eq(&t->VendorGuid, &acpi20))
			return (uint64_t)(uintptr_t)t->VendorTable;
		if (guid_eq(&t->VendorGuid, &acpi10))
			v1 = (uint64_t)(uintptr_t)t->VendorTable;
	}
	return v1;
}

/* Allocate the boot_info in loader pages and fill everything but the memory map. */
static struct boot_info *make_boot_info(const struct loaded_kernel *k, uint64_t tsc)
{
	uint64_t pages = (sizeof(struct boot_info) + 4095) / 4096;
	struct boot_info *bi;

	bi = (struct boot_info *)(uintptr_t)uefi_alloc_pages(NULL, pages, 4096,
	                                                     LOADER_ALLOC_LOADER);
	if (!bi)
		uefi_fail("out of memory for the boot info\n");
	loader_init_boot_info(bi, k, BOOT_METHOD_UEFI);
	bi->tsc_at_loader_entry = tsc;
	memcpy(bi->loader_name, LOADER_NAME, sizeof(LOADER_NAME));
	uefi_read_cmdline(bi->cmdline, sizeof(bi->cmdline));
	load_initrd(bi);
	bi->rsdp_phys = find_rsdp();
	if (!bi->rsdp_phys)
		loader_printf(&uefi_env, "warning: no ACPI RSDP\n");
	uefi_find_framebuffer(&k->config, &bi->fb);
	return bi;
}

static uint64_t usable_mib(const struct boot_info *bi)
{
	uint64_t bytes = 0;

	for (uint32_t i = 0; i < bi->mmap_count; i++) {
		if (bi->mmap[i].type == BOOT_MEM_USABLE)
			bytes += bi->mmap[i].length;
	}
	return bytes >> 20;
}

/*
 * The kernel's page tables: 5-level when the CPU and the kernel agree, else
 * (or when that fails) 4-level. Halts when neither can be built.
 */
static void build_tables(const struct loaded_kernel *k, struct boot_info *bi,
                         struct loader_tables *t)
{
	uint64_t limit = uefi_phys_limit();
	int err = -EINVAL;

	if (loader_want_la57(k)) {
		err = loader_build_page_tables(&uefi_env, k, limit, true, bi, t);
		if (err)
			loader_printf(&uefi_env,
			              "no 5-level page tables (error %d); using 4 levels\n", err);
	}
	if (err)
		err = loader_build_page_tables(&uefi_env, k, limit, false, bi, t);
	if (err)
		uefi_fail("cannot build page tables (error %d)\n", err);
}

/* EFI_RNG_PROTOCOL's default algorithm (UEFI 2.10, 37.5): one 64-bit value, or false. */
static bool efi_rng(void *ctx, uint64_t *out)
{
	EFI_GUID guid = EFI_RNG_PROTOCOL_GUID;
	EFI_RNG_PROTOCOL *rng;

	if (EFI_ERROR(uefi.bs->LocateProtocol(&guid, NULL, (void **)&rng)) || !rng)
		return false;
	return !EFI_ERROR(rng->GetRNG(rng, NULL, sizeof(*out), (UINT8 *)out));
}

/* KASLR: the CPU's sources first, then the firmware's (docs/kaslr.md); halts on a bad table. */
static void randomise(struct loaded_kernel *k, struct boot_info *bi)
{
	struct kaslr_entropy_ops ops;

	boot_entropy_cpu_ops(&ops);
	ops.firmware = efi_rng;
	if (loader_kaslr(&uefi_env, k, bi, &ops))
		uefi_boot_failed(); /* the reason is printed already */
}

/* Everything after the TSC read; never returns. */
static __attribute__((noreturn)) void boot(uint64_t tsc)
{
	struct loaded_kernel k;
	struct loader_tables t;
	struct boot_info *bi;

	if (uefi_open_volume())
		uefi_fail("cannot open the boot volume\n");
	load_kernel(&k);
	bi = make_boot_info(&k, tsc);
	randomise(&k, bi);
	build_tables(&k, bi, &t);
	uefi_exit_boot_services(bi);
	loader_printf(&uefi_env,
	              "%u memory ranges, %llu MiB usable; starting the kernel, %d-level paging\n",
	              bi->mmap_count, (unsigned long long)usable_mib(bi), t.la57 ? 5 : 4);
	loader_enter_kernel(&t, k.entry, bi->stack_top,
	                    bi->direct_map_base + (uint64_t)(uintptr_t)bi);
}

/* Called by gnu-efi's crt0 (System V ABI) after it has relocated the image. */
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);
EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	uint64_t tsc = rdtsc();

	uefi.image = image;
	uefi.st = st;
	uefi.bs = st->BootServices;
	uefi.console = true;
	loader_serial_init();
	/* The firmware's 5-minute watchdog must not reset a halted loader (UEFI 2.10, 7.5). */
	uefi.bs->SetWatchdogTimer(0, 0, 0, NULL);
	uefi_console_init();
	loader_printf(&uefi_env, LOADER_NAME " starting\n");
	boot(tsc);
}
