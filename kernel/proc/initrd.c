// SPDX-License-Identifier: MIT
/*
 * Programs from the initrd: the cpio archive the loaders pass (boot_info's
 * initrd_phys and initrd_size) read in place through the direct map with
 * lib/cpio. Its frames are typed BOOT_MEM_INITRD in the memory map, which
 * the frame allocator never hands out, so the archive stays as it was
 * loaded. Symbolic links (busybox's applets) are followed. The files issue
 * replaces this with a VFS.
 */
#include "proc/initrd.h"

#include <cairn/errno.h>

#include <lib/cpio/cpio.h>
#include <lib/string.h>

#include "core/kmain.h"

#define INITRD_PATH_MAX  256
#define INITRD_LINKS_MAX 8 /* links followed before -ELOOP (Linux allows 40) */

/* Resolve the link target @t (@n bytes) found at @path into @out, relative to @path's folder. */
static int initrd_link_target(const char *path, const char *t, size_t n, char *out)
{
	size_t dir = 0, i;

	if (n == 0 || n >= INITRD_PATH_MAX)
		return -ENAMETOOLONG;
	if (t[0] != '/') {
		for (i = 0; path[i]; i++)
			if (path[i] == '/')
				dir = i + 1;
	}
	if (dir + n >= INITRD_PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(out, path, dir);
	memcpy(out + dir, t, n);
	out[dir + n] = '\0';
	return 0;
}

int initrd_lookup(const char *path, const void **data, size_t *size)
{
	char buf[2][INITRD_PATH_MAX];
	const void *base;
	struct cpio_entry e;
	unsigned hops;
	int err;

	if (!boot_info.initrd_phys || !boot_info.initrd_size)
		return -ENOENT;
	base = phys_to_virt(boot_info.initrd_phys);
	for (hops = 0; hops <= INITRD_LINKS_MAX; hops++) {
		err = cpio_find(base, boot_info.initrd_size, path, &e);
		if (err)
			return err == -ENOENT ? -ENOENT : -EIO;
		if ((e.mode & CPIO_S_IFMT) != CPIO_S_IFLNK)
			break;
		err = initrd_link_target(path, e.data, e.size, buf[hops & 1]);
		if (err)
			return err;
		path = buf[hops & 1];
	}
	if (hops > INITRD_LINKS_MAX)
		return -ELOOP;
	if ((e.mode & CPIO_S_IFMT) != CPIO_S_IFREG || !(e.mode & 0111))
		return -EACCES;
	*data = e.data;
	*size = e.size;
	return 0;
}

bool initrd_present(void)
{
	return boot_info.initrd_phys && boot_info.initrd_size;
}
