// SPDX-License-Identifier: MIT
/*
 * SMP tests: every CPU the firmware lists comes up with sane per-CPU data,
 * calls reach the right CPU and come back, a ticket spinlock keeps a
 * shared counter exact under contention from every CPU, and TLB shootdown
 * makes a page unmapped on one CPU fault on the others. The runner is on
 * the boot CPU; tests that need two CPUs skip on one. "smp_expect=N" on
 * the command line also checks the count against what QEMU was given.
 */
#include <cairn/errno.h>

#include <arch/spinlock.h>
#include <lib/paging/paging.h>
#include <lib/string.h>

#include <stdbool.h>

#include "acpi/acpi.h"
#include "arch/arch.h"
#include "core/kmain.h"
#include "core/ktest.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "irq/irq.h"
#include "mm/pmm.h"
#include "mm/vm.h"
#include "sched/spinlock.h"

#define STRESS_ITERS 100000 /* per CPU */
#define STRESS_MS    3000   /* ...or until this much time has passed */
#define STRESS_MIN   100    /* ...but never fewer than this per CPU */
#define WAIT_MS      120000 /* generous: 8 vCPUs may share 2 host cores */
#define PF_VECTOR    14
#define PROBE_MAGIC  0x5eed5eed5eed5eedull

/* The value of "key=N" on the command line, or -1. */
static long cmdline_number(const char *key)
{
	const char *p = boot_info.cmdline;
	size_t klen = strlen(key);
	long v = 0;

	for (; *p; p++) {
		if ((p == boot_info.cmdline || p[-1] == ' ') && strncmp(p, key, klen) == 0 &&
		    p[klen] == '=') {
			for (p += klen + 1; *p >= '0' && *p <= '9'; p++)
				v = v * 10 + (*p - '0');
			return v;
		}
	}
	return -1;
}

/* Spin until *@p reaches @want or WAIT_MS pass; returns the last value seen. */
static uint32_t wait_for(const uint32_t *p, uint32_t want)
{
	uint64_t t0 = arch_cycles(), limit = arch_cycles_khz() * WAIT_MS;
	uint32_t v;

	while ((v = __atomic_load_n(p, __ATOMIC_ACQUIRE)) != want && arch_cycles() - t0 < limit)
		arch_cpu_relax();
	return v;
}

/* The first online CPU other than this one, or skip the test. */
static unsigned other_cpu(void)
{
	unsigned i;

	for (i = 1; i < SMP_MAX_CPUS; i++)
		if (smp_cpu_online(i))
			return i;
	ktest_skip("one CPU");
}

TEST(smp, every_listed_cpu_is_online)
{
	const struct acpi_madt_info *m = acpi_madt();
	long expect = cmdline_number("smp_expect");
	unsigned enabled = 0, i;

	if (!m)
		ktest_skip("no MADT");
	for (i = 0; i < m->ncpus; i++)
		enabled += m->cpus[i].enabled;
	if (enabled > SMP_MAX_CPUS)
		enabled = SMP_MAX_CPUS;
	EXPECT_EQ(smp_cpu_count(), enabled);
	if (expect >= 0)
		EXPECT_EQ(smp_cpu_count(), expect);
}

/*
 * With "smp_phantom" the boot CPU also tries to start APIC ID 0xfe, which
 * no CPU has: it must give up after its timeout, say so and go on.
 */
TEST(smp, cpu_that_never_answers_is_left_out)
{
	struct smp_stats st;

	if (!strstr(boot_info.cmdline, "smp_phantom"))
		ktest_skip("needs smp_phantom on the command line");
	smp_get_stats(&st);
	EXPECT_EQ(st.failed, 1);
	EXPECT_EQ(st.described, smp_cpu_count() + 1);
	EXPECT_TRUE(st.bringup_us >= 1000000); /* it waited the whole timeout */
	EXPECT_TRUE(!smp_cpu_online(st.described - 1));
}

