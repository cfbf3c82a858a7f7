// SPDX-License-Identifier: MIT
/*
 * The local APIC of each CPU: enabling it (x2APIC through MSRs when the
 * CPU has it, else xAPIC through a UC MMIO window), EOI, IPIs, INIT/SIPI
 * for starting other CPUs, the NMI pins and the timer. Register layout:
 * Intel SDM Vol. 3A, chapter 12 ("Advanced Programmable Interrupt
 * Controller"), Table 12-1 (xAPIC offsets) and Table 12-6 (x2APIC MSRs).
 * Locks: [B] written on the boot CPU by the first lapic_init_cpu(), read
 * only afterwards; the registers themselves are per CPU.
 */
#include "arch/x86_64/interrupts/lapic.h"

#include <arch/cpu.h>
#include <arch/mmio.h>
#include <arch/msr.h>
#include <arch/page.h>

#include "arch/x86_64/x86.h"
#include "core/log.h"
#include "irq/irq.h"
#include "mm/vm.h"

/* IA32_APIC_BASE (Intel SDM Vol. 3A, 12.4.4, Figure 12-5). */
#define MSR_APIC_BASE    0x1bu
#define APIC_BASE_BSP    (1ull << 8)
#define APIC_BASE_EXTD   (1ull << 10) /* x2APIC mode (12.12.1) */
#define APIC_BASE_EN     (1ull << 11)
#define APIC_BASE_ADDR   0x000ffffffffff000ull
#define MSR_TSC_DEADLINE 0x6e0u /* IA32_TSC_DEADLINE (12.5.4.1) */
#define MSR_X2APIC_BASE  0x800u /* x2APIC register = 0x800 + offset / 16 (12.12.1.2) */

/* CPUID.01H (Intel SDM Vol. 2A, CPUID, Tables 3-10 and 3-11). */
#define CPUID1_EDX_APIC         (1u << 9)
#define CPUID1_ECX_X2APIC       (1u << 21)
#define CPUID1_ECX_TSC_DEADLINE (1u << 24)

/* Register offsets (Table 12-1). */
#define REG_ID          0x020
#define REG_VERSION     0x030
#define REG_TPR         0x080
#define REG_EOI         0x0b0
#define REG_SVR         0x0f0
#define REG_ESR         0x280
#define REG_ICR_LOW     0x300
#define REG_ICR_HIGH    0x310
#define REG_LVT_TIMER   0x320
#define REG_LVT_THERMAL 0x330
#define REG_LVT_PERF    0x340
#define REG_LVT_LINT0   0x350
#define REG_LVT_LINT1   0x360
#define REG_LVT_ERROR   0x370
#define REG_TIMER_INIT  0x380
#define REG_TIMER_CUR   0x390
#define REG_TIMER_DIV   0x3e0

/* LVT bits (12.5.1, Figure 12-8). */
#define LVT_DM_NMI         (4u << 8)
#define LVT_DM_EXTINT      (7u << 8)
#define LVT_ACTIVE_LOW     (1u << 13)
#define LVT_LEVEL          (1u << 15)
#define LVT_MASKED         (1u << 16)
#define LVT_TIMER_ONESHOT  (0u << 17)
#define LVT_TIMER_DEADLINE (2u << 17)
/* Divide configuration 0b1011 = by 1, 0b0011 = by 16 (12.5.4, Figure 12-10). */
#define TIMER_DIV_16       0x3

/* SVR (12.9, Figure 12-23). */
#define SVR_ENABLE (1u << 8)

/* ICR (12.6.1, Figure 12-12). */
#define ICR_DM_FIXED     (0u << 8)
#define ICR_DM_INIT      (5u << 8)
#define ICR_DM_STARTUP   (6u << 8)
#define ICR_PENDING      (1u << 12) /* delivery status; xAPIC only */
#define ICR_ASSERT       (1u << 14)
#define ICR_LEVEL        (1u << 15)
#define ICR_ALL_BUT_SELF (3u << 18)
#define ICR_SPIN_MAX     1000000u

static volatile uint8_t *mmio; /* [B] xAPIC register window */
static uint64_t apic_phys;     /* [B] */
static bool x2apic;            /* [B] */
static bool ready;             /* [B] */
static bool tsc_deadline;      /* [B] CPU has TSC-deadline mode */
static uint32_t lvt_timer = LVT_MASKED | LVT_TIMER_ONESHOT | X86_VEC_TIMER; /* [B] */
static uint32_t lint[2] = { LVT_MASKED, LVT_DM_NMI }; /* [B] LINT0/1, from the MADT */
static bool virtual_wire;                             /* [B] boot CPU's LINT0 is ExtINT */
static uint64_t icr_timeouts;                         /* [a] deliveries that never completed */

static uint32_t reg_read(unsigned reg)
{
	if (x2apic)
		return (uint32_t)x86_rdmsr(MSR_X2APIC_BASE + (reg >> 4));
	return mmio_read32(mmio + reg);
}

