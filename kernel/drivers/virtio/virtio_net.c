// SPDX-License-Identifier: MIT
/*
 * virtio-net (virtio 1.2, 5.1): an Ethernet interface registered with the
 * stack as eth0, eth1... One receive and one transmit queue, each with its
 * own MSI-X vector when the device has enough. Receive buffers come from a
 * pool of 2 KiB slots in one physically contiguous block, posted before
 * frames arrive and handed up as packets whose release hook posts them
 * again, so a received frame is never copied. Frames to send are given to
 * the device where they lie (header pushed into the packet's headroom);
 * their completions free them. Checksum offload both ways when the device
 * offers it; link status when it reports one. docs/virtio-net.md.
 *
 * Locks: [I] fixed at probe; [R] vnet.rx_lock (the pool's free list and
 * the posted count; taken before the receive queue's lock, in interrupt
 * context too); [a] atomic.
 */
#include "drivers/virtio/virtio_net.h"

#include <cairn/errno.h>

#include <lib/net/wire.h>
#include <lib/string.h>

#include "core/kmain.h"
#include "core/log.h"
#include "core/random.h"
#include "drivers/virtio/internal.h"
#include "drivers/virtio/virtio.h"
#include "mm/heap.h"
#include "mm/pmm.h"
#include "mm/vm.h"
#include "net/netif.h"
#include "net/pkt.h"

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_CSUM       0
#define VIRTIO_NET_F_GUEST_CSUM 1
#define VIRTIO_NET_F_MTU        3
#define VIRTIO_NET_F_MAC        5
#define VIRTIO_NET_F_STATUS     16

/* struct virtio_net_config (5.1.4), byte offsets. */
#define VNET_CFG_MAC    0u  /* u8 mac[6] */
#define VNET_CFG_STATUS 6u  /* le16 */
#define VNET_CFG_MTU    10u /* le16 */

#define VIRTIO_NET_S_LINK_UP 1u /* 5.1.4: status */

/* struct virtio_net_hdr (5.1.6): with VERSION_1 always 12 bytes, num_buffers included. */
struct vnet_hdr {
	uint8_t flags;        /* VNET_HDR_F_* */
	uint8_t gso_type;     /* VNET_GSO_NONE: no segmentation offload */
	uint16_t hdr_len;     /* unused without GSO */
	uint16_t gso_size;    /* unused without GSO */
	uint16_t csum_start;  /* NEEDS_CSUM: from the Ethernet header, where the sum starts */
	uint16_t csum_offset; /* ... and where in it the result goes */
	uint16_t num_buffers; /* receive: buffers of the frame (1 without MRG_RXBUF) */
};
_Static_assert(sizeof(struct vnet_hdr) == 12, "virtio 1.2, 5.1.6: the header is 12 bytes");
#define VNET_HDR_F_NEEDS_CSUM 1u /* 5.1.6: complete the checksum at csum_start/offset */
#define VNET_HDR_F_DATA_VALID 2u /* 5.1.6.4: the device checked the checksum */
#define VNET_GSO_NONE         0u

/*
 * A receive slot: VNET_BUF bytes, the device writes the header at
 * VNET_RX_OFF so that the Ethernet header follows at VNET_RX_OFF + 12 and
 * the IP header lands 8-byte aligned (the bytes in front are headroom for
 * a reply built in place). 5.1.6.3.1: without MRG_RXBUF or GUEST_TSO a
 * buffer must hold the header and a 1514-byte frame (MTU + 14).
 */
#define VNET_BUF      2048u
#define VNET_RX_OFF   62u
#define VNET_RX_ROOM  (VNET_BUF - VNET_RX_OFF)
#define VNET_MAX_MTU  (VNET_RX_ROOM - sizeof(struct vnet_hdr) - ETH_HLEN)
#define VNET_RXQ      0u /* receiveq1 (5.1.2) */
#define VNET_TXQ      1u /* transmitq1 */
#define VNET_RX_QSIZE 256u
#define VNET_TX_QSIZE 256u
/* Spare slots beyond the ring, lent to the stack while the ring stays full. */
#define VNET_RX_SPARE 256u
/* With no spare left the ring shrinks as frames go up, but never below this. */
#define VNET_RX_FLOOR 32u

struct vnet;

