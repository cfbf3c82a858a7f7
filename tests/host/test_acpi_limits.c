/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/acpi on synthetic table sets: \_S5 in an SSDT, more
 * tables, MCFG entries and MADT entries than the parser keeps, partial
 * root entries and broken HPET and MCFG tables (tests/host/acpi_helpers.h).
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

/* ---- synthetic table sets ---- */

/* Put a table with @sig and @body at @phys in @m, checksummed. */
static struct region *synth_table(struct fake_mem *m, uint64_t phys, const char *sig,
                                  const void *body, size_t body_len)
{
	uint8_t *t = calloc(1, ACPI_HEADER_LEN + body_len);
	struct region *r;

	assert_non_null(t);
	memcpy(t, sig, 4);
	wr32(t + 4, (uint32_t)(ACPI_HEADER_LEN + body_len));
	t[8] = 1;
	if (body_len)
		memcpy(t + ACPI_HEADER_LEN, body, body_len);
	r = add_region(m, phys, t, ACPI_HEADER_LEN + body_len, sig);
	fix_table(r);
	free(t);
	return r;
}

/* An ACPI 1.0 RSDP at 0xe0000 pointing to an RSDT at @rsdt. */
static void synth_rsdp(struct fake_mem *m, uint32_t rsdt)
{
	uint8_t rsdp[20] = {
		'R', 'S', 'D', ' ', 'P', 'T', 'R', ' ', 0, 'C', 'A', 'I', 'R', 'N', ' '
	};
	struct region *r;

	wr32(rsdp + 16, rsdt);
	r = add_region(m, 0xe0000, rsdp, sizeof(rsdp), "rsdp.bin");
	fix_rsdp(r);
}

/* \_S5 only in an SSDT, and a DSDT that has none. */
static void test_sleep_in_ssdt(void **state)
{
	static const uint8_t s5[] = { 0x08, '_',  'S',  '5',  '_',  0x12,
		                      0x06, 0x02, 0x0a, 0x07, 0x0a, 0x07 };
	static const uint8_t bad[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x3f };
	uint8_t rsdt[12], fadt[8] = { 0 };
	struct fake_mem m = { 0 };
	struct acpi_mem mem = mem_of(&m);
	struct acpi_tables t;
	struct acpi_sleep_type st;

	(void)state;
	wr32(fadt + 4, 0x3000); /* DSDT */
	wr32(rsdt, 0x2000);
	wr32(rsdt + 4, 0x4000);
	wr32(rsdt + 8, 0x5000);
	synth_rsdp(&m, 0x1000);
	synth_table(&m, 0x1000, "RSDT", rsdt, sizeof(rsdt));
	synth_table(&m, 0x2000, "FACP", fadt, sizeof(fadt));
	synth_table(&m, 0x3000, "DSDT", NULL, 0);
	synth_table(&m, 0x4000, "SSDT", bad, sizeof(bad));
	synth_table(&m, 0x5000, "SSDT", s5, sizeof(s5));
	assert_int_equal(acpi_init(&t, &mem, 0xe0000), 0);
	print_errors(&t);
	assert_int_equal(t.nerrors, 0);
	assert_int_equal(t.ntables, 4);
	assert_string_equal(t.oem_id, "CAIRN ");
	assert_non_null(acpi_find_table(&t, "SSDT", 1));
	assert_int_equal(acpi_get_sleep_type(&t, 5, &st), 0);
	assert_int_equal(st.slp_typa, 7);
	assert_int_equal(st.slp_typb, 7);
	/* The malformed one in the first SSDT was reported on the way. */
	assert_true(has_error(&t, "acpi: SSDT _S5_ malformed sleep package"));
	assert_int_equal(acpi_get_sleep_type(&t, 4, &st), -ENOENT);
	fake_free(&m);
}

