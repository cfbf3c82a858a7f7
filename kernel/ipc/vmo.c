// SPDX-License-Identifier: MIT
/*
 * Memory objects: pages that handles name, mapped MAP_SHARED into several
 * processes and passed through channels (docs/vmo.md). The pages live in a
 * store kept by an anonymous regular file, as memfd's do: the file's
 * address_space hands its frames to the page-fault path (get_frame, as
 * tmpfs does), so mappings reuse the file-mapping machinery, truncation
 * included. Every mapping holds a reference to that file and the object
 * holds one more, so the pages go when the last handle and the last
 * mapping have gone.
 *
 * Locks: [I] fixed once made; [S] store->lock, a spinlock (the fault path
 * takes it under an address space's lock); [L] the backing inode's lock,
 * which serialises resizes. The size is ino->size, written under [L] and
 * [S], read atomically.
 */
#include "ipc/vmo.h"

#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/mman.h>
#include <cairn/linux/stat.h>

#include <arch/page.h>
#include <lib/radix/radix.h>
#include <lib/string.h>

#include "core/kmain.h"
#include "fs/file.h"
#include "ipc/object.h"
#include "ipc/vmo_internal.h"
#include "mm/heap.h"
#include "mm/pagecache.h"
#include "mm/pmm.h"
#include "mm/uaccess.h"
#include "mm/uspace.h"
#include "proc/signal.h"
#include "sched/spinlock.h"

/* The pages of one memory object: the priv of its backing file and inode. */
struct vmo_store {
	struct address_space mapping; /* [I] set up once; get_frame and peek_frame */
	struct spinlock lock;         /* the [S] lock */
	struct radix_tree pages;      /* [S] page index -> frame, one reference each */
};

static void *vmo_node_alloc(void *ctx)
{
	(void)ctx;
	return kmalloc_flags(sizeof(struct radix_node), KM_ZERO | KM_MAY_FAIL);
}

static void vmo_node_free(void *ctx, void *node)
{
	(void)ctx;
	kfree(node);
}

static const struct radix_alloc vmo_nodes = { vmo_node_alloc, vmo_node_free, NULL };

/* Dropping the store's reference frees the frame unless a mapping still holds it. */
static void vmo_page_release(void *ctx, uint64_t index, uint64_t pa)
{
	(void)ctx;
	(void)index;
	pmm_frame_put(pmm_frame(pa));
}

/*
 * Every memory object's committed pages together may take half of the
 * memory the frame allocator manages (tmpfs's default size limit), so no
 * process can starve the kernel through them: past it a write is -ENOMEM
 * and a fault SIGBUS. vmo_page_limit is worked out on first use.
 */
static uint64_t vmo_page_limit; /* [a] pages; 0: not known yet */
static uint64_t vmo_pages_used; /* [a] pages committed by every object */

static uint64_t vmo_limit(void)
{
	uint64_t limit = __atomic_load_n(&vmo_page_limit, __ATOMIC_RELAXED);
	struct pmm_stats st;

	if (limit)
		return limit;
	pmm_stats(&st);
	limit = st.total / PAGE_SIZE / 2;
	__atomic_store_n(&vmo_page_limit, limit, __ATOMIC_RELAXED);
	return limit;
}

/* Count one more committed page: false (nothing counted) past the limit. */
static bool vmo_charge(void)
{
	if (__atomic_add_fetch(&vmo_pages_used, 1, __ATOMIC_RELAXED) <= vmo_limit())
		return true;
	__atomic_sub_fetch(&vmo_pages_used, 1, __ATOMIC_RELAXED);
	return false;
}

static void vmo_uncharge(uint64_t n)
{
	__atomic_sub_fetch(&vmo_pages_used, n, __ATOMIC_RELAXED);
}

void vmo_set_page_limit(uint64_t pages)
{
	__atomic_store_n(&vmo_page_limit, pages, __ATOMIC_RELAXED);
}

static uint64_t size_pages(const struct inode *ino)
{
	return (uint64_t)__atomic_load_n(&ino->size, __ATOMIC_ACQUIRE) / PAGE_SIZE;
}

/*
 * The frame of page @index of @st with one reference for the caller,
 * committed (zeroed) on first use when @make. Returns 0, -ENXIO (past
 * the end), -ENOENT (not committed and !@make), -ENOSPC (past the page
 * limit: a fault is then SIGBUS, as on a full tmpfs) or -ENOMEM. The size is
 * checked under [S], so a page is never added past an end a resize has
 * set. Task context when @make (it may sleep to reclaim memory).
 */
