/* SPDX-License-Identifier: MIT */
/*
 * What every architecture implements for the generic kernel. Generic code
 * includes this header, never an architecture's own headers, so a second
 * architecture is a new folder under kernel/arch/.
 */
#pragma once

#include <stdint.h>

struct boot_info;
struct task;

/* Early CPU setup on the boot CPU: descriptor tables, exception handlers. */
void arch_early_init(const struct boot_info *bi);

/* Stop this CPU forever with interrupts off. */
__attribute__((noreturn)) void arch_halt(void);

/* Wait for the next interrupt (or return at once if none can come). */
void arch_idle(void);

struct seqbuf;
/*
 * /proc/cpuinfo's paragraph for CPU @cpu (of @ncpus), in the format
 * Linux uses on this architecture (kernel/arch/x86_64/cpu/cpuinfo.c).
 */
void arch_cpuinfo(struct seqbuf *s, unsigned cpu, unsigned ncpus);

/* A cycle counter and its frequency in kHz (calibrated once at boot). */
uint64_t arch_cycles(void);
uint64_t arch_cycles_khz(void);

/* Leave the emulator with @code when running under QEMU's isa-debug-exit. */
void arch_qemu_exit(uint32_t code);

/*
 * Reset paths for power_reboot() beyond the ACPI reset register.
 * arch_reset_legacy(): the platform's legacy reset line (x86: the 8042
 * keyboard controller's reset pulse, several tries); returns when the
 * machine still runs. arch_reset_cpu(): a reset forced from the CPU itself
 * (x86: a triple fault). Both turn interrupts off on this CPU.
 */
void arch_reset_legacy(void);
__attribute__((noreturn)) void arch_reset_cpu(void);

/*
 * One access of @width bits (8, 16 or 32) at byte @off of the PCI
 * configuration space of function @bdf (bus 15:8, device 7:3, function
 * 2:0) in segment 0. kernel/bus/pci/pci.c checks the arguments first; the
 * access stays inside one aligned dword. Any context.
 */
uint32_t arch_pci_config_read(uint32_t bdf, unsigned int off, unsigned int width);
void arch_pci_config_write(uint32_t bdf, unsigned int off, unsigned int width, uint32_t v);

/* Registers at a point of failure, for panic reports. */
struct arch_regs;
void arch_dump_regs(const struct arch_regs *regs);
uintptr_t arch_regs_frame_pointer(const struct arch_regs *regs);
/* Print this CPU's registers as they are at the call (for panic()). */
void arch_dump_current_regs(void);

/* Walk the call stack from frame pointer @fp, calling @fn for each return address. */
void arch_backtrace(uintptr_t fp, void (*fn)(uintptr_t pc, void *ctx), void *ctx);
uintptr_t arch_frame_pointer(void);

/* Jump buffers for the kernel test runner (and later, for recovering from faults). */
struct arch_jmp_buf {
	uint64_t regs[9]; /* callee-saved registers, stack, return address, flags */
};
int arch_setjmp(struct arch_jmp_buf *jb) __attribute__((returns_twice));
__attribute__((noreturn)) void arch_longjmp(struct arch_jmp_buf *jb, int value);

/* MMU hooks for kernel/mm (kernel/arch/x86_64/cpu/mmu.c). */
int arch_mmu_levels(void);             /* page-table levels in use: 4 or 5 */
uint64_t arch_mmu_root(void);          /* physical address of the active root table */
void arch_mmu_activate(uint64_t root); /* switch to a root table */
void arch_mmu_invalidate(uint64_t va); /* drop one page's TLB entry on this CPU */
void arch_mmu_flush(void);             /* drop all TLB entries, global ones too */
int arch_mmu_has_1g_pages(void);
/* Program memory types (PAT) and turn on the protections this CPU has (WP, NX,
 * SMEP, SMAP, UMIP, global pages); fills @names with what was enabled. */
void arch_mmu_enable_protections(char *names, unsigned long size);
/* Open and close a window in which the kernel may touch user pages (SMAP). */
void arch_user_access_begin(void);
void arch_user_access_end(void);

/* ---- User mode (kernel/arch/x86_64/cpu/user.c, syscall.S) ---- */

/*
 * The user registers a thread saved as it entered the kernel (system call,
 * interrupt or fault), at the top of its kernel stack. The layout is the
 * architecture's; generic code uses these accessors.
 */
struct arch_uframe;
/* The saved user frame of @t (at the top of its kernel stack). */
struct arch_uframe *arch_uframe(struct task *t);
/* The system-call number of a frame saved by a system call, else -1. */
long arch_uframe_sysno(const struct arch_uframe *f);
/* System-call argument @i (0..5) in the Linux ABI's order; 0 for another @i. */
uint64_t arch_uframe_arg(const struct arch_uframe *f, int i);
/* The value the system call returns to user mode. */
void arch_uframe_set_return(struct arch_uframe *f, long v);
uintptr_t arch_uframe_ip(const struct arch_uframe *f);
uintptr_t arch_uframe_sp(const struct arch_uframe *f);
/* Set the user stack pointer (clone with a new stack) or instruction pointer. */
void arch_uframe_set_sp(struct arch_uframe *f, uintptr_t sp);
void arch_uframe_set_ip(struct arch_uframe *f, uintptr_t ip);
/*
 * Fresh user registers for exec or a new thread: all zero but @ip and @sp,
 * interrupts on. When @f is the calling task's own frame, its FPU/SSE
 * state and TLS bases are reset too (exec).
 */
void arch_uframe_init(struct arch_uframe *f, uintptr_t ip, uintptr_t sp);
/*
 * Copy the user registers of @src to @dst (fork, clone); @dst is
 * arch_uframe() of the new task. Called by the parent with @src its own
 * frame, it also copies the parent's live FPU/SSE/AVX state and TLS bases
 * to that task. The new task must not have run yet.
 */
void arch_uframe_copy(struct arch_uframe *dst, const struct arch_uframe *src);
/*
 * Return to user mode through @f (copied to the calling task's own frame
 * first if it is another); never returns. The first entry of a new thread
 * (after fork, clone or exec) ends here. Task context.
 */
__attribute__((noreturn)) void arch_enter_user(struct arch_uframe *f);
/* The user thread-local base (x86_64: FS base) of @t; takes effect at once for the caller. */
void arch_task_set_tls(struct task *t, uintptr_t base);
uintptr_t arch_task_tls(struct task *t);

/*
 * Save the callee-saved registers on the current stack and the FPU/SSE
 * state in @save_fpu, store the stack pointer in *@save_sp, then load
 * @new_sp, restore @load_fpu and the registers saved there, and return into
 * that context (kernel/arch/x86_64/cpu/switch.S). FPU areas: TASK_FPU_SIZE bytes,
 * 64-aligned (XSAVE, XSAVEOPT/XRSTOR when the CPU has them, else FXSAVE).
 */
void arch_context_switch(uint64_t *save_sp, uint64_t new_sp, void *save_fpu, const void *load_fpu);

/*
 * One access of @width bytes (1, 2 or 4) to I/O port @port, for the I/O
 * port objects of user-space drivers (kernel/ipc/ioport_obj.c, which
 * checks the range first). Returns 0, -EINVAL (a width or port the
 * architecture does not have) or -ENODEV (no port space: every
 * architecture but x86). Any context.
 */
int arch_pio_read(uint32_t port, unsigned width, uint32_t *out);
int arch_pio_write(uint32_t port, unsigned width, uint32_t value);
