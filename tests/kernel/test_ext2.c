/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of the ext2 file system (kernel/fs/ext2) on RAM disks that
 * lib/ext2's mkfs formats: files, directories, links and renames through
 * the VFS that are still there after a remount; sparse files and
 * truncation giving blocks back; a directory of 2,000 names; an unlinked
 * file that stays readable while open; a bad superblock refused, an
 * unclean one mounted read-only, and an inode that maps a block outside
 * the disk turning the mount read-only with an error instead of a panic;
 * four tasks creating, renaming and removing in shared directories at once.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/ext2/ext2.h>
#include <lib/format.h>
#include <lib/string.h>

#include "block/blkdev.h"
#include "block/internal.h"
#include "core/ktest.h"
#include "core/log.h"
#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "mm/pagecache_internal.h"
#include "sched/task.h"
#include "tmpfs_test.h"

/* ---- a formatted RAM disk, mounted ---- */

struct et_disk {
	struct block_device *d;
	uint32_t bs;
	struct tt_mount m;
};

static int et_get(void *ctx, uint64_t blk, struct ext2_buf *b)
{
	struct et_disk *t = ctx;
	struct bbuf *bb;
	int err = bget(t->d, blk, t->bs, &bb);

	if (!err) {
		b->data = bb->data;
		b->handle = bb;
	}
	return err;
}

static int et_read(void *ctx, uint64_t blk, struct ext2_buf *b)
{
	struct et_disk *t = ctx;
	struct bbuf *bb;
	int err = bread(t->d, blk, t->bs, &bb);

	if (!err) {
		b->data = bb->data;
		b->handle = bb;
	}
	return err;
}

static void et_dirty(void *ctx, struct ext2_buf *b)
{
	(void)ctx;
	bdirty(b->handle);
}

static void et_release(void *ctx, struct ext2_buf *b)
{
	(void)ctx;
	brelse(b->handle);
}

static struct ext2_io et_io(struct et_disk *t)
{
	return (struct ext2_io){
		.ctx = t, .read = et_read, .get = et_get, .dirty = et_dirty, .release = et_release
	};
}

/* A RAM disk of @mib MiB formatted with @bs-byte blocks (not mounted). */
static void et_format(struct et_disk *t, uint32_t mib, uint32_t bs)
{
	struct ext2_mkfs_opts o = { .blocks = (uint64_t)mib * 1024 * 1024 / bs,
		                    .block_size = bs,
		                    .now = 1700000000,
		                    .seed = mib };
	struct ext2_group_desc *gds = kcalloc(64, sizeof(*gds));
	struct ext2_fs *fs = kcalloc(1, sizeof(*fs));
	struct ext2_io io;

	memset(t, 0, sizeof(*t));
	t->bs = bs;
	EXPECT_EQ(ramdisk_create((uint64_t)mib << 20, &t->d), 0);
	io = et_io(t);
	EXPECT_EQ(ext2_mkfs(fs, &io, &o, gds, 64), 0);
	EXPECT_EQ(blk_sync(t->d), 0);
	kfree(gds);
	kfree(fs);
}

static int et_mount_flags(struct et_disk *t, unsigned long flags)
{
	static int seq;
	struct path mp;
	int err;

	fmt_snprintf(t->m.dir, sizeof(t->m.dir), "/tmp/kt-ext2-%d",
	             __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, t->m.dir, 0755), 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, t->m.dir, LOOKUP_FOLLOW, &mp), 0);
	err = vfs_mount(t->d->name, &mp, "ext2", flags, NULL);
	path_put(&mp);
	if (err) {
		EXPECT_EQ(vfs_rmdir(AT_FDCWD, t->m.dir), 0);
		return err;
	}
	EXPECT_EQ(vfs_walk(AT_FDCWD, t->m.dir, LOOKUP_FOLLOW, &t->m.root), 0);
	return 0;
}

static void et_mount(struct et_disk *t)
{
	EXPECT_EQ(et_mount_flags(t, 0), 0);
}

/*
 * The disk goes, and so do the page records the test's files left as
 * spares: the writeback task would give them back to the heap seconds
 * later, in the middle of another suite's leak check.
 */
