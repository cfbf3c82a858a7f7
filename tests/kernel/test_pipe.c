/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of pipes (kernel/fs/pipe.c), suite "pipe": bytes in order,
 * EOF once the writers are gone, EPIPE once the readers are, O_NONBLOCK's
 * EAGAIN, Linux's capacity counts (16 slots, merging of small writes),
 * F_GETPIPE_SZ/F_SETPIPE_SZ, O_DIRECT packets, PIPE_BUF atomicity with
 * two writers on other CPUs, and a blocked reader woken from another
 * task, and an end reopened on the pipe's inode (as /proc/PID/fd/N
 * does). Through the file operations (kernel_read/kernel_write), as the
 * read and write calls reach them.
 */
#include <cairn/errno.h>
#include <cairn/linux/fcntl.h>
#include <cairn/linux/poll.h>
#include <cairn/linux/stat.h>

#include <lib/string.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "fs/pipe.h"
#include "fs/poll.h"
#include "fs/vfs.h"
#include "sched/task.h"
#include "time/time.h"

static void make_pipe(struct file **rd, struct file **wr, int flags)
{
	EXPECT_EQ(pipe_create(rd, wr, flags), 0);
}

static long wr_bytes(struct file *f, const void *buf, size_t n)
{
	return kernel_write(f, buf, n, NULL);
}

static long rd_bytes(struct file *f, void *buf, size_t n)
{
	return kernel_read(f, buf, n, NULL);
}

TEST(pipe, bytes_in_order_then_eof)
{
	struct file *rd, *wr;
	char buf[16] = { 0 };

	make_pipe(&rd, &wr, O_NONBLOCK);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), -EAGAIN);
	EXPECT_EQ(wr_bytes(wr, "hello", 5), 5);
	EXPECT_EQ(wr_bytes(wr, " world", 6), 6);
	EXPECT_EQ(rd_bytes(rd, buf, 3), 3);
	EXPECT_EQ(memcmp(buf, "hel", 3), 0);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), 8);
	EXPECT_EQ(memcmp(buf, "lo world", 8), 0);
	EXPECT_EQ(wr_bytes(wr, "", 0), 0);
	file_put(wr);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), 0); /* EOF, not EAGAIN */
	file_put(rd);
}

/*
 * Both ends are one S_IFIFO inode holding the pipe, so an open of that
 * inode (what /proc/PID/fd/N leads to) is another end of the same pipe,
 * and the pipe lives until the last of all the ends is closed.
 */
TEST(pipe, reopened_end_is_the_same_pipe)
{
	struct file *rd, *wr, *again;
	char buf[8] = { 0 };

	make_pipe(&rd, &wr, 0);
	EXPECT_TRUE(rd->inode == wr->inode && S_ISFIFO(rd->inode->mode));
	EXPECT_TRUE(rd->inode->pipe == rd->priv && wr->priv == rd->priv);
	again = vfs_open_path(&wr->path, O_WRONLY);
	EXPECT_TRUE(!IS_ERR_PTR(again));
	if (IS_ERR_PTR(again))
		return;
	EXPECT_TRUE(again->priv == rd->priv);
	file_put(wr);
	EXPECT_EQ(wr_bytes(again, "abc", 3), 3);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), 3);
	EXPECT_EQ(memcmp(buf, "abc", 3), 0);
	file_put(again);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), 0); /* the last writer went */
	file_put(rd);
}

TEST(pipe, epipe_without_reader)
{
	struct file *rd, *wr;

	make_pipe(&rd, &wr, 0);
	EXPECT_EQ(vfs_poll(wr, NULL), POLLOUT | POLLWRNORM);
	file_put(rd);
	EXPECT_EQ(vfs_poll(wr, NULL), POLLOUT | POLLWRNORM | POLLERR);
	EXPECT_EQ(wr_bytes(wr, "x", 1), -EPIPE);
	file_put(wr);
}

/* Fill a non-blocking pipe with writes of @chunk bytes; the bytes it took. */
static long fill(struct file *wr, size_t chunk)
{
	static char block[8192];
	long total = 0, n;

	while ((n = wr_bytes(wr, block, chunk)) > 0)
		total += n;
	EXPECT_EQ(n, -EAGAIN);
	return total;
}

TEST(pipe, capacity_as_linux)
{
	struct file *rd, *wr;

	make_pipe(&rd, &wr, O_NONBLOCK);
	EXPECT_EQ(pipe_fcntl(wr, F_GETPIPE_SZ, 0), PIPE_DEF_SIZE);
	EXPECT_EQ(fill(wr, 1), 65536);
	file_put(rd);
	file_put(wr);
	/* Writes merge into the last page only while they fit whole: 4 x 1000 a page. */
	make_pipe(&rd, &wr, O_NONBLOCK);
	EXPECT_EQ(fill(wr, 1000), 64000);
	file_put(rd);
	file_put(wr);
	/* A large non-blocking write takes what fits and says so. */
	make_pipe(&rd, &wr, O_NONBLOCK);
	EXPECT_EQ(fill(wr, 8192), 65536);
	EXPECT_EQ(vfs_poll(wr, NULL), 0u);
	file_put(rd);
	file_put(wr);
}

