/* SPDX-License-Identifier: MIT */
/*
 * The fuzzer's file mode (fuzz_files.h): the calls, the argument pools and
 * the two invariant checks. Paths come from a pool that stays inside the
 * child's scratch directory; symbolic links are made only to targets that
 * do too (or to "/", which the unprivileged fuzzer cannot write), so a
 * run can only touch its own tree.
 */
#include "fuzz_files.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "include/cairn/linux/syscall_nr.h"

/* The file calls of issue 12, and a few neighbours that take descriptors. */
static const long file_calls[] = {
	__NR_open,     __NR_openat,     __NR_creat,           __NR_read,
	__NR_write,    __NR_pread64,    __NR_pwrite64,        __NR_readv,
	__NR_writev,   __NR_lseek,      __NR_close,           __NR_dup,
	__NR_dup2,     __NR_dup3,       __NR_fcntl,           __NR_sendfile,
	__NR_stat,     __NR_fstat,      __NR_lstat,           __NR_newfstatat,
	__NR_statx,    __NR_getdents64, __NR_truncate,        __NR_ftruncate,
	__NR_chmod,    __NR_fchmod,     __NR_fchmodat,        __NR_chown,
	__NR_fchown,   __NR_lchown,     __NR_fchownat,        __NR_umask,
	__NR_access,   __NR_faccessat,  __NR_faccessat2,      __NR_utimensat,
	__NR_mkdir,    __NR_mkdirat,    __NR_rmdir,           __NR_unlink,
	__NR_unlinkat, __NR_rename,     __NR_renameat,        __NR_renameat2,
	__NR_link,     __NR_linkat,     __NR_symlink,         __NR_symlinkat,
	__NR_readlink, __NR_readlinkat, __NR_chdir,           __NR_fchdir,
	__NR_getcwd,   __NR_mknod,      __NR_mknodat,         __NR_statfs,
	__NR_fstatfs,  __NR_sync,       __NR_fsync,           __NR_fdatasync,
	__NR_getdents, __NR_fallocate,  __NR_copy_file_range,
};
#define NFILE_CALLS (sizeof(file_calls) / sizeof(file_calls[0]))

/* Names inside the scratch directory (relative), some broken on purpose. */
static const char *const inside[] = {
	"a",   "b",   "c",   "d",           "d/e",   "d/e/f",  "d/../a",  "./b",
	"a/x", "l1",  "l2",  "l1/a",        "f",     "e/",     "d/",      "",
	".",   "d/.", "l2/", "d/e/../../c", "d/e/g", "d/l1/a", "d//e//f",
};
/* Absolute paths the unprivileged fuzzer can read but not change. */
static const char *const outside[] = { "/", "/init", "/t", "/bin/busybox", "/nonexistent" };
/* Targets of the links it makes. */
static const char *const targets[] = { "a", "d", "d/e", "l1", "l2", "/", "missing", "d/e/../.." };

static char name255[256], name256[258], path4095[4096], path4097[4100];

static uint64_t pick(struct fuzz_env *e, uint64_t n)
{
	return fuzz_rand(e) % n;
}

static void fill_long_names(void)
{
	size_t i;

	memset(name255, 'n', 255);
	memset(name256, 'n', 256);
	/* "./././.../a": 4095 bytes that name "a", and a 4097-byte one that is too long. */
	for (i = 0; i + 3 < sizeof(path4095) - 1; i += 2)
		memcpy(path4095 + i, "./", 2);
	while (i < sizeof(path4095) - 2)
		path4095[i++] = '/';
	path4095[i] = 'a';
	memcpy(path4097, path4095, sizeof(path4095));
	memcpy(path4097 + 4094, "/./a", 5);
}

bool fuzz_files_setup(struct fuzz_env *e, const char *dir)
{
	fill_long_names();
	snprintf(e->probe_dir, sizeof(e->probe_dir), "%s.p", dir);
	if (mkdir(dir, 0755) || mkdir(e->probe_dir, 0700) || chdir(dir))
		return false;
	mkdir("d", 0755);
	close(open("a", O_CREAT | O_WRONLY, 0644));
	symlink("a", "l1");
	e->nfds = 0;
	fuzz_files_result(e, __NR_open, open(".", O_RDONLY | O_DIRECTORY));
	fuzz_files_result(e, __NR_open, open("a", O_RDWR));
	return true;
}

/* The calls -c chose (none: all of file_calls). */
static long only[NFILE_CALLS];
static unsigned nonly;

void fuzz_files_only(const char *list)
{
	char *end;

	for (nonly = 0; *list && nonly < NFILE_CALLS; list = *end ? end + 1 : end) {
		only[nonly++] = strtol(list, &end, 10);
		if (end == list)
			break;
	}
}

long fuzz_files_pick(struct fuzz_env *e)
{
	if (nonly)
		return only[pick(e, nonly)];
	return file_calls[pick(e, NFILE_CALLS)];
}

static const char *path(struct fuzz_env *e, bool target)
{
	uint64_t r = pick(e, 100);

	if (target)
		return r < 90 ? targets[pick(e, sizeof(targets) / sizeof(targets[0]))] : name255;
	if (r < 80)
		return inside[pick(e, sizeof(inside) / sizeof(inside[0]))];
	if (r < 88)
		return outside[pick(e, sizeof(outside) / sizeof(outside[0]))];
	if (r < 92)
		return name255;
	if (r < 95)
		return name256;
	return r < 98 ? path4095 : path4097;
}

static uint64_t fd(struct fuzz_env *e)
{
	uint64_t r = pick(e, 100);

	if (r < 60 && e->nfds)
		return (uint64_t)(int64_t)e->fds[pick(e, e->nfds < 8 ? e->nfds : 8)];
	if (r < 75)
		return (uint64_t)-100; /* AT_FDCWD */
	if (r < 92)
		return pick(e, 10);
	return r < 96 ? (uint64_t)-1 : fuzz_rand(e);
}

