// SPDX-License-Identifier: MIT
/*
 * Frame allocator figures (issue 10): the cost of allocating and freeing
 * one frame through this CPU's frame cache against the same through the
 * zones' buddy allocator under the pmm lock (PMM_NOCACHE), on one CPU and
 * on every CPU at once, as alloc/free pairs and as bursts of 256 frames
 * (which make the cache refill and drain in batches). Cycles per frame
 * allocated and freed.
 */
#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"
#include "core/kbench.h"
#include "core/percpu.h"
#include "mm/pmm.h"
#include "sched/sched.h"
#include "sched/task.h"

#define PAIRS          20000
#define PAIRS_ALL_CPUS 4000 /* contended pairs are 100 times slower: keep `make bench` short */
#define BURST          256
#define BURST_ROUNDS   40

/* Cycles per alloc/free pair of one frame with @flags, @n times; 0 when memory ran out. */
static uint64_t pairs(unsigned flags, unsigned n)
{
	uint64_t t0 = arch_cycles(), pa;

	for (unsigned i = 0; i < n; i++) {
		pa = pmm_alloc_pages(0, flags);
		if (!pa)
			return 0;
		pmm_free_pages(pa, 0);
	}
	return (arch_cycles() - t0) / n;
}

/* Cycles per frame, allocating BURST frames then freeing them all, BURST_ROUNDS times. */
static uint64_t bursts(unsigned flags)
{
	uint64_t pa[BURST], t0 = arch_cycles();

	for (unsigned r = 0; r < BURST_ROUNDS; r++) {
		for (unsigned i = 0; i < BURST; i++)
			if (!(pa[i] = pmm_alloc_pages(0, flags)))
				return 0;
		for (unsigned i = BURST; i-- > 0;)
			pmm_free_pages(pa[i], 0);
	}
	return (arch_cycles() - t0) / (BURST * BURST_ROUNDS);
}

BENCH(pmm_frame_one_cpu)
{
	(void)task_set_affinity(1ull << this_cpu_index());
	kbench_report_cycles("pmm_frame_pair_cached", pairs(0, PAIRS));
	kbench_report_cycles("pmm_frame_pair_buddy", pairs(PMM_NOCACHE, PAIRS));
	kbench_report_cycles("pmm_frame_burst_cached", bursts(0));
	kbench_report_cycles("pmm_frame_burst_buddy", bursts(PMM_NOCACHE));
	(void)task_set_affinity(TASK_CPUS_ANY);
	pmm_drain_caches();
}

/* Every CPU runs pairs() at once; they start together on a shared flag. */
struct all_cpus {
	unsigned flags;
	unsigned ready;             /* [a] tasks waiting to start */
	unsigned go;                /* [a] 1: start */
	uint64_t cyc[SMP_MAX_CPUS]; /* per CPU: pairs()'s figure */
};

static int pairs_task(void *arg)
{
	struct all_cpus *a = arg;

	__atomic_fetch_add(&a->ready, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&a->go, __ATOMIC_ACQUIRE))
		task_yield();
	a->cyc[this_cpu_index()] = pairs(a->flags, PAIRS_ALL_CPUS);
	return 0;
}

/* The mean over CPUs of cycles per pair with every CPU allocating at once; 0 on failure. */
static uint64_t all_cpus(unsigned flags, unsigned ncpu)
{
	struct all_cpus a = { .flags = flags };
	struct task_handle h[SMP_MAX_CPUS];
	uint64_t sum = 0;
	unsigned c, n = 0;
	bool ok = true;

	for (c = 0; c < ncpu; c++) {
		struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT,
			                     .affinity = 1ull << c,
			                     .cpu = -1 };

		if (task_spawn_opts(&h[n], "bench.pmm", pairs_task, &a, &o) == 0)
			n++;
	}
	while (__atomic_load_n(&a.ready, __ATOMIC_ACQUIRE) < n)
		task_yield();
	__atomic_store_n(&a.go, 1, __ATOMIC_RELEASE);
	for (c = 0; c < n; c++)
		if (task_join(h[c], NULL))
			ok = false;
	for (c = 0; c < ncpu; c++)
		sum += a.cyc[c];
	return ok && n == ncpu ? sum / ncpu : 0;
}

BENCH(pmm_frame_all_cpus)
{
	unsigned ncpu = sched_cpu_count();

	kbench_report("pmm_frame_all_cpus", ncpu, "cpus");
	kbench_report_cycles("pmm_frame_pair_cached_all_cpus", all_cpus(0, ncpu));
	kbench_report_cycles("pmm_frame_pair_buddy_all_cpus", all_cpus(PMM_NOCACHE, ncpu));
	pmm_drain_caches();
}
