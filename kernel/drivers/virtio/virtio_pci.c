// SPDX-License-Identifier: MIT
/*
 * The virtio PCI modern transport (virtio 1.2, 4.1): binds to every
 * virtio function (vendor 0x1af4), finds its configuration structures
 * through the vendor-specific capabilities, resets it, negotiates
 * features (VIRTIO_F_VERSION_1 required) and hands it to the device
 * driver for its type. A watchdog fails a device that stops answering.
 * Legacy (pre-1.0) devices are not supported: they have no capabilities.
 */
#include <cairn/errno.h>

#include <arch/mmio.h>
#include <lib/format.h>

#include "bus/pci/pci.h"
#include "core/log.h"
#include "drivers/virtio/internal.h"
#include "drivers/virtio/virtio.h"
#include "mm/heap.h"

#define VIRTIO_PCI_VENDOR      0x1af4u
#define VIRTIO_PCI_MODERN_BASE 0x1040u /* 4.1.2.1: 0x1040 + device type */
#define VIRTIO_PCI_LEGACY_LAST 0x103fu /* transitional IDs: the type is the subsystem ID */
#define VIRTIO_PCI_LAST        0x107fu

/* Reset completes promptly on real and emulated devices; give up after this. */
#define VIRTIO_RESET_TIMEOUT_NS (100 * NSEC_PER_MSEC)
#define VIRTIO_WATCHDOG_NS      NSEC_PER_SEC

static const struct virtio_driver *const virtio_drivers[] = {
	&virtio_blk_driver,
	&virtio_net_driver,
};

uint8_t virtio_get_status(struct virtio_dev *vd)
{
	return mmio_read8((uint8_t *)vd->common + VIRTIO_COMMON_STATUS);
}

void virtio_set_status(struct virtio_dev *vd, uint8_t status)
{
	mmio_write8((uint8_t *)vd->common + VIRTIO_COMMON_STATUS, status);
}

int virtio_reset(struct virtio_dev *vd)
{
	uint64_t deadline = clock_monotonic_ns() + VIRTIO_RESET_TIMEOUT_NS;

	virtio_set_status(vd, 0);
	/* 4.1.4.3.2: wait for device_status to read 0 before anything else. */
	while (virtio_get_status(vd) != 0) {
		if (clock_monotonic_ns() > deadline)
			return -ETIMEDOUT;
		delay_ns(10 * NSEC_PER_USEC);
	}
	return 0;
}

/* The first capability of @type (4.1.4: use the first one we understand), mapped. */
static void *map_cap(struct pci_dev *d, uint8_t type, uint32_t min_len, uint32_t *len,
                     unsigned *cap_off)
{
	unsigned off = 0;
	uint32_t t, bar, offset, length;
	uint8_t *base;

	while ((off = pci_find_cap(d, VIRTIO_PCI_CAP_ID, off)) != 0) {
		if (pci_read(d, off + VIRTIO_PCI_CAP_CFG_TYPE, 8, &t) || t != type)
			continue;
		if (pci_read(d, off + VIRTIO_PCI_CAP_BAR, 8, &bar) ||
		    pci_read(d, off + VIRTIO_PCI_CAP_OFFSET, 32, &offset) ||
		    pci_read(d, off + VIRTIO_PCI_CAP_LENGTH, 32, &length))
			continue;
		/* 4.1.4.1: BARs 0-5; the structure must lie inside a memory BAR. */
		if (bar > 5 || (d->bar[bar].flags & PCI_BAR_IO) || length < min_len ||
		    (uint64_t)offset + length > d->bar[bar].size)
			continue;
		base = pci_bar_map(d, bar, false);
		if (!base)
			continue;
		*len = length;
		if (cap_off)
			*cap_off = off;
		return base + offset;
	}
	return NULL;
}

/* Find and map the common, notify, ISR and (optional) device structures. */
static int find_structures(struct virtio_dev *vd)
{
	struct pci_dev *d = vd->pci;
	uint32_t len, mul;
	unsigned noff;

	vd->common = map_cap(d, VIRTIO_PCI_CAP_COMMON_CFG, VIRTIO_COMMON_MIN_LEN, &len, NULL);
	vd->notify_base = map_cap(d, VIRTIO_PCI_CAP_NOTIFY_CFG, 2, &vd->notify_len, &noff);
	vd->isr = map_cap(d, VIRTIO_PCI_CAP_ISR_CFG, 1, &len, NULL);
	vd->device_cfg = map_cap(d, VIRTIO_PCI_CAP_DEVICE_CFG, 1, &vd->device_cfg_len, NULL);
	if (!vd->common || !vd->notify_base || !vd->isr) {
		pr_err("virtio: %s: no modern configuration structures (legacy device?)", vd->name);
		return -ENODEV;
	}
	if (pci_read(d, noff + VIRTIO_PCI_CAP_NOTIFY_MULT, 32, &mul))
		return -EIO;
	vd->notify_mul = mul;
	if (!vd->device_cfg)
		vd->device_cfg_len = 0;
	return 0;
}

