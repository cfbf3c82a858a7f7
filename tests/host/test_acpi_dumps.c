/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/acpi on the real tables: dumps of what QEMU 7.2 gives a
 * guest under SeaBIOS and OVMF on q35 and pc (tests/host/acpi_helpers.h),
 * parsed with no error and with the facts each firmware is known to give.
 */
#include <cairn/errno.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#include "acpi_helpers.h"

/* Each dump: the RSDP, the root table, and every table found with no error. */
static void test_dump_tables(void **state)
{
	size_t d, i;

	(void)state;
	for (d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		const struct dump_facts *f = &dumps[d];
		struct fake_mem m;
		struct acpi_tables t;
		const char *sigs[] = { "FACP", "APIC", "HPET", "WAET", "DSDT", "FACS" };

		init_dump(&m, &t, f->dir);
		print_errors(&t);
		assert_int_equal(t.nerrors, 0);
		assert_int_equal(m.reports, 0);
		assert_int_equal(t.rsdp_revision, f->rsdp_revision);
		assert_int_equal(t.xsdt, f->xsdt);
		assert_string_equal(t.oem_id, "BOCHS ");
		assert_int_equal(t.root_phys,
		                 region_named(&m, f->xsdt ? "XSDT.bin" : "RSDT.bin")->phys);
		assert_int_equal(t.ntables, f->ntables);
		for (i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
			char file[16];
			const struct acpi_table_ref *ref = acpi_find_table(&t, sigs[i], 0);

			snprintf(file, sizeof(file), "%s.bin", sigs[i]);
			assert_non_null(ref);
			assert_int_equal(ref->phys, region_named(&m, file)->phys);
			assert_int_equal(ref->length, region_named(&m, file)->len);
			assert_ptr_equal(acpi_map_table(&t, ref), region_named(&m, file)->data);
			assert_null(acpi_find_table(&t, sigs[i], 1));
		}
		assert_int_equal(acpi_find_table(&t, "MCFG", 0) != NULL, f->mcfg);
		assert_null(acpi_find_table(&t, "SSDT", 0));
		assert_int_equal(acpi_find_table(&t, "FACS", 0)->length, 64);
		fake_free(&m);
	}
}

/* QEMU's MADT is the same on every machine and firmware: -smp CPUs, one I/O APIC, 5 overrides. */
static void test_dump_madt(void **state)
{
	static const uint8_t irqs[] = { 0, 5, 9, 10, 11 };
	size_t d, i;

	(void)state;
	for (d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		struct fake_mem m;
		struct acpi_tables t;
		struct acpi_madt_info *mi = malloc(sizeof(*mi));

		assert_non_null(mi);
		init_dump(&m, &t, dumps[d].dir);
		assert_int_equal(acpi_get_madt(&t, mi), 0);
		assert_int_equal(m.smp, 2);
		assert_int_equal(mi->ncpus, (uint32_t)m.smp);
		for (i = 0; i < mi->ncpus; i++) {
			assert_int_equal(mi->cpus[i].apic_id, i);
			assert_int_equal(mi->cpus[i].uid, i);
			assert_true(mi->cpus[i].enabled);
			assert_false(mi->cpus[i].online_capable);
			assert_false(mi->cpus[i].x2apic);
		}
		assert_int_equal(mi->lapic_address, 0xfee00000);
		assert_false(mi->lapic_override);
		assert_true(mi->pcat_compat);
		assert_int_equal(mi->nioapics, 1);
		assert_int_equal(mi->ioapics[0].id, 0);
		assert_int_equal(mi->ioapics[0].address, 0xfec00000);
		assert_int_equal(mi->ioapics[0].gsi_base, 0);
		assert_int_equal(mi->noverrides, 5);
		for (i = 0; i < 5; i++) {
			const struct acpi_irq_override *o = &mi->overrides[i];

			assert_int_equal(o->bus, 0);
			assert_int_equal(o->irq, irqs[i]);
			/* The timer: IRQ0 -> GSI 2, bus defaults; the PCI links: active high, level. */
			assert_int_equal(o->gsi, i == 0 ? 2 : irqs[i]);
			assert_int_equal(o->flags.raw, i == 0 ? 0 : 0xd);
			assert_int_equal(o->flags.polarity,
			                 i == 0 ? ACPI_POLARITY_BUS : ACPI_POLARITY_HIGH);
			assert_int_equal(o->flags.trigger,
			                 i == 0 ? ACPI_TRIGGER_BUS : ACPI_TRIGGER_LEVEL);
			assert_false(o->flags.active_low);
			assert_int_equal(o->flags.level, i != 0);
		}
		assert_int_equal(mi->nnmi_sources, 0);
		assert_int_equal(mi->nlapic_nmis, 1);
		assert_true(mi->lapic_nmis[0].all_cpus);
		assert_int_equal(mi->lapic_nmis[0].lint, 1);
		assert_int_equal(mi->dropped, 0);
		assert_int_equal(mi->ignored_cpus, 0);
		fake_free(&m);
		free(mi);
	}
}

