/* SPDX-License-Identifier: MIT */
/*
 * A spinlock for the VFS's hot paths that turns preemption off rather than
 * interrupts: the dcache, mount, descriptor-table and fs-context locks are
 * never taken in interrupt context, and every path walk step and every
 * descriptor lookup takes one. Under QEMU's TCG, spin_lock()'s interrupt
 * flag changes make a lock/unlock pair cost about 1.2 us against about
 * 0.2 us for this one (kbench=vfslock). Holders must not sleep; not for
 * interrupt handlers. No owner is recorded: a double acquire deadlocks.
 */
#pragma once

#include <cairn/compiler.h>
#include <cairn/lockdep.h>

#include <arch/spinlock.h>

#include <stdint.h>

#include "sched/sched.h"

struct vlock {
	uint32_t held; /* [a] 1 while a CPU holds it */
} __capability("vlock");

#define VLOCK_INIT \
	{          \
		0  \
	}

static inline void vlock_acquire(struct vlock *l) __acquires(l) __no_thread_safety_analysis
{
	preempt_disable();
	while (__atomic_exchange_n(&l->held, 1u, __ATOMIC_ACQUIRE)) {
		while (__atomic_load_n(&l->held, __ATOMIC_RELAXED))
			arch_cpu_relax();
	}
}

static inline void vlock_release(struct vlock *l) __releases(l) __no_thread_safety_analysis
{
	__atomic_store_n(&l->held, 0u, __ATOMIC_RELEASE);
	preempt_enable();
}
