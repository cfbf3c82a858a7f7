/* SPDX-License-Identifier: MIT */
/* The name tables of lib/strace (names.c), shared by the formatter and its tests. */
#pragma once

#include <stdint.h>

struct strace_flag {
	uint32_t bit;
	const char *name; /* NULL ends a table */
};

extern const struct strace_flag strace_prot_flags[];
extern const struct strace_flag strace_map_flags[];
extern const struct strace_flag strace_open_flags[];
extern const struct strace_flag strace_clone_flags[];
extern const char *const strace_futex_ops[14];
extern const char *const strace_clock_names[12];

/* The name of errno @err (1..133, 512..516) or NULL. */
const char *strace_errno_name(long err);
/* The name of standard signal @sig (1..31) or NULL. */
const char *strace_signal_name_std(int sig);
