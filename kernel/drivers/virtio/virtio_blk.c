// SPDX-License-Identifier: MIT
/*
 * virtio-blk (virtio 1.2, 5.2): a disk registered with the block layer as
 * vda, vdb... Each bio becomes one request (a descriptor chain: header,
 * data, status byte) so that as many are in flight as the ring holds;
 * with VIRTIO_BLK_F_MQ there is a queue per CPU (up to the device's
 * count) and a request goes to the submitting CPU's. Flush and discard
 * when the device offers them; a write with BIO_FUA is followed by a
 * flush before it completes.
 *
 * Locks: [I] fixed at probe; [S] vblk_queue.lock (slots and the scratch
 * buffer list; taken before the virtqueue's lock, never inside done()).
 */
#include <cairn/errno.h>

#include <lib/format.h>

#include "block/blkdev.h"
#include "core/kmain.h"
#include "core/log.h"
#include "core/percpu.h"
#include "core/smp.h"
#include "drivers/virtio/internal.h"
#include "drivers/virtio/virtio.h"
#include "mm/heap.h"
#include "mm/pmm.h"

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SEG_MAX  2
#define VIRTIO_BLK_F_RO       5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH    9
#define VIRTIO_BLK_F_MQ       12
#define VIRTIO_BLK_F_DISCARD  13

/* struct virtio_blk_config (5.2.4), byte offsets. */
#define VBLK_CFG_CAPACITY        0u  /* le64, in 512-byte sectors */
#define VBLK_CFG_SEG_MAX         12u /* le32 */
#define VBLK_CFG_BLK_SIZE        20u /* le32 */
#define VBLK_CFG_NUM_QUEUES      34u /* le16 */
#define VBLK_CFG_MAX_DISCARD_SEC 36u /* le32 */

/* Request types and status values (5.2.6). */
#define VIRTIO_BLK_T_IN      0u
#define VIRTIO_BLK_T_OUT     1u
#define VIRTIO_BLK_T_FLUSH   4u
#define VIRTIO_BLK_T_DISCARD 11u
#define VIRTIO_BLK_S_OK      0u
#define VIRTIO_BLK_S_IOERR   1u
#define VIRTIO_BLK_S_UNSUPP  2u

#define VBLK_MAX_VECS    126u /* bio_vecs per request: 504 KiB in pages */
/* An indirect table holds a whole chain: header, VBLK_MAX_VECS pieces, status. */
#define VBLK_TABLE_BYTES ((VBLK_MAX_VECS + 2) * sizeof(struct vring_desc))
#define VBLK_TABLES      64u /* indirect tables per queue */
#define VBLK_DIRECT_MAX  8u  /* longer chains go indirect when a table is free */
#define VBLK_SLOT        64u /* bytes of DMA memory per request */
#define VBLK_MAX_QUEUES  VIRTIO_BLK_MAX_QUEUES

/* The device-visible part of a request (5.2.6), one VBLK_SLOT each. */
struct vblk_dma {
	uint32_t type; /* VIRTIO_BLK_T_* */
	uint32_t reserved;
	uint64_t sector;  /* 512-byte units whatever the block size */
	uint64_t dsector; /* discard segment (5.2.6: virtio_blk_discard_write_zeroes) */
	uint32_t dsectors;
	uint32_t dflags;
	uint8_t status; /* written by the device */
};
_Static_assert(sizeof(struct vblk_dma) <= VBLK_SLOT, "a request's DMA slot");
_Static_assert(offsetof(struct vblk_dma, dsector) == 16, "the header is 16 bytes");

struct vblk;

/* One request slot: the bio it carries and what is left to do. */
struct vblk_slot {
	struct bio *bio;      /* [S] NULL when free */
	struct vblk_queue *q; /* [I] */
	uint16_t idx;         /* [I] index in q->slots and its DMA slot */
	uint16_t next_free;   /* [S] */
	bool flush_after;     /* [S] a FUA write: flush before completing */
	int16_t table;        /* [S] its indirect table, -1 when none */
};

struct vblk_queue {
	struct spinlock lock;
	struct vblk *v;          /* [I] */
	struct virtqueue *vq;    /* [I] */
	struct vblk_slot *slots; /* [I] array of nslots */
	unsigned nslots;         /* [I] */
	uint16_t free_head;      /* [S] first free slot, nslots when none */
	struct vblk_dma *dma;    /* [I] nslots DMA slots (direct map) */
	uint64_t dma_pa;         /* [I] their physical address */
	size_t dma_pages;        /* [I] */
	struct vring_buf *bufs;  /* [S] scratch for building one chain */
	uint8_t *tables;         /* [I] ntables indirect tables (direct map), NULL without */
	uint64_t tables_pa;      /* [I] their physical address */
	size_t tables_pages;     /* [I] */
	uint16_t *table_free;    /* [S] stack of free table numbers */
	unsigned ntable_free;    /* [S] its depth */
};

