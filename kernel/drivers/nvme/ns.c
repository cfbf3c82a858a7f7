// SPDX-License-Identifier: MIT
/*
 * NVMe namespaces as block devices: the active ones found with Identify
 * (NVMe 1.4, 5.15), each registered as "nvme<C>n<NSID>", and the block
 * layer's requests turned into NVM commands (Read, Write, Flush, Dataset
 * Management) on the submitting CPU's queue. A request whose memory needs
 * several PRP descriptions becomes several commands that complete it
 * together; it is queued whole or not at all.
 */
#include <cairn/errno.h>

#include <lib/format.h>

#include "core/kmain.h"
#include "core/log.h"
#include "drivers/nvme/internal.h"
#include "mm/pmm.h"

_Static_assert(sizeof(struct bio_vec) == sizeof(struct nvme_seg) &&
                       offsetof(struct bio_vec, pa) == offsetof(struct nvme_seg, pa) &&
                       offsetof(struct bio_vec, len) == offsetof(struct nvme_seg, len),
               "a bio's vector is handed to lib/nvme as segments");

static struct nvme_queue *pick_queue(struct nvme_ctrl *c)
{
	/* A preempted submitter may land on another CPU: any queue is correct, this one is near. */
	return c->cpu_queue[this_cpu_index() % SMP_MAX_CPUS];
}

/* Room for @n commands now? -EBUSY when not; -EIO when there never will be. */
static int room_locked(struct nvme_queue *q, unsigned n) __must_hold(&q->lock)
{
	if (nvme_cids_free_count(&q->cids) >= n && nvme_sq_space(&q->sq) >= n)
		return 0;
	if (q->cids.inuse == 0) {
		/* Nothing in flight, so no completion will ever make room. */
		pr_err("%s: queue %u: no room for %u commands with none in flight", q->ctrl->name,
		       q->qid, n);
		return -EIO;
	}
	return -EBUSY;
}

/* Place the read or write commands of @b (room_locked() said they fit) and ring once. */
static void put_rw_locked(struct nvme_ns *ns, struct nvme_queue *q, struct bio *b,
                          const struct nvme_prp_limits *lim) __must_hold(&q->lock)
{
	struct nvme_prp_cursor cur;
	uint64_t slba = b->sector >> (ns->lba_shift - SECTOR_SHIFT);
	uint16_t cid, lead = 0;
	struct nvme_prp prp;
	struct nvme_sqe s;
	unsigned n = 0;
	int err = 0;

	nvme_prp_start(&cur, (const struct nvme_seg *)b->vec, b->nvec);
	/* room_locked() and nvme_prp_pieces() vouched for every step below. */
	while (nvme_queue_reserve_locked(q, NVME_CMD_BIO, &cid) == 0) {
		struct nvme_cmd *cmd = &q->cmds[cid];

		if (nvme_prp_next(&cur, lim, cmd->prp_list, cmd->prp_pa, &prp) || !prp.bytes) {
			nvme_cid_release_locked(q, cid, false);
			break;
		}
		if (n++ == 0) {
			lead = cid;
			cmd->bio = b;
		}
		cmd->lead = lead;
		q->cmds[lead].pieces++;
		nvme_cmd_rw(&s, b->op == BIO_WRITE, ns->nsid, slba, prp.bytes >> ns->lba_shift,
		            b->flags & BIO_FUA, &prp);
		err = nvme_queue_put_locked(q, cid, &s);
		ASSERT(err == 0); /* room_locked() counted the ring slots */
		slba += prp.bytes >> ns->lba_shift;
	}
	(void)err;
	nvme_queue_ring_locked(q);
}

static int submit_rw(struct nvme_ns *ns, struct nvme_queue *q, struct bio *b)
{
	struct nvme_prp_limits lim = {
		.page = 4096,
		.block = 1u << ns->lba_shift,
		.max_bytes = ns->ctrl->max_bytes,
		.list_cap = 4096 / sizeof(uint64_t),
	};
	int pieces = nvme_prp_pieces((const struct nvme_seg *)b->vec, b->nvec, &lim);
	int err;

	if (pieces <= 0) {
		pr_warn("%s: a request's memory cannot be described by PRP lists (%u pieces)",
		        ns->bdev.name, b->nvec);
		return -EINVAL;
	}
	spin_lock(&q->lock);
	err = room_locked(q, (unsigned)pieces);
	if (!err)
		put_rw_locked(ns, q, b, &lim);
	spin_unlock(&q->lock);
	return err;
}

