// SPDX-License-Identifier: MIT
/*
 * Virtqueues on the PCI transport: ring memory, the queue registers of the
 * common configuration (virtio 1.2, 4.1.5.1.3), interrupt vectors (MSI-X
 * per queue, 4.1.5.1.2; else one shared vector or INTx with the ISR
 * status, 4.1.4.5), and the submit/complete paths around lib/virtio's
 * split ring. Each queue has its own lock; completions are handed to the
 * driver with no lock held so that it can submit again from done().
 */
#include <cairn/errno.h>

#include <arch/mmio.h>
#include <lib/string.h>

#include "bus/pci/pci.h"
#include "core/kmain.h"
#include "core/log.h"
#include "drivers/virtio/internal.h"
#include "drivers/virtio/virtio.h"
#include "mm/heap.h"
#include "mm/pmm.h"

#define PAGE_BYTES 4096u

static uint8_t *common(struct virtqueue *vq)
{
	return vq->vdev->common;
}

void virtqueue_drain(struct virtqueue *vq)
{
	struct vring_done d;
	int r;

	for (;;) {
		spin_lock(&vq->lock);
		r = vring_pop(&vq->vr, &d);
		/* Empty: ask for the next interrupt, and look once more for a race with it. */
		if (r == 0 && vring_enable_cb(&vq->vr))
			r = vring_pop(&vq->vr, &d);
		if (r == 1) {
			vq->completed++;
			vq->last_progress = clock_monotonic_ns();
			vq->stall_kicked = false;
		}
		spin_unlock(&vq->lock);
		if (r == 0)
			return;
		if (r < 0) {
			virtio_fail(vq->vdev, "garbage in a used ring");
			return;
		}
		vq->done(vq, d.token, d.len, d.err);
	}
}

/*
 * The watchdog's look at @vq. Requests in flight and no completion for
 * VIRTIO_TIMEOUT_NS: completions waiting in the ring mean a lost
 * interrupt (take them); otherwise notify the device once more, and fail
 * it when another timeout passes without an answer.
 */
void virtqueue_check_stalled(struct virtqueue *vq, uint64_t now)
{
	enum { FINE, POLL, KICK, FAIL } what = FINE;

	spin_lock(&vq->lock);
	if (vq->vr.inflight && now - vq->last_progress > VIRTIO_TIMEOUT_NS) {
		if (vring_pending(&vq->vr))
			what = POLL;
		else if (!vq->idle_ok)
			what = vq->stall_kicked ? FAIL : KICK;
		vq->stall_kicked = true;
		vq->last_progress = now;
	}
	spin_unlock(&vq->lock);
	if (what == POLL) {
		pr_warn("virtio: %s: queue %u: completions without an interrupt", vq->vdev->name,
		        vq->index);
		virtqueue_drain(vq);
	} else if (what == KICK) {
		pr_warn("virtio: %s: queue %u: no answer for %lu s; notifying again",
		        vq->vdev->name, vq->index,
		        (unsigned long)(VIRTIO_TIMEOUT_NS / NSEC_PER_SEC));
		mmio_write16(vq->notify, (uint16_t)vq->index);
	} else if (what == FAIL) {
		virtio_fail(vq->vdev, "no answer within the timeout");
	}
}

void virtqueue_cancel_all(struct virtqueue *vq)
{
	void *token;

	for (;;) {
		spin_lock(&vq->lock);
		token = vq->ring_pa ? vring_detach(&vq->vr) : NULL;
		spin_unlock(&vq->lock);
		if (!token)
			return;
		vq->done(vq, token, 0, -EIO);
	}
}

/* Add a request (@table: indirect, else direct), publish it, notify if the device wants it. */
static int submit(struct virtqueue *vq, struct vring_desc *table, uint64_t table_pa,
                  const struct vring_buf *bufs, unsigned nout, unsigned nin, void *token)
{
	bool kick = false;
	int r;

	spin_lock(&vq->lock);
	if (__atomic_load_n(&vq->vdev->broken, __ATOMIC_ACQUIRE)) {
		r = -EIO;
	} else {
		r = table ? vring_add_indirect(&vq->vr, table, table_pa, bufs, nout, nin, token)
		          : vring_add(&vq->vr, bufs, nout, nin, token);
		if (r >= 0) {
			if (vq->vr.inflight == 1)
				vq->last_progress = clock_monotonic_ns();
			if (vq->vr.inflight > vq->max_inflight)
				vq->max_inflight = vq->vr.inflight;
			vq->indirect += table != NULL;
			kick = vring_publish(&vq->vr);
			r = 0;
		}
	}
	spin_unlock(&vq->lock);
	/* 4.1.4.4 / 4.1.5.2: the queue's index, at its notification address. */
	if (kick)
		mmio_write16(vq->notify, (uint16_t)vq->index);
	return r;
}

