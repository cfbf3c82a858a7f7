// SPDX-License-Identifier: MIT
/*
 * The *at calls and the working directory (issue 12): a directory
 * descriptor, AT_FDCWD, an absolute path that ignores the descriptor,
 * AT_EMPTY_PATH, AT_SYMLINK_NOFOLLOW and AT_SYMLINK_FOLLOW, AT_REMOVEDIR;
 * chdir, fchdir and getcwd, also in a removed directory and at the root.
 * The scratch directory's name holds a pid: getcwd's answers are compared
 * with the expected path, never printed.
 */
#include "fsutil.h"

static char top[128]; /* the scratch directory, absolute */

static void at_open_stat(int dfd)
{
	struct stat a, b;
	int fd;

	fd = openat(dfd, "f", O_RDWR | O_CREAT, 0644);
	tap_errno(fd, 0, "openat relative to a directory descriptor");
	write(fd, "at", 2);
	tap_ok(ut_exists("sub/f"), "made the file in that directory");
	tap_errno(close(openat(dfd, "/", O_RDONLY | O_DIRECTORY)), 0,
	          "openat of an absolute path ignores the descriptor");
	tap_errno(close(openat(-5, "/", O_RDONLY)), 0, "even a bad one");
	tap_errno(openat(-5, "f", O_RDONLY), EBADF, "a bad descriptor with a relative path");
	tap_errno(openat(fd, "x", O_RDONLY), ENOTDIR, "a file's descriptor with a relative path");
	tap_errno(close(openat(AT_FDCWD, "sub/f", O_RDONLY)), 0, "openat AT_FDCWD");
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	fstat(fd, &a);
	tap_errno(fstatat(fd, "", &b, AT_EMPTY_PATH), 0, "fstatat AT_EMPTY_PATH on a file");
	tap_ok(a.st_ino == b.st_ino && b.st_size == 2, "is fstat");
	tap_errno(fstatat(fd, "", &b, 0), ENOENT, "an empty path without AT_EMPTY_PATH");
	tap_errno(fstatat(AT_FDCWD, "", &b, AT_EMPTY_PATH), 0, "AT_EMPTY_PATH with AT_FDCWD");
	stat(".", &a);
	tap_ok(a.st_ino == b.st_ino, "is the working directory");
	close(fd);
}

static void at_names(int dfd)
{
	struct stat a, b;
	char buf[64] = { 0 };

	tap_errno(mkdirat(dfd, "d", 0755), 0, "mkdirat");
	tap_errno(symlinkat("f", dfd, "l"), 0, "symlinkat");
	tap_ok(readlinkat(dfd, "l", buf, sizeof(buf)) == 1 && !strcmp(buf, "f"), "readlinkat: %s",
	       buf);
	tap_errno(linkat(dfd, "l", dfd, "hl", 0), 0, "linkat of a link without FOLLOW");
	tap_ok(S_ISLNK(ut_mode("sub/hl")), "links the link itself");
	tap_errno(linkat(dfd, "l", dfd, "hf", AT_SYMLINK_FOLLOW), 0, "linkat AT_SYMLINK_FOLLOW");
	tap_ok(S_ISREG(ut_mode("sub/hf")), "links its target");
	tap_errno(renameat(dfd, "hf", AT_FDCWD, "moved"), 0, "renameat between two bases");
	tap_ok(ut_exists("moved") && !ut_exists("sub/hf"), "moved it");
	tap_errno(fchmodat(dfd, "f", 0600, 0), 0, "fchmodat");
	tap_ok(ut_mode("sub/f") == (S_IFREG | 0600), "mode %o", ut_mode("sub/f") & 07777);
	tap_errno(fchownat(dfd, "l", 3, 3, AT_SYMLINK_NOFOLLOW), 0, "fchownat NOFOLLOW");
	lstat("sub/l", &a);
	stat("sub/f", &b);
	tap_ok(a.st_uid == 3 && b.st_uid == 0, "owns the link: %d, not the file: %d", (int)a.st_uid,
	       (int)b.st_uid);
	tap_errno(faccessat(dfd, "f", R_OK | W_OK, 0), 0, "faccessat");
	tap_errno(unlinkat(dfd, "d", 0), EISDIR, "unlinkat of a directory without AT_REMOVEDIR");
	tap_errno(unlinkat(dfd, "f", AT_REMOVEDIR), ENOTDIR, "unlinkat AT_REMOVEDIR of a file");
	tap_errno(unlinkat(dfd, "d", AT_REMOVEDIR), 0, "unlinkat AT_REMOVEDIR");
	tap_errno(unlinkat(dfd, "f", 0x1), EINVAL, "unlinkat with an unknown flag");
	tap_errno(mknodat(dfd, "fifo", S_IFIFO | 0644, 0), 0, "mknodat of a FIFO");
	tap_ok(S_ISFIFO(ut_mode("sub/fifo")), "it is a FIFO");
}

