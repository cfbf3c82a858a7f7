/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/elf/elf.c: the ELF and program headers. Each test builds a
 * small ELF image (tests/host/elf_helpers.h), breaks one thing about it and
 * checks the error and its message.
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

static void test_valid_minimal(void **state)
{
	struct image img;
	struct elf_file elf;
	const char *why = "untouched";
	size_t size = 0;

	build_elf(&img, 1, false);
	assert_int_equal(elf_validate(&elf, img.bytes, img.size, &why), 0);
	assert_string_equal(why, "untouched");
	assert_ptr_equal(elf.data, img.bytes);
	assert_int_equal(elf.size, img.size);
	assert_ptr_equal(elf.ehdr, img.bytes);
	assert_ptr_equal(elf.phdrs, img.bytes + 64);
	assert_null(elf.shdrs);
	assert_null(elf_find_section(&elf, ".cairn.config", &size));
	assert_int_equal(elf_validate(&elf, img.bytes, img.size, NULL), 0);
}

static void test_valid_with_sections(void **state)
{
	struct image img;
	struct elf_file elf;
	const uint8_t *cfg;
	const char *why;
	size_t size = 0, i;

	build_elf(&img, 4, true);
	assert_int_equal(elf_validate(&elf, img.bytes, img.size, &why), 0);
	assert_non_null(elf.shdrs);
	cfg = elf_find_section(&elf, ".cairn.config", &size);
	assert_non_null(cfg);
	assert_int_equal(size, CONFIG_SIZE);
	for (i = 0; i < CONFIG_SIZE; i++)
		assert_int_equal(cfg[i], 0xc0 + i);
	assert_ptr_equal(elf_find_section(&elf, ".text", &size), img.bytes + SEG_OFF);
	assert_int_equal(size, SEG_FILESZ);
	assert_non_null(elf_find_section(&elf, ".shstrtab", NULL));
	assert_null(elf_find_section(&elf, ".bss", &size)); /* no bytes in the file */
	assert_null(elf_find_section(&elf, ".cairn", &size));
	assert_null(elf_find_section(&elf, ".cairn.config.x", &size));
	assert_null(elf_find_section(&elf, ".data", &size));
	assert_null(elf_find_section(NULL, ".text", &size));
	assert_null(elf_find_section(&elf, NULL, &size));
}

/* Non-PT_LOAD program headers are neither bounds- nor overlap-checked. */
static void test_non_load_ignored(void **state)
{
	struct image img;
	const char *why;

	build_elf(&img, 2, false);
	phdr(&img, 1)->p_type = ELF_PT_NOTE;
	phdr(&img, 1)->p_vaddr = SEG_VADDR;
	phdr(&img, 1)->p_offset = UINT64_MAX;
	assert_int_equal(validate(&img, &why), 0);
}

static void test_truncated(void **state)
{
	static const size_t header_lens[] = { 0, 1, 3, 4, 5, 16, 32, 63 };
	struct image img;
	const char *why;
	size_t i, len;

	build_elf(&img, 2, false);
	for (i = 0; i < sizeof(header_lens) / sizeof(header_lens[0]); i++) {
		assert_int_equal(validate_len(&img, header_lens[i], &why), -ENOEXEC);
		assert_string_equal(why, "truncated header");
	}
	/* Cut inside the program header table, including mid-entry. */
	for (len = 64; len < 64 + 2 * 56; len += 9) {
		assert_int_equal(validate_len(&img, len, &why), -ENOEXEC);
		assert_string_equal(why, "program headers extend past end of file");
	}
	/* Cut inside the last segment's bytes. */
	for (len = 64 + 2 * 56; len < img.size - SEG_STRIDE + SEG_FILESZ; len += 7) {
		assert_int_equal(validate_len(&img, len, &why), -ENOEXEC);
		assert_string_equal(why, "segment extends past end of file");
	}
	assert_int_equal(validate_len(&img, SEG_OFF + SEG_STRIDE + SEG_FILESZ, &why), 0);
}

