// SPDX-License-Identifier: MIT
/*
 * Kernel tests of channels (kernel/ipc/channel*.c), suite "ipc_chan": the
 * kernel's own API of channel.h (write and read with txids, deadlines,
 * -ENOBUFS, a full queue, the peer closing, a reader woken by a writer in
 * another task), the message counts, and a message written by a system
 * call with a handle in it, which a kernel reader closes. Ends are held as
 * kernel handles, as a driver host holds its end.
 */
#include <cairn/errno.h>
#include <cairn/ipc.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "ipc/channel.h"
#include "ipc/object.h"
#include "mm/uaccess.h"
#include "sched/task.h"
#include "sys_user.h"
#include "syscall/syscall.h"
#include "time/time.h"

/* A pair whose ends are both kernel handles (the creation refs dropped). */
static void pair_new(struct kobject **a, struct kobject **b)
{
	EXPECT_EQ(channel_create(a, b), 0);
	kobject_handle_get(*a);
	kobject_handle_get(*b);
	kobject_put(*a);
	kobject_put(*b);
}

static struct cairn_objcount counts(void)
{
	struct cairn_objcount c = { 0 };

	ipc_counts_read(&c);
	return c;
}

TEST(ipc_chan, kernel_write_read)
{
	struct cairn_objcount c0 = counts(), c1;
	struct kobject *a, *b;
	char buf[16];
	uint32_t txid = 0;
	size_t len = 0;

	pair_new(&a, &b);
	EXPECT_TRUE(kobject_is_channel(a));
	EXPECT_TRUE(!kobject_is_channel(NULL));
	EXPECT_EQ(counts().objects[CAIRN_OBJ_CHANNEL], c0.objects[CAIRN_OBJ_CHANNEL] + 2);
	EXPECT_EQ(channel_write_kernel(a, "hello", 5, 0), 0);
	c1 = counts();
	EXPECT_EQ(c1.messages, c0.messages + 1);
	EXPECT_EQ(c1.message_bytes, c0.message_bytes + 5);
	EXPECT_EQ(kobject_signals(b), CAIRN_SIG_READABLE | CAIRN_SIG_WRITABLE);
	EXPECT_EQ(channel_read_kernel(b, buf, sizeof(buf), &len, &txid, TIME_NEVER), 0);
	EXPECT_EQ(len, 5);
	EXPECT_EQ(txid, 0);
	EXPECT_TRUE(!__builtin_memcmp(buf, "hello", 5));
	EXPECT_EQ(counts().messages, c0.messages);
	/* Nothing queued: a deadline in the past looks once. */
	EXPECT_EQ(channel_read_kernel(b, buf, sizeof(buf), &len, &txid, 0), -ETIMEDOUT);
	EXPECT_EQ(channel_read_kernel(a, buf, sizeof(buf), &len, &txid,
	                              clock_monotonic_ns() + 1000000),
	          -ETIMEDOUT);
	/* Too big for the buffer: dropped, its size told. */
	EXPECT_EQ(channel_write_kernel(b, "0123456789", 10, 0), 0);
	EXPECT_EQ(channel_read_kernel(a, buf, 4, &len, &txid, 0), -ENOBUFS);
	EXPECT_EQ(len, 10);
	EXPECT_EQ(channel_read_kernel(a, buf, 4, &len, &txid, 0), -ETIMEDOUT);
	EXPECT_EQ(channel_write_kernel(a, buf, CAIRN_MSG_MAX_BYTES + 1, 0), -EMSGSIZE);
	kobject_handle_put(a);
	kobject_handle_put(b);
	c1 = counts();
	EXPECT_EQ(c1.objects[CAIRN_OBJ_CHANNEL], c0.objects[CAIRN_OBJ_CHANNEL]);
	EXPECT_EQ(c1.messages, c0.messages);
}

TEST(ipc_chan, full_queue_and_peer_closed)
{
	struct kobject *a, *b;
	char buf[4];
	uint32_t txid;
	size_t len;
	int n = 0;

	pair_new(&a, &b);
	while (channel_write_kernel(a, "x", 1, 0) == 0)
		n++;
	EXPECT_EQ(n, CHANNEL_QUEUE_MSGS);
	EXPECT_EQ(channel_write_kernel(a, "x", 1, 0), -EAGAIN);
	EXPECT_EQ(kobject_signals(a) & CAIRN_SIG_WRITABLE, 0);
	EXPECT_EQ(channel_read_kernel(b, buf, sizeof(buf), &len, &txid, 0), 0);
	EXPECT_EQ(kobject_signals(a) & CAIRN_SIG_WRITABLE, CAIRN_SIG_WRITABLE);
	/* a closes: b reads what is queued, then -EPIPE; b's writes are -EPIPE. */
	kobject_handle_put(a);
	EXPECT_EQ(kobject_signals(b) & CAIRN_SIG_PEER_CLOSED, CAIRN_SIG_PEER_CLOSED);
	EXPECT_EQ(channel_write_kernel(b, "y", 1, 0), -EPIPE);
	for (int i = 0; i < n - 1; i++)
		EXPECT_EQ(channel_read_kernel(b, buf, sizeof(buf), &len, &txid, TIME_NEVER), 0);
	EXPECT_EQ(channel_read_kernel(b, buf, sizeof(buf), &len, &txid, TIME_NEVER), -EPIPE);
	kobject_handle_put(b);
}

