// SPDX-License-Identifier: MIT
/*
 * tmpfs regular files: the bytes live in whole 4 KiB frames found through
 * a radix tree by page index. A page that was never written is a hole and
 * reads as zeros; truncation frees the pages past the new end and clears
 * the tail of the last one, so growing the file again shows zeros. Writes
 * run under the inode lock (the VFS takes it, so O_APPEND lands at the
 * end); reads take it themselves. The frames are reference-counted pmm
 * frames, so mappings share them: the file's address_space hands them out
 * (get_frame) to the page-fault path, which holds no inode lock, so the
 * index has a spinlock of its own (plock) and a fault may add a page.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "core/kmain.h"
#include "fs/tmpfs/internal.h"
#include "fs/tmpfs/tmpfs.h"
#include "mm/heap.h"
#include "mm/pagecache.h"
#include "mm/pmm.h"
#include "proc/signal.h"

/* Linux's MAX_LFS_FILESIZE on 64-bit: the largest offset a file may reach. */
#define TMPFS_MAX_SIZE INT64_MAX

static void *tmpfs_node_alloc(void *ctx)
{
	(void)ctx;
	return kcalloc(1, sizeof(struct radix_node));
}

static void tmpfs_node_free(void *ctx, void *node)
{
	(void)ctx;
	kfree(node);
}

static const struct radix_alloc tmpfs_nodes = { tmpfs_node_alloc, tmpfs_node_free, NULL };

static void tmpfs_page_release(void *ctx, uint64_t index, uint64_t pa)
{
	(void)ctx;
	(void)index;
	/* Dropping our reference frees the frame unless a mapping still holds it. */
	pmm_frame_put(pmm_frame(pa));
}

void tmpfs_file_cut(struct inode *ino, uint64_t from)
{
	struct tmpfs_inode *ti = tmpfs_i(ino);
	uint64_t n;

	spin_lock(&ti->plock);
	n = radix_truncate(&ti->pages, from, &tmpfs_nodes, tmpfs_page_release, NULL);
	spin_unlock(&ti->plock);
	tmpfs_uncharge(ti->sbi, n);
	__atomic_sub_fetch(&ino->blocks, n * (PAGE_SIZE / 512), __ATOMIC_RELAXED);
}

/* The frame of page @index, or 0 for a hole. */
static uint64_t tmpfs_page_at(struct tmpfs_inode *ti, uint64_t index)
{
	uint64_t pa;

	spin_lock(&ti->plock);
	pa = radix_lookup(&ti->pages, index);
	spin_unlock(&ti->plock);
	return pa;
}

/*
 * The frame of page @index of @ino, made (charged to the size limit,
 * zeroed unless @whole: the caller overwrites it whole) when it is a
 * hole; *@fresh says whether it was. With @ref, one more reference for
 * the caller. 0 with *@pa, -ENOSPC or -ENOMEM.
 */
static int tmpfs_page_get(struct inode *ino, uint64_t index, bool whole, bool ref, uint64_t *pa,
                          bool *fresh)
{
	struct tmpfs_inode *ti = tmpfs_i(ino);
	uint64_t have, made = 0;
	int err = 0;

	/* Someone maps the file: they could see the page before the copy fills it. */
	if (__atomic_load_n(&ti->mapping.nusers, __ATOMIC_RELAXED))
		whole = false;
again:
	*fresh = false;
	made = 0;
	if (!tmpfs_page_at(ti, index)) {
		err = tmpfs_charge(ti->sbi, 1);
		if (err)
			return err;
		made = pmm_alloc_pages(0, whole ? 0 : PMM_ZERO);
		if (!made) {
			tmpfs_uncharge(ti->sbi, 1);
			return -ENOMEM;
		}
	}
	spin_lock(&ti->plock);
	have = radix_lookup(&ti->pages, index);
	if (!have && made) {
		err = radix_insert(&ti->pages, index, made, &tmpfs_nodes);
		have = err ? 0 : made;
		*fresh = !err;
	}
	if (have && ref && pmm_frame_get(pmm_frame(have)))
		err = -ENOMEM;
	spin_unlock(&ti->plock);
	if (made && !*fresh) {
		pmm_free_pages(made, 0);
		tmpfs_uncharge(ti->sbi, 1);
	}
	if (*fresh)
		__atomic_add_fetch(&ino->blocks, PAGE_SIZE / 512, __ATOMIC_RELAXED);
	/* A truncation took the page between the look and the lock: look again. */
	if (!err && !have)
		goto again;
	*pa = have;
	return err;
}

