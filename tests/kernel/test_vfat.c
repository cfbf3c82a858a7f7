/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of vfat (kernel/fs/fat) on RAM disks formatted by lib/fat:
 * files of awkward sizes written and read back across a remount, long and
 * case-folded names, directories growing past a cluster, unlink/rmdir/
 * rename with their errors, truncation both ways, the dirty bit (set while
 * mounted, an unclean volume mounted read-only), a full volume giving
 * ENOSPC, and a broken boot sector refused. The host-side checks (fsck.fat,
 * mtools) are in tools/e2e_fat.py.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include "sched/task.h"
#include "vfat_test.h"

static const size_t vt_sizes[] = { 0, 1, 511, 512, 4095, 4096, 4097, 65536, 300001 };
#define VT_NSIZES (sizeof(vt_sizes) / sizeof(vt_sizes[0]))

/* Write files of each size with long names; read them back, then again after a remount. */
static void vt_check_sizes(struct vt_vol *v, bool write)
{
	uint8_t *want = kmalloc(300001), *got = kmalloc(300002);
	char name[64];

	for (unsigned i = 0; i < VT_NSIZES; i++) {
		fmt_snprintf(name, sizeof(name), "A file of size %u bytes.data",
		             (unsigned)vt_sizes[i]);
		vt_fill(want, vt_sizes[i], i);
		if (write)
			EXPECT_EQ(vt_put(v, name, want, vt_sizes[i]), (long)vt_sizes[i]);
		EXPECT_EQ(vt_get(v, name, got, 300002), (long)vt_sizes[i]);
		EXPECT_TRUE(memcmp(got, want, vt_sizes[i]) == 0);
	}
	kfree(want);
	kfree(got);
}

TEST(vfat, files_survive_remount)
{
	struct vt_vol v;

	vt_make(&v, 32, 1);
	EXPECT_TRUE(vt_clean(&v));
	EXPECT_EQ(vt_mount(&v, 0, NULL), 0);
	/* Mounted read-write: the volume is marked dirty until unmount. */
	EXPECT_TRUE(!vt_clean(&v));
	vt_check_sizes(&v, true);
	vt_umount(&v);
	EXPECT_TRUE(vt_clean(&v));
	EXPECT_EQ(vt_mount(&v, 0, "uid=5,gid=6,umask=027"), 0);
	vt_check_sizes(&v, false);
	/* The owner and modes come from the options; FAT stores none. */
	struct inode *ino = vt_inode(&v, "A file of size 1 bytes.data");

	EXPECT_TRUE(ino != NULL);
	EXPECT_EQ(ino->uid, 5);
	EXPECT_EQ(ino->gid, 6);
	EXPECT_EQ(ino->mode, 0100750);
	inode_put(ino);
	vt_destroy(&v);
}

TEST(vfat, names_fold_case_and_keep_long_names)
{
	struct vt_vol v;
	char p[256], buf[16];

	vt_make(&v, 32, 8);
	EXPECT_EQ(vt_mount(&v, 0, NULL), 0);
	EXPECT_EQ(vt_put(&v, "readme.txt", "lower", 5), 5);
	EXPECT_EQ(vt_get(&v, "README.TXT", buf, sizeof(buf)), 5);
	EXPECT_EQ(vt_put(&v, "Ünïcödé name with ☃.txt", "snow", 4), 4);
	EXPECT_EQ(vt_get(&v, "ünïcödé NAME with ☃.txt", buf, sizeof(buf)), -ENOENT);
	EXPECT_EQ(vt_get(&v, "Ünïcödé NAME WITH ☃.TXT", buf, sizeof(buf)), 4);
	/* The short alias of a long name finds it too, as on Linux. */
	EXPECT_EQ(vt_put(&v, "A long name that needs a tail", "t", 1), 1);
	EXPECT_EQ(vt_get(&v, "ALONGN~1", buf, sizeof(buf)), 1);
	/* Names FAT cannot hold. */
	EXPECT_EQ(vt_put(&v, "a:b", "x", 1), -EINVAL);
	EXPECT_EQ(vt_put(&v, "what?", "x", 1), -EINVAL);
	EXPECT_EQ(vfs_symlink("target", AT_FDCWD, vt_path(&v, "link", p)), -EPERM);
	vt_destroy(&v);
}