int vmo_store_frame(struct vmo_store *st, uint64_t index, bool make, uint64_t *pa)
{
	uint64_t made = 0, have;
	int err = 0;

	if (make && index < size_pages(st->mapping.host) && !vmo_store_frame(st, index, false, pa))
		return 0;
	if (make) {
		if (!vmo_charge())
			return -ENOSPC;
		made = pmm_alloc_pages_reclaim(0, PMM_ZERO);
		if (!made) {
			vmo_uncharge(1);
			return -ENOMEM;
		}
	}
	spin_lock(&st->lock);
	if (index >= size_pages(st->mapping.host)) {
		err = -ENXIO;
		goto out_unlock;
	}
	have = radix_lookup(&st->pages, index);
	if (!have && made) {
		err = radix_insert(&st->pages, index, made, &vmo_nodes);
		if (err)
			goto out_unlock;
		have = made;
		made = 0;
		ipc_count_add(IPC_COUNT_VMO_PAGES, 1);
	}
	if (!have)
		err = -ENOENT;
	else if (pmm_frame_get(pmm_frame(have)))
		err = -ENOMEM;
	*pa = have;
out_unlock:
	spin_unlock(&st->lock);
	if (made) {
		pmm_free_pages(made, 0);
		vmo_uncharge(1);
	}
	return err;
}

/* Give back the pages at @from and later; [S] is taken here. */
static void vmo_store_cut(struct vmo_store *st, uint64_t from)
{
	uint64_t n;

	spin_lock(&st->lock);
	n = radix_truncate(&st->pages, from, &vmo_nodes, vmo_page_release, NULL);
	spin_unlock(&st->lock);
	ipc_count_add(IPC_COUNT_VMO_PAGES, -(long)n);
	vmo_uncharge(n);
}

/* address_space_ops.get_frame: a fault commits the page on its first touch. */
static int vmo_get_frame(struct address_space *m, uint64_t index, bool write, uint64_t *pa)
{
	(void)write;
	return vmo_store_frame(m->host->priv, index, true, pa);
}

/* address_space_ops.peek_frame: fault-around maps committed pages only. */
static int vmo_peek_frame(struct address_space *m, uint64_t index, uint64_t *pa)
{
	return vmo_store_frame(m->host->priv, index, false, pa) ? -ENOENT : 0;
}

static const struct address_space_ops vmo_aops = {
	.get_frame = vmo_get_frame,
	.peek_frame = vmo_peek_frame,
};

/* The backing file's last reference went: no handle and no mapping is left. */
static void vmo_backing_release(struct file *f)
{
	struct vmo_store *st = f->priv;

	vmo_store_cut(st, 0);
	mapping_destroy(&st->mapping);
	kfree(st);
}

/* No read(2) or write(2): the file is never in a descriptor table. */
static const struct file_ops vmo_backing_fops = {
	.release = vmo_backing_release,
};

/* A backing file of @size bytes (a multiple of pages): 0 and *@out, or -ENOMEM. */
static int vmo_backing_new(uint64_t size, struct file **out)
{
	struct vmo_store *st = kmalloc_flags(sizeof(*st), KM_ZERO | KM_MAY_FAIL);
	struct file *f;

	if (!st)
		return -ENOMEM;
	f = file_alloc_anon(&vmo_backing_fops, st, O_RDWR, S_IFREG | 0600, "cairn:[vmo]");
	if (IS_ERR_PTR(f)) {
		kfree(st);
		return -ENOMEM;
	}
	spin_init(&st->lock, "vmo.pages");
	radix_init(&st->pages);
	mapping_init(&st->mapping, f->inode, &vmo_aops);
	f->inode->priv = st;
	f->inode->mapping = &st->mapping;
	f->inode->size = (int64_t)size;
	*out = f;
	return 0;
}

/* ---- the object ---- */

static uint32_t vmo_signals(struct kobject *o)
{
	(void)o;
	return 0; /* nothing to wait for */
}

/* The last reference went: mappings keep the backing file, and so the pages. */
static void vmo_destroy(struct kobject *o)
{
	struct vmo *v = vmo_of(o);

	file_put(v->backing);
	kfree(v);
}

static long vmo_mmap_max(struct kobject *o, const struct kobject_map *m)
{
	struct uspace *s = uspace_current();

	return s ? vmo_map(o, s, m) : -ENOMEM;
}

const struct kobject_ops vmo_ops = {
	.type = CAIRN_OBJ_VMO,
	.name = "vmo",
	.default_rights = CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE | CAIRN_RIGHT_MAP |
	                  CAIRN_RIGHT_DUPLICATE | CAIRN_RIGHT_TRANSFER | CAIRN_RIGHT_INSPECT |
	                  CAIRN_RIGHT_MANAGE,
	.signals = vmo_signals,
	.destroy = vmo_destroy,
	.mmap_max = vmo_mmap_max,
};

static bool is_vmo(const struct kobject *o)
{
	return o && o->ops == &vmo_ops;
}

/* @size rounded up to pages, or -EINVAL past VMO_MAX_SIZE. */
static int vmo_round(uint64_t size, uint64_t *out)
{
	if (size > VMO_MAX_SIZE)
		return -EINVAL;
	*out = PAGE_ALIGN_UP(size);
	return 0;
}