/* Copy one page's share of a write; returns the bytes copied or -errno. [L] held. */
static long tmpfs_write_page(struct inode *ino, struct uio *u, int64_t pos)
{
	uint64_t index = (uint64_t)pos / PAGE_SIZE, pa;
	size_t off = (size_t)pos % PAGE_SIZE, n = PAGE_SIZE - off, got;
	bool fresh;
	int err;

	if (n > u->resid)
		n = u->resid;
	err = tmpfs_page_get(ino, index, off == 0 && n == PAGE_SIZE, false, &pa, &fresh);
	if (err)
		return err;
	got = uio_copy_in(u, (char *)phys_to_virt(pa) + off, n);
	/* A page taken without zeroing must not show old bytes where the copy stopped. */
	if (fresh && off == 0 && n == PAGE_SIZE && got < n)
		memset((char *)phys_to_virt(pa) + got, 0, PAGE_SIZE - got);
	return got ? (long)got : -EFAULT;
}

/*
 * The VFS holds the inode lock (and has dropped set-user-ID bits for a
 * writer who is not root). O_APPEND writes land at the end even through
 * pwrite(), as on Linux (its pwrite(2) page lists that under BUGS).
 */
static long tmpfs_write(struct file *f, struct uio *u, int64_t *pos)
{
	struct inode *ino = f->inode;
	int64_t p = *pos;
	long done = 0, n = 0;

	if (__atomic_load_n(&f->flags, __ATOMIC_RELAXED) & O_APPEND)
		p = ino->size;

	if (p < 0)
		return -EINVAL;
	/* A kill stops a long write with what it wrote (Linux: generic_perform_write()). */
	while (u->resid && !(done && signal_fatal_pending())) {
		/* The last page of the largest offset stays out of reach, as on Linux. */
		if (p > TMPFS_MAX_SIZE - (int64_t)PAGE_SIZE) {
			n = -EFBIG;
			break;
		}
		n = tmpfs_write_page(ino, u, p);
		if (n <= 0)
			break;
		p += n;
		done += n;
		if (uio_faulted(u))
			break;
	}
	if (done) {
		if (p > ino->size)
			__atomic_store_n(&ino->size, p, __ATOMIC_RELEASE);
		inode_touch(ino, false);
	}
	*pos = p;
	return done ? done : n;
}

static bool tmpfs_time_le(struct vfs_time a, struct vfs_time b)
{
	return a.sec < b.sec || (a.sec == b.sec && a.nsec <= b.nsec);
}

/*
 * relatime, Linux's default: a read moves the access time only when it is
 * not after the last change, or a day old. [L] held.
 */
static void tmpfs_accessed(struct inode *ino)
{
	struct vfs_time now = vfs_now();

	if (tmpfs_time_le(ino->atime, ino->mtime) || tmpfs_time_le(ino->atime, ino->ctime) ||
	    now.sec - ino->atime.sec >= 24 * 3600)
		ino->atime = now;
}

static long tmpfs_read(struct file *f, struct uio *u, int64_t *pos)
{
	struct inode *ino = f->inode;
	int64_t p = *pos;
	long done = 0;

	if (p < 0)
		return -EINVAL;
	mutex_lock(&ino->lock);
	/* A kill stops a long read (a sparse file reads 2 GiB of zeros) with what it read. */
	while (u->resid && p < ino->size && !(done && signal_fatal_pending())) {
		uint64_t pa = tmpfs_page_at(tmpfs_i(ino), (uint64_t)p / PAGE_SIZE);
		size_t off = (size_t)p % PAGE_SIZE, n = PAGE_SIZE - off, got;

		if (n > u->resid)
			n = u->resid;
		if ((int64_t)n > ino->size - p)
			n = (size_t)(ino->size - p);
		got = pa ? uio_copy_out(u, (char *)phys_to_virt(pa) + off, n) : uio_zero(u, n);
		p += (int64_t)got;
		done += (long)got;
		if (got < n)
			break;
	}
	if (done)
		tmpfs_accessed(ino);
	mutex_unlock(&ino->lock);
	*pos = p;
	if (!done && uio_faulted(u))
		return -EFAULT;
	return done;
}

/*
 * Change the size: free or zero what lies past a smaller end, and take the
 * pages past it out of every mapping (a touch there is SIGBUS). [L] held.
 */
static int tmpfs_resize(struct inode *ino, int64_t size)
{
	uint64_t pa;
	size_t off = (size_t)size % PAGE_SIZE;
	bool shrink;

	if (size < 0)
		return -EINVAL;
	if (size > TMPFS_MAX_SIZE - (int64_t)PAGE_SIZE)
		return -EFBIG;
	shrink = size < ino->size;
	if (shrink) {
		tmpfs_file_cut(ino, ((uint64_t)size + PAGE_SIZE - 1) / PAGE_SIZE);
		pa = off ? tmpfs_page_at(tmpfs_i(ino), (uint64_t)size / PAGE_SIZE) : 0;
		if (pa)
			memset((char *)phys_to_virt(pa) + off, 0, PAGE_SIZE - off);
	}
	__atomic_store_n(&ino->size, size, __ATOMIC_RELEASE);
	if (shrink)
		pagecache_truncate(ino->mapping, size);
	return 0;
}

