// SPDX-License-Identifier: MIT
/*
 * ext2 inodes in the VFS: the per-mount table that gives each on-disk
 * inode one VFS inode, loading and writing inodes (ext2k_push/pull keep
 * the two copies of the fields in step), eviction (the on-disk inode is
 * freed with its last name and last user), truncation, and the page
 * cache's address-space operations for regular files.
 */
#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include <arch/page.h>
#include <lib/string.h>

#include "block/blkdev.h"
#include "core/kmain.h"
#include "core/log.h"
#include "fs/ext2/internal.h"
#include "fs/file.h"
#include "mm/heap.h"
#include "sched/sched.h"

/* ---- the inode table ---- */

static bool get_unless_zero(struct inode *ino)
{
	int r = __atomic_load_n(&ino->refs, __ATOMIC_RELAXED);

	while (r > 0) {
		if (__atomic_compare_exchange_n(&ino->refs, &r, r + 1, false, __ATOMIC_ACQ_REL,
		                                __ATOMIC_RELAXED))
			return true;
	}
	return false;
}

static struct ext2k_inode *icache_find_locked(struct ext2k_sb *e, uint32_t ino)
	__must_hold(&e->icache_lock)
{
	struct ext2k_inode *ki = e->hash[ino % EXT2K_HASH];

	while (ki && ki->di.ino != ino)
		ki = ki->hnext;
	return ki;
}

static void icache_remove(struct ext2k_sb *e, struct ext2k_inode *ki)
{
	struct ext2k_inode **pp;

	spin_lock(&e->icache_lock);
	for (pp = &e->hash[ki->di.ino % EXT2K_HASH]; *pp; pp = &(*pp)->hnext) {
		if (*pp == ki) {
			*pp = ki->hnext;
			break;
		}
	}
	spin_unlock(&e->icache_lock);
}

/*
 * The cached VFS inode of @ino with a new reference: 1 and *@out; 0 when
 * none is cached. An inode on its way out (no references left) is waited
 * for, so it is written back before anyone reads it again.
 */
static int icache_get(struct ext2k_sb *e, uint32_t ino, struct inode **out)
{
	for (;;) {
		struct ext2k_inode *ki;
		bool dying;

		spin_lock(&e->icache_lock);
		ki = icache_find_locked(e, ino);
		if (ki && get_unless_zero(ki->vfs)) {
			spin_unlock(&e->icache_lock);
			*out = ki->vfs;
			return 1;
		}
		dying = ki != NULL;
		spin_unlock(&e->icache_lock);
		if (!dying)
			return 0;
		sched_yield();
	}
}

/* Hash @ki unless its number is there already (a racing lookup won): false then. */
static bool icache_insert(struct ext2k_sb *e, struct ext2k_inode *ki)
{
	bool ok;

	spin_lock(&e->icache_lock);
	ok = icache_find_locked(e, ki->di.ino) == NULL;
	if (ok) {
		ki->hnext = e->hash[ki->di.ino % EXT2K_HASH];
		e->hash[ki->di.ino % EXT2K_HASH] = ki;
		__atomic_add_fetch(&e->refs, 1, __ATOMIC_RELAXED);
	}
	spin_unlock(&e->icache_lock);
	return ok;
}

