/* SPDX-License-Identifier: MIT */
/*
 * What the host tests of lib/elf/elf.c share (tests/host/elf_helpers.c): a small
 * ELF image built in memory, to be broken one field at a time, and the
 * validation of an exact-size heap copy of it, so ASan sees any read past the end.
 */
#pragma once

#include <lib/elf/elf.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Offsets of the section names in the .shstrtab that build_elf() writes. */
enum { NAME_SHSTRTAB = 1, NAME_CONFIG = 11, NAME_TEXT = 25, NAME_BSS = 31 };

/* @img's ELF header, its program header @i and its section header @i, to edit in place. */
struct elf64_ehdr *ehdr(struct image *img);
struct elf64_phdr *phdr(struct image *img, unsigned int i);
struct elf64_shdr *shdr(struct image *img, unsigned int i);

/*
 * Build a valid x86_64 executable with @nseg PT_LOAD segments (at most 8):
 * segment 0 is R+X code holding the entry point, the others R+W data, each
 * SEG_FILESZ bytes in the file and SEG_MEMSZ in memory, laid out back to
 * back in virtual and physical memory. Adds a section table if @sections.
 */
void build_elf(struct image *img, unsigned int nseg, bool sections);

/* Validate a copy of the first @len bytes of @img in a heap buffer of exactly that size. */
int validate_len(const struct image *img, size_t len, const char **why);
/* The same for the whole of @img. */
int validate(const struct image *img, const char **why);

/* Expect @img to be refused with -ENOEXEC and the message @msg. */
void expect_reject(const struct image *img, const char *msg);
