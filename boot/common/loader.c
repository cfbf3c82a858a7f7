/* SPDX-License-Identifier: MIT */
/*
 * Loading the kernel ELF for both loaders: validate the file (lib/elf/elf.c),
 * check that every segment sits in the kernel's -2 GiB area, copy the image
 * into one physically contiguous 2 MiB aligned block, read .cairn.config,
 * and fill the fixed fields of the boot_info.
 */
#include "boot/common/loader.h"

#include <lib/elf/elf.h>
#include <lib/string.h>

#include "boot/common/internal.h"

#define KERNEL_ALIGN    (2ull << 20)
#define KERNEL_MAX_SIZE (1ull << 30) /* far more than -mcmodel=kernel can use */
#define STACK_MIN       (16ull << 10)
#define STACK_MAX       (1ull << 20)

/*
 * Find the page-rounded virtual span of the PT_LOAD segments and check that
 * it lies in [CAIRN_KERNEL_VMA_BASE, 2^64) and is of a sane size.
 * elf_validate() has already checked bounds, wrap-around and overlaps.
 */
static int kernel_span(const struct elf_file *elf, uint64_t *lo, uint64_t *hi, const char **why)
{
	unsigned nload = 0;

	*lo = UINT64_MAX;
	*hi = 0;
	for (unsigned i = 0; i < elf->ehdr->e_phnum; i++) {
		const struct elf64_phdr *ph = &elf->phdrs[i];

		if (ph->p_type != ELF_PT_LOAD || ph->p_memsz == 0)
			continue;
		if (ph->p_vaddr < CAIRN_KERNEL_VMA_BASE ||
		    ph->p_memsz > UINT64_MAX - BOOT_PAGE_SIZE - ph->p_vaddr) {
			*why = "segment outside the kernel area (-2 GiB)";
			return -ENOEXEC;
		}
		if (++nload > 16) {
			*why = "more than 16 loadable segments";
			return -ENOEXEC;
		}
		if (ldr_page_down(ph->p_vaddr) < *lo)
			*lo = ldr_page_down(ph->p_vaddr);
		if (ldr_page_up(ph->p_vaddr + ph->p_memsz) > *hi)
			*hi = ldr_page_up(ph->p_vaddr + ph->p_memsz);
	}
	if (nload == 0) {
		*why = "no loadable segments";
		return -ENOEXEC;
	}
	if (*hi - *lo > KERNEL_MAX_SIZE) {
		*why = "image larger than 1 GiB";
		return -ENOEXEC;
	}
	return 0;
}

/* The entry point must fall inside an executable segment. */
static bool entry_ok(const struct elf_file *elf)
{
	uint64_t e = elf->ehdr->e_entry;

	for (unsigned i = 0; i < elf->ehdr->e_phnum; i++) {
		const struct elf64_phdr *ph = &elf->phdrs[i];

		if (ph->p_type == ELF_PT_LOAD && (ph->p_flags & ELF_PF_X) && e >= ph->p_vaddr &&
		    e - ph->p_vaddr < ph->p_memsz)
			return true;
	}
	return false;
}

/* Copy each PT_LOAD segment to its place in the block at @k->phys_base. */
static void copy_segments(const struct elf_file *elf, struct loaded_kernel *k)
{
	k->nsegs = 0;
	for (unsigned i = 0; i < elf->ehdr->e_phnum; i++) {
		const struct elf64_phdr *ph = &elf->phdrs[i];
		uint64_t pa = k->phys_base + (ph->p_vaddr - k->virt_base);

		if (ph->p_type != ELF_PT_LOAD || ph->p_memsz == 0)
			continue;
		/* The block was zeroed when allocated, which clears the .bss part. */
		memcpy((void *)(uintptr_t)pa, elf->data + ph->p_offset, ph->p_filesz);
		k->segs[k->nsegs].vaddr = ldr_page_down(ph->p_vaddr);
		k->segs[k->nsegs].paddr = ldr_page_down(pa);
		k->segs[k->nsegs].memsz =
			ldr_page_up(ph->p_vaddr + ph->p_memsz) - ldr_page_down(ph->p_vaddr);
		k->segs[k->nsegs].write = (ph->p_flags & ELF_PF_W) != 0;
		k->segs[k->nsegs].exec = (ph->p_flags & ELF_PF_X) != 0;
		k->nsegs++;
	}
}

