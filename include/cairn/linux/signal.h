/* SPDX-License-Identifier: MIT */
/*
 * Linux's x86_64 signal ABI: numbers, sigaction flags, the structures the
 * rt_sig* calls take, siginfo, stack_t and the signal frame (ucontext,
 * sigcontext, FPU state) that a handler receives. Values and layouts are
 * facts from Linux's uapi headers (asm/signal.h, asm-generic/siginfo.h,
 * asm/sigcontext.h, asm/ucontext.h), written out here for Cairn; the
 * offsets are checked below because glibc and musl read them directly.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Signal numbers (x86_64). 32..64 are the real-time signals. */
#define SIGHUP    1
#define SIGINT    2
#define SIGQUIT   3
#define SIGILL    4
#define SIGTRAP   5
#define SIGABRT   6
#define SIGBUS    7
#define SIGFPE    8
#define SIGKILL   9
#define SIGUSR1   10
#define SIGSEGV   11
#define SIGUSR2   12
#define SIGPIPE   13
#define SIGALRM   14
#define SIGTERM   15
#define SIGSTKFLT 16
#define SIGCHLD   17
#define SIGCONT   18
#define SIGSTOP   19
#define SIGTSTP   20
#define SIGTTIN   21
#define SIGTTOU   22
#define SIGURG    23
#define SIGXCPU   24
#define SIGXFSZ   25
#define SIGVTALRM 26
#define SIGPROF   27
#define SIGWINCH  28
#define SIGIO     29
#define SIGPWR    30
#define SIGSYS    31
#define SIGRTMIN  32
#define SIGRTMAX  64
#define NSIG      64 /* the highest signal number; sets have one bit per signal */

/* Handler values. */
#define SIG_DFL 0ul
#define SIG_IGN 1ul

/* sa_flags. */
#define SA_NOCLDSTOP 0x00000001ul
#define SA_NOCLDWAIT 0x00000002ul
#define SA_SIGINFO   0x00000004ul
#define SA_RESTORER  0x04000000ul
#define SA_ONSTACK   0x08000000ul
#define SA_RESTART   0x10000000ul
#define SA_NODEFER   0x40000000ul
#define SA_RESETHAND 0x80000000ul

/* rt_sigprocmask's @how. */
#define SIG_BLOCK   0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2

/* sigaltstack. */
#define SS_ONSTACK    1
#define SS_DISABLE    2
#define SS_AUTODISARM (1u << 31)
#define MINSIGSTKSZ   2048
#define SIGSTKSZ      8192

/* si_code values shared by every signal. */
#define SI_USER    0
#define SI_KERNEL  0x80
#define SI_QUEUE   (-1)
#define SI_TIMER   (-2)
#define SI_MESGQ   (-3)
#define SI_ASYNCIO (-4)
#define SI_SIGIO   (-5)
#define SI_TKILL   (-6)

/* si_code for the fault signals. */
#define ILL_ILLOPC  1
#define ILL_ILLOPN  2
#define ILL_ILLADR  3
#define ILL_ILLTRP  4
#define ILL_PRVOPC  5
#define ILL_PRVREG  6
#define ILL_COPROC  7
#define ILL_BADSTK  8
#define FPE_INTDIV  1
#define FPE_INTOVF  2
#define FPE_FLTDIV  3
#define FPE_FLTOVF  4
#define FPE_FLTUND  5
#define FPE_FLTRES  6
#define FPE_FLTINV  7
#define FPE_FLTSUB  8
#define SEGV_MAPERR 1
#define SEGV_ACCERR 2
#define BUS_ADRALN  1
#define BUS_ADRERR  2
#define BUS_OBJERR  3
#define TRAP_BRKPT  1
#define TRAP_TRACE  2

/* si_code for SIGCHLD. */
#define CLD_EXITED    1
#define CLD_KILLED    2
#define CLD_DUMPED    3
#define CLD_TRAPPED   4
#define CLD_STOPPED   5
#define CLD_CONTINUED 6

/* The sigaction that rt_sigaction takes (not libc's). sa_mask is 8 bytes. */
struct kernel_sigaction {
	uint64_t sa_handler;  /* SIG_DFL, SIG_IGN or the handler's address */
	uint64_t sa_flags;    /* SA_* */
	uint64_t sa_restorer; /* where the handler returns (SA_RESTORER) */
	uint64_t sa_mask;     /* bit n-1: signal n blocked while the handler runs */
};
_Static_assert(sizeof(struct kernel_sigaction) == 32, "kernel_sigaction is 32 bytes");

/* stack_t. */
struct linux_stack {
	uint64_t ss_sp;
	int32_t ss_flags;
	int32_t pad;
	uint64_t ss_size;
};
_Static_assert(sizeof(struct linux_stack) == 24, "stack_t is 24 bytes");
_Static_assert(offsetof(struct linux_stack, ss_size) == 16, "stack_t.ss_size at 16");

