// SPDX-License-Identifier: MIT
/*
 * KASLR in the loaders (docs/kaslr.md): read nokaslr from the command line,
 * draw a seed, move the loaded kernel image by a random slide with its
 * .kreloc table, and record the choice in the boot_info. The direct map and
 * the boot stack follow from the same seed in paging.c.
 */
#include <lib/string.h>

#include "boot/common/internal.h"
#include "boot/common/loader.h"

/* The table must describe this very image, linked where the table says. */
static int check_table(const struct loaded_kernel *k, const char **why)
{
	if (k->virt_base != CAIRN_KERNEL_LINK_BASE) {
		*why = ".kreloc: the image does not start at the link address";
		return -ENOEXEC;
	}
	return kreloc_check(k->kreloc, k->kreloc_size, (const void *)(uintptr_t)k->phys_base,
	                    k->size, why);
}

/* The loaded copy, its entry and its segments all move up by @slide. */
static void move_image(struct loaded_kernel *k, uint64_t slide)
{
	kreloc_apply(k->kreloc, (void *)(uintptr_t)k->phys_base, slide);
	k->entry += slide;
	k->virt_base += slide;
	for (unsigned i = 0; i < k->nsegs; i++)
		k->segs[i].vaddr += slide;
}

int loader_kaslr(const struct loader_env *env, struct loaded_kernel *k, struct boot_info *bi,
                 const struct kaslr_entropy_ops *ops)
{
	uint32_t flags = kaslr_cmdline_flags(bi->cmdline);
	const char *why = "";
	uint64_t seed, slide, slots;
	uint32_t source;

	memset(&bi->kaslr, 0, sizeof(bi->kaslr));
	if (!(flags & BOOT_KASLR_ON)) {
		loader_printf(env, "kaslr: off (nokaslr)\n");
		return 0;
	}
	if (!k->kreloc) {
		loader_printf(env, "kaslr: warning: the kernel has no .kreloc; not moving it\n");
		return 0;
	}
	if (check_table(k, &why)) {
		loader_printf(env, "kernel.elf: %s\n", why);
		return -ENOEXEC;
	}
	source = kaslr_gather(ops, &seed);
	slide = kaslr_image_slide(seed, k->size, false, &slots);
	if (slide == 0) {
		loader_printf(env, "kaslr: warning: no room to move the kernel\n");
		return 0;
	}
	move_image(k, slide);
	bi->kernel_virt_base = k->virt_base;
	bi->kaslr = (struct boot_kaslr){
		.seed = seed, .image_slide = slide, .source = source, .flags = flags
	};
	loader_printf(env, "kaslr: entropy from %s; kernel at one of %llu places 2 MiB apart\n",
	              kaslr_source_name(source), (unsigned long long)slots);
	if (flags & BOOT_KASLR_VERBOSE)
		loader_printf(env, "kaslr: slide 0x%llx, entry 0x%llx\n", (unsigned long long)slide,
		              (unsigned long long)k->entry);
	return 0;
}
