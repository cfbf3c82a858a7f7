// SPDX-License-Identifier: MIT
/*
 * Starting the application processors (APs) on x86_64 and interrupting
 * them. The MADT (ACPI 6.5, 5.2.12.2 and 5.2.12.12) lists the CPUs; the
 * boot CPU gives each one a struct percpu, a GDT and TSS with IST stacks,
 * and a kernel stack, copies the trampoline (trampoline.S) below 1 MiB and
 * starts them all at once with INIT-SIPI-SIPI (Intel SDM Vol. 3A, 10.4.4.1):
 * arch_smp_start() sends the first IPIs and returns, so the boot CPU goes on
 * with other work while the APs come up, and arch_smp_boot() finishes the
 * sequence and waits a bounded time for each to report in. IPIs (12.6) go
 * out on the vectors of lapic.h; the generic half is kernel/core/smp.c.
 * Locks: [B] boot CPU, in smp_start() and smp_init(), before or while the
 * APs start (the APs only read it).
 */
#include "core/smp.h"

#include <cairn/boot.h>
#include <cairn/errno.h>

#include <arch/cpu.h>
#include <arch/msr.h>
#include <arch/spinlock.h>
#include <lib/paging/paging.h>
#include <lib/string.h>

#include "acpi/acpi.h"
#include "arch/arch.h"
#include "arch/x86_64/cpu/percpu.h"
#include "arch/x86_64/interrupts/lapic.h"
#include "arch/x86_64/x86.h"
#include "core/cmdline.h"
#include "core/kmain.h"
#include "core/log.h"
#include "core/percpu.h"
#include "mm/pmm.h"
#include "mm/vm.h"

#define AP_STACK_SIZE (32 * 1024)
#define AP_IST_SIZE   (16 * 1024)
#define INIT_DELAY_US 10000 /* INIT to the first STARTUP, where needed (see init_delay_needed()) */
#define SIPI_DELAY_US 200   /* between the two STARTUPs (10.4.4.1) */
#define AP_TIMEOUT_MS 1000  /* a CPU not running by then is left out */
#define XAPIC_MAX_ID  0xfe  /* 0xff is the xAPIC broadcast destination */
#define EFER_LME      (1u << 8)

static struct {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed)) boot_idtr;      /* [B] the shared IDT, as the boot CPU loaded it */
static unsigned ncpus = 1;                /* [B] slots assigned, the boot CPU's included */
static uintptr_t ap_stacks[SMP_MAX_CPUS]; /* [B] kernel stack top of each ticket */
static bool ipis_ready;                   /* [B] the IPI vectors have handlers */
static uint32_t strangers;                /* [a] APs whose APIC ID no slot has */

/* The trampoline page and its bootstrap page table. */
struct trampoline {
	uint64_t page;        /* physical, below 1 MiB: code and parameters */
	struct pt_space boot; /* identity map of the page plus the kernel half */
};

/* A start-up under way, from arch_smp_start() to arch_smp_boot(). */
static struct {
	bool started;         /* arch_smp_start() ran */
	unsigned n;           /* CPUs being started, the boot CPU included; 1: none */
	struct trampoline tr; /* valid when n > 1 */
	uint64_t init_cycles; /* arch_cycles() when the INITs went out */
	uint64_t sipi_cycles; /* ... the first STARTUPs, 0 while not yet sent */
} boot;                       /* [B] */

/* ---- finding the CPUs ---- */

#define PHANTOM_APIC_ID 0xfe /* "smp_phantom": a listed CPU that never answers (tests) */