/* getcwd equals @top followed by @rest. */
static bool cwd_is(const char *rest)
{
	char want[256], got[256];

	snprintf(want, sizeof(want), "%s%s", top, rest);
	return getcwd(got, sizeof(got)) && !strcmp(got, want);
}

static void cwd(int dfd)
{
	char small[4], buf[256];
	int fd;

	tap_ok(cwd_is(""), "getcwd is the scratch directory");
	tap_errno(chdir("sub"), 0, "chdir to a subdirectory");
	tap_ok(cwd_is("/sub"), "getcwd follows");
	tap_errno(chdir("l/.."), ENOTDIR, "chdir through a link to a file");
	tap_errno(chdir("f"), ENOTDIR, "chdir to a file");
	tap_errno(chdir("nothing"), ENOENT, "chdir to a missing name");
	tap_errno(chdir(""), ENOENT, "chdir to an empty path");
	tap_errno(chdir(".."), 0, "chdir ..");
	tap_ok(cwd_is(""), "back up");
	tap_errno(fchdir(dfd), 0, "fchdir to a directory descriptor");
	tap_ok(cwd_is("/sub"), "getcwd follows");
	fd = open("f", O_RDONLY);
	tap_errno(fchdir(fd), ENOTDIR, "fchdir to a file");
	close(fd);
	tap_errno(fchdir(777), EBADF, "fchdir to a closed descriptor");
	tap_errno(getcwd(small, sizeof(small)) ? 0 : -1, ERANGE, "getcwd into 4 bytes");
	symlink("..", "up");
	tap_errno(chdir("up"), 0, "chdir through a link");
	tap_ok(cwd_is(""), "getcwd names the directory, not the link");
	tap_errno(chdir("/../../.."), 0, "chdir /../../..");
	tap_ok(getcwd(buf, sizeof(buf)) && !strcmp(buf, "/"), ".. stops at the root: %s", buf);
	mkdir(top, 0755);
	chdir(top);
	mkdir("doomed", 0755);
	chdir("doomed");
	tap_errno(rmdir("../doomed"), 0, "rmdir of the working directory");
	tap_errno(getcwd(buf, sizeof(buf)) ? 0 : -1, ENOENT, "getcwd in a removed directory");
	tap_errno(open("x", O_CREAT | O_WRONLY, 0644), ENOENT, "creating a file there");
	tap_errno(chdir(".."), 0, "chdir .. out of it");
	tap_ok(cwd_is(""), "lands in its parent");
}

int main(void)
{
	const char *dir = ut_scratch("fs_at");
	int dfd;

	if (!dir || chdir(dir) != 0 || mkdir("sub", 0755) != 0) {
		tap_line("Bail out! no scratch directory: %s", tap_errno_name(errno));
		return 1;
	}
	snprintf(top, sizeof(top), "%s", dir);
	umask(022);
	dfd = open("sub", O_RDONLY | O_DIRECTORY);
	tap_errno(dfd, 0, "open a directory O_DIRECTORY");
	at_open_stat(dfd);
	at_names(dfd);
	cwd(dfd);
	close(dfd);
	chdir("/");
	tap_ok(ut_rmtree(top) == 0, "the scratch directory is removed");
	tap_plan(tap_count);
	return tap_failed ? 1 : 0;
}
