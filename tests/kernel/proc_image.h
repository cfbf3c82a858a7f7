/* SPDX-License-Identifier: MIT */
/*
 * An ELF file in memory around one of the small test programs
 * (proc_progs.h, sig_progs.h): the header, one R+X PT_LOAD and the code
 * at PROC_IMAGE_CODE. The process, signal, exec and /proc tests run it
 * with proc_spawn_image() or write it into the tree; the tests of corrupt
 * files change its headers after building it.
 */
#pragma once

#include <lib/elf/elf.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tests/kernel/proc_progs.h"

#define PROC_IMAGE_VA   0x400000ull /* where an ET_EXEC image is linked */
#define PROC_IMAGE_CODE 0x100u      /* the code's offset in the file and the segment */
#define PROC_IMAGE_MAX  4096u

struct proc_image {
	size_t size; /* bytes of the file */
	union {
		uint64_t align;
		uint8_t b[PROC_IMAGE_MAX];
	};
};

/* Wrap @p in an ET_EXEC file (or, @pie, an ET_DYN linked at 0); a test fails if it does not fit. */
void proc_image_build(struct proc_image *im, const struct proc_prog *p, bool pie);
struct elf64_ehdr *proc_image_ehdr(struct proc_image *im);
struct elf64_phdr *proc_image_phdr(struct proc_image *im);
