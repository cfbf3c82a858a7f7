// SPDX-License-Identifier: MIT
/*
 * CPU exception handling: decode each of the 32 architectural exceptions
 * into one readable line (page faults with CR2 and every error-code bit,
 * selector errors with their table and index), let a waiting kernel test
 * take it, or panic with the registers and a backtrace. Exceptions from
 * ring 3 and faults in the user-copy routines go to ufault.c first.
 */
#include <cairn/boot.h>

#include <arch/cpu.h>
#include <arch/page.h>
#include <lib/format.h>

#include "arch/arch.h"
#include "arch/x86_64/x86.h"
#include "core/kmain.h"
#include "core/ksyms.h"
#include "core/ktest.h"
#include "core/log.h"
#include "core/panic.h"
#include "sched/task.h"

/* Intel SDM Vol. 3A, 7.3, Table 7-1. */
static const char *const exception_names[32] = {
	"divide error",
	"debug",
	"non-maskable interrupt",
	"breakpoint",
	"overflow",
	"bound range exceeded",
	"invalid opcode",
	"device not available",
	"double fault",
	"coprocessor segment overrun",
	"invalid TSS",
	"segment not present",
	"stack-segment fault",
	"general protection fault",
	"page fault",
	"reserved (15)",
	"x87 floating-point error",
	"alignment check",
	"machine check",
	"SIMD floating-point",
	"virtualization exception",
	"control protection",
	"reserved (22)",
	"reserved (23)",
	"reserved (24)",
	"reserved (25)",
	"reserved (26)",
	"reserved (27)",
	"hypervisor injection",
	"VMM communication",
	"security exception",
	"reserved (31)",
};

/* Selector error code (Intel SDM Vol. 3A, 7.13): EXT, IDT, TI, index. */
static int describe_selector(char *buf, unsigned long size, uint64_t err)
{
	static const char *const tables[] = { "GDT", "IDT", "LDT", "IDT" };

	if (err == 0)
		return 0;
	return fmt_snprintf(buf, size, " (%s selector %#llx index %llu%s)", tables[(err >> 1) & 3],
	                    (unsigned long long)(err & 0xfff8),
	                    (unsigned long long)((err >> 3) & 0x1fff),
	                    (err & 1) ? ", external event" : "");
}

static int describe_page_fault(char *buf, unsigned long size, uint64_t err, uint64_t cr2)
{
	return fmt_snprintf(buf, size, ": %s %s page at %#llx in %s mode%s%s%s%s",
	                    (err & X86_PF_I)   ? "instruction fetch from"
	                    : (err & X86_PF_W) ? "write to"
	                                       : "read from",
	                    (err & X86_PF_P) ? "protected" : "not-present", (unsigned long long)cr2,
	                    (err & X86_PF_U) ? "user" : "kernel",
	                    (err & X86_PF_RSVD) ? ", reserved bit set" : "",
	                    (err & X86_PF_PK) ? ", protection key" : "",
	                    (err & X86_PF_SS) ? ", shadow stack" : "",
	                    (err & X86_PF_SGX) ? ", SGX" : "");
}

static bool in_guard_page(uint64_t addr)
{
	uint64_t top = boot_info.stack_top, size = boot_info.stack_size;

	return top && addr >= top - size - PAGE_SIZE && addr < top - size;
}

void x86_describe_trap(const struct arch_regs *regs, uint64_t cr2, char *buf, unsigned long size)
{
	unsigned vec = regs->vector & 31;
	int n = fmt_snprintf(buf, size, "%s (#%u)", exception_names[vec], vec);

	if ((unsigned long)n >= size)
		return;
	if (vec == X86_VEC_PF)
		n += describe_page_fault(buf + n, size - n, regs->error, cr2);
	else if (vec == 10 || vec == 11 || vec == 12 || vec == 13)
		n += describe_selector(buf + n, size - n, regs->error);
	if ((unsigned long)n < size && vec == X86_VEC_DF && in_guard_page(cr2))
		fmt_snprintf(buf + n, size - n, ": kernel stack overflow (guard page %#llx hit)",
		             (unsigned long long)cr2);
}

