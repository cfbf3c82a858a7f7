// SPDX-License-Identifier: MIT
/*
 * virtio-blk on a real (QEMU) device: patterns written and read back
 * through requests of several shapes, flush and FUA, discard, a request
 * past the end and a write to a read-only disk refused, and many requests
 * in flight from every CPU at once, whose completions must arrive on more
 * than one queue when the device has several.
 *
 * The tests write only to a disk that says it is scratch: tools/cairntest.py
 * attaches vda (read-write) and vdb (read-only), each with SCRATCH_MAGIC
 * in its first sector; without one they skip.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include <stdbool.h>
#include <stdint.h>

#include "block/blkdev.h"
#include "core/kmain.h"
#include "core/ktest.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "drivers/virtio/virtio.h"
#include "mm/pmm.h"
#include "sched/task.h"
#include "scratch_disk.h"
#include "time/time.h"

#define PAGE          4096u
#define IO_TIMEOUT_NS (20 * NSEC_PER_SEC)
#define FLIGHT        48u /* requests in flight per CPU */

/* One request and its completion flag. */
struct io {
	struct bio bio;
	struct bio_vec vec[16];
	int done; /* [a] */
};

static struct io big_ios[8]; /* the big requests, each with its own vectors */

static void io_end(struct bio *b)
{
	struct io *io = b->priv;

	__atomic_store_n(&io->done, 1, __ATOMIC_RELEASE);
}

/* Fill @io for @op of @len bytes at @sector from the frames at @pa, in pieces of @piece bytes. */
static void io_prep(struct io *io, struct block_device *d, enum bio_op op, uint64_t sector,
                    uint64_t pa, uint32_t len, uint32_t piece)
{
	unsigned n = 0;
	uint32_t off = 0;

	memset(io, 0, sizeof(*io));
	while (off < len && n < 16) {
		uint32_t l = len - off < piece ? len - off : piece;

		io->vec[n++] = (struct bio_vec){ pa + off, l };
		off += l;
	}
	io->bio = (struct bio){ .bdev = d,
		                .op = op,
		                .sector = sector,
		                .bytes = len,
		                .vec = io->vec,
		                .nvec = n,
		                .end = io_end,
		                .priv = io };
}

/* As io_prep() for one page-sized piece per page, up to 126 pages. */
static void big_prep(struct io *io, struct block_device *d, enum bio_op op, uint64_t sector,
                     uint64_t pa, uint32_t len)
{
	static struct bio_vec vecs[8][126];
	unsigned n = (unsigned)(io - big_ios), i;

	memset(io, 0, sizeof(*io));
	for (i = 0; i < len / PAGE; i++)
		vecs[n][i] = (struct bio_vec){ pa + (uint64_t)i * PAGE, PAGE };
	io->bio = (struct bio){ .bdev = d,
		                .op = op,
		                .sector = sector,
		                .bytes = len,
		                .vec = vecs[n],
		                .nvec = len / PAGE,
		                .end = io_end,
		                .priv = io };
}

/* Start @io: 0, or the error blk_submit() refused it with (then it is done). */
static int io_start(struct io *io)
{
	int err = blk_submit(&io->bio);

	if (err) {
		io->bio.status = err;
		io->done = 1;
	}
	return err;
}

/* Wait for @io; its status, or -ETIMEDOUT. */
static int io_wait(struct io *io)
{
	uint64_t end = clock_monotonic_ns() + IO_TIMEOUT_NS;

	while (!__atomic_load_n(&io->done, __ATOMIC_ACQUIRE)) {
		if (clock_monotonic_ns() > end)
			return -ETIMEDOUT;
		task_yield();
	}
	return io->bio.status;
}

static int io_sync(struct block_device *d, enum bio_op op, uint64_t sector, uint64_t pa,
                   uint32_t len, uint32_t piece)
{
	struct io io;

	io_prep(&io, d, op, sector, pa, len, piece);
	if (io_start(&io))
		return io.bio.status;
	return io_wait(&io);
}

/* The named disk if it carries the scratch mark, else the test is skipped. */
static struct block_device *scratch(const char *name)
{
	return ktest_scratch_disk(
		name, "no virtio-blk scratch disk attached (tools/cairntest.py attaches one)");
}