static uint64_t open_flags(struct fuzz_env *e)
{
	static const uint64_t
		bits
			[] = { O_CREAT,    O_EXCL,    O_TRUNC,  O_APPEND, O_DIRECTORY,
		               O_NOFOLLOW, O_CLOEXEC, O_PATH,   O_NOCTTY, O_SYNC,
		               O_DSYNC,    O_NOATIME, 020000000 /* O_TMPFILE's own bit */ };
	uint64_t f = pick(e, 4); /* O_RDONLY, O_WRONLY, O_RDWR, or the invalid 3 */

	for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (pick(e, 4) == 0)
			f |= bits[i];
	/* Usually non-blocking: opening a FIFO otherwise waits for the watchdog. */
	if (pick(e, 4))
		f |= O_NONBLOCK;
	return f;
}

static uint64_t mode(struct fuzz_env *e)
{
	static const uint64_t types[] = {
		0, S_IFREG, S_IFIFO, S_IFDIR, S_IFCHR, S_IFSOCK, S_IFLNK
	};
	uint64_t m = pick(e, 010000);

	return pick(e, 3) ? m : m | types[pick(e, sizeof(types) / sizeof(types[0]))];
}

/* AT_* and RENAME_* flags, or now and then anything. */
static uint64_t at_flags(struct fuzz_env *e)
{
	static const uint64_t bits[] = { 0x100, 0x200, 0x400, 0x800, 0x1000, 0x1, 0x2, 0x4 };
	uint64_t f = 0;

	if (pick(e, 16) == 0)
		return fuzz_rand(e);
	for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (pick(e, 5) == 0)
			f |= bits[i];
	return f;
}

static uint64_t offset(struct fuzz_env *e)
{
	static const uint64_t pool[] = { 0,
		                         1,
		                         100,
		                         4095,
		                         4096,
		                         4097,
		                         65536,
		                         1 << 20,
		                         1ull << 31,
		                         1ull << 40,
		                         1ull << 62,
		                         (uint64_t)-1,
		                         (uint64_t)-4096,
		                         0x7fffffffffffffffull };

	return pick(e, 2) ? pick(e, 10000) : pool[pick(e, sizeof(pool) / sizeof(pool[0]))];
}

/* The argument index of a call's AT_* flags, a count and an offset (-1: none). */
static void special_args(long nr, int *flags, int *count, int *off)
{
	*flags = *count = *off = -1;
	if (nr == __NR_read || nr == __NR_write || nr == __NR_getdents64 || nr == __NR_getdents ||
	    nr == __NR_readlink || nr == __NR_pread64 || nr == __NR_pwrite64)
		*count = 2;
	if (nr == __NR_pread64 || nr == __NR_pwrite64)
		*off = 3;
	if (nr == __NR_lseek || nr == __NR_truncate || nr == __NR_ftruncate)
		*off = 1;
	if (nr == __NR_readlinkat || nr == __NR_sendfile)
		*count = 3;
	if (nr == __NR_unlinkat || nr == __NR_statx)
		*flags = 2;
	if (nr == __NR_newfstatat || nr == __NR_utimensat || nr == __NR_faccessat2)
		*flags = 3;
	if (nr == __NR_fchownat || nr == __NR_linkat || nr == __NR_renameat2)
		*flags = 4;
}

void fuzz_files_args(struct fuzz_env *e, long nr, uint64_t a[6])
{
	int flags, count, off;

	for (int i = 0; i < 6; i++) {
		char k = fuzz_arg_kind(nr, i);
		/* The first string of symlink and the second of symlinkat are the link's target. */
		bool target = i == 0 && (nr == __NR_symlink || nr == __NR_symlinkat);

		if (k == 'S' && pick(e, 16))
			a[i] = (uint64_t)(uintptr_t)path(e, target);
		else if (k == 'F')
			a[i] = fd(e);
		else if (k == 'O')
			a[i] = open_flags(e);
		else if (k == 'M')
			a[i] = mode(e);
	}
	special_args(nr, &flags, &count, &off);
	if (flags >= 0)
		a[flags] = at_flags(e);
	if (count >= 0 && pick(e, 8))
		a[count] = pick(e, 8193);
	if (off >= 0)
		a[off] = offset(e);
	if (nr == __NR_lseek)
		a[2] = pick(e, 6); /* SEEK_SET .. SEEK_HOLE, and 5 */
	if (nr == __NR_fcntl && pick(e, 4)) {
		static const uint64_t cmds[] = { 0, 1, 2, 3, 4, 1030, 1031, 1032, 1024, 1025 };

		a[1] = cmds[pick(e, sizeof(cmds) / sizeof(cmds[0]))];
		a[2] = pick(e, 2) ? pick(e, 64) : open_flags(e);
	}
	/* Ownership: ids near the fuzzer's own, so some chowns are allowed. */
	if (nr == __NR_chown || nr == __NR_fchown || nr == __NR_lchown || nr == __NR_fchownat) {
		int base = nr == __NR_fchownat ? 2 : 1;

		a[base] = pick(e, 2) ? (uint64_t)-1 : 999 + pick(e, 3);
		a[base + 1] = pick(e, 2) ? (uint64_t)-1 : 999 + pick(e, 3);
	}
}

void fuzz_files_result(struct fuzz_env *e, long nr, long ret)
{
	if (ret < 0 || ret > 1 << 20)
		return;
	if (nr == __NR_open || nr == __NR_openat || nr == __NR_creat || nr == __NR_dup ||
	    nr == __NR_dup2 || nr == __NR_dup3)
		e->fds[e->nfds++ % 8] = (int)ret;
}