TEST(vfat, directories_grow_and_empty)
{
	struct vt_vol v;
	char name[128], p[256];
	uint8_t buf[8];

	vt_make(&v, 32, 1);
	EXPECT_EQ(vt_mount(&v, 0, NULL), 0);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, vt_path(&v, "Sub Directory", p), 0755), 0);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, vt_path(&v, "Sub Directory/deeper", p), 0755), 0);
	/* 300 names of 3 entries each in 512-byte clusters: the directory grows many times. */
	for (unsigned i = 0; i < 300; i++) {
		fmt_snprintf(name, sizeof(name), "Sub Directory/deeper/file number %04u", i);
		EXPECT_EQ(vt_put(&v, name, &i, sizeof(i)), (long)sizeof(i));
	}
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, vt_path(&v, "Sub Directory/deeper", p)), -ENOTEMPTY);
	vt_umount(&v);
	EXPECT_EQ(vt_mount(&v, 0, NULL), 0);
	for (unsigned i = 0; i < 300; i++) {
		fmt_snprintf(name, sizeof(name), "SUB DIRECTORY/Deeper/FILE NUMBER %04u", i);
		EXPECT_EQ(vt_get(&v, name, buf, sizeof(buf)), 4);
		EXPECT_EQ(*(unsigned *)buf, i);
		fmt_snprintf(name, sizeof(name), "Sub Directory/deeper/file number %04u", i);
		EXPECT_EQ(vfs_unlink(AT_FDCWD, vt_path(&v, name, p)), 0);
	}
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, vt_path(&v, "Sub Directory/deeper", p)), 0);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, vt_path(&v, "Sub Directory", p)), 0);
	vt_destroy(&v);
}

TEST(vfat, rename_moves_and_replaces)
{
	struct vt_vol v;
	char p[256], q[256], buf[16];

	vt_make(&v, 32, 1);
	EXPECT_EQ(vt_mount(&v, 0, NULL), 0);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, vt_path(&v, "from", p), 0755), 0);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, vt_path(&v, "to", p), 0755), 0);
	EXPECT_EQ(vt_put(&v, "from/the original name.txt", "moved", 5), 5);
	EXPECT_EQ(vt_put(&v, "to/victim", "old", 3), 3);
	EXPECT_EQ(vfs_rename(AT_FDCWD, vt_path(&v, "from/the original name.txt", p), AT_FDCWD,
	                     vt_path(&v, "to/victim", q), 0),
	          0);
	EXPECT_EQ(vt_get(&v, "to/victim", buf, sizeof(buf)), 5);
	EXPECT_EQ(vt_get(&v, "from/the original name.txt", buf, sizeof(buf)), -ENOENT);
	/* A directory moves with its ".." pointing at its new parent. */
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, vt_path(&v, "from/child", p), 0755), 0);
	EXPECT_EQ(vt_put(&v, "from/child/f", "c", 1), 1);
	EXPECT_EQ(vfs_rename(AT_FDCWD, vt_path(&v, "from/child", p), AT_FDCWD,
	                     vt_path(&v, "to/child moved", q), 0),
	          0);
	vt_umount(&v);
	EXPECT_EQ(vt_mount(&v, 0, NULL), 0);
	EXPECT_EQ(vt_get(&v, "to/child moved/../victim", buf, sizeof(buf)), 5);
	EXPECT_EQ(vt_get(&v, "to/child moved/f", buf, sizeof(buf)), 1);
	vt_destroy(&v);
}

