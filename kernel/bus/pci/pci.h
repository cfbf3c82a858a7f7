/* SPDX-License-Identifier: MIT */
/*
 * PCI configuration space: reads and writes of one function's 256-byte
 * configuration header, checked here and carried out by the architecture
 * (x86_64: configuration mechanism #1 through ports 0xCF8/0xCFC,
 * kernel/arch/x86_64/platform/pci.c). Only what power.c needs for now: a
 * register in configuration space of segment 0.
 *
 * Issue 13 adds (contract; the pci lane implements it in kernel/bus/pci/):
 * ECAM through the MCFG table with the ports as fallback, enumeration of
 * every bus behind bridges, BARs, the capability list, MSI/MSI-X spread
 * over CPUs, and a driver model (probe/remove by vendor/device or class).
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

/* ---- issue 13: devices, drivers, BARs, interrupts (contract) ---- */

struct pci_dev;

/* A BAR as enumeration sized it (PCI 3.0, 6.2.5.1). size 0: not implemented. */
#define PCI_BAR_IO       0x1u /* I/O space (else memory) */
#define PCI_BAR_MEM64    0x2u /* a 64-bit memory BAR (it used the next slot too) */
#define PCI_BAR_PREFETCH 0x4u /* prefetchable memory: may be mapped write-combining */
struct pci_bar {
	uint64_t base;  /* bus (= physical) address or I/O port */
	uint64_t size;  /* bytes */
	unsigned flags; /* PCI_BAR_* */
};

/* One function found by enumeration. Fields [I] after enumeration unless said. */
struct pci_dev {
	uint16_t segment;
	struct pci_addr addr;
	uint16_t vendor, device;
	uint16_t subsys_vendor, subsys_device;
	uint8_t class_code, subclass, prog_if, revision;
	uint8_t header_type; /* bits 6:0; bridges are 1 */
	uint8_t irq_pin;     /* 1-4 = INTA-INTD, 0 none */
	uint32_t irq_gsi;    /* the legacy interrupt's GSI (INTx), when irq_pin != 0 */
	struct pci_bar bar[6];
	const struct pci_driver *driver; /* bound driver, NULL when none [pci lock] */
	void *drvdata;                   /* the driver's own */
	void *priv;                      /* the PCI core's own (MSI-X state, list links) */
};

/* A match entry. PCI_ANY matches everything; class = class<<16|subclass<<8|prog_if. */
#define PCI_ANY 0xffffffffu
struct pci_id {
	uint32_t vendor, device;    /* PCI_ANY or the ID */
	uint32_t class, class_mask; /* (dev class & mask) == class; mask 0: any class */
};

struct pci_driver {
	const char *name;
	const struct pci_id *ids; /* ends with an entry whose vendor is 0 */
	/* Bind to @d; 0 or -errno (-ENODEV: not mine after all). Task context; may sleep. */
	int (*probe)(struct pci_dev *d, const struct pci_id *id);
	/* Unbind: stop the device, free everything probe() took. May be NULL. */
	void (*remove)(struct pci_dev *d);
};

/*
 * Enumerate every bus (ECAM from the MCFG table, else the ports), size
 * BARs, log each function; then drivers_init() (kernel/drivers/drivers.c)
 * lets the built-in drivers register. Once, in task context, after the
 * file tree (fs_boot) so drivers can add /dev nodes. Returns 0 or -errno.
 */
int pci_init(void);

/* Register @drv and probe it on every matching unbound device now and later. */
int __must_check pci_driver_register(struct pci_driver *drv);
/* Remove @drv from every device it is bound to (remove()) and forget it. */
void pci_driver_unregister(struct pci_driver *drv);

/* Visit every function in bus order (the pci lock held: @fn must not sleep). */
void pci_for_each_dev(void (*fn)(struct pci_dev *d, void *ctx), void *ctx);
/*
 * The functions in bus order without a lock (they never go away once
 * pci_init() enumerated them; d->driver may change meanwhile): the count,
 * and the @i-th or NULL past the end. For callers that sleep per device.
 */
