// SPDX-License-Identifier: MIT
/*
 * Message-signalled interrupts: kernel/irq's per-CPU vector pools (taken
 * from software with irq_msi_raise()), and a real device's MSI-X through
 * pci_irq_alloc(): QEMU's e1000e (82574L) raises an interrupt cause on
 * request (ICS), routed by its IVAR register to an MSI-X vector, so the
 * message the kernel composed must arrive on the CPU it chose.
 */
#include <cairn/errno.h>

#include <arch/mmio.h>
#include <arch/spinlock.h>
#include <lib/string.h>

#include <stdbool.h>
#include <stdint.h>

#include "bus/pci/pci.h"
#include "core/ktest.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "irq/irq.h"
#include "time/time.h"

#define NO_CPU 0xffffffffu

/* What one vector's handler saw. */
struct hit {
	unsigned count; /* [a] */
	unsigned cpu;   /* CPU of the last interrupt */
};

static void record_hit(void *ctx)
{
	struct hit *h = ctx;

	h->cpu = arch_cpu_index();
	__atomic_add_fetch(&h->count, 1, __ATOMIC_RELEASE);
}

/* Wait up to 100 ms for @h to count @n interrupts. */
static bool wait_hits(struct hit *h, unsigned n)
{
	uint64_t end = clock_monotonic_ns() + 100000000ull;

	while (__atomic_load_n(&h->count, __ATOMIC_ACQUIRE) < n) {
		if (clock_monotonic_ns() > end)
			return false;
		arch_cpu_relax();
	}
	return true;
}

TEST(msi, vector_runs_its_handler_on_its_cpu)
{
	unsigned cpu, ncpu = smp_cpu_count();
	struct hit hit;
	int h;

	irq_enable();
	for (cpu = 0; cpu < ncpu; cpu++) {
		struct irq_msg msg = { 0 };
		uint64_t before;

		hit.count = 0;
		hit.cpu = NO_CPU;
		h = irq_msi_alloc(cpu, record_hit, &hit, &msg);
		EXPECT_TRUE(h >= 0);
		EXPECT_EQ(irq_msi_cpu(h), cpu);
		EXPECT_TRUE(msg.addr != 0);
		before = irq_count_vector(cpu, irq_msi_vector(h));
		EXPECT_EQ(irq_msi_raise(h), 0);
		EXPECT_TRUE(wait_hits(&hit, 1));
		EXPECT_EQ(hit.cpu, cpu);
		EXPECT_EQ(irq_count_vector(cpu, irq_msi_vector(h)), before + 1);
		irq_msi_free(h);
	}
}

TEST(msi, handler_can_be_replaced_and_dropped)
{
	struct hit a = { 0 }, b = { 0 };
	struct irq_msg msg;
	int h = irq_msi_alloc(0, NULL, NULL, &msg);
	uint64_t before;

	EXPECT_TRUE(h >= 0);
	irq_enable();
	/* No handler yet: counted and dropped. */
	before = irq_count_vector(0, irq_msi_vector(h));
	EXPECT_EQ(irq_msi_raise(h), 0);
	sleep_ms(1);
	EXPECT_EQ(irq_count_vector(0, irq_msi_vector(h)), before + 1);
	EXPECT_EQ(irq_msi_set_handler(h, record_hit, &a), 0);
	EXPECT_EQ(irq_msi_raise(h), 0);
	EXPECT_TRUE(wait_hits(&a, 1));
	EXPECT_EQ(irq_msi_set_handler(h, record_hit, &b), 0);
	EXPECT_EQ(irq_msi_raise(h), 0);
	EXPECT_TRUE(wait_hits(&b, 1));
	EXPECT_EQ(a.count, 1);
	irq_msi_free(h);
	EXPECT_EQ(irq_msi_set_handler(h, record_hit, &a), -EINVAL);
	EXPECT_EQ(irq_msi_raise(h), -EINVAL);
}

