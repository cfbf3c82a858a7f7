// SPDX-License-Identifier: MIT
/*
 * Symbol lookup over the table tools/ksyms.py generates: link addresses
 * sorted ascending, each with an offset into a blob of NUL-terminated
 * names. Addresses move by the KASLR slide on the way in and out.
 */
#include "core/ksyms.h"

#include <cairn/boot.h>

#include <lib/string.h>

struct ksym {
	uint64_t addr;
	uint32_t name;
	uint32_t reserved;
};

/* Defined by the generated build/gen/ksyms*.S in the .ksyms section. */
extern const struct ksym ksyms_table[];
extern const uint64_t ksyms_count;
extern const char ksyms_names[];
extern char _kernel_start[];

/*
 * Where the image starts now: a field the move patches. Read as volatile,
 * so it is not folded into start - LINK_BASE at compile time, which would
 * become a field patched to the slide itself (tools/kreloc.py refuses it).
 */
static char *volatile image_start = _kernel_start;

uintptr_t kernel_slide(void)
{
	return (uintptr_t)image_start - CAIRN_KERNEL_LINK_BASE;
}

const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset)
{
	size_t lo = 0, hi = ksyms_count;

	addr -= kernel_slide();
	if (hi == 0 || addr < ksyms_table[0].addr)
		return NULL;
	/* Find the last symbol at or below addr. */
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (ksyms_table[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	/* The table ends with a sentinel at the end of the text. */
	if (lo + 1 >= ksyms_count)
		return NULL;
	*offset = addr - ksyms_table[lo].addr;
	return &ksyms_names[ksyms_table[lo].name];
}

uintptr_t ksyms_address(const char *name)
{
	uint64_t i;

	for (i = 0; i < ksyms_count; i++)
		if (strcmp(&ksyms_names[ksyms_table[i].name], name) == 0)
			return ksyms_table[i].addr + kernel_slide();
	return 0;
}
