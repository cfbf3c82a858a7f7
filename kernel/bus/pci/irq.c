// SPDX-License-Identifier: MIT
/*
 * A PCI function's interrupts: MSI-X (a table of address/data/mask
 * entries in a BAR), else MSI (one message in the capability), else the
 * INTx line through the GSI layer. Message vectors come from kernel/irq,
 * vector i on CPU i mod CPUs, so a device with a queue per CPU has each
 * queue's interrupt taken where its requests come from.
 * Locks: [D] the driver that owns the device (it calls these from probe,
 * remove and its own paths, never concurrently for one device).
 */
#include "irq/irq.h"

#include <cairn/errno.h>

#include <arch/mmio.h>

#include "bus/pci/internal.h"
#include "core/log.h"
#include "core/smp.h"
#include "mm/heap.h"

/* MSI-X capability (PCI 3.0, 6.8.2.3-6.8.2.5) and table entry (6.8.2.6-6.8.2.9). */
#define MSIX_CTRL         2
#define MSIX_CTRL_SIZE    0x07ffu /* table size - 1 */
#define MSIX_CTRL_FMASK   0x4000u /* function mask */
#define MSIX_CTRL_ENABLE  0x8000u
#define MSIX_TABLE        4 /* BIR in 2:0, offset in 31:3 */
#define MSIX_BIR_MASK     7u
#define MSIX_ENTRY_SIZE   16
#define MSIX_ENTRY_ADDR   0
#define MSIX_ENTRY_UADDR  4
#define MSIX_ENTRY_DATA   8
#define MSIX_ENTRY_VCTRL  12
#define MSIX_VCTRL_MASKED 1u

/* MSI capability (6.8.1.3-6.8.1.8). */
#define MSI_CTRL        2
#define MSI_CTRL_ENABLE 0x0001u
#define MSI_CTRL_MME    0x0070u /* multiple message enable: we use one */
#define MSI_CTRL_64BIT  0x0080u
#define MSI_CTRL_PVM    0x0100u /* per-vector masking */
#define MSI_ADDR        4
#define MSI_UADDR       8

static const char *const mode_names[] = { "none", "INTx", "MSI", "MSI-X" };

const char *pci_irq_mode_name(const struct pci_dev *d)
{
	const struct pci_priv *p = d->priv;

	return mode_names[p ? p->irq_mode : PCI_IRQ_NONE];
}

static void set_intx_off(struct pci_dev *d, bool off)
{
	uint32_t cmd = pci_cfg_get(d->addr, PCI_COMMAND, 16);

	cmd = off ? cmd | PCI_COMMAND_INTX_OFF : cmd & ~PCI_COMMAND_INTX_OFF;
	pci_cfg_set(d->addr, PCI_COMMAND, 16, cmd);
}

/* Vector @i's message on CPU i mod CPUs, or the next CPU with a free vector. */
static int alloc_vector(unsigned i, struct irq_msg *msg)
{
	unsigned ncpu = smp_cpu_count(), k;
	int h = -ENOSPC;

	for (k = 0; k < ncpu; k++) {
		h = irq_msi_alloc((i + k) % ncpu, NULL, NULL, msg);
		if (h >= 0 || h == -ENODEV)
			break;
	}
	return h;
}

static void free_vectors(struct pci_priv *p)
{
	unsigned i;

	for (i = 0; i < p->nvec && p->msi_handles; i++)
		if (p->msi_handles[i] >= 0)
			irq_msi_free(p->msi_handles[i]);
	kfree(p->msi_handles);
	p->msi_handles = NULL;
	p->nvec = 0;
}

/* ---- MSI-X ---- */

static volatile uint8_t *msix_entry(struct pci_priv *p, unsigned i)
{
	return (volatile uint8_t *)p->msix_table + i * MSIX_ENTRY_SIZE;
}

/* Map the table; NULL (logged) when its BIR or offset is outside the BAR. */
static void *msix_map_table(struct pci_dev *d, unsigned cap, unsigned size)
{
	uint32_t t = pci_cfg_get(d->addr, cap + MSIX_TABLE, 32);
	unsigned bir = t & MSIX_BIR_MASK;
	uint64_t off = t & ~MSIX_BIR_MASK;
	uint8_t *va;

	if (bir >= 6 || off + (uint64_t)size * MSIX_ENTRY_SIZE > d->bar[bir].size) {
		pr_warn("pci: %02x:%02x.%u: MSI-X table (BIR %u offset %#llx) outside its BAR",
		        d->addr.bus, d->addr.dev, d->addr.fn, bir, (unsigned long long)off);
		return NULL;
	}
	va = pci_bar_map(d, bir, false);
	return va ? va + off : NULL;
}

