// SPDX-License-Identifier: MIT
/*
 * User address spaces (see uspace.h): creating and destroying them, loading
 * them on a CPU, the TLB bookkeeping, and page faults (demand zero and
 * copy-on-write). Fork is uspace_fork.c, the memory calls uspace_map.c.
 *
 * Locks: each space's mutex guards its regions and the lower half of its
 * page tables (uspace_internal.h). It is a mutex because faults and memory
 * calls allocate and may wait for TLB shootdowns; the pmm never sleeps, so
 * allocating a frame under it is fine. Lock order: a space's lock, then the
 * pmm and heap locks, then smp.tlb. [C] loaded[] is per CPU, changed only
 * by its own CPU with interrupts off.
 */
#include "mm/uspace.h"

#include <cairn/errno.h>
#include <cairn/linux/mman.h>

#include <arch/page.h>
#include <arch/spinlock.h>
#include <lib/string.h>

#include "arch/arch.h"
#include "core/kmain.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/uspace_internal.h"
#include "mm/vm.h"

/* Past this many pages, one shootdown flushes the whole TLB instead (as smp.c does). */
#define USPACE_INVAL_MAX 32

static struct uspace *loaded[SMP_MAX_CPUS]; /* [C] the space each CPU has loaded, or NULL */

static void *ops_phys_to_virt(void *ctx, uint64_t pa)
{
	return phys_to_virt(pa);
}

static uint64_t ops_alloc_table(void *ctx)
{
	return pmm_alloc_pages(0, PMM_ZERO);
}

/*
 * lib/paging frees a table right after its own invalidation calls, which
 * this space only batches: keep the table until uspace_tlb_sync_locked() has done
 * them, since until then another CPU's paging-structure cache may still
 * walk it (Intel SDM Vol. 3A, 4.10.4.1).
 */
static void ops_free_table(void *ctx, uint64_t pa)
{
	struct uspace *s = ctx;

	*(uint64_t *)phys_to_virt(pa) = s->dead_tables;
	s->dead_tables = pa;
}

static void ops_invalidate(void *ctx, uint64_t va)
{
	struct uspace *s = ctx;

	if (!s->inval_any || va < s->inval_lo)
		s->inval_lo = va;
	if (!s->inval_any || va > s->inval_hi)
		s->inval_hi = va;
	s->inval_any = true;
}

static void ops_flush_all(void *ctx)
{
	struct uspace *s = ctx;

	s->inval_all = true;
}

static struct vma *vma_rec_alloc(void *ctx)
{
	return kmalloc_flags(sizeof(struct vma), KM_MAY_FAIL);
}

static void vma_rec_free(void *ctx, struct vma *v)
{
	kfree(v);
}

void uspace_tlb_sync_locked(struct uspace *s)
{
	uint64_t cpus, pa;
	size_t npages;

	if (s->inval_any || s->inval_all) {
		/* Order the entry changes before reading who has the space loaded (see activate). */
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		cpus = __atomic_load_n(&s->cpus, __ATOMIC_SEQ_CST);
		npages = (s->inval_hi - s->inval_lo) / PAGE_SIZE + 1;
		if (s->inval_all || npages > USPACE_INVAL_MAX)
			npages = SMP_TLB_ALL;
		if (cpus)
			smp_tlb_shootdown_cpus(cpus, s->inval_lo, npages);
	}
	s->inval_any = false;
	s->inval_all = false;
	while ((pa = s->dead_tables)) {
		s->dead_tables = *(uint64_t *)phys_to_virt(pa);
		pmm_free_pages(pa, 0);
	}
}

