/* SPDX-License-Identifier: MIT */
/*
 * vfstestfs: names live only in the dcache (as Linux's ramfs keeps them),
 * file bytes in one heap buffer per inode. Just enough of every inode and
 * file operation for the VFS tests; the real root file system is tmpfs.
 */
#include "vfs_testfs.h"

#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/format.h>
#include <lib/string.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "fs/internal.h"
#include "fs/vfs.h"
#include "mm/heap.h"

struct tnode {
	char *data;     /* [L] file bytes or the link target */
	size_t cap;     /* [L] bytes allocated */
	unsigned nents; /* [L] names in a directory */
};

static const struct inode_ops tfs_iops;
static const struct file_ops tfs_fops;

static struct inode *tfs_inode(struct super_block *sb, const struct inode *dir, uint32_t mode)
{
	struct inode *ino = inode_alloc(sb);
	struct tnode *n = kcalloc(1, sizeof(*n));

	if (!ino || !n) {
		kfree(n);
		if (ino)
			inode_put(ino);
		return NULL;
	}
	ino->ino = __atomic_fetch_add(&sb->next_ino, 1, __ATOMIC_RELAXED);
	ino->iops = &tfs_iops;
	ino->fops = &tfs_fops;
	ino->priv = n;
	ino->nlink = S_ISDIR(mode) ? 2 : 1;
	inode_init_owner(ino, dir, mode);
	return ino;
}

static struct tnode *tn(const struct inode *ino)
{
	return ino->priv;
}

static int tfs_lookup(struct inode *dir, struct dentry *d)
{
	(void)dir;
	(void)d;
	return 0; /* every name that exists is in the dcache */
}

static int tfs_new(struct inode *dir, struct dentry *d, uint32_t mode, uint32_t rdev,
                   const char *target)
{
	struct inode *ino = tfs_inode(dir->sb, dir, mode);

	if (!ino)
		return -ENOMEM;
	ino->rdev = rdev;
	if (target) {
		size_t n = strlen(target);

		tn(ino)->data = kmalloc(n + 1);
		if (!tn(ino)->data) {
			inode_put(ino);
			return -ENOMEM;
		}
		memcpy(tn(ino)->data, target, n + 1);
		ino->size = (int64_t)n;
	}
	if (S_ISDIR(mode))
		dir->nlink++;
	tn(dir)->nents++;
	inode_touch(dir, false);
	d_instantiate(d, ino);
	return 0;
}

static int tfs_create(struct inode *dir, struct dentry *d, uint32_t mode)
{
	return tfs_new(dir, d, mode, 0, NULL);
}

static int tfs_mkdir(struct inode *dir, struct dentry *d, uint32_t mode)
{
	return tfs_new(dir, d, mode, 0, NULL);
}

static int tfs_mknod(struct inode *dir, struct dentry *d, uint32_t mode, uint32_t rdev)
{
	return tfs_new(dir, d, mode, rdev, NULL);
}

static int tfs_symlink(struct inode *dir, struct dentry *d, const char *target)
{
	return tfs_new(dir, d, S_IFLNK | 0777, 0, target);
}

static int tfs_link(struct dentry *old, struct inode *dir, struct dentry *d)
{
	struct inode *ino = old->inode;

	inode_get(ino);
	ino->nlink++;
	tn(dir)->nents++;
	d_instantiate(d, ino);
	return 0;
}

static int tfs_unlink(struct inode *dir, struct dentry *d)
{
	d->inode->nlink--;
	tn(dir)->nents--;
	inode_touch(dir, false);
	d_drop(d);
	return 0;
}

static int tfs_rmdir(struct inode *dir, struct dentry *d)
{
	if (tn(d->inode)->nents)
		return -ENOTEMPTY;
	d->inode->nlink = 0;
	dir->nlink--;
	tn(dir)->nents--;
	d_drop(d);
	return 0;
}

static int tfs_rename(struct inode *odir, struct dentry *od, struct inode *ndir, struct dentry *nd)
{
	bool isdir = S_ISDIR(od->inode->mode);

	if (nd->inode) {
		if (S_ISDIR(nd->inode->mode) && tn(nd->inode)->nents)
			return -ENOTEMPTY;
		nd->inode->nlink = S_ISDIR(nd->inode->mode) ? 0 : nd->inode->nlink - 1;
		if (S_ISDIR(nd->inode->mode))
			ndir->nlink--;
		tn(ndir)->nents--;
	}
	tn(odir)->nents--;
	tn(ndir)->nents++;
	if (isdir) {
		odir->nlink--;
		ndir->nlink++;
	}
	return 0;
}

