// SPDX-License-Identifier: MIT
/*
 * Interrupt vectors for message-signalled interrupts (MSI and MSI-X). A
 * device that signals with messages writes an address and data the
 * architecture composes for one vector on one CPU, so each CPU has its
 * own pool of vectors here and a device's queues can be spread over CPUs.
 * The PCI core (kernel/bus/pci/irq.c) is the user. See docs/interrupts.md.
 * Locks: [L] msi_lock for allocation; [a] atomic (the handler and its
 * context are published under the busy protocol described at slot_set()).
 */
#include <cairn/errno.h>

#include <arch/spinlock.h>

#include "core/smp.h"
#include "irq/chip.h"
#include "irq/irq.h"
#include "sched/spinlock.h"

/* One vector of one CPU. */
struct msi_slot {
	void (*fn)(void *ctx); /* [a] NULL: count and drop */
	void *ctx;             /* [a] written only while fn is NULL and busy clear */
	uint32_t busy;         /* [a] the owning CPU runs fn right now */
	bool used;             /* [L] allocated */
};

static struct msi_slot slots[IRQ_MAX_CPUS][IRQ_MSI_MAX];
static unsigned nused[IRQ_MAX_CPUS];                        /* [L] */
static struct spinlock msi_lock = SPINLOCK_INIT("irq.msi"); /* a leaf */

/* A handle is cpu * IRQ_MSI_MAX + the slot's index in the CPU's pool. */
static struct msi_slot *slot_of(int handle)
{
	if (handle < 0 || handle >= IRQ_MAX_CPUS * IRQ_MSI_MAX)
		return NULL;
	return &slots[handle / IRQ_MSI_MAX][handle % IRQ_MSI_MAX];
}

/*
 * Publish @fn(@ctx) on @s. The dispatcher sets busy, then reads fn; here
 * fn is cleared, then busy is awaited (both sequentially consistent, so
 * one of the two sees the other). Once busy is clear with fn NULL no CPU
 * can hold the old pair, ctx is written, and fn last with release order
 * so a dispatcher that sees the new fn sees the new ctx.
 */
static void slot_set(struct msi_slot *s, void (*fn)(void *ctx), void *ctx)
{
	__atomic_store_n(&s->fn, NULL, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&s->busy, __ATOMIC_SEQ_CST))
		arch_cpu_relax();
	__atomic_store_n(&s->ctx, ctx, __ATOMIC_RELAXED);
	__atomic_store_n(&s->fn, fn, __ATOMIC_RELEASE);
}

void irq_handle_msi(unsigned cpu, unsigned vector)
{
	unsigned first, count = arch_msi_vectors(&first);
	struct msi_slot *s;
	void (*fn)(void *ctx);

	if (cpu >= IRQ_MAX_CPUS || vector < first || vector >= first + count)
		return;
	s = &slots[cpu][vector - first];
	__atomic_store_n(&s->busy, 1, __ATOMIC_SEQ_CST);
	fn = __atomic_load_n(&s->fn, __ATOMIC_SEQ_CST);
	if (fn)
		fn(__atomic_load_n(&s->ctx, __ATOMIC_RELAXED));
	__atomic_store_n(&s->busy, 0, __ATOMIC_RELEASE);
}

/* Take the first free slot of @cpu's pool; returns its index or -ENOSPC. */
static int take_slot(unsigned cpu, unsigned count)
{
	uint64_t flags = spin_lock_irqsave(&msi_lock);
	int i, found = -ENOSPC;

	for (i = 0; i < (int)count; i++) {
		if (!slots[cpu][i].used) {
			slots[cpu][i].used = true;
			nused[cpu]++;
			found = i;
			break;
		}
	}
	spin_unlock_irqrestore(&msi_lock, flags);
	return found;
}

int irq_msi_alloc(unsigned cpu, void (*fn)(void *ctx), void *ctx, struct irq_msg *msg)
{
	unsigned first, count = arch_msi_vectors(&first);
	int i, err;

	if (count == 0)
		return -ENODEV;
	if (cpu >= IRQ_MAX_CPUS || cpu >= smp_cpu_count() || !smp_cpu_online(cpu))
		return -EINVAL;
	if (count > IRQ_MSI_MAX)
		count = IRQ_MSI_MAX;
	i = take_slot(cpu, count);
	if (i < 0)
		return i;
	err = arch_msi_compose(cpu, first + (unsigned)i, msg);
	if (err) {
		irq_msi_free((int)(cpu * IRQ_MSI_MAX) + i);
		return err;
	}
	slot_set(&slots[cpu][i], fn, ctx);
	return (int)(cpu * IRQ_MSI_MAX) + i;
}

int irq_msi_set_handler(int handle, void (*fn)(void *ctx), void *ctx)
{
	struct msi_slot *s = slot_of(handle);

	if (!s || !__atomic_load_n(&s->used, __ATOMIC_RELAXED))
		return -EINVAL;
	slot_set(s, fn, ctx);
	return 0;
}

void irq_msi_free(int handle)
{
	struct msi_slot *s = slot_of(handle);
	uint64_t flags;

	if (!s)
		return;
	slot_set(s, NULL, NULL);
	flags = spin_lock_irqsave(&msi_lock);
	if (s->used) {
		s->used = false;
		nused[handle / IRQ_MSI_MAX]--;
	}
	spin_unlock_irqrestore(&msi_lock, flags);
}

unsigned irq_msi_cpu(int handle)
{
	return handle < 0 ? 0 : (unsigned)handle / IRQ_MSI_MAX;
}

unsigned irq_msi_vector(int handle)
{
	unsigned first;

	arch_msi_vectors(&first);
	return handle < 0 ? 0 : first + (unsigned)handle % IRQ_MSI_MAX;
}

int irq_msi_raise(int handle)
{
	struct msi_slot *s = slot_of(handle);

	if (!s || !__atomic_load_n(&s->used, __ATOMIC_RELAXED))
		return -EINVAL;
	return arch_msi_raise(irq_msi_cpu(handle), irq_msi_vector(handle));
}

unsigned irq_msi_used(unsigned cpu)
{
	return cpu < IRQ_MAX_CPUS ? __atomic_load_n(&nused[cpu], __ATOMIC_RELAXED) : 0;
}
