// SPDX-License-Identifier: MIT
/*
 * The NVMe driver on QEMU's controller: Identify as the QEMU command line
 * set it up, patterns written and read back in request shapes that need
 * one command, a PRP list, or several commands, flush and FUA, discard,
 * requests in flight from every CPU whose completions must arrive on the
 * CPU of their queue's MSI-X vector, and a controller that stops
 * answering, which must be given up with every request failing -EIO.
 *
 * The tests write only to a disk that says it is scratch: tools/cairntest.py
 * attaches NVMe controllers (nvme0n1 for I/O, nvme1n1 for the failure
 * test, nvme3n1 with 4096-byte blocks), each with SCRATCH_MAGIC in its first
 * sector; without, they skip. nvme2n1 is test_nvme_ext2.c's.
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
#include "drivers/nvme/nvme.h"
#include "mm/pmm.h"
#include "sched/task.h"
#include "scratch_disk.h"
#include "time/time.h"

#define PAGE          4096u
#define IO_TIMEOUT_NS (20 * NSEC_PER_SEC)
#define FLIGHT        24u /* requests in flight per CPU */
#define NVEC          16u

struct io {
	struct bio bio;
	struct bio_vec vec[NVEC];
	int done; /* [a] */
};

static void io_end(struct bio *b)
{
	struct io *io = b->priv;

	__atomic_store_n(&io->done, 1, __ATOMIC_RELEASE);
}

/* @io for @op at @sector over the @n pieces @vec (copied). */
static void io_prep(struct io *io, struct block_device *d, enum bio_op op, uint64_t sector,
                    const struct bio_vec *vec, unsigned n)
{
	uint64_t bytes = 0;

	memset(io, 0, sizeof(*io));
	for (unsigned i = 0; i < n && i < NVEC; i++) {
		io->vec[i] = vec[i];
		bytes += vec[i].len;
	}
	io->bio = (struct bio){ .bdev = d,
		                .op = op,
		                .sector = sector,
		                .bytes = bytes,
		                .vec = io->vec,
		                .nvec = n,
		                .end = io_end,
		                .priv = io };
}

static void io_start(struct io *io)
{
	int err = blk_submit(&io->bio);

	if (err) {
		io->bio.status = err;
		io->done = 1;
	}
}

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

static int io_sync(struct io *io)
{
	io_start(io);
	return io_wait(io);
}

/* One contiguous piece of @len bytes at @pa. */
static int rw_contig(struct block_device *d, enum bio_op op, uint64_t sector, uint64_t pa,
                     uint32_t len)
{
	struct bio_vec v = { pa, len };
	struct io io;

	io_prep(&io, d, op, sector, &v, 1);
	return io_sync(&io);
}

/* Controller @n and its namespace 1 when the disk is scratch; else the test skips. */
static struct block_device *scratch(unsigned n, struct nvme_ctrl **ctrl)
{
	char name[16] = "nvme0n1";
	struct block_device *d;

	name[4] = (char)('0' + n); /* n < 10 */
	*ctrl = nvme_get_ctrl(n);
	d = blk_lookup(name);
	if (!d || !*ctrl) {
		if (d)
			blk_put(d);
		ktest_skip("no such NVMe scratch disk (tools/cairntest.py attaches them)");
	}
	if (!ktest_disk_is_scratch(d)) {
		blk_put(d);
		ktest_skip("the disk is not marked as scratch: not writing to it");
	}
	return d;
}

/* Commands placed on every I/O queue of @c so far. */
static uint64_t submitted(struct nvme_ctrl *c)
{
	struct nvme_queue_info qi;
	uint64_t sum = 0;

	for (unsigned i = 0; i < nvme_io_queues(c); i++)
		if (nvme_io_queue_info(c, i, &qi) == 0)
			sum += qi.submitted;
	return sum;
}