struct late_writer {
	struct kobject *end;
	uint64_t delay_ns;
};

static int write_later(void *arg)
{
	struct late_writer *w = arg;

	task_sleep_ns(w->delay_ns);
	return channel_write_kernel(w->end, "wake", 4, 0);
}

TEST(ipc_chan, blocked_reader_woken)
{
	struct kobject *a, *b;
	struct late_writer w;
	struct task_handle t;
	struct task_result r;
	char buf[8];
	uint32_t txid;
	size_t len;

	pair_new(&a, &b);
	w.end = a;
	w.delay_ns = 20000000;
	EXPECT_EQ(task_spawn(&t, "chan-writer", write_later, &w), 0);
	EXPECT_EQ(channel_read_kernel(b, buf, sizeof(buf), &len, &txid, TIME_NEVER), 0);
	EXPECT_EQ(len, 4);
	EXPECT_EQ(task_join(t, &r), 0);
	EXPECT_EQ(r.value, 0);
	/* A peer closing wakes a blocked reader too. */
	w.end = NULL;
	kobject_handle_put(a);
	EXPECT_EQ(channel_read_kernel(b, buf, sizeof(buf), &len, &txid, TIME_NEVER), -EPIPE);
	kobject_handle_put(b);
}

/* A system call writes a message carrying a handle; a kernel reader closes it. */
TEST(ipc_chan, kernel_reader_closes_handles)
{
	struct uspace *s = sys_user_begin();
	struct cairn_objcount c0 = counts();
	struct kobject *a, *b, *x, *y;
	struct cairn_handle_xfer xf = { .rights = CAIRN_RIGHT_SAME_RIGHTS };
	struct cairn_msg m = { .nbytes = 3, .nhandles = 1 };
	const uint64_t args_w[6] = { 0, SYS_USER_BASE, 0, 0, 0, 0 };
	uint64_t args[6];
	char buf[8];
	uint32_t txid;
	size_t len;
	int fa;

	pair_new(&a, &b);
	EXPECT_EQ(channel_create(&x, &y), 0);
	kobject_handle_get(y);
	fa = handle_install(a, CAIRN_RIGHT_WRITE | CAIRN_RIGHT_TRANSFER, 0);
	xf.handle = handle_install(x, CAIRN_RIGHT_READ | CAIRN_RIGHT_TRANSFER, 0);
	kobject_put(x);
	kobject_put(y);
	kobject_handle_put(a); /* fa holds a now */
	EXPECT_TRUE(fa >= 0 && xf.handle >= 0);
	m.bytes = SYS_USER_BASE + 256;
	m.handles = SYS_USER_BASE + 512;
	EXPECT_EQ(copy_to_user((void *)(uintptr_t)SYS_USER_BASE, &m, sizeof(m)), 0);
	EXPECT_EQ(copy_to_user((void *)(uintptr_t)(SYS_USER_BASE + 256), "abc", 3), 0);
	EXPECT_EQ(copy_to_user((void *)(uintptr_t)(SYS_USER_BASE + 512), &xf, sizeof(xf)), 0);
	__builtin_memcpy(args, args_w, sizeof(args));
	args[0] = (uint64_t)fa;
	EXPECT_EQ(syscall_dispatch(CAIRN_SYS_CHANNEL_WRITE, args), 0);
	EXPECT_TRUE(fd_get_cloexec(fdtable_current(), xf.handle) == -EBADF); /* moved */
	EXPECT_EQ(counts().handles_in_flight, c0.handles_in_flight + 1);
	EXPECT_EQ(kobject_signals(y) & CAIRN_SIG_PEER_CLOSED, 0);
	EXPECT_EQ(channel_read_kernel(b, buf, sizeof(buf), &len, &txid, 0), 0);
	EXPECT_EQ(len, 3);
	EXPECT_EQ(kobject_signals(y) & CAIRN_SIG_PEER_CLOSED, CAIRN_SIG_PEER_CLOSED);
	EXPECT_EQ(counts().handles_in_flight, c0.handles_in_flight);
	EXPECT_EQ(fd_close(fdtable_current(), fa), 0);
	kobject_handle_put(b);
	kobject_handle_put(y);
	EXPECT_EQ(counts().objects[CAIRN_OBJ_CHANNEL], c0.objects[CAIRN_OBJ_CHANNEL]);
	EXPECT_EQ(counts().handles, c0.handles);
	sys_user_end(s);
}
