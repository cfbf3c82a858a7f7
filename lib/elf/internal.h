/* SPDX-License-Identifier: MIT */
/*
 * What the two validators of lib/elf share: the kernel-image checks in
 * elf.c and the user-executable checks in exec.c. Private to lib/elf.
 */
#pragma once

#include <lib/elf/elf.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* True when [@off, @off + @len) lies inside a file of @size bytes. */
bool elf_range_ok(size_t size, uint64_t off, uint64_t len);
/* True when [@start, @start + @len) does not run past the top of the address space. */
bool elf_no_wrap(uint64_t start, uint64_t len);
/* True when two non-wrapping ranges of @alen and @blen bytes at @a and @b share a byte. */
bool elf_ranges_overlap(uint64_t a, uint64_t b, uint64_t alen, uint64_t blen);
/* Store @msg in *@why (when @why is not NULL) and return @err. */
int elf_fail(const char **why, const char *msg, int err);
/* Check e_ident, the version and the machine: 0 or -ENOEXEC. */
int elf_check_ident(const uint8_t *data, size_t size, const char **why);
/* Check the program header table's entry size, count and bounds: 0 or -ENOEXEC. */
int elf_check_phdr_table(const struct elf64_ehdr *eh, size_t size, const char **why);
