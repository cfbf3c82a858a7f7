/* SPDX-License-Identifier: MIT */
/*
 * In-kernel benchmarks: BENCH(name) registers a function in the .kbench
 * linker section; the command line "kbench" (or "kbench=prefix") runs them
 * after boot and prints one line per figure,
 *   bench: <name> <value> <unit>
 * which `make bench` collects. Benchmarks are figures, never tests.
 */
#pragma once

#include <stdint.h>

struct kbench {
	const char *name;
	void (*fn)(void);
};

#define BENCH(name)                                                                           \
	static void kbench_fn_##name(void);                                                   \
	static const struct kbench kbench_##name                                              \
		__attribute__((used, section(".kbench"), aligned(8))) = { #name,              \
		                                                          kbench_fn_##name }; \
	static void kbench_fn_##name(void)

/* Print one figure of the running benchmark. */
void kbench_report(const char *what, uint64_t value, const char *unit);
/* Report @cycles twice: in cycles and converted to nanoseconds. */
void kbench_report_cycles(const char *what, uint64_t cycles);

/* Run every benchmark whose name starts with @filter. */
void kbench_run(const char *filter);
