// SPDX-License-Identifier: MIT
/*
 * Kernel tests of kernel objects and handles (kernel/ipc/object.c,
 * handle.c), suite "ipc_obj": a tiny test object type whose destroy and
 * no_handles are counted, so the tests see refs, handles and live counts
 * move exactly; handle rights through cairn_handle_dup (fewer rights
 * work, more are -EACCES, no DUPLICATE is -EACCES, unknown bits -EINVAL),
 * handle_get's type and rights errors, handle_info, and poll of a handle
 * with and without WAIT. Calls go through syscall_dispatch() with their
 * arguments in a user region, as a program's do.
 */
#include <cairn/errno.h>
#include <cairn/ipc.h>
#include <cairn/linux/poll.h>
#include <cairn/linux/syscall_nr.h>

#include "core/ktest.h"
#include "fs/file.h"
#include "fs/poll.h"
#include "ipc/object.h"
#include "mm/heap.h"
#include "mm/uaccess.h"
#include "sched/task.h"
#include "sys_user.h"
#include "syscall/syscall.h"
#include "time/time.h"

#define U_INFO UPTR(0)    /* struct cairn_handle_info */
#define U_CNT  UPTR(512)  /* struct cairn_objcount */
#define U_POLL UPTR(1024) /* struct pollfd */
#define U_EV   UPTR(1536) /* struct epoll_event */

/* The test type: a kobject and what happened to it. */
struct tobj {
	struct kobject ko;
	uint32_t sigs;
};

static int tobj_destroyed;  /* destroy calls since the test began */
static int tobj_no_handles; /* no_handles calls */

static uint32_t tobj_signals(struct kobject *o)
{
	return __atomic_load_n(&((struct tobj *)o)->sigs, __ATOMIC_RELAXED);
}

static void tobj_nohandles(struct kobject *o)
{
	(void)o;
	tobj_no_handles++;
}

static void tobj_destroy(struct kobject *o)
{
	tobj_destroyed++;
	kfree(o);
}

/* Borrows the channel type number, so the live counts can be watched. */
static const struct kobject_ops tobj_ops = {
	.type = CAIRN_OBJ_CHANNEL,
	.name = "test",
	.default_rights = CAIRN_RIGHT_READ | CAIRN_RIGHT_DUPLICATE | CAIRN_RIGHT_WAIT,
	.signals = tobj_signals,
	.no_handles = tobj_nohandles,
	.destroy = tobj_destroy,
};

static struct tobj *tobj_new(void)
{
	struct tobj *t = kmalloc_flags(sizeof(*t), KM_ZERO);

	tobj_destroyed = 0;
	tobj_no_handles = 0;
	kobject_init(&t->ko, &tobj_ops);
	return t;
}

static long sc(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
	const uint64_t args[6] = { a0, a1, a2, a3, 0, 0 };

	return syscall_dispatch(nr, args);
}

static struct cairn_objcount counts(void)
{
	struct cairn_objcount c;

	EXPECT_EQ(sc(CAIRN_SYS_OBJECT_COUNT, U_CNT, sizeof(c), 0, 0), 0);
	EXPECT_EQ(copy_from_user(&c, (const void *)U_CNT, sizeof(c)), 0);
	return c;
}

static struct cairn_handle_info info_of(int fd)
{
	struct cairn_handle_info i = { 0 };

	EXPECT_EQ(sc(CAIRN_SYS_HANDLE_INFO, (uint64_t)fd, U_INFO, sizeof(i), 0), 0);
	EXPECT_EQ(copy_from_user(&i, (const void *)U_INFO, sizeof(i)), 0);
	return i;
}