/* Fill entry @i with @msg, still masked. Dword writes only (6.8.2). */
static void msix_program(struct pci_priv *p, unsigned i, const struct irq_msg *msg)
{
	volatile uint8_t *e = msix_entry(p, i);

	mmio_write32(e + MSIX_ENTRY_VCTRL, mmio_read32(e + MSIX_ENTRY_VCTRL) | MSIX_VCTRL_MASKED);
	mmio_write32(e + MSIX_ENTRY_ADDR, (uint32_t)msg->addr);
	mmio_write32(e + MSIX_ENTRY_UADDR, (uint32_t)(msg->addr >> 32));
	mmio_write32(e + MSIX_ENTRY_DATA, msg->data);
}

static void msix_mask(struct pci_priv *p, unsigned i, bool masked)
{
	volatile uint8_t *e = msix_entry(p, i);
	uint32_t v = mmio_read32(e + MSIX_ENTRY_VCTRL);

	mmio_write32(e + MSIX_ENTRY_VCTRL, masked ? v | MSIX_VCTRL_MASKED : v & ~MSIX_VCTRL_MASKED);
}

/*
 * Enable MSI-X with the whole function masked, program @n entries, then
 * lift the function mask: each entry stays masked until it has a handler.
 */
static int msix_setup(struct pci_dev *d, unsigned cap, unsigned min, unsigned max)
{
	struct pci_priv *p = d->priv;
	uint32_t ctl = pci_cfg_get(d->addr, cap + MSIX_CTRL, 16);
	unsigned size = (ctl & MSIX_CTRL_SIZE) + 1, n = max < size ? max : size, i;
	struct irq_msg msg;

	if (n < min)
		return -ENOSPC;
	p->msix_table = msix_map_table(d, cap, size);
	p->msi_handles = kmalloc_flags(n * sizeof(int), KM_MAY_FAIL);
	if (!p->msix_table || !p->msi_handles) {
		kfree(p->msi_handles);
		p->msi_handles = NULL;
		return p->msix_table ? -ENOMEM : -EINVAL;
	}
	pci_cfg_set(d->addr, cap + MSIX_CTRL, 16, ctl | MSIX_CTRL_ENABLE | MSIX_CTRL_FMASK);
	for (i = 0; i < size; i++)
		msix_mask(p, i, true);
	for (p->nvec = 0; p->nvec < n; p->nvec++) {
		p->msi_handles[p->nvec] = alloc_vector(p->nvec, &msg);
		if (p->msi_handles[p->nvec] < 0)
			break;
		msix_program(p, p->nvec, &msg);
	}
	if (p->nvec < min) {
		free_vectors(p);
		pci_cfg_set(d->addr, cap + MSIX_CTRL, 16, ctl & ~MSIX_CTRL_ENABLE);
		return -ENOSPC;
	}
	set_intx_off(d, true);
	pci_cfg_set(d->addr, cap + MSIX_CTRL, 16, (ctl | MSIX_CTRL_ENABLE) & ~MSIX_CTRL_FMASK);
	p->irq_mode = PCI_IRQ_MSIX;
	p->irq_cap = cap;
	return (int)p->nvec;
}

/* ---- MSI: one message (multiple-message MSI needs aligned vector blocks) ---- */

/* Offsets of the data and mask registers, which depend on 64-bit addressing. */
static unsigned msi_data_off(unsigned cap, uint32_t ctl)
{
	return cap + (ctl & MSI_CTRL_64BIT ? 0xc : 0x8);
}

static int msi_setup(struct pci_dev *d, unsigned cap)
{
	struct pci_priv *p = d->priv;
	uint32_t ctl = pci_cfg_get(d->addr, cap + MSI_CTRL, 16);
	struct irq_msg msg;
	int h;

	p->msi_handles = kmalloc_flags(sizeof(int), KM_MAY_FAIL);
	if (!p->msi_handles)
		return -ENOMEM;
	h = alloc_vector(0, &msg);
	if (h < 0) {
		kfree(p->msi_handles);
		p->msi_handles = NULL;
		return h;
	}
	p->msi_handles[0] = h;
	p->nvec = 1;
	if (ctl & MSI_CTRL_PVM)
		pci_cfg_set(d->addr, msi_data_off(cap, ctl) + 4, 32, 1);
	pci_cfg_set(d->addr, cap + MSI_ADDR, 32, (uint32_t)msg.addr);
	if (ctl & MSI_CTRL_64BIT)
		pci_cfg_set(d->addr, cap + MSI_UADDR, 32, (uint32_t)(msg.addr >> 32));
	pci_cfg_set(d->addr, msi_data_off(cap, ctl), 16, msg.data);
	set_intx_off(d, true);
	pci_cfg_set(d->addr, cap + MSI_CTRL, 16, (ctl & ~MSI_CTRL_MME) | MSI_CTRL_ENABLE);
	p->irq_mode = PCI_IRQ_MSI;
	p->irq_cap = cap;
	return 1;
}

/* ---- the interface ---- */

