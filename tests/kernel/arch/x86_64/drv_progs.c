// SPDX-License-Identifier: MIT
/*
 * The x86_64 code of the driver host's test drivers (tests/kernel/
 * drv_progs.h), in AT&T syntax, Linux's x86_64 system-call ABI (number in
 * RAX, arguments in RDI, RSI, RDX, R10). Numbers: 7 poll, 34 pause, 35
 * nanosleep, 57 fork, 231 exit_group; Cairn's (include/cairn/ipc.h) 1042 irq_ack, 1043
 * ioport_read, 1044 ioport_write.
 */
#include "tests/kernel/drv_progs.h"

#define PROG(name, body)                                                                      \
	extern const char drv_##name##_start[], drv_##name##_end[];                           \
	__asm__(".pushsection .rodata\n\t.globl drv_" #name "_start, drv_" #name              \
	        "_end\ndrv_" #name "_start:\n\t" body "\ndrv_" #name "_end:\n\t.popsection"); \
	const struct proc_prog drv_##name = { drv_##name##_start, drv_##name##_end }

#define EXIT_EDI "movl $231, %eax\n\tsyscall\n\tud2\n\t"

/* Step @n: call @nr(@a, @b, @c, @d); unless RAX is then @want, exit with @n. */
#define STEP(n, nr, a, b, c, d, want)                                                   \
	"movl $" #nr ", %eax\n\tmovq $" #a ", %rdi\n\tmovq $" #b ", %rsi\n\tmovq $" #c  \
	", %rdx\n\tmovq $" #d ", %r10\n\tsyscall\n\tmovl $" #n ", %edi\n\tcmpq $" #want \
	", %rax\n\tjne 9f\n\t"

PROG(prog_idle, "1: movl $34, %eax\n\tsyscall\n\tjmp 1b");

PROG(prog_fault, "xorl %eax, %eax\n\tmovq (%rax), %rax\n\tud2");

PROG(prog_exit, "movl $1, %edi\n\t" EXIT_EDI);

/* Errors: -22 EINVAL, -13 EACCES, -77 EBADFD, -9 EBADF. */
PROG(prog_misbehave, STEP(1, 1043, 3, 8, 1, 0, -22) /* past the range */
     STEP(2, 1044, 3, 7, 1, 0, -13)                 /* a write without WRITE */
     STEP(3, 1042, 4, 0, 0, 0, -13)                 /* an ack without WRITE */
     STEP(4, 1042, 3, 0, 0, 0, -77)                 /* a port handle to the interrupt call */
     STEP(5, 1043, 4, 0, 1, 0, -77)                 /* an interrupt handle to the port call */
     STEP(6, 1043, 5, 0, 1, 0, -9)                  /* no fd 5 */
     STEP(7, 1043, 3, -1, 1, 0, -22)                /* offset -1 */
     STEP(8, 1043, 3, 6, 4, 0, -22)                 /* misaligned for its width */
     STEP(9, 1042, 5, 0, 0, 0, -9)                  /* an interrupt it does not hold */
     STEP(10, 1042, -1, 0, 0, 0, -9)                /* a negative descriptor */
     "movl $1043, %eax\n\tmovl $3, %edi\n\tmovl $7, %esi\n\tmovl $1, %edx\n\tsyscall\n\t"
     "movl $111, %edi\n\ttestq %rax, %rax\n\tjs 9f\n\t"
     "xorl %edi, %edi\n\t"
     "9: " EXIT_EDI);

/* fork (57); parent and child both pause for ever. */
PROG(prog_forker, "movl $57, %eax\n\tsyscall\n\t1: movl $34, %eax\n\tsyscall\n\tjmp 1b");

/*
 * Scratch register (fd 3 offset 7) below 5: add one and exit 1 at once;
 * else sleep 1.2 s (nanosleep 35) and exit 2; 99 if the read failed.
 */
PROG(prog_young_then_old,
     "movl $1043, %eax\n\tmovl $3, %edi\n\tmovl $7, %esi\n\tmovl $1, %edx\n\tsyscall\n\t"
     "movl $99, %edi\n\ttestq %rax, %rax\n\tjs 9f\n\t"
     "cmpl $5, %eax\n\tjae 1f\n\t"
     "leal 1(%rax), %r10d\n\tmovl $1044, %eax\n\tmovl $3, %edi\n\tmovl $7, %esi\n\t"
     "movl $1, %edx\n\tsyscall\n\tmovl $1, %edi\n\tjmp 9f\n\t"
     "1: subq $16, %rsp\n\tmovq $1, (%rsp)\n\tmovq $200000000, 8(%rsp)\n\t"
     "movq %rsp, %rdi\n\txorl %esi, %esi\n\tmovl $35, %eax\n\tsyscall\n\tmovl $2, %edi\n\t"
     "9: " EXIT_EDI);

/*
 * A real interrupt-driven driver of the RTC (fd 3 ports 0x70-0x71, fd 4
 * its IRQ 8 object): 20 times, poll (7) fd 4 for POLLIN up to 1 s, ack
 * it, select register C (write 0x0c to port 0x70) and read it (port
 * 0x71), which lets the RTC raise its next interrupt. Exit 0, or the
 * step that failed: 5 poll, 6 ack, 7 select, 8 read.
 */
PROG(prog_rtc,
     "movl $20, %r12d\n\tsubq $16, %rsp\n\t"
     "1: movl $4, (%rsp)\n\tmovw $1, 4(%rsp)\n\tmovw $0, 6(%rsp)\n\t"
     "movq %rsp, %rdi\n\tmovl $1, %esi\n\tmovl $1000, %edx\n\tmovl $7, %eax\n\tsyscall\n\t"
     "movl $5, %edi\n\tcmpq $1, %rax\n\tjne 9f\n\t"
     "movl $1042, %eax\n\tmovl $4, %edi\n\tsyscall\n\t"
     "movl $6, %edi\n\ttestq %rax, %rax\n\tjnz 9f\n\t"
     "movl $1044, %eax\n\tmovl $3, %edi\n\txorl %esi, %esi\n\tmovl $1, %edx\n\t"
     "movl $0x0c, %r10d\n\tsyscall\n\tmovl $7, %edi\n\ttestq %rax, %rax\n\tjnz 9f\n\t"
     "movl $1043, %eax\n\tmovl $3, %edi\n\tmovl $1, %esi\n\tmovl $1, %edx\n\tsyscall\n\t"
     "movl $8, %edi\n\ttestq %rax, %rax\n\tjs 9f\n\t"
     "decl %r12d\n\tjnz 1b\n\txorl %edi, %edi\n\t"
     "9: " EXIT_EDI);
