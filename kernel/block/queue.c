// SPDX-License-Identifier: MIT
/*
 * The request queue: blk_submit() checks a request against its device,
 * translates a partition's sectors to the disk's, cuts requests too big
 * for the driver and queues them on the disk; one task at a time hands
 * queued requests to the driver, merging neighbours that continue each
 * other (the decisions are lib/blkq's). A driver that answers -EBUSY gets
 * the request again after one of its completions, from the retry task.
 *
 * Requests the layer makes itself (a merge of several, a piece of a cut
 * one) are ordinary bios whose bdev is the whole disk and whose end
 * completes the submitters' bios.
 */
#include <cairn/errno.h>

#include <lib/blkq/blkq.h>
#include <lib/string.h>

#include "block/blkdev.h"
#include "block/internal.h"
#include "core/log.h"
#include "mm/heap.h"
#include "sched/task.h"
#include "sched/wait.h"
#include "time/time.h"

_Static_assert(sizeof(struct blkq_vec) == sizeof(struct bio_vec) &&
                       __builtin_offsetof(struct blkq_vec, len) ==
                               __builtin_offsetof(struct bio_vec, len),
               "lib/blkq reads bio_vecs directly");

/* Several queued requests sent as one. */
struct blk_merge {
	struct bio bio;
	struct bio *first; /* the merged requests, linked by next, in disk order */
	struct bio_vec vec[];
};

/* A request cut into pieces: the pieces follow this header. */
struct blk_split {
	struct bio *parent;
	int remaining; /* [a] pieces not completed */
	int status;    /* [a] the first error of a piece */
	unsigned npieces;
	struct bio piece[];
};

void blk_queue_init(struct blk_queue *q)
{
	memset(q, 0, sizeof(*q));
	spin_init(&q->lock, "blkq");
}

/* Give @b back to its submitter with @status. */
static void blk_finish(struct bio *b, int status)
{
	b->status = status;
	b->sector -= b->bdev->start_sector;
	if (status)
		blk_count(&blk_layer(b->bdev)->st.errors, 1);
	b->end(b);
}

static void merge_end(struct bio *b)
{
	struct blk_merge *m = (struct blk_merge *)b;
	struct bio *c = m->first, *next;

	while (c) {
		next = c->next;
		blk_finish(c, b->status);
		c = next;
	}
	kfree(m);
}

