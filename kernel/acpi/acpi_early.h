/* SPDX-License-Identifier: MIT */
/*
 * Just enough ACPI for the boot report: count the processors the MADT
 * lists. The full table parser (lib/acpi) replaces this with the ACPI work.
 */
#pragma once

struct boot_info;

/* Enabled or online-capable processors in the MADT; 1 when there is no usable MADT. */
unsigned acpi_early_cpu_count(const struct boot_info *bi);
