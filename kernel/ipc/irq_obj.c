// SPDX-License-Identifier: MIT
/*
 * Interrupt objects: one interrupt line (a GSI) owned by whoever holds a
 * handle to it, normally a user-space driver (docs/drvhost.md). When the
 * line fires the object raises CAIRN_SIG_SIGNALED; the driver waits for
 * it (cairn_wait_many, poll), serves its device and calls cairn_irq_ack().
 *
 * Level and edge lines are treated differently, because masking means
 * different things for them:
 * - A level-triggered line stays asserted until the device is served, so
 *   the handler masks it at the controller (else it would fire again at
 *   once, for ever) and the ack unmasks it.
 * - An edge-triggered line (every ISA line but the overridden ones, such
 *   as the keyboard's IRQ 1) is never masked: the 82093AA IO APIC ignores
 *   an edge that arrives on a masked pin rather than holding it pending
 *   (82093AA datasheet, 3.2.4, "Interrupt Mask"; QEMU's ioapic.c does the
 *   same), and the i8042 keeps its line high while bytes wait, so an edge
 *   lost while masked would leave the keyboard silent for good. Edges
 *   while the object is signalled fold into the one signal.
 * So the order that loses nothing on either kind is: wait, ack, then
 * serve the device until it has nothing more (docs/drvhost.md). An ack of
 * an object that is not signalled does nothing and returns 0, so a driver
 * that starts (or restarts) may ack first and look at its device.
 *
 * Locks: [I] immutable; [L] the object's lock, taken in the interrupt
 * handler (which runs under irq.c's irq_lock, so the order is irq_lock,
 * then this lock, then the controller's).
 */
#include <cairn/errno.h>
#include <cairn/ipc.h>

#include "arch/arch.h"
#include "core/log.h"
#include "ipc/devobj.h"
#include "ipc/object.h"
#include "irq/irq.h"
#include "mm/heap.h"
#include "sched/spinlock.h"
#include "syscall/syscall.h"

struct irq_obj {
	struct kobject obj;
	uint32_t gsi;         /* [I] the line */
	bool masks;           /* [I] mask the line while signalled (level-triggered lines) */
	bool registered;      /* [I] the handler is on the line (false only for a failed create) */
	struct spinlock lock; /* guards [L] */
	bool pending;         /* [L] fired and not acked yet: CAIRN_SIG_SIGNALED */
	uint64_t fired;       /* [L] interrupts taken on the line since the object was made */
	uint64_t fired_at;    /* [L] arch_cycles() at the interrupt that raised the signal */
	uint64_t acks;        /* [L] acks that cleared the signal */
	uint64_t wait_cycles; /* [L] their sum of cycles from that interrupt to the ack */
};

static struct irq_obj *to_irq(struct kobject *o)
{
	return container_of(o, struct irq_obj, obj);
}

/* The line's handler: interrupts off, under irq_lock, on the CPU that took it. */
static void irq_obj_fire(void *ctx)
{
	struct irq_obj *io = ctx;
	bool raised;

	spin_lock(&io->lock);
	if (io->masks)
		irq_mask(io->gsi);
	raised = !io->pending;
	__atomic_store_n(&io->pending, true, __ATOMIC_RELEASE);
	io->fired++;
	if (raised)
		io->fired_at = arch_cycles();
	spin_unlock(&io->lock);
	if (raised)
		kobject_signal(&io->obj, CAIRN_SIG_SIGNALED);
}

static uint32_t irq_obj_signals(struct kobject *o)
{
	return __atomic_load_n(&to_irq(o)->pending, __ATOMIC_ACQUIRE) ? CAIRN_SIG_SIGNALED : 0;
}

/* The last ref: no handler runs once irq_unregister() returns, and the line is masked. */
static void irq_obj_destroy(struct kobject *o)
{
	struct irq_obj *io = to_irq(o);

	if (io->registered && irq_unregister(io->gsi, irq_obj_fire, io) != 0)
		pr_warn("irq_obj: GSI %u lost its handler before its object", io->gsi);
	kfree(io);
}

static const struct kobject_ops irq_obj_ops = {
	.type = CAIRN_OBJ_IRQ,
	.name = "irq",
	.default_rights = CAIRN_RIGHT_WAIT | CAIRN_RIGHT_WRITE | CAIRN_RIGHT_DUPLICATE |
	                  CAIRN_RIGHT_TRANSFER | CAIRN_RIGHT_INSPECT,
	.signals = irq_obj_signals,
	.destroy = irq_obj_destroy,
};

int irq_object_create_mode(uint32_t gsi, bool masks, struct kobject **out)
{
	struct irq_obj *io = kmalloc_flags(sizeof(*io), KM_MAY_FAIL);
	int err;

	if (!io)
		return -ENOMEM;
	io->gsi = gsi;
	io->masks = masks;
	spin_init(&io->lock, "irq_obj");
	io->pending = false;
	io->registered = false;
	io->fired = 0;
	io->acks = io->wait_cycles = io->fired_at = 0;
	kobject_init(&io->obj, &irq_obj_ops);
	err = irq_register_exclusive(gsi, irq_obj_fire, io);
	if (err) {
		kobject_put(&io->obj);
		return err;
	}
	io->registered = true; /* before anyone else can see the object */
	*out = &io->obj;
	return 0;
}

int irq_object_create(uint32_t gsi, struct kobject **out)
{
	return irq_object_create_mode(gsi, irq_gsi_level(gsi), out);
}

bool kobject_is_irq(const struct kobject *o)
{
	return o && o->ops == &irq_obj_ops;
}

int irq_object_ack(struct kobject *o)
{
	struct irq_obj *io;
	uint64_t flags;
	bool cleared;

	if (!kobject_is_irq(o))
		return -EBADFD;
	io = to_irq(o);
	flags = spin_lock_irqsave(&io->lock);
	cleared = io->pending;
	if (cleared) {
		__atomic_store_n(&io->pending, false, __ATOMIC_RELEASE);
		io->acks++;
		io->wait_cycles += arch_cycles() - io->fired_at;
		if (io->masks)
			irq_unmask(io->gsi);
	}
	spin_unlock_irqrestore(&io->lock, flags);
	if (cleared)
		kobject_signal(o, CAIRN_SIG_SIGNALED);
	return 0;
}

void irq_object_info(struct kobject *o, struct irq_object_info *out)
{
	struct irq_obj *io = to_irq(o);
	uint64_t flags = spin_lock_irqsave(&io->lock);

	out->gsi = io->gsi;
	out->masks = io->masks;
	out->pending = io->pending;
	out->fired = io->fired;
	out->acks = io->acks;
	out->wait_cycles = io->wait_cycles;
	spin_unlock_irqrestore(&io->lock, flags);
}

/* cairn_irq_ack(h): needs CAIRN_RIGHT_WRITE (waiting on the object needs WAIT). */
long sys_cairn_irq_ack(uint64_t h, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
	struct kobject *o;
	int err = handle_get((int)h, CAIRN_OBJ_IRQ, CAIRN_RIGHT_WRITE, &o, NULL);

	if (err)
		return err;
	err = irq_object_ack(o);
	kobject_put(o);
	return err;
}
