/* SPDX-License-Identifier: MIT */
/*
 * Stage 2 in long mode: find the ESP through the GPT, read the kernel,
 * initrd and command line from its FAT32, then hand over to boot/common to
 * load the kernel, build its page tables and the boot_info, and jump.
 * The order matters: every allocation is done before the memory map is
 * written, and the video mode is set only once the kernel's wishes are known.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "boot/bios/bios.h"
#include "boot/common/entropy.h"

#define KERNEL_PATH  "cairn/kernel.elf"
#define INITRD_PATH  "cairn/initrd"
#define CMDLINE_PATH "cairn/cmdline"
#define CMDLINE_READ 4096 /* bytes of cairn/cmdline looked at */

void stage2_main(uint32_t boot_drive);

static char cmdline_buf[CMDLINE_READ];

/* Read a whole file into fresh memory; the kernel ELF copy itself is not kept. */
static void *read_file(const char *path, struct fat32_file *f, enum loader_alloc_kind kind,
                       bool keep)
{
	uint64_t size, pa;
	int err;

	size = f->size ? f->size : 1;
	pa = keep ? mem_alloc_kind(size, 4096, kind) : mem_alloc(size, 4096);
	if (!pa)
		bios_fail("out of memory for %s (%u bytes)\n", path, f->size);
	err = fat32_read(f, (void *)(uintptr_t)pa, f->size);
	if (err)
		bios_fail("cannot read %s (error %d)\n", path, err);
	return (void *)(uintptr_t)pa;
}

static void *load_kernel_file(uint32_t *size)
{
	struct fat32_file f;
	int err;

	err = fat32_open(KERNEL_PATH, &f);
	if (err == -ENOENT)
		bios_fail("%s not found on the EFI system partition\n", KERNEL_PATH);
	if (err)
		bios_fail("cannot open %s (error %d)\n", KERNEL_PATH, err);
	bios_log("reading %s, %u bytes\n", KERNEL_PATH, f.size);
	*size = f.size;
	return read_file(KERNEL_PATH, &f, LOADER_ALLOC_LOADER, false);
}

static void load_initrd(struct boot_info *bi)
{
	struct fat32_file f;
	int err;

	err = fat32_open(INITRD_PATH, &f);
	if (err == -ENOENT)
		return;
	if (err)
		bios_fail("cannot open %s (error %d)\n", INITRD_PATH, err);
	bios_log("reading %s, %u bytes\n", INITRD_PATH, f.size);
	bi->initrd_phys = (uintptr_t)read_file(INITRD_PATH, &f, LOADER_ALLOC_INITRD, true);
	bi->initrd_size = f.size;
}

/* The first line of cairn/cmdline, cut to what boot_info holds. */
static void load_cmdline(struct boot_info *bi)
{
	struct fat32_file f;
	uint32_t n;
	int err;

	err = fat32_open(CMDLINE_PATH, &f);
	if (err == -ENOENT)
		return;
	if (err == 0)
		err = fat32_read(&f, cmdline_buf, sizeof(cmdline_buf));
	if (err)
		bios_fail("cannot read %s (error %d)\n", CMDLINE_PATH, err);
	n = f.size < sizeof(cmdline_buf) ? f.size : sizeof(cmdline_buf);
	for (uint32_t i = 0; i < n && i < BOOT_CMDLINE_MAX - 1; i++) {
		if (cmdline_buf[i] == '\n' || cmdline_buf[i] == '\r' || cmdline_buf[i] == '\0')
			break;
		bi->cmdline[i] = cmdline_buf[i];
	}
	bios_log("command line \"%s\"\n", bi->cmdline);
}

/*
 * Page tables for the kernel: 5-level when the CPU has LA57 and the kernel
 * agrees (loader_want_la57()), else, or when that fails, 4-level.
 */
static void build_tables(const struct loaded_kernel *k, struct boot_info *bi,
                         struct loader_tables *t)
{
	int err = -EINVAL;

