// SPDX-License-Identifier: MIT
/*
 * kmalloc over lib/alloc's TLSF heap, with per-CPU magazines in front of it
 * for requests up to 1 KiB (lib/alloc/cairn_cache.c), so that most small
 * allocations and frees take no lock at all. The heap lives in a fixed range
 * of the kernel virtual area and grows at its end by mapping fresh frames, so
 * each growth extends the last region. Bad frees are reported with the
 * caller's address and symbol.
 * Locks: [H] heap_lock, taken around every call into the allocator (lock
 * order: heap_lock, then vm_lock, then the pmm lock); [D] depot_lock, the
 * magazine depot's, never held together with heap_lock; [C] this CPU's own,
 * used with interrupts off; [a] atomic; [B] set at boot.
 */
#include "mm/heap.h"

#include <arch/page.h>
#include <lib/alloc/cairn.h>
#include <lib/alloc/cairn_cache.h>
#include <lib/string.h>

#include "core/ksyms.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "mm/vm.h"
#include "sched/spinlock.h"

#define HEAP_INITIAL (256ull << 10) /* the boot uses under 16 KiB of it */
#define HEAP_STEP    (1ull << 20)   /* grow at least this much at a time */

static struct spinlock heap_lock = SPINLOCK_INIT("heap");
static struct cairn_heap heap __guarded_by(&heap_lock); /* [H] */
static uint64_t heap_mapped __guarded_by(&heap_lock);   /* [H] bytes mapped from VM_HEAP_BASE */
static uintptr_t heap_caller __guarded_by(&heap_lock);  /* [H] caller of kfree/krealloc */
static bool (*oom_handler)(size_t size, size_t align);  /* [H] */

static struct spinlock depot_lock = SPINLOCK_INIT("heap.depot");
static struct cairn_cache cache;                /* [D] the depot; [B] the rest */
static struct cairn_mag_cpu mags[SMP_MAX_CPUS]; /* [C] each CPU's magazines */
static uintptr_t cpu_caller[SMP_MAX_CPUS];      /* [C] return address of its kfree */
static bool cache_on = true;                    /* [a] heap_set_cache() */

/* The allocator's on_error hook: it runs inside a heap call, under heap_lock. */
static void report_error_locked(void *ctx, const char *what, void *ptr) __must_hold(&heap_lock)
{
	uintptr_t off = 0;
	const char *fn = ksyms_lookup(heap_caller, &off);

	pr_err("%s: %p, freed by %p (%s+0x%lx)", what, ptr, (void *)heap_caller, fn ? fn : "?",
	       (unsigned long)off);
}

/* Map more memory at the heap's end: enough for @size at @align, at least HEAP_STEP. */
static bool heap_grow_locked(size_t size, size_t align) __must_hold(&heap_lock)
{
	uint64_t want = (size + align + 64 + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	uint64_t va = vm_heap_base() + heap_mapped;

	if (want < HEAP_STEP)
		want = HEAP_STEP;
	if (want > VM_HEAP_MAX - heap_mapped)
		return false;
	if (vm_map_uncleared(va, want / PAGE_SIZE, PT_WRITE))
		return false;
	if (cairn_heap_grow(&heap, (void *)(uintptr_t)va, want)) {
		vm_unmap_free(va, want / PAGE_SIZE);
		return false;
	}
	heap_mapped += want;
	return true;
}

/* Allocate from the TLSF heap, growing it as needed; NULL when it cannot grow. */
static void *alloc_grow_locked(size_t size, size_t align) __must_hold(&heap_lock)
{
	void *p = cairn_heap_alloc(&heap, size, align);

	while (!p && size > 0 && size <= CAIRN_MAX_ALLOC && heap_grow_locked(size, align))
		p = cairn_heap_alloc(&heap, size, align);
	return p;
}

/* The magazine cache's calls into the heap (struct cairn_cache_ops). */
static void *cache_heap_alloc(void *ctx, size_t size, size_t align)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	void *p = alloc_grow_locked(size, align);

	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
}

static void cache_heap_free(void *ctx, void *const *blocks, size_t n)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	size_t i;

	heap_caller = cpu_caller[arch_cpu_index()];
	for (i = 0; i < n; i++)
		cairn_heap_free(&heap, blocks[i]);
	spin_unlock_irqrestore(&heap_lock, flags);
}

/* A bad free the cache caught (a block freed twice while cached) counts as the heap's. */
static void cache_error(void *ctx, const char *what, void *ptr)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);

	heap_caller = cpu_caller[arch_cpu_index()];
	heap.errors++;
	report_error_locked(NULL, what, ptr);
	spin_unlock_irqrestore(&heap_lock, flags);
}

static void cache_lock(void *ctx) __acquires(&depot_lock)
{
	spin_lock(&depot_lock);
}

static void cache_unlock(void *ctx) __releases(&depot_lock)
{
	spin_unlock(&depot_lock);
}

static const struct cairn_cache_ops cache_ops = {
	.alloc = cache_heap_alloc,
	.free = cache_heap_free,
	.error = cache_error,
	.lock = cache_lock,
	.unlock = cache_unlock,
};

/* Once, on the boot CPU, before anything can allocate: no lock needed yet. */
__no_thread_safety_analysis int heap_init(void)
{
	int err = vm_map_uncleared(vm_heap_base(), HEAP_INITIAL / PAGE_SIZE, PT_WRITE);

	if (err)
		return err;
	heap_mapped = HEAP_INITIAL;
	err = cairn_heap_init(&heap, (void *)(uintptr_t)vm_heap_base(), HEAP_INITIAL);
	if (err)
		return err;
	heap.on_error = report_error_locked;
	cairn_cache_init(&cache, &heap, &cache_ops, NULL);
	/* Where it is goes only to the kaslr=verbose line (mm/vm.c). */
	pr_info("heap: TLSF, %llu KiB mapped, grows on demand; per-CPU magazines up to %u bytes",
	        (unsigned long long)(HEAP_INITIAL >> 10), CAIRN_CACHE_MAX);
	return 0;
}

