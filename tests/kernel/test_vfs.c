/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of the VFS core on vfstestfs: files through vfs_open and
 * kernel_read/kernel_write, the walk (symlinks, loops, "..", mounts,
 * trailing slashes, long names), name operations and their errors, and
 * path names. Each test works in a fresh vfstestfs mounted on /vfst-N.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/format.h>
#include <lib/string.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "fs/internal.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "vfs_testfs.h"

/* "@dir/@name" into @buf (PATH_MAX bytes at most used). */
static const char *at(char *buf, const char *dir, const char *name)
{
	fmt_snprintf(buf, 256, "%s/%s", dir, name);
	return buf;
}

static void put_file(const char *path, const char *text)
{
	struct file *f = vfs_open(AT_FDCWD, path, O_CREAT | O_WRONLY | O_TRUNC, 0644);

	EXPECT_TRUE(!IS_ERR_PTR(f));
	EXPECT_EQ(kernel_write(f, text, strlen(text), NULL), (long)strlen(text));
	file_put(f);
}

static long get_file(const char *path, char *buf, size_t n)
{
	struct file *f = vfs_open(AT_FDCWD, path, O_RDONLY, 0);
	long r;

	if (IS_ERR_PTR(f))
		return PTR_ERR_VAL(f);
	r = kernel_read(f, buf, n - 1, NULL);
	if (r >= 0)
		buf[r] = '\0';
	file_put(f);
	return r;
}

static int walk_err(const char *path, unsigned flags)
{
	struct path p;
	int err = vfs_walk(AT_FDCWD, path, flags, &p);

	if (!err)
		path_put(&p);
	return err;
}

/* Whether @a and @b walk to the same dentry. */
static bool same(const char *a, const char *b)
{
	struct path pa, pb;
	bool eq;

	EXPECT_EQ(vfs_walk(AT_FDCWD, a, LOOKUP_FOLLOW, &pa), 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, b, LOOKUP_FOLLOW, &pb), 0);
	eq = pa.mnt == pb.mnt && pa.dentry == pb.dentry;
	path_put(&pa);
	path_put(&pb);
	return eq;
}

TEST(vfs, create_write_read)
{
	char d[32], p[256], buf[64];
	struct file *f;

	vfs_test_scratch(d);
	put_file(at(p, d, "a"), "hello");
	EXPECT_EQ(get_file(p, buf, sizeof(buf)), 5);
	EXPECT_STREQ(buf, "hello");
	/* O_APPEND writes land at the end whatever the position. */
	f = vfs_open(AT_FDCWD, p, O_WRONLY | O_APPEND, 0);
	EXPECT_TRUE(!IS_ERR_PTR(f));
	EXPECT_EQ(kernel_write(f, " world", 6, NULL), 6);
	file_put(f);
	EXPECT_EQ(get_file(p, buf, sizeof(buf)), 11);
	EXPECT_STREQ(buf, "hello world");
	/* O_TRUNC empties it; O_EXCL refuses an existing name. */
	f = vfs_open(AT_FDCWD, p, O_WRONLY | O_TRUNC, 0);
	EXPECT_TRUE(!IS_ERR_PTR(f));
	file_put(f);
	EXPECT_EQ(get_file(p, buf, sizeof(buf)), 0);
	EXPECT_EQ(PTR_ERR_VAL(vfs_open(AT_FDCWD, p, O_CREAT | O_EXCL | O_RDWR, 0644)), -EEXIST);
	EXPECT_EQ(PTR_ERR_VAL(vfs_open(AT_FDCWD, p, O_RDONLY | O_DIRECTORY, 0)), -ENOTDIR);
	EXPECT_EQ(PTR_ERR_VAL(vfs_open(AT_FDCWD, d, O_WRONLY, 0)), -EISDIR);
	EXPECT_EQ(PTR_ERR_VAL(vfs_open(AT_FDCWD, at(p, d, "nope"), O_RDONLY, 0)), -ENOENT);
	vfs_test_scratch_done(d);
}