/* More tables than acpi_tables holds, duplicate entries, more errors than it keeps. */
static void test_too_many_tables(void **state)
{
	enum { N = ACPI_MAX_TABLES + 6 };
	uint8_t rsdt[(N + 2) * 4];
	struct fake_mem m = { 0 };
	struct acpi_mem mem = mem_of(&m);
	struct acpi_tables t;
	size_t i;

	(void)state;
	for (i = 0; i < N; i++) {
		char sig[5];

		snprintf(sig, sizeof(sig), "T%03zu", i);
		synth_table(&m, 0x100000 + i * 0x1000, sig, NULL, 0);
		wr32(rsdt + i * 4, (uint32_t)(0x100000 + i * 0x1000));
	}
	wr32(rsdt + N * 4, 0x100000);       /* the first again */
	wr32(rsdt + (N + 1) * 4, 0x101000); /* and the second */
	synth_rsdp(&m, 0x1000);
	synth_table(&m, 0x1000, "RSDT", rsdt, sizeof(rsdt));
	assert_int_equal(acpi_init(&t, &mem, 0xe0000), 0);
	assert_int_equal(t.ntables, ACPI_MAX_TABLES);
	assert_int_equal(t.nerrors, N - ACPI_MAX_TABLES);
	assert_string_equal(t.errors[0].msg, "acpi: more than 64 tables, T064 ignored");
	assert_non_null(acpi_find_table(&t, "T063", 0));
	assert_null(acpi_find_table(&t, "T064", 0));
	fake_free(&m);

	/* Every entry null: all counted and reported, the first ACPI_MAX_ERRORS kept. */
	memset(&m, 0, sizeof(m));
	memset(rsdt, 0, sizeof(rsdt));
	synth_rsdp(&m, 0x1000);
	synth_table(&m, 0x1000, "RSDT", rsdt, sizeof(rsdt));
	mem = mem_of(&m);
	assert_int_equal(acpi_init(&t, &mem, 0xe0000), 0);
	assert_int_equal(t.nerrors, N + 2);
	assert_int_equal(m.reports, N + 2);
	assert_string_equal(m.last_report, "acpi: RSDT entry 71 is null");
	assert_string_equal(t.errors[ACPI_MAX_ERRORS - 1].msg, "acpi: RSDT entry 15 is null");
	fake_free(&m);
}

/* RSDT whose length leaves a partial entry; entries before it still count. */
static void test_partial_root_entry(void **state)
{
	uint8_t rsdt[6] = { 0 };
	struct fake_mem m = { 0 };
	struct acpi_mem mem = mem_of(&m);
	struct acpi_tables t;

	(void)state;
	wr32(rsdt, 0x2000);
	synth_rsdp(&m, 0x1000);
	synth_table(&m, 0x1000, "RSDT", rsdt, sizeof(rsdt));
	synth_table(&m, 0x2000, "WAET", rsdt, 4);
	assert_int_equal(acpi_init(&t, &mem, 0xe0000), 0);
	assert_int_equal(t.nerrors, 1);
	assert_string_equal(t.errors[0].msg, "acpi: RSDT length leaves a partial entry");
	assert_int_equal(t.ntables, 1);
	fake_free(&m);
}

static void test_hpet_mcfg_bad(void **state)
{
	struct acpi_hpet_info h;
	struct acpi_mcfg_info mc;
	const char *why = NULL;
	uint8_t *tbl;
	size_t len;

	(void)state;
	tbl = load_table("q35-seabios/HPET.bin", &len);
	assert_int_equal(acpi_hpet_parse(tbl, len - 1, &h, &why), -EINVAL);
	assert_string_equal(why, "too short");
	tbl[40] = ACPI_GAS_IO;
	assert_int_equal(acpi_hpet_parse(tbl, len, &h, &why), -EINVAL);
	assert_string_equal(why, "base is not a system memory address");
	tbl[40] = ACPI_GAS_MEMORY;
	wr64(tbl + 44, 0);
	assert_int_equal(acpi_hpet_parse(tbl, len, &h, &why), -EINVAL);
	free(tbl);

	tbl = load_table("q35-seabios/MCFG.bin", &len);
	assert_int_equal(acpi_mcfg_parse(tbl, len - 1, &mc, &why), -EINVAL);
	assert_string_equal(why, "length leaves a partial entry");
	assert_int_equal(acpi_mcfg_parse(tbl, 44, &mc, &why), 0);
	assert_int_equal(mc.count, 0);
	assert_int_equal(acpi_mcfg_parse(tbl, 43, &mc, &why), -EINVAL);
	tbl[55] = 0x10;
	tbl[54] = 0x20;
	assert_int_equal(acpi_mcfg_parse(tbl, len, &mc, &why), -EINVAL);
	assert_string_equal(why, "entry ends before it starts");
	tbl[54] = 0;
	wr64(tbl + 44, 0);
	assert_int_equal(acpi_mcfg_parse(tbl, len, &mc, &why), -EINVAL);
	assert_string_equal(why, "entry with a zero base");
	free(tbl);
}

