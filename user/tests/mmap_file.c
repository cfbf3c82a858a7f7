// SPDX-License-Identifier: MIT
/*
 * File-backed mmap, compared with Linux: a MAP_SHARED write is seen by
 * read(2), by a second mapping and by another process; a MAP_PRIVATE
 * write is seen by nobody else and survives a later change of the file
 * only where it was made; touching a page past the end of the file is
 * SIGBUS (after a truncation too); msync's argument checks; fork keeps
 * both kinds of mapping; the mapping outlives the descriptor; the access
 * checks of mmap (EACCES, ENODEV, EBADF); /proc/self/maps names the file.
 */
#include <setjmp.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fsutil.h"
#include "utest.h"

#define PG 4096ul

static sigjmp_buf env;
static volatile int last_sig;

static void on_sig(int sig)
{
	last_sig = sig;
	siglongjmp(env, 1);
}

/* The signal a read (or write) of @p raises: 0, SIGBUS or SIGSEGV. */
static int touch(volatile char *p, bool write)
{
	signal(SIGBUS, on_sig);
	signal(SIGSEGV, on_sig);
	last_sig = 0;
	if (sigsetjmp(env, 1) == 0) {
		if (write)
			*p = 'w';
		else
			(void)*p;
	}
	signal(SIGBUS, SIG_DFL);
	signal(SIGSEGV, SIG_DFL);
	return last_sig;
}

static const char *signame(int sig)
{
	return sig == SIGBUS ? "SIGBUS" : sig == SIGSEGV ? "SIGSEGV" : sig ? "other" : "none";
}

/* A file of @n bytes, byte i = 'a' + i % 26; its descriptor (O_RDWR). */
static int make_file(const char *name, size_t n)
{
	char buf[PG];
	int fd = open(name, O_RDWR | O_CREAT | O_TRUNC, 0644);

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)('a' + i % 26);
	for (size_t done = 0; done < n;) {
		size_t k = n - done < sizeof(buf) ? n - done : sizeof(buf);

		if (write(fd, buf, k) != (ssize_t)k)
			return -1;
		done += k;
	}
	return fd;
}

static void shared_writes(void)
{
	int fd = make_file("shared", 3 * PG);
	char *a = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *b = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, PG);
	char buf[8] = { 0 };
	int status;
	pid_t pid;

	tap_ok(a != MAP_FAILED && b != MAP_FAILED, "two shared mappings of one file");
	tap_ok(a[0] == 'a' && a[PG + 1] == 'b', "a mapping shows the file's bytes");
	memcpy(a + PG + 10, "HELLO", 5);
	tap_ok(pread(fd, buf, 5, PG + 10) == 5 && !memcmp(buf, "HELLO", 5),
	       "read(2) sees a shared write");
	tap_ok(!memcmp(b + 10, "HELLO", 5), "a second mapping at another offset sees it");
	tap_ok(pwrite(fd, "WORLD", 5, 2 * PG) == 5 && !memcmp(a + 2 * PG, "WORLD", 5),
	       "a write(2) shows in the mapping");
	pid = fork();
	if (pid == 0) {
		a[5] = '!';
		_exit(0);
	}
	waitpid(pid, &status, 0);
	tap_ok(a[5] == '!', "a write by a forked child is seen by the parent");
	tap_errno(msync(a, 3 * PG, MS_SYNC), 0, "msync MS_SYNC");
	tap_errno(msync(a, PG, MS_ASYNC | MS_INVALIDATE), 0, "msync MS_ASYNC|MS_INVALIDATE");
	tap_errno(msync(a + 1, PG, MS_SYNC), EINVAL, "msync at an unaligned address");
	tap_errno(msync(a, PG, MS_SYNC | MS_ASYNC), EINVAL, "msync with both SYNC and ASYNC");
	tap_errno(msync(a, PG, 0x100), EINVAL, "msync with an unknown flag");
	munmap(a + PG, PG);
	tap_errno(msync(a, 3 * PG, MS_SYNC), ENOMEM, "msync over a hole");
	munmap(a, 3 * PG);
	munmap(b, 2 * PG);
	close(fd);
}

