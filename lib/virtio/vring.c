// SPDX-License-Identifier: MIT
/*
 * The split virtqueue (virtio 1.2, 2.7) from the driver's side: see
 * vring.h. The descriptor table is write-only for us: chains and the free
 * list are followed through a private copy of the links, so a device that
 * scribbles on the table cannot send us anywhere. Ordering with the device
 * uses C11 atomics on the two idx fields and full fences where the spec
 * asks for a barrier (2.7.13.3.1, 2.7.13.4.1).
 */
#include "lib/virtio/vring.h"

#include <cairn/errno.h>

/* Private area, in this order: token[num], wlen[num], next[num], count[num]. */
#define PRIV_PER_ENTRY (sizeof(void *) + sizeof(uint32_t) + 2 * sizeof(uint16_t))

/* The used-ring cache line is kept apart from the available ring's: the device writes it. */
#define USED_ALIGN 64u

bool vring_num_ok(unsigned num)
{
	return num != 0 && num <= VRING_MAX_NUM && (num & (num - 1)) == 0;
}

bool vring_layout(unsigned num, struct vring_layout *out)
{
	size_t avail_end;

	if (!vring_num_ok(num))
		return false;
	/* 2.7: descriptors 16 bytes each; avail 6 + 2*num; used 6 + 8*num. */
	out->desc = 0;
	out->avail = 16 * (size_t)num;
	avail_end = out->avail + 6 + 2 * (size_t)num;
	out->used = (avail_end + USED_ALIGN - 1) & ~(size_t)(USED_ALIGN - 1);
	out->bytes = out->used + 6 + 8 * (size_t)num;
	return true;
}

size_t vring_priv_bytes(unsigned num)
{
	return vring_num_ok(num) ? PRIV_PER_ENTRY * num : 0;
}

/* used_event sits after the available ring's entries, avail_event after the used ring's (2.7.10). */
static uint16_t *used_event(struct vring *vr)
{
	return &vr->avail->ring[vr->num];
}

static uint16_t *avail_event(struct vring *vr)
{
	return (uint16_t *)(void *)&vr->used->ring[vr->num];
}

int vring_init(struct vring *vr, unsigned num, void *ring, void *priv, bool event_idx)
{
	struct vring_layout l;
	unsigned i;
	char *r = ring, *p = priv;

	if (!vring_layout(num, &l))
		return -EINVAL;
	for (i = 0; i < l.bytes; i++)
		r[i] = 0;
	vr->num = (uint16_t)num; /* 32768 fits; the masks below use num - 1 */
	vr->event_idx = event_idx;
	vr->desc = (struct vring_desc *)(void *)(r + l.desc);
	vr->avail = (struct vring_avail *)(void *)(r + l.avail);
	vr->used = (struct vring_used *)(void *)(r + l.used);
	vr->token = (void **)(void *)p;
	vr->wlen = (uint32_t *)(void *)(p + sizeof(void *) * num);
	vr->next = (uint16_t *)(void *)(p + (sizeof(void *) + sizeof(uint32_t)) * num);
	vr->count = vr->next + num;
	for (i = 0; i < num; i++) {
		vr->token[i] = NULL;
		vr->wlen[i] = 0;
		vr->next[i] = (uint16_t)(i + 1); /* the last link is never followed */
		vr->count[i] = 0;
	}
	vr->free_head = 0;
	vr->num_free = (uint16_t)num;
	vr->avail_idx = vr->kicked_idx = vr->last_used = 0;
	vr->inflight = 0;
	return 0;
}

/* Check a request's buffers and sum its writable bytes into *@wlen: 0 or -EINVAL. */
static int add_check(const struct vring *vr, const struct vring_buf *bufs, unsigned total,
                     unsigned nout, uint32_t *wlen)
{
	uint64_t w = 0;
	unsigned k;

	if (total == 0 || total > vr->num)
		return -EINVAL;
	for (k = 0; k < total; k++) {
		if (bufs[k].len == 0)
			return -EINVAL;
		if (k >= nout)
			w += bufs[k].len;
	}
	if (w > UINT32_MAX)
		return -EINVAL;
	*wlen = (uint32_t)w;
	return 0;
}

/* Write the chain of @bufs into @d[first...], linked through @next (NULL: 1, 2, 3...). */
static uint16_t write_chain(struct vring_desc *d, const uint16_t *next, uint16_t first,
                            const struct vring_buf *bufs, unsigned total, unsigned nout)
{
	uint16_t i = first;
	unsigned k;

	for (k = 0; k < total; k++) {
		bool last = k + 1 == total;
		uint16_t n = next ? next[i] : (uint16_t)(i + 1);

		d[i].addr = bufs[k].pa;
		d[i].len = bufs[k].len;
		d[i].flags = (uint16_t)((k >= nout ? VRING_DESC_F_WRITE : 0) |
		                        (last ? 0 : VRING_DESC_F_NEXT));
		d[i].next = last ? 0 : n;
		if (!last)
			i = n;
	}
	return i;
}

/* Take @count descriptors from the free list for a request whose chain ends at @last. */
static void add_finish(struct vring *vr, uint16_t head, uint16_t last, unsigned count,
                       uint32_t wlen, void *token)
{
	vr->free_head = vr->next[last];
	vr->num_free = (uint16_t)(vr->num_free - count);
	vr->token[head] = token;
	vr->count[head] = (uint16_t)count;
	vr->wlen[head] = wlen;
	/* 2.7.13.2: the ring entry is written before idx moves (vring_publish). */
	vr->avail->ring[vr->avail_idx & (vr->num - 1)] = head;
	vr->avail_idx++;
	vr->inflight++;
}