static void test_dump_fadt(void **state)
{
	size_t d;

	(void)state;
	for (d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		const struct dump_facts *f = &dumps[d];
		struct fake_mem m;
		struct acpi_tables t;
		struct acpi_fadt_info fi;

		init_dump(&m, &t, f->dir);
		assert_int_equal(acpi_get_fadt(&t, &fi), 0);
		assert_int_equal(fi.revision, f->fadt_revision);
		assert_int_equal(fi.length, f->fadt_length);
		assert_int_equal(fi.dsdt, region_named(&m, "DSDT.bin")->phys);
		assert_int_equal(fi.facs, region_named(&m, "FACS.bin")->phys);
		assert_int_equal(fi.sci_irq, 9);
		assert_int_equal(fi.smi_cmd, 0xb2);
		assert_int_equal(fi.acpi_enable, f->acpi_enable);
		assert_io(&fi.pm1a_evt, f->pm_base, 32);
		assert_io(&fi.pm1a_cnt, f->pm_base + 4u, 16);
		assert_io(&fi.pm_tmr, f->pm_base + 8u, 32);
		assert_int_equal(fi.pm1b_evt.address, 0);
		assert_int_equal(fi.pm1b_cnt.address, 0);
		assert_int_equal(fi.century, 0x32);
		assert_false(fi.hw_reduced);
		assert_int_equal(fi.boot_flags_valid, f->boot_flags_valid);
		/* q35 says "8042 present"; pc's revision 1 FADT has no flags, so it is assumed. */
		assert_int_equal(fi.boot_flags, f->boot_flags_valid ? ACPI_BOOT_8042 : 0);
		assert_true(fi.has_8042);
		assert_false(fi.no_vga);
		assert_false(fi.no_cmos_rtc);
		assert_int_equal(fi.reset_valid, f->reset_valid);
		if (f->reset_valid) {
			/* ICH9 reset control register; QEMU 7.2 asks for 0x0f (full reset). */
			assert_io(&fi.reset_reg, 0xcf9, 8);
			assert_int_equal(fi.reset_value, 0x0f);
			assert_true(fi.flags & ACPI_FADT_RESET_REG_SUP);
		} else {
			assert_int_equal(fi.reset_reg.address, 0);
		}
		fake_free(&m);
	}
}

static void test_dump_hpet_mcfg(void **state)
{
	size_t d;

	(void)state;
	for (d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		struct fake_mem m;
		struct acpi_tables t;
		struct acpi_hpet_info h;
		struct acpi_mcfg_info mc;

		init_dump(&m, &t, dumps[d].dir);
		assert_int_equal(acpi_get_hpet(&t, &h), 0);
		assert_int_equal(h.base.space_id, ACPI_GAS_MEMORY);
		assert_int_equal(h.base.address, 0xfed00000);
		assert_int_equal(h.block_id, 0x8086a201);
		assert_int_equal(h.vendor_id, 0x8086);
		assert_int_equal(h.hw_rev, 1);
		assert_int_equal(h.comparators, 3);
		assert_true(h.counter_64bit);
		assert_true(h.legacy_capable);
		assert_int_equal(h.number, 0);
		assert_int_equal(h.min_tick, 0);
		if (dumps[d].mcfg) {
			assert_int_equal(acpi_get_mcfg(&t, &mc), 0);
			assert_int_equal(mc.count, 1);
			assert_int_equal(mc.seg[0].base, 0xb0000000);
			assert_int_equal(mc.seg[0].segment, 0);
			assert_int_equal(mc.seg[0].bus_start, 0);
			assert_int_equal(mc.seg[0].bus_end, 255);
		} else {
			assert_int_equal(acpi_get_mcfg(&t, &mc), -ENOENT);
			assert_int_equal(mc.count, 0);
		}
		assert_int_equal(t.nerrors, 0);
		fake_free(&m);
	}
}

