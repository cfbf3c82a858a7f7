// SPDX-License-Identifier: MIT
/*
 * Host tests of lib/kaslr: the command-line switch, the order and retry
 * counts of the entropy sources, the ranges every random choice stays in
 * (checked over many seeds, with every slot reached), and moving an image
 * with a .kreloc table, including the tables a loader must refuse.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
/* cmocka.h needs the headers above first. */
// clang-format off
#include <cmocka.h>
// clang-format on

#include <cairn/errno.h>

#include <stdlib.h>
#include <string.h>

#include "lib/kaslr/kaslr.h"

#define MIB (1ull << 20)
#define GIB (1ull << 30)

static void cmdline_switch(void **state)
{
	assert_int_equal(kaslr_cmdline_flags(""), BOOT_KASLR_ON);
	assert_int_equal(kaslr_cmdline_flags("ktest loglevel=3"), BOOT_KASLR_ON);
	assert_int_equal(kaslr_cmdline_flags("nokaslr"), 0);
	assert_int_equal(kaslr_cmdline_flags("ktest nokaslr smp_expect=2"), 0);
	assert_int_equal(kaslr_cmdline_flags("kaslr=verbose"), BOOT_KASLR_ON | BOOT_KASLR_VERBOSE);
	assert_int_equal(kaslr_cmdline_flags("nokaslr kaslr=verbose"), 0);
	assert_int_equal(kaslr_cmdline_flags("xnokaslr kaslr=verbosex"), BOOT_KASLR_ON);
}

/* A scripted source: fails @fail_first times, then answers @value (forever if fail_first < 0). */
struct script {
	int fail_first;
	unsigned calls;
	uint64_t value;
};

struct fake_cpu {
	struct script seed, rand, fw;
	uint64_t tsc, tsc_step; /* cycles() returns tsc, then adds tsc_step * (calls % 7 + 1) */
	unsigned tsc_calls;
};

static bool run_script(struct script *s, uint64_t *out)
{
	s->calls++;
	if (s->fail_first < 0 || (int)s->calls <= s->fail_first)
		return false;
	*out = s->value;
	return true;
}

static bool fake_rdseed(void *ctx, uint64_t *out)
{
	return run_script(&((struct fake_cpu *)ctx)->seed, out);
}

static bool fake_rdrand(void *ctx, uint64_t *out)
{
	return run_script(&((struct fake_cpu *)ctx)->rand, out);
}

static bool fake_fw(void *ctx, uint64_t *out)
{
	return run_script(&((struct fake_cpu *)ctx)->fw, out);
}

static uint64_t fake_cycles(void *ctx)
{
	struct fake_cpu *c = ctx;

	c->tsc += c->tsc_step * (c->tsc_calls++ % 7 + 1);
	return c->tsc;
}

static struct kaslr_entropy_ops ops_for(struct fake_cpu *c)
{
	return (struct kaslr_entropy_ops){ c, fake_rdseed, fake_rdrand, fake_fw, fake_cycles };
}

static void sources_in_order(void **state)
{
	struct fake_cpu c = { .seed = { 0, 0, 11 }, .rand = { 0, 0, 22 }, .fw = { 0, 0, 33 } };
	struct kaslr_entropy_ops ops = ops_for(&c);
	uint64_t a, b;

	assert_int_equal(kaslr_gather(&ops, &a), BOOT_ENTROPY_RDSEED);
	assert_int_equal(c.rand.calls, 0);
	/* RDSEED failing 99 times still answers; failing always falls through to RDRAND. */
	c = (struct fake_cpu){ .seed = { KASLR_RDSEED_TRIES - 1, 0, 11 } };
	ops = ops_for(&c);
	assert_int_equal(kaslr_gather(&ops, &b), BOOT_ENTROPY_RDSEED);
	assert_int_equal(a, b); /* the same hardware value gives the same seed */
	c = (struct fake_cpu){ .seed = { -1 }, .rand = { KASLR_RDRAND_TRIES - 1, 0, 22 } };
	ops = ops_for(&c);
	assert_int_equal(kaslr_gather(&ops, &b), BOOT_ENTROPY_RDRAND);
	assert_int_equal(c.seed.calls, KASLR_RDSEED_TRIES);
	assert_int_equal(c.rand.calls, KASLR_RDRAND_TRIES);
	assert_true(a != b);
	c = (struct fake_cpu){ .seed = { -1 }, .rand = { -1 }, .fw = { 0, 0, 33 } };
	ops = ops_for(&c);
	assert_int_equal(kaslr_gather(&ops, &b), BOOT_ENTROPY_EFI_RNG);
	assert_int_equal(c.rand.calls, KASLR_RDRAND_TRIES);
	assert_int_equal(c.fw.calls, 1);
	assert_int_equal(c.tsc_calls, 0);
}