TEST(virtio_blk, pattern_written_reads_back)
{
	static const uint32_t pieces[] = { PAGE, 512, 1536 };
	struct block_device *d = scratch("vda");
	uint64_t wpa = pmm_alloc_pages(4, 0), rpa = pmm_alloc_pages(4, 0);
	uint8_t *w = phys_to_virt(wpa), *r = phys_to_virt(rpa);

	EXPECT_TRUE(wpa && rpa);
	for (unsigned k = 0; k < ARRAY_SIZE(pieces); k++) {
		uint32_t len = pieces[k] == PAGE ? 16 * PAGE : 16 * pieces[k];
		uint64_t sector = 2048 + k * 256;

		ktest_fill(w, len, 7 + k);
		memset(r, 0, len);
		EXPECT_EQ(io_sync(d, BIO_WRITE, sector, wpa, len, pieces[k]), 0);
		EXPECT_EQ(io_sync(d, BIO_READ, sector, rpa, len, pieces[k] == PAGE ? PAGE : 2048),
		          0);
		EXPECT_EQ(memcmp(w, r, len), 0);
	}
	pmm_free_pages(wpa, 4);
	pmm_free_pages(rpa, 4);
	blk_put(d);
}

TEST(virtio_blk, flush_and_fua)
{
	struct block_device *d = scratch("vda");
	uint64_t pa = pmm_alloc_frame();
	struct io io;

	EXPECT_TRUE(pa != 0);
	ktest_fill(phys_to_virt(pa), PAGE, 99);
	io_prep(&io, d, BIO_WRITE, 4096, pa, PAGE, PAGE);
	io.bio.flags = BIO_FUA;
	EXPECT_EQ(io_start(&io), 0);
	EXPECT_EQ(io_wait(&io), 0);
	io_prep(&io, d, BIO_FLUSH, 0, 0, 0, PAGE);
	io.bio.nvec = 0;
	EXPECT_EQ(io_start(&io), 0);
	EXPECT_EQ(io_wait(&io), 0);
	pmm_free_frame(pa);
	blk_put(d);
}

TEST(virtio_blk, discard_where_offered)
{
	struct block_device *d = scratch("vda");
	struct io io;

	if (!(d->flags & BLK_DISCARD)) {
		blk_put(d);
		ktest_skip("the device offers no discard");
	}
	io_prep(&io, d, BIO_DISCARD, 8192, 0, 0, PAGE);
	io.bio.bytes = 1 << 20;
	io.bio.nvec = 0;
	EXPECT_EQ(io_start(&io), 0);
	EXPECT_EQ(io_wait(&io), 0);
	blk_put(d);
}

TEST(virtio_blk, past_the_end_refused)
{
	struct block_device *d = scratch("vda");
	uint64_t pa = pmm_alloc_frame();

	EXPECT_TRUE(pa != 0);
	EXPECT_TRUE(io_sync(d, BIO_READ, d->nr_sectors - 1, pa, PAGE, PAGE) < 0);
	EXPECT_TRUE(io_sync(d, BIO_WRITE, d->nr_sectors, pa, PAGE, PAGE) < 0);
	/* The last block itself is fine. */
	EXPECT_EQ(io_sync(d, BIO_READ, d->nr_sectors - 8, pa, PAGE, PAGE), 0);
	pmm_free_frame(pa);
	blk_put(d);
}

TEST(virtio_blk, read_only_disk_refuses_writes)
{
	struct block_device *d = scratch("vdb");
	uint64_t pa = pmm_alloc_frame();

	EXPECT_TRUE(pa != 0);
	EXPECT_TRUE(d->flags & BLK_RO);
	EXPECT_EQ(io_sync(d, BIO_READ, 8, pa, PAGE, PAGE), 0);
	EXPECT_TRUE(io_sync(d, BIO_WRITE, 8, pa, PAGE, PAGE) < 0);
	pmm_free_frame(pa);
	blk_put(d);
}

/* Per CPU: FLIGHT one-page writes started at once, then as many reads, checked. */
struct flight {
	struct block_device *d;
	unsigned cpu;
	int result; /* 0 or the first error */
	int done;   /* [a] */
};

static int flight_pass(struct flight *f, struct io *io, uint64_t pa, enum bio_op op)
{
	uint64_t base = 16384 + (uint64_t)f->cpu * FLIGHT * 8;
	unsigned i;
	int err = 0;

	for (i = 0; i < FLIGHT; i++) {
		io_prep(&io[i], f->d, op, base + i * 8, pa + (uint64_t)i * PAGE, PAGE, PAGE);
		(void)io_start(&io[i]);
	}
	for (i = 0; i < FLIGHT; i++) {
		int e = io_wait(&io[i]);

		if (e && !err)
			err = e;
	}
	return err;
}

