// SPDX-License-Identifier: MIT
/*
 * Polling before halting. A CPU with nothing to run watches for work for a
 * short, bounded time before it halts, and a CPU that queues work for a
 * polling CPU flips a flag instead of sending an IPI. Under QEMU's TCG
 * (and under any hypervisor) a halted vCPU is a sleeping host thread:
 * waking it through an IPI costs a host wake-up, from tens of microseconds
 * to milliseconds on a loaded host, while a ping-pong between two CPUs
 * (a channel call, a pipe round trip) needs the other side back within
 * microseconds. Linux's cpuidle-haltpoll does the same for KVM guests.
 * Only with two CPUs or more (nobody else can queue work on a lone CPU
 * but its own interrupts, which end a halt anyway); `idle_poll_us=N` on
 * the command line sets the bound (0: never poll); each CPU's window
 * adapts below it. docs/tasks.md, "Idle polling", has the measurements.
 *
 * Locks: [a] atomic; [I] set at boot; [C] this CPU only (its idle task).
 */
#include <arch/spinlock.h>

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"
#include "core/cmdline.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "irq/irq.h"
#include "sched/sched.h"
#include "time/time.h"

#define IDLE_POLL_DEFAULT_US 200
#define IDLE_POLL_MAX_US     10000
#define IDLE_POLL_START_NS   10000 /* the first window after none */
#define IDLE_POLL_KICK_SPAN  16    /* a kick within 16 bounds still grows the window */

enum poll_state {
	POLL_OFF = 0,    /* halted or busy: wake it with an IPI */
	POLL_ON = 1,     /* polling: a kick needs no IPI */
	POLL_KICKED = 2, /* polling, and work was queued for it */
};

/*
 * Each CPU's window adapts, as Linux's haltpoll does: an idle spell that
 * ended within the bound (a poll ran out, then the halt was short), or
 * one another CPU ended with a kick within 16 bounds, doubles it; any
 * other halves it. So a CPU in a ping-pong polls, and one that is really
 * idle or woken only by its own timers soon halts at once.
 */
struct idle_window {
	uint64_t ns;         /* [C] how long this CPU polls now; 0: it halts at once */
	uint64_t idle_start; /* [C] when the current idle spell began (0: none) */
	uint64_t kicked_at;  /* [a] when another CPU last sent it a wake-up IPI */
} __attribute__((aligned(64)));

static uint32_t poll_state[SMP_MAX_CPUS];       /* [a] enum poll_state of each CPU */
static struct idle_window window[SMP_MAX_CPUS]; /* [C] */
static uint64_t poll_ns;                        /* [I] the bound on a window; 0: never poll */
static bool poll_set;                           /* [I] poll_ns read from the command line */

/* Read `idle_poll_us=` once; the first idle CPU does it, before any poll. */
static void idle_poll_setup(void)
{
	const char *v = cmdline_get("idle_poll_us");
	uint64_t us = IDLE_POLL_DEFAULT_US;

	if (v && *v >= '0' && *v <= '9') {
		for (us = 0; *v >= '0' && *v <= '9' && us <= IDLE_POLL_MAX_US; v++)
			us = us * 10 + (uint64_t)(*v - '0');
		if (us > IDLE_POLL_MAX_US) {
			pr_warn("sched: idle_poll_us above %u; using %u", IDLE_POLL_MAX_US,
			        IDLE_POLL_MAX_US);
			us = IDLE_POLL_MAX_US;
		}
	}
	__atomic_store_n(&poll_ns, us * 1000, __ATOMIC_RELAXED);
	__atomic_store_n(&poll_set, true, __ATOMIC_RELEASE);
}

bool sched_idle_poll(void)
{
	struct idle_window *w = &window[this_cpu_index()];
	uint64_t now;

	if (!__atomic_load_n(&poll_set, __ATOMIC_ACQUIRE))
		idle_poll_setup();
	if (!poll_ns || sched_cpu_count() < 2 || !sched_running())
		return false;
	now = clock_monotonic_ns();
	w->idle_start = now;
	if (!w->ns)
		return false;
	if (sched_idle_poll_for(w->ns)) {
		w->idle_start = 0; /* work came while polling: the window was right */
		return true;
	}
	return false;
}

