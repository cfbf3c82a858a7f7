// SPDX-License-Identifier: MIT
/*
 * Ring 3 on x86_64: the SYSCALL/SYSRET set-up of each CPU, the user frame
 * at the top of every task's kernel stack and its accessors, the work done
 * before each return to user mode, and the per-task state the context
 * switch carries (kernel entry stack, TLS bases, address space). The entry
 * and exit instructions are in syscall.S and isr.S; docs/syscall-entry.md
 * explains the whole path.
 */
#include <cairn/compiler.h>
#include <cairn/errno.h>
#include <cairn/linux/signal.h>

#include <arch/cpu.h>
#include <arch/msr.h>
#include <arch/spinlock.h>
#include <lib/string.h>

#include <stddef.h>
#include <stdint.h>

#include "arch/arch.h"
#include "arch/x86_64/x86.h"
#include "core/log.h"
#include "core/percpu.h"
#include "irq/irq.h"
#include "mm/uspace.h"
#include "proc/proc.h"
#include "proc/signal.h"
#include "sched/sched.h"
#include "sched/task.h"
#include "syscall/syscall.h"

/* The first address above user space; the last page below 2^47 stays unmapped. */
#define USER_IP_LIMIT 0x00007ffffffff000ull

/* Linux x86_64 numbers of the calls a bare ring-3 task may make (no process). */
#define BARE_NR_EXIT       60
#define BARE_NR_EXIT_GROUP 231
#define BARE_NR_ARCH_PRCTL 158

/* Above the user frame: a pointer to the frame's task, and padding to 16 bytes. */
#define FRAME_OWNER_SIZE 16

extern const char x86_syscall_entry[];

/*
 * The byte offsets syscall.S reads with %gs: prefixes, published as
 * absolute symbols so the assembly never hard-codes struct percpu's layout.
 * Never called; the assembler directives are what counts.
 */
void x86_percpu_offsets(void);
void x86_percpu_offsets(void)
{
	__asm__ volatile(".globl X86_PCPU_KSTACK\n\t.set X86_PCPU_KSTACK, %c0\n\t"
	                 ".globl X86_PCPU_USER_RSP\n\t.set X86_PCPU_USER_RSP, %c1"
	                 :
	                 : "i"(offsetof(struct percpu, arch.kstack_top)),
	                   "i"(offsetof(struct percpu, arch.user_rsp)));
}

/*
 * SYSCALL enters at LSTAR with CS = STAR[47:32] and SS = that + 8; SYSRET to
 * 64-bit mode loads CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8, both with
 * RPL 3 (Intel SDM Vol. 2B, SYSCALL and SYSRET). With the GDT's order
 * (kernel code, kernel data, user data, user code) that is STAR[63:48] =
 * 0x10: SS 0x1b, CS 0x23. FMASK clears IF (no interrupt before the stack
 * switch), TF, DF, AC (SMAP stays closed), NT and IOPL.
 */
void x86_syscall_init_cpu(void)
{
	uint64_t star = ((uint64_t)(X86_SEL_UDATA - 8 - 3) << 48) | ((uint64_t)X86_SEL_KCODE << 32);

	_Static_assert(X86_SEL_UDATA - 3 + 8 == X86_SEL_UCODE - 3, "SYSRET needs udata, ucode");
	_Static_assert(X86_SEL_KCODE + 8 == X86_SEL_KDATA, "SYSCALL needs kcode, kdata");
	x86_wrmsr(X86_MSR_STAR, star);
	x86_wrmsr(X86_MSR_LSTAR, (uint64_t)(uintptr_t)x86_syscall_entry);
	x86_wrmsr(X86_MSR_FMASK, X86_RFLAGS_IF | X86_RFLAGS_TF | X86_RFLAGS_DF | X86_RFLAGS_AC |
	                                 X86_RFLAGS_NT | X86_RFLAGS_IOPL);
	x86_wrmsr(X86_MSR_EFER, x86_rdmsr(X86_MSR_EFER) | X86_EFER_SCE);
}

/* ---- the frame ---- */

static struct task **frame_owner(struct arch_uframe *f)
{
	return (struct task **)((uintptr_t)f - FRAME_OWNER_SIZE);
}

uintptr_t arch_task_setup(struct task *t)
{
	struct arch_uframe *f = arch_uframe(t);

	memset(&t->arch, 0, sizeof(t->arch));
	memset(f, 0, sizeof(*f));
	*frame_owner(f) = t;
	return (uintptr_t)f - FRAME_OWNER_SIZE;
}

struct arch_uframe *arch_uframe(struct task *t)
{
	return (struct arch_uframe *)(t->stack_top - sizeof(struct arch_uframe));
}

long arch_uframe_sysno(const struct arch_uframe *f)
{
	return f->r.vector == X86_VEC_SYSCALL ? (long)f->r.error : -1;
}

