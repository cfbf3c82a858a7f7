/* SPDX-License-Identifier: MIT */
/*
 * A RAM-backed file for the page-cache suites: an inode with its own
 * address_space whose readpage and writepage copy to and from a heap
 * "disk" and count every call, so the tests see exactly when the cache
 * reads, writes back and evicts.
 */
#pragma once

#include <cairn/errno.h>

#include <arch/page.h>
#include <lib/string.h>

#include "core/kmain.h"
#include "core/ktest.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "mm/pagecache.h"
#include "mm/pagecache_internal.h"
#include "sched/task.h"

#define RF_PAGES 64

struct ramfile {
	struct inode ino;
	struct address_space m;
	struct file f;
	uint8_t *disk;       /* RF_PAGES pages */
	unsigned reads;      /* [a] readpage calls */
	unsigned writes;     /* [a] writepage calls */
	unsigned prepares;   /* [a] prepare_write calls */
	int fail_write;      /* writepage answers this when not 0 */
	uint64_t read_wait;  /* readpage sleeps this long (ns), to let others race it */
	uint64_t write_wait; /* writepage sleeps this long (ns): a slow disk */
};

static inline struct ramfile *rf_of(struct address_space *m)
{
	return (struct ramfile *)((char *)m - offsetof(struct ramfile, m));
}

static int rf_readpage(struct address_space *m, uint64_t index, uint64_t pa)
{
	struct ramfile *rf = rf_of(m);
	int64_t at = (int64_t)(index * PAGE_SIZE), n = rf->ino.size - at;

	__atomic_add_fetch(&rf->reads, 1, __ATOMIC_RELAXED);
	if (rf->read_wait)
		task_sleep_ns(rf->read_wait);
	if (index >= RF_PAGES)
		return -EIO;
	n = n < 0 ? 0 : n > (int64_t)PAGE_SIZE ? (int64_t)PAGE_SIZE : n;
	memcpy(phys_to_virt(pa), rf->disk + at, (size_t)n);
	memset((char *)phys_to_virt(pa) + n, 0, PAGE_SIZE - (size_t)n);
	return 0;
}

static int rf_writepage(struct address_space *m, uint64_t index, uint64_t pa, uint32_t len)
{
	struct ramfile *rf = rf_of(m);
	int err = 0;

	if (rf->write_wait)
		task_sleep_ns(rf->write_wait);
	if (rf->fail_write)
		err = rf->fail_write;
	else if (index >= RF_PAGES || len > PAGE_SIZE)
		err = -EIO;
	else
		memcpy(rf->disk + index * PAGE_SIZE, phys_to_virt(pa), len);
	/* Counted when done: a test that saw the count may read the disk. */
	__atomic_add_fetch(&rf->writes, 1, __ATOMIC_RELEASE);
	return err;
}

static int rf_prepare(struct address_space *m, uint64_t index)
{
	struct ramfile *rf = rf_of(m);

	__atomic_add_fetch(&rf->prepares, 1, __ATOMIC_RELAXED);
	return index < RF_PAGES ? 0 : -ENOSPC;
}

static const struct address_space_ops rf_aops = {
	.readpage = rf_readpage,
	.writepage = rf_writepage,
	.prepare_write = rf_prepare,
};

static struct super_block rf_sb;

/* A file of @size bytes whose disk holds the pattern byte i*13+seed at i. */
static inline struct ramfile *rf_new(int64_t size, unsigned seed)
{
	struct ramfile *rf = kcalloc(1, sizeof(*rf));

	rf->disk = kmalloc(RF_PAGES * PAGE_SIZE);
	for (size_t i = 0; i < RF_PAGES * PAGE_SIZE; i++)
		rf->disk[i] = (uint8_t)(i * 13 + seed);
	rf->ino.refs = 1;
	rf->ino.sb = &rf_sb;
	rf->ino.size = size;
	rf->ino.mode = 0100644;
	mutex_init(&rf->ino.lock, "ramfile");
	mapping_init(&rf->m, &rf->ino, &rf_aops);
	rf->ino.mapping = &rf->m;
	rf->f.inode = &rf->ino;
	rf->f.refs = 1; /* the test's own: mappings add and drop theirs */
	rf->f.fmode = FMODE_READ | FMODE_WRITE;
	return rf;
}

/*
 * Free the file, and give the page records its evicted pages left as
 * spares back to the heap now: the writeback task would do it seconds
 * later, in the middle of another suite's leak check.
 */
static inline void rf_free(struct ramfile *rf)
{
	mapping_destroy(&rf->m);
	kfree(rf->disk);
	kfree(rf);
	pc_trim_spares();
}

static inline long rf_pread(struct ramfile *rf, void *buf, size_t n, int64_t pos)
{
	struct uio_seg seg;
	struct uio u;

	uio_init1(&u, &seg, (uintptr_t)buf, n, false);
	return generic_file_read(&rf->f, &u, &pos);
}

static inline long rf_pwrite(struct ramfile *rf, const void *buf, size_t n, int64_t pos)
{
	struct uio_seg seg;
	struct uio u;
	long r;

	uio_init1(&u, &seg, (uintptr_t)buf, n, false);
	mutex_lock(&rf->ino.lock);
	r = generic_file_write(&rf->f, &u, &pos);
	mutex_unlock(&rf->ino.lock);
	return r;
}
