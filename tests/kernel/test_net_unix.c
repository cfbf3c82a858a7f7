/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of AF_UNIX sockets, suite "net_unix", through the system
 * calls (syscall_dispatch() with user memory, sys_user.h): what the
 * differential user tests cannot show because Linux differs on purpose,
 * and the counts only the kernel sees. A send that would make a cycle of
 * sockets holding each other in flight is refused (ETOOMANYREFS, where
 * Linux accepts it and collects the garbage later); queues full of
 * descriptors (pipes, sockets, a chain of 200 sockets each in the
 * previous one's queue) closed unread free every socket, file and inode.
 */
#include <cairn/errno.h>
#include <cairn/linux/syscall_nr.h>

#include <lib/string.h>

#include "core/ktest.h"
#include "fs/vfs.h"
#include "mm/uaccess.h"
#include "net/socket.h"
#include "net/unix.h"
#include "sys_user.h"
#include "syscall/syscall.h"

#define CHAIN 200

static long sc(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	const uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };

	return syscall_dispatch(nr, args);
}

/* A connected pair of @type in @sv (through user memory at offset 0). */
static void pair(int type, int sv[2])
{
	EXPECT_EQ(sc(__NR_socketpair, AF_UNIX, (uint64_t)type, 0, UPTR(0)), 0);
	EXPECT_EQ(copy_from_user(sv, (const void *)UPTR(0), 2 * sizeof(int)), 0);
}

/* struct msghdr of the x86_64 ABI. */
struct umsghdr {
	uint64_t name;
	uint32_t namelen, pad1;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	uint32_t flags, pad2;
};

/* sendmsg of one byte and @n descriptors from @sock; the call's result. */
static long send_fds(int sock, const int *fds, unsigned n)
{
	uint8_t buf[512];
	struct umsghdr mh = { 0 };
	struct cmsghdr *cm = (struct cmsghdr *)buf;
	uint64_t iov[2] = { UPTR(0x800), 1 };

	memset(buf, 0, sizeof(buf));
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	mh.iov = UPTR(0x100);
	mh.iovlen = 1;
	mh.control = UPTR(0x200);
	mh.controllen = CMSG_SPACE(n * sizeof(int));
	EXPECT_TRUE(mh.controllen <= sizeof(buf));
	EXPECT_EQ(copy_to_user((void *)UPTR(0x100), iov, sizeof(iov)), 0);
	EXPECT_EQ(copy_to_user((void *)UPTR(0x200), buf, mh.controllen), 0);
	EXPECT_EQ(copy_to_user((void *)UPTR(0x800), "x", 1), 0);
	EXPECT_EQ(copy_to_user((void *)UPTR(0x40), &mh, sizeof(mh)), 0);
	return sc(__NR_sendmsg, (uint64_t)sock, UPTR(0x40), 0, 0);
}

static void close_fd(int fd)
{
	EXPECT_EQ(sc(__NR_close, (uint64_t)fd, 0, 0, 0), 0);
}

TEST(net_unix, cycles_refused)
{
	struct uspace *us = sys_user_begin();
	long socks = unix_sock_count(), flight = unix_inflight_count();
	int a[2], b[2];

	pair(SOCK_STREAM, a);
	pair(SOCK_DGRAM, b);
	/* a[1] into its own queue: the simplest cycle. */
	EXPECT_EQ(send_fds(a[0], &a[1], 1), -ETOOMANYREFS);
	/* a[0] into a[1]'s queue is no cycle: a[0]'s own queue holds nothing. */
	EXPECT_EQ(send_fds(a[0], &a[0], 1), 1);
	/* b[1] into a[1], then a[1] into b[1]: the second closes a loop. */
	EXPECT_EQ(send_fds(a[0], &b[1], 1), 1);
	EXPECT_EQ(send_fds(b[0], &a[1], 1), -ETOOMANYREFS);
	EXPECT_EQ(unix_inflight_count(), flight + 2);
	close_fd(a[0]);
	close_fd(a[1]);
	close_fd(b[0]);
	close_fd(b[1]);
	EXPECT_EQ(unix_sock_count(), socks);
	EXPECT_EQ(unix_inflight_count(), flight);
	sys_user_end(us);
}

TEST(net_unix, closed_unread_frees_everything)
{
	struct uspace *us = sys_user_begin();
	long socks = unix_sock_count(), flight = unix_inflight_count();
	struct vfs_counts before, after;
	static int chain[CHAIN][2];
	int p[2], s[2], fds[8];

	vfs_get_counts(&before);
	/* A queue holding pipes and a socket pair's ends. */
	pair(SOCK_DGRAM, s);
	EXPECT_EQ(sc(__NR_pipe2, UPTR(0), 0, 0, 0), 0);
	EXPECT_EQ(copy_from_user(p, (const void *)UPTR(0), sizeof(p)), 0);
	fds[0] = p[0];
	fds[1] = p[1];
	fds[2] = s[0];
	fds[3] = s[0];
	EXPECT_EQ(send_fds(s[0], fds, 4), 1);
	EXPECT_EQ(send_fds(s[0], fds, 2), 1);
	close_fd(p[0]);
	close_fd(p[1]);
	/* A chain: each pair's reading end holds the next pair's in flight. */
	for (int i = 0; i < CHAIN; i++)
		pair(SOCK_STREAM, chain[i]);
	for (int i = 0; i + 1 < CHAIN; i++)
		EXPECT_EQ(send_fds(chain[i][0], &chain[i + 1][1], 1), 1);
	EXPECT_EQ(unix_inflight_count(), flight + 6 + CHAIN - 1);
	/* Closed from the far end, so the last close lets the whole chain go at once. */
	for (int i = CHAIN - 1; i >= 0; i--) {
		close_fd(chain[i][0]);
		close_fd(chain[i][1]);
	}
	close_fd(s[0]);
	close_fd(s[1]);
	vfs_get_counts(&after);
	EXPECT_EQ(unix_sock_count(), socks);
	EXPECT_EQ(unix_inflight_count(), flight);
	EXPECT_EQ(after.files, before.files);
	EXPECT_EQ(after.inodes, before.inodes);
	sys_user_end(us);
}