/* Flush or deallocate: one command with no data, or with the range list in its page. */
static int submit_other(struct nvme_ns *ns, struct nvme_queue *q, struct bio *b)
{
	uint64_t slba = b->sector >> (ns->lba_shift - SECTOR_SHIFT);
	struct nvme_sqe s;
	uint16_t cid;
	int err, nr;

	spin_lock(&q->lock);
	err = room_locked(q, 1);
	if (err)
		goto out_unlock;
	err = nvme_queue_reserve_locked(q, NVME_CMD_BIO, &cid);
	if (err)
		goto out_unlock; /* room_locked() said there is one: cannot happen */
	q->cmds[cid].bio = b;
	q->cmds[cid].pieces = 1;
	if (b->op == BIO_FLUSH) {
		nvme_cmd_flush(&s, ns->nsid);
	} else {
		nr = nvme_dsm_ranges((struct nvme_dsm_range *)q->cmds[cid].prp_list,
		                     NVME_DSM_MAX_RANGES, slba, b->bytes >> ns->lba_shift);
		if (nr < 0) {
			nvme_cid_release_locked(q, cid, false);
			err = -EINVAL;
			goto out_unlock;
		}
		nvme_cmd_dsm_deallocate(&s, ns->nsid, (unsigned)nr, q->cmds[cid].prp_pa);
	}
	err = nvme_queue_put_locked(q, cid, &s);
	if (err)
		nvme_cid_release_locked(q, cid, false);
	else
		nvme_queue_ring_locked(q);
out_unlock:
	spin_unlock(&q->lock);
	return err;
}

/*
 * Whether @b lies inside @ns on block boundaries and its pieces add up to
 * its length (the layer checked; a cheap second look before the device
 * moves data).
 */
static bool bio_ok(struct nvme_ns *ns, struct bio *b)
{
	uint64_t mask = (1ull << (ns->lba_shift - SECTOR_SHIFT)) - 1, sum = 0;
	uint64_t blocks = b->bytes >> ns->lba_shift, first = b->sector >> (ns->lba_shift - 9);

	if ((b->sector & mask) || (b->bytes & ((1ull << ns->lba_shift) - 1)))
		return false;
	if (b->op == BIO_READ || b->op == BIO_WRITE) {
		for (unsigned i = 0; i < b->nvec; i++)
			sum += b->vec[i].len;
		if (sum != b->bytes)
			return false;
	}
	return first <= ns->nblocks && blocks <= ns->nblocks - first;
}

/* The block layer's submit: 0 (queued, or already completed with an error) or -EBUSY. */
static int nvme_blk_submit(struct block_device *d, struct bio *b)
{
	struct nvme_ns *ns = d->priv;
	struct nvme_ctrl *c = ns->ctrl;
	struct nvme_queue *q;
	int err;

	if (__atomic_load_n(&c->dead, __ATOMIC_ACQUIRE))
		err = -EIO;
	else if (b->op == BIO_FLUSH && !c->info.vwc)
		err = 1; /* no volatile cache: every completed write is already durable */
	else if (b->op == BIO_DISCARD && !(d->flags & BLK_DISCARD))
		err = -ENOTSUP;
	else if (b->op != BIO_FLUSH && !bio_ok(ns, b))
		err = -EINVAL;
	else {
		q = pick_queue(c);
		err = b->op == BIO_READ || b->op == BIO_WRITE ? submit_rw(ns, q, b)
		                                              : submit_other(ns, q, b);
	}
	if (err == -EBUSY)
		return err;
	if (err)
		blk_complete(b, err > 0 ? 0 : err);
	return 0;
}

/* The last user of a removed namespace went: its controller may go too. */
static void nvme_blk_release(struct block_device *d)
{
	struct nvme_ns *ns = d->priv;

	nvme_ctrl_put(ns->ctrl);
}

static const struct blk_ops nvme_blk_ops = {
	.submit = nvme_blk_submit,
	.release = nvme_blk_release,
};

static void log_ns(struct nvme_ns *ns)
{
	struct nvme_ctrl *c = ns->ctrl;

	pr_info("%s: %llu MiB, %llu blocks of %u bytes%s%s", ns->bdev.name,
	        (unsigned long long)(ns->bdev.nr_sectors >> 11), (unsigned long long)ns->nblocks,
	        ns->bdev.lbsize, c->info.vwc ? ", volatile write cache" : "",
	        c->info.oncs & NVME_ONCS_DSM ? ", discard" : "");
}

