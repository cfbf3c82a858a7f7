/* SPDX-License-Identifier: MIT */
/*
 * The PCI core's private interfaces, shared by the files of kernel/bus/pci:
 * configuration access through ECAM (ecam.c), enumeration (enum.c), the
 * device list and driver model (pci.c) and interrupts (irq.c).
 */
#pragma once

#include "bus/pci/pci.h"

/* Configuration space registers (PCI Local Bus Specification 3.0, 6.1 and 6.2). */
#define PCI_VENDOR_ID       0x00
#define PCI_DEVICE_ID       0x02
#define PCI_COMMAND         0x04
#define PCI_STATUS          0x06
#define PCI_REVISION        0x08
#define PCI_PROG_IF         0x09
#define PCI_SUBCLASS        0x0a
#define PCI_CLASS           0x0b
#define PCI_HEADER_TYPE     0x0e
#define PCI_BAR0            0x10
#define PCI_SUBSYS_VENDOR   0x2c
#define PCI_SUBSYS_ID       0x2e
#define PCI_CAP_PTR         0x34
#define PCI_INTERRUPT_LINE  0x3c
#define PCI_INTERRUPT_PIN   0x3d
/* Type 1 (PCI-to-PCI bridge) header (PCI-to-PCI Bridge Architecture 1.2, 3.2). */
#define PCI_PRIMARY_BUS     0x18
#define PCI_SECONDARY_BUS   0x19
#define PCI_SUBORDINATE_BUS 0x1a

#define PCI_COMMAND_IO       0x0001u
#define PCI_COMMAND_MEMORY   0x0002u
#define PCI_COMMAND_MASTER   0x0004u
#define PCI_COMMAND_INTX_OFF 0x0400u /* Interrupt Disable (6.2.2) */
#define PCI_STATUS_CAP_LIST  0x0010u /* a capability list exists (6.2.3) */
#define PCI_HEADER_MULTIFN   0x80u
#define PCI_HEADER_LAYOUT    0x7fu
#define PCI_HEADER_NORMAL    0
#define PCI_HEADER_BRIDGE    1

/* Capability IDs (PCI Code and ID Assignment Specification 1.11, 2). */
#define PCI_CAP_ID_MSI    0x05
#define PCI_CAP_ID_VENDOR 0x09
#define PCI_CAP_ID_PCIE   0x10
#define PCI_CAP_ID_MSIX   0x11

#define PCI_MAX_BUS      256
#define PCI_ECAM_FN_SIZE 4096u /* configuration space of one function with ECAM */
#define PCI_LEGACY_SIZE  256u  /* what the 0xCF8 ports reach */

/* How a device signals interrupts once pci_irq_alloc() chose. */
enum pci_irq_mode {
	PCI_IRQ_NONE,
	PCI_IRQ_INTX,
	PCI_IRQ_MSI,
	PCI_IRQ_MSIX,
};

/* The core's per-device state behind pci_dev.priv. Locks: [M] pci_map_lock; [D] the driver. */
struct pci_priv {
	void *bar_va[6];            /* [M] pci_bar_map()'s cache */
	enum pci_irq_mode irq_mode; /* [D] */
	unsigned nvec;              /* [D] vectors allocated */
	int *msi_handles;           /* [D] kernel/irq handles, nvec of them (MSI, MSI-X) */
	void *msix_table;           /* [D] the mapped MSI-X table */
	unsigned irq_cap;           /* [D] offset of the MSI or MSI-X capability */
	void (*intx_fn)(void *ctx); /* [D] the INTx handler registered, or NULL */
	void *intx_ctx;             /* [D] */
};

/* ---- ecam.c ---- */

/* Find the MCFG's ECAM window for segment 0 (once, task context). True when there is one. */
bool pci_ecam_init(void);
/* Map bus @bus's part of the window; 0, -ENODEV (not in the window) or -ENOMEM. Task context. */
int __must_check pci_ecam_map_bus(unsigned bus);
/* The configuration space of @a through ECAM, or NULL when its bus is not mapped. */
volatile uint8_t *pci_ecam_fn(struct pci_addr a);
/* True when ECAM is in use (pci=noecam on the command line turns it off). */
bool pci_ecam_active(void);

/* Configuration access by address: ECAM when mapped, else the ports (offsets < 256). */
int __must_check pci_cfg_read(struct pci_addr a, unsigned off, unsigned width, uint32_t *out);
int __must_check pci_cfg_write(struct pci_addr a, unsigned off, unsigned width, uint32_t v);
/* A write to a register the core knows is valid (a bad offset is a kernel bug: logged). */
void pci_cfg_set(struct pci_addr a, unsigned off, unsigned width, uint32_t v);
/* A read that cannot fail for a valid @off: all ones when it does. */
uint32_t pci_cfg_get(struct pci_addr a, unsigned off, unsigned width);

/* ---- enum.c ---- */

struct pcilib_cfg;
/* lib/pci's view of @a's configuration space (its size by the mechanism that reaches it). */
const struct pcilib_cfg *pci_cfg_lib(struct pci_addr a);

/* Scan every bus from bus 0; calls pci_add_dev() for each function. Task context. */
void pci_enumerate(void);
/* Size BAR slots of @d (sets d->bar). Decoding is off while a BAR is probed. */
void pci_size_bars(struct pci_dev *d);

/* ---- pci.c ---- */

struct spinlock;
/* Held while pci_dev.driver changes and by pci_for_each_dev() (a leaf). */
extern struct spinlock pci_lock;

/* Append @d to the device list (enumeration only). Returns 0 or -ENOMEM. */
int __must_check pci_add_dev(struct pci_dev *d);

/* ---- names.c ---- */

/* Log one line describing @d and its BARs. */
void pci_log_dev(const struct pci_dev *d);
