/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/kaslr/kreloc.c, which a loader runs on the
 * .kreloc table of a kernel file it has not checked otherwise. The input
 * is split into a table and an image, each copied to an exact-size heap
 * block (the table 4-byte aligned, as malloc gives): a table the check
 * accepts is applied, so ASan catches any field the check let through
 * outside the image.
 */
#include <lib/kaslr/kaslr.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t table_size;
	uint8_t *table, *image;
	const char *why;

	if (size < 2)
		return 0;
	/* The first two bytes say how much of the rest is the table. */
	table_size = ((size_t)data[0] | (size_t)data[1] << 8) % (size - 1);
	data += 2;
	size -= 2;
	table = malloc(table_size ? table_size : 1);
	image = malloc(size - table_size ? size - table_size : 1);
	memcpy(table, data, table_size);
	memcpy(image, data + table_size, size - table_size);
	if (kreloc_check(table, table_size, image, size - table_size, &why) == 0)
		kreloc_apply(table, image, 0x40000000);
	free(table);
	free(image);
	return 0;
}
