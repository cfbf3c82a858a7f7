// SPDX-License-Identifier: MIT
/* The scratch-disk helpers the disk driver and block tests share (scratch_disk.h). */
#include "scratch_disk.h"

#include <lib/string.h>

#include "core/ktest.h"
#include "mm/heap.h"

bool ktest_disk_is_scratch(struct block_device *d)
{
	uint8_t *b = kmalloc(4096);
	bool yes = b && blk_rw(d, BIO_READ, 0, b, d->lbsize) == 0 &&
	           memcmp(b, SCRATCH_MAGIC, sizeof(SCRATCH_MAGIC) - 1) == 0;

	kfree(b);
	return yes;
}

struct block_device *ktest_scratch_disk(const char *name, const char *missing)
{
	struct block_device *d = blk_lookup(name);

	if (!d)
		ktest_skip(missing);
	if (!ktest_disk_is_scratch(d)) {
		blk_put(d);
		ktest_skip("the disk is not marked as scratch: not writing to it");
	}
	return d;
}

void ktest_fill(uint8_t *p, size_t len, uint32_t seed)
{
	for (size_t i = 0; i < len; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
}
