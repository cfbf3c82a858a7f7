// SPDX-License-Identifier: MIT
/*
 * /proc/self/fd/N, cwd and exe followed as Linux's "magic links": the walk
 * jumps to the open file itself rather than walking the link's text. So a
 * pipe's end reopens the same pipe (read and write ends by the access
 * asked), a deleted file is reached, a link in the middle of a path meets
 * a pipe and answers ENOTDIR, an eventfd cannot be reopened (ENXIO), and
 * another user may not follow our links (EACCES). Everything printed is
 * the same on Linux: no inode numbers or pids.
 */
#include <sys/eventfd.h>
#include <sys/mount.h>

#include "fsutil.h"

static const char *dir;

static void mount_proc(void)
{
	/* The test initramfs does not mount /proc; an image that did keeps its mount. */
	if (access("/proc/self", F_OK) != 0 && (mkdir("/proc", 0555) == 0 || errno == EEXIST))
		mount("proc", "/proc", "proc", 0, NULL);
}

/* open("/proc/self/fd/@fd" + @rest, @flags). */
static int open_fd_link(int fd, const char *rest, int flags)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/self/fd/%d%s", fd, rest);
	return open(path, flags);
}

/* Whether @fd reads exactly @want next. */
static bool reads(int fd, const char *want)
{
	char buf[32] = { 0 };
	size_t n = strlen(want);

	return read(fd, buf, sizeof(buf) - 1) == (ssize_t)n && memcmp(buf, want, n) == 0;
}

static void pipe_ends(void)
{
	struct stat a, b;
	char path[64];
	int p[2], rd, wr;

	tap_ok(pipe(p) == 0 && write(p[1], "hi", 2) == 2, "a pipe with 2 bytes in it");
	rd = open_fd_link(p[0], "", O_RDONLY);
	tap_errno(rd, 0, "open of /proc/self/fd/N of its read end");
	tap_ok(reads(rd, "hi"), "reads what was written into the pipe");
	tap_ok(fstat(rd, &a) == 0 && fstat(p[0], &b) == 0 && S_ISFIFO(a.st_mode) &&
	               a.st_ino == b.st_ino && a.st_dev == b.st_dev,
	       "it is the same FIFO inode");
	tap_ok(fstat(p[1], &a) == 0 && a.st_ino == b.st_ino, "both ends share that inode");
	wr = open_fd_link(p[1], "", O_WRONLY);
	tap_errno(wr, 0, "open of its write end O_WRONLY");
	tap_ok(write(wr, "yo", 2) == 2 && reads(p[0], "yo"), "a write through it reaches the pipe");
	tap_ok((fcntl(rd, F_GETFL) & O_ACCMODE) == O_RDONLY &&
	               (fcntl(wr, F_GETFL) & O_ACCMODE) == O_WRONLY,
	       "each has the access it asked for");
	close(p[1]);
	tap_ok(write(wr, "ok", 2) == 2 && reads(rd, "ok"), "the reopened ends keep the pipe open");
	close(wr);
	tap_ok(read(rd, (char[4]){ 0 }, 4) == 0, "end of file once every writer closed");
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[0]);
	tap_ok(stat(path, &a) == 0 && S_ISFIFO(a.st_mode) && a.st_ino == b.st_ino,
	       "stat of the link follows it to the pipe");
	tap_errno(open_fd_link(p[0], "/x", O_RDONLY), ENOTDIR, "a pipe in the middle of a path");
	close(rd);
	close(p[0]);
}

/* Reopening a pipe through /proc never waits for the other side, unlike a FIFO's open. */
static void lone_ends(void)
{
	int p[2], fd;

	alarm(10); /* a reopen that waited would hang here: die instead */
	tap_ok(pipe(p) == 0 && write(p[1], "z", 1) == 1 && close(p[1]) == 0,
	       "a pipe with a byte in it and no writer left");
	fd = open_fd_link(p[0], "", O_RDONLY);
	tap_errno(fd, 0, "its read end reopens without waiting for a writer");
	tap_ok(reads(fd, "z") && read(fd, (char[2]){ 0 }, 2) == 0, "the byte, then end of file");
	close(fd);
	close(p[0]);
	tap_ok(pipe(p) == 0 && close(p[0]) == 0, "a pipe with no reader left");
	fd = open_fd_link(p[1], "", O_WRONLY | O_NONBLOCK);
	tap_errno(fd, 0, "its write end reopens O_NONBLOCK: no ENXIO");
	signal(SIGPIPE, SIG_IGN);
	tap_errno(write(fd, "x", 1), EPIPE, "and a write to it is EPIPE");
	signal(SIGPIPE, SIG_DFL);
	close(fd);
	close(p[1]);
	alarm(0);
}

