// SPDX-License-Identifier: MIT
/*
 * The scheduler. Each CPU has a run queue: TASK_NPRIO FIFO lists and a
 * bitmap of the non-empty ones; the highest priority runs, round robin
 * within it. A one-shot time-slice event on each CPU asks for a switch
 * when a task's turn is over; the switch itself happens as the interrupt
 * returns (sched_interrupt_exit()). Idle CPUs halt; a CPU that queues a
 * task it cannot run at once kicks an idle CPU, which steals it.
 *
 * The run-queue lock is held across arch_context_switch() and released by
 * the task that runs next (sched_finish_switch()): queued tasks are always
 * fully switched out, so another CPU may steal any task it finds queued.
 * Every switch happens with interrupts off; each task restores its own
 * interrupt state afterwards. Locks: [L] rq->lock; [C] this CPU only;
 * [I] set at init. Lock order: waitq -> rq (lower CPU index first) -> timer.
 */
#include "sched/sched.h"

#include <cairn/errno.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "irq/irq.h"
#include "sched/spinlock.h"
#include "sched/task.h"
#include "time/time.h"

struct rq {
	struct spinlock lock;
	struct list_node queue[TASK_NPRIO]; /* [L] tasks by rq_link, next to run first */
	uint32_t bitmap;                    /* [L] bit p: queue[p] is not empty */
	uint32_t nr_queued;                 /* [L], read racily as a load hint */
	struct task *curr;                  /* [L] running here */
	struct task *idle;                  /* [I] runs when nothing else can */
	struct task *dead;                  /* [L] left the CPU for good in the last switch */
	struct task *migrate;               /* [L] switched out to move to another CPU */
	uint64_t switches;                  /* [L] */
	uint64_t user_ns, system_ns;        /* [L] run time of process threads / kernel tasks */
	uint64_t slice_end;                 /* [C] when the current task's turn ends */
	struct timer_event slice_ev;        /* [C] armed on this CPU while a task runs */
	bool ready;                         /* [I] set up; tasks may be queued here */
} __attribute__((aligned(64)));

static struct rq rqs[SMP_MAX_CPUS];
static unsigned nrqs; /* [a] CPUs with a run queue; only grows, at boot */
static bool sched_on; /* [I] preemption and blocking work */

/* ---- run-queue lists ---- */

static void rq_enqueue_locked(struct rq *rq, struct task *t) __must_hold(&rq->lock)
{
	int p = t->prio;

	spin_assert_held(&rq->lock);
	list_add_tail(&rq->queue[p], &t->rq_link);
	rq->bitmap |= 1u << p;
	rq->nr_queued++;
	__atomic_store_n(&t->state, TASK_RUNNABLE, __ATOMIC_RELEASE);
}

/* Take @t off @rq's list for its priority. */
static void rq_unlink_locked(struct rq *rq, struct task *t) __must_hold(&rq->lock)
{
	spin_assert_held(&rq->lock);
	list_del(&t->rq_link);
	if (list_empty(&rq->queue[t->prio]))
		rq->bitmap &= ~(1u << t->prio);
	rq->nr_queued--;
}

static struct task *rq_pick_locked(struct rq *rq) __must_hold(&rq->lock)
{
	struct task *t;

	if (!rq->bitmap)
		return NULL;
	t = list_first_entry_or_null(&rq->queue[31 - __builtin_clz(rq->bitmap)], struct task,
	                             rq_link);
	rq_unlink_locked(rq, t);
	return t;
}

/* Unlink a task of @rq that may run on @cpu, highest priority first; NULL if none. */
static struct task *rq_take_for_locked(struct rq *rq, unsigned cpu) __must_hold(&rq->lock)
{
	struct task *t;
	int p;

	for (p = TASK_NPRIO - 1; p >= 0; p--) {
		list_for_each_entry(t, &rq->queue[p], rq_link) {
			if (!t->pinned && (t->affinity >> cpu & 1)) {
				rq_unlink_locked(rq, t);
				return t;
			}
		}
	}
	return NULL;
}

/* ---- kicking other CPUs ---- */

/* Ask @cpu to reschedule: a flag here, an IPI there. Interrupts off. */
static void resched_cpu(unsigned cpu)
{
	if (cpu == this_cpu_index())
		this_cpu()->need_resched = 1;
	else
		arch_smp_send_ipi(percpu_of(cpu), SMP_IPI_RESCHED);
}

