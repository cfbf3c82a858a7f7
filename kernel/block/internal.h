/* SPDX-License-Identifier: MIT */
/*
 * The block layer's private state (kernel/block/ only): each disk's request
 * queue, each device's counters, and the helpers the registry, the queue,
 * the buffer cache and the device files share.
 *
 * Locks: [Q] the disk queue's lock (a spinlock: completions take it from
 * interrupt context); [R] the registry lock; [a] atomic; [I] fixed.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/list/list.h>

#include <stdbool.h>
#include <stdint.h>

#include "block/blkdev.h"
#include "sched/spinlock.h"

/* A disk's queue of requests waiting for the driver. */
struct blk_queue {
	struct spinlock lock;
	struct bio *head, *tail;         /* [Q] waiting, oldest first, linked by bio->next */
	unsigned inflight;               /* [Q] handed to the driver and not completed */
	uint64_t completions;            /* [Q] completions so far (an -EBUSY racing one retries) */
	bool running;                    /* [Q] a task is handing requests to the driver */
	bool busy;                       /* [Q] the driver said -EBUSY: wait for a completion */
	bool on_retry;                   /* [R] on the retry task's list */
	struct block_device *retry_next; /* [R] */
};

/* The layer's part of every registered device (block_device.layer). */
struct blk_layer {
	struct block_device *dev; /* [I] the device this is the layer's part of */
	struct blk_queue q;       /* disks only */
	struct blk_stats st;      /* this device's own (partitions count their own too) */
	struct list_node link;    /* [R] on the registry */
	bool registered;          /* [R] */
	bool own;                 /* [I] the layer allocated the block_device (a partition) */
	uint32_t ext_minor;       /* [I] +1 of a blkext (259) minor it took, 0: none */
	uint32_t bsize;           /* [a] the device file's block size (BLKBSZGET/BLKBSZSET) */
	bool claimed;             /* [R] an exclusive user (a mount) has it: blk_claim() */
	uint64_t nbufs;           /* [a] its buffers in the buffer cache */
	int opens;                /* [a] open device files */
	int wb_inflight;          /* [a] disks: buffer writes in flight (a sync waits for them) */
};

static inline struct blk_layer *blk_layer(const struct block_device *d)
{
	return d->layer;
}

#define BLK_EXT_MAJOR 259

/* Statistics helper: add @n to a counter, any context. */
static inline void blk_count(uint64_t *c, uint64_t n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

/* queue.c */
void blk_queue_init(struct blk_queue *q);
/* Fail every request still waiting in @disk's queue with -EIO (unregistering). */
void blk_queue_abort(struct block_device *disk);
/* Start the task that retries queues a driver answered -EBUSY. Once, from the registry. */
int __must_check blk_retry_start(void);

/*
 * registry.c: register @d (a disk, or a partition the layer made with
 * whole/start_sector/partno set): layer state, number, /dev node. The
 * registry takes one reference. 0 or -errno.
 */
int __must_check blk_add(struct block_device *d);
/* blk_lookup(), with why not in *@err: -ENXIO, -ENOTBLK or the walk's error. */
struct block_device *blk_lookup_err(const char *name, int *err);
/* blk_unclaim() without the idle check (the loop driver, which calls it while it holds its lock). */
void blk_unclaim_quiet(struct block_device *d);
/* The last open file or claim of @d may have gone: tell the driver (ops->idle). */
void blk_check_idle(struct block_device *d);
/* Mark @d gone, take it out of the registry and drop the registry's reference. */
void blk_remove(struct block_device *d);

/* partition.c: scan @disk's partition table and register each partition. */
int blk_scan_partitions(struct block_device *disk);
/* Register partition @partno of @disk, @nr sectors from @start. 0 or -errno. */
int __must_check blk_add_partition(struct block_device *disk, unsigned partno, uint64_t start,
                                   uint64_t nr);
/* BLKRRPART: read @disk's table again (-EBUSY while a partition is claimed). */
int __must_check blk_rescan_partitions(struct block_device *disk);
/* bdev_direct.c: O_DIRECT reads and writes of a device file, straight between user pages and the device. */
struct uio;
long bdev_direct_rw(struct block_device *d, struct uio *u, int64_t *pos, bool write);
/* Unregister every partition of @disk. */
void blk_drop_partitions(struct block_device *disk);

/* bcache.c: forget every buffer of @d (clean ones; dirty ones are written first). */
int __must_check bcache_invalidate(struct block_device *d);
/* Drop every buffer of @d without writing it (the device went away). */
void bcache_forget(struct block_device *d);
/* Start the periodic writeback of dirty buffers. */
int __must_check bcache_start_flusher(void);
