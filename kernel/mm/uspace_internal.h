/* SPDX-License-Identifier: MIT */
/*
 * Private to kernel/mm/uspace*.c: the layout of a user address space and
 * the helpers its files share (page flags of a region, TLB batching,
 * taking pages out, faulting pages in).
 */
#pragma once

#include <lib/paging/paging.h>
#include <lib/vma/vma.h>

#include <stdbool.h>
#include <stdint.h>

#include "mm/uspace.h"
#include "sched/sync.h"

/* vma.flags */
#define USPACE_SHARED    (1u << 0) /* MAP_SHARED: the frames stay shared across fork */
#define USPACE_GROWSDOWN (1u << 1) /* MAP_GROWSDOWN (grows like any region: not at all) */
/* A shared file region whose cache tracks dirty pages: clean pages are mapped read-only. */
#define USPACE_TRACKED   (1u << 2)
/*
 * mprotect(2) may not add PROT_WRITE / PROT_EXEC to the region (Linux's
 * VM_MAYWRITE / VM_MAYEXEC cleared): a shared mapping of a file opened
 * read-only, a file on a noexec mount, a handle without WRITE or EXECUTE.
 */
#define USPACE_NOWRITE   (1u << 3)
#define USPACE_NOEXEC    (1u << 4)

/* vma.kind */
#define USPACE_ANON 0u /* mmap()'s anonymous memory */
#define USPACE_BRK  1u /* the heap behind brk() */

/*
 * Locks: [L] lock; [a] atomic; [I] set by uspace_create(), then fixed.
 * Page tables of the lower half are [L]; the upper half is the kernel's.
 */
struct uspace {
	struct mutex lock;
	struct pt_space pt;     /* root and levels [I]; the lower half's tables [L] */
	struct pt_ops ops;      /* [I] lib/paging's callbacks, ctx = this space */
	struct vma_map regions; /* [L] */
	struct vma_ops vops;    /* [I] region records from the heap */
	uint32_t refs;          /* [a] references */
	uint64_t cpus;          /* [a] CPUs that have it loaded (bit n: CPU n) */
	size_t resident;        /* [a] pages mapped to a frame */
	uint64_t limit;         /* [L] bytes of regions allowed, 0: no limit */
	uint64_t mmap_base;     /* [L] top of the top-down mmap search */
	uint64_t brk_start;     /* [L] where the break started */
	uint64_t brk;           /* [L] the current break */
	uint64_t arg_start;     /* [L] exec's argv strings start here (/proc/PID/cmdline) */
	uint64_t arg_end;       /* [L] and end here, where the envp strings start */
	uint64_t env_end;       /* [L] one past the last envp string */
	uint64_t start_stack;   /* [L] the stack pointer the program started with */
	/* TLB work of the change in progress, done by uspace_tlb_sync_locked(). */
	uint64_t inval_lo;    /* [L] lowest page to invalidate */
	uint64_t inval_hi;    /* [L] highest page to invalidate */
	bool inval_any;       /* [L] some page is to be invalidated */
	bool inval_all;       /* [L] flush everything */
	uint64_t dead_tables; /* [L] tables to free after it, chained through their first word */
	struct pt_space
		hidden; /* [L] frames of PROT_NONE pages (uspace_hide.c); root 0 until needed */
};

/* The page-table flags for a page of @v; @exclusive: the frame is this page's alone. */
uint32_t uspace_pte_flags(const struct vma *v, bool exclusive);

/*
 * Do the TLB invalidations the page-table changes since the last call
 * asked for, on the CPUs that have @s loaded, then free the tables those
 * changes unlinked. Every change calls it before dropping the lock or
 * freeing a frame it unmapped.
 */
void uspace_tlb_sync_locked(struct uspace *s) __must_hold(&s->lock);

/*
 * Map the 4 KiB page @va to @pa with @flags: the one-walk path when the
 * tables exist, else pt_map(). Returns 0, -EEXIST or -ENOMEM.
 */
int uspace_map_page_locked(struct uspace *s, uint64_t va, uint64_t pa, uint32_t flags)
	__must_hold(&s->lock);

/* Unmap every page in [@start, @end) and drop its frame (TLBs synced first). */
void uspace_zap_locked(struct uspace *s, uint64_t start, uint64_t end) __must_hold(&s->lock);

/*
 * Back every page of [@start, @end) of region @v with a frame (a file
 * region's from its cache). 0, -ENOMEM, or -EFAULT past the end of a file.
 */
int uspace_populate_locked(struct uspace *s, const struct vma *v, uint64_t start, uint64_t end)
	__must_hold(&s->lock);

/* Change the page-table flags of the pages of [@start, @end) to what their regions say. */
void uspace_reprotect_locked(struct uspace *s, uint64_t start, uint64_t end) __must_hold(&s->lock);

/*
 * A write to the page @va of region @v mapped read-only to frame @pa:
 * copy-on-write (or take it over when nobody else holds it). 0, -EFAULT
 * or -ENOMEM.
 */
int uspace_cow_locked(struct uspace *s, const struct vma *v, uint64_t va, uint64_t pa)
	__must_hold(&s->lock);

/* File regions (uspace_file.c). */

/* The vma_ops callbacks: a region record took / dropped a reference to a struct file. */
void uspace_file_get(void *ctx, void *file);
void uspace_file_put(void *ctx, void *file);

/*
 * Resolve a fault at page @va of the file region @v that allows @access:
 * 0, -ENOMEM, or -EIO (past the end of the file or a read error: SIGBUS).
 */
int uspace_file_fault_locked(struct uspace *s, const struct vma *v, uint64_t va, unsigned access)
	__must_hold(&s->lock);

/* PROT_NONE pages (uspace_hide.c). */

/* Give @s its hidden tree if it has none yet: 0 or -ENOMEM. */
int uspace_hidden_init(struct uspace *s, int levels);

/* Hand every hidden page to @fn and free the hidden tree (the space is dying). */
void uspace_hidden_free(struct uspace *s, pt_leaf_fn fn);

/* Move the pages of [@start, @end) into the hidden tree (they became PROT_NONE). */
void uspace_hide_locked(struct uspace *s, uint64_t start, uint64_t end) __must_hold(&s->lock);

/*
 * Move the hidden pages of [@start, @end) back with the rights of region
 * @v, unless it is PROT_NONE. 0, or -ENOMEM with the rest left hidden.
 */
int uspace_show_locked(struct uspace *s, const struct vma *v, uint64_t start, uint64_t end)
	__must_hold(&s->lock);

/* Drop the hidden pages of [@start, @end) and their frames. */
void uspace_zap_hidden_locked(struct uspace *s, uint64_t start, uint64_t end) __must_hold(&s->lock);