static void test_not_elf(void **state)
{
	static const char text[] = "#!/bin/sh\n# A shell script, not a kernel image.\necho hello\n"
				   "exit 0\n";
	static const char mz[] = "MZ";
	union {
		uint64_t align;
		char bytes[128];
	} buf;
	struct elf_file elf;
	const char *why;
	struct image img;

	memcpy(buf.bytes, text, sizeof(text));
	assert_int_equal(elf_validate(&elf, buf.bytes, sizeof(text) - 1, &why), -ENOEXEC);
	assert_string_equal(why, "not an ELF file");
	memcpy(buf.bytes, mz, sizeof(mz));
	assert_int_equal(elf_validate(&elf, buf.bytes, 2, &why), -ENOEXEC);
	assert_string_equal(why, "not an ELF file");

	build_elf(&img, 1, false);
	img.bytes[3] = 'f';
	expect_reject(&img, "not an ELF file");
}

static void test_ident_fields(void **state)
{
	struct image img;

	build_elf(&img, 1, false);
	img.bytes[4] = 1; /* ELFCLASS32 */
	expect_reject(&img, "not a 64-bit ELF");

	build_elf(&img, 1, false);
	img.bytes[5] = 2; /* ELFDATA2MSB */
	expect_reject(&img, "not little-endian");

	build_elf(&img, 1, false);
	img.bytes[6] = 0;
	expect_reject(&img, "unknown ELF version");

	build_elf(&img, 1, false);
	ehdr(&img)->e_version = 2;
	expect_reject(&img, "unknown ELF version");
}

static void test_type_and_machine(void **state)
{
	struct image img;

	build_elf(&img, 1, false);
	ehdr(&img)->e_type = 3; /* ET_DYN */
	expect_reject(&img, "not an executable");

	build_elf(&img, 1, false);
	ehdr(&img)->e_machine = 3; /* EM_386 */
	expect_reject(&img, "wrong machine (not x86_64)");

	build_elf(&img, 1, false);
	ehdr(&img)->e_machine = 183; /* EM_AARCH64 */
	expect_reject(&img, "wrong machine (not x86_64)");
}

static void test_phdr_table(void **state)
{
	struct image img;

	build_elf(&img, 1, false);
	ehdr(&img)->e_phentsize = 32;
	expect_reject(&img, "bad program header size");

	build_elf(&img, 1, false);
	ehdr(&img)->e_phentsize = 64;
	expect_reject(&img, "bad program header size");

	build_elf(&img, 1, false);
	ehdr(&img)->e_phnum = 0;
	expect_reject(&img, "no program headers");

	build_elf(&img, 1, false);
	ehdr(&img)->e_phnum = 0xffff;
	expect_reject(&img, "too many program headers");

	build_elf(&img, 1, false);
	ehdr(&img)->e_phnum = 30; /* 30 * 56 bytes run past the 0x300-byte file */
	expect_reject(&img, "program headers extend past end of file");

	build_elf(&img, 1, false);
	ehdr(&img)->e_phoff = UINT64_MAX - 8;
	expect_reject(&img, "program headers extend past end of file");

	build_elf(&img, 1, false);
	memmove(img.bytes + 68, img.bytes + 64, sizeof(struct elf64_phdr));
	ehdr(&img)->e_phoff = 68;
	expect_reject(&img, "misaligned program headers");
}

static void test_segment_past_eof(void **state)
{
	struct image img;

	build_elf(&img, 2, false);
	phdr(&img, 1)->p_offset = img.size - SEG_FILESZ + 1;
	expect_reject(&img, "segment extends past end of file");

	build_elf(&img, 2, false);
	phdr(&img, 1)->p_offset = UINT64_MAX - 0x10; /* offset + filesz wraps */
	expect_reject(&img, "segment extends past end of file");

	build_elf(&img, 2, false);
	phdr(&img, 1)->p_filesz = UINT64_MAX;
	phdr(&img, 1)->p_memsz = UINT64_MAX;
	expect_reject(&img, "segment extends past end of file");
}

static void test_filesz_exceeds_memsz(void **state)
{
	struct image img;

	build_elf(&img, 2, false);
	phdr(&img, 1)->p_memsz = SEG_FILESZ - 1;
	expect_reject(&img, "segment file size exceeds memory size");
}

