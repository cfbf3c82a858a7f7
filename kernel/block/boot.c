// SPDX-License-Identifier: MIT
/*
 * The root file system from a disk: `root=/dev/vda1` (or `root=vda1`) on
 * the command line, with `rootfstype=` (default: each disk file system
 * type in turn), `rootflags=` (the mount's data) and `ro`/`rw` (read-only
 * unless `rw`, as Linux). The device is mounted on /sysroot of the
 * initramfs tmpfs, devtmpfs is mounted on its /dev, and it becomes the
 * root and working directory of the kernel's context, which init and
 * every later process inherit: the initramfs stays reachable to nobody.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include <lib/string.h>

#include "block/blkdev.h"
#include "core/cmdline.h"
#include "core/log.h"
#include "fs/file.h"
#include "fs/internal.h"
#include "fs/vfs.h"

#define ROOT_DIR "/sysroot"

struct fs_names {
	char name[8][32];
	unsigned n;
};

static void collect_dev_types(const struct fs_type *t, void *ctx)
{
	struct fs_names *names = ctx;

	if ((t->flags & FS_REQUIRES_DEV) && names->n < 8 && strlen(t->name) < 32) {
		memcpy(names->name[names->n], t->name, strlen(t->name) + 1);
		names->n++;
	}
}

/* Mount @dev on @target as @type, or as each disk type in turn when @type is empty. */
static int root_mount(const char *dev, const struct path *target, const char *type,
                      unsigned long flags, const char *data)
{
	struct fs_names names = { .n = 0 };
	int err = -ENODEV;

	if (*type)
		return vfs_mount(dev, target, type, flags, data);
	vfs_for_each_fs(collect_dev_types, &names);
	for (unsigned i = 0; i < names.n; i++) {
		err = vfs_mount(dev, target, names.name[i], flags, data);
		if (!err)
			return 0;
	}
	return err;
}

/* /dev on the new root: devtmpfs, as Linux's CONFIG_DEVTMPFS_MOUNT does. */
static void root_mount_dev(void)
{
	struct path dev;
	int err = vfs_walk(AT_FDCWD, ROOT_DIR "/dev", LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &dev);

	if (err) {
		pr_warn("block: the root has no /dev; devices are not reachable by name");
		return;
	}
	err = vfs_mount("devtmpfs", &dev, "devtmpfs", 0, NULL);
	if (err)
		pr_warn("block: cannot mount devtmpfs on the root's /dev: error %d", err);
	path_put(&dev);
}

/* Mount the root device and make it "/". 0 or -errno (the initramfs stays the root). */
static int root_switch(const char *dev, const char *type, unsigned long flags, const char *data)
{
	struct path target, root;
	int err = vfs_mkdir(AT_FDCWD, ROOT_DIR, 0755);

	if (err && err != -EEXIST)
		return err;
	err = vfs_walk(AT_FDCWD, ROOT_DIR, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &target);
	if (err)
		return err;
	err = root_mount(dev, &target, type, flags, data);
	path_put(&target);
	if (err)
		return err;
	root_mount_dev();
	/* The walk now crosses into the mounted root. */
	err = vfs_walk(AT_FDCWD, ROOT_DIR, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &root);
	if (err)
		return err;
	fs_context_set_boot_root(&root);
	path_put(&root);
	return 0;
}

void block_boot(void)
{
	const char *v = cmdline_get("root");
	char dev[64], type[32] = "", data[128] = "";
	unsigned long flags = cmdline_has("rw") ? 0 : SB_RDONLY;
	int err;

	if (!v || !*v)
		return;
	cmdline_word(v, dev, sizeof(dev));
	if ((v = cmdline_get("rootfstype")))
		cmdline_word(v, type, sizeof(type));
	if ((v = cmdline_get("rootflags")))
		cmdline_word(v, data, sizeof(data));
	/* "root=vda1" names a device; the mount wants its node. */
	if (dev[0] != '/' && strlen(dev) + 6 < sizeof(dev)) {
		memmove(dev + 5, dev, strlen(dev) + 1);
		memcpy(dev, "/dev/", 5);
	}
	err = root_switch(dev, type, flags, data[0] ? data : NULL);
	if (err) {
		pr_err("block: cannot mount the root %s%s%s: error %d; staying on the initramfs",
		       dev, type[0] ? " as " : "", type, err);
		return;
	}
	pr_info("block: root is %s (%s)", dev, flags ? "read-only" : "read-write");
}
