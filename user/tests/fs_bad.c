// SPDX-License-Identifier: MIT
/*
 * Bad input to the file calls (issue 12): path names at and past PATH_MAX
 * and NAME_MAX, symbolic-link loops and chains at and past Linux's 40
 * links, pointers that fault (EFAULT, never a crash), a path that runs
 * into an unmapped page, bad descriptors, and the descriptor limit
 * (EMFILE at RLIMIT_NOFILE). The raw system calls are used where a C
 * library would check the argument itself.
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/uio.h>

#include "fsutil.h"

#define UT_PATH_MAX 4096
#define UT_NAME_MAX 255

static char path[UT_PATH_MAX + 64];

/* "./././..../NAME", exactly @len bytes long (NUL not counted). */
static const char *long_path(size_t len, const char *name)
{
	size_t n = strlen(name), i = 0;

	while (i + n + 2 <= len) {
		path[i++] = '.';
		path[i++] = '/';
	}
	/* An odd remainder: one more slash, which the walk skips. */
	while (i + n < len)
		path[i++] = '/';
	memcpy(path + i, name, n + 1);
	return path;
}

static void lengths(void)
{
	char name[UT_NAME_MAX + 2];

	ut_put("f", "x", 1);
	tap_errno(close(open(long_path(UT_PATH_MAX - 1, "f"), O_RDONLY)), 0,
	          "a path of 4095 bytes opens");
	tap_errno(open(long_path(UT_PATH_MAX, "f"), O_RDONLY), ENAMETOOLONG,
	          "a path of 4096 bytes (PATH_MAX with its NUL + 1)");
	tap_errno(open(long_path(UT_PATH_MAX + 1, "f"), O_RDONLY), ENAMETOOLONG,
	          "a path of 4097 bytes");
	tap_errno(stat(long_path(UT_PATH_MAX, "f"), &(struct stat){ 0 }), ENAMETOOLONG,
	          "stat of a 4096-byte path");
	tap_errno(mkdir(long_path(UT_PATH_MAX, "d"), 0755), ENAMETOOLONG,
	          "mkdir of a 4096-byte path");
	memset(name, 'n', UT_NAME_MAX);
	name[UT_NAME_MAX] = '\0';
	tap_errno(close(open(name, O_CREAT | O_WRONLY, 0644)), 0, "a 255-byte name is made");
	tap_errno(unlink(name), 0, "and removed");
	name[UT_NAME_MAX] = 'n';
	name[UT_NAME_MAX + 1] = '\0';
	tap_errno(open(name, O_CREAT | O_WRONLY, 0644), ENAMETOOLONG, "a 256-byte name");
	tap_errno(open(name, O_RDONLY), ENAMETOOLONG, "a 256-byte name that is looked up");
	tap_errno(symlink(name, "ok-link"), 0, "a symbolic link may point at a 256-byte name");
	tap_errno(open("ok-link", O_RDONLY), ENAMETOOLONG, "following it: ENAMETOOLONG");
	tap_errno(symlink(long_path(UT_PATH_MAX, "f"), "too-long"), ENAMETOOLONG,
	          "a symbolic link of 4096 bytes");
}

static void loops(void)
{
	char a[16], b[16];
	int i;

	symlink("self", "self");
	tap_errno(open("self", O_RDONLY), ELOOP, "a link to itself");
	symlink("pong", "ping");
	symlink("ping", "pong");
	tap_errno(open("ping", O_RDONLY), ELOOP, "two links to each other");
	tap_errno(stat("ping/x", &(struct stat){ 0 }), ELOOP, "a loop inside a path");
	tap_errno(lstat("ping", &(struct stat){ 0 }), 0, "lstat of a looping link itself");
	tap_errno(chdir("ping"), ELOOP, "chdir into a loop");
	/* c0 -> f, c1 -> c0, ... c40 -> c39: following c39 takes 40 links, c40 takes 41. */
	symlink("f", "c0");
	for (i = 1; i <= 40; i++) {
		snprintf(a, sizeof(a), "c%d", i);
		snprintf(b, sizeof(b), "c%d", i - 1);
		symlink(b, a);
	}
	tap_errno(close(open("c39", O_RDONLY)), 0, "a chain of 40 links is followed");
	tap_errno(open("c40", O_RDONLY), ELOOP, "a chain of 41 links: ELOOP");
	tap_errno(open("c40", O_RDONLY | O_NOFOLLOW), ELOOP, "O_NOFOLLOW on the chain's head");
}

