/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of tmpfs through the VFS: data in and out, holes and big
 * sparse offsets, truncation, links, rename, an unlinked file read while
 * open, the size limit (ENOSPC), statfs, and that a file's frames all come
 * back when it goes (pmm free counts before and after).
 */
#include "fs/tmpfs/tmpfs.h"
#include "tmpfs_test.h"

static uint8_t tt_buf[3 * 4096 + 100];

static void tt_fill(uint8_t *b, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(i * 7 + seed);
}

TEST(tmpfs, write_read_across_pages)
{
	static uint8_t back[sizeof(tt_buf)];
	struct tt_mount m;
	char p[128];

	tt_mount(&m, NULL);
	tt_fill(tt_buf, sizeof(tt_buf), 1);
	tt_path(&m, "f", p);
	EXPECT_EQ(tt_pwrite(p, tt_buf, sizeof(tt_buf), 0), sizeof(tt_buf));
	EXPECT_EQ(tt_inode(p)->size, sizeof(tt_buf));
	EXPECT_EQ(tt_inode(p)->blocks, 4 * 8);
	EXPECT_EQ(tt_pread(p, back, sizeof(back), 0), sizeof(back));
	EXPECT_EQ(memcmp(back, tt_buf, sizeof(back)), 0);
	/* A read that starts inside and runs past the end stops at the end. */
	EXPECT_EQ(tt_pread(p, back, 500, sizeof(tt_buf) - 100), 100);
	EXPECT_EQ(memcmp(back, tt_buf + sizeof(tt_buf) - 100, 100), 0);
	EXPECT_EQ(tt_pread(p, back, 10, sizeof(tt_buf)), 0);
	/* An overwrite in the middle of a page keeps both sides. */
	EXPECT_EQ(tt_pwrite(p, "XYZ", 3, 4095), 3);
	EXPECT_EQ(tt_pread(p, back, 5, 4094), 5);
	EXPECT_EQ(back[0], tt_buf[4094]);
	EXPECT_EQ(memcmp(back + 1, "XYZ", 3), 0);
	EXPECT_EQ(back[4], tt_buf[4098]);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, p), 0);
	tt_umount(&m);
}

TEST(tmpfs, sparse_file_far_out)
{
	const int64_t far = (int64_t)1 << 40; /* 1 TiB */
	struct tt_mount m;
	uint8_t back[16];
	struct file *f;
	char p[128];

	tt_mount(&m, NULL);
	tt_path(&m, "sparse", p);
	EXPECT_EQ(tt_pwrite(p, "end", 3, far), 3);
	EXPECT_EQ(tt_inode(p)->size, far + 3);
	/* One page holds data; the rest is a hole. */
	EXPECT_EQ(tt_inode(p)->blocks, 8);
	memset(back, 0xaa, sizeof(back));
	EXPECT_EQ(tt_pread(p, back, sizeof(back), 12345678), sizeof(back));
	for (unsigned i = 0; i < sizeof(back); i++)
		EXPECT_EQ(back[i], 0);
	EXPECT_EQ(tt_pread(p, back, 8, far - 2), 5);
	EXPECT_EQ(memcmp(back, "\0\0end", 5), 0);
	f = tt_open(p, O_RDONLY, 0);
	EXPECT_EQ(f->ops->llseek(f, 0, SEEK_DATA), far);
	EXPECT_EQ(f->ops->llseek(f, 0, SEEK_HOLE), 0);
	EXPECT_EQ(f->ops->llseek(f, far + 1, SEEK_HOLE), far + 3);
	EXPECT_EQ(f->ops->llseek(f, far + 3, SEEK_DATA), -ENXIO);
	file_put(f);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, p), 0);
	tt_umount(&m);
}

/* Truncate to @size through the inode's setattr, as truncate(2) reaches it. */
static int tt_truncate(const char *path, int64_t size)
{
	struct iattr a = { .valid = ATTR_SIZE, .size = size };
	struct inode *ino = tt_inode(path);
	int err;

	mutex_lock(&ino->lock);
	err = ino->iops->setattr(ino, &a);
	mutex_unlock(&ino->lock);
	return err;
}

