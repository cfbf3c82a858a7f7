// SPDX-License-Identifier: MIT
/*
 * Faults that involve user memory or user mode. An exception raised in
 * ring 3 becomes a signal for the thread (SIGSEGV, SIGBUS, SIGFPE, SIGILL,
 * SIGTRAP) unless the address space can resolve a page fault; an address
 * space out of memory kills the process, never the kernel. A kernel-mode
 * fault inside the user-copy routines is resolved the same way or sent
 * to the routine's fix-up (-EFAULT). Every other kernel fault still ends
 * in trap.c's report and panic.
 */
#include <cairn/errno.h>
#include <cairn/linux/signal.h>

#include <arch/cpu.h>

#include <stdint.h>

#include "arch/x86_64/x86.h"
#include "irq/irq.h"
#include "mm/uaccess.h"
#include "mm/uspace.h"
#include "proc/proc.h"
#include "sched/sched.h"
#include "sched/task.h"

/* x87 and SSE exception flags (FSW / MXCSR bits 0-5; Intel SDM Vol. 1, 8.1.3, 10.2.3). */
#define FP_INVALID   0x01u
#define FP_DENORMAL  0x02u
#define FP_ZERODIV   0x04u
#define FP_OVERFLOW  0x08u
#define FP_UNDERFLOW 0x10u
#define FP_PRECISION 0x20u

/* The access bits uspace_fault() takes, from a page-fault error code. */
static unsigned fault_access(uint64_t err)
{
	return ((err & X86_PF_W) ? UFAULT_WRITE : 0) | ((err & X86_PF_I) ? UFAULT_EXEC : 0) |
	       ((err & X86_PF_U) ? UFAULT_USER : 0) | ((err & X86_PF_P) ? UFAULT_PRESENT : 0);
}

static void user_page_fault(const struct arch_regs *regs, uint64_t cr2)
{
	struct uspace *s = uspace_current();
	int err = -EFAULT;

	if (s && cr2 < USER_TOP && !(regs->error & X86_PF_RSVD))
		err = uspace_fault(s, cr2, fault_access(regs->error));
	if (!err)
		return;
	if (err == -ENOMEM && task_current()->proc_thread) {
		proc_kill_oom();
		return;
	}
	/* A file page past the end of the file, or one that cannot be read: SIGBUS (Linux). */
	if (err == -EIO) {
		x86_user_signal(SIGBUS, BUS_ADRERR, cr2);
		return;
	}
	x86_user_signal(err == -ENOMEM ? SIGKILL : SIGSEGV,
	                err == -EACCES ? SEGV_ACCERR : SEGV_MAPERR, cr2);
}

/* The first unmasked exception flag names the cause (FPE_* of Linux's siginfo). */
static int fpe_code(unsigned status, unsigned masks)
{
	unsigned e = status & ~masks & 0x3f;

	if (e & FP_INVALID)
		return FPE_FLTINV;
	if (e & FP_ZERODIV)
		return FPE_FLTDIV;
	if (e & FP_OVERFLOW)
		return FPE_FLTOVF;
	if (e & (FP_UNDERFLOW | FP_DENORMAL))
		return FPE_FLTUND;
	if (e & FP_PRECISION)
		return FPE_FLTRES;
	return SI_KERNEL;
}

/* #MF: the x87 status and control words; #XM: MXCSR's flags and masks (bits 7-12). */
static int fp_fault_code(unsigned vector)
{
	uint32_t mxcsr;
	uint16_t sw, cw;

	if (vector == 19) {
		__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
		return fpe_code(mxcsr, mxcsr >> 7);
	}
	__asm__ volatile("fnstsw %0\n\tfnstcw %1" : "=m"(sw), "=m"(cw));
	return fpe_code(sw, cw);
}

/* Intel SDM Vol. 3A, 7.3, Table 7-1, to the signals Linux sends for each. */
static void user_exception(const struct arch_regs *regs)
{
	uintptr_t ip = regs->rip;

	switch (regs->vector) {
	case 0:
		x86_user_signal(SIGFPE, FPE_INTDIV, ip);
		break;
	case 1:
		x86_user_signal(SIGTRAP, TRAP_TRACE, ip);
		break;
	case 3:
		x86_user_signal(SIGTRAP, SI_KERNEL, 0);
		break;
	case 6:
		x86_user_signal(SIGILL, ILL_ILLOPN, ip);
		break;
	case 7:
		x86_user_signal(SIGILL, ILL_COPROC, ip);
		break;
	case 11:
	case 12:
		x86_user_signal(SIGBUS, SI_KERNEL, 0);
		break;
	case 16:
	case 19:
		x86_user_signal(SIGFPE, fp_fault_code((unsigned)regs->vector), ip);
		break;
	case 17:
		x86_user_signal(SIGBUS, BUS_ADRALN, 0);
		break;
	default:
		x86_user_signal(SIGSEGV, SI_KERNEL, 0);
		break; /* #GP, #TS, #OF, #BR... */
	}
}

/*
 * User mode ran with interrupts on, so the handler may too: resolving a
 * page can sleep. Signals are delivered on the way out (x86_exit_to_user()).
 */
void x86_user_trap(struct arch_regs *regs, uint64_t cr2)
{
	irq_enable();
	if (regs->vector == X86_VEC_PF)
		user_page_fault(regs, cr2);
	else
		user_exception(regs);
	irq_disable();
}

bool x86_uaccess_fixup(struct arch_regs *regs, uint64_t cr2)
{
	uintptr_t fixup;
	struct uspace *s;
	int err = -EFAULT;

	if (regs->vector != X86_VEC_PF && regs->vector != 13)
		return false;
	fixup = x86_extable_find(regs->rip);
	if (!fixup)
		return false;
	s = uspace_current();
	/* Resolving may sleep: only for a copy made where the caller itself could. */
	if (regs->vector == X86_VEC_PF && s && cr2 < USER_TOP && !(regs->error & X86_PF_RSVD) &&
	    (regs->rflags & X86_RFLAGS_IF)) {
		irq_enable();
		if (sched_can_block())
			err = uspace_fault(s, cr2, fault_access(regs->error));
		irq_disable();
	}
	/* As a fault in user mode would: no memory even after reclaim ends the process. */
	if (err == -ENOMEM && task_current()->proc_thread)
		proc_kill_oom_later();
	if (err)
		regs->rip = fixup;
	return true;
}
