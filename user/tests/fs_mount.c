// SPDX-License-Identifier: MIT
/*
 * Mounts (issue 12): mount, umount2 and statfs of a tmpfs on a scratch
 * directory; crossing it with .. and with rename and link (EXDEV); a
 * read-only mount; the errors of both calls; sync. Printed: errno names,
 * the statfs type and name length. Not printed: block and inode counts
 * (memory sizes) and st_dev numbers (only compared with each other).
 */
#include <sys/mount.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>

#include "fsutil.h"

#define TMPFS_MAGIC 0x01021994 /* Linux's include/uapi/linux/magic.h */

static void mount_tmpfs(void)
{
	struct statfs sf;
	struct stat a, b;

	mkdir("m", 0755);
	ut_put("m/under", "u", 1);
	stat("m", &a);
	tap_errno(mount("none", "m", "tmpfs", 0, NULL), 0, "mount a tmpfs");
	stat("m", &b);
	tap_ok(a.st_dev != b.st_dev, "the directory now shows another file system");
	tap_ok(!ut_exists("m/under"), "which hides what was under it");
	tap_ok((b.st_mode & S_IFMT) == S_IFDIR && (b.st_mode & 01000),
	       "its root is a sticky directory by default: %o", (unsigned)b.st_mode & 07777);
	memset(&sf, 0, sizeof(sf));
	tap_errno(statfs("m", &sf), 0, "statfs");
	tap_ok(sf.f_type == TMPFS_MAGIC && sf.f_namelen == 255 && sf.f_bsize == 4096,
	       "type %#lx, namelen %ld, bsize %ld", (long)sf.f_type, (long)sf.f_namelen,
	       (long)sf.f_bsize);
	stat(".", &a);
	stat("m/..", &b);
	tap_ok(a.st_ino == b.st_ino && a.st_dev == b.st_dev, "m/.. leads back over the mount");
	ut_put("m/in", "in", 2);
	tap_errno(rename("m/in", "out"), EXDEV, "rename across mounts");
	tap_errno(link("m/in", "out"), EXDEV, "link across mounts");
	tap_errno(mount("none", "m", "tmpfs", 0, NULL), 0, "mount a second tmpfs on top");
	tap_ok(!ut_exists("m/in"), "hides the first");
	tap_errno(umount2("m", 0), 0, "umount2 the top one");
	tap_ok(ut_exists("m/in"), "shows the first again");
}

static void busy_and_errors(void)
{
	struct statfs sf;
	int fd;

	fd = open("m/in", O_RDONLY);
	tap_errno(umount2("m", 0), EBUSY, "umount2 with a file open in it");
	close(fd);
	chdir("m");
	tap_errno(umount2(".", 0), EBUSY, "umount2 of the working directory");
	chdir("..");
	tap_errno(umount2("m", 0), 0, "umount2 once nothing uses it");
	tap_ok(ut_exists("m/under"), "what was under it is back");
	tap_errno(umount2("m", 0), EINVAL, "umount2 of a directory that is not a mount");
	tap_errno(umount2("missing", 0), ENOENT, "umount2 of a missing name");
	tap_errno(umount2("m", 0x100), EINVAL, "umount2 with an unknown flag");
	tap_errno(mount("none", "missing", "tmpfs", 0, NULL), ENOENT, "mount on a missing name");
	tap_errno(mount("none", "m", "no-such-fs", 0, NULL), ENODEV, "mount of an unknown type");
	tap_errno(mount("none", "m/under", "tmpfs", 0, NULL), ENOTDIR, "mount a tmpfs on a file");
	tap_errno(statfs("missing", &sf), ENOENT, "statfs of a missing name");
	fd = open(".", O_RDONLY);
	tap_errno(fstatfs(fd, &sf), 0, "fstatfs");
	tap_ok(sf.f_type == TMPFS_MAGIC, "the root's file system is a tmpfs too: %#lx",
	       (long)sf.f_type);
	close(fd);
}

static void read_only(void)
{
	struct statfs sf;

	tap_errno(mount("none", "m", "tmpfs", MS_RDONLY, NULL), 0, "mount a read-only tmpfs");
	tap_errno(open("m/x", O_CREAT | O_WRONLY, 0644), EROFS, "creating a file in it");
	tap_errno(mkdir("m/d", 0755), EROFS, "mkdir in it");
	tap_errno(chmod("m", 0700), EROFS, "chmod of its root");
	memset(&sf, 0, sizeof(sf));
	statfs("m", &sf);
	tap_ok(sf.f_flags & ST_RDONLY, "statfs says ST_RDONLY");
	tap_errno(umount2("m", 0), 0, "umount2 it");
}

/* A child that gave up root may not mount or unmount. */
static int unprivileged(void *arg)
{
	if (setgid(65534) || setuid(65534))
		return 2;
	if (mount("none", "m", "tmpfs", 0, NULL) != -1 || errno != EPERM)
		return 3;
	if (umount2("/", 0) != -1 || errno != EPERM)
		return 4;
	return 0;
}

int main(void)
{
	const char *dir = ut_scratch("fs_mount");
	int st;

	if (!dir || chdir(dir) != 0) {
		tap_line("Bail out! no scratch directory: %s", tap_errno_name(errno));
		return 1;
	}
	umask(022);
	mount_tmpfs();
	busy_and_errors();
	read_only();
	st = ut_in_child(unprivileged, NULL);
	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0, "mount and umount2 as uid 65534: EPERM (%s)",
	       ut_status(st));
	tap_errno(syscall(SYS_sync), 0, "sync");
	chdir("/");
	tap_ok(ut_rmtree(dir) == 0, "the scratch directory is removed");
	tap_plan(tap_count);
	return tap_failed ? 1 : 0;
}