static __attribute__((noreturn)) void heap_oom(size_t size, size_t align)
{
	struct alloc_stats st;

	heap_stats(&st);
	panic("heap: out of memory allocating %zu bytes (align %zu); heap %zu KiB, used %zu, "
	      "free %zu, largest free %zu, %zu live blocks",
	      size, align, st.heap_bytes >> 10, st.used_bytes, st.free_bytes, st.largest_free,
	      st.live_blocks);
}

/*
 * Allocate from the heap alone, under heap_lock, growing it as needed. The
 * OOM handler runs with the lock dropped, so it may free memory.
 */
static void *heap_alloc_slow(size_t size, size_t align)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	void *p = alloc_grow_locked(size, align);
	bool more;

	while (!p && size > 0 && size <= CAIRN_MAX_ALLOC && oom_handler) {
		spin_unlock_irqrestore(&heap_lock, flags);
		more = oom_handler(size, align);
		flags = spin_lock_irqsave(&heap_lock);
		if (!more)
			break;
		p = alloc_grow_locked(size, align);
	}
	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
}

/*
 * Small requests go through this CPU's magazines when they are on; when the
 * heap cannot grow, this CPU's and the depot's cached blocks go back before
 * the slow path. Other requests go straight to the heap.
 */
static void *heap_alloc(size_t size, size_t align)
{
	void *p;

	if (__atomic_load_n(&cache_on, __ATOMIC_RELAXED) && cairn_cache_class(size, align) >= 0) {
		irq_push_off();
		p = cairn_cache_alloc(&cache, &mags[arch_cpu_index()], size, align);
		irq_pop_off();
		if (p)
			return p;
		heap_cache_reclaim();
	}
	return heap_alloc_slow(size, align);
}

void *kmalloc_aligned(size_t size, size_t align, unsigned flags)
{
	void *p = heap_alloc(size, align);

	if (!p && size > 0 && !(flags & KM_MAY_FAIL))
		heap_oom(size, align);
	if (p && (flags & KM_ZERO))
		memset(p, 0, size);
	return p;
}

void *kmalloc_flags(size_t size, unsigned flags)
{
	return kmalloc_aligned(size, CAIRN_MIN_ALIGN * 2, flags);
}

void *kmalloc(size_t size)
{
	return kmalloc_flags(size, 0);
}

void *kcalloc(size_t n, size_t size)
{
	if (size && n > (size_t)-1 / size)
		return NULL;
	return kmalloc_flags(n * size, KM_ZERO);
}

void kfree(void *p)
{
	uintptr_t caller = (uintptr_t)__builtin_return_address(0);
	uint64_t flags;
	unsigned cpu;
	int k;

	if (!p)
		return;
	/* A block with a class goes to this CPU's magazines, any other to the heap. */
	k = __atomic_load_n(&cache_on, __ATOMIC_RELAXED) ? cairn_cache_class_of(&cache, p) : -1;
	if (k >= 0) {
		irq_push_off();
		cpu = arch_cpu_index();
		cpu_caller[cpu] = caller;
		cairn_cache_put(&cache, &mags[cpu], (unsigned)k, p);
		irq_pop_off();
		return;
	}
	flags = spin_lock_irqsave(&heap_lock);
	heap_caller = caller;
	cairn_heap_free(&heap, p);
	spin_unlock_irqrestore(&heap_lock, flags);
}

void *krealloc(void *p, size_t size)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	void *q;

	heap_caller = (uintptr_t)__builtin_return_address(0);
	q = cairn_heap_realloc(&heap, p, size);
	if (!q && size > 0 && heap_grow_locked(size, CAIRN_MIN_ALIGN))
		q = cairn_heap_realloc(&heap, p, size);
	spin_unlock_irqrestore(&heap_lock, flags);
	return q;
}

void heap_cache_reclaim(void)
{
	irq_push_off();
	cairn_cache_reclaim(&cache, &mags[arch_cpu_index()]);
	irq_pop_off();
}

void heap_set_cache(bool on)
{
	__atomic_store_n(&cache_on, on, __ATOMIC_RELAXED);
	if (!on)
		heap_cache_reclaim();
}

void heap_set_oom_handler(bool (*handler)(size_t size, size_t align))
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);

	oom_handler = handler;
	spin_unlock_irqrestore(&heap_lock, flags);
}

/* Blocks the magazines hold, and the magazines themselves (a racy sum: for figures). */
static size_t cached_blocks(void)
{
	size_t n, i;

	spin_lock(&depot_lock);
	n = cache.blocks + cache.mags;
	spin_unlock(&depot_lock);
	for (i = 0; i < SMP_MAX_CPUS; i++)
		n += __atomic_load_n(&mags[i].blocks, __ATOMIC_RELAXED);
	return n;
}

void heap_stats(struct alloc_stats *st)
{
	size_t cached = cached_blocks();
	uint64_t flags = spin_lock_irqsave(&heap_lock);

	cairn_heap_stats(&heap, st);
	spin_unlock_irqrestore(&heap_lock, flags);
	st->cached_blocks = cached;
	st->live_blocks -= cached < st->live_blocks ? cached : st->live_blocks;
}

unsigned long heap_errors(void)
{
	/* A counter read without the lock: a snapshot is all callers need. */
	return (unsigned long)__atomic_load_n(&heap.errors, __ATOMIC_RELAXED);
}
