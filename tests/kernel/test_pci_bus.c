// SPDX-License-Identifier: MIT
/*
 * The PCI core on the running machine (kernel/bus/pci): enumeration, ECAM
 * against the ports, BAR sizing of QEMU's standard VGA, the capability
 * list and the driver model. QEMU's q35 machine always has the host
 * bridge at 00:00.0; the VGA (1234:1111) is there unless a test run turned
 * it off, and those tests skip then.
 */
#include <cairn/errno.h>

#include <stdbool.h>
#include <stdint.h>

#include "bus/pci/pci.h"
#include "core/ktest.h"
#include "mm/vm.h"

/* pci_find() state: the index-th function with the IDs, or with the class. */
struct find {
	uint32_t vendor, device, class; /* PCI_ANY: any */
	unsigned index;
	struct pci_dev *found;
	unsigned count; /* functions visited */
};

static void find_one(struct pci_dev *d, void *ctx)
{
	struct find *f = ctx;
	uint32_t class = (uint32_t)d->class_code << 8 | d->subclass;

	f->count++;
	if (f->found || (f->vendor != PCI_ANY && d->vendor != f->vendor) ||
	    (f->device != PCI_ANY && d->device != f->device) ||
	    (f->class != PCI_ANY && class != f->class))
		return;
	if (f->index-- == 0)
		f->found = d;
}

static struct pci_dev *pci_find(uint32_t vendor, uint32_t device, uint32_t class)
{
	struct find f = { .vendor = vendor, .device = device, .class = class };

	pci_for_each_dev(find_one, &f);
	return f.found;
}

static struct pci_dev *std_vga(void)
{
	struct pci_dev *d = pci_find(0x1234, 0x1111, PCI_ANY);

	if (!d)
		ktest_skip("no QEMU standard VGA (1234:1111) on this machine");
	return d;
}

TEST(pci, enumeration_finds_the_host_bridge_first)
{
	struct find f = { .vendor = PCI_ANY, .device = PCI_ANY, .class = PCI_ANY };
	struct pci_dev *d;

	pci_for_each_dev(find_one, &f);
	d = f.found;
	EXPECT_TRUE(d != NULL);
	EXPECT_TRUE(f.count >= 2); /* q35 has its ISA bridge at 00:1f.0 too */
	EXPECT_EQ(d->addr.bus, 0);
	EXPECT_EQ(d->addr.dev, 0);
	EXPECT_EQ(d->addr.fn, 0);
	EXPECT_EQ(d->class_code, 0x06);                          /* bridge */
	EXPECT_EQ(d->subclass, 0x00);                            /* host bridge */
	EXPECT_TRUE(pci_find(PCI_ANY, PCI_ANY, 0x0601) != NULL); /* the ISA bridge */
}

/* Every function's IDs, as the device list has them, read again through both mechanisms. */
static void compare_mechanisms(struct pci_dev *d, void *ctx)
{
	unsigned *bad = ctx, off;
	uint32_t a, b;

	for (off = 0; off < 64; off += 4) {
		if (pci_read(d, off, 32, &a) || pci_config_read(d->addr, off, 32, &b) || a != b)
			(*bad)++;
	}
	if (pci_read(d, 0, 16, &a) || a != d->vendor)
		(*bad)++;
}

TEST(pci, ecam_and_ports_read_the_same_header)
{
	unsigned bad = 0;

	pci_for_each_dev(compare_mechanisms, &bad);
	EXPECT_EQ(bad, 0);
}

TEST(pci, extended_config_space_needs_ecam)
{
	struct pci_dev *host = pci_find(PCI_ANY, PCI_ANY, 0x0600);
	uint32_t v = 0x5a5a5a5a;
	int err;

	EXPECT_TRUE(host != NULL);
	EXPECT_EQ(pci_read(host, 4096, 32, &v), -EINVAL);
	EXPECT_EQ(pci_read(host, 2, 32, &v), -EINVAL); /* misaligned */
	EXPECT_EQ(pci_read(host, 0, 24, &v), -EINVAL);
	err = pci_read(host, 0x100, 32, &v);
	if (err == -EINVAL) {
		EXPECT_EQ(v, 0x5a5a5a5a);
		ktest_skip("no ECAM (no MCFG table, or pci=noecam): 256 bytes per function");
	}
	EXPECT_EQ(err, 0);
	EXPECT_EQ(pci_read(host, 4092, 32, &v), 0);
	EXPECT_EQ(pci_read(host, 4095, 8, &v), 0);
}

