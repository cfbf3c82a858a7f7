/* SPDX-License-Identifier: MIT */
/*
 * A map of the regions of one address space as pure mechanism: sorted,
 * non-overlapping ranges [start, end) with protection, flags and a kind,
 * each the caller's meaning. It finds, inserts, removes and re-protects
 * ranges, splitting and merging regions as needed, and searches for free
 * gaps. Region records come from the caller's allocator, so the kernel and
 * the host tests run the same object. The kernel's user address spaces
 * (kernel/mm/uspace.c) sit on it; see docs/memory.md.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One region. Every field belongs to the map's owner (who holds its lock). */
struct vma {
	uint64_t start;   /* first byte, aligned to the map's granule */
	uint64_t end;     /* one past the last byte, aligned too */
	uint32_t prot;    /* the caller's protection bits */
	uint32_t flags;   /* the caller's flags */
	uint32_t kind;    /* the caller's kind (anonymous, heap, stack...) */
	void *file;       /* the caller's file reference (NULL: none); see vma_ops.file_get */
	uint64_t pgoff;   /* with a file: the file offset of start, in granules */
	struct vma *next; /* the region above, or NULL */
};

/* Where region records come from. Both callbacks get @ctx. */
struct vma_ops {
	void *ctx;
	/* A record, or NULL when none is left. Its contents are set by the map. */
	struct vma *(*alloc)(void *ctx);
	void (*free)(void *ctx, struct vma *v);
	/*
	 * Optional: a record now refers to @file (a new region, or one half of
	 * a split) / no longer does (a region removed, merged or trimmed away).
	 * Each record holds one reference, so the caller can count mappings.
	 */
	void (*file_get)(void *ctx, void *file);
	void (*file_put)(void *ctx, void *file);
};

/* The map: regions sorted by address, all inside [lo, hi). */
struct vma_map {
	struct vma *head;          /* lowest region, or NULL */
	uint64_t lo;               /* lowest address a region may start at */
	uint64_t hi;               /* first address above every region */
	uint64_t granule;          /* alignment of every boundary (a power of two) */
	size_t count;              /* regions in the list */
	uint64_t bytes;            /* sum of the regions' sizes */
	const struct vma_ops *ops; /* record allocator, never NULL */
};

/*
 * Start an empty map of [@lo, @hi) with boundaries aligned to @granule.
 * Returns 0, or -EINVAL when @granule is not a power of two, @lo or @hi is
 * not aligned to it, or @lo >= @hi.
 */
int __must_check vma_map_init(struct vma_map *m, uint64_t lo, uint64_t hi, uint64_t granule,
                              const struct vma_ops *ops);

/* Free every region; the map is empty afterwards. */
void vma_map_clear(struct vma_map *m);

/* The region holding @addr, or NULL. */
struct vma *vma_find(const struct vma_map *m, uint64_t addr);

/* The lowest region that ends above @addr (it may start above @addr), or NULL. */
struct vma *vma_find_from(const struct vma_map *m, uint64_t addr);

/* True if any region overlaps [@start, @end). */
bool vma_overlaps(const struct vma_map *m, uint64_t start, uint64_t end);

/* True if regions cover every byte of [@start, @end) with no hole. */
bool vma_covered(const struct vma_map *m, uint64_t start, uint64_t end);

/* Bytes of [@start, @end) that regions cover. */
uint64_t vma_bytes_in(const struct vma_map *m, uint64_t start, uint64_t end);

/*
 * Make [@start, @end) one region with @prot, @flags and @kind, replacing
 * whatever regions or parts of regions were there (a fixed mapping).
 * Neighbours with equal attributes that touch it merge with it.
 * Returns 0; -EINVAL for a misaligned, empty or out-of-map range; -ENOMEM
 * when a record could not be allocated (then nothing changed).
 */
int __must_check vma_set(struct vma_map *m, uint64_t start, uint64_t end, uint32_t prot,
                         uint32_t flags, uint32_t kind);

/*
 * As vma_set(), with every attribute of @attrs (prot, flags, kind, file and
 * pgoff; its start, end and next are ignored). Regions of one file merge
 * only when their offsets continue each other; split halves keep the
 * offset of their own start.
 */
int __must_check vma_set_attrs(struct vma_map *m, uint64_t start, uint64_t end,
                               const struct vma *attrs);
/* As vma_insert() with every attribute of @attrs. */
int __must_check vma_insert_attrs(struct vma_map *m, uint64_t start, uint64_t end,
                                  const struct vma *attrs);

/*
 * As vma_set(), but only when nothing is mapped in [@start, @end) yet.
 * Returns 0, -EINVAL, -EEXIST (something is; nothing changed) or -ENOMEM.
 */
int __must_check vma_insert(struct vma_map *m, uint64_t start, uint64_t end, uint32_t prot,
                            uint32_t flags, uint32_t kind);

/*
 * Remove [@start, @end) from every region, splitting one that covers more.
 * Holes are fine. Returns 0, -EINVAL (as vma_set()) or -ENOMEM (a split
 * needed a record; nothing changed).
 */
int __must_check vma_remove(struct vma_map *m, uint64_t start, uint64_t end);

/*
 * Set the protection of every byte of [@start, @end) to @prot, splitting
 * and merging regions as needed; kind and flags stay. Returns 0, -EINVAL
 * (as vma_set()), -ENOMEM (a hole in the range, or no record for a split;
 * nothing changed either way).
 */
int __must_check vma_protect(struct vma_map *m, uint64_t start, uint64_t end, uint32_t prot);

/*
 * Find a free gap of @size bytes (a multiple of the granule) inside
 * [@lo, @hi), the highest one when @top_down, else the lowest. Returns 0
 * and the gap's start in *@out, or -ENOMEM when none is big enough, or
 * -EINVAL for a zero or misaligned @size.
 */
int __must_check vma_find_gap(const struct vma_map *m, uint64_t size, uint64_t lo, uint64_t hi,
                              bool top_down, uint64_t *out);

/*
 * Check the map's invariants: sorted, non-overlapping, aligned, inside the
 * map, no two touching regions with equal attributes, counters right.
 * Returns 0 or -EINVAL. O(regions): for tests and debug builds.
 */
int __must_check vma_check(const struct vma_map *m);