static void split_end(struct bio *b)
{
	struct blk_split *s = b->priv;
	int status = b->status;

	if (status)
		__atomic_compare_exchange_n(&s->status, &(int){ 0 }, status, false,
		                            __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	if (__atomic_sub_fetch(&s->remaining, 1, __ATOMIC_ACQ_REL) == 0) {
		struct bio *parent = s->parent;

		status = __atomic_load_n(&s->status, __ATOMIC_RELAXED);
		kfree(s);
		blk_finish(parent, status);
	}
}

static struct blkq_req blk_req(const struct bio *b)
{
	return (struct blkq_req){
		.sector = b->sector,
		.bytes = b->bytes,
		.nvec = b->nvec,
		.op = b->op,
		.flags = b->flags,
		.data = b->op == BIO_READ || b->op == BIO_WRITE,
	};
}

static struct blkq_limits blk_limits(const struct block_device *disk)
{
	return (struct blkq_limits){ disk->lbsize, disk->max_bytes, disk->max_vecs };
}

/* Take from @q's head the oldest request and every one that continues it. */
static struct bio *queue_pop_run_locked(struct blk_queue *q, const struct blkq_limits *l,
                                        unsigned *n, unsigned *nvec) __must_hold(&q->lock)
{
	struct bio *first = q->head, *last = first;
	struct blkq_req acc = blk_req(first), next;

	*n = 1;
	*nvec = first->nvec;
	while (last->next) {
		next = blk_req(last->next);
		if (!blkq_can_append(&acc, &next, l))
			break;
		acc.bytes += next.bytes;
		acc.nvec += next.nvec;
		last = last->next;
		(*n)++;
	}
	*nvec = acc.nvec;
	q->head = last->next;
	if (!q->head)
		q->tail = NULL;
	last->next = NULL;
	return first;
}

/* Put the chain @first (in order) back at @q's head. */
static void queue_push_front_locked(struct blk_queue *q, struct bio *first) __must_hold(&q->lock)
{
	struct bio *last = first;

	while (last->next)
		last = last->next;
	last->next = q->head;
	q->head = first;
	if (!q->tail)
		q->tail = last;
}

/* One request for the chain @first of @n continuing requests (@nvec pieces); NULL: no memory. */
static struct bio *merge_make(struct block_device *disk, struct bio *first, unsigned n,
                              unsigned nvec)
{
	struct blk_merge *m;
	struct bio *c;
	unsigned v = 0;

	if (n == 1)
		return first;
	m = kmalloc_flags(sizeof(*m) + nvec * sizeof(struct bio_vec), KM_MAY_FAIL);
	if (!m)
		return NULL;
	m->bio = (struct bio){ .bdev = disk,
		               .op = first->op,
		               .flags = first->flags,
		               .sector = first->sector,
		               .vec = m->vec,
		               .end = merge_end };
	m->first = first;
	for (c = first; c; c = c->next) {
		memcpy(&m->vec[v], c->vec, c->nvec * sizeof(struct bio_vec));
		v += c->nvec;
		m->bio.bytes += c->bytes;
	}
	m->bio.nvec = v;
	blk_count(&blk_layer(disk)->st.merges, n - 1);
	return &m->bio;
}

/* Ask the retry task to run @disk's queue again. */
static void retry_later(struct block_device *disk);

/*
 * Hand the request @r to the driver. Returns false when the driver is
 * busy (@r is back at the head of the queue).
 */
static bool queue_send(struct block_device *disk, struct bio *r)
{
	struct blk_queue *q = &blk_layer(disk)->q;
	uint64_t seen;
	bool idle;
	int err;

	spin_lock(&q->lock);
	q->inflight++;
	seen = q->completions;
	spin_unlock(&q->lock);
	err = disk->ops->submit(disk, r);
	if (!err) {
		blk_count(&blk_layer(disk)->st.driver_ios, 1);
		return true;
	}
	spin_lock(&q->lock);
	q->inflight--;
	if (err == -EBUSY) {
		blk_count(&blk_layer(disk)->st.busy, 1);
		queue_push_front_locked(q, r);
		/* A completion since we looked makes room at once; none in flight: poll later. */
		if (q->completions == seen)
			q->busy = true;
		idle = q->inflight == 0;
		spin_unlock(&q->lock);
		if (idle)
			retry_later(disk);
		return false;
	}
	spin_unlock(&q->lock);
	blk_finish(r, err);
	return true;
}

/*
 * Hand @disk's queued requests to its driver until none is left or the
 * driver is busy. One task runs a queue at a time; others only queue.
 * Task context.
 */
static void queue_run(struct block_device *disk)
{
	struct blk_queue *q = &blk_layer(disk)->q;
	struct blkq_limits l = blk_limits(disk);
	struct bio *first, *r;
	unsigned n, nvec;

	spin_lock(&q->lock);
	if (q->running) {
		spin_unlock(&q->lock);
		return;
	}
	q->running = true;
	while (q->head && !q->busy) {
		if (__atomic_load_n(&disk->flags, __ATOMIC_ACQUIRE) & BLK_REMOVED)
			break;
		first = queue_pop_run_locked(q, &l, &n, &nvec);
		spin_unlock(&q->lock);
		r = merge_make(disk, first, n, nvec);
		if (!r) {
			/* No memory to merge: send the oldest alone. */
			r = first;
			spin_lock(&q->lock);
			queue_push_front_locked(q, first->next);
			spin_unlock(&q->lock);
			first->next = NULL;
		}
		queue_send(disk, r);
		spin_lock(&q->lock);
	}
	q->running = false;
	spin_unlock(&q->lock);
	if (__atomic_load_n(&disk->flags, __ATOMIC_ACQUIRE) & BLK_REMOVED)
		blk_queue_abort(disk);
}

/* ---- the retry task ---- */

static struct spinlock retry_lock = SPINLOCK_INIT("blk-retry");
static struct block_device *retry_list __guarded_by(&retry_lock);
static struct waitq retry_wq = WAITQ_INIT(retry_wq, "blk-retry");

static void retry_later(struct block_device *disk)
{
	struct blk_queue *q = &blk_layer(disk)->q;

	spin_lock(&retry_lock);
	if (!q->on_retry) {
		q->on_retry = true;
		blk_get(disk);
		q->retry_next = retry_list;
		retry_list = disk;
	}
	spin_unlock(&retry_lock);
	waitq_wake_all(&retry_wq);
}

static bool retry_pending(void *ctx)
{
	(void)ctx;
	return __atomic_load_n(&retry_list, __ATOMIC_ACQUIRE) != NULL;
}

/* Take the whole retry list. */
static struct block_device *retry_take(void)
{
	struct block_device *d, *next, *list;

	spin_lock(&retry_lock);
	list = retry_list;
	retry_list = NULL;
	for (d = list; d; d = next) {
		next = blk_layer(d)->q.retry_next;
		blk_layer(d)->q.on_retry = false;
	}
	spin_unlock(&retry_lock);
	return list;
}

/*
 * The retry task: runs the queues whose driver was busy once a completion
 * made room. A driver that said -EBUSY with nothing in flight is asked
 * again after a millisecond.
 */
static int retry_main(void *arg)
{
	struct block_device *d, *next;

	(void)arg;
	for (;;) {
		if (waitq_wait(&retry_wq, retry_pending, NULL, 0, TIME_NEVER))
			continue;
		for (d = retry_take(); d; d = next) {
			struct blk_queue *q = &blk_layer(d)->q;
			bool poll;

			next = q->retry_next;
			spin_lock(&q->lock);
			poll = q->busy && q->inflight == 0;
			q->busy = false;
			spin_unlock(&q->lock);
			if (poll)
				task_sleep_ns(1000000);
			queue_run(d);
			blk_put(d);
		}
	}
	return 0;
}

int blk_retry_start(void)
{
	struct task_handle h;
	int err = task_spawn(&h, "blk-retry", retry_main, NULL);

	if (err)
		return err;
	return task_drop(h);
}

/* ---- submission and completion ---- */

void blk_queue_abort(struct block_device *disk)
{
	struct blk_queue *q = &blk_layer(disk)->q;
	struct bio *list, *next;

	spin_lock(&q->lock);
	if (q->running) {
		/* The runner sees BLK_REMOVED and calls us again when it stops. */
		spin_unlock(&q->lock);
		return;
	}
	list = q->head;
	q->head = q->tail = NULL;
	spin_unlock(&q->lock);
	for (; list; list = next) {
		next = list->next;
		list->next = NULL;
		blk_finish(list, -EIO);
	}
}

void blk_complete(struct bio *b, int status)
{
	struct block_device *disk = b->bdev->whole;
	struct blk_queue *q = &blk_layer(disk)->q;
	bool was_busy;

	spin_lock(&q->lock);
	q->inflight--;
	q->completions++;
	was_busy = q->busy;
	q->busy = false;
	spin_unlock(&q->lock);
	blk_finish(b, status);
	if (was_busy)
		retry_later(disk);
}

/* How many requests @b is cut into for @l (0: it cannot be cut); *@per gets pieces per request. */
static unsigned split_count(const struct bio *b, const struct blkq_limits *l, unsigned *per)
{
	const struct blkq_vec *v = (const struct blkq_vec *)b->vec;
	struct blkq_vec scratch[16];
	struct blkq_cursor c = { 0, 0 };
	unsigned n = 0;
	size_t nout;
	uint64_t done = 0, len;

	*per = l->max_vecs && l->max_vecs < b->nvec ? l->max_vecs : b->nvec;
	if (*per > 16)
		return 0; /* counted below with a bigger scratch */
	while ((len = blkq_next_piece(v, b->nvec, &c, l, scratch, &nout))) {
		done += len;
		n++;
	}
	return done == b->bytes ? n : 0;
}

/* Cut @b (already translated to @disk) into requests the driver accepts: *@first..*@last. */
static int submit_split(struct block_device *disk, struct bio *b, struct bio **first,
                        struct bio **last)
{
	struct blkq_limits l = blk_limits(disk);
	const struct blkq_vec *v = (const struct blkq_vec *)b->vec;
	struct blkq_cursor c = { 0, 0 };
	unsigned n, per;
	struct blk_split *s;
	struct bio_vec *vecs;
	uint64_t sector = b->sector;
	size_t nout;

	if (l.max_vecs > 16 || (!l.max_vecs && b->nvec > 16))
		l.max_vecs = 16; /* a smaller limit than the device's is always allowed */
	n = split_count(b, &l, &per);
	if (!n) {
		pr_err("block: %s: a request cannot be cut to the device's limits", b->bdev->name);
		return -EINVAL;
	}
	s = kmalloc_flags(sizeof(*s) + n * (sizeof(struct bio) + per * sizeof(struct bio_vec)),
	                  KM_MAY_FAIL | KM_ZERO);
	if (!s)
		return -ENOMEM;
	s->parent = b;
	s->remaining = (int)n;
	s->npieces = n;
	vecs = (struct bio_vec *)&s->piece[n];
	for (unsigned k = 0; k < n; k++) {
		struct bio *p = &s->piece[k];
		uint64_t len = blkq_next_piece(v, b->nvec, &c, &l, (struct blkq_vec *)vecs, &nout);

		*p = (struct bio){ .bdev = disk,
			           .op = b->op,
			           .flags = b->flags,
			           .sector = sector,
			           .bytes = len,
			           .vec = vecs,
			           .nvec = (unsigned)nout,
			           .end = split_end,
			           .priv = s };
		p->next = k + 1 < n ? &s->piece[k + 1] : NULL;
		sector += len >> SECTOR_SHIFT;
		vecs += per;
	}
	blk_count(&blk_layer(b->bdev)->st.splits, 1);
	*first = &s->piece[0];
	*last = &s->piece[n - 1];
	return 0;
}

/* The checks of blk_submit(): 0, or -errno for a request that must not go further. */
static int submit_check(struct bio *b)
{
	struct block_device *d = b->bdev;
	uint64_t sum = 0;
	unsigned flags = __atomic_load_n(&d->whole->flags, __ATOMIC_ACQUIRE);

	if ((flags | __atomic_load_n(&d->flags, __ATOMIC_ACQUIRE)) & BLK_REMOVED)
		return -EIO;
	switch (b->op) {
	case BIO_READ:
	case BIO_WRITE:
		if (!b->nvec || !b->vec)
			return -EINVAL;
		for (unsigned i = 0; i < b->nvec; i++)
			sum += b->vec[i].len;
		if (sum != b->bytes)
			return -EINVAL;
		if (b->op == BIO_WRITE && (__atomic_load_n(&d->flags, __ATOMIC_RELAXED) & BLK_RO))
			return -EROFS;
		break;
	case BIO_DISCARD:
		if (!(flags & BLK_DISCARD))
			return -EOPNOTSUPP;
		break;
	case BIO_FLUSH:
		return 0;
	default:
		return -EINVAL;
	}
	if (!blkq_range_ok(b->sector, b->bytes, d->nr_sectors, d->whole->lbsize))
		return -EINVAL;
	return 0;
}

/* Append the chain @first..@last to @disk's queue and run it. */
static void queue_add(struct block_device *disk, struct bio *first, struct bio *last)
{
	struct blk_queue *q = &blk_layer(disk)->q;

	spin_lock(&q->lock);
	last->next = NULL;
	if (q->tail)
		q->tail->next = first;
	else
		q->head = first;
	q->tail = last;
	spin_unlock(&q->lock);
	queue_run(disk);
}

/*
 * Check @b, count it, translate it to its disk and cut it if needed: the
 * chain to queue is *@first..*@last. 1: completed already (a flush with
 * nothing to flush). 0 or -errno (then @b is as it was).
 */
static int submit_prepare(struct bio *b, struct bio **first, struct bio **last)
{
	struct block_device *d = b->bdev, *disk = d->whole;
	struct blkq_limits l = blk_limits(disk);
	int err = submit_check(b);

	if (err)
		return err;
	if (b->op == BIO_FLUSH && !(__atomic_load_n(&disk->flags, __ATOMIC_RELAXED) & BLK_FLUSH)) {
		/* Nothing volatile to make durable. */
		b->status = 0;
		b->end(b);
		return 1;
	}
	b->sector += d->start_sector;
	b->next = NULL;
	*first = *last = b;
	if ((b->op == BIO_READ || b->op == BIO_WRITE) && !blkq_fits(b->bytes, b->nvec, &l)) {
		err = submit_split(disk, b, first, last);
		if (err) {
			b->sector -= d->start_sector;
			return err;
		}
	}
	if (b->op == BIO_READ || b->op == BIO_WRITE) {
		blk_count(&blk_layer(d)->st.ios[b->op == BIO_WRITE], 1);
		blk_count(&blk_layer(d)->st.sectors[b->op == BIO_WRITE], b->bytes >> SECTOR_SHIFT);
	}
	return 0;
}

int blk_submit(struct bio *b)
{
	struct bio *first, *last;
	int err;

	if (!b->bdev || !b->end)
		return -EINVAL;
	err = submit_prepare(b, &first, &last);
	if (err)
		return err < 0 ? err : 0;
	queue_add(b->bdev->whole, first, last);
	return 0;
}

int blk_submit_list(struct bio *list)
{
	struct block_device *disk = list ? list->bdev->whole : NULL;
	struct bio *b, *next, *first, *last, *head = NULL, *tail = NULL;
	int err, ret = 0;

	for (b = list; b; b = next) {
		next = b->next;
		if (!b->bdev || b->bdev->whole != disk || !b->end) {
			err = -EINVAL;
		} else {
			err = submit_prepare(b, &first, &last);
			if (err > 0)
				continue;
		}
		if (err) {
			/* Refused: complete it here, so every bio of the list ends once. */
			b->status = err;
			b->end(b);
			ret = ret ? ret : err;
			continue;
		}
		if (tail)
			tail->next = first;
		else
			head = first;
		tail = last;
	}
	if (head)
		queue_add(disk, head, tail);
	return ret;
}
