/* SPDX-License-Identifier: MIT */
/*
 * The firmware's ACPI tables for the rest of the kernel, through lib/acpi:
 * found once from the RSDP the loader handed over (or the BIOS area), then
 * the MADT, HPET and FADT decoded and kept. The interrupt, time, SMP, PS/2
 * and power code read them here. See docs/acpi.md.
 */
#pragma once

#include <lib/acpi/acpi.h>

/* The checked table list, or NULL when the firmware has no usable ACPI. Boot CPU. */
struct acpi_tables *acpi_root(void);
/* The decoded tables, or NULL when missing or corrupt (the reason is logged once). */
const struct acpi_madt_info *acpi_madt(void);
const struct acpi_hpet_info *acpi_hpet(void);
const struct acpi_fadt_info *acpi_fadt(void);

/*
 * True when any byte of [@phys, @phys + @len) is RAM by the boot memory map
 * (any type but "reserved", which is where firmware reports devices). A
 * device register block the firmware places there is a lie.
 */
bool acpi_phys_is_ram(uint64_t phys, uint64_t len);
