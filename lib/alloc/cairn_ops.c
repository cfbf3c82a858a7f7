/* SPDX-License-Identifier: MIT */
/*
 * The cairn heap behind the alloc_ops vtable, for the host tests and KHB-1 only (the
 * kernel calls the heap and its cache directly): "cairn" is what the kernel runs, the
 * magazine cache (cairn_cache.c) in front of the TLSF heap, here on one CPU with no lock;
 * "cairn-tlsf" is the TLSF heap alone. Both entries are out of line: KHB-1 times one
 * call per operation.
 */
#include <lib/alloc/cairn_block.h>
#include <lib/alloc/cairn_cache.h>

/* A cached heap on one CPU: what the kernel keeps per heap and per CPU, in one place. */
struct cairn_cached {
	struct cairn_heap heap;
	struct cairn_cache cache;
	struct cairn_mag_cpu cpu;
	uint64_t retries; /* allocations retried after a reclaim (their first failure) */
};

static int tlsf_init(void *heap, void *base, size_t bytes, void *ext, size_t ext_bytes)
{
	return cairn_heap_init(heap, base, bytes);
}

static size_t no_external_bytes(size_t heap_bytes)
{
	return 0;
}

static __attribute__((noinline)) void *tlsf_alloc(void *heap, size_t size, size_t align)
{
	return cairn_heap_alloc(heap, size, align);
}

static __attribute__((noinline)) void tlsf_free(void *heap, void *p, size_t size, size_t align)
{
	cairn_heap_free_sized(heap, p, size, align);
}

static int tlsf_grow(void *heap, void *more, size_t bytes)
{
	return cairn_heap_grow(heap, more, bytes);
}

static void tlsf_stats(void *heap, struct alloc_stats *st)
{
	cairn_heap_stats(heap, st);
}

const struct alloc_ops alloc_cairn_tlsf_ops = {
	.name = "cairn-tlsf",
	.heap_struct_bytes = sizeof(struct cairn_heap),
	.external_bytes = no_external_bytes,
	.init = tlsf_init,
	.alloc = tlsf_alloc,
	.free = tlsf_free,
	.grow = tlsf_grow,
	.stats = tlsf_stats,
};

/* The cache's view of the heap: direct calls, no lock (one CPU). */
static void *cached_heap_alloc(void *ctx, size_t size, size_t align)
{
	return cairn_heap_alloc(ctx, size, align);
}

static void cached_heap_free(void *ctx, void *const *blocks, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		cairn_heap_free(ctx, blocks[i]);
}

static void cached_heap_free_sized(void *ctx, void *p, size_t size, size_t align)
{
	cairn_heap_free_sized(ctx, p, size, align);
}

static void cached_heap_error(void *ctx, const char *what, void *ptr)
{
	cairn_report(ctx, what, ptr);
}

static const struct cairn_cache_ops cached_heap_ops = {
	.alloc = cached_heap_alloc,
	.free = cached_heap_free,
	.free_sized = cached_heap_free_sized,
	.error = cached_heap_error,
};

static int cached_init(void *heap, void *base, size_t bytes, void *ext, size_t ext_bytes)
{
	struct cairn_cached *c = heap;
	int err = cairn_heap_init(&c->heap, base, bytes);

	if (err)
		return err;
	cairn_cache_init(&c->cache, &c->heap, &cached_heap_ops, &c->heap);
	c->cpu = (struct cairn_mag_cpu){ 0 };
	c->retries = 0;
	return 0;
}

/* As the kernel does: when the heap has no block, give the caches back and try again. */
static __attribute__((noinline)) void *cached_alloc(void *heap, size_t size, size_t align)
{
	struct cairn_cached *c = heap;
	void *p = cairn_cache_alloc(&c->cache, &c->cpu, size, align);

	if (p || !c->cache.mags)
		return p;
	cairn_cache_reclaim(&c->cache, &c->cpu);
	c->retries++;
	return cairn_cache_alloc(&c->cache, &c->cpu, size, align);
}

static __attribute__((noinline)) void cached_free(void *heap, void *p, size_t size, size_t align)
{
	struct cairn_cached *c = heap;

	cairn_cache_free_sized(&c->cache, &c->cpu, p, size, align);
}

static int cached_grow(void *heap, void *more, size_t bytes)
{
	return cairn_heap_grow(&((struct cairn_cached *)heap)->heap, more, bytes);
}

/* The heap's figures with the caches given back; a retried allocation fails once. */
static void cached_stats(void *heap, struct alloc_stats *st)
{
	struct cairn_cached *c = heap;

	cairn_cache_reclaim(&c->cache, &c->cpu);
	cairn_heap_stats(&c->heap, st);
	st->fails -= c->retries;
}

const struct alloc_ops alloc_cairn_ops = {
	.name = "cairn",
	.heap_struct_bytes = sizeof(struct cairn_cached),
	.external_bytes = no_external_bytes,
	.init = cached_init,
	.alloc = cached_alloc,
	.free = cached_free,
	.grow = cached_grow,
	.stats = cached_stats,
};