static void absent_sources_fall_to_tsc(void **state)
{
	struct fake_cpu c = { .fw = { -1 }, .tsc = 1000, .tsc_step = 3 };
	struct kaslr_entropy_ops ops = { &c, NULL, NULL, fake_fw, fake_cycles };
	uint64_t a, b, d;

	assert_int_equal(kaslr_gather(&ops, &a), BOOT_ENTROPY_TSC);
	assert_true(c.tsc_calls >= 2 * KASLR_TSC_SAMPLES);
	/* The same readings give the same seed; other readings another one. */
	c = (struct fake_cpu){ .fw = { -1 }, .tsc = 1000, .tsc_step = 3 };
	assert_int_equal(kaslr_gather(&ops, &b), BOOT_ENTROPY_TSC);
	assert_int_equal(a, b);
	c = (struct fake_cpu){ .fw = { -1 }, .tsc = 1000, .tsc_step = 4 };
	assert_int_equal(kaslr_gather(&ops, &d), BOOT_ENTROPY_TSC);
	assert_true(a != d);
	ops.firmware = NULL;
	assert_int_equal(kaslr_gather(&ops, &d), BOOT_ENTROPY_TSC);
	assert_string_equal(kaslr_source_name(BOOT_ENTROPY_TSC), "tsc-jitter");
	assert_string_equal(kaslr_source_name(99), "none");
}

static void derived_values_differ(void **state)
{
	assert_int_equal(kaslr_derive(7, 1), kaslr_derive(7, 1));
	assert_true(kaslr_derive(7, 1) != kaslr_derive(7, 2));
	assert_true(kaslr_derive(7, 1) != kaslr_derive(8, 1));
}

/* Every slide is legal, and over enough seeds every slot is used. */
static void image_slides(void **state)
{
	const uint64_t size = 5 * MIB; /* three 2 MiB steps */
	uint64_t slots, dslots, s;
	char *seen;

	assert_int_equal(kaslr_image_slide(1, size, false, &slots) % KASLR_IMAGE_ALIGN, 0);
	kaslr_image_slide(1, size, true, &dslots);
	/* Slot k (image at -2 GiB + k * 2 MiB) for k = 2 .. 1023 - 3; disjoint ones from 1 + 3. */
	assert_int_equal(slots, 1019);
	assert_int_equal(dslots, slots - 2);
	seen = calloc(slots, 1);
	for (uint64_t seed = 0; seed < 40000; seed++) {
		s = kaslr_image_slide(seed, size, false, NULL);
		assert_true(s != 0 && s % KASLR_IMAGE_ALIGN == 0);
		assert_true(CAIRN_KERNEL_LINK_BASE + s + size <= KASLR_IMAGE_TOP);
		seen[s / KASLR_IMAGE_ALIGN - 1] = 1;
		s = kaslr_image_slide(seed, size, true, NULL);
		assert_true(s >= 3 * KASLR_IMAGE_ALIGN);
	}
	for (uint64_t i = 0; i < slots; i++)
		assert_int_equal(seen[i], 1);
	free(seen);
	assert_int_equal(kaslr_image_slide(1, 2 * GIB, false, &slots), 0);
	assert_int_equal(slots, 0);
	assert_int_equal(kaslr_image_slide(1, 0, false, NULL), 0);
}

