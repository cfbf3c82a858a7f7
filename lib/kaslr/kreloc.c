// SPDX-License-Identifier: MIT
/*
 * Moving the kernel image by its .kreloc table (include/cairn/boot.h,
 * docs/kaslr.md): check that the table and the image belong together, then
 * add the slide to every absolute address the image holds of itself.
 * Position-relative references need nothing, so the kernel stays non-PIC.
 */
#include <cairn/compiler.h>
#include <cairn/errno.h>

#include <lib/string.h>

#include "lib/kaslr/kaslr.h"

static const uint32_t *kreloc_offsets(const void *table)
{
	return (const uint32_t *)((const char *)table + sizeof(struct cairn_kreloc_header));
}

/*
 * Fields sit at any byte offset (instruction immediates). Packed structs
 * let the compiler use plain unaligned loads and stores, which x86 allows,
 * where memcpy would be a call per field (the kernel builds -fno-builtin).
 */
struct unaligned64 {
	uint64_t v;
} __packed;

struct unaligned32 {
	uint32_t v;
} __packed;

/* The value a field holds as an address: 64 bits, or 32 sign-extended. */
static uint64_t field_read(const uint8_t *image, uint32_t off, bool wide)
{
	if (wide)
		return ((const struct unaligned64 *)(image + off))->v;
	return (uint64_t)(int64_t)(int32_t)((const struct unaligned32 *)(image + off))->v;
}

/*
 * Each field inside the image, holding an address of the image or one less
 * than KASLR_IMAGE_ALIGN past its end (an end rounded up to a page), as
 * tools/kreloc.py promises.
 */
static int check_fields(const uint32_t *offs, uint32_t n, bool wide, const uint8_t *image,
                        uint64_t image_size, const char **why)
{
	uint64_t width = wide ? 8 : 4;

	for (uint32_t i = 0; i < n; i++) {
		uint64_t v;

		if (offs[i] > image_size || image_size - offs[i] < width) {
			*why = ".kreloc: a field lies outside the image";
			return -ENOEXEC;
		}
		v = field_read(image, offs[i], wide);
		if (v < CAIRN_KERNEL_LINK_BASE ||
		    v - CAIRN_KERNEL_LINK_BASE >= image_size + KASLR_IMAGE_ALIGN) {
			*why = ".kreloc: a field does not hold an address of the image";
			return -ENOEXEC;
		}
	}
	return 0;
}

int kreloc_check(const void *table, size_t size, const void *image, uint64_t image_size,
                 const char **why)
{
	struct cairn_kreloc_header h;
	uint64_t count;
	int err;

	if (size < sizeof(h) || ((uintptr_t)table & 3)) {
		*why = ".kreloc: section too small or misaligned";
		return -ENOEXEC;
	}
	memcpy(&h, table, sizeof(h));
	if (h.magic != CAIRN_KRELOC_MAGIC || h.link_base != CAIRN_KERNEL_LINK_BASE) {
		*why = ".kreloc: bad magic or link address";
		return -ENOEXEC;
	}
	count = (uint64_t)h.count64 + h.count32;
	if (count > (size - sizeof(h)) / sizeof(uint32_t)) {
		*why = ".kreloc: counts larger than the section";
		return -ENOEXEC;
	}
	err = check_fields(kreloc_offsets(table), h.count64, true, image, image_size, why);
	if (!err)
		err = check_fields(kreloc_offsets(table) + h.count64, h.count32, false, image,
		                   image_size, why);
	return err;
}

void kreloc_apply(const void *table, void *image, uint64_t slide)
{
	const struct cairn_kreloc_header *h = table;
	const uint32_t *offs = kreloc_offsets(table);
	uint8_t *p = image;

	for (uint32_t i = 0; i < h->count64; i++)
		((struct unaligned64 *)(p + offs[i]))->v += slide;
	offs += h->count64;
	for (uint32_t i = 0; i < h->count32; i++)
		((struct unaligned32 *)(p + offs[i]))->v += (uint32_t)slide;
}
