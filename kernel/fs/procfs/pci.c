// SPDX-License-Identifier: MIT
/*
 * /proc/bus/pci/devices and /proc/interrupts: the PCI functions in the
 * layout of Linux's file (so tools that read it, and people who know it,
 * find the same columns), and the interrupts taken per CPU: the GSI lines,
 * every PCI device's message vectors on the CPU each one goes to, and the
 * local timers. Both are printed under the PCI lock, which never sleeps.
 */
#include "bus/pci/pci.h"

#include <cairn/errno.h>

#include "core/smp.h"
#include "fs/procfs/internal.h"
#include "irq/irq.h"

#define DIR_MODE  (S_IFDIR | 0555)
#define REG_MODE  (S_IFREG | 0444)
#define PROC_BARS 7 /* six BARs and the expansion ROM, which Cairn does not size */
#define IRQ_WIDTH 5 /* digits of the first column: message rows run up to 16,639 */

/*
 * The low bits Linux adds to each start address: the BAR's own flag bits
 * (PCI 3.0, 6.2.5.1): bit 0 I/O; for memory, type 10b (64-bit) in 2:1 and
 * bit 3 prefetchable.
 */
static uint64_t bar_flag_bits(const struct pci_bar *b)
{
	if (b->flags & PCI_BAR_IO)
		return 1;
	return (b->flags & PCI_BAR_MEM64 ? 4u : 0u) | (b->flags & PCI_BAR_PREFETCH ? 8u : 0u);
}

/* One line: bus+devfn, vendor+device, IRQ, seven starts, seven sizes, the driver. */
static void device_line(struct pci_dev *d, void *ctx)
{
	struct seqbuf *s = ctx;
	unsigned i;

	seq_printf(s, "%02x%02x\t%04x%04x\t%x", d->addr.bus, d->addr.dev << 3 | d->addr.fn,
	           d->vendor, d->device, d->irq_pin ? d->irq_gsi : 0);
	for (i = 0; i < PROC_BARS; i++) {
		const struct pci_bar *b = i < 6 ? &d->bar[i] : NULL;

		seq_printf(s, "\t%16llx",
		           b && b->size ? (unsigned long long)(b->base | bar_flag_bits(b)) : 0ull);
	}
	for (i = 0; i < PROC_BARS; i++)
		seq_printf(s, "\t%16llx", i < 6 ? (unsigned long long)d->bar[i].size : 0ull);
	seq_printf(s, "\t%s\n", d->driver ? d->driver->name : "");
}

static int show_devices(struct seqbuf *s, const struct procfs_node *n)
{
	pci_for_each_dev(device_line, s);
	return 0;
}

/* ---- /proc/interrupts ---- */

/* A row's counts: @vector's on each CPU, or only on @only (a message vector) when set. */
static void count_columns(struct seqbuf *s, unsigned vector, int only)
{
	unsigned cpu, ncpu = smp_cpu_count();

	for (cpu = 0; cpu < ncpu; cpu++)
		seq_printf(s, "%10llu ",
		           only < 0 || (unsigned)only == cpu
		                   ? (unsigned long long)irq_count_vector(cpu, vector)
		                   : 0ull);
}

/* Message vectors of @d, one row each, named as Linux names them. */
static void msi_rows(struct pci_dev *d, void *ctx)
{
	struct seqbuf *s = ctx;
	unsigned i, cpu, vector;

	for (i = 0; i < pci_irq_count(d); i++) {
		if (pci_irq_vector_info(d, i, &cpu, &vector) != 0)
			continue;
		/* Numbered past the GSIs, one number per CPU and vector. */
		seq_printf(s, "%*u: ", IRQ_WIDTH, (cpu + 1) * IRQ_NR + vector);
		count_columns(s, vector, (int)cpu);
		seq_printf(s, " PCI-%s-0000:%02x:%02x.%u %u-edge %s\n", pci_irq_mode_name(d),
		           d->addr.bus, d->addr.dev, d->addr.fn, i,
		           d->driver ? d->driver->name : "");
	}
}

int procfs_show_interrupts(struct seqbuf *s, const struct procfs_node *n)
{
	unsigned cpu, ncpu = smp_cpu_count();
	uint32_t gsi;
	uint64_t any;

	/* Columns as Linux lays them out: the header's CPUn over 10-digit counts. */
	seq_printf(s, "%*s", IRQ_WIDTH + 8, "");
	for (cpu = 0; cpu < ncpu; cpu++)
		seq_printf(s, "CPU%-8u", cpu);
	seq_putc(s, '\n');
	for (gsi = 0; gsi < IRQ_MAX_GSI; gsi++) {
		for (any = 0, cpu = 0; cpu < ncpu; cpu++)
			any += irq_count_gsi(cpu, gsi);
		if (!any)
			continue;
		seq_printf(s, "%*u: ", IRQ_WIDTH, gsi);
		for (cpu = 0; cpu < ncpu; cpu++)
			seq_printf(s, "%10llu ", (unsigned long long)irq_count_gsi(cpu, gsi));
		seq_printf(s, " GSI %u\n", gsi);
	}
	pci_for_each_dev(msi_rows, s);
	seq_printf(s, "%*s: ", IRQ_WIDTH, "LOC");
	for (cpu = 0; cpu < ncpu; cpu++)
		seq_printf(s, "%10llu ", (unsigned long long)irq_count_timer(cpu));
	seq_puts(s, " Local timer interrupts\n");
	return 0;
}

static const struct procfs_entry bus_pci_entries[] = {
	{ "devices", 42, REG_MODE, 0, show_devices, NULL, NULL, NULL },
};

static const struct procfs_dir bus_pci_dir = { bus_pci_entries, 1, NULL, NULL, NULL, 0 };

static const struct procfs_entry bus_entries[] = {
	{ "pci", 41, DIR_MODE, 0, NULL, NULL, &bus_pci_dir, NULL },
};

const struct procfs_dir procfs_bus_dir = { bus_entries, 1, NULL, NULL, NULL, 0 };
