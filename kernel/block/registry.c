// SPDX-License-Identifier: MIT
/*
 * The registry of block devices: disks the drivers register and the
 * partitions found on them, each with a device number chosen from its
 * name (Linux's numbers, so busybox and /proc look familiar), a /dev node,
 * and a reference count that keeps it alive while mounts and open files
 * use it, also after its driver went.
 *
 * Locks: [R] registry_lock (a spinlock: blk_for_each callers must not
 * sleep); reference counts are atomic.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "block/blkdev.h"
#include "block/internal.h"
#include "core/log.h"
#include "fs/devfs/devfs.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "sched/sync.h"

#define EXT_MINORS 1024 /* blkext (259) numbers: NVMe namespaces, partitions past a disk's range */

static struct spinlock registry_lock = SPINLOCK_INIT("blk-registry");
static struct list_node registry __guarded_by(&registry_lock) = LIST_INIT(registry);
static uint64_t ext_used[EXT_MINORS / 64] __guarded_by(&registry_lock);
static struct mutex start_lock = MUTEX_INIT(start_lock, "blk-start");
static bool started __guarded_by(&start_lock);

/* How names map to numbers (Linux's Documentation/admin-guide/devices.txt). */
static const struct blk_major {
	const char *prefix;
	unsigned major;
	unsigned minors; /* per disk: its partitions take the next ones */
	bool letters;    /* "vda", "vdb"... rather than "ram0", "ram1"... */
} majors[] = {
	{ "vd", 254, 16, true }, /* virtio-blk */
	{ "ram", 1, 1, false },  /* brd's RAM disks */
	{ "loop", 7, 1, false }, /* loop devices */
};

/* The disk index in @s ("a" -> 0, "z" -> 25, "aa" -> 26; or decimal digits); -1: malformed. */
static long name_index(const char *s, bool letters)
{
	long v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (letters && *s >= 'a' && *s <= 'z')
			v = v * 26 + (*s - 'a' + 1);
		else if (!letters && *s >= '0' && *s <= '9')
			v = v * 10 + (*s - '0');
		else
			return -1;
		if (v > (1l << 20))
			return -1;
	}
	return letters ? v - 1 : v;
}

static uint32_t ext_alloc_locked(struct blk_layer *l) __must_hold(&registry_lock)
{
	for (unsigned i = 0; i < EXT_MINORS; i++) {
		if (!(ext_used[i / 64] & (1ull << (i % 64)))) {
			ext_used[i / 64] |= 1ull << (i % 64);
			l->ext_minor = i + 1;
			return (uint32_t)DEV_ENCODE(BLK_EXT_MAJOR, i);
		}
	}
	return 0;
}

static void ext_free_locked(struct blk_layer *l) __must_hold(&registry_lock)
{
	unsigned i = l->ext_minor - 1;

	if (l->ext_minor)
		ext_used[i / 64] &= ~(1ull << (i % 64));
	l->ext_minor = 0;
}

/* The number of @d from its name, or a blkext one; 0 when none is left. */
static uint32_t alloc_dev_locked(struct block_device *d) __must_hold(&registry_lock)
{
	const struct block_device *disk = d->whole;

	for (unsigned i = 0; i < sizeof(majors) / sizeof(majors[0]); i++) {
		const struct blk_major *m = &majors[i];
		size_t n = strlen(m->prefix);
		long idx;

		if (strncmp(disk->name, m->prefix, n) != 0)
			continue;
		idx = name_index(disk->name + n, m->letters);
		if (idx < 0 || (unsigned long)idx * m->minors + m->minors > (1ul << 20))
			break;
		if (d->partno < m->minors)
			return (uint32_t)DEV_ENCODE(m->major,
			                            (unsigned long)idx * m->minors + d->partno);
		break;
	}
	return ext_alloc_locked(d->layer);
}

static struct block_device *find_name_locked(const char *name) __must_hold(&registry_lock)
{
	struct blk_layer *l;

	list_for_each_entry(l, &registry, link) {
		struct block_device *d = l->dev;

		if (strcmp(d->name, name) == 0)
			return d;
	}
	return NULL;
}

