/* SPDX-License-Identifier: MIT */
/*
 * The kernel heap: kmalloc and friends over Cairn's TLSF allocator
 * (lib/alloc/cairn.c) with per-CPU magazines in front of it for requests up
 * to 1 KiB (lib/alloc/cairn_cache.c), growing by mapping fresh frames. Out of memory
 * panics unless the caller passes KM_NOFAIL_OK or a registered handler
 * frees something.
 */
#pragma once

#include <lib/alloc/alloc.h>

#include <stdbool.h>
#include <stddef.h>

/* kmalloc flags. */
#define KM_ZERO     (1u << 0) /* zero the memory */
#define KM_MAY_FAIL (1u << 1) /* return NULL when out of memory instead of panicking */

int heap_init(void);

void *kmalloc(size_t size);
void *kmalloc_flags(size_t size, unsigned flags);
/* @align: a power of two up to 4096. */
void *kmalloc_aligned(size_t size, size_t align, unsigned flags);
void *kcalloc(size_t n, size_t size);
void *krealloc(void *p, size_t size);
void kfree(void *p);

/*
 * A subsystem's out-of-memory handler: asked to give memory back when an
 * allocation of @size fails; returns true if it freed something (the
 * allocation is then retried). One handler; registering replaces it.
 */
void heap_set_oom_handler(bool (*handler)(size_t size, size_t align));

/*
 * Turn the per-CPU magazines on (the default) or off; off, every kmalloc and
 * kfree goes to the heap under its lock (for benchmarks and tests). Turning
 * them off gives back this CPU's and the depot's cached blocks.
 */
void heap_set_cache(bool on);

/*
 * Give this CPU's cached blocks and the depot's back to the heap. Other
 * CPUs keep theirs (at most 28 blocks of each class). Any context.
 */
void heap_cache_reclaim(void);

/* Heap figures; blocks held in the magazines count as cached, not live. */
void heap_stats(struct alloc_stats *st);
/* Bad frees and corruption the heap has detected since boot. */
unsigned long heap_errors(void);