TEST(pipe, set_size)
{
	struct file *rd, *wr;
	char buf[4096];

	make_pipe(&rd, &wr, O_NONBLOCK);
	EXPECT_EQ(pipe_fcntl(rd, F_SETPIPE_SZ, 0), 4096);
	EXPECT_EQ(pipe_fcntl(wr, F_GETPIPE_SZ, 0), 4096);
	EXPECT_EQ(pipe_fcntl(rd, F_SETPIPE_SZ, 5000), 8192);
	EXPECT_EQ(fill(wr, 1), 8192);
	EXPECT_EQ(pipe_fcntl(rd, F_SETPIPE_SZ, 4096), -EBUSY);
	EXPECT_EQ(rd_bytes(rd, buf, 10), 10);
	/* Bytes survive a resize, in order. */
	EXPECT_EQ(pipe_fcntl(rd, F_SETPIPE_SZ, 1 << 20), 1 << 20);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), 4096);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), 4086);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), -EAGAIN);
	EXPECT_EQ(pipe_fcntl(rd, F_SETPIPE_SZ, (1ul << 31) + 1), -EINVAL);
	EXPECT_EQ(pipe_fcntl(rd, 99, 0), -EINVAL);
	file_put(rd);
	file_put(wr);
}

TEST(pipe, packets)
{
	struct file *rd, *wr;
	char buf[64];

	make_pipe(&rd, &wr, O_NONBLOCK | O_DIRECT);
	EXPECT_EQ(wr_bytes(wr, "0123456789", 10), 10);
	EXPECT_EQ(wr_bytes(wr, "abc", 3), 3);
	EXPECT_EQ(wr_bytes(wr, "defgh", 5), 5);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), 10); /* one packet per read */
	EXPECT_EQ(rd_bytes(rd, buf, 2), 2);            /* cut: the "c" is dropped */
	EXPECT_EQ(memcmp(buf, "ab", 2), 0);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), 5);
	EXPECT_EQ(memcmp(buf, "defgh", 5), 0);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), -EAGAIN);
	file_put(rd);
	file_put(wr);
}

/* PIPE_BUF atomicity: two writers of whole records, each record one byte value. */
#define REC   PIPE_BUF
#define NRECS 64
struct atom_arg {
	struct file *wr;
	char value;
	long bad;
};

static int atom_writer(void *p)
{
	struct atom_arg *a = p;
	static char recs[2][REC];
	char *rec = recs[a->value == 'b'];

	memset(rec, a->value, REC);
	for (int i = 0; i < NRECS; i++) {
		if (wr_bytes(a->wr, rec, REC) != REC)
			a->bad++;
	}
	return 0;
}

TEST(pipe, pipe_buf_writes_never_interleave)
{
	struct atom_arg a = { .value = 'a' }, b = { .value = 'b' };
	struct task_handle ha, hb;
	static char rec[REC];
	struct file *rd, *wr;
	long got = 0, bad = 0;

	make_pipe(&rd, &wr, 0);
	a.wr = b.wr = wr;
	EXPECT_EQ(task_spawn(&ha, "pipe.wa", atom_writer, &a), 0);
	EXPECT_EQ(task_spawn(&hb, "pipe.wb", atom_writer, &b), 0);
	while (got < 2 * NRECS) {
		size_t have = 0;

		/* Records may arrive in pieces; gather one, then check it is one writer's. */
		while (have < REC) {
			long n = rd_bytes(rd, rec + have, REC - have);

			EXPECT_TRUE(n > 0);
			if (n <= 0)
				break;
			have += (size_t)n;
		}
		for (size_t i = 1; i < REC; i++)
			bad += rec[i] != rec[0];
		got++;
	}
	EXPECT_EQ(task_join(ha, NULL), 0);
	EXPECT_EQ(task_join(hb, NULL), 0);
	EXPECT_EQ(bad, 0);
	EXPECT_EQ(a.bad + b.bad, 0);
	file_put(rd);
	file_put(wr);
}

struct late_arg {
	struct file *wr;
	uint64_t delay_ns;
	bool close;
};

static int late_writer(void *p)
{
	struct late_arg *l = p;

	task_sleep_ns(l->delay_ns);
	if (l->close)
		file_put(l->wr);
	else
		(void)!wr_bytes(l->wr, "late", 4);
	return 0;
}

TEST(pipe, blocked_reader_woken)
{
	struct late_arg l = { .delay_ns = 20 * NSEC_PER_MSEC };
	struct task_handle h;
	struct file *rd, *wr;
	char buf[8];
	uint64_t t0;

	make_pipe(&rd, &wr, 0);
	l.wr = wr;
	t0 = clock_monotonic_ns();
	EXPECT_EQ(task_spawn(&h, "pipe.late", late_writer, &l), 0);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), 4);
	EXPECT_TRUE(clock_monotonic_ns() - t0 >= l.delay_ns);
	EXPECT_EQ(task_join(h, NULL), 0);
	/* Now the last writer goes while the reader sleeps: EOF. */
	l.close = true;
	EXPECT_EQ(task_spawn(&h, "pipe.late", late_writer, &l), 0);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), 0);
	EXPECT_EQ(task_join(h, NULL), 0);
	file_put(rd);
}

