// SPDX-License-Identifier: MIT
/*
 * Files (issue 12, part 1): open's flags, reading and writing at a
 * position or not (read, write, pread64, pwrite64, readv, writev, lseek),
 * descriptors (dup, dup2, dup3, fcntl, close), truncate and ftruncate,
 * sendfile, O_APPEND writes from two processes, and an unlinked file that
 * stays readable while it is open. Everything printed is the same on
 * Linux: no inode numbers, times or pids.
 */
#include <sys/sendfile.h>
#include <sys/uio.h>

#include "fsutil.h"

static const char *dir;

static void open_flags(void)
{
	struct stat st;
	int fd, fl;

	umask(022);
	fd = open("f", O_RDWR | O_CREAT | O_EXCL, 0666);
	tap_errno(fd, 0, "open O_CREAT|O_EXCL makes a new file");
	memset(&st, 0, sizeof(st));
	fstat(fd, &st);
	tap_ok(S_ISREG(st.st_mode) && st.st_size == 0 && (st.st_mode & 07777) == 0644,
	       "its mode is 0666 less the umask 022: %o", (unsigned)st.st_mode & 07777);
	tap_ok(write(fd, "hello world", 11) == 11, "write 11 bytes");
	close(fd);
	tap_errno(open("f", O_RDWR | O_CREAT | O_EXCL, 0666), EEXIST,
	          "O_EXCL on a file that exists");
	tap_errno(open("missing", O_RDONLY), ENOENT, "open of a missing name");
	tap_errno(open("missing/x", O_RDONLY | O_CREAT, 0644), ENOENT,
	          "O_CREAT under a missing dir");
	tap_errno(open("f/x", O_RDONLY), ENOTDIR, "a file used as a directory");
	tap_errno(open("f", O_RDONLY | O_DIRECTORY), ENOTDIR, "O_DIRECTORY on a file");
	tap_errno(open(".", O_WRONLY), EISDIR, "a directory opened for writing");
	tap_errno(open(".", O_RDWR | O_CREAT, 0644), EISDIR, "O_CREAT on a directory");
	symlink("f", "link");
	tap_errno(open("link", O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on a symbolic link");
	fd = open("link", O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	tap_errno(fd, 0, "open through a symbolic link");
	tap_ok(fcntl(fd, F_GETFD) == FD_CLOEXEC, "O_CLOEXEC sets FD_CLOEXEC");
	fl = fcntl(fd, F_GETFL);
	tap_ok((fl & O_ACCMODE) == O_RDONLY && (fl & O_NONBLOCK), "F_GETFL shows O_NONBLOCK: %#x",
	       (unsigned)fl & (O_ACCMODE | O_NONBLOCK | O_APPEND));
	tap_errno(write(fd, "x", 1), EBADF, "write on a read-only descriptor");
	close(fd);
	fd = open("f", O_WRONLY);
	tap_errno(read(fd, (char[4]){ 0 }, 4), EBADF, "read on a write-only descriptor");
	close(fd);
	fd = open("f", O_RDWR | O_TRUNC);
	tap_ok(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0, "O_TRUNC empties the file");
	tap_ok(write(fd, "hello world", 11) == 11, "write it again");
	close(fd);
}

static void positions(void)
{
	char buf[32] = { 0 };
	int fd = open("f", O_RDWR);

	tap_ok(read(fd, buf, 5) == 5 && !memcmp(buf, "hello", 5), "read 5 bytes: %.5s", buf);
	tap_ok(lseek(fd, 0, SEEK_CUR) == 5, "the position moved to 5");
	memset(buf, 0, sizeof(buf));
	tap_ok(pread(fd, buf, 5, 6) == 5 && !strcmp(buf, "world"), "pread at 6: %s", buf);
	tap_ok(lseek(fd, 0, SEEK_CUR) == 5, "pread left the position at 5");
	tap_ok(pwrite(fd, "W", 1, 6) == 1 && lseek(fd, 0, SEEK_CUR) == 5, "pwrite at 6 too");
	tap_ok(lseek(fd, -5, SEEK_END) == 6, "SEEK_END -5 is 6");
	memset(buf, 0, sizeof(buf));
	tap_ok(read(fd, buf, sizeof(buf)) == 5 && !strcmp(buf, "World"), "read to the end: %s",
	       buf);
	tap_ok(read(fd, buf, sizeof(buf)) == 0, "read at the end gives 0");
	tap_errno(lseek(fd, -1, SEEK_SET), EINVAL, "lseek before the start");
	tap_errno(lseek(fd, 0, 17), EINVAL, "lseek with whence 17");
	tap_errno(pread(fd, buf, 1, -1), EINVAL, "pread at a negative offset");
	tap_ok(lseek(fd, 20, SEEK_SET) == 20 && write(fd, "end", 3) == 3,
	       "a write 9 bytes past the end");
	memset(buf, 'x', sizeof(buf));
	tap_ok(pread(fd, buf, sizeof(buf), 8) == 15 && !memcmp(buf, "rld\0\0\0\0\0\0\0\0\0end", 15),
	       "the hole reads as zeros");
	tap_ok(lseek(fd, -3, SEEK_CUR) == 20, "SEEK_CUR -3 from the end of the write is 20");
	close(fd);
}

static void vectors(void)
{
	char a[4] = { 0 }, b[8] = { 0 }, c[32] = { 0 };
	struct iovec w[3] = { { "one-", 4 }, { "", 0 }, { "two-three", 9 } };
	struct iovec r[3] = { { a, 3 }, { b, 7 }, { c, sizeof(c) - 1 } };
	int fd = open("v", O_RDWR | O_CREAT | O_TRUNC, 0644);

	tap_ok(writev(fd, w, 3) == 13, "writev of 4 + 0 + 9 bytes");
	tap_ok(lseek(fd, 0, SEEK_SET) == 0 && readv(fd, r, 3) == 13,
	       "readv into 3 + 7 + 31 bytes gets 13");
	tap_ok(!strcmp(a, "one") && !strcmp(b, "-two-th") && !strcmp(c, "ree"),
	       "split as asked: %s|%s|%s", a, b, c);
	tap_errno(syscall(SYS_writev, fd, w, -1), EINVAL, "writev with a negative count");
	tap_errno(preadv(fd, r, 1, 4) == 3 ? 0 : -1, 0, "preadv at 4");
	tap_ok(!strcmp(a, "two"), "preadv read %s", a);
	close(fd);
}

static void descriptors(void)
{
	int fd = open("f", O_RDONLY), d, d2;
	char ch = 0;

	d = dup(fd);
	tap_ok(d > fd, "dup gives a higher free descriptor");
	tap_ok(lseek(fd, 3, SEEK_SET) == 3 && lseek(d, 0, SEEK_CUR) == 3,
	       "a dup shares the position");
	tap_ok(fcntl(d, F_GETFD) == 0, "a dup is not close-on-exec");
	tap_ok(dup2(fd, 50) == 50 && read(50, &ch, 1) == 1, "dup2 to 50, and a read there");
	tap_ok(ch == 'l' && lseek(fd, 0, SEEK_CUR) == 4, "it read on from 3: %c", ch);
	tap_ok(dup2(fd, fd) == fd, "dup2 of a descriptor onto itself returns it");
	/* The raw call: musl's dup3() makes a dup2 of a dup3 without O_CLOEXEC. */
	tap_errno(syscall(SYS_dup3, fd, fd, 0), EINVAL, "dup3 onto itself");
	tap_errno(syscall(SYS_dup3, fd, 51, 0x4), EINVAL, "dup3 with an unknown flag");
	tap_ok(dup3(fd, 51, O_CLOEXEC) == 51 && fcntl(51, F_GETFD) == FD_CLOEXEC, "dup3 O_CLOEXEC");
	d2 = fcntl(fd, F_DUPFD, 60);
	tap_ok(d2 == 60, "F_DUPFD 60 gives 60: %d", d2);
	tap_ok(fcntl(fd, F_DUPFD_CLOEXEC, 60) == 61 && fcntl(61, F_GETFD) == FD_CLOEXEC,
	       "F_DUPFD_CLOEXEC 60 gives 61, close-on-exec");
	tap_ok(fcntl(d, F_SETFD, FD_CLOEXEC) == 0 && fcntl(d, F_GETFD) == FD_CLOEXEC &&
	               fcntl(fd, F_GETFD) == 0,
	       "FD_CLOEXEC belongs to the descriptor, not the description");
	tap_ok(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK) == 0 &&
	               (fcntl(d, F_GETFL) & (O_APPEND | O_NONBLOCK)) == (O_APPEND | O_NONBLOCK),
	       "F_SETFL flags belong to the description");
	tap_errno(fcntl(fd, 12345), EINVAL, "fcntl with an unknown command");
	tap_errno(dup2(fd, -1), EBADF, "dup2 to -1");
	tap_errno(dup(1000000), EBADF, "dup of 1000000");
	close(50);
	close(51);
	close(60);
	close(61);
	close(d);
	tap_errno(close(fd), 0, "close");
	tap_errno(close(fd), EBADF, "close again");
}

static void truncation(void)
{
	struct stat st;
	char buf[16];
	int fd;

	tap_errno(truncate("f", 4), 0, "truncate to 4");
	tap_ok(ut_get("f", buf, sizeof(buf)) == 4 && !strcmp(buf, "hell"), "it reads %s", buf);
	tap_errno(truncate("f", 8), 0, "truncate up to 8");
	tap_ok(ut_get("f", buf, sizeof(buf)) == 8 && !memcmp(buf, "hell\0\0\0\0", 8),
	       "it grew with zeros");
	tap_errno(truncate("f", -1), EINVAL, "truncate to -1");
	tap_errno(truncate(".", 0), EISDIR, "truncate a directory");
	tap_errno(truncate("missing", 0), ENOENT, "truncate a missing file");
	fd = open("f", O_RDONLY);
	tap_errno(ftruncate(fd, 0), EINVAL, "ftruncate on a read-only descriptor");
	close(fd);
	fd = open("f", O_RDWR);
	tap_errno(ftruncate(fd, 1 << 20), 0, "ftruncate to 1 MiB");
	memset(&st, 0, sizeof(st));
	fstat(fd, &st);
	tap_ok(st.st_size == 1 << 20, "fstat says %lld bytes", (long long)st.st_size);
	tap_ok(pread(fd, buf, 4, (1 << 20) - 4) == 4 && !memcmp(buf, "\0\0\0\0", 4),
	       "its end reads as zeros");
	tap_errno(ftruncate(fd, 2), 0, "ftruncate down to 2");
	tap_ok(lseek(fd, 0, SEEK_END) == 2, "SEEK_END is 2 now");
	close(fd);
}

static void copy_with_sendfile(void)
{
	int in = open("src", O_RDWR | O_CREAT | O_TRUNC, 0644), out;
	char buf[64] = { 0 };
	off_t off = 2;

	write(in, "0123456789abcdef", 16);
	out = open("dst", O_RDWR | O_CREAT | O_TRUNC, 0644);
	tap_ok(sendfile(out, in, &off, 10) == 10 && off == 12, "sendfile of 10 from offset 2");
	tap_ok(lseek(in, 0, SEEK_CUR) == 16, "with an offset, the source's position stays");
	lseek(in, 14, SEEK_SET);
	tap_ok(sendfile(out, in, NULL, 100) == 2 && lseek(in, 0, SEEK_CUR) == 16,
	       "without one, it reads from the position to the end: 2 bytes");
	tap_ok(pread(out, buf, sizeof(buf), 0) == 12 && !strcmp(buf, "23456789abef"),
	       "the copy: %s", buf);
	tap_errno(sendfile(out, 1000, NULL, 1), EBADF, "sendfile from a bad descriptor");
	close(in);
	close(out);
}

/* One writer of the O_APPEND test: 200 records of 64 bytes, each one write. */
static int appender(void *arg)
{
	char rec[64];
	int fd = open("log", O_WRONLY | O_APPEND), i;

	for (i = 0; i < 200; i++) {
		snprintf(rec, sizeof(rec), "%c%03d", *(char *)arg, i);
		memset(rec + 4, *(char *)arg, sizeof(rec) - 5);
		rec[63] = '\n';
		if (write(fd, rec, sizeof(rec)) != sizeof(rec))
			return 1;
	}
	return 0;
}

static void append_from_two(void)
{
	static char buf[2 * 200 * 64 + 1];
	int na = 0, nb = 0, torn = 0, st[2], i;
	pid_t pid[2];
	long n;

	close(open("log", O_WRONLY | O_CREAT | O_TRUNC, 0644));
	for (i = 0; i < 2; i++) {
		pid[i] = fork();
		if (pid[i] == 0)
			_exit(appender(i ? "B" : "A"));
	}
	for (i = 0; i < 2; i++)
		st[i] = ut_wait(pid[i]);
	tap_ok(WIFEXITED(st[0]) && !WEXITSTATUS(st[0]) && WIFEXITED(st[1]) && !WEXITSTATUS(st[1]),
	       "two processes wrote 200 records each with O_APPEND");
	n = ut_get("log", buf, sizeof(buf));
	tap_ok(n == 2 * 200 * 64, "the file holds all 400 records: %ld bytes", n);
	for (i = 0; i + 64 <= n; i += 64) {
		char c = buf[i];

		na += c == 'A';
		nb += c == 'B';
		torn += (c != 'A' && c != 'B') || buf[i + 62] != c || buf[i + 63] != '\n';
	}
	tap_ok(na == 200 && nb == 200 && !torn, "none overwritten or torn: %d A, %d B, %d torn", na,
	       nb, torn);
}

static void unlinked_while_open(void)
{
	struct stat st;
	char buf[16] = { 0 };
	int fd = open("gone", O_RDWR | O_CREAT | O_TRUNC, 0644);

	write(fd, "still here", 10);
	tap_errno(unlink("gone"), 0, "unlink an open file");
	tap_errno(open("gone", O_RDONLY), ENOENT, "its name is gone");
	tap_ok(pread(fd, buf, sizeof(buf), 0) == 10 && !strcmp(buf, "still here"),
	       "it is still readable: %s", buf);
	tap_ok(fstat(fd, &st) == 0 && st.st_nlink == 0 && st.st_size == 10,
	       "fstat: nlink 0, 10 bytes");
	tap_ok(write(fd, "!", 1) == 1 && fstat(fd, &st) == 0 && st.st_size == 11,
	       "and writable: 11 bytes");
	close(fd);
}

int main(void)
{
	dir = ut_scratch("fs_files");
	if (!dir || chdir(dir) != 0) {
		tap_line("Bail out! no scratch directory: %s", tap_errno_name(errno));
		return 1;
	}
	open_flags();
	positions();
	vectors();
	descriptors();
	truncation();
	copy_with_sendfile();
	append_from_two();
	unlinked_while_open();
	chdir("/");
	tap_ok(ut_rmtree(dir) == 0, "the scratch directory is removed");
	tap_plan(tap_count);
	return tap_failed ? 1 : 0;
}
