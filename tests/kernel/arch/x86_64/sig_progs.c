// SPDX-License-Identifier: MIT
/*
 * The x86_64 code of the signal tests' user programs (tests/kernel/
 * sig_progs.h), in AT&T syntax, Linux's system-call ABI. Numbers: 0 read,
 * 13 rt_sigaction, 15 rt_sigreturn, 231 exit_group. The sigaction is built
 * on the stack as the kernel takes it: handler, flags, restorer, mask.
 */
#include "tests/kernel/sig_progs.h"

/* Labels sig_NAME_start/_end: the names of proc_progs.c's and test_user.c's are taken. */
#define PROG(name, body)                                                                      \
	extern const char sig_##name##_start[], sig_##name##_end[];                           \
	__asm__(".pushsection .rodata\n\t.globl sig_" #name "_start, sig_" #name              \
	        "_end\nsig_" #name "_start:\n\t" body "\nsig_" #name "_end:\n\t.popsection"); \
	const struct proc_prog sig_##name = { sig_##name##_start, sig_##name##_end }

#define EXIT_EDI "movl $231, %eax\n\tsyscall\n\tud2\n\t"

PROG(prog_spin, "1: pause\n\tjmp 1b\n\t");

PROG(prog_null, "xorl %eax, %eax\n\tmovl (%rax), %eax\n\tmovl $1, %edi\n\t" EXIT_EDI);

/* SA_RESTORER 0x04000000, SA_RESTART 0x10000000; SIGUSR1 is 10; EINTR is 4. */
#define READ_AFTER_SIGACTION(flags)                                                  \
	"subq $64, %rsp\n\t"                                                         \
	"leaq 8f(%rip), %rax\n\tmovq %rax, 0(%rsp)\n\t"                              \
	"movq $" flags ", 8(%rsp)\n\t"                                               \
	"leaq 7f(%rip), %rax\n\tmovq %rax, 16(%rsp)\n\tmovq $0, 24(%rsp)\n\t"        \
	"movl $13, %eax\n\tmovl $10, %edi\n\tmovq %rsp, %rsi\n\txorl %edx, %edx\n\t" \
	"movl $8, %r10d\n\tsyscall\n\ttestq %rax, %rax\n\tjnz 5f\n\t"                \
	"xorl %eax, %eax\n\txorl %edi, %edi\n\tleaq 32(%rsp), %rsi\n\t"              \
	"movl $1, %edx\n\tsyscall\n\t"                                               \
	"movl $4, %edi\n\tcmpq $-4, %rax\n\tje 6f\n\t"                               \
	"movl $1, %edi\n\tcmpq $1, %rax\n\tje 6f\n\t"                                \
	"movl $99, %edi\n\tjmp 6f\n\t"                                               \
	"5: movl $98, %edi\n\t"                                                      \
	"6: " EXIT_EDI "7: movl $15, %eax\n\tsyscall\n\tud2\n\t"                     \
	"8: ret\n\t"

PROG(prog_read_eintr, READ_AFTER_SIGACTION("0x04000000"));
PROG(prog_read_restart, READ_AFTER_SIGACTION("0x14000000"));
