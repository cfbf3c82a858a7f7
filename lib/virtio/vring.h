/* SPDX-License-Identifier: MIT */
/*
 * The driver's side of a virtio split virtqueue (virtio 1.2, 2.7): the
 * descriptor table, the available ring the driver fills and the used ring
 * the device fills, with the free-descriptor list, chaining and the event
 * index (VIRTIO_F_EVENT_IDX, 2.7.7 and 2.7.10). Pure: the caller supplies
 * the ring memory (device-visible), a private area and physical addresses,
 * does its own locking and talks to the transport (notification,
 * interrupts). Everything the device writes (the used ring) is checked
 * before use: a bad id or length is refused, never followed.
 *
 * Byte order: virtio 1.x rings are little-endian (2.7); this file stores
 * native values and so serves little-endian CPUs only (x86_64, the hosts
 * the tests run on).
 */
#pragma once

#include <cairn/compiler.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The largest split queue (virtio 1.2, 2.7: Queue Size at most 32768). */
#define VRING_MAX_NUM 32768u

/* A descriptor (virtio 1.2, 2.7.5). */
struct vring_desc {
	uint64_t addr;  /* guest-physical address of the buffer */
	uint32_t len;   /* bytes */
	uint16_t flags; /* VRING_DESC_F_* */
	uint16_t next;  /* the chain's next descriptor when F_NEXT */
};
#define VRING_DESC_F_NEXT     1u /* the chain continues at next */
#define VRING_DESC_F_WRITE    2u /* device-writable (else device-readable) */
#define VRING_DESC_F_INDIRECT 4u /* the buffer is a table of descriptors */

/* The available ring (2.7.6): flags, idx, ring[num], then used_event (2.7.10). */
struct vring_avail {
	uint16_t flags; /* VRING_AVAIL_F_NO_INTERRUPT */
	uint16_t idx;   /* where the driver puts the next entry (mod 2^16) */
	uint16_t ring[];
};
#define VRING_AVAIL_F_NO_INTERRUPT 1u

/* One used-ring entry (2.7.8). */
struct vring_used_elem {
	uint32_t id;  /* head of the chain the device finished */
	uint32_t len; /* bytes it wrote into the chain's writable part */
};

/* The used ring (2.7.8): flags, idx, ring[num], then avail_event (2.7.10). */
struct vring_used {
	uint16_t flags; /* VRING_USED_F_NO_NOTIFY */
	uint16_t idx;   /* where the device puts the next entry (mod 2^16) */
	struct vring_used_elem ring[];
};
#define VRING_USED_F_NO_NOTIFY 1u

/* Where the three parts sit in one block of vring_bytes() (alignments of 2.7). */
struct vring_layout {
	size_t desc;  /* offset of the descriptor table (16-byte aligned: 0) */
	size_t avail; /* offset of the available ring (2-byte aligned) */
	size_t used;  /* offset of the used ring (4-byte aligned) */
	size_t bytes; /* the whole block */
};

/* One buffer of a request. */
struct vring_buf {
	uint64_t pa;  /* guest-physical address */
	uint32_t len; /* bytes, not 0 */
};

/*
 * A queue's driver state. Locks: the caller's (one lock per queue around
 * every call). Fields [I] are set by vring_init().
 */
struct vring {
	uint16_t num;              /* [I] queue size, a power of two */
	bool event_idx;            /* [I] VIRTIO_F_EVENT_IDX negotiated */
	struct vring_desc *desc;   /* [I] device-visible descriptor table */
	struct vring_avail *avail; /* [I] device-visible available ring */
	struct vring_used *used;   /* [I] device-visible used ring */
	void **token;              /* [I] per head: the request in flight, NULL when free */
	uint16_t *next;            /* [I] private copy of each descriptor's chain/free link */
	uint16_t *count;           /* [I] per head: descriptors in its chain */
	uint32_t *wlen;            /* [I] per head: device-writable bytes in its chain */
	uint16_t free_head;        /* first free descriptor */
	uint16_t num_free;         /* free descriptors */
	uint16_t avail_idx;        /* the next available index (published or not) */
	uint16_t kicked_idx;       /* avail idx at the last vring_publish() */
	uint16_t last_used;        /* the next used index to take */
	uint16_t inflight;         /* chains added and not yet returned */
};

