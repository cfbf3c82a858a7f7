// SPDX-License-Identifier: MIT
/*
 * NVMe queue pairs: rings in physically contiguous zeroed frames, commands
 * placed under a fresh identifier, the doorbells, and the completion side
 * -- the interrupt handler, a poll for lost interrupts, failing what a
 * dead controller still holds, and the watchdog that notices overdue
 * commands and the controller's fatal status (NVMe 1.4, 4.1, 4.6, 3.1.6).
 * Bios are completed after q->lock is dropped: a completion may submit.
 */
#include <cairn/errno.h>

#include <arch/mmio.h>
#include <lib/string.h>

#include "core/kmain.h"
#include "core/log.h"
#include "drivers/nvme/internal.h"
#include "mm/heap.h"
#include "mm/pmm.h"

#define PAGE_4K 4096u

/* The smallest buddy order holding @bytes. */
static unsigned order_of(uint64_t bytes)
{
	unsigned order = 0;

	while ((uint64_t)PAGE_4K << order < bytes)
		order++;
	return order;
}

static void free_prp_lists(struct nvme_queue *q)
{
	uint32_t i;

	for (i = 0; i < q->depth && q->qid; i++)
		if (q->cmds[i].prp_pa)
			pmm_free_frame(q->cmds[i].prp_pa);
}

/* Each I/O identifier owns one PRP list page, so placing a command never allocates. */
static int alloc_prp_lists(struct nvme_queue *q)
{
	uint32_t i;

	for (i = 0; i < q->depth; i++) {
		q->cmds[i].prp_pa = pmm_alloc_pages(0, PMM_ZERO);
		if (!q->cmds[i].prp_pa)
			return -ENOMEM;
		q->cmds[i].prp_list = phys_to_virt(q->cmds[i].prp_pa);
	}
	return 0;
}

int nvme_queue_alloc(struct nvme_ctrl *c, struct nvme_queue *q, uint16_t qid, uint32_t depth)
{
	uint64_t sq_bytes = (uint64_t)depth * sizeof(struct nvme_sqe);
	uint64_t cq_bytes = (uint64_t)depth * sizeof(struct nvme_cqe);

	spin_init(&q->lock, qid ? "nvme.ioq" : "nvme.adminq");
	q->ctrl = c;
	q->qid = qid;
	q->depth = depth;
	q->sq_pa = pmm_alloc_pages(order_of(sq_bytes), PMM_ZERO);
	q->cq_pa = pmm_alloc_pages(order_of(cq_bytes), PMM_ZERO);
	q->cmds = kmalloc_flags(depth * sizeof(*q->cmds), KM_ZERO | KM_MAY_FAIL);
	if (!q->sq_pa || !q->cq_pa || !q->cmds)
		goto out_free;
	if (qid && alloc_prp_lists(q))
		goto out_free;
	q->sq_ring = phys_to_virt(q->sq_pa);
	q->cq_ring = phys_to_virt(q->cq_pa);
	q->sq_db = c->regs + nvme_sq_doorbell(qid, c->cap.db_stride);
	q->cq_db = c->regs + nvme_cq_doorbell(qid, c->cap.db_stride);
	nvme_sq_init(&q->sq, depth);
	nvme_cq_init(&q->cq, depth);
	/* One identifier fewer than entries: the ring can never be fuller than 4.1.1 allows. */
	if (nvme_cids_init(&q->cids, depth - 1))
		goto out_free;
	return 0;
out_free:
	nvme_queue_free(q);
	return -ENOMEM;
}

void nvme_queue_free(struct nvme_queue *q)
{
	if (q->cmds)
		free_prp_lists(q);
	kfree(q->cmds);
	q->cmds = NULL;
	if (q->sq_pa)
		pmm_free_pages(q->sq_pa, order_of((uint64_t)q->depth * sizeof(struct nvme_sqe)));
	if (q->cq_pa)
		pmm_free_pages(q->cq_pa, order_of((uint64_t)q->depth * sizeof(struct nvme_cqe)));
	q->sq_pa = q->cq_pa = 0;
}

