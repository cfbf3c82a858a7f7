// SPDX-License-Identifier: MIT
/*
 * kmalloc over lib/alloc's TLSF heap. The heap lives in a fixed range of
 * the kernel virtual area and grows at its end by mapping fresh frames, so
 * each growth extends the last region. Bad frees are reported with the
 * caller's address and symbol.
 * Locks: [H] heap_lock, taken around every call into the allocator (lock
 * order: heap_lock, then vm_lock, then the pmm lock); [B] set at boot.
 */
#include "mm/heap.h"

#include <lib/alloc/cairn.h>
#include <lib/string.h>

#include "core/ksyms.h"
#include "core/log.h"
#include "core/panic.h"
#include "mm/vm.h"
#include "sched/spinlock.h"

#define PAGE         4096ull
#define HEAP_INITIAL (1ull << 20)
#define HEAP_STEP    (1ull << 20) /* grow at least this much at a time */

static struct spinlock heap_lock = SPINLOCK_INIT("heap");
static struct cairn_heap heap __guarded_by(&heap_lock); /* [H] */
static uint64_t heap_mapped __guarded_by(&heap_lock);   /* [H] bytes mapped from VM_HEAP_BASE */
static uintptr_t heap_caller __guarded_by(&heap_lock);  /* [H] caller of kfree/krealloc */
static bool (*oom_handler)(size_t size, size_t align);  /* [H] */

/* The allocator's on_error hook: it runs inside a heap call, under heap_lock. */
static void report_error_locked(void *ctx, const char *what, void *ptr) __must_hold(&heap_lock)
{
	uintptr_t off = 0;
	const char *fn = ksyms_lookup(heap_caller, &off);

	pr_err("%s: %p, freed by %p (%s+0x%lx)", what, ptr, (void *)heap_caller, fn ? fn : "?",
	       (unsigned long)off);
}

/* Once, on the boot CPU, before anything can allocate: no lock needed yet. */
__no_thread_safety_analysis int heap_init(void)
{
	int err = vm_map_fresh(VM_HEAP_BASE, HEAP_INITIAL / PAGE, PT_WRITE);

	if (err)
		return err;
	heap_mapped = HEAP_INITIAL;
	err = cairn_heap_init(&heap, (void *)(uintptr_t)VM_HEAP_BASE, HEAP_INITIAL);
	if (err)
		return err;
	heap.on_error = report_error_locked;
	pr_info("heap: TLSF at %#llx, %llu KiB mapped, grows on demand",
	        (unsigned long long)VM_HEAP_BASE, (unsigned long long)(HEAP_INITIAL >> 10));
	return 0;
}

/* Map more memory at the heap's end: enough for @size at @align, at least HEAP_STEP. */
static bool heap_grow_locked(size_t size, size_t align) __must_hold(&heap_lock)
{
	uint64_t want = (size + align + 64 + PAGE - 1) & ~(PAGE - 1);
	uint64_t va = VM_HEAP_BASE + heap_mapped;

	if (want < HEAP_STEP)
		want = HEAP_STEP;
	if (want > VM_HEAP_MAX - heap_mapped)
		return false;
	if (vm_map_fresh(va, want / PAGE, PT_WRITE))
		return false;
	if (cairn_heap_grow(&heap, (void *)(uintptr_t)va, want)) {
		vm_unmap_free(va, want / PAGE);
		return false;
	}
	heap_mapped += want;
	return true;
}

static __attribute__((noreturn)) void heap_oom(size_t size, size_t align)
{
	struct alloc_stats st;

	cairn_heap_stats(&heap, &st);
	panic("heap: out of memory allocating %zu bytes (align %zu); heap %zu KiB, used %zu, "
	      "free %zu, largest free %zu, %zu live blocks",
	      size, align, st.heap_bytes >> 10, st.used_bytes, st.free_bytes, st.largest_free,
	      st.live_blocks);
}

/*
 * Allocate under heap_lock, growing the heap as needed. The OOM handler runs
 * with the lock dropped, so it may free memory.
 */
static void *heap_alloc(size_t size, size_t align)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);
	void *p = cairn_heap_alloc(&heap, size, align);
	bool more;

	while (!p && size > 0 && size <= CAIRN_MAX_ALLOC) {
		more = heap_grow_locked(size, align);
		if (!more && oom_handler) {
			spin_unlock_irqrestore(&heap_lock, flags);
			more = oom_handler(size, align);
			flags = spin_lock_irqsave(&heap_lock);
		}
		if (!more)
			break;
		p = cairn_heap_alloc(&heap, size, align);
	}
	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
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
	uint64_t flags = spin_lock_irqsave(&heap_lock);

	heap_caller = (uintptr_t)__builtin_return_address(0);
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

void heap_set_oom_handler(bool (*handler)(size_t size, size_t align))
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);

	oom_handler = handler;
	spin_unlock_irqrestore(&heap_lock, flags);
}

void heap_stats(struct alloc_stats *st)
{
	uint64_t flags = spin_lock_irqsave(&heap_lock);

	cairn_heap_stats(&heap, st);
	spin_unlock_irqrestore(&heap_lock, flags);
}

unsigned long heap_errors(void)
{
	/* A counter read without the lock: a snapshot is all callers need. */
	return (unsigned long)__atomic_load_n(&heap.errors, __ATOMIC_RELAXED);
}
