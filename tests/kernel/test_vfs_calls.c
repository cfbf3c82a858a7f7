/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of the file system calls through syscall_dispatch(), with
 * user memory (sys_user.h): a battery of calls on the root tmpfs whose
 * VFS objects must all be gone once the names are removed and the
 * descriptors closed (the leak check the file fuzzer does from outside),
 * and the descriptor semantics behind them.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>
#include <cairn/linux/syscall_nr.h>

#include <lib/string.h>

#include "fs/file.h"
#include "fs/vfs.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/uaccess.h"
#include "sys_user.h"
#include "syscall/syscall.h"

static size_t ubump; /* next free byte of the user region for strings */

static long sc(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	const uint64_t args[6] = { a0, a1, a2, a3, a4, 0 };

	return syscall_dispatch(nr, args);
}

/* @s copied into user memory (the region's first half), as a call's argument. */
static uint64_t us(const char *s)
{
	size_t n = strlen(s) + 1;
	uint64_t at = UPTR(ubump);

	EXPECT_TRUE(ubump + n < SYS_USER_BYTES / 2);
	EXPECT_EQ(copy_to_user((void *)at, s, n), 0);
	ubump += n;
	return at;
}

/* A user buffer of @n bytes in the region's second half (reused). */
#define UBUF  UPTR(SYS_USER_BYTES / 2)
#define UBUFN (SYS_USER_BYTES / 2)

static void counts_equal(const struct vfs_counts *a, const struct vfs_counts *b)
{
	EXPECT_EQ(a->inodes, b->inodes);
	EXPECT_EQ(a->dentries, b->dentries);
	EXPECT_EQ(a->files, b->files);
	EXPECT_EQ(a->mounts, b->mounts);
}

/* Bytes through descriptors: write, pwrite, truncate, dup, sendfile. */
static void battery_files(void)
{
	long fd = sc(__NR_open, us("/vc/a"), O_CREAT | O_RDWR, 0644, 0, 0), fd2;

	EXPECT_TRUE(fd >= 0);
	EXPECT_EQ(sc(__NR_write, fd, UBUF, 10000, 0, 0), 10000);
	EXPECT_EQ(sc(__NR_pwrite64, fd, UBUF, 100, 20000, 0), 100);
	EXPECT_EQ(sc(__NR_ftruncate, fd, 5000, 0, 0, 0), 0);
	fd2 = sc(__NR_dup, fd, 0, 0, 0, 0);
	EXPECT_EQ(sc(__NR_dup2, fd, 50, 0, 0, 0), 50);
	EXPECT_TRUE(sc(__NR_fcntl, fd, F_DUPFD_CLOEXEC, 60, 0, 0) >= 60);
	EXPECT_EQ(sc(__NR_lseek, fd2, 0, SEEK_SET, 0, 0), 0);
	{
		long out = sc(__NR_open, us("/vc/copy"), O_CREAT | O_WRONLY | O_TRUNC, 0600, 0, 0);

		EXPECT_EQ(sc(__NR_sendfile, out, fd2, 0, 8000, 0), 5000);
		EXPECT_EQ(sc(__NR_close, out, 0, 0, 0, 0), 0);
	}
	EXPECT_EQ(sc(__NR_close_range, 0, 100, 0, 0, 0), 0);
	EXPECT_EQ(sc(__NR_close, fd, 0, 0, 0, 0), -EBADF);
	/* A file unlinked while open stays readable until the last close. */
	fd = sc(__NR_open, us("/vc/copy"), O_RDONLY, 0, 0, 0);
	EXPECT_EQ(sc(__NR_unlink, us("/vc/copy"), 0, 0, 0, 0), 0);
	EXPECT_EQ(sc(__NR_read, fd, UBUF, UBUFN, 0, 0), 5000);
	EXPECT_EQ(sc(__NR_close, fd, 0, 0, 0, 0), 0);
}