int nvme_queue_reserve_locked(struct nvme_queue *q, enum nvme_cmd_kind kind, uint16_t *cid)
{
	struct nvme_cmd *cmd;

	if (nvme_cids_alloc(&q->cids, cid)) {
		__atomic_fetch_add(&q->stats.busy, 1, __ATOMIC_RELAXED);
		return -EBUSY;
	}
	cmd = &q->cmds[*cid];
	cmd->kind = kind;
	cmd->bio = NULL;
	cmd->lead = *cid;
	cmd->pieces = 0;
	cmd->status = 0;
	cmd->done = false;
	return 0;
}

int nvme_queue_put_locked(struct nvme_queue *q, uint16_t cid, struct nvme_sqe *s)
{
	uint32_t timeout = q->qid ? __atomic_load_n(&q->ctrl->io_timeout_ms, __ATOMIC_RELAXED)
	                          : NVME_ADMIN_TIMEOUT;
	uint16_t slot;
	int err;

	if (nvme_sq_push(&q->sq, &slot)) {
		__atomic_fetch_add(&q->stats.busy, 1, __ATOMIC_RELAXED);
		return -EBUSY;
	}
	s->cid = cid;
	q->sq_ring[slot] = *s;
	err = nvme_cids_send(&q->cids, cid);
	ASSERT(err == 0); /* reserved and not sent: the caller's invariant */
	(void)err;
	q->cmds[cid].deadline_ns = clock_monotonic_ns() + (uint64_t)timeout * 1000000u;
	__atomic_fetch_add(&q->stats.submitted, 1, __ATOMIC_RELAXED);
	return 0;
}

void nvme_queue_ring_locked(struct nvme_queue *q)
{
	/* The entries are in memory before the doorbell write (mmio_write32 orders them). */
	mmio_write32(q->sq_db, q->sq.tail);
}

/*
 * The command behind @cid ended with @err (the device is done with it):
 * an admin command wakes its waiter; a bio piece counts down on its lead,
 * and the bio goes on *@done (linked by ->next, its result in ->status)
 * when it was the last piece.
 */
static void cmd_end_locked(struct nvme_queue *q, uint16_t cid, int err, struct bio **done)
	__must_hold(&q->lock)
{
	struct nvme_cmd *cmd = &q->cmds[cid], *lead = &q->cmds[cmd->lead];
	struct bio *b;

	if (cmd->kind == NVME_CMD_ADMIN) {
		__atomic_store_n(&cmd->done, true, __ATOMIC_RELEASE); /* admin_ready() reads it */
		return;
	}
	if (err && !lead->status)
		lead->status = err;
	if (cmd != lead)
		nvme_cid_release_locked(q, cid, false);
	if (--lead->pieces)
		return;
	b = lead->bio;
	b->status = lead->status;
	b->next = *done;
	*done = b;
	nvme_cid_release_locked(q, cmd->lead, false);
}

static void complete_bios(struct bio *done)
{
	struct bio *b;

	while ((b = done)) {
		done = b->next;
		b->next = NULL;
		blk_complete(b, b->status);
	}
}

/* Take one completion @e off @q's ring. */
static void take_cqe_locked(struct nvme_queue *q, const struct nvme_cqe *e, struct bio **done)
	__must_hold(&q->lock)
{
	struct nvme_ctrl *c = q->ctrl;
	int err;

	if (nvme_cqe_accept(&q->sq, &q->cids, q->qid, e)) {
		__atomic_fetch_add(&q->stats.bogus, 1, __ATOMIC_RELAXED);
		pr_warn("%s: queue %u: refused a completion (sq %u, cid %u, sq head %u)", c->name,
		        q->qid, e->sq_id, e->cid, e->sq_head);
		return;
	}
	err = nvme_status_errno(e->status);
	if (err && q->cmds[e->cid].kind == NVME_CMD_BIO)
		pr_warn("%s: queue %u: command %u failed: %s (status %#x)", c->name, q->qid, e->cid,
		        nvme_status_str(e->status), e->status >> 1);
	q->cmds[e->cid].cqe = *e;
	cmd_end_locked(q, e->cid, err, done);
}

