// SPDX-License-Identifier: MIT
/*
 * The buffer cache: file-system metadata in block-sized buffers, found by
 * (device, block number, size) in one hash table. Buffers nobody holds sit
 * on an LRU list and are evicted from its cold end when clean; dirty ones
 * are written back by blk_sync(), by bwrite(), and by the flusher task
 * every few seconds (as Linux's dirty_writeback_centisecs). A buffer being
 * read is marked BUF_IO: a second reader waits for that read instead of
 * reading again.
 *
 * Locks: [C] bcache_lock, a spinlock over the hash, the lists and every
 * buffer's refs and state. Buffer data is the holders' to change; I/O
 * runs with no lock held.
 */
#include <cairn/errno.h>

#include <arch/page.h>
#include <lib/list/list.h>
#include <lib/string.h>

#include "block/blkdev.h"
#include "block/internal.h"
#include "core/log.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "sched/task.h"
#include "sched/wait.h"
#include "time/time.h"

#define BCACHE_HASH     4096
#define BCACHE_MAX_SIZE 65536u
#define BCACHE_MAX_VECS (BCACHE_MAX_SIZE / PAGE_SIZE + 1)
#define BCACHE_FLUSH_NS 5000000000ull /* the flusher's period, as Linux's 5 s */
#define BCACHE_BATCH    256           /* buffers written back per round */

#define BUF_VALID 0x1u /* data holds the block */
#define BUF_DIRTY 0x2u /* data is newer than the disk */
#define BUF_IO    0x4u /* a read or write is in flight */
#define BUF_GONE  0x8u /* out of the hash (its device went): freed at the last release */

struct buf {
	struct bbuf pub;
	struct buf *hash_next;               /* [C] */
	struct list_node lru;                /* [C] on the LRU while nobody holds it */
	struct list_node dirty;              /* [C] on the dirty list while BUF_DIRTY */
	int refs;                            /* [C] holders */
	unsigned state;                      /* [C] BUF_* */
	int error;                           /* [C] the last write's error */
	unsigned nvec;                       /* [I] */
	struct bio_vec vec[BCACHE_MAX_VECS]; /* [I] the data's physical pieces */
	struct bio bio;                      /* the I/O in flight (BUF_IO) */
};

static struct spinlock bcache_lock = SPINLOCK_INIT("bcache");
static struct buf *hash[BCACHE_HASH] __guarded_by(&bcache_lock);
static struct list_node lru __guarded_by(&bcache_lock) = LIST_INIT(lru);
static struct list_node dirty_list __guarded_by(&bcache_lock) = LIST_INIT(dirty_list);
static uint64_t cached_bytes __guarded_by(&bcache_lock);
static uint64_t limit_bytes; /* [a] set at the first use from memory size */
static struct waitq io_wq = WAITQ_INIT(io_wq, "bcache-io"); /* BUF_IO cleared, batches done */

static unsigned hash_of(const struct block_device *d, uint64_t blockno, uint32_t size)
{
	uint64_t h = (uint64_t)(uintptr_t)d * 0x9e3779b97f4a7c15ull ^
	             blockno * 0xff51afd7ed558ccdull ^ size;

	return (unsigned)((h ^ (h >> 29)) % BCACHE_HASH);
}

/* The cache may hold an eighth of memory (more while buffers are held or dirty). */
static uint64_t limit(void)
{
	uint64_t l = __atomic_load_n(&limit_bytes, __ATOMIC_RELAXED);

	if (!l) {
		struct pmm_stats st;

		pmm_stats(&st);
		l = st.total / 8 > (1u << 20) ? st.total / 8 : (1u << 20);
		__atomic_store_n(&limit_bytes, l, __ATOMIC_RELAXED);
	}
	return l;
}

static struct buf *find_locked(struct block_device *d, uint64_t blockno, uint32_t size)
	__must_hold(&bcache_lock)
{
	struct buf *b;

	for (b = hash[hash_of(d, blockno, size)]; b; b = b->hash_next)
		if (b->pub.bdev == d && b->pub.blockno == blockno && b->pub.size == size)
			return b;
	return NULL;
}

static void hash_del_locked(struct buf *b) __must_hold(&bcache_lock)
{
	struct buf **pp = &hash[hash_of(b->pub.bdev, b->pub.blockno, b->pub.size)];

	while (*pp && *pp != b)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = b->hash_next;
	b->hash_next = NULL;
}

static void buf_free(struct buf *b)
{
	__atomic_fetch_sub(&blk_layer(b->pub.bdev)->nbufs, 1, __ATOMIC_RELAXED);
	blk_put(b->pub.bdev);
	kfree(b->pub.data);
	kfree(b);
}

