// SPDX-License-Identifier: MIT
/*
 * The architecture-neutral half of SMP (see smp.h): the per-CPU call
 * queues behind smp_call(), synchronous TLB shootdown, stopping the other
 * CPUs on a panic, and the idle loop of the CPUs started after boot. How
 * CPUs are found, started and interrupted is the architecture's
 * (arch_smp_*(), kernel/arch/x86_64/boot/smp.c).
 *
 * Locks: [a] atomic; [B] boot CPU, during smp_init(); [T] tlb_lock.
 */
#include "core/smp.h"

#include <cairn/errno.h>

#include <arch/page.h>
#include <arch/spinlock.h>

#include "arch/arch.h"
#include "core/log.h"
#include "core/percpu.h"
#include "sched/sched.h"

#define TLB_PAGES_MAX   32  /* past this, a full flush is cheaper than INVLPG per page */
#define STOP_TIMEOUT_MS 100 /* how long a panic waits for the other CPUs to stop */

/* One TLB shootdown, on the initiator's stack. */
struct smp_tlb_req {
	uint64_t va;      /* [I] first page */
	size_t npages;    /* [I] pages, or SMP_TLB_ALL */
	uint32_t pending; /* [a] CPUs that have not answered yet */
};

static uint32_t cpus_online = 1; /* [a] */
static bool smp_up;              /* [a] another CPU runs: remote work can exist */
static int panic_cpu = -1;       /* [a] the CPU reporting a panic */
static struct spinlock tlb_lock = SPINLOCK_INIT("smp.tlb");
static struct smp_stats stats; /* [B] */

unsigned smp_cpu_count(void)
{
	return __atomic_load_n(&cpus_online, __ATOMIC_ACQUIRE);
}

bool smp_cpu_online(unsigned cpu)
{
	return cpu < SMP_MAX_CPUS && __atomic_load_n(&percpu_of(cpu)->online, __ATOMIC_ACQUIRE);
}

void smp_get_stats(struct smp_stats *st)
{
	*st = stats;
	st->online = smp_cpu_count();
}

void smp_start(void)
{
	__atomic_store_n(&percpu_of(0)->online, 1, __ATOMIC_RELEASE);
	arch_smp_start(&stats);
}

void smp_init(void)
{
	__atomic_store_n(&percpu_of(0)->online, 1, __ATOMIC_RELEASE);
	arch_smp_boot(&stats);
	stats.online = smp_cpu_count();
	if (stats.failed)
		pr_warn("smp: %u of %u CPUs online in %llu us; %u did not answer", stats.online,
		        stats.described, (unsigned long long)stats.bringup_us, stats.failed);
	else
		pr_info("smp: %u of %u CPUs online in %llu us", stats.online, stats.described,
		        (unsigned long long)stats.bringup_us);
}

/* Run every call queued for @c, oldest first, each outside the queue lock. */
static void run_calls(struct percpu *c)
{
	struct smp_call_slot s;
	uint64_t flags;

	for (;;) {
		/* Unlocked peek: an empty queue costs two loads. */
		if (__atomic_load_n(&c->calls_head, __ATOMIC_RELAXED) ==
		    __atomic_load_n(&c->calls_tail, __ATOMIC_ACQUIRE))
			return;
		flags = spin_lock_irqsave(&c->calls_lock);
		if (c->calls_head == c->calls_tail) {
			spin_unlock_irqrestore(&c->calls_lock, flags);
			return;
		}
		s = c->calls[c->calls_head % SMP_CALL_SLOTS];
		__atomic_store_n(&c->calls_head, c->calls_head + 1, __ATOMIC_RELAXED);
		spin_unlock_irqrestore(&c->calls_lock, flags);
		s.fn(s.arg);
		if (s.pending)
			__atomic_fetch_sub(s.pending, 1, __ATOMIC_RELEASE);
	}
}