TEST(ipc_obj, refs_handles_and_counts)
{
	struct uspace *s = sys_user_begin();
	struct cairn_objcount c0 = counts(), c1;
	struct tobj *t = tobj_new();
	int fd;

	c1 = counts();
	EXPECT_EQ(c1.objects[CAIRN_OBJ_CHANNEL], c0.objects[CAIRN_OBJ_CHANNEL] + 1);
	EXPECT_EQ(c1.version, CAIRN_OBJCOUNT_VERSION);
	EXPECT_EQ(c1.size, sizeof(c1));
	fd = handle_install(&t->ko, tobj_ops.default_rights, 0);
	EXPECT_TRUE(fd >= 0);
	EXPECT_EQ(t->ko.refs, 2);
	EXPECT_EQ(t->ko.handles, 1);
	EXPECT_EQ(counts().handles, c0.handles + 1);
	kobject_put(&t->ko); /* the creator's reference: the handle keeps it */
	EXPECT_EQ(tobj_destroyed, 0);
	kobject_handle_get(&t->ko); /* a kernel handle */
	EXPECT_EQ(fd_close(fdtable_current(), fd), 0);
	EXPECT_EQ(tobj_no_handles, 0);
	EXPECT_EQ(tobj_destroyed, 0);
	kobject_handle_put(&t->ko);
	EXPECT_EQ(tobj_no_handles, 1);
	EXPECT_EQ(tobj_destroyed, 1);
	c1 = counts();
	EXPECT_EQ(c1.objects[CAIRN_OBJ_CHANNEL], c0.objects[CAIRN_OBJ_CHANNEL]);
	EXPECT_EQ(c1.handles, c0.handles);
	sys_user_end(s);
}

TEST(ipc_obj, koids_unique_and_info)
{
	struct uspace *s = sys_user_begin();
	struct tobj *a = tobj_new(), *b = tobj_new();
	struct cairn_handle_info ia, ib;
	int fa = handle_install(&a->ko, CAIRN_RIGHT_READ, 0);
	int fb = handle_install(&b->ko, CAIRN_RIGHT_WAIT | CAIRN_RIGHT_INSPECT, 0);

	EXPECT_TRUE(fa >= 0 && fb >= 0);
	a->sigs = CAIRN_SIG_READABLE;
	ia = info_of(fa);
	ib = info_of(fb);
	EXPECT_TRUE(ia.koid != 0 && ib.koid != 0 && ia.koid != ib.koid);
	EXPECT_EQ(ia.type, CAIRN_OBJ_CHANNEL);
	EXPECT_EQ(ia.rights, CAIRN_RIGHT_READ);
	EXPECT_EQ(ia.signals, CAIRN_SIG_READABLE);
	EXPECT_EQ(ib.rights, CAIRN_RIGHT_WAIT | CAIRN_RIGHT_INSPECT);
	EXPECT_EQ(ib.signals, 0);
	/* Too small a size, and a descriptor that is not open. */
	EXPECT_EQ(sc(CAIRN_SYS_HANDLE_INFO, (uint64_t)fa, U_INFO, 16, 0), -EINVAL);
	EXPECT_EQ(sc(CAIRN_SYS_HANDLE_INFO, 999, U_INFO, sizeof(ia), 0), -EBADF);
	EXPECT_EQ(sc(CAIRN_SYS_HANDLE_INFO, (uint64_t)fa, 0x10, sizeof(ia), 0), -EFAULT);
	EXPECT_EQ(sc(CAIRN_SYS_ABI_VERSION, 0, 0, 0, 0), CAIRN_ABI_VERSION);
	kobject_put(&a->ko);
	kobject_put(&b->ko);
	EXPECT_EQ(fd_close(fdtable_current(), fa), 0);
	EXPECT_EQ(fd_close(fdtable_current(), fb), 0);
	EXPECT_EQ(tobj_destroyed, 2);
	sys_user_end(s);
}

