/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of the sys lane's calls with real user memory (sys_user.h):
 * uname, sysinfo, getrandom, getcpu, the clocks and sleeps, and the console
 * descriptors on a test terminal whose output is captured. Bad pointers
 * (kernel addresses, unmapped user pages, non-canonical) give EFAULT.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>
#include <cairn/linux/syscall_nr.h>
#include <cairn/linux/termios.h>
#include <cairn/linux/time.h>
#include <cairn/linux/utsname.h>

#include <lib/string.h>

#include "fs/file.h"
#include "mm/uaccess.h"
#include "sys_user.h"
#include "syscall/internal.h"
#include "time/time.h"
#include "tty/tty.h"

#define KERNEL_PTR 0xffffffff80000000ull
#define UNMAPPED   (SYS_USER_BASE + SYS_USER_BYTES + 0x100000)
#define NONCANON   0x0000800000000000ull

static long call(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	const uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };

	return syscall_dispatch(nr, args);
}

static void uget(void *dst, uint64_t uaddr, size_t n)
{
	EXPECT_EQ(copy_from_user(dst, (const void *)uaddr, n), 0);
}

static void uput(uint64_t uaddr, const void *src, size_t n)
{
	EXPECT_EQ(copy_to_user((void *)uaddr, src, n), 0);
}

TEST(sys_user, uname_fields)
{
	struct uspace *s = sys_user_begin();
	struct new_utsname u;

	EXPECT_EQ(call(__NR_uname, UPTR(0), 0, 0, 0), 0);
	uget(&u, UPTR(0), sizeof(u));
	EXPECT_STREQ(u.sysname, "Cairn");
	EXPECT_STREQ(u.machine, "x86_64");
	EXPECT_TRUE(u.release[0] != 0);
	EXPECT_EQ(call(__NR_uname, KERNEL_PTR, 0, 0, 0), -EFAULT);
	EXPECT_EQ(call(__NR_uname, UNMAPPED, 0, 0, 0), -EFAULT);
	EXPECT_EQ(call(__NR_uname, NONCANON, 0, 0, 0), -EFAULT);
	/* A structure that runs off the end of the region. */
	EXPECT_EQ(call(__NR_uname, UPTR(SYS_USER_BYTES - 100), 0, 0, 0), -EFAULT);
	sys_user_end(s);
}

TEST(sys_user, clocks_move_and_sleep_waits)
{
	struct uspace *s = sys_user_begin();
	struct timespec a, b, req = { 0, 20 * 1000 * 1000 };
	uint64_t t0;

	EXPECT_EQ(call(__NR_clock_gettime, CLOCK_MONOTONIC, UPTR(0), 0, 0), 0);
	uput(UPTR(64), &req, sizeof(req));
	t0 = clock_monotonic_ns();
	EXPECT_EQ(call(__NR_nanosleep, UPTR(64), 0, 0, 0), 0);
	EXPECT_TRUE(clock_monotonic_ns() - t0 >= 20 * NSEC_PER_MSEC);
	EXPECT_EQ(call(__NR_clock_gettime, CLOCK_MONOTONIC, UPTR(16), 0, 0), 0);
	uget(&a, UPTR(0), sizeof(a));
	uget(&b, UPTR(16), sizeof(b));
	EXPECT_TRUE(b.tv_sec * 1000000000ll + b.tv_nsec - (a.tv_sec * 1000000000ll + a.tv_nsec) >=
	            20000000ll);
	EXPECT_EQ(call(__NR_clock_gettime, CLOCK_REALTIME, UPTR(0), 0, 0), 0);
	uget(&a, UPTR(0), sizeof(a));
	EXPECT_TRUE(a.tv_sec > 1600000000ll);
	EXPECT_EQ(call(__NR_clock_getres, CLOCK_MONOTONIC_COARSE, UPTR(0), 0, 0), 0);
	uget(&a, UPTR(0), sizeof(a));
	EXPECT_TRUE(a.tv_sec == 0 && a.tv_nsec == 1);
	EXPECT_EQ(call(__NR_clock_gettime, CLOCK_MONOTONIC, KERNEL_PTR, 0, 0), -EFAULT);
	sys_user_end(s);
}

TEST(sys_user, bad_timespecs_and_absolute_sleeps)
{
	struct uspace *s = sys_user_begin();
	struct timespec bad_ns = { 0, 1000000000 }, neg = { -1, 0 }, past = { 0, 1 };
	uint64_t t0;

	uput(UPTR(0), &bad_ns, sizeof(bad_ns));
	uput(UPTR(16), &neg, sizeof(neg));
	uput(UPTR(32), &past, sizeof(past));
	EXPECT_EQ(call(__NR_nanosleep, UPTR(0), 0, 0, 0), -EINVAL);
	EXPECT_EQ(call(__NR_nanosleep, UPTR(16), 0, 0, 0), -EINVAL);
	EXPECT_EQ(call(__NR_nanosleep, UNMAPPED, 0, 0, 0), -EFAULT);
	t0 = clock_monotonic_ns();
	EXPECT_EQ(call(__NR_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, UPTR(32), 0), 0);
	EXPECT_EQ(call(__NR_clock_nanosleep, CLOCK_REALTIME, TIMER_ABSTIME, UPTR(32), 0), 0);
	EXPECT_TRUE(clock_monotonic_ns() - t0 < 50 * NSEC_PER_MSEC);
	EXPECT_EQ(call(__NR_clock_nanosleep, CLOCK_MONOTONIC, 0, UPTR(0), 0), -EINVAL);
	sys_user_end(s);
}