int virtqueue_submit(struct virtqueue *vq, const struct vring_buf *bufs, unsigned nout,
                     unsigned nin, void *token)
{
	return submit(vq, NULL, 0, bufs, nout, nin, token);
}

int virtqueue_submit_indirect(struct virtqueue *vq, struct vring_desc *table, uint64_t table_pa,
                              const struct vring_buf *bufs, unsigned nout, unsigned nin,
                              void *token)
{
	if (!table || !virtio_has(vq->vdev, VIRTIO_F_INDIRECT_DESC))
		return -EINVAL;
	return submit(vq, table, table_pa, bufs, nout, nin, token);
}

unsigned virtqueue_size(struct virtqueue *vq)
{
	return vq->size;
}

bool virtio_vector_per_queue(const struct virtio_dev *vd)
{
	return vd->msix && vd->nvecs > vd->nvqs;
}

const char *virtio_irq_mode(const struct virtio_dev *vd)
{
	if (!vd->msix)
		return "INTx";
	return virtio_vector_per_queue(vd) ? "MSI-X per queue" : "one MSI-X vector";
}

/* Interrupt handlers: one queue; everything (a shared MSI-X vector); INTx with the ISR. */
static void vq_interrupt(void *ctx)
{
	virtqueue_drain(ctx);
}

static void config_interrupt(struct virtio_dev *vd)
{
	if (virtio_get_status(vd) & VIRTIO_STATUS_NEEDS_RESET)
		virtio_fail(vd, "the device needs a reset");
	else if (vd->driver->config_changed)
		vd->driver->config_changed(vd);
}

static void config_vector(void *ctx)
{
	config_interrupt(ctx);
}

static void shared_vector(void *ctx)
{
	struct virtio_dev *vd = ctx;
	unsigned i;

	for (i = 0; i < vd->nvqs; i++)
		virtqueue_drain(&vd->vqs[i]);
}

static void intx_vector(void *ctx)
{
	struct virtio_dev *vd = ctx;
	/* 4.1.4.5: reading the ISR status acknowledges the interrupt. */
	uint8_t isr = mmio_read8(vd->isr);

	if (isr & VIRTIO_ISR_QUEUE)
		shared_vector(vd);
	if (isr & VIRTIO_ISR_CONFIG)
		config_interrupt(vd);
}

/* The largest power of two at most @n (n > 0). */
static unsigned pow2_floor(unsigned n)
{
	unsigned p = 1;

	while (p * 2 <= n)
		p *= 2;
	return p;
}

/* Allocate queue @vq's ring for @num entries and initialise the driver state. */
static int ring_alloc(struct virtqueue *vq, unsigned num)
{
	struct vring_layout l;
	uint64_t pa;
	int err;

	if (!vring_layout(num, &l))
		return -EINVAL;
	vq->priv = kmalloc(vring_priv_bytes(num));
	if (!vq->priv)
		return -ENOMEM;
	vq->ring_pages = (l.bytes + PAGE_BYTES - 1) / PAGE_BYTES;
	pa = pmm_alloc_contig(vq->ring_pages, 0);
	if (!pa) {
		kfree(vq->priv);
		vq->priv = NULL;
		return -ENOMEM;
	}
	vq->ring_pa = pa;
	vq->size = num;
	spin_lock(&vq->lock);
	err = vring_init(&vq->vr, num, phys_to_virt(pa), vq->priv,
	                 virtio_has(vq->vdev, VIRTIO_F_EVENT_IDX));
	spin_unlock(&vq->lock);
	return err;
}

static void write64(uint8_t *p, uint64_t v)
{
	/* 4.1.3.1: 64-bit fields may be written as two 32-bit halves, low first. */
	mmio_write32(p, (uint32_t)v);
	mmio_write32(p + 4, (uint32_t)(v >> 32));
}

