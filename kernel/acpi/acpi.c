// SPDX-License-Identifier: MIT
/*
 * The kernel's access to the ACPI tables: lib/acpi reads physical
 * memory through a map() callback, answered here from the direct map with
 * the range checked against what the direct map covers. Each table is
 * decoded once, on first use, on the boot CPU. Locks: [B] boot CPU only,
 * before other CPUs start.
 */
#include "acpi/acpi.h"

#include <cairn/boot.h>

#include "core/kmain.h"
#include "core/log.h"
#include "mm/vm.h"

/* The BIOS read-only area where the RSDP may sit (ACPI 6.5, 5.2.5.1). */
#define BIOS_AREA_BASE 0xe0000
#define BIOS_AREA_LEN  0x20000

static struct acpi_tables tables;              /* [B] */
static struct acpi_madt_info madt;             /* [B] */
static struct acpi_hpet_info hpet;             /* [B] */
static struct acpi_fadt_info fadt;             /* [B] */
static bool tried_tables, have_tables;         /* [B] */
static int madt_state, hpet_state, fadt_state; /* [B] 0 untried, 1 good, -1 absent */

bool acpi_phys_is_ram(uint64_t phys, uint64_t len)
{
	uint32_t i;

	for (i = 0; i < boot_info.mmap_count; i++) {
		const struct boot_mem_range *r = &boot_info.mmap[i];

		if (r->type != BOOT_MEM_RESERVED && phys < r->base + r->length &&
		    r->base < phys + len)
			return true;
	}
	return false;
}

static const void *map_phys(void *ctx, uint64_t phys, size_t len)
{
	uint64_t top = vm_direct_map_end();

	if (len > top || phys > top - len)
		return NULL;
	return phys_to_virt(phys);
}

static void report(void *ctx, const char *msg)
{
	pr_warn("%s", msg);
}

static const struct acpi_mem acpi_mem = { .ctx = NULL, .map = map_phys, .report = report };

struct acpi_tables *acpi_root(void)
{
	uint64_t rsdp = boot_info.rsdp_phys;

	if (tried_tables)
		return have_tables ? &tables : NULL;
	tried_tables = true;
	if (!rsdp && acpi_rsdp_scan(&acpi_mem, BIOS_AREA_BASE, BIOS_AREA_LEN, &rsdp) != 0) {
		pr_warn("acpi: no RSDP handed over or found in the BIOS area");
		return NULL;
	}
	if (acpi_init(&tables, &acpi_mem, rsdp) != 0) {
		pr_warn("acpi: RSDP at %#llx unusable", (unsigned long long)rsdp);
		return NULL;
	}
	have_tables = true;
	return &tables;
}

/* Shared by the three getters: decode once, log a missing table once. */
static bool decode_once(int *state, const char *what, int (*get)(struct acpi_tables *, void *),
                        void *out)
{
	struct acpi_tables *t;
	int err;

	if (*state)
		return *state > 0;
	*state = -1;
	t = acpi_root();
	if (!t)
		return false;
	err = get(t, out);
	if (err) {
		pr_info("acpi: no usable %s table (%d)", what, err);
		return false;
	}
	*state = 1;
	return true;
}

static int get_madt(struct acpi_tables *t, void *out)
{
	return acpi_get_madt(t, out);
}

static int get_hpet(struct acpi_tables *t, void *out)
{
	return acpi_get_hpet(t, out);
}

static int get_fadt(struct acpi_tables *t, void *out)
{
	return acpi_get_fadt(t, out);
}

const struct acpi_madt_info *acpi_madt(void)
{
	return decode_once(&madt_state, "MADT", get_madt, &madt) ? &madt : NULL;
}

const struct acpi_hpet_info *acpi_hpet(void)
{
	return decode_once(&hpet_state, "HPET", get_hpet, &hpet) ? &hpet : NULL;
}

const struct acpi_fadt_info *acpi_fadt(void)
{
	return decode_once(&fadt_state, "FADT", get_fadt, &fadt) ? &fadt : NULL;
}
