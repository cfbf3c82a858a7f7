/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of the descriptor calls on the kernel's own table and the
 * argument checks that come before any user memory is touched: close,
 * dup, dup2, dup3 and fcntl semantics; EBADF, EINVAL, ESPIPE and ENOTTY
 * where Linux gives them. Fds 0, 1 and 2 are one open description of the
 * console terminal, as a spawned process gets them. Run through
 * syscall_dispatch() by number, as a program's call would arrive.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/random.h>
#include <cairn/linux/reboot.h>
#include <cairn/linux/syscall_nr.h>
#include <cairn/linux/time.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "syscall/syscall.h"
#include "tty/tty.h"

static long call(long nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	const uint64_t args[6] = { a0, a1, a2, 0, 0, 0 };

	return syscall_dispatch(nr, args);
}

/* Close everything in the kernel's table. */
static void fds_clear(void)
{
	struct fdtable *t = fdtable_current();

	for (int fd = 0; fd < FDTABLE_MAX; fd++) {
		int r = fd_close(t, fd);

		(void)r; /* most are not open */
	}
}

/* Every test starts and ends with only 0, 1, 2 open: one description of the console. */
static void fds_reset(void)
{
	struct file *f = tty_open_file(console_tty(), O_RDWR);

	fds_clear();
	EXPECT_TRUE(!IS_ERR_PTR(f));
	for (int fd = 0; fd < 3; fd++) {
		file_get(f);
		EXPECT_EQ(fd_replace(fdtable_current(), fd, f, false), fd);
	}
	file_put(f);
}

TEST(sys_fd, close_and_ebadf)
{
	fds_reset();
	EXPECT_EQ(call(__NR_close, 2, 0, 0), 0);
	EXPECT_EQ(call(__NR_close, 2, 0, 0), -EBADF);
	EXPECT_EQ(call(__NR_write, 2, 0, 0), -EBADF);
	EXPECT_EQ(call(__NR_close, 3, 0, 0), -EBADF);
	EXPECT_EQ(call(__NR_close, 1000000, 0, 0), -EBADF);
	EXPECT_EQ(call(__NR_close, (uint64_t)-1, 0, 0), -EBADF);
	EXPECT_EQ(call(__NR_ioctl, 7, 0x5401, 0), -EBADF);
	fds_reset();
}

TEST(sys_fd, dup_lowest_free)
{
	fds_reset();
	EXPECT_EQ(call(__NR_dup, 1, 0, 0), 3);
	EXPECT_EQ(call(__NR_close, 0, 0, 0), 0);
	EXPECT_EQ(call(__NR_dup, 3, 0, 0), 0);
	EXPECT_EQ(call(__NR_dup, 9, 0, 0), -EBADF);
	for (int fd = 4; fd < FDTABLE_MAX; fd++)
		EXPECT_EQ(call(__NR_dup, 1, 0, 0), fd);
	EXPECT_EQ(call(__NR_dup, 1, 0, 0), -EMFILE);
	fds_reset();
}

TEST(sys_fd, dup2_dup3)
{
	fds_reset();
	EXPECT_EQ(call(__NR_dup2, 1, 10, 0), 10);
	EXPECT_EQ(call(__NR_fcntl, 10, F_GETFD, 0), 0);
	EXPECT_EQ(call(__NR_dup2, 10, 10, 0), 10);
	EXPECT_EQ(call(__NR_dup2, 11, 11, 0), -EBADF);
	EXPECT_EQ(call(__NR_dup2, 1, FDTABLE_MAX, 0), -EBADF);
	EXPECT_EQ(call(__NR_dup3, 1, 1, 0), -EINVAL);
	EXPECT_EQ(call(__NR_dup3, 1, 12, 1), -EINVAL);
	EXPECT_EQ(call(__NR_dup3, 1, 12, O_CLOEXEC), 12);
	EXPECT_EQ(call(__NR_fcntl, 12, F_GETFD, 0), FD_CLOEXEC);
	fdtable_exec(fdtable_current());
	EXPECT_EQ(call(__NR_fcntl, 12, F_GETFD, 0), -EBADF);
	EXPECT_EQ(call(__NR_fcntl, 10, F_GETFD, 0), 0);
	fds_reset();
}

