/* SPDX-License-Identifier: MIT */
/*
 * The calls about places in the tree: chdir, fchdir, getcwd, chroot,
 * mount, umount2, and the write-back calls sync, syncfs, fsync and
 * fdatasync (tmpfs and the other in-memory file systems have nothing to
 * write back; a file system with a sync operation is asked).
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <arch/page.h>
#include <lib/string.h>

#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "mm/pagecache.h"
#include "proc/proc.h"
#include "syscall/internal.h"
#include "syscall/sys_fs.h"

/* Whether @p may become a working directory or root: a directory the caller may search. */
static long dir_ok(const struct path *p)
{
	if (!S_ISDIR(p->dentry->inode->mode))
		return -ENOTDIR;
	return inode_permission(p->dentry->inode, MAY_EXEC);
}

long sys_chdir(uint64_t path, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct path p;
	long err = user_walk(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);

	if (err)
		return err;
	err = dir_ok(&p);
	if (err) {
		path_put(&p);
		return err;
	}
	fs_set_cwd(fs_context_current(), &p);
	return 0;
}

long sys_fchdir(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct file *f = fd_get((int)fd);
	struct path p;
	long err;

	if (!f)
		return -EBADF;
	p = f->path;
	path_get(&p);
	file_put(f);
	err = dir_ok(&p);
	if (err) {
		path_put(&p);
		return err;
	}
	fs_set_cwd(fs_context_current(), &p);
	return 0;
}

long sys_chroot(uint64_t path, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct path p;
	long err = user_walk(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);

	if (err)
		return err;
	err = dir_ok(&p);
	if (!err && current_cred().euid != 0)
		err = -EPERM;
	if (err) {
		path_put(&p);
		return err;
	}
	fs_set_root(fs_context_current(), &p);
	return 0;
}

long sys_getcwd(uint64_t buf, uint64_t size, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct path cwd;
	char *k = kmalloc(PATH_MAX);
	long n;

	if (!k)
		return -ENOMEM;
	fs_get_cwd(fs_context_current(), &cwd);
	/* A removed working directory has no name (Linux: ENOENT). */
	if (__atomic_load_n(&cwd.dentry->flags, __ATOMIC_RELAXED) & DENTRY_DEAD)
		n = -ENOENT;
	else
		n = vfs_path_name(&cwd, k, PATH_MAX);
	path_put(&cwd);
	if (n >= 0 && (uint64_t)n + 1 > size)
		n = -ERANGE;
	if (n >= 0 && copy_to_user((void *)buf, k, (size_t)n + 1))
		n = -EFAULT;
	kfree(k);
	return n < 0 ? n : n + 1;
}

/* A user string of at most @max bytes, or NULL for a NULL pointer: *@out (kfree it). */
static long copy_opt_string(uint64_t u, size_t max, char **out)
{
	char *k;
	long n;

	*out = NULL;
	if (!u)
		return 0;
	k = kmalloc(max);
	if (!k)
		return -ENOMEM;
	n = strncpy_from_user(k, (const char *)u, max);
	if (n == -ENAMETOOLONG) {
		/* mount(2)'s data is a page Linux copies whole: cut it there. */
		k[max - 1] = '\0';
		n = 0;
	}
	if (n < 0) {
		kfree(k);
		return n;
	}
	*out = k;
	return 0;
}

long sys_mount(uint64_t source, uint64_t target, uint64_t fstype, uint64_t flags, uint64_t data,
               uint64_t a5)
{
	char *src = NULL, *type = NULL, *opts = NULL;
	struct path p;
	long err;

	if (current_cred().euid != 0)
		return -EPERM;
	err = copy_opt_string(source, PATH_MAX, &src);
	if (!err)
		err = copy_opt_string(fstype, 256, &type);
	if (!err)
		err = copy_opt_string(data, PAGE_SIZE, &opts);
	if (!err)
		err = user_walk(AT_FDCWD, target, LOOKUP_FOLLOW, &p);
	if (!err) {
		err = vfs_mount(src, &p, type, (unsigned long)flags, opts);
		path_put(&p);
	}
	kfree(src);
	kfree(type);
	kfree(opts);
	return err;
}

long sys_umount2(uint64_t target, uint64_t flags, uint64_t a2, uint64_t a3, uint64_t a4,
                 uint64_t a5)
{
	int fl = (int)flags;
	struct path p;
	long err;

	if (fl & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if ((fl & MNT_EXPIRE) && (fl & (MNT_FORCE | MNT_DETACH)))
		return -EINVAL;
	if (current_cred().euid != 0)
		return -EPERM;
	/* Expiry marks are not kept: every MNT_EXPIRE call is a first one (EAGAIN). */
	if (fl & MNT_EXPIRE)
		return -EAGAIN;
	err = user_walk(AT_FDCWD, target, fl & UMOUNT_NOFOLLOW ? 0 : LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	err = vfs_umount(&p, fl);
	path_put(&p);
	return err;
}

long sys_sync(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	/* sync(2) cannot fail; a file system's error stays its own. File data first. */
	(void)pagecache_sync_all(true);
	(void)vfs_sync_all();
	return 0;
}

long sys_syncfs(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct file *f = fd_get((int)fd);
	struct super_block *sb;
	long err = 0;

	if (!f)
		return -EBADF;
	sb = f->path.mnt->sb;
	/* The cache keeps no list per super_block: syncfs writes every file's pages. */
	err = pagecache_sync_all(true);
	if (!err)
		err = vfs_sync_sb(sb);
	file_put(f);
	return err;
}

static long fsync_fd(uint64_t fd, bool datasync)
{
	struct file *f = fd_get((int)fd);
	uint32_t mode;
	long err = 0;

	if (!f)
		return -EBADF;
	mode = f->inode->mode;
	if (f->ops && f->ops->fsync)
		err = f->ops->fsync(f, datasync);
	else if (!S_ISREG(mode) && !S_ISDIR(mode) && !S_ISLNK(mode))
		err = -EINVAL; /* pipes, terminals, devices: nothing to sync (Linux: EINVAL) */
	file_put(f);
	return err;
}

long sys_fsync(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return fsync_fd(fd, false);
}

long sys_fdatasync(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return fsync_fd(fd, true);
}