/*
 * QEMU's VGA (hw/display/bochs-display and vga-pci): BAR0 the framebuffer,
 * 16 MiB by default, 32-bit prefetchable; BAR2 4 KiB of MMIO registers.
 */
TEST(pci, std_vga_bars_have_their_sizes)
{
	struct pci_dev *d = std_vga();
	uint32_t raw;

	EXPECT_EQ(d->bar[0].size, 16u << 20);
	EXPECT_EQ(d->bar[0].flags, PCI_BAR_PREFETCH);
	EXPECT_EQ(d->bar[1].size, 0);
	EXPECT_EQ(d->bar[2].size, 4096);
	EXPECT_EQ(d->bar[2].flags, 0);
	/* Sizing put every BAR back. */
	EXPECT_EQ(pci_read(d, 0x10, 32, &raw), 0);
	EXPECT_EQ(raw & ~0xfu, d->bar[0].base);
	EXPECT_EQ(pci_read(d, 0x18, 32, &raw), 0);
	EXPECT_EQ(raw & ~0xfu, d->bar[2].base);
	EXPECT_TRUE(d->bar[0].base != 0);
}

TEST(pci, bar_map_is_cached_and_refuses_bad_bars)
{
	struct pci_dev *d = std_vga();
	void *regs = pci_bar_map(d, 2, false);

	EXPECT_TRUE(regs != NULL);
	EXPECT_TRUE(pci_bar_map(d, 2, false) == regs);
	EXPECT_TRUE(pci_bar_map(d, 1, false) == NULL); /* not implemented */
	EXPECT_TRUE(pci_bar_map(d, 6, false) == NULL);
}

/* The cache mode of the page at @va in the kernel's tables. */
static uint32_t cache_of(void *va)
{
	uint64_t pa;
	uint32_t flags = 0;

	EXPECT_EQ(pt_translate(vm_kernel_space(), (uint64_t)(uintptr_t)va, &pa, &flags, NULL), 0);
	return flags & PT_CACHE_MASK;
}

/* Write-combining only where asked and where the BAR is prefetchable (PCI 3.0, 6.2.5.1). */
TEST(pci, bar_map_is_write_combining_only_when_prefetchable)
{
	struct pci_dev *d = std_vga();
	void *fb = pci_bar_map(d, 0, true), *regs = pci_bar_map(d, 2, true);

	EXPECT_TRUE(fb != NULL && regs != NULL);
	EXPECT_EQ(cache_of(fb), PT_CACHE_WC);
	EXPECT_EQ(cache_of(regs), PT_CACHE_UC);
}

/* Every capability pci_find_cap() returns, for every ID, is in the header and has that ID. */
static void walk_caps(struct pci_dev *d, void *ctx)
{
	unsigned *bad = ctx, off, id, n = 0;
	uint32_t got;

	for (id = 1; id < 0x20; id++) {
		for (off = pci_find_cap(d, (uint8_t)id, 0); off && n < 64;
		     off = pci_find_cap(d, (uint8_t)id, off)) {
			n++;
			if (off < 0x40 || off > 0xfc || (off & 3) || pci_read(d, off, 8, &got) ||
			    got != id)
				(*bad)++;
		}
	}
	if (n >= 64) /* more capabilities than the header can hold: a loop */
		(*bad)++;
}

TEST(pci, capability_walks_stay_in_the_header)
{
	unsigned bad = 0;

	pci_for_each_dev(walk_caps, &bad);
	EXPECT_EQ(bad, 0);
}

/* QEMU's e1000e (the q35 default NIC, 82574L) with PCI Express, MSI and MSI-X capabilities. */
static struct pci_dev *e1000e(void)
{
	struct pci_dev *d = pci_find(0x8086, 0x10d3, PCI_ANY);

