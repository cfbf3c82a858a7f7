// SPDX-License-Identifier: MIT
/*
 * The kernel heap under KHB-1's steady churn (W2, docs/performance.md) on 1,
 * 2 and 4 CPUs at once: each CPU keeps its own live set of KHB-1 D2 blocks
 * (16-1023 bytes, aligned 8 or 16: small kernel objects) or D1 blocks
 * (64-16383 bytes, aligned 1-128) and frees a random one or allocates a new
 * one, half and half, through kmalloc_aligned() and kfree(), for RUN_MS.
 * Each run is made with the per-CPU magazines on and off (heap_set_cache()),
 * after an untimed one that grows the heap, and reports operations per
 * second per CPU. Run with CPUS=4; under TCG the figures
 * depend on how the host schedules the vCPU threads.
 */
#include <arch/spinlock.h>
#include <lib/alloc/khb1_rand.h>
#include <lib/format.h>

#include <stdbool.h>
#include <stdint.h>

#include "arch/arch.h"
#include "core/kbench.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "mm/heap.h"

#define LIVE   64
#define RUN_MS 200

struct live_blk {
	void *p;
	size_t size;
};

/* Locks: [a] atomic; [S] set before the CPUs start, read-only while they run. */
static struct {
	uint32_t go;                         /* [a] start */
	uint32_t stop;                       /* [a] CPU 0 saw RUN_MS pass */
	uint32_t done;                       /* [a] CPUs finished */
	enum khb1_dist dist;                 /* [S] */
	struct live_blk *live[SMP_MAX_CPUS]; /* [S] each CPU's live set */
	uint64_t ops[SMP_MAX_CPUS];          /* [a] operations each CPU made */
	uint64_t cycles[SMP_MAX_CPUS];       /* [a] the time each CPU took for them */
} hb;

/* One churn step on live set @live of *@n blocks: free a random one or allocate. */
static void churn_step(struct khb1_rng *r, struct live_blk *live, size_t *n)
{
	size_t size, align, i;

	if (*n == LIVE || (*n && khb1_range(r, 0, 2))) {
		i = (size_t)khb1_range(r, 0, *n);
		kfree(live[i].p);
		live[i] = live[--*n];
	} else {
		khb1_sample(r, hb.dist, &size, &align);
		live[(*n)++] = (struct live_blk){ kmalloc_aligned(size, align, 0), size };
	}
}

/* Fill this CPU's live set halfway, then churn around it until CPU 0 says stop. */
static void churn(void *arg)
{
	unsigned cpu = this_cpu_index();
	struct khb1_rng r = { khb1_seed(2, hb.dist, 50) + cpu };
	struct live_blk *live = hb.live[cpu];
	uint64_t t0, ops, limit = arch_cycles_khz() * RUN_MS;
	size_t n = 0;

	while (n < LIVE / 2)
		churn_step(&r, live, &n);
	while (!__atomic_load_n(&hb.go, __ATOMIC_ACQUIRE))
		arch_cpu_relax();
	t0 = arch_cycles();
	for (ops = 0; !__atomic_load_n(&hb.stop, __ATOMIC_RELAXED); ops++) {
		churn_step(&r, live, &n);
		if (cpu == 0 && !(ops & 63) && arch_cycles() - t0 > limit)
			__atomic_store_n(&hb.stop, 1, __ATOMIC_RELAXED);
	}
	hb.cycles[cpu] = arch_cycles() - t0;
	hb.ops[cpu] = ops;
	while (n)
		kfree(live[--n].p);
	__atomic_fetch_add(&hb.done, 1, __ATOMIC_RELEASE);
}

static void reclaim(void *arg)
{
	heap_cache_reclaim();
}

/* Run churn on CPUs 0 .. @ncpu-1 at once; returns the mean operations per second per CPU. */
static uint64_t run(unsigned ncpu, enum khb1_dist dist)
{
	uint64_t sum = 0;
	unsigned i;

	hb.go = 0;
	hb.stop = 0;
	hb.done = 0;
	hb.dist = dist;
	for (i = 1; i < ncpu; i++)
		if (smp_call(i, churn, NULL, false))
			return 0;
	__atomic_store_n(&hb.go, 1, __ATOMIC_RELEASE);
	churn(NULL);
	while (__atomic_load_n(&hb.done, __ATOMIC_ACQUIRE) != ncpu)
		arch_cpu_relax();
	for (i = 0; i < ncpu; i++)
		sum += hb.ops[i] * arch_cycles_khz() * 1000 / (hb.cycles[i] ? hb.cycles[i] : 1);
	return sum / ncpu;
}

/* Give every CPU's magazines back, so that each run starts from the same heap. */
static void reclaim_all(unsigned ncpu)
{
	unsigned i;

	for (i = 1; i < ncpu; i++)
		if (smp_call(i, reclaim, NULL, true))
			return;
	heap_cache_reclaim();
}

static void report(unsigned ncpu, enum khb1_dist dist, bool cache, uint64_t ops)
{
	char name[48];

	fmt_snprintf(name, sizeof(name), "heap_w2_%s_%ucpu_%s", dist == KHB1_D1 ? "d1" : "d2", ncpu,
	             cache ? "magazines" : "heap_lock_only");
	kbench_report(name, ops, "ops/s/cpu");
}

BENCH(heap_churn)
{
	static const unsigned cpus[] = { 1, 2, 4 };
	unsigned n = smp_cpu_count(), i, c, d;
	uint64_t ops;

	for (i = 0; i < SMP_MAX_CPUS; i++)
		hb.live[i] = i < n ? kcalloc(LIVE, sizeof(struct live_blk)) : NULL;
	for (d = 0; d < 2; d++) {
		run(n < 4 ? n : 4, d ? KHB1_D1 : KHB1_D2); /* warm-up: the heap grows here */
		for (i = 0; i < 3 && cpus[i] <= n; i++) {
			for (c = 0; c < 2; c++) {
				heap_set_cache(c == 0);
				reclaim_all(n);
				ops = run(cpus[i], d ? KHB1_D1 : KHB1_D2);
				report(cpus[i], d ? KHB1_D1 : KHB1_D2, c == 0, ops);
			}
		}
	}
	heap_set_cache(true);
	for (i = 0; i < SMP_MAX_CPUS; i++)
		kfree(hb.live[i]);
}