/* Give slots 1.. to the enabled MADT entries other than the boot CPU. Returns the slots used. */
static unsigned find_cpus(struct smp_stats *st)
{
	const struct acpi_madt_info *m = acpi_madt();
	uint32_t bsp = percpu_of(0)->apic_id, i;
	bool bsp_listed = false;
	unsigned n = 1;

	st->described = 1;
	if (!m) {
		pr_warn("smp: no usable MADT; only the boot CPU runs");
		return 1;
	}
	for (i = 0; i < m->ncpus; i++) {
		const struct acpi_cpu *cpu = &m->cpus[i];

		if (!cpu->enabled)
			continue; /* online-capable: there is no CPU hot-plug */
		if (cpu->apic_id == bsp) {
			bsp_listed = true;
			continue;
		}
		st->described++;
		if (n >= SMP_MAX_CPUS || (cpu->apic_id > XAPIC_MAX_ID && !lapic_x2apic())) {
			pr_warn("smp: APIC ID %u left out (%s)", cpu->apic_id,
			        n >= SMP_MAX_CPUS ? "too many CPUs" : "needs x2APIC");
			continue;
		}
		x86_percpu_assign(percpu_of(n), cpu->apic_id);
		n++;
	}
	if (!bsp_listed)
		pr_warn("smp: the boot CPU (APIC ID %u) is not in the MADT", bsp);
	/* Exercise the timeout: a CPU the firmware would list but that never starts. */
	if (cmdline_has("smp_phantom") && n < SMP_MAX_CPUS &&
	    !x86_percpu_by_apic(PHANTOM_APIC_ID, n)) {
		x86_percpu_assign(percpu_of(n++), PHANTOM_APIC_ID);
		st->described++;
	}
	return n;
}

/* ---- per-CPU resources and the trampoline ---- */

/* Interrupt stacks, GDT and TSS for slots 1..n-1; a kernel stack per ticket. */
static int prepare_cpus(unsigned n)
{
	uintptr_t ist[3];
	unsigned i, j;

	for (i = 1; i < n; i++) {
		for (j = 0; j < 3; j++) {
			ist[j] = vm_alloc_stack(AP_IST_SIZE);
			if (!ist[j])
				return -ENOMEM;
		}
		x86_gdt_setup_cpu(percpu_of(i), ist);
		ap_stacks[i - 1] = vm_alloc_stack(AP_STACK_SIZE);
		if (!ap_stacks[i - 1])
			return -ENOMEM;
	}
	return 0;
}

static void *tramp_phys_to_virt(void *ctx, uint64_t pa)
{
	return phys_to_virt(pa);
}

/* Every bootstrap table below 4 GiB: the AP loads the root from a 32-bit register. */
static uint64_t tramp_alloc_table(void *ctx)
{
	return pmm_alloc_pages(0, PMM_ZONE_DMA32 | PMM_ZERO);
}

static void tramp_free_table(void *ctx, uint64_t pa)
{
	pmm_free_pages(pa, 0);
}

/* The bootstrap table is never live on this CPU, and the APs start with empty TLBs. */
static void tramp_invalidate(void *ctx, uint64_t va)
{
}

static void tramp_flush(void *ctx)
{
}

static const struct pt_ops tramp_pt_ops = {
	.phys_to_virt = tramp_phys_to_virt,
	.alloc_table = tramp_alloc_table,
	.free_table = tramp_free_table,
	.invalidate = tramp_invalidate,
	.flush_all = tramp_flush,
};

static void put32(uint8_t *page, unsigned off, uint32_t v)
{
	memcpy(page + off, &v, sizeof(v));
}

static void put64(uint8_t *page, unsigned off, uint64_t v)
{
	memcpy(page + off, &v, sizeof(v));
}

/* A far pointer m16:32 to @label's copy in the page at @base. */
static void put_far(uint8_t *page, unsigned off, uint64_t base, const char *label, uint16_t sel)
{
	put32(page, off, (uint32_t)(base + (uint64_t)(label - x86_trampoline_start)));
	memcpy(page + off + 4, &sel, sizeof(sel));
}