/* Linux x86_64 passes system-call arguments in RDI, RSI, RDX, R10, R8, R9. */
uint64_t arch_uframe_arg(const struct arch_uframe *f, int i)
{
	switch (i) {
	case 0:
		return f->r.rdi;
	case 1:
		return f->r.rsi;
	case 2:
		return f->r.rdx;
	case 3:
		return f->r.r10;
	case 4:
		return f->r.r8;
	case 5:
		return f->r.r9;
	default:
		return 0;
	}
}

void arch_uframe_set_return(struct arch_uframe *f, long v)
{
	f->r.rax = (uint64_t)v;
}

uintptr_t arch_uframe_ip(const struct arch_uframe *f)
{
	return f->r.rip;
}

uintptr_t arch_uframe_sp(const struct arch_uframe *f)
{
	return f->r.rsp;
}

void arch_uframe_set_sp(struct arch_uframe *f, uintptr_t sp)
{
	f->r.rsp = sp;
}

void arch_uframe_set_ip(struct arch_uframe *f, uintptr_t ip)
{
	f->r.rip = ip;
}

static bool is_own_frame(const struct arch_uframe *f)
{
	struct task *t = task_current();

	return t && f == arch_uframe(t);
}

void arch_uframe_init(struct arch_uframe *f, uintptr_t ip, uintptr_t sp)
{
	memset(f, 0, sizeof(*f));
	f->r.rip = ip;
	f->r.rsp = sp;
	f->r.cs = X86_SEL_UCODE;
	f->r.ss = X86_SEL_UDATA;
	f->r.rflags = X86_RFLAGS_IF | X86_RFLAGS_FIXED;
	if (is_own_frame(f)) {
		x86_fpu_reset_current();
		arch_task_set_tls(task_current(), 0);
		task_current()->arch.gs_base = 0;
		x86_wrmsr(X86_MSR_KERNEL_GS, 0);
		this_cpu()->arch.kgs_loaded = 0;
	}
}

void arch_uframe_copy(struct arch_uframe *dst, const struct arch_uframe *src)
{
	struct task *child = *frame_owner(dst), *self = task_current();

	*dst = *src;
	/* Only a task's own frame has its owner above it: any other @dst gets the registers alone. */
	if (!is_own_frame(src) || !child || child == self || arch_uframe(child) != dst)
		return;
	x86_fpu_save_current(child->fpu);
	child->arch.fs_base = arch_task_tls(self);
	child->arch.gs_base = x86_rdmsr(X86_MSR_KERNEL_GS);
}

/* ---- TLS bases ---- */

/* IA32_FS_BASE holds the running task's FS base (Intel SDM Vol. 3A, 3.4.4.1). */
void arch_task_set_tls(struct task *t, uintptr_t base)
{
	unsigned long flags = irq_save();

	t->arch.fs_base = base;
	if (t == task_current()) {
		x86_wrmsr(X86_MSR_FS_BASE, base);
		this_cpu()->arch.fs_loaded = base;
	}
	irq_restore(flags);
}

/* A selector load in user mode may have changed the live base: read it for the caller. */
uintptr_t arch_task_tls(struct task *t)
{
	if (t == task_current())
		return x86_rdmsr(X86_MSR_FS_BASE);
	return t->arch.fs_base;
}

/*
 * GS base of user mode (the other half of SWAPGS) for @t, kept in
 * IA32_KERNEL_GS_BASE while the kernel runs.
 */
void x86_task_set_user_gs(struct task *t, uintptr_t base)
{
	unsigned long flags = irq_save();

	t->arch.gs_base = base;
	if (t == task_current()) {
		x86_wrmsr(X86_MSR_KERNEL_GS, base);
		this_cpu()->arch.kgs_loaded = base;
	}
	irq_restore(flags);
}

uintptr_t x86_task_user_gs(struct task *t)
{
	if (t == task_current())
		return x86_rdmsr(X86_MSR_KERNEL_GS);
	return t->arch.gs_base;
}

/* ---- the context switch ---- */

/*
 * Ring 3 may reload FS or GS with a selector, which changes their bases
 * behind the kernel's back, so a task that has been in user mode has its
 * live bases read back as it leaves; the MSRs are written only on change.
 */
static void switch_tls(struct percpu *c, struct task *prev, struct task *next)
{
	if (prev->arch.user) {
		prev->arch.fs_base = c->arch.fs_loaded = x86_rdmsr(X86_MSR_FS_BASE);
		prev->arch.gs_base = c->arch.kgs_loaded = x86_rdmsr(X86_MSR_KERNEL_GS);
	}
	if (next->arch.fs_base != c->arch.fs_loaded) {
		x86_wrmsr(X86_MSR_FS_BASE, next->arch.fs_base);
		c->arch.fs_loaded = next->arch.fs_base;
	}
	if (next->arch.gs_base != c->arch.kgs_loaded) {
		x86_wrmsr(X86_MSR_KERNEL_GS, next->arch.gs_base);
		c->arch.kgs_loaded = next->arch.gs_base;
	}
}

