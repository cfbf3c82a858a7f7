/* SPDX-License-Identifier: MIT */
/*
 * The NVMe driver's own structures, shared by its files only: a controller
 * (core.c brings it up, admin.c talks to it), its queue pairs (queue.c:
 * submission, completion, interrupts, the watchdog) and its namespaces
 * (ns.c: block devices and the bio-to-command translation).
 *
 * Locks: [I] set during probe, then immutable; [Q] the queue's lock
 * (a spinlock taken from interrupt handlers too); [A] ctrl->admin_lock
 * (a mutex: one admin command at a time); [a] atomic.
 */
#pragma once

#include <lib/nvme/nvme.h>

#include <stdbool.h>
#include <stdint.h>

#include "block/blkdev.h"
#include "bus/pci/pci.h"
#include "core/panic.h"
#include "core/percpu.h"
#include "drivers/nvme/nvme.h"
#include "sched/spinlock.h"
#include "sched/sync.h"
#include "sched/wait.h"
#include "time/time.h"

#define NVME_ADMIN_DEPTH   32u    /* admin queue entries */
#define NVME_IO_DEPTH      128u   /* entries per I/O queue (8 KiB of SQEs) */
#define NVME_MAX_NS        16u    /* namespaces registered per controller */
#define NVME_ADMIN_TIMEOUT 5000u  /* ms an admin command may take */
#define NVME_IO_TIMEOUT    30000u /* ms an I/O command may take before the controller is given up */
#define NVME_WATCHDOG_MS   1000u  /* how often the watchdog looks */
#define NVME_MAX_RESETS    3u     /* resets after failures before a controller is given up */

struct nvme_ctrl;

/* What a command identifier's record is for. */
enum nvme_cmd_kind {
	NVME_CMD_ADMIN, /* a synchronous admin command: admin_wq wakes its waiter */
	NVME_CMD_BIO,   /* a piece of a bio's transfer */
};

/* One command identifier's record. [Q] unless said. */
struct nvme_cmd {
	enum nvme_cmd_kind kind;
	struct bio *bio;      /* the request (NVME_CMD_BIO) */
	uint16_t lead;        /* the identifier whose record counts the bio's pieces */
	uint16_t pieces;      /* on the lead: pieces not yet completed */
	int status;           /* on the lead: the first error of any piece, else 0 */
	bool done;            /* [a] NVME_CMD_ADMIN: the completion arrived */
	struct nvme_cqe cqe;  /* NVME_CMD_ADMIN: the completion */
	uint64_t deadline_ns; /* when a sent command is overdue */
	uint64_t *prp_list;   /* [I] this identifier's PRP list page (I/O queues) */
	uint64_t prp_pa;      /* [I] its physical address */
};

/* Counters a test reads (nvme_io_queue_info()); [a]. */
struct nvme_queue_stats {
	uint64_t submitted;
	uint64_t completed;
	uint64_t completed_cpu;
	uint64_t completed_polled; /* taken by nvme_queue_poll() on another CPU */
	uint64_t bogus;
	uint64_t busy;
};

/* A submission/completion queue pair (NVMe 1.4, 4.1). */
struct nvme_queue {
	struct spinlock lock;
	struct nvme_ctrl *ctrl;            /* [I] */
	uint16_t qid;                      /* [I] 0: the admin queue */
	uint16_t vector;                   /* [I] interrupt vector index (Create I/O CQ's IV) */
	unsigned cpu;                      /* [I] the CPU that vector is delivered to */
	uint32_t depth;                    /* [I] entries in each ring */
	struct nvme_sqe *sq_ring;          /* [Q] direct-mapped */
	volatile struct nvme_cqe *cq_ring; /* [Q] written by the device */
	uint64_t sq_pa, cq_pa;             /* [I] */
	volatile uint8_t *sq_db, *cq_db;   /* [I] the doorbells */
	struct nvme_sq sq;                 /* [Q] */
	struct nvme_cq cq;                 /* [Q] */
	struct nvme_cids cids;             /* [Q] */
	struct nvme_cmd *cmds;             /* [Q] one per identifier */
	struct nvme_queue *irq_next;       /* [I] another queue served by the same vector */
	bool created;                      /* [I] the controller knows it */
	struct nvme_queue_stats stats;     /* [a] */
};