TEST(vfat, truncate_both_ways)
{
	struct vt_vol v;
	uint8_t *buf = kmalloc(20000), *want = kmalloc(20000);

	vt_make(&v, 32, 4);
	EXPECT_EQ(vt_mount(&v, 0, NULL), 0);
	vt_fill(want, 20000, 3);
	EXPECT_EQ(vt_put(&v, "t", want, 20000), 20000);
	EXPECT_EQ(vt_truncate(&v, "t", 3000), 0);
	EXPECT_EQ(vt_truncate(&v, "t", 15000), 0);
	vt_umount(&v);
	EXPECT_EQ(vt_mount(&v, 0, NULL), 0);
	EXPECT_EQ(vt_get(&v, "t", buf, 20000), 15000);
	EXPECT_TRUE(memcmp(buf, want, 3000) == 0);
	for (unsigned i = 3000; i < 15000; i++)
		if (buf[i] != 0)
			EXPECT_EQ(buf[i], 0);
	kfree(buf);
	kfree(want);
	vt_destroy(&v);
}

TEST(vfat, unclean_volume_mounts_read_only)
{
	struct vt_vol v;
	struct fat_geom g;
	struct fat_vol fv;
	uint8_t sec[512];

	vt_make(&v, 32, 1);
	EXPECT_EQ(vt_read(v.d, 0, sec, 512), 0);
	EXPECT_EQ(fat_parse_bpb(sec, 512, &g, NULL), 0);
	fat_vol_init(&fv, &g, &vt_fat_io, v.d);
	EXPECT_EQ(fat_set_state(&fv, false, false), 0);
	EXPECT_EQ(vt_mount(&v, 0, NULL), 0);
	EXPECT_EQ(vt_put(&v, "x", "x", 1), -EROFS);
	vt_umount(&v);
	/* Still dirty: mounting read-only changed nothing. */
	EXPECT_TRUE(!vt_clean(&v));
	vt_destroy(&v);
}

TEST(vfat, broken_boot_sector_refused)
{
	struct vt_vol v;
	uint8_t sec[512];

	vt_make(&v, 32, 1);
	EXPECT_EQ(vt_read(v.d, 0, sec, 512), 0);
	sec[13] = 3; /* sectors per cluster: not a power of two */
	EXPECT_EQ(vt_write(v.d, 0, sec, 512), 0);
	EXPECT_EQ(vt_mount(&v, 0, NULL), -EINVAL);
	vt_destroy(&v);
}

TEST(vfat, full_volume_gives_enospc)
{
	struct vt_vol v;
	uint8_t *buf = kcalloc(1, 1 << 20);
	struct kstatfs st0, st1;
	char name[32], p[256];
	long r = 1 << 20;
	unsigned i;

	vt_make(&v, 4, 1);
	EXPECT_EQ(vt_mount(&v, 0, NULL), 0);
	EXPECT_EQ(vt_statfs(&v, &st0), 0);
	/* Whole files until one is cut short; the next write finds no room at all. */
	for (i = 0; i < 8 && r == 1 << 20; i++) {
		fmt_snprintf(name, sizeof(name), "big%u", i);
		r = vt_put(&v, name, buf, 1 << 20);
	}
	EXPECT_TRUE(r == -ENOSPC || (r >= 0 && r < 1 << 20));
	fmt_snprintf(name, sizeof(name), "big%u", i++);
	EXPECT_EQ(vt_put(&v, name, buf, 1 << 20), -ENOSPC);
	for (unsigned k = 0; k < i; k++) {
		fmt_snprintf(name, sizeof(name), "big%u", k);
		EXPECT_EQ(vfs_unlink(AT_FDCWD, vt_path(&v, name, p)), 0);
	}
	EXPECT_EQ(vt_statfs(&v, &st1), 0);
	EXPECT_EQ(st1.bfree, st0.bfree);
	kfree(buf);
	vt_destroy(&v);
}

#define VT_TASKS 4
#define VT_EACH  40

struct vt_job {
	struct vt_vol *v;
	unsigned id;
	int errors;
};

