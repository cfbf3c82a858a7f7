/* SPDX-License-Identifier: MIT */
/*
 * Kernel tests of futex(2) (kernel/proc/futex.c), suite "futex": the
 * errors Linux gives (EAGAIN, EINVAL, EFAULT, ETIMEDOUT, ENOSYS), wakes
 * that reach tasks sleeping on other CPUs in the same address space,
 * bitsets, requeue and compare-requeue, WAKE_OP's atomic change and
 * conditional wake, absolute timeouts, and futex_wake_addr() as a thread
 * exit uses it. Every waiter task adopts the test's space.
 */
#include <cairn/errno.h>
#include <cairn/linux/futex.h>
#include <cairn/linux/syscall_nr.h>
#include <cairn/linux/time.h>

#include "core/log.h"
#include "mm/uaccess.h"
#include "proc/futex.h"
#include "sys_user.h"
#include "syscall/syscall.h"
#include "time/time.h"

#define A   UPTR(0)
#define B   UPTR(64)
#define TS  UPTR(256)
#define PRV FUTEX_PRIVATE_FLAG

static long futex(uint64_t uaddr, int op, uint32_t val, uint64_t t, uint64_t uaddr2, uint32_t v3)
{
	const uint64_t args[6] = { uaddr, (uint64_t)op, val, t, uaddr2, v3 };

	return syscall_dispatch(__NR_futex, args);
}

static void set_word(uint64_t uaddr, uint32_t v)
{
	EXPECT_EQ(copy_to_user((void *)uaddr, &v, sizeof(v)), 0);
}

static uint32_t get_word(uint64_t uaddr)
{
	uint32_t v = 0;

	EXPECT_EQ(copy_from_user(&v, (const void *)uaddr, sizeof(v)), 0);
	return v;
}

static void set_timespec(uint64_t uaddr, uint64_t ns)
{
	struct timespec ts = { (int64_t)(ns / NSEC_PER_SEC), (int64_t)(ns % NSEC_PER_SEC) };

	EXPECT_EQ(copy_to_user((void *)uaddr, &ts, sizeof(ts)), 0);
}

/* A waiter task: adopts @space, waits on @uaddr for value 0 with @op and @bitset. */
struct waiter_arg {
	struct uspace *space;
	uint64_t uaddr;
	int op;
	uint32_t bitset;
	volatile long result;
};

static int waiter_main(void *p)
{
	struct waiter_arg *w = p;

	uspace_get(w->space);
	preempt_disable();
	task_current()->space = w->space;
	uspace_activate(w->space);
	preempt_enable();
	w->result = futex(w->uaddr, w->op, 0, 0, 0, w->bitset);
	preempt_disable();
	task_current()->space = NULL;
	uspace_activate(NULL);
	preempt_enable();
	uspace_put(w->space);
	return 0;
}

static struct task_handle spawn_waiter(struct waiter_arg *w)
{
	struct task_handle h;

	w->result = 1000;
	EXPECT_EQ(task_spawn(&h, "futexw", waiter_main, w), 0);
	return h;
}

/* Wait until @n waiters are queued (they run on other CPUs or after us). */
static void wait_queued(unsigned n)
{
	uint64_t end = clock_monotonic_ns() + 5 * NSEC_PER_SEC;

	while (futex_waiters() < n && clock_monotonic_ns() < end)
		task_sleep_ns(NSEC_PER_MSEC);
	EXPECT_EQ(futex_waiters(), n);
}

static void join(struct task_handle h)
{
	EXPECT_EQ(task_join(h, NULL), 0);
}

TEST(futex, errors_as_linux)
{
	struct uspace *s = sys_user_begin();

	set_word(A, 5);
	EXPECT_EQ(futex(A, FUTEX_WAIT | PRV, 4, 0, 0, 0), -EAGAIN);
	EXPECT_EQ(futex(A + 1, FUTEX_WAIT | PRV, 5, 0, 0, 0), -EINVAL);
	EXPECT_EQ(futex(0xffffffff80000000ull, FUTEX_WAKE, 1, 0, 0, 0), -EFAULT);
	EXPECT_EQ(futex(UPTR(SYS_USER_BYTES + 0x100000), FUTEX_WAIT, 0, 0, 0, 0), -EFAULT);
	EXPECT_EQ(futex(A, FUTEX_WAIT_BITSET | PRV, 5, 0, 0, 0), -EINVAL);
	EXPECT_EQ(futex(A, FUTEX_WAKE_BITSET | PRV, 1, 0, 0, 0), -EINVAL);
	EXPECT_EQ(futex(A, FUTEX_LOCK_PI, 0, 0, 0, 0), -ENOSYS);
	EXPECT_EQ(futex(A, 99, 0, 0, 0, 0), -ENOSYS);
	EXPECT_EQ(futex(A, (int)0x80000000, 0, 0, 0, 0), -ENOSYS);
	EXPECT_EQ(futex(A, FUTEX_WAKE | FUTEX_CLOCK_REALTIME, 1, 0, 0, 0), -ENOSYS);
	EXPECT_EQ(futex(A, FUTEX_WAKE | PRV, 1, 0, 0, 0), 0);
	EXPECT_EQ(futex(A, FUTEX_CMP_REQUEUE | PRV, 1, 1, B, 4), -EAGAIN);
	EXPECT_EQ(futex(A, FUTEX_CMP_REQUEUE | PRV, (uint32_t)-1, 1, B, 5), -EINVAL);
	EXPECT_EQ(futex(A, FUTEX_WAKE_OP | PRV, 1, 1, B, 0xf0000000), -ENOSYS);
	/* Bad timespecs. */
	set_timespec(TS, 0);
	EXPECT_EQ(copy_to_user((void *)(TS + 8), &(int64_t){ 1000000000 }, 8), 0);
	EXPECT_EQ(futex(A, FUTEX_WAIT | PRV, 5, TS, 0, 0), -EINVAL);
	EXPECT_EQ(futex(A, FUTEX_WAIT | PRV, 5, 0xffffffff80000000ull, 0, 0), -EFAULT);
	sys_user_end(s);
}

