// SPDX-License-Identifier: MIT
/*
 * Ring 3 without processes (uenv.c): a kernel task loads a private page
 * table, enters user mode through arch_enter_user() and runs a small
 * program assembled here. A task with no process may only call exit,
 * exit_group and arch_prctl, and a fault ends it with 128 + the signal
 * number (user.c), so each test reads what happened in ring 3 from the
 * task's exit value.
 */
#include <cairn/linux/prctl.h>
#include <cairn/linux/signal.h>

#include <arch/page.h>

#include <stdint.h>

#include "arch/arch.h"
#include "core/ktest.h"
#include "core/percpu.h"
#include "sched/task.h"
#include "tests/kernel/arch/x86_64/uenv.h"

#define TOP_PAGE_VA 0x7ffffffff000ull /* the last page below the non-canonical hole */

/*
 * getpid (39) gives -ENOSYS to a task with no process. Every register but
 * RAX, RCX and R11 must come back unchanged, RCX must hold the return
 * address. exit(42 + 1 per mismatch).
 */
USER_PROG(prog_syscall,
          "movabs $0x1111111111111111, %rbx\n\tmovabs $0x2222222222222222, %rbp\n\t"
          "movabs $0x3333333333333333, %r12\n\tmovabs $0x4444444444444444, %r13\n\t"
          "movabs $0x5555555555555555, %r14\n\tmovabs $0x6666666666666666, %r15\n\t"
          "movabs $0x7777777777777777, %rdi\n\tmovabs $0x8888888888888888, %rsi\n\t"
          "movabs $0x9999999999999999, %rdx\n\tmovabs $0xaaaaaaaaaaaaaaaa, %r10\n\t"
          "movabs $0xbbbbbbbbbbbbbbbb, %r8\n\tmovabs $0xcccccccccccccccc, %r9\n\t"
          "movq %rsp, %xmm0\n\t"
          "movl $39, %eax\n\tsyscall\n1:\n\t"
          "movq %rax, %xmm1\n\tmovl $42, %eax\n\t"
          "movabs $0x1111111111111111, %rcx\n\tcmpq %rcx, %rbx\n\tsetne %cl\n\taddb %cl, %al\n\t"
          "movabs $0x2222222222222222, %rcx\n\tcmpq %rcx, %rbp\n\tsetne %cl\n\taddb %cl, %al\n\t"
          "movabs $0x3333333333333333, %rcx\n\tcmpq %rcx, %r12\n\tsetne %cl\n\taddb %cl, %al\n\t"
          "movabs $0x4444444444444444, %rcx\n\tcmpq %rcx, %r13\n\tsetne %cl\n\taddb %cl, %al\n\t"
          "movabs $0x5555555555555555, %rcx\n\tcmpq %rcx, %r14\n\tsetne %cl\n\taddb %cl, %al\n\t"
          "movabs $0x6666666666666666, %rcx\n\tcmpq %rcx, %r15\n\tsetne %cl\n\taddb %cl, %al\n\t"
          "movabs $0x7777777777777777, %rcx\n\tcmpq %rcx, %rdi\n\tsetne %cl\n\taddb %cl, %al\n\t"
          "movabs $0x8888888888888888, %rcx\n\tcmpq %rcx, %rsi\n\tsetne %cl\n\taddb %cl, %al\n\t"
          "movabs $0x9999999999999999, %rcx\n\tcmpq %rcx, %rdx\n\tsetne %cl\n\taddb %cl, %al\n\t"
          "movabs $0xaaaaaaaaaaaaaaaa, %rcx\n\tcmpq %rcx, %r10\n\tsetne %cl\n\taddb %cl, %al\n\t"
          "movabs $0xbbbbbbbbbbbbbbbb, %rcx\n\tcmpq %rcx, %r8\n\tsetne %cl\n\taddb %cl, %al\n\t"
          "movabs $0xcccccccccccccccc, %rcx\n\tcmpq %rcx, %r9\n\tsetne %cl\n\taddb %cl, %al\n\t"
          "movq %xmm0, %rcx\n\tcmpq %rcx, %rsp\n\tsetne %cl\n\taddb %cl, %al\n\t"
          "movq %xmm1, %rcx\n\tcmpq $-38, %rcx\n\tsetne %cl\n\taddb %cl, %al\n\t"
          "movzbl %al, %edi\n\tmovl $60, %eax\n\tsyscall\n\tud2");

