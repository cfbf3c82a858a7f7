/* SPDX-License-Identifier: MIT */
/*
 * Ticket spinlocks. A CPU takes a ticket and waits until the lock serves
 * it, so waiters get the lock in arrival order (no starvation under
 * contention). Holding a spinlock always means interrupts are off on that
 * CPU, so an interrupt handler can never spin on a lock its own CPU holds.
 * Each lock records the CPU that holds it: taking a lock this CPU already
 * holds panics instead of hanging. Lock order: docs/locking.md.
 */
#pragma once

#include <cairn/lockdep.h>

#include <stdbool.h>
#include <stdint.h>

#include "core/panic.h"

#define SPIN_NO_OWNER 0xffffu

/* Locks: [a] atomic; [O] written by the owner only; [I] immutable. */
struct spinlock {
	uint16_t next;    /* [a] the next ticket to hand out */
	uint16_t serving; /* [a] the ticket that holds the lock */
	uint16_t owner;   /* [O] CPU index of the holder, SPIN_NO_OWNER when free */
	uint16_t reserved;
	const char *name; /* [I] for messages ("log", "smp.calls") */
} __capability("spinlock");

#define SPINLOCK_INIT(n)                                                     \
	{                                                                    \
		.next = 0, .serving = 0, .owner = SPIN_NO_OWNER, .name = (n) \
	}

void spin_init(struct spinlock *l, const char *name);

/*
 * Take @l, spinning until it is this CPU's turn, and keep interrupts off
 * until the matching spin_unlock(). Nests: interrupts come back on only when
 * this CPU releases the last lock it took with spin_lock() (xv6's
 * pushcli/popcli). Panics if this CPU already holds @l. Any context.
 */
void spin_lock(struct spinlock *l) __acquires(l);
void spin_unlock(struct spinlock *l) __releases(l);

/* Take @l if it is free, as spin_lock() does; returns true if taken. */
bool spin_trylock(struct spinlock *l) __try_acquires(true, l);

/*
 * Take @l with interrupts off and return the interrupt state to hand back to
 * spin_unlock_irqrestore(). Pairs must be released in the reverse order
 * they were taken. Panics if this CPU already holds @l. Any context.
 */
uint64_t spin_lock_irqsave(struct spinlock *l) __acquires(l);
void spin_unlock_irqrestore(struct spinlock *l, uint64_t flags) __releases(l);

/* True if this CPU holds @l (for assertions and recursion-safe paths). */
bool spin_held(const struct spinlock *l);

/*
 * The run-time half of __must_hold(): in debug builds (CAIRN_DEBUG, the
 * default) panic unless this CPU holds @l. Clang checks callers at compile
 * time; this catches paths it cannot see (function pointers, GCC builds).
 */
#define spin_assert_held(l) ASSERT(spin_held(l))

/* Interrupts off, counted per CPU; what spin_lock() does around the lock itself. */
void irq_push_off(void);
void irq_pop_off(void);
