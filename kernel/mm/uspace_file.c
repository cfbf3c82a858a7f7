// SPDX-License-Identifier: MIT
/*
 * File-backed regions of user address spaces: page faults served from the
 * page cache, msync(), and the reverse map the cache uses to take pages
 * past a new end of file out of every space that maps the file.
 *
 * MAP_SHARED maps the cached frame itself. Where the cache tracks dirty
 * pages, a clean page is mapped read-only so the first write faults and
 * marks it dirty; file systems that keep their pages in memory (tmpfs,
 * address_space_ops.get_frame) map it writable at once. MAP_PRIVATE maps
 * the cached frame read-only; a write copies it, and the copy is anonymous.
 * Each region record holds a reference to its struct file, and each
 * address space is counted once per record on its file's mapping
 * (struct pc_user), so the file stays open while mapped.
 */
#include <cairn/errno.h>
#include <cairn/linux/mman.h>

#include <arch/page.h>
#include <lib/string.h>

#include "arch/arch.h"
#include "core/kmain.h"
#include "core/log.h"
#include "fs/file.h"
#include "mm/heap.h"
#include "mm/pagecache_internal.h"
#include "mm/pmm.h"
#include "mm/uspace.h"
#include "mm/uspace_internal.h"

/* One address space mapping a file: on address_space.users, [P]. */
struct pc_user {
	struct list_node link;
	struct uspace *s;
	uint32_t records; /* region records of s that map the file */
};

static struct pc_user *user_find_locked(struct address_space *m, struct uspace *s)
	__must_hold(&pc_lock)
{
	struct pc_user *u;

	list_for_each_entry(u, &m->users, link)
		if (u->s == s)
			return u;
	return NULL;
}

/* Count one more region record of @s on @m. */
static void user_add(struct address_space *m, struct uspace *s)
{
	struct pc_user *fresh = kmalloc_flags(sizeof(*fresh), KM_MAY_FAIL), *u;

	spin_lock(&pc_lock);
	u = user_find_locked(m, s);
	if (!u && fresh) {
		u = fresh;
		fresh = NULL;
		u->s = s;
		u->records = 0;
		list_node_init(&u->link);
		list_add_tail(&m->users, &u->link);
		m->nusers++;
	}
	if (u)
		u->records++;
	spin_unlock(&pc_lock);
	if (!u)
		pr_err("uspace: no memory to note a file mapping: truncation will not unmap it");
	kfree(fresh);
}

static void user_del(struct address_space *m, struct uspace *s)
{
	struct pc_user *u;

	spin_lock(&pc_lock);
	u = user_find_locked(m, s);
	if (u && --u->records == 0) {
		list_del(&u->link);
		m->nusers--;
	} else {
		u = NULL;
	}
	spin_unlock(&pc_lock);
	kfree(u);
}

/* vma_ops.file_get / file_put of every address space: @ctx is the space. */
void uspace_file_get(void *ctx, void *file)
{
	struct file *f = file;

	file_get(f);
	user_add(f->inode->mapping, ctx);
}

void uspace_file_put(void *ctx, void *file)
{
	struct file *f = file;

	user_del(f->inode->mapping, ctx);
	file_put(f);
}

/* A reference to @s unless it is already being destroyed. */
static bool uspace_tryget(struct uspace *s)
{
	uint32_t r = __atomic_load_n(&s->refs, __ATOMIC_RELAXED);

	do {
		if (r == 0)
			return false;
	} while (!__atomic_compare_exchange_n(&s->refs, &r, r + 1, true, __ATOMIC_ACQUIRE,
	                                      __ATOMIC_RELAXED));
	return true;
}

/* Zap the pages of @s that map page @from or later of @m. */
static void unmap_space(struct uspace *s, struct address_space *m, uint64_t from)
{
	const struct vma *v;
	uint64_t npages, lo;

	mutex_lock(&s->lock);
	for (v = s->regions.head; v; v = v->next) {
		if (!v->file || ((struct file *)v->file)->inode->mapping != m)
			continue;
		npages = (v->end - v->start) / PAGE_SIZE;
		if (v->pgoff + npages <= from)
			continue;
		lo = from > v->pgoff ? v->start + (from - v->pgoff) * PAGE_SIZE : v->start;
		uspace_zap_locked(s, lo, v->end);
	}
	mutex_unlock(&s->lock);
}

#define UNMAP_BATCH 16

