// SPDX-License-Identifier: MIT
/*
 * Per-CPU frame caches: each CPU keeps a small stack of free single frames
 * in front of pmm_lock, so the common allocation and free of one frame
 * takes only a lock no other CPU wants. An empty cache takes
 * PMM_CACHE_BATCH frames from the zones under one acquisition of pmm_lock;
 * a full one gives back its PMM_CACHE_BATCH oldest. Each cache has its own
 * spinlock rather than relying on interrupts alone, so that another CPU
 * can drain it (pmm_drain_caches()) when memory runs short; taken almost
 * only by its own CPU, that lock is never contended on the fast path.
 *
 * Locks: [K] the cache's own lock; then pmm_lock (docs/locking.md).
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "core/percpu.h"
#include "mm/pmm.h"
#include "mm/pmm_internal.h"
#include "sched/spinlock.h"

_Static_assert(PMM_CACHE_BATCH <= PMM_CACHE_SIZE, "a batch fits in a cache");

struct pmm_cache {
	struct spinlock lock;
	uint32_t count;               /* [K] frames in pfn[] */
	uint64_t pfn[PMM_CACHE_SIZE]; /* [K] free frames, the most recently freed on top */
} __attribute__((aligned(64)));

static struct pmm_cache caches[SMP_MAX_CPUS];

void pmm_cache_init(void)
{
	for (unsigned i = 0; i < SMP_MAX_CPUS; i++) {
		spin_init(&caches[i].lock, "pmm.cache");
		caches[i].count = 0;
	}
}

/*
 * The cache of the CPU this runs on. Preemption may move the caller to
 * another CPU before it takes the lock; it then uses the old CPU's cache,
 * which the lock makes just as safe, only not local.
 */
static struct pmm_cache *my_cache(void)
{
	return &caches[arch_cpu_index() % SMP_MAX_CPUS];
}

/* Give the @n oldest frames (bottom of the stack) back to the zones. */
static void drain_locked(struct pmm_cache *c, uint32_t n) __must_hold(&c->lock);

static void drain_locked(struct pmm_cache *c, uint32_t n)
{
	spin_lock(&pmm_lock);
	pmm_give_frames_locked(c->pfn, n);
	spin_unlock(&pmm_lock);
	memmove(c->pfn, c->pfn + n, (c->count - n) * sizeof(c->pfn[0]));
	c->count -= n;
}

uint64_t pmm_cache_alloc(void)
{
	struct pmm_cache *c = my_cache();
	uint64_t pfn = BUDDY_NONE;

	spin_lock(&c->lock);
	if (c->count == 0) {
		spin_lock(&pmm_lock);
		c->count = pmm_take_frames_locked(c->pfn, PMM_CACHE_BATCH);
		spin_unlock(&pmm_lock);
	}
	if (c->count) {
		pfn = c->pfn[--c->count];
		__atomic_store_n(&pmm_frame_of(pfn)->flags, 0, __ATOMIC_RELAXED);
	}
	spin_unlock(&c->lock);
	return pfn;
}

void pmm_cache_free(uint64_t pfn)
{
	struct pmm_cache *c = my_cache();

	spin_lock(&c->lock);
	if (c->count == PMM_CACHE_SIZE)
		drain_locked(c, PMM_CACHE_BATCH);
	__atomic_store_n(&pmm_frame_of(pfn)->flags, PMM_FRAME_CACHED, __ATOMIC_RELAXED);
	c->pfn[c->count++] = pfn;
	spin_unlock(&c->lock);
}

void pmm_drain_caches(void)
{
	for (unsigned i = 0; i < SMP_MAX_CPUS; i++) {
		struct pmm_cache *c = &caches[i];

		spin_lock(&c->lock);
		if (c->count)
			drain_locked(c, c->count);
		spin_unlock(&c->lock);
	}
}

/* Several cache locks at once only here, always in CPU order: no cycle with the fast path. */
void pmm_cache_lock_all(void)
{
	for (unsigned i = 0; i < SMP_MAX_CPUS; i++)
		spin_lock(&caches[i].lock);
}

void pmm_cache_unlock_all(void)
{
	for (unsigned i = SMP_MAX_CPUS; i-- > 0;)
		spin_unlock(&caches[i].lock);
}

uint64_t pmm_cache_count_all_locked(void)
{
	uint64_t n = 0;

	for (unsigned i = 0; i < SMP_MAX_CPUS; i++)
		n += caches[i].count;
	return n;
}

/* Each cached frame is one the zones hold as allocated, and its record says cached. */
int pmm_cache_check_all_locked(void)
{
	for (unsigned i = 0; i < SMP_MAX_CPUS; i++)
		for (uint32_t j = 0; j < caches[i].count; j++) {
			uint64_t pfn = caches[i].pfn[j];
			struct pmm_frame *f = pmm_frame_of(pfn);

			if (!pmm_cacheable(pfn) || !pmm_single_allocated_locked(pfn) ||
			    __atomic_load_n(&f->flags, __ATOMIC_RELAXED) != PMM_FRAME_CACHED ||
			    __atomic_load_n(&f->refs, __ATOMIC_RELAXED) != 0)
				return -EINVAL;
		}
	return 0;
}
