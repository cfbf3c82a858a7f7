/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/acpi on hand-corrupted dumps: bad checksums, truncated
 * and oversized tables, broken MADT entries, root tables to fall back from
 * or none at all, and FADT pointers to nowhere. Each must be reported and
 * survived, never read past (tests/host/acpi_helpers.h).
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

/* ---- hand-corrupted dumps ---- */

/* Load @dir, let @corrupt damage it, run acpi_init; return its result. */
static int init_corrupt(struct fake_mem *m, struct acpi_tables *t, const char *dir,
                        void (*corrupt)(struct fake_mem *m))
{
	struct acpi_mem mem;

	load_dump(m, dir);
	corrupt(m);
	mem = mem_of(m);
	return acpi_init(t, &mem, region_named(m, "rsdp.bin")->phys);
}

static void flip_apic_checksum(struct fake_mem *m)
{
	region_named(m, "APIC.bin")->data[9] ^= 0x55;
}

static void test_table_checksum_bad(void **state)
{
	struct fake_mem m;
	struct acpi_tables t;
	struct acpi_madt_info *mi = malloc(sizeof(*mi));

	(void)state;
	assert_int_equal(init_corrupt(&m, &t, "q35-seabios", flip_apic_checksum), 0);
	assert_int_equal(t.nerrors, 1);
	assert_string_equal(t.errors[0].msg, "acpi: APIC checksum bad");
	assert_int_equal(t.errors[0].phys, region_named(&m, "APIC.bin")->phys);
	assert_int_equal(t.errors[0].err, -EINVAL);
	assert_int_equal(m.reports, 1);
	assert_string_equal(m.last_report, "acpi: APIC checksum bad");
	assert_null(acpi_find_table(&t, "APIC", 0));
	assert_int_equal(acpi_get_madt(&t, mi), -ENOENT);
	/* Everything else is still there. */
	assert_int_equal(t.ntables, 6);
	assert_non_null(acpi_find_table(&t, "HPET", 0));
	fake_free(&m);
	free(mi);
}

/* APIC length cut to 100 with a good checksum: the walk stops at the entry crossing it. */
static void shorten_apic(struct fake_mem *m)
{
	struct region *r = region_named(m, "APIC.bin");

	wr32(r->data + 4, 100);
	fix_table(r);
}

static void test_madt_truncated(void **state)
{
	struct fake_mem m;
	struct acpi_tables t;
	struct acpi_madt_info *mi = malloc(sizeof(*mi));

	(void)state;
	assert_int_equal(init_corrupt(&m, &t, "q35-seabios", shorten_apic), 0);
	assert_int_equal(t.nerrors, 0);
	assert_int_equal(acpi_get_madt(&t, mi), -EINVAL);
	assert_true(has_error(&t, "acpi: APIC entry runs past the end"));
	assert_int_equal(mi->ncpus, 2);
	assert_int_equal(mi->nioapics, 1);
	assert_int_equal(mi->noverrides, 2);
	fake_free(&m);
	free(mi);
}

static void apic_length_20(struct fake_mem *m)
{
	wr32(region_named(m, "APIC.bin")->data + 4, 20);
}

static void apic_length_past_mapping(struct fake_mem *m)
{
	struct region *r = region_named(m, "APIC.bin");

	wr32(r->data + 4, 4096);
}

static void apic_length_huge(struct fake_mem *m)
{
	wr32(region_named(m, "APIC.bin")->data + 4, 0xffffffff);
}

static void apic_length_zero(struct fake_mem *m)
{
	wr32(region_named(m, "APIC.bin")->data + 4, 0);
}

/* The header itself is cut off: only 20 bytes of the table are reachable. */
static void apic_truncated_region(struct fake_mem *m)
{
	shrink(region_named(m, "APIC.bin"), 20);
}

static void test_table_lengths(void **state)
{
	static const struct {
		void (*corrupt)(struct fake_mem *m);
		const char *msg;
		int err;
	} cases[] = {
		{ apic_length_20, "acpi: APIC length 20 out of range", -EINVAL },
		{ apic_length_zero, "acpi: APIC length 0 out of range", -EINVAL },
		{ apic_length_huge, "acpi: APIC length 4294967295 out of range", -EINVAL },
		{ apic_length_past_mapping, "acpi: APIC length 4096 runs past reachable memory",
		  -EFAULT },
		{ apic_truncated_region, "acpi: table at 0x", -EFAULT },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_mem m;
		struct acpi_tables t;

		assert_int_equal(init_corrupt(&m, &t, "q35-ovmf", cases[i].corrupt), 0);
		print_errors(&t);
		assert_int_equal(t.nerrors, 1);
		assert_non_null(strstr(t.errors[0].msg, cases[i].msg));
		assert_int_equal(t.errors[0].err, cases[i].err);
		assert_null(acpi_find_table(&t, "APIC", 0));
		assert_int_equal(t.ntables, 6);
		fake_free(&m);
	}
}

