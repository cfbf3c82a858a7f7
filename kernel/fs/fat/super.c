// SPDX-License-Identifier: MIT
/*
 * vfat's volume: mounting a FAT12/16/32 block device (the boot sector
 * checked by lib/fat, the FSInfo counts, the dirty bit), the mount options
 * Linux's vfat takes for owners and modes, statfs, sync and unmount. A
 * volume that was not cleanly unmounted, or that says it had errors, is
 * mounted read-only with a message (docs/fat.md says why).
 */
#include <cairn/errno.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "core/log.h"
#include "fs/fat/internal.h"
#include "fs/fs_types.h"
#include "mm/heap.h"

int fat_bread(struct fat_sb *fs, uint64_t sector, struct bbuf **out)
{
	return bread(fs->bdev, sector, fs->vol.g.sector_size, out);
}

/* lib/fat's byte-addressed access, one sector buffer at a time. */
static int fat_io_rw(void *ctx, uint64_t off, void *buf, size_t n, bool write)
{
	struct fat_sb *fs = ctx;
	uint32_t ss = fs->vol.g.sector_size;
	struct bbuf *b;
	size_t in, part;
	int err;

	while (n) {
		err = fat_bread(fs, off / ss, &b);
		if (err)
			return err;
		in = off % ss;
		part = n < ss - in ? n : ss - in;
		if (write) {
			memcpy((uint8_t *)b->data + in, buf, part);
			bdirty(b);
		} else {
			memcpy(buf, (uint8_t *)b->data + in, part);
		}
		brelse(b);
		off += part;
		buf = (uint8_t *)buf + part;
		n -= part;
	}
	return 0;
}

static int fat_io_read(void *ctx, uint64_t off, void *buf, size_t n)
{
	return fat_io_rw(ctx, off, buf, n, false);
}

static int fat_io_write(void *ctx, uint64_t off, const void *buf, size_t n)
{
	return fat_io_rw(ctx, off, (void *)(uintptr_t)buf, n, true);
}

static const struct fat_io fat_bcache_io = { .read = fat_io_read, .write = fat_io_write };

/*
 * Corruption (or an I/O error) found after mount: log it once, remember it
 * and make the volume read-only, so nothing more is built on a broken table.
 */
void fat_error(struct fat_sb *fs, const char *what, int err)
{
	if (!fs->errors)
		pr_err("vfat: %s: %s (error %d); remounting read-only, run fsck.fat",
		       fs->bdev->name, what, err);
	fs->errors = true;
	__atomic_or_fetch(&fs->sb->flags, SB_RDONLY, __ATOMIC_RELAXED);
}

uint32_t fat_root_dir(const struct fat_sb *fs)
{
	return fs->vol.g.type == FAT32 ? fs->vol.g.root_cluster : 0;
}

int fat_write_fsinfo_locked(struct fat_sb *fs)
{
	struct fat_fsinfo fi = { fs->vol.free_count, fs->vol.next_free };
	struct bbuf *b;
	int err;

	if (!fs->vol.g.fsinfo_sector || !fs->vol.fsinfo_dirty)
		return 0;
	err = fat_bread(fs, fs->vol.g.fsinfo_sector, &b);
	if (err)
		return err;
	fat_write_fsinfo(b->data, b->size, &fi);
	bdirty(b);
	brelse(b);
	fs->vol.fsinfo_dirty = false;
	return 0;
}

/* ---- options: uid=, gid=, umask=, fmask=, dmask= (Linux's vfat) and a few it ignores ---- */

static int fat_parse_num(const char *v, size_t n, unsigned base, uint32_t *out)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0)
		return -EINVAL;
	for (i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] >= (char)('0' + base) || x > 0xffffffffu / base)
			return -EINVAL;
		x = x * base + (uint64_t)(v[i] - '0');
	}
	*out = (uint32_t)x;
	return 0;
}

static int fat_option(struct fat_sb *fs, const char *k, size_t klen, const char *v, size_t vlen)
{
	uint32_t x = 0;
	int err = 0;

#define KEY_IS(s) (klen == sizeof(s) - 1 && memcmp(k, s, klen) == 0)
	if (KEY_IS("uid") || KEY_IS("gid")) {
		err = fat_parse_num(v, vlen, 10, &x);
		*(k[0] == 'u' ? &fs->uid : &fs->gid) = x;
	} else if (KEY_IS("umask") || KEY_IS("fmask") || KEY_IS("dmask")) {
		err = fat_parse_num(v, vlen, 8, &x);
		if (k[0] != 'd')
			fs->fmask = x & 0777;
		if (k[0] != 'f')
			fs->dmask = x & 0777;
	} else if (!(KEY_IS("utf8") || KEY_IS("iocharset") || KEY_IS("codepage") ||
	             KEY_IS("shortname") || KEY_IS("errors") || KEY_IS("rw") || KEY_IS("ro") ||
	             KEY_IS("defaults") || KEY_IS("noatime") || KEY_IS("relatime"))) {
		pr_warn("vfat: unknown mount option '%.*s'", (int)klen, k);
		err = -EINVAL;
	}
#undef KEY_IS
	return err;
}

