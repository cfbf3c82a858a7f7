/* SPDX-License-Identifier: MIT */
/*
 * Descriptor calls: dup, dup2, dup3, fcntl, ioctl's generic requests
 * (FIONBIO, FIOCLEX, FIONCLEX, FIOASYNC; the rest goes to the file's own
 * ioctl), close_range and flock. Record locks (F_SETLK, F_GETLK, flock)
 * are answered simply: every lock is granted and none is recorded, which
 * is what a single-user system without lock contention sees; busybox
 * uses them rarely (docs/vfs.md says so).
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/termios.h>

#include "fs/file.h"
#include "fs/pipe.h"
#include "fs/vfs.h"
#include "proc/proc.h"
#include "syscall/internal.h"
#include "syscall/sys_fs.h"

#define FIOCLEX  0x5451
#define FIONCLEX 0x5450
#define FIOASYNC 0x5452

/* The flags F_SETFL may change (Linux's SETFL_MASK). */
#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

#define CLOSE_RANGE_UNSHARE 0x2u
#define CLOSE_RANGE_CLOEXEC 0x4u

#define LOCK_SH 1
#define LOCK_EX 2
#define LOCK_NB 4
#define LOCK_UN 8

static long dup_min(int fd, int min, bool cloexec)
{
	struct file *f = fd_get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = fd_install(fdtable_current(), f, min, cloexec);
	if (r < 0)
		file_put(f);
	return r;
}

long sys_dup(uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	return dup_min((int)fd, 0, false);
}

static long dup_to(int oldfd, int newfd, bool cloexec)
{
	struct file *f = fd_get(oldfd);
	long r;

	if (!f)
		return -EBADF;
	r = fd_replace(fdtable_current(), newfd, f, cloexec);
	if (r < 0)
		file_put(f);
	return r;
}

long sys_dup2(uint64_t oldfd, uint64_t newfd, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct file *f;

	/* dup2(fd, fd) only checks that fd is open. */
	if ((int)oldfd == (int)newfd) {
		f = fd_get((int)oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return (int)newfd;
	}
	return dup_to((int)oldfd, (int)newfd, false);
}

long sys_dup3(uint64_t oldfd, uint64_t newfd, uint64_t flags, uint64_t a3, uint64_t a4, uint64_t a5)
{
	if ((int)flags & ~O_CLOEXEC)
		return -EINVAL;
	if ((int)oldfd == (int)newfd)
		return -EINVAL;
	return dup_to((int)oldfd, (int)newfd, (int)flags & O_CLOEXEC);
}

/* The caller's RLIMIT_NOFILE (F_DUPFD's bound), at most FDTABLE_MAX. */
static long nofile_limit(void)
{
	struct process *p = process_current();
	uint64_t lim = FDTABLE_MAX;

	if (p) {
		spin_lock(&p->lock);
		lim = p->rlim[RLIMIT_NOFILE].rlim_cur;
		spin_unlock(&p->lock);
	}
	return lim < FDTABLE_MAX ? (long)lim : FDTABLE_MAX;
}

static long fcntl_setfl(struct file *f, uint64_t arg)
{
	unsigned old = __atomic_load_n(&f->flags, __ATOMIC_RELAXED), want;

	/* Clearing O_APPEND of a file opened that way is EPERM only for append-only inodes. */
	do {
		want = (old & ~(unsigned)SETFL_MASK) | ((unsigned)arg & SETFL_MASK);
	} while (!__atomic_compare_exchange_n(&f->flags, &old, want, false, __ATOMIC_RELAXED,
	                                      __ATOMIC_RELAXED));
	return 0;
}

/* F_GETLK/F_SETLK/F_SETLKW: check the request, grant it (see the file's comment). */
static long fcntl_lock(struct file *f, int cmd, uint64_t arg)
{
	struct flock fl;

	if (copy_from_user(&fl, (const void *)arg, sizeof(fl)))
		return -EFAULT;
	if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
		return -EINVAL;
	if (fl.l_whence > SEEK_END)
		return -EINVAL;
	if (fl.l_type == F_RDLCK && !(f->fmode & FMODE_READ))
		return -EBADF;
	if (fl.l_type == F_WRLCK && !(f->fmode & FMODE_WRITE))
		return -EBADF;
	if (cmd != F_GETLK)
		return 0;
	fl.l_type = F_UNLCK;
	return copy_to_user((void *)arg, &fl, sizeof(fl));
}

static long fcntl_file(struct file *f, int fd, int cmd, uint64_t arg)
{
	long r;

	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((int)arg < 0 || (int)arg >= nofile_limit())
			return -EINVAL;
		file_get(f);
		r = fd_install(fdtable_current(), f, (int)arg, cmd == F_DUPFD_CLOEXEC);
		if (r < 0)
			file_put(f);
		return r;
	case F_GETFD:
		r = fd_get_cloexec(fdtable_current(), fd);
		return r < 0 ? r : (r ? FD_CLOEXEC : 0);
	case F_SETFD:
		return fd_set_cloexec(fdtable_current(), fd, arg & FD_CLOEXEC);
	case F_GETFL:
		return (f->fmode & FMODE_PATH) ? O_PATH
		                               : __atomic_load_n(&f->flags, __ATOMIC_RELAXED);
	case F_SETFL:
		return fcntl_setfl(f, arg);
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
		return fcntl_lock(f, cmd, arg);
	case F_GETOWN:
		return 0;
	case F_SETOWN:
		return 0;
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
		/* fs/pipe.h: -EBADF for anything but a pipe or FIFO, as Linux. */
		return pipe_fcntl(f, (unsigned)cmd, arg);
	default:
		return -EINVAL;
	}
}

