/* SPDX-License-Identifier: MIT */
/*
 * One definition of the alloc_ops entries that only forward to an allocator's own
 * functions, for the allocators whose functions follow one pattern: PREFIX_alloc,
 * PREFIX_free, PREFIX_grow and PREFIX_stats, each taking its heap struct first. The
 * host tests and KHB-1 reach them through the vtable; like the vtables themselves,
 * this is never linked into the kernel.
 */
#pragma once

#include <lib/alloc/alloc.h>

/*
 * Define const struct alloc_ops VAR, named NAME, over PREFIX's functions and heap
 * struct HEAP_T; EXT and INIT are the allocator's own external_bytes and init
 * entries, which differ in what they need. alloc and free stay out of line because
 * KHB-1 times exactly one call per operation.
 */
#define ALLOC_OPS_DEFINE(var, name_str, prefix, heap_t, ext, init_fn)                             \
	static __attribute__((noinline)) void *prefix##_ops_alloc(void *heap, size_t size,        \
	                                                          size_t align)                   \
	{                                                                                         \
		return prefix##_alloc(heap, size, align);                                         \
	}                                                                                         \
	static __attribute__((noinline)) void prefix##_ops_free(void *heap, void *p, size_t size, \
	                                                        size_t align)                     \
	{                                                                                         \
		prefix##_free(heap, p, size, align);                                              \
	}                                                                                         \
	static int prefix##_ops_grow(void *heap, void *more, size_t bytes)                        \
	{                                                                                         \
		return prefix##_grow(heap, more, bytes);                                          \
	}                                                                                         \
	static void prefix##_ops_stats(void *heap, struct alloc_stats *st)                        \
	{                                                                                         \
		prefix##_stats(heap, st);                                                         \
	}                                                                                         \
	const struct alloc_ops var = {                                                            \
		.name = name_str,                                                                 \
		.heap_struct_bytes = sizeof(heap_t),                                              \
		.external_bytes = ext,                                                            \
		.init = init_fn,                                                                  \
		.alloc = prefix##_ops_alloc,                                                      \
		.free = prefix##_ops_free,                                                        \
		.grow = prefix##_ops_grow,                                                        \
		.stats = prefix##_ops_stats,                                                      \
	}
