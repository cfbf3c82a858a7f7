// SPDX-License-Identifier: MIT
/*
 * Threads through the libc's pthreads (clone, futex, set_tid_address,
 * arch_prctl underneath): a mutex-protected counter, a producer/consumer
 * queue on a condition variable, thread-local storage, join values, and
 * detached threads, with four threads on four CPUs.
 */
#include <pthread.h>

#include "utest.h"

#define NTHREADS 4
#define ADDS     20000
#define ITEMS    4000
#define QSIZE    8

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static void *adder(void *arg)
{
	int i;

	for (i = 0; i < ADDS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
	}
	return arg;
}

/* A bounded queue: one producer, NTHREADS consumers, -1 ends each consumer. */
static struct {
	pthread_mutex_t m;
	pthread_cond_t not_empty, not_full;
	int buf[QSIZE];
	int head, count;
} q = { .m = PTHREAD_MUTEX_INITIALIZER,
	.not_empty = PTHREAD_COND_INITIALIZER,
	.not_full = PTHREAD_COND_INITIALIZER };

static void put(int v)
{
	pthread_mutex_lock(&q.m);
	while (q.count == QSIZE)
		pthread_cond_wait(&q.not_full, &q.m);
	q.buf[(q.head + q.count++) % QSIZE] = v;
	pthread_cond_signal(&q.not_empty);
	pthread_mutex_unlock(&q.m);
}

static int take(void)
{
	int v;

	pthread_mutex_lock(&q.m);
	while (q.count == 0)
		pthread_cond_wait(&q.not_empty, &q.m);
	v = q.buf[q.head];
	q.head = (q.head + 1) % QSIZE;
	q.count--;
	pthread_cond_signal(&q.not_full);
	pthread_mutex_unlock(&q.m);
	return v;
}

static void *consumer(void *arg)
{
	long sum = 0;
	int v;

	while ((v = take()) >= 0)
		sum += v;
	*(long *)arg = sum;
	return NULL;
}

static __thread int tls_value = 5;

static void *tls_thread(void *arg)
{
	int before = tls_value;

	tls_value = (int)(long)arg;
	sched_yield();
	return (void *)(long)(before == 5 && tls_value == (int)(long)arg);
}

static void test_consumers(void)
{
	pthread_t t[NTHREADS];
	long sums[NTHREADS], total = 0, want = 0;
	int i;

	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, consumer, &sums[i]);
	for (i = 1; i <= ITEMS; i++) {
		put(i);
		want += i;
	}
	for (i = 0; i < NTHREADS; i++)
		put(-1);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], NULL);
		total += sums[i];
	}
	tap_ok(total == want, "%d items through a condvar queue to %d consumers: sum %ld", ITEMS,
	       NTHREADS, total);
}

static void test_tls(void)
{
	pthread_t t[NTHREADS];
	void *r;
	int i, good = 0;

	for (i = 0; i < NTHREADS; i++)
		pthread_create(&t[i], NULL, tls_thread, (void *)(long)(100 + i));
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &r);
		good += r == (void *)1;
	}
	tap_ok(good == NTHREADS && tls_value == 5, "thread-local storage is per thread (%d of %d)",
	       good, NTHREADS);
}

static volatile int detached_ran;

static void *detached(void *arg)
{
	__atomic_store_n(&detached_ran, 1, __ATOMIC_RELEASE);
	return NULL;
}

int main(void)
{
	pthread_t t[NTHREADS];
	pthread_attr_t attr;
	void *r;
	int i, err, joined = 0;

	tap_plan(6);
	for (i = 0; i < NTHREADS; i++) {
		err = pthread_create(&t[i], NULL, adder, (void *)(long)(i + 1));
		if (err)
			break;
	}
	tap_ok(i == NTHREADS, "%d threads created (%s)", i, tap_errno_name(err));
	for (i = 0; i < NTHREADS; i++)
		joined += pthread_join(t[i], &r) == 0 && r == (void *)(long)(i + 1);
	tap_ok(joined == NTHREADS, "%d threads joined with their return values", joined);
	tap_ok(counter == NTHREADS * ADDS, "a mutex keeps %d increments exact: %ld",
	       NTHREADS * ADDS, counter);
	test_consumers();
	test_tls();
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_create(&t[0], &attr, detached, NULL);
	tap_ok(ut_await(&detached_ran, 1, 10000), "a detached thread runs");
	return tap_done(6);
}