/* Check what a driver filled in. */
static bool disk_ok(const struct block_device *d)
{
	size_t n = strnlen(d->name, sizeof(d->name));

	if (!n || n == sizeof(d->name) || strchr(d->name, '/'))
		return false;
	if (d->lbsize < 512 || d->lbsize > 4096 || (d->lbsize & (d->lbsize - 1)))
		return false;
	return d->nr_sectors % (d->lbsize >> SECTOR_SHIFT) == 0;
}

/* The first registration starts the layer's tasks. */
static int blk_start(void)
{
	int err = 0;

	mutex_lock(&start_lock);
	if (!started) {
		err = blk_retry_start();
		if (!err)
			err = bcache_start_flusher();
		started = !err;
	}
	mutex_unlock(&start_lock);
	return err;
}

int blk_add(struct block_device *d)
{
	struct blk_layer *l;
	int err;

	err = blk_start();
	if (err)
		return err;
	l = kmalloc_flags(sizeof(*l), KM_ZERO | KM_MAY_FAIL);
	if (!l)
		return -ENOMEM;
	l->dev = d;
	blk_queue_init(&l->q);
	l->bsize = d->nr_sectors % 8 == 0 ? 4096 : d->lbsize;
	d->layer = l;
	d->refs = 1;
	spin_lock(&registry_lock);
	if (find_name_locked(d->name)) {
		err = -EEXIST;
	} else if (!(d->dev = alloc_dev_locked(d))) {
		err = -ENOSPC;
	} else {
		list_add_tail(&registry, &l->link);
		l->registered = true;
	}
	spin_unlock(&registry_lock);
	if (err) {
		d->layer = NULL;
		kfree(l);
		return err;
	}
	/* A node left by an earlier device of that name (a loop device) already fits. */
	err = devfs_add_node(d->name, S_IFBLK | 0660, d->dev);
	if (err && err != -EEXIST)
		pr_warn("block: %s: no /dev node: error %d", d->name, err);
	return 0;
}

int blk_register(struct block_device *d)
{
	int err;

	if (!d->ops || !d->ops->submit || !disk_ok(d)) {
		pr_err("block: a disk with a bad name, block size or size was refused");
		return -EINVAL;
	}
	d->whole = d;
	d->start_sector = 0;
	d->partno = 0;
	err = blk_add(d);
	if (err) {
		pr_err("block: %s: cannot register: error %d", d->name, err);
		return err;
	}
	/* An empty device (an unbound loop device) is not worth a line at every boot. */
	if (d->nr_sectors)
		pr_info("block: %s: %llu sectors (%llu MiB), %u-byte blocks, number %u:%u%s",
		        d->name, (unsigned long long)d->nr_sectors,
		        (unsigned long long)(d->nr_sectors >> 11), d->lbsize, DEV_MAJOR(d->dev),
		        DEV_MINOR(d->dev), d->flags & BLK_RO ? ", read-only" : "");
	err = blk_scan_partitions(d);
	if (err)
		pr_warn("block: %s: partition table not read: error %d", d->name, err);
	return 0;
}

void blk_remove(struct block_device *d)
{
	struct blk_layer *l = blk_layer(d);
	bool was;

	__atomic_fetch_or(&d->flags, BLK_REMOVED, __ATOMIC_RELEASE);
	spin_lock(&registry_lock);
	was = l->registered;
	if (was) {
		list_del(&l->link);
		l->registered = false;
		ext_free_locked(l);
	}
	spin_unlock(&registry_lock);
	bcache_forget(d);
	if (was)
		blk_put(d);
}

void blk_unregister(struct block_device *d)
{
	blk_get(d);
	blk_drop_partitions(d);
	blk_remove(d);
	blk_queue_abort(d);
	pr_info("block: %s: removed", d->name);
	blk_put(d);
}

void blk_get(struct block_device *d)
{
	__atomic_fetch_add(&d->refs, 1, __ATOMIC_RELAXED);
}