/*
 * Up to @max spaces mapping @m, each with a reference, from the @skip-th
 * user on. Returns how many.
 */
static unsigned users_get(struct address_space *m, struct uspace **out, unsigned max, unsigned skip)
{
	struct pc_user *u;
	unsigned n = 0, seen = 0;

	spin_lock(&pc_lock);
	list_for_each_entry(u, &m->users, link) {
		if (seen++ < skip)
			continue;
		if (n == max)
			break;
		if (uspace_tryget(u->s))
			out[n++] = u->s;
	}
	spin_unlock(&pc_lock);
	return n;
}

static unsigned users_count(struct address_space *m)
{
	unsigned n;

	spin_lock(&pc_lock);
	n = m->nusers;
	spin_unlock(&pc_lock);
	return n;
}

/*
 * Every space is found in one pass when an array for all of them can be
 * had; without memory, batches of UNMAP_BATCH from the list's start on
 * (a space that leaves the list meanwhile may then hide one behind it).
 */
void pagecache_unmap_from(struct address_space *m, uint64_t from)
{
	struct uspace *batch[UNMAP_BATCH], **spaces;
	unsigned want, n, i, skip = 0;

	do {
		want = users_count(m);
		if (!want)
			return;
		spaces = want > UNMAP_BATCH ? kmalloc_flags(want * sizeof(*spaces), KM_MAY_FAIL)
		                            : NULL;
		if (!spaces) {
			spaces = batch;
			want = UNMAP_BATCH;
		}
		n = users_get(m, spaces, want, skip);
		for (i = 0; i < n; i++) {
			unmap_space(spaces[i], m, from);
			uspace_put(spaces[i]);
		}
		if (spaces != batch) {
			kfree(spaces);
			return;
		}
		skip += UNMAP_BATCH;
	} while (n == UNMAP_BATCH);
}

/* Map @pa (whose reference the space takes over) at @va, replacing what is there. */
/* Drop the mapping's reference on the frame at @pa; device memory (no record) has none. */
static void frame_put_pa(uint64_t pa)
{
	struct pmm_frame *f = pmm_frame(pa);

	if (f)
		pmm_frame_put(f);
}

static int install_locked(struct uspace *s, uint64_t va, uint64_t pa, uint32_t pte, bool present,
                          uint64_t old) __must_hold(&s->lock)
{
	int err;

	if (!present) {
		err = uspace_map_page_locked(s, va, pa, pte);
		if (err) {
			frame_put_pa(pa);
			return err == -EEXIST ? 0 : -ENOMEM;
		}
		__atomic_fetch_add(&s->resident, 1, __ATOMIC_RELAXED);
		return 0;
	}
	err = pt_replace_4k(&s->pt, va, pa, pte);
	uspace_tlb_sync_locked(s);
	if (err) {
		frame_put_pa(pa);
		return -EFAULT;
	}
	frame_put_pa(old);
	return 0;
}

/* A private copy of the frame @pa (whose reference goes): 0 and *@copy, or -ENOMEM. */
static int copy_frame(uint64_t pa, uint64_t *copy)
{
	*copy = pmm_alloc_pages_reclaim(0, 0);
	if (*copy)
		memcpy(phys_to_virt(*copy), phys_to_virt(pa), PAGE_SIZE);
	pmm_frame_put(pmm_frame(pa));
	return *copy ? 0 : -ENOMEM;
}

/* Pages a read fault maps around itself when they are cached already (Linux: fault_around_bytes). */
#define FAULT_AROUND 16

/*
 * After a read fault at @va: map the following pages of region @v, up to
 * FAULT_AROUND - 1 of them and not past the end of the file, that the
 * cache holds already, as a later read fault would (nothing is read or
 * made; a page mapped already stops it).
 */
static void fault_around_locked(struct uspace *s, const struct vma *v, uint64_t va, uint64_t index,
                                int64_t size) __must_hold(&s->lock)
{
	struct address_space *m = ((struct file *)v->file)->inode->mapping;
	uint64_t last = ((uint64_t)size - 1) / PAGE_SIZE, pa;
	uint32_t pte = uspace_pte_flags(v, false);
	unsigned i;

	for (i = 1; i < FAULT_AROUND && va + i * PAGE_SIZE < v->end && index + i <= last; i++) {
		/* A page kept hidden (uspace_hide.c) is shown by its own fault, not replaced. */
		if (s->hidden.root &&
		    !pt_translate(&s->hidden, va + i * PAGE_SIZE, NULL, NULL, NULL))
			break;
		if (pagecache_peek_page(m, index + i, &pa))
			break;
		if (uspace_map_page_locked(s, va + i * PAGE_SIZE, pa, pte)) {
			pmm_frame_put(pmm_frame(pa));
			break;
		}
		__atomic_fetch_add(&s->resident, 1, __ATOMIC_RELAXED);
	}
}

