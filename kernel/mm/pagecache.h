/* SPDX-License-Identifier: MIT */
/*
 * The page cache (contract of issue 13; the pagecache lane implements it
 * in kernel/mm/pagecache*.c): one cache of 4 KiB frames per file, shared
 * by read(2)/write(2) and by mmap (MAP_SHARED maps the cached frame itself,
 * MAP_PRIVATE maps it read-only and copies on write). Dirty pages are
 * written back by a writeback task, by fsync/fdatasync/msync/sync, and
 * before a clean-up under memory pressure evicts them.
 *
 * A file system gives each regular file's inode an address_space
 * (inode->mapping) with operations that move one page between the cache
 * and the disk; its file_ops then use the generic read/write/mmap below.
 *
 * Locks: [I] fixed; [M] the mapping's own lock; [a] atomic; [P] the page
 * cache's lock (pagecache.c), which also guards every cached page's state.
 *
 * The address_space_ops are called with no page-cache lock held, from a
 * task that may hold the inode lock (write(2), truncate) or the faulting
 * process's address-space lock (a fault on a mapping): they must not take
 * ino->lock themselves (the file system's own locks are fine). See
 * docs/pagecache.md.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/list/list.h>
#include <lib/radix/radix.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAGE_CACHE_SHIFT 12
#define PAGE_CACHE_SIZE  4096u

struct address_space;
struct file;
struct inode;
struct uio;

/* How a file system moves pages. Task context; each may sleep. */
struct address_space_ops {
	/*
	 * Fill the frame at physical @pa with page @index of the file (bytes
	 * past the end of file as zeros; holes as zeros). 0 or -errno (-EIO).
	 */
	int (*readpage)(struct address_space *m, uint64_t index, uint64_t pa);
	/*
	 * Write the first @len bytes of the frame @pa back as page @index (len
	 * < 4096 for the last page of the file). Blocks were reserved by
	 * prepare_write. 0 or -errno.
	 */
	int (*writepage)(struct address_space *m, uint64_t index, uint64_t pa, uint32_t len);
	/*
	 * Page @index is about to become dirty through write(2) or a shared
	 * mapping: reserve (allocate) its blocks now so a full disk fails the
	 * writer with -ENOSPC instead of losing data at writeback. NULL: nothing
	 * to reserve. The inode lock may be held (write(2)) or not (a fault).
	 */
	int (*prepare_write)(struct address_space *m, uint64_t index);
	/*
	 * Optional, for fsync/fdatasync: after the data pages, write the
	 * file's own metadata (the inode, its block map) back; @datasync: only
	 * what reading the data back needs. NULL: sb->ops->sync is called.
	 */
	int (*write_meta)(struct address_space *m, bool datasync);
	/*
	 * Optional, for file systems that keep file pages in memory
	 * themselves (tmpfs): the frame holding page @index, made if need be
	 * (@write, or a hole), with a reference for the caller. The cache
	 * keeps nothing for such a mapping: no readpage, no dirty tracking,
	 * no writeback. 0, -ENOSPC, -ENOMEM, -ENXIO (past the end).
	 */
	int (*get_frame)(struct address_space *m, uint64_t index, bool write, uint64_t *pa);
	/*
	 * With get_frame: the frame of page @index if it exists, with a
	 * reference, never making one and never sleeping long. 0 or -ENOENT.
	 * For fault-around; NULL: none.
	 */
	int (*peek_frame)(struct address_space *m, uint64_t index, uint64_t *pa);
	/*
	 * Optional, for readahead: fill the @n frames @pas[] with pages
	 * @first .. @first + @n - 1 as readpage would, submitting their blocks
	 * together so the device sees few large requests. All or nothing: on
	 * -errno no page is used (readpage then retries one by one). NULL:
	 * the cache reads page by page.
	 */
	int (*readpages)(struct address_space *m, uint64_t first, uint32_t n, const uint64_t *pas);
};

struct address_space {
	struct inode *host;                  /* [I] */
	const struct address_space_ops *ops; /* [I] */
	void *cache;                         /* [M] the cache's own index of frames */
	uint64_t nrpages;                    /* [a] frames cached */
	uint64_t ndirty;                     /* [a] of them dirty */
	int wb_error;                        /* [a] the last writeback error, for fsync */
	void *priv;                          /* the cache's own (lock, list links) */
	struct radix_tree pages;             /* [P] page index -> struct pc_page * */
	struct list_node dirty_link;         /* [P] on the list of mappings with dirty pages */
	struct list_node users;              /* [P] struct pc_user: address spaces mapping it */
	uint32_t nusers;                     /* [P] entries on users */
	uint64_t ra_next; /* [a] readahead: the page a sequential read wants next */
	uint32_t ra_win;  /* [a] readahead: pages read ahead last time, 0: none */
};