TEST(futex, timeouts)
{
	struct uspace *s = sys_user_begin();
	uint64_t t0 = clock_monotonic_ns();

	set_word(A, 0);
	set_timespec(TS, 20 * NSEC_PER_MSEC);
	EXPECT_EQ(futex(A, FUTEX_WAIT | PRV, 0, TS, 0, 0), -ETIMEDOUT);
	EXPECT_TRUE(clock_monotonic_ns() - t0 >= 20 * NSEC_PER_MSEC);
	/* WAIT_BITSET takes an absolute monotonic deadline. */
	t0 = clock_monotonic_ns();
	set_timespec(TS, t0 + 20 * NSEC_PER_MSEC);
	EXPECT_EQ(futex(A, FUTEX_WAIT_BITSET | PRV, 0, TS, 0, FUTEX_BITSET_MATCH_ANY), -ETIMEDOUT);
	EXPECT_TRUE(clock_monotonic_ns() - t0 >= 20 * NSEC_PER_MSEC);
	/* A realtime deadline already past returns at once. */
	set_timespec(TS, NSEC_PER_SEC);
	t0 = clock_monotonic_ns();
	EXPECT_EQ(futex(A, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME, 0, TS, 0, 1), -ETIMEDOUT);
	EXPECT_TRUE(clock_monotonic_ns() - t0 < 50 * NSEC_PER_MSEC);
	EXPECT_EQ(futex_waiters(), 0);
	sys_user_end(s);
}

TEST(futex, wake_reaches_sleepers)
{
	struct uspace *s = sys_user_begin();
	struct waiter_arg w[3];
	struct task_handle h[3];

	set_word(A, 0);
	for (int i = 0; i < 3; i++) {
		w[i] = (struct waiter_arg){ .space = s, .uaddr = A, .op = FUTEX_WAIT | PRV };
		h[i] = spawn_waiter(&w[i]);
	}
	wait_queued(3);
	EXPECT_EQ(futex(A, FUTEX_WAKE | PRV, 2, 0, 0, 0), 2);
	wait_queued(1);
	EXPECT_EQ(futex(A, FUTEX_WAKE | PRV, 10, 0, 0, 0), 1);
	for (int i = 0; i < 3; i++) {
		join(h[i]);
		EXPECT_EQ(w[i].result, 0);
	}
	/* The shared (non-private) form reaches the same private memory's waiters. */
	w[0] = (struct waiter_arg){ .space = s, .uaddr = A, .op = FUTEX_WAIT };
	h[0] = spawn_waiter(&w[0]);
	wait_queued(1);
	EXPECT_EQ(futex_wake_addr(A, 1), 1);
	join(h[0]);
	EXPECT_EQ(w[0].result, 0);
	sys_user_end(s);
}

TEST(futex, bitsets_select_waiters)
{
	struct uspace *s = sys_user_begin();
	struct waiter_arg w[2];
	struct task_handle h[2];

	set_word(A, 0);
	for (int i = 0; i < 2; i++) {
		w[i] = (struct waiter_arg){
			.space = s, .uaddr = A, .op = FUTEX_WAIT_BITSET | PRV, .bitset = 1u << i
		};
		h[i] = spawn_waiter(&w[i]);
	}
	wait_queued(2);
	EXPECT_EQ(futex(A, FUTEX_WAKE_BITSET | PRV, 10, 0, 0, 4), 0);
	EXPECT_EQ(futex(A, FUTEX_WAKE_BITSET | PRV, 10, 0, 0, 2), 1);
	join(h[1]);
	EXPECT_EQ(w[1].result, 0);
	EXPECT_EQ(w[0].result, 1000);
	EXPECT_EQ(futex(A, FUTEX_WAKE | PRV, 10, 0, 0, 0), 1);
	join(h[0]);
	sys_user_end(s);
}