struct vblk {
	struct virtio_dev *vd;     /* [I] */
	struct block_device bdev;  /* [I] as registered */
	struct vblk_queue *queues; /* [I] */
	unsigned nq;               /* [I] */
	uint32_t max_discard;      /* [I] sectors per discard (0: no discard) */
};

static unsigned vblk_count; /* [a] disks probed, for the letter */

static uint64_t slot_pa(struct vblk_queue *q, unsigned idx)
{
	return q->dma_pa + (uint64_t)idx * VBLK_SLOT;
}

static struct vblk_dma *slot_dma(struct vblk_queue *q, unsigned idx)
{
	return (struct vblk_dma *)(void *)((uint8_t *)q->dma + (size_t)idx * VBLK_SLOT);
}

/* 5.2.6: the status byte, or the device's claim on the chain, as an error. */
static int vblk_status(struct vblk_dma *r, uint32_t len, int err)
{
	if (err || len < 1)
		return -EIO;
	if (r->status == VIRTIO_BLK_S_OK)
		return 0;
	return r->status == VIRTIO_BLK_S_UNSUPP ? -ENOTSUP : -EIO;
}

/*
 * Build the chain for @s's bio (or a flush when @flush) in q->bufs: the
 * header, the data or discard segment, the status byte. Returns the
 * readable count in *@nout and the total, or -EINVAL.
 */
static int build_chain_locked(struct vblk_queue *q, struct vblk_slot *s, bool flush, unsigned *nout)
	__must_hold(&q->lock)
{
	struct vblk_dma *r = slot_dma(q, s->idx);
	struct bio *b = s->bio;
	uint64_t pa = slot_pa(q, s->idx);
	unsigned n = 1, i;

	r->reserved = 0;
	r->sector = b->sector;
	r->status = 0xff;
	q->bufs[0] = (struct vring_buf){ pa, 16 };
	if (flush || b->op == BIO_FLUSH) {
		r->type = VIRTIO_BLK_T_FLUSH;
		r->sector = 0;
		*nout = 1;
	} else if (b->op == BIO_DISCARD) {
		r->type = VIRTIO_BLK_T_DISCARD;
		r->dsector = b->sector;
		r->dsectors = (uint32_t)(b->bytes >> SECTOR_SHIFT);
		r->dflags = 0;
		q->bufs[n++] = (struct vring_buf){ pa + 16, 16 };
		*nout = n;
	} else {
		r->type = b->op == BIO_WRITE ? VIRTIO_BLK_T_OUT : VIRTIO_BLK_T_IN;
		for (i = 0; i < b->nvec; i++)
			q->bufs[n++] = (struct vring_buf){ b->vec[i].pa, b->vec[i].len };
		*nout = b->op == BIO_WRITE ? n : 1;
	}
	q->bufs[n++] = (struct vring_buf){ pa + offsetof(struct vblk_dma, status), 1 };
	return (int)n;
}

/* Give @s's indirect table back, if it has one. */
static void drop_table_locked(struct vblk_queue *q, struct vblk_slot *s) __must_hold(&q->lock)
{
	if (s->table >= 0)
		q->table_free[q->ntable_free++] = (uint16_t)s->table;
	s->table = -1;
}

/*
 * Queue slot @s on the device: a long chain as one indirect descriptor
 * when a table is free (so big requests do not fill the ring), else
 * directly. 0, -ENOSPC or -EIO.
 */
static int start_locked(struct vblk_queue *q, struct vblk_slot *s, bool flush) __must_hold(&q->lock)
{
	unsigned nout, n = (unsigned)build_chain_locked(q, s, flush, &nout);
	size_t off;
	int err;

	if (n <= VBLK_DIRECT_MAX || !q->ntable_free)
		return virtqueue_submit(q->vq, q->bufs, nout, n - nout, s);
	s->table = (int16_t)q->table_free[--q->ntable_free];
	off = (size_t)s->table * VBLK_TABLE_BYTES;
	err = virtqueue_submit_indirect(q->vq, (struct vring_desc *)(void *)(q->tables + off),
	                                q->tables_pa + off, q->bufs, nout, n - nout, s);
	if (err)
		drop_table_locked(q, s);
	return err;
}

