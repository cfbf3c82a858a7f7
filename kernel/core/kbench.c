// SPDX-License-Identifier: MIT
/* The in-kernel benchmark runner (see kbench.h). */
#include "core/kbench.h"

#include <lib/string.h>

#include "arch/arch.h"
#include "core/log.h"

extern const struct kbench __start_kbench[], __stop_kbench[];

void kbench_report(const char *what, uint64_t value, const char *unit)
{
	kprintf("bench: %s %llu %s\n", what, (unsigned long long)value, unit);
}

void kbench_report_cycles(const char *what, uint64_t cycles)
{
	kbench_report(what, cycles, "cycles");
	kbench_report(what, cycles * 1000000 / arch_cycles_khz(), "ns");
}

void kbench_run(const char *filter)
{
	const struct kbench *b;

	for (b = __start_kbench; b < __stop_kbench; b++)
		if (strncmp(b->name, filter, strlen(filter)) == 0)
			b->fn();
	kprintf("bench: done\n");
}