TEST(sys_user, getrandom_sysinfo_getcpu)
{
	struct uspace *s = sys_user_begin();
	uint8_t a[64], b[64], zero[64] = { 0 };
	struct sysinfo si;
	unsigned cpu = 99, node = 99;

	EXPECT_EQ(call(__NR_getrandom, UPTR(0), 64, 0, 0), 64);
	EXPECT_EQ(call(__NR_getrandom, UPTR(64), 64, 0, 0), 64);
	uget(a, UPTR(0), 64);
	uget(b, UPTR(64), 64);
	EXPECT_TRUE(memcmp(a, b, 64) != 0 && memcmp(a, zero, 64) != 0);
	EXPECT_EQ(call(__NR_getrandom, KERNEL_PTR, 8, 0, 0), -EFAULT);
	/* Up to the end of the region, then a fault: the bytes written so far. */
	EXPECT_EQ(call(__NR_getrandom, UPTR(SYS_USER_BYTES - 300), 1000, 0, 0), 300);
	EXPECT_EQ(call(__NR_sysinfo, UPTR(0), 0, 0, 0), 0);
	uget(&si, UPTR(0), sizeof(si));
	EXPECT_TRUE(si.totalram > 0 && si.freeram <= si.totalram && si.mem_unit == 1);
	EXPECT_TRUE(si.procs > 0);
	EXPECT_EQ(call(__NR_getcpu, UPTR(0), UPTR(4), 0, 0), 0);
	uget(&cpu, UPTR(0), 4);
	uget(&node, UPTR(4), 4);
	EXPECT_TRUE(cpu < 64 && node == 0);
	sys_user_end(s);
}

/* A test terminal whose output lands in cap[]. */
static char cap[512];
static size_t cap_len;

static void cap_write(void *ctx, const char *s, size_t n)
{
	for (size_t i = 0; i < n && cap_len < sizeof(cap) - 1; i++)
		cap[cap_len++] = s[i];
}

/* Make fds 0, 1 and 2 of the kernel's table one open description of @t (NULL: close them). */
static void console_fds(struct tty *t)
{
	struct fdtable *ft = fdtable_current();
	struct file *f = t ? tty_open_file(t, O_RDWR) : NULL;

	EXPECT_TRUE(!IS_ERR_PTR(f));
	for (int fd = 0; fd < 3; fd++) {
		int r = fd_close(ft, fd);

		(void)r; /* it may not have been open */
		if (f) {
			file_get(f);
			EXPECT_EQ(fd_replace(ft, fd, f, false), fd);
		}
	}
	if (f)
		file_put(f);
}

static struct tty *test_console(void)
{
	static const struct tty_backend be = { .write = cap_write, .cols = 100, .rows = 30 };
	struct tty *t = tty_create("ttytest", &be);

	EXPECT_TRUE(t != NULL);
	cap_len = 0;
	memset(cap, 0, sizeof(cap));
	console_set_tty(t);
	console_fds(t);
	return t;
}

static void test_console_end(struct tty *t)
{
	console_fds(NULL);
	console_set_tty(NULL);
	tty_destroy(t);
}

TEST(sys_user, console_write_and_writev)
{
	struct uspace *s = sys_user_begin();
	struct tty *t = test_console();
	struct {
		uint64_t base, len;
	} iov[3] = { { UPTR(0), 2 }, { UPTR(100), 0 }, { UPTR(2), 4 } };

	uput(UPTR(0), "hello\n", 6);
	EXPECT_EQ(call(__NR_write, 1, UPTR(0), 6, 0), 6);
	uput(UPTR(200), iov, sizeof(iov));
	EXPECT_EQ(call(__NR_writev, 2, UPTR(200), 3, 0), 6);
	EXPECT_STREQ(cap, "hello\r\nhello\r\n");
	EXPECT_EQ(call(__NR_write, 1, UNMAPPED, 6, 0), -EFAULT);
	EXPECT_EQ(call(__NR_write, 1, KERNEL_PTR, 6, 0), -EFAULT);
	/* Stops at the end of the region, having written what it could. */
	EXPECT_EQ(call(__NR_write, 1, UPTR(SYS_USER_BYTES - 256), 4096, 0), 256);
	EXPECT_EQ(call(__NR_writev, 1, UPTR(200), 1025, 0), -EINVAL);
	EXPECT_EQ(call(__NR_writev, 1, UPTR(200), (uint64_t)-1, 0), -EINVAL);
	EXPECT_EQ(call(__NR_writev, 1, UPTR(200), 0, 0), 0);
	iov[1].base = KERNEL_PTR;
	iov[1].len = 1;
	uput(UPTR(200), iov, sizeof(iov));
	EXPECT_EQ(call(__NR_writev, 1, UPTR(200), 3, 0), -EFAULT);
	test_console_end(t);
	sys_user_end(s);
}