TEST(nvme, identify_matches_qemu)
{
	struct nvme_ctrl *c;
	struct block_device *d = scratch(0, &c);
	const char *mode;

	/* tools/qemu.sh names controller N "cairnN"; QEMU's model string is fixed. */
	EXPECT_STREQ(nvme_ctrl_serial(c), "cairn0");
	EXPECT_STREQ(nvme_ctrl_model(c), "QEMU NVMe Ctrl");
	EXPECT_EQ(d->lbsize, 512);
	EXPECT_TRUE(d->nr_sectors >= 2 * 65536); /* the scratch disks are 64 MiB */
	EXPECT_TRUE(d->flags & BLK_FLUSH);       /* QEMU reports a volatile write cache */
	EXPECT_TRUE(nvme_io_queues(c) >= 1);
	EXPECT_TRUE(nvme_vectors(c, &mode) >= 1);
	/* QEMU's MSI-X table has 65 entries unless msix_qsize= says less: a vector per CPU. */
	if (nvme_vectors(c, &mode) > smp_cpu_count()) {
		EXPECT_STREQ(mode, "MSI-X");
		EXPECT_EQ(nvme_io_queues(c), smp_cpu_count());
	}
	blk_put(d);
}

/*
 * Shapes: 64 KiB in whole pages (a PRP list), 6 KiB starting mid-page (PRP
 * entry 2), and 512-byte pieces in the middle of different pages, which no
 * single PRP description can name, so the driver cuts it into 8 commands.
 */
TEST(nvme, patterns_read_back_in_every_shape)
{
	struct nvme_ctrl *c;
	struct block_device *d = scratch(0, &c);
	uint64_t wpa = pmm_alloc_pages(5, 0), rpa = pmm_alloc_pages(5, 0);
	uint8_t *w = phys_to_virt(wpa), *r = phys_to_virt(rpa);
	struct bio_vec v[8];
	uint64_t before;
	struct io io;

	EXPECT_TRUE(wpa && rpa);
	ktest_fill(w, 32 * PAGE, 11);
	EXPECT_EQ(rw_contig(d, BIO_WRITE, 2048, wpa, 16 * PAGE), 0);
	EXPECT_EQ(rw_contig(d, BIO_WRITE, 4096, wpa + 16 * PAGE + 2048, 6144), 0);
	for (unsigned i = 0; i < 8; i++)
		v[i] = (struct bio_vec){ wpa + 20 * PAGE + i * PAGE + 1024, 512 };
	before = submitted(c);
	io_prep(&io, d, BIO_WRITE, 6144, v, 8);
	EXPECT_EQ(io_sync(&io), 0);
	EXPECT_EQ(submitted(c) - before, 8);
	memset(r, 0, 32 * PAGE);
	EXPECT_EQ(rw_contig(d, BIO_READ, 2048, rpa, 16 * PAGE), 0);
	EXPECT_EQ(memcmp(w, r, 16 * PAGE), 0);
	EXPECT_EQ(rw_contig(d, BIO_READ, 4096, rpa, 6144), 0);
	EXPECT_EQ(memcmp(w + 16 * PAGE + 2048, r, 6144), 0);
	EXPECT_EQ(rw_contig(d, BIO_READ, 6144, rpa, 8 * 512), 0);
	for (unsigned i = 0; i < 8; i++)
		EXPECT_EQ(memcmp(w + 20 * PAGE + i * PAGE + 1024, r + i * 512, 512), 0);
	pmm_free_pages(wpa, 5);
	pmm_free_pages(rpa, 5);
	blk_put(d);
}

TEST(nvme, flush_and_fua)
{
	struct nvme_ctrl *c;
	struct block_device *d = scratch(0, &c);
	uint64_t pa = pmm_alloc_frame(), before;
	struct bio_vec v = { pa, PAGE };
	struct io io;

	EXPECT_TRUE(pa != 0);
	ktest_fill(phys_to_virt(pa), PAGE, 99);
	io_prep(&io, d, BIO_WRITE, 8192, &v, 1);
	io.bio.flags = BIO_FUA;
	EXPECT_EQ(io_sync(&io), 0);
	before = submitted(c);
	EXPECT_EQ(blk_flush(d), 0);
	EXPECT_EQ(submitted(c) - before, 1); /* a Flush command went to the controller */
	pmm_free_frame(pa);
	blk_put(d);
}

