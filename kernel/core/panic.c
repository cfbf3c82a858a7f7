// SPDX-License-Identifier: MIT
/*
 * Panic reporting: stop the other CPUs, then message (naming the CPU),
 * registers, symbolized backtrace, and stop. A panic inside a test that
 * expects it returns to the test runner instead.
 * Locks: [P] the CPU that won smp_panic_enter().
 */
#include "core/panic.h"

#include <lib/format.h>
#include <lib/list/list.h>

#include <stdarg.h>

#include "arch/arch.h"
#include "core/kmain.h"
#include "core/ksyms.h"
#include "core/ktest.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "sched/task.h"

static int panic_depth; /* [P] */

static void print_frame(uintptr_t pc, void *ctx)
{
	unsigned *n = ctx;
	uintptr_t off;
	const char *name = ksyms_lookup(pc, &off);

	if (name)
		kprintf("  #%u %p %s+0x%lx\n", (*n)++, (void *)pc, name, (unsigned long)off);
	else
		kprintf("  #%u %p ?\n", (*n)++, (void *)pc);
}

void panic_backtrace(uintptr_t fp)
{
	unsigned n = 0;

	kprintf("backtrace:\n");
	arch_backtrace(fp, print_frame, &n);
}

/* Stop for good; a test kernel tells QEMU the run failed. */
static __attribute__((noreturn)) void panic_stop(void)
{
	kprintf("cairn: halted after panic\n");
	if (kernel_test_mode)
		arch_qemu_exit(KERNEL_EXIT_FAIL);
	arch_halt();
}

void panic(const char *fmt, ...)
{
	char msg[256];
	unsigned late;
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A spawned task that may end here ends, reported to its joiner; the kernel goes on. */
	if (panic_depth == 0)
		task_panic_end(msg);
	/* The test runner's jump buffers live on the boot CPU, where the tests run. */
	if (panic_depth == 0 && ktest_active() &&
	    (arch_cpu_index() == 0 || ktest_expects(KTEST_PANIC))) {
		if (!ktest_expects(KTEST_PANIC)) {
			kprintf("\npanic in test: %s\n", msg);
			arch_dump_current_regs();
			panic_backtrace(arch_frame_pointer());
		}
		ktest_on_panic(msg);
	}
	smp_panic_enter();
	if (panic_depth++ > 0) {
		kprintf("panic: nested panic: %s\n", msg);
		arch_halt();
	}
	late = smp_stop_others();
	kprintf("\npanic: %s (cpu %u)\n", msg, arch_cpu_index());
	if (late)
		kprintf("panic: %u other CPU(s) did not stop\n", late);
	arch_dump_current_regs();
	panic_backtrace(arch_frame_pointer());
	panic_stop();
}

void panic_trap(const struct arch_regs *regs, const char *what)
{
	unsigned late;

	smp_panic_enter();
	if (panic_depth++ > 0) {
		kprintf("panic: fault while panicking: %s\n", what);
		arch_halt();
	}
	late = smp_stop_others();
	kprintf("\npanic: %s (cpu %u)\n", what, arch_cpu_index());
	if (late)
		kprintf("panic: %u other CPU(s) did not stop\n", late);
	arch_dump_regs(regs);
	panic_backtrace(arch_regs_frame_pointer(regs));
	panic_stop();
}

/* lib/list's corruption hook: a broken list is a broken kernel invariant. */
void list_corrupt(const char *what, const struct list_node *node)
{
	panic("%s (node %p)", what, (const void *)node);
}