long sys_fcntl(uint64_t fd, uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct file *f = fd_get((int)fd);
	long r;

	if (!f)
		return -EBADF;
	/* An O_PATH descriptor only dups and answers F_GETFD/SETFD/GETFL (Linux). */
	if ((f->fmode & FMODE_PATH) && (int)cmd != F_DUPFD && (int)cmd != F_DUPFD_CLOEXEC &&
	    (int)cmd != F_GETFD && (int)cmd != F_SETFD && (int)cmd != F_GETFL)
		r = -EBADF;
	else
		r = fcntl_file(f, (int)fd, (int)cmd, arg);
	file_put(f);
	return r;
}

static long ioctl_fionbio(struct file *f, uint64_t arg)
{
	int on;

	if (copy_from_user(&on, (const void *)arg, sizeof(on)))
		return -EFAULT;
	if (on)
		__atomic_or_fetch(&f->flags, O_NONBLOCK, __ATOMIC_RELAXED);
	else
		__atomic_and_fetch(&f->flags, ~(unsigned)O_NONBLOCK, __ATOMIC_RELAXED);
	return 0;
}

long sys_ioctl(uint64_t fd, uint64_t cmd, uint64_t arg, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct file *f = fd_get_io((int)fd);
	long r;

	if (!f)
		return -EBADF;
	/* Linux takes the request as unsigned int. */
	switch ((unsigned)cmd) {
	case FIOCLEX:
	case FIONCLEX:
		r = fd_set_cloexec(fdtable_current(), (int)fd, (unsigned)cmd == FIOCLEX);
		break;
	case FIONBIO:
		r = ioctl_fionbio(f, arg);
		break;
	case FIOASYNC:
		r = 0; /* no SIGIO yet: the request is accepted and changes nothing */
		break;
	default:
		r = f->ops && f->ops->ioctl ? f->ops->ioctl(f, (unsigned)cmd, arg) : -ENOTTY;
	}
	file_put(f);
	return r;
}

long sys_close_range(uint64_t first, uint64_t last, uint64_t flags, uint64_t a3, uint64_t a4,
                     uint64_t a5)
{
	struct fdtable *t = fdtable_current();

	if ((unsigned)flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC))
		return -EINVAL;
	if ((unsigned)first > (unsigned)last)
		return -EINVAL;
	for (unsigned fd = (unsigned)first; fd <= (unsigned)last && fd < FDTABLE_MAX; fd++) {
		/* A descriptor that is not open is simply skipped (-EBADF). */
		int r = (unsigned)flags & CLOSE_RANGE_CLOEXEC ? fd_set_cloexec(t, (int)fd, true)
		                                              : fd_close(t, (int)fd);

		(void)r;
	}
	return 0;
}

long sys_flock(uint64_t fd, uint64_t op, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct file *f = fd_get((int)fd);
	int kind = (int)op & ~LOCK_NB;

	if (!f)
		return -EBADF;
	file_put(f);
	if (kind != LOCK_SH && kind != LOCK_EX && kind != LOCK_UN)
		return -EINVAL;
	return 0;
}
