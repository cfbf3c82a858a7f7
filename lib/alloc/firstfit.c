/* SPDX-License-Identifier: MIT */
/*
 * First fit over an address-ordered hole list (the linked-list-allocator design).
 * A request is rounded up to a multiple of 8 and at least one hole (16 bytes), so that
 * whatever is left of a hole can always become a hole itself; free rounds the same way.
 */
#include <cairn/errno.h>

#include <lib/alloc/firstfit.h>

#define FF_GRAN 8
#define FF_MIN  sizeof(struct firstfit_hole)

/* Requests above this fail at once, so the rounding below cannot overflow. */
#define FF_MAX_ALLOC ((size_t)1 << 46)

static inline uintptr_t align_up(uintptr_t a, size_t align)
{
	return (a + align - 1) & ~(uintptr_t)(align - 1);
}

/* The bytes a request of @size takes. */
static inline size_t block_bytes(size_t size)
{
	if (size < FF_MIN)
		size = FF_MIN;
	return align_up(size, FF_GRAN);
}

/*
 * Where in hole @hole a block of @size bytes at @align would start, or 0 if it does not
 * fit. Front padding must be 0 or a hole's worth; so must what is left at the back.
 */
static uintptr_t fit(const struct firstfit_hole *hole, size_t size, size_t align)
{
	uintptr_t start = (uintptr_t)hole, end = start + hole->size;
	uintptr_t a = align_up(start, align);

	if (a != start && a - start < FF_MIN)
		a = align_up(start + FF_MIN, align);
	if (a >= end || end - a < size)
		return 0;
	if (end - a - size != 0 && end - a - size < FF_MIN)
		return 0;
	return a;
}

/* The first hole that fits, split; NULL if none. O(holes); no lock. */
void *firstfit_alloc(struct firstfit_heap *h, size_t size, size_t align)
{
	struct firstfit_hole *prev = &h->head, *hole, *next, *back;
	uintptr_t a, end;

	if (!size || size > FF_MAX_ALLOC || !alloc_align_ok(align))
		goto fail;
	size = block_bytes(size);
	for (hole = prev->next; hole; prev = hole, hole = hole->next) {
		a = fit(hole, size, align);
		if (a)
			break;
	}
	if (!hole)
		goto fail;
	end = (uintptr_t)hole + hole->size;
	next = hole->next;
	if (end != a + size) {
		back = (struct firstfit_hole *)(a + size);
		back->size = end - (a + size);
		back->next = next;
		next = back;
	}
	if (a != (uintptr_t)hole) {
		hole->size = a - (uintptr_t)hole;
		hole->next = next;
	} else {
		prev->next = next;
	}
	h->used_bytes += size;
	h->live_blocks++;
	h->allocs++;
	return (void *)a;
fail:
	h->fails++;
	return NULL;
}

/*
 * Put [@a, @a + @size) on the hole list, merging it with the holes either side.
 * Returns false, changing nothing, if it overlaps a hole.
 */
static bool insert_range(struct firstfit_heap *h, uintptr_t a, size_t size)
{
	struct firstfit_hole *prev = &h->head, *next, *hole;

	while (prev->next && (uintptr_t)prev->next < a)
		prev = prev->next;
	next = prev->next;
	if (prev != &h->head && (uintptr_t)prev + prev->size > a)
		return false;
	if (next && a + size > (uintptr_t)next)
		return false;
	if (prev != &h->head && (uintptr_t)prev + prev->size == a) {
		hole = prev;
		hole->size += size;
	} else {
		hole = (struct firstfit_hole *)a;
		hole->size = size;
		prev->next = hole;
	}
	if (next && (uintptr_t)hole + hole->size == (uintptr_t)next) {
		hole->size += next->size;
		next = next->next;
	}
	hole->next = next;
	return true;
}

/* Put @p back on the hole list, merged with its neighbours. O(holes); no lock. */
void firstfit_free(struct firstfit_heap *h, void *p, size_t size, size_t align)
{
	if (!p)
		return;
	size = block_bytes(size);
	if (!insert_range(h, (uintptr_t)p, size)) {
		h->errors++;
		return;
	}
	h->used_bytes -= size;
	h->live_blocks--;
	h->frees++;
}

/* Add a range as a hole. Returns 0, or -EINVAL if too small or overlapping a hole. */
int firstfit_grow(struct firstfit_heap *h, void *more, size_t bytes)
{
	uintptr_t start = align_up((uintptr_t)more, FF_GRAN);
	uintptr_t end = ((uintptr_t)more + bytes) & ~(uintptr_t)(FF_GRAN - 1);

	if ((uintptr_t)more + bytes < (uintptr_t)more || end <= start || end - start < FF_MIN)
		return -EINVAL;
	if (!insert_range(h, start, end - start))
		return -EINVAL;
	h->heap_bytes += bytes;
	return 0;
}

/* An empty heap of one hole. Returns 0 or -EINVAL. */
int firstfit_init(struct firstfit_heap *h, void *base, size_t bytes)
{
	*h = (struct firstfit_heap){ 0 };
	return firstfit_grow(h, base, bytes);
}

/* Fill @st; walks the hole list. */
void firstfit_stats(const struct firstfit_heap *h, struct alloc_stats *st)
{
	const struct firstfit_hole *hole;

	*st = (struct alloc_stats){
		.heap_bytes = h->heap_bytes,
		.used_bytes = h->used_bytes,
		.live_blocks = h->live_blocks,
		.allocs = h->allocs,
		.frees = h->frees,
		.fails = h->fails,
		.errors = h->errors,
	};
	for (hole = h->head.next; hole; hole = hole->next) {
		st->free_bytes += hole->size;
		st->free_blocks++;
		if (hole->size > st->largest_free)
			st->largest_free = hole->size;
	}
}

static int ops_init(void *heap, void *base, size_t bytes, void *ext, size_t ext_bytes)
{
	return firstfit_init(heap, base, bytes);
}

static size_t ops_external_bytes(size_t heap_bytes)
{
	return 0;
}

/* The vtable entries are the one call per operation the benchmark times. */
static __attribute__((noinline)) void *ops_alloc(void *heap, size_t size, size_t align)
{
	return firstfit_alloc(heap, size, align);
}

static __attribute__((noinline)) void ops_free(void *heap, void *p, size_t size, size_t align)
{
	firstfit_free(heap, p, size, align);
}

static int ops_grow(void *heap, void *more, size_t bytes)
{
	return firstfit_grow(heap, more, bytes);
}

static void ops_stats(void *heap, struct alloc_stats *st)
{
	firstfit_stats(heap, st);
}

const struct alloc_ops alloc_firstfit_ops = {
	.name = "firstfit",
	.heap_struct_bytes = sizeof(struct firstfit_heap),
	.external_bytes = ops_external_bytes,
	.init = ops_init,
	.alloc = ops_alloc,
	.free = ops_free,
	.grow = ops_grow,
	.stats = ops_stats,
};