static void madt_entry_len(struct fake_mem *m, size_t off, uint8_t len)
{
	struct region *r = region_named(m, "APIC.bin");

	r->data[off + 1] = len;
	fix_table(r);
}

static void apic_entry_len0(struct fake_mem *m)
{
	madt_entry_len(m, 0x3c, 0); /* the I/O APIC */
}

static void apic_entry_past_end(struct fake_mem *m)
{
	madt_entry_len(m, 0x7a, 0x20); /* the last entry, 6 bytes before the end */
}

static void apic_entry_short(struct fake_mem *m)
{
	madt_entry_len(m, 0x3c, 8); /* an I/O APIC entry needs 12 */
}

static void test_madt_bad_entries(void **state)
{
	static const struct {
		void (*corrupt)(struct fake_mem *m);
		const char *msg;
		uint32_t ncpus, nioapics, noverrides;
	} cases[] = {
		{ apic_entry_len0, "acpi: APIC entry length below 2", 2, 0, 0 },
		{ apic_entry_past_end, "acpi: APIC entry runs past the end", 2, 1, 5 },
		{ apic_entry_short, "acpi: APIC entry shorter than its type", 2, 0, 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_mem m;
		struct acpi_tables t;
		struct acpi_madt_info *mi = malloc(sizeof(*mi));

		assert_int_equal(init_corrupt(&m, &t, "pc-seabios", cases[i].corrupt), 0);
		assert_int_equal(acpi_get_madt(&t, mi), -EINVAL);
		assert_int_equal(t.nerrors, 1);
		assert_string_equal(t.errors[0].msg, cases[i].msg);
		assert_int_equal(mi->ncpus, cases[i].ncpus);
		assert_int_equal(mi->nioapics, cases[i].nioapics);
		assert_int_equal(mi->noverrides, cases[i].noverrides);
		fake_free(&m);
		free(mi);
	}
}

/* RSDP v2 with a bad extended checksum but a good v1 checksum: the RSDT is used. */
static void rsdp_bad_extended(struct fake_mem *m)
{
	region_named(m, "rsdp.bin")->data[32] ^= 1;
}

/* XSDT address pointing to memory that is not there. */
static void xsdt_unmapped(struct fake_mem *m)
{
	struct region *r = region_named(m, "rsdp.bin");

	wr64(r->data + 24, 0xdead0000000ull);
	fix_rsdp(r);
}

/* XSDT address pointing at another table (garbage as far as an XSDT goes). */
static void xsdt_at_dsdt(struct fake_mem *m)
{
	struct region *r = region_named(m, "rsdp.bin");

	wr64(r->data + 24, region_named(m, "DSDT.bin")->phys);
	fix_rsdp(r);
}

static void xsdt_checksum_bad(struct fake_mem *m)
{
	region_named(m, "XSDT.bin")->data[9] ^= 1;
}

static void rsdp_length_bad(struct fake_mem *m)
{
	struct region *r = region_named(m, "rsdp.bin");

	wr32(r->data + 20, 0x10000);
	fix_rsdp(r);
}

static void test_root_fallback(void **state)
{
	static const struct {
		void (*corrupt)(struct fake_mem *m);
		const char *msg;
	} cases[] = {
		{ rsdp_bad_extended, "acpi: RSDP extended checksum bad, using the RSDT" },
		{ xsdt_unmapped, "acpi: XSDT at 0xdead0000000 unreachable" },
		{ xsdt_at_dsdt, "acpi: XSDT expected at 0x" },
		{ xsdt_checksum_bad, "acpi: XSDT checksum bad" },
		{ rsdp_length_bad, "acpi: RSDP length 65536 bad, using the RSDT" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct fake_mem m;
		struct acpi_tables t;
		struct acpi_madt_info *mi = malloc(sizeof(*mi));

		assert_int_equal(init_corrupt(&m, &t, "q35-ovmf", cases[i].corrupt), 0);
		print_errors(&t);
		assert_int_equal(t.nerrors, 1);
		assert_non_null(strstr(t.errors[0].msg, cases[i].msg));
		assert_false(t.xsdt);
		assert_int_equal(t.root_phys, region_named(&m, "RSDT.bin")->phys);
		assert_int_equal(t.ntables, 7);
		assert_int_equal(acpi_get_madt(&t, mi), 0);
		assert_int_equal(mi->ncpus, 2);
		fake_free(&m);
		free(mi);
	}
}

static void rsdp_v1_checksum_bad(struct fake_mem *m)
{
	region_named(m, "rsdp.bin")->data[8] ^= 1;
}

static void both_roots_bad(struct fake_mem *m)
{
	region_named(m, "XSDT.bin")->data[9] ^= 1;
	region_named(m, "RSDT.bin")->data[0] = 'X';
}

static void rsdp_unmapped(struct fake_mem *m)
{
	shrink(region_named(m, "rsdp.bin"), 19);
}

static void test_no_root(void **state)
{
	struct fake_mem m;
	struct acpi_tables t;

	(void)state;
	assert_int_equal(init_corrupt(&m, &t, "q35-ovmf", rsdp_v1_checksum_bad), -EINVAL);
	assert_string_equal(t.errors[0].msg, "acpi: RSDP signature or checksum bad");
	assert_int_equal(t.ntables, 0);
	fake_free(&m);

	assert_int_equal(init_corrupt(&m, &t, "q35-ovmf", both_roots_bad), -EINVAL);
	print_errors(&t);
	assert_int_equal(t.nerrors, 3);
	assert_true(has_error(&t, "acpi: XSDT checksum bad"));
	assert_true(has_error(&t, "acpi: RSDT expected at 0x"));
	assert_true(has_error(&t, "acpi: no usable RSDT or XSDT"));
	assert_int_equal(t.ntables, 0);
	assert_null(acpi_find_table(&t, "APIC", 0));
	fake_free(&m);

	assert_int_equal(init_corrupt(&m, &t, "q35-seabios", rsdp_unmapped), -EFAULT);
	assert_true(has_error(&t, "acpi: RSDP at 0xf"));
	fake_free(&m);
}

/* Root-table entries: a null one, one into nowhere, one to a zero-length table. */
static void bad_root_entries(struct fake_mem *m)
{
	struct region *rsdt = region_named(m, "RSDT.bin");
	struct region *zero;
	uint8_t hdr[ACPI_HEADER_LEN] = { 'Z', 'E', 'R', 'O' };

	zero = add_region(m, 0x1000, hdr, sizeof(hdr), "ZERO.bin");
	fix_table(zero);                   /* length 0 still */
	wr32(rsdt->data + 36, 0);          /* FACP */
	wr32(rsdt->data + 40, 0x7fff0000); /* APIC */
	wr32(rsdt->data + 44, 0x1000);     /* HPET */
	fix_table(rsdt);
}

static void test_bad_root_entries(void **state)
{
	struct fake_mem m;
	struct acpi_tables t;
	struct acpi_fadt_info fi;

	(void)state;
	assert_int_equal(init_corrupt(&m, &t, "q35-seabios", bad_root_entries), 0);
	print_errors(&t);
	assert_int_equal(t.nerrors, 3);
	assert_string_equal(t.errors[0].msg, "acpi: RSDT entry 0 is null");
	assert_string_equal(t.errors[1].msg, "acpi: table at 0x7fff0000 unreachable");
	assert_int_equal(t.errors[1].err, -EFAULT);
	assert_string_equal(t.errors[2].msg, "acpi: ZERO length 0 out of range");
	/* MCFG and WAET remain; without the FADT there is no DSDT or FACS. */
	assert_int_equal(t.ntables, 2);
	assert_int_equal(acpi_get_fadt(&t, &fi), -ENOENT);
	fake_free(&m);
}

/* A FADT too short for its DSDT pointer, and one whose DSDT pointer is wrong. */
static void fadt_too_short(struct fake_mem *m)
{
	struct region *r = region_named(m, "FACP.bin");

	wr32(r->data + 4, 40);
	fix_table(r);
}

static void fadt_dsdt_garbage(struct fake_mem *m)
{
	struct region *r = region_named(m, "FACP.bin");

	wr32(r->data + 40, (uint32_t)region_named(m, "APIC.bin")->phys);
	wr64(r->data + 140, 0);
	wr32(r->data + 36, 0x12345678);
	fix_table(r);
}

static void test_fadt_pointers(void **state)
{
	struct fake_mem m;
	struct acpi_tables t;
	struct acpi_sleep_type st;

	(void)state;
	assert_int_equal(init_corrupt(&m, &t, "q35-seabios", fadt_too_short), 0);
	assert_int_equal(t.nerrors, 1);
	assert_string_equal(t.errors[0].msg, "acpi: FACP too short");
	assert_null(acpi_find_table(&t, "DSDT", 0));
	assert_int_equal(acpi_get_sleep_type(&t, 5, &st), -ENOENT);
	fake_free(&m);

	assert_int_equal(init_corrupt(&m, &t, "q35-seabios", fadt_dsdt_garbage), 0);
	print_errors(&t);
	assert_int_equal(t.nerrors, 2);
	assert_true(has_error(&t, "acpi: DSDT expected at 0x"));
	assert_true(has_error(&t, "acpi: FACS at 0x12345678 unreachable"));
	assert_null(acpi_find_table(&t, "DSDT", 0));
	assert_null(acpi_find_table(&t, "FACS", 0));
	fake_free(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_checksum_bad), cmocka_unit_test(test_madt_truncated),
		cmocka_unit_test(test_table_lengths),      cmocka_unit_test(test_madt_bad_entries),
		cmocka_unit_test(test_root_fallback),      cmocka_unit_test(test_no_root),
		cmocka_unit_test(test_bad_root_entries),   cmocka_unit_test(test_fadt_pointers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
