/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/elf/elf.c: a broken section table, then random mutation
 * tests that throw thousands of corrupted and truncated copies of a valid
 * image at the validator, each in an exact-size heap buffer so ASan sees any
 * out-of-bounds read.
 */
#include <cairn/errno.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#include "elf_helpers.h"

/* Validate @img, which must pass, and look for .cairn.config in it. */
static const void *find_config(struct image *img, struct elf_file *elf)
{
	const char *why;
	size_t size;

	assert_int_equal(elf_validate(elf, img->bytes, img->size, &why), 0);
	return elf_find_section(elf, ".cairn.config", &size);
}

/* A broken section table makes sections unfindable but the file still loads. */
static void test_corrupt_section_table(void **state)
{
	struct image img;
	struct elf_file elf;

	build_elf(&img, 2, true);
	ehdr(&img)->e_shoff = img.size;
	assert_null(find_config(&img, &elf));
	assert_null(elf.shdrs);

	build_elf(&img, 2, true);
	ehdr(&img)->e_shoff = UINT64_MAX - 0x20;
	assert_null(find_config(&img, &elf));

	build_elf(&img, 2, true);
	ehdr(&img)->e_shentsize = 40;
	assert_null(find_config(&img, &elf));

	build_elf(&img, 2, true);
	ehdr(&img)->e_shnum = 200;
	assert_null(find_config(&img, &elf));

	build_elf(&img, 2, true);
	ehdr(&img)->e_shstrndx = 5;
	assert_null(find_config(&img, &elf));

	build_elf(&img, 2, true);
	ehdr(&img)->e_shstrndx = 0;
	assert_null(find_config(&img, &elf));

	build_elf(&img, 2, true);
	shdr(&img, 1)->sh_offset = img.size - 4; /* name table runs off the end */
	assert_null(find_config(&img, &elf));

	build_elf(&img, 2, true);
	shdr(&img, 1)->sh_size = UINT64_MAX;
	assert_null(find_config(&img, &elf));

	build_elf(&img, 2, true);
	shdr(&img, 1)->sh_type = SHT_NOBITS;
	assert_null(find_config(&img, &elf));

	build_elf(&img, 2, true);
	shdr(&img, 2)->sh_name = 0x7fffffff; /* name offset beyond the table */
	assert_null(find_config(&img, &elf));

	build_elf(&img, 2, true);
	shdr(&img, 1)->sh_size = NAME_CONFIG + 5; /* table ends mid-name: ".cair" */
	assert_null(find_config(&img, &elf));

	build_elf(&img, 2, true);
	shdr(&img, 2)->sh_offset = img.size - 8; /* section bytes run off the end */
	assert_null(find_config(&img, &elf));

	build_elf(&img, 2, true);
	shdr(&img, 2)->sh_size = UINT64_MAX;
	assert_null(find_config(&img, &elf));

	/* The unbroken control still finds it. */
	build_elf(&img, 2, true);
	assert_non_null(find_config(&img, &elf));
}

/* A small fixed-seed generator, so failures reproduce. */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Read every byte of [p, p + n) so that ASan checks the range. */
static unsigned int touch(const uint8_t *p, size_t n)
{
	unsigned int sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += p[i];
	return sum;
}

/*
 * Check what elf_validate() promised about an accepted file: every table
 * and PT_LOAD lies inside it, and found sections do too.
 */
static void check_accepted(const struct elf_file *elf, const uint8_t *data, size_t size)
{
	static const char *const names[] = { ".cairn.config", ".shstrtab", ".text", "", ".bss" };
	const struct elf64_ehdr *eh = elf->ehdr;
	const uint8_t *sec;
	size_t i, secsize;

	assert_ptr_equal(elf->data, data);
	touch((const uint8_t *)elf->phdrs, eh->e_phnum * sizeof(struct elf64_phdr));
	for (i = 0; i < eh->e_phnum; i++) {
		const struct elf64_phdr *ph = &elf->phdrs[i];

		if (ph->p_type == ELF_PT_LOAD) {
			assert_true(ph->p_filesz <= ph->p_memsz);
			touch(data + ph->p_offset, ph->p_filesz);
		}
	}
	if (elf->shdrs)
		touch((const uint8_t *)elf->shdrs, eh->e_shnum * sizeof(struct elf64_shdr));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		sec = elf_find_section(elf, names[i], &secsize);
		if (!sec)
			continue;
		assert_true(sec >= data && secsize <= size &&
		            (size_t)(sec - data) <= size - secsize);
		touch(sec, secsize);
	}
}

/* Validate a heap copy of @len bytes of @src after @flips random byte changes. */
static void mutate_and_check(const struct image *src, size_t len, unsigned int flips, uint64_t *rng)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct elf_file elf;
	const char *why = NULL;
	unsigned int i;
	int err;

	assert_non_null(copy);
	memcpy(copy, src->bytes, len);
	for (i = 0; i < flips && len; i++) {
		uint64_t r = rng_next(rng);
		/* Aim most flips at the headers, where they matter most. */
		size_t at = (r & 3) ? (r >> 8) % (len < 512 ? len : 512) : (r >> 8) % len;

		copy[at] =
			(r & 4) ? (uint8_t)(r >> 40) : copy[at] ^ (uint8_t)(1u << ((r >> 32) & 7));
	}
	err = elf_validate(&elf, copy, len, &why);
	if (err == 0)
		check_accepted(&elf, copy, len);
	else
		assert_true(why != NULL && (err == -ENOEXEC || err == -EINVAL));
	free(copy);
}

/* Thousands of randomly flipped and truncated copies of a valid file. */
static void test_random_mutation(void **state)
{
	struct image img;
	uint64_t rng = 0x6361697266757a7aull;
	unsigned int iter;

	build_elf(&img, 4, true);
	for (iter = 0; iter < 20000; iter++) {
		uint64_t r = rng_next(&rng);
		size_t len = (r & 1) ? img.size : (r >> 16) % (img.size + 1);

		mutate_and_check(&img, len, 1 + (r >> 8) % 8, &rng);
	}
}

/* Header fields set to boundary values, which random bit flips rarely reach. */
static void test_random_fields(void **state)
{
	struct image img;
	uint64_t rng = 12345;
	unsigned int iter;

	for (iter = 0; iter < 20000; iter++) {
		uint64_t r = rng_next(&rng);
		uint64_t v;
		unsigned int k;

		build_elf(&img, 1 + r % 8, true);
		for (k = 0; k < 3; k++) {
			size_t max_off = img.size - 8, at;

			r = rng_next(&rng);
			switch (r % 6) {
			case 0:
				v = 0;
				break;
			case 1:
				v = UINT64_MAX;
				break;
			case 2:
				v = img.size + (r >> 8) % 16 - 8;
				break;
			case 3:
				v = (uint64_t)1 << ((r >> 8) % 64);
				break;
			case 4:
				v = SEG_VADDR + (r >> 8) % 0x10000;
				break;
			default:
				v = r >> 3;
				break;
			}
			/* Overwrite an 8-byte-aligned 1, 2, 4 or 8-byte field. */
			at = ((r >> 20) % (max_off < 1024 ? max_off : 1024)) & ~(size_t)7;
			memcpy(img.bytes + at + ((r >> 40) & 4), &v, (size_t)1 << ((r >> 44) % 4));
		}
		mutate_and_check(&img, img.size, 0, &rng);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corrupt_section_table),
		cmocka_unit_test(test_random_mutation),
		cmocka_unit_test(test_random_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