/* One writer: its own files in a shared directory, each written, read back and half removed. */
static int vt_writer(void *arg)
{
	struct vt_job *j = arg;
	uint8_t *buf = kmalloc(9000), *got = kmalloc(9001);
	char name[96], p[256];

	for (unsigned i = 0; i < VT_EACH; i++) {
		size_t n = (i * 977 + j->id * 131) % 9000;

		fmt_snprintf(name, sizeof(name), "shared/writer %u file %u with a long name", j->id,
		             i);
		vt_fill(buf, n, j->id * 1000 + i);
		j->errors += vt_put(j->v, name, buf, n) != (long)n;
		j->errors += vt_get(j->v, name, got, 9001) != (long)n || memcmp(got, buf, n) != 0;
		if (i % 2)
			j->errors += vfs_unlink(AT_FDCWD, vt_path(j->v, name, p)) != 0;
	}
	kfree(buf);
	kfree(got);
	return 0;
}

TEST(vfat, writers_on_several_cpus)
{
	struct task_handle h[VT_TASKS];
	struct vt_job jobs[VT_TASKS];
	uint8_t *buf = kmalloc(9000), *got = kmalloc(9001);
	char name[96], p[256];
	struct vt_vol v;

	vt_make(&v, 32, 1);
	EXPECT_EQ(vt_mount(&v, 0, NULL), 0);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, vt_path(&v, "shared", p), 0755), 0);
	for (unsigned i = 0; i < VT_TASKS; i++) {
		jobs[i] = (struct vt_job){ .v = &v, .id = i };
		EXPECT_EQ(task_spawn(&h[i], "vfat-test", vt_writer, &jobs[i]), 0);
	}
	for (unsigned i = 0; i < VT_TASKS; i++) {
		EXPECT_EQ(task_join(h[i], NULL), 0);
		EXPECT_EQ(jobs[i].errors, 0);
	}
	vt_umount(&v);
	EXPECT_TRUE(vt_clean(&v));
	EXPECT_EQ(vt_mount(&v, 0, NULL), 0);
	for (unsigned id = 0; id < VT_TASKS; id++)
		for (unsigned i = 0; i < VT_EACH; i++) {
			size_t n = (i * 977 + id * 131) % 9000;

			fmt_snprintf(name, sizeof(name),
			             "shared/writer %u file %u with a long name", id, i);
			if (i % 2) {
				EXPECT_EQ(vt_get(&v, name, got, 9001), -ENOENT);
				continue;
			}
			vt_fill(buf, n, id * 1000 + i);
			EXPECT_EQ(vt_get(&v, name, got, 9001), (long)n);
			EXPECT_TRUE(memcmp(got, buf, n) == 0);
		}
	kfree(buf);
	kfree(got);
	vt_destroy(&v);
}

/* Remounting read-only (what power-off does) leaves the volume clean; read-write makes it dirty. */
TEST(vfat, remount_read_only_marks_clean)
{
	struct vt_vol v;
	struct path p;
	char buf[8];

	vt_make(&v, 32, 1);
	EXPECT_EQ(vt_mount(&v, 0, NULL), 0);
	EXPECT_EQ(vt_put(&v, "kept", "data", 4), 4);
	EXPECT_TRUE(!vt_clean(&v));
	EXPECT_EQ(vfs_walk(AT_FDCWD, v.dir, LOOKUP_FOLLOW, &p), 0);
	EXPECT_EQ(vfs_mount(NULL, &p, NULL, MS_REMOUNT | MS_RDONLY, NULL), 0);
	EXPECT_TRUE(vt_clean(&v));
	EXPECT_EQ(vt_put(&v, "more", "x", 1), -EROFS);
	EXPECT_EQ(vfs_mount(NULL, &p, NULL, MS_REMOUNT, NULL), 0);
	EXPECT_TRUE(!vt_clean(&v));
	EXPECT_EQ(vt_put(&v, "more", "x", 1), 1);
	path_put(&p);
	vt_umount(&v);
	EXPECT_TRUE(vt_clean(&v));
	EXPECT_EQ(vt_mount(&v, SB_RDONLY, NULL), 0);
	EXPECT_EQ(vt_get(&v, "kept", buf, sizeof(buf)), 4);
	vt_destroy(&v);
}
