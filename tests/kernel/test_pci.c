// SPDX-License-Identifier: MIT
/*
 * PCI configuration-space access (kernel/bus/pci): the checks that keep an
 * access inside one dword of a valid function's 256-byte header, and reads
 * of the running machine's host bridge, device 0 of bus 0, which every PC
 * has. Nothing here writes configuration space.
 */
#include <cairn/errno.h>

#include <stdint.h>

#include "bus/pci/pci.h"
#include "core/ktest.h"

static const struct pci_addr host_bridge = { .bus = 0, .dev = 0, .fn = 0 };

TEST(pci, config_access_refuses_what_one_dword_cannot_hold)
{
	struct pci_addr dev32 = { .dev = 32 }, fn8 = { .fn = 8 };
	uint32_t v = 0x5a5a5a5a;

	EXPECT_EQ(pci_config_read(dev32, 0, 32, &v), -EINVAL);
	EXPECT_EQ(pci_config_read(fn8, 0, 32, &v), -EINVAL);
	EXPECT_EQ(pci_config_read(host_bridge, 256, 8, &v), -EINVAL);
	EXPECT_EQ(pci_config_read(host_bridge, 0, 24, &v), -EINVAL);
	EXPECT_EQ(pci_config_read(host_bridge, 3, 16, &v), -EINVAL); /* crosses a dword */
	EXPECT_EQ(pci_config_read(host_bridge, 2, 32, &v), -EINVAL);
	EXPECT_EQ(pci_config_write(host_bridge, 254, 32, 0), -EINVAL);
	EXPECT_EQ(v, 0x5a5a5a5a); /* nothing was read into it */
	EXPECT_TRUE(pci_config_ok(host_bridge, 255, 8));
	EXPECT_TRUE(pci_config_ok(host_bridge, 2, 16));
}

/* Vendor ID (offset 0) and device ID (2) of the host bridge, read three ways, must agree. */
TEST(pci, host_bridge_ids_read_the_same_at_every_width)
{
	uint32_t dword, vendor, device, lo, hi;

	EXPECT_EQ(pci_config_read(host_bridge, 0, 32, &dword), 0);
	EXPECT_EQ(pci_config_read(host_bridge, 0, 16, &vendor), 0);
	EXPECT_EQ(pci_config_read(host_bridge, 2, 16, &device), 0);
	EXPECT_EQ(pci_config_read(host_bridge, 0, 8, &lo), 0);
	EXPECT_EQ(pci_config_read(host_bridge, 1, 8, &hi), 0);
	/* 0xffff is what an absent function reads as (PCI Local Bus 3.0, 6.2.1). */
	EXPECT_TRUE(vendor != 0xffff && vendor != 0);
	EXPECT_EQ(dword, vendor | device << 16);
	EXPECT_EQ(vendor, lo | hi << 8);
}
