// SPDX-License-Identifier: MIT
/*
 * Enumeration: every function on bus 0 and, depth first, on the buses
 * behind PCI-to-PCI bridges, with its BARs sized. Bus numbers are kept as
 * the firmware set them; a bridge the firmware left unnumbered gets the
 * next free bus. Runs once from pci_init(), in task context, before any
 * device is visible to drivers.
 * Locks: [E] the enumerating task only.
 */
#include <cairn/errno.h>

#include "bus/pci/internal.h"
#include "core/log.h"
#include "mm/heap.h"

#define MAX_BRIDGE_DEPTH 32

/* Enumeration state. */
struct scan {
	uint8_t seen[PCI_MAX_BUS / 8]; /* [E] buses already scanned (a loop guard) */
	unsigned next_bus;             /* [E] lowest bus number not yet given out */
};

static void scan_bus(struct scan *s, unsigned bus, unsigned depth);

/* ---- BARs (PCI 3.0, 6.2.5.1) ---- */

/* Write all ones to the BAR at @off, read what sticks, put @orig back. */
static uint32_t bar_probe(struct pci_addr a, unsigned off, uint32_t orig)
{
	uint32_t rb;

	if (pci_cfg_write(a, off, 32, 0xffffffffu) != 0)
		return 0;
	rb = pci_cfg_get(a, off, 32);
	pci_cfg_set(a, off, 32, orig);
	return rb;
}

/* An I/O BAR: bits 1:0 are flags; the upper 16 bits may be hardwired to 0. */
static void size_io_bar(struct pci_bar *b, uint32_t orig, uint32_t rb)
{
	uint32_t mask = rb & ~3u;

	if (!mask)
		return;
	if (!(mask & 0xffff0000u))
		mask |= 0xffff0000u;
	b->base = orig & ~3u;
	b->size = (uint32_t)(~mask + 1);
	b->flags = PCI_BAR_IO;
}

/*
 * Size slot @i of @d. Memory BARs: bits 3:0 are flags, type 10b in 2:1
 * marks a 64-bit BAR whose upper half is the next slot, bit 3 means
 * prefetchable. Returns the number of slots used (1 or 2).
 */
static unsigned size_bar(struct pci_dev *d, unsigned i)
{
	unsigned off = PCI_BAR0 + 4 * i;
	uint32_t orig = pci_cfg_get(d->addr, off, 32), rb = bar_probe(d->addr, off, orig);
	uint64_t mask, hi_orig = 0, hi_rb = 0xffffffffu;
	struct pci_bar *b = &d->bar[i];
	unsigned used = 1;

	if (orig & 1) {
		size_io_bar(b, orig, rb);
		return 1;
	}
	if (((orig >> 1) & 3) == 2 && i < 5) {
		hi_orig = pci_cfg_get(d->addr, off + 4, 32);
		hi_rb = bar_probe(d->addr, off + 4, (uint32_t)hi_orig);
		used = 2;
	}
	mask = hi_rb << 32 | (rb & ~0xfu);
	if ((uint32_t)mask == 0 && used == 1)
		return 1;
	if (mask == 0)
		return used;
	b->base = hi_orig << 32 | (orig & ~0xfu);
	b->size = ~mask + 1;
	b->flags = (used == 2 ? PCI_BAR_MEM64 : 0) | (orig & 8 ? PCI_BAR_PREFETCH : 0);
	return used;
}

void pci_size_bars(struct pci_dev *d)
{
	unsigned n = d->header_type == PCI_HEADER_NORMAL   ? 6
	             : d->header_type == PCI_HEADER_BRIDGE ? 2
	                                                   : 0;
	uint32_t cmd = pci_cfg_get(d->addr, PCI_COMMAND, 16);
	unsigned i;

	if (n == 0)
		return;
	/* No decoding while a BAR holds all ones, or it could claim any address. */
	pci_cfg_set(d->addr, PCI_COMMAND, 16, cmd & ~(PCI_COMMAND_IO | PCI_COMMAND_MEMORY));
	for (i = 0; i < n;)
		i += size_bar(d, i);
	pci_cfg_set(d->addr, PCI_COMMAND, 16, cmd);
}

/* ---- functions ---- */

