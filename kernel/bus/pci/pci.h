/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration space: reads and writes of one function's 256-byte
 * configuration header, checked here and carried out by the architecture
 * (x86_64: configuration mechanism #1 through ports 0xCF8/0xCFC,
 * kernel/arch/x86_64/platform/pci.c). Only what power.c needs for now: a
 * register in configuration space of segment 0. Enumeration, ECAM through
 * the MCFG table and drivers come with the first device that needs them.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stdint.h>

/* A function's place in segment 0 (PCI Local Bus Specification 3.0, 3.2.2.3.2). */
struct pci_addr {
	uint8_t bus; /* 0-255 */
	uint8_t dev; /* 0-31 */
	uint8_t fn;  /* 0-7 */
};

/*
 * True when @off and @width (8, 16 or 32 bits) name an access inside one
 * aligned dword of the 256-byte header and @a a valid device and function:
 * what the configuration mechanism can carry out in one access.
 */
bool pci_config_ok(struct pci_addr a, unsigned int off, unsigned int width);

/*
 * Read @width bits at byte @off of function @a's configuration space into
 * *@out. A function that does not exist reads as all ones (3.2.2.3.2).
 * Returns 0 or -EINVAL (see pci_config_ok()). Any context; takes the
 * architecture's configuration lock with interrupts off.
 */
int __must_check pci_config_read(struct pci_addr a, unsigned int off, unsigned int width,
                                 uint32_t *out);

/* Write @width bits of @v at byte @off of @a's configuration space. Returns 0 or -EINVAL. */
int __must_check pci_config_write(struct pci_addr a, unsigned int off, unsigned int width,
                                  uint32_t v);
