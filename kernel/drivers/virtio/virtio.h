/* SPDX-License-Identifier: MIT */
/*
 * virtio devices over PCI, modern transport only (virtio 1.2, 4.1): what a
 * device driver (virtio-blk here; virtio-net and virtio-rng later) sees.
 * The transport finds the device's configuration structures, resets it,
 * negotiates features, then calls the driver's probe(), which reads its
 * device configuration, sets up its virtqueues (one interrupt vector each
 * when MSI-X has enough) and calls virtio_ready(). Requests go through
 * virtqueue_submit(); their completions come back through the queue's
 * done() callback in interrupt context. A device that misbehaves (garbage
 * in a used ring, DEVICE_NEEDS_RESET, no answer within VIRTIO_TIMEOUT_NS)
 * is reset and every request in flight completes with -EIO.
 *
 * Locks: [I] set before virtio_ready(); [Q] the queue's lock; [a] atomic.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/virtio/vring.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sched/spinlock.h"
#include "time/time.h"

struct pci_dev;
struct virtio_dev;
struct virtqueue;

/* Device types (virtio 1.2, 5). The PCI device ID is 0x1040 + type (4.1.2.1). */
#define VIRTIO_ID_NET     1u
#define VIRTIO_ID_BLOCK   2u
#define VIRTIO_ID_CONSOLE 3u
#define VIRTIO_ID_RNG     4u

/* Reserved feature bits the transport handles (virtio 1.2, 6). */
#define VIRTIO_F_INDIRECT_DESC   28
#define VIRTIO_F_EVENT_IDX       29
#define VIRTIO_F_VERSION_1       32
#define VIRTIO_F_ACCESS_PLATFORM 33
#define VIRTIO_F_RING_PACKED     34

/*
 * A queue with requests in flight and no completion for this long is
 * notified again; after twice this long the device fails.
 */
#define VIRTIO_TIMEOUT_NS (30 * NSEC_PER_SEC)

/* What a device driver gives for each of its queues. */
struct virtqueue_info {
	const char *name; /* for messages ("requests", "rx") */
	unsigned
		max_size; /* entries wanted at most (the device may offer fewer); 0: the device's */
	/*
	 * A request finished: @token as submitted, @len bytes the device wrote,
	 * @err 0 or -EIO (the device failed, or claimed a bad length). Runs in
	 * interrupt context with no lock held; may submit again.
	 */
	void (*done)(struct virtqueue *vq, void *token, uint32_t len, int err);
	void *ctx; /* the driver's, in vq->ctx */
	/*
	 * Buffers wait on events outside the device (a receive queue waits for
	 * frames): no completion for a long time is no stall, so the watchdog
	 * only looks for lost interrupts.
	 */
	bool idle_ok;
};

struct virtqueue {
	struct virtio_dev *vdev; /* [I] */
	unsigned index;          /* [I] the queue's number on the device */
	unsigned size;           /* [I] entries in the ring */
	struct spinlock lock;
	struct vring vr;        /* [Q] the ring state */
	void *notify;           /* [I] where to write index to notify (4.1.4.4) */
	uint64_t ring_pa;       /* [I] the ring block's physical address */
	size_t ring_pages;      /* [I] its size in pages */
	void *priv;             /* [I] vring private area (heap) */
	unsigned vector;        /* [I] interrupt vector index (of the device's) */
	unsigned cpu;           /* [I] the CPU that vector goes to */
	uint64_t last_progress; /* [Q] monotonic ns of the last completion or of going busy */
	uint64_t completed;     /* [Q] requests finished, for statistics */
	unsigned max_inflight;  /* [Q] the most requests it has had in flight at once */
	uint64_t indirect;      /* [Q] requests sent as one indirect descriptor */
	bool stall_kicked;      /* [Q] the watchdog notified again since the last completion */
	bool idle_ok;           /* [I] as virtqueue_info.idle_ok */
	void (*done)(struct virtqueue *vq, void *token, uint32_t len, int err); /* [I] */
	void *ctx;        /* [I] the driver's */
	const char *name; /* [I] */
};

struct virtio_driver {
	const char *name;
	uint16_t type; /* VIRTIO_ID_* */
	/* Feature bits the driver understands: its type's (0-23) and reserved ones it uses. */
	uint64_t features;
	/* Bind: read the configuration, virtio_setup_queues(), virtio_ready(). 0 or -errno. */
	int (*probe)(struct virtio_dev *vd);
	/* Unbind: the transport has reset the device and failed its requests; it frees the
	 * queues after this returns. May be NULL. */
	void (*remove)(struct virtio_dev *vd);
	/* The device configuration changed (interrupt context). May be NULL. */
	void (*config_changed)(struct virtio_dev *vd);
};

