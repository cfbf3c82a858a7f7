// SPDX-License-Identifier: MIT
/*
 * `lspci`: the PCI functions enumeration found, one line each (address,
 * class, IDs, class name, driver, how it interrupts and on which CPUs),
 * then one indented line per BAR. The same list as /proc/bus/pci/devices,
 * for people.
 */
#include "bus/pci/pci.h"
#include "shell/internal.h"

/* "irq MSI-X x3 on CPUs 0,1,0" or "irq INTx (GSI 11)" or nothing. */
static void irq_summary(const struct shell_args *a, struct pci_dev *d)
{
	unsigned i, n = pci_irq_count(d), cpu, vector;

	if (n == 0) {
		if (d->irq_pin)
			shell_printf(a, "  INT%c GSI %u", 'A' + d->irq_pin - 1, d->irq_gsi);
		return;
	}
	shell_printf(a, "  irq %s x%u", pci_irq_mode_name(d), n);
	if (pci_irq_vector_info(d, 0, &cpu, &vector) != 0)
		return;
	shell_printf(a, " on CPUs");
	for (i = 0; i < n && i < 16; i++)
		if (pci_irq_vector_info(d, i, &cpu, &vector) == 0)
			shell_printf(a, "%s%u", i ? "," : " ", cpu);
	if (n > 16)
		shell_printf(a, ",...");
}

int shell_cmd_lspci(const struct shell_args *a)
{
	unsigned i, b;
	struct pci_dev *d;
	const char *name;
	char bar[64];

	for (i = 0; (d = pci_dev_at(i)); i++) {
		name = pci_class_name(d);
		shell_printf(a, "%02x:%02x.%u %02x%02x: %04x:%04x (rev %02x) %s", d->addr.bus,
		             d->addr.dev, d->addr.fn, d->class_code, d->subclass, d->vendor,
		             d->device, d->revision, name ? name : "device");
		if (d->driver)
			shell_printf(a, "  driver %s", d->driver->name);
		irq_summary(a, d);
		shell_printf(a, "\n");
		for (b = 0; b < 6; b++)
			if (d->bar[b].size)
				shell_printf(a, "        BAR%u %s\n", b,
				             pci_bar_describe(&d->bar[b], bar, sizeof(bar)));
	}
	if (i == 0)
		shell_printf(a, "lspci: no PCI functions\n");
	return 0;
}