struct vnet_buf {
	struct pkt pkt;     /* handed up; pkt.release gives the slot back */
	struct vnet *v;     /* [I] */
	uint64_t pa;        /* [I] the slot's physical address */
	uint8_t *va;        /* [I] ... and where the kernel sees it */
	uint16_t next_free; /* [R] */
};

struct vnet {
	struct virtio_dev *vd; /* [I] */
	struct netif nif;      /* [I] as registered */
	struct virtqueue *rxq; /* [I] */
	struct virtqueue *txq; /* [I] */
	struct spinlock rx_lock;
	struct vnet_buf *bufs; /* [I] nbufs slots */
	unsigned nbufs;        /* [I] */
	uint64_t pool_pa;      /* [I] the slots' memory */
	size_t pool_pages;     /* [I] */
	unsigned rx_target;    /* [I] slots to keep posted: the ring's size */
	uint16_t free_head;    /* [R] first free slot, nbufs when none */
	unsigned nfree;        /* [R] slots neither posted nor lent */
	unsigned posted;       /* [R] slots the device holds */
	uint64_t rx_lent;      /* [a] slots handed up and not yet back */
	uint64_t rx_short;     /* [a] frames handed up without a replacement slot */
	uint64_t tx_copied;    /* [a] frames copied for want of headroom */
};

#define VNET_MAX_DEVS 8u
static unsigned vnet_count;                    /* [a] devices probed */
static struct netif *vnet_nifs[VNET_MAX_DEVS]; /* [a] their interfaces */
static bool (*vnet_tap)(struct pkt *p);        /* [a] virtio_net_set_tap() */

/* Post slot @b on the receive queue. 0 or -errno (the caller keeps @b). */
static int post_locked(struct vnet *v, struct vnet_buf *b) __must_hold(&v->rx_lock)
{
	struct vring_buf vb = { b->pa + VNET_RX_OFF, VNET_RX_ROOM };
	int err = virtqueue_submit(v->rxq, &vb, 0, 1, b);

	if (!err)
		v->posted++;
	return err;
}

static void free_push_locked(struct vnet *v, struct vnet_buf *b) __must_hold(&v->rx_lock)
{
	b->next_free = v->free_head;
	v->free_head = (uint16_t)(b - v->bufs);
	v->nfree++;
}

static struct vnet_buf *free_pop_locked(struct vnet *v) __must_hold(&v->rx_lock)
{
	struct vnet_buf *b;

	if (!v->nfree)
		return NULL;
	b = &v->bufs[v->free_head];
	v->free_head = b->next_free;
	v->nfree--;
	return b;
}

/* Post free slots until the ring holds rx_target of them (or the device refuses). */
static void refill_locked(struct vnet *v) __must_hold(&v->rx_lock)
{
	struct vnet_buf *b;

	while (v->posted < v->rx_target && (b = free_pop_locked(v)) != NULL) {
		if (post_locked(v, b)) {
			free_push_locked(v, b);
			return;
		}
	}
}

/* pkt.release of a received frame: the slot goes back to the ring (any context). */
static void vnet_rx_release(struct pkt *p)
{
	struct vnet_buf *b = container_of(p, struct vnet_buf, pkt);
	struct vnet *v = b->v;
	uint64_t flags = spin_lock_irqsave(&v->rx_lock);

	free_push_locked(v, b);
	refill_locked(v);
	spin_unlock_irqrestore(&v->rx_lock, flags);
	__atomic_sub_fetch(&v->rx_lent, 1, __ATOMIC_RELAXED);
}

/*
 * Whether slot @b may go up to the stack: with a free slot posted in its
 * place, or without one while the ring stays above VNET_RX_FLOOR. Else the
 * frame is dropped and @b posted again at once (bounded memory: a stack
 * that keeps every frame cannot empty the ring).
 */
static bool rx_take_locked(struct vnet *v, struct vnet_buf *b) __must_hold(&v->rx_lock)
{
	v->posted--;
	refill_locked(v);
	if (v->posted >= v->rx_target)
		return true;
	if (v->posted >= VNET_RX_FLOOR) {
		__atomic_add_fetch(&v->rx_short, 1, __ATOMIC_RELAXED);
		return true;
	}
	if (post_locked(v, b))
		free_push_locked(v, b);
	return false;
}

/* Make slot @b's frame of @len bytes (header included) a packet for the stack. */
static struct pkt *rx_packet(struct vnet *v, struct vnet_buf *b, uint32_t len)
{
	struct pkt *p = &b->pkt;
	const struct vnet_hdr *h = (const struct vnet_hdr *)(void *)(b->va + VNET_RX_OFF);
	uint8_t *frame = b->va + VNET_RX_OFF + sizeof(*h);