uint32_t uspace_pte_flags(const struct vma *v, bool exclusive)
{
	uint32_t f = PT_USER;

	/* PROT_NONE pages keep their frame but only the kernel may reach them. */
	if (!(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return 0;
	/* Shared pages are writable where they are, but a tracked file's clean page waits for a fault. */
	if ((v->prot & PROT_WRITE) &&
	    (exclusive || (v->flags & (USPACE_SHARED | USPACE_TRACKED)) == USPACE_SHARED))
		f |= PT_WRITE;
	if (v->prot & PROT_EXEC)
		f |= PT_EXEC;
	if (v->flags & USPACE_UNCACHED)
		f |= PT_CACHE_UC; /* device registers: every access reaches the device */
	return f;
}

int uspace_create(struct uspace **out)
{
	struct uspace *s = kmalloc_flags(sizeof(*s), KM_ZERO | KM_MAY_FAIL);

	if (!s)
		return -ENOMEM;
	mutex_init(&s->lock, "uspace");
	s->ops = (struct pt_ops){
		s, ops_phys_to_virt, ops_alloc_table, ops_free_table, ops_invalidate, ops_flush_all
	};
	s->vops = (struct vma_ops){ s, vma_rec_alloc, vma_rec_free, uspace_file_get,
		                    uspace_file_put };
	s->pt.levels = vm_kernel_space()->levels;
	s->pt.ops = &s->ops;
	s->pt.root = pmm_alloc_pages(0, PMM_ZERO);
	if (!s->pt.root) {
		kfree(s);
		return -ENOMEM;
	}
	/* Neither can fail: the kernel's root is pinned and the range is fixed. */
	if (pt_share_upper_half(&s->pt, vm_kernel_space()) ||
	    vma_map_init(&s->regions, 0, USER_TOP, PAGE_SIZE, &s->vops))
		panic("uspace: kernel root not pinned or bad user range");
	s->refs = 1;
	s->mmap_base = USER_MMAP_BASE_DEFAULT;
	*out = s;
	return 0;
}

void uspace_get(struct uspace *s)
{
	__atomic_fetch_add(&s->refs, 1, __ATOMIC_RELAXED);
}

/* smp_call() target: switch this CPU away from @arg if it still has it loaded. */
static void unload_here(void *arg)
{
	if (loaded[this_cpu_index()] == arg)
		uspace_activate(NULL);
}

/* Make sure no CPU still walks @s's tables before they go. */
static void unload_everywhere(struct uspace *s)
{
	uint64_t cpus = __atomic_load_n(&s->cpus, __ATOMIC_ACQUIRE);
	unsigned cpu;

	for (cpu = 0; cpus && cpu < SMP_MAX_CPUS; cpu++)
		if ((cpus & (1ull << cpu)) && smp_call(cpu, unload_here, s, true))
			pr_err("uspace: CPU %u holds a dying space but is offline", cpu);
}

static int put_leaf(void *ctx, uint64_t va, uint64_t pa, uint32_t flags, uint64_t page_size)
{
	struct pmm_frame *f = pmm_frame(pa);

	if (f)
		pmm_frame_put(f);
	return 0;
}

/* The last reference went: nobody else can reach @s, so its lock is not needed. */
static __no_thread_safety_analysis void destroy(struct uspace *s)
{
	unload_everywhere(s);
	if (pt_teardown_lower_half(&s->pt, put_leaf, NULL))
		pr_err("uspace: tearing down the page tables failed");
	uspace_tlb_sync_locked(s); /* frees the tables: no CPU has the space loaded any more */
	uspace_hidden_free(s, put_leaf);
	pmm_free_pages(s->pt.root, 0);
	vma_map_clear(&s->regions);
	kfree(s);
}

void uspace_put(struct uspace *s)
{
	if (s && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
		destroy(s);
}

/*
 * The bit goes on before CR3 changes and off after, with full barriers, so
 * a shootdown that reads the mask after changing an entry either reaches
 * this CPU or this CPU loads the root after the change (the load of CR3
 * drops the space's non-global TLB entries; Intel SDM Vol. 3A, 4.10.4.1).
 */
void uspace_activate(struct uspace *s)
{
	uint64_t flags = arch_irq_save();
	unsigned cpu = this_cpu_index();
	struct uspace *old = loaded[cpu];

	if (old != s) {
		if (s)
			__atomic_fetch_or(&s->cpus, 1ull << cpu, __ATOMIC_SEQ_CST);
		arch_mmu_activate(s ? s->pt.root : vm_kernel_space()->root);
		if (old)
			__atomic_fetch_and(&old->cpus, ~(1ull << cpu), __ATOMIC_SEQ_CST);
		loaded[cpu] = s;
	}
	arch_irq_restore(flags);
}

struct uspace *uspace_current(void)
{
	uint64_t flags = arch_irq_save();
	struct uspace *s = loaded[this_cpu_index()];

	arch_irq_restore(flags);
	return s;
}

/* What remains of the zap of a range: pages are taken out a batch at a time. */
#define ZAP_BATCH 64

struct zap {
	unsigned n;
	uint64_t va[ZAP_BATCH];
	uint64_t pa[ZAP_BATCH];
};

static int zap_collect(void *ctx, uint64_t va, uint64_t pa, uint32_t flags, uint64_t page_size)
{
	struct zap *z = ctx;

	z->va[z->n] = va;
	z->pa[z->n] = pa;
	return ++z->n == ZAP_BATCH;
}

/* Frames are dropped only after the shootdown: until then another CPU may still write them. */
void uspace_zap_locked(struct uspace *s, uint64_t start, uint64_t end)
{
	struct zap z;
	unsigned i;

	uspace_zap_hidden_locked(s, start, end);
	while (start < end) {
		z.n = 0;
		if (pt_for_each_leaf(&s->pt, start, end - start, zap_collect, &z) < 0 || !z.n)
			return;
		/* User pages are 4 KiB, so unmapping never splits and cannot fail. */
		if (pt_unmap(&s->pt, z.va[0], z.va[z.n - 1] + PAGE_SIZE - z.va[0]))
			pr_err("uspace: unmap of %#lx failed", (unsigned long)z.va[0]);
		uspace_tlb_sync_locked(s);
		for (i = 0; i < z.n; i++)
			put_leaf(NULL, z.va[i], z.pa[i], 0, PAGE_SIZE);
		__atomic_fetch_sub(&s->resident, z.n, __ATOMIC_RELAXED);
		start = z.va[z.n - 1] + PAGE_SIZE;
	}
}

int uspace_map_page_locked(struct uspace *s, uint64_t va, uint64_t pa, uint32_t flags)
{
	int err = pt_map_4k_fast(&s->pt, va, pa, flags);

	if (err == -ENOENT) {
		err = pt_map(&s->pt, va, pa, PAGE_SIZE, flags, PT_PAGE_4K);
		uspace_tlb_sync_locked(s);
	}
	return err;
}

/* Map a fresh zeroed frame at @va for region @v: 0, -EEXIST (mapped already) or -ENOMEM. */
static int zero_fill_locked(struct uspace *s, const struct vma *v, uint64_t va)
	__must_hold(&s->lock)
{
	uint64_t pa = pmm_alloc_pages_reclaim(0, PMM_ZERO);
	int err;

	if (!pa)
		return -ENOMEM;
	err = uspace_map_page_locked(s, va, pa, uspace_pte_flags(v, true));
	if (err) {
		pmm_free_pages(pa, 0);
		return err == -EEXIST ? err : -ENOMEM;
	}
	__atomic_fetch_add(&s->resident, 1, __ATOMIC_RELAXED);
	return 0;
}

/*
 * A write to a page mapped read-only in a writable region: copy-on-write.
 * A frame nobody else references becomes writable where it is; upgrading
 * needs no shootdown (a stale read-only entry only faults once more).
 */
int uspace_cow_locked(struct uspace *s, const struct vma *v, uint64_t va, uint64_t pa)
{
	struct pmm_frame *f = pmm_frame(pa);
	uint64_t copy;
	int err;

	if (!f)
		return -EFAULT;
	if ((v->flags & USPACE_SHARED) || __atomic_load_n(&f->refs, __ATOMIC_ACQUIRE) == 1) {
		err = pt_replace_4k(&s->pt, va, pa, uspace_pte_flags(v, true));
		s->inval_any = false; /* only widened: invalidate here alone */
		arch_mmu_invalidate(va);
		return err ? -EFAULT : 0;
	}
	copy = pmm_alloc_pages_reclaim(0, 0);
	if (!copy)
		return -ENOMEM;
	memcpy(phys_to_virt(copy), phys_to_virt(pa), PAGE_SIZE);
	err = pt_replace_4k(&s->pt, va, copy, uspace_pte_flags(v, true));
	uspace_tlb_sync_locked(
		s); /* other threads must stop reading the old frame through this page */
	if (err) {
		pmm_free_pages(copy, 0);
		return -EFAULT;
	}
	pmm_frame_put(f);
	return 0;
}

/*
 * Resolve a fault at page @va of region @v that allows the access. A fault
 * on a page that was not present (the usual first touch) tries a fresh
 * page at once; -EEXIST means another thread mapped it meanwhile.
 */
static int fault_page_locked(struct uspace *s, const struct vma *v, uint64_t va, unsigned access)
	__must_hold(&s->lock)
{
	uint64_t pa;
	uint32_t flags;
	int err;

	/* A page hidden while the region was PROT_NONE and not shown again (out of memory then). */
	if (s->hidden.root && !pt_translate(&s->hidden, va, NULL, NULL, NULL)) {
		err = uspace_show_locked(s, v, va, va + PAGE_SIZE);
		if (err)
			return err;
	}
	if (v->file)
		return uspace_file_fault_locked(s, v, va, access);
	if (!(access & UFAULT_PRESENT)) {
		err = zero_fill_locked(s, v, va);
		if (err != -EEXIST)
			return err;
	}
	if (pt_translate(&s->pt, va, &pa, &flags, NULL))
		return zero_fill_locked(s, v, va);
	if ((access & UFAULT_WRITE) && !(flags & PT_WRITE))
		return uspace_cow_locked(s, v, va, pa);
	return 0; /* another thread fixed it first */
}

/* Whether region @v allows @access; on x86 every allowed access implies reading. */
static bool access_ok(const struct vma *v, unsigned access)
{
	if (!(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return false;
	if ((access & UFAULT_WRITE) && !(v->prot & PROT_WRITE))
		return false;
	return !(access & UFAULT_EXEC) || (v->prot & PROT_EXEC);
}

int uspace_fault(struct uspace *s, uintptr_t addr, unsigned access)
{
	const struct vma *v;
	int err;

	if (!s || addr >= USER_TOP)
		return -EFAULT;
	mutex_lock(&s->lock);
	v = vma_find(&s->regions, addr);
	if (!v)
		err = -EFAULT;
	else if (!access_ok(v, access))
		err = -EACCES;
	else
		err = fault_page_locked(s, v, PAGE_ALIGN_DOWN(addr), access);
	mutex_unlock(&s->lock);
	return err;
}

int uspace_populate_locked(struct uspace *s, const struct vma *v, uint64_t start, uint64_t end)
{
	uint64_t va;
	int err;

	/* A file's pages come from its cache, as a read fault would map them. */
	for (va = start; v->file && va < end; va += PAGE_SIZE) {
		err = uspace_file_fault_locked(s, v, va, UFAULT_USER);
		if (err)
			return err == -EIO ? -EFAULT : err;
	}
	for (va = start; !v->file && va < end; va += PAGE_SIZE) {
		err = zero_fill_locked(s, v, va);
		if (err && err != -EEXIST)
			return err;
	}
	/* Populated PROT_NONE memory (shared) keeps its frames out of reach. */
	if (!(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		uspace_hide_locked(s, start, end);
	return 0;
}

void uspace_set_brk_base(struct uspace *s, uintptr_t base)
{
	mutex_lock(&s->lock);
	s->brk_start = base;
	s->brk = base;
	mutex_unlock(&s->lock);
}

void uspace_set_mmap_base(struct uspace *s, uintptr_t base)
{
	mutex_lock(&s->lock);
	s->mmap_base = base < USER_TOP ? PAGE_ALIGN_DOWN(base) : USER_TOP;
	mutex_unlock(&s->lock);
}

void uspace_set_limit(struct uspace *s, uint64_t as_bytes)
{
	mutex_lock(&s->lock);
	s->limit = as_bytes;
	mutex_unlock(&s->lock);
}

size_t uspace_resident_pages(const struct uspace *s)
{
	return __atomic_load_n(&s->resident, __ATOMIC_RELAXED);
}

/* A snapshot: the count may change as soon as it is read. */
__no_thread_safety_analysis uint64_t uspace_mapped_bytes(const struct uspace *s)
{
	return __atomic_load_n(&s->regions.bytes, __ATOMIC_RELAXED);
}

int uspace_translate(struct uspace *s, uintptr_t va, uint64_t *pa, uint32_t *flags)
{
	int err;

	if (va >= USER_TOP)
		return -EFAULT;
	mutex_lock(&s->lock);
	err = pt_translate(&s->pt, va, pa, flags, NULL) ? -EFAULT : 0;
	mutex_unlock(&s->lock);
	return err;
}

bool uspace_shared_at(struct uspace *s, uintptr_t va)
{
	const struct vma *v;
	bool shared;

	if (!s || va >= USER_TOP)
		return false;
	mutex_lock(&s->lock);
	v = vma_find(&s->regions, va);
	shared = v && (v->flags & USPACE_SHARED);
	mutex_unlock(&s->lock);
	return shared;
}

uint64_t uspace_loaded_cpus(const struct uspace *s)
{
	return __atomic_load_n(&s->cpus, __ATOMIC_ACQUIRE);
}