TEST(vfs, mkdir_symlink_walk)
{
	char d[32], p[256], q[256];

	vfs_test_scratch(d);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, at(p, d, "a"), 0755), 0);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, at(p, d, "a/b"), 0755), 0);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, at(p, d, "a/b/c"), 0755), 0);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, at(p, d, "a/b"), 0755), -EEXIST);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, at(p, d, "x/y"), 0755), -ENOENT);
	EXPECT_EQ(vfs_symlink("a/b", AT_FDCWD, at(p, d, "rel")), 0);
	EXPECT_EQ(vfs_symlink(at(q, d, "a"), AT_FDCWD, at(p, d, "abs")), 0);
	EXPECT_TRUE(same(at(p, d, "rel/c"), at(q, d, "a/b/c")));
	EXPECT_TRUE(same(at(p, d, "abs/b/c"), at(q, d, "a/b/c")));
	EXPECT_TRUE(same(at(p, d, "rel/../b/./c/"), at(q, d, "a/b/c")));
	EXPECT_TRUE(same(at(p, d, "a//b///c"), at(q, d, "a/b/c")));
	/* Without LOOKUP_FOLLOW the last link is itself; with a '/' after it, it is followed. */
	{
		struct path l;

		EXPECT_EQ(vfs_walk(AT_FDCWD, at(p, d, "rel"), 0, &l), 0);
		EXPECT_TRUE(S_ISLNK(l.dentry->inode->mode));
		path_put(&l);
		EXPECT_EQ(vfs_walk(AT_FDCWD, at(p, d, "rel/"), 0, &l), 0);
		EXPECT_TRUE(S_ISDIR(l.dentry->inode->mode));
		path_put(&l);
	}
	vfs_test_scratch_done(d);
}

TEST(vfs, symlink_loops)
{
	char d[32], p[256], q[256];

	vfs_test_scratch(d);
	EXPECT_EQ(vfs_symlink("y", AT_FDCWD, at(p, d, "x")), 0);
	EXPECT_EQ(vfs_symlink("x", AT_FDCWD, at(p, d, "y")), 0);
	EXPECT_EQ(walk_err(at(p, d, "x"), LOOKUP_FOLLOW), -ELOOP);
	EXPECT_EQ(walk_err(at(p, d, "x/z"), 0), -ELOOP);
	EXPECT_EQ(PTR_ERR_VAL(vfs_open(AT_FDCWD, at(p, d, "x"), O_RDONLY, 0)), -ELOOP);
	/* A chain of 40 links is walked; 41 is a loop (SYMLOOP_MAX). */
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, at(p, d, "l0"), 0755), 0);
	for (int i = 1; i <= 41; i++) {
		char t[16];

		fmt_snprintf(t, sizeof(t), "l%d", i - 1);
		fmt_snprintf(q, sizeof(q), "%s/l%d", d, i);
		EXPECT_EQ(vfs_symlink(t, AT_FDCWD, q), 0);
	}
	EXPECT_EQ(walk_err(at(p, d, "l40"), LOOKUP_FOLLOW), 0);
	EXPECT_EQ(walk_err(at(p, d, "l41"), LOOKUP_FOLLOW), -ELOOP);
	/* O_NOFOLLOW on a link: ELOOP. */
	EXPECT_EQ(PTR_ERR_VAL(vfs_open(AT_FDCWD, at(p, d, "l1"), O_RDONLY | O_NOFOLLOW, 0)),
	          -ELOOP);
	vfs_test_scratch_done(d);
}

TEST(vfs, dotdot_and_mounts)
{
	char d[32], p[256], q[256];

	vfs_test_scratch(d);
	EXPECT_TRUE(same("/..", "/"));
	EXPECT_TRUE(same("/../../.", "/"));
	EXPECT_TRUE(same(at(p, d, ".."), "/"));
	/* A second mount inside the scratch one: ".." climbs out of it. */
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, at(p, d, "m"), 0755), 0);
	{
		struct path mp;

		EXPECT_EQ(vfs_walk(AT_FDCWD, p, 0, &mp), 0);
		EXPECT_EQ(vfs_mount("inner", &mp, "vfstestfs", 0, NULL), 0);
		path_put(&mp);
	}
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, at(p, d, "m/in"), 0755), 0);
	EXPECT_TRUE(same(at(p, d, "m/in/../.."), d));
	EXPECT_TRUE(same(at(p, d, "m/.."), d));
	/* The mount is busy while a file in it is open. */
	put_file(at(p, d, "m/f"), "x");
	{
		struct file *f = vfs_open(AT_FDCWD, p, O_RDONLY, 0);
		struct path mp;

		EXPECT_TRUE(!IS_ERR_PTR(f));
		EXPECT_EQ(vfs_walk(AT_FDCWD, at(q, d, "m"), 0, &mp), 0);
		EXPECT_EQ(vfs_umount(&mp, 0), -EBUSY);
		file_put(f);
		EXPECT_EQ(vfs_umount(&mp, 0), 0);
		path_put(&mp);
	}
	EXPECT_EQ(walk_err(at(p, d, "m/in"), 0), -ENOENT);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, at(p, d, "m")), 0);
	vfs_test_scratch_done(d);
}

