// SPDX-License-Identifier: MIT
/*
 * The memory devices of devtmpfs (issue 12, part 2): a devtmpfs mounted on
 * a scratch directory (the Linux baseline's initramfs has no /dev of its
 * own; Cairn's devtmpfs is one instance, also on /dev) holds null, zero,
 * full, random and urandom with Linux's numbers, and each behaves as
 * Linux's does. Nodes made with mknod in a tmpfs reach the same drivers.
 * Printed: types, modes, major:minor and byte counts; never the random bytes.
 */
#include <sys/mount.h>
#include <sys/sysmacros.h>

#include "fsutil.h"

static void node(const char *name, unsigned maj, unsigned min)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "dev/%s", name);
	memset(&st, 0, sizeof(st));
	stat(path, &st);
	tap_ok(S_ISCHR(st.st_mode) && major(st.st_rdev) == maj && minor(st.st_rdev) == min &&
	               (st.st_mode & 0777) == 0666,
	       "%s: char %u:%u, mode %o", name, major(st.st_rdev), minor(st.st_rdev),
	       (unsigned)st.st_mode & 0777);
}

static bool all_zero(const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void behaviour(void)
{
	char buf[4096];
	long n;
	int fd;

	fd = open("dev/null", O_RDWR);
	tap_ok(write(fd, "gone", 4) == 4, "null takes every write");
	tap_ok(read(fd, buf, sizeof(buf)) == 0, "and reads as end of file");
	close(fd);
	fd = open("dev/zero", O_RDWR);
	memset(buf, 'x', sizeof(buf));
	n = read(fd, buf, sizeof(buf));
	tap_ok(n == (long)sizeof(buf) && all_zero(buf, sizeof(buf)), "zero reads 4096 zeros: %ld",
	       n);
	tap_ok(write(fd, buf, 100) == 100, "and takes writes");
	close(fd);
	fd = open("dev/full", O_RDWR);
	tap_errno(write(fd, "x", 1), ENOSPC, "a write to full");
	memset(buf, 'x', 64);
	tap_ok(read(fd, buf, 64) == 64 && all_zero(buf, 64), "full reads as zeros");
	close(fd);
	fd = open("dev/urandom", O_RDONLY);
	n = read(fd, buf, 64);
	tap_ok(n == 64 && !all_zero(buf, 64), "urandom gives 64 bytes, not all zero");
	close(fd);
	fd = open("dev/random", O_RDONLY);
	tap_ok(read(fd, buf, 16) == 16, "random gives 16 bytes");
	tap_ok(lseek(fd, 0, SEEK_SET) == 0, "lseek on random succeeds");
	close(fd);
}

static void own_nodes(void)
{
	char buf[8];
	int fd;

	tap_errno(mknod("mynull", S_IFCHR | 0600, makedev(1, 3)), 0, "mknod 1:3 in a tmpfs");
	fd = open("mynull", O_RDWR);
	tap_ok(fd >= 0 && write(fd, "x", 1) == 1 && read(fd, buf, 1) == 0, "it is the null device");
	close(fd);
	mknod("myzero", S_IFCHR | 0600, makedev(1, 5));
	fd = open("myzero", O_RDONLY);
	buf[0] = 'x';
	tap_ok(fd >= 0 && read(fd, buf, 1) == 1 && buf[0] == 0, "1:5 is zero");
	close(fd);
	mknod("nothing", S_IFCHR | 0600, makedev(250, 250));
	tap_errno(open("nothing", O_RDONLY), ENXIO, "a number no driver has");
	tap_errno(mknod("fifo", S_IFIFO | 0600, 0), 0, "mknod of a FIFO");
	tap_errno(mknod("bad", 0170000 | 0600, 0), EINVAL, "mknod of an unknown type");
}

int main(void)
{
	const char *dir = ut_scratch("fs_dev");

	if (!dir || chdir(dir) != 0 || mkdir("dev", 0755) != 0) {
		tap_line("Bail out! no scratch directory: %s", tap_errno_name(errno));
		return 1;
	}
	umask(022);
	tap_errno(mount("devtmpfs", "dev", "devtmpfs", 0, NULL), 0, "mount a devtmpfs");
	node("null", 1, 3);
	node("zero", 1, 5);
	node("full", 1, 7);
	node("random", 1, 8);
	node("urandom", 1, 9);
	behaviour();
	own_nodes();
	tap_errno(umount2("dev", 0), 0, "umount2 it");
	chdir("/");
	tap_ok(ut_rmtree(dir) == 0, "the scratch directory is removed");
	tap_plan(tap_count);
	return tap_failed ? 1 : 0;
}
