/* SPDX-License-Identifier: MIT */
/*
 * virtio-net (kernel/drivers/virtio/virtio_net.c): what tests and
 * statistics see of the driver beyond the interface it registers.
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stdint.h>

struct netif;
struct pkt;

/* One interface's driver state (virtio_net_stats()). */
struct virtio_net_stats {
	unsigned rx_slots;     /* receive slots in the pool */
	unsigned rx_posted;    /* slots the device holds now */
	unsigned rx_free;      /* slots neither posted nor lent */
	uint64_t rx_lent;      /* slots the stack holds now */
	uint64_t rx_short;     /* frames handed up with no replacement slot to post */
	uint64_t tx_copied;    /* frames copied because their headroom was short */
	bool vector_per_queue; /* each queue has its own MSI-X vector */
	bool csum_tx;          /* VIRTIO_NET_F_CSUM negotiated */
	bool csum_rx;          /* VIRTIO_NET_F_GUEST_CSUM negotiated */
	bool event_idx;        /* VIRTIO_F_EVENT_IDX negotiated */
};

/* virtio-net devices probed so far. */
unsigned virtio_net_count(void);
/* The interface of the @i-th device probed (from 0), NULL when there is none. */
struct netif *virtio_net_netif(unsigned i);
/* Fill @out for @nif; 0, or -ENODEV when @nif is no virtio-net interface. */
int __must_check virtio_net_stats(struct netif *nif, struct virtio_net_stats *out);

/*
 * Tests and debugging: call @fn on every frame received on any virtio-net
 * interface before the stack sees it (interrupt context: @fn must not
 * sleep or allocate). @fn returns true when it keeps the packet (it frees
 * it later with pkt_free()), false to let it go on to netif_rx(). NULL
 * removes it.
 */
void virtio_net_set_tap(bool (*fn)(struct pkt *p));
