// SPDX-License-Identifier: MIT
/*
 * Ring 3 over a real address space from kernel/mm: a task with
 * task->space set enters user mode, its page faults are resolved by
 * uspace_fault() (demand zero) or become SIGSEGV, and the kernel's own
 * copies fault pages in through the exception fix-up path. The space is
 * loaded by the boot CPU's pinned flow for the kernel-side checks.
 */
#include <cairn/errno.h>
#include <cairn/linux/mman.h>
#include <cairn/linux/signal.h>

#include <arch/page.h>

#include <stdint.h>

#include "arch/arch.h"
#include "core/ktest.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "irq/irq.h"
#include "mm/uaccess.h"
#include "mm/uspace.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "tests/kernel/arch/x86_64/uenv.h"

#define DATA_VA 0x10000000ull /* 8 read-write pages, untouched at first */
#define RO_VA   0x20000000ull /* one read-only page */

/* Write i+1 to the first word of data page i (4 demand-zero faults), sum them back. */
USER_PROG(prog_touch, "movl $0x10000000, %esi\n\txorl %ecx, %ecx\n"
                      "1:\n\tleaq 1(%rcx), %rax\n\tmovq %rax, (%rsi)\n\taddq $0x1000, %rsi\n\t"
                      "incl %ecx\n\tcmpl $4, %ecx\n\tjne 1b\n\t"
                      "pushq $0\n\tpopq %rdi\n\tmovl $0x10000000, %esi\n\tmovl $4, %ecx\n"
                      "2:\n\taddq (%rsi), %rdi\n\taddq $0x1000, %rsi\n\tloop 2b\n\t"
                      "movl $60, %eax\n\tsyscall\n\tud2");
USER_PROG(prog_write_ro, "movl $0x20000000, %eax\n\tmovq (%rax), %rcx\n\tmovq %rcx, (%rax)\n\tud2");
USER_PROG(prog_unmapped, "movl $0x30000000, %eax\n\tmovq (%rax), %rcx\n\tud2");
USER_PROG(prog_spin_mm, "1:\n\tpause\n\tjmp 1b");

static long map(struct uspace *s, uintptr_t va, size_t len, int prot)
{
	return uspace_mmap(s, va, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED);
}

/* A space with the program at UCODE_VA (read, exec), a stack page, data and a read-only page. */
static struct uspace *space_with(const char *start, const char *end)
{
	struct uspace *s;

	EXPECT_EQ(uspace_create(&s), 0);
	EXPECT_EQ(map(s, UCODE_VA, PAGE_SIZE, PROT_READ | PROT_WRITE), (long)UCODE_VA);
	EXPECT_EQ(map(s, USTACK_VA, PAGE_SIZE, PROT_READ | PROT_WRITE), (long)USTACK_VA);
	EXPECT_EQ(map(s, DATA_VA, 8 * PAGE_SIZE, PROT_READ | PROT_WRITE), (long)DATA_VA);
	EXPECT_EQ(map(s, RO_VA, PAGE_SIZE, PROT_READ), (long)RO_VA);
	uspace_activate(s);
	EXPECT_EQ(copy_to_user((void *)UCODE_VA, start, (size_t)(end - start)), 0);
	uspace_activate(NULL);
	EXPECT_EQ(uspace_mprotect(s, UCODE_VA, PAGE_SIZE, PROT_READ | PROT_EXEC), 0);
	return s;
}

static int enter_space(void *arg)
{
	struct task *t = task_current();

	t->space = arg;
	uspace_activate(t->space);
	arch_uframe_init(arch_uframe(t), UCODE_VA, USTACK_VA + PAGE_SIZE);
	arch_enter_user(arch_uframe(t));
}

static struct task_result run_in(struct uspace *s)
{
	struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT, .cpu = -1 };
	struct task_result r = { 0 };
	struct task_handle h;

	EXPECT_EQ(task_spawn_opts(&h, "user-mm", enter_space, s, &o), 0);
	EXPECT_EQ(task_join(h, &r), 0);
	EXPECT_EQ(r.how, TASK_END_EXITED);
	return r;
}

