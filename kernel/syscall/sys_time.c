/* SPDX-License-Identifier: MIT */
/*
 * The time calls: clock_gettime, clock_getres, gettimeofday, time,
 * nanosleep and clock_nanosleep over kernel/time's monotonic and wall
 * clocks. Every monotonic-like Linux clock (MONOTONIC, _RAW, _COARSE,
 * BOOTTIME) reads the one monotonic clock: Cairn neither slews it nor
 * suspends. The CPU-time clocks read the scheduler's run time of the
 * calling thread, or the sum over the process's threads. A sleep
 * interrupted by a signal handler returns EINTR with the time left, as on
 * Linux; it is not restarted transparently (docs/syscalls.md).
 */
#include <cairn/errno.h>
#include <cairn/linux/time.h>

#include <lib/timespec/timespec.h>

#include "proc/proc.h"
#include "sched/task.h"
#include "syscall/internal.h"
#include "time/time.h"

/* The calling task's time on a CPU, including the current slice. */
static uint64_t task_cpu_ns(void)
{
	struct task *t = task_current();
	uint64_t now = clock_monotonic_ns();

	if (!t)
		return 0;
	return t->run_ns + (now > t->switched_in_ns ? now - t->switched_in_ns : 0);
}

/*
 * CPU time of the calling process: its ended threads' (proc->cpu_ns) and
 * each live thread's run time, the caller's current slice included.
 * Other threads' counters are read without their run-queue locks: a
 * figure a slice old at worst.
 */
uint64_t proc_cputime_ns(void)
{
	struct process *p = process_current();
	struct thread *t, *self = thread_current();
	uint64_t sum;

	if (!p)
		return task_cpu_ns();
	spin_lock(&p->lock);
	sum = p->cpu_ns;
	list_for_each_entry(t, &p->threads, proc_link) {
		if (t != self && t->task)
			sum += __atomic_load_n(&t->task->run_ns, __ATOMIC_RELAXED);
	}
	spin_unlock(&p->lock);
	return sum + task_cpu_ns();
}

/* Read clock @id into *@ns: 0 or -EINVAL for a clock Cairn does not have. */
static int clock_read(int id, uint64_t *ns)
{
	switch (id) {
	case CLOCK_REALTIME:
	case CLOCK_REALTIME_COARSE:
	case CLOCK_TAI: /* TAI - UTC is 0 until someone sets it, as on a fresh Linux */
		*ns = clock_realtime_ns();
		return 0;
	case CLOCK_MONOTONIC:
	case CLOCK_MONOTONIC_RAW:
	case CLOCK_MONOTONIC_COARSE:
	case CLOCK_BOOTTIME:
		*ns = clock_monotonic_ns();
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		*ns = proc_cputime_ns();
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		*ns = task_cpu_ns();
		return 0;
	default:
		return -EINVAL;
	}
}

static int put_timespec(uint64_t uaddr, uint64_t ns)
{
	struct timespec ts = ns_to_timespec(ns);

	return copy_to_user((void *)uaddr, &ts, sizeof(ts));
}

/* Copy a timespec in and check it: 0, -EFAULT or -EINVAL; the value in ns in *@ns. */
static int get_timespec(uint64_t uaddr, uint64_t *ns)
{
	struct timespec ts;

	if (copy_from_user(&ts, (const void *)uaddr, sizeof(ts)))
		return -EFAULT;
	if (!timespec_valid(&ts))
		return -EINVAL;
	*ns = timespec_to_ns(&ts);
	return 0;
}

long sys_clock_gettime(uint64_t id, uint64_t tp, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	uint64_t ns;
	int err = clock_read((int)id, &ns);

	return err ? err : put_timespec(tp, ns);
}

/* Every clock counts in nanoseconds from a cycle counter: 1 ns resolution. */
long sys_clock_getres(uint64_t id, uint64_t res, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	uint64_t ns;
	int err = clock_read((int)id, &ns);

	if (err)
		return err;
	return res ? put_timespec(res, 1) : 0;
}

long sys_gettimeofday(uint64_t tv, uint64_t tz, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	if (tv) {
		struct timeval v = ns_to_timeval(clock_realtime_ns());

		if (copy_to_user((void *)tv, &v, sizeof(v)))
			return -EFAULT;
	}
	if (tz) {
		struct timezone z = { 0, 0 };

		if (copy_to_user((void *)tz, &z, sizeof(z)))
			return -EFAULT;
	}
	return 0;
}

long sys_time(uint64_t tloc, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	int64_t now = (int64_t)(clock_realtime_ns() / NSEC_PER_SEC);

	if (tloc && copy_to_user((void *)tloc, &now, sizeof(now)))
		return -EFAULT;
	return now;
}

/* Nobody wakes this queue: a sleep ends at its deadline or with a signal. */
static bool never(void *ctx)
{
	return false;
}

/*
 * Sleep until monotonic @deadline. Returns 0, or -EINTR with the time left
 * stored at user @rem (when not 0) if a signal came first.
 */
static long sleep_until(uint64_t deadline, uint64_t rem)
{
	struct waitq wq;
	int err;

	waitq_init(&wq, "nanosleep");
	err = sys_wait(&wq, never, NULL, deadline);
	if (err == -ETIMEDOUT)
		return 0;
	if (rem) {
		uint64_t now = clock_monotonic_ns();

		if (put_timespec(rem, deadline > now ? deadline - now : 0))
			return -EFAULT;
	}
	return -EINTR;
}

long sys_nanosleep(uint64_t req, uint64_t rem, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	uint64_t ns;
	int err = get_timespec(req, &ns);

	if (err)
		return err;
	return sleep_until(ns_add_sat(clock_monotonic_ns(), ns), rem);
}

/* The monotonic deadline of an absolute time @abs on clock @id. */
static uint64_t abs_deadline(int id, uint64_t abs)
{
	uint64_t mono = clock_monotonic_ns();

	if (id == CLOCK_REALTIME || id == CLOCK_TAI) {
		uint64_t real = clock_realtime_ns();

		return abs > real ? ns_add_sat(mono, abs - real) : mono;
	}
	return abs;
}

long sys_clock_nanosleep(uint64_t id, uint64_t flags, uint64_t req, uint64_t rem, uint64_t a4,
                         uint64_t a5)
{
	bool absolute = (int)flags & TIMER_ABSTIME;
	uint64_t ns;
	int err;

	switch ((int)id) {
	case CLOCK_REALTIME:
	case CLOCK_TAI:
	case CLOCK_MONOTONIC:
	case CLOCK_BOOTTIME:
		break;
	case CLOCK_THREAD_CPUTIME_ID:
		return -EINVAL;
	default:
		/* Linux: a clock that exists but cannot sleep (the _RAW and _COARSE ones). */
		return clock_read((int)id, &ns) ? -EINVAL : -ENOTSUP;
	}
	err = get_timespec(req, &ns);
	if (err)
		return err;
	if (absolute)
		return sleep_until(abs_deadline((int)id, ns), 0);
	return sleep_until(ns_add_sat(clock_monotonic_ns(), ns), rem);
}