static void reg_write(unsigned reg, uint32_t v)
{
	if (x2apic)
		x86_wrmsr(MSR_X2APIC_BASE + (reg >> 4), v);
	else
		mmio_write32(mmio + reg, v);
}

/* Boot CPU, first call: find the APIC, choose the mode, map the xAPIC window. */
static bool setup_global(void)
{
	uint32_t r[4];

	x86_cpuid(1, 0, r);
	if (!(r[3] & CPUID1_EDX_APIC)) {
		pr_err("lapic: CPU has no local APIC (CPUID.01H:EDX[9] clear)");
		return false;
	}
	x2apic = (r[2] & CPUID1_ECX_X2APIC) != 0;
	tsc_deadline = (r[2] & CPUID1_ECX_TSC_DEADLINE) != 0;
	apic_phys = x86_rdmsr(MSR_APIC_BASE) & APIC_BASE_ADDR;
	if (!x2apic) {
		mmio = vm_map_mmio(apic_phys, PAGE_SIZE, VM_CACHE_UC);
		if (!mmio) {
			pr_err("lapic: cannot map the registers at %#llx",
			       (unsigned long long)apic_phys);
			return false;
		}
	}
	ready = true;
	return true;
}

/*
 * Enable the calling CPU's local APIC: x2APIC mode when the CPU has it
 * (the xAPIC -> x2APIC transition must pass through EN = 1, 12.12.5),
 * task priority 0, spurious vector 0xff, LINT0 masked (ExtINT on the boot
 * CPU in the PIC fallback), LINT1 NMI (or as the MADT says), errors on
 * X86_VEC_APIC_ERROR, the timer as the time code left it. The first call
 * must come from the boot CPU (it maps the registers); later calls, from
 * any CPU, are cheap and may repeat. Not for IRQ context.
 */
void lapic_init_cpu(void)
{
	uint64_t base;
	uint32_t maxlvt;

	if (!ready && !setup_global())
		return;
	base = x86_rdmsr(MSR_APIC_BASE);
	if (!(base & APIC_BASE_EN))
		x86_wrmsr(MSR_APIC_BASE, base |= APIC_BASE_EN);
	if (x2apic && !(base & APIC_BASE_EXTD))
		x86_wrmsr(MSR_APIC_BASE, base | APIC_BASE_EXTD);
	maxlvt = (reg_read(REG_VERSION) >> 16) & 0xff;
	reg_write(REG_TPR, 0);
	/* Only one CPU may take the PIC's ExtINT: the boot CPU (IA32_APIC_BASE.BSP). */
	reg_write(REG_LVT_LINT0, virtual_wire && (base & APIC_BASE_BSP) ? LVT_DM_EXTINT : lint[0]);
	reg_write(REG_LVT_LINT1, lint[1]);
	reg_write(REG_LVT_ERROR, X86_VEC_APIC_ERROR);
	if (maxlvt >= 4)
		reg_write(REG_LVT_PERF, LVT_MASKED);
	if (maxlvt >= 5)
		reg_write(REG_LVT_THERMAL, LVT_MASKED);
	reg_write(REG_TIMER_DIV, TIMER_DIV_16);
	/* Same mode as before: an armed timer stays armed (12.5.4.1). */
	reg_write(REG_LVT_TIMER, lvt_timer);
	/* Back-to-back writes clear the error status (12.5.3). */
	reg_write(REG_ESR, 0);
	reg_write(REG_ESR, 0);
	reg_write(REG_SVR, SVR_ENABLE | X86_VEC_SPURIOUS);
}

bool x86_lapic_ready(void)
{
	return ready;
}

uint64_t x86_lapic_phys(void)
{
	return apic_phys;
}

bool lapic_x2apic(void)
{
	return x2apic;
}

bool x86_lapic_has_tsc_deadline(void)
{
	return tsc_deadline;
}

/* The xAPIC ID is in bits 31:24 of the ID register (12.4.6); x2APIC uses all 32 (12.12.5.1). */
uint32_t lapic_id(void)
{
	if (!ready)
		return 0;
	return x2apic ? reg_read(REG_ID) : reg_read(REG_ID) >> 24;
}

/* IRQ context; no effect before the APIC is up. */
void lapic_eoi(void)
{
	if (ready)
		reg_write(REG_EOI, 0);
}

/* xAPIC: wait for the previous IPI to leave (delivery status, 12.6.1). */
static bool icr_idle(void)
{
	unsigned spin;

	for (spin = 0; spin < ICR_SPIN_MAX; spin++) {
		if (!(reg_read(REG_ICR_LOW) & ICR_PENDING))
			return true;
		x86_pause();
	}
	__atomic_add_fetch(&icr_timeouts, 1, __ATOMIC_RELAXED);
	return false;
}

/*
 * Write the ICR with interrupts off, so an interrupt handler's own IPI
 * cannot land between the two xAPIC halves. x2APIC: one 64-bit MSR with
 * the destination in bits 63:32 and no delivery status (12.12.9); the
 * fence orders earlier stores before the non-serializing WRMSR (12.12.3).
 */