int vring_add(struct vring *vr, const struct vring_buf *bufs, unsigned nout, unsigned nin,
              void *token)
{
	unsigned total = nout + nin;
	uint16_t head = vr->free_head, last;
	uint32_t wlen;
	int err;

	if (!token)
		return -EINVAL;
	err = add_check(vr, bufs, total, nout, &wlen);
	if (err)
		return err;
	if (total > vr->num_free)
		return -ENOSPC;
	last = write_chain(vr->desc, vr->next, head, bufs, total, nout);
	add_finish(vr, head, last, total, wlen, token);
	return head;
}

int vring_add_indirect(struct vring *vr, struct vring_desc *table, uint64_t table_pa,
                       const struct vring_buf *bufs, unsigned nout, unsigned nin, void *token)
{
	unsigned total = nout + nin;
	uint16_t head = vr->free_head;
	struct vring_desc *d;
	uint32_t wlen;
	int err;

	if (!token || !table)
		return -EINVAL;
	/* The chain may be as long as the queue (2.7.5.3.1) but takes one entry of it. */
	err = add_check(vr, bufs, total, nout, &wlen);
	if (err)
		return err;
	if (vr->num_free == 0)
		return -ENOSPC;
	(void)write_chain(table, NULL, 0, bufs, total, nout);
	d = &vr->desc[head];
	/* 2.7.5.3.1: an indirect descriptor has neither NEXT nor WRITE. */
	d->addr = table_pa;
	d->len = (uint32_t)(total * sizeof(struct vring_desc));
	d->flags = VRING_DESC_F_INDIRECT;
	d->next = 0;
	add_finish(vr, head, head, 1, wlen, token);
	return head;
}

bool vring_publish(struct vring *vr)
{
	uint16_t new_idx = vr->avail_idx, old = vr->kicked_idx;

	if (new_idx == old)
		return false;
	/* 2.7.13.3.1: descriptors and ring entries before idx; idx before the flags read. */
	__atomic_store_n(&vr->avail->idx, new_idx, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	vr->kicked_idx = new_idx;
	if (vr->event_idx)
		return vring_need_event(__atomic_load_n(avail_event(vr), __ATOMIC_RELAXED), new_idx,
		                        old);
	return !(__atomic_load_n(&vr->used->flags, __ATOMIC_RELAXED) & VRING_USED_F_NO_NOTIFY);
}

/* Put head @id's chain back on the free list and forget its request. */
static void free_chain(struct vring *vr, uint16_t id)
{
	uint16_t last = id, k;

	for (k = 1; k < vr->count[id]; k++)
		last = vr->next[last];
	vr->next[last] = vr->free_head;
	vr->free_head = id;
	vr->num_free = (uint16_t)(vr->num_free + vr->count[id]);
	vr->token[id] = NULL;
	vr->count[id] = 0;
	vr->inflight--;
}

int vring_pop(struct vring *vr, struct vring_done *out)
{
	uint16_t idx = __atomic_load_n(&vr->used->idx, __ATOMIC_ACQUIRE);
	struct vring_used_elem *e;
	uint32_t id, len;

	if (idx == vr->last_used)
		return 0;
	/* The device cannot have finished more than we gave it. */
	if ((uint16_t)(idx - vr->last_used) > vr->inflight)
		return -EIO;
	e = &vr->used->ring[vr->last_used & (vr->num - 1)];
	id = __atomic_load_n(&e->id, __ATOMIC_RELAXED);
	len = __atomic_load_n(&e->len, __ATOMIC_RELAXED);
	vr->last_used++;
	if (id >= vr->num || !vr->token[id])
		return -EIO;
	out->token = vr->token[id];
	out->len = len;
	/* 2.7.8.2: the device writes at most the chain's writable length. */
	out->err = len > vr->wlen[id] ? -EIO : 0;
	free_chain(vr, (uint16_t)id);
	return 1;
}

bool vring_pending(const struct vring *vr)
{
	return __atomic_load_n(&vr->used->idx, __ATOMIC_ACQUIRE) != vr->last_used;
}

bool vring_enable_cb(struct vring *vr)
{
	/* 2.7.7.1: with the event index, flags stay 0 and used_event says when. */
	if (vr->event_idx)
		__atomic_store_n(used_event(vr), vr->last_used, __ATOMIC_RELAXED);
	else
		__atomic_store_n(&vr->avail->flags, 0, __ATOMIC_RELAXED);
	/* 2.7.13.4.1 (the driver's side): re-read idx only after the store is visible. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return vring_pending(vr);
}

void vring_disable_cb(struct vring *vr)
{
	/* An event one behind where the device is wraps around 2^16 entries away. */
	if (vr->event_idx)
		__atomic_store_n(used_event(vr), (uint16_t)(vr->last_used - 1), __ATOMIC_RELAXED);
	else
		__atomic_store_n(&vr->avail->flags, VRING_AVAIL_F_NO_INTERRUPT, __ATOMIC_RELAXED);
}

void *vring_detach(struct vring *vr)
{
	unsigned i;
	void *t;

	for (i = 0; i < vr->num; i++) {
		if (vr->token[i]) {
			t = vr->token[i];
			free_chain(vr, (uint16_t)i);
			return t;
		}
	}
	return NULL;
}