static void deleted_file(void)
{
	char buf[16] = { 0 }, path[64];
	struct stat st;
	int fd = open("doomed", O_RDWR | O_CREAT | O_EXCL, 0644), again;

	tap_ok(fd >= 0 && write(fd, "still here", 10) == 10 && unlink("doomed") == 0,
	       "a file written and unlinked while open");
	again = open_fd_link(fd, "", O_RDONLY);
	tap_errno(again, 0, "open of its fd link");
	tap_ok(pread(again, buf, sizeof(buf) - 1, 0) == 10 && !strcmp(buf, "still here"),
	       "reads the deleted file: %s", buf);
	tap_ok(fstat(again, &st) == 0 && st.st_nlink == 0, "fstat: nlink 0");
	close(again);
	tap_errno(open_fd_link(fd, "", O_RDWR | O_CREAT | O_EXCL), EEXIST,
	          "O_CREAT|O_EXCL on the link");
	again = open_fd_link(fd, "", O_WRONLY | O_CREAT | O_APPEND);
	tap_ok(again >= 0 && write(again, "!", 1) == 1 && fstat(fd, &st) == 0 && st.st_size == 11,
	       "O_CREAT through it opens the same file: 11 bytes");
	close(again);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	tap_errno(linkat(AT_FDCWD, path, AT_FDCWD, "back", AT_SYMLINK_FOLLOW), ENOENT,
	          "linkat may not give it a name again");
	close(fd);
}

static void places(void)
{
	struct stat a, b;
	int fd;

	tap_ok(mkdir("sub", 0755) == 0 && chdir("sub") == 0, "chdir into a new directory");
	tap_ok(stat("/proc/self/cwd", &a) == 0 && stat(".", &b) == 0 && a.st_ino == b.st_ino,
	       "cwd leads there");
	fd = open("/proc/self/cwd/made", O_WRONLY | O_CREAT | O_EXCL, 0644);
	tap_errno(fd, 0, "O_CREAT under cwd/ makes a file in it");
	close(fd);
	tap_errno(access("made", F_OK), 0, "the file is in the working directory");
	tap_ok(rename("../sub", "../moved") == 0 && stat("/proc/self/cwd/made", &a) == 0,
	       "cwd/ still leads there after a rename");
	chdir("..");
	fd = open("/proc/self/exe", O_RDONLY);
	tap_errno(fd, 0, "exe opens the program");
	tap_ok(fd >= 0 && fstat(fd, &a) == 0 && S_ISREG(a.st_mode), "a regular file");
	close(fd);
}

/*
 * A magic link counts as one of the 40 links a walk may follow: l1 names
 * /proc/self/fd/N (two links: self, then fd/N) and each l(K+1) names lK.
 */
static void link_budget(void)
{
	char name[16], target[64];
	int fd = open(".", O_RDONLY | O_DIRECTORY), ok = 1;

	snprintf(target, sizeof(target), "/proc/self/fd/%d", fd);
	for (int k = 1; k <= 39; k++) {
		snprintf(name, sizeof(name), "l%d", k);
		ok &= symlink(target, name) == 0;
		snprintf(target, sizeof(target), "l%d", k);
	}
	tap_ok(ok, "a chain of 39 links to an fd link");
	tap_errno(access("l38/.", F_OK), 0, "38 links, self and fd/N: 40 are followed");
	tap_errno(access("l39/.", F_OK), ELOOP, "one more: ELOOP");
	close(fd);
}

static void not_reopened(void)
{
	int efd = eventfd(0, 0);

	tap_errno(open_fd_link(efd, "", O_RDWR), ENXIO, "an eventfd cannot be reopened: ENXIO");
	close(efd);
}

static int follow_as_nobody(void *arg)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/fd/0", *(int *)arg);
	if (setgid(65534) || setuid(65534))
		return 2;
	return open(path, O_RDONLY) < 0 && errno == EACCES ? 0 : 1;
}

static void others(void)
{
	int parent = (int)getpid(), st = ut_in_child(follow_as_nobody, &parent);

	tap_ok(WIFEXITED(st) && WEXITSTATUS(st) == 0,
	       "another user may not follow our fd links: EACCES (%s)", ut_status(st));
}

int main(void)
{
	mount_proc();
	dir = ut_scratch("proc_fdlinks");
	if (!dir || chdir(dir) != 0) {
		tap_line("Bail out! no scratch directory: %s", tap_errno_name(errno));
		return 1;
	}
	pipe_ends();
	lone_ends();
	deleted_file();
	places();
	link_budget();
	not_reopened();
	others();
	chdir("/");
	tap_ok(ut_rmtree(dir) == 0, "the scratch directory is removed");
	tap_plan(tap_count);
	return tap_failed ? 1 : 0;
}
