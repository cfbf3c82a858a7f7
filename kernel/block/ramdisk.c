// SPDX-License-Identifier: MIT
/*
 * RAM disks (Linux's brd): block devices whose sectors live in page
 * frames, allocated on first write and given back on discard. `ramdisk_size=`
 * KiB on the command line makes ram0 at boot; tests and the file-system
 * lanes make their own with ramdisk_create(). Requests complete inside
 * submit, so they exercise the whole layer without a device.
 *
 * Locks: [P] the disk's page lock (a spinlock: it guards the page table).
 */
#include <cairn/errno.h>

#include <arch/page.h>
#include <lib/format.h>
#include <lib/string.h>

#include "block/blkdev.h"
#include "core/cmdline.h"
#include "core/kmain.h"
#include "core/log.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "sched/spinlock.h"

#define RAMDISK_MAX_BYTES (1ull << 36) /* 64 GiB: the page table stays a plain array */

struct ramdisk {
	struct block_device bdev;
	struct spinlock lock;
	uint64_t npages;
	uint64_t *pages; /* [P] frame of each page, 0: never written (reads as zeros) */
};

/* The frame of page @i, allocated (zeroed) when @make; 0 when absent or out of memory. */
static uint64_t ram_page(struct ramdisk *r, uint64_t i, bool make)
{
	uint64_t pa;

	spin_lock(&r->lock);
	pa = r->pages[i];
	spin_unlock(&r->lock);
	if (pa || !make)
		return pa;
	pa = pmm_alloc_pages(0, PMM_ZERO);
	if (!pa)
		return 0;
	spin_lock(&r->lock);
	if (r->pages[i]) {
		/* Another writer made it meanwhile. */
		spin_unlock(&r->lock);
		pmm_free_pages(pa, 0);
		spin_lock(&r->lock);
	} else {
		r->pages[i] = pa;
	}
	pa = r->pages[i];
	spin_unlock(&r->lock);
	return pa;
}

/* Copy one piece of a request at byte offset @off of the disk. */
static int ram_copy(struct ramdisk *r, enum bio_op op, uint64_t off, const struct bio_vec *v)
{
	uint64_t done = 0;

	while (done < v->len) {
		uint64_t page = (off + done) / PAGE_SIZE, in = (off + done) % PAGE_SIZE;
		uint64_t n = PAGE_SIZE - in < v->len - done ? PAGE_SIZE - in : v->len - done;
		uint64_t pa = ram_page(r, page, op == BIO_WRITE);
		char *mem = phys_to_virt(v->pa + done);

		if (op == BIO_WRITE) {
			if (!pa)
				return -ENOSPC;
			memcpy((char *)phys_to_virt(pa) + in, mem, n);
		} else if (pa) {
			memcpy(mem, (char *)phys_to_virt(pa) + in, n);
		} else {
			memset(mem, 0, n);
		}
		done += n;
	}
	return 0;
}

/* Forget whole pages inside the range (partial pages keep their bytes, as a discard may). */
static void ram_discard(struct ramdisk *r, uint64_t off, uint64_t bytes)
{
	uint64_t first = (off + PAGE_SIZE - 1) / PAGE_SIZE, end = (off + bytes) / PAGE_SIZE;

	for (uint64_t i = first; i < end; i++) {
		uint64_t pa;

		spin_lock(&r->lock);
		pa = r->pages[i];
		r->pages[i] = 0;
		spin_unlock(&r->lock);
		if (pa)
			pmm_free_pages(pa, 0);
	}
}

static int ram_submit(struct block_device *d, struct bio *b)
{
	struct ramdisk *r = (struct ramdisk *)d;
	uint64_t off = b->sector << SECTOR_SHIFT;
	int err = 0;

	switch (b->op) {
	case BIO_READ:
	case BIO_WRITE:
		for (unsigned i = 0; i < b->nvec && !err; i++) {
			err = ram_copy(r, b->op, off, &b->vec[i]);
			off += b->vec[i].len;
		}
		break;
	case BIO_DISCARD:
		ram_discard(r, off, b->bytes);
		break;
	default:
		break;
	}
	blk_complete(b, err);
	return 0;
}

static void ram_release(struct block_device *d)
{
	struct ramdisk *r = (struct ramdisk *)d;

	for (uint64_t i = 0; i < r->npages; i++)
		if (r->pages[i])
			pmm_free_pages(r->pages[i], 0);
	kfree(r->pages);
	kfree(r);
}

static const struct blk_ops ram_ops = {
	.submit = ram_submit,
	.release = ram_release,
};

/* Pick the first free "ramN" name into @name. */
static void ram_name(char *name, size_t n)
{
	for (unsigned i = 0;; i++) {
		struct block_device *d;

		fmt_snprintf(name, n, "ram%u", i);
		d = blk_lookup(name);
		if (!d)
			return;
		blk_put(d);
	}
}

int ramdisk_create(uint64_t bytes, struct block_device **out)
{
	struct ramdisk *r;
	int err;

	if (!bytes || bytes % PAGE_SIZE || bytes > RAMDISK_MAX_BYTES)
		return -EINVAL;
	r = kmalloc_flags(sizeof(*r), KM_ZERO | KM_MAY_FAIL);
	if (!r)
		return -ENOMEM;
	r->npages = bytes / PAGE_SIZE;
	r->pages = kmalloc_flags(r->npages * sizeof(uint64_t), KM_ZERO | KM_MAY_FAIL);
	if (!r->pages) {
		kfree(r);
		return -ENOMEM;
	}
	spin_init(&r->lock, "ramdisk");
	ram_name(r->bdev.name, sizeof(r->bdev.name));
	r->bdev.lbsize = 512;
	r->bdev.nr_sectors = bytes >> SECTOR_SHIFT;
	r->bdev.flags = BLK_DISCARD;
	r->bdev.ops = &ram_ops;
	err = blk_register(&r->bdev);
	if (err) {
		kfree(r->pages);
		kfree(r);
		return err;
	}
	blk_get(&r->bdev);
	*out = &r->bdev;
	return 0;
}

void ramdisk_destroy(struct block_device *d)
{
	blk_unregister(d);
	blk_put(d);
}

int ramdisk_init(void)
{
	const char *v = cmdline_get("ramdisk_size");
	struct block_device *d;
	uint64_t kib = 0;
	int err;

	if (!v)
		return 0;
	for (; *v >= '0' && *v <= '9'; v++)
		kib = kib * 10 + (uint64_t)(*v - '0');
	if (!kib)
		return 0;
	err = ramdisk_create((kib * 1024 + PAGE_SIZE - 1) / PAGE_SIZE * PAGE_SIZE, &d);
	if (err)
		return err;
	/* The registry keeps it; ram0 lives until power-off. */
	blk_put(d);
	return 0;
}