/* Wake idle @cpu to look for work: a flag if it polls (idle_poll.c), else an IPI. */
static void kick_idle_cpu(unsigned cpu)
{
	if (cpu == this_cpu_index())
		this_cpu()->need_resched = 1;
	else if (!sched_idle_poll_kick(cpu))
		arch_smp_send_ipi(percpu_of(cpu), SMP_IPI_RESCHED);
}

/* @t was queued on @rq (@cpu): preempt the running task if @t outranks it. */
static void kick_for_locked(struct rq *rq, unsigned cpu, struct task *t) __must_hold(&rq->lock)
{
	if (rq->curr == rq->idle)
		kick_idle_cpu(cpu);
	else if (t->prio > rq->curr->prio)
		resched_cpu(cpu);
}

/* A task waits on a busy CPU: wake an idle CPU that may run it, to steal it. */
static void kick_idle_for(unsigned busy, uint64_t affinity)
{
	unsigned i, cpu;

	for (i = 1; i < nrqs; i++) {
		cpu = (busy + i) % nrqs;
		if (!(affinity >> cpu & 1) || !rqs[cpu].ready)
			continue;
		if (__atomic_load_n(&rqs[cpu].curr, __ATOMIC_RELAXED) == rqs[cpu].idle) {
			kick_idle_cpu(cpu);
			return;
		}
	}
}

/* ---- time slices ---- */

/* Fires on the CPU that armed it (per-CPU timer lists), in IRQ context. */
static void slice_expired(struct timer_event *ev, void *ctx)
{
	struct rq *rq = ctx;
	uint64_t now = clock_monotonic_ns();

	if (now >= rq->slice_end) {
		this_cpu()->need_resched = 1;
		return;
	}
	if (timer_event_arm(ev, rq->slice_end)) /* the turn was renewed meanwhile */
		this_cpu()->need_resched = 1;   /* cannot happen: it just fired */
}

/* A new turn for the task now running; the event is re-armed lazily. */
static void slice_start(struct rq *rq, uint64_t now)
{
	rq->slice_end = now + SCHED_SLICE_NS;
	/* Already armed (for an earlier end): it fires, sees slice_end and re-arms. */
	if (!__atomic_load_n(&rq->slice_ev.armed, __ATOMIC_ACQUIRE) &&
	    timer_event_arm(&rq->slice_ev, rq->slice_end))
		this_cpu()->need_resched = 1;
}

/* ---- the switch ---- */

/*
 * In the task that now runs, still holding this CPU's run-queue lock:
 * publish the death of the task that left for good, release the lock,
 * then move a task that asked to migrate to its new CPU.
 */
static __no_thread_safety_analysis void sched_finish_switch(void)
{
	struct rq *rq = &rqs[this_cpu_index()], *to;
	struct task *dead = rq->dead, *mig = rq->migrate;

	rq->dead = NULL;
	rq->migrate = NULL;
	if (dead)
		__atomic_store_n(&dead->state, TASK_DEAD, __ATOMIC_RELEASE);
	spin_unlock(&rq->lock);
	if (!mig)
		return;
	to = &rqs[mig->cpu];
	spin_lock(&to->lock);
	rq_enqueue_locked(to, mig);
	kick_for_locked(to, mig->cpu, mig);
	spin_unlock(&to->lock);
}

/* Where a new task starts: finish the switch that brought it here, turn interrupts on. */
void sched_task_entry_finish(void)
{
	sched_finish_switch();
	irq_enable();
}

/* Add @t's time on @rq's CPU since it was switched in to its run time. */
static void account_locked(struct rq *rq, struct task *t, uint64_t now) __must_hold(&rq->lock)
{
	uint64_t d = now > t->switched_in_ns ? now - t->switched_in_ns : 0;

	t->run_ns += d;
	if (t != rq->idle)
		*(t->proc_thread ? &rq->user_ns : &rq->system_ns) += d;
}

/* Run @next instead of @cur; returns when @cur runs again (maybe on another CPU). */
static __no_thread_safety_analysis void switch_to_locked(struct rq *rq, struct task *cur,
                                                         struct task *next, uint64_t now)
	__must_hold(&rq->lock)
{
	account_locked(rq, cur, now);
	next->state = TASK_RUNNING;
	next->switched_in_ns = now;
	next->switches++;
	rq->curr = next;
	rq->switches++;
	this_cpu()->current = next;
	if (next != rq->idle)
		slice_start(rq, now);
	arch_task_switch(cur, next);
	arch_context_switch(&cur->sp, next->sp, cur->fpu, next->fpu);
	sched_finish_switch();
}