TEST(vfs, trailing_slash_and_long_names)
{
	char d[32], p[256];
	char *long_path;

	vfs_test_scratch(d);
	put_file(at(p, d, "f"), "1");
	EXPECT_EQ(walk_err(at(p, d, "f/"), 0), -ENOTDIR);
	EXPECT_EQ(walk_err(at(p, d, "f/x"), 0), -ENOTDIR);
	EXPECT_EQ(walk_err(at(p, d, "f"), LOOKUP_DIRECTORY), -ENOTDIR);
	EXPECT_EQ(PTR_ERR_VAL(vfs_open(AT_FDCWD, at(p, d, "new/"), O_CREAT | O_RDWR, 0644)),
	          -EISDIR);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, at(p, d, "f/")), -ENOTDIR);
	long_path = kmalloc(PATH_MAX + 2);
	EXPECT_TRUE(long_path != NULL);
	/* One component of NAME_MAX + 1 bytes. */
	fmt_snprintf(long_path, PATH_MAX, "%s/", d);
	memset(long_path + strlen(long_path), 'n', NAME_MAX + 1);
	long_path[strlen(d) + 1 + NAME_MAX + 1] = '\0';
	EXPECT_EQ(walk_err(long_path, 0), -ENAMETOOLONG);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, long_path, 0755), -ENAMETOOLONG);
	long_path[strlen(d) + 1 + NAME_MAX] = '\0';
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, long_path, 0755), 0);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, long_path), 0);
	/* A path of PATH_MAX bytes without its NUL. */
	memset(long_path, '/', PATH_MAX);
	long_path[PATH_MAX] = '\0';
	EXPECT_EQ(walk_err(long_path, 0), -ENAMETOOLONG);
	long_path[PATH_MAX - 1] = '\0';
	EXPECT_EQ(walk_err(long_path, 0), 0);
	kfree(long_path);
	vfs_test_scratch_done(d);
}

TEST(vfs, create_through_links)
{
	char d[32], p[256], buf[16];

	vfs_test_scratch(d);
	EXPECT_EQ(vfs_symlink("target", AT_FDCWD, at(p, d, "dangling")), 0);
	/* O_EXCL on a dangling link: EEXIST; without it, the target is created. */
	EXPECT_EQ(PTR_ERR_VAL(vfs_open(AT_FDCWD, p, O_CREAT | O_EXCL | O_RDWR, 0644)), -EEXIST);
	put_file(p, "via");
	EXPECT_EQ(get_file(at(p, d, "target"), buf, sizeof(buf)), 3);
	EXPECT_STREQ(buf, "via");
	vfs_test_scratch_done(d);
}

TEST(vfs, unlinked_stays_readable)
{
	char d[32], p[256], buf[16];
	struct file *f;

	vfs_test_scratch(d);
	put_file(at(p, d, "gone"), "still");
	f = vfs_open(AT_FDCWD, p, O_RDONLY, 0);
	EXPECT_TRUE(!IS_ERR_PTR(f));
	EXPECT_EQ(vfs_unlink(AT_FDCWD, p), 0);
	EXPECT_EQ(walk_err(p, 0), -ENOENT);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, p), -ENOENT);
	{
		int64_t pos = 0;

		EXPECT_EQ(kernel_read(f, buf, sizeof(buf), &pos), 5);
		EXPECT_EQ(memcmp(buf, "still", 5), 0);
	}
	{
		char name[PATH_MAX];
		char want[64];

		fmt_snprintf(want, sizeof(want), "%s/gone (deleted)", d);
		EXPECT_TRUE(vfs_path_name(&f->path, name, sizeof(name)) > 0);
		EXPECT_STREQ(name, want);
	}
	file_put(f);
	vfs_test_scratch_done(d);
}

