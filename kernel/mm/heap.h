/* SPDX-License-Identifier: MIT */
/*
 * The kernel heap: kmalloc and friends over Cairn's TLSF allocator
 * (lib/alloc/cairn.c), growing by mapping fresh frames. Out of memory
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

void heap_stats(struct alloc_stats *st);
/* Bad frees and corruption the heap has detected since boot. */
unsigned long heap_errors(void);
