// SPDX-License-Identifier: MIT
/*
 * The x86 side of the interrupt layer: the IDT vector table for vectors
 * 32-255, the interrupt controllers behind kernel/irq as two struct
 * irq_chip (the IO APICs, or the 8259 PICs when the firmware describes no
 * IO APIC), their set-up from the MADT, and the test self-IPI. Handler
 * lists and counters are kernel/irq/irq.c's. Vector layout in lapic.h and
 * x86.h; docs/interrupts.md has the picture.
 * Locks: [B] boot CPU before other CPUs start.
 */
#include "irq/irq.h"

#include <cairn/errno.h>

#include <arch/cpu.h>

#include "acpi/acpi.h"
#include "arch/x86_64/interrupts/lapic.h"
#include "arch/x86_64/x86.h"
#include "core/log.h"
#include "core/percpu.h"
#include "irq/chip.h"
#include "sched/sched.h"

#define ISA_IRQS    16
#define PIC_CASCADE 2

_Static_assert(X86_MAX_GSI <= IRQ_MAX_GSI, "every IO APIC vector has a GSI line");

/* A handler of a whole vector (timer, IPIs, tests). */
struct vector_handler {
	void (*fn)(struct arch_regs *regs, void *ctx); /* [B] */
	void *ctx;                                     /* [B] */
};

static struct vector_handler vectors[256]; /* [B] */
static bool ioapic_mode;                   /* [B] */

/* STI holds interrupts off for one more instruction, so none is lost before HLT (SDM Vol. 2B, STI). */
void arch_irq_enable_and_wait(void)
{
	__asm__ volatile("sti; hlt" : : : "memory");
}

bool x86_ioapic_mode(void)
{
	return ioapic_mode;
}

/* ---- the two controllers ---- */

static bool pic_has_gsi(uint32_t gsi)
{
	return gsi < ISA_IRQS && gsi != PIC_CASCADE;
}

/* The PIC's lines go to the boot CPU (virtual wire) with fixed vectors: nothing to route. */
static int pic_route(uint32_t gsi, unsigned cpu, bool level, bool active_low)
{
	return 0;
}

static unsigned pic_vector(uint32_t gsi)
{
	return X86_VEC_PIC_BASE + gsi;
}

static const struct irq_chip pic_chip = {
	.name = "8259 PIC",
	.has_gsi = pic_has_gsi,
	.route = pic_route,
	.mask = x86_pic_mask,
	.unmask = x86_pic_unmask,
	.eoi = x86_pic_eoi,
	.vector = pic_vector,
};

static bool ioapic_has_gsi(uint32_t gsi)
{
	return gsi < X86_MAX_GSI && x86_ioapic_has_gsi(gsi);
}

/* Fixed delivery of vector X86_VEC_IRQ_BASE + @gsi to CPU @cpu's local APIC. */
static int ioapic_route(uint32_t gsi, unsigned cpu, bool level, bool active_low)
{
	struct percpu *c = percpu_of(cpu);

	if (!c)
		return -EINVAL;
	return x86_ioapic_route(gsi, (uint8_t)(X86_VEC_IRQ_BASE + gsi), c->apic_id, level,
	                        active_low);
}

static void ioapic_mask(uint32_t gsi)
{
	x86_ioapic_mask(gsi, true);
}

static void ioapic_unmask(uint32_t gsi)
{
	x86_ioapic_mask(gsi, false);
}

/* IO APIC interrupts end at the local APIC (Intel SDM Vol. 3A, 12.8.5). */
static void ioapic_eoi(uint32_t gsi)
{
	lapic_eoi();
}

static unsigned ioapic_vector(uint32_t gsi)
{
	return X86_VEC_IRQ_BASE + gsi;
}

static const struct irq_chip ioapic_chip = {
	.name = "IO APIC",
	.has_gsi = ioapic_has_gsi,
	.route = ioapic_route,
	.mask = ioapic_mask,
	.unmask = ioapic_unmask,
	.eoi = ioapic_eoi,
	.vector = ioapic_vector,
};