TEST(vfs, rename_rules)
{
	char d[32], p[256], q[256], buf[16];

	vfs_test_scratch(d);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, at(p, d, "d1"), 0755), 0);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, at(p, d, "d2"), 0755), 0);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, at(p, d, "full"), 0755), 0);
	put_file(at(p, d, "full/x"), "x");
	put_file(at(p, d, "f"), "file");
	/* A file over a directory, a directory over a file, a directory over a full one. */
	EXPECT_EQ(vfs_rename(AT_FDCWD, at(p, d, "f"), AT_FDCWD, at(q, d, "d1"), 0), -EISDIR);
	EXPECT_EQ(vfs_rename(AT_FDCWD, at(p, d, "d1"), AT_FDCWD, at(q, d, "f"), 0), -ENOTDIR);
	EXPECT_EQ(vfs_rename(AT_FDCWD, at(p, d, "d1"), AT_FDCWD, at(q, d, "full"), 0), -ENOTEMPTY);
	/* Into itself. */
	EXPECT_EQ(vfs_rename(AT_FDCWD, at(p, d, "d1"), AT_FDCWD, at(q, d, "d1/sub"), 0), -EINVAL);
	/* Onto itself: nothing happens. */
	EXPECT_EQ(vfs_rename(AT_FDCWD, at(p, d, "f"), AT_FDCWD, at(q, d, "f"), 0), 0);
	EXPECT_EQ(get_file(p, buf, sizeof(buf)), 4);
	/* An empty directory over an empty one, a file across directories, replacing. */
	EXPECT_EQ(vfs_rename(AT_FDCWD, at(p, d, "d1"), AT_FDCWD, at(q, d, "d2"), 0), 0);
	EXPECT_EQ(walk_err(at(p, d, "d1"), 0), -ENOENT);
	put_file(at(p, d, "d2/old"), "old");
	EXPECT_EQ(vfs_rename(AT_FDCWD, at(p, d, "f"), AT_FDCWD, at(q, d, "d2/old"), 0), 0);
	EXPECT_EQ(get_file(q, buf, sizeof(buf)), 4);
	EXPECT_STREQ(buf, "file");
	EXPECT_EQ(walk_err(at(p, d, "f"), 0), -ENOENT);
	put_file(at(p, d, "g"), "g");
	EXPECT_EQ(
		vfs_rename(AT_FDCWD, at(p, d, "g"), AT_FDCWD, at(q, d, "d2/old"), RENAME_NOREPLACE),
		-EEXIST);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, at(p, d, "full")), -ENOTEMPTY);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, at(p, d, "g")), -ENOTDIR);
	EXPECT_EQ(vfs_rmdir(AT_FDCWD, at(p, d, "full/.")), -EINVAL);
	vfs_test_scratch_done(d);
}

TEST(vfs, hard_links)
{
	char d[32], p[256], q[256], buf[16];

	vfs_test_scratch(d);
	put_file(at(p, d, "one"), "same");
	EXPECT_EQ(vfs_link(AT_FDCWD, at(p, d, "one"), AT_FDCWD, at(q, d, "two"), 0), 0);
	EXPECT_EQ(vfs_link(AT_FDCWD, at(p, d, "one"), AT_FDCWD, at(q, d, "two"), 0), -EEXIST);
	EXPECT_EQ(vfs_link(AT_FDCWD, d, AT_FDCWD, at(q, d, "dirlink"), 0), -EPERM);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, at(p, d, "one")), 0);
	EXPECT_EQ(get_file(at(q, d, "two"), buf, sizeof(buf)), 4);
	EXPECT_STREQ(buf, "same");
	vfs_test_scratch_done(d);
}

TEST(vfs, path_names)
{
	char d[32], p[256], name[PATH_MAX], want[64];
	struct path w;

	vfs_test_scratch(d);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, at(p, d, "a"), 0755), 0);
	EXPECT_EQ(vfs_mkdir(AT_FDCWD, at(p, d, "a/b"), 0755), 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, p, 0, &w), 0);
	EXPECT_EQ(vfs_path_name(&w, name, sizeof(name)), (long)strlen(p));
	EXPECT_STREQ(name, p);
	EXPECT_EQ(vfs_path_name(&w, name, 4), -ENAMETOOLONG);
	path_put(&w);
	/* A rename moves the name the cache gives. */
	EXPECT_EQ(vfs_rename(AT_FDCWD, at(p, d, "a/b"), AT_FDCWD, at(want, d, "moved"), 0), 0);
	EXPECT_EQ(vfs_walk(AT_FDCWD, want, 0, &w), 0);
	EXPECT_TRUE(vfs_path_name(&w, name, sizeof(name)) > 0);
	EXPECT_STREQ(name, want);
	path_put(&w);
	vfs_root(&w);
	EXPECT_EQ(vfs_path_name(&w, name, sizeof(name)), 1);
	EXPECT_STREQ(name, "/");
	path_put(&w);
	vfs_test_scratch_done(d);
}

