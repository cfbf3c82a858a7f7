/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/cpio/cpio.c: every input is walked from an
 * exact-size heap copy, each member's name and data are read in full so
 * ASan catches any bound the reader got wrong, and a lookup by the first
 * member's name must find a member; names the unpacker's check accepts
 * must be relative and free of "..".
 */
#include <lib/cpio/cpio.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static volatile unsigned int fuzz_sink;

/* A name cpio_name_check() accepts is a suffix of the original with no ".." part and no leading '/'. */
static void fuzz_name(const struct cpio_entry *e)
{
	const char *rel, *why, *p;

	if (cpio_name_check(e->name, 4094, &rel, &why) != 0)
		return;
	if (rel < e->name || rel > e->name + e->namelen || rel[0] == '/')
		abort();
	for (p = rel; (p = strstr(p, "..")) != NULL; p += 2) {
		bool starts = p == rel || p[-1] == '/';
		bool ends = p[2] == '\0' || p[2] == '/';

		if (starts && ends)
			abort();
	}
}

static void fuzz_touch(const uint8_t *p, size_t n)
{
	unsigned int sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += p[i];
	fuzz_sink += sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy = malloc(size ? size : 1);
	struct cpio_entry e, found;
	struct cpio_iter it;
	char first[64] = "";
	int r;

	memcpy(copy, data, size);
	cpio_iter_init(&it, copy, size);
	while ((r = cpio_next(&it, &e)) == 1) {
		fuzz_touch((const uint8_t *)e.name, e.namelen + 1);
		fuzz_touch(e.data, e.size);
		fuzz_name(&e);
		if (!first[0] && e.namelen && e.namelen < sizeof(first))
			memcpy(first, e.name, e.namelen + 1);
	}
	if (first[0] && cpio_find(copy, size, first, &found) != 0)
		abort();
	free(copy);
	return r > 0 ? -1 : 0;
}