/* QEMU's DSDTs: \_S3 {1, 1}, \_S4 {2, 2}, \_S5 {0, 0} on both PIIX4 and ICH9. */
static void test_dump_sleep(void **state)
{
	static const uint64_t want[6] = { 0, 0, 0, 1, 2, 0 };
	size_t d;
	unsigned int s;

	(void)state;
	for (d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		struct fake_mem m;
		struct acpi_tables t;
		struct acpi_sleep_type st;

		init_dump(&m, &t, dumps[d].dir);
		for (s = 3; s <= 5; s++) {
			assert_int_equal(acpi_get_sleep_type(&t, s, &st), 0);
			assert_int_equal(st.slp_typa, want[s]);
			assert_int_equal(st.slp_typb, want[s]);
		}
		/* QEMU declares no \_S1 or \_S2. */
		assert_int_equal(acpi_get_sleep_type(&t, 1, &st), -ENOENT);
		assert_int_equal(acpi_get_sleep_type(&t, 2, &st), -ENOENT);
		assert_int_equal(acpi_get_sleep_type(&t, 6, &st), -ERANGE);
		assert_int_equal(t.nerrors, 0);
		fake_free(&m);
	}
}

/* SeaBIOS puts the RSDP in the BIOS area, where acpi_rsdp_scan() must find it (5.2.5.1). */
static void test_rsdp_scan(void **state)
{
	struct fake_mem m, bios = { 0 };
	struct acpi_mem mem = mem_of(&bios);
	struct region *rsdp, *area;
	uint64_t phys = 0;

	(void)state;
	load_dump(&m, "q35-seabios");
	rsdp = region_named(&m, "rsdp.bin");
	area = add_region(&bios, 0xe0000, NULL, 0x20000, "bios");
	/* A decoy with the signature but a bad checksum comes first. */
	memcpy(area->data + 0x100, rsdp->data, rsdp->len);
	area->data[0x100 + 8] ^= 1;
	memcpy(area->data + (rsdp->phys - 0xe0000), rsdp->data, rsdp->len);
	assert_int_equal(acpi_rsdp_scan(&mem, 0xe0000, 0x20000, &phys), 0);
	assert_int_equal(phys, rsdp->phys);
	/* Not on a 16-byte boundary: not an RSDP. */
	memset(area->data, 0, area->len);
	memcpy(area->data + 0x208, rsdp->data, rsdp->len);
	assert_int_equal(acpi_rsdp_scan(&mem, 0xe0000, 0x20000, &phys), -ENOENT);
	/* The scan runs to the very end of the range and no further. */
	memcpy(area->data + area->len - 32, rsdp->data, rsdp->len);
	assert_int_equal(acpi_rsdp_scan(&mem, 0xe0000, 0x20000, &phys), 0);
	assert_int_equal(phys, 0x100000 - 32);
	assert_int_equal(acpi_rsdp_scan(&mem, 0xe0000, 0x20001, &phys), -EFAULT);
	fake_free(&bios);
	fake_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_tables), cmocka_unit_test(test_dump_madt),
		cmocka_unit_test(test_dump_fadt),   cmocka_unit_test(test_dump_hpet_mcfg),
		cmocka_unit_test(test_dump_sleep),  cmocka_unit_test(test_rsdp_scan),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