TEST(pipe, poll_events_as_linux)
{
	struct file *rd, *wr;
	char c;

	make_pipe(&rd, &wr, O_NONBLOCK);
	EXPECT_EQ(vfs_poll(rd, NULL), 0u);
	EXPECT_EQ(wr_bytes(wr, "z", 1), 1);
	EXPECT_EQ(vfs_poll(rd, NULL), POLLIN | POLLRDNORM);
	file_put(wr);
	/* Writer gone with data left: POLLHUP and POLLIN; drained: POLLHUP alone. */
	EXPECT_EQ(vfs_poll(rd, NULL), POLLIN | POLLRDNORM | POLLHUP);
	EXPECT_EQ(rd_bytes(rd, &c, 1), 1);
	EXPECT_EQ(vfs_poll(rd, NULL), POLLHUP);
	file_put(rd);
}

/* ---- FIFOs (fs/fifo.c) on the root tmpfs ---- */

#define FIFO_PATH "/tmp/ktest-fifo"

struct fifo_arg {
	uint64_t delay_ns;
	int flags;
	long result;
};

/* Open the FIFO after a delay, write "fifo" if it is a writer, close. */
static int fifo_opener(void *p)
{
	struct fifo_arg *a = p;
	struct file *f;

	task_sleep_ns(a->delay_ns);
	f = vfs_open(AT_FDCWD, FIFO_PATH, a->flags, 0);
	if (IS_ERR_PTR(f)) {
		a->result = PTR_ERR_VAL(f);
		return 0;
	}
	a->result = (a->flags & O_ACCMODE) == O_WRONLY ? wr_bytes(f, "fifo", 4) : 0;
	file_put(f);
	return 0;
}

TEST(pipe, fifo_opens_as_linux)
{
	struct fifo_arg a = { .delay_ns = 20 * NSEC_PER_MSEC, .flags = O_WRONLY };
	struct file *rd, *wr, *rw;
	struct task_handle h;
	char buf[8];

	EXPECT_EQ(vfs_unlink(AT_FDCWD, FIFO_PATH), -ENOENT); /* left by nobody */
	EXPECT_EQ(vfs_mknod(AT_FDCWD, FIFO_PATH, S_IFIFO | 0600, 0), 0);
	wr = vfs_open(AT_FDCWD, FIFO_PATH, O_WRONLY | O_NONBLOCK, 0);
	EXPECT_EQ(PTR_ERR_VAL(wr), -ENXIO);
	rd = vfs_open(AT_FDCWD, FIFO_PATH, O_RDONLY | O_NONBLOCK, 0);
	EXPECT_TRUE(!IS_ERR_PTR(rd));
	/* No writer has come yet: not hung up. */
	EXPECT_EQ(vfs_poll(rd, NULL), 0u);
	wr = vfs_open(AT_FDCWD, FIFO_PATH, O_WRONLY | O_NONBLOCK, 0);
	EXPECT_TRUE(!IS_ERR_PTR(wr));
	EXPECT_TRUE(file_is_pipe(rd) && file_is_pipe(wr));
	EXPECT_EQ(wr_bytes(wr, "ab", 2), 2);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), 2);
	file_put(wr);
	EXPECT_EQ(vfs_poll(rd, NULL), POLLHUP);
	file_put(rd);
	rw = vfs_open(AT_FDCWD, FIFO_PATH, O_RDWR, 0);
	EXPECT_TRUE(!IS_ERR_PTR(rw));
	EXPECT_EQ(vfs_poll(rw, NULL), POLLOUT | POLLWRNORM);
	file_put(rw);
	/* A blocking read open waits for the writer that comes later. */
	EXPECT_EQ(task_spawn(&h, "fifo.w", fifo_opener, &a), 0);
	rd = vfs_open(AT_FDCWD, FIFO_PATH, O_RDONLY, 0);
	EXPECT_TRUE(!IS_ERR_PTR(rd));
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), 4);
	EXPECT_EQ(task_join(h, NULL), 0);
	EXPECT_EQ(a.result, 4);
	EXPECT_EQ(rd_bytes(rd, buf, sizeof(buf)), 0);
	file_put(rd);
	/* And a blocking write open waits for a reader. */
	a.flags = O_RDONLY;
	EXPECT_EQ(task_spawn(&h, "fifo.r", fifo_opener, &a), 0);
	wr = vfs_open(AT_FDCWD, FIFO_PATH, O_WRONLY, 0);
	EXPECT_TRUE(!IS_ERR_PTR(wr));
	EXPECT_EQ(task_join(h, NULL), 0);
	EXPECT_EQ(a.result, 0);
	file_put(wr);
	EXPECT_EQ(vfs_unlink(AT_FDCWD, FIFO_PATH), 0);
}