/* Fill and register namespace @nsid from its Identify data. */
static int add_ns(struct nvme_ctrl *c, uint32_t nsid, const void *id)
{
	struct nvme_ns *ns = &c->ns[c->nns];
	struct nvme_ns_info ni;
	int err = nvme_parse_id_ns(id, &ni);

	if (err) {
		if (err != -ENODEV)
			pr_warn("%s: namespace %u: Identify data invalid", c->name, nsid);
		return err;
	}
	if (ni.ms || (ni.lba_shift != 9 && ni.lba_shift != 12)) {
		pr_warn("%s: namespace %u: format unsupported (%u-byte blocks, %u bytes metadata)",
		        c->name, nsid, 1u << ni.lba_shift, ni.ms);
		return -ENOTSUP;
	}
	ns->ctrl = c;
	ns->nsid = nsid;
	ns->lba_shift = ni.lba_shift;
	ns->nblocks = ni.nsze;
	fmt_snprintf(ns->bdev.name, sizeof(ns->bdev.name), "%sn%u", c->name, nsid);
	ns->bdev.lbsize = 1u << ni.lba_shift;
	ns->bdev.nr_sectors = ni.nsze << (ni.lba_shift - SECTOR_SHIFT);
	ns->bdev.max_bytes = c->max_bytes;
	/*
	 * A request becomes at most one command per piece, so with no more
	 * pieces than a queue has identifiers an idle queue always has room.
	 */
	ns->bdev.max_vecs = c->io_depth - 1;
	ns->bdev.flags =
		(c->info.vwc ? BLK_FLUSH : 0) | (c->info.oncs & NVME_ONCS_DSM ? BLK_DISCARD : 0);
	ns->bdev.ops = &nvme_blk_ops;
	ns->bdev.priv = ns;
	c->nns++;
	__atomic_fetch_add(&c->refs, 1, __ATOMIC_RELAXED); /* dropped by nvme_blk_release() */
	err = blk_register(&ns->bdev);
	if (err) {
		pr_err("%s: cannot register: error %d", ns->bdev.name, err);
		nvme_ctrl_put(c);
		return err;
	}
	ns->registered = true;
	log_ns(ns);
	return 0;
}

/* The IDs to look at: the active list (NVMe 1.1 on), else 1..NN. */
static int list_ns(struct nvme_ctrl *c, void *buf, uint64_t pa, uint32_t *ids)
{
	struct nvme_sqe s;
	unsigned i, n;
	int err;

	if (c->info.version >= 0x10100) {
		nvme_cmd_identify(&s, NVME_CNS_NS_LIST, 0, pa);
		err = nvme_admin(c, &s, NULL);
		if (!err)
			err = nvme_parse_ns_list(buf, c->info.nn, ids, NVME_MAX_NS);
		if (err < 0)
			pr_warn("%s: active namespace list unusable: error %d", c->name, err);
		return err;
	}
	n = c->info.nn < NVME_MAX_NS ? c->info.nn : NVME_MAX_NS;
	for (i = 0; i < n; i++)
		ids[i] = i + 1;
	return (int)n;
}

int nvme_scan_namespaces(struct nvme_ctrl *c)
{
	uint64_t pa = pmm_alloc_pages(0, PMM_ZERO);
	uint32_t ids[NVME_MAX_NS];
	struct nvme_sqe s;
	int n, i, err;

	if (!pa)
		return -ENOMEM;
	n = list_ns(c, phys_to_virt(pa), pa, ids);
	for (i = 0; i < n && c->nns < NVME_MAX_NS; i++) {
		nvme_cmd_identify(&s, NVME_CNS_NS, ids[i], pa);
		err = nvme_admin(c, &s, NULL);
		if (!err)
			(void)add_ns(c, ids[i], phys_to_virt(pa));
	}
	pmm_free_pages(pa, 0);
	if (c->nns == 0)
		pr_info("%s: no usable namespace", c->name);
	return n < 0 ? n : 0;
}

void nvme_remove_namespaces(struct nvme_ctrl *c)
{
	unsigned i;

	for (i = 0; i < c->nns; i++)
		if (c->ns[i].registered)
			blk_unregister(&c->ns[i].bdev);
}