/* Drain @q's completion ring (@polled: not for an interrupt); returns whether an admin command ended. */
static bool drain(struct nvme_queue *q, bool polled)
{
	unsigned budget = q->depth, taken = 0;
	struct bio *done = NULL;
	struct nvme_cqe e;
	bool admin;

	if (q->qid && __atomic_load_n(&q->ctrl->drop_completions, __ATOMIC_RELAXED))
		return false;
	spin_lock(&q->lock);
	while (budget-- && nvme_cq_peek(&q->cq, q->cq_ring, &e)) {
		take_cqe_locked(q, &e, &done);
		nvme_cq_pop(&q->cq);
		taken++;
	}
	if (taken)
		mmio_write32(q->cq_db, q->cq.head);
	spin_unlock(&q->lock);
	admin = taken && q->qid == 0;
	__atomic_fetch_add(&q->stats.completed, taken, __ATOMIC_RELAXED);
	if (taken && this_cpu_index() == q->cpu)
		__atomic_fetch_add(&q->stats.completed_cpu, taken, __ATOMIC_RELAXED);
	else if (taken && polled)
		__atomic_fetch_add(&q->stats.completed_polled, taken, __ATOMIC_RELAXED);
	complete_bios(done);
	return admin;
}

void nvme_irq(void *ctx)
{
	struct nvme_queue *q;

	for (q = ctx; q; q = q->irq_next)
		if (drain(q, false))
			waitq_wake_all(&q->ctrl->admin_wq);
}

void nvme_queue_poll(struct nvme_queue *q)
{
	if (drain(q, true))
		waitq_wake_all(&q->ctrl->admin_wq);
}

void nvme_requeue(struct nvme_ctrl *c, struct bio *list)
{
	struct bio **tail;
	uint64_t flags;

	if (!list)
		return;
	flags = spin_lock_irqsave(&c->requeue_lock);
	for (tail = &c->requeue; *tail; tail = &(*tail)->next)
		;
	*tail = list;
	spin_unlock_irqrestore(&c->requeue_lock, flags);
}

void nvme_queue_fail_all(struct nvme_queue *q, bool keep)
{
	struct bio *done = NULL;
	uint16_t cid;

	spin_lock(&q->lock);
	for (cid = 0; cid < q->cids.n; cid++) {
		if (!nvme_cids_sent(&q->cids, cid) || q->cmds[cid].kind != NVME_CMD_BIO)
			continue;
		if (nvme_cids_abandon(&q->cids, cid) == 0)
			cmd_end_locked(q, cid, -EIO, &done);
	}
	spin_unlock(&q->lock);
	if (keep)
		nvme_requeue(q->ctrl, done);
	else
		complete_bios(done);
}

void nvme_requeue_end(struct nvme_ctrl *c, int status)
{
	struct bio *list, *b;
	uint64_t flags;

	flags = spin_lock_irqsave(&c->requeue_lock);
	list = c->requeue;
	c->requeue = NULL;
	spin_unlock_irqrestore(&c->requeue_lock, flags);
	if (status) {
		for (b = list; b; b = b->next)
			b->status = status;
		complete_bios(list);
		return;
	}
	while ((b = list)) {
		list = b->next;
		b->next = NULL;
		nvme_resubmit(b);
	}
}

