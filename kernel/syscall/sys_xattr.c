// SPDX-License-Identifier: MIT
/*
 * The extended-attribute getters: getxattr, lgetxattr, fgetxattr and the
 * listxattr family. No file system of Cairn keeps extended attributes, so
 * every file has none: a get answers ENODATA and a list is empty, which is
 * what Linux answers for a file without them. Programs ask routinely
 * (coreutils' ls -l asks for the SELinux label and the POSIX ACL of each
 * file through libselinux and libacl) and treat ENODATA as "none", but
 * ENOSYS as an error they print. The file is found first and the name
 * checked after it, in Linux's order (fs/xattr.c): ENOENT before ERANGE.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/uaccess.h"
#include "syscall/internal.h"
#include "syscall/sys_fs.h"

#define XATTR_NAME_MAX 255 /* Linux's include/uapi/linux/limits.h */

/* Linux's import of the name: -ERANGE when it is empty or longer than XATTR_NAME_MAX. */
static long xattr_name_check(uint64_t uname)
{
	char name[XATTR_NAME_MAX + 1];
	long n = strncpy_from_user(name, (const char *)uname, sizeof(name));

	if (n == -ENAMETOOLONG || n == 0)
		return -ERANGE;
	return n < 0 ? n : 0;
}

/* A get on the file at @upath: it exists, the name is sound, and it has no such attribute. */
static long get_at(uint64_t upath, uint64_t uname, unsigned lookup)
{
	struct path p;
	long err = user_walk(AT_FDCWD, upath, lookup, &p);

	if (err)
		return err;
	path_put(&p);
	err = xattr_name_check(uname);
	return err ? err : -ENODATA;
}

/* A list of the file at @upath: it exists, and its list is empty. */
static long list_at(uint64_t upath, unsigned lookup)
{
	struct path p;
	long err = user_walk(AT_FDCWD, upath, lookup, &p);

	if (err)
		return err;
	path_put(&p);
	return 0;
}

long sys_getxattr(uint64_t path, uint64_t name, uint64_t value, uint64_t size, uint64_t a4,
                  uint64_t a5)
{
	return get_at(path, name, LOOKUP_FOLLOW);
}

long sys_lgetxattr(uint64_t path, uint64_t name, uint64_t value, uint64_t size, uint64_t a4,
                   uint64_t a5)
{
	return get_at(path, name, 0);
}

long sys_fgetxattr(uint64_t fd, uint64_t name, uint64_t value, uint64_t size, uint64_t a4,
                   uint64_t a5)
{
	struct file *f = fd_get((int)fd);
	long err;

	if (!f)
		return -EBADF;
	file_put(f);
	err = xattr_name_check(name);
	return err ? err : -ENODATA;
}

long sys_listxattr(uint64_t path, uint64_t list, uint64_t size, uint64_t a3, uint64_t a4,
                   uint64_t a5)
{
	return list_at(path, LOOKUP_FOLLOW);
}

long sys_llistxattr(uint64_t path, uint64_t list, uint64_t size, uint64_t a3, uint64_t a4,
                    uint64_t a5)
{
	return list_at(path, 0);
}

long sys_flistxattr(uint64_t fd, uint64_t list, uint64_t size, uint64_t a3, uint64_t a4,
                    uint64_t a5)
{
	struct file *f = fd_get((int)fd);

	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}