static void et_destroy(struct et_disk *t)
{
	ramdisk_destroy(t->d);
	pc_trim_spares();
}

static const char *et_path(struct et_disk *t, const char *name, char *buf)
{
	return tt_path(&t->m, name, buf);
}

static void et_fill(uint8_t *buf, size_t n, uint32_t seed)
{
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint8_t)((i * 131 + seed * 7 + (i >> 10)) & 0xff);
}

/* Write @n pattern bytes as a new file and check they read back. */
static void et_put(struct et_disk *t, const char *name, size_t n, uint32_t seed)
{
	char p[128];
	uint8_t *buf = kmalloc(n + 1);

	et_fill(buf, n, seed);
	EXPECT_EQ(tt_pwrite(et_path(t, name, p), buf, n, 0), (long)n);
	kfree(buf);
}

static void et_check(struct et_disk *t, const char *name, size_t n, uint32_t seed)
{
	char p[128];
	uint8_t *want = kmalloc(n + 1), *got = kmalloc(n + 1);

	et_fill(want, n, seed);
	EXPECT_EQ(tt_pread(et_path(t, name, p), got, n + 1, 0), (long)n);
	EXPECT_EQ(memcmp(got, want, n), 0);
	kfree(want);
	kfree(got);
}

static uint64_t et_free_blocks(struct et_disk *t)
{
	struct kstatfs st;
	struct super_block *sb = t->m.root.dentry->sb;

	EXPECT_EQ(sb->ops->statfs(sb, &st), 0);
	return st.bfree;
}

/*
 * The free count once it reaches @want: an unlinked file's blocks go back
 * when its last reference does, and the page cache's writeback task may
 * hold one for a moment.
 */
static uint64_t et_free_blocks_settled(struct et_disk *t, uint64_t want)
{
	uint64_t n = et_free_blocks(t);

	for (int i = 0; i < 200 && n != want; i++) {
		task_sleep_ns(10 * 1000 * 1000);
		n = et_free_blocks(t);
	}
	return n;
}

static uint32_t et_nlink(struct et_disk *t, const char *name)
{
	char p[128];
	struct inode *ino = tt_inode(et_path(t, name, p));

	return ino ? ino->nlink : 0;
}

/* ---- the tests ---- */

static const size_t et_sizes[] = { 0, 1, 1000, 5000, 70000, 300000 };

TEST(ext2, files_survive_remount)
{
	struct et_disk t;
	char p[128], q[128], link[64];

	et_format(&t, 8, 1024);
	et_mount(&t);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, et_path(&t, "a", p), 0755), 0);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, et_path(&t, "a/b", p), 0755), 0);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, et_path(&t, "c", p), 0755), 0);
	for (unsigned i = 0; i < ARRAY_SIZE(et_sizes); i++) {
		char name[32];
		fmt_snprintf(name, sizeof(name), "a/b/f%u", i);
		et_put(&t, name, et_sizes[i], i);
	}
	EXPECT_EQ(vfs_link(AT_FDCWD, et_path(&t, "a/b/f3", p), AT_FDCWD, et_path(&t, "hard", q), 0),
	          0);
	EXPECT_EQ(vfs_symlink("c/b/f2", AT_FDCWD, et_path(&t, "sym", p)), 0);
	EXPECT_EQ(vfs_symlink("c/b/../b/../b/../b/../b/../b/../b/../b/../b/../b/../b/../b/f4",
	                      AT_FDCWD, et_path(&t, "slow", p)),
	          0);
	EXPECT_EQ(vfs_rename(AT_FDCWD, et_path(&t, "a/b", p), AT_FDCWD, et_path(&t, "c/b", q), 0),
	          0);
	EXPECT_EQ(et_nlink(&t, "a"), 2);
	EXPECT_EQ(et_nlink(&t, "c"), 3);
	EXPECT_EQ(et_nlink(&t, "hard"), 2);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, et_path(&t, "c/b/f1", p)), 0);
	tt_umount(&t.m);
	et_mount(&t);
	for (unsigned i = 0; i < ARRAY_SIZE(et_sizes); i++) {
		char name[32];
		if (i == 1)
			continue;
		fmt_snprintf(name, sizeof(name), "c/b/f%u", i);
		et_check(&t, name, et_sizes[i], i);
	}
	et_check(&t, "hard", et_sizes[3], 3);
	et_check(&t, "sym", et_sizes[2], 2);
	et_check(&t, "slow", et_sizes[4], 4);
	struct inode *s = tt_inode(et_path(&t, "sym", p));
	EXPECT_TRUE(s && s->iops->readlink);
	EXPECT_EQ(s->iops->readlink(s, link, sizeof(link)), 6);
	EXPECT_EQ(memcmp(link, "c/b/f2", 6), 0);
	EXPECT_EQ(et_nlink(&t, "c"), 3);
	EXPECT_EQ(et_nlink(&t, "hard"), 2);
	EXPECT_TRUE(tt_inode(et_path(&t, "c/b/f1", p)) == NULL);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, et_path(&t, "c", p)), -ENOTEMPTY);
	tt_umount(&t.m);
	et_destroy(&t);
}