static void fill_params(uint8_t *p, uint64_t base, uint64_t boot_root, unsigned nstacks)
{
	uint16_t limit = (uint16_t)(x86_trampoline_gdt_end - x86_trampoline_gdt - 1);
	uint32_t efer = EFER_LME | (uint32_t)(x86_rdmsr(X86_MSR_EFER) & X86_EFER_NXE);
	unsigned i;

	memcpy(p + TRAMP_GDTR, &limit, sizeof(limit));
	put32(p, TRAMP_GDTR + 2,
	      (uint32_t)(base + (uint64_t)(x86_trampoline_gdt - x86_trampoline_start)));
	put_far(p, TRAMP_PM_JUMP, base, x86_trampoline_prot, TRAMP_SEL_CODE32);
	put_far(p, TRAMP_LM_JUMP, base, x86_trampoline_long, TRAMP_SEL_CODE64);
	put32(p, TRAMP_CR0, (uint32_t)x86_read_cr0());
	put32(p, TRAMP_CR4, (uint32_t)(X86_CR4_PAE | (x86_read_cr4() & X86_CR4_LA57)));
	put32(p, TRAMP_CR3, (uint32_t)boot_root);
	put32(p, TRAMP_EFER, efer);
	put64(p, TRAMP_ENTRY, (uint64_t)(uintptr_t)x86_ap_entry64);
	put64(p, TRAMP_KERNEL_CR3, arch_mmu_root());
	put32(p, TRAMP_TICKET, 0);
	put32(p, TRAMP_NSTACKS, nstacks);
	for (i = 0; i < nstacks; i++)
		put64(p, TRAMP_STACKS + 8 * i, ap_stacks[i]);
}

/*
 * The page below 1 MiB with the code and parameters, and a bootstrap root
 * table below 4 GiB: the kernel's upper-half entries (so the same
 * lower-level tables map the kernel) plus an identity map of the page.
 */
static int tramp_setup(struct trampoline *tr, unsigned nstacks)
{
	size_t code = (size_t)(x86_trampoline_end - x86_trampoline_start);
	uint64_t *root;

	if (code > TRAMP_PARAMS || nstacks > TRAMP_MAX_STACKS)
		return -EINVAL;
	tr->page = pmm_alloc_pages(0, PMM_ZONE_DMA | PMM_ZERO);
	tr->boot.root = pmm_alloc_pages(0, PMM_ZONE_DMA32 | PMM_ZERO);
	tr->boot.levels = arch_mmu_levels();
	tr->boot.ops = &tramp_pt_ops;
	if (!tr->page || !tr->boot.root)
		goto out_free;
	root = phys_to_virt(tr->boot.root);
	memcpy(root + 256, (uint64_t *)phys_to_virt(arch_mmu_root()) + 256, 256 * sizeof(*root));
	if (pt_map(&tr->boot, tr->page, tr->page, PAGE_SIZE, PT_WRITE | PT_EXEC, PT_PAGE_4K))
		goto out_free;
	memcpy(phys_to_virt(tr->page), x86_trampoline_start, code);
	fill_params(phys_to_virt(tr->page), tr->page, tr->boot.root, nstacks);
	return 0;

out_free:
	if (tr->boot.root)
		pmm_free_pages(tr->boot.root, 0);
	if (tr->page)
		pmm_free_pages(tr->page, 0);
	return -ENOMEM;
}

static void tramp_free(struct trampoline *tr)
{
	if (pt_unmap(&tr->boot, tr->page, PAGE_SIZE))
		pr_warn("smp: cannot unmap the trampoline");
	pmm_free_pages(tr->boot.root, 0);
	pmm_free_pages(tr->page, 0);
}

/* ---- INIT-SIPI-SIPI ---- */

static bool all_online(unsigned n)
{
	unsigned i;

	for (i = 1; i < n; i++)
		if (!smp_cpu_online(i))
			return false;
	return true;
}

/*
 * Whether this CPU family needs the MP specification's 10 ms between INIT
 * and STARTUP (MP Specification 1.4, B.4). The wait let the INIT reset of
 * a discrete 82489DX or early on-chip APIC settle; processors with the APIC
 * on the die from Intel's P6 family (family 6, and the families after
 * NetBurst's 0Fh) and AMD's family 0Fh on are in wait-for-SIPI long before,
 * as the Linux kernel has relied on since 2015. Other vendors and older
 * families keep the wait, and "smp_init_delay" on the command line forces it.
 */
