// SPDX-License-Identifier: MIT
/*
 * The real-time interval timer: setitimer(ITIMER_REAL), getitimer and
 * alarm, which deliver SIGALRM to the process when it runs out and again
 * every interval (getitimer(2), alarm(2)). busybox's ping paces its
 * packets with it. A process's timer lives in a small table with a
 * reference to the process; it fires from the clock's interrupt (signals
 * may be sent from there) and is dropped once its process is gone. A
 * child of fork starts without one; exec keeps it (POSIX). The virtual
 * and profiling timers are not kept: EINVAL.
 *
 * Locks: itimer_lock (a spinlock, also taken by the timer callback in IRQ
 * context) guards the table; under it the callback sends the signal,
 * which takes the process's and its sighand's locks.
 */
#include <cairn/errno.h>
#include <cairn/linux/signal.h>
#include <cairn/linux/time.h>

#include <lib/string.h>

#include "core/log.h"
#include "mm/uaccess.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "sched/spinlock.h"
#include "syscall/internal.h"
#include "time/time.h"

#define ITIMER_REAL    0
#define ITIMER_VIRTUAL 1
#define ITIMER_PROF    2
#define ITIMER_SLOTS   64u /* processes with a running timer at once */
#define NS_PER_US      1000ull
#define NS_PER_S       1000000000ull
/* Linux caps a timeval's seconds so that the sum stays representable. */
#define ITIMER_MAX_S   (INT64_MAX / (int64_t)NS_PER_S / 2)

struct itimerval_abi {
	struct timeval it_interval;
	struct timeval it_value;
};

struct itimer {
	struct process *p;     /* [L] with a reference; NULL: a free slot */
	struct timer_event ev; /* fires itimer_fire */
	uint64_t deadline;     /* [L] monotonic ns; 0: not armed */
	uint64_t interval_ns;  /* [L] 0: one-shot */
	bool dead;             /* [L] the process is gone: the slot waits for its put */
};

static struct spinlock itimer_lock = SPINLOCK_INIT("itimer");
static struct itimer slots[ITIMER_SLOTS] __guarded_by(&itimer_lock);
static bool slots_ready __guarded_by(&itimer_lock);

static void itimer_fire(struct timer_event *ev, void *ctx);

static void slots_init_locked(void) __must_hold(&itimer_lock)
{
	if (slots_ready)
		return;
	for (unsigned i = 0; i < ITIMER_SLOTS; i++)
		timer_event_init(&slots[i].ev, itimer_fire, &slots[i]);
	slots_ready = true;
}

/* The clock's interrupt: SIGALRM, and the next period. A stale firing (re-armed meanwhile) does nothing. */
static void itimer_fire(struct timer_event *ev, void *ctx)
{
	struct itimer *t = ctx;
	uint64_t flags = spin_lock_irqsave(&itimer_lock);
	uint64_t now = clock_monotonic_ns();

	(void)ev;
	if (!t->p || t->dead || !t->deadline || now < t->deadline)
		goto out_unlock;
	if (__atomic_load_n(&t->p->state, __ATOMIC_RELAXED) != PROC_ALIVE) {
		t->dead = true;
		goto out_unlock;
	}
	(void)signal_send_process(t->p, SIGALRM, NULL);
	if (!t->interval_ns) {
		t->deadline = 0;
		goto out_unlock;
	}
	t->deadline += t->interval_ns;
	if (t->deadline <= now)
		t->deadline = now + t->interval_ns; /* late: do not fire a burst to catch up */
	if (timer_event_arm(&t->ev, t->deadline))
		t->deadline = 0;
out_unlock:
	spin_unlock_irqrestore(&itimer_lock, flags);
}

/* Take back the slots of processes that ended; their references are put outside the lock. */
static void itimer_sweep(void)
{
	struct process *gone[ITIMER_SLOTS];
	unsigned n = 0;
	uint64_t flags = spin_lock_irqsave(&itimer_lock);

	for (unsigned i = 0; i < ITIMER_SLOTS; i++) {
		struct itimer *t = &slots[i];

		if (!t->p ||
		    (!t->dead && __atomic_load_n(&t->p->state, __ATOMIC_RELAXED) == PROC_ALIVE))
			continue;
		(void)timer_event_cancel(&t->ev);
		gone[n++] = t->p;
		t->p = NULL;
		t->dead = false;
		t->deadline = 0;
	}
	spin_unlock_irqrestore(&itimer_lock, flags);
	while (n)
		process_put(gone[--n]);
}

void itimer_process_exit(struct process *p)
{
	struct process *put = NULL;
	uint64_t flags = spin_lock_irqsave(&itimer_lock);

	for (unsigned i = 0; i < ITIMER_SLOTS; i++) {
		struct itimer *t = &slots[i];

		if (t->p != p)
			continue;
		(void)timer_event_cancel(&t->ev);
		put = t->p;
		t->p = NULL;
		t->dead = false;
		t->deadline = 0;
	}
	spin_unlock_irqrestore(&itimer_lock, flags);
	if (put)
		process_put(put); /* the slot's reference; the exiting process holds its own */
}

static void ns_to_tv(uint64_t ns, struct timeval *tv)
{
	tv->tv_sec = (int64_t)(ns / NS_PER_S);
	tv->tv_usec = (int64_t)(ns % NS_PER_S / NS_PER_US);
}

