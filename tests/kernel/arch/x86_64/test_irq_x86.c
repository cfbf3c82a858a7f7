// SPDX-License-Identifier: MIT
/*
 * The x86 half of the interrupt tests: the IDT vector table's reserved
 * vectors, the MADT's ISA overrides as the IO APIC set-up applied them,
 * IO APICs at addresses where none can be, and a real device interrupt
 * through the IO APIC (the RTC's periodic interrupt on ISA IRQ 8) with
 * masking, unmasking and a shared line. The generic half is
 * tests/kernel/test_irq.c.
 */
#include <cairn/errno.h>

#include <stdbool.h>
#include <stdint.h>

#include "acpi/acpi.h"
#include "arch/x86_64/interrupts/lapic.h"
#include "arch/x86_64/x86.h"
#include "core/ktest.h"
#include "core/percpu.h"
#include "irq/irq.h"
#include "time/time.h"

#define RTC_ISA_IRQ 8

static volatile unsigned hits;

static void count_hit(void *ctx)
{
	hits++;
}

static void count_vector(struct arch_regs *regs, void *ctx)
{
	hits++;
}

static void rtc_hit(void *ctx)
{
	x86_rtc_ack();
	hits++;
}

/* Wait up to @ms for @n hits, halting between interrupts (interrupts on). */
static void wait_hits(unsigned n, unsigned ms)
{
	uint64_t end = clock_monotonic_ns() + ms * NSEC_PER_MSEC;

	while (hits < n && clock_monotonic_ns() < end)
		sleep_ms(1);
}

TEST(irq, vector_register_refuses_reserved)
{
	EXPECT_EQ(x86_vector_register(14, count_vector, NULL), -EINVAL);
	EXPECT_EQ(x86_vector_register(X86_VEC_IRQ_BASE, count_vector, NULL), -EINVAL);
	EXPECT_EQ(x86_vector_register(X86_VEC_SPURIOUS, count_vector, NULL), -EINVAL);
	EXPECT_EQ(x86_vector_register(X86_VEC_TEST, NULL, NULL), -EINVAL);
	EXPECT_EQ(x86_vector_register(X86_VEC_TIMER, count_vector, NULL), -EBUSY);
}

TEST(irq, isa_overrides_follow_the_madt)
{
	const struct acpi_madt_info *m = acpi_madt();
	unsigned irq, i;

	if (!x86_ioapic_mode() || !m)
		ktest_skip("PIC mode");
	for (irq = 0; irq < 16; irq++) {
		uint32_t want = irq;

		for (i = 0; i < m->noverrides; i++)
			if (m->overrides[i].bus == 0 && m->overrides[i].irq == irq)
				want = m->overrides[i].gsi;
		EXPECT_EQ(irq_isa_to_gsi(irq), want);
	}
	/* Every PC chipset QEMU models wires the PIT's IRQ 0 to IO APIC input 2. */
	EXPECT_EQ(irq_isa_to_gsi(0), 2);
}

TEST(irq, ioapic_at_bogus_address_is_refused)
{
	unsigned n = x86_ioapic_count();

	EXPECT_EQ(x86_ioapic_add(9, 0, 100), -EINVAL);             /* no address */
	EXPECT_EQ(x86_ioapic_add(9, 0xfec00004, 100), -EINVAL);    /* not aligned */
	EXPECT_EQ(x86_ioapic_add(9, 0x200000, 100), -EINVAL);      /* usable RAM */
	EXPECT_EQ(x86_ioapic_add(9, 1ull << 60, 100), -EINVAL);    /* beyond physical */
	EXPECT_EQ(x86_ioapic_add(9, 0xfec01000, 100000), -EINVAL); /* GSI base out of range */
	if (n > 0) /* the real one again: its GSIs are taken */
		EXPECT_EQ(x86_ioapic_add(9, 0xfec00000, 0), -EINVAL);
	/* Far above RAM and every PCI window: nothing answers there. */
	EXPECT_EQ(x86_ioapic_add(9, 0x4000000000ull, 100), -ENODEV);
	EXPECT_EQ(x86_ioapic_count(), n);
}

/*
 * A device interrupt end to end: the RTC's periodic interrupt (ISA IRQ 8)
 * through the IO APIC. While the line is masked nothing arrives; the RTC
 * holds its line until register C is read, so after unmasking, one read of
 * C lets the next period raise a fresh edge.
 */
TEST(irq, rtc_interrupt_through_ioapic_with_masking)
{
	uint32_t gsi = irq_isa_to_gsi(RTC_ISA_IRQ);
	unsigned cpu = arch_cpu_index();
	uint64_t before = irq_count_gsi(cpu, gsi);

	hits = 0;
	EXPECT_EQ(irq_register(gsi, rtc_hit, NULL), 0);
	x86_rtc_periodic(true);
	wait_hits(5, 200);
	EXPECT_TRUE(hits >= 5);
	EXPECT_TRUE(irq_count_gsi(cpu, gsi) >= before + 5);
	irq_mask(gsi);
	sleep_ms(2);
	hits = 0;
	sleep_ms(10);
	EXPECT_EQ(hits, 0);
	irq_unmask(gsi);
	x86_rtc_ack();
	wait_hits(3, 200);
	x86_rtc_periodic(false);
	EXPECT_EQ(irq_unregister(gsi, rtc_hit, NULL), 0);
	EXPECT_TRUE(hits >= 3);
	x86_rtc_ack();
}

TEST(irq, shared_gsi_calls_every_handler)
{
	uint32_t gsi = irq_isa_to_gsi(RTC_ISA_IRQ);
	static volatile unsigned second;

	hits = 0;
	second = 0;
	EXPECT_EQ(irq_register(gsi, rtc_hit, NULL), 0);
	EXPECT_EQ(irq_register(gsi, count_hit, (void *)&second), 0);
	x86_rtc_periodic(true);
	wait_hits(8, 200);
	x86_rtc_periodic(false);
	EXPECT_EQ(irq_unregister(gsi, count_hit, (void *)&second), 0);
	EXPECT_EQ(irq_unregister(gsi, rtc_hit, NULL), 0);
	x86_rtc_ack();
	/* count_hit bumps the same counter: each interrupt counted twice. */
	EXPECT_TRUE(hits >= 8);
	EXPECT_EQ(hits % 2, 0);
}