TEST(ext2, sparse_and_truncate_give_blocks_back)
{
	struct et_disk t;
	char p[128];
	uint8_t buf[64];
	const int64_t far = (1ll << 30) + 12345;

	et_format(&t, 16, 4096);
	et_mount(&t);
	uint64_t free0 = et_free_blocks(&t);
	EXPECT_EQ(tt_pwrite(et_path(&t, "sparse", p), "tail", 4, far), 4);
	EXPECT_EQ(tt_inode(p)->size, far + 4);
	EXPECT_EQ(tt_pread(p, buf, 8, far - 4), 8);
	EXPECT_EQ(memcmp(buf, "\0\0\0\0tail", 8), 0);
	EXPECT_TRUE(et_free_blocks(&t) >= free0 - 4); /* data + indirect blocks only */
	et_put(&t, "big", 3 << 20, 9);
	EXPECT_TRUE(et_free_blocks(&t) < free0 - 700);
	EXPECT_EQ(vfs_truncate_inode(tt_inode(et_path(&t, "big", p)), 5000), 0);
	et_check(&t, "big", 5000, 9);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, et_path(&t, "sparse", p)), 0);
	EXPECT_EQ(et_free_blocks_settled(&t, free0 - 2), free0 - 2);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, et_path(&t, "big", p)), 0);
	EXPECT_EQ(et_free_blocks_settled(&t, free0), free0);
	tt_umount(&t.m);
	et_destroy(&t);
}

#define ET_SEQ ((1u << 20) + 1000) /* 257 pages, the last one partial */

/*
 * One reader of "seq", through a file the test opened: a spawned kernel
 * task walks paths from the kernel's own root, which on a live system
 * (the shell's `test`) is not where the test mounted the disk.
 */
struct et_reader {
	struct file *f;
	size_t chunk;
	int err; /* the failure's line, 0: none */
};

/* Read the file "seq" from start to end in @chunk-byte reads, checking every byte. */
static int et_reader(void *arg)
{
	struct et_reader *r = arg;
	uint8_t *want = kmalloc(ET_SEQ), *got = kmalloc(r->chunk);

	et_fill(want, ET_SEQ, 21);
	for (size_t off = 0; off < ET_SEQ && !r->err; off += r->chunk) {
		size_t k = ET_SEQ - off < r->chunk ? ET_SEQ - off : r->chunk;
		int64_t pos = (int64_t)off;

		if (kernel_read(r->f, got, k, &pos) != (long)k || memcmp(got, want + off, k))
			r->err = __LINE__;
	}
	kfree(want);
	kfree(got);
	return 0;
}

