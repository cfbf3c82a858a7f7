/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/part: the input is a disk image of 512-byte
 * blocks (the first byte picks 4096-byte blocks when odd, and a size in
 * blocks larger than the data, whose missing blocks read as zeros or
 * fail), so headers, entry arrays and EBR chains can point anywhere.
 * Every partition returned must lie on the disk and inside the table's
 * limits; reads stay within the disk.
 */
#include <cairn/errno.h>

#include <lib/part/part.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct fdisk {
	const uint8_t *data;
	size_t size;
	uint32_t lbsize;
	uint64_t nblocks;
	unsigned reads;
};

static int fuzz_read(void *ctx, uint64_t lba, void *buf)
{
	struct fdisk *d = ctx;
	uint64_t off = lba * d->lbsize;

	if (lba >= d->nblocks)
		abort(); /* the reader must never ask past the disk */
	if (++d->reads > 100000)
		abort(); /* nor loop */
	memset(buf, 0, d->lbsize);
	if (lba == d->nblocks - 1 && (d->data[0] & 2))
		return -EIO;
	if (off < d->size)
		memcpy(buf, d->data + off, d->size - off < d->lbsize ? d->size - off : d->lbsize);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct part_table t;
	static uint8_t buf[4096];
	struct fdisk d = { data, size, 512, 0, 0 };
	struct part_dev dev = { fuzz_read, &d, 512, 0, buf };

	if (size < 1)
		return 0;
	if (data[0] & 1)
		d.lbsize = 4096;
	d.nblocks = size / d.lbsize + (data[0] >> 2);
	dev.lbsize = d.lbsize;
	dev.nblocks = d.nblocks;
	if (part_scan(&dev, &t) != 0)
		return 0;
	if (t.n > PART_MAX)
		abort();
	for (unsigned i = 0; i < t.n; i++) {
		const struct part_entry *e = &t.e[i];

		if (!e->count || e->start >= d.nblocks || e->count > d.nblocks - e->start ||
		    e->number == 0)
			abort();
	}
	return 0;
}
