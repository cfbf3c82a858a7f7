// SPDX-License-Identifier: MIT
/*
 * Kernel test of reclaim for allocations that may sleep (suite
 * "pagecache_reclaim"): with every free frame taken and only clean cached
 * pages left, a user fault must still get a frame while another CPU holds
 * the page cache's lock. The allocator's shrinker gives up on a busy lock
 * (it may run under any lock); the fault's reclaim waits for it. This is
 * what failed tar's read(2) with EFAULT in tools/diskbench.py.
 */
#include <cairn/linux/mman.h>

#include <arch/spinlock.h>

#include "core/percpu.h"
#include "core/smp.h"
#include "mm/pagecache_internal.h"
#include "mm/pmm.h"
#include "mm/uspace.h"
#include "pagecache_test.h"
#include "time/time.h"

#define BASE     0x10000000ull
#define HOLD_NS  (50ull * 1000000) /* how long the lock stays held once the fault starts */
#define LIMIT_NS (10ull * 1000000000)

struct holder {
	int state; /* [a] 1: holding pc_lock, 2: the fault may start, 3: released */
};

/* On the other CPU: hold pc_lock until told, then HOLD_NS more, as a busy cache would. */
static int hold_lock(void *arg)
{
	struct holder *h = arg;
	uint64_t end = clock_monotonic_ns() + LIMIT_NS;

	spin_lock(&pc_lock);
	__atomic_store_n(&h->state, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&h->state, __ATOMIC_ACQUIRE) == 1 && clock_monotonic_ns() < end)
		arch_cpu_relax();
	end = clock_monotonic_ns() + HOLD_NS;
	while (clock_monotonic_ns() < end)
		arch_cpu_relax();
	spin_unlock(&pc_lock);
	__atomic_store_n(&h->state, 3, __ATOMIC_RELEASE);
	return 0;
}

/* Take every free frame (the shrinker cannot evict: the lock is held), chained by first word. */
static uint64_t take_all(void)
{
	uint64_t head = 0, pa;

	while ((pa = pmm_alloc_pages(0, 0))) {
		*(uint64_t *)phys_to_virt(pa) = head;
		head = pa;
	}
	return head;
}

static void give_back(uint64_t head)
{
	while (head) {
		uint64_t next = *(uint64_t *)phys_to_virt(head);

		pmm_free_pages(head, 0);
		head = next;
	}
}

static struct task_handle start_holder(struct holder *h)
{
	unsigned me = this_cpu_index();
	struct task_spawn_opts o = { .prio = TASK_PRIO_DEFAULT, .cpu = -1 };
	struct task_handle t;

	o.affinity = 1ull << (me == 0 ? 1 : 0);
	EXPECT_EQ(task_spawn_opts(&t, "pc-holder", hold_lock, h, &o), 0);
	while (!__atomic_load_n(&h->state, __ATOMIC_ACQUIRE))
		task_yield();
	return t;
}

TEST(pagecache_reclaim, user_fault_waits_for_a_busy_cache)
{
	static uint8_t byte;
	struct holder h = { 0 };
	struct uspace *s = NULL;
	struct ramfile *rf;
	struct task_handle t;
	uint64_t head;
	int err;

	if (smp_cpu_count() < 2)
		ktest_skip("needs a second CPU to hold the page cache's lock");
	rf = rf_new(RF_PAGES * 4096, 7);
	for (int64_t p = 0; p < RF_PAGES * 4096; p += 4096)
		EXPECT_EQ(rf_pread(rf, &byte, 1, p), 1);
	EXPECT_EQ(uspace_create(&s), 0);
	EXPECT_EQ(uspace_mmap(s, BASE, 4096, PROT_READ | PROT_WRITE,
	                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED),
	          (long)BASE);
	/* Stay on this CPU, the holder on another (-EINVAL: a CPU's own flow, pinned already). */
	(void)task_set_affinity(1ull << this_cpu_index());
	t = start_holder(&h);
	head = take_all();
	__atomic_store_n(&h.state, 2, __ATOMIC_RELEASE);
	/* Nothing free, the cache's pages clean but its lock busy for HOLD_NS. */
	err = uspace_fault(s, BASE, UFAULT_USER | UFAULT_WRITE);
	give_back(head);
	EXPECT_EQ(task_join(t, NULL), 0);
	(void)task_set_affinity(TASK_CPUS_ANY);
	EXPECT_EQ(err, 0);
	EXPECT_TRUE(rf->m.nrpages < RF_PAGES);
	uspace_put(s);
	rf_free(rf);
}