/* A namespace registered as a block device. */
struct nvme_ns {
	struct block_device bdev; /* [I] name "nvme0n1"; priv points back here */
	struct nvme_ctrl *ctrl;   /* [I] */
	uint32_t nsid;            /* [I] */
	uint32_t lba_shift;       /* [I] log2 of the block size */
	uint64_t nblocks;         /* [I] */
	bool registered;          /* [I] blk_register() took it */
};

struct nvme_ctrl {
	struct pci_dev *pdev;                       /* [I] */
	volatile uint8_t *regs;                     /* [I] BAR 0 */
	uint64_t regs_size;                         /* [I] */
	unsigned instance;                          /* [I] the N of "nvmeN" */
	char name[16];                              /* [I] "nvme0" */
	struct nvme_cap cap;                        /* [I] */
	struct nvme_ctrl_info info;                 /* [I] */
	uint32_t max_bytes;                         /* [I] the most one command moves */
	unsigned nvec;                              /* [I] interrupt vectors pci_irq_alloc() gave */
	uint32_t io_depth;                          /* [I] entries of each I/O queue */
	struct nvme_queue admin;                    /* the admin queue pair */
	struct mutex admin_lock;                    /* one admin command at a time */
	struct waitq admin_wq;                      /* the admin command's waiter */
	struct nvme_queue **ioq;                    /* [I] nioq I/O queue pairs */
	unsigned nioq;                              /* [I] */
	struct nvme_queue *cpu_queue[SMP_MAX_CPUS]; /* [I] the queue each CPU submits to */
	struct nvme_ns ns[NVME_MAX_NS];             /* [I] */
	unsigned nns;                               /* [I] */
	uint32_t io_timeout_ms;                     /* [a] tests shorten it */
	struct timer_event watchdog; /* looks for overdue commands and fatal status */
	bool watchdog_on;            /* [a] re-arm it */
	bool watchdog_busy;          /* [a] it is running */
	bool dead;                   /* [a] given up: every request fails with -EIO */
	bool drop_completions;       /* [a] tests: the handler ignores the I/O queues */
	int refs;                    /* [a] the binding, and each registered namespace */
	struct spinlock requeue_lock;
	struct bio *requeue;   /* [requeue_lock] bios to send again after the reset */
	bool resetting;        /* [a] a reset is pending or running: submits wait */
	struct waitq reset_wq; /* the reset task waits here */
	bool reset_pending;    /* [a] a failure asks the reset task to reset */
	bool reset_task;       /* [a] the reset task runs (resets are possible) */
	bool exiting;          /* [a] remove(): the reset task must end */
	unsigned resets;       /* [A] resets done so far */
};

/*
 * Give identifier @cid of @q back (@cancel: sent, but the device will never
 * see or complete it). The record is in use by the driver's own logic, so
 * a failure is a driver bug.
 */
static inline void nvme_cid_release_locked(struct nvme_queue *q, uint16_t cid, bool cancel)
	__must_hold(&q->lock)
{
	int err = nvme_cids_free(&q->cids, cid, cancel);

	ASSERT(err == 0);
	(void)err;
}

/* ---- core.c ---- */
uint32_t nvme_read32(struct nvme_ctrl *c, uint32_t off);
void nvme_write32(struct nvme_ctrl *c, uint32_t off, uint32_t v);
/* Clear CC.EN and wait for CSTS.RDY to follow (7.6.1 step 1). Task context. 0 or -errno. */
int __must_check nvme_ctrl_disable(struct nvme_ctrl *c);
/* Give the admin queue and the configuration, set CC.EN, wait for ready (7.6.1 steps 2-5). */
int __must_check nvme_ctrl_enable(struct nvme_ctrl *c);
/* The namespaces' users see the devices gone: every request fails at once. */
void nvme_ns_mark_removed(struct nvme_ctrl *c);
/* Drop a reference; the last frees @c (its queues are gone by then). */
void nvme_ctrl_put(struct nvme_ctrl *c);
/* Give the controller up (a timeout or CSTS.CFS): disable it, fail everything. Any context. */
void nvme_ctrl_fail(struct nvme_ctrl *c, const char *why);