TEST(nvme, discard_where_offered)
{
	struct nvme_ctrl *c;
	struct block_device *d = scratch(0, &c);
	struct io io;

	if (!(d->flags & BLK_DISCARD)) {
		blk_put(d);
		ktest_skip("the controller offers no Dataset Management");
	}
	io_prep(&io, d, BIO_DISCARD, 16384, NULL, 0);
	io.bio.bytes = 1 << 20;
	EXPECT_EQ(io_sync(&io), 0);
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
	uint64_t base = 32768 + (uint64_t)f->cpu * FLIGHT * 8;
	int err = 0;

	for (unsigned i = 0; i < FLIGHT; i++) {
		struct bio_vec v = { pa + (uint64_t)i * PAGE, PAGE };

		io_prep(&io[i], f->d, op, base + i * 8, &v, 1);
		io_start(&io[i]);
	}
	for (unsigned i = 0; i < FLIGHT; i++) {
		int e = io_wait(&io[i]);

		if (e && !err)
			err = e;
	}
	return err;
}

static int flight_task(void *arg)
{
	static struct io ios[SMP_MAX_CPUS][FLIGHT];
	struct flight *f = arg;
	uint64_t wpa = pmm_alloc_pages(5, 0), rpa = pmm_alloc_pages(5, 0);
	int err = -ENOMEM;

	if (wpa && rpa) {
		ktest_fill(phys_to_virt(wpa), FLIGHT * PAGE, 1000 + f->cpu);
		memset(phys_to_virt(rpa), 0, FLIGHT * PAGE);
		err = flight_pass(f, ios[f->cpu], wpa, BIO_WRITE);
		if (!err)
			err = flight_pass(f, ios[f->cpu], rpa, BIO_READ);
		if (!err && memcmp(phys_to_virt(wpa), phys_to_virt(rpa), FLIGHT * PAGE))
			err = -EFAULT;
	}
	if (wpa)
		pmm_free_pages(wpa, 5);
	if (rpa)
		pmm_free_pages(rpa, 5);
	f->result = err;
	__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
	return 0;
}

/*
 * Then one request at a time: a submitter that finds the disk's queue idle
 * hands its request to the driver itself, from its own CPU.
 */
static int serial_task(void *arg)
{
	struct flight *f = arg;
	uint64_t pa = pmm_alloc_frame();
	int err = pa ? 0 : -ENOMEM;

	for (unsigned i = 0; i < 32 && !err; i++)
		err = rw_contig(f->d, BIO_READ, 32768 + (uint64_t)f->cpu * 8, pa, PAGE);
	if (pa)
		pmm_free_frame(pa);
	f->result = err;
	__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
	return 0;
}

static void run_flights(struct block_device *d, unsigned ncpu, int (*fn)(void *arg))
{
	static struct flight f[SMP_MAX_CPUS];

	for (unsigned c = 0; c < ncpu; c++) {
		struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT,
			                     .cpu = (int)c,
			                     .affinity = 1ull << c };
		struct task_handle h;

		f[c] = (struct flight){ .d = d, .cpu = c };
		EXPECT_EQ(task_spawn_opts(&h, "nvme.flight", fn, &f[c], &o), 0);
		EXPECT_EQ(task_drop(h), 0);
	}
	for (unsigned c = 0; c < ncpu; c++) {
		while (!__atomic_load_n(&f[c].done, __ATOMIC_ACQUIRE))
			task_yield();
		EXPECT_EQ(f[c].result, 0);
	}
}

/*
 * Each CPU's queue takes its interrupts on that CPU: every completion a
 * queue took since the start arrived on its own CPU, the interrupt layer
 * counted its vector there, the queues' CPUs are all different, and with
 * requests from every CPU more than one queue (so more than one CPU's
 * MSI-X vector) did work.
 */
