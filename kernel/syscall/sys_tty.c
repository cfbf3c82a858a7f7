/* SPDX-License-Identifier: MIT */
/*
 * read, write, readv, writev, pread64 and pwrite64 on the console
 * descriptors (console.h): the bytes go through the console terminal of
 * kernel/tty, its line discipline and echo. A read blocks until a line
 * (canonical mode) or a byte (raw) is there, and gives up with
 * -ERESTARTSYS when a signal comes, so the signal lane can run a handler
 * and restart it or fail it with EINTR. User memory is copied through a
 * small buffer on the kernel stack, never touched under a terminal lock.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include <lib/string.h>

#include "sched/spinlock.h"
#include "syscall/console.h"
#include "syscall/internal.h"
#include "tty/tty.h"

#define TTY_CHUNK    256        /* bytes per copy through the kernel stack */
#define MAX_RW_COUNT 0x7ffff000 /* Linux's cap on one read or write: INT_MAX, page aligned */
#define IOV_MAX      1024       /* Linux's UIO_MAXIOV */
#define IOV_BATCH    16         /* iovecs copied in at a time */

struct iovec {
	uint64_t base; /* user address */
	uint64_t len;  /* bytes */
};

static bool console_nonblock(void)
{
	return __atomic_load_n(&console_fds_current()->status, __ATOMIC_RELAXED) & O_NONBLOCK;
}

static bool console_interrupted(void)
{
	return signal_pending();
}

/* One terminal read of at most TTY_CHUNK bytes into @kbuf (one line in canonical mode). */
static long console_read_chunk(char *kbuf, size_t n)
{
	struct tty *t = console_tty();
	long got;

	if (!t)
		return -EIO;
	got = tty_read_opts(t, kbuf, n < TTY_CHUNK ? n : TTY_CHUNK, console_nonblock(),
	                    console_interrupted);
	return got == -EINTR ? -ERESTARTSYS : got;
}

/* Write @n bytes of user memory at @ubuf; returns bytes written or -EFAULT/-ERESTARTSYS. */
static long console_write_user(uint64_t ubuf, size_t n)
{
	struct tty *t = console_tty();
	char kbuf[TTY_CHUNK];
	size_t done = 0;

	if (!t)
		return -EIO;
	while (done < n) {
		size_t take = user_piece(ubuf + done, n - done, sizeof(kbuf));

		if (copy_from_user(kbuf, (const void *)(ubuf + done), take))
			return done ? (long)done : -EFAULT;
		tty_write(t, kbuf, take);
		done += take;
		/* A long write stops early for a signal, having written something. */
		if (done < n && signal_pending())
			break;
	}
	return (long)done;
}

long sys_read(uint64_t fd, uint64_t buf, uint64_t count, uint64_t a3, uint64_t a4, uint64_t a5)
{
	char kbuf[TTY_CHUNK];
	long err = console_fd(fd), got;

	if (err < 0)
		return err;
	if (!user_range_ok(buf, count))
		return -EFAULT;
	if (!count)
		return 0;
	got = console_read_chunk(kbuf, count);
	if (got > 0 && copy_to_user((void *)buf, kbuf, (size_t)got))
		return -EFAULT;
	return got;
}

long sys_write(uint64_t fd, uint64_t buf, uint64_t count, uint64_t a3, uint64_t a4, uint64_t a5)
{
	long err = console_fd(fd);

	if (err < 0)
		return err;
	if (!user_range_ok(buf, count))
		return -EFAULT;
	return console_write_user(buf, count < MAX_RW_COUNT ? count : MAX_RW_COUNT);
}

/* A terminal has no file position. */
long sys_pread64(uint64_t fd, uint64_t buf, uint64_t count, uint64_t pos, uint64_t a4, uint64_t a5)
{
	long err = console_fd(fd);

	return err < 0 ? err : -ESPIPE;
}

long sys_pwrite64(uint64_t fd, uint64_t buf, uint64_t count, uint64_t pos, uint64_t a4, uint64_t a5)
{
	long err = console_fd(fd);

	return err < 0 ? err : -ESPIPE;
}