enum sched_why {
	SCHED_BLOCK,   /* sched_block(): a BLOCKED task stays off the queue */
	SCHED_PREEMPT, /* preemption or yield: the task goes back to the queue */
	SCHED_EXIT,    /* the task leaves for good */
};

/*
 * The scheduler proper: interrupts off, no spinlock held. The running task
 * goes back to the queue if it is RUNNING, stays out if BLOCKED in
 * sched_block(), or leaves for good. A task preempted between
 * sched_prepare_block() and sched_block() is requeued as RUNNING: it then
 * tests its condition again, so no wake-up is lost.
 */
static __no_thread_safety_analysis void schedule(enum sched_why why)
{
	struct percpu *c = this_cpu();
	struct rq *rq = &rqs[c->cpu];
	struct task *cur = c->current, *next;
	uint64_t now = clock_monotonic_ns();

	spin_lock(&rq->lock);
	c->need_resched = 0;
	if (why == SCHED_PREEMPT && cur->state == TASK_BLOCKED)
		cur->state = TASK_RUNNING;
	if (why == SCHED_EXIT)
		rq->dead = cur;
	else if (cur->state == TASK_RUNNING && cur != rq->idle) {
		if (cur->affinity >> c->cpu & 1) {
			rq_enqueue_locked(rq, cur);
		} else { /* its affinity changed: finish_switch moves it */
			cur->cpu = (unsigned)__builtin_ctzll(cur->affinity);
			rq->migrate = cur;
			__atomic_store_n(&cur->state, TASK_RUNNABLE, __ATOMIC_RELEASE);
		}
	}
	next = rq_pick_locked(rq);
	if (!next)
		next = rq->idle;
	if (next == cur) {
		cur->state = TASK_RUNNING;
		if (cur != rq->idle)
			slice_start(rq, now);
		spin_unlock(&rq->lock);
		return;
	}
	switch_to_locked(rq, cur, next, now);
}

/* ---- public entry points ---- */

bool sched_running(void)
{
	return __atomic_load_n(&sched_on, __ATOMIC_ACQUIRE);
}

unsigned sched_cpu_count(void)
{
	return nrqs;
}

void sched_yield(void)
{
	unsigned long flags = irq_save();

	schedule(SCHED_PREEMPT);
	irq_restore(flags);
}

void sched_prepare_block(void)
{
	__atomic_store_n(&task_current()->state, TASK_BLOCKED, __ATOMIC_SEQ_CST);
}

void sched_cancel_block(void)
{
	struct task *cur = task_current();
	unsigned long flags = irq_save();
	struct rq *rq = &rqs[cur->cpu];

	spin_lock(&rq->lock);
	cur->state = TASK_RUNNING;
	spin_unlock(&rq->lock);
	irq_restore(flags);
}

void sched_block(void)
{
	unsigned long flags;

	if (!sched_can_block())
		panic("sched: blocking where a task may not (interrupt, spinlock or preempt off)");
	flags = irq_save();
	schedule(SCHED_BLOCK);
	irq_restore(flags);
}

/* The run queue @t is on, locked; @t cannot move while it is held. */
static struct rq *lock_task_rq(struct task *t, uint64_t *flags) __no_thread_safety_analysis
{
	struct rq *rq;

	for (;;) {
		rq = &rqs[__atomic_load_n(&t->cpu, __ATOMIC_ACQUIRE)];
		*flags = spin_lock_irqsave(&rq->lock);
		if (&rqs[t->cpu] == rq)
			return rq;
		spin_unlock_irqrestore(&rq->lock, *flags);
	}
}

