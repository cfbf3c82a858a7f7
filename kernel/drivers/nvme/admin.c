// SPDX-License-Identifier: MIT
/*
 * NVMe admin commands, one at a time: the caller sleeps until the admin
 * queue's interrupt says its command ended, polling the ring now and then
 * in case an interrupt was lost, and gives the controller up when it does
 * not answer in time. On top: Set Features (Number of Queues, NVMe 1.4,
 * 5.21.1.7) and the creation and deletion of the I/O queue pairs (5.3-5.6),
 * each with the interrupt vector delivered to the CPU that uses it.
 */
#include <cairn/errno.h>

#include "core/log.h"
#include "core/smp.h"
#include "drivers/nvme/internal.h"
#include "mm/heap.h"

#define ADMIN_POLL_MS 100u /* how often a waiting admin command looks at the ring itself */

struct admin_wait {
	struct nvme_ctrl *c;
	struct nvme_cmd *cmd;
};

static bool admin_ready(void *ctx)
{
	struct admin_wait *w = ctx;

	return __atomic_load_n(&w->cmd->done, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&w->c->dead, __ATOMIC_ACQUIRE);
}

/* Sleep until the command behind @w ends, or the controller dies, or the deadline. */
static int admin_wait(struct admin_wait *w, uint64_t deadline)
{
	uint64_t slice;

	while (!admin_ready(w)) {
		if (clock_monotonic_ns() > deadline)
			return -ETIMEDOUT;
		slice = clock_monotonic_ns() + ADMIN_POLL_MS * 1000000ull;
		if (slice > deadline)
			slice = deadline;
		if (waitq_wait(&w->c->admin_wq, admin_ready, w, 0, slice) == -ETIMEDOUT)
			nvme_queue_poll(&w->c->admin);
	}
	return 0;
}

/* Place @s on the admin queue and ring. */
static int admin_send(struct nvme_queue *q, struct nvme_sqe *s, uint16_t *cid)
{
	int err;

	spin_lock(&q->lock);
	err = nvme_queue_reserve_locked(q, NVME_CMD_ADMIN, cid);
	if (!err) {
		err = nvme_queue_put_locked(q, *cid, s);
		if (err)
			nvme_cid_release_locked(q, *cid, false);
		else
			nvme_queue_ring_locked(q);
	}
	spin_unlock(&q->lock);
	return err;
}

/* Collect the result and free the identifier (taking it back from a dead controller). */
static int admin_finish(struct nvme_queue *q, uint16_t cid, struct nvme_cqe *out)
{
	struct nvme_cmd *cmd = &q->cmds[cid];
	struct nvme_cqe e = { 0 };
	bool done;

	spin_lock(&q->lock);
	done = cmd->done;
	if (done)
		e = cmd->cqe;
	/* Not done: the controller was disabled, it will never complete it. */
	nvme_cid_release_locked(q, cid, !done);
	spin_unlock(&q->lock);
	if (!done)
		return -EIO;
	if (out)
		*out = e;
	if (nvme_status_errno(e.status))
		pr_warn("%s: admin command %u failed: %s (status %#x)", q->ctrl->name, cid,
		        nvme_status_str(e.status), e.status >> 1);
	return nvme_status_errno(e.status);
}

int nvme_admin(struct nvme_ctrl *c, struct nvme_sqe *s, struct nvme_cqe *cqe)
{
	struct nvme_queue *q = &c->admin;
	struct admin_wait w = { c, NULL };
	uint64_t deadline = clock_monotonic_ns() + NVME_ADMIN_TIMEOUT * 1000000ull;
	uint16_t cid;
	int err;

	mutex_lock(&c->admin_lock);
	err = __atomic_load_n(&c->dead, __ATOMIC_ACQUIRE) ? -EIO : admin_send(q, s, &cid);
	if (err)
		goto out_unlock;
	w.cmd = &q->cmds[cid];
	if (admin_wait(&w, deadline)) {
		pr_err("%s: admin command %#x timed out", c->name, s->opcode);
		nvme_ctrl_fail(c, "an admin command timed out");
	}
	err = admin_finish(q, cid, cqe);
out_unlock:
	mutex_unlock(&c->admin_lock);
	return err;
}

/* Ask for @want queue pairs; returns how many the controller grants (at least 1). */
static unsigned negotiate_queues(struct nvme_ctrl *c, unsigned want)
{
	struct nvme_sqe s;
	struct nvme_cqe e;
	unsigned nsq, ncq;

	nvme_cmd_set_queues(&s, (uint16_t)want, (uint16_t)want);
	if (nvme_admin(c, &s, &e)) {
		pr_warn("%s: Set Features (Number of Queues) failed: using 1 queue pair", c->name);
		return 1;
	}
	/* NSQA in 15:0, NCQA in 31:16, both 0-based (5.21.1.7). */
	nsq = (e.dw0 & 0xffff) + 1;
	ncq = (e.dw0 >> 16) + 1;
	if (nsq < want)
		want = nsq;
	return ncq < want ? ncq : want;
}

