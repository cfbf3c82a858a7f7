/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/acpi on iasl-compiled tables for the cases QEMU does not
 * show (x2APIC, a full FADT, short FADT revisions, \_S5 written several
 * ways) and on hand-made AML: every package encoding, then malformed ones.
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

/* ---- iasl-compiled tables ---- */

static void test_iasl_madt_x2apic(void **state)
{
	struct acpi_madt_info *mi = malloc(sizeof(*mi));
	const char *why = NULL;
	uint8_t *tbl;
	size_t len;

	(void)state;
	assert_non_null(mi);
	tbl = load_table("iasl/madt-x2apic.aml", &len);
	assert_int_equal(acpi_madt_parse(tbl, len, mi, &why), 0);
	assert_int_equal(mi->ncpus, 4);
	assert_int_equal(mi->ignored_cpus, 2);
	assert_int_equal(mi->cpus[0].apic_id, 0);
	assert_true(mi->cpus[0].enabled);
	assert_int_equal(mi->cpus[1].apic_id, 2);
	assert_int_equal(mi->cpus[1].uid, 2);
	assert_false(mi->cpus[1].enabled);
	assert_true(mi->cpus[1].online_capable);
	assert_int_equal(mi->cpus[2].apic_id, 0x100);
	assert_int_equal(mi->cpus[2].uid, 3);
	assert_true(mi->cpus[2].x2apic);
	assert_true(mi->cpus[2].enabled);
	assert_int_equal(mi->cpus[3].apic_id, 0x102);
	assert_int_equal(mi->cpus[3].uid, 5);

	assert_int_equal(mi->nioapics, 2);
	assert_int_equal(mi->ioapics[1].id, 1);
	assert_int_equal(mi->ioapics[1].address, 0xfec01000);
	assert_int_equal(mi->ioapics[1].gsi_base, 24);

	assert_int_equal(mi->noverrides, 4);
	assert_int_equal(mi->overrides[0].gsi, 2);
	assert_false(mi->overrides[0].flags.active_low);
	assert_false(mi->overrides[0].flags.level);
	assert_false(mi->overrides[1].flags.active_low);
	assert_true(mi->overrides[1].flags.level);
	assert_int_equal(mi->overrides[2].irq, 10);
	assert_int_equal(mi->overrides[2].gsi, 20);
	assert_int_equal(mi->overrides[2].flags.polarity, ACPI_POLARITY_LOW);
	assert_true(mi->overrides[2].flags.active_low);
	assert_true(mi->overrides[2].flags.level);
	assert_int_equal(mi->overrides[3].flags.trigger, ACPI_TRIGGER_EDGE);
	assert_true(mi->overrides[3].flags.active_low);
	assert_false(mi->overrides[3].flags.level);

	assert_int_equal(mi->nnmi_sources, 1);
	assert_int_equal(mi->nmi_sources[0].gsi, 0x17);
	assert_true(mi->nmi_sources[0].flags.level);

	assert_int_equal(mi->nlapic_nmis, 3);
	assert_true(mi->lapic_nmis[0].all_cpus);
	assert_int_equal(mi->lapic_nmis[0].lint, 1);
	assert_int_equal(mi->lapic_nmis[0].flags.trigger, ACPI_TRIGGER_EDGE);
	assert_true(mi->lapic_nmis[1].all_cpus);
	assert_int_equal(mi->lapic_nmis[1].uid, 0xffffffff);
	assert_false(mi->lapic_nmis[2].all_cpus);
	assert_int_equal(mi->lapic_nmis[2].uid, 3);
	assert_int_equal(mi->lapic_nmis[2].lint, 0);
	assert_true(mi->lapic_nmis[2].flags.active_low);

	assert_true(mi->lapic_override);
	assert_int_equal(mi->lapic_address, 0xfee80000);
	assert_true(mi->pcat_compat);

	/* iasl cannot mark an x2APIC entry online-capable: patch the last CPU's flags. */
	assert_int_equal(rd32(tbl + 0xd6), 1);
	wr32(tbl + 0xd6, 2);
	assert_int_equal(acpi_madt_parse(tbl, len, mi, &why), 0);
	assert_false(mi->cpus[3].enabled);
	assert_true(mi->cpus[3].online_capable);
	/* Bit 1 is reserved when the CPU is enabled: enabled wins. */
	wr32(tbl + 0xd6, 3);
	assert_int_equal(acpi_madt_parse(tbl, len, mi, &why), 0);
	assert_true(mi->cpus[3].enabled);
	assert_false(mi->cpus[3].online_capable);
	free(tbl);
	free(mi);
}