	if (loader_want_la57(k)) {
		err = loader_build_page_tables(&bios_env, k, mem_phys_limit(), true, bi, t);
		if (err)
			bios_log("no 5-level page tables (error %d); using 4 levels\n", err);
	}
	if (err)
		err = loader_build_page_tables(&bios_env, k, mem_phys_limit(), false, bi, t);
	if (err)
		bios_fail("cannot build the kernel page tables (error %d)\n", err);
}

static void find_files(void)
{
	uint64_t esp_lba, esp_sectors;

	if (gpt_find_esp(&esp_lba, &esp_sectors) != 0)
		bios_fail("cannot find the EFI system partition\n");
	if (fat32_mount(esp_lba, esp_sectors) != 0)
		bios_fail("cannot mount the EFI system partition as FAT32\n");
}

/* Read the kernel and let boot/common load it; returns the boot_info to fill. */
static struct boot_info *load_kernel(struct loaded_kernel *k)
{
	struct boot_info *bi;
	uint32_t ksize;
	void *kfile;

	kfile = load_kernel_file(&ksize);
	bi = (struct boot_info *)(uintptr_t)mem_alloc_kind(sizeof(*bi), 4096, LOADER_ALLOC_LOADER);
	if (!bi)
		bios_fail("out of memory for the boot info\n");
	if (loader_load_kernel(&bios_env, kfile, ksize, k) != 0)
		bios_fail("cannot load %s\n", KERNEL_PATH);
	loader_init_boot_info(bi, k, BOOT_METHOD_BIOS);
	return bi;
}

/*
 * Set the video mode and jump. The mode set comes last: after it the text
 * screen is gone, so every error before it is still visible there.
 */
static __attribute__((noreturn)) void hand_over(const struct loaded_kernel *k, struct boot_info *bi,
                                                const struct loader_tables *t)
{
	struct boot_framebuffer fb = { 0 };
	uint64_t bi_virt = bi->direct_map_base + (uintptr_t)bi;

	if (vbe_set_mode(k->config.fb_width, k->config.fb_height, &fb) == 0)
		bi->fb = fb;
	loader_enter_kernel(t, k->entry, bi->stack_top, bi_virt);
}

/* KASLR from the CPU's sources (docs/kaslr.md); a table that does not match the image stops. */
static void randomise(struct loaded_kernel *k, struct boot_info *bi)
{
	struct kaslr_entropy_ops ops;

	boot_entropy_cpu_ops(&ops);
	if (loader_kaslr(&bios_env, k, bi, &ops))
		bios_fail("cannot load %s\n", KERNEL_PATH);
}

/* Called by stage2_entry.S in long mode, identity-mapped, interrupts off. */
void stage2_main(uint32_t boot_drive)
{
	struct loaded_kernel k;
	struct loader_tables t;
	struct boot_info *bi;

	console_init();
	bios_log("cairn stage 2, boot drive 0x%x\n", boot_drive);
	if (!stage2_cpu_nx)
		bios_fail("this CPU has no execute-disable (NX) bit\n");
	if (mem_init() != 0)
		bios_fail("the BIOS gave no E820 memory map\n");
	if (disk_init((uint8_t)boot_drive) != 0)
		bios_fail("cannot use the boot disk\n");
	find_files();

	bi = load_kernel(&k);
	load_initrd(bi);
	load_cmdline(bi);
	bi->tsc_at_loader_entry = stage2_tsc;
	bi->rsdp_phys = acpi_find_rsdp();
	memcpy(bi->loader_name, "cairn-bios", sizeof("cairn-bios"));
	randomise(&k, bi);

	build_tables(&k, bi, &t);
	mem_fill_boot_info(bi);
	memmap_boot_finish(bi);
	/* The entry as linked: where KASLR put it is for kaslr=verbose alone. */
	bios_log("kernel at 0x%llx, entry 0x%llx, %u memory ranges, rsdp 0x%llx, %d-level paging\n",
	         (unsigned long long)k.phys_base,
	         (unsigned long long)(k.entry - bi->kaslr.image_slide), bi->mmap_count,
	         (unsigned long long)bi->rsdp_phys, t.la57 ? 5 : 4);
	hand_over(&k, bi, &t);
}