/* A finished request, from vring_pop(). */
struct vring_done {
	void *token;  /* what vring_add() was given */
	uint32_t len; /* bytes the device wrote (checked against the chain) */
	int err;      /* 0, or -EIO when the device claimed more than the chain holds */
};

/* True when @num is a valid split queue size (a power of two, 1..32768; 2.7). */
bool vring_num_ok(unsigned num);

/* The layout of a queue of @num entries in one block; false when @num is invalid. */
bool vring_layout(unsigned num, struct vring_layout *out);

/* Bytes of private memory vring_init() needs for @num entries (8-byte aligned). */
size_t vring_priv_bytes(unsigned num);

/*
 * Set up @vr over @ring (vring_layout(@num).bytes, 16-byte aligned, zeroed
 * here) and @priv (vring_priv_bytes(@num), 8-byte aligned). @event_idx:
 * VIRTIO_F_EVENT_IDX was negotiated. Returns 0 or -EINVAL (bad @num).
 */
int __must_check vring_init(struct vring *vr, unsigned num, void *ring, void *priv, bool event_idx);

/*
 * Queue a request: @nout device-readable buffers then @nin device-writable
 * ones, from @bufs, chained in that order, remembered under @token (not
 * NULL). The entry is not visible to the device before vring_publish().
 * Returns the head descriptor's index, -ENOSPC (too few free descriptors;
 * nothing changed) or -EINVAL (no buffers, an empty one, NULL token).
 */
int __must_check vring_add(struct vring *vr, const struct vring_buf *bufs, unsigned nout,
                           unsigned nin, void *token);

/*
 * As vring_add(), but as one indirect descriptor (2.7.5.3; needs
 * VIRTIO_F_INDIRECT_DESC): the chain is written into @table (@nout + @nin
 * entries, device-visible at @table_pa, owned by the request until it
 * comes back) and takes one entry of the queue. Returns the head's index,
 * -ENOSPC (the queue is full) or -EINVAL (as vring_add(), or no table).
 */
int __must_check vring_add_indirect(struct vring *vr, struct vring_desc *table, uint64_t table_pa,
                                    const struct vring_buf *bufs, unsigned nout, unsigned nin,
                                    void *token);

/*
 * Make every entry added since the last call visible to the device.
 * Returns true when the device wants a notification now (it did not
 * suppress it with VRING_USED_F_NO_NOTIFY, or by its avail_event with the
 * event index: 2.7.10).
 */
bool vring_publish(struct vring *vr);

/*
 * Take the next finished request from the used ring. Returns 1 and fills
 * @out, 0 when there is none, or -EIO when the device wrote garbage (an id
 * out of range or not in flight, or an idx more than the in-flight count
 * ahead): the entry is skipped and the device should be reset.
 */
int __must_check vring_pop(struct vring *vr, struct vring_done *out);

/* True when the used ring holds an entry vring_pop() has not taken. */
bool vring_pending(const struct vring *vr);

/*
 * Ask for an interrupt at the next used entry (clears NO_INTERRUPT, or
 * sets used_event to the next index). Returns true when entries arrived
 * meanwhile: the caller must pop again, or it may wait forever.
 */
bool vring_enable_cb(struct vring *vr);

/* Ask the device not to interrupt (a hint: 2.7.7). */
void vring_disable_cb(struct vring *vr);

/*
 * Take back one request the device will never finish (after a reset):
 * returns its token and frees its chain, or NULL when none is left.
 */
void *vring_detach(struct vring *vr);

/*
 * virtio 1.2, 2.7.10: whether the other side asked to be told when the
 * index moved from @old to @new_idx past @event (all mod 2^16).
 */
static inline bool vring_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
	return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}