	memset(p, 0, sizeof(*p));
	p->head = b->va;
	p->size = VNET_BUF;
	p->data = frame;
	p->len = len - (uint32_t)sizeof(*h);
	p->dev = &v->nif;
	p->release = vnet_rx_release;
	p->priv = v;
	/* 5.1.6.4: DATA_VALID only means anything when GUEST_CSUM was negotiated. */
	if ((h->flags & VNET_HDR_F_DATA_VALID) && virtio_has(v->vd, VIRTIO_NET_F_GUEST_CSUM))
		p->flags |= PKT_CSUM_OK;
	if (frame[0] & 1u) /* IEEE 802.3, 3.2.3: the group bit of the destination */
		p->flags |= PKT_BCAST;
	return p;
}

/* The receive queue finished slot @token with @len bytes (interrupt context). */
static void vnet_rx_done(struct virtqueue *vq, void *token, uint32_t len, int err)
{
	bool (*tap)(struct pkt * p);
	struct vnet_buf *b = token;
	struct vnet *v = b->v;
	struct pkt *p;
	uint64_t flags;
	bool up;

	(void)vq;
	flags = spin_lock_irqsave(&v->rx_lock);
	if (err) {
		/* The device failed or was reset: keep the slot, post nothing. */
		v->posted--;
		free_push_locked(v, b);
		spin_unlock_irqrestore(&v->rx_lock, flags);
		return;
	}
	if (len < sizeof(struct vnet_hdr) + ETH_HLEN) {
		/* A runt (lib/virtio checked len against the buffer's size): reuse the slot. */
		v->posted--;
		if (post_locked(v, b))
			free_push_locked(v, b);
		spin_unlock_irqrestore(&v->rx_lock, flags);
		__atomic_add_fetch(&v->nif.stats.rx_errors, 1, __ATOMIC_RELAXED);
		return;
	}
	up = rx_take_locked(v, b);
	spin_unlock_irqrestore(&v->rx_lock, flags);
	if (!up) {
		__atomic_add_fetch(&v->nif.stats.rx_dropped, 1, __ATOMIC_RELAXED);
		return;
	}
	/* netif_rx() counts it in rx_packets and rx_bytes. */
	__atomic_add_fetch(&v->rx_lent, 1, __ATOMIC_RELAXED);
	p = rx_packet(v, b, len);
	tap = __atomic_load_n(&vnet_tap, __ATOMIC_ACQUIRE);
	if (!tap || !tap(p))
		netif_rx(&v->nif, p);
}

/* The transmit queue finished packet @token (interrupt context): free it. */
static void vnet_tx_done(struct virtqueue *vq, void *token, uint32_t len, int err)
{
	struct pkt *p = token;
	struct vnet *v = vq->ctx;

	(void)len;
	if (err)
		__atomic_add_fetch(&v->nif.stats.tx_errors, 1, __ATOMIC_RELAXED);
	pkt_free(p);
}

/*
 * The device cannot finish a PKT_CSUM_PARTIAL checksum: do it here. The
 * field holds the pseudo-header sum (lib/net/wire.h, tcp_build), so the
 * sum of everything from csum_start, complemented, is the checksum; a
 * result of 0 goes out as 0xffff (the same in one's complement, and what
 * UDP needs: RFC 768). The offsets were checked (tx_csum_ok).
 */
static void tx_csum_soft(struct pkt *p)
{
	uint32_t start = p->csum_start, at = start + p->csum_offset;
	uint16_t c;

	c = inet_csum_fold(inet_csum_add(0, p->data + start, p->len - start));
	net_put16(p->data + at, c ? c : 0xffff);
	p->flags &= ~PKT_CSUM_PARTIAL;
}

/* True when @p's PKT_CSUM_PARTIAL offsets lie inside the frame (or it has none). */
static bool tx_csum_ok(const struct pkt *p)
{
	return !(p->flags & PKT_CSUM_PARTIAL) ||
	       (uint32_t)p->csum_start + p->csum_offset + 2 <= p->len;
}

/* @p copied into a fresh packet with headroom for the device's header (consumes @p). */
static struct pkt *tx_copy(struct vnet *v, struct pkt *p)
{
	struct pkt *c = pkt_alloc(PKT_HEADROOM, p->len);