TEST(ipc_obj, dup_rights)
{
	struct uspace *s = sys_user_begin();
	struct tobj *t = tobj_new();
	uint32_t all = tobj_ops.default_rights;
	int fd = handle_install(&t->ko, all, 0), d1, d2;

	kobject_put(&t->ko);
	/* Fewer rights work, and the new handle has exactly them. */
	d1 = (int)sc(CAIRN_SYS_HANDLE_DUP, (uint64_t)fd, CAIRN_RIGHT_READ, 0, 0);
	EXPECT_TRUE(d1 >= 0);
	EXPECT_EQ(info_of(d1).rights, CAIRN_RIGHT_READ);
	EXPECT_EQ(info_of(d1).koid, info_of(fd).koid);
	/* More than the handle has: refused, not quietly masked. */
	EXPECT_EQ(sc(CAIRN_SYS_HANDLE_DUP, (uint64_t)fd, all | CAIRN_RIGHT_WRITE, 0, 0), -EACCES);
	/* d1 lacks DUPLICATE: it cannot be duplicated at all, even with fewer rights. */
	EXPECT_EQ(sc(CAIRN_SYS_HANDLE_DUP, (uint64_t)d1, 0, 0, 0), -EACCES);
	/* SAME_RIGHTS copies them; with other bits, or unknown ones, it is -EINVAL. */
	d2 = (int)sc(CAIRN_SYS_HANDLE_DUP, (uint64_t)fd, CAIRN_RIGHT_SAME_RIGHTS,
	             CAIRN_HANDLE_CLOEXEC, 0);
	EXPECT_TRUE(d2 >= 0);
	EXPECT_EQ(info_of(d2).rights, all);
	EXPECT_EQ(fd_get_cloexec(fdtable_current(), d2), 1);
	EXPECT_EQ(sc(CAIRN_SYS_HANDLE_DUP, (uint64_t)fd, CAIRN_RIGHT_SAME_RIGHTS | 1, 0, 0),
	          -EINVAL);
	EXPECT_EQ(sc(CAIRN_SYS_HANDLE_DUP, (uint64_t)fd, 1u << 20, 0, 0), -EINVAL);
	EXPECT_EQ(sc(CAIRN_SYS_HANDLE_DUP, (uint64_t)fd, CAIRN_RIGHT_READ, 4, 0), -EINVAL);
	EXPECT_EQ(t->ko.handles, 3);
	EXPECT_EQ(fd_close(fdtable_current(), fd), 0);
	EXPECT_EQ(fd_close(fdtable_current(), d1), 0);
	EXPECT_EQ(tobj_no_handles, 0);
	EXPECT_EQ(fd_close(fdtable_current(), d2), 0);
	EXPECT_EQ(tobj_no_handles, 1);
	EXPECT_EQ(tobj_destroyed, 1);
	sys_user_end(s);
}

TEST(ipc_obj, handle_get_errors)
{
	struct tobj *t = tobj_new();
	int fd = handle_install(&t->ko, CAIRN_RIGHT_READ, 0);
	struct kobject *o = NULL;
	struct file *f = NULL;
	uint32_t r = 0;

	EXPECT_TRUE(fd >= 0);
	EXPECT_EQ(handle_get(fd, CAIRN_OBJ_CHANNEL, CAIRN_RIGHT_READ, &o, &r), 0);
	EXPECT_TRUE(o == &t->ko);
	EXPECT_EQ(r, CAIRN_RIGHT_READ);
	kobject_put(o);
	EXPECT_EQ(handle_get(fd, CAIRN_OBJ_VMO, 0, &o, NULL), -EBADFD);
	EXPECT_EQ(handle_get(fd, CAIRN_OBJ_NONE, CAIRN_RIGHT_WRITE, &o, NULL), -EACCES);
	EXPECT_EQ(handle_get(4000, CAIRN_OBJ_NONE, 0, &o, NULL), -EBADF);
	EXPECT_EQ(handle_get_file(fd, CAIRN_OBJ_CHANNEL, CAIRN_RIGHT_READ, &f), 0);
	EXPECT_TRUE(file_is_handle(f));
	EXPECT_TRUE(file_handle(f)->obj == &t->ko);
	file_put(f);
	/* handle_install refuses unknown flags and makes nothing. */
	EXPECT_EQ(handle_install(&t->ko, CAIRN_RIGHT_READ, 8), -EINVAL);
	EXPECT_EQ(t->ko.handles, 1);
	kobject_put(&t->ko);
	EXPECT_EQ(fd_close(fdtable_current(), fd), 0);
	EXPECT_EQ(tobj_destroyed, 1);
}

