// SPDX-License-Identifier: MIT
/*
 * What the NVMe driver tells the rest of the kernel about a controller:
 * its queue pairs, where their interrupts land, their counters, and the
 * fault injection the kernel tests use (kernel/drivers/nvme/nvme.h).
 */
#include <cairn/errno.h>

#include "drivers/nvme/internal.h"
#include "drivers/nvme/nvme.h"
#include "irq/irq.h"

unsigned nvme_io_queues(struct nvme_ctrl *c)
{
	return c->nioq;
}

int nvme_io_queue_info(struct nvme_ctrl *c, unsigned i, struct nvme_queue_info *out)
{
	unsigned cpu, vector;
	struct nvme_queue *q;

	if (i >= c->nioq)
		return -EINVAL;
	q = c->ioq[i];
	out->qid = q->qid;
	out->vector = q->vector;
	out->cpu = q->cpu;
	out->submitted = __atomic_load_n(&q->stats.submitted, __ATOMIC_RELAXED);
	out->completed = __atomic_load_n(&q->stats.completed, __ATOMIC_RELAXED);
	out->completed_cpu = __atomic_load_n(&q->stats.completed_cpu, __ATOMIC_RELAXED);
	out->completed_polled = __atomic_load_n(&q->stats.completed_polled, __ATOMIC_RELAXED);
	out->bogus = __atomic_load_n(&q->stats.bogus, __ATOMIC_RELAXED);
	out->busy = __atomic_load_n(&q->stats.busy, __ATOMIC_RELAXED);
	out->interrupts = 0;
	if (pci_irq_vector_info(c->pdev, q->vector, &cpu, &vector) == 0)
		out->interrupts = irq_count_vector(cpu, vector);
	return 0;
}

unsigned nvme_cpu_queue(struct nvme_ctrl *c, unsigned cpu)
{
	struct nvme_queue *q = c->cpu_queue[cpu % SMP_MAX_CPUS];

	return q ? q->qid - 1u : 0;
}

unsigned nvme_vectors(struct nvme_ctrl *c, const char **mode)
{
	if (mode)
		*mode = pci_irq_mode_name(c->pdev);
	return c->nvec;
}

const char *nvme_ctrl_model(struct nvme_ctrl *c)
{
	return c->info.model;
}

const char *nvme_ctrl_serial(struct nvme_ctrl *c)
{
	return c->info.serial;
}

bool nvme_ctrl_dead(struct nvme_ctrl *c)
{
	return __atomic_load_n(&c->dead, __ATOMIC_ACQUIRE);
}

void nvme_test_set_timeout(struct nvme_ctrl *c, uint32_t ms)
{
	__atomic_store_n(&c->io_timeout_ms, ms < 100 ? 100 : ms, __ATOMIC_RELAXED);
}

void nvme_test_drop_completions(struct nvme_ctrl *c, bool drop)
{
	__atomic_store_n(&c->drop_completions, drop, __ATOMIC_RELAXED);
}