static int fat_parse_options(struct fat_sb *fs, const char *data)
{
	const char *p = data, *end, *eq;
	int err;

	fs->fmask = fs->dmask = 022;
	while (p && *p) {
		end = strchr(p, ',');
		if (!end)
			end = p + strlen(p);
		for (eq = p; eq < end && *eq != '='; eq++)
			;
		if (end != p) {
			err = fat_option(fs, p, (size_t)(eq - p), eq < end ? eq + 1 : end,
			                 eq < end ? (size_t)(end - eq - 1) : 0);
			if (err)
				return err;
		}
		p = *end ? end + 1 : end;
	}
	return 0;
}

/* ---- statfs, sync, unmount ---- */

static int fat_statfs(struct super_block *sb, struct kstatfs *st)
{
	struct fat_sb *fs = FAT_SB(sb);
	int err = 0;

	memset(st, 0, sizeof(*st));
	mutex_lock(&fs->lock);
	if (fs->vol.free_count == FAT_FSINFO_UNKNOWN)
		err = fat_count_free(&fs->vol);
	st->type = MSDOS_SUPER_MAGIC;
	st->bsize = st->frsize = fs->vol.g.cluster_size;
	st->blocks = fs->vol.g.nclusters;
	st->bfree = err ? 0 : fs->vol.free_count;
	st->bavail = st->bfree > fs->reserved ? st->bfree - fs->reserved : 0;
	st->namelen = FAT_LFN_MAX;
	mutex_unlock(&fs->lock);
	return err;
}

/* Entries and sizes are written as they change; what is left is FSInfo and the device. */
static int fat_sync(struct super_block *sb)
{
	struct fat_sb *fs = FAT_SB(sb);
	int err;

	mutex_lock(&fs->lock);
	err = fat_write_fsinfo_locked(fs);
	mutex_unlock(&fs->lock);
	return err ? err : blk_sync(fs->bdev);
}

/* Drop one of the two holds on @fs (the super_block's, the root inode's); the last frees it. */
void fat_sb_put(struct fat_sb *fs)
{
	if (__atomic_sub_fetch(&fs->refs, 1, __ATOMIC_ACQ_REL) == 0)
		kfree(fs);
}

/*
 * The last mount went (every inode but the root is gone): mark the volume
 * clean and write it back. The VFS releases the device afterwards.
 */
static void fat_put_super(struct super_block *sb)
{
	struct fat_sb *fs = FAT_SB(sb);
	int err = 0;

	mutex_lock(&fs->lock);
	if (!(sb->flags & SB_RDONLY) || fs->errors) {
		err = fat_write_fsinfo_locked(fs);
		/* A volume that found errors keeps them marked for fsck. */
		if (!err && (fs->was_clean || fs->errors))
			err = fat_set_state(&fs->vol, !fs->errors, fs->errors);
	}
	mutex_unlock(&fs->lock);
	if (!err)
		err = blk_sync(fs->bdev);
	if (err)
		pr_err("vfat: %s: unmount could not write the volume back (error %d)",
		       fs->bdev->name, err);
	fat_sb_put(fs);
}

/*
 * mount -o remount and power-off (SB_RDONLY in @flags): going read-only
 * writes every dirty page and the FSInfo counts back and marks the volume
 * clean (the VFS then syncs the device); going read-write marks it dirty
 * again, and is refused for a volume that was unclean or had errors.
 */
static int fat_remount(struct super_block *sb, unsigned flags)
{
	struct fat_sb *fs = FAT_SB(sb);
	bool to_ro = (flags & SB_RDONLY) && !(sb->flags & SB_RDONLY);
	bool to_rw = !(flags & SB_RDONLY) && (sb->flags & SB_RDONLY);
	int err = 0;

	if (to_rw && (!fs->was_clean || fs->errors)) {
		pr_warn("vfat: %s: volume unclean or with errors, staying read-only; run fsck.fat",
		        fs->bdev->name);
		return -EROFS;
	}
	if (to_ro)
		err = pagecache_sync_all(true);
	if (err || !(to_ro || to_rw))
		return err;
	mutex_lock(&fs->lock);
	err = fat_write_fsinfo_locked(fs);
	if (!err)
		err = fat_set_state(&fs->vol, to_ro, false);
	mutex_unlock(&fs->lock);
	return err ? err : blk_sync(fs->bdev);
}

static const struct super_ops fat_super_ops = {
	.evict_inode = fat_evict_inode,
	.statfs = fat_statfs,
	.sync = fat_sync,
	.put_super = fat_put_super,
	.remount = fat_remount,
};

/* ---- mount ---- */