/* A non-handle file is -EBADFD: an eventfd serves. */
TEST(ipc_obj, not_a_handle)
{
	struct kobject *o;
	int fd = (int)sc(__NR_eventfd2, 0, 0, 0, 0);

	EXPECT_TRUE(fd >= 0);
	EXPECT_EQ(handle_get(fd, CAIRN_OBJ_NONE, 0, &o, NULL), -EBADFD);
	EXPECT_EQ(sc(CAIRN_SYS_HANDLE_DUP, (uint64_t)fd, CAIRN_RIGHT_SAME_RIGHTS, 0, 0), -EBADFD);
	EXPECT_EQ(fd_close(fdtable_current(), fd), 0);
}

TEST(ipc_obj, poll_needs_wait)
{
	struct uspace *s = sys_user_begin();
	struct tobj *t = tobj_new();
	int w = handle_install(&t->ko, CAIRN_RIGHT_WAIT | CAIRN_RIGHT_READ, 0);
	int nw = handle_install(&t->ko, CAIRN_RIGHT_READ, 0);
	struct pollfd p = { .fd = nw, .events = POLLIN };
	struct epoll_event ev = { .events = POLLIN };
	int ep = (int)sc(__NR_epoll_create1, 0, 0, 0, 0);

	kobject_put(&t->ko);
	EXPECT_EQ(copy_to_user((void *)U_POLL, &p, sizeof(p)), 0);
	EXPECT_EQ(sc(__NR_poll, U_POLL, 1, 0, 0), 1);
	EXPECT_EQ(copy_from_user(&p, (const void *)U_POLL, sizeof(p)), 0);
	EXPECT_EQ(p.revents, POLLNVAL);
	EXPECT_EQ(copy_to_user((void *)U_EV, &ev, sizeof(ev)), 0);
	EXPECT_EQ(sc(__NR_epoll_ctl, (uint64_t)ep, EPOLL_CTL_ADD, (uint64_t)nw, U_EV), -EPERM);
	EXPECT_EQ(sc(__NR_epoll_ctl, (uint64_t)ep, EPOLL_CTL_ADD, (uint64_t)w, U_EV), 0);
	/* With WAIT: nothing yet, then READABLE turns into POLLIN for poll and epoll. */
	p.fd = w;
	EXPECT_EQ(copy_to_user((void *)U_POLL, &p, sizeof(p)), 0);
	EXPECT_EQ(sc(__NR_poll, U_POLL, 1, 0, 0), 0);
	EXPECT_EQ(sc(__NR_epoll_wait, (uint64_t)ep, U_EV, 1, 0), 0);
	__atomic_store_n(&t->sigs, CAIRN_SIG_READABLE, __ATOMIC_RELAXED);
	kobject_signal(&t->ko, CAIRN_SIG_READABLE);
	EXPECT_EQ(sc(__NR_epoll_wait, (uint64_t)ep, U_EV, 1, 0), 1);
	EXPECT_EQ(sc(__NR_poll, U_POLL, 1, 0, 0), 1);
	EXPECT_EQ(copy_from_user(&p, (const void *)U_POLL, sizeof(p)), 0);
	EXPECT_EQ(p.revents, POLLIN);
	EXPECT_EQ(fd_close(fdtable_current(), ep), 0);
	EXPECT_EQ(fd_close(fdtable_current(), w), 0);
	EXPECT_EQ(fd_close(fdtable_current(), nw), 0);
	EXPECT_EQ(tobj_destroyed, 1);
	sys_user_end(s);
}

TEST(ipc_obj, sig_to_poll_and_deadline)
{
	EXPECT_EQ(kobject_sig_to_poll(CAIRN_SIG_READABLE), POLLIN | POLLRDNORM);
	EXPECT_EQ(kobject_sig_to_poll(CAIRN_SIG_WRITABLE), POLLOUT | POLLWRNORM);
	EXPECT_EQ(kobject_sig_to_poll(CAIRN_SIG_PEER_CLOSED), POLLHUP);
	EXPECT_EQ(kobject_sig_to_poll(CAIRN_SIG_SIGNALED), POLLIN | POLLPRI);
	EXPECT_EQ(kobject_sig_to_poll(CAIRN_SIG_TERMINATED), POLLIN);
	EXPECT_EQ(kobject_sig_to_poll(0), 0);
	EXPECT_EQ(ipc_deadline(CAIRN_DEADLINE_NEVER), UINT64_MAX);
	EXPECT_EQ(ipc_deadline(-5), 0);
	EXPECT_EQ(ipc_deadline(12345), 12345);
}