/* A page whose last bytes are a path with no NUL, followed by an unmapped page. */
static char *edge_page(void)
{
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (m == MAP_FAILED)
		return NULL;
	munmap(m + 4096, 4096);
	memset(m, 'f', 4096);
	return m;
}

static void faults(void)
{
	char *edge = edge_page();
	void *bad = (void *)16;
	int fd = open("f", O_RDWR);

	tap_errno(syscall(SYS_open, NULL, O_RDONLY), EFAULT, "open(NULL)");
	tap_errno(syscall(SYS_open, bad, O_RDONLY), EFAULT, "open of an unmapped path");
	tap_errno(syscall(SYS_open, (void *)0xffff800000000000ull, O_RDONLY), EFAULT,
	          "open of a kernel address");
	tap_errno(syscall(SYS_open, edge + 4096 - 3, O_RDONLY), EFAULT,
	          "a path running into an unmapped page");
	tap_errno(syscall(SYS_read, fd, bad, 1), EFAULT, "read into an unmapped buffer");
	tap_errno(syscall(SYS_write, fd, bad, 1), EFAULT, "write from an unmapped buffer");
	tap_errno(syscall(SYS_fstat, fd, bad), EFAULT, "fstat into an unmapped buffer");
	tap_errno(syscall(SYS_stat, "f", bad), EFAULT, "stat into an unmapped buffer");
	tap_errno(syscall(SYS_readv, fd, bad, 1), EFAULT, "readv of an unmapped vector");
	tap_errno(syscall(SYS_readlink, "c0", bad, 16), EFAULT, "readlink into an unmapped buffer");
	tap_errno(syscall(SYS_getcwd, bad, 256), EFAULT, "getcwd into an unmapped buffer");
	tap_errno(syscall(SYS_rename, "f", bad), EFAULT, "rename to an unmapped name");
	tap_errno(syscall(SYS_mkdir, bad, 0755), EFAULT, "mkdir of an unmapped name");
	tap_errno(syscall(SYS_pread64, fd, bad, 1, 0), EFAULT, "pread64 into an unmapped buffer");
	tap_ok(ut_exists("f") && ut_mode("f") == (S_IFREG | 0644), "the file is unharmed");
	close(fd);
	munmap(edge, 4096);
}

static void descriptors(void)
{
	struct rlimit rl;
	int n = 0, fd, first = -1;

	tap_errno(read(-1, path, 1), EBADF, "read of descriptor -1");
	tap_errno(write(4000, path, 1), EBADF, "write to descriptor 4000");
	tap_errno(lseek(1 << 30, 0, SEEK_SET), EBADF, "lseek of descriptor 2^30");
	tap_errno(fstat(-100, &(struct stat){ 0 }), EBADF, "fstat of -100 (AT_FDCWD)");
	getrlimit(RLIMIT_NOFILE, &rl);
	tap_ok(rl.rlim_cur == 1024, "RLIMIT_NOFILE is %ld", (long)rl.rlim_cur);
	while ((fd = open("f", O_RDONLY)) >= 0) {
		if (first < 0)
			first = fd;
		n++;
	}
	tap_errno(fd, EMFILE, "opening until the table is full");
	tap_ok(first == 3 && n == 1021, "descriptors 3..1023 opened: %d", n);
	tap_errno(dup(0), EMFILE, "dup with the table full");
	tap_errno(dup2(0, 1024), EBADF, "dup2 to 1024");
	for (fd = 3; fd < 1024; fd++)
		close(fd);
	tap_errno(close(open("f", O_RDONLY)), 0, "closing them frees the table");
}

int main(void)
{
	const char *dir = ut_scratch("fs_bad");

	if (!dir || chdir(dir) != 0) {
		tap_line("Bail out! no scratch directory: %s", tap_errno_name(errno));
		return 1;
	}
	umask(022);
	lengths();
	loops();
	faults();
	descriptors();
	chdir("/");
	tap_ok(ut_rmtree(dir) == 0, "the scratch directory is removed");
	tap_plan(tap_count);
	return tap_failed ? 1 : 0;
}
