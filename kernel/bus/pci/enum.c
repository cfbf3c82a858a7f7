// SPDX-License-Identifier: MIT
/*
 * Enumeration: lib/pci walks the buses (bridges, bus numbers, BAR sizing)
 * over the configuration access of ecam.c; this file maps each bus's ECAM
 * as the walk reaches it, turns each function into a struct pci_dev and
 * logs what the walk reports. Runs once from pci_init(), in task context,
 * before any device is visible to drivers.
 */
#include <cairn/errno.h>

#include <lib/pci/pci.h>

#include "bus/pci/internal.h"
#include "core/log.h"
#include "mm/heap.h"

_Static_assert(PCILIB_BAR_IO == PCI_BAR_IO && PCILIB_BAR_MEM64 == PCI_BAR_MEM64 &&
                       PCILIB_BAR_PREFETCH == PCI_BAR_PREFETCH,
               "lib/pci's BAR flags are the contract's");

static struct pci_addr to_addr(struct pcilib_addr a)
{
	return (struct pci_addr){ .bus = a.bus, .dev = a.dev, .fn = a.fn };
}

static uint32_t cfg_read(void *ctx, struct pcilib_addr a, unsigned off, unsigned width)
{
	return pci_cfg_get(to_addr(a), off, width);
}

static void cfg_write(void *ctx, struct pcilib_addr a, unsigned off, unsigned width, uint32_t v)
{
	pci_cfg_set(to_addr(a), off, width, v);
}

/* The configuration space as lib/pci sees it: 256 bytes through the ports, 4 KiB with ECAM. */
static const struct pcilib_cfg cfg_ports = { .read = cfg_read,
	                                     .write = cfg_write,
	                                     .size = PCI_LEGACY_SIZE };
static const struct pcilib_cfg cfg_ecam = { .read = cfg_read,
	                                    .write = cfg_write,
	                                    .size = PCI_ECAM_FN_SIZE };

const struct pcilib_cfg *pci_cfg_lib(struct pci_addr a)
{
	return pci_ecam_fn(a) ? &cfg_ecam : &cfg_ports;
}

void pci_size_bars(struct pci_dev *d)
{
	struct pcilib_addr a = { d->addr.bus, d->addr.dev, d->addr.fn };
	struct pcilib_bar bars[6];
	unsigned i;

	pcilib_size_bars(pci_cfg_lib(d->addr), a, d->header_type, bars);
	for (i = 0; i < 6; i++) {
		d->bar[i].base = bars[i].base;
		d->bar[i].size = bars[i].size;
		d->bar[i].flags = bars[i].flags;
	}
}

static void read_header(struct pci_dev *d, uint32_t id, uint8_t header)
{
	struct pci_addr a = d->addr;
	uint32_t line;

	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	d->revision = (uint8_t)pci_cfg_get(a, PCI_REVISION, 8);
	d->prog_if = (uint8_t)pci_cfg_get(a, PCI_PROG_IF, 8);
	d->subclass = (uint8_t)pci_cfg_get(a, PCI_SUBCLASS, 8);
	d->class_code = (uint8_t)pci_cfg_get(a, PCI_CLASS, 8);
	d->header_type = header & PCI_HEADER_LAYOUT;
	if (d->header_type == PCI_HEADER_NORMAL) {
		d->subsys_vendor = (uint16_t)pci_cfg_get(a, PCI_SUBSYS_VENDOR, 16);
		d->subsys_device = (uint16_t)pci_cfg_get(a, PCI_SUBSYS_ID, 16);
	}
	d->irq_pin = (uint8_t)pci_cfg_get(a, PCI_INTERRUPT_PIN, 8);
	if (d->irq_pin > 4)
		d->irq_pin = 0;
	/* The line register holds what the firmware routed INTx to (0xff: nothing). */
	line = pci_cfg_get(a, PCI_INTERRUPT_LINE, 8);
	if (d->irq_pin && line == 0xff)
		d->irq_pin = 0;
	d->irq_gsi = d->irq_pin ? line : 0;
}

static void add_function(void *ctx, struct pcilib_addr la, uint32_t id, uint8_t header)
{
	struct pci_dev *d = kmalloc_flags(sizeof(*d), KM_ZERO | KM_MAY_FAIL);

	if (!d) {
		pr_err("pci: %02x:%02x.%u: out of memory", la.bus, la.dev, la.fn);
		return;
	}
	d->addr = to_addr(la);
	read_header(d, id, header);
	pci_size_bars(d);
	if (pci_add_dev(d) != 0) {
		pr_err("pci: %02x:%02x.%u: out of memory", la.bus, la.dev, la.fn);
		kfree(d);
	}
}

/* Map the bus's ECAM; without a window (or outside it) the ports serve it. */
static bool reach_bus(void *ctx, unsigned bus)
{
	int err = pci_ecam_map_bus(bus);

	if (err == -ENODEV && pci_ecam_active())
		pr_warn("pci: bus %02x is outside the ECAM window; through the ports", bus);
	return err == 0 || err == -ENODEV;
}

static void report(void *ctx, enum pcilib_event ev, struct pcilib_addr a, unsigned x, unsigned y)
{
	if (ev == PCILIB_EV_BRIDGE_NUMBERED)
		pr_info("pci: %02x:%02x.%u: bridge given buses %02x-%02x", a.bus, a.dev, a.fn, x,
		        y);
	else if (ev == PCILIB_EV_NO_BUS_LEFT)
		pr_warn("pci: %02x:%02x.%u: no bus number left for the bridge", a.bus, a.dev, a.fn);
	else
		pr_warn("pci: bus %02x reached twice or too deep; not scanned again", x);
}

void pci_enumerate(void)
{
	static const struct pcilib_scan_ops ops = {
		.bus = reach_bus,
		.function = add_function,
		.event = report,
	};

	pcilib_enumerate(&cfg_ports, &ops);
}