/* Two tasks read "seq" at once, in different steps, from a cold cache. */
static void et_two_readers(struct et_disk *t)
{
	struct et_reader r[2] = { { NULL, 65536, 0 }, { NULL, 12288, 0 } };
	struct task_handle h[2];
	struct file *f;
	int joined = 0;
	char p[128];

	tt_umount(&t->m);
	EXPECT_EQ(bcache_invalidate(t->d), 0);
	et_mount(t);
	f = tt_open(et_path(t, "seq", p), O_RDONLY, 0);
	if (IS_ERR_PTR(f))
		return;
	r[0].f = r[1].f = f;
	for (unsigned k = 0; k < 2; k++)
		EXPECT_EQ(task_spawn(&h[k], "ext2-reader", et_reader, &r[k]), 0);
	for (unsigned k = 0; k < 2; k++)
		joined |= task_join(h[k], NULL);
	file_put(f);
	EXPECT_EQ(joined, 0);
	EXPECT_EQ(r[0].err, 0);
	EXPECT_EQ(r[1].err, 0);
}

/*
 * A sequential read of a file that is only on the disk (the buffer cache
 * emptied) goes to the driver in far fewer requests than it has pages
 * (readahead), and every byte is right, the holes of a sparse file as
 * zeros, also when two tasks read it at once.
 */
TEST(ext2, sequential_read_reads_ahead)
{
	const size_t n = ET_SEQ;
	struct pagecache_stats p0, p1;
	struct blk_stats s0, s1;
	struct et_disk t;
	char p[128];
	uint8_t *buf = kmalloc(300000);

	et_format(&t, 8, 1024);
	et_mount(&t);
	et_put(&t, "seq", n, 21);
	EXPECT_EQ(tt_pwrite(et_path(&t, "holes", p), "head", 4, 0), 4);
	EXPECT_EQ(tt_pwrite(p, "tail", 4, 250000), 4);
	tt_umount(&t.m);
	EXPECT_EQ(bcache_invalidate(t.d), 0);
	et_mount(&t);
	blk_get_stats(t.d, &s0);
	pagecache_get_stats(&p0);
	et_check(&t, "seq", n, 21);
	blk_get_stats(t.d, &s1);
	pagecache_get_stats(&p1);
	pr_info("ext2 readahead: %llu pages read ahead, %llu driver requests for 257 pages",
	        (unsigned long long)(p1.readahead - p0.readahead),
	        (unsigned long long)(s1.driver_ios - s0.driver_ios));
	EXPECT_TRUE(p1.readahead - p0.readahead >= 200);
	EXPECT_TRUE(s1.driver_ios - s0.driver_ios < 257 / 4);
	EXPECT_EQ(tt_pread(et_path(&t, "holes", p), buf, 300000, 0), 250004);
	EXPECT_EQ(memcmp(buf, "head", 4), 0);
	EXPECT_EQ(memcmp(buf + 250000, "tail", 4), 0);
	for (size_t i = 4; i < 250000; i++)
		if (buf[i]) {
			EXPECT_EQ(buf[i], 0);
			break;
		}
	kfree(buf);
	et_two_readers(&t);
	tt_umount(&t.m);
	et_destroy(&t);
}

struct et_count {
	struct dir_ctx ctx;
	int n;
};

static bool et_count_one(struct dir_ctx *ctx, const char *name, size_t len, uint64_t ino,
                         unsigned dtype)
{
	(void)name;
	(void)len;
	(void)ino;
	(void)dtype;
	((struct et_count *)ctx)->n++;
	return true;
}

static int et_count_dir(struct et_disk *t, const char *name)
{
	char p[128];
	struct et_count c = { .ctx.emit = et_count_one };
	struct file *f = tt_open(et_path(t, name, p), O_RDONLY | O_DIRECTORY, 0);

	EXPECT_EQ(f->ops->iterate(f, &c.ctx), 0);
	file_put(f);
	return c.n;
}