static long tfs_readlink(struct inode *ino, char *buf, size_t n)
{
	size_t len = (size_t)ino->size;

	if (len > n)
		len = n;
	memcpy(buf, tn(ino)->data, len);
	return (long)len;
}

static int tfs_resize(struct inode *ino, size_t size)
{
	struct tnode *n = tn(ino);

	if (size > n->cap) {
		char *p = krealloc(n->data, size);

		if (!p)
			return -ENOSPC;
		memset(p + n->cap, 0, size - n->cap);
		n->data = p;
		n->cap = size;
	}
	if (size < (size_t)ino->size)
		memset(n->data + size, 0, (size_t)ino->size - size);
	ino->size = (int64_t)size;
	return 0;
}

static int tfs_setattr_locked(struct inode *ino, const struct iattr *a) __must_hold(&ino->lock)
{
	int err = 0;

	if (a->valid & ATTR_SIZE)
		err = tfs_resize(ino, (size_t)a->size);
	if (err)
		return err;
	inode_setattr_copy_locked(ino, a);
	return 0;
}

static const struct inode_ops tfs_iops = {
	.lookup = tfs_lookup,
	.create = tfs_create,
	.mkdir = tfs_mkdir,
	.mknod = tfs_mknod,
	.symlink = tfs_symlink,
	.link = tfs_link,
	.unlink = tfs_unlink,
	.rmdir = tfs_rmdir,
	.rename = tfs_rename,
	.readlink = tfs_readlink,
	.setattr = tfs_setattr_locked,
};

static long tfs_read(struct file *f, struct uio *u, int64_t *pos)
{
	struct inode *ino = f->inode;
	size_t n = 0;

	mutex_lock(&ino->lock);
	if (*pos < ino->size) {
		n = (size_t)(ino->size - *pos);
		n = uio_copy_out(u, tn(ino)->data + *pos, n < u->resid ? n : u->resid);
		*pos += (int64_t)n;
	}
	mutex_unlock(&ino->lock);
	return n || !uio_faulted(u) ? (long)n : -EFAULT;
}

/* Called with the inode's lock held (the VFS takes it around regular-file writes). */
static long tfs_write(struct file *f, struct uio *u, int64_t *pos)
{
	struct inode *ino = f->inode;
	size_t want = u->resid, n;

	if ((size_t)*pos + want > (size_t)ino->size && tfs_resize(ino, (size_t)*pos + want))
		return -ENOSPC;
	n = uio_copy_in(u, tn(ino)->data + *pos, want);
	*pos += (int64_t)n;
	inode_touch(ino, false);
	return n || !uio_faulted(u) ? (long)n : -EFAULT;
}

static const struct file_ops tfs_fops = {
	.read = tfs_read,
	.write = tfs_write,
};

static void tfs_evict(struct inode *ino)
{
	if (ino->priv) {
		kfree(tn(ino)->data);
		kfree(ino->priv);
	}
}

static const struct super_ops tfs_sops = { .evict_inode = tfs_evict };

static int tfs_mount(const struct fs_type *type, const char *source, unsigned flags,
                     const char *data, struct super_block **out)
{
	struct super_block *sb = sb_alloc(type, &tfs_sops);
	struct inode *root;

	(void)source;
	(void)data;
	if (!sb)
		return -ENOMEM;
	sb->flags = flags;
	sb->magic = 0x7e57f5u;
	root = tfs_inode(sb, NULL, S_IFDIR | 0755);
	sb->root = root ? d_make_root(sb, root) : NULL;
	if (!sb->root) {
		if (root)
			inode_put(root);
		kfree(sb);
		return -ENOMEM;
	}
	*out = sb;
	return 0;
}

static struct fs_type tfs_type = { .name = "vfstestfs", .mount = tfs_mount };
static bool tfs_registered;
static unsigned scratch_seq;

void vfs_test_scratch(char *dir)
{
	struct path p;

	if (!tfs_registered) {
		EXPECT_EQ(vfs_register_fs(&tfs_type), 0);
		tfs_registered = true;
	}
	if (!vfs_has_root())
		EXPECT_EQ(vfs_init_root_fs("vfstestfs"), 0);
	fmt_snprintf(dir, 32, "/vfst-%u", ++scratch_seq);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, dir, 0755), 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, dir, LOOKUP_FOLLOW, &p), 0);
	EXPECT_EQ(vfs_mount("vfstestfs", &p, "vfstestfs", 0, NULL), 0);
	path_put(&p);
}

void vfs_test_scratch_done(const char *dir)
{
	struct path p;

	EXPECT_EQ(vfs_walk(AT_FDCWD, dir, LOOKUP_FOLLOW, &p), 0);
	EXPECT_EQ(vfs_umount(&p, 0), 0);
	path_put(&p);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, dir), 0);
}