static void read_header(struct pci_dev *d, uint32_t id)
{
	struct pci_addr a = d->addr;
	uint32_t line;

	d->vendor = (uint16_t)id;
	d->device = (uint16_t)(id >> 16);
	d->revision = (uint8_t)pci_cfg_get(a, PCI_REVISION, 8);
	d->prog_if = (uint8_t)pci_cfg_get(a, PCI_PROG_IF, 8);
	d->subclass = (uint8_t)pci_cfg_get(a, PCI_SUBCLASS, 8);
	d->class_code = (uint8_t)pci_cfg_get(a, PCI_CLASS, 8);
	d->header_type = (uint8_t)(pci_cfg_get(a, PCI_HEADER_TYPE, 8) & PCI_HEADER_LAYOUT);
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

/*
 * A bridge: scan the bus behind it. A bridge with no secondary bus, or one
 * that names a bus already scanned, is given the next free number with
 * primary/secondary/subordinate set (PCI-to-PCI Bridge 1.2, 3.2.5.3-5).
 */
static void scan_bridge(struct scan *s, struct pci_dev *d, unsigned depth)
{
	unsigned sec = pci_cfg_get(d->addr, PCI_SECONDARY_BUS, 8);
	unsigned sub = pci_cfg_get(d->addr, PCI_SUBORDINATE_BUS, 8);
	bool fresh = sec == 0 || sec <= d->addr.bus || (s->seen[sec / 8] & (1u << sec % 8));

	if (!fresh) {
		if (sub + 1 > s->next_bus)
			s->next_bus = sub + 1;
		scan_bus(s, sec, depth + 1);
		return;
	}
	if (s->next_bus >= PCI_MAX_BUS) {
		pr_warn("pci: %02x:%02x.%u: no bus number left for the bridge", d->addr.bus,
		        d->addr.dev, d->addr.fn);
		return;
	}
	sec = s->next_bus++;
	pci_cfg_set(d->addr, PCI_PRIMARY_BUS, 8, d->addr.bus);
	pci_cfg_set(d->addr, PCI_SECONDARY_BUS, 8, sec);
	pci_cfg_set(d->addr, PCI_SUBORDINATE_BUS, 8, 0xff);
	scan_bus(s, sec, depth + 1);
	pci_cfg_set(d->addr, PCI_SUBORDINATE_BUS, 8, s->next_bus - 1);
	pr_info("pci: %02x:%02x.%u: bridge given buses %02x-%02x", d->addr.bus, d->addr.dev,
	        d->addr.fn, sec, s->next_bus - 1);
}

static void scan_function(struct scan *s, struct pci_addr a, uint32_t id, unsigned depth)
{
	struct pci_dev *d = kmalloc_flags(sizeof(*d), KM_ZERO | KM_MAY_FAIL);

	if (!d) {
		pr_err("pci: %02x:%02x.%u: out of memory", a.bus, a.dev, a.fn);
		return;
	}
	d->addr = a;
	read_header(d, id);
	pci_size_bars(d);
	if (pci_add_dev(d) != 0) {
		kfree(d);
		return;
	}
	if (d->header_type == PCI_HEADER_BRIDGE)
		scan_bridge(s, d, depth);
}

/* A vendor ID of all ones (nothing answers) or zero (a broken device) means no function. */
static bool present(uint32_t id)
{
	uint16_t vendor = (uint16_t)id;

	return vendor != 0xffff && vendor != 0;
}

static void scan_slot(struct scan *s, unsigned bus, unsigned dev, unsigned depth)
{
	struct pci_addr a = { .bus = (uint8_t)bus, .dev = (uint8_t)dev, .fn = 0 };
	uint32_t id = pci_cfg_get(a, PCI_VENDOR_ID, 32);
	unsigned nfn;

	if (!present(id))
		return;
	nfn = pci_cfg_get(a, PCI_HEADER_TYPE, 8) & PCI_HEADER_MULTIFN ? 8 : 1;
	scan_function(s, a, id, depth);
	for (a.fn = 1; a.fn < nfn; a.fn++) {
		id = pci_cfg_get(a, PCI_VENDOR_ID, 32);
		if (present(id))
			scan_function(s, a, id, depth);
	}
}

static void scan_bus(struct scan *s, unsigned bus, unsigned depth)
{
	unsigned dev;
	int err;

	if (bus >= PCI_MAX_BUS || (s->seen[bus / 8] & (1u << bus % 8)) ||
	    depth > MAX_BRIDGE_DEPTH) {
		pr_warn("pci: bus %02x reached twice or too deep; not scanned again", bus);
		return;
	}
	s->seen[bus / 8] |= (uint8_t)(1u << bus % 8);
	if (bus >= s->next_bus)
		s->next_bus = bus + 1;
	err = pci_ecam_map_bus(bus);
	if (err && err != -ENODEV)
		return;
	if (err == -ENODEV && pci_ecam_active()) {
		pr_warn("pci: bus %02x is outside the ECAM window; through the ports", bus);
	}
	for (dev = 0; dev < 32; dev++)
		scan_slot(s, bus, dev, depth);
}

void pci_enumerate(void)
{
	struct scan s = { .next_bus = 1 };

	scan_bus(&s, 0, 0);
}
