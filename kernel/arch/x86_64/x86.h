/* SPDX-License-Identifier: MIT */
/* Private interface of the x86_64 architecture code. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/x86_asm.h"

struct boot_info;

/* Registers saved by the interrupt and exception entry stubs (isr.S), lowest address first. */
struct arch_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/*
 * The user registers saved at the top of a task's kernel stack on every
 * entry from ring 3: the interrupt stubs push exactly struct arch_regs
 * there (the CPU's frame lands at TSS.RSP0), and the system-call entry
 * builds the same layout with vector X86_VEC_SYSCALL and the system-call
 * number in the error slot. So one return path (IRET) serves both.
 */
struct arch_uframe {
	struct arch_regs r;
};
_Static_assert(sizeof(struct arch_uframe) == X86_UF_SIZE, "x86_asm.h's frame size");
_Static_assert(offsetof(struct arch_regs, vector) == X86_UF_VECTOR, "x86_asm.h's offsets");
_Static_assert(offsetof(struct arch_regs, cs) == X86_UF_CS, "x86_asm.h's offsets");
_Static_assert(offsetof(struct arch_regs, rsp) == X86_UF_RSP, "x86_asm.h's offsets");

/* RFLAGS bits (Intel SDM Vol. 1, 3.4.3). */
#define X86_RFLAGS_CF    (1ull << 0)
#define X86_RFLAGS_FIXED (1ull << 1) /* always 1 */
#define X86_RFLAGS_TF    (1ull << 8)
#define X86_RFLAGS_DF    (1ull << 10)
#define X86_RFLAGS_IOPL  (3ull << 12)
#define X86_RFLAGS_NT    (1ull << 14)
#define X86_RFLAGS_RF    (1ull << 16)
#define X86_RFLAGS_VM    (1ull << 17)
#define X86_RFLAGS_AC    (1ull << 18)
/* The flags user mode may hold: the arithmetic ones, TF, DF, AC and ID. */
#define X86_RFLAGS_USER  0x240dd5ull

/* Set up SYSCALL/SYSRET on this CPU (STAR, LSTAR, SFMASK, EFER.SCE; user.c). */
void x86_syscall_init_cpu(void);
/* C part of the SYSCALL entry (syscall.S); returns true when SYSRET may return. */
bool x86_syscall(struct arch_uframe *f);
/*
 * The work before any return to ring 3 (signals, preemption, frame checks).
 * Called with the frame of the calling task; returns with interrupts off.
 */
void x86_exit_to_user(struct arch_uframe *f);
/* Return to ring 3 through the frame at @f with IRET (syscall.S); interrupts off. */
__attribute__((noreturn)) void x86_iret_to_user(struct arch_uframe *f);
/*
 * A fault in ring 3 that the CPU or uspace_fault() could not fix: the
 * calling thread gets signal @sig with @code and address @addr (or, for a
 * bare task with no process, ends with 128 + @sig).
 */
void x86_user_signal(int sig, int code, uintptr_t addr);
/* Page-fault error code bits (Intel SDM Vol. 3A, 5.7, Figure 5-12). */
#define X86_PF_P    (1u << 0)
#define X86_PF_W    (1u << 1)
#define X86_PF_U    (1u << 2)
#define X86_PF_RSVD (1u << 3)
#define X86_PF_I    (1u << 4)
#define X86_PF_PK   (1u << 5)
#define X86_PF_SS   (1u << 6)
#define X86_PF_SGX  (1u << 15)
/* Handle an exception that came from ring 3 (ufault.c); interrupts off on return. */
void x86_user_trap(struct arch_regs *regs, uint64_t cr2);
/*
 * A page fault or #GP in kernel mode at an instruction of the user-copy
 * routines: let the address space provide the page (then the copy goes
 * on), or resume at the routine's fix-up. False for any other fault.
 */
bool x86_uaccess_fixup(struct arch_regs *regs, uint64_t cr2);
/* User GS base of @t (ARCH_SET_GS); takes effect at once for the caller. */
struct task;
void x86_task_set_user_gs(struct task *t, uintptr_t base);
uintptr_t x86_task_user_gs(struct task *t);
/* Give the calling task a freshly reset FPU/SSE/AVX state (exec; fpu.c). */
void x86_fpu_reset_current(void);
/* Save the calling task's live FPU state into @area (a TASK_FPU_SIZE image; fork). */
void x86_fpu_save_current(void *area);
/* The size of the FPU image in use (XSAVE's for the enabled features, or 512). */
unsigned x86_fpu_image_size(void);
/* True when the FPU state is switched with XSAVE (else FXSAVE). */
bool x86_fpu_uses_xsave(void);
/* True once SMAP is on (stac/clac exist and are needed). */
extern bool x86_smap_on;
/* The fix-up address for a kernel instruction that may fault on user memory, or 0. */
uintptr_t x86_extable_find(uintptr_t ip);