/* A new buffer for the block, not yet in the hash; NULL without memory or for a bad size. */
static struct buf *buf_alloc(struct block_device *d, uint64_t blockno, uint32_t size)
{
	size_t align = size < PAGE_SIZE && !(size & (size - 1)) ? size : PAGE_SIZE;
	struct buf *b = kmalloc_flags(sizeof(*b), KM_ZERO | KM_MAY_FAIL);
	uintptr_t p;
	size_t left;

	if (!b)
		return NULL;
	b->pub.data = kmalloc_aligned(size, align, KM_MAY_FAIL);
	if (!b->pub.data) {
		kfree(b);
		return NULL;
	}
	b->pub = (struct bbuf){ d, blockno, size, b->pub.data, b };
	/* Pieces never cross a page: the heap's pages need not be contiguous. */
	for (p = (uintptr_t)b->pub.data, left = size; left;) {
		size_t chunk = PAGE_SIZE - (p & (PAGE_SIZE - 1));

		chunk = chunk < left ? chunk : left;
		b->vec[b->nvec++] = (struct bio_vec){ blk_kva_to_pa((void *)p), (uint32_t)chunk };
		p += chunk;
		left -= chunk;
	}
	list_node_init(&b->lru);
	list_node_init(&b->dirty);
	b->refs = 1;
	blk_get(d);
	__atomic_fetch_add(&blk_layer(d)->nbufs, 1, __ATOMIC_RELAXED);
	return b;
}

/* Evict clean, unheld buffers from the LRU's cold end until @want bytes went; the freed chain. */
static struct buf *evict_locked(uint64_t want, uint64_t *freed) __must_hold(&bcache_lock)
{
	struct buf *b, *tmp, *out = NULL;

	*freed = 0;
	list_for_each_entry_safe(b, tmp, &lru, lru) {
		if (*freed >= want)
			break;
		if (b->state & (BUF_DIRTY | BUF_IO))
			continue;
		list_del(&b->lru);
		hash_del_locked(b);
		cached_bytes -= b->pub.size;
		*freed += b->pub.size;
		b->hash_next = out;
		out = b;
	}
	return out;
}

static void free_chain(struct buf *b)
{
	struct buf *next;

	for (; b; b = next) {
		next = b->hash_next;
		buf_free(b);
	}
}

/* Hold @b (taking it off the LRU). */
static void hold_locked(struct buf *b) __must_hold(&bcache_lock)
{
	if (b->refs++ == 0 && list_linked(&b->lru))
		list_del(&b->lru);
}

/*
 * The held buffer for the block, found or made (not read). Returns 0 or
 * -ENOMEM/-EINVAL. Makes room first by evicting when over the limit.
 */
static int getblk(struct block_device *d, uint64_t blockno, uint32_t size, struct buf **out,
                  bool *valid)
{
	struct buf *b, *fresh = NULL, *evicted = NULL;
	uint64_t freed, sectors = size >> SECTOR_SHIFT;

	if (!size || size > BCACHE_MAX_SIZE || size % d->lbsize ||
	    blockno > d->nr_sectors / sectors || blockno * sectors + sectors > d->nr_sectors)
		return -EINVAL;
	for (;;) {
		spin_lock(&bcache_lock);
		b = find_locked(d, blockno, size);
		if (b) {
			hold_locked(b);
			/* The common case, a cached block, needs no second look under the lock. */
			*valid = (b->state & (BUF_VALID | BUF_IO)) == BUF_VALID;
			spin_unlock(&bcache_lock);
			if (fresh)
				buf_free(fresh);
			*out = b;
			return 0;
		}
		if (fresh)
			break;
		if (cached_bytes + size > limit())
			evicted = evict_locked(cached_bytes + size - limit(), &freed);
		spin_unlock(&bcache_lock);
		free_chain(evicted);
		evicted = NULL;
		fresh = buf_alloc(d, blockno, size);
		if (!fresh)
			return -ENOMEM;
	}
	/* Nobody made it while we allocated: ours goes in. */
	fresh->hash_next = hash[hash_of(d, blockno, size)];
	hash[hash_of(d, blockno, size)] = fresh;
	cached_bytes += size;
	spin_unlock(&bcache_lock);
	*valid = false;
	*out = fresh;
	return 0;
}

static bool io_done(void *ctx)
{
	struct buf *b = ctx;

	return !(__atomic_load_n(&b->state, __ATOMIC_ACQUIRE) & BUF_IO);
}