void nvme_queue_reset(struct nvme_queue *q)
{
	spin_lock(&q->lock);
	memset(q->sq_ring, 0, (size_t)q->depth * sizeof(struct nvme_sqe));
	memset((void *)q->cq_ring, 0, (size_t)q->depth * sizeof(struct nvme_cqe));
	nvme_sq_init(&q->sq, q->depth);
	nvme_cq_init(&q->cq, q->depth);
	if (q->cids.inuse)
		pr_warn("%s: queue %u: %u commands forgotten by the reset", q->ctrl->name, q->qid,
		        q->cids.inuse);
	if (nvme_cids_init(&q->cids, q->depth - 1))
		pr_err("%s: queue %u: bad depth %u", q->ctrl->name, q->qid, q->depth);
	q->created = false;
	spin_unlock(&q->lock);
}

/* Whether a command sent on @q is past its deadline. */
static bool overdue(struct nvme_queue *q, uint64_t now)
{
	bool late = false;
	uint16_t cid;

	spin_lock(&q->lock);
	for (cid = 0; cid < q->cids.n && !late; cid++)
		late = nvme_cids_sent(&q->cids, cid) && q->cmds[cid].deadline_ns < now;
	spin_unlock(&q->lock);
	return late;
}

/* What the watchdog checks: a fatal status, a vanished device, an overdue command. */
static void watchdog_check(struct nvme_ctrl *c)
{
	uint32_t csts = nvme_read32(c, NVME_REG_CSTS);
	uint64_t now = clock_monotonic_ns();
	unsigned i;

	if (csts == 0xffffffffu) {
		nvme_ctrl_fail(c, "the device stopped answering register reads");
		return;
	}
	if (csts & NVME_CSTS_CFS) {
		nvme_ctrl_fail(c, "controller fatal status (CSTS.CFS)");
		return;
	}
	for (i = 0; i < c->nioq; i++) {
		nvme_queue_poll(c->ioq[i]); /* an interrupt may have been lost */
		if (overdue(c->ioq[i], now)) {
			nvme_ctrl_fail(c, "an I/O command timed out");
			return;
		}
	}
}

/* Fire again in a second. It is not armed now (it fired, or it never was). */
static void watchdog_arm(struct nvme_ctrl *c)
{
	if (timer_event_arm(&c->watchdog, clock_monotonic_ns() + NVME_WATCHDOG_MS * 1000000ull))
		pr_err("%s: cannot arm the watchdog", c->name);
}

/* The timer: check, then come back in a second unless stopped or given up. */
static void watchdog_fire(struct timer_event *ev, void *ctx)
{
	struct nvme_ctrl *c = ctx;

	__atomic_store_n(&c->watchdog_busy, true, __ATOMIC_SEQ_CST);
	if (!__atomic_load_n(&c->dead, __ATOMIC_ACQUIRE))
		watchdog_check(c);
	if (__atomic_load_n(&c->watchdog_on, __ATOMIC_SEQ_CST) &&
	    !__atomic_load_n(&c->dead, __ATOMIC_ACQUIRE))
		watchdog_arm(c);
	__atomic_store_n(&c->watchdog_busy, false, __ATOMIC_SEQ_CST);
}

void nvme_watchdog_start(struct nvme_ctrl *c)
{
	timer_event_init(&c->watchdog, watchdog_fire, c);
	__atomic_store_n(&c->watchdog_on, true, __ATOMIC_SEQ_CST);
	watchdog_arm(c);
}

/*
 * Stop the watchdog for good: no re-arm after the flag drops, and a run
 * in progress on another CPU (it may have been taken off the timer list
 * just before the cancel) is waited for. Task context.
 */
void nvme_watchdog_stop(struct nvme_ctrl *c)
{
	__atomic_store_n(&c->watchdog_on, false, __ATOMIC_SEQ_CST);
	(void)timer_event_cancel(&c->watchdog);
	sleep_ms(1);
	while (__atomic_load_n(&c->watchdog_busy, __ATOMIC_SEQ_CST))
		sleep_ms(1);
	(void)timer_event_cancel(&c->watchdog);
}