	if (!d)
		ktest_skip("no e1000e (8086:10d3), QEMU's default q35 NIC, on this machine");
	if (d->driver)
		ktest_skip("the e1000e has a driver; the tests leave it alone");
	return d;
}

TEST(pci, e1000e_lists_its_capabilities)
{
	struct pci_dev *d = e1000e();
	unsigned msix = pci_find_cap(d, 0x11, 0), ext;
	uint32_t v;

	EXPECT_TRUE(msix != 0);
	EXPECT_TRUE(pci_find_cap(d, 0x10, 0) != 0); /* PCI Express */
	EXPECT_EQ(pci_find_cap(d, 0x11, msix), 0);  /* only one MSI-X capability */
	EXPECT_EQ(pci_find_cap(d, 0x11, 0x20), 0);  /* @from outside the list */
	ext = pci_find_ext_cap(d, 0x0001, 0);       /* advanced error reporting */
	if (!ext)
		ktest_skip("no extended capabilities reachable (no ECAM?)");
	EXPECT_TRUE(ext >= 0x100 && ext < 0x1000);
	EXPECT_EQ(pci_read(d, ext, 32, &v), 0);
	EXPECT_EQ(v & 0xffff, 0x0001);
}

/* ---- the driver model ---- */

static unsigned probes, removes;
static struct pci_dev *probed;

static int test_probe(struct pci_dev *d, const struct pci_id *id)
{
	probes++;
	/* The second table entry (any host bridge) is matched but declined. */
	if (id->class_mask)
		return -ENODEV;
	probed = d;
	d->drvdata = &probes;
	return 0;
}

static void test_remove(struct pci_dev *d)
{
	removes++;
	EXPECT_TRUE(d->drvdata == &probes);
}

/* Filled in by the test: the first driverless function that is not a host bridge. */
static struct pci_id test_ids[] = {
	{ .vendor = 0, .device = 0 },
	{ .vendor = PCI_ANY, .device = PCI_ANY, .class = 0x060000, .class_mask = 0xffff00 },
	{ 0 },
};

static struct pci_driver test_driver = {
	.name = "pci-test",
	.ids = test_ids,
	.probe = test_probe,
	.remove = test_remove,
};

static void find_free(struct pci_dev *d, void *ctx)
{
	struct pci_dev **out = ctx;

	if (!*out && !d->driver && !(d->class_code == 0x06 && d->subclass == 0x00))
		*out = d;
}

TEST(pci, driver_binds_by_id_and_by_class_and_unbinds)
{
	struct pci_dev *dev = NULL, *host = pci_find(PCI_ANY, PCI_ANY, 0x0600);

	pci_for_each_dev(find_free, &dev);
	if (!dev)
		ktest_skip("every function but the host bridge has a driver");
	test_ids[0].vendor = dev->vendor;
	test_ids[0].device = dev->device;
	probes = removes = 0;
	probed = NULL;
	EXPECT_EQ(pci_driver_register(&test_driver), 0);
	EXPECT_EQ(pci_driver_register(&test_driver), -EBUSY);
	EXPECT_TRUE(probed == dev);
	EXPECT_TRUE(dev->driver == &test_driver);
	/* The function, and the host bridge (unless bound already) offered and declined. */
	EXPECT_TRUE(probes >= (host->driver ? 1u : 2u));
	EXPECT_TRUE(host->driver != &test_driver);
	pci_driver_unregister(&test_driver);
	EXPECT_EQ(removes, 1);
	EXPECT_TRUE(dev->driver == NULL);
	EXPECT_TRUE(dev->drvdata == NULL);
	test_ids[0].vendor = 0; /* the table ends here again */
}

TEST(pci, driver_register_refuses_incomplete_drivers)
{
	struct pci_driver no_probe = { .name = "x", .ids = test_ids };

	EXPECT_EQ(pci_driver_register(&no_probe), -EINVAL);
	EXPECT_EQ(pci_driver_register(NULL), -EINVAL);
}