static void test_overlap(void **state)
{
	struct image img;
	const char *why;

	build_elf(&img, 3, false);
	phdr(&img, 2)->p_vaddr = SEG_VADDR + SEG_MEMSZ / 2; /* inside segment 0 */
	expect_reject(&img, "segments overlap");

	build_elf(&img, 3, false);
	phdr(&img, 1)->p_vaddr = SEG_VADDR + SEG_MEMSZ - 1; /* last byte of segment 0 */
	phdr(&img, 2)->p_vaddr = SEG_VADDR + 8 * SEG_MEMSZ;
	expect_reject(&img, "segments overlap");

	build_elf(&img, 2, false);
	phdr(&img, 1)->p_vaddr = SEG_VADDR - 0x10; /* segment 1 reaches into segment 0 */
	expect_reject(&img, "segments overlap");

	build_elf(&img, 3, false);
	phdr(&img, 2)->p_paddr = SEG_PADDR + SEG_MEMSZ + 8;
	expect_reject(&img, "segments overlap in physical memory");

	/* Touching is not overlapping, and empty segments overlap nothing. */
	build_elf(&img, 3, false);
	phdr(&img, 2)->p_filesz = 0;
	phdr(&img, 2)->p_memsz = 0;
	phdr(&img, 2)->p_vaddr = SEG_VADDR + 0x10;
	phdr(&img, 2)->p_paddr = SEG_PADDR + 0x10;
	assert_int_equal(validate(&img, &why), 0);
}

static void test_wrapping_address(void **state)
{
	struct image img;
	const char *why;

	build_elf(&img, 2, false);
	phdr(&img, 1)->p_vaddr = UINT64_MAX - 0x10;
	expect_reject(&img, "segment virtual address wraps");

	build_elf(&img, 2, false);
	phdr(&img, 1)->p_paddr = UINT64_MAX - 0x800;
	expect_reject(&img, "segment physical address wraps");

	build_elf(&img, 2, false);
	phdr(&img, 1)->p_memsz = UINT64_MAX;
	expect_reject(&img, "segment virtual address wraps");

	/* A segment ending exactly at the top of the address space is fine. */
	build_elf(&img, 2, false);
	phdr(&img, 1)->p_vaddr = 0 - (uint64_t)SEG_MEMSZ;
	assert_int_equal(validate(&img, &why), 0);
}

static void test_entry(void **state)
{
	struct image img;
	const char *why;

	build_elf(&img, 2, false);
	ehdr(&img)->e_entry = SEG_VADDR + SEG_MEMSZ + 0x10; /* in data segment 1 */
	expect_reject(&img, "entry point not in an executable segment");

	build_elf(&img, 2, false);
	ehdr(&img)->e_entry = SEG_VADDR - 1;
	expect_reject(&img, "entry point not in an executable segment");

	build_elf(&img, 2, false);
	ehdr(&img)->e_entry = SEG_VADDR + SEG_MEMSZ; /* one past the end of code */
	expect_reject(&img, "entry point not in an executable segment");

	build_elf(&img, 2, false);
	ehdr(&img)->e_entry = 0;
	expect_reject(&img, "entry point not in an executable segment");

	build_elf(&img, 2, false);
	ehdr(&img)->e_entry = SEG_VADDR + SEG_MEMSZ - 1; /* last byte of code */
	assert_int_equal(validate(&img, &why), 0);
}

static void test_no_load_segments(void **state)
{
	struct image img;

	build_elf(&img, 2, false);
	phdr(&img, 0)->p_type = ELF_PT_NOTE;
	phdr(&img, 1)->p_type = 6; /* PT_PHDR */
	expect_reject(&img, "no loadable segments");
}

static void test_bad_arguments(void **state)
{
	struct image img;
	struct elf_file elf;
	const char *why = NULL;

	build_elf(&img, 1, false);
	assert_int_equal(elf_validate(NULL, img.bytes, img.size, &why), -EINVAL);
	assert_non_null(why);
	assert_int_equal(elf_validate(&elf, NULL, 64, &why), -EINVAL);
	assert_int_equal(elf_validate(&elf, img.bytes + 4, img.size - 4, &why), -EINVAL);
	assert_string_equal(why, "image not 8-byte aligned");
	assert_int_equal(elf_validate(&elf, NULL, 0, &why), -ENOEXEC);
	assert_string_equal(why, "truncated header");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_minimal),
		cmocka_unit_test(test_valid_with_sections),
		cmocka_unit_test(test_non_load_ignored),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_not_elf),
		cmocka_unit_test(test_ident_fields),
		cmocka_unit_test(test_type_and_machine),
		cmocka_unit_test(test_phdr_table),
		cmocka_unit_test(test_segment_past_eof),
		cmocka_unit_test(test_filesz_exceeds_memsz),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_wrapping_address),
		cmocka_unit_test(test_entry),
		cmocka_unit_test(test_no_load_segments),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
