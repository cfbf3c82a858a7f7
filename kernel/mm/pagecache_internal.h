/* SPDX-License-Identifier: MIT */
/*
 * Private to kernel/mm/pagecache*.c and the fault path (uspace*.c): one
 * cached page's record, the cache's lock and the helpers the files share.
 *
 * Locks: [I] fixed while the page is cached; [P] pc_lock, a spinlock that
 * guards every mapping's index, every page's flags, the LRU and the lists
 * of dirty mappings and users. Nothing sleeps under it. A task that sets
 * PG_BUSY owns the page until it clears it (reading it in, writing it
 * back); the others wait on pc_wq. Order: the inode lock, then an address
 * space's lock, then pc_lock, then the heap and pmm locks.
 */
#pragma once

#include <lib/list/list.h>

#include <stdbool.h>
#include <stdint.h>

#include "mm/pagecache.h"
#include "sched/spinlock.h"
#include "sched/wait.h"

#define PG_UPTODATE (1u << 0) /* the frame holds the file's bytes */
#define PG_DIRTY    (1u << 1) /* changed since written back */
#define PG_BUSY     (1u << 2) /* being read in or written back by one task */
#define PG_WMAPPED  (1u << 3) /* mapped writable by MAP_SHARED: stays dirty while mapped */

struct pc_page {
	struct address_space *m; /* [I] */
	uint64_t index;          /* [I] page number in the file */
	uint64_t pa;             /* [I] the frame; the cache holds one reference to it */
	uint32_t flags;          /* [P] PG_* */
	uint64_t dirtied_ns;     /* [P] when it became dirty (monotonic) */
	struct list_node lru;    /* [P] on pc_lru, least recently used first */
};

extern struct spinlock pc_lock;
extern struct waitq pc_wq;

/* The page @index of @m, or NULL. */
struct pc_page *pc_lookup_locked(struct address_space *m, uint64_t index) __must_hold(&pc_lock);
void pc_set_dirty_locked(struct pc_page *p) __must_hold(&pc_lock);
void pc_clear_dirty_locked(struct pc_page *p) __must_hold(&pc_lock);
/* Block until page @index of @m is not busy (or gone). Task context. */
void pc_wait_unbusy(struct address_space *m, uint64_t index);

/*
 * The frame of page @index of @m, uptodate, with a reference in *@pa:
 * read in (@fill) or zeroed when not cached. 0 or -errno. Task context.
 */
int __must_check pc_get(struct address_space *m, uint64_t index, bool fill, uint64_t *pa);

/* The largest readahead window, in pages. */
#define PC_RA_MAX 32u
/*
 * Read up to @n (at most PC_RA_MAX) pages from @first that are not cached
 * yet through ops->readpages, stopping at the first cached one; they stay
 * busy (readers wait) until filled. Returns the pages read, 0 without the
 * op or on an error.
 */
uint32_t pc_readahead(struct address_space *m, uint64_t first, uint32_t n);

/* Dirty page @index through a shared writable mapping (stays dirty while mapped). */
void pc_mkwrite(struct address_space *m, uint64_t index);

/* Global counters (pagecache.c), [P] unless said. */
extern uint64_t pc_npages, pc_ndirty;
extern uint64_t pc_stat_reads, pc_stat_writes, pc_stat_evicted, pc_stat_hits; /* [a] */
extern uint64_t pc_stat_throttled, pc_stat_readahead;                         /* [a] */

/* Mappings with dirty pages, by address_space.dirty_link. */
extern struct list_node pc_dirty_maps;
/* Give the spare page records and radix nodes back to the heap. Task context. */
void pc_trim_spares(void);

/*
 * Take every page at index @from or later out of the address spaces that
 * map @m (truncation: a later touch faults, past the end: SIGBUS).
 * pagecache_map.c; takes those spaces' locks.
 */
void pagecache_unmap_from(struct address_space *m, uint64_t from);

/* Writeback (pagecache_wb.c): wake the writeback task (any context). */
void pc_wb_kick(void);
/* Writers wait here while the dirty pages are over the limit. */
void pc_throttle(void);
