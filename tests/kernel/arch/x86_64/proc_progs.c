// SPDX-License-Identifier: MIT
/*
 * The x86_64 code of the process tests' user programs (tests/kernel/
 * proc_progs.h), in AT&T syntax. System calls follow Linux's x86_64 ABI:
 * number in RAX, arguments in RDI, RSI, RDX, R10, R8, R9; SYSCALL
 * clobbers RCX and R11. Numbers: 24 sched_yield, 39 getpid, 56 clone,
 * 57 fork, 61 wait4, 231 exit_group.
 */
#include "tests/kernel/proc_progs.h"

#define PROG(name, body)                                                                \
	extern const char name##_start[], name##_end[];                                 \
	__asm__(".pushsection .rodata\n\t.globl " #name "_start, " #name "_end\n" #name \
	        "_start:\n\t" body "\n" #name "_end:\n\t.popsection");                  \
	const struct proc_prog proc_##name = { name##_start, name##_end }

#define EXIT_EDI "movl $231, %eax\n\tsyscall\n\tud2\n\t"

PROG(prog_exit42, "movl $42, %edi\n\t" EXIT_EDI);

PROG(prog_fork_wait, "movl $57, %eax\n\tsyscall\n\t"
                     "testl %eax, %eax\n\tjs 9f\n\tjnz 1f\n\t"
                     "movl $3, %edi\n\t" EXIT_EDI "1: movl %eax, %r12d\n\tsubq $16, %rsp\n\t"
                     "movl %r12d, %edi\n\tmovq %rsp, %rsi\n\txorl %edx, %edx\n\t"
                     "xorl %r10d, %r10d\n\tmovl $61, %eax\n\tsyscall\n\t"
                     "cmpl %r12d, %eax\n\tjne 9f\n\t"
                     "movl (%rsp), %edi\n\tshrl $8, %edi\n\taddl $10, %edi\n\t" EXIT_EDI
                     "9: movl $1, %edi\n\t" EXIT_EDI);

PROG(prog_fork_tree, "xorl %ebx, %ebx\n\t"
                     "1: incl %ebx\n\tmovl $57, %eax\n\tsyscall\n\t"
                     "testl %eax, %eax\n\tjs 9f\n\tjnz 2f\n\t"
                     "movl %ebx, %edi\n\t" EXIT_EDI "2: cmpl $8, %ebx\n\tjb 1b\n\t"
                     "xorl %r12d, %r12d\n\txorl %r13d, %r13d\n\tsubq $16, %rsp\n\t"
                     "3: movl $-1, %edi\n\tmovq %rsp, %rsi\n\txorl %edx, %edx\n\t"
                     "xorl %r10d, %r10d\n\tmovl $61, %eax\n\tsyscall\n\t"
                     "testl %eax, %eax\n\tjs 4f\n\t"
                     "movl (%rsp), %eax\n\tshrl $8, %eax\n\tandl $0xff, %eax\n\t"
                     "addl %eax, %r12d\n\tincl %r13d\n\tjmp 3b\n\t"
                     "4: cmpl $-10, %eax\n\tjne 9f\n\tcmpl $8, %r13d\n\tjne 9f\n\t"
                     "movl %r12d, %edi\n\t" EXIT_EDI "9: movl $1, %edi\n\t" EXIT_EDI);

PROG(prog_args, "movl $1, %edi\n\ttestq $15, %rsp\n\tjnz 9f\n\t"
                "movl $2, %edi\n\tcmpq $3, (%rsp)\n\tjne 9f\n\t"
                "movl $3, %edi\n\tmovq 16(%rsp), %rax\n\tcmpb $'b', (%rax)\n\tjne 9f\n\t"
                "movl $4, %edi\n\tcmpq $0, 32(%rsp)\n\tjne 9f\n\t"
                "movl $5, %edi\n\tmovq 40(%rsp), %rax\n\tcmpb $'X', (%rax)\n\tjne 9f\n\t"
                "movl $6, %edi\n\tcmpq $0, 48(%rsp)\n\tjne 9f\n\t"
                "leaq 56(%rsp), %rsi\n\tmovl $7, %edi\n\t"
                "1: movq (%rsi), %rax\n\ttestq %rax, %rax\n\tjz 9f\n\t"
                "cmpq $6, %rax\n\tje 2f\n\taddq $16, %rsi\n\tjmp 1b\n\t"
                "2: movl $8, %edi\n\tcmpq $4096, 8(%rsi)\n\tjne 9f\n\t"
                "xorl %edi, %edi\n\t"
                "9: " EXIT_EDI);

PROG(prog_fork_many,
     "movl $1000, %ebx\n\tsubq $16, %rsp\n\t"
     "1: movl $57, %eax\n\tsyscall\n\t"
     "testl %eax, %eax\n\tjs 9f\n\tjnz 2f\n\t"
     "xorl %edi, %edi\n\t" EXIT_EDI "2: movl %eax, %edi\n\tmovq %rsp, %rsi\n\txorl %edx, %edx\n\t"
     "xorl %r10d, %r10d\n\tmovl $61, %eax\n\tsyscall\n\t"
     "testl %eax, %eax\n\tjs 9f\n\t"
     "decl %ebx\n\tjnz 1b\n\txorl %edi, %edi\n\t" EXIT_EDI "9: movl $1, %edi\n\t" EXIT_EDI);

PROG(prog_getpid, "movl $39, %eax\n\tsyscall\n\tmovzbl %al, %edi\n\t" EXIT_EDI);

/* The grandchild yields 50 times so that its parent has surely ended first. */
PROG(prog_orphan,
     "movl $57, %eax\n\tsyscall\n\ttestl %eax, %eax\n\tjs 9f\n\tjnz 3f\n\t"
     "movl $57, %eax\n\tsyscall\n\ttestl %eax, %eax\n\tjnz 2f\n\t"
     "movl $50, %ebx\n\t1: movl $24, %eax\n\tsyscall\n\tdecl %ebx\n\tjnz 1b\n\t"
     "2: xorl %edi, %edi\n\t" EXIT_EDI "3: movl %eax, %edi\n\tsubq $16, %rsp\n\tmovq %rsp, %rsi\n\t"
     "xorl %edx, %edx\n\txorl %r10d, %r10d\n\tmovl $61, %eax\n\tsyscall\n\t"
     "xorl %edi, %edi\n\t" EXIT_EDI "9: movl $1, %edi\n\t" EXIT_EDI);

/*
 * Parent: the CLEARTID word and the result at -16(%rbp) and -8(%rbp), the
 * thread's stack 64 KiB below. The thread stores 77 and exits (60), which
 * clears the word; the parent yields until then.
 */
PROG(prog_thread,
     "movq %rsp, %rbp\n\tmovl $-1, -16(%rbp)\n\tmovl $0, -8(%rbp)\n\t"
     "movl $0x350f00, %edi\n\t" /* VM|FS|FILES|SIGHAND|THREAD|SYSVSEM|PARENT_SETTID|CHILD_CLEARTID */
     "leaq -65536(%rbp), %rsi\n\tleaq -16(%rbp), %rdx\n\tleaq -16(%rbp), %r10\n\t"
     "xorl %r8d, %r8d\n\tmovl $56, %eax\n\tsyscall\n\t"
     "testl %eax, %eax\n\tjs 9f\n\tjnz 2f\n\t"
     "movl $77, -8(%rbp)\n\txorl %edi, %edi\n\tmovl $60, %eax\n\tsyscall\n\tud2\n\t"
     "2: movl $24, %eax\n\tsyscall\n\tcmpl $0, -16(%rbp)\n\tjne 2b\n\t"
     "movl -8(%rbp), %edi\n\t" EXIT_EDI "9: movl $1, %edi\n\t" EXIT_EDI);

/*
 * A shared anonymous page (mmap 9) holds a lock word at +0, a robust-list
 * head at +64 and one entry at +128 (futex_offset -128). The child stores
 * its tid (gettid 186) in the word, registers the list (set_robust_list
 * 273) and exits; the parent wait4()s and checks that the word became
 * FUTEX_OWNER_DIED.
 */
PROG(prog_robust, "movl $9, %eax\n\txorl %edi, %edi\n\tmovl $4096, %esi\n\tmovl $3, %edx\n\t"
                  "movl $0x21, %r10d\n\tmovq $-1, %r8\n\txorl %r9d, %r9d\n\tsyscall\n\t"
                  "testq %rax, %rax\n\tjs 9f\n\tmovq %rax, %r12\n\t"
                  "movl $57, %eax\n\tsyscall\n\ttestl %eax, %eax\n\tjs 9f\n\tjnz 2f\n\t"
                  "movl $186, %eax\n\tsyscall\n\tmovl %eax, (%r12)\n\t"
                  "leaq 64(%r12), %rdi\n\tleaq 128(%r12), %rax\n\tmovq %rax, (%rdi)\n\t"
                  "movq $-128, 8(%rdi)\n\tmovq $0, 16(%rdi)\n\tmovq %rdi, (%rax)\n\t"
                  "movl $24, %esi\n\tmovl $273, %eax\n\tsyscall\n\ttestl %eax, %eax\n\tjnz 8f\n\t"
                  "xorl %edi, %edi\n\tmovl $60, %eax\n\tsyscall\n\t"
                  "8: movl $5, %edi\n\tmovl $60, %eax\n\tsyscall\n\t"
                  "2: movl %eax, %edi\n\tsubq $16, %rsp\n\tmovq %rsp, %rsi\n\txorl %edx, %edx\n\t"
                  "xorl %r10d, %r10d\n\tmovl $61, %eax\n\tsyscall\n\t"
                  "movl (%rsp), %edi\n\tshrl $8, %edi\n\ttestl %edi, %edi\n\tjnz 7f\n\t"
                  "cmpl $0x40000000, (%r12)\n\tjne 9f\n\txorl %edi, %edi\n\t" EXIT_EDI
                  "7: addl $100, %edi\n\t" EXIT_EDI "9: movl $1, %edi\n\t" EXIT_EDI);

/* exit_group(geteuid() & 0xff) (geteuid 107). */
PROG(prog_euid, "movl $107, %eax\n\tsyscall\n\tmovzbl %al, %edi\n\t" EXIT_EDI);

/*
 * Become uid and gid 2000 (setresgid 119, setresuid 117; 99 if refused),
 * then execve(argv[1], &argv[1], NULL) (59); a failed exec exits with its
 * errno.
 */
PROG(prog_drop_exec,
     "movl $119, %eax\n\tmovl $2000, %edi\n\tmovl $2000, %esi\n\tmovl $2000, %edx\n\t"
     "syscall\n\ttestl %eax, %eax\n\tjnz 8f\n\t"
     "movl $117, %eax\n\tmovl $2000, %edi\n\tmovl $2000, %esi\n\tmovl $2000, %edx\n\t"
     "syscall\n\ttestl %eax, %eax\n\tjnz 8f\n\t"
     "movq 16(%rsp), %rdi\n\tleaq 16(%rsp), %rsi\n\txorl %edx, %edx\n\t"
     "movl $59, %eax\n\tsyscall\n\tnegl %eax\n\tmovl %eax, %edi\n\t" EXIT_EDI
     "8: movl $99, %edi\n\t" EXIT_EDI);

/*
 * Become uid and gid 2000 as prog_drop_exec does, then openat(AT_FDCWD,
 * argv[1], O_RDONLY) (257): exit 0 if it opened, else its errno.
 */
PROG(prog_drop_open,
     "movl $119, %eax\n\tmovl $2000, %edi\n\tmovl $2000, %esi\n\tmovl $2000, %edx\n\t"
     "syscall\n\ttestl %eax, %eax\n\tjnz 8f\n\t"
     "movl $117, %eax\n\tmovl $2000, %edi\n\tmovl $2000, %esi\n\tmovl $2000, %edx\n\t"
     "syscall\n\ttestl %eax, %eax\n\tjnz 8f\n\t"
     "movl $-100, %edi\n\tmovq 16(%rsp), %rsi\n\txorl %edx, %edx\n\txorl %r10d, %r10d\n\t"
     "movl $257, %eax\n\tsyscall\n\txorl %edi, %edi\n\ttestl %eax, %eax\n\tjns 1f\n\t"
     "negl %eax\n\tmovl %eax, %edi\n\t1: " EXIT_EDI "8: movl $99, %edi\n\t" EXIT_EDI);