/* Queue @s on @t, waiting (and serving our own queue) while @t's queue is full. */
static void enqueue(struct percpu *t, const struct smp_call_slot *s)
{
	uint64_t flags;

	for (;;) {
		flags = spin_lock_irqsave(&t->calls_lock);
		if (t->calls_tail - t->calls_head < SMP_CALL_SLOTS) {
			t->calls[t->calls_tail % SMP_CALL_SLOTS] = *s;
			__atomic_store_n(&t->calls_tail, t->calls_tail + 1, __ATOMIC_RELEASE);
			spin_unlock_irqrestore(&t->calls_lock, flags);
			arch_smp_send_ipi(t, SMP_IPI_CALL);
			return;
		}
		spin_unlock_irqrestore(&t->calls_lock, flags);
		arch_smp_send_ipi(t, SMP_IPI_CALL);
		arch_cpu_relax();
		smp_spin_poll();
		run_calls(this_cpu());
	}
}

int smp_call(unsigned cpu, void (*fn)(void *arg), void *arg, bool wait)
{
	uint32_t pending = 1;
	struct smp_call_slot s = { fn, arg, wait ? &pending : NULL };
	uint64_t flags;

	if (!smp_cpu_online(cpu))
		return -EINVAL;
	if (cpu == arch_cpu_index()) {
		flags = arch_irq_save();
		fn(arg);
		arch_irq_restore(flags);
		return 0;
	}
	enqueue(percpu_of(cpu), &s);
	while (wait && __atomic_load_n(&pending, __ATOMIC_ACQUIRE)) {
		arch_cpu_relax();
		smp_spin_poll();
		run_calls(this_cpu());
	}
	return 0;
}

static void tlb_local(uint64_t va, size_t npages)
{
	size_t i;

	if (npages > TLB_PAGES_MAX) {
		arch_mmu_flush();
		return;
	}
	for (i = 0; i < npages; i++)
		arch_mmu_invalidate(va + i * PAGE_SIZE);
}

/* Do the shootdown asked of @c, if any, and say it is done. */
static void tlb_answer(struct percpu *c)
{
	struct smp_tlb_req *r = __atomic_exchange_n(&c->tlb, NULL, __ATOMIC_ACQUIRE);

	if (!r)
		return;
	tlb_local(r->va, r->npages);
	__atomic_fetch_sub(&r->pending, 1, __ATOMIC_RELEASE);
}

/* Online CPUs other than @me, as a bit mask (SMP_MAX_CPUS is 64). */
static uint64_t others_online(unsigned me)
{
	uint64_t mask = 0;
	unsigned i;

	for (i = 0; i < SMP_MAX_CPUS; i++)
		if (i != me && smp_cpu_online(i))
			mask |= 1ull << i;
	return mask;
}

_Static_assert(SMP_MAX_CPUS <= 64, "CPU masks are 64 bits");