/* Interrupt stack table slots (Intel SDM Vol. 3A, 7.14.5). */
#define X86_IST_DOUBLE_FAULT  1
#define X86_IST_NMI           2
#define X86_IST_MACHINE_CHECK 3

void x86_gdt_init(void);
void x86_idt_init(void);
/* The TSC rate the CPU states (CPUID), used until time_init() calibrates it. */
void x86_tsc_nominal_init(void);
/* Unmap one 4 KiB kernel page early in boot, splitting a 2 MiB page if needed. */
void x86_unmap_early(const struct boot_info *bi, uintptr_t va);
/*
 * Direct-boot KASLR (boot/kaslr.c): move the image, running at its link
 * address, unless @bi->cmdline says nokaslr; fills @bi->kaslr and returns
 * the slide (0: not moved). Then, running moved, give the direct map of
 * @phys_limit bytes a random 1 GiB step and set @bi->direct_map_base.
 */
uint64_t x86_kaslr_relocate(struct boot_info *bi);
void x86_kaslr_direct_map(struct boot_info *bi, uint64_t phys_limit);
/* Called by isr.S with the saved registers, for every vector. */
void x86_trap(struct arch_regs *regs);
/* Describe a CPU exception in one line, e.g. for page faults with CR2 and bits. */
void x86_describe_trap(const struct arch_regs *regs, uint64_t cr2, char *buf, unsigned long size);

/* ---- Interrupt vectors (irq.c); the fixed ones are in lapic.h ---- */

/* Exceptions with their own handling in idt.c and trap.c (Intel SDM Vol. 3A, 7.3). */
#define X86_VEC_NMI 2
#define X86_VEC_DF  8
#define X86_VEC_PF  14
#define X86_VEC_MC  18

/* IO APIC GSIs 0..X86_MAX_GSI-1 use vectors X86_VEC_IRQ_BASE + gsi (48..175). */
#define X86_MAX_GSI        128
/*
 * Vectors X86_VEC_MSI_BASE up to X86_VEC_TEST - 1 (176..223) carry
 * message-signalled interrupts, a separate pool on every CPU (msi.c).
 */
#define X86_VEC_MSI_BASE   (X86_VEC_IRQ_BASE + X86_MAX_GSI)
#define X86_VEC_MSI_END    X86_VEC_TEST
/* Vectors for kernel tests and benchmarks (a self-IPI target). */
#define X86_VEC_TEST       0xe0
/* Local APIC errors (LVT error register). */
#define X86_VEC_APIC_ERROR 0xfe
/* The legacy PIC's 16 lines, remapped above the exceptions. */
#define X86_VEC_PIC_BASE   32

/*
 * Run @fn(@regs, @ctx) for every interrupt on @vector (X86_VEC_MSI_END
 * and up: IPIs, the LAPIC timer, tests). Returns 0, -EINVAL
 * (a vector the IDT layout reserves) or -EBUSY (already taken).
 * Boot CPU, before other CPUs use the vector.
 */
int x86_vector_register(unsigned vector, void (*fn)(struct arch_regs *regs, void *ctx), void *ctx);
/* Drop the handler of @vector (tests); interrupts on it are then counted and ignored. */
void x86_vector_unregister(unsigned vector);
/* Entry for vectors 32-255, from x86_trap(), interrupts off. */
void x86_irq_dispatch(struct arch_regs *regs);
/* x86_irq_dispatch() counted as interrupt context, then the scheduler's preemption point. */
void x86_irq_enter(struct arch_regs *regs);
/* Serve GSIs through the 8259 PICs or the IO APICs (installs the irq_chip; irq_init.c). */
void x86_irq_use_pic(void);
void x86_irq_use_ioapic(void);
/* True when GSIs go through an IO APIC; false in the legacy PIC fallback. */
bool x86_ioapic_mode(void);

/* ---- Legacy 8259A PICs (pic.c) ---- */

/* Remap the PICs to vectors 32-47 and mask every line. */
void x86_pic_init(void);
void x86_pic_mask(unsigned irq);
void x86_pic_unmask(unsigned irq);
/* True when an interrupt on @irq (7 or 15) is spurious; sends the EOI a spurious 15 needs. */
bool x86_pic_spurious(unsigned irq);
void x86_pic_eoi(unsigned irq);

/* ---- Local APIC (lapic.c; the shared part of its interface is lapic.h) ---- */

/* True once lapic_init_cpu() has run on the boot CPU and the APIC works. */
bool x86_lapic_ready(void);
/* Physical base of the xAPIC registers (from IA32_APIC_BASE). */
uint64_t x86_lapic_phys(void);
/* Route LINT0 as ExtINT (PIC through the local APIC, virtual wire mode) on this CPU. */
void x86_lapic_virtual_wire(void);
/* Set LINT@pin (0 or 1) of this CPU to NMI delivery with the given electrical mode. */
void x86_lapic_set_nmi(unsigned pin, bool active_low, bool level);