/* Two MCFG segments and more entries than the array holds. */
static void test_mcfg_many(void **state)
{
	enum { N = ACPI_MAX_MCFG + 3 };
	uint8_t body[8 + N * 16] = { 0 };
	struct acpi_mcfg_info mc;
	const char *why = NULL;
	struct fake_mem m = { 0 };
	struct region *r;
	size_t i;

	(void)state;
	for (i = 0; i < N; i++) {
		uint8_t *e = body + 8 + i * 16;

		wr64(e, 0xe0000000ull + i * 0x10000000ull);
		e[8] = (uint8_t)i;
		e[10] = 0;
		e[11] = (uint8_t)(i + 1);
	}
	r = synth_table(&m, 0x1000, "MCFG", body, sizeof(body));
	assert_int_equal(acpi_mcfg_parse(r->data, r->len, &mc, &why), 0);
	assert_int_equal(mc.count, ACPI_MAX_MCFG);
	assert_int_equal(mc.dropped, 3);
	assert_int_equal(mc.seg[1].segment, 1);
	assert_int_equal(mc.seg[1].base, 0xf0000000ull);
	assert_int_equal(mc.seg[1].bus_end, 2);
	fake_free(&m);
}

/*
 * 300 x2APIC CPUs plus a repeated APIC ID, and 10 NMI sources: the arrays
 * keep what fits and count the rest.
 */
static void test_madt_capacity(void **state)
{
	enum { NCPU = 300, NNMI = 10 };
	size_t body_len = 8 + (NCPU + 1) * 16 + NNMI * 8, i;
	uint8_t *body = calloc(1, body_len), *e;
	struct acpi_madt_info *mi = malloc(sizeof(*mi));
	struct fake_mem m = { 0 };
	const char *why = NULL;
	struct region *r;

	(void)state;
	assert_non_null(body);
	assert_non_null(mi);
	for (i = 0, e = body + 8; i <= NCPU; i++, e += 16) {
		e[0] = 9;
		e[1] = 16;
		wr32(e + 4, i == NCPU ? 7 : (uint32_t)i);
		wr32(e + 8, 1);
		wr32(e + 12, (uint32_t)i);
	}
	for (i = 0; i < NNMI; i++, e += 8) {
		e[0] = 3;
		e[1] = 8;
		wr32(e + 4, (uint32_t)i);
	}
	r = synth_table(&m, 0x1000, "APIC", body, body_len);
	assert_int_equal(acpi_madt_parse(r->data, r->len, mi, &why), 0);
	assert_int_equal(mi->ncpus, ACPI_MAX_CPUS);
	assert_int_equal(mi->cpus[255].apic_id, 255);
	assert_true(mi->cpus[255].x2apic);
	assert_int_equal(mi->ignored_cpus, 1);
	assert_int_equal(mi->nnmi_sources, ACPI_MAX_NMI_SOURCES);
	assert_int_equal(mi->dropped, NCPU - ACPI_MAX_CPUS + NNMI - ACPI_MAX_NMI_SOURCES);
	fake_free(&m);
	free(body);
	free(mi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sleep_in_ssdt),      cmocka_unit_test(test_too_many_tables),
		cmocka_unit_test(test_partial_root_entry), cmocka_unit_test(test_hpet_mcfg_bad),
		cmocka_unit_test(test_mcfg_many),          cmocka_unit_test(test_madt_capacity),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