TEST(sys_user, console_read_readv_nonblock)
{
	struct uspace *s = sys_user_begin();
	struct tty *t = test_console();
	struct {
		uint64_t base, len;
	} iov[2] = { { UPTR(0), 2 }, { UPTR(10), 10 } };
	char buf[16] = { 0 };

	tty_inject(t, "abc\n", 4);
	EXPECT_EQ(call(__NR_read, 0, UPTR(0), 16, 0), 4);
	uget(buf, UPTR(0), 4);
	EXPECT_TRUE(memcmp(buf, "abc\n", 4) == 0);
	tty_inject(t, "wxyz\n", 5);
	uput(UPTR(100), iov, sizeof(iov));
	EXPECT_EQ(call(__NR_readv, 0, UPTR(100), 2, 0), 5);
	uget(buf, UPTR(0), 2);
	uget(buf + 2, UPTR(10), 3);
	EXPECT_TRUE(memcmp(buf, "wxyz\n", 5) == 0);
	EXPECT_EQ(call(__NR_fcntl, 0, F_SETFL, O_NONBLOCK, 0), 0);
	EXPECT_EQ(call(__NR_read, 0, UPTR(0), 16, 0), -EAGAIN);
	EXPECT_EQ(call(__NR_fcntl, 0, F_SETFL, 0, 0), 0);
	EXPECT_EQ(call(__NR_read, 0, KERNEL_PTR, 16, 0), -EFAULT);
	EXPECT_EQ(call(__NR_read, 0, UPTR(0), 0, 0), 0);
	test_console_end(t);
	sys_user_end(s);
}

TEST(sys_user, console_termios_winsize_stat)
{
	struct uspace *s = sys_user_begin();
	struct tty *t = test_console();
	struct termios tio;
	struct winsize ws;
	struct stat st;

	EXPECT_EQ(call(__NR_ioctl, 0, TCGETS, UPTR(0), 0), 0);
	uget(&tio, UPTR(0), sizeof(tio));
	EXPECT_TRUE((tio.c_lflag & (ICANON | ECHO | ISIG)) == (ICANON | ECHO | ISIG));
	EXPECT_EQ(tio.c_cc[VINTR], 3);
	tio.c_lflag &= ~(uint32_t)(ICANON | ECHO);
	uput(UPTR(0), &tio, sizeof(tio));
	EXPECT_EQ(call(__NR_ioctl, 0, TCSETS, UPTR(0), 0), 0);
	/* Raw now: one byte, no newline, is readable. */
	tty_inject(t, "q", 1);
	EXPECT_EQ(call(__NR_read, 0, UPTR(100), 8, 0), 1);
	EXPECT_EQ(call(__NR_ioctl, 0, TCGETS, UPTR(0), 0), 0);
	uget(&tio, UPTR(0), sizeof(tio));
	EXPECT_TRUE(!(tio.c_lflag & (ICANON | ECHO)) && (tio.c_lflag & ISIG));
	tio.c_lflag |= ICANON | ECHO;
	uput(UPTR(0), &tio, sizeof(tio));
	EXPECT_EQ(call(__NR_ioctl, 0, TCSETSW, UPTR(0), 0), 0);
	EXPECT_EQ(call(__NR_ioctl, 1, TIOCGWINSZ, UPTR(0), 0), 0);
	uget(&ws, UPTR(0), sizeof(ws));
	EXPECT_TRUE(ws.ws_row == 30 && ws.ws_col == 100);
	EXPECT_EQ(call(__NR_ioctl, 1, TIOCGWINSZ, KERNEL_PTR, 0), -EFAULT);
	/* Not a session's controlling terminal: the group ioctls are ENOTTY, as on Linux. */
	EXPECT_EQ(call(__NR_ioctl, 1, TIOCGPGRP, UPTR(0), 0), -ENOTTY);
	EXPECT_EQ(call(__NR_ioctl, 1, TIOCSCTTY, 0, 0), -EPERM);
	EXPECT_EQ(call(__NR_fstat, 1, UPTR(0), 0, 0), 0);
	uget(&st, UPTR(0), sizeof(st));
	EXPECT_EQ(st.st_mode & S_IFMT, S_IFCHR);
	uput(UPTR(200), "", 1);
	EXPECT_EQ(call(__NR_newfstatat, 2, UPTR(200), UPTR(0), AT_EMPTY_PATH), 0);
	EXPECT_EQ(call(__NR_newfstatat, 2, UPTR(200), UPTR(0), 0), -ENOENT);
	uput(UPTR(200), "/x", 3);
	EXPECT_EQ(call(__NR_newfstatat, AT_FDCWD, UPTR(200), UPTR(0), 0), -ENOENT);
	test_console_end(t);
	sys_user_end(s);
}