void x86_irq_use_pic(void)
{
	ioapic_mode = false;
	irq_chip_set(&pic_chip);
}

void x86_irq_use_ioapic(void)
{
	ioapic_mode = true;
	irq_chip_set(&ioapic_chip);
}

/* ---- dispatch ---- */

/* Legacy PIC vectors 32-47: spurious IRQ 7/15 checks, then the fallback's handlers. */
static void pic_dispatch(unsigned irq)
{
	if ((irq == 7 || irq == 15) && x86_pic_spurious(irq))
		return;
	if (!ioapic_mode)
		irq_handle_gsi(irq);
	else
		x86_pic_eoi(irq);
}

/*
 * Every vector from 32 up, interrupts off. The spurious vector gets no EOI
 * (Intel SDM Vol. 3A, 12.9), PIC vectors an EOI at the PIC; the rest one
 * at the local APIC after their handler (12.8.5).
 */
void x86_irq_dispatch(struct arch_regs *regs)
{
	unsigned v = regs->vector & 0xff;

	irq_account(arch_cpu_index(), v);
	if (v == X86_VEC_SPURIOUS)
		return;
	if (v >= X86_VEC_PIC_BASE && v < X86_VEC_PIC_BASE + ISA_IRQS) {
		pic_dispatch(v - X86_VEC_PIC_BASE);
		return;
	}
	if (v >= X86_VEC_IRQ_BASE && v < X86_VEC_IRQ_BASE + X86_MAX_GSI) {
		irq_handle_gsi(v - X86_VEC_IRQ_BASE);
		return;
	}
	if (v >= X86_VEC_MSI_BASE && v < X86_VEC_MSI_END)
		irq_handle_msi(arch_cpu_index(), v);
	else if (vectors[v].fn)
		vectors[v].fn(regs, vectors[v].ctx);
	lapic_eoi();
}

/*
 * An interrupt, counted as one so the scheduler knows it is not in task
 * context; as it returns (after the EOI) the interrupted task may be
 * switched out: its registers are in @regs on its own stack.
 */
void x86_irq_enter(struct arch_regs *regs)
{
	struct percpu *c = percpu_ready() ? this_cpu() : NULL;

	if (c)
		c->irq_nest++;
	x86_irq_dispatch(regs);
	if (c) {
		c->irq_nest--;
		sched_interrupt_exit((regs->rflags & X86_RFLAGS_IF) != 0);
	}
}

int x86_vector_register(unsigned vector, void (*fn)(struct arch_regs *regs, void *ctx), void *ctx)
{
	if (vector < X86_VEC_MSI_END || vector >= X86_VEC_SPURIOUS || !fn)
		return -EINVAL;
	if (vectors[vector].fn)
		return -EBUSY;
	vectors[vector].ctx = ctx;
	__atomic_store_n(&vectors[vector].fn, fn, __ATOMIC_RELEASE);
	return 0;
}

void x86_vector_unregister(unsigned vector)
{
	if (vector < 256)
		__atomic_store_n(&vectors[vector].fn, NULL, __ATOMIC_RELEASE);
}

uint64_t irq_count_timer(unsigned cpu)
{
	return irq_count_vector(cpu, X86_VEC_TIMER);
}

/* ---- the test self-IPI ---- */

static void (*test_fn)(void *ctx); /* [B] */
static void *test_ctx;             /* [B] */

static void test_vector(struct arch_regs *regs, void *ctx)
{
	test_fn(test_ctx);
}

int irq_test_register(void (*fn)(void *ctx), void *ctx)
{
	if (!fn)
		return -EINVAL;
	if (vectors[X86_VEC_TEST].fn)
		return -EBUSY;
	test_fn = fn;
	test_ctx = ctx;
	return x86_vector_register(X86_VEC_TEST, test_vector, NULL);
}

void irq_test_unregister(void)
{
	x86_vector_unregister(X86_VEC_TEST);
}

void irq_test_raise(void)
{
	lapic_send_ipi(lapic_id(), X86_VEC_TEST);
}

unsigned irq_test_vector(void)
{
	return X86_VEC_TEST;
}