TEST(smp, per_cpu_data_is_consistent)
{
	unsigned i, j, n = 0;

	EXPECT_TRUE(percpu_ready());
	EXPECT_TRUE(this_cpu() == percpu_of(0));
	EXPECT_EQ(this_cpu_index(), 0);
	EXPECT_EQ(arch_cpu_index(), 0);
	for (i = 0; i < SMP_MAX_CPUS; i++) {
		struct percpu *c = percpu_of(i);

		if (!smp_cpu_online(i))
			continue;
		n++;
		EXPECT_TRUE(c->self == c);
		EXPECT_EQ(c->cpu, i);
		EXPECT_EQ(c->stopped, 0);
		if (i > 0)
			EXPECT_TRUE(c->stack_top != 0);
		for (j = 0; j < i; j++)
			if (smp_cpu_online(j))
				EXPECT_TRUE(percpu_of(j)->apic_id != c->apic_id);
	}
	EXPECT_EQ(n, smp_cpu_count());
}

struct whoami {
	struct percpu *self;
	unsigned index;
	bool irqs_on;
};

static void report_whoami(void *arg)
{
	struct whoami *w = arg;

	w->self = this_cpu();
	w->index = this_cpu_index();
	w->irqs_on = arch_irqs_enabled();
}

TEST(smp, call_with_wait_runs_on_the_target_cpu)
{
	unsigned i;

	for (i = 0; i < SMP_MAX_CPUS; i++) {
		struct whoami w = { NULL, 999, true };

		if (!smp_cpu_online(i))
			continue;
		EXPECT_EQ(smp_call(i, report_whoami, &w, true), 0);
		EXPECT_EQ(w.index, i);
		EXPECT_TRUE(w.self == percpu_of(i));
		EXPECT_TRUE(!w.irqs_on);
	}
	EXPECT_EQ(smp_call(SMP_MAX_CPUS, report_whoami, NULL, true), -EINVAL);
}

static uint32_t async_count;

static void bump(void *arg)
{
	__atomic_fetch_add(&async_count, 1, __ATOMIC_RELAXED);
}

/* More calls than a queue holds: the caller waits for room, nothing is lost. */
TEST(smp, calls_without_wait_all_run)
{
	unsigned cpu = other_cpu(), i, n = 0, k;

	async_count = 0;
	for (k = 0; k < 3 * SMP_CALL_SLOTS; k++) {
		for (i = 0; i < SMP_MAX_CPUS; i++) {
			if (!smp_cpu_online(i))
				continue;
			EXPECT_EQ(smp_call(i, bump, NULL, false), 0);
			n++;
		}
	}
	EXPECT_TRUE(cpu != 0);
	EXPECT_EQ(wait_for(&async_count, n), n);
}

/* ---- spinlocks ---- */

static struct spinlock stress_lock = SPINLOCK_INIT("test.stress");
static struct {
	volatile uint64_t counter;   /* [stress_lock] */
	uint64_t deadline;           /* [I] when the boot CPU calls time */
	uint32_t go;                 /* [a] start line */
	uint32_t stop;               /* [a] time is up */
	uint32_t done;               /* [a] CPUs finished */
	uint64_t mine[SMP_MAX_CPUS]; /* increments each CPU made */
} stress;

/*
 * STRESS_ITERS increments, half through spin_lock() and half through
 * spin_lock_irqsave(), unless time runs out first (but at least
 * STRESS_MIN): with more vCPUs than host cores, every ticket handed to a
 * descheduled vCPU waits for the host scheduler, so the count that fits in
 * STRESS_MS varies; the sum must not.
 */
