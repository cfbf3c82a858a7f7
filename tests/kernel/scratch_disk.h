/* SPDX-License-Identifier: MIT */
/*
 * Disks the kernel tests may write to: tools/cairntest.py marks each
 * scratch image it attaches with SCRATCH_MAGIC at byte 0 (partitioning
 * tools keep those boot-code bytes), and a test writes only to a disk that
 * carries the mark -- on a UEFI boot vda is the boot disk itself.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "block/blkdev.h"

#define SCRATCH_MAGIC "CAIRN-SCRATCH-DISK"

/* Whether @d's first logical block starts with the mark (a read error: no). */
bool ktest_disk_is_scratch(struct block_device *d);

/*
 * The disk @name with a reference when it carries the mark; otherwise the
 * test is skipped (with @missing as the reason when there is no such disk).
 */
struct block_device *ktest_scratch_disk(const char *name, const char *missing);

/* Fill @p with @len bytes of a pattern that @seed determines. */
void ktest_fill(uint8_t *p, size_t len, uint32_t seed);
