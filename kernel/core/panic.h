/* SPDX-License-Identifier: MIT */
/*
 * panic(): the end of the line for a broken kernel invariant. Prints the
 * message, the registers and a symbolized backtrace, then stops the CPU
 * (or hands control back to the test runner when a test expects it).
 */
#pragma once

#include <stdint.h>

struct arch_regs;

__attribute__((noreturn, format(printf, 1, 2))) void panic(const char *fmt, ...);

/* Panic from a trap: @regs are the registers the CPU saved. */
__attribute__((noreturn)) void panic_trap(const struct arch_regs *regs, const char *what);

/* Print a backtrace starting at frame pointer @fp. */
void panic_backtrace(uintptr_t fp);

#ifdef CAIRN_DEBUG
#define ASSERT(cond)                                                                       \
	do {                                                                               \
		if (!(cond))                                                               \
			panic("assertion failed: %s at %s:%d", #cond, __FILE__, __LINE__); \
	} while (0)
#else
#define ASSERT(cond) ((void)sizeof(cond))
#endif