/* Create I/O queue pair @q on the controller: its CQ first, then the SQ bound to it. */
static int create_pair(struct nvme_ctrl *c, struct nvme_queue *q)
{
	struct nvme_sqe s;
	int err;

	nvme_cmd_create_cq(&s, q->qid, (uint16_t)q->depth, q->cq_pa, q->vector);
	err = nvme_admin(c, &s, NULL);
	if (err)
		return err;
	nvme_cmd_create_sq(&s, q->qid, (uint16_t)q->depth, q->sq_pa, q->qid);
	err = nvme_admin(c, &s, NULL);
	if (err) {
		nvme_cmd_delete_queue(&s, NVME_ADMIN_DELETE_CQ, q->qid);
		if (nvme_admin(c, &s, NULL))
			pr_warn("%s: could not delete completion queue %u", c->name, q->qid);
		return err;
	}
	q->created = true;
	return 0;
}

/*
 * Attach @q to its vector: a vector of its own when MSI-X gave one per
 * queue, else chained behind the admin queue on vector 0.
 */
static int attach_irq(struct nvme_ctrl *c, struct nvme_queue *q, unsigned i)
{
	if (c->nvec > i + 1) {
		q->vector = (uint16_t)(i + 1);
		q->cpu = pci_irq_cpu(c->pdev, q->vector);
		return pci_irq_set_handler(c->pdev, q->vector, nvme_irq, q);
	}
	q->vector = 0;
	q->cpu = c->admin.cpu;
	q->irq_next = c->admin.irq_next;
	/* The queue is complete before the handler can reach it. */
	__atomic_store_n(&c->admin.irq_next, q, __ATOMIC_RELEASE);
	return 0;
}

static int add_queue(struct nvme_ctrl *c, unsigned i)
{
	struct nvme_queue *q = kmalloc_flags(sizeof(*q), KM_ZERO | KM_MAY_FAIL);
	int err;

	if (!q)
		return -ENOMEM;
	err = nvme_queue_alloc(c, q, (uint16_t)(i + 1), c->io_depth);
	if (err) {
		kfree(q);
		return err;
	}
	c->ioq[c->nioq++] = q; /* from here ctrl_free() frees it */
	err = attach_irq(c, q, i);
	if (!err)
		err = create_pair(c, q);
	return err;
}

/* Each CPU submits to the queue whose interrupt it takes, else to one picked round robin. */
static void map_cpus(struct nvme_ctrl *c)
{
	unsigned cpu, i, ncpu = smp_cpu_count();

	for (cpu = 0; cpu < SMP_MAX_CPUS; cpu++) {
		c->cpu_queue[cpu] = c->ioq[cpu % c->nioq];
		for (i = 0; i < c->nioq && cpu < ncpu; i++)
			if (c->ioq[i]->cpu == cpu && c->ioq[i]->vector)
				c->cpu_queue[cpu] = c->ioq[i];
	}
}

int nvme_create_io_queues(struct nvme_ctrl *c)
{
	unsigned want = smp_cpu_count(), n, i;
	int err;

	if (c->nvec < want + 1)
		want = c->nvec > 1 ? c->nvec - 1 : 1;
	n = negotiate_queues(c, want);
	c->io_depth = NVME_IO_DEPTH < c->cap.max_entries ? NVME_IO_DEPTH : c->cap.max_entries;
	c->ioq = kmalloc_flags(n * sizeof(*c->ioq), KM_ZERO | KM_MAY_FAIL);
	if (!c->ioq)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		/* A queue may already be on vector 0's chain: only ctrl_free() undoes it safely. */
		err = add_queue(c, i);
		if (err) {
			pr_err("%s: cannot create I/O queue %u: error %d", c->name, i + 1, err);
			return err;
		}
	}
	map_cpus(c);
	return 0;
}

void nvme_delete_io_queues(struct nvme_ctrl *c)
{
	struct nvme_sqe s;
	unsigned i;

	for (i = c->nioq; i-- > 0;) {
		struct nvme_queue *q = c->ioq[i];

		if (!q->created)
			continue;
		/* A failure is logged by nvme_admin(); disabling the controller ends it anyway. */
		nvme_cmd_delete_queue(&s, NVME_ADMIN_DELETE_SQ, q->qid);
		if (nvme_admin(c, &s, NULL) == 0) {
			nvme_cmd_delete_queue(&s, NVME_ADMIN_DELETE_CQ, q->qid);
			if (nvme_admin(c, &s, NULL))
				continue;
		}
		q->created = false;
		if (q->vector && pci_irq_set_handler(c->pdev, q->vector, NULL, NULL))
			pr_warn("%s: vector %u: cannot remove the handler", c->name, q->vector);
	}
}