TEST(nvme, queue_per_cpu_completes_on_its_cpu)
{
	unsigned ncpu = smp_cpu_count(), i, used = 0;
	struct nvme_queue_info before[SMP_MAX_CPUS], qi;
	struct nvme_ctrl *c;
	struct block_device *d = scratch(0, &c);
	uint64_t cpus = 0;

	if (ncpu > SMP_MAX_CPUS)
		ncpu = SMP_MAX_CPUS;
	for (i = 0; i < nvme_io_queues(c); i++)
		EXPECT_EQ(nvme_io_queue_info(c, i, &before[i]), 0);
	run_flights(d, ncpu, flight_task);
	run_flights(d, ncpu, serial_task);
	for (i = 0; i < nvme_io_queues(c); i++) {
		EXPECT_EQ(nvme_io_queue_info(c, i, &qi), 0);
		EXPECT_EQ(qi.bogus, 0);
		if (nvme_vectors(c, NULL) > nvme_io_queues(c))
			/* The watchdog's poll may take one first when the host is slow. */
			EXPECT_EQ(qi.completed_cpu + qi.completed_polled, qi.completed);
		used += qi.completed > before[i].completed;
		/* The interrupt layer's own count agrees: this queue's vector fired on its CPU. */
		if (qi.completed > before[i].completed && nvme_vectors(c, NULL) > 1)
			EXPECT_TRUE(qi.interrupts > before[i].interrupts);
		EXPECT_TRUE(!(cpus & (1ull << qi.cpu)));
		cpus |= 1ull << qi.cpu;
		EXPECT_EQ(nvme_cpu_queue(c, qi.cpu), i);
	}
	if (ncpu > 1 && nvme_io_queues(c) > 1)
		EXPECT_TRUE(used >= 2);
	blk_put(d);
}

/*
 * Unbinding shuts each controller down (queues deleted, CC.SHN) and frees
 * it once its block devices have no users; binding again gives the same
 * names back, a given-up controller works again, and data written before
 * reads back after.
 */
TEST(nvme, rebind_keeps_names_and_data)
{
	struct nvme_ctrl *c;
	struct block_device *d = scratch(0, &c);
	uint64_t wpa = pmm_alloc_frame(), rpa = pmm_alloc_frame();

	EXPECT_TRUE(wpa && rpa);
	ktest_fill(phys_to_virt(wpa), PAGE, 4242);
	EXPECT_EQ(rw_contig(d, BIO_WRITE, 12288, wpa, PAGE), 0);
	EXPECT_EQ(blk_flush(d), 0);
	blk_put(d);
	EXPECT_EQ(nvme_test_rebind(), 0);
	EXPECT_TRUE(nvme_get_ctrl(0) != NULL);
	d = scratch(0, &c);
	EXPECT_TRUE(!nvme_ctrl_dead(c));
	memset(phys_to_virt(rpa), 0, PAGE);
	EXPECT_EQ(rw_contig(d, BIO_READ, 12288, rpa, PAGE), 0);
	EXPECT_EQ(memcmp(phys_to_virt(wpa), phys_to_virt(rpa), PAGE), 0);
	blk_put(d);
	if (nvme_get_ctrl(1)) {
		d = scratch(1, &c);
		EXPECT_TRUE(!nvme_ctrl_dead(c));
		EXPECT_EQ(rw_contig(d, BIO_READ, 8, rpa, PAGE), 0);
		blk_put(d);
	}
	pmm_free_frame(wpa);
	pmm_free_frame(rpa);
}

/*
 * A namespace with 4096-byte blocks (nvme3n1: tools/cairntest.py adds a
 * controller whose namespace has them): 64 KiB write and read back, and
 * memory that no PRP description can carry in whole blocks (two 2 KiB
 * pieces in the middle of two pages) refused rather than corrupted.
 */
TEST(nvme, four_kib_blocks)
{
	struct nvme_ctrl *c;
	struct block_device *d = scratch(3, &c);
	uint64_t wpa = pmm_alloc_pages(4, 0), rpa = pmm_alloc_pages(4, 0);
	struct bio_vec v[2];
	struct io io;

	EXPECT_TRUE(wpa && rpa);
	if (d->lbsize != 4096) {
		blk_put(d);
		ktest_skip("nvme3n1 does not have 4096-byte blocks");
	}
	ktest_fill(phys_to_virt(wpa), 16 * PAGE, 77);
	memset(phys_to_virt(rpa), 0, 16 * PAGE);
	EXPECT_EQ(rw_contig(d, BIO_WRITE, 64, wpa, 16 * PAGE), 0);
	EXPECT_EQ(rw_contig(d, BIO_READ, 64, rpa, 16 * PAGE), 0);
	EXPECT_EQ(memcmp(phys_to_virt(wpa), phys_to_virt(rpa), 16 * PAGE), 0);
	v[0] = (struct bio_vec){ wpa + 1024, 2048 };
	v[1] = (struct bio_vec){ wpa + PAGE + 1024, 2048 };
	io_prep(&io, d, BIO_WRITE, 256, v, 2);
	EXPECT_EQ(io_sync(&io), -EINVAL);
	pmm_free_pages(wpa, 4);
	pmm_free_pages(rpa, 4);
	blk_put(d);
}

