// SPDX-License-Identifier: MIT
/*
 * Interrupt and time figures (issue 4): the cost of an interrupt measured
 * three ways (a self-IPI timed from the ICR write to the handler and back,
 * the timer handler's own work, and the slowdown of a busy loop under a
 * 10 kHz timer event, which also counts what the emulator spends
 * delivering each interrupt) and how late timer events fire. How far the
 * TSC calibrations are off is x86's own benchmark
 * (kernel/arch/x86_64/platform/tsc_bench.c). Under TCG these are emulator
 * figures, not hardware ones (docs/interrupts.md, docs/time.md).
 */
#include <arch/spinlock.h>

#include <stdint.h>

#include "arch/arch.h"
#include "core/kbench.h"
#include "core/percpu.h"
#include "irq/irq.h"
#include "time/time.h"

#define IPI_ROUNDS  1000
#define LOOP_MS     100
#define TICK_NS     (100 * NSEC_PER_USEC)
#define LATE_ROUNDS 200

static uint64_t samples[IPI_ROUNDS];
static volatile uint64_t handler_tsc;

/* Insertion sort: small arrays, run once. */
static uint64_t median(uint64_t *v, unsigned n)
{
	unsigned i, j;
	uint64_t x;

	for (i = 1; i < n; i++) {
		x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
	return v[n / 2];
}

static void ipi_handler(void *ctx)
{
	handler_tsc = arch_cycles();
}

/* Self-IPI: entry = the IPI's send to its handler, exit = handler to back in the sender. */
static void bench_self_ipi(void)
{
	static uint64_t exits[IPI_ROUNDS];
	uint64_t t0, t1;
	unsigned i;

	if (irq_test_register(ipi_handler, NULL))
		return;
	irq_enable();
	for (i = 0; i < IPI_ROUNDS; i++) {
		handler_tsc = 0;
		t0 = arch_cycles();
		irq_test_raise();
		while (!handler_tsc)
			arch_cpu_relax();
		t1 = arch_cycles();
		samples[i] = handler_tsc - t0;
		exits[i] = t1 - handler_tsc;
	}
	irq_test_unregister();
	kbench_report("irq_self_ipi_entry", median(samples, IPI_ROUNDS), "cycles (median)");
	kbench_report("irq_self_ipi_exit", median(exits, IPI_ROUNDS), "cycles (median)");
}

/* A 10 kHz tick: re-arm 100 us ahead from the callback. */
static void tick(struct timer_event *ev, void *ctx)
{
	if (timer_event_arm(ev, clock_monotonic_ns() + TICK_NS))
		return;
}

/* Busy-loop iterations in LOOP_MS of cycle-counter time. */
static uint64_t spin_loop(void)
{
	uint64_t end = arch_cycles() + arch_cycles_khz() * LOOP_MS, n = 0;

	while (arch_cycles() < end)
		n++;
	return n;
}

static void bench_timer_cost(void)
{
	struct timer_event ev;
	unsigned cpu = arch_cpu_index();
	uint64_t quiet, busy, ticks, lost;
	unsigned long flags = irq_save();

	quiet = spin_loop();
	irq_restore(flags);
	timer_event_init(&ev, tick, NULL);
	ticks = irq_count_timer(cpu);
	if (timer_event_arm(&ev, clock_monotonic_ns() + TICK_NS))
		return;
	irq_enable();
	busy = spin_loop();
	timer_event_cancel(&ev);
	ticks = irq_count_timer(cpu) - ticks;
	if (!ticks || busy >= quiet) {
		kbench_report("timer_irq_cost_unmeasurable", ticks, "interrupts");
		return;
	}
	/* Cycles the loop lost, shared among the interrupts that took them. */
	lost = (quiet - busy) * (arch_cycles_khz() * LOOP_MS) / quiet;
	kbench_report("timer_irq_cost", lost / ticks, "cycles per interrupt");
	kbench_report("timer_irq_rate", ticks * 1000 / LOOP_MS, "interrupts/s");
}

/* The timer handler's own work (run the due events, reprogram), entry and exit excluded. */
static void bench_timer_handler(void)
{
	unsigned long flags = irq_save();
	uint64_t t0;
	unsigned i;

	for (i = 0; i < IPI_ROUNDS; i++) {
		t0 = arch_cycles();
		time_timer_interrupt();
		samples[i] = arch_cycles() - t0;
	}
	irq_restore(flags);
	kbench_report("timer_handler", median(samples, IPI_ROUNDS), "cycles (median)");
}

static void late(struct timer_event *ev, void *ctx)
{
	*(volatile uint64_t *)ctx = clock_monotonic_ns();
}

/* Lateness of a 1 ms one-shot event: fire time minus deadline. */
static void bench_event_lateness(void)
{
	static uint64_t lateness[LATE_ROUNDS];
	struct timer_event ev;
	volatile uint64_t fired;
	uint64_t deadline, worst = 0;
	unsigned i;

	for (i = 0; i < LATE_ROUNDS; i++) {
		fired = 0;
		timer_event_init(&ev, late, (void *)&fired);
		deadline = clock_monotonic_ns() + NSEC_PER_MSEC;
		if (timer_event_arm(&ev, deadline))
			return;
		irq_disable();
		while (!fired) {
			irq_enable_and_wait();
			irq_disable();
		}
		irq_enable();
		lateness[i] = fired - deadline;
		worst = lateness[i] > worst ? lateness[i] : worst;
	}
	kbench_report("timer_event_lateness", median(lateness, LATE_ROUNDS), "ns (median)");
	kbench_report("timer_event_lateness_max", worst, "ns");
}

BENCH(irq)
{
	bench_self_ipi();
	bench_timer_handler();
	bench_timer_cost();
	bench_event_lateness();
}