TEST(tmpfs, truncate_frees_and_zeroes)
{
	struct tt_mount m;
	uint8_t back[64];
	char p[128];

	tt_mount(&m, NULL);
	tt_path(&m, "t", p);
	tt_fill(tt_buf, sizeof(tt_buf), 3);
	EXPECT_EQ(tt_pwrite(p, tt_buf, sizeof(tt_buf), 0), sizeof(tt_buf));
	EXPECT_EQ(tt_truncate(p, 4096 + 10), 0);
	EXPECT_EQ(tt_inode(p)->size, 4096 + 10);
	EXPECT_EQ(tt_inode(p)->blocks, 2 * 8);
	/* Growing again shows zeros where the old bytes were, not the old bytes. */
	EXPECT_EQ(tt_truncate(p, 3 * 4096), 0);
	EXPECT_EQ(tt_pread(p, back, sizeof(back), 4096), sizeof(back));
	EXPECT_EQ(memcmp(back, tt_buf + 4096, 10), 0);
	for (unsigned i = 10; i < sizeof(back); i++)
		EXPECT_EQ(back[i], 0);
	EXPECT_EQ(tt_truncate(p, 0), 0);
	EXPECT_EQ(tt_inode(p)->blocks, 0);
	EXPECT_EQ(tt_truncate(p, -1), -EINVAL);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, p), 0);
	tt_umount(&m);
}

TEST(tmpfs, unlinked_file_stays_readable)
{
	struct tt_mount m;
	struct file *f;
	int64_t pos = 0;
	char p[128], back[8];

	tt_mount(&m, NULL);
	tt_path(&m, "gone", p);
	EXPECT_EQ(tt_pwrite(p, "still", 5, 0), 5);
	f = tt_open(p, O_RDWR, 0);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, p), 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, p, 0, &(struct path){ 0 }), -ENOENT);
	EXPECT_EQ(f->inode->nlink, 0);
	EXPECT_EQ(kernel_read(f, back, sizeof(back), &pos), 5);
	EXPECT_EQ(memcmp(back, "still", 5), 0);
	pos = 5;
	EXPECT_EQ(kernel_write(f, "!", 1, &pos), 1);
	EXPECT_EQ(f->inode->size, 6);
	file_put(f);
	tt_umount(&m);
}

TEST(tmpfs, links_and_symlinks)
{
	struct tt_mount m;
	char a[128], b[128], l[128], back[16];
	struct inode *ino;

	tt_mount(&m, NULL);
	tt_path(&m, "a", a);
	tt_path(&m, "b", b);
	tt_path(&m, "l", l);
	EXPECT_EQ(tt_pwrite(a, "data", 4, 0), 4);
	EXPECT_EQ(vfs_link(AT_FDCWD, a, AT_FDCWD, b, 0), 0);
	ino = tt_inode(a);
	EXPECT_TRUE(ino == tt_inode(b));
	EXPECT_EQ(ino->nlink, 2);
	EXPECT_EQ(vfs_symlink("a", AT_FDCWD, l), 0);
	EXPECT_EQ(tt_inode(l)->size, 1);
	EXPECT_EQ(tt_inode(l)->iops->readlink(tt_inode(l), back, sizeof(back)), 1);
	EXPECT_EQ(back[0], 'a');
	EXPECT_EQ(tt_pread(l, back, sizeof(back), 0), 4);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, a), 0);
	EXPECT_EQ(ino->nlink, 1);
	EXPECT_EQ(tt_pread(b, back, sizeof(back), 0), 4);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, b), 0);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, l), 0);
	tt_umount(&m);
}