static bool init_delay_needed(void)
{
	uint32_t v[4], r[4], family;

	if (cmdline_has("smp_init_delay"))
		return true;
	x86_cpuid(0, 0, v);
	x86_cpuid(1, 0, r);
	/* Display family: base family, plus the extended family when the base is 0Fh (CPUID.01H:EAX). */
	family = (r[0] >> 8) & 0xf;
	if (family == 0xf)
		family += (r[0] >> 20) & 0xff;
	if (v[1] == 0x756e6547u && v[3] == 0x49656e69u && v[2] == 0x6c65746eu) /* GenuineIntel */
		return family != 6 && family <= 0xf;
	if (v[1] == 0x68747541u && v[3] == 0x69746e65u && v[2] == 0x444d4163u) /* AuthenticAMD */
		return family < 0xf;
	return true;
}

/* Spin until @us microseconds after the cycle count @since. */
static void wait_since(uint64_t since, uint64_t us)
{
	uint64_t n = arch_cycles_khz() * us / 1000;

	while (arch_cycles() - since < n)
		arch_cpu_relax();
}

static void send_sipis(uint8_t vector, bool only_missing)
{
	unsigned i;

	for (i = 1; i < boot.n; i++)
		if (!only_missing || !smp_cpu_online(i))
			lapic_send_sipi(percpu_of(i)->apic_id, vector);
}

/*
 * The rest of the universal start-up algorithm (10.4.4.1) after the
 * INITs: STARTUP (once the INIT delay, if any, has passed), 200 us,
 * STARTUP again to those not yet running (a STARTUP reaching a CPU that
 * already left wait-for-SIPI is ignored), then up to AP_TIMEOUT_MS for
 * each to report in. A CPU that never does gets INIT again, which parks
 * it, so it cannot run the freed trampoline later.
 */
static void finish_aps(uint8_t vector)
{
	uint64_t t0, limit = arch_cycles_khz() * AP_TIMEOUT_MS;
	unsigned i;

	if (!boot.sipi_cycles) {
		wait_since(boot.init_cycles, INIT_DELAY_US);
		send_sipis(vector, false);
		boot.sipi_cycles = arch_cycles();
	}
	wait_since(boot.sipi_cycles, SIPI_DELAY_US);
	send_sipis(vector, true);
	t0 = arch_cycles();
	while (!all_online(boot.n) && arch_cycles() - t0 < limit)
		arch_cpu_relax();
	for (i = 1; i < boot.n; i++) {
		if (smp_cpu_online(i))
			continue;
		pr_warn("smp: cpu %u (APIC ID %u) did not start; left out", i,
		        percpu_of(i)->apic_id);
		lapic_send_init(percpu_of(i)->apic_id);
	}
}

/* ---- IPIs ---- */

static void ipi_handler(struct arch_regs *regs, void *ctx)
{
	smp_handle_ipi((enum smp_ipi)(uintptr_t)ctx);
}

static const uint8_t ipi_vectors[] = {
	[SMP_IPI_CALL] = X86_VEC_IPI_CALL,
	[SMP_IPI_TLB] = X86_VEC_IPI_TLB,
	[SMP_IPI_STOP] = X86_VEC_IPI_STOP,
	[SMP_IPI_RESCHED] = X86_VEC_IPI_RESCHED,
};

/* Without the interrupt code's vectors, CPUs poll their queues instead. */
static void register_ipis(void)
{
	unsigned i;

	for (i = 0; i < sizeof(ipi_vectors); i++) {
		if (x86_vector_register(ipi_vectors[i], ipi_handler, (void *)(uintptr_t)i)) {
			pr_warn("smp: IPI vector %#x unavailable; CPUs poll for calls",
			        ipi_vectors[i]);
			return;
		}
	}
	ipis_ready = true;
}

