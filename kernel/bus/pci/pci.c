// SPDX-License-Identifier: MIT
/*
 * The PCI core: the legacy configuration accessors (checked here, so the
 * architecture's hooks, arch_pci_config_read/write() in arch.h, only ever
 * see an access the port mechanism can carry out), the list of functions
 * enumeration found, configuration access per device, the capability
 * list, BAR mapping and pci_init(). Drivers: driver.c; interrupts: irq.c;
 * ECAM: ecam.c; enumeration: enum.c. See docs/pci.md.
 * Locks: [I] set by pci_init() before drivers run; pci_lock (a leaf
 * spinlock) guards pci_dev.driver for readers; pci_map_lock the BAR cache.
 */
#include "bus/pci/pci.h"

#include <cairn/errno.h>

#include <lib/pci/pci.h>

#include "arch/arch.h"
#include "bus/pci/internal.h"
#include "core/log.h"
#include "drivers/drivers.h"
#include "mm/heap.h"
#include "mm/vm.h"
#include "sched/spinlock.h"
#include "sched/sync.h"
#include "time/time.h"

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

/* ---- the device list ---- */

static struct pci_dev **devs;   /* [I] after enumeration, in bus order */
static unsigned ndevs, capdevs; /* [I] */
static bool initialised;        /* [I] pci_init() ran */
/* Guards pci_dev.driver for readers; binding itself is serialised by driver.c's mutex. */
struct spinlock pci_lock = SPINLOCK_INIT("pci");
static struct mutex pci_map_lock = MUTEX_INIT(pci_map_lock, "pci.map");

int pci_add_dev(struct pci_dev *d)
{
	struct pci_dev **n;

	if (ndevs == capdevs) {
		n = krealloc(devs, (capdevs ? capdevs * 2 : 16) * sizeof(*devs));
		if (!n)
			return -ENOMEM;
		devs = n;
		capdevs = capdevs ? capdevs * 2 : 16;
	}
	d->priv = kmalloc_flags(sizeof(struct pci_priv), KM_ZERO | KM_MAY_FAIL);
	if (!d->priv)
		return -ENOMEM;
	devs[ndevs++] = d;
	pci_log_dev(d);
	return 0;
}

unsigned pci_dev_count(void)
{
	return ndevs;
}

struct pci_dev *pci_dev_at(unsigned i)
{
	return i < ndevs ? devs[i] : NULL;
}

void pci_for_each_dev(void (*fn)(struct pci_dev *d, void *ctx), void *ctx)
{
	uint64_t flags = spin_lock_irqsave(&pci_lock);
	unsigned i;

	for (i = 0; i < ndevs; i++)
		fn(devs[i], ctx);
	spin_unlock_irqrestore(&pci_lock, flags);
}

/* ---- configuration access of a device ---- */

int pci_read(struct pci_dev *d, unsigned off, unsigned width, uint32_t *out)
{
	return pci_cfg_read(d->addr, off, width, out);
}

int pci_write(struct pci_dev *d, unsigned off, unsigned width, uint32_t v)
{
	return pci_cfg_write(d->addr, off, width, v);
}

/* Capability walks are lib/pci's, which bounds them against looping lists. */
static struct pcilib_addr lib_addr(const struct pci_dev *d)
{
	return (struct pcilib_addr){ .bus = d->addr.bus, .dev = d->addr.dev, .fn = d->addr.fn };
}

unsigned pci_find_cap(struct pci_dev *d, uint8_t cap, unsigned from)
{
	return pcilib_find_cap(pci_cfg_lib(d->addr), lib_addr(d), cap, from);
}

unsigned pci_find_ext_cap(struct pci_dev *d, uint16_t cap, unsigned from)
{
	return pcilib_find_ext_cap(pci_cfg_lib(d->addr), lib_addr(d), cap, from);
}

void pci_enable(struct pci_dev *d)
{
	uint32_t cmd = pci_cfg_get(d->addr, PCI_COMMAND, 16);

	cmd |= PCI_COMMAND_IO | PCI_COMMAND_MEMORY | PCI_COMMAND_MASTER;
	pci_cfg_set(d->addr, PCI_COMMAND, 16, cmd);
}

/* A memory BAR the firmware placed: nonzero base, size, and no wrap-around. */
static bool bar_mappable(const struct pci_bar *b)
{
	return b->size && !(b->flags & PCI_BAR_IO) && b->base && b->base + b->size > b->base;
}

void *pci_bar_map(struct pci_dev *d, unsigned bar, bool wc)
{
	struct pci_priv *p = d->priv;
	enum vm_cache cache;
	void *va;

	if (bar >= 6 || !bar_mappable(&d->bar[bar])) {
		pr_warn("pci: %02x:%02x.%u: BAR%u is not a placed memory BAR", d->addr.bus,
		        d->addr.dev, d->addr.fn, bar);
		return NULL;
	}
	/* Write-combining only where the device says reads have no side effects (6.2.5.1). */
	cache = wc && (d->bar[bar].flags & PCI_BAR_PREFETCH) ? VM_CACHE_WC : VM_CACHE_UC;
	mutex_lock(&pci_map_lock);
	va = p->bar_va[bar];
	if (!va) {
		va = vm_map_mmio(d->bar[bar].base, d->bar[bar].size, cache);
		p->bar_va[bar] = va;
	}
	mutex_unlock(&pci_map_lock);
	if (!va)
		pr_err("pci: %02x:%02x.%u: cannot map BAR%u", d->addr.bus, d->addr.dev, d->addr.fn,
		       bar);
	return va;
}

int pci_init(void)
{
	uint64_t t0 = clock_monotonic_ns(), t1;
	int err;

	if (initialised)
		return -EBUSY;
	initialised = true;
	(void)pci_ecam_init();
	pci_enumerate();
	t1 = clock_monotonic_ns();
	pr_info("pci: %u functions found in %llu us", ndevs, (unsigned long long)(t1 - t0) / 1000);
	err = drivers_init();
	pr_info("pci: drivers started in %llu us",
	        (unsigned long long)(clock_monotonic_ns() - t1) / 1000);
	return err;
}
