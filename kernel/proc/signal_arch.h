/* SPDX-License-Identifier: MIT */
/*
 * What the architecture provides for signals (x86_64:
 * kernel/arch/x86_64/cpu/signal.c): building a handler's frame on the user
 * stack, taking it back in rt_sigreturn, and rewinding a system call to
 * restart it. Only kernel/proc/signal.c and kernel/syscall/sys_signal.c
 * call these.
 */
#pragma once

#include <cairn/compiler.h>
#include <cairn/linux/signal.h>

#include <stdbool.h>
#include <stdint.h>

#include "proc/signal.h"

struct arch_uframe;

/* One handler invocation. */
struct sig_frame_req {
	int sig;                           /* the signal */
	const struct ksiginfo *info;       /* its information */
	const struct kernel_sigaction *ka; /* the handler, its flags and restorer */
	uint64_t mask;                     /* the mask sigreturn restores */
	struct thread_sig *ts;             /* the thread's alternate stack (may be disarmed) */
};

/*
 * Save the user registers of @f and the FPU state in a frame on the user
 * stack (or the alternate stack) and point @f at the handler: first
 * argument the signal, with SA_SIGINFO the siginfo and ucontext too,
 * return address the restorer, a clean FPU state. Returns 0, or -EFAULT
 * when the frame cannot be placed or written (@f is then unchanged).
 * Task context, the thread's own frame.
 */
int __must_check arch_signal_setup_frame(struct arch_uframe *f, const struct sig_frame_req *req);

/* What rt_sigreturn found in the frame, for the generic code to apply. */
struct sig_return {
	uint64_t mask;            /* uc_sigmask */
	long ret;                 /* the restored result register (the call's return value) */
	struct linux_stack stack; /* uc_stack */
};

/*
 * rt_sigreturn: read the frame at the user stack pointer of @f, check it
 * (segments forced to user ones, flags sanitised, canonical addresses,
 * FPU state valid) and load the registers and FPU state into @f and the
 * CPU. Returns 0 with *@out filled, or -EFAULT (bad frame; @f unchanged).
 */
int __must_check arch_signal_return(struct arch_uframe *f, struct sig_return *out);

/* The system call's result if @f was saved by a system call (else false). */
bool arch_signal_syscall_result(const struct arch_uframe *f, long *ret);

/* Make @f run its system call again: back to the syscall instruction, number restored. */
void arch_signal_restart(struct arch_uframe *f);