__no_thread_safety_analysis bool task_wake(struct task *t)
{
	uint64_t flags;
	struct rq *rq = lock_task_rq(t, &flags);
	unsigned cpu = t->cpu;
	uint64_t affinity;
	bool busy;

	if (__atomic_load_n(&t->state, __ATOMIC_SEQ_CST) != TASK_BLOCKED) {
		spin_unlock_irqrestore(&rq->lock, flags);
		return false;
	}
	if (rq->curr == t) { /* has not switched out yet: sched_block() returns at once */
		t->state = TASK_RUNNING;
		spin_unlock_irqrestore(&rq->lock, flags);
		return true;
	}
	rq_enqueue_locked(rq, t);
	kick_for_locked(rq, cpu, t);
	/* Read what we need now: once the lock is dropped @t may run, end and be freed. */
	busy = rq->curr != rq->idle && !t->pinned &&
	       !(rq->curr == task_current() && rq->curr->wake_sync);
	affinity = t->affinity;
	spin_unlock_irqrestore(&rq->lock, flags);
	if (busy)
		kick_idle_for(cpu, affinity);
	return true;
}

/* Least loaded allowed CPU (ties: the caller's), for a new task. */
static unsigned pick_cpu(const struct task *t)
{
	unsigned here = this_cpu_index(), best = here, i, load, best_load = UINT32_MAX;

	for (i = 0; i < nrqs; i++) {
		if (!rqs[i].ready || !(t->affinity >> i & 1))
			continue;
		load = __atomic_load_n(&rqs[i].nr_queued, __ATOMIC_RELAXED) +
		       (__atomic_load_n(&rqs[i].curr, __ATOMIC_RELAXED) != rqs[i].idle);
		if (load < best_load || (load == best_load && i == here)) {
			best = i;
			best_load = load;
		}
	}
	return best;
}

void sched_enqueue_new(struct task *t, int cpu)
{
	uint64_t flags;
	struct rq *rq;
	unsigned c = cpu >= 0 ? (unsigned)cpu : pick_cpu(t);

	flags = irq_save();
	t->cpu = c;
	rq = &rqs[c];
	spin_lock(&rq->lock);
	rq_enqueue_locked(rq, t);
	kick_for_locked(rq, c, t);
	spin_unlock(&rq->lock);
	irq_restore(flags);
	sched_maybe_preempt();
}

__attribute__((noreturn)) void sched_exit_current(void)
{
	struct percpu *c;

	irq_disable();
	c = this_cpu();
	if (c->preempt_off) /* task_end() held it while it published its end */
		c->preempt_off--;
	schedule(SCHED_EXIT);
	panic("sched: a dead task ran again");
}

uint64_t sched_task_run_ns(const struct task *t)
{
	uint64_t run = __atomic_load_n(&t->run_ns, __ATOMIC_RELAXED);

	if (__atomic_load_n(&t->state, __ATOMIC_RELAXED) == TASK_RUNNING)
		run += clock_monotonic_ns() - t->switched_in_ns;
	return run;
}

/* ---- preemption ---- */

bool sched_can_block(void)
{
	struct percpu *c;

	if (!sched_running() || !percpu_ready() || !irq_enabled())
		return false;
	c = this_cpu();
	return c->current && !c->irq_nest && !c->irq_depth && !c->preempt_off;
}

void preempt_disable(void)
{
	unsigned long flags = irq_save();

	this_cpu()->preempt_off++;
	irq_restore(flags);
}

void preempt_enable(void)
{
	unsigned long flags = irq_save();
	struct percpu *c = this_cpu();

	if (c->preempt_off == 0)
		panic("sched: preempt_enable() without preempt_disable()");
	c->preempt_off--;
	irq_restore(flags);
	sched_maybe_preempt();
}

void sched_maybe_preempt(void)
{
	if (this_cpu()->need_resched && sched_can_block())
		sched_yield();
}

void sched_interrupt_exit(bool had_irqs_on)
{
	struct percpu *c = this_cpu();

	if (!had_irqs_on || !c->need_resched || !sched_running() || !c->current || c->irq_nest ||
	    c->irq_depth || c->preempt_off)
		return;
	schedule(SCHED_PREEMPT);
}

/* ---- idle and stealing ---- */

/* Move one task that may run here from the busiest other CPU. Interrupts off. */
static __no_thread_safety_analysis bool steal(unsigned me)
{
	unsigned i, v = me, most = 0, n;
	struct rq *a, *b;
	struct task *t;

	for (i = 0; i < nrqs; i++) {
		n = __atomic_load_n(&rqs[i].nr_queued, __ATOMIC_RELAXED);
		if (i != me && rqs[i].ready && n > most) {
			most = n;
			v = i;
		}
	}
	if (v == me)
		return false;
	a = &rqs[me < v ? me : v];
	b = &rqs[me < v ? v : me];
	spin_lock(&a->lock);
	spin_lock(&b->lock);
	t = rq_take_for_locked(&rqs[v], me);
	if (t) {
		__atomic_store_n(&t->cpu, me, __ATOMIC_RELEASE);
		rq_enqueue_locked(&rqs[me], t);
	}
	spin_unlock(&b->lock);
	spin_unlock(&a->lock);
	return t != NULL;
}