/* Wait until no I/O is in flight on the held @b. */
static void wait_io(struct buf *b)
{
	while (waitq_wait(&io_wq, io_done, b, 0, TIME_NEVER))
		;
}

/*
 * Mark the held @b as having I/O in flight: true when this caller set it,
 * false when it was VALID already (for a read) or another's I/O ran.
 */
static bool start_io(struct buf *b, unsigned skip_if)
{
	bool mine = false;

	for (;;) {
		spin_lock(&bcache_lock);
		if (b->state & skip_if) {
			spin_unlock(&bcache_lock);
			return false;
		}
		if (!(b->state & BUF_IO)) {
			b->state |= BUF_IO;
			mine = true;
		}
		spin_unlock(&bcache_lock);
		if (mine)
			return true;
		wait_io(b);
	}
}

static void end_io(struct buf *b, unsigned set, unsigned clear)
{
	spin_lock(&bcache_lock);
	b->state = (b->state | set) & ~(clear | BUF_IO);
	spin_unlock(&bcache_lock);
	waitq_wake_all(&io_wq);
}

static struct bio *buf_bio(struct buf *b, enum bio_op op)
{
	b->bio = (struct bio){ .bdev = b->pub.bdev,
		               .op = op,
		               .sector = b->pub.blockno * (b->pub.size >> SECTOR_SHIFT),
		               .bytes = b->pub.size,
		               .vec = b->vec,
		               .nvec = b->nvec };
	return &b->bio;
}

int bread(struct block_device *d, uint64_t blockno, uint32_t size, struct bbuf **out)
{
	struct buf *b;
	bool valid;
	int err = getblk(d, blockno, size, &b, &valid);

	if (err)
		return err;
	/* Two readers of one block: the second waits for the first one's read. */
	if (!valid && start_io(b, BUF_VALID)) {
		err = blk_submit_wait(buf_bio(b, BIO_READ));
		if (err)
			pr_err("block: %s: cannot read block %llu (%u bytes): error %d", d->name,
			       (unsigned long long)blockno, size, err);
		end_io(b, err ? 0 : BUF_VALID, 0);
	} else if (!(__atomic_load_n(&b->state, __ATOMIC_ACQUIRE) & BUF_VALID)) {
		err = -EIO;
	}
	if (err) {
		brelse(&b->pub);
		return err;
	}
	*out = &b->pub;
	return 0;
}

int bpeek(struct block_device *d, uint64_t blockno, uint32_t size, struct bbuf **out)
{
	struct buf *b;

	spin_lock(&bcache_lock);
	b = find_locked(d, blockno, size);
	if (b && (b->state & BUF_VALID))
		hold_locked(b);
	else
		b = NULL;
	spin_unlock(&bcache_lock);
	if (!b)
		return -ENOENT;
	*out = &b->pub;
	return 0;
}

int bget(struct block_device *d, uint64_t blockno, uint32_t size, struct bbuf **out)
{
	struct buf *b;
	bool valid;
	int err = getblk(d, blockno, size, &b, &valid);

	if (err)
		return err;
	if (!valid && start_io(b, BUF_VALID)) {
		memset(b->pub.data, 0, size);
		end_io(b, BUF_VALID, 0);
	}
	*out = &b->pub;
	return 0;
}

void bdirty(struct bbuf *pub)
{
	struct buf *b = pub->layer;

	spin_lock(&bcache_lock);
	b->state |= BUF_DIRTY | BUF_VALID;
	if (!list_linked(&b->dirty))
		list_add_tail(&dirty_list, &b->dirty);
	spin_unlock(&bcache_lock);
}

/* Take @b off the dirty list before its write: a change during the write dirties it again. */
static void clean_locked(struct buf *b) __must_hold(&bcache_lock)
{
	b->state &= ~BUF_DIRTY;
	if (list_linked(&b->dirty))
		list_del(&b->dirty);
}

/* A write failed: the buffer stays dirty so that a later sync tries again. */
static void redirty_locked(struct buf *b, int err) __must_hold(&bcache_lock)
{
	b->error = err;
	b->state |= BUF_DIRTY;
	if (!list_linked(&b->dirty))
		list_add_tail(&dirty_list, &b->dirty);
}