TEST(futex, requeue_moves_waiters)
{
	struct uspace *s = sys_user_begin();
	struct waiter_arg w[4];
	struct task_handle h[4];

	set_word(A, 0);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct waiter_arg){ .space = s, .uaddr = A, .op = FUTEX_WAIT | PRV };
		h[i] = spawn_waiter(&w[i]);
	}
	wait_queued(4);
	/* Wake one, move two to B; one stays on A. */
	EXPECT_EQ(futex(A, FUTEX_CMP_REQUEUE | PRV, 1, 2, B, 0), 3);
	wait_queued(3);
	EXPECT_EQ(futex(A, FUTEX_REQUEUE | PRV, 0, 5, B, 0), 1);
	EXPECT_EQ(futex(A, FUTEX_WAKE | PRV, 10, 0, 0, 0), 0);
	EXPECT_EQ(futex(B, FUTEX_WAKE | PRV, 10, 0, 0, 0), 3);
	for (int i = 0; i < 4; i++) {
		join(h[i]);
		EXPECT_EQ(w[i].result, 0);
	}
	EXPECT_EQ(futex_waiters(), 0);
	sys_user_end(s);
}

/* FUTEX_OP(op, oparg, cmp, cmparg), as Linux's macro encodes it. */
#define OP(op, oparg, cmp, cmparg) \
	((uint32_t)(((op) << 28) | ((cmp) << 24) | (((oparg)&0xfff) << 12) | ((cmparg)&0xfff)))

TEST(futex, wake_op_changes_and_wakes)
{
	struct uspace *s = sys_user_begin();
	struct waiter_arg wa = { .space = s, .uaddr = A, .op = FUTEX_WAIT | PRV };
	struct waiter_arg wb = { .space = s, .uaddr = B, .op = FUTEX_WAIT | PRV };
	struct task_handle ha, hb;

	set_word(A, 0);
	set_word(B, 0);
	ha = spawn_waiter(&wa);
	hb = spawn_waiter(&wb);
	wait_queued(2);
	/* B += 5 (old 0); wake A; old > 0 is false, so B's waiter sleeps on. */
	EXPECT_EQ(futex(A, FUTEX_WAKE_OP | PRV, 1, 1, B, OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_GT, 0)),
	          1);
	EXPECT_EQ(get_word(B), 5);
	join(ha);
	wait_queued(1);
	/* B = 1 << 3 (old 5); 5 > 0 wakes B's waiter. */
	EXPECT_EQ(futex(A, FUTEX_WAKE_OP | PRV, 1, 1, B,
	                OP(FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 3, FUTEX_OP_CMP_GT, 0)),
	          1);
	EXPECT_EQ(get_word(B), 8);
	join(hb);
	EXPECT_EQ(wa.result, 0);
	EXPECT_EQ(wb.result, 0);
	/* The word must be writable user memory. */
	EXPECT_EQ(futex(A, FUTEX_WAKE_OP | PRV, 1, 1, 0xffffffff80000000ull,
	                OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 0)),
	          -EFAULT);
	sys_user_end(s);
}

/*
 * Two tasks hand a token back and forth through one word: each waits while
 * the word is not its turn, the other sets it and wakes. A lost wake-up
 * would hang one side (the join's timeout catches it as a failed test).
 */
#define PINGPONG_ROUNDS 2000

struct pong_arg {
	struct uspace *space;
	volatile int rounds;
};

static void take_turn(uint32_t mine, uint32_t theirs)
{
	while (get_word(A) != mine)
		futex(A, FUTEX_WAIT | PRV, theirs, 0, 0, 0);
	set_word(A, theirs);
	futex(A, FUTEX_WAKE | PRV, 1, 0, 0, 0);
}

static int pong_main(void *p)
{
	struct pong_arg *a = p;

	uspace_get(a->space);
	preempt_disable();
	task_current()->space = a->space;
	uspace_activate(a->space);
	preempt_enable();
	for (int i = 0; i < PINGPONG_ROUNDS; i++) {
		take_turn(1, 0);
		a->rounds++;
	}
	preempt_disable();
	task_current()->space = NULL;
	uspace_activate(NULL);
	preempt_enable();
	uspace_put(a->space);
	return 0;
}

TEST(futex, pingpong_loses_no_wakeup)
{
	struct uspace *s = sys_user_begin();
	struct pong_arg a = { .space = s };
	struct task_handle h;
	uint64_t t0;

	set_word(A, 0);
	EXPECT_EQ(task_spawn(&h, "pong", pong_main, &a), 0);
	t0 = clock_monotonic_ns();
	for (int i = 0; i < PINGPONG_ROUNDS; i++)
		take_turn(0, 1);
	join(h);
	EXPECT_EQ(a.rounds, PINGPONG_ROUNDS);
	kprintf("# futex: %d round trips, %llu ns each\n", PINGPONG_ROUNDS,
	        (unsigned long long)((clock_monotonic_ns() - t0) / PINGPONG_ROUNDS));
	EXPECT_EQ(futex_waiters(), 0);
	sys_user_end(s);
}
