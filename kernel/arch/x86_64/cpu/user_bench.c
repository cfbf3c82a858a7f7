// SPDX-License-Identifier: MIT
/*
 * Figures of ring 3 (issue 11), measured inside user mode with RDTSC by a
 * small program in a fresh address space, run as a task with no process:
 * the SYSCALL/SYSRET round trip of a call that does nothing (the entry,
 * the exit work and SYSRET, without the dispatcher's table lookup), and a
 * demand-zero page fault taken from ring 3 (the exception path plus
 * uspace_fault()). The program exits with cycles per operation.
 */
#include <cairn/linux/mman.h>

#include <arch/page.h>

#include <stdint.h>

#include "arch/arch.h"
#include "core/kbench.h"
#include "mm/uaccess.h"
#include "mm/uspace.h"
#include "sched/task.h"

#define CODE_VA  0x400000ull
#define STACK_VA 0x800000ull
#define DATA_VA  0x10000000ull
#define PAGES    512 /* must match bench_prog_fault */

/* A program: its bytes in .rodata, copied into the user code page. */
#define BENCH_PROG(name, body)                                                          \
	extern const char name##_start[], name##_end[];                                 \
	__asm__(".pushsection .rodata\n\t.globl " #name "_start, " #name "_end\n" #name \
	        "_start:\n\t" body "\n" #name "_end:\n\t.popsection")

/* R12 = TSC at the start; the loop; exit((TSC - R12) / count). */
#define TSC_START "rdtsc\n\tshlq $32, %rdx\n\torq %rax, %rdx\n\tmovq %rdx, %r12\n\t"
#define TSC_EXIT(count)                                                                       \
	"rdtsc\n\tshlq $32, %rdx\n\torq %rax, %rdx\n\tsubq %r12, %rdx\n\tmovq %rdx, %rax\n\t" \
	"xorl %edx, %edx\n\tmovl $" #count ", %ecx\n\tdivq %rcx\n\tmovq %rax, %rdi\n\t"       \
	"movl $60, %eax\n\tsyscall\n\tud2"

/* getpid (39) from a task with no process: -ENOSYS straight from the entry code. */
BENCH_PROG(bench_prog_syscall, TSC_START "movl $20000, %ebx\n1:\n\tmovl $39, %eax\n\tsyscall\n\t"
                                         "decl %ebx\n\tjnz 1b\n\t" TSC_EXIT(20000));
/* One write to each of 512 untouched pages. */
BENCH_PROG(bench_prog_fault, TSC_START "movl $0x10000000, %esi\n\tmovl $512, %ebx\n"
                                       "1:\n\tmovb $1, (%rsi)\n\taddq $0x1000, %rsi\n\t"
                                       "decl %ebx\n\tjnz 1b\n\t" TSC_EXIT(512));

static int enter(void *arg)
{
	struct task *t = task_current();

	t->space = arg;
	uspace_activate(t->space);
	arch_uframe_init(arch_uframe(t), CODE_VA, STACK_VA + PAGE_SIZE);
	arch_enter_user(arch_uframe(t));
}

static long map(struct uspace *s, uintptr_t va, size_t len, int prot)
{
	return uspace_mmap(s, va, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
}

/* Run the program in a new space from a task on this CPU; its exit value, or -1. */
static int run(const char *start, const char *end)
{
	struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT, .cpu = -1 };
	struct task_result r = { .how = TASK_END_NONE };
	struct uspace *s;
	struct task_handle h;
	int err;

	if (uspace_create(&s))
		return -1;
	err = map(s, CODE_VA, PAGE_SIZE, PROT_READ | PROT_WRITE) < 0 ||
	      map(s, STACK_VA, PAGE_SIZE, PROT_READ | PROT_WRITE) < 0 ||
	      map(s, DATA_VA, PAGES * PAGE_SIZE, PROT_READ | PROT_WRITE) < 0;
	if (!err) {
		uspace_activate(s);
		err = copy_to_user((void *)CODE_VA, start, (size_t)(end - start));
		uspace_activate(NULL);
	}
	if (!err)
		err = uspace_mprotect(s, CODE_VA, PAGE_SIZE, PROT_READ | PROT_EXEC);
	o.affinity = 1ull << 0;
	if (!err && !task_spawn_opts(&h, "user-bench", enter, s, &o))
		err = task_join(h, &r);
	uspace_put(s);
	return !err && r.how == TASK_END_EXITED ? r.value : -1;
}

BENCH(user_syscall_round_trip)
{
	int c = run(bench_prog_syscall_start, bench_prog_syscall_end);

	if (c >= 0)
		kbench_report_cycles("user_syscall_round_trip", (uint64_t)c);
}

BENCH(user_fault_demand_zero)
{
	int c = run(bench_prog_fault_start, bench_prog_fault_end);

	if (c >= 0)
		kbench_report_cycles("user_fault_demand_zero", (uint64_t)c);
}