TEST(user_mm, user_faults_are_resolved_by_the_space)
{
	struct uspace *s = space_with(prog_touch_start, prog_touch_end);
	uint64_t v = 0;

	EXPECT_EQ(run_in(s).value, 10);
	EXPECT_EQ(uspace_resident_pages(s), 6); /* code, stack, 4 data pages */
	uspace_activate(s);
	EXPECT_EQ(copy_from_user(&v, (void *)(DATA_VA + 3 * PAGE_SIZE), sizeof(v)), 0);
	EXPECT_EQ(v, 4);
	/* A kernel-mode fault on an untouched page: resolved, then the copy goes on. */
	EXPECT_EQ(copy_to_user((void *)(DATA_VA + 6 * PAGE_SIZE - 4), &v, sizeof(v)), 0);
	EXPECT_EQ(uspace_resident_pages(s), 8);
	EXPECT_EQ(copy_from_user(&v, (void *)(DATA_VA + 6 * PAGE_SIZE - 4), sizeof(v)), 0);
	EXPECT_EQ(v, 4);
	/* Refused by the space: the fix-up answers -EFAULT. */
	EXPECT_EQ(copy_to_user((void *)RO_VA, &v, sizeof(v)), -EFAULT);
	EXPECT_EQ(copy_from_user(&v, (void *)0x30000000, sizeof(v)), -EFAULT);
	EXPECT_EQ(clear_user((void *)(DATA_VA + 7 * PAGE_SIZE), PAGE_SIZE), 0);
	uspace_activate(NULL);
	uspace_put(s);
}

TEST(user_mm, refused_user_faults_become_sigsegv)
{
	struct uspace *s = space_with(prog_write_ro_start, prog_write_ro_end);

	EXPECT_EQ(run_in(s).value, 128 + SIGSEGV);
	uspace_put(s);
	s = space_with(prog_unmapped_start, prog_unmapped_end);
	EXPECT_EQ(run_in(s).value, 128 + SIGSEGV);
	uspace_put(s);
}

/* With interrupts off a copy cannot sleep in uspace_fault(): an untouched page is -EFAULT. */
TEST(user_mm, atomic_copies_do_not_fault_pages_in)
{
	struct uspace *s = space_with(prog_spin_mm_start, prog_spin_mm_end);
	uint64_t v = 7, resident;
	unsigned long flags;
	int err;

	uspace_activate(s);
	resident = uspace_resident_pages(s);
	flags = irq_save();
	err = copy_to_user((void *)DATA_VA, &v, sizeof(v));
	irq_restore(flags);
	EXPECT_EQ(err, -EFAULT);
	EXPECT_EQ(uspace_resident_pages(s), resident);
	EXPECT_EQ(copy_to_user((void *)DATA_VA, &v, sizeof(v)), 0);
	EXPECT_EQ(uspace_resident_pages(s), resident + 1);
	uspace_activate(NULL);
	uspace_put(s);
}

static void count_call(void *arg)
{
	__atomic_fetch_add((unsigned *)arg, 1, __ATOMIC_RELAXED);
}

/*
 * Every other CPU runs a task spinning in ring 3 in the same space while
 * this flow sends them function-call IPIs: each interrupt enters from
 * ring 3 (SWAPGS, the task's stack through TSS.RSP0) and goes back.
 */
TEST(user_mm, ipis_reach_cpus_running_ring3)
{
	struct task_handle h[SMP_MAX_CPUS];
	unsigned n = sched_cpu_count(), me = this_cpu_index(), calls = 0, expected = 0;
	struct task_result r;
	struct uspace *s;

	if (n < 2)
		ktest_skip("one CPU");
	s = space_with(prog_spin_mm_start, prog_spin_mm_end);
	for (unsigned cpu = 0; cpu < n; cpu++) {
		struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT, .cpu = (int)cpu };

		o.affinity = 1ull << cpu;
		if (cpu != me)
			EXPECT_EQ(task_spawn_opts(&h[cpu], "user-spin", enter_space, s, &o), 0);
	}
	task_sleep_ns(20 * 1000 * 1000);
	for (int round = 0; round < 50; round++) {
		for (unsigned cpu = 0; cpu < n; cpu++) {
			if (cpu == me)
				continue;
			EXPECT_EQ(smp_call(cpu, count_call, &calls, true), 0);
			expected++;
		}
	}
	EXPECT_EQ(__atomic_load_n(&calls, __ATOMIC_RELAXED), expected);
	for (unsigned cpu = 0; cpu < n; cpu++) {
		if (cpu == me)
			continue;
		EXPECT_EQ(task_kill(h[cpu]), 0);
		EXPECT_EQ(task_join(h[cpu], &r), 0);
		EXPECT_EQ(r.how, TASK_END_KILLED);
	}
	uspace_put(s);
}