/* The local APIC timer: one-shot (or TSC-deadline) on X86_VEC_TIMER. */
#define X86_LAPIC_TIMER_DIV 16
/* Load the count register with the timer masked (for calibration). */
void x86_lapic_timer_start_masked(uint32_t count);
uint32_t x86_lapic_timer_current(void);
/* Stop the timer; then use one-shot or TSC-deadline mode, unmasked. */
void x86_lapic_timer_setup(bool tsc_deadline);
/* Fire once after @count timer ticks (divided bus clock); 0 stops the timer. */
void x86_lapic_timer_oneshot(uint32_t count);
/* Put this CPU's timer in the mode chosen by x86_lapic_timer_setup() (once per CPU). */
void x86_lapic_timer_mode_apply(void);
/* Fire once when the TSC reaches @tsc (TSC-deadline mode); 0 stops the timer. */
void x86_lapic_timer_deadline(uint64_t tsc);
bool x86_lapic_has_tsc_deadline(void);
/* Read and clear the error status register (the error interrupt). */
uint32_t x86_lapic_read_esr(void);

/* ---- IO APICs (ioapic.c) ---- */

#define X86_MAX_IOAPICS 8

/*
 * Check and register the IO APIC with MMIO base @phys serving GSIs from
 * @gsi_base; mask all its inputs. Returns 0, -EINVAL (a base that cannot
 * be an IO APIC: zero, unaligned, in RAM; or GSIs that overlap another),
 * -ENODEV (no IO APIC answers there), -ENOSPC or -ENOMEM.
 */
int x86_ioapic_add(uint8_t id, uint64_t phys, uint32_t gsi_base);
/* True when some IO APIC serves @gsi. */
bool x86_ioapic_has_gsi(uint32_t gsi);
unsigned x86_ioapic_count(void);
/* Program @gsi's redirection entry: fixed delivery of @vector to APIC ID @dest, masked. */
int x86_ioapic_route(uint32_t gsi, uint8_t vector, uint32_t dest, bool level, bool active_low);
void x86_ioapic_mask(uint32_t gsi, bool masked);

/* ---- Time sources (hpet.c, tsc.c, rtc.c) ---- */

/* Find the HPET through ACPI, check and start it. Returns 0, -ENOENT or -ENODEV. */
int x86_hpet_init(void);
bool x86_hpet_present(void);
/* The HPET's main counter in nanoseconds since it started (0 when absent). */
uint64_t x86_hpet_ns(void);
/* Counter period in femtoseconds (0 when absent). */
uint64_t x86_hpet_period_fs(void);

/* The TSC rate in Hz as now calibrated, and whether the CPU says it is invariant. */
uint64_t x86_tsc_hz(void);
bool x86_tsc_invariant(void);
/* Where the rate before calibration came from: "CPUID leaf 0x15", "CPUID leaf 0x16" or "assumed". */
const char *x86_tsc_nominal_source(void);
/* The LAPIC timer's tick rate (after the divider) in Hz; 0 until calibrated. */
uint64_t x86_lapic_timer_hz(void);
/*
 * The boot calibration's HPET window stays open until its error bound is
 * at most X86_CAL_MAX_PPM: a fifth of the HPET's own permitted error (0.05 %
 * over 1 ms or more, IA-PC HPET Specification 1.0a), but no longer than
 * X86_CAL_MAX_MS.
 */
#define X86_CAL_MAX_PPM 100
#define X86_CAL_MAX_MS  50
/* The boot window's error bound (ppm) and length (us); both 0 when no HPET window was used. */
void x86_time_cal_window(uint64_t *ppm, uint64_t *us);
/* Which reference calibrated the TSC and LAPIC timer: "hpet" or "pit". */
const char *x86_time_reference(void);
/*
 * Measure the TSC (and LAPIC timer, when @lapic) against the HPET (or the
 * PIT when there is none) over @ms milliseconds; busy-waits with interrupts
 * off. Returns 0 with *@tsc_hz and *@lapic_hz set, -EIO (the reference did
 * not count) or -EBUSY (@lapic once the timer carries events).
 */
int x86_time_measure(unsigned ms, bool lapic, uint64_t *tsc_hz, uint64_t *lapic_hz);

/* MC146818 RTC registers as read, before decoding (rtc.c). */
struct x86_rtc_raw {
	uint8_t sec, min, hour, mday, mon, year, century; /* century 0: none read */
	uint8_t status_b;                                 /* data mode and hour format */
};
struct rtc_time;
/* Decode raw registers (BCD or binary, 12 or 24 hour). Returns 0 or -EINVAL. */
int x86_rtc_decode(const struct x86_rtc_raw *raw, struct rtc_time *out);
/* Turn the RTC's periodic interrupt (IRQ 8) at 1024 Hz on or off. */
void x86_rtc_periodic(bool on);
/* Acknowledge an RTC interrupt (read register C); returns its flags. */
uint8_t x86_rtc_ack(void);