TEST(vfs, fdtable_basics)
{
	char d[32], p[256];
	struct fdtable *t = fdtable_create();
	struct fdtable *c;
	struct file *f;
	int fd;

	vfs_test_scratch(d);
	put_file(at(p, d, "f"), "x");
	f = vfs_open(AT_FDCWD, p, O_RDONLY, 0);
	EXPECT_TRUE(t && !IS_ERR_PTR(f));
	EXPECT_EQ(fd_install(t, f, 0, false), 0);
	file_get(f);
	EXPECT_EQ(fd_install(t, f, 0, true), 1);
	file_get(f);
	EXPECT_EQ(fd_install(t, f, 10, false), 10);
	EXPECT_EQ(fd_get_cloexec(t, 1), 1);
	EXPECT_EQ(fd_get_cloexec(t, 2), -EBADF);
	EXPECT_EQ(fd_close(t, 0), 0);
	EXPECT_EQ(fd_close(t, 0), -EBADF);
	file_get(f);
	EXPECT_EQ(fd_install(t, f, 0, false), 0);
	/* A copy shares the files; exec closes only the close-on-exec ones. */
	c = fdtable_dup(t);
	EXPECT_TRUE(c != NULL);
	fdtable_exec(c);
	EXPECT_EQ(fd_get_cloexec(c, 1), -EBADF);
	EXPECT_EQ(fd_get_cloexec(c, 10), 0);
	file_get(f);
	EXPECT_EQ(fd_replace(c, 700, f, false), 700);
	fdtable_put(c);
	/* Up to FDTABLE_MAX descriptors, then EMFILE. */
	for (fd = 0; fd < FDTABLE_MAX; fd++) {
		int r;

		file_get(f);
		r = fd_install(t, f, 0, false);
		if (r < 0) {
			EXPECT_EQ(r, -EMFILE);
			file_put(f);
			break;
		}
	}
	EXPECT_EQ(fd, FDTABLE_MAX - 3);
	EXPECT_EQ(fd_replace(t, FDTABLE_MAX, f, false), -EBADF);
	fdtable_put(t);
	vfs_test_scratch_done(d);
}

static int fake_opens;

static int fake_open(struct inode *ino, struct file *f)
{
	fake_opens++;
	f->priv = (void *)(uintptr_t)DEV_MINOR(ino->rdev);
	return 0;
}

static const struct file_ops fake_fops = { .open = fake_open };

TEST(vfs, chrdev_and_anon)
{
	char d[32], p[256], name[64];
	struct file *f;

	vfs_test_scratch(d);
	EXPECT_EQ(chrdev_register(240, 3, 2, &fake_fops), 0);
	EXPECT_EQ(chrdev_register(240, 4, 1, &fake_fops), -EBUSY);
	EXPECT_EQ(vfs_mknod(AT_FDCWD, at(p, d, "dev4"), S_IFCHR | 0600, DEV_ENCODE(240, 4)), 0);
	f = vfs_open(AT_FDCWD, p, O_RDWR, 0);
	EXPECT_TRUE(!IS_ERR_PTR(f));
	EXPECT_EQ(fake_opens, 1);
	EXPECT_EQ((uintptr_t)f->priv, 4);
	file_put(f);
	EXPECT_EQ(vfs_mknod(AT_FDCWD, at(p, d, "dev9"), S_IFCHR | 0600, DEV_ENCODE(240, 9)), 0);
	EXPECT_EQ(PTR_ERR_VAL(vfs_open(AT_FDCWD, p, O_RDWR, 0)), -ENXIO);
	f = file_alloc_anon(&fake_fops, NULL, O_RDWR, S_IFIFO | 0600, "pipe");
	EXPECT_TRUE(!IS_ERR_PTR(f));
	EXPECT_TRUE(vfs_path_name(&f->path, name, sizeof(name)) > 0);
	EXPECT_EQ(strncmp(name, "pipe:[", 6), 0);
	file_put(f);
	vfs_test_scratch_done(d);
}

TEST(vfs, permission_bits_for_root)
{
	char d[32], p[256];
	struct path w;

	vfs_test_scratch(d);
	put_file(at(p, d, "noexec"), "x");
	EXPECT_EQ(vfs_walk(AT_FDCWD, p, 0, &w), 0);
	/* Root reads and writes anything but runs only what has an x bit. */
	EXPECT_EQ(vfs_chmod(&w, 0), 0);
	EXPECT_EQ(inode_permission(w.dentry->inode, MAY_READ | MAY_WRITE), 0);
	EXPECT_EQ(inode_permission(w.dentry->inode, MAY_EXEC), -EACCES);
	EXPECT_EQ(vfs_chmod(&w, 0001), 0);
	EXPECT_EQ(inode_permission(w.dentry->inode, MAY_EXEC), 0);
	EXPECT_EQ(w.dentry->inode->mode, S_IFREG | 0001);
	path_put(&w);
	vfs_test_scratch_done(d);
}
