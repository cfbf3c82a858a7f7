// SPDX-License-Identifier: MIT
/*
 * Synchronous requests for the kernel: blk_rw() turns a kernel buffer
 * (direct-mapped or heap memory) into a bio of page pieces, submits it and
 * sleeps until it completes; blk_flush() the same for a cache flush. The
 * sleepers wait on a small static table of wait queues, because a
 * completion from an interrupt may still be waking a queue after its
 * waiter saw the flag and returned (a queue on the waiter's stack would
 * be gone by then).
 */
#include <cairn/errno.h>

#include <arch/page.h>
#include <lib/paging/paging.h>
#include <lib/string.h>

#include "block/blkdev.h"
#include "block/internal.h"
#include "core/kmain.h"
#include "mm/heap.h"
#include "mm/vm.h"
#include "sched/wait.h"
#include "time/time.h"

#define RW_WAITQS     16
#define RW_STACK_VECS 16

#define RWQ(i) [i] = WAITQ_INIT(rw_waitqs[i], "blk-rw")
static struct waitq rw_waitqs[RW_WAITQS] = {
	RWQ(0), RWQ(1), RWQ(2),  RWQ(3),  RWQ(4),  RWQ(5),  RWQ(6),  RWQ(7),
	RWQ(8), RWQ(9), RWQ(10), RWQ(11), RWQ(12), RWQ(13), RWQ(14), RWQ(15),
};

/*
 * The queue for a waiter's flag at @p. Flags sit at the same offset of
 * each task's stack and stacks are aligned, so the low bits of @p are
 * alike for every waiter: a multiplicative (Fibonacci) hash takes its
 * index from all the bits, or every waiter would share one queue and each
 * completion wake them all.
 */
static struct waitq *rw_waitq(const void *p)
{
	uint64_t h = (uint64_t)(uintptr_t)p * 0x9e3779b97f4a7c15ull;

	return &rw_waitqs[(h >> 60) % RW_WAITQS];
}

uint64_t blk_kva_to_pa(const void *p)
{
	uint64_t va = (uint64_t)(uintptr_t)p, pa;

	if (va >= boot_info.direct_map_base && va - boot_info.direct_map_base < vm_direct_map_end())
		return va - boot_info.direct_map_base;
	/* Heap pages stay mapped while allocated, so the walk needs no lock. */
	if (pt_translate(vm_kernel_space(), va, &pa, NULL, NULL))
		return 0;
	return pa;
}

static void rw_end(struct bio *b)
{
	bool *done = b->priv;
	struct waitq *wq = rw_waitq(done);

	/* The waiter may return as soon as it sees done: only the static queue is used after. */
	__atomic_store_n(done, true, __ATOMIC_RELEASE);
	waitq_wake_all(wq);
}

static bool rw_done(void *ctx)
{
	return __atomic_load_n((bool *)ctx, __ATOMIC_ACQUIRE);
}

int blk_submit_wait(struct bio *b)
{
	bool done = false;
	int err;

	b->end = rw_end;
	b->priv = &done;
	err = blk_submit(b);
	if (err)
		return err;
	while (waitq_wait(rw_waitq(&done), rw_done, &done, 0, TIME_NEVER))
		;
	return b->status;
}

/* Describe @len bytes at @buf as page pieces in @v (room for @max). Returns the count or -errno. */
static int rw_vecs(void *buf, size_t len, struct bio_vec *v, unsigned max)
{
	uintptr_t p = (uintptr_t)buf;
	unsigned n = 0;

	while (len) {
		size_t chunk = PAGE_SIZE - (p & (PAGE_SIZE - 1));
		uint64_t pa = blk_kva_to_pa((void *)p);

		if (chunk > len)
			chunk = len;
		if (!pa || n == max)
			return -EFAULT;
		if (n && v[n - 1].pa + v[n - 1].len == pa && ((pa & (PAGE_SIZE - 1)) != 0))
			v[n - 1].len += (uint32_t)chunk;
		else
			v[n++] = (struct bio_vec){ pa, (uint32_t)chunk };
		p += chunk;
		len -= chunk;
	}
	return (int)n;
}

int blk_rw(struct block_device *d, enum bio_op op, uint64_t off, void *buf, size_t len)
{
	struct bio_vec stack_vecs[RW_STACK_VECS], *v = stack_vecs;
	unsigned max = RW_STACK_VECS;
	struct bio b;
	int n, err;

	if ((op != BIO_READ && op != BIO_WRITE) || !len || off % d->lbsize || len % d->lbsize)
		return -EINVAL;
	if (len / PAGE_SIZE + 2 > RW_STACK_VECS) {
		max = (unsigned)(len / PAGE_SIZE + 2);
		v = kmalloc_flags(max * sizeof(*v), KM_MAY_FAIL);
		if (!v)
			return -ENOMEM;
	}
	n = rw_vecs(buf, len, v, max);
	if (n < 0) {
		err = n;
		goto out_free;
	}
	b = (struct bio){ .bdev = d,
		          .op = op,
		          .sector = off >> SECTOR_SHIFT,
		          .bytes = len,
		          .vec = v,
		          .nvec = (unsigned)n };
	err = blk_submit_wait(&b);
out_free:
	if (v != stack_vecs)
		kfree(v);
	return err;
}

int blk_flush(struct block_device *d)
{
	struct bio b = { .bdev = d, .op = BIO_FLUSH };

	return blk_submit_wait(&b);
}
