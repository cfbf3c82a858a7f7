// SPDX-License-Identifier: MIT
/*
 * Human-readable descriptions of PCI functions for the boot log, lspci
 * and /proc: class names (PCI Code and ID Assignment Specification 1.11,
 * appendix D) and BAR summaries.
 */
#include <lib/format.h>

#include "bus/pci/internal.h"
#include "core/log.h"

struct class_name {
	uint8_t class_code, subclass; /* subclass 0xff: any */
	const char *name;
};

static const struct class_name class_names[] = {
	{ 0x01, 0x00, "SCSI controller" },
	{ 0x01, 0x01, "IDE controller" },
	{ 0x01, 0x06, "SATA controller" },
	{ 0x01, 0x08, "NVM controller" },
	{ 0x01, 0xff, "storage controller" },
	{ 0x02, 0x00, "Ethernet controller" },
	{ 0x02, 0xff, "network controller" },
	{ 0x03, 0x00, "VGA controller" },
	{ 0x03, 0xff, "display controller" },
	{ 0x04, 0xff, "multimedia controller" },
	{ 0x05, 0xff, "memory controller" },
	{ 0x06, 0x00, "host bridge" },
	{ 0x06, 0x01, "ISA bridge" },
	{ 0x06, 0x04, "PCI bridge" },
	{ 0x06, 0xff, "bridge" },
	{ 0x07, 0xff, "communication controller" },
	{ 0x08, 0xff, "system peripheral" },
	{ 0x09, 0xff, "input controller" },
	{ 0x0c, 0x03, "USB controller" },
	{ 0x0c, 0x05, "SMBus" },
	{ 0x0c, 0xff, "serial bus controller" },
	{ 0x00, 0xff, "unclassified device" },
	{ 0xff, 0xff, "unassigned class" },
};

const char *pci_class_name(const struct pci_dev *d)
{
	unsigned i;

	for (i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++) {
		const struct class_name *c = &class_names[i];

		if (c->class_code == d->class_code &&
		    (c->subclass == 0xff || c->subclass == d->subclass))
			return c->name;
	}
	return NULL;
}

/* @size as "4K", "16M"... when it is a whole number of them, else bytes. */
static void size_str(uint64_t size, char *buf, unsigned len)
{
	static const char units[] = "KMGT";
	unsigned u = 0;

	if (size < 1024 || size % 1024) {
		fmt_snprintf(buf, len, "%llu", (unsigned long long)size);
		return;
	}
	size /= 1024;
	while (size >= 1024 && size % 1024 == 0 && u + 1 < sizeof(units) - 1) {
		size /= 1024;
		u++;
	}
	fmt_snprintf(buf, len, "%llu%c", (unsigned long long)size, units[u]);
}

char *pci_bar_describe(const struct pci_bar *b, char *buf, unsigned size)
{
	char sz[24];

	size_str(b->size, sz, sizeof(sz));
	if (b->flags & PCI_BAR_IO)
		fmt_snprintf(buf, size, "io %#llx [%s]", (unsigned long long)b->base, sz);
	else
		fmt_snprintf(buf, size, "mem%s%s %#llx [%s]",
		             b->flags & PCI_BAR_MEM64 ? "64" : "32",
		             b->flags & PCI_BAR_PREFETCH ? " pref" : "",
		             (unsigned long long)b->base, sz);
	return buf;
}

void pci_log_dev(const struct pci_dev *d)
{
	const char *name = pci_class_name(d);
	char line[256], bar[64];
	unsigned i, n;

	n = (unsigned)fmt_snprintf(line, sizeof(line), "%02x:%02x.%u %04x:%04x class %02x%02x%02x",
	                           d->addr.bus, d->addr.dev, d->addr.fn, d->vendor, d->device,
	                           d->class_code, d->subclass, d->prog_if);
	if (name && n < sizeof(line))
		n += (unsigned)fmt_snprintf(line + n, sizeof(line) - n, " (%s)", name);
	if (d->irq_pin && n < sizeof(line))
		n += (unsigned)fmt_snprintf(line + n, sizeof(line) - n, " INT%c gsi %u",
		                            'A' + d->irq_pin - 1, d->irq_gsi);
	for (i = 0; i < 6 && n < sizeof(line); i++)
		if (d->bar[i].size)
			n += (unsigned)fmt_snprintf(line + n, sizeof(line) - n, "; BAR%u %s", i,
			                            pci_bar_describe(&d->bar[i], bar, sizeof(bar)));
	pr_info("pci: %s", line);
}