/* Wait up to @ns for @c to be in service again; whether it is. */
static bool wait_alive(struct nvme_ctrl *c, uint64_t ns)
{
	uint64_t t0 = clock_monotonic_ns();

	while (nvme_ctrl_dead(c) && clock_monotonic_ns() - t0 < ns)
		task_yield();
	return !nvme_ctrl_dead(c);
}

/*
 * A controller that keeps failing is reset at most three times, then given
 * up for good: the read it kept through the resets fails with -EIO, its
 * namespace is marked removed and requests fail at once. (Runs after the
 * test below; the rebind test brings nvme1 back.)
 */
TEST(nvme, controller_given_up_after_three_resets)
{
	struct nvme_ctrl *c;
	struct block_device *d = scratch(1, &c);
	uint64_t pa = pmm_alloc_frame(), t0;

	EXPECT_TRUE(pa != 0);
	nvme_test_set_timeout(c, 200);
	nvme_test_drop_completions(c, true);
	t0 = clock_monotonic_ns();
	EXPECT_EQ(rw_contig(d, BIO_READ, 16, pa, PAGE), -EIO); /* four timeouts, three resets */
	EXPECT_TRUE(clock_monotonic_ns() - t0 < 15 * NSEC_PER_SEC);
	EXPECT_TRUE(!wait_alive(c, 2 * NSEC_PER_SEC));
	EXPECT_TRUE(__atomic_load_n(&d->flags, __ATOMIC_ACQUIRE) & BLK_REMOVED);
	t0 = clock_monotonic_ns();
	EXPECT_TRUE(rw_contig(d, BIO_READ, 16, pa, PAGE) < 0);
	EXPECT_TRUE(clock_monotonic_ns() - t0 < NSEC_PER_SEC / 10);
	nvme_test_drop_completions(c, false);
	nvme_test_set_timeout(c, 30000);
	pmm_free_frame(pa);
	blk_put(d);
}

/*
 * A controller that stops answering: its completions are ignored, so a
 * read is overdue after the shortened timeout; the watchdog disables the
 * controller and its reset task brings it back, and the read, kept aside,
 * is sent again and completes. Uses the second controller.
 */
TEST(nvme, silent_controller_is_reset_and_the_read_completes)
{
	struct nvme_ctrl *c;
	struct block_device *d = scratch(1, &c);
	uint64_t pa = pmm_alloc_frame(), t0;
	struct bio_vec v = { pa, PAGE };
	struct io io;

	EXPECT_TRUE(pa != 0);
	EXPECT_TRUE(!nvme_ctrl_dead(c));
	nvme_test_set_timeout(c, 200);
	nvme_test_drop_completions(c, true);
	io_prep(&io, d, BIO_READ, 8, &v, 1);
	io_start(&io);
	t0 = clock_monotonic_ns();
	while (!nvme_ctrl_dead(c) && clock_monotonic_ns() - t0 < 5 * NSEC_PER_SEC)
		task_yield();
	EXPECT_TRUE(nvme_ctrl_dead(c)); /* the watchdog noticed */
	nvme_test_drop_completions(c, false);
	nvme_test_set_timeout(c, 30000);
	EXPECT_EQ(io_wait(&io), 0);
	EXPECT_TRUE(wait_alive(c, 5 * NSEC_PER_SEC));
	EXPECT_EQ(rw_contig(d, BIO_READ, 16, pa, PAGE), 0);
	pmm_free_frame(pa);
	blk_put(d);
}