TEST(msi, pools_run_out_and_refuse_bad_input)
{
	struct irq_msg msg;
	int handles[IRQ_MSI_MAX + 1];
	unsigned n = 0, used = irq_msi_used(0), i;
	int h;

	while (n <= IRQ_MSI_MAX && (h = irq_msi_alloc(0, NULL, NULL, &msg)) >= 0)
		handles[n++] = h;
	EXPECT_TRUE(n > 0 && n <= IRQ_MSI_MAX);
	EXPECT_EQ(irq_msi_alloc(0, NULL, NULL, &msg), -ENOSPC);
	EXPECT_EQ(irq_msi_used(0), used + n);
	for (i = 0; i < n; i++)
		irq_msi_free(handles[i]);
	EXPECT_EQ(irq_msi_used(0), used);
	EXPECT_EQ(irq_msi_alloc(IRQ_MAX_CPUS, NULL, NULL, &msg), -EINVAL);
	EXPECT_EQ(irq_msi_alloc(smp_cpu_count(), NULL, NULL, &msg), -EINVAL);
	EXPECT_EQ(irq_msi_set_handler(-1, NULL, NULL), -EINVAL);
	EXPECT_EQ(irq_msi_raise(IRQ_MAX_CPUS * IRQ_MSI_MAX), -EINVAL);
	irq_msi_free(-1); /* ignored */
}

/* ---- a real device: the e1000e in each interrupt mode ---- */

/* 82574L registers (Intel 82574 GbE Controller Family Datasheet, 10.2). */
#define E1000_ICR        0x00c0
#define E1000_ICS        0x00c8
#define E1000_IMS        0x00d0
#define E1000_IMC        0x00d8
#define E1000_IVAR       0x00e4
#define E1000_ITR        0x00c4
#define E1000_EITR       0x00e8 /* + 4 * vector, 5 vectors */
/* Causes RxQ0 and RxQ1 (ICR bits 20 and 21); IVAR: vector in 2:0 and 6:4, valid bits 3 and 7. */
#define E1000_ICR_RXQ0   (1u << 20)
#define E1000_ICR_RXQ1   (1u << 21)
#define E1000_IVAR_RXQ01 (0x8u | 0x9u << 4) /* RxQ0 -> vector 0, RxQ1 -> vector 1 */

/* One vector's handler state: the hit and the NIC's registers. */
struct nic_vec {
	struct hit hit;
	volatile uint8_t *regs;
};

/*
 * Mask every cause at the NIC, which also drops a level-triggered INTx
 * line (the test raises one cause at a time, so nothing is lost).
 */
static void nic_hit(void *ctx)
{
	struct nic_vec *v = ctx;

	mmio_write32(v->regs + E1000_IMC, 0xffffffffu);
	record_hit(&v->hit);
}

static struct pci_dev *find_nic_dev;

static void find_nic(struct pci_dev *d, void *ctx)
{
	if (!find_nic_dev && d->vendor == 0x8086 && d->device == 0x10d3 && !d->driver)
		find_nic_dev = d;
}

static struct pci_dev *e1000e(void)
{
	find_nic_dev = NULL;
	pci_for_each_dev(find_nic, NULL);
	if (!find_nic_dev)
		ktest_skip("no driverless e1000e (8086:10d3), QEMU's default q35 NIC");
	return find_nic_dev;
}

/* Raise @cause and wait for vector @i's handler. */
static bool nic_raise(struct nic_vec *v, uint32_t cause)
{
	unsigned before = v->hit.count;

	mmio_write32(v->regs + E1000_IMS, cause);
	mmio_write32(v->regs + E1000_ICS, cause);
	return wait_hits(&v->hit, before + 1);
}

/*
 * Allocate @nvec vectors in @modes, expect @mode_name, raise one cause per
 * vector (IVAR steers RxQ0/RxQ1 to vectors 0/1 under MSI-X; with one
 * vector both arrive there); each must run its handler on pci_irq_cpu().
 */
