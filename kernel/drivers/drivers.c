// SPDX-License-Identifier: MIT
/*
 * The list of built-in driver families: each lane that brings a family
 * (the RAM disk, virtio, NVMe...) adds its entry point to the table.
 */
#include "drivers/drivers.h"

#include "block/blkdev.h"
#include "core/log.h"
#include "drivers/nvme/nvme.h"
#include "drivers/virtio/virtio.h"

/* Each returns 0 or -errno; they register PCI drivers or devices of their own. */
static const struct {
	const char *name;
	int (*init)(void);
} families[] = {
	{ "ramdisk", ramdisk_init }, /* RAM disks (block lane) */
	{ "loop", loop_init },       /* loop devices (block lane) */
	{ "virtio", virtio_init },   /* virtio devices (virtio lane) */
	{ "nvme", nvme_init },       /* NVMe controllers */
	{ NULL, NULL },              /* the end */
};

int drivers_init(void)
{
	unsigned i;
	int err;

	for (i = 0; families[i].init; i++) {
		err = families[i].init();
		if (err)
			pr_err("drivers: %s: cannot start: error %d", families[i].name, err);
	}
	return 0;
}
