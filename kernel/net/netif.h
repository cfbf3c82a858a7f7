/* SPDX-License-Identifier: MIT */
/*
 * Network interfaces: what a driver registers (eth0 from virtio-net, lo
 * built in), how frames enter the stack and leave it, and each
 * interface's IPv4 address. Received frames are queued and processed by
 * the stack's own task ("net"), never in the driver's interrupt handler.
 *
 * Locks: [I] fixed once registered; [a] atomic; [C] netif_cfg_lock (the
 * list of interfaces and their configuration; a spinlock, never held
 * across a transmit).
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/list/list.h>
#include <lib/net/wire.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct pkt;
struct netif;

#define IFNAMSIZ 16u

/* IFF_* as Linux's (include/uapi/linux/if.h): SIOCGIFFLAGS answers them. */
#define IFF_UP        0x1u
#define IFF_BROADCAST 0x2u
#define IFF_LOOPBACK  0x8u
#define IFF_RUNNING   0x40u
#define IFF_MULTICAST 0x1000u

/* NETIF_F_*: what the device does for the stack. */
#define NETIF_F_CSUM_TX (1u << 0) /* completes TCP/UDP checksums (PKT_CSUM_PARTIAL) */
#define NETIF_F_CSUM_RX (1u << 1) /* verifies received checksums (PKT_CSUM_OK) */

/*
 * Linux's /proc/net/dev columns. The stack counts rx_packets, rx_bytes and
 * rx_dropped in netif_rx(), and tx_packets, tx_bytes and tx_dropped around
 * ops->xmit; a driver counts only its own rx_errors and tx_errors.
 */
struct netif_stats {
	uint64_t rx_bytes, rx_packets, rx_errors, rx_dropped;
	uint64_t tx_bytes, tx_packets, tx_errors, tx_dropped;
};

struct netif_ops {
	/*
	 * Send one Ethernet frame (consumes @p, also on error). Task context,
	 * possibly on several CPUs at once; must not sleep. -ENOBUFS when the
	 * device's queue is full: the frame is dropped and counted.
	 */
	int (*xmit)(struct netif *nif, struct pkt *p);
	/* Optional: the interface was brought up or down (IFF_UP). */
	int (*set_up)(struct netif *nif, bool up);
};

struct netif {
	char name[IFNAMSIZ];         /* [I] "eth0", "lo" */
	int index;                   /* [I] from 1 (lo is 1), as SIOCGIFINDEX */
	uint8_t mac[ETH_ALEN];       /* [I] all zero for lo */
	unsigned mtu;                /* [C] the largest IP packet */
	unsigned flags;              /* [a] IFF_* */
	unsigned features;           /* [I] NETIF_F_* */
	const struct netif_ops *ops; /* [I] */
	void *priv;                  /* [I] the driver's */
	uint32_t addr, netmask;      /* [C] IPv4, host order; 0: none */
	struct netif_stats stats;    /* [a] see below for who counts what */
	struct list_node link;       /* [C] the list of interfaces */
	void *arp;                   /* [a] arp.c's state (Ethernet), created on first use */
	unsigned rx_queued;          /* [Q] frames in the net task's queue (nettask.c's lock) */
};

/*
 * Add @nif (name, mac, mtu, features, ops, priv filled; the name may be a
 * prefix ending in '%' -- "eth%" -- for the next free number). Gives it an
 * index. 0 or -errno.
 */
int __must_check netif_register(struct netif *nif);
void netif_unregister(struct netif *nif);

/*
 * A received Ethernet frame on @nif (consumes @p). Any context, interrupt
 * handlers included: it is queued (bounded; drops are counted in
 * rx_dropped) and the net task processes it.
 */
void netif_rx(struct netif *nif, struct pkt *p);

/* Look up by name or index; NULL when none. Interfaces are never freed while the system runs. */
struct netif *netif_by_name(const char *name);
struct netif *netif_by_index(int index);
/* Call @fn on every interface in index order (under [C]: @fn must not sleep or transmit). */
void netif_foreach(void (*fn)(struct netif *nif, void *ctx), void *ctx);

/* Configure IPv4 (adds the connected route); 0 or -errno. */
int __must_check netif_set_addr(struct netif *nif, uint32_t addr, uint32_t netmask);
/* @nif's address and netmask, read together under [C]. */
void netif_get_addr(struct netif *nif, uint32_t *addr, uint32_t *netmask);
/* Bring up or down (IFF_UP, calling ops->set_up). */
int __must_check netif_set_up(struct netif *nif, bool up);

/* Boot: the loopback interface and the net task. Called once before the drivers probe. */
int net_init(void);