static void nic_modes(unsigned modes, unsigned nvec, const char *mode_name)
{
	struct pci_dev *d = e1000e();
	struct nic_vec v[2];
	uint32_t cmd;
	unsigned i;

	v[0].regs = v[1].regs = pci_bar_map(d, 0, false);
	EXPECT_TRUE(v[0].regs != NULL);
	EXPECT_EQ(pci_read(d, 4, 16, &cmd), 0);
	EXPECT_EQ(pci_irq_alloc_modes(d, nvec, nvec, modes), (int)nvec);
	EXPECT_STREQ(pci_irq_mode_name(d), mode_name);
	EXPECT_EQ(pci_irq_alloc(d, 1, 1), -EBUSY);
	for (i = 0; i < nvec; i++) {
		/* Vector i goes to CPU i mod CPUs: vector 1 to CPU 1 when there are two. */
		EXPECT_EQ(pci_irq_cpu(d, i), i % smp_cpu_count());
		v[i].hit.count = 0;
		v[i].hit.cpu = NO_CPU;
		EXPECT_EQ(pci_irq_set_handler(d, i, nic_hit, &v[i]), 0);
	}
	pci_enable(d); /* messages are memory writes: bus mastering */
	irq_enable();
	/*
	 * No interrupt throttling: QEMU's e1000e would otherwise keep a timer
	 * that asserts MSI-X is still on when it fires after the test.
	 */
	mmio_write32(v[0].regs + E1000_ITR, 0);
	for (i = 0; i < 5; i++)
		mmio_write32(v[0].regs + E1000_EITR + 4 * i, 0);
	mmio_write32(v[0].regs + E1000_IVAR, nvec == 2 ? E1000_IVAR_RXQ01 : 0);
	for (i = 0; i < 2; i++) {
		struct nic_vec *to = &v[nvec == 2 ? i : 0];

		EXPECT_TRUE(nic_raise(to, i ? E1000_ICR_RXQ1 : E1000_ICR_RXQ0));
		EXPECT_EQ(to->hit.cpu, pci_irq_cpu(d, nvec == 2 ? i : 0));
	}
	mmio_write32(v[0].regs + E1000_IMC, 0xffffffffu);
	mmio_write32(v[0].regs + E1000_IVAR, 0);
	(void)mmio_read32(v[0].regs + E1000_ICR); /* reading clears the causes */
	sleep_ms(5);
	pci_irq_free(d);
	EXPECT_EQ(pci_irq_count(d), 0);
	EXPECT_STREQ(pci_irq_mode_name(d), "none");
	EXPECT_EQ(pci_write(d, 4, 16, cmd), 0);
}

TEST(msi, e1000e_msix_vectors_land_on_their_cpus)
{
	nic_modes(PCI_IRQ_USE_MSIX, 2, "MSI-X");
}

TEST(msi, e1000e_msi_message_arrives)
{
	nic_modes(PCI_IRQ_USE_MSI, 1, "MSI");
}

TEST(msi, e1000e_intx_line_arrives_through_its_gsi)
{
	nic_modes(PCI_IRQ_USE_INTX, 1, "INTx");
}

TEST(msi, alloc_refuses_what_the_device_cannot_give)
{
	struct pci_dev *d = e1000e();

	EXPECT_EQ(pci_irq_alloc(d, 0, 1), -EINVAL);
	EXPECT_EQ(pci_irq_alloc(d, 3, 2), -EINVAL);
	EXPECT_EQ(pci_irq_alloc_modes(d, 64, 64, PCI_IRQ_USE_ALL), -ENOSPC); /* 5 in its table */
	EXPECT_EQ(pci_irq_alloc_modes(d, 2, 2, PCI_IRQ_USE_MSI | PCI_IRQ_USE_INTX), -ENODEV);
	EXPECT_EQ(pci_irq_count(d), 0);
	EXPECT_EQ(pci_irq_set_handler(d, 0, record_hit, NULL), -EINVAL);
}
