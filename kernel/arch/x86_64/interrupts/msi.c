// SPDX-License-Identifier: MIT
/*
 * The x86 side of message-signalled interrupts: which IDT vectors carry
 * them and the address/data pair that makes a local APIC take one. The
 * vector pools and handlers are kernel/irq/msi.c's; x86_irq_dispatch()
 * hands the vectors to it and sends the EOI.
 */
#include <cairn/errno.h>

#include "arch/x86_64/interrupts/lapic.h"
#include "arch/x86_64/x86.h"
#include "core/percpu.h"
#include "irq/chip.h"

/*
 * Message address (Intel SDM Vol. 3A, 12.11.1): 0xFEE in bits 31:20, the
 * destination APIC ID in 19:12, redirection hint (bit 3) and destination
 * mode (bit 2) clear for one CPU addressed physically.
 */
#define MSI_ADDR_BASE        0xfee00000u
#define MSI_ADDR_DEST_SHIFT  12
#define MSI_ADDR_DEST_MAX    0xffu
/*
 * Message data (12.11.2): the vector in bits 7:0, delivery mode fixed
 * (000b in 10:8) and edge trigger (bit 15 clear), so nothing else is set.
 */
#define MSI_DATA_VECTOR_MASK 0xffu

_Static_assert(X86_VEC_MSI_END - X86_VEC_MSI_BASE <= IRQ_MSI_MAX, "the pool fits kernel/irq's");

unsigned arch_msi_vectors(unsigned *first)
{
	*first = X86_VEC_MSI_BASE;
	return x86_lapic_ready() ? X86_VEC_MSI_END - X86_VEC_MSI_BASE : 0;
}

/*
 * Only 8 bits of APIC ID fit the address: CPUs above 255 would need the
 * extended destination ID or interrupt remapping, which Cairn lacks.
 */
int arch_msi_compose(unsigned cpu, unsigned vector, struct irq_msg *msg)
{
	struct percpu *c = percpu_of(cpu);

	if (!c || c->apic_id > MSI_ADDR_DEST_MAX || vector < X86_VEC_MSI_BASE ||
	    vector >= X86_VEC_MSI_END)
		return -EINVAL;
	msg->addr = MSI_ADDR_BASE | (uint32_t)c->apic_id << MSI_ADDR_DEST_SHIFT;
	msg->data = vector & MSI_DATA_VECTOR_MASK;
	return 0;
}

int arch_msi_raise(unsigned cpu, unsigned vector)
{
	struct percpu *c = percpu_of(cpu);

	if (!c || vector < X86_VEC_MSI_BASE || vector >= X86_VEC_MSI_END)
		return -EINVAL;
	lapic_send_ipi(c->apic_id, (uint8_t)vector);
	return 0;
}