static void direct_map_bases(void **state)
{
	const uint64_t tib = 1ull << 40, region4 = 64 * tib;
	bool seen[4] = { false };

	for (uint64_t seed = 0; seed < 5000; seed++) {
		uint64_t b4 = kaslr_direct_map_base(seed, 4 * GIB, false);
		uint64_t odd = kaslr_direct_map_base(seed, 3 * GIB + 1, false);
		uint64_t b5 = kaslr_direct_map_base(seed, 1ull << 40, true);
		/* 3 GiB less than the region: exactly four places. */
		uint64_t tight = kaslr_direct_map_base(seed, region4 - 3 * GIB, false);

		assert_true(b4 >= CAIRN_DIRECT_MAP_4LEVEL && b4 % KASLR_DIRECT_ALIGN == 0);
		assert_true(b4 + 4 * GIB <= CAIRN_KVA_BASE);
		assert_true(odd + 4 * GIB <= CAIRN_KVA_BASE && odd % KASLR_DIRECT_ALIGN == 0);
		assert_true(b5 >= CAIRN_DIRECT_MAP_5LEVEL && b5 % KASLR_DIRECT_ALIGN == 0);
		assert_true(b5 + tib <= 0xffff000000000000ull);
		assert_true(tight >= CAIRN_DIRECT_MAP_4LEVEL);
		assert_true(tight - CAIRN_DIRECT_MAP_4LEVEL <= 3 * GIB);
		seen[(tight - CAIRN_DIRECT_MAP_4LEVEL) / GIB] = true;
	}
	for (unsigned i = 0; i < 4; i++)
		assert_true(seen[i]);
	/* Memory that fills the region leaves no choice. */
	assert_int_equal(kaslr_direct_map_base(5, region4, false), CAIRN_DIRECT_MAP_4LEVEL);
	assert_int_equal(kaslr_direct_map_base(5, 0, false) % KASLR_DIRECT_ALIGN, 0);
}

static void stack_and_areas(void **state)
{
	for (uint64_t seed = 0; seed < 5000; seed++) {
		uint64_t off = kaslr_boot_stack_offset(seed, 64 << 10);
		struct kaslr_kva k;

		assert_int_equal(off % BOOT_PAGE_SIZE, 0);
		assert_true(off + BOOT_PAGE_SIZE + (64 << 10) <= CAIRN_KVA_BOOT_STACK_SPAN);
		kaslr_kva_layout(seed, 63 * GIB, 64 * GIB, &k);
		assert_true(k.area_start >= CAIRN_KVA_BASE + CAIRN_KVA_BOOT_STACK_SPAN);
		assert_int_equal(k.area_end - k.area_start, 63 * GIB);
		assert_true(k.area_end <= CAIRN_KVA_BASE + KASLR_KVA_SPAN / 2);
		assert_true(k.heap_base >= CAIRN_KVA_BASE + KASLR_KVA_SPAN / 2);
		assert_true(k.heap_base + 64 * GIB <= CAIRN_KVA_BASE + KASLR_KVA_SPAN);
		assert_int_equal(k.area_start % KASLR_AREA_ALIGN, 0);
		assert_int_equal(k.heap_base % KASLR_AREA_ALIGN, 0);
	}
	assert_int_equal(kaslr_boot_stack_offset(3, CAIRN_KVA_BOOT_STACK_SPAN), 0);
}

/* A small image with two 64-bit and two 32-bit fields, and its table. */
#define IMG_SIZE 8192

struct fixture {
	uint8_t image[IMG_SIZE];
	uint32_t table[6 + 8]; /* header (24 bytes) and offsets */
	size_t table_size;
};

