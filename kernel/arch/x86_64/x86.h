/* SPDX-License-Identifier: MIT */
/* Private interface of the x86_64 architecture code. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct boot_info;

/* Registers saved by the interrupt and exception entry stubs (isr.S), lowest address first. */
struct arch_regs {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rdi, rsi, rbp, rbx, rdx, rcx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

/* Segment selectors of the kernel GDT (gdt.c). */
#define X86_SEL_KCODE 0x08
#define X86_SEL_KDATA 0x10
#define X86_SEL_UDATA 0x1b
#define X86_SEL_UCODE 0x23
#define X86_SEL_TSS   0x28

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
/* Vectors for kernel tests and benchmarks (a self-IPI target). */
#define X86_VEC_TEST       0xe0
/* Local APIC errors (LVT error register). */
#define X86_VEC_APIC_ERROR 0xfe
/* The legacy PIC's 16 lines, remapped above the exceptions. */
#define X86_VEC_PIC_BASE   32

/*
 * Run @fn(@regs, @ctx) for every interrupt on @vector (X86_VEC_IRQ_BASE +
 * X86_MAX_GSI and up: IPIs, the LAPIC timer, tests). Returns 0, -EINVAL
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