#define U_ITEMS UPTR(2048) /* struct cairn_wait_item[] */

struct late_signal {
	struct tobj *t;
	uint64_t delay_ns;
};

/* Raise READABLE on the object after a while, from another task (maybe another CPU). */
static int late_signaller(void *arg)
{
	struct late_signal *l = arg;

	task_sleep_ns(l->delay_ns);
	__atomic_store_n(&l->t->sigs, CAIRN_SIG_READABLE, __ATOMIC_RELEASE);
	kobject_signal(&l->t->ko, CAIRN_SIG_READABLE);
	return 0;
}

/* wait_many sleeps on two objects and wakes when the second is signalled, filling both. */
TEST(ipc_obj, wait_many_woken)
{
	struct uspace *s = sys_user_begin();
	struct tobj *a = tobj_new(), *b = tobj_new();
	struct late_signal l = { .t = b, .delay_ns = 20 * NSEC_PER_MSEC };
	struct cairn_wait_item it[2];
	struct task_handle th;
	uint64_t t0 = clock_monotonic_ns();
	int fa = handle_install(&a->ko, CAIRN_RIGHT_WAIT, 0);
	int fb = handle_install(&b->ko, CAIRN_RIGHT_WAIT, 0);

	kobject_put(&a->ko);
	kobject_put(&b->ko);
	a->sigs = CAIRN_SIG_WRITABLE; /* set, but not wanted */
	it[0] = (struct cairn_wait_item){ .handle = fa, .want = CAIRN_SIG_READABLE };
	it[1] = (struct cairn_wait_item){ .handle = fb, .want = CAIRN_SIG_READABLE };
	EXPECT_EQ(copy_to_user((void *)U_ITEMS, it, sizeof(it)), 0);
	EXPECT_EQ(task_spawn(&th, "ipc.late", late_signaller, &l), 0);
	EXPECT_EQ(sc(CAIRN_SYS_WAIT_MANY, U_ITEMS, 2, (uint64_t)CAIRN_DEADLINE_NEVER, 0), 1);
	EXPECT_TRUE(clock_monotonic_ns() - t0 >= l.delay_ns);
	EXPECT_EQ(copy_from_user(it, (const void *)U_ITEMS, sizeof(it)), 0);
	EXPECT_EQ(it[0].got, CAIRN_SIG_WRITABLE);
	EXPECT_EQ(it[1].got, CAIRN_SIG_READABLE);
	EXPECT_EQ(task_join(th, NULL), 0);
	/* A deadline already past looks once: READABLE is there, so 1 again. */
	EXPECT_EQ(sc(CAIRN_SYS_WAIT_MANY, U_ITEMS, 2, 1, 0), 1);
	/* Nothing wanted is up: a short deadline times out with got filled. */
	it[1].want = CAIRN_SIG_PEER_CLOSED;
	EXPECT_EQ(copy_to_user((void *)U_ITEMS, it, sizeof(it)), 0);
	t0 = clock_monotonic_ns();
	EXPECT_EQ(sc(CAIRN_SYS_WAIT_MANY, U_ITEMS, 2, t0 + 10 * NSEC_PER_MSEC, 0), -ETIMEDOUT);
	EXPECT_TRUE(clock_monotonic_ns() - t0 >= 10 * NSEC_PER_MSEC);
	EXPECT_EQ(fd_close(fdtable_current(), fa), 0);
	EXPECT_EQ(fd_close(fdtable_current(), fb), 0);
	EXPECT_EQ(tobj_destroyed, 2);
	sys_user_end(s);
}