static void icr_send(uint32_t dest, uint32_t low)
{
	unsigned long flags;

	if (!ready)
		return;
	flags = irq_save();
	if (x2apic) {
		__asm__ volatile("mfence" : : : "memory");
		x86_wrmsr(MSR_X2APIC_BASE + (REG_ICR_LOW >> 4), ((uint64_t)dest << 32) | low);
	} else {
		icr_idle();
		reg_write(REG_ICR_HIGH, dest << 24);
		reg_write(REG_ICR_LOW, low);
		icr_idle();
	}
	irq_restore(flags);
}

void lapic_send_ipi(uint32_t apic_id, uint8_t vector)
{
	icr_send(apic_id, ICR_DM_FIXED | ICR_ASSERT | vector);
}

void lapic_send_ipi_others(uint8_t vector)
{
	icr_send(0, ICR_ALL_BUT_SELF | ICR_DM_FIXED | ICR_ASSERT | vector);
}

/*
 * INIT, level triggered: assert, then (xAPIC only; x2APIC has no INIT
 * level de-assert) de-assert, as the MP start-up sequence sends it
 * (Intel SDM Vol. 3A, 10.4.4.1). The caller waits the 10 ms before SIPI.
 */
void lapic_send_init(uint32_t apic_id)
{
	icr_send(apic_id, ICR_DM_INIT | ICR_LEVEL | ICR_ASSERT);
	if (!x2apic)
		icr_send(apic_id, ICR_DM_INIT | ICR_LEVEL);
}

/* STARTUP: the AP starts in real mode at @page << 12 (12.6.1, "Start-Up"). */
void lapic_send_sipi(uint32_t apic_id, uint8_t page)
{
	icr_send(apic_id, ICR_DM_STARTUP | ICR_ASSERT | page);
}

/*
 * LINT pins to NMI; the MADT's Local APIC NMI entries say which (irq.c).
 * CPUs started later get the boot CPU's choice.
 */
void x86_lapic_set_nmi(unsigned pin, bool active_low, bool level)
{
	uint32_t v = LVT_DM_NMI | (active_low ? LVT_ACTIVE_LOW : 0) | (level ? LVT_LEVEL : 0);

	if (!ready || pin > 1)
		return;
	lint[pin] = v;
	reg_write(pin ? REG_LVT_LINT1 : REG_LVT_LINT0, v);
}

/* PIC fallback: the 8259's INTR reaches the CPU through LINT0 as ExtINT (12.5.1). */
void x86_lapic_virtual_wire(void)
{
	if (!ready)
		return;
	virtual_wire = true;
	reg_write(REG_LVT_LINT0, LVT_DM_EXTINT);
}

void x86_lapic_timer_start_masked(uint32_t count)
{
	reg_write(REG_TIMER_DIV, TIMER_DIV_16);
	reg_write(REG_LVT_TIMER, LVT_MASKED | LVT_TIMER_ONESHOT | X86_VEC_TIMER);
	reg_write(REG_TIMER_INIT, count);
}

uint32_t x86_lapic_timer_current(void)
{
	return reg_read(REG_TIMER_CUR);
}

/*
 * Stop the timer and set the mode the time code uses from now on. The
 * fence after the LVT write orders it before a later WRMSR of the
 * deadline (12.5.4.1).
 */
void x86_lapic_timer_setup(bool deadline)
{
	if (!ready)
		return;
	reg_write(REG_TIMER_INIT, 0);
	lvt_timer = (deadline ? LVT_TIMER_DEADLINE : LVT_TIMER_ONESHOT) | X86_VEC_TIMER;
	reg_write(REG_LVT_TIMER, lvt_timer);
	__asm__ volatile("mfence" : : : "memory");
}

/*
 * Give this CPU's timer the mode x86_lapic_timer_setup() chose. A CPU
 * started while the boot CPU was still calibrating enabled its APIC with
 * the timer masked; the time code calls this before it first arms the
 * timer on each CPU. Interrupts off.
 */
void x86_lapic_timer_mode_apply(void)
{
	if (!ready)
		return;
	reg_write(REG_LVT_TIMER, lvt_timer);
	__asm__ volatile("mfence" : : : "memory");
}

/* A write of the initial count (re)starts a one-shot timer; 0 stops it (12.5.4). */
void x86_lapic_timer_oneshot(uint32_t count)
{
	reg_write(REG_TIMER_INIT, count);
}

/* Interrupt when the TSC reaches @tsc; 0 disarms (12.5.4.1). */
void x86_lapic_timer_deadline(uint64_t tsc)
{
	x86_wrmsr(MSR_TSC_DEADLINE, tsc);
}

/* The error interrupt: read and clear the ESR (12.5.3). IRQ context. */
uint32_t x86_lapic_read_esr(void)
{
	reg_write(REG_ESR, 0);
	return reg_read(REG_ESR);
}