static uint64_t read_device_features(struct virtio_dev *vd)
{
	uint8_t *c = vd->common;
	uint64_t f;

	mmio_write32(c + VIRTIO_COMMON_DFSELECT, 0);
	f = mmio_read32(c + VIRTIO_COMMON_DF);
	mmio_write32(c + VIRTIO_COMMON_DFSELECT, 1);
	return f | (uint64_t)mmio_read32(c + VIRTIO_COMMON_DF) << 32;
}

/*
 * 3.1.1 steps 4-6: accept what both sides know, write it, set
 * FEATURES_OK and check the device kept it.
 */
static int negotiate(struct virtio_dev *vd, const struct virtio_driver *drv)
{
	uint8_t *c = vd->common;
	uint64_t offered = read_device_features(vd), want;

	want = drv->features | 1ull << VIRTIO_F_VERSION_1 | 1ull << VIRTIO_F_EVENT_IDX |
	       1ull << VIRTIO_F_ACCESS_PLATFORM;
	if (!(offered & 1ull << VIRTIO_F_VERSION_1)) {
		pr_err("virtio: %s: the device does not offer VIRTIO_F_VERSION_1", vd->name);
		return -ENODEV;
	}
	vd->features = offered & want;
	mmio_write32(c + VIRTIO_COMMON_GFSELECT, 0);
	mmio_write32(c + VIRTIO_COMMON_GF, (uint32_t)vd->features);
	mmio_write32(c + VIRTIO_COMMON_GFSELECT, 1);
	mmio_write32(c + VIRTIO_COMMON_GF, (uint32_t)(vd->features >> 32));
	virtio_set_status(vd, virtio_get_status(vd) | VIRTIO_STATUS_FEATURES_OK);
	if (!(virtio_get_status(vd) & VIRTIO_STATUS_FEATURES_OK)) {
		pr_err("virtio: %s: the device refused features %#lx", vd->name,
		       (unsigned long)vd->features);
		return -ENODEV;
	}
	return 0;
}

int virtio_cfg_read(struct virtio_dev *vd, unsigned off, unsigned len, uint64_t *out)
{
	uint8_t *p = (uint8_t *)vd->device_cfg + off,
		*gen = (uint8_t *)vd->common + VIRTIO_COMMON_CFGGEN;
	unsigned tries;
	uint8_t g;

	if (!vd->device_cfg || (len != 1 && len != 2 && len != 4 && len != 8) || off % len ||
	    off + len > vd->device_cfg_len)
		return -EINVAL;
	/* 2.5.1 / 4.1.4.3.1: read until the generation did not move across the read. */
	for (tries = 0; tries < 100; tries++) {
		g = mmio_read8(gen);
		if (len == 1)
			*out = mmio_read8(p);
		else if (len == 2)
			*out = mmio_read16(p);
		else if (len == 4)
			*out = mmio_read32(p);
		else
			*out = mmio_read32(p) | (uint64_t)mmio_read32(p + 4) << 32;
		if (mmio_read8(gen) == g)
			return 0;
	}
	return -EIO;
}

int virtio_cfg_write(struct virtio_dev *vd, unsigned off, unsigned len, uint32_t v)
{
	uint8_t *p = (uint8_t *)vd->device_cfg + off;

	if (!vd->device_cfg || (len != 1 && len != 2 && len != 4) || off % len ||
	    off + len > vd->device_cfg_len)
		return -EINVAL;
	if (len == 1)
		mmio_write8(p, (uint8_t)v);
	else if (len == 2)
		mmio_write16(p, (uint16_t)v);
	else
		mmio_write32(p, v);
	return 0;
}

unsigned virtio_max_queues(struct virtio_dev *vd)
{
	return mmio_read16((uint8_t *)vd->common + VIRTIO_COMMON_NUMQ);
}

void virtio_ready(struct virtio_dev *vd)
{
	virtio_set_status(vd, virtio_get_status(vd) | VIRTIO_STATUS_DRIVER_OK);
}

/* Reset the device and fail its requests; false when it was stopped already. */
static bool virtio_stop(struct virtio_dev *vd)
{
	unsigned i;

	if (__atomic_exchange_n(&vd->broken, true, __ATOMIC_ACQ_REL))
		return false;
	/* Stop its DMA first (4.1.4.3.2); a device that will not reset is left failed. */
	if (virtio_reset(vd))
		virtio_set_status(vd, VIRTIO_STATUS_FAILED);
	for (i = 0; i < vd->nvqs; i++)
		virtqueue_cancel_all(&vd->vqs[i]);
	return true;
}

