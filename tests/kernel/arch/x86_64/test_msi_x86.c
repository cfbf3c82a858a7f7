// SPDX-License-Identifier: MIT
/*
 * The x86 message format for MSI and MSI-X (kernel/arch/x86_64/
 * interrupts/msi.c): each CPU's message names its local APIC and the
 * vector, from the pool between the IO APIC's vectors and the test
 * vector. The generic half is tests/kernel/test_pci_msi.c.
 */
#include <cairn/errno.h>

#include <stdint.h>

#include "arch/x86_64/interrupts/lapic.h"
#include "arch/x86_64/x86.h"
#include "core/ktest.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "irq/irq.h"

TEST(msi, x86_message_names_the_apic_and_the_vector)
{
	unsigned cpu;

	for (cpu = 0; cpu < smp_cpu_count(); cpu++) {
		struct irq_msg msg;
		int h = irq_msi_alloc(cpu, NULL, NULL, &msg);
		unsigned v;

		EXPECT_TRUE(h >= 0);
		v = irq_msi_vector(h);
		EXPECT_TRUE(v >= X86_VEC_MSI_BASE && v < X86_VEC_MSI_END);
		/* Intel SDM Vol. 3A, 12.11.1-2: 0xFEE, destination in 19:12; fixed, edge. */
		EXPECT_EQ(msg.addr, 0xfee00000u | percpu_of(cpu)->apic_id << 12);
		EXPECT_EQ(msg.data, v);
		irq_msi_free(h);
	}
}

static void never_called(struct arch_regs *regs, void *ctx)
{
}

TEST(msi, x86_vector_table_keeps_the_message_pool)
{
	EXPECT_EQ(X86_VEC_MSI_BASE, X86_VEC_IRQ_BASE + X86_MAX_GSI);
	EXPECT_TRUE(X86_VEC_MSI_END <= X86_VEC_TEST);
	/* Whole-vector handlers cannot take a message vector from the pools. */
	EXPECT_EQ(x86_vector_register(X86_VEC_MSI_BASE, never_called, NULL), -EINVAL);
	EXPECT_EQ(x86_vector_register(X86_VEC_MSI_END - 1, never_called, NULL), -EINVAL);
}