int pci_irq_alloc_modes(struct pci_dev *d, unsigned min, unsigned max, unsigned modes)
{
	struct pci_priv *p = d->priv;
	unsigned cap;
	int n = -ENODEV;

	if (!p || min == 0 || max < min)
		return -EINVAL;
	if (p->irq_mode != PCI_IRQ_NONE)
		return -EBUSY;
	if ((modes & PCI_IRQ_USE_MSIX) && (cap = pci_find_cap(d, PCI_CAP_ID_MSIX, 0))) {
		n = msix_setup(d, cap, min, max);
		if (n > 0)
			return n;
	}
	if ((modes & PCI_IRQ_USE_MSI) && min == 1 && (cap = pci_find_cap(d, PCI_CAP_ID_MSI, 0))) {
		n = msi_setup(d, cap);
		if (n > 0)
			return n;
	}
	if ((modes & PCI_IRQ_USE_INTX) && min == 1 && d->irq_pin) {
		p->irq_mode = PCI_IRQ_INTX;
		p->nvec = 1;
		return 1;
	}
	pr_warn("pci: %02x:%02x.%u: no %u interrupt vectors (error %d)", d->addr.bus, d->addr.dev,
	        d->addr.fn, min, n);
	return n;
}

int pci_irq_alloc(struct pci_dev *d, unsigned min, unsigned max)
{
	return pci_irq_alloc_modes(d, min, max, PCI_IRQ_USE_ALL);
}

static int set_intx_handler(struct pci_dev *d, void (*fn)(void *ctx), void *ctx)
{
	struct pci_priv *p = d->priv;
	int err;

	if (p->intx_fn)
		(void)irq_unregister(d->irq_gsi, p->intx_fn, p->intx_ctx);
	p->intx_fn = NULL;
	if (!fn)
		return 0;
	err = irq_register(d->irq_gsi, fn, ctx);
	if (err)
		return err;
	p->intx_fn = fn;
	p->intx_ctx = ctx;
	set_intx_off(d, false);
	return 0;
}

int pci_irq_set_handler(struct pci_dev *d, unsigned i, void (*fn)(void *ctx), void *ctx)
{
	struct pci_priv *p = d->priv;
	uint32_t ctl;
	int err;

	if (!p || i >= p->nvec)
		return -EINVAL;
	if (p->irq_mode == PCI_IRQ_INTX)
		return set_intx_handler(d, fn, ctx);
	err = irq_msi_set_handler(p->msi_handles[i], fn, ctx);
	if (err)
		return err;
	if (p->irq_mode == PCI_IRQ_MSIX) {
		msix_mask(p, i, fn == NULL);
	} else {
		ctl = pci_cfg_get(d->addr, p->irq_cap + MSI_CTRL, 16);
		if (ctl & MSI_CTRL_PVM)
			pci_cfg_set(d->addr, msi_data_off(p->irq_cap, ctl) + 4, 32, !fn);
	}
	return 0;
}

unsigned pci_irq_cpu(struct pci_dev *d, unsigned i)
{
	struct pci_priv *p = d->priv;

	if (!p || i >= p->nvec || !p->msi_handles)
		return 0; /* INTx: the GSI layer routes every line to the boot CPU */
	return irq_msi_cpu(p->msi_handles[i]);
}

int pci_irq_vector_info(struct pci_dev *d, unsigned i, unsigned *cpu, unsigned *vector)
{
	struct pci_priv *p = d->priv;

	if (!p || i >= p->nvec || !p->msi_handles)
		return -EINVAL;
	*cpu = irq_msi_cpu(p->msi_handles[i]);
	*vector = irq_msi_vector(p->msi_handles[i]);
	return 0;
}

unsigned pci_irq_count(struct pci_dev *d)
{
	struct pci_priv *p = d->priv;

	return p ? p->nvec : 0;
}

void pci_irq_free(struct pci_dev *d)
{
	struct pci_priv *p = d->priv;
	unsigned i;

	if (!p || p->irq_mode == PCI_IRQ_NONE)
		return;
	if (p->irq_mode == PCI_IRQ_MSIX) {
		for (i = 0; i < p->nvec; i++)
			msix_mask(p, i, true);
		pci_cfg_set(d->addr, p->irq_cap + MSIX_CTRL, 16,
		            pci_cfg_get(d->addr, p->irq_cap + MSIX_CTRL, 16) & ~MSIX_CTRL_ENABLE);
	} else if (p->irq_mode == PCI_IRQ_MSI) {
		pci_cfg_set(d->addr, p->irq_cap + MSI_CTRL, 16,
		            pci_cfg_get(d->addr, p->irq_cap + MSI_CTRL, 16) & ~MSI_CTRL_ENABLE);
	} else {
		(void)set_intx_handler(d, NULL, NULL);
		set_intx_off(d, true);
	}
	free_vectors(p);
	p->nvec = 0;
	p->irq_mode = PCI_IRQ_NONE;
}
