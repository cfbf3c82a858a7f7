// SPDX-License-Identifier: MIT
/*
 * MMIO objects: a page-aligned range of device memory (a PCI BAR, a
 * timer's registers) that a user-space driver maps with mmap(2) of its
 * handle. The mapping goes through the same file-backed path as memory
 * objects (kernel/ipc/vmo.c): an anonymous file whose address_space hands
 * the fault path the device's physical pages, one per page index, and whose
 * size is the range's, so a fault past the end is SIGBUS and mremap(2) can
 * never reach beyond the range. The region is flagged uncached
 * (USPACE_UNCACHED, kernel/mm/uspace_internal.h): its pages are mapped
 * PT_CACHE_UC, so every load and store reaches the device, and no frame
 * reference is taken or dropped for them. Only MAP_SHARED makes sense for
 * registers; MAP_PRIVATE is -EINVAL. docs/drvhost.md.
 *
 * Nothing here changes after creation ([I]): no lock.
 */
#include <cairn/errno.h>
#include <cairn/ipc.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/mman.h>
#include <cairn/linux/stat.h>

#include <arch/page.h>

#include "fs/file.h"
#include "ipc/devobj.h"
#include "ipc/object.h"
#include "mm/heap.h"
#include "mm/pagecache.h"
#include "mm/pmm.h"
#include "mm/uspace.h"

/* No architecture Cairn runs on has more physical address bits (x86: SDM Vol. 3A, 4.1.4). */
#define MMIO_PHYS_LIMIT (1ull << 52)

/* The backing file's store: the range and the mapping the fault path asks. */
struct mmio_store {
	uint64_t phys;                /* [I] first byte */
	uint64_t size;                /* [I] bytes, a multiple of pages */
	struct address_space mapping; /* [I] set up once */
};

struct mmio_obj {
	struct kobject obj;
	struct file *backing; /* [I] one reference; each mapping holds its own */
};

static struct mmio_obj *to_mmio(struct kobject *o)
{
	return container_of(o, struct mmio_obj, obj);
}

/* address_space_ops.get_frame: page @index of the range (no reference: no frame record). */
static int mmio_get_frame(struct address_space *m, uint64_t index, bool write, uint64_t *pa)
{
	struct mmio_store *st = m->host->priv;

	(void)write;
	if (index >= st->size / PAGE_SIZE)
		return -EIO; /* the fault path checked the size already; never past the range */
	*pa = st->phys + index * PAGE_SIZE;
	return 0;
}

static const struct address_space_ops mmio_aops = {
	.get_frame = mmio_get_frame,
};

/* The last mapping and the object are gone. */
static void mmio_backing_release(struct file *f)
{
	struct mmio_store *st = f->priv;

	mapping_destroy(&st->mapping);
	kfree(st);
}

static const struct file_ops mmio_backing_fops = {
	.release = mmio_backing_release,
};

static int mmio_backing_new(uint64_t phys, uint64_t size, struct file **out)
{
	struct mmio_store *st = kmalloc_flags(sizeof(*st), KM_ZERO | KM_MAY_FAIL);
	struct file *f;

	if (!st)
		return -ENOMEM;
	f = file_alloc_anon(&mmio_backing_fops, st, O_RDWR, S_IFREG | 0600, "mmio");
	if (IS_ERR_PTR(f)) {
		kfree(st);
		return -ENOMEM;
	}
	st->phys = phys;
	st->size = size;
	mapping_init(&st->mapping, f->inode, &mmio_aops);
	f->inode->priv = st;
	f->inode->mapping = &st->mapping;
	f->inode->size = (int64_t)size;
	*out = f;
	return 0;
}

static void mmio_obj_destroy(struct kobject *o)
{
	file_put(to_mmio(o)->backing);
	kfree(to_mmio(o));
}

/* mmap(2) of a handle: rights already checked against @m->prot; shared mappings only. */
static long mmio_obj_mmap_max(struct kobject *o, const struct kobject_map *m)
{
	struct uspace *s = uspace_current();
	struct uspace_file_map fm = {
		.file = to_mmio(o)->backing,
		.off = m->off,
		.tracked = false,
		.maxprot = m->maxprot,
		.uncached = true,
	};

	if ((m->flags & MAP_TYPE) != MAP_SHARED)
		return -EINVAL;
	return s ? uspace_mmap_file_max(s, m->addr, m->len, m->prot, m->flags, &fm) : -ENOMEM;
}

static const struct kobject_ops mmio_obj_ops = {
	.type = CAIRN_OBJ_MMIO,
	.name = "mmio",
	.default_rights = CAIRN_RIGHT_READ | CAIRN_RIGHT_WRITE | CAIRN_RIGHT_MAP |
	                  CAIRN_RIGHT_DUPLICATE | CAIRN_RIGHT_TRANSFER | CAIRN_RIGHT_INSPECT,
	.destroy = mmio_obj_destroy,
	.mmap_max = mmio_obj_mmap_max,
};

/*
 * Device memory only: page-aligned, not empty, below MMIO_PHYS_LIMIT, and
 * no page the frame allocator keeps a record of (RAM, or a hole inside a
 * zone), so a mapping can never alias memory the kernel hands out.
 */
static bool mmio_range_ok(uint64_t phys, uint64_t size)
{
	if (!size || phys % PAGE_SIZE || size % PAGE_SIZE || phys >= MMIO_PHYS_LIMIT ||
	    size > MMIO_PHYS_LIMIT - phys)
		return false;
	for (uint64_t pa = phys; pa < phys + size; pa += PAGE_SIZE)
		if (pmm_frame(pa))
			return false;
	return true;
}

int mmio_object_create(uint64_t phys, uint64_t size, struct kobject **out)
{
	struct mmio_obj *mo;
	int err;

	if (!mmio_range_ok(phys, size))
		return -EINVAL;
	mo = kmalloc_flags(sizeof(*mo), KM_ZERO | KM_MAY_FAIL);
	if (!mo)
		return -ENOMEM;
	err = mmio_backing_new(phys, size, &mo->backing);
	if (err) {
		kfree(mo);
		return err;
	}
	kobject_init(&mo->obj, &mmio_obj_ops);
	*out = &mo->obj;
	return 0;
}

bool kobject_is_mmio(const struct kobject *o)
{
	return o && o->ops == &mmio_obj_ops;
}

void mmio_object_range(struct kobject *o, uint64_t *phys, uint64_t *size)
{
	struct mmio_store *st = to_mmio(o)->backing->priv;

	*phys = st->phys;
	*size = st->size;
}