bool arch_smp_send_ipi(struct percpu *target, enum smp_ipi ipi)
{
	if (!ipis_ready)
		return false;
	lapic_send_ipi(target->apic_id, ipi_vectors[ipi]);
	return true;
}

/* STI's one-instruction shadow keeps an IPI from landing between it and HLT. */
void arch_smp_idle(void)
{
	if (ipis_ready)
		__asm__ volatile("sti; hlt; cli" : : : "memory");
	else /* no IPI can end a halt: poll, letting pending interrupts in */
		__asm__ volatile("sti; pause; cli" : : : "memory");
}

/* ---- bring-up ---- */

/*
 * The AP's first C code, on its own stack and the kernel's page tables,
 * interrupts off. Nothing here may take a lock or log before GS base is
 * set (x86_gdt_load_cpu()): arch_cpu_index() reads through GS.
 */
void x86_ap_main(uint32_t ticket)
{
	struct percpu *c;
	char protections[64];

	__asm__ volatile("lidt %0" : : "m"(boot_idtr));
	c = x86_percpu_by_apic(x86_cpuid_apic_id(), ncpus);
	if (!c || c->cpu == 0) {
		__atomic_fetch_add(&strangers, 1, __ATOMIC_RELAXED);
		arch_halt();
	}
	c->stack_top = ap_stacks[ticket];
	x86_gdt_load_cpu(c);
	arch_mmu_enable_protections(protections, sizeof(protections));
	lapic_init_cpu();
	smp_cpu_started(c);
}

/*
 * Find the CPUs, prepare their stacks and the trampoline and send the
 * INITs, and the first STARTUPs too when no INIT delay is needed
 * (init_delay_needed()). Boot CPU, once; arch_smp_boot() finishes.
 */
void arch_smp_start(struct smp_stats *st)
{
	unsigned n, i;

	if (boot.started)
		return;
	boot.started = true;
	boot.n = 1;
	if (!x86_lapic_ready())
		lapic_init_cpu(); /* idempotent; irq_init() normally did it */
	n = find_cpus(st);
	if (n > 1 && !x86_lapic_ready()) {
		pr_warn("smp: no local APIC to start the other CPUs with");
		n = 1;
	}
	st->failed = st->described - 1;
	/* Also with one CPU: the idle loop halts (not spins) only when IPIs work. */
	if (x86_lapic_ready())
		register_ipis();
	if (n == 1)
		return;
	__asm__ volatile("sidt %0" : "=m"(boot_idtr));
	if (prepare_cpus(n) || tramp_setup(&boot.tr, n - 1)) {
		pr_err("smp: out of memory for the other CPUs' stacks or the trampoline");
		return;
	}
	ncpus = boot.n = n;
	boot.init_cycles = arch_cycles();
	for (i = 1; i < n; i++)
		lapic_send_init(percpu_of(i)->apic_id);
	if (init_delay_needed()) {
		pr_debug("smp: this CPU family waits %u us between INIT and STARTUP",
		         INIT_DELAY_US);
		return;
	}
	send_sipis((uint8_t)(boot.tr.page >> PAGE_SHIFT), false);
	boot.sipi_cycles = arch_cycles();
}

void arch_smp_boot(struct smp_stats *st)
{
	arch_smp_start(st);
	if (boot.n == 1)
		return;
	finish_aps((uint8_t)(boot.tr.page >> PAGE_SHIFT));
	st->bringup_cycles = arch_cycles() - boot.init_cycles;
	st->bringup_us = st->bringup_cycles * 1000 / arch_cycles_khz();
	tramp_free(&boot.tr);
	boot.n = 1;
	st->failed = st->described - smp_cpu_count();
	if (__atomic_load_n(&strangers, __ATOMIC_RELAXED))
		pr_warn("smp: %u CPU(s) started with an APIC ID the MADT does not list", strangers);
}
