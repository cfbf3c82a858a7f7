// SPDX-License-Identifier: MIT
/*
 * Terminals as files (ktest=tty_file): the file operations of a test
 * terminal called as the VFS calls them, with kernel buffers: reads of
 * lines and their O_NONBLOCK form, poll's readiness, writes with the
 * output processing the termios asks for, the foreground group the
 * kernel sets, the four VMIN/VTIME cases timed, and opens through /dev
 * and without a node.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/stat.h>
#include <cairn/linux/termios.h>

#include <lib/string.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "sched/task.h"
#include "time/time.h"
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

/* Non-canonical with VMIN @min and VTIME @time (tenths of a second), no echo. */
static void set_min_time(struct tty *t, uint8_t min, uint8_t time)
{
	struct termios tio;

	tty_get_termios(t, &tio);
	tio.c_lflag &= ~(uint32_t)(ICANON | ECHO);
	tio.c_cc[VMIN] = min;
	tio.c_cc[VTIME] = time;
	tty_set_termios(t, &tio, false);
}

/* A task that types @n bytes of @s on @t, one every @gap_ms, after a first @gap_ms. */
struct typist {
	struct tty *t;
	const char *s;
	size_t n;
	unsigned gap_ms;
};

static int typist_main(void *arg)
{
	struct typist *ty = arg;

	for (size_t i = 0; i < ty->n; i++) {
		task_sleep_ns((uint64_t)ty->gap_ms * NSEC_PER_MSEC);
		tty_inject(ty->t, ty->s + i, 1);
	}
	return 0;
}

/* Read @n bytes with the typist typing; returns the bytes read, and the time taken in *@ms. */
static long timed_read(struct file *f, struct typist *ty, size_t n, uint64_t *ms)
{
	struct task_handle h;
	uint64_t t0 = clock_monotonic_ns();
	char buf[16];
	long got;

	EXPECT_EQ(task_spawn(&h, "tty-typist", typist_main, ty), 0);
	got = file_read(f, buf, n);
	*ms = (clock_monotonic_ns() - t0) / NSEC_PER_MSEC;
	EXPECT_EQ(task_join(h, NULL), 0);
	return got;
}

TEST(tty_file, vmin_and_vtime_decide_when_a_read_returns)
{
	struct file f;
	struct tty *t = open_test(&f, 0);
	struct typist ty = { t, "abcd", 0, 40 };
	uint64_t ms;

	/* MIN 0 TIME 0: at once, with nothing. */
	set_min_time(t, 0, 0);
	EXPECT_EQ(timed_read(&f, &ty, 8, &ms), 0);
	EXPECT_TRUE(ms < 40);
	/* MIN 0 TIME 2: nothing comes, so 0 after 0.2 s. */
	set_min_time(t, 0, 2);
	EXPECT_EQ(timed_read(&f, &ty, 8, &ms), 0);
	EXPECT_TRUE(ms >= 200 && ms < 1000);
	/* MIN 3 TIME 0: waits for the third byte, typed 40 ms apart. */
	set_min_time(t, 3, 0);
	ty.n = 3;
	EXPECT_EQ(timed_read(&f, &ty, 8, &ms), 3);
	EXPECT_TRUE(ms >= 120);
	/* MIN 3 TIME 1: one byte, then 0.1 s of silence ends the read. */
	set_min_time(t, 3, 1);
	ty.n = 1;
	EXPECT_EQ(timed_read(&f, &ty, 8, &ms), 1);
	EXPECT_TRUE(ms >= 140 && ms < 1000);
	tty_destroy(t);
}

TEST(tty_file, console_and_ttys0_open_through_dev)
{
	struct file *f = vfs_open(AT_FDCWD, "/dev/ttyS0", O_RDWR | O_NOCTTY, 0);

	EXPECT_TRUE(!IS_ERR_PTR(f));
	EXPECT_TRUE(f->ops == &tty_fops && f->priv == tty_get(TTY_SERIAL));
	EXPECT_EQ(f->flags & O_NOCTTY, 0); /* only the open saw it */
	file_put(f);
	f = tty_open_file(console_tty(), O_RDWR);
	EXPECT_TRUE(!IS_ERR_PTR(f));
	EXPECT_TRUE(f->ops == &tty_fops && f->priv == console_tty());
	EXPECT_EQ(f->inode->rdev, DEV_ENCODE(5, 1));
	file_put(f);
	/* A kernel task has no controlling terminal. */
	f = vfs_open(AT_FDCWD, "/dev/tty", O_RDWR, 0);
	EXPECT_EQ(PTR_ERR_VAL(f), -ENXIO);
}

TEST(tty_file, a_terminal_without_a_node_opens_anonymously)
{
	const struct tty_backend be = { out_write, NULL, 80, 24 };
	struct tty *t = tty_create("ttynode", &be);
	struct file *f;
	char buf[8];

	f = tty_open_file(t, O_RDWR);
	EXPECT_TRUE(!IS_ERR_PTR(f));
	EXPECT_TRUE(f->ops == &tty_fops && f->priv == t);
	out.len = 0;
	EXPECT_EQ(kernel_write(f, "hi\n", 3, NULL), 3);
	EXPECT_EQ(out.len, 4);
	tty_inject(t, "ok\r", 3);
	EXPECT_EQ(kernel_read(f, buf, sizeof(buf), NULL), 3);
	file_put(f);
	tty_destroy(t);
}