/* siginfo_t: 128 bytes, the union at offset 16 (asm-generic/siginfo.h, 64-bit). */
#define SI_MAX_SIZE 128
struct linux_siginfo {
	int32_t si_signo;
	int32_t si_errno;
	int32_t si_code;
	int32_t pad0;
	union {
		struct { /* kill, tkill, SIGCHLD, sigqueue */
			int32_t pid;
			uint32_t uid;
			union {
				int32_t status; /* SIGCHLD: exit code or signal number */
				uint64_t value; /* sigqueue: sigval */
			};
			int64_t utime; /* SIGCHLD: clock ticks */
			int64_t stime;
		} proc;
		struct { /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
			uint64_t addr;
			int16_t addr_lsb;
		} fault;
		uint8_t raw[SI_MAX_SIZE - 16];
	};
};
_Static_assert(sizeof(struct linux_siginfo) == SI_MAX_SIZE, "siginfo_t is 128 bytes");
_Static_assert(offsetof(struct linux_siginfo, proc.status) == 24, "si_status at 24");
_Static_assert(offsetof(struct linux_siginfo, proc.utime) == 32, "si_utime at 32");
_Static_assert(offsetof(struct linux_siginfo, fault.addr) == 16, "si_addr at 16");

/* struct sigcontext of x86_64 (asm/sigcontext.h): uc_mcontext. */
struct linux_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp;
	uint64_t rip;
	uint64_t eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err;
	uint64_t trapno;
	uint64_t oldmask;
	uint64_t cr2;
	uint64_t fpstate; /* user address of the FPU state (struct linux_fpstate), 0: none */
	uint64_t reserved1[8];
};
_Static_assert(sizeof(struct linux_sigcontext) == 256, "sigcontext is 256 bytes");
_Static_assert(offsetof(struct linux_sigcontext, rip) == 128, "sigcontext.rip at 128");
_Static_assert(offsetof(struct linux_sigcontext, cs) == 144, "sigcontext.cs at 144");
_Static_assert(offsetof(struct linux_sigcontext, fpstate) == 184, "sigcontext.fpstate at 184");

/* uc_flags. */
#define UC_FP_XSTATE         0x1
#define UC_SIGCONTEXT_SS     0x2
#define UC_STRICT_RESTORE_SS 0x4

/* The kernel's struct ucontext (asm/ucontext.h); libc's is longer but starts the same. */
struct linux_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct linux_stack uc_stack;
	struct linux_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};
_Static_assert(sizeof(struct linux_ucontext) == 304, "ucontext is 304 bytes");
_Static_assert(offsetof(struct linux_ucontext, uc_mcontext) == 40, "uc_mcontext at 40");
_Static_assert(offsetof(struct linux_ucontext, uc_sigmask) == 296, "uc_sigmask at 296");

/*
 * The frame a handler finds at its stack pointer: the return address (the
 * restorer), the ucontext, the siginfo (arch/x86/include/asm/sigframe.h).
 * The FPU state lies above it, 64-byte aligned, uc_mcontext.fpstate points
 * at it.
 */
struct linux_rt_sigframe {
	uint64_t pretcode;
	struct linux_ucontext uc;
	struct linux_siginfo info;
};
_Static_assert(sizeof(struct linux_rt_sigframe) == 440, "rt_sigframe is 440 bytes");
_Static_assert(offsetof(struct linux_rt_sigframe, info) == 312, "rt_sigframe.info at 312");

/*
 * The FXSAVE image as a signal frame holds it (struct _fpstate_64): the
 * last 48 bytes, unused by the CPU, carry the software description of an
 * XSAVE area that follows (struct _fpx_sw_bytes), and FP_XSTATE_MAGIC2
 * ends the XSAVE area. Intel SDM Vol. 1, 10.5.1 (FXSAVE layout).
 */
#define FP_XSTATE_MAGIC1      0x46505853u
#define FP_XSTATE_MAGIC2      0x46505845u
#define FP_XSTATE_MAGIC2_SIZE 4
#define FXSAVE_SIZE           512
#define FXSAVE_SW_BYTES       464 /* offset of _fpx_sw_bytes in the image */
#define FXSAVE_MXCSR          24  /* offset of MXCSR */
#define FXSAVE_MXCSR_MASK     28  /* offset of MXCSR_MASK */
#define XSAVE_HEADER          512 /* offset of the XSAVE header (XSTATE_BV, XCOMP_BV) */
#define XSAVE_HEADER_SIZE     64

struct linux_fpx_sw_bytes {
	uint32_t magic1;        /* FP_XSTATE_MAGIC1 when an XSAVE area follows */
	uint32_t extended_size; /* XSAVE area size plus FP_XSTATE_MAGIC2_SIZE */
	uint64_t xfeatures;     /* the state components saved */
	uint32_t xstate_size;   /* bytes of the XSAVE area */
	uint32_t padding[7];
};
_Static_assert(sizeof(struct linux_fpx_sw_bytes) == 48, "_fpx_sw_bytes is 48 bytes");
