// SPDX-License-Identifier: MIT
/*
 * PCI configuration space accessors: the arguments are checked here, so
 * the architecture's hooks (arch_pci_config_read/write() in arch.h) only
 * ever see an access the hardware mechanism can carry out.
 */
#include "bus/pci/pci.h"

#include <cairn/errno.h>

#include "arch/arch.h"

#define PCI_MAX_DEV    32
#define PCI_MAX_FN     8
#define PCI_CONFIG_LEN 256 /* the header mechanism #1 reaches (3.2.2.3.2) */

bool pci_config_ok(struct pci_addr a, unsigned int off, unsigned int width)
{
	if (a.dev >= PCI_MAX_DEV || a.fn >= PCI_MAX_FN || off >= PCI_CONFIG_LEN)
		return false;
	if (width != 8 && width != 16 && width != 32)
		return false;
	/* One access reaches bytes of one aligned dword only. */
	return (off & 3) + width / 8 <= 4;
}

/* Bus, device and function in the layout of a routing ID: bus 15:8, device 7:3, function 2:0. */
static uint32_t pci_bdf(struct pci_addr a)
{
	return (uint32_t)a.bus << 8 | (uint32_t)a.dev << 3 | a.fn;
}

int pci_config_read(struct pci_addr a, unsigned int off, unsigned int width, uint32_t *out)
{
	if (!pci_config_ok(a, off, width))
		return -EINVAL;
	*out = arch_pci_config_read(pci_bdf(a), off, width);
	return 0;
}

int pci_config_write(struct pci_addr a, unsigned int off, unsigned int width, uint32_t v)
{
	if (!pci_config_ok(a, off, width))
		return -EINVAL;
	arch_pci_config_write(pci_bdf(a), off, width, v);
	return 0;
}
