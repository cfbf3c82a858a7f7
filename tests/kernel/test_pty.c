// SPDX-License-Identifier: MIT
/*
 * Pseudo-terminals through the VFS (ktest=pty): /dev/ptmx makes pairs with
 * distinct numbers and their /dev/pts nodes, a locked slave refuses opens,
 * what the master writes is typed on the slave (its echo comes back to the
 * master, processed), and a closed pair frees its number. The unlocked
 * slave's side is the user test user/tests/pty.c (compared with Linux).
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>

#include <lib/format.h>
#include <lib/string.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "tty/tty.h"

static struct file *open_ptmx(void)
{
	struct file *f = vfs_open(AT_FDCWD, "/dev/ptmx", O_RDWR | O_NOCTTY, 0);

	EXPECT_TRUE(!IS_ERR_PTR(f));
	return f;
}

TEST(pty, pairs_have_numbers_and_nodes)
{
	struct file *a = open_ptmx(), *b = open_ptmx(), *s;
	char path[32];
	int na = pty_number(a), nb = pty_number(b);

	EXPECT_TRUE(na >= 0 && nb >= 0 && na != nb);
	fmt_snprintf(path, sizeof(path), "/dev/pts/%d", nb);
	/* Locked until TIOCSPTLCK 0. */
	s = vfs_open(AT_FDCWD, path, O_RDWR | O_NOCTTY, 0);
	EXPECT_EQ(PTR_ERR_VAL(s), -EIO);
	file_put(b);
	/* The number is free again, and its node is still there. */
	b = open_ptmx();
	EXPECT_EQ(pty_number(b), nb);
	file_put(b);
	file_put(a);
	s = vfs_open(AT_FDCWD, "/dev/console", O_RDWR | O_NOCTTY, 0);
	EXPECT_EQ(pty_number(s), -ENOTTY);
	file_put(s);
}

TEST(pty, the_master_types_on_the_slave_and_reads_the_echo)
{
	struct file *m = open_ptmx();
	char buf[32];
	long n;

	EXPECT_EQ(vfs_poll(m, NULL) & POLLIN, 0);
	EXPECT_EQ(kernel_write(m, "hi\r", 3, NULL), 3);
	EXPECT_TRUE(vfs_poll(m, NULL) & POLLIN);
	n = kernel_read(m, buf, sizeof(buf), NULL);
	EXPECT_EQ(n, 4);
	EXPECT_TRUE(memcmp(buf, "hi\r\n", 4) == 0);
	__atomic_or_fetch(&m->flags, O_NONBLOCK, __ATOMIC_RELAXED);
	EXPECT_EQ(kernel_read(m, buf, sizeof(buf), NULL), -EAGAIN);
	file_put(m);
}
