// SPDX-License-Identifier: MIT
/*
 * Terminals as files (ktest=tty_file): the file operations of a test
 * terminal called as the VFS calls them, with kernel buffers: reads of
 * lines and their O_NONBLOCK form, poll's readiness, writes with the
 * output processing the termios asks for, and the foreground group the
 * kernel sets.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/termios.h>

#include <lib/string.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "tty/tty.h"

#define OUT_MAX 256

static struct {
	char buf[OUT_MAX];
	size_t len;
} out;

static void out_write(void *ctx, const char *s, size_t n)
{
	if (n > sizeof(out.buf) - out.len)
		n = sizeof(out.buf) - out.len;
	memcpy(out.buf + out.len, s, n);
	out.len += n;
}

/* A test terminal and a file on it, as an open(2) of its node would leave it. */
static struct tty *open_test(struct file *f, unsigned flags)
{
	const struct tty_backend be = { out_write, NULL, 80, 24 };
	struct tty *t = tty_create("ttyfile", &be);

	EXPECT_TRUE(t != NULL);
	memset(f, 0, sizeof(*f));
	f->ops = &tty_fops;
	f->priv = t;
	f->fmode = FMODE_READ | FMODE_WRITE;
	f->flags = O_RDWR | flags;
	out.len = 0;
	return t;
}

static long file_read(struct file *f, char *buf, size_t n)
{
	struct uio_seg seg;
	struct uio u;

	uio_init1(&u, &seg, (uintptr_t)buf, n, false);
	return f->ops->read(f, &u, &f->pos);
}

static long file_write(struct file *f, const char *s)
{
	struct uio_seg seg;
	struct uio u;

	uio_init1(&u, &seg, (uintptr_t)s, strlen(s), false);
	return f->ops->write(f, &u, &f->pos);
}

TEST(tty_file, read_returns_a_line)
{
	struct file f;
	struct tty *t = open_test(&f, 0);
	char buf[16];

	tty_inject(t, "abc\r", 4);
	EXPECT_EQ(file_read(&f, buf, sizeof(buf)), 4);
	EXPECT_TRUE(memcmp(buf, "abc\n", 4) == 0);
	tty_destroy(t);
}

TEST(tty_file, nonblocking_read_of_nothing_is_eagain)
{
	struct file f;
	struct tty *t = open_test(&f, O_NONBLOCK);
	char buf[4];

	EXPECT_EQ(file_read(&f, buf, sizeof(buf)), -EAGAIN);
	tty_inject(t, "x", 1); /* half a line is not readable in canonical mode */
	EXPECT_EQ(file_read(&f, buf, sizeof(buf)), -EAGAIN);
	tty_inject(t, "\r", 1);
	EXPECT_EQ(file_read(&f, buf, sizeof(buf)), 2);
	tty_destroy(t);
}

TEST(tty_file, poll_reports_input_when_a_read_would_return)
{
	struct file f;
	struct tty *t = open_test(&f, 0);
	char buf[4];

	EXPECT_EQ(f.ops->poll(&f, NULL), POLLOUT | POLLWRNORM);
	tty_inject(t, "y", 1);
	EXPECT_EQ(f.ops->poll(&f, NULL), POLLOUT | POLLWRNORM);
	tty_inject(t, "\r", 1);
	EXPECT_EQ(f.ops->poll(&f, NULL), POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
	EXPECT_EQ(file_read(&f, buf, sizeof(buf)), 2);
	EXPECT_EQ(f.ops->poll(&f, NULL), POLLOUT | POLLWRNORM);
	tty_destroy(t);
}

TEST(tty_file, write_follows_opost_and_onlcr)
{
	struct file f;
	struct tty *t = open_test(&f, 0);
	struct termios tio;

	EXPECT_EQ(file_write(&f, "a\nb"), 3);
	EXPECT_EQ(out.len, 4);
	EXPECT_TRUE(memcmp(out.buf, "a\r\nb", 4) == 0);
	tty_get_termios(t, &tio);
	tio.c_oflag &= ~OPOST;
	tty_set_termios(t, &tio, false);
	out.len = 0;
	EXPECT_EQ(file_write(&f, "c\nd"), 3);
	EXPECT_EQ(out.len, 3);
	EXPECT_TRUE(memcmp(out.buf, "c\nd", 3) == 0);
	tty_destroy(t);
}

TEST(tty_file, the_kernel_sets_the_foreground_group)
{
	struct file f;
	struct tty *t = open_test(&f, 0);

	EXPECT_EQ(tty_foreground_pgrp(t), 0);
	tty_set_foreground_pgrp(t, 42);
	EXPECT_EQ(tty_foreground_pgrp(t), 42);
	tty_destroy(t);
}