TEST(sys_fd, fcntl_flags)
{
	fds_reset();
	EXPECT_EQ(call(__NR_fcntl, 0, F_GETFL, 0), O_RDWR | O_LARGEFILE);
	EXPECT_EQ(call(__NR_fcntl, 0, F_SETFL, O_NONBLOCK | O_APPEND | O_CREAT), 0);
	EXPECT_EQ(call(__NR_fcntl, 1, F_GETFL, 0), O_RDWR | O_LARGEFILE | O_NONBLOCK | O_APPEND);
	EXPECT_EQ(call(__NR_fcntl, 0, F_SETFL, 0), 0);
	EXPECT_EQ(call(__NR_fcntl, 0, F_SETFD, FD_CLOEXEC), 0);
	EXPECT_EQ(call(__NR_fcntl, 0, F_GETFD, 0), FD_CLOEXEC);
	EXPECT_EQ(call(__NR_fcntl, 0, F_DUPFD, 5), 5);
	EXPECT_EQ(call(__NR_fcntl, 0, F_DUPFD_CLOEXEC, 5), 6);
	EXPECT_EQ(call(__NR_fcntl, 6, F_GETFD, 0), FD_CLOEXEC);
	EXPECT_EQ(call(__NR_fcntl, 0, F_DUPFD, FDTABLE_MAX), -EINVAL);
	EXPECT_EQ(call(__NR_fcntl, 0, 9999, 0), -EINVAL);
	fds_reset();
}

TEST(sys_fd, seek_and_ioctl_errors)
{
	fds_reset();
	EXPECT_EQ(call(__NR_lseek, 0, 0, 0), -ESPIPE);
	EXPECT_EQ(call(__NR_pread64, 0, 0, 0), -ESPIPE);
	EXPECT_EQ(call(__NR_pwrite64, 1, 0, 0), -ESPIPE);
	EXPECT_EQ(call(__NR_lseek, 5, 0, 0), -EBADF);
	EXPECT_EQ(call(__NR_ioctl, 1, 0x12345678, 0), -ENOTTY);
	fds_clear();
}

/* Checks made before user memory is touched. */
TEST(sys_misc, argument_errors)
{
	EXPECT_EQ(call(__NR_getrandom, 0, 16, 0x8), -EINVAL);
	EXPECT_EQ(call(__NR_getrandom, 0, 16, GRND_INSECURE | GRND_RANDOM), -EINVAL);
	EXPECT_EQ(call(__NR_getrandom, 0, 0, GRND_NONBLOCK), 0);
	EXPECT_EQ(call(__NR_reboot, 0, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_POWER_OFF), -EINVAL);
	EXPECT_EQ(call(__NR_reboot, LINUX_REBOOT_MAGIC1, 1, LINUX_REBOOT_CMD_POWER_OFF), -EINVAL);
	EXPECT_EQ(call(__NR_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, 0x1111), -EINVAL);
	EXPECT_EQ(call(__NR_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
	               LINUX_REBOOT_CMD_CAD_OFF),
	          0);
	EXPECT_EQ(call(__NR_clock_gettime, 10, 0, 0), -EINVAL);
	EXPECT_EQ(call(__NR_clock_gettime, (uint64_t)-1, 0, 0), -EINVAL);
	EXPECT_EQ(call(__NR_clock_getres, CLOCK_MONOTONIC, 0, 0), 0);
	EXPECT_EQ(call(__NR_clock_getres, 12, 0, 0), -EINVAL);
	EXPECT_EQ(call(__NR_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, 0), -EINVAL);
	EXPECT_EQ(call(__NR_clock_nanosleep, CLOCK_MONOTONIC_RAW, 0, 0), -ENOTSUP);
	EXPECT_EQ(call(__NR_clock_nanosleep, 99, 0, 0), -EINVAL);
	EXPECT_EQ(call(__NR_gettimeofday, 0, 0, 0), 0);
	EXPECT_TRUE(call(__NR_time, 0, 0, 0) > 1600000000l);
}