/* ---- queue.c ---- */
/* Allocate rings and records for queue @qid of @depth entries. Task context. 0 or -ENOMEM. */
int __must_check nvme_queue_alloc(struct nvme_ctrl *c, struct nvme_queue *q, uint16_t qid,
                                  uint32_t depth);
void nvme_queue_free(struct nvme_queue *q);
/*
 * Reserve an identifier of @kind on @q and reset its record. Returns 0 or
 * -EBUSY (every identifier in use).
 */
int __must_check nvme_queue_reserve_locked(struct nvme_queue *q, enum nvme_cmd_kind kind,
                                           uint16_t *cid) __must_hold(&q->lock);
/*
 * Place @s under reserved @cid in @q's ring and start its deadline; the
 * doorbell is rung by nvme_queue_ring_locked(). Returns 0 or -EBUSY (the
 * ring is full; @cid stays reserved).
 */
int __must_check nvme_queue_put_locked(struct nvme_queue *q, uint16_t cid, struct nvme_sqe *s)
	__must_hold(&q->lock);
/* Tell the controller about every entry placed so far. */
void nvme_queue_ring_locked(struct nvme_queue *q) __must_hold(&q->lock);
/* The interrupt handler of a vector: drain every queue chained from @ctx. */
void nvme_irq(void *ctx);
/* Drain @q's completions now (the watchdog's and the admin waiter's poll). Any context. */
void nvme_queue_poll(struct nvme_queue *q);
/*
 * End every command still sent on @q (the controller is disabled): their
 * bios fail with -EIO, or with @keep wait on the controller's requeue list
 * for the reset.
 */
void nvme_queue_fail_all(struct nvme_queue *q, bool keep);
/* Put the bios on @list (linked by ->next) on @c's requeue list. Any context. */
void nvme_requeue(struct nvme_ctrl *c, struct bio *list);
/*
 * After a reset: send the requeued bios again (@status 0) or fail them
 * with -EIO (the reset failed). Task context.
 */
void nvme_requeue_end(struct nvme_ctrl *c, int status);
/* Empty @q's rings and identifiers for a controller that was reset (nothing in flight). */
void nvme_queue_reset(struct nvme_queue *q);
/* Start and stop the watchdog timer. */
void nvme_watchdog_start(struct nvme_ctrl *c);
void nvme_watchdog_stop(struct nvme_ctrl *c);

/* ---- admin.c ---- */
/*
 * Run admin command @s and wait for it: 0, -errno from its status, -EIO
 * (dead controller) or -ETIMEDOUT. Copies the completion to *@cqe when
 * not NULL. Task context; sleeps.
 */
int __must_check nvme_admin(struct nvme_ctrl *c, struct nvme_sqe *s, struct nvme_cqe *cqe);
/* Create the existing I/O queue pairs on the controller again (after a reset). */
int __must_check nvme_recreate_io_queues_locked(struct nvme_ctrl *c) __must_hold(&c->admin_lock);
/* Negotiate and create the I/O queues, one per CPU where vectors allow. */
int __must_check nvme_create_io_queues(struct nvme_ctrl *c);
void nvme_delete_io_queues(struct nvme_ctrl *c);

/* ---- reset.c ---- */
/* Start the controller's reset task (it holds a reference). Task context. */
void nvme_reset_task_start(struct nvme_ctrl *c);
/* Tell the reset task to end, and wait for a reset in progress to finish. */
void nvme_reset_task_stop(struct nvme_ctrl *c);

/* ---- ns.c ---- */
/*
 * Send @b again after a reset, waiting while its queue is full; if the
 * controller failed again meanwhile, @b waits for the next reset. Task context.
 */
void nvme_resubmit(struct bio *b);
/* Identify the active namespaces and register each as a block device. */
int __must_check nvme_scan_namespaces(struct nvme_ctrl *c);
void nvme_remove_namespaces(struct nvme_ctrl *c);
