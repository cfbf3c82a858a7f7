// SPDX-License-Identifier: MIT
/*
 * O_DIRECT on block device files: the user's pages are faulted in (made
 * writable for a read into them), pinned with a frame reference, and the
 * bio's pieces are their frames, so the bytes go between the device and
 * the user's memory without a copy. Offsets, lengths and buffer addresses
 * must be multiples of the logical block size (-EINVAL otherwise, as
 * Linux). Cached buffers of the device are written back and dropped
 * first, so the cache and the direct I/O never disagree.
 */
#include <cairn/errno.h>

#include <arch/page.h>
#include <lib/paging/paging.h>

#include "block/blkdev.h"
#include "block/internal.h"
#include "fs/file.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/uspace.h"

#define DIRECT_MAX_VECS 256 /* 1 MiB of pages per request */

/* The frame under user address @va, faulted in and pinned (a frame reference). 0: -EFAULT. */
static uint64_t pin_user_page(struct uspace *s, uintptr_t va, bool writable)
{
	uint64_t pa;
	uint32_t fl;

	for (int tries = 0; tries < 4; tries++) {
		if (!uspace_translate(s, va, &pa, &fl) && (!writable || (fl & PT_WRITE))) {
			struct pmm_frame *f = pmm_frame(pa & ~(uint64_t)(PAGE_SIZE - 1));

			/* The frame could go between the walk and here (munmap): then it has no refs. */
			if (f && pmm_frame_get(f) == 0)
				return pa;
			return 0;
		}
		if (uspace_fault(s, va, (writable ? UFAULT_WRITE : 0) | UFAULT_USER))
			return 0;
	}
	return 0;
}

static void unpin(const struct bio_vec *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		pmm_frame_put(pmm_frame(v[i].pa & ~(uint64_t)(PAGE_SIZE - 1)));
}

/* The user address at @u's position. */
static uintptr_t uio_addr(const struct uio *u)
{
	return u->seg->base + u->off;
}

/* Move @u on by @n bytes without copying (the device moved them). */
static void uio_skip(struct uio *u, size_t n)
{
	while (n && u->nseg) {
		size_t left = u->seg->len - u->off, step = n < left ? n : left;

		u->off += step;
		u->resid -= step;
		n -= step;
		if (u->off == u->seg->len) {
			u->seg++;
			u->nseg--;
			u->off = 0;
		}
	}
}

/* Pin up to @max bytes of @u's current segment into @v; returns the bytes (0: fault). */
static size_t pin_run(struct uspace *s, const struct uio *u, size_t max, bool writable,
                      struct bio_vec *v, unsigned *n)
{
	uintptr_t va = uio_addr(u);
	size_t left = u->seg->len - u->off, done = 0;

	left = left < max ? left : max;
	*n = 0;
	while (done < left && *n < DIRECT_MAX_VECS) {
		size_t chunk = PAGE_SIZE - ((va + done) & (PAGE_SIZE - 1));
		uint64_t pa = pin_user_page(s, va + done, writable);

		if (!pa)
			break;
		chunk = chunk < left - done ? chunk : left - done;
		v[(*n)++] = (struct bio_vec){ pa, (uint32_t)chunk };
		done += chunk;
	}
	return done;
}

static bool direct_aligned(const struct block_device *d, const struct uio *u, int64_t pos)
{
	if ((uint64_t)pos % d->lbsize || u->resid % d->lbsize)
		return false;
	for (unsigned i = 0; i < u->nseg; i++)
		if (u->seg[i].base % d->lbsize || u->seg[i].len % d->lbsize)
			return false;
	return true;
}

long bdev_direct_rw(struct block_device *d, struct uio *u, int64_t *pos, bool write)
{
	struct uspace *s = uspace_current();
	uint64_t size = __atomic_load_n(&d->nr_sectors, __ATOMIC_RELAXED) << SECTOR_SHIFT;
	uint64_t p = (uint64_t)*pos;
	struct bio_vec *v;
	long done = 0;
	int err = 0;

	if (!u->user || !s || !direct_aligned(d, u, *pos))
		return -EINVAL;
	if (__atomic_load_n(&blk_layer(d)->nbufs, __ATOMIC_RELAXED)) {
		err = bcache_invalidate(d);
		if (err)
			return err;
	}
	v = kmalloc_flags(DIRECT_MAX_VECS * sizeof(*v), KM_MAY_FAIL);
	if (!v)
		return -ENOMEM;
	while (u->resid && p < size && !err) {
		unsigned n;
		size_t want = u->resid < size - p ? u->resid : (size_t)(size - p);
		size_t got = pin_run(s, u, want, !write, v, &n);
		struct bio b = { .bdev = d,
			         .op = write ? BIO_WRITE : BIO_READ,
			         .sector = p >> SECTOR_SHIFT,
			         .vec = v,
			         .nvec = n };

		/* A fault partway: move what is whole blocks, then stop. */
		got -= got % d->lbsize;
		while (n && b.bytes + v[n - 1].len > got)
			unpin(&v[--n], 1);
		b.nvec = n;
		for (unsigned i = 0; i < n; i++)
			b.bytes += v[i].len;
		if (!b.bytes) {
			unpin(v, n);
			err = -EFAULT;
			break;
		}
		err = blk_submit_wait(&b);
		unpin(v, n);
		if (!err) {
			uio_skip(u, b.bytes);
			p += b.bytes;
			done += (long)b.bytes;
		}
	}
	kfree(v);
	if (write && !done && !err && u->resid)
		err = -ENOSPC;
	if (done)
		*pos = (int64_t)p;
	return done ? done : err;
}