/* A timeval as nanoseconds; -EINVAL for a negative or out-of-range one. */
static int tv_to_ns(const struct timeval *tv, uint64_t *ns)
{
	if (tv->tv_sec < 0 || tv->tv_usec < 0 || tv->tv_usec > 999999)
		return -EINVAL;
	*ns = (uint64_t)(tv->tv_sec > ITIMER_MAX_S ? ITIMER_MAX_S : tv->tv_sec) * NS_PER_S +
	      (uint64_t)tv->tv_usec * NS_PER_US;
	return 0;
}

/* The slot of @p (NULL: none); a free one too when @make. */
static struct itimer *slot_of_locked(struct process *p, bool make) __must_hold(&itimer_lock)
{
	struct itimer *free_slot = NULL;

	for (unsigned i = 0; i < ITIMER_SLOTS; i++) {
		if (slots[i].p == p && !slots[i].dead)
			return &slots[i];
		if (!slots[i].p && !free_slot)
			free_slot = &slots[i];
	}
	return make ? free_slot : NULL;
}

static void read_locked(const struct itimer *t, uint64_t now, struct itimerval_abi *out)
	__must_hold(&itimer_lock)
{
	memset(out, 0, sizeof(*out));
	if (!t || !t->deadline)
		return;
	/* A timer due now reads as 1 us left, as Linux never reports a running timer as 0. */
	ns_to_tv(t->deadline > now ? t->deadline - now : NS_PER_US, &out->it_value);
	ns_to_tv(t->interval_ns, &out->it_interval);
}

/*
 * Arm (@value_ns 0: disarm) the caller's real timer; the old setting into
 * @old. 0, -EAGAIN (every slot taken). Takes a process reference for a new slot.
 */
static int itimer_set(uint64_t value_ns, uint64_t interval_ns, struct itimerval_abi *old)
{
	struct process *p = process_find(process_current()->pid);
	uint64_t flags, now;
	struct itimer *t;
	bool keep_ref = false;
	int err = 0;

	if (!p)
		return -ESRCH;
	itimer_sweep();
	flags = spin_lock_irqsave(&itimer_lock);
	slots_init_locked();
	now = clock_monotonic_ns();
	t = slot_of_locked(p, value_ns != 0);
	read_locked(t, now, old);
	if (!t) {
		err = value_ns ? -EAGAIN : 0;
		goto out_unlock;
	}
	(void)timer_event_cancel(&t->ev);
	if (!t->p) {
		t->p = p; /* the slot keeps this reference */
		keep_ref = true;
	}
	t->deadline = value_ns ? now + value_ns : 0;
	t->interval_ns = value_ns ? interval_ns : 0;
	if (t->deadline && timer_event_arm(&t->ev, t->deadline))
		t->deadline = 0; /* still firing on another CPU: its callback re-checks */
out_unlock:
	spin_unlock_irqrestore(&itimer_lock, flags);
	if (!keep_ref)
		process_put(p);
	return err;
}

long sys_setitimer(uint64_t which, uint64_t unew, uint64_t uold, uint64_t a3, uint64_t a4,
                   uint64_t a5)
{
	struct itimerval_abi nv, ov;
	uint64_t value_ns = 0, interval_ns = 0;
	int err;

	if ((int)which != ITIMER_REAL)
		return -EINVAL;     /* ITIMER_VIRTUAL and ITIMER_PROF are not kept */
	memset(&nv, 0, sizeof(nv)); /* Linux takes a NULL new value as a disarm */
	if (unew && copy_from_user(&nv, (const void *)unew, sizeof(nv)))
		return -EFAULT;
	if (tv_to_ns(&nv.it_value, &value_ns) || tv_to_ns(&nv.it_interval, &interval_ns))
		return -EINVAL;
	err = itimer_set(value_ns, interval_ns, &ov);
	if (err)
		return err;
	if (uold && copy_to_user((void *)uold, &ov, sizeof(ov)))
		return -EFAULT;
	return 0;
}

long sys_getitimer(uint64_t which, uint64_t ucur, uint64_t a2, uint64_t a3, uint64_t a4,
                   uint64_t a5)
{
	struct itimerval_abi cur;
	struct process *me = process_current();
	uint64_t flags;

	if ((int)which != ITIMER_REAL)
		return -EINVAL;
	flags = spin_lock_irqsave(&itimer_lock);
	slots_init_locked();
	read_locked(slot_of_locked(me, false), clock_monotonic_ns(), &cur);
	spin_unlock_irqrestore(&itimer_lock, flags);
	if (copy_to_user((void *)ucur, &cur, sizeof(cur)))
		return -EFAULT;
	return 0;
}

/* alarm(2): the seconds that were left, rounded to the nearest and at least 1 when armed. */
long sys_alarm(uint64_t secs, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct itimerval_abi old;
	uint64_t s = (unsigned)secs; /* alarm takes an unsigned int */
	int err;

	if (s > (uint64_t)ITIMER_MAX_S)
		s = (uint64_t)ITIMER_MAX_S;
	err = itimer_set(s * NS_PER_S, 0, &old);
	if (err)
		return err;
	if (!old.it_value.tv_sec && !old.it_value.tv_usec)
		return 0;
	return old.it_value.tv_sec + (old.it_value.tv_usec >= 500000 || !old.it_value.tv_sec);
}
