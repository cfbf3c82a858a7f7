/* SPDX-License-Identifier: MIT */
/*
 * Chunk heap: runs of 256-byte chunks found in an external bitmap by next fit.
 * Searching is done a 64-bit word at a time: skip to the next clear bit, then check that
 * the run from there (moved up to the alignment) has no set bit.
 */
#include <cairn/errno.h>

#include <lib/alloc/chunk.h>

#define NONE ((size_t)-1)

/* Requests above this fail at once, so the chunk count cannot overflow. */
#define CHUNK_MAX_ALLOC ((size_t)1 << 46)

/* Bitmap bytes for @heap_bytes: a bit per chunk, in whole 64-bit words. */
size_t chunk_bitmap_bytes(size_t heap_bytes)
{
	return ((heap_bytes >> CHUNK_SHIFT) + 63) / 64 * 8;
}

/* The first index in [@i, @end) whose bit is @set, or @end. */
static size_t next_bit(const uint64_t *map, size_t i, size_t end, bool set)
{
	uint64_t w;

	while (i < end) {
		w = set ? map[i / 64] : ~map[i / 64];
		w &= ~(uint64_t)0 << (i % 64);
		if (w) {
			i = (i & ~(size_t)63) + (size_t)__builtin_ctzll(w);
			return i < end ? i : end;
		}
		i = (i | 63) + 1;
	}
	return end;
}

/* Set or clear bits [@i, @i + @n). */
static void mark(uint64_t *map, size_t i, size_t n, bool set)
{
	uint64_t m;
	size_t k;

	while (n) {
		k = 64 - i % 64;
		if (k > n)
			k = n;
		m = (k == 64 ? ~(uint64_t)0 : (((uint64_t)1 << k) - 1)) << (i % 64);
		if (set)
			map[i / 64] |= m;
		else
			map[i / 64] &= ~m;
		i += k;
		n -= k;
	}
}

/* The first run of @n clear bits in [@from, @to) starting at a multiple of @step. */
static size_t find_run(const uint64_t *map, size_t from, size_t to, size_t n, size_t step)
{
	size_t i = from, used;

	for (;;) {
		i = next_bit(map, i, to, false);
		i = (i + step - 1) & ~(step - 1);
		if (i >= to || to - i < n)
			return NONE;
		used = next_bit(map, i, i + n, true);
		if (used == i + n)
			return i;
		i = used + 1;
	}
}

/* Next fit from the hint, then from the start; NULL if no run fits. O(chunks); no lock. */
void *chunk_alloc(struct chunk_heap *h, size_t size, size_t align)
{
	size_t n, step, i, wrap_end;

	if (!size || size > CHUNK_MAX_ALLOC || !alloc_align_ok(align))
		goto fail;
	n = (size + CHUNK_SIZE - 1) >> CHUNK_SHIFT;
	step = align > CHUNK_SIZE ? align >> CHUNK_SHIFT : 1;
	i = find_run(h->bitmap, h->hint, h->nchunks, n, step);
	if (i == NONE) {
		wrap_end = h->hint + n - 1 < h->nchunks ? h->hint + n - 1 : h->nchunks;
		i = find_run(h->bitmap, 0, wrap_end, n, step);
	}
	if (i == NONE)
		goto fail;
	mark(h->bitmap, i, n, true);
	h->hint = i + n < h->nchunks ? i + n : 0;
	h->used_chunks += n;
	h->live_blocks++;
	h->allocs++;
	return (void *)(h->base + (i << CHUNK_SHIFT));
fail:
	h->fails++;
	return NULL;
}

/* Clear @p's chunks; a range not wholly in use is counted in errors and ignored. */
void chunk_free(struct chunk_heap *h, void *p, size_t size, size_t align)
{
	uintptr_t a = (uintptr_t)p;
	size_t i, n;

	if (!p)
		return;
	n = (size + CHUNK_SIZE - 1) >> CHUNK_SHIFT;
	i = (a - h->base) >> CHUNK_SHIFT;
	if (a < h->base || (a & (CHUNK_SIZE - 1)) || !n || i >= h->nchunks || h->nchunks - i < n ||
	    next_bit(h->bitmap, i, i + n, false) != i + n) {
		h->errors++;
		return;
	}
	mark(h->bitmap, i, n, false);
	h->used_chunks -= n;
	h->live_blocks--;
	h->frees++;
}

