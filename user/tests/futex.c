// SPDX-License-Identifier: MIT
/*
 * futex(2) directly: wait on a changed value, timeouts, wake counts, requeue
 * and cmp_requeue, bitsets, private futexes between threads and a shared one
 * between processes.
 */
#include <pthread.h>

#include "utest.h"

static long futex(volatile int *uaddr, int op, int val, const struct timespec *ts,
                  volatile int *uaddr2, int val3)
{
	return syscall(SYS_futex, uaddr, op, val, ts, uaddr2, val3);
}

static volatile int word, word2, started, woken;

static void *waiter(void *arg)
{
	__atomic_add_fetch(&started, 1, __ATOMIC_ACQ_REL);
	while (__atomic_load_n(&word, __ATOMIC_ACQUIRE) == 0)
		futex(&word, (int)(long)arg, 0, NULL, NULL, 0x1);
	__atomic_add_fetch(&woken, 1, __ATOMIC_ACQ_REL);
	return NULL;
}

/* Start @n waiters on `word` with @op and wait until all are asleep (or nearly). */
static void start_waiters(pthread_t *t, int n, int op)
{
	int i;

	word = 0;
	started = woken = 0;
	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, waiter, (void *)(long)op);
	ut_await(&started, n, 10000);
	ut_sleep_ms(200); /* let them reach the kernel */
}

static void test_errors(void)
{
	struct timespec ts = { 0, 50 * 1000000 }, t0, t1;

	word = 1;
	tap_errno(futex(&word, FUTEX_WAIT, 2, NULL, NULL, 0), EAGAIN, "wait on a changed value");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	tap_errno(futex(&word, FUTEX_WAIT, 1, &ts, NULL, 0), ETIMEDOUT,
	          "wait with a 50 ms timeout");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	tap_ok((t1.tv_sec - t0.tv_sec) * 1000000000l + t1.tv_nsec - t0.tv_nsec >= 50000000,
	       "it waited at least 50 ms");
	tap_errno(futex(&word, FUTEX_WAKE, 1, NULL, NULL, 0), 0, "wake with no waiter");
	tap_errno(futex((int *)((char *)&word + 1), FUTEX_WAIT, 1, NULL, NULL, 0), EINVAL,
	          "wait on an unaligned word");
	tap_errno(futex((int *)8, FUTEX_WAIT, 1, NULL, NULL, 0), EFAULT, "wait on a bad address");
	tap_errno(futex(&word, 99, 1, NULL, NULL, 0), ENOSYS, "an unknown operation");
	tap_errno(futex(&word, FUTEX_WAIT_BITSET, 1, &ts, NULL, 0), EINVAL, "wait with bitset 0");
	ts.tv_nsec = 1000000000;
	tap_errno(futex(&word, FUTEX_WAIT, 1, &ts, NULL, 0), EINVAL, "a bad timeout");
}

static void test_wake_requeue(void)
{
	pthread_t t[4];
	long n;
	int i;

	start_waiters(t, 3, FUTEX_WAIT | FUTEX_PRIVATE_FLAG);
	word = 1;
	n = futex(&word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 1, NULL, NULL, 0);
	ut_await(&woken, 1, 10000);
	tap_ok(n == 1 && woken == 1, "wake 1 of 3 wakes exactly one (%ld, %d)", n, woken);
	n = futex(&word, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 10, NULL, NULL, 0);
	ut_await(&woken, 3, 10000);
	tap_ok(n == 2 && woken == 3, "wake 10 wakes the other two (%ld)", n);
	for (i = 0; i < 3; i++)
		pthread_join(t[i], NULL);

	start_waiters(t, 4, FUTEX_WAIT | FUTEX_PRIVATE_FLAG);
	/* The word changes first, so the one woken leaves instead of waiting again. */
	word = 1;
	tap_errno(futex(&word, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1, (void *)2, &word2, 5),
	          EAGAIN, "cmp_requeue with a stale value");
	n = futex(&word, FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG, 1, (void *)3, &word2, 1);
	ut_await(&woken, 1, 10000);
	tap_ok(n == 4 && woken == 1, "cmp_requeue wakes 1 and moves 3 (%ld)", n);
	n = futex(&word2, FUTEX_WAKE | FUTEX_PRIVATE_FLAG, 10, NULL, NULL, 0);
	ut_await(&woken, 4, 10000);
	tap_ok(n == 3 && woken == 4, "the moved three wake from the second word (%ld)", n);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);

	start_waiters(t, 2, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG);
	word = 1;
	n = futex(&word, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, 10, NULL, NULL, 0x2);
	tap_ok(n == 0, "a wake for bit 2 passes over waiters on bit 1 (%ld)", n);
	n = futex(&word, FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG, 10, NULL, NULL, 0x3);
	ut_await(&woken, 2, 10000);
	tap_ok(n == 2 && woken == 2, "a wake for bits 1|2 wakes them (%ld)", n);
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
}

static void test_shared(void)
{
	volatile int *w = ut_shared(4096);
	pid_t pid = fork();
	long n = 0;
	int st, i;

	if (pid == 0) {
		__atomic_store_n(&w[1], 1, __ATOMIC_RELEASE);
		while (__atomic_load_n(&w[0], __ATOMIC_ACQUIRE) == 0)
			futex(&w[0], FUTEX_WAIT, 0, NULL, NULL, 0);
		_exit(w[0]);
	}
	ut_await(&w[1], 1, 10000);
	ut_sleep_ms(100);
	__atomic_store_n(&w[0], 9, __ATOMIC_RELEASE);
	for (i = 0; i < 50 && n == 0; i++) {
		n = futex(&w[0], FUTEX_WAKE, 1, NULL, NULL, 0);
		if (n == 0)
			ut_sleep_ms(10);
	}
	st = ut_wait(pid);
	tap_ok(n == 1 && WIFEXITED(st) && WEXITSTATUS(st) == 9,
	       "a shared futex wakes a waiter in another process: %s", ut_status(st));
}

int main(void)
{
	tap_plan(17);
	test_errors();
	test_wake_requeue();
	test_shared();
	return tap_done(17);
}