int uspace_file_fault_locked(struct uspace *s, const struct vma *v, uint64_t va, unsigned access)
{
	struct file *f = v->file;
	struct address_space *m = f->inode->mapping;
	uint64_t index = v->pgoff + (va - v->start) / PAGE_SIZE, pa, old = 0;
	int64_t size = __atomic_load_n(&f->inode->size, __ATOMIC_ACQUIRE);
	bool write = access & UFAULT_WRITE, shared = v->flags & USPACE_SHARED, present;
	uint32_t flags = 0;
	int err;

	/* A page wholly past the end of the file: SIGBUS, as on Linux. */
	if (size <= 0 || index > ((uint64_t)size - 1) / PAGE_SIZE)
		return -EIO;
	present = !pt_translate(&s->pt, va, &old, &flags, NULL);
	if (present && (!write || (flags & PT_WRITE)))
		return 0; /* another thread resolved it */
	if (present && !shared)
		return uspace_cow_locked(s, v, va, old);
	err = pagecache_get_page(m, index, write && shared, &pa);
	if (err)
		return err == -ENOMEM ? -ENOMEM : -EIO;
	if (!shared && write) {
		err = copy_frame(pa, &pa);
		if (err)
			return err;
	}
	if (shared && write && !m->ops->get_frame)
		pc_mkwrite(m, index);
	err = install_locked(s, va, pa, uspace_pte_flags(v, write), present, old);
	if (!err && !write && !present)
		fault_around_locked(s, v, va, index, size);
	return err;
}

/* One file range msync() writes back, found under the space's lock. */
struct sync_range {
	struct file *f;
	int64_t start, end; /* bytes of the file */
};

#define SYNC_BATCH 8

/* The shared file regions of [@start, @end) from @*at on; -ENOMEM in *@hole for unmapped bytes. */
static unsigned sync_collect_locked(struct uspace *s, uint64_t *at, uint64_t end,
                                    struct sync_range *out, bool *hole) __must_hold(&s->lock)
{
	const struct vma *v;
	unsigned n = 0;
	uint64_t lo, hi;

	for (v = vma_find_from(&s->regions, *at); v && v->start < end && n < SYNC_BATCH;
	     v = v->next) {
		if (v->start > *at)
			*hole = true;
		lo = v->start > *at ? v->start : *at;
		hi = v->end < end ? v->end : end;
		*at = hi;
		if (!v->file || !(v->flags & USPACE_SHARED))
			continue;
		out[n].f = v->file;
		file_get(out[n].f);
		out[n].start = (int64_t)((v->pgoff * PAGE_SIZE) + (lo - v->start));
		out[n].end = out[n].start + (int64_t)(hi - lo);
		n++;
	}
	if (!v || v->start >= end) {
		if (*at < end)
			*hole = true;
		*at = end;
	}
	return n;
}

int uspace_msync(struct uspace *s, uintptr_t addr, size_t len, int flags)
{
	struct sync_range r[SYNC_BATCH];
	uint64_t at = addr, end;
	bool hole = false;
	unsigned n, i;
	int err = 0, e;

	if ((addr & (PAGE_SIZE - 1)) || (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
	    ((flags & MS_ASYNC) && (flags & MS_SYNC)))
		return -EINVAL;
	if (len > USER_TOP || addr > USER_TOP - PAGE_ALIGN_UP(len))
		return -ENOMEM;
	end = addr + PAGE_ALIGN_UP(len);
	while (at < end) {
		mutex_lock(&s->lock);
		n = sync_collect_locked(s, &at, end, r, &hole);
		mutex_unlock(&s->lock);
		for (i = 0; i < n; i++) {
			/* The cache is the mapping: MS_INVALIDATE has nothing to drop. */
			e = pagecache_writeback(r[i].f->inode->mapping, r[i].start, r[i].end,
			                        flags & MS_SYNC);
			if (e && !err)
				err = e;
			file_put(r[i].f);
		}
	}
	return hole ? -ENOMEM : err;
}
