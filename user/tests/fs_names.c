// SPDX-License-Identifier: MIT
/*
 * Names (issue 12, part 1): mkdir, rmdir, unlink, rename (over files and
 * directories, across directories, and every error Linux gives), link,
 * symlink and readlink. Printed: errno names, modes, link counts and
 * contents; never inode numbers (only compared with each other).
 */
#include "fsutil.h"

static void dirs(void)
{
	tap_errno(mkdir("d", 0755), 0, "mkdir");
	tap_errno(mkdir("d", 0755), EEXIST, "mkdir of a name that exists");
	tap_errno(mkdir("nod/x", 0755), ENOENT, "mkdir under a missing directory");
	ut_put("file", "contents", 8);
	tap_errno(mkdir("file/x", 0755), ENOTDIR, "mkdir under a file");
	tap_errno(mkdir("d/sub/", 0755), 0, "mkdir with a trailing slash");
	tap_errno(rmdir("d"), ENOTEMPTY, "rmdir of a directory that is not empty");
	tap_errno(rmdir("d/sub/."), EINVAL, "rmdir of a path ending in .");
	tap_errno(rmdir("d/sub/.."), ENOTEMPTY, "rmdir of a path ending in ..");
	tap_errno(rmdir("file"), ENOTDIR, "rmdir of a file");
	tap_errno(rmdir("nothing"), ENOENT, "rmdir of a missing name");
	tap_errno(unlink("d"), EISDIR, "unlink of a directory");
	tap_errno(unlink("nothing"), ENOENT, "unlink of a missing name");
	tap_errno(unlink("file/"), ENOTDIR, "unlink of a file with a trailing slash");
	tap_errno(rmdir("d/sub"), 0, "rmdir of an empty directory");
	tap_ok(!ut_exists("d/sub"), "it is gone");
}

/* Set up a/x (file "ax"), a/y (file "ay"), a/e (empty dir), a/n (dir holding n/f), b/. */
static void rename_setup(void)
{
	mkdir("a", 0755);
	mkdir("b", 0755);
	ut_put("a/x", "ax", 2);
	ut_put("a/y", "ay", 2);
	mkdir("a/e", 0755);
	mkdir("a/n", 0755);
	ut_put("a/n/f", "nf", 2);
}

static void renames(void)
{
	char buf[16];
	struct stat s1, s2;

	rename_setup();
	stat("a/x", &s1);
	tap_errno(rename("a/x", "a/y"), 0, "rename a file over a file");
	tap_ok(!ut_exists("a/x") && ut_get("a/y", buf, sizeof(buf)) == 2 && !strcmp(buf, "ax"),
	       "the old name is gone, the new one reads %s", buf);
	stat("a/y", &s2);
	tap_ok(s1.st_ino == s2.st_ino, "and it is the same inode");
	tap_errno(rename("a/y", "b/z"), 0, "rename across directories");
	tap_ok(ut_exists("b/z") && !ut_exists("a/y"), "it moved");
	tap_errno(rename("b/z", "a/e"), EISDIR, "rename a file over a directory");
	tap_errno(rename("a/e", "b/z"), ENOTDIR, "rename a directory over a file");
	tap_errno(rename("a/e", "a/n"), ENOTEMPTY, "rename a directory over a full one");
	tap_errno(rename("a/n", "a/n/f2"), EINVAL, "rename a directory into itself");
	tap_errno(rename("a/n", "a/n/sub/x"), ENOENT, "rename a directory under a missing one");
	mkdir("a/n/sub", 0755);
	tap_errno(rename("a/n", "a/n/sub/x"), EINVAL, "rename a directory into its own child");
	tap_errno(rename("a/n/sub", "a/n/sub"), 0, "rename a directory onto itself");
	rmdir("a/n/sub");
	tap_errno(rename("a/missing", "a/q"), ENOENT, "rename of a missing name");
	tap_errno(rename("b/z", "a/q/"), ENOTDIR, "rename a file to a name with a trailing slash");
	tap_errno(rename("b/z/", "a/q"), ENOTDIR, "rename a file named with a trailing slash");
	tap_errno(rename("a/e/.", "a/q"), EBUSY, "rename of a path ending in .");
	tap_errno(rename("a/e", "b/."), EBUSY, "rename to a path ending in .");
	tap_errno(rename("b/z", "missing/q"), ENOENT, "rename into a missing directory");
	tap_errno(rename("b/z", "b/z/q"), ENOTDIR, "rename under a file");
	stat("a/n", &s1);
	tap_errno(rename("a/n", "a/e"), 0, "rename a directory over an empty one");
	stat("a/e", &s2);
	tap_ok(s1.st_ino == s2.st_ino && ut_get("a/e/f", buf, sizeof(buf)) == 2 &&
	               !ut_exists("a/n"),
	       "the directory and what it holds moved: %s", buf);
	tap_errno(rename("a/e", "b/e2/"), 0, "rename a directory to a name with a trailing slash");
	stat("b", &s1);
	tap_ok(s1.st_nlink == 3, "b's link count counts the new subdirectory: %d",
	       (int)s1.st_nlink);
	stat("b/e2/..", &s2);
	tap_ok(s1.st_ino == s2.st_ino, "b/e2/.. is b");
}

