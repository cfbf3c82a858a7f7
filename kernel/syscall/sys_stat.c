/* SPDX-License-Identifier: MIT */
/*
 * The metadata calls: stat, lstat, fstat, newfstatat, statx, statfs,
 * fstatfs, readlink, readlinkat, getdents and getdents64. Arguments are
 * checked and copied in first; the inode's fields are read under its lock
 * so a stat never sees half a change.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "syscall/internal.h"
#include "syscall/sys_fs.h"

#define STAT_BLKSIZE 4096 /* st_blksize: the page, as tmpfs reports it on Linux */

#define SHORT_PATH 256 /* paths up to this long are copied onto the stack */

int user_walk(int dirfd, uint64_t upath, unsigned flags, struct path *out)
{
	char buf[SHORT_PATH], *name = buf;
	long n = strncpy_from_user(buf, (const char *)upath, sizeof(buf));
	int err;

	/* Most paths are short: a heap copy of PATH_MAX bytes only for the long ones. */
	if (n == -ENAMETOOLONG) {
		name = vfs_getname(upath, flags & LOOKUP_EMPTY);
		if (IS_ERR_PTR(name))
			return (int)PTR_ERR_VAL(name);
	} else if (n < 0) {
		return (int)n;
	} else if (n == 0 && !(flags & LOOKUP_EMPTY)) {
		return -ENOENT;
	}
	err = vfs_walk(dirfd, name, flags, out);
	if (name != buf)
		kfree(name);
	return err;
}

static void fill_stat(struct inode *ino, struct stat *st)
{
	/* Read without the inode's lock, as Linux's generic_fillattr() does: each field is whole. */
	memset(st, 0, sizeof(*st));
	st->st_dev = ino->sb ? ino->sb->dev : 0;
	st->st_ino = ino->ino;
	st->st_nlink = ino->nlink;
	st->st_mode = ino->mode;
	st->st_uid = ino->uid;
	st->st_gid = ino->gid;
	st->st_rdev = ino->rdev;
	st->st_size = ino->size;
	st->st_blksize = STAT_BLKSIZE;
	st->st_blocks = (int64_t)ino->blocks;
	st->st_atime_sec = ino->atime.sec;
	st->st_atime_nsec = ino->atime.nsec;
	st->st_mtime_sec = ino->mtime.sec;
	st->st_mtime_nsec = ino->mtime.nsec;
	st->st_ctime_sec = ino->ctime.sec;
	st->st_ctime_nsec = ino->ctime.nsec;
}

static long stat_out(struct inode *ino, uint64_t ubuf)
{
	struct stat st;

	fill_stat(ino, &st);
	return copy_to_user((void *)ubuf, &st, sizeof(st));
}

/* The AT_* flags of the stat family to LOOKUP_* flags; -EINVAL for unknown bits. */
static long at_lookup_flags(uint64_t flags, unsigned allowed)
{
	unsigned lf = LOOKUP_FOLLOW;

	if ((unsigned)flags & ~allowed)
		return -EINVAL;
	if ((unsigned)flags & AT_SYMLINK_NOFOLLOW)
		lf &= ~LOOKUP_FOLLOW;
	if ((unsigned)flags & AT_EMPTY_PATH)
		lf |= LOOKUP_EMPTY;
	return lf;
}

static long stat_at(int dirfd, uint64_t upath, uint64_t ubuf, unsigned lf)
{
	struct path p;
	long err = user_walk(dirfd, upath, lf, &p);

	if (err)
		return err;
	err = stat_out(p.dentry->inode, ubuf);
	path_put(&p);
	return err;
}

long sys_stat(uint64_t path, uint64_t buf, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return stat_at(AT_FDCWD, path, buf, LOOKUP_FOLLOW);
}

long sys_lstat(uint64_t path, uint64_t buf, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return stat_at(AT_FDCWD, path, buf, 0);
}

long sys_fstat(uint64_t fd, uint64_t buf, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct file *f = fd_get((int)fd);
	long err;

	if (!f)
		return -EBADF;
	err = stat_out(f->inode, buf);
	file_put(f);
	return err;
}

long sys_newfstatat(uint64_t dirfd, uint64_t path, uint64_t buf, uint64_t flags, uint64_t a4,
                    uint64_t a5)
{
	long lf = at_lookup_flags(flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT);

	if (lf < 0)
		return lf;
	return stat_at((int)dirfd, path, buf, (unsigned)lf);
}

