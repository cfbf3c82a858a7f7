/* SPDX-License-Identifier: MIT */
/*
 * What the system-call table knows about each Linux x86_64 call, apart
 * from the function that implements it: its name, how many arguments it
 * takes, how strace prints each one and which part of the kernel owns it.
 * Built from kernel/syscall/syscalls.def, the one table, so the kernel's
 * dispatcher and ENOSYS log, strace, the fuzzer and docs/syscalls.md all
 * agree. Pure data: no kernel header.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* How strace prints an argument (the kinds of syscalls.def). */
enum sysent_kind {
	SYSARG__ = 0, /* no argument */
	SYSARG_I,     /* signed int, decimal */
	SYSARG_U,     /* unsigned long, decimal */
	SYSARG_X,     /* hexadecimal */
	SYSARG_P,     /* pointer: NULL or hexadecimal */
	SYSARG_S,     /* C string in user memory */
	SYSARG_FD,    /* file descriptor, AT_FDCWD by name */
	SYSARG_OFL,   /* open(2) flags */
	SYSARG_MODE,  /* file mode, octal */
	SYSARG_PROT,  /* mmap(2) protection */
	SYSARG_MAPF,  /* mmap(2) flags */
	SYSARG_CLONE, /* clone(2) flags */
	SYSARG_SIG,   /* signal number */
	SYSARG_FUTEX, /* futex(2) operation */
	SYSARG_CLK,   /* clock id */
	SYSARG_NKINDS,
};

/* Which lane of issue 11 implements a call; NONE: it answers -ENOSYS. */
enum sysent_owner {
	SYSOWN_NONE = 0,
	SYSOWN_SYS,
	SYSOWN_MM,
	SYSOWN_ARCH,
	SYSOWN_SIG,
	SYSOWN_PROC,
};

#define SYSENT_MAX_ARGS 6

struct sysent {
	const char *name;              /* Linux's name, NULL for a number never assigned */
	uint8_t nargs;                 /* 0..6 */
	uint8_t owner;                 /* enum sysent_owner */
	uint8_t kind[SYSENT_MAX_ARGS]; /* enum sysent_kind, SYSARG__ past nargs */
};

/* One past the highest Linux x86_64 number in the table. */
#define SYSENT_COUNT 463

/* The entry of call @nr, or NULL when @nr is out of range or never assigned. */
const struct sysent *sysent_lookup(long nr);

/* The number of the call named @name, or -1. Linear: for tools and the shell. */
long sysent_find(const char *name);