static void rename_links(void)
{
	struct stat st;

	ut_put("h1", "h", 1);
	link("h1", "h2");
	tap_errno(rename("h1", "h2"), 0, "rename between two links of one file");
	tap_ok(ut_exists("h1") && ut_exists("h2"), "does nothing: both names stay");
	stat("h1", &st);
	tap_ok(st.st_nlink == 2, "nlink %d", (int)st.st_nlink);
	symlink("h1", "sl");
	tap_errno(rename("sl", "sl2"), 0, "rename a symbolic link");
	tap_ok(S_ISLNK(ut_mode("sl2")) && S_ISREG(ut_mode("h1")), "the link moved, not its target");
}

static void links(void)
{
	struct stat st;

	ut_put("orig", "o", 1);
	tap_errno(link("orig", "hard"), 0, "link");
	memset(&st, 0, sizeof(st));
	stat("orig", &st);
	tap_ok(st.st_nlink == 2, "nlink is 2: %d", (int)st.st_nlink);
	tap_errno(link("orig", "hard"), EEXIST, "link to a name that exists");
	tap_errno(link("nothing", "hard2"), ENOENT, "link of a missing file");
	tap_errno(link("a", "dirlink"), EPERM, "link of a directory");
	tap_errno(link("orig", "nod/x"), ENOENT, "link into a missing directory");
	tap_errno(unlink("orig"), 0, "unlink the first name");
	memset(&st, 0, sizeof(st));
	stat("hard", &st);
	tap_ok(st.st_nlink == 1 && st.st_size == 1, "the other name keeps the file: nlink %d",
	       (int)st.st_nlink);
}

static void symlinks(void)
{
	char buf[64];
	long n;

	tap_errno(symlink("target-of-s", "s"), 0, "symlink to a missing target");
	tap_errno(symlink("x", "s"), EEXIST, "symlink over a name that exists");
	tap_errno(symlink("", "empty"), ENOENT, "symlink with an empty target");
	memset(buf, 0, sizeof(buf));
	n = readlink("s", buf, sizeof(buf));
	tap_ok(n == 11 && !strcmp(buf, "target-of-s"), "readlink: %ld %s", n, buf);
	memset(buf, 0, sizeof(buf));
	n = readlink("s", buf, 4);
	tap_ok(n == 4 && !strcmp(buf, "targ"), "readlink into 4 bytes truncates: %ld %s", n, buf);
	tap_errno(readlink("hard", buf, sizeof(buf)), EINVAL, "readlink of a file");
	/* The raw call: musl turns a 0-byte readlink into a 1-byte one. */
	tap_errno(syscall(SYS_readlink, "s", buf, 0), EINVAL, "readlink into 0 bytes");
	tap_errno(open("s", O_RDONLY), ENOENT, "open through a dangling link");
	tap_ok(S_ISLNK(ut_mode("s")), "lstat sees the link itself");
	tap_errno(open("s", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST,
	          "O_CREAT|O_EXCL on a dangling link");
	tap_errno(close(open("s", O_WRONLY | O_CREAT, 0644)), 0, "O_CREAT through a dangling link");
	tap_ok(S_ISREG(ut_mode("target-of-s")), "made its target");
	mkdir("sd", 0755);
	ut_put("sd/in", "in", 2);
	symlink("../sd", "sd/up");
	tap_ok(ut_get("sd/up/up/up/in", buf, sizeof(buf)) == 2, "a relative target starts at the "
	                                                        "link's own directory");
	symlink("sd", "sdl");
	tap_errno(unlink("sdl"), 0, "unlink a link to a directory");
	tap_ok(S_ISDIR(ut_mode("sd")), "removes the link only");
	symlink("sd", "sdl");
	tap_errno(rmdir("sdl"), ENOTDIR, "rmdir of a link to a directory");
	tap_errno(mkdir("sdl/new", 0755), 0, "mkdir through a link to a directory");
	tap_ok(S_ISDIR(ut_mode("sd/new")), "made it in the target");
}

int main(void)
{
	const char *dir = ut_scratch("fs_names");

	if (!dir || chdir(dir) != 0) {
		tap_line("Bail out! no scratch directory: %s", tap_errno_name(errno));
		return 1;
	}
	umask(022);
	dirs();
	renames();
	rename_links();
	links();
	symlinks();
	chdir("/");
	tap_ok(ut_rmtree(dir) == 0, "the scratch directory is removed");
	tap_plan(tap_count);
	return tap_failed ? 1 : 0;
}
