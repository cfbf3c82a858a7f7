/* SPDX-License-Identifier: MIT */
/*
 * Packet buffers: one frame in one contiguous kernel buffer, with room in
 * front for the headers each layer pushes on the way down and a cursor
 * each layer pulls past on the way up. A driver may hand its own receive
 * buffers up (the release hook gives them back, so they are refilled
 * without a copy).
 *
 * Locks: none; a packet has one owner at a time. Passing a packet to a
 * function that "consumes" it hands over that ownership, even on error.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/list/list.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct netif;

/* Room pkt_alloc() leaves in front for Ethernet + IPv4 + TCP with options and a driver header. */
#define PKT_HEADROOM 128u

/* PKT_* flags. */
#define PKT_CSUM_PARTIAL \
	(1u << 0)             /* tx: the device completes the L4 checksum (csum_start/offset) */
#define PKT_CSUM_OK (1u << 1) /* rx: the device verified the L4 checksum */
#define PKT_BCAST   (1u << 2) /* rx: to a broadcast or multicast MAC */

struct pkt {
	struct list_node link; /* the current owner's queue */
	uint8_t *head;         /* the buffer */
	uint8_t *data;         /* the first byte of the frame at this layer */
	uint32_t len;          /* bytes from data */
	uint32_t size;         /* bytes of the buffer */
	uint32_t flags;        /* PKT_* */
	uint16_t csum_start;   /* PKT_CSUM_PARTIAL: from data at xmit time, where the sum starts */
	uint16_t csum_offset;  /* ... and where in it the result goes */
	struct netif *dev;     /* rx: the interface it came in on */
	/* A driver's own buffer: called instead of freeing head (NULL: head is the heap's). */
	void (*release)(struct pkt *p);
	void *priv;
};

/*
 * A packet with room for @len bytes after @headroom bytes of headroom;
 * data = head + headroom, len = 0. NULL without memory. Any context that
 * may allocate from the heap (not an interrupt handler).
 */
struct pkt *pkt_alloc(size_t headroom, size_t len);
/* Free @p (or give it back to its driver); NULL is ignored. */
void pkt_free(struct pkt *p);

/* Grow the front by @n bytes (a header goes there); NULL when the headroom is short. */
uint8_t *pkt_push(struct pkt *p, size_t n);
/* Drop @n bytes from the front (a header was read); NULL when len < n. */
uint8_t *pkt_pull(struct pkt *p, size_t n);
/* Grow the back by @n bytes (payload goes there); NULL when the tailroom is short. */
uint8_t *pkt_put(struct pkt *p, size_t n);
/* Cut the frame to @len bytes (Ethernet padding, IP total length); no-op when already shorter. */
void pkt_trim(struct pkt *p, size_t len);
static inline size_t pkt_headroom(const struct pkt *p)
{
	return (size_t)(p->data - p->head);
}
static inline size_t pkt_tailroom(const struct pkt *p)
{
	return p->size - pkt_headroom(p) - p->len;
}
/* Heap packets alive now (leak checks). */
long pkt_count(void);