void arch_task_switch(struct task *prev, struct task *next)
{
	struct percpu *c = this_cpu();

	/* Ring 3 enters on this stack: through TSS.RSP0 (interrupts) or SYSCALL. */
	c->arch.tss.rsp[0] = next->stack_top;
	c->arch.kstack_top = next->stack_top;
	switch_tls(c, prev, next);
	if (next->space != prev->space)
		uspace_activate(next->space);
}

/* ---- entering and leaving ring 3 ---- */

/*
 * A task of no process (a kernel test in ring 3) has no signals: a fault
 * ends it with 128 + the signal number, as a shell reports it.
 */
void x86_user_signal(int sig, int code, uintptr_t addr)
{
	struct task *t = task_current();

	if (t->proc_thread) {
		signal_fault(sig, code, addr);
		return;
	}
	pr_info("user: task %s (id %llu): signal %d code %d at %#lx, no process: it ends", t->name,
	        (unsigned long long)t->id, sig, code, (unsigned long)addr);
	irq_enable();
	task_exit(128 + sig);
}

/*
 * IRET (and SYSRET) must never fault in ring 0 on a frame user mode or a
 * signal handler chose: force the user selectors and flags, and refuse an
 * instruction pointer outside user space (Intel SDM Vol. 2A, IRET: #GP(0)
 * for a non-canonical RIP, raised before the privilege change).
 */
static bool frame_fixup(struct arch_uframe *f)
{
	f->r.cs = X86_SEL_UCODE;
	f->r.ss = X86_SEL_UDATA;
	f->r.rflags = (f->r.rflags & X86_RFLAGS_USER) | X86_RFLAGS_IF | X86_RFLAGS_FIXED;
	if (f->r.rip < USER_IP_LIMIT)
		return true;
	this_cpu()->arch.bad_user_ip++;
	return false;
}

/*
 * The checks that need a call (a kill, signals) run with interrupts on;
 * the last ones run with them off, so nothing can be left pending between
 * them and the return: an interrupt that sets need_resched later fires in
 * ring 3 and switches on its own way out.
 */
void x86_exit_to_user(struct arch_uframe *f)
{
	struct task *t = percpu_read_current();
	unsigned bad = 0;

	for (;;) {
		if (t->proc_thread) {
			arch_irq_enable();
			signal_deliver(f);
		} else if (__atomic_load_n(&t->kill_pending, __ATOMIC_RELAXED)) {
			arch_irq_enable();
			task_check_kill(); /* a bare task only: a thread ends through its process */
		}
		arch_irq_disable();
		if (this_cpu()->need_resched) {
			sched_yield();
			continue;
		}
		if (frame_fixup(f))
			return;
		/* A handler may fix the frame; a second bad one ends the process. */
		arch_irq_enable();
		if (bad++)
			proc_exit_group(SIGSEGV);
		x86_user_signal(SIGSEGV, SI_KERNEL, 0);
	}
}

/*
 * The only calls a bare task makes: exit and exit_group end it with their
 * argument; arch_prctl touches nothing but the task's own registers.
 */
static void bare_syscall(struct arch_uframe *f)
{
	long nr = arch_uframe_sysno(f), r = -ENOSYS;

	if (nr == BARE_NR_EXIT || nr == BARE_NR_EXIT_GROUP)
		task_exit((int)f->r.rdi);
	if (nr == BARE_NR_ARCH_PRCTL)
		r = sys_arch_prctl(f->r.rdi, f->r.rsi, 0, 0, 0, 0);
	arch_uframe_set_return(f, r);
}

/*
 * SYSRET returns to RCX with RFLAGS from R11 (Intel SDM Vol. 2B, SYSRET). It
 * raises #GP in ring 0 for a non-canonical RCX, on the user's stack pointer
 * (CVE-2012-0217), so it is used only when the frame is what SYSCALL saved
 * and RIP is inside user space; any other frame (exec, a signal handler, a
 * restarted call) returns with IRET.
 */
static bool sysret_ok(const struct arch_uframe *f)
{
	return f->r.rcx == f->r.rip && f->r.r11 == f->r.rflags && f->r.rip < USER_IP_LIMIT &&
	       !(f->r.rflags & (X86_RFLAGS_TF | X86_RFLAGS_RF));
}

bool x86_syscall(struct arch_uframe *f)
{
	arch_irq_enable();
	if (likely(((struct task *)percpu_read_current())->proc_thread))
		syscall_entry(f);
	else
		bare_syscall(f);
	x86_exit_to_user(f);
	return sysret_ok(f);
}

void arch_enter_user(struct arch_uframe *f)
{
	struct task *t = task_current();
	struct arch_uframe *own = arch_uframe(t);

	if (f != own)
		*own = *f;
	t->arch.user = true;
	x86_exit_to_user(own);
	x86_iret_to_user(own);
}