TEST(tmpfs, rename_rules)
{
	struct tt_mount m;
	char d1[128], d2[128], f[128], g[128], sub[128], back[8];
	struct inode *dir1;

	tt_mount(&m, NULL);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, tt_path(&m, "d1", d1), 0755), 0);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, tt_path(&m, "d2", d2), 0755), 0);
	EXPECT_EQ(tt_pwrite(tt_path(&m, "d1/f", f), "one", 3, 0), 3);
	EXPECT_EQ(tt_pwrite(tt_path(&m, "d2/g", g), "two", 3, 0), 3);
	/* Across directories, replacing a file: the old name goes, the new one has the data. */
	EXPECT_EQ(vfs_rename(AT_FDCWD, f, AT_FDCWD, g, 0), 0);
	EXPECT_EQ(tt_inode(f), NULL);
	EXPECT_EQ(tt_pread(g, back, sizeof(back), 0), 3);
	EXPECT_EQ(memcmp(back, "one", 3), 0);
	/* A directory over an empty one; its ".." and the link counts follow. */
	dir1 = tt_inode(d1);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, tt_path(&m, "d2/sub", sub), 0755), 0);
	EXPECT_EQ(tt_inode(d2)->nlink, 3);
	EXPECT_EQ(vfs_rename(AT_FDCWD, d1, AT_FDCWD, sub, 0), 0);
	EXPECT_TRUE(tt_inode(sub) == dir1);
	EXPECT_EQ(tt_inode(d2)->nlink, 3);
	EXPECT_EQ(m.root.dentry->inode->nlink, 3);
	/* Over a directory that is not empty: refused, nothing moves. */
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, d1, 0755), 0);
	EXPECT_EQ(vfs_rename(AT_FDCWD, d1, AT_FDCWD, d2, 0), -ENOTEMPTY);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, d2), -ENOTEMPTY);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, g), 0);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, sub), 0);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, d2), 0);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, d1), 0);
	EXPECT_EQ(m.root.dentry->inode->nlink, 2);
	tt_umount(&m);
}

TEST(tmpfs, size_limit_enospc)
{
	struct tt_mount m;
	struct kstatfs st;
	char p[128], q[128];

	tt_mount(&m, "size=12k,nr_inodes=3");
	tt_fill(tt_buf, sizeof(tt_buf), 5);
	tt_path(&m, "big", p);
	/* Three pages fit, the fourth does not: a short write, then ENOSPC. */
	EXPECT_EQ(tt_pwrite(p, tt_buf, sizeof(tt_buf), 0), 3 * 4096);
	EXPECT_EQ(tt_inode(p)->size, 3 * 4096);
	EXPECT_EQ(tt_pwrite(p, tt_buf, 4096, 0), 4096);
	EXPECT_EQ(tt_pwrite(p, "x", 1, 3 * 4096), -ENOSPC);
	EXPECT_EQ(m.root.dentry->sb->ops->statfs(m.root.dentry->sb, &st), 0);
	EXPECT_EQ(st.type, TMPFS_MAGIC);
	EXPECT_EQ(st.blocks, 3);
	EXPECT_EQ(st.bfree, 0);
	EXPECT_EQ(st.files, 3);
	/* The root and "big" use two inodes; a third fits, a fourth does not. */
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, tt_path(&m, "d", q), 0755), 0);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, tt_path(&m, "e", q), 0755), -ENOSPC);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, tt_path(&m, "d", q)), 0);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, p), 0);
	EXPECT_EQ(m.root.dentry->sb->ops->statfs(m.root.dentry->sb, &st), 0);
	EXPECT_EQ(st.bfree, 3);
	tt_umount(&m);
}

TEST(tmpfs, bad_options_refused)
{
	static const char *const bad[] = { "size=", "size=12q", "mode=8", "mode=17777",
		                           "uid=x", "bogus=1",  "size",   "nr_inodes=-1" };
	struct path mp;

	EXPECT_EQ(vfs_mkdir(AT_FDCWD, "/tmp/kt-tmpfs-opts", 0755), 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, "/tmp/kt-tmpfs-opts", LOOKUP_FOLLOW, &mp), 0);
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		EXPECT_EQ(vfs_mount("tmpfs", &mp, "tmpfs", 0, bad[i]), -EINVAL);
	path_put(&mp);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, "/tmp/kt-tmpfs-opts"), 0);
}

/* Make a few files with data, links and directories under @m, then remove them all. */
static void tt_churn(struct tt_mount *m)
{
	char p[128], q[128];

	for (int i = 0; i < 8; i++) {
		fmt_snprintf(q, sizeof(q), "d%d", i);
		EXPECT_EQ(vfs_mkdir(AT_FDCWD, tt_path(m, q, p), 0755), 0);
		fmt_snprintf(q, sizeof(q), "d%d/f", i);
		EXPECT_EQ(tt_pwrite(tt_path(m, q, p), tt_buf, sizeof(tt_buf), (int64_t)i << 20),
		          sizeof(tt_buf));
	}
	for (int i = 0; i < 8; i++) {
		fmt_snprintf(q, sizeof(q), "d%d/f", i);
		EXPECT_EQ(vfs_unlink(AT_FDCWD, tt_path(m, q, p)), 0);
		fmt_snprintf(q, sizeof(q), "d%d", i);
		EXPECT_EQ(vfs_rmdir(AT_FDCWD, tt_path(m, q, p)), 0);
	}
}