/*
 * Check an iovec array as Linux does before any transfer: the count in
 * 0..IOV_MAX, each length a valid ssize_t, each range in user space, and
 * the total; store it (capped at MAX_RW_COUNT) in *@total.
 */
static int iov_check(uint64_t uiov, uint64_t cnt, size_t *total)
{
	struct iovec v[IOV_BATCH];
	uint64_t sum = 0;

	if ((int)cnt < 0 || (int)cnt > IOV_MAX)
		return -EINVAL;
	for (unsigned i = 0; i < (unsigned)(int)cnt; i += IOV_BATCH) {
		unsigned n =
			(unsigned)(int)cnt - i < IOV_BATCH ? (unsigned)(int)cnt - i : IOV_BATCH;

		if (copy_from_user(v, (const void *)(uiov + i * sizeof(*v)), n * sizeof(*v)))
			return -EFAULT;
		for (unsigned j = 0; j < n; j++) {
			if ((int64_t)v[j].len < 0 || sum + v[j].len < sum ||
			    (int64_t)(sum + v[j].len) < 0)
				return -EINVAL;
			if (!user_range_ok(v[j].base, v[j].len))
				return -EFAULT;
			sum += v[j].len;
		}
	}
	*total = sum < MAX_RW_COUNT ? sum : MAX_RW_COUNT;
	return 0;
}

/* Visit each iovec of user array @uiov in order with @fn until it returns <= 0 or @total is used. */
static long iov_each(uint64_t uiov, unsigned cnt, size_t total,
                     long (*fn)(const struct iovec *v, size_t off, void *ctx), void *ctx)
{
	struct iovec v;
	size_t done = 0;

	for (unsigned i = 0; i < cnt && done < total; i++) {
		long r;

		if (copy_from_user(&v, (const void *)(uiov + i * sizeof(v)), sizeof(v)))
			return done ? (long)done : -EFAULT;
		if (v.len > total - done)
			v.len = total - done;
		if (!v.len)
			continue;
		r = fn(&v, done, ctx);
		if (r < 0)
			return done ? (long)done : r;
		done += (size_t)r;
		if ((size_t)r < v.len)
			break;
	}
	return (long)done;
}

static long writev_one(const struct iovec *v, size_t off, void *ctx)
{
	/* The range was checked by iov_check(); a changed iovec is checked again by the copy. */
	return console_write_user(v->base, v->len);
}

long sys_writev(uint64_t fd, uint64_t uiov, uint64_t cnt, uint64_t a3, uint64_t a4, uint64_t a5)
{
	long err = console_fd(fd);
	size_t total;

	if (err < 0)
		return err;
	err = iov_check(uiov, cnt, &total);
	if (err)
		return err;
	return iov_each(uiov, (unsigned)(int)cnt, total, writev_one, NULL);
}

/* readv: one terminal read, then its bytes spread over the iovecs in order. */
struct readv_ctx {
	const char *kbuf;
	size_t got;
};

static long readv_one(const struct iovec *v, size_t off, void *ctx)
{
	struct readv_ctx *c = ctx;
	size_t take = c->got - off < v->len ? c->got - off : v->len;

	if (copy_to_user((void *)v->base, c->kbuf + off, take))
		return -EFAULT;
	return (long)take;
}

long sys_readv(uint64_t fd, uint64_t uiov, uint64_t cnt, uint64_t a3, uint64_t a4, uint64_t a5)
{
	char kbuf[TTY_CHUNK];
	struct readv_ctx c = { .kbuf = kbuf };
	long err = console_fd(fd), got;
	size_t total;

	if (err < 0)
		return err;
	err = iov_check(uiov, cnt, &total);
	if (err)
		return err;
	if (!total)
		return 0;
	got = console_read_chunk(kbuf, total);
	if (got <= 0)
		return got;
	c.got = (size_t)got;
	return iov_each(uiov, (unsigned)(int)cnt, c.got, readv_one, &c);
}