/* exit(7) at once: the IRET entry and the SYSCALL exit path alone. */
USER_PROG(prog_exit, "movl $7, %edi\n\tmovl $60, %eax\n\tsyscall\n\tud2");
USER_PROG(prog_null, "xorl %eax, %eax\n\tmovq (%rax), %rax\n\tud2");
USER_PROG(prog_ud2, "ud2");
USER_PROG(prog_int3, "int3\n\tud2");
USER_PROG(prog_div0, "xorl %ecx, %ecx\n\tmovl $1, %eax\n\txorl %edx, %edx\n\tdivl %ecx\n\tud2");
USER_PROG(prog_hlt, "hlt\n\tud2");
USER_PROG(prog_write_code, "leaq 0(%rip), %rax\n\tmovb $0, (%rax)\n\tud2");
USER_PROG(prog_kernel_read, "movabs $0xffff800000001000, %rax\n\tmovq (%rax), %rax\n\tud2");
/* RFLAGS.TF: a #DB trap after the next instruction. */
USER_PROG(prog_single_step, "pushfq\n\torq $0x100, (%rsp)\n\tpopfq\n\tnop\n\tud2");
/* Divide by zero unmasked in the x87 control word: #MF at the next x87 instruction. */
USER_PROG(prog_x87_div0, "subq $8, %rsp\n\tmovw $0x37b, (%rsp)\n\tfldcw (%rsp)\n\t"
                         "fld1\n\tfldz\n\tfdivrp\n\tfwait\n\tud2");
USER_PROG(prog_spin, "1:\n\tpause\n\tjmp 1b");
/*
 * A fresh thread's FPU: FCW 0x37f and MXCSR 0x1f80 (x87 and SSE reset
 * values). exit(0) when so, 1 otherwise. It then changes both, which must
 * not leak to the next program.
 */
USER_PROG(prog_fpu_clean,
          "subq $16, %rsp\n\tfnstcw (%rsp)\n\tstmxcsr 4(%rsp)\n\txorl %edi, %edi\n\t"
          "cmpw $0x37f, (%rsp)\n\tsetne %dil\n\tcmpl $0x1f80, 4(%rsp)\n\tsetne %al\n\t"
          "orb %al, %dil\n\tmovl $0x7f40, 4(%rsp)\n\tldmxcsr 4(%rsp)\n\tmovw $0x27f, (%rsp)\n\t"
          "fldcw (%rsp)\n\tmovl $60, %eax\n\tsyscall\n\tud2");
/*
 * arch_prctl: FS base at the stack page, a load through %fs sees what was
 * stored there, ARCH_GET_FS reads the base back, a kernel address is
 * EPERM, an unknown code EINVAL. exit(0) when all hold, else the step.
 */
USER_PROG(prog_prctl,
          "movl $1, %ebx\n\tmovl $0x1002, %edi\n\tmovq $0x800000, %rsi\n\tmovl $158, %eax\n\t"
          "syscall\n\ttestq %rax, %rax\n\tjnz 9f\n\t"
          "movl $2, %ebx\n\tmovq $0x1234abcd, %rax\n\tmovq %rax, 0x800010\n\t"
          "movq %fs:0x10, %rcx\n\tcmpq %rax, %rcx\n\tjne 9f\n\t"
          "movl $3, %ebx\n\tmovl $0x1003, %edi\n\tmovq $0x800020, %rsi\n\tmovl $158, %eax\n\t"
          "syscall\n\ttestq %rax, %rax\n\tjnz 9f\n\tcmpq $0x800000, 0x800020\n\tjne 9f\n\t"
          "movl $4, %ebx\n\tmovl $0x1002, %edi\n\tmovabs $0xffff800000000000, %rsi\n\t"
          "movl $158, %eax\n\tsyscall\n\tcmpq $-1, %rax\n\tjne 9f\n\t"
          "movl $5, %ebx\n\tmovl $0x1999, %edi\n\tmovl $158, %eax\n\tsyscall\n\t"
          "cmpq $-22, %rax\n\tjne 9f\n\txorl %ebx, %ebx\n"
          "9:\n\tmovl %ebx, %edi\n\tmovl $60, %eax\n\tsyscall\n\tud2");