static void test_iasl_fadt(void **state)
{
	struct acpi_fadt_info fi;
	const char *why = NULL;
	uint8_t *tbl;
	size_t len;

	(void)state;
	tbl = load_table("iasl/fadt-reset.aml", &len);
	assert_int_equal(len, 276);
	assert_int_equal(acpi_fadt_parse(tbl, len, &fi, &why), 0);
	assert_int_equal(fi.revision, 6);
	assert_true(fi.reset_valid);
	assert_io(&fi.reset_reg, 0xcf9, 8);
	assert_int_equal(fi.reset_reg.access_size, 1);
	assert_int_equal(fi.reset_value, 6);
	/* X_PM1a_CNT_BLK (0x1804) wins over PM1a_CNT_BLK (0x604)... */
	assert_io(&fi.pm1a_cnt, 0x1804, 16);
	/* ...but a zero X_PM1b_CNT_BLK leaves the 32-bit block, sized by PM1_CNT_LEN. */
	assert_io(&fi.pm1b_cnt, 0x704, 16);
	assert_int_equal(fi.dsdt, 0x123456000ull);
	assert_int_equal(fi.facs, 0x7fd000);
	assert_int_equal(fi.boot_flags, ACPI_BOOT_8042 | ACPI_BOOT_NO_VGA | ACPI_BOOT_NO_CMOS_RTC);
	assert_true(fi.has_8042);
	assert_true(fi.no_vga);
	assert_true(fi.no_cmos_rtc);
	assert_int_equal(fi.century, 0x32);
	assert_int_equal(fi.sci_irq, 9);
	assert_int_equal(fi.acpi_enable, 0xf1);
	assert_int_equal(fi.acpi_disable, 0xf0);
	assert_false(fi.hw_reduced);
	assert_int_equal(fi.sleep_control.address, 0);

	/* Without RESET_REG_SUP the register is not offered. */
	tbl[112 + 1] &= (uint8_t) ~(ACPI_FADT_RESET_REG_SUP >> 8);
	assert_int_equal(acpi_fadt_parse(tbl, len, &fi, &why), 0);
	assert_false(fi.reset_valid);
	/* HW_REDUCED_ACPI. */
	tbl[112 + 2] |= ACPI_FADT_HW_REDUCED >> 16;
	assert_int_equal(acpi_fadt_parse(tbl, len, &fi, &why), 0);
	assert_true(fi.hw_reduced);
	free(tbl);
}

/* Shorter FADTs: each field appears exactly when the length covers it. */
static void test_fadt_short_revisions(void **state)
{
	struct acpi_fadt_info fi;
	const char *why = NULL;
	size_t len, cut;
	uint8_t *full = load_table("iasl/fadt-reset.aml", &len);

	(void)state;
	for (cut = 0; cut <= len; cut++) {
		uint8_t *tbl = malloc(cut ? cut : 1);
		int err;

		memcpy(tbl, full, cut);
		if (cut >= 8)
			wr32(tbl + 4, (uint32_t)cut);
		err = acpi_fadt_parse(tbl, cut, &fi, &why);
		if (cut < 44) {
			assert_int_equal(err, -EINVAL);
			assert_string_equal(why, "too short");
			free(tbl);
			continue;
		}
		assert_int_equal(err, 0);
		assert_int_equal(fi.length, cut);
		assert_int_equal(fi.dsdt, cut >= 148 ? 0x123456000ull : 0x7fe000);
		assert_int_equal(fi.sci_irq, cut >= 48 ? 9 : 0);
		/* PM1a_CNT_BLK needs its length byte at offset 89 for a width. */
		assert_int_equal(fi.pm1a_cnt.address, cut >= 184 ? 0x1804 : cut >= 68 ? 0x604 : 0);
		assert_int_equal(fi.pm1a_cnt.bit_width, cut >= 90 ? 16 : 0);
		assert_int_equal(fi.century, cut >= 109 ? 0x32 : 0);
		assert_int_equal(fi.boot_flags_valid, cut >= 111);
		assert_true(fi.has_8042);
		assert_int_equal(fi.no_vga, cut >= 111);
		assert_int_equal(fi.flags, cut >= 116 ? 0x401 : 0);
		assert_int_equal(fi.reset_valid, cut >= 129);
		assert_int_equal(fi.reset_value, cut >= 129 ? 6 : 0);
		free(tbl);
	}
	/* The length field is believed only when it is smaller than the buffer. */
	wr32(full + 4, 116);
	assert_int_equal(acpi_fadt_parse(full, len, &fi, &why), 0);
	assert_int_equal(fi.length, 116);
	assert_false(fi.reset_valid);
	assert_int_equal(fi.dsdt, 0x7fe000);
	/* The wrong signature. */
	memcpy(full, "FACS", 4);
	assert_int_equal(acpi_fadt_parse(full, len, &fi, &why), -EINVAL);
	assert_string_equal(why, "signature is not FACP");
	free(full);
}