/* Bits set in @mask (no libgcc in the kernel for __builtin_popcountll). */
static uint32_t count_bits(uint64_t mask)
{
	uint32_t n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

void smp_tlb_shootdown(uint64_t va, size_t npages)
{
	smp_tlb_shootdown_cpus(UINT64_MAX, va, npages);
}

void smp_tlb_shootdown_cpus(uint64_t cpus, uint64_t va, size_t npages)
{
	struct smp_tlb_req req = { va, npages, 0 };
	uint64_t mask;
	unsigned i, me;

	spin_lock(&tlb_lock);
	me = this_cpu_index();
	if (cpus & (1ull << me))
		tlb_local(va, npages);
	if (!__atomic_load_n(&smp_up, __ATOMIC_ACQUIRE) || smp_panic_cpu() >= 0)
		goto out_unlock;
	mask = others_online(me) & cpus;
	req.pending = count_bits(mask);
	for (i = 0; i < SMP_MAX_CPUS; i++) {
		if (!(mask & (1ull << i)))
			continue;
		__atomic_store_n(&percpu_of(i)->tlb, &req, __ATOMIC_RELEASE);
		arch_smp_send_ipi(percpu_of(i), SMP_IPI_TLB);
	}
	while (__atomic_load_n(&req.pending, __ATOMIC_ACQUIRE)) {
		arch_cpu_relax();
		smp_spin_poll();
	}
out_unlock:
	spin_unlock(&tlb_lock);
}

static __attribute__((noreturn)) void stop_self(struct percpu *c)
{
	__atomic_store_n(&c->stopped, 1, __ATOMIC_RELEASE);
	arch_halt();
}

void smp_spin_poll(void)
{
	struct percpu *c;
	int p;

	if (!__atomic_load_n(&smp_up, __ATOMIC_RELAXED))
		return;
	c = this_cpu();
	if (__atomic_load_n(&c->tlb, __ATOMIC_RELAXED))
		tlb_answer(c);
	p = __atomic_load_n(&panic_cpu, __ATOMIC_RELAXED);
	if (p >= 0 && p != (int)c->cpu)
		stop_self(c);
}

int smp_panic_cpu(void)
{
	return __atomic_load_n(&panic_cpu, __ATOMIC_ACQUIRE);
}

bool smp_output_lock(struct spinlock *l, uint64_t *flags) __no_thread_safety_analysis
{
	int panicking = smp_panic_cpu();

	if ((panicking >= 0 && (unsigned)panicking == arch_cpu_index()) || spin_held(l))
		return false;
	*flags = spin_lock_irqsave(l);
	return true;
}

void smp_output_unlock(struct spinlock *l, bool taken, uint64_t flags) __no_thread_safety_analysis
{
	if (taken)
		spin_unlock_irqrestore(l, flags);
}

int smp_panic_enter(void)
{
	int me = (int)arch_cpu_index(), prev = -1;

	if (__atomic_compare_exchange_n(&panic_cpu, &prev, me, false, __ATOMIC_ACQ_REL,
	                                __ATOMIC_ACQUIRE))
		return -1;
	if (prev == me)
		return me;
	/* Another CPU is reporting its panic: stop here, quietly. */
	if (percpu_ready())
		stop_self(this_cpu());
	arch_halt();
}

unsigned smp_stop_others(void)
{
	uint64_t mask, t0, limit;
	unsigned i, late = 0;

	if (!__atomic_load_n(&smp_up, __ATOMIC_ACQUIRE))
		return 0;
	mask = others_online(arch_cpu_index());
	for (i = 0; i < SMP_MAX_CPUS; i++)
		if (mask & (1ull << i))
			arch_smp_send_ipi(percpu_of(i), SMP_IPI_STOP);
	/* CPUs spinning with interrupts off stop from smp_spin_poll(). */
	t0 = arch_cycles();
	limit = arch_cycles_khz() * STOP_TIMEOUT_MS;
	for (i = 0; i < SMP_MAX_CPUS; i++) {
		if (!(mask & (1ull << i)))
			continue;
		while (!__atomic_load_n(&percpu_of(i)->stopped, __ATOMIC_ACQUIRE) &&
		       arch_cycles() - t0 < limit)
			arch_cpu_relax();
		late += !__atomic_load_n(&percpu_of(i)->stopped, __ATOMIC_ACQUIRE);
	}
	return late;
}

void smp_handle_ipi(enum smp_ipi ipi)
{
	struct percpu *c = this_cpu();

	c->ipis++;
	switch (ipi) {
	case SMP_IPI_CALL:
		run_calls(c);
		break;
	case SMP_IPI_TLB:
		tlb_answer(c);
		break;
	case SMP_IPI_STOP:
		stop_self(c);
		break;
	case SMP_IPI_RESCHED:
		c->need_resched = 1; /* acted on as the interrupt returns */
		break;
	}
}

void smp_cpu_started(struct percpu *c)
{
	__atomic_store_n(&smp_up, true, __ATOMIC_RELEASE);
	__atomic_fetch_add(&cpus_online, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&c->online, 1, __ATOMIC_RELEASE);
	smp_idle_loop();
}

void smp_idle_loop(void)
{
	struct percpu *c = this_cpu();

	for (;;) {
		run_calls(c);
		smp_spin_poll();
		if (!sched_idle_work() && !sched_idle_poll()) {
			arch_smp_idle();
			sched_idle_woke();
		}
	}
}
