/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of the system-call dispatcher: numbers out of range, never
 * assigned or owned by no lane answer -ENOSYS, and only assigned ones are
 * logged, once each.
 */
#include <cairn/errno.h>
#include <cairn/linux/syscall_nr.h>

#include "core/ktest.h"
#include "syscall/syscall.h"

static const uint64_t no_args[6];

TEST(syscall, out_of_range_is_enosys)
{
	EXPECT_EQ(syscall_dispatch(-1, no_args), -ENOSYS);
	EXPECT_EQ(syscall_dispatch(NR_SYSCALLS, no_args), -ENOSYS);
	EXPECT_EQ(syscall_dispatch(0x7fffffffffffffffl, no_args), -ENOSYS);
	EXPECT_EQ(syscall_dispatch(-0x7fffffffffffffffl - 1, no_args), -ENOSYS);
	EXPECT_TRUE(!syscall_enosys_logged(-1));
	EXPECT_TRUE(!syscall_enosys_logged(NR_SYSCALLS));
}

/* 335..423 were never assigned on x86_64: -ENOSYS, and nothing to log by name. */
TEST(syscall, unassigned_is_enosys_unlogged)
{
	EXPECT_EQ(syscall_dispatch(400, no_args), -ENOSYS);
	EXPECT_TRUE(!syscall_enosys_logged(400));
}

/* A call no lane owns (Linux's uselib) answers -ENOSYS and is logged once. */
TEST(syscall, unowned_is_enosys_logged_once)
{
	EXPECT_EQ(syscall_dispatch(__NR_uselib, no_args), -ENOSYS);
	EXPECT_TRUE(syscall_enosys_logged(__NR_uselib));
	EXPECT_EQ(syscall_dispatch(__NR_uselib, no_args), -ENOSYS);
	EXPECT_TRUE(syscall_enosys_logged(__NR_uselib));
	EXPECT_TRUE(!syscall_enosys_logged(__NR_tuxcall));
}
