// SPDX-License-Identifier: MIT
/*
 * Metadata (issue 12): stat, fstat, newfstatat and statx; chmod, chown as
 * root, umask, access and faccessat (as root), utimensat. Printed: types,
 * modes, owners, sizes and link counts. Not printed, as they differ
 * between the kernels: st_ino and st_dev (only compared with each
 * other), st_blksize and st_blocks (an fs's allocation unit), and times
 * other than those the test sets itself.
 */
#include <sys/time.h>

#include "fsutil.h"

static void stats(void)
{
	struct stat a, b, c;
	int fd;

	ut_put("f", "0123456789", 10);
	mkdir("d", 0755);
	mkdir("d/s1", 0755);
	mkdir("d/s2", 0755);
	symlink("f", "l");
	fd = open("f", O_RDONLY);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	stat("f", &a);
	fstat(fd, &b);
	tap_ok(a.st_ino == b.st_ino && a.st_dev == b.st_dev && a.st_size == b.st_size &&
	               a.st_mode == b.st_mode && a.st_mtim.tv_sec == b.st_mtim.tv_sec,
	       "stat and fstat agree");
	tap_ok(S_ISREG(a.st_mode) && (a.st_mode & 07777) == 0644 && a.st_nlink == 1 &&
	               a.st_size == 10 && a.st_uid == 0 && a.st_gid == 0,
	       "a file: mode %o, nlink %d, size %lld, owner %d:%d", (unsigned)a.st_mode,
	       (int)a.st_nlink, (long long)a.st_size, (int)a.st_uid, (int)a.st_gid);
	memset(&c, 0, sizeof(c));
	stat("d", &c);
	tap_ok(S_ISDIR(c.st_mode) && c.st_nlink == 4 && c.st_dev == a.st_dev,
	       "a directory with two subdirectories: nlink %d", (int)c.st_nlink);
	memset(&c, 0, sizeof(c));
	fstatat(AT_FDCWD, "l", &c, AT_SYMLINK_NOFOLLOW);
	tap_ok(S_ISLNK(c.st_mode) && c.st_size == 1 && (c.st_mode & 0777) == 0777,
	       "newfstatat NOFOLLOW on a link: mode %o, size %lld", (unsigned)c.st_mode,
	       (long long)c.st_size);
	memset(&c, 0, sizeof(c));
	fstatat(AT_FDCWD, "l", &c, 0);
	tap_ok(c.st_ino == a.st_ino, "newfstatat follows it otherwise");
	tap_errno(fstatat(AT_FDCWD, "l", &c, 0x1), EINVAL, "newfstatat with an unknown flag");
	tap_errno(stat("f/", &c), ENOTDIR, "stat of a file with a trailing slash");
	close(fd);
}

static void statx_fields(void)
{
	struct ut_statx sx;
	struct stat st;

	memset(&sx, 0, sizeof(sx));
	tap_errno(ut_statx(AT_FDCWD, "f", 0, UT_STATX_BASIC_STATS, &sx), 0, "statx");
	stat("f", &st);
	tap_ok((sx.stx_mask & UT_STATX_BASIC_STATS) == UT_STATX_BASIC_STATS,
	       "it fills in the basic fields");
	tap_ok(sx.stx_mode == st.st_mode && sx.stx_size == 10 && sx.stx_nlink == 1 &&
	               sx.stx_ino == st.st_ino && sx.stx_uid == 0 &&
	               sx.stx_mtime.tv_sec == st.st_mtim.tv_sec &&
	               sx.stx_mtime.tv_nsec == (uint32_t)st.st_mtim.tv_nsec,
	       "and they agree with stat: mode %o, size %llu", (unsigned)sx.stx_mode,
	       (unsigned long long)sx.stx_size);
	tap_ok(makedev(sx.stx_dev_major, sx.stx_dev_minor) == st.st_dev, "the device too");
	tap_errno(ut_statx(AT_FDCWD, "f", 0, 0x80000000u, &sx), EINVAL,
	          "statx with a reserved mask bit");
	tap_errno(ut_statx(AT_FDCWD, "missing", 0, UT_STATX_BASIC_STATS, &sx), ENOENT,
	          "statx of a missing name");
}

static void modes(void)
{
	struct stat st;

	tap_errno(chmod("f", 04751), 0, "chmod 4751");
	tap_ok(ut_mode("f") == (S_IFREG | 04751), "mode %o", ut_mode("f"));
	tap_errno(chmod("l", 0600), 0, "chmod through a link");
	tap_ok(ut_mode("f") == (S_IFREG | 0600) && (ut_mode("l") & 0777) == 0777,
	       "changes the target: %o", ut_mode("f"));
	tap_errno(chmod("missing", 0600), ENOENT, "chmod of a missing name");
	tap_errno(chown("f", 1000, 1001), 0, "chown as root");
	memset(&st, 0, sizeof(st));
	stat("f", &st);
	tap_ok(st.st_uid == 1000 && st.st_gid == 1001, "owner %d:%d", (int)st.st_uid,
	       (int)st.st_gid);
	tap_errno(chown("f", -1, 5), 0, "chown -1:5");
	memset(&st, 0, sizeof(st));
	stat("f", &st);
	tap_ok(st.st_uid == 1000 && st.st_gid == 5, "keeps the owner: %d:%d", (int)st.st_uid,
	       (int)st.st_gid);
	chmod("f", 06755);
	tap_errno(chown("f", 0, 0), 0, "chown of a setuid file");
	tap_ok(ut_mode("f") == (S_IFREG | 0755), "clears its setuid and setgid bits: %o",
	       ut_mode("f"));
	tap_errno(lchown("l", 7, 7), 0, "lchown a link");
	memset(&st, 0, sizeof(st));
	lstat("l", &st);
	tap_ok(st.st_uid == 7 && st.st_gid == 7, "owns the link, not the file: %d:%d",
	       (int)st.st_uid, (int)st.st_gid);
	tap_ok(umask(027) == 022 && umask(027) == 027, "umask returns the old mask");
	close(open("u", O_CREAT | O_WRONLY, 0777));
	mkdir("ud", 0777);
	tap_ok(ut_mode("u") == (S_IFREG | 0750) && ut_mode("ud") == (S_IFDIR | 0750),
	       "umask 027 on a file and a directory made 0777: %o %o", ut_mode("u") & 07777,
	       ut_mode("ud") & 07777);
	umask(022);
}