/* Set up @m for @host (its size is host->size) with @ops; the fs calls it when it makes the inode. */
void mapping_init(struct address_space *m, struct inode *host, const struct address_space_ops *ops);
/* Drop every page (writing nothing back): the inode is being freed. */
void mapping_destroy(struct address_space *m);

/*
 * Generic file operations over the cache, for a file system's file_ops:
 * read and write through cached pages (write marks them dirty and grows
 * the size; the inode lock is held by the VFS around ->write), O_DIRECT
 * where the fs allows it, fsync (write back the file's dirty pages, then
 * the fs's own metadata through @m->ops, then flush the device).
 */
long __must_check generic_file_read(struct file *f, struct uio *u, int64_t *pos);
long __must_check generic_file_write(struct file *f, struct uio *u, int64_t *pos);

/*
 * Truncate the cache to @size bytes: drop whole pages past it and zero the
 * tail of the last one. With the inode lock held (setattr).
 */
void pagecache_truncate(struct address_space *m, int64_t size);

/*
 * Write back the dirty pages of [@start, @end) (bytes; @end -1: to the
 * end); @wait: until they are on the disk. Returns 0 or the first error.
 */
int __must_check pagecache_writeback(struct address_space *m, int64_t start, int64_t end,
                                     bool wait);

/*
 * The frame caching page @index of @m, read in if needed, with a frame
 * reference (pmm_frame_put it) in *@pa. @write: the caller will dirty it
 * (prepare_write is called; pagecache_set_dirty() afterwards). For the
 * fault path and exec. Returns 0 or -errno.
 */
int __must_check pagecache_get_page(struct address_space *m, uint64_t index, bool write,
                                    uint64_t *pa);
void pagecache_set_dirty(struct address_space *m, uint64_t index);
/*
 * The frame of page @index if it is cached and ready, with a reference,
 * without reading or waiting (fault-around). 0 or -ENOENT.
 */
int __must_check pagecache_peek_page(struct address_space *m, uint64_t index, uint64_t *pa);

/* Write back every dirty page in the system (sync(2), the writeback task). */
int pagecache_sync_all(bool wait);

/*
 * The file_ops->fsync of a file system on the cache: write back @f's
 * dirty pages and wait, then its metadata (ops->write_meta, else
 * sb->ops->sync), then flush the device's write cache. Returns 0 or the
 * first error, including a writeback error seen since the last fsync.
 */
int __must_check generic_file_fsync(struct file *f, bool datasync);

/*
 * The writeback task: every 5 s it writes back pages dirty for more than
 * 30 s (Linux's dirty_writeback and dirty_expire), and at once when the
 * dirty pages pass a tenth of memory. Boot calls it once, in task context.
 */
void pagecache_init(void);

/*
 * Tests: the writeback task's period and expiry (ns) and the dirty limits
 * (pages: background writeback, writers wait); 0 picks the default of each.
 */
void pagecache_wb_tune(uint64_t period_ns, uint64_t expire_ns, uint64_t bg_pages,
                       uint64_t limit_pages);

/* Counters, for /proc/meminfo, tests and docs/pagecache.md. */
struct pagecache_stats {
	uint64_t pages;     /* frames cached now */
	uint64_t dirty;     /* of them dirty */
	uint64_t reads;     /* readpage calls */
	uint64_t writes;    /* writepage calls */
	uint64_t evicted;   /* pages evicted by pagecache_shrink */
	uint64_t hits;      /* lookups that found the page cached */
	uint64_t throttled; /* writers that waited for writeback */
	uint64_t readahead; /* pages read by readpages */
};
void pagecache_get_stats(struct pagecache_stats *out);

/*
 * Memory pressure: write back and evict up to @bytes of unmapped cached
 * pages, least recently used first. Returns bytes freed. Called by the
 * frame allocator when it runs low, before it fails.
 */
size_t pagecache_shrink(size_t bytes);
/*
 * The same for an allocation that may sleep (pmm_alloc_pages_reclaim()):
 * waits for the cache's lock instead of giving up, and while only dirty
 * pages are left, kicks writeback and waits (a bounded time) for some to
 * become clean. Task context, no spinlock held. Returns bytes freed.
 */
size_t pagecache_reclaim(size_t bytes);
