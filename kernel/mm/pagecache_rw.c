// SPDX-License-Identifier: MIT
/*
 * read(2), write(2) and fsync(2) of files whose data lives in the page
 * cache: the generic file operations a disk file system puts in its
 * file_ops. Bytes move between the user's buffer and cached frames with no
 * lock held (the frame reference keeps the page from eviction), so a copy
 * that faults on a mapping of the same file only waits for that page.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include <arch/page.h>

#include "block/blkdev.h"
#include "core/kmain.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/pagecache.h"
#include "mm/pagecache_internal.h"
#include "mm/pmm.h"
#include "proc/signal.h"

/* Linux's MAX_LFS_FILESIZE on 64-bit. */
#define PC_MAX_SIZE INT64_MAX

/*
 * The block layer's blk_sync() replaces this stand-in once it is linked in;
 * until then no file system has a device to flush.
 */
__attribute__((weak)) int blk_sync(struct block_device *d)
{
	(void)d;
	return 0;
}

static int64_t size_of(const struct inode *ino)
{
	return __atomic_load_n(&ino->size, __ATOMIC_ACQUIRE);
}

/*
 * Readahead before reading page @index: a read that goes on where the
 * last one of this file stopped reads the next pages ahead in one go,
 * the window growing from 4 to PC_RA_MAX pages while the reads stay
 * sequential; any other page resets it. Never past the end of file. The
 * window lives in the mapping (one per file, not per open file): two
 * readers interleaving on one file just fall back to page-by-page reads.
 */
static void readahead(struct address_space *m, uint64_t index, int64_t size)
{
	uint64_t last = ((uint64_t)size + PAGE_SIZE - 1) / PAGE_SIZE;
	uint32_t win = __atomic_load_n(&m->ra_win, __ATOMIC_RELAXED), got;

	uint64_t next = __atomic_load_n(&m->ra_next, __ATOMIC_RELAXED);

	/* Small reads come back to the page they stopped in: still sequential. */
	if (index + 1 == next)
		return;
	if (index != next && index != 0) {
		__atomic_store_n(&m->ra_win, 0, __ATOMIC_RELAXED);
		return;
	}
	win = win ? (win * 2 > PC_RA_MAX ? PC_RA_MAX : win * 2) : 4;
	if (index + win > last)
		win = (uint32_t)(last - index);
	if (win < 2)
		return;
	got = pc_readahead(m, index, win);
	if (got)
		__atomic_store_n(&m->ra_win, got, __ATOMIC_RELAXED);
}

long generic_file_read(struct file *f, struct uio *u, int64_t *pos)
{
	struct inode *ino = f->inode;
	struct address_space *m = ino->mapping;
	int64_t p = *pos, size;
	long done = 0;
	int err = 0;

	if (p < 0)
		return -EINVAL;
	/* A kill stops a long read with what it read (Linux: filemap_read()). */
	while (u->resid && p < (size = size_of(ino)) && !(done && signal_fatal_pending())) {
		size_t off = (size_t)p % PAGE_SIZE, n = PAGE_SIZE - off, got;
		uint64_t pa;

		if (n > u->resid)
			n = u->resid;
		if ((int64_t)n > size - p)
			n = (size_t)(size - p);
		if (m->ops->readpages)
			readahead(m, (uint64_t)p / PAGE_SIZE, size);
		err = pagecache_get_page(m, (uint64_t)p / PAGE_SIZE, false, &pa);
		if (err)
			break;
		__atomic_store_n(&m->ra_next, (uint64_t)p / PAGE_SIZE + 1, __ATOMIC_RELAXED);
		got = uio_copy_out(u, (char *)phys_to_virt(pa) + off, n);
		pmm_frame_put(pmm_frame(pa));
		p += (int64_t)got;
		done += (long)got;
		if (got < n)
			break;
	}
	*pos = p;
	if (done)
		return done;
	if (err)
		return err;
	return uio_faulted(u) ? -EFAULT : 0;
}

/*
 * Copy one page's share of a write at @pos: the page is read first when
 * the write covers only part of it and it holds file bytes already.
 * Returns the bytes copied or -errno. [L] held.
 */
static long write_page(struct inode *ino, struct address_space *m, struct uio *u, int64_t pos)
{
	uint64_t index = (uint64_t)pos / PAGE_SIZE, pa;
	size_t off = (size_t)pos % PAGE_SIZE, n = PAGE_SIZE - off, got;
	bool fill;
	int err;

	if (n > u->resid)
		n = u->resid;
	fill = !(off == 0 && n == PAGE_SIZE) && (int64_t)(index * PAGE_SIZE) < size_of(ino);
	if (m->ops->get_frame) {
		err = m->ops->get_frame(m, index, true, &pa);
	} else {
		err = m->ops->prepare_write ? m->ops->prepare_write(m, index) : 0;
		if (!err)
			err = pc_get(m, index, fill, &pa);
	}
	if (err)
		return err;
	got = uio_copy_in(u, (char *)phys_to_virt(pa) + off, n);
	if (got && !m->ops->get_frame)
		pagecache_set_dirty(m, index);
	pmm_frame_put(pmm_frame(pa));
	return got ? (long)got : -EFAULT;
}

long generic_file_write(struct file *f, struct uio *u, int64_t *pos)
{
	struct inode *ino = f->inode;
	struct address_space *m = ino->mapping;
	int64_t p = *pos;
	long done = 0, n = 0;

	if (__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_APPEND)
		p = ino->size;
	if (p < 0)
		return -EINVAL;
	/* A kill stops a long write with what it wrote (Linux: generic_perform_write()). */
	while (u->resid && !(done && signal_fatal_pending())) {
		if (p > PC_MAX_SIZE - (int64_t)PAGE_SIZE) {
			n = -EFBIG;
			break;
		}
		n = write_page(ino, m, u, p);
		if (n <= 0)
			break;
		p += n;
		done += n;
		if (p > ino->size)
			__atomic_store_n(&ino->size, p, __ATOMIC_RELEASE);
		if (uio_faulted(u))
			break;
	}
	if (done)
		inode_touch(ino, false);
	*pos = p;
	return done ? done : n;
}

int generic_file_fsync(struct file *f, bool datasync)
{
	struct inode *ino = f->inode;
	struct address_space *m = ino->mapping;
	struct super_block *sb = ino->sb;
	int err = 0, e;

	if (m) {
		err = pagecache_writeback(m, 0, -1, true);
		e = __atomic_exchange_n(&m->wb_error, 0, __ATOMIC_ACQ_REL);
		if (!err)
			err = e;
	}
	if (m && m->ops->write_meta)
		e = m->ops->write_meta(m, datasync);
	else
		e = sb->ops && sb->ops->sync ? sb->ops->sync(sb) : 0;
	if (!err)
		err = e;
	if (sb->bdev) {
		e = blk_sync(sb->bdev);
		if (!err)
			err = e;
	}
	return err;
}
