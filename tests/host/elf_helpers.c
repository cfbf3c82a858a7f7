/* SPDX-License-Identifier: MIT */
/*
 * The ELF images the host tests of lib/elf/elf.c start from, and their validation
 * (tests/host/elf_helpers.h).
 */
#include "elf_helpers.h"

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

static const char shstrtab[] = "\0.shstrtab\0.cairn.config\0.text\0.bss";

struct elf64_ehdr *ehdr(struct image *img)
{
	return (struct elf64_ehdr *)img->bytes;
}

struct elf64_phdr *phdr(struct image *img, unsigned int i)
{
	return (struct elf64_phdr *)(img->bytes + ehdr(img)->e_phoff) + i;
}

struct elf64_shdr *shdr(struct image *img, unsigned int i)
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

void build_elf(struct image *img, unsigned int nseg, bool sections)
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

int validate_len(const struct image *img, size_t len, const char **why)
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

int validate(const struct image *img, const char **why)
{
	return validate_len(img, img->size, why);
}

void expect_reject(const struct image *img, const char *msg)
{
	const char *why;

	assert_int_equal(validate(img, &why), -ENOEXEC);
	assert_non_null(why);
	assert_string_equal(why, msg);
}