/* mov $39, %eax; syscall: the last 7 bytes below 2^47, returning to 0x800000000000. */
USER_PROG(prog_edge, "movl $39, %eax\n\tsyscall");

static struct task_result run_prog(const char *start, const char *end)
{
	struct uenv e;

	uenv_setup(&e, start, end);
	return uenv_run(&e, false);
}

static void expect_exit(const char *start, const char *end, int value)
{
	struct task_result r = run_prog(start, end);

	EXPECT_EQ(r.how, TASK_END_EXITED);
	EXPECT_EQ(r.value, value);
}

TEST(user, exit_through_syscall)
{
	expect_exit(prog_exit_start, prog_exit_end, 7);
}

TEST(user, syscall_keeps_registers_and_returns_enosys)
{
	expect_exit(prog_syscall_start, prog_syscall_end, 42);
}

TEST(user, faults_end_a_task_with_no_process)
{
	expect_exit(prog_null_start, prog_null_end, 128 + SIGSEGV);
	expect_exit(prog_ud2_start, prog_ud2_end, 128 + SIGILL);
	expect_exit(prog_int3_start, prog_int3_end, 128 + SIGTRAP);
	expect_exit(prog_div0_start, prog_div0_end, 128 + SIGFPE);
	expect_exit(prog_hlt_start, prog_hlt_end, 128 + SIGSEGV);
	expect_exit(prog_write_code_start, prog_write_code_end, 128 + SIGSEGV);
	expect_exit(prog_kernel_read_start, prog_kernel_read_end, 128 + SIGSEGV);
	expect_exit(prog_single_step_start, prog_single_step_end, 128 + SIGTRAP);
	expect_exit(prog_x87_div0_start, prog_x87_div0_end, 128 + SIGFPE);
}

TEST(user, threads_start_with_a_clean_fpu)
{
	expect_exit(prog_fpu_clean_start, prog_fpu_clean_end, 0);
	expect_exit(prog_fpu_clean_start, prog_fpu_clean_end, 0);
}

/*
 * SYSRET to a non-canonical RCX faults in ring 0 on Intel CPUs
 * (CVE-2012-0217): a syscall in the last bytes below 2^47 must come back
 * as a user SIGSEGV, never a kernel fault.
 */
static uint64_t bad_user_ips(void)
{
	uint64_t n = 0;

	for (unsigned cpu = 0; cpu < SMP_MAX_CPUS; cpu++)
		n += __atomic_load_n(&percpu_of(cpu)->arch.bad_user_ip, __ATOMIC_RELAXED);
	return n;
}

/*
 * TCG does not model that #GP (it faults in ring 3 instead), so the test
 * also checks that the kernel itself refused the return, once.
 */
TEST(user, syscall_at_the_top_of_user_space_is_not_sysret)
{
	uint64_t before = bad_user_ips();
	struct task_result r;
	struct uenv e;

	uenv_setup_at(&e, prog_edge_start, prog_edge_end, TOP_PAGE_VA, true);
	EXPECT_EQ(e.entry + (uint64_t)(prog_edge_end - prog_edge_start), 1ull << 47);
	r = uenv_run(&e, false);
	EXPECT_EQ(r.how, TASK_END_EXITED);
	EXPECT_EQ(r.value, 128 + SIGSEGV);
	EXPECT_EQ(bad_user_ips() - before, 1);
}

/* A task spinning in ring 3 is preempted (this flow runs again) and can be killed. */
TEST(user, spinning_user_task_is_preempted_and_killed)
{
	struct task_result r;
	struct uenv e;

	uenv_setup(&e, prog_spin_start, prog_spin_end);
	r = uenv_run(&e, true);
	EXPECT_EQ(r.how, TASK_END_KILLED);
}

TEST(user, arch_prctl_sets_and_reads_the_fs_base)
{
	expect_exit(prog_prctl_start, prog_prctl_end, 0);
}