static void put_slot_locked(struct vblk_queue *q, struct vblk_slot *s) __must_hold(&q->lock)
{
	drop_table_locked(q, s);
	s->bio = NULL;
	s->next_free = q->free_head;
	q->free_head = s->idx;
}

/* The device finished a chain (interrupt context, no lock held). */
static void vblk_done(struct virtqueue *vq, void *token, uint32_t len, int err)
{
	struct vblk_slot *s = token;
	struct vblk_queue *q = s->q;
	struct bio *b = s->bio;
	int status = vblk_status(slot_dma(q, s->idx), len, err);

	(void)vq;
	spin_lock(&q->lock);
	drop_table_locked(q, s);
	if (status == 0 && s->flush_after) {
		/* The FUA write is done; its flush reuses the slot. */
		s->flush_after = false;
		status = start_locked(q, s, true);
		if (status == 0) {
			spin_unlock(&q->lock);
			return;
		}
	}
	put_slot_locked(q, s);
	spin_unlock(&q->lock);
	blk_complete(b, status);
}

/* Whether the device can carry out @b as it is: 0, or the error to complete it with. */
static int vblk_check(struct vblk *v, const struct bio *b)
{
	switch (b->op) {
	case BIO_READ:
	case BIO_WRITE:
		if (b->nvec == 0 || b->nvec > VBLK_MAX_VECS || b->nvec + 2 > v->queues[0].vq->size)
			return -EINVAL;
		return b->op == BIO_WRITE && (v->bdev.flags & BLK_RO) ? -EROFS : 0;
	case BIO_FLUSH:
		return 0;
	case BIO_DISCARD:
		if (!v->max_discard)
			return -ENOTSUP;
		return b->bytes >> SECTOR_SHIFT > v->max_discard ? -EINVAL : 0;
	}
	return -EINVAL;
}

/* blk_ops.submit: see kernel/block/blkdev.h. */
static int vblk_submit(struct block_device *d, struct bio *b)
{
	struct vblk *v = d->priv;
	struct vblk_queue *q = &v->queues[this_cpu_index() % v->nq];
	struct vblk_slot *s;
	int err = vblk_check(v, b);

	if (!err && b->op == BIO_FLUSH && !virtio_has(v->vd, VIRTIO_BLK_F_FLUSH))
		err = 1; /* no volatile cache: nothing to do */
	if (err) {
		blk_complete(b, err > 0 ? 0 : err);
		return 0;
	}
	spin_lock(&q->lock);
	if (q->free_head == q->nslots) {
		spin_unlock(&q->lock);
		return -EBUSY;
	}
	s = &q->slots[q->free_head];
	q->free_head = s->next_free;
	s->bio = b;
	s->flush_after =
		b->op == BIO_WRITE && (b->flags & BIO_FUA) && virtio_has(v->vd, VIRTIO_BLK_F_FLUSH);
	err = start_locked(q, s, false);
	if (err)
		put_slot_locked(q, s);
	spin_unlock(&q->lock);
	if (err == -ENOSPC)
		return -EBUSY;
	if (err)
		blk_complete(b, err);
	return 0;
}

static void queues_free(struct vblk *v);

/* blk_ops.release: the last reference to the disk went after vblk_remove(). */
static void vblk_release(struct block_device *d)
{
	struct vblk *v = d->priv;

	queues_free(v);
	kfree(v);
}

static const struct blk_ops vblk_ops = {
	.submit = vblk_submit,
	.release = vblk_release,
};

/* The indirect tables of @q, when the device takes them (VIRTIO_F_INDIRECT_DESC). */
static int tables_alloc(struct vblk_queue *q, unsigned n)
{
	q->table_free = kcalloc(n, sizeof(*q->table_free));
	q->tables_pages = (n * VBLK_TABLE_BYTES + 4095) / 4096;
	q->tables_pa = pmm_alloc_contig(q->tables_pages, 0);
	if (!q->table_free || !q->tables_pa)
		return -ENOMEM;
	q->tables = phys_to_virt(q->tables_pa);
	spin_lock(&q->lock);
	for (q->ntable_free = 0; q->ntable_free < n; q->ntable_free++)
		q->table_free[q->ntable_free] = (uint16_t)q->ntable_free;
	spin_unlock(&q->lock);
	return 0;
}

