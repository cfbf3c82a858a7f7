// SPDX-License-Identifier: MIT
/*
 * Resetting a failed NVMe controller: nvme_ctrl_fail() disables it and
 * fails what it held, then wakes this file's task, which brings it back
 * through the initialization of NVMe 1.4, 7.6.1 with the queues it had
 * (at most NVME_MAX_RESETS times; after that, or when a reset fails, the
 * controller stays given up).
 */
#include <cairn/errno.h>

#include "core/log.h"
#include "drivers/nvme/internal.h"
#include "sched/task.h"

/*
 * Bring a failed controller back (the disabled state nvme_ctrl_fail() left):
 * wait for CSTS.RDY to drop, empty every ring, enable it again and create
 * the I/O queues anew; requests flow again once `dead` is cleared. A reset
 * that fails gives the controller up for good.
 */
static void ctrl_reset_locked(struct nvme_ctrl *c) __must_hold(&c->admin_lock)
{
	unsigned i;
	int err;

	c->resets++;
	err = nvme_ctrl_disable(c);
	nvme_queue_reset(&c->admin);
	for (i = 0; i < c->nioq; i++)
		nvme_queue_reset(c->ioq[i]);
	if (!err)
		err = nvme_ctrl_enable(c);
	if (!err)
		err = nvme_recreate_io_queues_locked(c);
	if (err) {
		pr_err("%s: reset failed (error %d): giving the controller up", c->name, err);
		nvme_ns_mark_removed(c);
		__atomic_store_n(&c->resetting, false, __ATOMIC_RELEASE);
		nvme_requeue_end(c, -EIO);
		return;
	}
	__atomic_store_n(&c->dead, false, __ATOMIC_RELEASE);
	/* The watchdog run that found the failure may still be returning. */
	while (__atomic_load_n(&c->watchdog_busy, __ATOMIC_SEQ_CST))
		sleep_ms(1);
	nvme_watchdog_start(c);
	__atomic_store_n(&c->resetting, false, __ATOMIC_RELEASE);
	nvme_requeue_end(c, 0);
	pr_info("%s: reset done, back in service (reset %u of at most %u)", c->name, c->resets,
	        NVME_MAX_RESETS);
}

static bool reset_wanted(void *ctx)
{
	struct nvme_ctrl *c = ctx;

	return __atomic_load_n(&c->reset_pending, __ATOMIC_ACQUIRE) ||
	       __atomic_load_n(&c->exiting, __ATOMIC_ACQUIRE);
}

/* The reset task: one per controller, from probe until remove(); holds a reference. */
static int reset_main(void *arg)
{
	struct nvme_ctrl *c = arg;

	while (!__atomic_load_n(&c->exiting, __ATOMIC_ACQUIRE)) {
		if (waitq_wait(&c->reset_wq, reset_wanted, c, 0, TIME_NEVER))
			continue;
		mutex_lock(&c->admin_lock);
		if (!__atomic_load_n(&c->exiting, __ATOMIC_ACQUIRE) &&
		    __atomic_exchange_n(&c->reset_pending, false, __ATOMIC_ACQ_REL))
			ctrl_reset_locked(c);
		mutex_unlock(&c->admin_lock);
	}
	nvme_ctrl_put(c);
	return 0;
}

void nvme_reset_task_start(struct nvme_ctrl *c)
{
	struct task_handle h;

	__atomic_fetch_add(&c->refs, 1, __ATOMIC_RELAXED);
	if (task_spawn(&h, "nvme-reset", reset_main, c)) {
		pr_warn("%s: no reset task: a failure will give the controller up", c->name);
		nvme_ctrl_put(c);
		return;
	}
	if (task_drop(h))
		pr_warn("%s: reset task handle not dropped", c->name);
	__atomic_store_n(&c->reset_task, true, __ATOMIC_RELEASE);
}

void nvme_reset_task_stop(struct nvme_ctrl *c)
{
	__atomic_store_n(&c->exiting, true, __ATOMIC_RELEASE);
	waitq_wake_all(&c->reset_wq);
	mutex_lock(&c->admin_lock);
	mutex_unlock(&c->admin_lock);
}