int vmo_create(uint64_t size, struct kobject **out)
{
	struct vmo *v;
	int err = vmo_round(size, &size);

	if (err)
		return err;
	v = kmalloc_flags(sizeof(*v), KM_ZERO | KM_MAY_FAIL);
	if (!v)
		return -ENOMEM;
	err = vmo_backing_new(size, &v->backing);
	if (err) {
		kfree(v);
		return err;
	}
	kobject_init(&v->obj, &vmo_ops);
	*out = &v->obj;
	return 0;
}

uint64_t vmo_size(struct kobject *o)
{
	if (!is_vmo(o))
		return 0;
	return (uint64_t)__atomic_load_n(&vmo_of(o)->backing->inode->size, __ATOMIC_ACQUIRE);
}

int vmo_set_size(struct kobject *o, uint64_t size)
{
	struct file *f;
	struct vmo_store *st;
	struct inode *ino;
	int64_t old;
	int err = is_vmo(o) ? vmo_round(size, &size) : -EBADFD;

	if (err)
		return err;
	f = vmo_of(o)->backing;
	st = f->priv;
	ino = f->inode;
	mutex_lock(&ino->lock);
	old = ino->size;
	/* Faults and copies check the size under [S]: none commits a page past it after this. */
	spin_lock(&st->lock);
	__atomic_store_n(&ino->size, (int64_t)size, __ATOMIC_RELEASE);
	spin_unlock(&st->lock);
	if ((uint64_t)old > size) {
		/* Out of every mapper first (a later touch there is SIGBUS), then freed. */
		pagecache_truncate(&st->mapping, (int64_t)size);
		vmo_store_cut(st, size / PAGE_SIZE);
	}
	mutex_unlock(&ino->lock);
	return 0;
}

/* One page's share of a copy: [@in, @in + @n) of page @index. */
static int vmo_copy_page(struct vmo_store *st, uint64_t index, size_t in, size_t n,
                         const struct vmo_io *io, size_t done)
{
	uint8_t *buf = (uint8_t *)io->buf + done;
	uint64_t pa;
	uint8_t *kva;
	int err = vmo_store_frame(st, index, io->write, &pa);

	if (err == -ENOENT) { /* a read of a page never touched: zeros, nothing committed */
		if (io->user)
			return clear_user(buf, n);
		memset(buf, 0, n);
		return 0;
	}
	if (err == -ENXIO)
		return -EINVAL; /* shrunk meanwhile */
	if (err)
		return -ENOMEM; /* no memory, or past the page limit */
	kva = (uint8_t *)phys_to_virt(pa) + in;
	if (io->user)
		err = io->write ? copy_from_user(kva, buf, n) : copy_to_user(buf, kva, n);
	else if (io->write)
		memcpy(kva, buf, n);
	else
		memcpy(buf, kva, n);
	pmm_frame_put(pmm_frame(pa));
	return err;
}

int vmo_copy(struct kobject *o, uint64_t off, uint64_t len, const struct vmo_io *io)
{
	struct vmo_store *st = vmo_of(o)->backing->priv;
	uint64_t size = vmo_size(o);
	size_t done = 0, in, n;
	int err;

	if (off > size || len > size - off)
		return -EINVAL;
	while (done < len) {
		/* A killed process stops here rather than after gigabytes (it never returns). */
		if (io->user && done && signal_fatal_pending())
			return -EINTR;
		in = (off + done) % PAGE_SIZE;
		n = PAGE_SIZE - in < len - done ? PAGE_SIZE - in : len - done;
		err = vmo_copy_page(st, (off + done) / PAGE_SIZE, in, n, io, done);
		if (err)
			return err;
		done += n;
	}
	return 0;
}

int vmo_read_kernel(struct kobject *o, void *buf, uint64_t off, size_t len)
{
	struct vmo_io io = { .buf = buf };

	return is_vmo(o) ? vmo_copy(o, off, len, &io) : -EBADFD;
}

int vmo_write_kernel(struct kobject *o, const void *buf, uint64_t off, size_t len)
{
	struct vmo_io io = { .buf = (void *)(uintptr_t)buf, .write = true };

	return is_vmo(o) ? vmo_copy(o, off, len, &io) : -EBADFD;
}

long vmo_map(struct kobject *o, struct uspace *s, const struct kobject_map *m)
{
	struct uspace_file_map fm = {
		.off = m->off,
		.tracked = false, /* the pages are the object's: nothing to write back */
		.maxprot = m->maxprot,
	};

	if (!is_vmo(o))
		return -EBADFD;
	fm.file = vmo_of(o)->backing;
	return uspace_mmap_file_max(s, m->addr, m->len, m->prot, m->flags, &fm);
}
