// SPDX-License-Identifier: MIT
/*
 * The null kernel: the floor that `make bench` measures Cairn's direct boot
 * against. It does what Cairn must do at the two ends of a `poweroff` boot
 * and nothing in between: one line on COM1, then ACPI S5 through the
 * FADT's PM1 control registers, found with the same lib/acpi code and
 * written in the same order as kernel/acpi/power.c. It runs in 32-bit
 * protected mode with paging off, so physical addresses below 4 GiB are
 * pointers.
 */
#include <cairn/errno.h>

#include <arch/pio.h>
#include <arch/pvh.h>
#include <lib/acpi/acpi.h>

#include <boot/common/loader.h>
#include <stdbool.h>
#include <stdint.h>

#define DEBUG_EXIT_PORT 0xf4 /* QEMU isa-debug-exit, tools/qemu.sh */

/* PM1 control bits (ACPI 6.5, 4.8.3.2.1, Table 4.13). */
#define PM1_SCI_EN        (1u << 0)
#define PM1_GBL_RLS       (1u << 2)
#define PM1_SLP_TYP_SHIFT 10
#define PM1_SLP_TYP       (7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN        (1u << 13)
#define SCI_EN_POLLS      1000000
/* The machine goes off a little after the write; spin as Cairn does (about 1 s at 2 GHz). */
#define S5_WAIT_CYCLES    (2ull << 30)

void null_main(const struct pvh_start_info *si);

static struct acpi_tables tables;

static void wait_cycles(uint64_t n)
{
	uint64_t t0 = __builtin_ia32_rdtsc();

	while (__builtin_ia32_rdtsc() - t0 < n)
		__asm__ volatile("pause");
}

/* Through the loaders' polled COM1 code: one byte at a time, as Cairn's first lines go. */
static void put_line(const char *s)
{
	for (; *s; s++)
		loader_serial_putc(*s);
}

/* Paging is off: a physical range below 4 GiB is its own pointer. */
static const void *map_phys(void *ctx, uint64_t phys, size_t len)
{
	if (phys + len < phys || phys + len > (1ull << 32))
		return NULL;
	return (const void *)(uintptr_t)phys;
}

static const struct acpi_mem phys_mem = { .map = map_phys };

/* A PM1 control block in port space that one 16-bit access reaches. */
static bool pm1_usable(const struct acpi_gas *g)
{
	return g->space_id == ACPI_GAS_IO && g->address && g->address <= 0xfffe &&
	       g->bit_offset == 0;
}

static uint16_t sleep_value(uint16_t cnt, uint64_t slp_typ)
{
	cnt &= (uint16_t) ~(PM1_SLP_TYP | PM1_SLP_EN | PM1_GBL_RLS);
	return cnt | (uint16_t)((slp_typ & 7) << PM1_SLP_TYP_SHIFT);
}

/* ACPI mode (16.3.1) if the firmware left it off, then SLP_TYP, then SLP_TYP | SLP_EN. */
static int enter_s5(uint64_t rsdp)
{
	struct acpi_fadt_info f;
	struct acpi_sleep_type s5;
	uint16_t port, v;
	int err, i;

	err = acpi_init(&tables, &phys_mem, rsdp);
	if (!err)
		err = acpi_get_fadt(&tables, &f);
	if (!err)
		err = acpi_get_sleep_type(&tables, 5, &s5);
	if (err)
		return err;
	if (f.hw_reduced || !pm1_usable(&f.pm1a_cnt) || f.pm1b_cnt.address)
		return -ENOTSUP;
	port = (uint16_t)f.pm1a_cnt.address;
	if (!(inw(port) & PM1_SCI_EN) && f.smi_cmd && f.smi_cmd <= 0xffff && f.acpi_enable) {
		outb((uint16_t)f.smi_cmd, f.acpi_enable);
		for (i = 0; i < SCI_EN_POLLS && !(inw(port) & PM1_SCI_EN); i++)
			__asm__ volatile("pause");
	}
	v = sleep_value(inw(port), s5.slp_typa);
	outw(port, v);
	outw(port, v | PM1_SLP_EN);
	wait_cycles(S5_WAIT_CYCLES);
	return -ETIMEDOUT;
}

void null_main(const struct pvh_start_info *si)
{
	uint64_t rsdp = si->rsdp_paddr;

	loader_serial_init();
	put_line("nullkernel: ready\n");
	/* QEMU's PVH loader passes the RSDP; else the BIOS area (ACPI 6.5, 5.2.5.1). */
	if (!rsdp && acpi_rsdp_scan(&phys_mem, 0xe0000, 0x20000, &rsdp))
		rsdp = 0;
	if (enter_s5(rsdp) == -ETIMEDOUT)
		put_line(
			"nullkernel: still running after ACPI S5; leaving through isa-debug-exit\n");
	else
		put_line("nullkernel: no usable ACPI S5; leaving through isa-debug-exit\n");
	for (;;)
		outb(DEBUG_EXIT_PORT, 0);
}
