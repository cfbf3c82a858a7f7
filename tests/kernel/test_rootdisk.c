/* SPDX-License-Identifier: MIT */
/*
 * `root=` on the command line (kernel/block/boot.c), in tools/cairntest.py's
 * kernel/pvh-rootdisk boot: vda holds an ext2 image made on the host by
 * `mke2fs -d` with /hello.txt and /dev; the kernel mounted it read-write
 * as "/", with devtmpfs on its /dev. The tests find the host's file at
 * the root, device nodes under /dev, and write a file that a sync puts on
 * the disk. Boots without `root=` skip.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include <lib/string.h>

#include "block/blkdev.h"
#include "core/cmdline.h"
#include "core/ktest.h"
#include "fs/file.h"
#include "fs/vfs.h"

static void need_root(void)
{
	if (!cmdline_get("root"))
		ktest_skip("no root= on the command line (kernel/pvh-rootdisk sets it)");
}

TEST(rootdisk, root_is_the_disk)
{
	struct path root;

	need_root();
	EXPECT_EQ(vfs_walk(AT_FDCWD, "/", LOOKUP_FOLLOW, &root), 0);
	EXPECT_STREQ(root.mnt->sb->type->name, "ext2");
	EXPECT_TRUE(root.mnt->sb->bdev != NULL);
	EXPECT_STREQ(root.mnt->sb->bdev->name, "vda");
	path_put(&root);
}

TEST(rootdisk, host_file_and_devices)
{
	char buf[64] = { 0 };
	struct file *f;
	int64_t pos = 0;

	need_root();
	f = vfs_open(AT_FDCWD, "/hello.txt", O_RDONLY, 0);
	EXPECT_TRUE(!IS_ERR_PTR(f));
	EXPECT_EQ(kernel_read(f, buf, sizeof(buf) - 1, &pos), 20);
	EXPECT_STREQ(buf, "hello from the host\n");
	file_put(f);
	/* devtmpfs on the new root's /dev. */
	f = vfs_open(AT_FDCWD, "/dev/vda", O_RDONLY, 0);
	EXPECT_TRUE(!IS_ERR_PTR(f));
	file_put(f);
	f = vfs_open(AT_FDCWD, "/dev/null", O_RDWR, 0);
	EXPECT_TRUE(!IS_ERR_PTR(f));
	file_put(f);
}

TEST(rootdisk, written_and_synced)
{
	struct file *f;
	int64_t pos = 0;

	need_root();
	/* `rw` on the command line: mounted read-write (until the shutdown below). */
	f = vfs_open(AT_FDCWD, "/from-cairn.txt", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	EXPECT_TRUE(!IS_ERR_PTR(f));
	EXPECT_EQ(kernel_write(f, "written on cairn\n", 17, &pos), 17);
	file_put(f);
	/* Power-off's path: data, metadata, then read-only (clean) for the host's e2fsck. */
	EXPECT_EQ(vfs_shutdown(), 0);
	f = vfs_open(AT_FDCWD, "/after-shutdown.txt", O_WRONLY | O_CREAT, 0644);
	EXPECT_EQ(PTR_ERR_VAL(f), -EROFS);
}