static void sleep_of(const char *file, unsigned int state, int err, uint64_t a, uint64_t b)
{
	struct acpi_sleep_type st;
	const char *why = NULL;
	size_t len;
	uint8_t *tbl = load_table(file, &len);

	assert_int_equal(acpi_aml_sleep_type(tbl, len, state, &st, &why), err);
	assert_int_equal(st.slp_typa, a);
	assert_int_equal(st.slp_typb, b);
	free(tbl);
}

static void test_iasl_sleep(void **state)
{
	(void)state;
	/* BytePrefix, OneOp, ZeroOp; a string "_S5_" and \_S5 references before it. */
	sleep_of("iasl/dsdt-s5-bytes.aml", 5, 0, 5, 7);
	sleep_of("iasl/dsdt-s5-bytes.aml", 4, 0, 6, 6);
	sleep_of("iasl/dsdt-s5-bytes.aml", 3, 0, 1, 1);
	sleep_of("iasl/dsdt-s5-bytes.aml", 0, -ENOENT, 0, 0);
	sleep_of("iasl/dsdt-s5-bytes.aml", 6, -ERANGE, 0, 0);
	/* WordPrefix and DWordPrefix, a root prefix, a two-byte PkgLength. */
	sleep_of("iasl/dsdt-s5-wide.aml", 5, 0, 0x0105, 0x00070006);
	/* QWordPrefix. */
	sleep_of("iasl/dsdt-s5-wide.aml", 4, 0, 0x100000005ull, 1);
	/* A control method is not evaluated. */
	sleep_of("iasl/dsdt-s5-method.aml", 5, -ENOENT, 0, 0);
	sleep_of("iasl/dsdt-s5-method.aml", 3, 0, 1, 1);
}

/* ---- hand-made AML ---- */

/* Build a definition block: header + @body, checksummed, in an exact-size buffer. */
static uint8_t *make_dsdt(const uint8_t *body, size_t body_len, size_t *len)
{
	uint8_t *t = calloc(1, ACPI_HEADER_LEN + body_len);

	assert_non_null(t);
	memcpy(t, "DSDT", 4);
	wr32(t + 4, (uint32_t)(ACPI_HEADER_LEN + body_len));
	t[8] = 2;
	memcpy(t + 10, "CAIRN ", 6);
	memcpy(t + ACPI_HEADER_LEN, body, body_len);
	t[9] = (uint8_t)-sum8(t, ACPI_HEADER_LEN + body_len);
	*len = ACPI_HEADER_LEN + body_len;
	return t;
}

static int sleep_body(const uint8_t *body, size_t body_len, struct acpi_sleep_type *st)
{
	size_t len;
	uint8_t *t = make_dsdt(body, body_len, &len);
	const char *why = NULL;
	int err = acpi_aml_sleep_type(t, len, 5, st, &why);

	free(t);
	return err;
}

/* A \_S5 package whose PkgLength takes @nbytes bytes and spans @pkg_len bytes. */
static void big_package(unsigned int nbytes, uint32_t pkg_len)
{
	size_t body_len = 6 + pkg_len, i;
	uint8_t *body = calloc(1, body_len);
	uint8_t *p = body;
	struct acpi_sleep_type st;

	assert_non_null(body);
	*p++ = 0x08;
	memcpy(p, "_S5_", 4);
	p += 4;
	*p++ = 0x12;
	*p++ = (uint8_t)((nbytes - 1) << 6 | (pkg_len & 0x0f));
	for (i = 1; i < nbytes; i++)
		*p++ = (uint8_t)(pkg_len >> (4 + 8 * (i - 1)));
	*p++ = 2;
	*p++ = 0x0a;
	*p++ = 3;
	*p++ = 0x0a;
	*p++ = 4;
	assert_int_equal(sleep_body(body, body_len, &st), 0);
	assert_int_equal(st.slp_typa, 3);
	assert_int_equal(st.slp_typb, 4);
	/* One byte short of the package: the PkgLength overruns the table. */
	assert_int_equal(sleep_body(body, body_len - 1, &st), -EINVAL);
	free(body);
}

