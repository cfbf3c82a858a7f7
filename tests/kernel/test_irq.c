// SPDX-License-Identifier: MIT
/*
 * Interrupt tests over the generic layer: the local timer interrupt and
 * its counters, a self-interrupt through irq_test_raise(), the refusal of
 * bad input (unknown GSIs, missing handlers) and the interrupt flag. A
 * real device interrupt through the controller, with masking and shared
 * lines, needs a device: tests/kernel/arch/x86_64/test_irq_x86.c uses the
 * RTC.
 */
#include <cairn/errno.h>

#include <arch/spinlock.h>

#include <stdbool.h>
#include <stdint.h>

#include "core/ktest.h"
#include "core/percpu.h"
#include "irq/irq.h"
#include "time/time.h"

static volatile unsigned hits;

static void count_hit(void *ctx)
{
	hits++;
}

TEST(irq, timer_interrupt_counts)
{
	unsigned cpu = arch_cpu_index();
	uint64_t before = irq_count_timer(cpu);

	sleep_ms(5);
	EXPECT_TRUE(irq_count_timer(cpu) > before);
	EXPECT_EQ(irq_count_vector(IRQ_MAX_CPUS, irq_test_vector()), 0);
	EXPECT_EQ(irq_count_vector(cpu, IRQ_NR), 0);
}

TEST(irq, self_ipi_is_delivered)
{
	unsigned cpu = arch_cpu_index();
	uint64_t before = irq_count_vector(cpu, irq_test_vector());
	unsigned spin;

	hits = 0;
	EXPECT_EQ(irq_test_register(count_hit, NULL), 0);
	EXPECT_EQ(irq_test_register(count_hit, NULL), -EBUSY);
	irq_enable();
	irq_test_raise();
	for (spin = 0; spin < 10000000 && hits == 0; spin++)
		arch_cpu_relax();
	irq_test_unregister();
	EXPECT_EQ(hits, 1);
	EXPECT_EQ(irq_count_vector(cpu, irq_test_vector()), before + 1);
	EXPECT_EQ(irq_test_register(NULL, NULL), -EINVAL);
}

TEST(irq, register_refuses_bad_input)
{
	EXPECT_EQ(irq_register(100000, count_hit, NULL), -EINVAL);
	EXPECT_EQ(irq_register(IRQ_MAX_GSI, count_hit, NULL), -EINVAL);
	EXPECT_EQ(irq_register(irq_isa_to_gsi(8), NULL, NULL), -EINVAL);
	EXPECT_EQ(irq_unregister(5, count_hit, NULL), -ENOENT);
	EXPECT_EQ(irq_unregister(100000, count_hit, NULL), -ENOENT);
}

TEST(irq, interrupts_are_on_after_boot)
{
	irq_enable();
	EXPECT_TRUE(irq_enabled());
	{
		unsigned long f = irq_save();

		EXPECT_TRUE(!irq_enabled());
		irq_restore(f);
	}
	EXPECT_TRUE(irq_enabled());
}
