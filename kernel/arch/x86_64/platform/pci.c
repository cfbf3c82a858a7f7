// SPDX-License-Identifier: MIT
/*
 * PCI configuration mechanism #1: write the function and dword to
 * CONFIG_ADDRESS (port 0xCF8), then access the dword, or a part of it, at
 * CONFIG_DATA (0xCFC-0xCFF) (PCI Local Bus Specification 3.0, 3.2.2.3.2).
 * The two steps must not interleave with another CPU's, hence the lock.
 * kernel/bus/pci/pci.c checks every access before it gets here.
 * Locks: [L] config_lock (a leaf: nothing is taken under it).
 */
#include <arch/pio.h>

#include "arch/arch.h"
#include "sched/spinlock.h"

#define PCI_CONFIG_ADDRESS 0xcf8
#define PCI_CONFIG_DATA    0xcfc
#define PCI_CONFIG_ENABLE  (1u << 31)

static struct spinlock config_lock = SPINLOCK_INIT("pci.config");

/* CONFIG_ADDRESS: enable, bus 23:16, device 15:11, function 10:8, dword 7:2. */
static void select_dword_locked(uint32_t bdf, unsigned int off) __must_hold(&config_lock)
{
	outl(PCI_CONFIG_ADDRESS, PCI_CONFIG_ENABLE | bdf << 8 | (off & 0xfc));
}

uint32_t arch_pci_config_read(uint32_t bdf, unsigned int off, unsigned int width)
{
	uint16_t port = (uint16_t)(PCI_CONFIG_DATA + (off & 3));
	uint64_t flags = spin_lock_irqsave(&config_lock);
	uint32_t v;

	select_dword_locked(bdf, off);
	if (width == 8)
		v = inb(port);
	else if (width == 16)
		v = inw(port);
	else
		v = inl(port);
	spin_unlock_irqrestore(&config_lock, flags);
	return v;
}

void arch_pci_config_write(uint32_t bdf, unsigned int off, unsigned int width, uint32_t v)
{
	uint16_t port = (uint16_t)(PCI_CONFIG_DATA + (off & 3));
	uint64_t flags = spin_lock_irqsave(&config_lock);

	select_dword_locked(bdf, off);
	if (width == 8)
		outb(port, (uint8_t)v);
	else if (width == 16)
		outw(port, (uint16_t)v);
	else
		outl(port, v);
	spin_unlock_irqrestore(&config_lock, flags);
}
