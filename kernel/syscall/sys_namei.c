/* SPDX-License-Identifier: MIT */
/*
 * The name calls: mkdir, mknod, unlink, rmdir, rename, link, symlink and
 * their *at forms, with the umask applied here (the VFS uses modes as
 * given). Each copies its path names in, checks its flags, and calls the
 * VFS's name operation (kernel/fs/names.c, rename.c).
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "syscall/internal.h"
#include "syscall/sys_fs.h"

static uint32_t umasked(uint32_t mode)
{
	return mode & ~fs_umask(fs_context_current());
}

static long mkdir_at(int dirfd, uint64_t upath, uint64_t mode)
{
	char *name = vfs_getname(upath, false);
	long err;

	if (IS_ERR_PTR(name))
		return PTR_ERR_VAL(name);
	err = vfs_mkdir(dirfd, name, umasked((uint32_t)mode & 01777u));
	kfree(name);
	return err;
}

long sys_mkdir(uint64_t path, uint64_t mode, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return mkdir_at(AT_FDCWD, path, mode);
}

long sys_mkdirat(uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t a3, uint64_t a4,
                 uint64_t a5)
{
	return mkdir_at((int)dirfd, path, mode);
}

static long mknod_at(int dirfd, uint64_t upath, uint64_t mode, uint64_t dev)
{
	char *name = vfs_getname(upath, false);
	uint32_t m = (uint32_t)mode;
	long err;

	if (IS_ERR_PTR(name))
		return PTR_ERR_VAL(name);
	err = vfs_mknod(dirfd, name, (m & S_IFMT) | umasked(m & 07777u), (uint32_t)dev);
	kfree(name);
	return err;
}

long sys_mknod(uint64_t path, uint64_t mode, uint64_t dev, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return mknod_at(AT_FDCWD, path, mode, dev);
}

long sys_mknodat(uint64_t dirfd, uint64_t path, uint64_t mode, uint64_t dev, uint64_t a4,
                 uint64_t a5)
{
	return mknod_at((int)dirfd, path, mode, dev);
}

static long unlink_at(int dirfd, uint64_t upath, bool dir)
{
	char *name = vfs_getname(upath, false);
	long err;

	if (IS_ERR_PTR(name))
		return PTR_ERR_VAL(name);
	err = dir ? vfs_rmdir(dirfd, name) : vfs_unlink(dirfd, name);
	kfree(name);
	return err;
}

long sys_unlink(uint64_t path, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return unlink_at(AT_FDCWD, path, false);
}

long sys_rmdir(uint64_t path, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return unlink_at(AT_FDCWD, path, true);
}

long sys_unlinkat(uint64_t dirfd, uint64_t path, uint64_t flags, uint64_t a3, uint64_t a4,
                  uint64_t a5)
{
	if ((int)flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return unlink_at((int)dirfd, path, (int)flags & AT_REMOVEDIR);
}

/* Two user path names in, then @fn on them. */
static long two_names(uint64_t ua, bool a_empty, uint64_t ub, char **a, char **b)
{
	*a = vfs_getname(ua, a_empty);
	if (IS_ERR_PTR(*a))
		return PTR_ERR_VAL(*a);
	*b = vfs_getname(ub, false);
	if (IS_ERR_PTR(*b)) {
		kfree(*a);
		return PTR_ERR_VAL(*b);
	}
	return 0;
}

static long rename_at(int odfd, uint64_t uold, int ndfd, uint64_t unew, unsigned flags)
{
	char *o, *n;
	long err = two_names(uold, false, unew, &o, &n);

	if (err)
		return err;
	err = vfs_rename(odfd, o, ndfd, n, flags);
	kfree(o);
	kfree(n);
	return err;
}

long sys_rename(uint64_t oldp, uint64_t newp, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return rename_at(AT_FDCWD, oldp, AT_FDCWD, newp, 0);
}

long sys_renameat(uint64_t odfd, uint64_t oldp, uint64_t ndfd, uint64_t newp, uint64_t a4,
                  uint64_t a5)
{
	return rename_at((int)odfd, oldp, (int)ndfd, newp, 0);
}

long sys_renameat2(uint64_t odfd, uint64_t oldp, uint64_t ndfd, uint64_t newp, uint64_t flags,
                   uint64_t a5)
{
	if (((unsigned)flags & RENAME_NOREPLACE) && ((unsigned)flags & RENAME_EXCHANGE))
		return -EINVAL;
	return rename_at((int)odfd, oldp, (int)ndfd, newp, (unsigned)flags);
}

static long link_at(int odfd, uint64_t uold, int ndfd, uint64_t unew, int flags)
{
	unsigned lf = 0;
	char *o, *n;
	long err;

	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (flags & AT_SYMLINK_FOLLOW)
		lf |= LOOKUP_FOLLOW;
	/* Linking a descriptor's file by an empty name needs CAP_DAC_READ_SEARCH: root. */
	if (flags & AT_EMPTY_PATH) {
		if (current_cred().euid != 0)
			return -ENOENT;
		lf |= LOOKUP_EMPTY;
	}
	err = two_names(uold, lf & LOOKUP_EMPTY, unew, &o, &n);
	if (err)
		return err;
	err = vfs_link(odfd, o, ndfd, n, lf);
	kfree(o);
	kfree(n);
	return err;
}

long sys_link(uint64_t oldp, uint64_t newp, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return link_at(AT_FDCWD, oldp, AT_FDCWD, newp, 0);
}

long sys_linkat(uint64_t odfd, uint64_t oldp, uint64_t ndfd, uint64_t newp, uint64_t flags,
                uint64_t a5)
{
	return link_at((int)odfd, oldp, (int)ndfd, newp, (int)flags);
}

static long symlink_at(uint64_t utarget, int dirfd, uint64_t upath)
{
	char *t, *n;
	long err = two_names(utarget, false, upath, &t, &n);

	if (err)
		return err;
	err = vfs_symlink(t, dirfd, n);
	kfree(t);
	kfree(n);
	return err;
}

long sys_symlink(uint64_t target, uint64_t path, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return symlink_at(target, AT_FDCWD, path);
}

long sys_symlinkat(uint64_t target, uint64_t dirfd, uint64_t path, uint64_t a3, uint64_t a4,
                   uint64_t a5)
{
	return symlink_at(target, (int)dirfd, path);
}