static void test_aml_encodings(void **state)
{
	struct acpi_sleep_type st;

	(void)state;
	big_package(2, 0x100);
	big_package(3, 5000);
	big_package(4, 0x100005);
	{
		/* One element holding both values, as ACPI 1.0 firmware wrote. */
		static const uint8_t b[] = { 0x08, '_',  'S',  '5',  '_', 0x12,
			                     0x05, 0x01, 0x0b, 0x05, 0x07 };

		assert_int_equal(sleep_body(b, sizeof(b), &st), 0);
		assert_int_equal(st.slp_typa, 5);
		assert_int_equal(st.slp_typb, 7);
	}
	{
		/* OnesOp. */
		static const uint8_t b[] = {
			0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0xff, 0x00
		};

		assert_int_equal(sleep_body(b, sizeof(b), &st), 0);
		assert_int_equal(st.slp_typa, UINT64_MAX);
		assert_int_equal(st.slp_typb, 0);
	}
	{
		/* A malformed first definition, then a good one: the good one wins. */
		static const uint8_t b[] = { 0x08, '_',  'S',  '5',  '_', 0x12, 0x03,
			                     0x02, 0x0d, 0x08, '_',  'S', '5',  '_',
			                     0x12, 0x04, 0x02, 0x01, 0x01 };

		assert_int_equal(sleep_body(b, sizeof(b), &st), 0);
		assert_int_equal(st.slp_typa, 1);
	}
}

static void test_aml_malformed(void **state)
{
	static const struct {
		const char *what;
		uint8_t body[16];
		size_t len;
		int err;
	} cases[] = {
		{ "name at the very end", { 0x08, '_', 'S', '5', '_' }, 5, -ENOENT },
		{ "PackageOp at the very end", { 0x08, '_', 'S', '5', '_', 0x12 }, 6, -EINVAL },
		{ "no NameOp", { 0x10, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0, 0 }, 10, -ENOENT },
		{ "not a package", { 0x08, '_', 'S', '5', '_', 0x0a, 0x05 }, 7, -ENOENT },
		{ "PkgLength past the end",
		  { 0x08, '_', 'S', '5', '_', 0x12, 0x3f, 0x02, 0, 0 },
		  10,
		  -EINVAL },
		{ "PkgLength shorter than itself",
		  { 0x08, '_', 'S', '5', '_', 0x12, 0x00, 0x02, 0, 0 },
		  10,
		  -EINVAL },
		{ "PkgLength reserved bits",
		  { 0x08, '_', 'S', '5', '_', 0x12, 0x74, 0x00, 0x02, 0, 0 },
		  11,
		  -EINVAL },
		{ "PkgLength follow bytes missing",
		  { 0x08, '_', 'S', '5', '_', 0x12, 0xc4, 0x00 },
		  8,
		  -EINVAL },
		{ "no NumElements", { 0x08, '_', 'S', '5', '_', 0x12, 0x01 }, 7, -EINVAL },
		{ "zero elements", { 0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00 }, 8, -EINVAL },
		{ "a string element",
		  { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x0d, 'a', 0 },
		  11,
		  -EINVAL },
		{ "BytePrefix cut by the package end",
		  { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00, 0x0a, 0x05 },
		  11,
		  -EINVAL },
		{ "DWordPrefix cut by the table end",
		  { 0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x02, 0x00, 0x0c, 0x05 },
		  11,
		  -EINVAL },
		{ "one element missing",
		  { 0x08, '_', 'S', '5', '_', 0x12, 0x03, 0x02, 0x00 },
		  9,
		  -EINVAL },
	};
	struct acpi_sleep_type st;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		print_message("  %s\n", cases[i].what);
		assert_int_equal(sleep_body(cases[i].body, cases[i].len, &st), cases[i].err);
	}
	/* A buffer shorter than a header, and a header claiming more than the buffer. */
	{
		uint8_t small[8] = { 'D', 'S', 'D', 'T' };
		const char *why;

		assert_int_equal(acpi_aml_sleep_type(small, sizeof(small), 5, &st, &why), -ENOENT);
		assert_int_equal(acpi_aml_sleep_type(NULL, 0, 5, &st, &why), -ENOENT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_iasl_madt_x2apic),     cmocka_unit_test(test_iasl_fadt),
		cmocka_unit_test(test_fadt_short_revisions), cmocka_unit_test(test_iasl_sleep),
		cmocka_unit_test(test_aml_encodings),        cmocka_unit_test(test_aml_malformed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