int bwrite(struct bbuf *pub)
{
	struct buf *b = pub->layer;
	int err;

	start_io(b, 0);
	spin_lock(&bcache_lock);
	clean_locked(b);
	spin_unlock(&bcache_lock);
	__atomic_fetch_add(&blk_layer(pub->bdev->whole)->wb_inflight, 1, __ATOMIC_RELAXED);
	err = blk_submit_wait(buf_bio(b, BIO_WRITE));
	__atomic_sub_fetch(&blk_layer(pub->bdev->whole)->wb_inflight, 1, __ATOMIC_RELEASE);
	spin_lock(&bcache_lock);
	if (err)
		redirty_locked(b, err);
	b->state = (b->state | BUF_VALID) & ~BUF_IO;
	spin_unlock(&bcache_lock);
	waitq_wake_all(&io_wq);
	if (err)
		pr_err("block: %s: cannot write block %llu: error %d", pub->bdev->name,
		       (unsigned long long)pub->blockno, err);
	return err;
}

void brelse(struct bbuf *pub)
{
	struct buf *b = pub->layer;
	bool free_it = false;

	spin_lock(&bcache_lock);
	if (--b->refs == 0) {
		if (b->state & BUF_GONE)
			free_it = true;
		else
			list_add_tail(&lru, &b->lru);
	}
	spin_unlock(&bcache_lock);
	if (free_it)
		buf_free(b);
}

/* ---- writeback ---- */

/* A round of writes the writer waits for; on its stack. */
struct wb_batch {
	int pending; /* [a] writes not completed */
	int err;     /* [a] the first error */
};