void virtio_fail(struct virtio_dev *vd, const char *why)
{
	if (__atomic_load_n(&vd->broken, __ATOMIC_ACQUIRE))
		return;
	pr_err("virtio: %s: %s; resetting the device and failing its requests", vd->name, why);
	(void)virtio_stop(vd);
}

/* Every second: a device asking for a reset, or a queue stuck for too long, fails. */
static void watchdog(struct timer_event *ev, void *ctx)
{
	struct virtio_dev *vd = ctx;
	uint64_t now = clock_monotonic_ns();
	unsigned i;

	if (__atomic_load_n(&vd->broken, __ATOMIC_ACQUIRE))
		return;
	if (virtio_get_status(vd) & VIRTIO_STATUS_NEEDS_RESET) {
		virtio_fail(vd, "the device needs a reset");
		return;
	}
	for (i = 0; i < vd->nvqs; i++)
		virtqueue_check_stalled(&vd->vqs[i], now);
	if (timer_event_arm(ev, now + VIRTIO_WATCHDOG_NS))
		pr_err("virtio: %s: cannot re-arm the watchdog", vd->name);
}

static const struct virtio_driver *driver_for(uint16_t type)
{
	unsigned i;

	for (i = 0; i < ARRAY_SIZE(virtio_drivers); i++)
		if (virtio_drivers[i]->type == type)
			return virtio_drivers[i];
	return NULL;
}

/* The device type of PCI function @d, or 0 when it is no virtio device (4.1.2.1). */
static uint16_t virtio_type(const struct pci_dev *d)
{
	if (d->vendor != VIRTIO_PCI_VENDOR || d->device < 0x1000 || d->device > VIRTIO_PCI_LAST)
		return 0;
	if (d->device <= VIRTIO_PCI_LEGACY_LAST)
		return d->subsys_device;
	return (uint16_t)(d->device - VIRTIO_PCI_MODERN_BASE);
}

/* 3.1.1: reset, ACKNOWLEDGE, DRIVER, features, then the driver's own setup. */
static int virtio_start(struct virtio_dev *vd)
{
	int err;

	err = find_structures(vd);
	if (err)
		return err;
	err = virtio_reset(vd);
	if (err) {
		pr_err("virtio: %s: the device does not reset", vd->name);
		return err;
	}
	virtio_set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE);
	virtio_set_status(vd, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	err = negotiate(vd, vd->driver);
	if (err)
		return err;
	return vd->driver->probe(vd);
}

static int virtio_pci_probe(struct pci_dev *d, const struct pci_id *id)
{
	uint16_t type = virtio_type(d);
	const struct virtio_driver *drv = driver_for(type);
	struct virtio_dev *vd;
	int err;

	(void)id;
	if (!type || !drv)
		return -ENODEV;
	vd = kcalloc(1, sizeof(*vd));
	if (!vd)
		return -ENOMEM;
	vd->pci = d;
	vd->driver = drv;
	vd->type = type;
	fmt_snprintf(vd->name, sizeof(vd->name), "%02x:%02x.%u", d->addr.bus, d->addr.dev,
	             d->addr.fn);
	pci_enable(d);
	err = virtio_start(vd);
	if (err)
		goto out_fail;
	d->drvdata = vd;
	timer_event_init(&vd->watchdog, watchdog, vd);
	if (timer_event_arm(&vd->watchdog, clock_monotonic_ns() + VIRTIO_WATCHDOG_NS))
		pr_err("virtio: %s: cannot arm the watchdog", vd->name);
	return 0;
out_fail:
	/* 3.1.1: tell the device we gave up; a reset stops whatever it started. */
	if (vd->common && virtio_reset(vd))
		virtio_set_status(vd, VIRTIO_STATUS_FAILED);
	virtio_free_queues(vd);
	kfree(vd);
	return err;
}

static void virtio_pci_remove(struct pci_dev *d)
{
	struct virtio_dev *vd = d->drvdata;

	timer_event_cancel(&vd->watchdog);
	(void)virtio_stop(vd);
	if (vd->driver->remove)
		vd->driver->remove(vd);
	virtio_free_queues(vd);
	d->drvdata = NULL;
	kfree(vd);
}

static const struct pci_id virtio_pci_ids[] = {
	{ VIRTIO_PCI_VENDOR, PCI_ANY, 0, 0 },
	{ 0, 0, 0, 0 },
};

static struct pci_driver virtio_pci_driver = {
	.name = "virtio-pci",
	.ids = virtio_pci_ids,
	.probe = virtio_pci_probe,
	.remove = virtio_pci_remove,
};

int virtio_init(void)
{
	return pci_driver_register(&virtio_pci_driver);
}