static void private_copies(void)
{
	int fd = make_file("private", 2 * PG);
	char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	char *q = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	char buf[4] = { 0 };
	int status;
	pid_t pid;

	tap_ok(p != MAP_FAILED && q != MAP_FAILED, "two private mappings");
	p[0] = 'X';
	tap_ok(pread(fd, buf, 1, 0) == 1 && buf[0] == 'a', "a private write stays out of the file");
	tap_ok(q[0] == 'a', "and out of another private mapping");
	pwrite(fd, "ZZ", 2, PG);
	tap_ok(p[PG] == 'Z', "an untouched private page follows the file");
	tap_ok(p[0] == 'X', "a written private page keeps its copy");
	pid = fork();
	if (pid == 0) {
		p[1] = 'C';
		_exit(p[0] == 'X' ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	tap_ok(WIFEXITED(status) && WEXITSTATUS(status) == 0 && p[1] == 'b',
	       "a forked child has the copy and its writes stay its own");
	munmap(p, 2 * PG);
	munmap(q, 2 * PG);
	close(fd);
}

static void past_the_end(void)
{
	int fd = make_file("short", PG + 100);
	char *p = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	tap_ok(p != MAP_FAILED, "a mapping longer than the file");
	tap_ok(p[PG + 99] == 'a' + 99 % 26 && p[PG + 100] == 0,
	       "the last page is zero past the end");
	tap_ok(!strcmp(signame(touch(p + 2 * PG, false)), "SIGBUS"),
	       "reading a page past the end: %s", signame(touch(p + 2 * PG, false)));
	tap_ok(!strcmp(signame(touch(p + 3 * PG, true)), "SIGBUS"),
	       "writing a page past the end: %s", signame(touch(p + 3 * PG, true)));
	tap_ok(p[10] == 'k', "the first page is there");
	tap_errno(madvise(p, 2 * PG, 22 /* MADV_POPULATE_READ */), 0,
	          "MADV_POPULATE_READ of the file's pages");
	tap_ok(p[PG] == 'a', "populated pages hold the file's bytes");
	tap_errno(madvise(p, 4 * PG, 22 /* MADV_POPULATE_READ */), EFAULT,
	          "MADV_POPULATE_READ past the end");
	tap_errno(ftruncate(fd, 100), 0, "truncate the mapped file to 100 bytes");
	tap_diag("after truncation, page 1: %s", signame(touch(p + PG, false)));
	tap_ok(touch(p + 50, false) == 0 && p[50] == 'a' + 50 % 26 && p[200] == 0,
	       "page 0 is still there, zero past the new end");
	tap_errno(ftruncate(fd, 2 * PG), 0, "grow it again");
	tap_ok(touch(p + PG, false) == 0 && p[PG] == 0, "the grown page reads zeros");
	munmap(p, 4 * PG);
	close(fd);
}

static void protect_and_remap(void)
{
	int fd = make_file("remap", 4 * PG);
	char *p = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0), *q;
	void *r;
	char buf[4] = { 0 };

	tap_ok(!strcmp(signame(touch(p, true)), "SIGSEGV"), "a read-only shared mapping: %s",
	       signame(touch(p, true)));
	tap_errno(mprotect(p + PG, PG, PROT_READ | PROT_WRITE), 0, "mprotect one page writable");
	p[PG + 2] = 'M';
	tap_ok(pread(fd, buf, 1, PG + 2) == 1 && buf[0] == 'M',
	       "a write after mprotect reaches the file");
	/* One region again (mremap may not span two). */
	tap_errno(mprotect(p, PG, PROT_READ | PROT_WRITE), 0, "mprotect the other page too");
	q = mremap(p, 2 * PG, 4 * PG, MREMAP_MAYMOVE);
	tap_ok(q != MAP_FAILED, "mremap grows the mapping");
	pwrite(fd, "R", 1, 3 * PG);
	tap_ok(q != MAP_FAILED && q[PG + 2] == 'M' && q[3 * PG] == 'R',
	       "the grown mapping maps the file at the right offsets");
	/* A place of its own to move to, so the fixed move replaces nothing else. */
	r = mmap(NULL, 2 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	tap_ok(mremap(q + 2 * PG, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, r) == r &&
	               ((char *)r)[PG] == 'R',
	       "a part moved elsewhere keeps its file offset");
	munmap(q, 2 * PG);
	munmap(r, 2 * PG);
	close(fd);
}

static void checks(void)
{
	int rw = make_file("modes", PG), ro = open("modes", O_RDONLY), wo = open("modes", O_WRONLY);
	int ap = open("modes", O_RDWR | O_APPEND), dir = open(".", O_RDONLY);
	void *p;

	tap_errno((long)mmap(NULL, PG, PROT_READ, MAP_SHARED, wo, 0), EACCES,
	          "mmap of a write-only descriptor");
	tap_errno((long)mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES,
	          "shared writable mmap of a read-only descriptor");
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ap, 0);
	tap_ok(p != MAP_FAILED, "shared writable mmap of an O_APPEND descriptor");
	munmap(p, PG);
	p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	tap_ok(p != MAP_FAILED, "private writable mmap of a read-only descriptor");
	munmap(p, PG);
	p = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
	tap_errno(mprotect(p, PG, PROT_READ | PROT_WRITE), EACCES,
	          "mprotect cannot make a shared mapping of a read-only descriptor writable");
	munmap(p, PG);
	tap_errno((long)mmap(NULL, PG, PROT_READ, MAP_SHARED, dir, 0), ENODEV,
	          "mmap of a directory");
	tap_errno((long)mmap(NULL, PG, PROT_READ, MAP_SHARED, 999, 0), EBADF,
	          "mmap of a closed descriptor");
	tap_errno((long)mmap(NULL, PG, PROT_READ, MAP_SHARED, rw, 1), EINVAL,
	          "mmap at an unaligned offset");
	close(rw);
	close(ro);
	close(wo);
	close(ap);
	close(dir);
}

static void outlives_the_descriptor(void)
{
	int fd = make_file("closed", PG);
	char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char line[512], want[64];
	bool found = false;
	FILE *maps;

	close(fd);
	unlink("closed");
	p[3] = '#';
	tap_ok(p[0] == 'a' && p[3] == '#', "the mapping works after close and unlink");
	snprintf(want, sizeof(want), "%lx-", (unsigned long)p);
	maps = fopen("/proc/self/maps", "r");
	while (maps && fgets(line, sizeof(line), maps))
		if (!strncmp(line, want, strlen(want)) && strstr(line, "/closed (deleted)"))
			found = true;
	if (maps)
		fclose(maps);
	tap_ok(found, "/proc/self/maps names the deleted file");
	munmap(p, PG);
}

static void maps_offset(void)
{
	int fd = make_file("offset", 4 * PG);
	char *p = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 2 * PG);
	char line[512], want[64];
	bool found = false;
	FILE *maps;

	snprintf(want, sizeof(want), "%lx-", (unsigned long)p);
	maps = fopen("/proc/self/maps", "r");
	while (maps && fgets(line, sizeof(line), maps))
		if (!strncmp(line, want, strlen(want)) && strstr(line, " r--s 00002000 ") &&
		    strstr(line, "/offset\n"))
			found = true;
	if (maps)
		fclose(maps);
	tap_ok(found, "/proc/self/maps shows the offset and the path");
	munmap(p, PG);
	close(fd);
}

int main(void)
{
	const char *dir = ut_scratch("mmap_file");

	/* The test initramfs does not mount /proc; an image that did keeps its mount. */
	if (access("/proc/self", F_OK) != 0 && (mkdir("/proc", 0555) == 0 || errno == EEXIST))
		mount("proc", "/proc", "proc", 0, NULL);

	if (!dir || chdir(dir) != 0) {
		tap_line("Bail out! no scratch directory: %s", tap_errno_name(errno));
		return 1;
	}
	shared_writes();
	private_copies();
	past_the_end();
	protect_and_remap();
	checks();
	outlives_the_descriptor();
	maps_offset();
	chdir("/");
	tap_ok(ut_rmtree(dir) == 0, "the scratch directory is removed");
	tap_plan(tap_count);
	return tap_failed ? 1 : 0;
}