/* 4.1.5.1.3: size, vector, addresses, notification offset, enable. */
static int queue_setup(struct virtqueue *vq, const struct virtqueue_info *info)
{
	struct virtio_dev *vd = vq->vdev;
	uint8_t *c = common(vq);
	unsigned size, noff;
	struct vring_layout l;
	int err;

	mmio_write16(c + VIRTIO_COMMON_Q_SELECT, (uint16_t)vq->index);
	size = mmio_read16(c + VIRTIO_COMMON_Q_SIZE);
	if (size == 0)
		return -ENODEV;
	if (info->max_size && info->max_size < size)
		size = info->max_size;
	size = pow2_floor(size > VRING_MAX_NUM ? VRING_MAX_NUM : size);
	err = ring_alloc(vq, size);
	if (err)
		return err;
	(void)vring_layout(size, &l);
	mmio_write16(c + VIRTIO_COMMON_Q_SIZE, (uint16_t)size);
	if (vd->msix) {
		mmio_write16(c + VIRTIO_COMMON_Q_MSIX, (uint16_t)vq->vector);
		if (mmio_read16(c + VIRTIO_COMMON_Q_MSIX) != vq->vector)
			return -EIO;
	}
	write64(c + VIRTIO_COMMON_Q_DESC, vq->ring_pa + l.desc);
	write64(c + VIRTIO_COMMON_Q_DRIVER, vq->ring_pa + l.avail);
	write64(c + VIRTIO_COMMON_Q_DEVICE, vq->ring_pa + l.used);
	noff = mmio_read16(c + VIRTIO_COMMON_Q_NOFF);
	/* 4.1.4.4: the address must lie inside the notification structure. */
	if ((uint64_t)noff * vd->notify_mul + 2 > vd->notify_len)
		return -EIO;
	vq->notify = (uint8_t *)vd->notify_base + (uint64_t)noff * vd->notify_mul;
	mmio_write16(c + VIRTIO_COMMON_Q_ENABLE, 1);
	return 0;
}

/*
 * Vectors: with MSI-X and enough of them, queue i gets vector i (so it
 * lands on CPU i mod CPUs) and configuration changes vector n; otherwise
 * everything shares vector 0.
 */
static int setup_vectors(struct virtio_dev *vd, unsigned n)
{
	int got = pci_irq_alloc(vd->pci, 1, n + 1);
	unsigned i;

	if (got < 0)
		return got;
	vd->nvecs = (unsigned)got;
	/* Per-queue vectors are MSI-X's (4.1.5.1.2); anything else is INTx with the ISR. */
	vd->msix = strcmp(pci_irq_mode_name(vd->pci), "MSI-X") == 0;
	for (i = 0; i < n; i++) {
		vd->vqs[i].vector = vd->msix && vd->nvecs > n ? i : 0;
		vd->vqs[i].cpu = pci_irq_cpu(vd->pci, vd->vqs[i].vector);
	}
	if (!vd->msix)
		return 0;
	mmio_write16((uint8_t *)vd->common + VIRTIO_COMMON_MSIX, (uint16_t)(vd->nvecs > n ? n : 0));
	if (mmio_read16((uint8_t *)vd->common + VIRTIO_COMMON_MSIX) == VIRTIO_MSI_NO_VECTOR)
		return -EIO;
	return 0;
}

static int set_handlers(struct virtio_dev *vd)
{
	unsigned i, n = vd->nvqs;
	int err;

	if (!vd->msix)
		return pci_irq_set_handler(vd->pci, 0, intx_vector, vd);
	if (vd->nvecs <= n)
		return pci_irq_set_handler(vd->pci, 0, shared_vector, vd);
	for (i = 0; i < n; i++) {
		err = pci_irq_set_handler(vd->pci, i, vq_interrupt, &vd->vqs[i]);
		if (err)
			return err;
	}
	return pci_irq_set_handler(vd->pci, n, config_vector, vd);
}

int virtio_setup_queues(struct virtio_dev *vd, unsigned n, const struct virtqueue_info *info)
{
	unsigned i;
	int err;

	if (n == 0 || n > virtio_max_queues(vd))
		return -ENODEV;
	vd->vqs = kcalloc(n, sizeof(*vd->vqs));
	if (!vd->vqs)
		return -ENOMEM;
	vd->nvqs = n;
	for (i = 0; i < n; i++) {
		struct virtqueue *vq = &vd->vqs[i];

		spin_init(&vq->lock, "virtqueue");
		vq->vdev = vd;
		vq->index = i;
		vq->done = info[i].done;
		vq->ctx = info[i].ctx;
		vq->name = info[i].name;
		vq->idle_ok = info[i].idle_ok;
	}
	err = setup_vectors(vd, n);
	for (i = 0; !err && i < n; i++)
		err = queue_setup(&vd->vqs[i], &info[i]);
	if (!err)
		err = set_handlers(vd);
	if (err)
		pr_err("virtio: %s: cannot set up %u queues: error %d", vd->name, n, err);
	return err;
}

void virtio_free_queues(struct virtio_dev *vd)
{
	unsigned i;

	if (vd->nvecs)
		pci_irq_free(vd->pci);
	vd->nvecs = 0;
	for (i = 0; vd->vqs && i < vd->nvqs; i++) {
		struct virtqueue *vq = &vd->vqs[i];

		if (vq->ring_pa)
			pmm_free_contig(vq->ring_pa, vq->ring_pages);
		kfree(vq->priv);
	}
	kfree(vd->vqs);
	vd->vqs = NULL;
	vd->nvqs = 0;
}
