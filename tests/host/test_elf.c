/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/elf/elf.c. Each test builds a small ELF image in memory,
 * breaks one thing about it and checks the error and its message; random
 * mutation tests then throw thousands of corrupted and truncated copies at
 * the validator, each in an exact-size heap buffer so ASan sees any
 * out-of-bounds read.
 */
#include <cairn/errno.h>

#include <lib/elf/elf.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#define IMG_MAX      8192
#define SEG_OFF      0x200 /* file offset of segment 0's bytes */
#define SEG_STRIDE   0x100 /* file bytes between segments */
#define SEG_FILESZ   0x80
#define SEG_MEMSZ    0x1000
#define SEG_VADDR    0xffffffff80000000ull
#define SEG_PADDR    0x100000ull
#define CONFIG_SIZE  40
#define SHT_PROGBITS 1
#define SHT_STRTAB   3
#define SHT_NOBITS   8

/* An ELF image under construction, aligned like a loader's buffer. */
struct image {
	size_t size;
	union {
		uint64_t align;
		uint8_t bytes[IMG_MAX];
	};
};

static const char shstrtab[] = "\0.shstrtab\0.cairn.config\0.text\0.bss";
enum { NAME_SHSTRTAB = 1, NAME_CONFIG = 11, NAME_TEXT = 25, NAME_BSS = 31 };

static struct elf64_ehdr *ehdr(struct image *img)
{
	return (struct elf64_ehdr *)img->bytes;
}

static struct elf64_phdr *phdr(struct image *img, unsigned int i)
{
	return (struct elf64_phdr *)(img->bytes + ehdr(img)->e_phoff) + i;
}

static struct elf64_shdr *shdr(struct image *img, unsigned int i)
{
	return (struct elf64_shdr *)(img->bytes + ehdr(img)->e_shoff) + i;
}

static void set_shdr(struct elf64_shdr *sh, uint32_t name, uint32_t type, uint64_t off,
                     uint64_t size)
{
	memset(sh, 0, sizeof(*sh));
	sh->sh_name = name;
	sh->sh_type = type;
	sh->sh_offset = off;
	sh->sh_size = size;
	sh->sh_addralign = 1;
}

/*
 * Append a section table after the segments: a null section, .shstrtab,
 * .cairn.config (CONFIG_SIZE bytes of 0xc0 + index), .text covering
 * segment 0 and an SHT_NOBITS .bss.
 */
static void add_sections(struct image *img, size_t off)
{
	struct elf64_ehdr *eh = ehdr(img);
	size_t strtab_off = off, config_off = off + 0x40, sh_off = off + 0x80;
	size_t i;

	memcpy(img->bytes + strtab_off, shstrtab, sizeof(shstrtab));
	for (i = 0; i < CONFIG_SIZE; i++)
		img->bytes[config_off + i] = (uint8_t)(0xc0 + i);
	eh->e_shoff = sh_off;
	eh->e_shentsize = sizeof(struct elf64_shdr);
	eh->e_shnum = 5;
	eh->e_shstrndx = 1;
	set_shdr(shdr(img, 0), 0, 0, 0, 0);
	set_shdr(shdr(img, 1), NAME_SHSTRTAB, SHT_STRTAB, strtab_off, sizeof(shstrtab));
	set_shdr(shdr(img, 2), NAME_CONFIG, SHT_PROGBITS, config_off, CONFIG_SIZE);
	set_shdr(shdr(img, 3), NAME_TEXT, SHT_PROGBITS, SEG_OFF, SEG_FILESZ);
	set_shdr(shdr(img, 4), NAME_BSS, SHT_NOBITS, SEG_OFF, 0x100);
	img->size = sh_off + 5 * sizeof(struct elf64_shdr);
}

/*
 * Build a valid x86_64 executable with @nseg PT_LOAD segments (at most 8):
 * segment 0 is R+X code holding the entry point, the others R+W data, each
 * SEG_FILESZ bytes in the file and SEG_MEMSZ in memory, laid out back to
 * back in virtual and physical memory. Adds a section table if @sections.
 */
static void build_elf(struct image *img, unsigned int nseg, bool sections)
{
	struct elf64_ehdr *eh = ehdr(img);
	unsigned int i;

	assert_true(nseg <= 8);
	memset(img, 0, sizeof(*img));
	eh->e_ident[0] = 0x7f;
	memcpy(eh->e_ident + 1, "ELF", 3);
	eh->e_ident[4] = 2; /* ELFCLASS64 */
	eh->e_ident[5] = 1; /* ELFDATA2LSB */
	eh->e_ident[6] = 1; /* EV_CURRENT */
	eh->e_type = 2;     /* ET_EXEC */
	eh->e_machine = ELF_EM_X86_64;
	eh->e_version = 1;
	eh->e_entry = SEG_VADDR + 0x10;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(struct elf64_phdr);
	eh->e_phnum = (uint16_t)nseg;

	for (i = 0; i < nseg; i++) {
		struct elf64_phdr *ph = phdr(img, i);
		size_t j;

		ph->p_type = ELF_PT_LOAD;
		ph->p_flags = i == 0 ? ELF_PF_R | ELF_PF_X : ELF_PF_R | ELF_PF_W;
		ph->p_offset = SEG_OFF + i * SEG_STRIDE;
		ph->p_vaddr = SEG_VADDR + i * SEG_MEMSZ;
		ph->p_paddr = SEG_PADDR + i * SEG_MEMSZ;
		ph->p_filesz = SEG_FILESZ;
		ph->p_memsz = SEG_MEMSZ;
		ph->p_align = 0x1000;
		for (j = 0; j < SEG_FILESZ; j++)
			img->bytes[ph->p_offset + j] = (uint8_t)(i + j);
	}
	img->size = SEG_OFF + nseg * SEG_STRIDE;
	if (sections)
		add_sections(img, img->size);
}

/* Validate a copy of the first @len bytes of @img in a heap buffer of exactly that size. */
static int validate_len(const struct image *img, size_t len, const char **why)
{
	struct elf_file elf;
	uint8_t *copy = malloc(len ? len : 1);
	int err;

	assert_non_null(copy);
	memcpy(copy, img->bytes, len);
	*why = NULL;
	err = elf_validate(&elf, copy, len, why);
	free(copy);
	return err;
}

static int validate(const struct image *img, const char **why)
{
	return validate_len(img, img->size, why);
}

/* Expect @img to be refused with -ENOEXEC and the message @msg. */
static void expect_reject(const struct image *img, const char *msg)
{
	const char *why;

	assert_int_equal(validate(img, &why), -ENOEXEC);
	assert_non_null(why);
	assert_string_equal(why, msg);
}

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
		cmocka_unit_test(test_corrupt_section_table),
		cmocka_unit_test(test_random_mutation),
		cmocka_unit_test(test_random_fields),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