void blk_put(struct block_device *d)
{
	struct blk_layer *l;

	if (__atomic_sub_fetch(&d->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	l = blk_layer(d);
	if (l->own) {
		/* A partition: the layer made it and holds its disk. */
		struct block_device *disk = d->whole;

		kfree(l);
		kfree(d);
		blk_put(disk);
		return;
	}
	d->layer = NULL;
	kfree(l);
	if (d->ops->release)
		d->ops->release(d);
}

struct block_device *blk_lookup_dev(uint32_t dev)
{
	struct block_device *found = NULL;
	struct blk_layer *l;

	spin_lock(&registry_lock);
	list_for_each_entry(l, &registry, link) {
		if (l->dev->dev == dev) {
			found = l->dev;
			blk_get(found);
			break;
		}
	}
	spin_unlock(&registry_lock);
	return found;
}

/* The device whose node @path names; NULL when it is no registered block device. */
static struct block_device *lookup_path(const char *path, int *err)
{
	struct path p;
	struct block_device *d = NULL;

	*err = vfs_walk(AT_FDCWD, path, LOOKUP_FOLLOW, &p);
	if (*err)
		return NULL;
	if (!S_ISBLK(p.dentry->inode->mode))
		*err = -ENOTBLK;
	else if (!(d = blk_lookup_dev(p.dentry->inode->rdev)))
		*err = -ENXIO;
	path_put(&p);
	return d;
}

struct block_device *blk_lookup_err(const char *name, int *err)
{
	struct block_device *d;

	if (strchr(name, '/'))
		return lookup_path(name, err);
	spin_lock(&registry_lock);
	d = find_name_locked(name);
	if (d)
		blk_get(d);
	spin_unlock(&registry_lock);
	*err = d ? 0 : -ENXIO;
	return d;
}

struct block_device *blk_lookup(const char *name)
{
	int err;

	return blk_lookup_err(name, &err);
}

void blk_for_each(void (*fn)(struct block_device *d, void *ctx), void *ctx)
{
	struct blk_layer *l;

	spin_lock(&registry_lock);
	list_for_each_entry(l, &registry, link)
		fn(l->dev, ctx);
	spin_unlock(&registry_lock);
}

void blk_get_stats(const struct block_device *d, struct blk_stats *out)
{
	const struct blk_stats *s = &blk_layer(d)->st;

	for (unsigned i = 0; i < 2; i++) {
		out->ios[i] = __atomic_load_n(&s->ios[i], __ATOMIC_RELAXED);
		out->sectors[i] = __atomic_load_n(&s->sectors[i], __ATOMIC_RELAXED);
	}
	out->merges = __atomic_load_n(&s->merges, __ATOMIC_RELAXED);
	out->splits = __atomic_load_n(&s->splits, __ATOMIC_RELAXED);
	out->driver_ios = __atomic_load_n(&s->driver_ios, __ATOMIC_RELAXED);
	out->busy = __atomic_load_n(&s->busy, __ATOMIC_RELAXED);
	out->errors = __atomic_load_n(&s->errors, __ATOMIC_RELAXED);
}

int blk_claim(struct block_device *d)
{
	struct blk_layer *l;
	int err = 0;

	spin_lock(&registry_lock);
	if (blk_layer(d)->claimed || blk_layer(d->whole)->claimed) {
		err = -EBUSY;
		goto out_unlock;
	}
	list_for_each_entry(l, &registry, link) {
		if (l->dev != d && l->dev->whole == d && l->claimed) {
			err = -EBUSY;
			goto out_unlock;
		}
	}
	blk_layer(d)->claimed = true;
out_unlock:
	spin_unlock(&registry_lock);
	return err;
}

void blk_unclaim_quiet(struct block_device *d)
{
	spin_lock(&registry_lock);
	blk_layer(d)->claimed = false;
	spin_unlock(&registry_lock);
}

void blk_unclaim(struct block_device *d)
{
	blk_unclaim_quiet(d);
	blk_check_idle(d);
}

void blk_check_idle(struct block_device *d)
{
	bool idle;

	if (!d->ops || !d->ops->idle)
		return;
	spin_lock(&registry_lock);
	idle = !blk_layer(d)->claimed &&
	       __atomic_load_n(&blk_layer(d)->opens, __ATOMIC_RELAXED) == 0;
	spin_unlock(&registry_lock);
	if (idle)
		d->ops->idle(d);
}
