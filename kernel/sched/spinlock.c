// SPDX-License-Identifier: MIT
/*
 * Ticket spinlocks (see spinlock.h). Two 16-bit counters: a CPU takes a
 * ticket with an atomic fetch-and-add on `next` and owns the lock when
 * `serving` reaches it; release is a plain store of serving + 1 by the
 * owner. While it waits, a CPU keeps answering TLB shootdowns and panic
 * stops (smp_spin_poll()), because it waits with interrupts off.
 */
#include "sched/spinlock.h"

#include <arch/spinlock.h>

#include "core/panic.h"
#include "core/percpu.h"
#include "core/smp.h"

void spin_init(struct spinlock *l, const char *name)
{
	l->next = 0;
	l->serving = 0;
	l->owner = SPIN_NO_OWNER;
	l->reserved = 0;
	l->name = name;
}

static struct percpu *self(void)
{
	return percpu_ready() ? this_cpu() : percpu_of(0);
}

void irq_push_off(void)
{
	bool on = arch_irqs_enabled();
	struct percpu *c;

	arch_irq_disable();
	c = self();
	if (c->irq_depth++ == 0)
		c->irq_were_on = on;
}

void irq_pop_off(void)
{
	struct percpu *c = self();

	if (arch_irqs_enabled())
		panic("spinlock: interrupts on inside a spin_lock() section");
	if (c->irq_depth == 0)
		panic("spinlock: irq_pop_off() without irq_push_off()");
	if (--c->irq_depth == 0 && c->irq_were_on)
		arch_irq_enable();
}

/*
 * Taking a lock this CPU holds would wait forever: say so instead. Called
 * with interrupts off, as a task preempted after reading its CPU index could
 * go on to take the lock on another CPU and record the wrong owner.
 */
static bool held_here(const struct spinlock *l, unsigned me)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) == me;
}

__attribute__((noreturn)) static void taken_twice(const struct spinlock *l, unsigned me)
{
	panic("spinlock: %s: cpu %u takes a lock it already holds", l->name, me);
}

/* Wait for our ticket; interrupts are off. */
static void take_ticket(struct spinlock *l, unsigned me)
{
	uint16_t ticket = arch_fetch_add16(&l->next, 1);

	while (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != ticket) {
		arch_cpu_relax();
		smp_spin_poll();
	}
	__atomic_store_n(&l->owner, (uint16_t)me, __ATOMIC_RELAXED);
}

static void give_back(struct spinlock *l)
{
	unsigned me = arch_cpu_index();
	uint16_t owner = __atomic_load_n(&l->owner, __ATOMIC_RELAXED);

	if (owner != me)
		panic("spinlock: %s: released by cpu %u but held by %d", l->name, me,
		      owner == SPIN_NO_OWNER ? -1 : (int)owner);
	__atomic_store_n(&l->owner, (uint16_t)SPIN_NO_OWNER, __ATOMIC_RELAXED);
	/* Only the owner writes `serving`: a release store is the whole unlock. */
	__atomic_store_n(&l->serving, (uint16_t)(l->serving + 1), __ATOMIC_RELEASE);
}

__no_thread_safety_analysis void spin_lock(struct spinlock *l)
{
	unsigned me;

	irq_push_off();
	me = arch_cpu_index();
	if (held_here(l, me)) {
		irq_pop_off(); /* the panic may be caught by a test */
		taken_twice(l, me);
	}
	take_ticket(l, me);
}

__no_thread_safety_analysis void spin_unlock(struct spinlock *l)
{
	give_back(l);
	irq_pop_off();
}

__no_thread_safety_analysis bool spin_trylock(struct spinlock *l)
{
	unsigned me;
	uint16_t n;

	irq_push_off();
	me = arch_cpu_index();
	if (held_here(l, me)) {
		irq_pop_off();
		return false;
	}
	n = __atomic_load_n(&l->next, __ATOMIC_RELAXED);
	/* Free exactly when every ticket handed out has been served. */
	if (__atomic_load_n(&l->serving, __ATOMIC_ACQUIRE) != n ||
	    !__atomic_compare_exchange_n(&l->next, &n, (uint16_t)(n + 1), false, __ATOMIC_ACQUIRE,
	                                 __ATOMIC_RELAXED)) {
		irq_pop_off();
		return false;
	}
	__atomic_store_n(&l->owner, (uint16_t)me, __ATOMIC_RELAXED);
	return true;
}

__no_thread_safety_analysis uint64_t spin_lock_irqsave(struct spinlock *l)
{
	uint64_t flags = arch_irq_save();
	unsigned me = arch_cpu_index();

	if (held_here(l, me)) {
		arch_irq_restore(flags);
		taken_twice(l, me);
	}
	take_ticket(l, me);
	return flags;
}

__no_thread_safety_analysis void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags)
{
	give_back(l);
	arch_irq_restore(flags);
}

bool spin_held(const struct spinlock *l)
{
	return __atomic_load_n(&l->owner, __ATOMIC_RELAXED) == arch_cpu_index();
}
