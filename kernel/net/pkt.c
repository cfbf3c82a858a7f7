// SPDX-License-Identifier: MIT
/*
 * Packet buffers (net/pkt.h): a heap packet is one allocation, the struct
 * followed by its buffer, so allocating and freeing a frame is one heap
 * call each.
 */
#include "net/pkt.h"

#include <lib/string.h>

#include "mm/heap.h"

static long live;

struct pkt *pkt_alloc(size_t headroom, size_t len)
{
	struct pkt *p;

	if (headroom > UINT32_MAX / 2 || len > UINT32_MAX / 2)
		return NULL;
	p = kmalloc_flags(sizeof(*p) + headroom + len, KM_MAY_FAIL);
	if (!p)
		return NULL;
	memset(p, 0, sizeof(*p));
	p->head = (uint8_t *)(p + 1);
	p->data = p->head + headroom;
	p->size = (uint32_t)(headroom + len);
	__atomic_add_fetch(&live, 1, __ATOMIC_RELAXED);
	return p;
}

void pkt_free(struct pkt *p)
{
	if (!p)
		return;
	if (p->release) {
		p->release(p);
		return;
	}
	__atomic_sub_fetch(&live, 1, __ATOMIC_RELAXED);
	kfree(p);
}

uint8_t *pkt_push(struct pkt *p, size_t n)
{
	if (n > pkt_headroom(p))
		return NULL;
	p->data -= n;
	p->len += (uint32_t)n;
	return p->data;
}

uint8_t *pkt_pull(struct pkt *p, size_t n)
{
	if (n > p->len)
		return NULL;
	p->data += n;
	p->len -= (uint32_t)n;
	return p->data;
}

uint8_t *pkt_put(struct pkt *p, size_t n)
{
	uint8_t *tail = p->data + p->len;

	if (n > pkt_tailroom(p))
		return NULL;
	p->len += (uint32_t)n;
	return tail;
}

void pkt_trim(struct pkt *p, size_t len)
{
	if (len < p->len)
		p->len = (uint32_t)len;
}

long pkt_count(void)
{
	return __atomic_load_n(&live, __ATOMIC_RELAXED);
}
