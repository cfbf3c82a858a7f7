// SPDX-License-Identifier: MIT
/*
 * The PCI driver model: a driver registers a table of IDs (vendor/device
 * or class), is offered every unbound function that matches, now and when
 * it registers later, and gets remove() when it unregisters. Probe and
 * remove run in task context under bind_lock, one at a time, so a driver
 * may sleep in them.
 * Locks: [B] bind_lock (a mutex, taken before pci_lock); pci_dev.driver is
 * written under bind_lock and pci_lock, so readers need either.
 */
#include <cairn/errno.h>

#include "bus/pci/internal.h"
#include "core/log.h"
#include "sched/spinlock.h"
#include "sched/sync.h"

#define PCI_MAX_DRIVERS 32

static struct mutex bind_lock = MUTEX_INIT(bind_lock, "pci.bind");
static struct pci_driver *drivers[PCI_MAX_DRIVERS] __guarded_by(&bind_lock);

static uint32_t dev_class(const struct pci_dev *d)
{
	return (uint32_t)d->class_code << 16 | (uint32_t)d->subclass << 8 | d->prog_if;
}

/* True when @id names @d: each field PCI_ANY or equal, and the class under its mask. */
static bool id_matches(const struct pci_id *id, const struct pci_dev *d)
{
	if (id->vendor != PCI_ANY && id->vendor != d->vendor)
		return false;
	if (id->device != PCI_ANY && id->device != d->device)
		return false;
	return (dev_class(d) & id->class_mask) == (id->class & id->class_mask);
}

/* The first entry of @drv's table that matches @d, or NULL. */
static const struct pci_id *drv_match(const struct pci_driver *drv, const struct pci_dev *d)
{
	const struct pci_id *id;

	for (id = drv->ids; id && id->vendor != 0; id++)
		if (id_matches(id, d))
			return id;
	return NULL;
}

static void set_driver(struct pci_dev *d, const struct pci_driver *drv)
{
	uint64_t flags = spin_lock_irqsave(&pci_lock);

	d->driver = drv;
	spin_unlock_irqrestore(&pci_lock, flags);
}

/* Offer @d to @drv when it matches and nobody has it. */
static void try_bind_locked(struct pci_driver *drv, struct pci_dev *d) __must_hold(&bind_lock)
{
	const struct pci_id *id;
	int err;

	if (d->driver || !(id = drv_match(drv, d)))
		return;
	err = drv->probe(d, id);
	if (err == 0) {
		set_driver(d, drv);
		pr_info("pci: %02x:%02x.%u: bound to %s", d->addr.bus, d->addr.dev, d->addr.fn,
		        drv->name);
		return;
	}
	/* A failed probe may leave vectors behind; the next driver must find none. */
	pci_irq_free(d);
	d->drvdata = NULL;
	if (err != -ENODEV) {
		pr_warn("pci: %02x:%02x.%u: %s: probe failed: error %d", d->addr.bus, d->addr.dev,
		        d->addr.fn, drv->name, err);
	}
}

int pci_driver_register(struct pci_driver *drv)
{
	unsigned i, slot = PCI_MAX_DRIVERS;

	if (!drv || !drv->name || !drv->ids || !drv->probe)
		return -EINVAL;
	mutex_lock(&bind_lock);
	for (i = 0; i < PCI_MAX_DRIVERS; i++) {
		if (drivers[i] == drv) {
			mutex_unlock(&bind_lock);
			return -EBUSY;
		}
		if (!drivers[i] && slot == PCI_MAX_DRIVERS)
			slot = i;
	}
	if (slot == PCI_MAX_DRIVERS) {
		mutex_unlock(&bind_lock);
		return -ENOSPC;
	}
	drivers[slot] = drv;
	for (i = 0; i < pci_dev_count(); i++)
		try_bind_locked(drv, pci_dev_at(i));
	mutex_unlock(&bind_lock);
	return 0;
}

void pci_driver_unregister(struct pci_driver *drv)
{
	struct pci_dev *d;
	unsigned i;

	mutex_lock(&bind_lock);
	for (i = 0; i < PCI_MAX_DRIVERS; i++)
		if (drivers[i] == drv)
			drivers[i] = NULL;
	for (i = 0; i < pci_dev_count(); i++) {
		d = pci_dev_at(i);
		if (d->driver != drv)
			continue;
		if (drv->remove)
			drv->remove(d);
		/* What the driver left behind is taken back, so the next one starts clean. */
		pci_irq_free(d);
		d->drvdata = NULL;
		set_driver(d, NULL);
	}
	mutex_unlock(&bind_lock);
}
