// SPDX-License-Identifier: MIT
/*
 * What /proc reads from a user address space (uspace.h, "for /proc"):
 * sizes by kind of region, the regions themselves, where exec put the
 * arguments, and reading another process's memory through the page
 * tables (a space's frames cannot go while its lock is held, since only
 * changes made under that lock free them).
 */
#include <cairn/linux/mman.h>

#include <arch/page.h>
#include <lib/string.h>

#include "core/kmain.h"
#include "mm/uspace.h"
#include "mm/uspace_internal.h"

void uspace_set_args(struct uspace *s, uintptr_t arg_start, uintptr_t arg_end, uintptr_t env_end,
                     uintptr_t start_stack)
{
	mutex_lock(&s->lock);
	s->arg_start = arg_start;
	s->arg_end = arg_end;
	s->env_end = env_end;
	s->start_stack = start_stack;
	mutex_unlock(&s->lock);
}

static struct uspace_region region_of(const struct vma *v)
{
	struct uspace_region r = { v->start, v->end, v->prot, false, false, false, NULL, 0 };

	r.shared = v->flags & USPACE_SHARED;
	r.stack = v->flags & USPACE_GROWSDOWN;
	r.heap = v->kind == USPACE_BRK;
	r.file = v->file;
	r.offset = v->file ? v->pgoff * PAGE_SIZE : 0;
	return r;
}

void uspace_get_info(struct uspace *s, struct uspace_info *out)
{
	const struct vma *v;

	memset(out, 0, sizeof(*out));
	mutex_lock(&s->lock);
	for (v = s->regions.head; v; v = v->next) {
		uint64_t len = v->end - v->start;

		out->mapped += len;
		if (v->flags & USPACE_GROWSDOWN)
			out->stack += len;
		else if ((v->prot & PROT_WRITE) && !(v->flags & USPACE_SHARED))
			out->data += len;
		if (v->prot & PROT_EXEC)
			out->exec += len;
	}
	out->resident = __atomic_load_n(&s->resident, __ATOMIC_RELAXED);
	out->brk_start = s->brk_start;
	out->brk = s->brk;
	out->arg_start = s->arg_start;
	out->arg_end = s->arg_end;
	out->env_end = s->env_end;
	out->start_stack = s->start_stack;
	mutex_unlock(&s->lock);
}

void uspace_for_each_region(struct uspace *s, void (*fn)(const struct uspace_region *r, void *ctx),
                            void *ctx)
{
	const struct vma *v;
	struct uspace_region r;

	mutex_lock(&s->lock);
	for (v = s->regions.head; v; v = v->next) {
		r = region_of(v);
		fn(&r, ctx);
	}
	mutex_unlock(&s->lock);
}

/* Copy from the one page holding @va: the bytes copied, 0 at a hole. */
static size_t read_page_locked(struct uspace *s, uintptr_t va, void *dst, size_t n)
	__must_hold(&s->lock)
{
	size_t in_page = PAGE_SIZE - (va & (PAGE_SIZE - 1));
	const struct vma *v = vma_find(&s->regions, va);
	uint64_t pa;

	if (n > in_page)
		n = in_page;
	if (!v || !(v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC)))
		return 0;
	if (pt_translate(&s->pt, va, &pa, NULL, NULL)) {
		/* Inside a region but never touched: demand-zero memory reads as zeros. */
		if (s->hidden.root && !pt_translate(&s->hidden, va, NULL, NULL, NULL))
			return 0;
		memset(dst, 0, n);
		return n;
	}
	memcpy(dst, phys_to_virt(pa), n);
	return n;
}

size_t uspace_read(struct uspace *s, uintptr_t va, void *dst, size_t n)
{
	size_t done = 0, got;

	if (va >= USER_TOP || n > USER_TOP - va)
		return 0;
	mutex_lock(&s->lock);
	while (done < n) {
		got = read_page_locked(s, va + done, (char *)dst + done, n - done);
		if (!got)
			break;
		done += got;
	}
	mutex_unlock(&s->lock);
	return done;
}