	if (c) {
		memcpy(pkt_put(c, p->len), p->data, p->len);
		c->flags = p->flags;
		c->csum_start = p->csum_start;
		c->csum_offset = p->csum_offset;
		__atomic_add_fetch(&v->tx_copied, 1, __ATOMIC_RELAXED);
	}
	pkt_free(p);
	return c;
}

/*
 * The physical pieces of @len bytes at @va in @out (up to @max, pages that
 * follow each other physically merged). Returns the count, or 0 when
 * some page is unmapped or there are too many pieces.
 */
static unsigned dma_pieces(const uint8_t *va, uint32_t len, struct vring_buf *out, unsigned max)
{
	unsigned n = 0;

	while (len) {
		uint64_t pa = vm_kernel_phys(va);
		uint32_t in_page = 4096u - (uint32_t)((uintptr_t)va & 4095u);
		uint32_t l = len < in_page ? len : in_page;

		if (!pa)
			return 0;
		if (n && out[n - 1].pa + out[n - 1].len == pa) {
			out[n - 1].len += l;
		} else {
			if (n == max)
				return 0;
			out[n++] = (struct vring_buf){ pa, l };
		}
		va += l;
		len -= l;
	}
	return n;
}

/* Push the virtio-net header for @p (5.1.6.2: checksum offload, no segmentation). */
static void tx_header(struct vnet *v, struct pkt *p)
{
	bool partial = p->flags & PKT_CSUM_PARTIAL;
	uint16_t start = p->csum_start, off = p->csum_offset;
	struct vnet_hdr *h = (struct vnet_hdr *)(void *)pkt_push(p, sizeof(*h));

	memset(h, 0, sizeof(*h));
	h->gso_type = VNET_GSO_NONE;
	if (partial && virtio_has(v->vd, VIRTIO_NET_F_CSUM)) {
		h->flags = VNET_HDR_F_NEEDS_CSUM;
		h->csum_start = start;
		h->csum_offset = off;
	}
}

/* netif_ops.xmit: hand one Ethernet frame to the device (see net/netif.h). */
static int vnet_xmit(struct netif *nif, struct pkt *p)
{
	struct vnet *v = nif->priv;
	struct vring_buf vb[4];
	uint32_t len = p->len;
	unsigned n;
	int err = -EINVAL;

	if (len < ETH_HLEN || len > ETH_HLEN + VNET_MAX_MTU || !tx_csum_ok(p))
		goto out_drop;
	if ((p->flags & PKT_CSUM_PARTIAL) && !virtio_has(v->vd, VIRTIO_NET_F_CSUM))
		tx_csum_soft(p);
	if (pkt_headroom(p) < sizeof(struct vnet_hdr)) {
		p = tx_copy(v, p);
		if (!p)
			return -ENOBUFS;
	}
	tx_header(v, p);
	n = dma_pieces(p->data, p->len, vb, ARRAY_SIZE(vb));
	err = n ? virtqueue_submit(v->txq, vb, n, 0, p) : -EFAULT;
	if (err)
		goto out_drop;
	/* The device owns @p now (it may be freed already); netif_xmit() counts it. */
	return 0;
out_drop:
	pkt_free(p);
	return err == -ENOSPC ? -ENOBUFS : err;
}

static const struct netif_ops vnet_ops = {
	.xmit = vnet_xmit,
};

/* 5.1.4: the link is up when the device says so, or always without VIRTIO_NET_F_STATUS. */
static bool link_up(struct vnet *v)
{
	uint64_t st;

	if (!virtio_has(v->vd, VIRTIO_NET_F_STATUS))
		return true;
	return !virtio_cfg_read(v->vd, VNET_CFG_STATUS, 2, &st) && (st & VIRTIO_NET_S_LINK_UP);
}

static void set_link(struct vnet *v)
{
	bool up = link_up(v);
	unsigned old = up ? __atomic_fetch_or(&v->nif.flags, IFF_RUNNING, __ATOMIC_RELAXED)
	                  : __atomic_fetch_and(&v->nif.flags, ~IFF_RUNNING, __ATOMIC_RELAXED);

	if (!!(old & IFF_RUNNING) != up)
		pr_info("virtio-net: %s: link %s", v->nif.name, up ? "up" : "down");
}