static void wb_end(struct bio *bio)
{
	struct buf *b = (struct buf *)((char *)bio - __builtin_offsetof(struct buf, bio));
	struct wb_batch *w = bio->priv;

	spin_lock(&bcache_lock);
	if (bio->status)
		redirty_locked(b, bio->status);
	b->state &= ~BUF_IO;
	spin_unlock(&bcache_lock);
	if (bio->status)
		__atomic_compare_exchange_n(&w->err, &(int){ 0 }, bio->status, false,
		                            __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	__atomic_sub_fetch(&blk_layer(b->pub.bdev->whole)->wb_inflight, 1, __ATOMIC_RELEASE);
	/* After this the waiter may return: only the static queue is touched. */
	__atomic_sub_fetch(&w->pending, 1, __ATOMIC_RELEASE);
	waitq_wake_all(&io_wq);
}

static bool batch_done(void *ctx)
{
	return __atomic_load_n(&((struct wb_batch *)ctx)->pending, __ATOMIC_ACQUIRE) == 0;
}

static uint64_t disk_pos(const struct buf *b)
{
	return b->pub.bdev->start_sector + b->pub.blockno * (b->pub.size >> SECTOR_SHIFT);
}

/*
 * Take up to BCACHE_BATCH dirty buffers of @disk (NULL: of the disk of the
 * first dirty buffer) that no I/O is using, held, marked BUF_IO and clean.
 * *@busy gets one dirty buffer of the disk under I/O, held, if that is all
 * there is. Returns how many went into @out.
 */
static unsigned collect_dirty(struct block_device *disk, struct buf **out, struct buf **busy)
{
	struct buf *b;
	unsigned n = 0;

	*busy = NULL;
	spin_lock(&bcache_lock);
	list_for_each_entry(b, &dirty_list, dirty) {
		if (!disk)
			disk = b->pub.bdev->whole;
		if (b->pub.bdev->whole != disk)
			continue;
		if (b->state & BUF_IO) {
			if (!*busy) {
				hold_locked(b);
				*busy = b;
			}
			continue;
		}
		hold_locked(b);
		b->state |= BUF_IO;
		__atomic_fetch_add(&blk_layer(disk)->wb_inflight, 1, __ATOMIC_RELAXED);
		out[n++] = b;
		if (n == BCACHE_BATCH)
			break;
	}
	for (unsigned i = 0; i < n; i++)
		clean_locked(out[i]);
	spin_unlock(&bcache_lock);
	if (n && *busy) {
		/* Writes to do: the busy one is looked at in a later round. */
		brelse(&(*busy)->pub);
		*busy = NULL;
	}
	return n;
}

/* Sort @n buffers by their place on the disk, so neighbours merge into one request. */
static void sort_by_pos(struct buf **v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) {
		struct buf *x = v[i];
		unsigned j = i;

		for (; j && disk_pos(v[j - 1]) > disk_pos(x); j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* Write the @n collected buffers as one list of requests and wait. 0 or the first error. */
static int write_batch(struct buf **v, unsigned n)
{
	struct wb_batch w = { .pending = (int)n };

	sort_by_pos(v, n);
	for (unsigned i = 0; i < n; i++) {
		struct bio *bio = buf_bio(v[i], BIO_WRITE);

		bio->end = wb_end;
		bio->priv = &w;
		bio->next = i + 1 < n ? &v[i + 1]->bio : NULL;
	}
	/* Errors come back through wb_end as well. */
	(void)blk_submit_list(&v[0]->bio);
	while (waitq_wait(&io_wq, batch_done, &w, 0, TIME_NEVER))
		;
	for (unsigned i = 0; i < n; i++)
		brelse(&v[i]->pub);
	return w.err;
}

/*
 * Write back the dirty buffers of @disk (NULL: of whichever disk has
 * some), round by round, until none is left or a round failed. Returns 0
 * or the first error.
 */
static int writeback(struct block_device *disk, unsigned rounds)
{
	struct buf **v = kmalloc_flags(BCACHE_BATCH * sizeof(*v), KM_MAY_FAIL);
	struct buf *busy;
	unsigned n;
	int err = 0;

	if (!v)
		return -ENOMEM;
	while (!err && rounds--) {
		n = collect_dirty(disk, v, &busy);
		if (n) {
			err = write_batch(v, n);
		} else if (busy) {
			/* Someone else's write of a dirty buffer: wait for it, then look again. */
			wait_io(busy);
			brelse(&busy->pub);
		} else {
			break;
		}
	}
	kfree(v);
	return err;
}

static bool no_writes(void *ctx)
{
	return __atomic_load_n(&blk_layer(ctx)->wb_inflight, __ATOMIC_ACQUIRE) == 0;
}

int blk_sync(struct block_device *d)
{
	int err = writeback(d->whole, UINT32_MAX), ferr;

	/* Writes others started (the flusher, another sync) count too: what was dirty is on the disk. */
	while (waitq_wait(&io_wq, no_writes, d->whole, 0, TIME_NEVER))
		;
	ferr = blk_flush(d->whole);

	return err ? err : ferr;
}

size_t bcache_shrink(size_t n)
{
	struct buf *chain;
	uint64_t freed;

	spin_lock(&bcache_lock);
	chain = evict_locked(n, &freed);
	spin_unlock(&bcache_lock);
	free_chain(chain);
	return (size_t)freed;
}

/*
 * Take every buffer of @d out of the cache: unheld clean ones (and, with
 * @dirty_too, dirty ones) are freed; held ones are freed by their last
 * brelse(). Returns how many dirty buffers were left alone.
 */
static unsigned drop_buffers(struct block_device *d, bool dirty_too)
{
	struct buf *b, **pp, *chain = NULL;
	unsigned kept = 0;

	spin_lock(&bcache_lock);
	for (unsigned i = 0; i < BCACHE_HASH; i++) {
		for (pp = &hash[i]; (b = *pp);) {
			if (b->pub.bdev != d || (b->state & BUF_IO) ||
			    ((b->state & BUF_DIRTY) && !dirty_too)) {
				kept += b->pub.bdev == d && (b->state & BUF_DIRTY);
				pp = &b->hash_next;
				continue;
			}
			*pp = b->hash_next;
			cached_bytes -= b->pub.size;
			clean_locked(b);
			if (b->refs) {
				b->state |= BUF_GONE;
				continue;
			}
			list_del(&b->lru);
			b->hash_next = chain;
			chain = b;
		}
	}
	spin_unlock(&bcache_lock);
	free_chain(chain);
	return kept;
}

int bcache_invalidate(struct block_device *d)
{
	int err = blk_sync(d);

	drop_buffers(d, false);
	return err;
}

void bcache_forget(struct block_device *d)
{
	drop_buffers(d, true);
}

/* The flusher: every few seconds, the dirty buffers of every disk go to the disk. */
static int flusher_main(void *arg)
{
	(void)arg;
	for (;;) {
		bool idle;

		task_sleep_ns(BCACHE_FLUSH_NS);
		/* Nothing dirty: no allocation, no lock held long (leak checks see a quiet heap). */
		spin_lock(&bcache_lock);
		idle = list_empty(&dirty_list);
		spin_unlock(&bcache_lock);
		if (!idle)
			(void)writeback(NULL, 64);
	}
	return 0;
}

int bcache_start_flusher(void)
{
	struct task_handle h;
	int err = task_spawn(&h, "bcache-flush", flusher_main, NULL);

	if (err)
		return err;
	return task_drop(h);
}

void bcache_get_stats(struct bcache_stats *out)
{
	struct buf *b;

	spin_lock(&bcache_lock);
	out->bytes = cached_bytes;
	out->limit = limit_bytes;
	out->dirty = 0;
	list_for_each_entry(b, &dirty_list, dirty)
		out->dirty++;
	spin_unlock(&bcache_lock);
}
