// SPDX-License-Identifier: MIT
/*
 * The whole disk stack on NVMe: nvme2n1 holds an ext2 file system the host
 * made with `mke2fs -d` (tools/cairntest.py, group kernel/pvh-nvme). Cairn
 * mounts it, reads the host's file, writes files of its own through the
 * page cache, syncs and unmounts; afterwards the host's e2fsck -fn must
 * find the image clean and debugfs must read back what Cairn wrote.
 */
#include <cairn/errno.h>

#include <lib/format.h>
#include <lib/string.h>

#include "block/blkdev.h"
#include "core/ktest.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "tmpfs_test.h"

#define NE_DIR "/tmp/kt-nvme-ext2"
#define NE_BIG 200000 /* bytes of the bigger file: several 1 KiB blocks, an indirect one */

/* The pattern tools/cairntest.py checks in /cairn-big.bin: byte i is i * 7 + 3. */
static void ne_fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + 3);
}

TEST(nvme_ext2, host_image_read_written_and_clean)
{
	struct block_device *d = blk_lookup("nvme2n1");
	char buf[64] = { 0 };
	struct tt_mount m;
	struct path mp;
	uint8_t *big;

	if (!d)
		ktest_skip("no nvme2n1 (tools/cairntest.py attaches a host-made ext2 image)");
	blk_put(d);
	fmt_snprintf(m.dir, sizeof(m.dir), "%s", NE_DIR);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, m.dir, 0755), 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, m.dir, LOOKUP_FOLLOW, &mp), 0);
	EXPECT_EQ(vfs_mount("/dev/nvme2n1", &mp, "ext2", 0, NULL), 0);
	path_put(&mp);
	EXPECT_EQ(vfs_walk(AT_FDCWD, m.dir, LOOKUP_FOLLOW, &m.root), 0);
	EXPECT_EQ(tt_pread(NE_DIR "/hello.txt", buf, sizeof(buf) - 1, 0), 20);
	EXPECT_STREQ(buf, "hello from the host\n");
	EXPECT_EQ(tt_pwrite(NE_DIR "/from-cairn.txt", "written on cairn\n", 17, 0), 17);
	big = kmalloc(NE_BIG);
	ne_fill(big, NE_BIG);
	EXPECT_EQ(tt_pwrite(NE_DIR "/cairn-big.bin", big, NE_BIG, 0), NE_BIG);
	kfree(big);
	EXPECT_EQ(vfs_sync_all(), 0);
	tt_umount(&m);
}