void ext2k_sb_put(struct ext2k_sb *e)
{
	/* The device is the VFS's to release (sb_put_bdev after the super_block). */
	if (__atomic_sub_fetch(&e->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(e);
}

void ext2k_check_ro_locked(struct ext2k_sb *e)
{
	if (!e->fs.readonly || e->ro_logged)
		return;
	e->ro_logged = true;
	if (!(e->sb->flags & SB_RDONLY)) {
		pr_err("ext2: %s: %s; switching to read-only, run e2fsck", e->bdev->name,
		       e->fs.why ? e->fs.why : "unknown");
		__atomic_or_fetch(&e->sb->flags, SB_RDONLY, __ATOMIC_RELAXED);
	}
}

/* ---- the two copies of the fields ---- */

static void set_ops(struct inode *ino)
{
	switch (ino->mode & S_IFMT) {
	case S_IFDIR:
		ino->iops = &ext2k_dir_iops;
		ino->fops = &ext2k_dir_fops;
		break;
	case S_IFREG:
		ino->iops = &ext2k_file_iops;
		ino->fops = &ext2k_file_fops;
		break;
	case S_IFLNK:
		ino->iops = &ext2k_link_iops;
		break;
	default:
		ino->iops = &ext2k_node_iops;
		break;
	}
}

static struct vfs_time t(uint32_t sec)
{
	return (struct vfs_time){ .sec = sec, .nsec = 0 };
}

/* Fill a VFS inode from the disk's fields (load time: the disk is right about everything). */
static void fill_vfs(struct inode *v, const struct ext2_inode *r)
{
	v->mode = r->i_mode;
	v->uid = r->i_uid | (uint32_t)r->i_uid_high << 16;
	v->gid = r->i_gid | (uint32_t)r->i_gid_high << 16;
	v->nlink = r->i_links_count;
	v->size = (int64_t)ext2_i_size(r);
	v->blocks = r->i_blocks;
	v->atime = t(r->i_atime);
	v->mtime = t(r->i_mtime);
	v->ctime = t(r->i_ctime);
	if (S_ISCHR(v->mode) || S_ISBLK(v->mode))
		v->rdev = ext2_node_rdev(r);
}

void ext2k_push_locked(struct ext2k_sb *e, struct ext2k_inode *ki)
{
	struct inode *v = ki->vfs;
	struct ext2_inode *r = &ki->di.raw;

	(void)e;
	r->i_mode = (uint16_t)v->mode;
	r->i_uid = (uint16_t)v->uid;
	r->i_uid_high = (uint16_t)(v->uid >> 16);
	r->i_gid = (uint16_t)v->gid;
	r->i_gid_high = (uint16_t)(v->gid >> 16);
	r->i_atime = (uint32_t)v->atime.sec;
	r->i_mtime = (uint32_t)v->mtime.sec;
	r->i_ctime = (uint32_t)v->ctime.sec;
	if (S_ISREG(v->mode))
		ext2_set_i_size(r, (uint64_t)__atomic_load_n(&v->size, __ATOMIC_ACQUIRE));
}

void ext2k_pull_locked(struct ext2k_sb *e, struct ext2k_inode *ki)
{
	struct inode *v = ki->vfs;
	const struct ext2_inode *r = &ki->di.raw;

	(void)e;
	v->nlink = r->i_links_count;
	v->blocks = r->i_blocks;
	if (!S_ISREG(v->mode))
		v->size = (int64_t)ext2_i_size(r);
}

int ext2k_write_locked(struct ext2k_sb *e, struct ext2k_inode *ki)
{
	if (e->fs.readonly)
		return 0;
	ext2k_push_locked(e, ki);
	return ext2_write_inode(&e->fs, &ki->di);
}

int ext2k_trim_locked(struct ext2k_sb *e, struct ext2k_inode *ki)
{
	uint64_t keep;

	if (e->fs.readonly || !S_ISREG(ki->vfs->mode))
		return 0;
	keep = ((uint64_t)ki->vfs->size + e->fs.block_size - 1) / e->fs.block_size;
	if (keep >= ext2_max_lblocks(&e->fs))
		return 0;
	return ext2_free_blocks_from(&e->fs, &ki->di, keep);
}

/* ---- loading ---- */

static struct ext2k_inode *alloc_pair(struct super_block *sb, struct inode **ino)
{
	struct ext2k_inode *ki = kcalloc(1, sizeof(*ki));

	*ino = ki ? inode_alloc(sb) : NULL;
	if (!*ino) {
		kfree(ki);
		return NULL;
	}
	ki->vfs = *ino;
	(*ino)->priv = ki;
	return ki;
}

/* Make @ino the VFS face of @ki's on-disk inode and hash it. 0, or -EAGAIN when raced. */
static int publish(struct ext2k_sb *e, struct inode *ino, struct ext2k_inode *ki)
{
	ino->ino = ki->di.ino;
	fill_vfs(ino, &ki->di.raw);
	set_ops(ino);
	if (S_ISREG(ino->mode)) {
		mapping_init(&ki->mapping, ino, &ext2k_aops);
		ino->mapping = &ki->mapping;
	}
	if (!icache_insert(e, ki)) {
		if (ino->mapping)
			mapping_destroy(ino->mapping);
		ino->mapping = NULL;
		return -EAGAIN;
	}
	return 0;
}

/* Whether a loaded inode may be handed to the VFS. */
static int check_loaded(struct ext2k_sb *e, const struct ext2_inode *r)
{
	uint32_t type = r->i_mode & S_IFMT;

	if (r->i_links_count == 0 || ext2_mode_ftype(r->i_mode) == EXT2_FT_UNKNOWN) {
		e->fs.why = "directory entry names a free or typeless inode";
		return -EUCLEAN;
	}
	if (type == S_IFDIR && ext2_i_size(r) % e->fs.block_size) {
		e->fs.why = "directory size is not a whole number of blocks";
		return -EUCLEAN;
	}
	return 0;
}

int ext2k_iget(struct super_block *sb, uint32_t nr, struct inode **out)
{
	struct ext2k_sb *e = ext2k_sb(sb);
	struct ext2k_inode *ki;
	struct inode *ino;
	int err;

	for (;;) {
		if (icache_get(e, nr, out))
			return 0;
		ki = alloc_pair(sb, &ino);
		if (!ki)
			return -ENOMEM;
		mutex_lock(&e->lock);
		err = ext2_read_inode(&e->fs, nr, &ki->di);
		if (!err)
			err = check_loaded(e, &ki->di.raw);
		if (err == -EUCLEAN)
			pr_err("ext2: %s: inode %u: %s", e->bdev->name, nr, e->fs.why);
		mutex_unlock(&e->lock);
		if (!err)
			err = publish(e, ino, ki);
		if (!err) {
			*out = ino;
			return 0;
		}
		ino->priv = NULL;
		kfree(ki);
		inode_put(ino);
		if (err != -EAGAIN)
			return err;
	}
}

struct inode *ext2k_inode_alloc(struct super_block *sb)
{
	struct inode *ino;

	return alloc_pair(sb, &ino) ? ino : NULL;
}

int ext2k_inew(struct super_block *sb, struct inode *ino)
{
	/* A number just allocated cannot be in the table: nothing else can race for it. */
	return publish(ext2k_sb(sb), ino, ext2k_i(ino)) ? -EEXIST : 0;
}

/* ---- eviction ---- */

void ext2k_evict_inode(struct inode *ino)
{
	struct ext2k_inode *ki = ext2k_i(ino);
	struct ext2k_sb *e;
	int err;

	if (!ki)
		return;
	e = ext2k_sb(ino->sb);
	if (ino->mapping) {
		if (ino->nlink && pagecache_writeback(ino->mapping, 0, -1, true))
			pr_warn("ext2: %s: inode %u: data write-back failed", e->bdev->name,
			        ki->di.ino);
		mapping_destroy(ino->mapping);
		ino->mapping = NULL;
	}
	mutex_lock(&e->lock);
	if (e->unmounted)
		err = 0; /* put_super wrote it back; nothing may change the disk now */
	else if (ino->nlink == 0)
		err = e->fs.readonly ? 0 : ext2_evict(&e->fs, &ki->di, ext2k_now());
	else
		err = ext2k_trim_locked(e, ki) ?: ext2k_write_locked(e, ki);
	if (err)
		pr_err("ext2: %s: inode %u: write-back failed: %d", e->bdev->name, ki->di.ino, err);
	ext2k_check_ro_locked(e);
	mutex_unlock(&e->lock);
	icache_remove(e, ki);
	ino->priv = NULL;
	kfree(ki);
	ext2k_sb_put(e);
}

/* ---- size changes ---- */

int ext2k_setattr(struct inode *ino, const struct iattr *a)
{
	struct ext2k_sb *e = ext2k_sb(ino->sb);
	struct ext2k_inode *ki = ext2k_i(ino);
	int err = 0;

	if (a->valid & ATTR_SIZE) {
		if (!S_ISREG(ino->mode))
			return -EINVAL;
		if (a->size < 0 || (uint64_t)a->size / e->fs.block_size >= ext2_max_lblocks(&e->fs))
			return -EFBIG;
		/* Drop cached pages past the new end and zero the old last page's tail. */
		pagecache_truncate(ino->mapping, a->size < ino->size ? a->size : ino->size);
		mutex_lock(&e->lock);
		ext2k_push_locked(e, ki);
		err = ext2_truncate(&e->fs, &ki->di, (uint64_t)a->size);
		if (!err)
			__atomic_store_n(&ino->size, a->size, __ATOMIC_RELEASE);
		ext2k_pull_locked(e, ki);
		ext2k_check_ro_locked(e);
		mutex_unlock(&e->lock);
		if (err)
			return err;
		inode_touch(ino, false);
	}
	inode_setattr_copy_locked(ino, a);
	mutex_lock(&e->lock);
	err = ext2k_write_locked(e, ki);
	mutex_unlock(&e->lock);
	return err;
}

/* ---- write-back of everything (sync, unmount) ---- */

/* Take references to up to @cap cached inodes into @v; returns how many. */
static size_t grab_inodes(struct ext2k_sb *e, struct inode **v, size_t cap)
{
	size_t n = 0;

	spin_lock(&e->icache_lock);
	for (unsigned b = 0; b < EXT2K_HASH; b++) {
		for (struct ext2k_inode *ki = e->hash[b]; ki; ki = ki->hnext) {
			if (n < cap && get_unless_zero(ki->vfs))
				v[n++] = ki->vfs;
		}
	}
	spin_unlock(&e->icache_lock);
	return n;
}

static int sync_one(struct ext2k_sb *e, struct inode *ino)
{
	int err = 0, e2;

	if (ino->mapping)
		err = pagecache_writeback(ino->mapping, 0, -1, true);
	mutex_lock(&ino->lock);
	mutex_lock(&e->lock);
	e2 = ext2k_trim_locked(e, ext2k_i(ino));
	if (!e2)
		e2 = ext2k_write_locked(e, ext2k_i(ino));
	ext2k_check_ro_locked(e);
	mutex_unlock(&e->lock);
	mutex_unlock(&ino->lock);
	return err ? err : e2;
}

int ext2k_sync_inodes(struct ext2k_sb *e)
{
	size_t cap = (size_t)__atomic_load_n(&e->refs, __ATOMIC_RELAXED) + 16, n;
	struct inode **v = kmalloc(cap * sizeof(*v));
	int err = 0, e2;

	if (!v)
		return -ENOMEM;
	n = grab_inodes(e, v, cap);
	for (size_t i = 0; i < n; i++) {
		e2 = sync_one(e, v[i]);
		if (e2 && !err)
			err = e2;
		inode_put(v[i]);
	}
	kfree(v);
	mutex_lock(&e->lock);
	if (!e->fs.readonly) {
		e2 = ext2_sync_super(&e->fs, ext2k_now());
		if (e2 && !err)
			err = e2;
	}
	mutex_unlock(&e->lock);
	e2 = blk_sync(e->bdev);
	return err ? err : e2;
}