TEST(ext2, big_directory)
{
	struct et_disk t;
	char p[128], name[64];

	et_format(&t, 16, 1024);
	et_mount(&t);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, et_path(&t, "d", p), 0755), 0);
	for (int i = 0; i < 2000; i++) {
		fmt_snprintf(name, sizeof(name), "d/name-number-%d", i);
		EXPECT_EQ(tt_pwrite(et_path(&t, name, p), "x", 1, 0), 1);
	}
	EXPECT_EQ(et_count_dir(&t, "d"), 2002);
	for (int i = 0; i < 2000; i += 2) {
		fmt_snprintf(name, sizeof(name), "d/name-number-%d", i);
		EXPECT_EQ(vfs_unlink(AT_FDCWD, et_path(&t, name, p)), 0);
	}
	tt_umount(&t.m);
	et_mount(&t);
	EXPECT_EQ(et_count_dir(&t, "d"), 1002);
	EXPECT_TRUE(tt_inode(et_path(&t, "d/name-number-1999", p)) != NULL);
	EXPECT_TRUE(tt_inode(et_path(&t, "d/name-number-1998", p)) == NULL);
	tt_umount(&t.m);
	et_destroy(&t);
}

TEST(ext2, unlinked_open_file_stays_until_close)
{
	struct et_disk t;
	char p[128];
	uint8_t buf[8];
	int64_t off = 0;

	et_format(&t, 8, 1024);
	et_mount(&t);
	uint64_t free0 = et_free_blocks(&t);
	et_put(&t, "f", 100000, 1);
	struct file *f = tt_open(et_path(&t, "f", p), O_RDONLY, 0);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, p), 0);
	EXPECT_TRUE(et_free_blocks(&t) < free0);
	off = 99996;
	EXPECT_EQ(kernel_read(f, buf, 8, &off), 4);
	file_put(f);
	EXPECT_EQ(et_free_blocks_settled(&t, free0), free0);
	tt_umount(&t.m);
	et_destroy(&t);
}

/* Change byte @off of the disk's superblock (primary, at byte 1024) to @v. */
static void et_poke_super(struct et_disk *t, unsigned off, uint16_t v)
{
	uint8_t *buf = kmalloc(4096);

	EXPECT_EQ(blk_rw(t->d, BIO_READ, 0, buf, 4096), 0);
	memcpy(buf + 1024 + off, &v, 2);
	EXPECT_EQ(blk_rw(t->d, BIO_WRITE, 0, buf, 4096), 0);
	kfree(buf);
}

TEST(ext2, bad_or_unclean_superblock)
{
	struct et_disk t;
	char p[128];

	et_format(&t, 8, 1024);
	et_poke_super(&t, 56, 0x1234); /* s_magic */
	EXPECT_EQ(et_mount_flags(&t, 0), -EINVAL);
	et_poke_super(&t, 56, EXT2_MAGIC);
	et_poke_super(&t, 58, 0); /* s_state: not clean */
	et_mount(&t);
	EXPECT_TRUE(mnt_readonly(t.m.root.mnt));
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, et_path(&t, "x", p), 0755), -EROFS);
	tt_umount(&t.m);
	et_destroy(&t);
}

TEST(ext2, block_outside_disk_turns_read_only)
{
	struct et_disk t;
	char p[128];
	uint8_t buf[16];

	et_format(&t, 8, 1024);
	et_mount(&t);
	et_put(&t, "f", 5000, 1);
	tt_umount(&t.m);
	/* Point the file's third block past the end, through the engine on the cache. */
	struct ext2_fs *fs = kcalloc(1, sizeof(*fs));
	struct ext2_io io = et_io(&t);
	struct ext2_buf sb;
	struct ext2_ino root, f;
	uint32_t ino;
	EXPECT_EQ(et_read(&t, 1, &sb), 0);
	EXPECT_EQ(ext2_open(fs, &io, sb.data, t.d->nr_sectors / 2), 0);
	et_release(&t, &sb);
	EXPECT_EQ(ext2_read_inode(fs, EXT2_ROOT_INO, &root), 0);
	EXPECT_EQ(ext2_dir_lookup(fs, &root, "f", 1, &ino), 0);
	EXPECT_EQ(ext2_read_inode(fs, ino, &f), 0);
	f.raw.i_block[2] = fs->sb.s_blocks_count + 100;
	EXPECT_EQ(ext2_write_inode(fs, &f), 0);
	EXPECT_EQ(blk_sync(t.d), 0);
	kfree(fs);
	et_mount(&t);
	EXPECT_TRUE(!mnt_readonly(t.m.root.mnt));
	EXPECT_TRUE(tt_pread(et_path(&t, "f", p), buf, sizeof(buf), 2048) < 0);
	EXPECT_TRUE(mnt_readonly(t.m.root.mnt));
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, et_path(&t, "x", p), 0755), -EROFS);
	tt_umount(&t.m);
	et_destroy(&t);
}

