// SPDX-License-Identifier: MIT
/*
 * PCI configuration space through ECAM, the enhanced configuration access
 * mechanism: 4 KiB of memory-mapped configuration space per function, the
 * window described by the ACPI MCFG table (PCI Express Base 4.0, 7.2.2;
 * PCI Firmware 3.2, 4.1.2). Where there is no MCFG (QEMU's `-machine pc`)
 * or `pci=noecam` is on the command line, accesses go to the 0xCF8 ports
 * (pci_config_read(), 256 bytes per function). Each bus's megabyte is
 * mapped uncached when enumeration first reaches it.
 * Locks: [E] written by pci_init()'s enumeration before any device is
 * published, then read-only.
 */
#include <cairn/errno.h>

#include <arch/mmio.h>
#include <lib/string.h>

#include "acpi/acpi.h"
#include "bus/pci/internal.h"
#include "core/cmdline.h"
#include "core/log.h"
#include "mm/vm.h"

#define ECAM_BUS_SIZE (1u << 20) /* 32 devices x 8 functions x 4 KiB */

static struct acpi_mcfg_segment window;       /* [E] segment 0's window */
static bool have_window;                      /* [E] */
static volatile uint8_t *bus_va[PCI_MAX_BUS]; /* [E] mapped buses */

static bool ecam_disabled_by_cmdline(void)
{
	const char *v = cmdline_get("pci");
	char w[16];

	if (!v)
		return false;
	cmdline_word(v, w, sizeof(w));
	return strcmp(w, "noecam") == 0;
}

/* Keep the first MCFG entry for segment 0: Cairn's struct pci_addr has no segment. */
static bool pick_window(const struct acpi_mcfg_info *m)
{
	uint32_t i;

	for (i = 0; i < m->count; i++) {
		const struct acpi_mcfg_segment *s = &m->seg[i];

		if (s->segment != 0) {
			pr_info("pci: ECAM of segment %u ignored (only segment 0 is used)",
			        s->segment);
			continue;
		}
		if (!have_window) {
			window = *s;
			have_window = true;
		}
	}
	return have_window;
}

bool pci_ecam_init(void)
{
	struct acpi_tables *t = acpi_root();
	struct acpi_mcfg_info m;

	if (ecam_disabled_by_cmdline()) {
		pr_info("pci: ECAM off (pci=noecam); configuration through ports 0xCF8/0xCFC");
		return false;
	}
	if (!t || acpi_get_mcfg(t, &m) != 0 || !pick_window(&m)) {
		pr_info("pci: no MCFG table; configuration through ports 0xCF8/0xCFC");
		return false;
	}
	if (acpi_phys_is_ram(window.base + ((uint64_t)window.bus_start << 20),
	                     (uint64_t)(window.bus_end - window.bus_start + 1) << 20)) {
		pr_warn("pci: MCFG window at %#llx overlaps RAM; ignored",
		        (unsigned long long)window.base);
		have_window = false;
		return false;
	}
	pr_info("pci: ECAM at %#llx, buses %02x-%02x", (unsigned long long)window.base,
	        window.bus_start, window.bus_end);
	return true;
}

bool pci_ecam_active(void)
{
	return have_window;
}

int pci_ecam_map_bus(unsigned bus)
{
	void *va;

	if (!have_window || bus < window.bus_start || bus > window.bus_end)
		return -ENODEV;
	if (bus_va[bus])
		return 0;
	va = vm_map_mmio(window.base + ((uint64_t)bus << 20), ECAM_BUS_SIZE, VM_CACHE_UC);
	if (!va) {
		pr_err("pci: cannot map ECAM of bus %02x", bus);
		return -ENOMEM;
	}
	bus_va[bus] = va;
	return 0;
}

volatile uint8_t *pci_ecam_fn(struct pci_addr a)
{
	volatile uint8_t *b = bus_va[a.bus];

	if (!b || a.dev >= 32 || a.fn >= 8)
		return NULL;
	return b + ((unsigned)a.dev << 15 | (unsigned)a.fn << 12);
}

/* Width and alignment: one naturally aligned access of 8, 16 or 32 bits inside @limit bytes. */
static bool access_ok(unsigned off, unsigned width, unsigned limit)
{
	if (width != 8 && width != 16 && width != 32)
		return false;
	return off < limit && off % (width / 8) == 0;
}

int pci_cfg_read(struct pci_addr a, unsigned off, unsigned width, uint32_t *out)
{
	volatile uint8_t *f = pci_ecam_fn(a);

	if (!f)
		return pci_config_read(a, off, width, out);
	if (!access_ok(off, width, PCI_ECAM_FN_SIZE))
		return -EINVAL;
	if (width == 8)
		*out = mmio_read8(f + off);
	else if (width == 16)
		*out = mmio_read16(f + off);
	else
		*out = mmio_read32(f + off);
	return 0;
}

int pci_cfg_write(struct pci_addr a, unsigned off, unsigned width, uint32_t v)
{
	volatile uint8_t *f = pci_ecam_fn(a);

	if (!f)
		return pci_config_write(a, off, width, v);
	if (!access_ok(off, width, PCI_ECAM_FN_SIZE))
		return -EINVAL;
	if (width == 8)
		mmio_write8(f + off, (uint8_t)v);
	else if (width == 16)
		mmio_write16(f + off, (uint16_t)v);
	else
		mmio_write32(f + off, v);
	return 0;
}

uint32_t pci_cfg_get(struct pci_addr a, unsigned off, unsigned width)
{
	uint32_t v;

	if (pci_cfg_read(a, off, width, &v) != 0)
		return width == 32 ? 0xffffffffu : (1u << width) - 1;
	return v;
}

void pci_cfg_set(struct pci_addr a, unsigned off, unsigned width, uint32_t v)
{
	if (pci_cfg_write(a, off, width, v) != 0)
		pr_err("pci: %02x:%02x.%u: bad configuration write at %#x/%u", a.bus, a.dev, a.fn,
		       off, width);
}
