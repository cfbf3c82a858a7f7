/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of the system-call trace: lines land in the kernel log with
 * decoded arguments (a string read from user memory) and the result's
 * errno name; the filters by name and pid select; off stops it.
 */
#include <cairn/errno.h>
#include <cairn/linux/syscall_nr.h>

#include <lib/string.h>

#include "core/log.h"
#include "mm/uaccess.h"
#include "sys_user.h"
#include "syscall/strace.h"
#include "syscall/syscall.h"

static char logbuf[LOG_RING_SIZE + 1];
static size_t loglen;

static void log_sink(void *ctx, const char *s, size_t n)
{
	for (size_t i = 0; i < n && loglen < LOG_RING_SIZE; i++)
		logbuf[loglen++] = s[i];
}

/* Whether the kernel log holds @needle now. */
static bool log_has(const char *needle)
{
	loglen = 0;
	log_ring_dump(log_sink, NULL);
	logbuf[loglen] = 0;
	return strstr(logbuf, needle) != NULL;
}

static long traced(long nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	const uint64_t args[6] = { a0, a1, a2, 0, 0, 0 };

	return strace_dispatch(nr, args);
}

TEST(strace, lines_decode_args_and_errors)
{
	struct uspace *s = sys_user_begin();
	char name[TASK_NAME_MAX + 8];

	EXPECT_EQ(copy_to_user((void *)UPTR(0), "/no-such-dir/strace", 20), 0);
	EXPECT_EQ(strace_set("all"), 0);
	EXPECT_EQ(traced(__NR_open, UPTR(0), 0101, 0644), -ENOENT);
	EXPECT_EQ(traced(__NR_close, 9, 0, 0), -EBADF);
	EXPECT_TRUE(log_has("open(\"/no-such-dir/strace\", O_WRONLY|O_CREAT, 0644) = -1 ENOENT"));
	EXPECT_TRUE(log_has("close(9) = -1 EBADF"));
	/* By name: this task's name is the test runner's. */
	memcpy(name, task_current()->name, TASK_NAME_MAX);
	EXPECT_EQ(strace_set(name), 0);
	EXPECT_EQ(traced(__NR_close, 10, 0, 0), -EBADF);
	EXPECT_TRUE(log_has("close(10) = -1 EBADF"));
	EXPECT_EQ(strace_set("nosuchprogram"), 0);
	EXPECT_EQ(traced(__NR_close, 11, 0, 0), -EBADF);
	EXPECT_TRUE(!log_has("close(11)"));
	EXPECT_EQ(strace_set("off"), 0);
	EXPECT_TRUE(!strace_maybe_on());
	EXPECT_EQ(traced(__NR_close, 12, 0, 0), -EBADF);
	EXPECT_TRUE(!log_has("close(12)"));
	EXPECT_EQ(strace_set(""), -EINVAL);
	EXPECT_EQ(strace_set("a-name-much-longer-than-a-task-name-can-be"), -EINVAL);
	sys_user_end(s);
}
