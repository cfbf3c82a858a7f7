/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/acpi: a seeded random-mutation loop over the real dumps
 * and over random buffers, which must never crash the parser or read past a
 * table (tests/host/acpi_helpers.h).
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

/* ---- random mutation ---- */

static uint64_t rng_state;

static uint32_t rng(void)
{
	/* xorshift64*: fixed seed, same run every time. */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545f4914f6cdd1dull) >> 32);
}

static void mutate(struct fake_mem *m)
{
	static const uint32_t lengths[] = { 0, 1, 35, 36, 37, 44, 0x100, 0xffff, 0xffffffff };
	unsigned int k, n = 1 + rng() % 6;

	for (k = 0; k < n; k++) {
		struct region *r = &m->r[rng() % m->n];
		unsigned int what = rng() % 10;

		if (what < 6) {
			r->data[rng() % r->len] ^= (uint8_t)(1u << (rng() % 8));
		} else if (what < 8 && r->len >= 8) {
			uint32_t v = lengths[rng() % 9];

			wr32(r->data + 4, v == 0x100 ? (uint32_t)(r->len - rng() % 8) : v);
		} else if (what == 8) {
			r->data[rng() % r->len] = (uint8_t)rng();
		} else if (r->len > 1) {
			/* Shrink the region: the tail of the table becomes unreachable. */
			shrink(r, 1 + rng() % r->len);
		}
	}
	if (rng() % 4)
		fix_all(m);
}

/* Run every entry point; only crashes (ASan, UBSan) and broken invariants fail. */
static void exercise(struct fake_mem *m, struct acpi_madt_info *mi, bool all_states)
{
	struct acpi_mem mem = mem_of(m);
	struct acpi_tables t;
	struct acpi_fadt_info fi;
	struct acpi_hpet_info h;
	struct acpi_mcfg_info mc;
	struct acpi_sleep_type st;
	uint64_t rsdp = 0;
	unsigned int s;
	size_t i;
	int rc = 0;

	for (i = 0; i < m->n; i++) {
		if (strcmp(m->r[i].name, "rsdp.bin") == 0)
			rsdp = m->r[i].phys;
	}
	if (acpi_init(&t, &mem, rsdp) != 0) {
		assert_true(t.nerrors > 0);
		return;
	}
	for (i = 0; i < t.ntables; i++) {
		assert_true(t.tables[i].length >= 36 || strcmp(t.tables[i].sig, "FACS") == 0);
		assert_true(t.tables[i].length <= ACPI_TABLE_MAX_LEN);
		assert_non_null(fake_map(m, t.tables[i].phys, t.tables[i].length));
	}
	/* Each call may fail; it must fail cleanly, with its output in bounds. */
	rc |= acpi_get_madt(&t, mi);
	assert_true(mi->ncpus <= ACPI_MAX_CPUS && mi->nioapics <= ACPI_MAX_IOAPICS);
	rc |= acpi_get_fadt(&t, &fi);
	rc |= acpi_get_hpet(&t, &h);
	rc |= acpi_get_mcfg(&t, &mc);
	assert_true(mc.count <= ACPI_MAX_MCFG);
	for (s = all_states ? 0 : 5; s <= 5; s++)
		rc |= acpi_get_sleep_type(&t, s, &st);
	assert_true(rc <= 0);
}

static void test_random_dumps(void **state)
{
	struct acpi_madt_info *mi = malloc(sizeof(*mi));
	size_t d;
	unsigned int it;

	(void)state;
	assert_non_null(mi);
	rng_state = 0x5eed0acb1ull;
	for (d = 0; d < sizeof(dumps) / sizeof(dumps[0]); d++) {
		struct fake_mem orig;

		load_dump(&orig, dumps[d].dir);
		for (it = 0; it < 4000; it++) {
			struct fake_mem m;

			fake_clone(&m, &orig);
			mutate(&m);
			exercise(&m, mi, it % 16 == 0);
			fake_free(&m);
		}
		fake_free(&orig);
	}
	free(mi);
}

/* The buffer-level parsers on mutated, truncated copies of every table image. */
static void test_random_buffers(void **state)
{
	static const char *const files[] = {
		"q35-seabios/APIC.bin",  "q35-seabios/FACP.bin",    "q35-seabios/HPET.bin",
		"q35-seabios/MCFG.bin",  "pc-seabios/FACP.bin",     "pc-seabios/DSDT.bin",
		"iasl/madt-x2apic.aml",  "iasl/fadt-reset.aml",     "iasl/dsdt-s5-bytes.aml",
		"iasl/dsdt-s5-wide.aml", "iasl/dsdt-s5-method.aml",
	};
	struct acpi_madt_info *mi = malloc(sizeof(*mi));
	size_t f;
	unsigned int it, k;

	(void)state;
	assert_non_null(mi);
	rng_state = 0xacb1f00dull;
	for (f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
		size_t len;
		uint8_t *orig = load_table(files[f], &len);
		unsigned int iters = len > 1024 ? 300 : 3000;
		int rc = 0;

		for (it = 0; it < iters; it++) {
			size_t cut = rng() % 3 ? len : rng() % (len + 1);
			uint8_t *b = malloc(cut ? cut : 1);
			struct acpi_fadt_info fi;
			struct acpi_hpet_info h;
			struct acpi_mcfg_info mc;
			struct acpi_sleep_type st;
			const char *why;

			memcpy(b, orig, cut);
			for (k = rng() % 8; cut && k > 0; k--)
				b[rng() % cut] = (uint8_t)rng();
			if (cut >= 8 && rng() % 4 == 0)
				wr32(b + 4, rng() % 2 ? rng() : (uint32_t)(cut + rng() % 16));
			/* Whatever the signature says, every parser must cope. */
			rc |= acpi_madt_parse(b, cut, mi, &why);
			rc |= acpi_fadt_parse(b, cut, &fi, &why);
			rc |= acpi_hpet_parse(b, cut, &h, &why);
			rc |= acpi_mcfg_parse(b, cut, &mc, &why);
			rc |= acpi_aml_sleep_type(b, cut, rng() % 6, &st, &why);
			if (cut >= 4)
				memcpy(b, orig, 4); /* the real signature again */
			rc |= acpi_madt_parse(b, cut, mi, &why);
			assert_true(rc <= 0);
			free(b);
		}
		free(orig);
	}
	free(mi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_dumps),
		cmocka_unit_test(test_random_buffers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