int tmpfs_setattr_locked(struct inode *ino, const struct iattr *a) __must_hold(&ino->lock)
{
	int err;

	if (a->valid & ATTR_SIZE) {
		if (S_ISDIR(ino->mode))
			return -EISDIR;
		if (!S_ISREG(ino->mode))
			return -EINVAL;
		err = tmpfs_resize(ino, a->size);
		if (err)
			return err;
	}
	inode_setattr_copy_locked(ino, a);
	return 0;
}

/* SEEK_HOLE from @off: the first page at or after it that is not there, or the end. [L] held. */
static int64_t tmpfs_seek_hole(struct inode *ino, int64_t off)
{
	uint64_t index = (uint64_t)off / PAGE_SIZE;
	int64_t at;

	while ((int64_t)(index * PAGE_SIZE) < ino->size && tmpfs_page_at(tmpfs_i(ino), index))
		index++;
	at = (int64_t)(index * PAGE_SIZE);
	if (at < off)
		at = off;
	return at < ino->size ? at : ino->size;
}

/* SEEK_DATA from @off: the first page present at or after it, -ENXIO if none before the end. */
static int64_t tmpfs_seek_data(struct inode *ino, int64_t off)
{
	struct tmpfs_inode *ti = tmpfs_i(ino);
	uint64_t index, pa;
	int64_t at;
	bool found;

	spin_lock(&ti->plock);
	found = radix_next(&ti->pages, (uint64_t)off / PAGE_SIZE, &index, &pa);
	spin_unlock(&ti->plock);
	if (!found)
		return -ENXIO;
	at = (int64_t)(index * PAGE_SIZE);
	if (at < off)
		at = off;
	return at < ino->size ? at : -ENXIO;
}

/* lseek: holes are real in tmpfs, so SEEK_DATA and SEEK_HOLE find them. */
static int64_t tmpfs_llseek(struct file *f, int64_t off, int whence)
{
	struct inode *ino = f->inode;
	int64_t r;

	if (whence != SEEK_DATA && whence != SEEK_HOLE)
		return vfs_generic_llseek(f, off, whence);
	mutex_lock(&ino->lock);
	if (off < 0 || off >= ino->size)
		r = -ENXIO;
	else
		r = whence == SEEK_DATA ? tmpfs_seek_data(ino, off) : tmpfs_seek_hole(ino, off);
	mutex_unlock(&ino->lock);
	return r;
}

int tmpfs_get_frame(struct inode *ino, uint64_t index, uint64_t *phys)
{
	struct tmpfs_inode *ti = tmpfs_i(ino);
	uint64_t pa = 0;
	int err = -ENOENT;

	if (ino->iops != &tmpfs_file_iops)
		return -EINVAL;
	spin_lock(&ti->plock);
	if (index <
	    ((uint64_t)__atomic_load_n(&ino->size, __ATOMIC_ACQUIRE) + PAGE_SIZE - 1) / PAGE_SIZE)
		pa = radix_lookup(&ti->pages, index);
	if (pa)
		err = pmm_frame_get(pmm_frame(pa));
	spin_unlock(&ti->plock);
	if (!err)
		*phys = pa;
	return err;
}

/*
 * address_space_ops.get_frame: the page-fault path maps tmpfs's own frame,
 * making a hole's page on first touch (charged like a write). The size is
 * read without the inode lock: a truncation racing the fault unmaps the
 * page again after it has set the new size.
 */
static int tmpfs_map_frame(struct address_space *m, uint64_t index, bool write, uint64_t *pa)
{
	struct inode *ino = m->host;
	int64_t size = __atomic_load_n(&ino->size, __ATOMIC_ACQUIRE);
	bool fresh;

	(void)write;
	if (size <= 0 || index > ((uint64_t)size - 1) / PAGE_SIZE)
		return -ENXIO;
	return tmpfs_page_get(ino, index, false, true, pa, &fresh);
}

/* address_space_ops.peek_frame: fault-around maps the pages that exist, makes none. */
static int tmpfs_peek_frame(struct address_space *m, uint64_t index, uint64_t *pa)
{
	struct tmpfs_inode *ti = tmpfs_i(m->host);
	int err = -ENOENT;

	spin_lock(&ti->plock);
	*pa = radix_lookup(&ti->pages, index);
	if (*pa && !pmm_frame_get(pmm_frame(*pa)))
		err = 0;
	spin_unlock(&ti->plock);
	return err;
}

static const struct address_space_ops tmpfs_aops = {
	.get_frame = tmpfs_map_frame,
	.peek_frame = tmpfs_peek_frame,
};

void tmpfs_file_init(struct inode *ino)
{
	struct tmpfs_inode *ti = tmpfs_i(ino);

	radix_init(&ti->pages);
	spin_init(&ti->plock, "tmpfs.pages");
	mapping_init(&ti->mapping, ino, &tmpfs_aops);
	ino->mapping = &ti->mapping;
}

const struct inode_ops tmpfs_file_iops = {
	.setattr = tmpfs_setattr_locked,
};

const struct file_ops tmpfs_file_fops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.llseek = tmpfs_llseek,
};