/* Read and check the boot sector and FSInfo of @fs->bdev into fs->vol. */
static int fat_read_volume(struct fat_sb *fs)
{
	struct block_device *d = fs->bdev;
	struct fat_fsinfo fi;
	struct fat_geom g;
	struct bbuf *b;
	const char *why = "";
	int err;

	err = bread(d, 0, d->lbsize, &b);
	if (err)
		return err;
	err = fat_parse_bpb(b->data, b->size, &g, &why);
	brelse(b);
	if (!err && (g.sector_size < d->lbsize ||
	             (uint64_t)g.total_sectors * g.sector_size > d->nr_sectors * SECTOR_SIZE)) {
		why = "sector size below the device's, or a volume larger than the device";
		err = -EINVAL;
	}
	if (err) {
		pr_err("vfat: %s: not a FAT volume Cairn can mount: %s", d->name, why);
		return err;
	}
	fat_vol_init(&fs->vol, &g, &fat_bcache_io, fs);
	if (g.fsinfo_sector && fat_bread(fs, g.fsinfo_sector, &b) == 0) {
		if (fat_parse_fsinfo(b->data, b->size, &fi) == 0 && fi.free_count <= g.nclusters) {
			fs->vol.free_count = fi.free_count;
			if (fat_cluster_valid(&g, fi.next_free))
				fs->vol.next_free = fi.next_free;
		}
		brelse(b);
	}
	return 0;
}

/*
 * The dirty bit: a volume left dirty (or marked as having errors) mounts
 * read-only; a clean one mounted read-write is marked dirty until unmount.
 */
static int fat_check_state(struct fat_sb *fs, unsigned *flags)
{
	bool clean, errors;
	int err = fat_get_state(&fs->vol, &clean, &errors);

	if (err)
		return err;
	fs->was_clean = clean && !errors;
	if (*flags & SB_RDONLY)
		return 0;
	if (!fs->was_clean) {
		pr_warn("vfat: %s: volume %s, mounting read-only; run fsck.fat", fs->bdev->name,
		        errors ? "has errors" : "was not cleanly unmounted");
		*flags |= SB_RDONLY;
		return 0;
	}
	mutex_lock(&fs->lock);
	err = fat_set_state(&fs->vol, false, false);
	mutex_unlock(&fs->lock);
	return err ? err : blk_sync(fs->bdev);
}

static int fat_fill_super(struct fat_sb *fs, const struct fs_type *type, unsigned flags,
                          struct super_block **out)
{
	struct super_block *sb;
	struct inode *root;
	int err;

	err = fat_read_volume(fs);
	if (!err)
		err = fat_check_state(fs, &flags);
	if (err)
		return err;
	sb = sb_alloc(type, &fat_super_ops);
	if (!sb)
		return -ENOMEM;
	sb->magic = MSDOS_SUPER_MAGIC;
	sb->priv = fs;
	sb->flags = flags;
	sb->bdev = fs->bdev;
	fs->sb = sb;
	root = fat_root_inode(fs, &err);
	if (root)
		sb->root = d_make_root(sb, root);
	if (!sb->root) {
		/* The root's eviction drops its hold on @fs; keep it for the caller to free. */
		fs->refs++;
		if (root)
			inode_put(root);
		kfree(sb);
		return root ? -ENOMEM : err;
	}
	*out = sb;
	return 0;
}

/* The device @source, claimed; a read-only one makes a read-only mount (as Linux does). */
static int fat_get_bdev(const char *source, unsigned *flags, struct block_device **out)
{
	int err = sb_get_bdev(source, *flags, out);

	if (err == -EROFS && !(*flags & SB_RDONLY)) {
		pr_warn("vfat: %s is write-protected, mounting read-only", source);
		*flags |= SB_RDONLY;
		err = sb_get_bdev(source, *flags, out);
	}
	return err;
}

static int fat_mount(const struct fs_type *type, const char *source, unsigned flags,
                     const char *data, struct super_block **out)
{
	struct fat_sb *fs;
	int err;

	if (!source)
		return -ENOTBLK;
	fs = kcalloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	mutex_init(&fs->lock, "vfat");
	cond_init(&fs->evicted, "vfat-evict");
	list_init(&fs->inodes);
	fs->refs = 2; /* the super_block's and the root inode's */
	err = fat_parse_options(fs, data);
	if (!err)
		err = fat_get_bdev(source, &flags, &fs->bdev);
	if (err)
		goto out_free;
	err = fat_fill_super(fs, type, flags, out);
	if (!err)
		return 0;
	sb_put_bdev(fs->bdev);
out_free:
	kfree(fs);
	return err;
}

static struct fs_type fat_type = {
	.name = "vfat",
	.flags = FS_REQUIRES_DEV,
	.mount = fat_mount,
};

int fat_register(void)
{
	return vfs_register_fs(&fat_type);
}