/* Names: links, symlinks, renames over names, directories moved and removed. */
static void battery_names(void)
{
	long fd;

	EXPECT_EQ(sc(__NR_link, us("/vc/a"), us("/vc/b"), 0, 0, 0), 0);
	EXPECT_EQ(sc(__NR_symlink, us("a"), us("/vc/l"), 0, 0, 0), 0);
	EXPECT_EQ(sc(__NR_rename, us("/vc/b"), us("/vc/c"), 0, 0, 0), 0);
	fd = sc(__NR_creat, us("/vc/d"), 0644, 0, 0, 0);
	EXPECT_EQ(sc(__NR_write, fd, UBUF, 9000, 0, 0), 9000);
	EXPECT_EQ(sc(__NR_close, fd, 0, 0, 0, 0), 0);
	EXPECT_EQ(sc(__NR_rename, us("/vc/d"), us("/vc/c"), 0, 0, 0), 0);
	EXPECT_EQ(sc(__NR_mkdir, us("/vc/d1"), 0755, 0, 0, 0), 0);
	EXPECT_EQ(sc(__NR_mkdir, us("/vc/d1/e"), 0755, 0, 0, 0), 0);
	EXPECT_EQ(sc(__NR_rename, us("/vc/c"), us("/vc/d1/e/c"), 0, 0, 0), 0);
	EXPECT_EQ(sc(__NR_rename, us("/vc/d1"), us("/vc/d2"), 0, 0, 0), 0);
	EXPECT_EQ(sc(__NR_mkdir, us("/vc/d3"), 0755, 0, 0, 0), 0);
	EXPECT_EQ(sc(__NR_rename, us("/vc/d3"), us("/vc/d2/e"), 0, 0, 0), -ENOTEMPTY);
	EXPECT_EQ(sc(__NR_mknod, us("/vc/fifo"), S_IFIFO | 0600, 0, 0, 0), 0);
	EXPECT_EQ(sc(__NR_readlink, us("/vc/l"), UBUF, 64, 0, 0), 1);
	EXPECT_EQ(sc(__NR_stat, us("/vc/l"), UBUF, 0, 0, 0), 0);
	EXPECT_EQ(sc(__NR_chmod, us("/vc/a"), 04755, 0, 0, 0), 0);
	EXPECT_EQ(sc(__NR_utimensat, AT_FDCWD, us("/vc/a"), 0, 0, 0), 0);
	EXPECT_EQ(sc(__NR_truncate, us("/vc/a"), 1, 0, 0, 0), 0);
	fd = sc(__NR_open, us("/vc"), O_RDONLY | O_DIRECTORY, 0, 0, 0);
	EXPECT_TRUE(sc(__NR_getdents64, fd, UBUF, 64, 0, 0) > 0);
	EXPECT_TRUE(sc(__NR_getdents64, fd, UBUF, UBUFN, 0, 0) > 0);
	EXPECT_EQ(sc(__NR_getdents64, fd, UBUF, UBUFN, 0, 0), 0);
	EXPECT_EQ(sc(__NR_getdents64, fd, UBUF, 8, 0, 0), 0);
	EXPECT_EQ(sc(__NR_close, fd, 0, 0, 0, 0), 0);
}

/* Remove everything the battery made. */
static void battery_clean(void)
{
	static const char *const files[] = { "/vc/a", "/vc/l", "/vc/fifo", "/vc/d2/e/c" };
	static const char *const dirs[] = { "/vc/d3", "/vc/d2/e", "/vc/d2", "/vc" };

	for (unsigned i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		EXPECT_EQ(sc(__NR_unlink, us(files[i]), 0, 0, 0, 0), 0);
	for (unsigned i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		EXPECT_EQ(sc(__NR_rmdir, us(dirs[i]), 0, 0, 0, 0), 0);
}

/* Frames in use by anything but the heap's own growth, caches drained (as cairn_memstat counts). */
static uint64_t frames_used(void)
{
	struct pmm_stats ps;
	struct alloc_stats hs;

	heap_cache_reclaim();
	pmm_drain_caches();
	pmm_stats(&ps);
	heap_stats(&hs);
	return ps.total - ps.free - hs.heap_bytes / 4096;
}

TEST(vfs, syscalls_leave_nothing)
{
	struct uspace *s = sys_user_begin();
	struct vfs_counts before, after;
	uint64_t frames;

	ubump = 0;
	/* A first round warms what is kept on purpose (dcache entries of "/", heap steps). */
	EXPECT_EQ(sc(__NR_mkdir, us("/vc"), 0755, 0, 0, 0), 0);
	battery_files();
	battery_names();
	battery_clean();
	ubump = 0;
	frames = frames_used();
	vfs_get_counts(&before);
	EXPECT_EQ(sc(__NR_mkdir, us("/vc"), 0755, 0, 0, 0), 0);
	battery_files();
	battery_names();
	battery_clean();
	vfs_get_counts(&after);
	counts_equal(&before, &after);
	EXPECT_EQ(frames_used(), frames);
	sys_user_end(s);
}