static void put64(uint8_t *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

static void put32(uint8_t *p, int32_t v)
{
	memcpy(p, &v, 4);
}

static void fixture_init(struct fixture *f)
{
	struct cairn_kreloc_header h = { CAIRN_KRELOC_MAGIC, 2, 2, 0, CAIRN_KERNEL_LINK_BASE };
	uint32_t offs[4] = { 16, 1001, 40, 4093 }; /* unaligned fields too */

	for (size_t i = 0; i < IMG_SIZE; i++)
		f->image[i] = (uint8_t)(i * 7);
	put64(f->image + 16, CAIRN_KERNEL_LINK_BASE + 100);
	put64(f->image + 1001, CAIRN_KERNEL_LINK_BASE + IMG_SIZE); /* the end itself */
	put32(f->image + 40, (int32_t)(CAIRN_KERNEL_LINK_BASE + 4096));
	put32(f->image + 4093, (int32_t)(CAIRN_KERNEL_LINK_BASE + IMG_SIZE + 4095));
	memcpy(f->table, &h, sizeof(h));
	memcpy(f->table + 6, offs, sizeof(offs));
	f->table_size = sizeof(h) + sizeof(offs);
}

static void kreloc_moves_listed_fields(void **state)
{
	static struct fixture f, orig;
	const char *why = NULL;
	uint64_t v64;
	int32_t v32;

	fixture_init(&f);
	orig = f;
	assert_int_equal(kreloc_check(f.table, f.table_size, f.image, IMG_SIZE, &why), 0);
	kreloc_apply(f.table, f.image, 0x3e600000);
	memcpy(&v64, f.image + 16, 8);
	assert_true(v64 == CAIRN_KERNEL_LINK_BASE + 0x3e600000 + 100);
	memcpy(&v64, f.image + 1001, 8);
	assert_true(v64 == CAIRN_KERNEL_LINK_BASE + 0x3e600000 + IMG_SIZE);
	memcpy(&v32, f.image + 40, 4);
	assert_true((uint64_t)(int64_t)v32 == CAIRN_KERNEL_LINK_BASE + 0x3e600000 + 4096);
	memcpy(&v32, f.image + 4093, 4);
	assert_true((uint64_t)(int64_t)v32 ==
	            CAIRN_KERNEL_LINK_BASE + 0x3e600000 + IMG_SIZE + 4095);
	/* Nothing else changed. */
	for (size_t i = 0; i < IMG_SIZE; i++) {
		bool listed = (i >= 16 && i < 24) || (i >= 1001 && i < 1009) ||
		              (i >= 40 && i < 44) || (i >= 4093 && i < 4097);

		if (!listed)
			assert_int_equal(f.image[i], orig.image[i]);
	}
}

/* Each broken table is refused, and the image is left alone. */
static void kreloc_refuses_bad_tables(void **state)
{
	static struct fixture f;
	const char *why;
	uint32_t bad;

	fixture_init(&f);
	assert_int_equal(kreloc_check(f.table, 16, f.image, IMG_SIZE, &why), -ENOEXEC);
	assert_int_equal(
		kreloc_check((uint8_t *)f.table + 1, f.table_size, f.image, IMG_SIZE, &why),
		-ENOEXEC);
	f.table[0] ^= 1; /* magic */
	assert_int_equal(kreloc_check(f.table, f.table_size, f.image, IMG_SIZE, &why), -ENOEXEC);
	fixture_init(&f);
	f.table[4] ^= 0x200000; /* link base */
	assert_int_equal(kreloc_check(f.table, f.table_size, f.image, IMG_SIZE, &why), -ENOEXEC);
	fixture_init(&f);
	f.table[2] = 0xffffffffu; /* count32 past the section, without overflowing */
	assert_int_equal(kreloc_check(f.table, f.table_size, f.image, IMG_SIZE, &why), -ENOEXEC);
	fixture_init(&f);
	assert_int_equal(kreloc_check(f.table, f.table_size - 4, f.image, IMG_SIZE, &why),
	                 -ENOEXEC);
	fixture_init(&f);
	bad = IMG_SIZE - 4; /* a 64-bit field half outside */
	memcpy(&f.table[6], &bad, 4);
	assert_int_equal(kreloc_check(f.table, f.table_size, f.image, IMG_SIZE, &why), -ENOEXEC);
	assert_non_null(strstr(why, "outside"));
	fixture_init(&f);
	put64(f.image + 16, 0x200000); /* a physical address: not a field to move */
	assert_int_equal(kreloc_check(f.table, f.table_size, f.image, IMG_SIZE, &why), -ENOEXEC);
	fixture_init(&f);
	put32(f.image + 40, (int32_t)(CAIRN_KERNEL_LINK_BASE + IMG_SIZE + KASLR_IMAGE_ALIGN));
	assert_int_equal(kreloc_check(f.table, f.table_size, f.image, IMG_SIZE, &why), -ENOEXEC);
	assert_non_null(strstr(why, "address"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cmdline_switch),
		cmocka_unit_test(sources_in_order),
		cmocka_unit_test(absent_sources_fall_to_tsc),
		cmocka_unit_test(derived_values_differ),
		cmocka_unit_test(image_slides),
		cmocka_unit_test(direct_map_bases),
		cmocka_unit_test(stack_and_areas),
		cmocka_unit_test(kreloc_moves_listed_fields),
		cmocka_unit_test(kreloc_refuses_bad_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