void x86_trap(struct arch_regs *regs)
{
	char what[200];
	uint64_t cr2;

	if (regs->vector >= 32) {
		x86_irq_enter(regs);
		return;
	}
	cr2 = x86_read_cr2();
	if ((regs->cs & 3) && regs->vector != X86_VEC_NMI && regs->vector != X86_VEC_MC &&
	    regs->vector != X86_VEC_DF) {
		x86_user_trap(regs, cr2);
		return;
	}
	if (x86_uaccess_fixup(regs, cr2))
		return;
	x86_describe_trap(regs, cr2, what, sizeof(what));
	/* A fault in a spawned task ends that task (not NMI or machine check). */
	if (regs->vector != X86_VEC_NMI && regs->vector != X86_VEC_MC && task_can_panic_end()) {
		arch_dump_regs(regs);
		task_panic_end(what);
	}
	if (ktest_active() && !ktest_expects((unsigned)regs->vector)) {
		/* An unexpected fault in a test: full report, then the test fails. */
		kprintf("\n%s\n", what);
		arch_dump_regs(regs);
		panic_backtrace(regs->rbp);
	}
	ktest_on_fault((unsigned)regs->vector, regs->error, cr2, regs->rip, what);
	panic_trap(regs, what);
}

uintptr_t arch_regs_frame_pointer(const struct arch_regs *regs)
{
	return regs->rbp;
}

void arch_dump_regs(const struct arch_regs *r)
{
	uintptr_t off;
	const char *fn = ksyms_lookup(r->rip, &off);

	kprintf("rip %016llx %s+0x%lx  cs %llx  rflags %016llx\n", (unsigned long long)r->rip,
	        fn ? fn : "?", fn ? (unsigned long)off : 0ul, (unsigned long long)r->cs,
	        (unsigned long long)r->rflags);
	kprintf("rsp %016llx  ss %llx  error %llx  cr2 %016llx  cr3 %016llx\n",
	        (unsigned long long)r->rsp, (unsigned long long)r->ss, (unsigned long long)r->error,
	        (unsigned long long)x86_read_cr2(), (unsigned long long)x86_read_cr3());
	kprintf("rax %016llx rbx %016llx rcx %016llx rdx %016llx\n", (unsigned long long)r->rax,
	        (unsigned long long)r->rbx, (unsigned long long)r->rcx, (unsigned long long)r->rdx);
	kprintf("rsi %016llx rdi %016llx rbp %016llx r8  %016llx\n", (unsigned long long)r->rsi,
	        (unsigned long long)r->rdi, (unsigned long long)r->rbp, (unsigned long long)r->r8);
	kprintf("r9  %016llx r10 %016llx r11 %016llx r12 %016llx\n", (unsigned long long)r->r9,
	        (unsigned long long)r->r10, (unsigned long long)r->r11, (unsigned long long)r->r12);
	kprintf("r13 %016llx r14 %016llx r15 %016llx\n", (unsigned long long)r->r13,
	        (unsigned long long)r->r14, (unsigned long long)r->r15);
}

/* Registers at the call site; rip and rsp are the caller's. */
void arch_dump_current_regs(void)
{
	struct arch_regs r = { 0 };

	__asm__ volatile("movq %%rax, %0\n\tmovq %%rbx, %1\n\tmovq %%rcx, %2\n\tmovq %%rdx, %3\n\t"
	                 "movq %%rsi, %4\n\tmovq %%rdi, %5\n\tmovq %%r8, %6\n\tmovq %%r9, %7"
	                 : "=m"(r.rax), "=m"(r.rbx), "=m"(r.rcx), "=m"(r.rdx), "=m"(r.rsi),
	                   "=m"(r.rdi), "=m"(r.r8), "=m"(r.r9));
	__asm__ volatile("movq %%r10, %0\n\tmovq %%r11, %1\n\tmovq %%r12, %2\n\tmovq %%r13, %3\n\t"
	                 "movq %%r14, %4\n\tmovq %%r15, %5\n\tmovq %%cs, %6\n\tmovq %%ss, %7"
	                 : "=m"(r.r10), "=m"(r.r11), "=m"(r.r12), "=m"(r.r13), "=m"(r.r14),
	                   "=m"(r.r15), "=r"(r.cs), "=r"(r.ss));
	r.rbp = (uint64_t)(uintptr_t)__builtin_frame_address(0);
	r.rip = (uint64_t)(uintptr_t)__builtin_return_address(0);
	r.rsp = r.rbp + 16;
	r.rflags = x86_read_rflags();
	arch_dump_regs(&r);
}