/* virtio_driver.config_changed: the link status may have changed (interrupt context). */
static void vnet_config_changed(struct virtio_dev *vd)
{
	struct vnet *v = vd->drvdata;

	if (v && v->nif.index)
		set_link(v);
}

/* The receive slots: two per page, VNET_RX_SPARE more than the ring holds. */
static int pool_alloc(struct vnet *v)
{
	unsigned i;

	v->rx_target = v->rxq->size;
	v->nbufs = v->rx_target + VNET_RX_SPARE;
	v->bufs = kcalloc(v->nbufs, sizeof(*v->bufs));
	if (!v->bufs)
		return -ENOMEM;
	v->pool_pages = (v->nbufs * VNET_BUF + 4095) / 4096;
	v->pool_pa = pmm_alloc_contig(v->pool_pages, 0);
	if (!v->pool_pa)
		return -ENOMEM;
	spin_lock(&v->rx_lock);
	for (i = 0; i < v->nbufs; i++) {
		struct vnet_buf *b = &v->bufs[i];

		b->v = v;
		b->pa = v->pool_pa + (uint64_t)i * VNET_BUF;
		b->va = phys_to_virt(b->pa);
		free_push_locked(v, b);
	}
	spin_unlock(&v->rx_lock);
	return 0;
}

static void pool_free(struct vnet *v)
{
	if (v->pool_pa)
		pmm_free_contig(v->pool_pa, v->pool_pages);
	kfree(v->bufs);
}

/* The MAC address (5.1.4; a random locally administered one without VIRTIO_NET_F_MAC). */
static void read_mac(struct vnet *v)
{
	uint64_t x;
	unsigned i;

	if (virtio_has(v->vd, VIRTIO_NET_F_MAC)) {
		for (i = 0; i < ETH_ALEN; i++) {
			if (virtio_cfg_read(v->vd, VNET_CFG_MAC + i, 1, &x))
				break;
			v->nif.mac[i] = (uint8_t)x;
		}
		if (i == ETH_ALEN)
			return;
	}
	random_bytes(v->nif.mac, ETH_ALEN);
	/* IEEE 802, 8.2.2: clear the group bit, set the locally administered one. */
	v->nif.mac[0] = (uint8_t)((v->nif.mac[0] & ~1u) | 2u);
}

/* Fill @v->nif from the device configuration (5.1.4). */
static void vnet_config(struct vnet *v)
{
	uint64_t mtu;

	memcpy(v->nif.name, "eth%", sizeof("eth%")); /* netif_register numbers it */
	read_mac(v);
	v->nif.mtu = ETH_MTU;
	if (virtio_has(v->vd, VIRTIO_NET_F_MTU) && !virtio_cfg_read(v->vd, VNET_CFG_MTU, 2, &mtu) &&
	    mtu >= 68 && mtu <= VNET_MAX_MTU)
		v->nif.mtu = (unsigned)mtu;
	v->nif.flags = IFF_BROADCAST | IFF_MULTICAST;
	if (virtio_has(v->vd, VIRTIO_NET_F_CSUM))
		v->nif.features |= NETIF_F_CSUM_TX;
	if (virtio_has(v->vd, VIRTIO_NET_F_GUEST_CSUM))
		v->nif.features |= NETIF_F_CSUM_RX;
	v->nif.ops = &vnet_ops;
	v->nif.priv = v;
}

static int vnet_queues(struct vnet *v)
{
	const struct virtqueue_info info[2] = {
		[VNET_RXQ] = { .name = "rx",
		               .max_size = VNET_RX_QSIZE,
		               .done = vnet_rx_done,
		               .ctx = v,
		               .idle_ok = true },
		[VNET_TXQ] = { .name = "tx",
		               .max_size = VNET_TX_QSIZE,
		               .done = vnet_tx_done,
		               .ctx = v },
	};
	int err = virtio_setup_queues(v->vd, 2, info);

	if (err)
		return err;
	v->rxq = &v->vd->vqs[VNET_RXQ];
	v->txq = &v->vd->vqs[VNET_TXQ];
	return 0;
}

