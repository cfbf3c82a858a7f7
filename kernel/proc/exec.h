/* SPDX-License-Identifier: MIT */
/*
 * What exec's two files share (exec.c loads and commits, exec_stack.c
 * gathers the strings and lays out the new stack). Private to kernel/proc.
 */
#pragma once

#include <lib/elf/elf.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "proc/proc.h"

#define EXEC_STRINGS_MAX (256u * 1024) /* argv and envp bytes, pointers included (E2BIG past it) */
#define EXEC_STRING_MAX  (128u * 1024) /* one string (Linux's MAX_ARG_STRLEN) */
#define EXEC_PATH_MAX    256

/* argv and envp gathered into one kernel buffer: argc strings, then envc. */
struct exec_strings {
	char *buf;      /* NUL-terminated strings back to back */
	size_t len;     /* bytes used */
	size_t cap;     /* bytes allocated */
	int argc, envc; /* how many of each */
};

/* rnd[] of struct exec_layout: words 0-1 are AT_RANDOM, then one per random offset. */
enum { EXEC_RND_PIE = 2, EXEC_RND_STACK, EXEC_RND_MMAP, EXEC_RND_BRK, EXEC_RND_WORDS };

/* The new program as the loader placed it. */
struct exec_layout {
	uintptr_t bias;      /* added to every link-time address (static-PIE) */
	uintptr_t entry;     /* where it starts */
	uintptr_t phdr;      /* AT_PHDR: the program headers in its memory, 0: put on the stack */
	unsigned phnum;      /* AT_PHNUM */
	uintptr_t brk;       /* the break's start */
	uintptr_t stack_top; /* one past the highest stack byte */
	uintptr_t mmap_base; /* mmap() grows down from here */
	uintptr_t sp;        /* the stack pointer it starts with */
	uintptr_t arg_start; /* its argv strings (/proc/PID/cmdline) */
	uintptr_t arg_end;   /* one past them: the envp strings follow */
	uintptr_t env_end;   /* one past the envp strings */
	uint32_t uid, euid, gid, egid;
	/* One draw of the kernel generator per exec: AT_RANDOM's 16 bytes, then one word per offset. */
	uint64_t rnd[EXEC_RND_WORDS];
};

/* Gather @argv and @envp from kernel memory / from user memory. 0, -E2BIG, -EFAULT, -ENOMEM. */
int exec_strings_kernel(struct exec_strings *s, char *const argv[], char *const envp[]);
int exec_strings_user(struct exec_strings *s, uintptr_t argv, uintptr_t envp);
void exec_strings_free(struct exec_strings *s);

/*
 * Write the strings, AT_RANDOM bytes, the platform string, the auxiliary
 * vector, envp, argv and argc below l->stack_top in the active (new)
 * address space, as Linux lays them out; sets l->sp (16-byte aligned,
 * pointing at argc). @x gives the program headers for AT_PHDR's copy.
 * Returns 0, -EFAULT or -ENOMEM.
 */
int exec_build_stack(struct exec_layout *l, const struct exec_strings *s, const char *execfn,
                     const struct elf_exec *x);

/* Whether user address-space randomisation is on (not nokaslr / norandmaps). */
bool exec_randomize(void);
/* @bits (at most 63) of @l's random word @word, or 0 when randomisation is off. */
uint64_t exec_random_bits(const struct exec_layout *l, unsigned word, unsigned bits);

/* Arch hooks for the auxiliary vector (kernel/arch/x86_64/cpu/elf_caps.c). */
uint64_t arch_elf_hwcap(void);
uint64_t arch_elf_hwcap2(void);
const char *arch_elf_platform(void);
uint64_t arch_min_sigstack(void);