void sched_idle_woke(void)
{
	struct idle_window *w = &window[this_cpu_index()];
	uint64_t spell, end;
	bool kicked;

	if (!w->idle_start)
		return;
	/*
	 * The spell ends when work was asked for, not when the halt ended: on
	 * a loaded host the IPI's own wake-up may take milliseconds, which is
	 * what polling is there to save, so it must not count against it.
	 */
	end = __atomic_load_n(&w->kicked_at, __ATOMIC_RELAXED);
	kicked = end > w->idle_start;
	if (!kicked)
		end = clock_monotonic_ns();
	spell = end - w->idle_start;
	w->idle_start = 0;
	/*
	 * A longer poll would have caught it; or another CPU asked for work
	 * soon enough. The second case is there because in a ping-pong each
	 * side's spell holds the other side's own wake-up: two CPUs that both
	 * halt would each see long spells and never start polling.
	 */
	if (spell <= poll_ns || (kicked && spell <= IDLE_POLL_KICK_SPAN * poll_ns))
		w->ns = w->ns ? (w->ns * 2 < poll_ns ? w->ns * 2 : poll_ns) : IDLE_POLL_START_NS;
	else /* really idle: poll less next time */
		w->ns = w->ns / 2 < IDLE_POLL_START_NS ? 0 : w->ns / 2;
}

unsigned sched_idle_poll_for(uint64_t ns)
{
	struct percpu *c = this_cpu();
	unsigned me = c->cpu;
	uint64_t end;
	uint32_t old;
	bool resched;

	__atomic_store_n(&poll_state[me], POLL_ON, __ATOMIC_SEQ_CST);
	end = clock_monotonic_ns() + ns;
	/*
	 * Interrupts on, so that a device or a call IPI is served at once, as
	 * in a halt; preemption off, so that an interrupt that queues a task
	 * here ends the poll (need_resched) instead of switching away from it
	 * with POLL_ON still set.
	 */
	c->preempt_off++;
	irq_enable();
	while (__atomic_load_n(&poll_state[me], __ATOMIC_ACQUIRE) == POLL_ON &&
	       !__atomic_load_n(&c->need_resched, __ATOMIC_RELAXED) && clock_monotonic_ns() < end)
		arch_cpu_relax();
	irq_disable();
	c->preempt_off--;
	resched = __atomic_load_n(&c->need_resched, __ATOMIC_RELAXED);
	/* A kick that won the race with the end of the poll is seen here, never lost. */
	old = __atomic_exchange_n(&poll_state[me], POLL_OFF, __ATOMIC_SEQ_CST);
	return (old == POLL_KICKED ? SCHED_POLL_KICKED : 0) | (resched ? SCHED_POLL_RESCHED : 0);
}

bool sched_idle_polling(unsigned cpu)
{
	return cpu < SMP_MAX_CPUS && __atomic_load_n(&poll_state[cpu], __ATOMIC_ACQUIRE) == POLL_ON;
}

bool sched_idle_poll_kick(unsigned cpu)
{
	uint32_t on = POLL_ON;

	if (cpu >= SMP_MAX_CPUS)
		return false;
	/* The caller's queueing (a store) must be visible before the poller stops polling. */
	if (__atomic_compare_exchange_n(&poll_state[cpu], &on, POLL_KICKED, false, __ATOMIC_SEQ_CST,
	                                __ATOMIC_RELAXED) ||
	    on == POLL_KICKED)
		return true;
	/* The caller sends an IPI: note when, for the window's next size (sched_idle_woke). */
	__atomic_store_n(&window[cpu].kicked_at, clock_monotonic_ns(), __ATOMIC_RELAXED);
	return false;
}