static void stress_run(void *arg)
{
	bool timekeeper = arg != NULL;
	uint64_t flags, n;

	while (!__atomic_load_n(&stress.go, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	for (n = 0; n < STRESS_ITERS; n++) {
		if (n >= STRESS_MIN && __atomic_load_n(&stress.stop, __ATOMIC_RELAXED))
			break;
		if (n & 1) {
			flags = spin_lock_irqsave(&stress_lock);
			stress.counter = stress.counter + 1;
			spin_unlock_irqrestore(&stress_lock, flags);
		} else {
			spin_lock(&stress_lock);
			stress.counter = stress.counter + 1;
			spin_unlock(&stress_lock);
		}
		if (timekeeper && (n & 63) == 0 && arch_cycles() > stress.deadline)
			__atomic_store_n(&stress.stop, 1, __ATOMIC_RELAXED);
	}
	stress.mine[this_cpu_index()] = n;
	__atomic_fetch_add(&stress.done, 1, __ATOMIC_RELEASE);
}

TEST(smp, spinlock_keeps_a_shared_counter_exact)
{
	uint32_t n = smp_cpu_count();
	uint64_t t0 = arch_cycles(), sum = 0;
	unsigned i;

	memset(&stress, 0, sizeof(stress));
	stress.deadline = t0 + arch_cycles_khz() * STRESS_MS;
	for (i = 1; i < SMP_MAX_CPUS; i++)
		if (smp_cpu_online(i))
			EXPECT_EQ(smp_call(i, stress_run, NULL, false), 0);
	__atomic_store_n(&stress.go, 1, __ATOMIC_RELEASE);
	stress_run(&stress);
	__atomic_store_n(&stress.stop, 1, __ATOMIC_RELAXED);
	EXPECT_EQ(wait_for(&stress.done, n), n);
	for (i = 0; i < SMP_MAX_CPUS; i++) {
		sum += stress.mine[i];
		if (smp_cpu_online(i))
			EXPECT_TRUE(stress.mine[i] >= STRESS_MIN);
	}
	kprintf("# smp: %u CPUs, %llu increments (%s) in %llu ms\n", n, (unsigned long long)sum,
	        sum == (uint64_t)n * STRESS_ITERS ? "all" : "time ran out",
	        (unsigned long long)((arch_cycles() - t0) / arch_cycles_khz()));
	EXPECT_EQ(stress.counter, sum);
	EXPECT_TRUE(!spin_held(&stress_lock));
}

/* Misuse on purpose, so the lock checker is told to look away. */
static void lock_twice(void *arg) __no_thread_safety_analysis
{
	struct spinlock *l = arg;

	spin_lock(l);
	spin_lock(l);
}

/* The lock is left held by the caught panic, which the analysis cannot know. */
TEST(smp, spinlock_taken_twice_panics_instead_of_hanging) __no_thread_safety_analysis
{
	struct spinlock l = SPINLOCK_INIT("test.twice");
	struct ktest_fault f;

	EXPECT_EQ(ktest_catch(lock_twice, &l, &f), 1);
	EXPECT_EQ(f.vector, KTEST_PANIC);
	EXPECT_TRUE(strstr(f.what, "test.twice"));
	EXPECT_TRUE(strstr(f.what, "already holds"));
	EXPECT_TRUE(spin_held(&l));
	/*
	 * The catch restored the interrupt flag of its caller, but the panic left
	 * the lock held: turn interrupts off again, as holding a lock requires.
	 */
	irq_disable();
	spin_unlock(&l);
	EXPECT_TRUE(!spin_held(&l));
}

TEST(smp, spin_lock_nests_and_restores_interrupts)
{
	struct spinlock a = SPINLOCK_INIT("test.a"), b = SPINLOCK_INIT("test.b");
	bool was_on = arch_irqs_enabled();
	uint64_t flags;

	spin_lock(&a);
	EXPECT_TRUE(!arch_irqs_enabled());
	spin_lock(&b);
	spin_unlock(&a); /* not in LIFO order: still off while b is held */
	EXPECT_TRUE(!arch_irqs_enabled());
	spin_unlock(&b);
	EXPECT_EQ(arch_irqs_enabled(), was_on);
	flags = spin_lock_irqsave(&a);
	EXPECT_TRUE(!arch_irqs_enabled());
	EXPECT_TRUE(spin_held(&a));
	spin_unlock_irqrestore(&a, flags);
	EXPECT_EQ(arch_irqs_enabled(), was_on);
}

static void try_remote(void *arg)
{
	struct spinlock *l = arg;

	if (spin_trylock(l))
		spin_unlock(l); /* must not happen: the test sees it in the lock's state */
	else
		l->reserved = 1;
}

/* A second try-lock of a held lock is the point here (the analysis rejects it). */
TEST(smp, trylock_fails_while_another_cpu_holds_the_lock) __no_thread_safety_analysis
{
	struct spinlock l = SPINLOCK_INIT("test.try");
	unsigned cpu = other_cpu();

	EXPECT_TRUE(spin_trylock(&l));
	EXPECT_TRUE(!spin_trylock(&l));
	EXPECT_EQ(smp_call(cpu, try_remote, &l, true), 0);
	EXPECT_EQ(l.reserved, 1);
	spin_unlock(&l);
	l.reserved = 0;
	EXPECT_EQ(smp_call(cpu, try_remote, &l, true), 0);
	EXPECT_EQ(l.reserved, 0);
	EXPECT_TRUE(!spin_held(&l));
}

/* Every CPU logs at once; the console lock keeps each line whole. */
static void log_lines(void *arg)
{
	unsigned i;

	for (i = 0; i < 4; i++)
		kprintf("# smp: line %u from cpu %u, whole\n", i, this_cpu_index());
	__atomic_fetch_add(&async_count, 1, __ATOMIC_RELEASE);
}

TEST(smp, every_cpu_logs_at_once)
{
	uint32_t n = smp_cpu_count();
	unsigned i;

	async_count = 0;
	for (i = 1; i < SMP_MAX_CPUS; i++)
		if (smp_cpu_online(i))
			EXPECT_EQ(smp_call(i, log_lines, NULL, false), 0);
	log_lines(NULL);
	EXPECT_EQ(wait_for(&async_count, n), n);
}

/* ---- TLB shootdown ---- */

struct probe {
	volatile uint64_t *p; /* the page to read */
	uint64_t value;       /* what the read returned */
	int faulted;          /* 1 if the read faulted */
	struct ktest_fault f;
};

static void read_page(void *arg)
{
	struct probe *pr = arg;

	pr->value = *pr->p;
}

/* On the remote CPU: read, catching the page fault there. */
static void remote_read(void *arg)
{
	struct probe *pr = arg;

	pr->value = 0;
	pr->faulted = ktest_catch(read_page, pr, &pr->f);
}

/* Page-table ops that invalidate only this CPU and keep freed tables for later. */
static uint64_t held_tables[8];
static unsigned nheld;

static void *local_phys_to_virt(void *ctx, uint64_t pa)
{
	return phys_to_virt(pa);
}

static uint64_t local_alloc_table(void *ctx)
{
	return pmm_alloc_pages(0, PMM_ZERO);
}

static void local_free_table(void *ctx, uint64_t pa)
{
	if (nheld < 8)
		held_tables[nheld++] = pa;
}

static void local_invalidate(void *ctx, uint64_t va)
{
	arch_mmu_invalidate(va);
}

static void local_flush(void *ctx)
{
	arch_mmu_flush();
}

static const struct pt_ops local_only_ops = {
	.phys_to_virt = local_phys_to_virt,
	.alloc_table = local_alloc_table,
	.free_table = local_free_table,
	.invalidate = local_invalidate,
	.flush_all = local_flush,
};

/* Unmap [@va, +@npages) with only this CPU's TLB invalidated. */
static void unmap_locally(uint64_t va, size_t npages)
{
	struct pt_space local = *vm_kernel_space();

	local.ops = &local_only_ops;
	nheld = 0;
	EXPECT_EQ(pt_unmap(&local, va, npages * PAGE_SIZE), 0);
}

static void free_held_tables(void)
{
	unsigned i;

	for (i = 0; i < nheld; i++)
		pmm_free_pages(held_tables[i], 0);
	nheld = 0;
}

static void read_on_every_other_cpu(struct probe *pr, bool want_fault, uint64_t va)
{
	unsigned i;

	for (i = 1; i < SMP_MAX_CPUS; i++) {
		if (!smp_cpu_online(i))
			continue;
		EXPECT_EQ(smp_call(i, remote_read, pr, true), 0);
		EXPECT_EQ(pr->faulted, want_fault);
		if (want_fault) {
			EXPECT_EQ(pr->f.vector, PF_VECTOR);
			EXPECT_EQ(pr->f.addr, va);
		} else {
			EXPECT_EQ(pr->value, PROBE_MAGIC);
		}
	}
}

/*
 * Each other CPU reads a page (caching its translation); this CPU unmaps it
 * invalidating only its own TLB, so a remote read may still succeed through
 * a stale entry (reported, not required); after smp_tlb_shootdown() every
 * remote read must fault.
 */
TEST(smp, tlb_shootdown_makes_remote_reads_fault)
{
	volatile uint64_t *page = vm_alloc_pages(1, PT_WRITE);
	uint64_t va = (uint64_t)(uintptr_t)page, pa = 0;
	struct probe pr = { page, 0, 0, { 0 } };
	unsigned cpu = other_cpu();
	bool stale;

	EXPECT_TRUE(page != NULL);
	EXPECT_EQ(pt_translate(vm_kernel_space(), va, &pa, NULL, NULL), 0);
	*page = PROBE_MAGIC;
	read_on_every_other_cpu(&pr, false, va);
	unmap_locally(va, 1);
	EXPECT_EQ(smp_call(cpu, remote_read, &pr, true), 0);
	stale = !pr.faulted && pr.value == PROBE_MAGIC;
	smp_tlb_shootdown(va, 1);
	read_on_every_other_cpu(&pr, true, va);
	free_held_tables();
	pmm_free_pages(pa, 0);
	kprintf("# smp: before the shootdown cpu %u %s\n", cpu,
	        stale ? "still read the unmapped page through its TLB" : "already faulted");
}

/* The same through kernel/mm: vm_unmap_free() shoots down on its own. */
TEST(smp, vm_unmap_shoots_down_every_cpu)
{
	volatile uint64_t *page = vm_alloc_pages(1, PT_WRITE);
	uint64_t va = (uint64_t)(uintptr_t)page;
	struct probe pr = { page, 0, 0, { 0 } };

	other_cpu();
	EXPECT_TRUE(page != NULL);
	*page = PROBE_MAGIC;
	read_on_every_other_cpu(&pr, false, va);
	vm_unmap_free(va, 1);
	read_on_every_other_cpu(&pr, true, va);
}

TEST(smp, full_flush_reaches_every_cpu)
{
	volatile uint64_t *page = vm_alloc_pages(1, PT_WRITE);
	uint64_t va = (uint64_t)(uintptr_t)page, pa = 0;
	struct probe pr = { page, 0, 0, { 0 } };

	other_cpu();
	EXPECT_TRUE(page != NULL);
	EXPECT_EQ(pt_translate(vm_kernel_space(), va, &pa, NULL, NULL), 0);
	*page = PROBE_MAGIC;
	read_on_every_other_cpu(&pr, false, va);
	unmap_locally(va, 1);
	smp_tlb_shootdown(0, SMP_TLB_ALL);
	read_on_every_other_cpu(&pr, true, va);
	free_held_tables();
	pmm_free_pages(pa, 0);
	EXPECT_EQ(smp_panic_cpu(), -1);
}

/* ---- panic (by hand: "ktest=smp.panic smp_panic_demo", 4 CPUs) ---- */

static struct spinlock demo_lock = SPINLOCK_INIT("test.demo");

/* Never returns: the panic stops this CPU while it waits (so it "keeps" the lock). */
static void demo_wait_for_lock(void *arg) __no_thread_safety_analysis
{
	spin_lock(&demo_lock); /* spins with interrupts off: stops from smp_spin_poll() */
}

static uint32_t demo_spinning;

static void demo_spin_forever(void *arg)
{
	__atomic_store_n(&demo_spinning, 1, __ATOMIC_RELEASE);
	for (;;)
		arch_cpu_relax(); /* interrupts off, never polls: the stop times out */
}

static void demo_panic(void *arg)
{
	panic("smp demo: a panic on cpu %u", this_cpu_index());
}

/*
 * CPU 1 waits for a lock CPU 0 holds, CPU 3 spins with interrupts off,
 * CPU 2 panics: the report must name cpu 2 and QEMU must exit with the
 * failure status. Skipped unless "smp_panic_demo" is on the command line.
 */
TEST(smp, panic_on_another_cpu_stops_every_cpu)
{
	if (!strstr(boot_info.cmdline, "smp_panic_demo"))
		ktest_skip("by hand only: smp_panic_demo");
	if (!smp_cpu_online(1) || !smp_cpu_online(2) || !smp_cpu_online(3))
		ktest_skip("needs 4 CPUs");
	spin_lock(&demo_lock);
	EXPECT_EQ(smp_call(1, demo_wait_for_lock, NULL, false), 0);
	EXPECT_EQ(smp_call(3, demo_spin_forever, NULL, false), 0);
	EXPECT_EQ(wait_for(&demo_spinning, 1), 1);
	EXPECT_EQ(smp_call(2, demo_panic, NULL, false), 0);
	for (;;)
		smp_spin_poll();
}
