/* SPDX-License-Identifier: MIT */
/*
 * Descriptor calls over the console descriptors of console.h: close, dup,
 * dup2, dup3, fcntl, fstat, newfstatat (empty path only) and lseek. Every
 * open descriptor is the console, so these only move bits in the calling
 * process's struct console_fds; anything else answers EBADF.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "syscall/console.h"
#include "syscall/internal.h"
#include "time/time.h"

void console_fds_init(struct console_fds *f)
{
	*f = (struct console_fds)CONSOLE_FDS_INIT;
}

void console_fds_exec(struct console_fds *f)
{
	uint32_t drop = __atomic_exchange_n(&f->cloexec, 0, __ATOMIC_RELAXED);

	__atomic_and_fetch(&f->open, ~drop, __ATOMIC_RELAXED);
}

/*
 * The descriptor in argument @a if it is open, else -EBADF. Linux takes fds
 * as unsigned int, so the upper half of the register is ignored.
 */
long console_fd(uint64_t a)
{
	unsigned fd = (unsigned)a;

	if (fd >= CONSOLE_FDS_MAX)
		return -EBADF;
	if (!(__atomic_load_n(&console_fds_current()->open, __ATOMIC_RELAXED) & (1u << fd)))
		return -EBADF;
	return fd;
}

/* Open the lowest free descriptor at or above @min; -EMFILE when none is left. */
static long fd_alloc(struct console_fds *f, unsigned min, bool cloexec)
{
	uint32_t open = __atomic_load_n(&f->open, __ATOMIC_RELAXED);

	for (;;) {
		unsigned fd = min;

		while (fd < CONSOLE_FDS_MAX && (open & (1u << fd)))
			fd++;
		if (fd >= CONSOLE_FDS_MAX)
			return -EMFILE;
		if (__atomic_compare_exchange_n(&f->open, &open, open | (1u << fd), false,
		                                __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
			if (cloexec)
				__atomic_or_fetch(&f->cloexec, 1u << fd, __ATOMIC_RELAXED);
			else
				__atomic_and_fetch(&f->cloexec, ~(1u << fd), __ATOMIC_RELAXED);
			return fd;
		}
	}
}

long sys_close(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct console_fds *f = console_fds_current();
	uint32_t bit;

	if ((unsigned)fd >= CONSOLE_FDS_MAX)
		return -EBADF;
	bit = 1u << (unsigned)fd;
	if (!(__atomic_fetch_and(&f->open, ~bit, __ATOMIC_RELAXED) & bit))
		return -EBADF;
	__atomic_and_fetch(&f->cloexec, ~bit, __ATOMIC_RELAXED);
	return 0;
}

long sys_dup(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	long err = console_fd(fd);

	return err < 0 ? err : fd_alloc(console_fds_current(), 0, false);
}

/* dup2 and dup3: @newfd becomes (another name of) the console, closed first if open. */
static long fd_dup_to(uint64_t oldfd, uint64_t newfd, bool cloexec)
{
	struct console_fds *f = console_fds_current();
	long err = console_fd(oldfd);
	uint32_t bit;

	if (err < 0)
		return err;
	/* Linux: a target beyond the descriptor limit is EBADF. */
	if ((unsigned)newfd >= CONSOLE_FDS_MAX)
		return -EBADF;
	bit = 1u << (unsigned)newfd;
	__atomic_or_fetch(&f->open, bit, __ATOMIC_RELAXED);
	if (cloexec)
		__atomic_or_fetch(&f->cloexec, bit, __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&f->cloexec, ~bit, __ATOMIC_RELAXED);
	return (unsigned)newfd;
}

long sys_dup2(uint64_t oldfd, uint64_t newfd, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	long err = console_fd(oldfd);

	/* dup2(fd, fd) only checks that fd is open. */
	if (err < 0 || (unsigned)oldfd == (unsigned)newfd)
		return err;
	return fd_dup_to(oldfd, newfd, false);
}

long sys_dup3(uint64_t oldfd, uint64_t newfd, uint64_t flags, uint64_t a3, uint64_t a4, uint64_t a5)
{
	if ((int)flags & ~O_CLOEXEC)
		return -EINVAL;
	if ((unsigned)oldfd == (unsigned)newfd)
		return -EINVAL;
	return fd_dup_to(oldfd, newfd, (int)flags & O_CLOEXEC);
}

long sys_fcntl(uint64_t fd, uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct console_fds *f = console_fds_current();
	long err = console_fd(fd);
	uint32_t bit = 1u << (unsigned)fd;

	if (err < 0)
		return err;
	switch ((int)cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((unsigned)arg >= CONSOLE_FDS_MAX)
			return -EINVAL;
		return fd_alloc(f, (unsigned)arg, (int)cmd == F_DUPFD_CLOEXEC);
	case F_GETFD:
		return (__atomic_load_n(&f->cloexec, __ATOMIC_RELAXED) & bit) ? FD_CLOEXEC : 0;
	case F_SETFD:
		if (arg & FD_CLOEXEC)
			__atomic_or_fetch(&f->cloexec, bit, __ATOMIC_RELAXED);
		else
			__atomic_and_fetch(&f->cloexec, ~bit, __ATOMIC_RELAXED);
		return 0;
	case F_GETFL:
		return O_RDWR | __atomic_load_n(&f->status, __ATOMIC_RELAXED);
	case F_SETFL:
		/* Only O_APPEND and O_NONBLOCK mean anything on the console; keep those. */
		__atomic_store_n(&f->status, (uint32_t)arg & (O_APPEND | O_NONBLOCK),
		                 __ATOMIC_RELAXED);
		return 0;
	default:
		return -EINVAL;
	}
}

/* The console as stat(2) shows it: a character device, /dev/console's 5:1, owned by root. */
static int console_stat(void *ubuf)
{
	struct stat st;
	uint64_t now = clock_realtime_ns();

	memset(&st, 0, sizeof(st));
	st.st_dev = DEV_ENCODE(0, 6);
	st.st_ino = 1;
	st.st_nlink = 1;
	st.st_mode = S_IFCHR | 0620;
	st.st_rdev = DEV_ENCODE(5, 1);
	st.st_blksize = 1024;
	st.st_atime_sec = st.st_mtime_sec = st.st_ctime_sec = (int64_t)(now / NSEC_PER_SEC);
	return copy_to_user(ubuf, &st, sizeof(st));
}

long sys_fstat(uint64_t fd, uint64_t buf, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	long err = console_fd(fd);

	return err < 0 ? err : console_stat((void *)buf);
}

/* Only the fstat form (an empty path with AT_EMPTY_PATH): there are no files yet. */
long sys_newfstatat(uint64_t dirfd, uint64_t path, uint64_t buf, uint64_t flags, uint64_t a4,
                    uint64_t a5)
{
	char name[2];
	long n = strncpy_from_user(name, (const char *)path, sizeof(name));
	long err;

	if (n < 0)
		return n == -ENAMETOOLONG ? -ENOENT : n;
	if (n > 0)
		return -ENOENT;
	if (!((int)flags & AT_EMPTY_PATH))
		return -ENOENT;
	err = console_fd(dirfd);
	return err < 0 ? err : console_stat((void *)buf);
}

/* A terminal cannot seek. */
long sys_lseek(uint64_t fd, uint64_t off, uint64_t whence, uint64_t a3, uint64_t a4, uint64_t a5)
{
	long err = console_fd(fd);

	return err < 0 ? err : -ESPIPE;
}