/* Slots, their DMA memory and the scratch list for queue @q of @size entries. */
static int queue_alloc(struct vblk *v, struct vblk_queue *q, unsigned size)
{
	unsigned i;

	spin_init(&q->lock, "vblk");
	q->v = v;
	q->nslots = size;
	q->slots = kcalloc(size, sizeof(*q->slots));
	q->bufs = kcalloc(VBLK_MAX_VECS + 2, sizeof(*q->bufs));
	q->dma_pages = (size * VBLK_SLOT + 4095) / 4096;
	q->dma_pa = pmm_alloc_contig(q->dma_pages, 0);
	if (!q->slots || !q->bufs || !q->dma_pa)
		return -ENOMEM;
	q->dma = phys_to_virt(q->dma_pa);
	spin_lock(&q->lock);
	for (i = 0; i < size; i++) {
		q->slots[i].q = q;
		q->slots[i].idx = (uint16_t)i;
		q->slots[i].next_free = (uint16_t)(i + 1);
		q->slots[i].table = -1;
	}
	q->free_head = 0;
	spin_unlock(&q->lock);
	if (!virtio_has(v->vd, VIRTIO_F_INDIRECT_DESC))
		return 0;
	return tables_alloc(q, size < VBLK_TABLES ? size : VBLK_TABLES);
}

static void queues_free(struct vblk *v)
{
	unsigned i;

	for (i = 0; v->queues && i < v->nq; i++) {
		kfree(v->queues[i].slots);
		kfree(v->queues[i].bufs);
		if (v->queues[i].dma_pa)
			pmm_free_contig(v->queues[i].dma_pa, v->queues[i].dma_pages);
		kfree(v->queues[i].table_free);
		if (v->queues[i].tables_pa)
			pmm_free_contig(v->queues[i].tables_pa, v->queues[i].tables_pages);
	}
	kfree(v->queues);
}

/* How many queues: one per CPU up to the device's num_queues with MQ (5.2.4), else one. */
static unsigned vblk_nqueues(struct virtio_dev *vd)
{
	uint64_t n = 1;
	unsigned cpus = smp_cpu_count();

	if (virtio_has(vd, VIRTIO_BLK_F_MQ) && virtio_cfg_read(vd, VBLK_CFG_NUM_QUEUES, 2, &n))
		n = 1;
	if (n == 0)
		n = 1;
	return (unsigned)(n < cpus ? n : cpus);
}

static int vblk_queues(struct vblk *v)
{
	struct virtqueue_info info[VBLK_MAX_QUEUES];
	unsigned i;
	int err;

	v->nq = vblk_nqueues(v->vd);
	if (v->nq > ARRAY_SIZE(info))
		v->nq = ARRAY_SIZE(info);
	v->queues = kcalloc(v->nq, sizeof(*v->queues));
	if (!v->queues)
		return -ENOMEM;
	for (i = 0; i < v->nq; i++)
		info[i] = (struct virtqueue_info){ .name = "requests",
			                           .done = vblk_done,
			                           .ctx = &v->queues[i] };
	err = virtio_setup_queues(v->vd, v->nq, info);
	for (i = 0; !err && i < v->nq; i++) {
		v->queues[i].vq = &v->vd->vqs[i];
		err = queue_alloc(v, &v->queues[i], v->vd->vqs[i].size);
	}
	return err;
}

/* Linux's disk names: vda..vdz, then vdaa, vdab... (a bijective base 26). */
static void vblk_name(char *buf, size_t size, unsigned n)
{
	char rev[8];
	unsigned len = 0, i;

	n++;
	while (n && len < sizeof(rev)) {
		n--;
		rev[len++] = (char)('a' + n % 26);
		n /= 26;
	}
	fmt_snprintf(buf, size, "vd");
	for (i = 0; i < len && 2 + i + 1 < size; i++)
		buf[2 + i] = rev[len - 1 - i];
	buf[2 + i] = '\0';
}