struct virtio_dev {
	struct pci_dev *pci;                /* [I] */
	const struct virtio_driver *driver; /* [I] */
	char name[16];                      /* [I] "00:04.0", for messages */
	uint16_t type;                      /* [I] VIRTIO_ID_* */
	uint64_t features;                  /* [I] negotiated */
	void *common;                       /* [I] common configuration (4.1.4.3) */
	void *isr;                          /* [I] ISR status byte (4.1.4.5) */
	void *device_cfg;                   /* [I] device configuration (4.1.4.6), NULL if none */
	uint32_t device_cfg_len;            /* [I] its length in bytes */
	void *notify_base;                  /* [I] start of the notification area (4.1.4.4) */
	uint32_t notify_len;                /* [I] its length */
	uint32_t notify_mul;                /* [I] notify_off_multiplier */
	bool msix;                          /* [I] per-queue vectors through MSI-X */
	unsigned nvecs;                     /* [I] vectors allocated */
	struct virtqueue *vqs;              /* [I] array of nvqs */
	unsigned nvqs;                      /* [I] */
	bool broken;                        /* [a] failed: requests fail with -EIO */
	struct timer_event watchdog;        /* runs every second while the device lives */
	void *drvdata;                      /* the device driver's */
};

/* True when feature @bit was negotiated. */
static inline bool virtio_has(const struct virtio_dev *vd, unsigned bit)
{
	return (vd->features >> bit) & 1;
}

/*
 * Read @len bytes (1, 2, 4 or 8) at @off of the device configuration into
 * *@out, repeating until config_generation is stable (4.1.4.3.1). Returns
 * 0, -EINVAL (outside the structure) or -EIO (it never settled).
 */
int __must_check virtio_cfg_read(struct virtio_dev *vd, unsigned off, unsigned len, uint64_t *out);
/* Write @len bytes (1, 2 or 4) of @v at @off of the device configuration. 0 or -EINVAL. */
int __must_check virtio_cfg_write(struct virtio_dev *vd, unsigned off, unsigned len, uint32_t v);

/*
 * Set up @n queues from @info: vectors (one per queue plus one for
 * configuration changes when MSI-X allows, else one shared), rings, queue
 * registers. Returns 0, -ENODEV (the device has fewer queues), -ENOMEM or
 * -EIO. Task context (probe); may sleep.
 */
int __must_check virtio_setup_queues(struct virtio_dev *vd, unsigned n,
                                     const struct virtqueue_info *info);
/* Number of queues the device offers (num_queues, 4.1.4.3). */
unsigned virtio_max_queues(struct virtio_dev *vd);
/* Tell the device the driver is ready (DRIVER_OK, 3.1.1 step 8). */
void virtio_ready(struct virtio_dev *vd);

/*
 * Put a request on @vq: @nout device-readable buffers then @nin
 * device-writable ones; @token comes back in done(). Notifies the device
 * unless it suppressed notifications. Returns 0, -ENOSPC (the ring is
 * full: retry after a completion), -EINVAL or -EIO (the device failed).
 * Any context.
 */
int __must_check virtqueue_submit(struct virtqueue *vq, const struct vring_buf *bufs, unsigned nout,
                                  unsigned nin, void *token);

/* True when each queue has an MSI-X vector of its own. */
bool virtio_vector_per_queue(const struct virtio_dev *vd);
/* How the device interrupts, for messages: "MSI-X per queue", "one MSI-X vector" or "INTx". */
const char *virtio_irq_mode(const struct virtio_dev *vd);

/*
 * As virtqueue_submit(), as one indirect descriptor (needs
 * VIRTIO_F_INDIRECT_DESC): the chain is written into @table, device-visible
 * memory at @table_pa with room for @nout + @nin descriptors, which the
 * request owns until done().
 */
int __must_check virtqueue_submit_indirect(struct virtqueue *vq, struct vring_desc *table,
                                           uint64_t table_pa, const struct vring_buf *bufs,
                                           unsigned nout, unsigned nin, void *token);

/* The queue's size in entries (the most descriptors one request may use). */
unsigned virtqueue_size(struct virtqueue *vq);

/*
 * Give up on the device: log @why, reset it, and complete every request
 * in flight with -EIO. Idempotent. Any context.
 */
void virtio_fail(struct virtio_dev *vd, const char *why);

/* What virtio_blk_stats() reports: the queues of one disk. */
#define VIRTIO_BLK_MAX_QUEUES 16u
struct virtio_blk_stats {
	unsigned nq;                                  /* queues in use */
	bool vector_per_queue;                        /* each queue has its own MSI-X vector */
	bool indirect;                                /* VIRTIO_F_INDIRECT_DESC negotiated */
	uint64_t indirect_requests;                   /* sent as one indirect descriptor */
	unsigned cpu[VIRTIO_BLK_MAX_QUEUES];          /* the CPU each queue's interrupt goes to */
	uint64_t completed[VIRTIO_BLK_MAX_QUEUES];    /* requests each queue finished */
	unsigned max_inflight[VIRTIO_BLK_MAX_QUEUES]; /* the most each had in flight at once */
};

struct block_device;
/* Fill @out for virtio-blk disk @d (or a partition of one). 0 or -ENODEV. */
int __must_check virtio_blk_stats(struct block_device *d, struct virtio_blk_stats *out);

/* The virtio PCI driver (kernel/drivers/drivers.c's table). Returns 0 or -errno. */
int virtio_init(void);