static int vnet_probe(struct virtio_dev *vd)
{
	struct vnet *v = kcalloc(1, sizeof(*v));
	uint64_t flags;
	unsigned n;
	int err;

	if (!v)
		return -ENOMEM;
	spin_init(&v->rx_lock, "vnet.rx");
	v->vd = vd;
	err = vnet_queues(v);
	if (!err)
		err = pool_alloc(v);
	if (err)
		goto out_free;
	vnet_config(v);
	/* 3.1.1: no notification before DRIVER_OK, so the ring is filled after it. */
	virtio_ready(vd);
	flags = spin_lock_irqsave(&v->rx_lock);
	refill_locked(v);
	spin_unlock_irqrestore(&v->rx_lock, flags);
	err = netif_register(&v->nif);
	if (err)
		goto out_free;
	vd->drvdata = v;
	n = __atomic_fetch_add(&vnet_count, 1, __ATOMIC_ACQ_REL);
	if (n < VNET_MAX_DEVS)
		__atomic_store_n(&vnet_nifs[n], &v->nif, __ATOMIC_RELEASE);
	set_link(v);
	pr_info("virtio-net: %s: %s, %02x:%02x:%02x:%02x:%02x:%02x, mtu %u, rx %u tx %u, %s%s%s",
	        vd->name, v->nif.name, v->nif.mac[0], v->nif.mac[1], v->nif.mac[2], v->nif.mac[3],
	        v->nif.mac[4], v->nif.mac[5], v->nif.mtu, v->rxq->size, v->txq->size,
	        virtio_irq_mode(vd), virtio_has(vd, VIRTIO_NET_F_CSUM) ? ", tx csum" : "",
	        virtio_has(vd, VIRTIO_NET_F_GUEST_CSUM) ? ", rx csum" : "");
	return 0;
out_free:
	/*
	 * The transport resets the device when probe fails, which stops its
	 * DMA into the pool before the pool goes.
	 */
	pr_err("virtio-net: %s: cannot start: error %d", vd->name, err);
	if (virtio_reset(vd))
		virtio_set_status(vd, VIRTIO_STATUS_FAILED);
	pool_free(v);
	kfree(v);
	return err;
}

static void vnet_remove(struct virtio_dev *vd)
{
	struct vnet *v = vd->drvdata;

	/*
	 * The device is reset and its requests failed. Interfaces are never
	 * freed (net/netif.h) and the stack may still hold received slots, so
	 * the interface and its pool stay; transmits fail with -EIO.
	 */
	vd->drvdata = NULL;
	netif_unregister(&v->nif);
}

void virtio_net_set_tap(bool (*fn)(struct pkt *p))
{
	__atomic_store_n(&vnet_tap, fn, __ATOMIC_RELEASE);
}

unsigned virtio_net_count(void)
{
	return __atomic_load_n(&vnet_count, __ATOMIC_RELAXED);
}

struct netif *virtio_net_netif(unsigned i)
{
	return i < VNET_MAX_DEVS ? __atomic_load_n(&vnet_nifs[i], __ATOMIC_ACQUIRE) : NULL;
}

int virtio_net_stats(struct netif *nif, struct virtio_net_stats *out)
{
	struct vnet *v;
	uint64_t flags;

	if (!nif || nif->ops != &vnet_ops)
		return -ENODEV;
	v = nif->priv;
	flags = spin_lock_irqsave(&v->rx_lock);
	out->rx_posted = v->posted;
	out->rx_free = v->nfree;
	spin_unlock_irqrestore(&v->rx_lock, flags);
	out->rx_slots = v->nbufs;
	out->rx_lent = __atomic_load_n(&v->rx_lent, __ATOMIC_RELAXED);
	out->rx_short = __atomic_load_n(&v->rx_short, __ATOMIC_RELAXED);
	out->tx_copied = __atomic_load_n(&v->tx_copied, __ATOMIC_RELAXED);
	out->vector_per_queue = virtio_vector_per_queue(v->vd);
	out->csum_tx = virtio_has(v->vd, VIRTIO_NET_F_CSUM);
	out->csum_rx = virtio_has(v->vd, VIRTIO_NET_F_GUEST_CSUM);
	out->event_idx = virtio_has(v->vd, VIRTIO_F_EVENT_IDX);
	return 0;
}

const struct virtio_driver virtio_net_driver = {
	.name = "virtio-net",
	.type = VIRTIO_ID_NET,
	.features = 1u << VIRTIO_NET_F_CSUM | 1u << VIRTIO_NET_F_GUEST_CSUM |
	            1u << VIRTIO_NET_F_MTU | 1u << VIRTIO_NET_F_MAC | 1u << VIRTIO_NET_F_STATUS,
	.probe = vnet_probe,
	.remove = vnet_remove,
	.config_changed = vnet_config_changed,
};
