/* SPDX-License-Identifier: MIT */
/*
 * ELF64 validation and inspection for loading the kernel: every header,
 * program header and section header is bounds-checked against the file
 * before it is used, so a truncated or hostile file gets an error with a
 * reason, never an out-of-bounds read.
 */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ELF64 definitions (System V gABI, ELF-64 Object File Format 1.5). */
#define ELF_ET_EXEC      2
#define ELF_ET_DYN       3
#define ELF_PT_LOAD      1
#define ELF_PT_DYNAMIC   2
#define ELF_PT_INTERP    3
#define ELF_PT_NOTE      4
#define ELF_PT_PHDR      6
#define ELF_PT_TLS       7
#define ELF_PT_GNU_STACK 0x6474e551u /* GNU extension: the stack's permissions */
#define ELF_PF_X         1
#define ELF_PF_W         2
#define ELF_PF_R         4
#define ELF_EM_X86_64    62

struct elf64_ehdr {
	unsigned char e_ident[16];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

struct elf64_shdr {
	uint32_t sh_name;
	uint32_t sh_type;
	uint64_t sh_flags;
	uint64_t sh_addr;
	uint64_t sh_offset;
	uint64_t sh_size;
	uint32_t sh_link;
	uint32_t sh_info;
	uint64_t sh_addralign;
	uint64_t sh_entsize;
};

/* A validated view of an ELF file held in memory. */
struct elf_file {
	const uint8_t *data;
	size_t size;
	const struct elf64_ehdr *ehdr;
	const struct elf64_phdr *phdrs; /* ehdr->e_phnum entries, in bounds */
	const struct elf64_shdr *shdrs; /* NULL when the file has no section table */
};

/*
 * Check that @data (@size bytes) is an ELF64 little-endian x86_64
 * executable whose PT_LOAD segments lie inside the file, have
 * p_filesz <= p_memsz, do not wrap, and do not overlap each other in
 * virtual or physical memory. On success fills @elf and returns 0; on
 * failure returns a negative errno and points *@why at a static message
 * such as "segment 2 overlaps segment 1".
 */
int elf_validate(struct elf_file *elf, const void *data, size_t size, const char **why);

/*
 * Find the section called @name. Returns a pointer to its bytes inside the
 * file and stores its size, or NULL when there is no such section (or the
 * section table or its name table is malformed: then the file is treated
 * as having no sections).
 */
const void *elf_find_section(const struct elf_file *elf, const char *name, size_t *size);

/*
 * User executables (exec.c). Addresses are the link-time ones; a
 * position-independent (ET_DYN) file is loaded at a base the caller picks
 * and every address below moves by it.
 */
#define ELF_EXEC_PAGE      4096ull
#define ELF_EXEC_MIN_VADDR 0x10000ull   /* lowest user address a fixed segment may use */
#define ELF_EXEC_MAX_ALIGN (2ull << 20) /* larger p_align values are treated as this */
#define ELF_INTERP_MAX     4096ull      /* PT_INTERP's bytes at most, NUL included (PATH_MAX) */

struct elf_exec {
	struct elf_file file; /* the validated file */
	bool pie;             /* ET_DYN: static-PIE, loaded at a chosen base */
	uint64_t lo, hi;      /* page-aligned span [lo, hi) of the PT_LOAD segments */
	uint64_t align;       /* base alignment a PIE needs: largest p_align, page..MAX_ALIGN */
	uint64_t entry;       /* e_entry, inside an executable PT_LOAD */
	uint64_t phdr_vaddr; /* the program headers in memory (PT_PHDR or derived); 0: not loaded */
	bool exec_stack;     /* PT_GNU_STACK asks for an executable stack (or is absent) */
	/* The first PT_INTERP: the interpreter's path, p_filesz bytes at p_offset (NUL last). */
	bool interp;         /* the program names one (dynamically linked) */
	uint64_t interp_off; /* its file offset, in bounds */
	uint64_t interp_len; /* its length, NUL included: 2..ELF_INTERP_MAX */
};

/*
 * Check that @data (@size bytes) is an ELF64 x86_64 executable (ET_EXEC
 * or ET_DYN, static or naming an interpreter) that can be loaded below
 * @user_top, and describe it in @x. Returns 0; -EINVAL (Linux's answer for
 * a segment whose p_filesz exceeds p_memsz, whose size or end passes
 * @user_top, or whose file offset and address differ modulo the page
 * size); -ENOEXEC for everything else (truncated, not x86_64, not
 * ET_EXEC/ET_DYN, segments past the end of the file, overlapping or out of
 * order, entry point outside every executable segment, a PT_INTERP shorter
 * than 2 bytes, longer than ELF_INTERP_MAX or past the end of the file, as
 * Linux's load_elf_binary()). The interpreter's path is only located: its
 * bytes may lie past the headers, so elf_interp_path() checks them once
 * read. On failure *@why (if @why is not NULL) points at a static reason.
 * Pure.
 */
int elf_validate_exec(struct elf_exec *x, const void *data, size_t size, uint64_t user_top,
                      const char **why);
/*
 * elf_validate_exec() of a file of @file_size bytes of which only the
 * first @avail are at @data (exec reads the headers, not the whole file):
 * the file and program headers must lie in those bytes (-ENOEXEC if not),
 * the segments are checked against @file_size. x->file.data then holds
 * only the headers and x->file.size is @file_size.
 */
int elf_validate_exec_headers(struct elf_exec *x, const void *data, size_t avail,
                              uint64_t file_size, uint64_t user_top, const char **why);

/*
 * The interpreter's path of @x, its x->interp_len bytes read into @path:
 * 0 when the last byte is the NUL (Linux's check; the path is then the C
 * string at @path), else -ENOEXEC with *@why set.
 */
int elf_interp_path(const struct elf_exec *x, const char *path, const char **why);

/*
 * elf_validate_exec_headers() for the interpreter a program named (the
 * dynamic linker, loaded beside it): -ELIBBAD when it is no ELF64 x86_64
 * file at all or names an interpreter itself (Linux gives ELIBBAD for the
 * first and ignores the second; an interpreter of an interpreter is
 * refused here rather than silently not loaded), else what
 * elf_validate_exec_headers() returns.
 */
int elf_validate_interp(struct elf_exec *x, const void *data, size_t avail, uint64_t file_size,
                        uint64_t user_top, const char **why);