/* An empty heap over @base with @bitmap cleared. Returns 0 or -EINVAL. */
int chunk_init(struct chunk_heap *h, void *base, size_t bytes, uint64_t *bitmap,
               size_t bitmap_bytes)
{
	size_t nchunks = bytes >> CHUNK_SHIFT, i;

	if (((uintptr_t)base & (CHUNK_BASE_ALIGN - 1)) || !nchunks ||
	    bitmap_bytes < chunk_bitmap_bytes(bytes))
		return -EINVAL;
	*h = (struct chunk_heap){
		.base = (uintptr_t)base,
		.nchunks = nchunks,
		.bitmap = bitmap,
		.capacity = bitmap_bytes / 8 * 64,
	};
	for (i = 0; i < bitmap_bytes / 8; i++)
		bitmap[i] = 0;
	return 0;
}

/* Extend the heap at its end. Returns 0 or -EINVAL. */
int chunk_grow(struct chunk_heap *h, void *more, size_t bytes)
{
	size_t n = bytes >> CHUNK_SHIFT;

	if ((uintptr_t)more != h->base + (h->nchunks << CHUNK_SHIFT) || !n ||
	    n > h->capacity - h->nchunks)
		return -EINVAL;
	h->nchunks += n;
	return 0;
}

/* Fill @st; scans the bitmap for free runs. */
void chunk_stats(const struct chunk_heap *h, struct alloc_stats *st)
{
	size_t i = 0, end;

	*st = (struct alloc_stats){
		.heap_bytes = h->nchunks << CHUNK_SHIFT,
		.used_bytes = h->used_chunks << CHUNK_SHIFT,
		.free_bytes = (h->nchunks - h->used_chunks) << CHUNK_SHIFT,
		.external_bytes = h->nchunks / 8,
		.live_blocks = h->live_blocks,
		.allocs = h->allocs,
		.frees = h->frees,
		.fails = h->fails,
		.errors = h->errors,
	};
	for (;;) {
		i = next_bit(h->bitmap, i, h->nchunks, false);
		if (i == h->nchunks)
			break;
		end = next_bit(h->bitmap, i, h->nchunks, true);
		st->free_blocks++;
		if ((end - i) << CHUNK_SHIFT > st->largest_free)
			st->largest_free = (end - i) << CHUNK_SHIFT;
		i = end;
	}
}

static size_t ops_external_bytes(size_t heap_bytes)
{
	return chunk_bitmap_bytes(heap_bytes);
}

static int ops_init(void *heap, void *base, size_t bytes, void *ext, size_t ext_bytes)
{
	return chunk_init(heap, base, bytes, ext, ext_bytes);
}

/* The vtable entries are the one call per operation the benchmark times. */
static __attribute__((noinline)) void *ops_alloc(void *heap, size_t size, size_t align)
{
	return chunk_alloc(heap, size, align);
}

static __attribute__((noinline)) void ops_free(void *heap, void *p, size_t size, size_t align)
{
	chunk_free(heap, p, size, align);
}

static int ops_grow(void *heap, void *more, size_t bytes)
{
	return chunk_grow(heap, more, bytes);
}

static void ops_stats(void *heap, struct alloc_stats *st)
{
	chunk_stats(heap, st);
}

const struct alloc_ops alloc_chunk_ops = {
	.name = "chunk",
	.heap_struct_bytes = sizeof(struct chunk_heap),
	.external_bytes = ops_external_bytes,
	.init = ops_init,
	.alloc = ops_alloc,
	.free = ops_free,
	.grow = ops_grow,
	.stats = ops_stats,
};