static void fill_statx(struct inode *ino, struct statx *sx)
{
	struct stat st;

	fill_stat(ino, &st);
	memset(sx, 0, sizeof(*sx));
	sx->stx_mask = STATX_BASIC_STATS;
	sx->stx_blksize = (uint32_t)st.st_blksize;
	sx->stx_nlink = (uint32_t)st.st_nlink;
	sx->stx_uid = st.st_uid;
	sx->stx_gid = st.st_gid;
	sx->stx_mode = (uint16_t)st.st_mode;
	sx->stx_ino = st.st_ino;
	sx->stx_size = (uint64_t)st.st_size;
	sx->stx_blocks = (uint64_t)st.st_blocks;
	sx->stx_atime = (struct statx_timestamp){ st.st_atime_sec, (uint32_t)st.st_atime_nsec, 0 };
	sx->stx_mtime = (struct statx_timestamp){ st.st_mtime_sec, (uint32_t)st.st_mtime_nsec, 0 };
	sx->stx_ctime = (struct statx_timestamp){ st.st_ctime_sec, (uint32_t)st.st_ctime_nsec, 0 };
	sx->stx_rdev_major = DEV_MAJOR(st.st_rdev);
	sx->stx_rdev_minor = DEV_MINOR(st.st_rdev);
	sx->stx_dev_major = DEV_MAJOR(st.st_dev);
	sx->stx_dev_minor = DEV_MINOR(st.st_dev);
}

long sys_statx(uint64_t dirfd, uint64_t path, uint64_t flags, uint64_t mask, uint64_t buf,
               uint64_t a5)
{
	long lf = at_lookup_flags(flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT |
	                                         AT_STATX_SYNC_TYPE);
	struct statx sx;
	struct path p;
	long err;

	if (lf < 0)
		return lf;
	if (((unsigned)flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if ((uint32_t)mask & STATX__RESERVED)
		return -EINVAL;
	err = user_walk((int)dirfd, path, (unsigned)lf, &p);
	if (err)
		return err;
	fill_statx(p.dentry->inode, &sx);
	path_put(&p);
	return copy_to_user((void *)buf, &sx, sizeof(sx));
}

static long statfs_out(const struct path *p, uint64_t ubuf)
{
	struct super_block *sb = p->mnt->sb;
	struct kstatfs k = { .type = sb->magic, .bsize = STAT_BLKSIZE, .namelen = NAME_MAX };
	unsigned fl = __atomic_load_n(&sb->flags, __ATOMIC_RELAXED);
	struct statfs st;
	int err = sb->ops && sb->ops->statfs ? sb->ops->statfs(sb, &k) : 0;

	if (err)
		return err;
	memset(&st, 0, sizeof(st));
	st.f_type = (int64_t)k.type;
	st.f_bsize = (int64_t)k.bsize;
	st.f_blocks = k.blocks;
	st.f_bfree = k.bfree;
	st.f_bavail = k.bavail;
	st.f_files = k.files;
	st.f_ffree = k.ffree;
	st.f_fsid[0] = (int32_t)sb->dev;
	st.f_namelen = (int64_t)k.namelen;
	st.f_frsize = (int64_t)(k.frsize ? k.frsize : k.bsize);
	st.f_flags = ST_VALID | (fl & SB_RDONLY ? ST_RDONLY : 0) |
	             (fl & SB_NOSUID ? ST_NOSUID : 0) | (fl & SB_NODEV ? ST_NODEV : 0) |
	             (fl & SB_NOEXEC ? ST_NOEXEC : 0);
	return copy_to_user((void *)ubuf, &st, sizeof(st));
}

long sys_statfs(uint64_t path, uint64_t buf, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct path p;
	long err = user_walk(AT_FDCWD, path, LOOKUP_FOLLOW, &p);

	if (err)
		return err;
	err = statfs_out(&p, buf);
	path_put(&p);
	return err;
}

long sys_fstatfs(uint64_t fd, uint64_t buf, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct file *f = fd_get((int)fd);
	long err;

	if (!f)
		return -EBADF;
	err = statfs_out(&f->path, buf);
	file_put(f);
	return err;
}

static long readlink_at(int dirfd, uint64_t upath, uint64_t ubuf, uint64_t size)
{
	char *name = vfs_getname(upath, true);
	struct inode *ino;
	struct path p;
	char *kbuf;
	long n;

	if (IS_ERR_PTR(name))
		return PTR_ERR_VAL(name);
	n = (int)size <= 0 ? -EINVAL : vfs_walk(dirfd, name, LOOKUP_EMPTY, &p);
	if (n) {
		kfree(name);
		return n;
	}
	ino = p.dentry->inode;
	if (!S_ISLNK(ino->mode) || !ino->iops || !ino->iops->readlink) {
		/* Linux: an empty path naming no link is ENOENT, any other non-link EINVAL. */
		n = name[0] ? -EINVAL : -ENOENT;
		kfree(name);
		path_put(&p);
		return n;
	}
	kfree(name);
	if (size > PATH_MAX)
		size = PATH_MAX;
	kbuf = kmalloc(size);
	n = kbuf ? ino->iops->readlink(ino, kbuf, size) : -ENOMEM;
	path_put(&p);
	if (n > 0 && copy_to_user((void *)ubuf, kbuf, (size_t)n))
		n = -EFAULT;
	kfree(kbuf);
	return n;
}

long sys_readlink(uint64_t path, uint64_t buf, uint64_t size, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return readlink_at(AT_FDCWD, path, buf, size);
}

long sys_readlinkat(uint64_t dirfd, uint64_t path, uint64_t buf, uint64_t size, uint64_t a4,
                    uint64_t a5)
{
	return readlink_at((int)dirfd, path, buf, size);
}