/* Read the configuration (5.2.4) into @v->bdev: size, block size, limits, flags. */
static int vblk_config(struct vblk *v)
{
	struct virtio_dev *vd = v->vd;
	struct block_device *d = &v->bdev;
	uint64_t cap, x;
	unsigned n = __atomic_fetch_add(&vblk_count, 1, __ATOMIC_RELAXED);

	if (virtio_cfg_read(vd, VBLK_CFG_CAPACITY, 8, &cap))
		return -EIO;
	d->lbsize = SECTOR_SIZE;
	if (virtio_has(vd, VIRTIO_BLK_F_BLK_SIZE) &&
	    !virtio_cfg_read(vd, VBLK_CFG_BLK_SIZE, 4, &x) && x == 4096)
		d->lbsize = 4096;
	d->nr_sectors = cap;
	d->max_vecs = VBLK_MAX_VECS;
	if (virtio_has(vd, VIRTIO_BLK_F_SEG_MAX) && !virtio_cfg_read(vd, VBLK_CFG_SEG_MAX, 4, &x) &&
	    x > 0 && x < d->max_vecs)
		d->max_vecs = (uint32_t)x;
	if (d->max_vecs + 2 > v->queues[0].vq->size)
		d->max_vecs = v->queues[0].vq->size - 2;
	d->max_bytes = d->max_vecs * 4096u;
	if (virtio_has(vd, VIRTIO_BLK_F_RO))
		d->flags |= BLK_RO;
	if (virtio_has(vd, VIRTIO_BLK_F_FLUSH))
		d->flags |= BLK_FLUSH;
	if (virtio_has(vd, VIRTIO_BLK_F_DISCARD) &&
	    !virtio_cfg_read(vd, VBLK_CFG_MAX_DISCARD_SEC, 4, &x) && x) {
		v->max_discard = (uint32_t)x;
		d->flags |= BLK_DISCARD;
	}
	vblk_name(d->name, sizeof(d->name), n);
	d->ops = &vblk_ops;
	d->priv = v;
	return 0;
}

int virtio_blk_stats(struct block_device *d, struct virtio_blk_stats *out)
{
	struct block_device *disk = d->whole ? d->whole : d;
	struct vblk *v = disk->priv;
	unsigned i;

	if (disk->ops != &vblk_ops)
		return -ENODEV;
	out->nq = v->nq;
	out->vector_per_queue = virtio_vector_per_queue(v->vd);
	out->indirect = virtio_has(v->vd, VIRTIO_F_INDIRECT_DESC);
	out->indirect_requests = 0;
	for (i = 0; i < v->nq; i++) {
		struct virtqueue *vq = v->queues[i].vq;

		out->cpu[i] = vq->cpu;
		spin_lock(&vq->lock);
		out->completed[i] = vq->completed;
		out->max_inflight[i] = vq->max_inflight;
		out->indirect_requests += vq->indirect;
		spin_unlock(&vq->lock);
	}
	return 0;
}

static int vblk_probe(struct virtio_dev *vd)
{
	struct vblk *v = kcalloc(1, sizeof(*v));
	int err;

	if (!v)
		return -ENOMEM;
	v->vd = vd;
	vd->drvdata = v;
	err = vblk_queues(v);
	if (!err && v->queues[0].vq->size < 4)
		err = -ENODEV; /* too small for a header, data and status */
	if (!err)
		err = vblk_config(v);
	if (err)
		goto out_free;
	virtio_ready(vd);
	err = blk_register(&v->bdev);
	if (err)
		goto out_free;
	pr_info("virtio-blk: %s: %s, %lu MiB, %u-byte blocks, %u queue(s) of %u, %s%s%s%s",
	        vd->name, v->bdev.name, (unsigned long)(v->bdev.nr_sectors >> 11), v->bdev.lbsize,
	        v->nq, v->queues[0].vq->size, virtio_irq_mode(vd),
	        (v->bdev.flags & BLK_RO) ? ", read-only" : "",
	        (v->bdev.flags & BLK_FLUSH) ? ", flush" : "",
	        (v->bdev.flags & BLK_DISCARD) ? ", discard" : "");
	return 0;
out_free:
	pr_err("virtio-blk: %s: cannot start: error %d", vd->name, err);
	queues_free(v);
	vd->drvdata = NULL;
	kfree(v);
	return err;
}

static void vblk_remove(struct virtio_dev *vd)
{
	struct vblk *v = vd->drvdata;

	/*
	 * The transport has reset the device and failed every request in
	 * flight; the layer fails what it queued and sends no more. The disk
	 * itself goes at its last reference (vblk_release).
	 */
	vd->drvdata = NULL;
	blk_unregister(&v->bdev);
}

const struct virtio_driver virtio_blk_driver = {
	.name = "virtio-blk",
	.type = VIRTIO_ID_BLOCK,
	.features = 1u << VIRTIO_BLK_F_SEG_MAX | 1u << VIRTIO_BLK_F_RO |
	            1u << VIRTIO_BLK_F_BLK_SIZE | 1u << VIRTIO_BLK_F_FLUSH | 1u << VIRTIO_BLK_F_MQ |
	            1u << VIRTIO_BLK_F_DISCARD | 1ull << VIRTIO_F_INDIRECT_DESC,
	.probe = vblk_probe,
	.remove = vblk_remove,
};