/*
 * Read .cairn.config into @cfg, or the defaults when the kernel has none.
 * A present but malformed section is an error; a stack size out of range is
 * rounded up to 4 KiB and clamped to 16 KiB..1 MiB.
 */
static int read_config(const struct elf_file *elf, struct cairn_config *cfg, const char **why)
{
	const struct cairn_config *c;
	size_t size;

	memset(cfg, 0, sizeof(*cfg));
	cfg->magic = CAIRN_CONFIG_MAGIC;
	cfg->version = CAIRN_CONFIG_VERSION;
	cfg->size = sizeof(*cfg);
	cfg->stack_size = CAIRN_CONFIG_DEFAULT_STACK;

	c = elf_find_section(elf, CAIRN_CONFIG_SECTION, &size);
	if (!c)
		return 0;
	if (size < sizeof(*c)) {
		*why = ".cairn.config: section too small";
		return -ENOEXEC;
	}
	/* The section may be unaligned inside the file buffer: copy it out. */
	memcpy(cfg, c, sizeof(*cfg));
	if (cfg->magic != CAIRN_CONFIG_MAGIC || cfg->version < 1 || cfg->size < sizeof(*cfg)) {
		*why = ".cairn.config: bad magic, version or size";
		return -ENOEXEC;
	}
	if (cfg->stack_size == 0)
		cfg->stack_size = CAIRN_CONFIG_DEFAULT_STACK;
	cfg->stack_size = ldr_page_up(cfg->stack_size);
	if (cfg->stack_size < STACK_MIN)
		cfg->stack_size = STACK_MIN;
	if (cfg->stack_size > STACK_MAX)
		cfg->stack_size = STACK_MAX;
	return 0;
}

/* Validate everything about the file before allocating anything. */
static int check_kernel(const void *file, size_t size, struct elf_file *elf,
                        struct loaded_kernel *out, const char **why)
{
	uint64_t lo, hi;
	int err;

	err = elf_validate(elf, file, size, why);
	if (err)
		return err;
	err = kernel_span(elf, &lo, &hi, why);
	if (err)
		return err;
	if (!entry_ok(elf)) {
		*why = "entry point not in an executable segment";
		return -ENOEXEC;
	}
	err = read_config(elf, &out->config, why);
	if (err)
		return err;
	out->kreloc = elf_find_section(elf, CAIRN_KRELOC_SECTION, &out->kreloc_size);
	out->entry = elf->ehdr->e_entry;
	out->virt_base = lo;
	out->size = hi - lo;
	return 0;
}

int loader_load_kernel(const struct loader_env *env, const void *file, size_t size,
                       struct loaded_kernel *out)
{
	struct elf_file elf;
	const char *why = "invalid ELF file";
	int err;

	memset(out, 0, sizeof(*out));
	err = check_kernel(file, size, &elf, out, &why);
	if (err) {
		loader_printf(env, "kernel.elf: %s\n", why);
		return err < 0 ? err : -EINVAL;
	}
	out->phys_base = env->alloc_pages(env->ctx, out->size / BOOT_PAGE_SIZE, KERNEL_ALIGN,
	                                  LOADER_ALLOC_KERNEL);
	if (!out->phys_base) {
		loader_printf(env, "kernel.elf: cannot allocate %llu KiB for the image\n",
		              (unsigned long long)(out->size >> 10));
		return -ENOMEM;
	}
	copy_segments(&elf, out);
	return 0;
}

void loader_init_boot_info(struct boot_info *bi, const struct loaded_kernel *k, uint32_t method)
{
	memset(bi, 0, sizeof(*bi));
	bi->magic = CAIRN_BOOT_MAGIC;
	bi->version = CAIRN_BOOT_VERSION;
	bi->size = sizeof(*bi);
	bi->method = method;
	bi->direct_map_base = CAIRN_DIRECT_MAP_4LEVEL;
	bi->kernel_phys_base = k->phys_base;
	bi->kernel_phys_size = k->size;
	bi->kernel_virt_base = k->virt_base;
	bi->stack_size = k->config.stack_size;
}