bool sched_idle_work(void)
{
	unsigned me;

	if (!sched_running())
		return false;
	me = this_cpu_index();
	if (!rqs[me].ready || this_cpu()->current != rqs[me].idle)
		return false;
	if (!__atomic_load_n(&rqs[me].nr_queued, __ATOMIC_ACQUIRE) && !steal(me))
		return false;
	schedule(SCHED_PREEMPT);
	return true;
}

/* ---- set-up ---- */

void sched_init_cpu(struct task *boot_flow, struct task *idle)
{
	unsigned cpu = this_cpu_index(), n = __atomic_load_n(&nrqs, __ATOMIC_RELAXED);
	struct rq *rq = &rqs[cpu];

	spin_init(&rq->lock, "sched.rq");
	for (int p = 0; p < TASK_NPRIO; p++)
		list_init(&rq->queue[p]);
	timer_event_init(&rq->slice_ev, slice_expired, rq);
	boot_flow->cpu = cpu;
	boot_flow->state = TASK_RUNNING;
	boot_flow->switched_in_ns = clock_monotonic_ns();
	rq->curr = boot_flow;
	rq->idle = idle;
	this_cpu()->current = boot_flow;
	/* CPUs set themselves up at once: raise the count, never lower it. */
	while (cpu >= n && !__atomic_compare_exchange_n(&nrqs, &n, cpu + 1, false, __ATOMIC_RELAXED,
	                                                __ATOMIC_RELAXED))
		;
	__atomic_store_n(&rq->ready, true, __ATOMIC_RELEASE);
}

void sched_start(void)
{
	__atomic_store_n(&sched_on, true, __ATOMIC_RELEASE);
	sched_loadavg_start();
}

uint64_t task_switch_count(void)
{
	unsigned long flags = irq_save();
	struct rq *rq = &rqs[this_cpu_index()];
	uint64_t n;

	spin_lock(&rq->lock);
	n = rq->switches;
	spin_unlock(&rq->lock);
	irq_restore(flags);
	return n;
}

int sched_cpu_time(unsigned cpu, struct sched_cpu_time *out)
{
	struct rq *rq;
	unsigned long flags;

	if (cpu >= SMP_MAX_CPUS || !__atomic_load_n(&rqs[cpu].ready, __ATOMIC_ACQUIRE))
		return -EINVAL;
	rq = &rqs[cpu];
	out->idle_ns = sched_task_run_ns(rq->idle);
	flags = irq_save();
	spin_lock(&rq->lock);
	out->user_ns = rq->user_ns;
	out->system_ns = rq->system_ns;
	out->switches = rq->switches;
	spin_unlock(&rq->lock);
	irq_restore(flags);
	return 0;
}

unsigned sched_nr_running(void)
{
	unsigned i, n = 0;

	for (i = 0; i < __atomic_load_n(&nrqs, __ATOMIC_RELAXED); i++)
		n += __atomic_load_n(&rqs[i].nr_queued, __ATOMIC_RELAXED) +
		     (__atomic_load_n(&rqs[i].curr, __ATOMIC_RELAXED) != rqs[i].idle);
	return n;
}

uint64_t sched_cpu_mask(void)
{
	uint64_t m = 0;
	unsigned i;

	for (i = 0; i < nrqs; i++)
		if (__atomic_load_n(&rqs[i].ready, __ATOMIC_ACQUIRE))
			m |= 1ull << i;
	return m;
}

int task_set_affinity(uint64_t mask)
{
	struct task *cur = task_current();
	uint64_t flags;

	mask &= sched_cpu_mask();
	if (!cur || cur->pinned || !mask)
		return -EINVAL;
	flags = irq_save();
	__atomic_store_n(&cur->affinity, mask, __ATOMIC_RELEASE);
	irq_restore(flags);
	if (!(mask >> this_cpu_index() & 1))
		sched_yield(); /* schedule() sees the CPU is not allowed and moves us */
	return 0;
}