unsigned pci_dev_count(void);
struct pci_dev *pci_dev_at(unsigned i);

/* Configuration access for a device (offsets up to 4095 with ECAM). 0 or -EINVAL. */
int __must_check pci_read(struct pci_dev *d, unsigned off, unsigned width, uint32_t *out);
int __must_check pci_write(struct pci_dev *d, unsigned off, unsigned width, uint32_t v);

/*
 * Offset of the first capability with ID @cap (PCI 3.0, 6.7) after offset
 * @from (0: the list's start), or 0 when none. Iterating with @from lets
 * a driver visit several capabilities of one ID (virtio's vendor caps).
 */
unsigned pci_find_cap(struct pci_dev *d, uint8_t cap, unsigned from);

/* Turn on memory/I/O decoding and bus mastering (DMA) in the command register. */
void pci_enable(struct pci_dev *d);

/*
 * Map memory BAR @bar into the kernel (uncached; write-combining when
 * @wc and the BAR is prefetchable). Returns the mapping or NULL. Cached
 * per device: mapping a BAR twice returns the same address. Task context
 * (it may sleep).
 */
void *pci_bar_map(struct pci_dev *d, unsigned bar, bool wc);

/*
 * Allocate between @min and @max interrupt vectors for @d: MSI-X when the
 * device has it, else MSI (one vector unless multi-message works), else
 * its INTx line (one, maybe shared). Vector i is delivered to CPU
 * (i mod CPUs) so queues spread over CPUs. Returns the count or -errno.
 * Task context (it may sleep); see docs/pci.md.
 */
int __must_check pci_irq_alloc(struct pci_dev *d, unsigned min, unsigned max);
/*
 * pci_irq_alloc() limited to the mechanisms in @modes (PCI_IRQ_USE_*), in
 * the same order of preference; for drivers with a reason to avoid one
 * (and tests of each). Same returns, -ENODEV when none of @modes works.
 */
#define PCI_IRQ_USE_MSIX 0x1u
#define PCI_IRQ_USE_MSI  0x2u
#define PCI_IRQ_USE_INTX 0x4u
#define PCI_IRQ_USE_ALL  0x7u
int __must_check pci_irq_alloc_modes(struct pci_dev *d, unsigned min, unsigned max, unsigned modes);
/* Call @fn(@ctx) on vector @i (interrupt context, interrupts off); the vector is unmasked. */
int __must_check pci_irq_set_handler(struct pci_dev *d, unsigned i, void (*fn)(void *ctx),
                                     void *ctx);
/* The CPU vector @i is delivered to. */
unsigned pci_irq_cpu(struct pci_dev *d, unsigned i);
/* Mask and free every vector of @d. */
void pci_irq_free(struct pci_dev *d);

/*
 * The CPU and interrupt number (for irq_count_vector()) of message vector
 * @i of @d. Returns 0, or -EINVAL when @i is not an MSI/MSI-X vector.
 */
int __must_check pci_irq_vector_info(struct pci_dev *d, unsigned i, unsigned *cpu,
                                     unsigned *vector);
/* The number of vectors pci_irq_alloc() gave @d (0: none). */
unsigned pci_irq_count(struct pci_dev *d);
/* How @d signals interrupts now: "MSI-X", "MSI", "INTx" or "none". */
const char *pci_irq_mode_name(const struct pci_dev *d);
/* A short English name of @d's class ("VGA controller"), or NULL. */
const char *pci_class_name(const struct pci_dev *d);
/* Describe BAR @b ("mem64 pref 0xfe000000 [16K]") into @buf; returns @buf. */
char *pci_bar_describe(const struct pci_bar *b, char *buf, unsigned size);

/*
 * Offset of the first PCI Express extended capability with ID @cap (PCIe
 * Base 4.0, 7.6) after @from (0: the start at 0x100), or 0 when none or
 * when the extended space cannot be reached (no ECAM).
 */
unsigned pci_find_ext_cap(struct pci_dev *d, uint16_t cap, unsigned from);