static int flight_task(void *arg)
{
	struct flight *f = arg;
	static struct io ios[64][FLIGHT];
	struct io *io = ios[f->cpu];
	uint64_t wpa = pmm_alloc_pages(6, 0), rpa = pmm_alloc_pages(6, 0);
	int err = -ENOMEM;

	if (wpa && rpa) {
		ktest_fill(phys_to_virt(wpa), FLIGHT * PAGE, 1000 + f->cpu);
		memset(phys_to_virt(rpa), 0, FLIGHT * PAGE);
		err = flight_pass(f, io, wpa, BIO_WRITE);
		if (!err)
			err = flight_pass(f, io, rpa, BIO_READ);
		if (!err && memcmp(phys_to_virt(wpa), phys_to_virt(rpa), FLIGHT * PAGE))
			err = -EFAULT;
	}
	if (wpa)
		pmm_free_pages(wpa, 6);
	if (rpa)
		pmm_free_pages(rpa, 6);
	f->result = err;
	__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
	return 0;
}

TEST(virtio_blk, many_in_flight_from_every_cpu)
{
	struct block_device *d = scratch("vda");
	unsigned ncpu = smp_cpu_count(), c;
	static struct flight f[64];
	struct virtio_blk_stats before, after;
	unsigned busy = 0, most = 0;
	uint64_t cpus = 0;

	if (ncpu > 64)
		ncpu = 64;
	EXPECT_EQ(virtio_blk_stats(d, &before), 0);
	for (c = 0; c < ncpu; c++) {
		struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT,
			                     .cpu = (int)c,
			                     .affinity = 1ull << c };
		struct task_handle h;

		f[c] = (struct flight){ .d = d, .cpu = c };
		EXPECT_EQ(task_spawn_opts(&h, "vblk.flight", flight_task, &f[c], &o), 0);
		EXPECT_EQ(task_drop(h), 0);
	}
	for (c = 0; c < ncpu; c++) {
		while (!__atomic_load_n(&f[c].done, __ATOMIC_ACQUIRE))
			task_yield();
		EXPECT_EQ(f[c].result, 0);
	}
	EXPECT_EQ(virtio_blk_stats(d, &after), 0);
	for (c = 0; c < after.nq; c++) {
		busy += after.completed[c] > before.completed[c];
		cpus |= 1ull << after.cpu[c];
		most = after.max_inflight[c] > most ? after.max_inflight[c] : most;
	}
	/* Started 48 at a time: several were in flight together. */
	EXPECT_TRUE(most >= 2);
	/*
	 * With a queue per CPU, requests from several CPUs complete on more
	 * than one queue, whose interrupts go to different CPUs. (Not one queue
	 * each: the block layer may start a request from another CPU.)
	 */
	if (after.nq > 1 && ncpu > 1 && after.vector_per_queue) {
		EXPECT_TRUE(busy >= 2);
		EXPECT_TRUE((cpus & (cpus - 1)) != 0); /* two bits or more */
	}
	blk_put(d);
}

/* Eight requests of 504 KiB (126 pages, the driver's limit) at once, apart so none merge. */
TEST(virtio_blk, big_requests_in_flight_together)
{
	struct block_device *d = scratch("vda");
	struct io *io = big_ios;
	uint64_t pa[8], cpa = pmm_alloc_pages(7, 0);
	const uint32_t len = 126 * PAGE;
	struct virtio_blk_stats before, st;
	unsigned i;

	EXPECT_TRUE(cpa != 0);
	EXPECT_EQ(virtio_blk_stats(d, &before), 0);
	for (i = 0; i < 8; i++) {
		pa[i] = pmm_alloc_pages(7, 0);
		EXPECT_TRUE(pa[i] != 0);
		ktest_fill(phys_to_virt(pa[i]), len, 500 + i);
	}
	for (i = 0; i < 8; i++) {
		big_prep(&io[i], d, BIO_WRITE, 32768 + i * 2048, pa[i], len);
		EXPECT_EQ(io_start(&io[i]), 0);
	}
	for (i = 0; i < 8; i++)
		EXPECT_EQ(io_wait(&io[i]), 0);
	for (i = 0; i < 8; i++) {
		big_prep(&io[0], d, BIO_READ, 32768 + i * 2048, cpa, len);
		EXPECT_EQ(io_start(&io[0]), 0);
		EXPECT_EQ(io_wait(&io[0]), 0);
		EXPECT_EQ(memcmp(phys_to_virt(cpa), phys_to_virt(pa[i]), len), 0);
		pmm_free_pages(pa[i], 7);
	}
	pmm_free_pages(cpa, 7);
	EXPECT_EQ(virtio_blk_stats(d, &st), 0);
	/* Each went as one indirect descriptor, so big requests do not fill the ring. */
	if (st.indirect)
		EXPECT_TRUE(st.indirect_requests >= before.indirect_requests + 16);
	blk_put(d);
}
