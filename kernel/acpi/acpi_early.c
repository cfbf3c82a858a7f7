// SPDX-License-Identifier: MIT
/*
 * Walk RSDP -> XSDT (or RSDT) -> MADT and count the processor entries.
 * Every table is checksummed and bounds-checked first: firmware tables are
 * input from outside the kernel. Layouts: ACPI 6.5, 5.2.5 (RSDP), 5.2.7-8
 * (RSDT/XSDT), 5.2.12 (MADT), 5.2.12.2 and 5.2.12.12 (processor entries).
 */
#include "acpi/acpi_early.h"

#include <cairn/boot.h>

#include <lib/string.h>

#include <stdbool.h>
#include <stdint.h>

#include "core/log.h"

#define ACPI_MAX_TABLE      (1u << 20)
#define ACPI_MAX_PHYS       (4ull << 30) /* what every boot path maps at this point */
#define MADT_LAPIC          0
#define MADT_X2APIC         9
#define MADT_ENABLED        (1u << 0)
#define MADT_ONLINE_CAPABLE (1u << 1)

struct acpi_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __attribute__((packed));

static const struct boot_info *acpi_bi;

static const uint8_t *phys(uint64_t pa, uint64_t len)
{
	if (pa == 0 || len > ACPI_MAX_PHYS || pa > ACPI_MAX_PHYS - len)
		return NULL;
	return (const uint8_t *)(uintptr_t)(acpi_bi->direct_map_base + pa);
}

static bool checksum_ok(const uint8_t *p, uint32_t len)
{
	uint8_t sum = 0;
	uint32_t i;

	for (i = 0; i < len; i++)
		sum += p[i];
	return sum == 0;
}

/* Map and verify a table: signature (if given), length bounds and checksum. */
static const struct acpi_header *table(uint64_t pa, const char *sig)
{
	const struct acpi_header *h = (const void *)phys(pa, sizeof(*h));
	const uint8_t *p;

	if (!h || h->length < sizeof(*h) || h->length > ACPI_MAX_TABLE)
		return NULL;
	if (sig && memcmp(h->signature, sig, 4) != 0)
		return NULL;
	p = phys(pa, h->length);
	if (!p || !checksum_ok(p, h->length)) {
		pr_warn("acpi: table %.4s at %#llx fails its checksum; skipped", h->signature,
		        (unsigned long long)pa);
		return NULL;
	}
	return h;
}

static const struct acpi_header *find_madt(uint64_t rsdp_pa)
{
	const uint8_t *rsdp = phys(rsdp_pa, 36);
	const struct acpi_header *root;
	uint32_t entry_size, n, i;
	uint64_t root_pa, pa;

	if (!rsdp || memcmp(rsdp, "RSD PTR ", 8) != 0 || !checksum_ok(rsdp, 20))
		return NULL;
	if (rsdp[15] >= 2 && checksum_ok(rsdp, 36)) {
		memcpy(&root_pa, rsdp + 24, 8);
		entry_size = 8;
	} else {
		uint32_t rsdt;

		memcpy(&rsdt, rsdp + 16, 4);
		root_pa = rsdt;
		entry_size = 4;
	}
	root = table(root_pa, entry_size == 8 ? "XSDT" : "RSDT");
	if (!root)
		return NULL;
	n = (root->length - sizeof(*root)) / entry_size;
	for (i = 0; i < n; i++) {
		pa = 0;
		memcpy(&pa, (const uint8_t *)(root + 1) + i * entry_size, entry_size);
		if (table(pa, "APIC"))
			return table(pa, "APIC");
	}
	return NULL;
}

static unsigned count_cpus(const struct acpi_header *madt)
{
	const uint8_t *p = (const uint8_t *)madt;
	uint32_t off = sizeof(*madt) + 8; /* local APIC address and flags */
	uint32_t flags;
	unsigned n = 0;

	while (off + 2 <= madt->length) {
		uint8_t type = p[off], len = p[off + 1];

		if (len < 2 || off + len > madt->length)
			break;
		if (type == MADT_LAPIC && len >= 8) {
			memcpy(&flags, p + off + 4, 4);
			n += (flags & (MADT_ENABLED | MADT_ONLINE_CAPABLE)) != 0;
		} else if (type == MADT_X2APIC && len >= 16) {
			memcpy(&flags, p + off + 8, 4);
			n += (flags & (MADT_ENABLED | MADT_ONLINE_CAPABLE)) != 0;
		}
		off += len;
	}
	return n;
}

/* The RSDP in the BIOS area, for boot paths that did not hand one over. */
static uint64_t scan_bios_area(void)
{
	uint64_t pa;
	const uint8_t *p;

	for (pa = 0xe0000; pa < 0x100000; pa += 16) {
		p = phys(pa, 20);
		if (p && memcmp(p, "RSD PTR ", 8) == 0 && checksum_ok(p, 20))
			return pa;
	}
	return 0;
}

unsigned acpi_early_cpu_count(const struct boot_info *bi)
{
	const struct acpi_header *madt;
	uint64_t rsdp;
	unsigned n;

	acpi_bi = bi;
	rsdp = bi->rsdp_phys ? bi->rsdp_phys : scan_bios_area();
	madt = rsdp ? find_madt(rsdp) : NULL;
	if (!madt) {
		pr_warn("acpi: no usable MADT; assuming one CPU");
		return 1;
	}
	n = count_cpus(madt);
	return n ? n : 1;
}