/* ---- several tasks at once ---- */

#define ET_TASKS 4
#define ET_FILES 120

struct et_job {
	struct et_disk *t;
	unsigned k;
	int err; /* the first failure's line, 0: none */
};

/* File i of task k: in "c" or, every fifth, renamed into "d"; every third removed. */
static const char *et_job_name(const struct et_job *j, unsigned i, bool moved, char *buf)
{
	char name[48];

	fmt_snprintf(name, sizeof(name), "%s/t%u-%u", moved ? "d" : "c", j->k, i);
	return et_path(j->t, name, buf);
}

static size_t et_job_size(unsigned k, unsigned i)
{
	return (size_t)((k * 131 + i * 977) % 9000);
}

static int et_worker(void *arg)
{
	struct et_job *j = arg;
	uint8_t *buf = kmalloc(9000);
	char p[128], q[128];

	for (unsigned i = 0; i < ET_FILES && !j->err; i++) {
		size_t n = et_job_size(j->k, i);
		et_fill(buf, n, j->k * 1000 + i);
		et_job_name(j, i, false, p);
		if (tt_pwrite(p, buf, n, 0) != (long)n)
			j->err = __LINE__;
		else if (i % 5 == 0)
			j->err = vfs_rename(AT_FDCWD, p, AT_FDCWD, et_job_name(j, i, true, q), 0)
			                 ? __LINE__
			                 : 0;
		else if (i % 3 == 1)
			j->err = vfs_unlink(AT_FDCWD, p) ? __LINE__ : 0;
	}
	kfree(buf);
	return 0;
}

TEST(ext2, concurrent_tasks)
{
	struct et_disk t;
	struct et_job jobs[ET_TASKS];
	struct task_handle h[ET_TASKS];
	char p[128];

	et_format(&t, 8, 1024);
	et_mount(&t);
	uint64_t free0 = et_free_blocks(&t);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, et_path(&t, "c", p), 0755), 0);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, et_path(&t, "d", p), 0755), 0);
	for (unsigned k = 0; k < ET_TASKS; k++) {
		jobs[k] = (struct et_job){ .t = &t, .k = k };
		EXPECT_EQ(task_spawn(&h[k], "ext2-test", et_worker, &jobs[k]), 0);
	}
	/* Every task joined before any check can end the test (their jobs are on this stack). */
	int joined = 0;
	for (unsigned k = 0; k < ET_TASKS; k++)
		joined |= task_join(h[k], NULL);
	EXPECT_EQ(joined, 0);
	for (unsigned k = 0; k < ET_TASKS; k++)
		EXPECT_EQ(jobs[k].err, 0);
	tt_umount(&t.m);
	et_mount(&t);
	unsigned left = 0;
	for (unsigned k = 0; k < ET_TASKS; k++) {
		for (unsigned i = 0; i < ET_FILES; i++) {
			bool moved = i % 5 == 0, gone = !moved && i % 3 == 1;
			char name[48];
			fmt_snprintf(name, sizeof(name), "%s/t%u-%u", moved ? "d" : "c", k, i);
			if (gone) {
				EXPECT_TRUE(tt_inode(et_path(&t, name, p)) == NULL);
				continue;
			}
			et_check(&t, name, et_job_size(k, i), k * 1000 + i);
			EXPECT_EQ(vfs_unlink(AT_FDCWD, et_path(&t, name, p)), 0);
			left++;
		}
	}
	EXPECT_EQ(et_count_dir(&t, "c"), 2);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, et_path(&t, "c", p)), 0);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, et_path(&t, "d", p)), 0);
	EXPECT_EQ(et_free_blocks_settled(&t, free0), free0);
	EXPECT_TRUE(left > ET_TASKS * ET_FILES / 2);
	tt_umount(&t.m);
	et_destroy(&t);
}