static void access_root(void)
{
	chmod("f", 0);
	tap_errno(access("f", R_OK | W_OK), 0, "root reads and writes a mode 0 file");
	tap_errno(access("f", X_OK), EACCES, "but cannot execute it without any x bit");
	chmod("f", 0010);
	tap_errno(access("f", X_OK), 0, "one x bit (group) lets root execute");
	tap_errno(access("missing", F_OK), ENOENT, "F_OK of a missing name");
	tap_errno(access("f", 0x10), EINVAL, "access with an unknown mode bit");
	tap_errno(faccessat(AT_FDCWD, "l", F_OK, AT_SYMLINK_NOFOLLOW), 0, "faccessat NOFOLLOW");
	tap_errno(faccessat(AT_FDCWD, "d", X_OK, AT_EACCESS), 0, "faccessat AT_EACCESS on a dir");
	chmod("f", 0644);
}

static void times(void)
{
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1200000000, 987654321 } };
	struct stat st, st2;

	tap_errno(utimensat(AT_FDCWD, "f", ts, 0), 0, "utimensat with two times");
	memset(&st, 0, sizeof(st));
	stat("f", &st);
	tap_ok(st.st_atim.tv_sec == 1000000000 && st.st_atim.tv_nsec == 123456789 &&
	               st.st_mtim.tv_sec == 1200000000 && st.st_mtim.tv_nsec == 987654321,
	       "reads back atime %lld.%09ld mtime %lld.%09ld", (long long)st.st_atim.tv_sec,
	       st.st_atim.tv_nsec, (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_sec = 5;
	ts[1].tv_nsec = 0;
	utimensat(AT_FDCWD, "f", ts, 0);
	memset(&st2, 0, sizeof(st2));
	stat("f", &st2);
	tap_ok(st2.st_atim.tv_sec == 1000000000 && st2.st_mtim.tv_sec == 5,
	       "UTIME_OMIT keeps the atime");
	tap_ok(st2.st_ctim.tv_sec > 1200000000, "the ctime is now, whatever was set");
	ts[1].tv_nsec = 1000000000;
	tap_errno(utimensat(AT_FDCWD, "f", ts, 0), EINVAL, "a nanosecond count of 10^9");
	tap_errno(utimensat(AT_FDCWD, "f", NULL, 0), 0, "utimensat NULL: now");
	stat("f", &st2);
	tap_ok(st2.st_mtim.tv_sec > 1200000000 && st2.st_atim.tv_sec > 1200000000,
	       "both times are now");
	ts[0] = (struct timespec){ 7, 0 };
	ts[1] = (struct timespec){ 8, 0 };
	tap_errno(utimensat(AT_FDCWD, "l", ts, AT_SYMLINK_NOFOLLOW), 0, "utimensat on a link");
	lstat("l", &st);
	stat("f", &st2);
	tap_ok(st.st_mtim.tv_sec == 8 && st2.st_mtim.tv_sec != 8, "sets the link's own times");
	tap_errno(utimensat(AT_FDCWD, "missing", NULL, 0), ENOENT, "utimensat of a missing name");
}

static void write_times(void)
{
	struct timespec old[2] = { { 100, 0 }, { 100, 0 } };
	struct stat st;
	int fd = open("f", O_WRONLY);

	utimensat(AT_FDCWD, "f", old, 0);
	write(fd, "x", 1);
	fstat(fd, &st);
	tap_ok(st.st_mtim.tv_sec > 100 && st.st_ctim.tv_sec > 100 && st.st_atim.tv_sec == 100,
	       "a write sets mtime and ctime, not atime");
	utimensat(AT_FDCWD, "f", old, 0);
	chmod("f", 0600);
	stat("f", &st);
	tap_ok(st.st_mtim.tv_sec == 100 && st.st_ctim.tv_sec > 100, "a chmod sets only ctime");
	old[0].tv_sec = 100;
	utimensat(AT_FDCWD, "d", old, 0);
	close(open("d/new", O_CREAT | O_WRONLY, 0644));
	stat("d", &st);
	tap_ok(st.st_mtim.tv_sec > 100, "a new name sets its directory's mtime");
	close(fd);
}

int main(void)
{
	const char *dir = ut_scratch("fs_meta");

	if (!dir || chdir(dir) != 0) {
		tap_line("Bail out! no scratch directory: %s", tap_errno_name(errno));
		return 1;
	}
	umask(022);
	stats();
	statx_fields();
	modes();
	access_root();
	times();
	write_times();
	chdir("/");
	tap_ok(ut_rmtree(dir) == 0, "the scratch directory is removed");
	tap_plan(tap_count);
	return tap_failed ? 1 : 0;
}
