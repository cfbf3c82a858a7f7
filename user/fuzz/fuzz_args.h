/* SPDX-License-Identifier: MIT */
/*
 * The system-call fuzzer's choices (fuzz_args.c): which calls it makes,
 * which it never makes and why, and the arguments it hands them: random,
 * boundary (0, -1, 2^63, page-aligned, USER_TOP) and kernel addresses,
 * picked by the argument kinds of kernel/syscall/syscalls.def.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#define FUZZ_SCRATCH_BYTES (64 * 1024) /* the child's own buffer that valid pointers point into */

/* The child's memory the arguments refer to. */
struct fuzz_env {
	uint8_t *scratch;  /* FUZZ_SCRATCH_BYTES, read-write */
	uint64_t unmapped; /* a user page known to be unmapped */
	long self, parent; /* pids the kill family may and may not name */
	uint64_t rng;      /* xorshift state */
	/* The file mode's (fuzz_files.c): descriptors the child opened, its probe folder. */
	int fds[8];
	unsigned nfds, probes;
	char probe_dir[48];
};

uint64_t fuzz_rand(struct fuzz_env *e);

/* A call number to make next: mostly from the table, sometimes out of it. */
long fuzz_pick_call(struct fuzz_env *e);

/* Whether @nr is never made (see fuzz_args.c for each reason). */
bool fuzz_excluded(long nr);

/* Whether @nr may unmap or protect memory (the scratch buffer is mapped again after it). */
bool fuzz_changes_memory(long nr);

/*
 * The table's kind of argument @i of @nr, as a letter: 'S' a string, 'F' a
 * descriptor, 'O' open flags, 'M' a mode, 'P' a pointer; 0 for anything else.
 */
char fuzz_arg_kind(long nr, int i);

/* Fill @a with arguments for @nr by its kinds, then make it safe for the run. */
void fuzz_make_args(struct fuzz_env *e, long nr, uint64_t a[6]);
