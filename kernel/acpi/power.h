/* SPDX-License-Identifier: MIT */
/*
 * Switching the machine off (ACPI S5) and resetting it (the FADT reset
 * register, then the 8042 keyboard controller, then a triple fault). The
 * tables come from kernel/acpi/acpi.h; the decoding is checked before
 * any register is touched. See docs/acpi.md, "Shutdown and reboot".
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/acpi/acpi.h>

#include <stdbool.h>
#include <stdint.h>

/*
 * Enter ACPI S5 (soft off): SLP_TYPa/b from \_S5 into PM1a/PM1b_CNT with
 * SLP_EN (ACPI 6.5, 4.8.3.2.1 and 7.4.2), or into the sleep control
 * register on HW-reduced platforms (4.8.3.7). Logs "power: ACPI S5 ..."
 * before the write. When there is no FADT or \_S5, or the machine is
 * still running a second later, logs why and halts this CPU. Never
 * returns. Call from thread context (may map MMIO), for now on the boot
 * CPU (the tables' owner); other CPUs are left running.
 */
__attribute__((noreturn)) void power_off(void);

/*
 * Reset the machine, logging "power: reset via <method>" before each try:
 * the FADT reset register (4.8.3.6: I/O, memory, or PCI configuration
 * space of bus 0), then the 8042 keyboard controller unless the FADT says
 * there is none, then a triple fault. Never returns. Same context rules
 * as power_off().
 */
__attribute__((noreturn)) void power_reboot(void);

/* ---- The checked decoding behind both, exposed for tests/kernel/test_power.c ---- */

/* How one register described by a Generic Address Structure (5.2.3.2) is reached. */
struct power_reg {
	uint64_t address;    /* port, physical address, or PCI device/function/offset */
	volatile void *mmio; /* memory only: the mapped register, set by power_reg_map() */
	uint8_t space;       /* ACPI_GAS_IO, ACPI_GAS_MEMORY or ACPI_GAS_PCI_CONFIG */
	uint8_t width;       /* bits per access: 8, 16, 32, or 64 (memory only) */
	uint8_t count;       /* accesses at consecutive addresses, 1..8 */
	uint8_t shift;       /* the register's bit offset inside the accesses */
};

/*
 * Check the GAS @g and work out its accesses. A register width of 0 in
 * the GAS means @bits; an access size of 0 means the smallest access that
 * holds the register. Returns 0, -ENOENT (address 0: no register),
 * -ENOTSUP (an address space other than I/O, memory or PCI configuration),
 * -EINVAL (access size above 4, more than 64 bits, 64-bit port I/O, a PCI
 * address outside bus 0's 32 devices, 8 functions and 256 bytes, or an
 * access crossing a dword) or -ERANGE (past port 0xffff or the top of
 * the address space). Pure: touches no hardware.
 */
int __must_check power_reg_decode(const struct acpi_gas *g, unsigned int bits,
                                  struct power_reg *out);

/*
 * The PM1 control value that selects sleep type @slp_typ (its low three
 * bits) from the current value @cnt, SLP_EN still clear: SCI_EN, BM_RLD
 * and the reserved bits kept, the write-only GBL_RLS cleared (4.8.3.2.1,
 * Table 4.13).
 */
uint16_t power_pm1_sleep_value(uint16_t cnt, uint64_t slp_typ);

/* What power_off() will write, decided and checked before anything is written. */
struct power_off_plan {
	bool hw_reduced;                /* use sleep_control instead of PM1x_CNT */
	bool has_pm1b;                  /* a PM1b control block exists */
	struct power_reg pm1a;          /* PM1a_CNT */
	struct power_reg pm1b;          /* PM1b_CNT, when has_pm1b */
	struct power_reg sleep_control; /* HW-reduced only */
	struct acpi_sleep_type s5;      /* \_S5 as the firmware wrote it */
};

/*
 * Find the FADT and \_S5 and decode and map the registers power_off()
 * writes. Returns 0, -ENOENT (no FADT or no \_S5), or what
 * power_reg_decode() returned for an unusable register (-ENOTSUP for
 * PM1_CNT in PCI configuration space), -ENOMEM when an MMIO register
 * cannot be mapped; the reason is logged. Writes no register.
 */
int __must_check power_off_prepare(struct power_off_plan *p);

/*
 * Decode the FADT's reset register as an 8-bit register at bit offset 0,
 * whatever the GAS says about widths (4.8.3.6 fixes them; ACPICA does the
 * same). Returns 0, -ENOENT when the FADT offers none (no RESET_REG_SUP),
 * or as power_reg_decode(). Writes no register.
 */
int __must_check power_reset_reg_decode(const struct acpi_fadt_info *f, struct power_reg *out);