/*
 * Every frame comes back: after a first round (so caches and the heap have
 * grown to what the work needs), a second round with files removed by name
 * and a third whose files go with the unmount leave the free count as it was.
 */
TEST(tmpfs, no_frame_leak)
{
	struct tt_mount m;
	uint64_t before;
	char p[128];

	tt_mount(&m, NULL);
	tt_churn(&m);
	before = tt_free_frames();
	tt_churn(&m);
	EXPECT_EQ(tt_free_frames(), before);
	tt_umount(&m);
	before = tt_free_frames();
	tt_mount(&m, NULL);
	EXPECT_EQ(tt_pwrite(tt_path(&m, "left", p), tt_buf, sizeof(tt_buf), 0), sizeof(tt_buf));
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, tt_path(&m, "dir", p), 0755), 0);
	EXPECT_EQ(tt_pwrite(tt_path(&m, "dir/left", p), tt_buf, 100, 1 << 22), 100);
	tt_umount(&m);
	EXPECT_EQ(tt_free_frames(), before);
}

TEST(tmpfs, append_and_attributes)
{
	struct vfs_time t = { .sec = 1234567, .nsec = 89 };
	struct tt_mount m;
	struct file *f;
	struct path p;
	char a[128], d[128], back[16];
	int64_t pos = 0;

	tt_mount(&m, NULL);
	tt_path(&m, "log", a);
	EXPECT_EQ(tt_pwrite(a, "ab", 2, 0), 2);
	/* O_APPEND: at the end, whatever position or offset the write names. */
	f = tt_open(a, O_WRONLY | O_APPEND, 0);
	EXPECT_EQ(kernel_write(f, "cd", 2, &pos), 2);
	pos = 0;
	EXPECT_EQ(kernel_write(f, "ef", 2, &pos), 2);
	file_put(f);
	EXPECT_EQ(tt_pread(a, back, sizeof(back), 0), 6);
	EXPECT_EQ(memcmp(back, "abcdef", 6), 0);
	/* chmod keeps the type, chown and explicit times land on the inode. */
	EXPECT_EQ(vfs_walk(AT_FDCWD, a, 0, &p), 0);
	EXPECT_EQ(vfs_chmod(&p, 04710), 0);
	EXPECT_EQ(p.dentry->inode->mode, S_IFREG | 04710);
	EXPECT_EQ(vfs_chown(&p, 12, 34), 0);
	EXPECT_EQ(p.dentry->inode->uid, 12);
	EXPECT_EQ(p.dentry->inode->gid, 34);
	EXPECT_EQ(vfs_utimes(&p, &t, &t, true), 0);
	EXPECT_EQ(p.dentry->inode->mtime.sec, 1234567);
	EXPECT_EQ(p.dentry->inode->atime.nsec, 89);
	path_put(&p);
	/* A set-group-ID directory gives new names its group, and directories the bit. */
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, tt_path(&m, "sg", d), 02775), 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, d, 0, &p), 0);
	EXPECT_EQ(vfs_chown(&p, 0, 77), 0);
	EXPECT_EQ(vfs_chmod(&p, 02775), 0);
	path_put(&p);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, tt_path(&m, "sg/sub", d), 0755), 0);
	EXPECT_EQ(tt_inode(d)->gid, 77);
	EXPECT_EQ(tt_inode(d)->mode, S_IFDIR | 02755);
	EXPECT_EQ(tt_pwrite(tt_path(&m, "sg/f", d), "", 0, 0), 0);
	EXPECT_EQ(tt_inode(d)->gid, 77);
	EXPECT_EQ(tt_inode(d)->mode & S_ISGID, 0);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, d), 0);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, tt_path(&m, "sg/sub", d)), 0);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, tt_path(&m, "sg", d)), 0);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, a), 0);
	tt_umount(&m);
}
