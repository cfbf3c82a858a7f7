/* SPDX-License-Identifier: MIT */
/*
 * NVMe queues as index arithmetic: the capability register, doorbell
 * offsets, submission and completion rings with their phase tags (NVMe
 * 1.4, 4.1 and 4.6), checks of what a completion entry claims, status
 * codes as -errno, and the command identifier bitmap.
 */
#include <cairn/errno.h>

#include <lib/nvme/nvme.h>

#define NVME_PAGE_4K 4096u

int nvme_cap_parse(uint64_t cap, struct nvme_cap *out)
{
	uint32_t mpsmin = NVME_CAP_MPSMIN(cap), mpsmax = NVME_CAP_MPSMAX(cap);

	/* MQES is 0-based and a value of 0 is reserved (3.1.1). */
	if (NVME_CAP_MQES(cap) == 0)
		return -EINVAL;
	if (!(NVME_CAP_CSS(cap) & NVME_CAP_CSS_NVM))
		return -EINVAL;
	/* Cairn gives the controller 4 KiB pages: CC.MPS = 0 must be allowed. */
	if (mpsmin != 0 || mpsmax < mpsmin)
		return -EINVAL;
	out->max_entries = NVME_CAP_MQES(cap) + 1;
	out->contiguous = NVME_CAP_CQR(cap) != 0;
	out->timeout_ms = NVME_CAP_TO(cap) * 500u;
	out->db_stride = 4u << NVME_CAP_DSTRD(cap);
	out->page_min = NVME_PAGE_4K << mpsmin;
	out->page_max = NVME_PAGE_4K << mpsmax;
	return 0;
}

uint32_t nvme_sq_doorbell(uint16_t qid, uint32_t db_stride)
{
	return NVME_REG_DBS + (2u * qid) * db_stride;
}

uint32_t nvme_cq_doorbell(uint16_t qid, uint32_t db_stride)
{
	return NVME_REG_DBS + (2u * qid + 1u) * db_stride;
}

void nvme_sq_init(struct nvme_sq *sq, uint32_t size)
{
	sq->size = size;
	sq->tail = 0;
	sq->head = 0;
}

void nvme_cq_init(struct nvme_cq *cq, uint32_t size)
{
	cq->size = size;
	cq->head = 0;
	/* The host zeroes the ring, so the first pass's entries carry phase 1 (4.6). */
	cq->phase = 1;
}

/* Entries between @from and @to going forward around a ring of @size. */
static uint32_t ring_dist(uint32_t from, uint32_t to, uint32_t size)
{
	return to >= from ? to - from : size - from + to;
}

uint32_t nvme_sq_space(const struct nvme_sq *sq)
{
	return sq->size - 1 - ring_dist(sq->head, sq->tail, sq->size);
}

int nvme_sq_push(struct nvme_sq *sq, uint16_t *slot)
{
	if (nvme_sq_space(sq) == 0)
		return -EBUSY;
	*slot = (uint16_t)sq->tail;
	sq->tail = sq->tail + 1 == sq->size ? 0 : sq->tail + 1;
	return 0;
}

int nvme_sq_set_head(struct nvme_sq *sq, uint16_t sqhd)
{
	if (sqhd >= sq->size)
		return -EIO;
	/* The new head may only move forward, and never past the tail. */
	if (ring_dist(sq->head, sqhd, sq->size) > ring_dist(sq->head, sq->tail, sq->size))
		return -EIO;
	sq->head = sqhd;
	return 0;
}

bool nvme_cq_peek(const struct nvme_cq *cq, const volatile struct nvme_cqe *ring,
                  struct nvme_cqe *out)
{
	const volatile struct nvme_cqe *e = &ring[cq->head];
	uint16_t status = __atomic_load_n(&e->status, __ATOMIC_ACQUIRE);

	if ((status & NVME_CQE_PHASE) != cq->phase)
		return false;
	out->dw0 = e->dw0;
	out->dw1 = e->dw1;
	out->sq_head = e->sq_head;
	out->sq_id = e->sq_id;
	out->cid = e->cid;
	out->status = status;
	return true;
}

void nvme_cq_pop(struct nvme_cq *cq)
{
	if (++cq->head == cq->size) {
		cq->head = 0;
		cq->phase ^= 1;
	}
}

int nvme_cqe_check(const struct nvme_cqe *e, uint16_t sqid, uint16_t ncids)
{
	if (e->sq_id != sqid || e->cid >= ncids)
		return -EIO;
	return 0;
}

int nvme_status_errno(uint16_t status)
{
	unsigned sct = NVME_STATUS_SCT(status), sc = NVME_STATUS_SC(status);

	if (sct == NVME_SCT_GENERIC) {
		switch (sc) {
		case NVME_SC_SUCCESS:
			return 0;
		case NVME_SC_INVALID_OPCODE:
			return -ENOTSUP; /* Linux's EOPNOTSUPP, the same number */
		case NVME_SC_INVALID_FIELD:
		case NVME_SC_INVALID_NS:
		case NVME_SC_LBA_RANGE:
			return -EINVAL;
		case NVME_SC_CAP_EXCEEDED:
			return -ENOSPC;
		case NVME_SC_NS_NOT_READY:
			return -EAGAIN;
		}
	}
	return -EIO;
}

const char *nvme_status_str(uint16_t status)
{
	unsigned sct = NVME_STATUS_SCT(status), sc = NVME_STATUS_SC(status);

	if (sct == NVME_SCT_MEDIA)
		return "media or data integrity error";
	if (sct == NVME_SCT_CMD_SPECIFIC)
		return "command specific error";
	if (sct != NVME_SCT_GENERIC)
		return "vendor or path error";
	switch (sc) {
	case NVME_SC_SUCCESS:
		return "success";
	case NVME_SC_INVALID_OPCODE:
		return "invalid opcode";
	case NVME_SC_INVALID_FIELD:
		return "invalid field";
	case NVME_SC_DATA_XFER:
		return "data transfer error";
	case NVME_SC_ABORTED_SQ_DEL:
		return "aborted: queue deleted";
	case NVME_SC_INVALID_NS:
		return "invalid namespace";
	case NVME_SC_LBA_RANGE:
		return "LBA out of range";
	case NVME_SC_CAP_EXCEEDED:
		return "capacity exceeded";
	case NVME_SC_NS_NOT_READY:
		return "namespace not ready";
	}
	return "generic error";
}

int nvme_cids_init(struct nvme_cids *c, unsigned n)
{
	unsigned i;

	if (n == 0 || n > NVME_CID_MAX)
		return -EINVAL;
	for (i = 0; i < NVME_CID_MAX / 64; i++)
		c->used[i] = c->sent[i] = 0;
	c->n = (uint16_t)n;
	c->inuse = 0;
	c->nsent = 0;
	return 0;
}

int nvme_cids_alloc(struct nvme_cids *c, uint16_t *cid)
{
	unsigned w, bit;

	for (w = 0; w * 64 < c->n; w++) {
		if (c->used[w] == ~0ull)
			continue;
		bit = (unsigned)__builtin_ctzll(~c->used[w]);
		if (w * 64 + bit >= c->n)
			return -EBUSY;
		c->used[w] |= 1ull << bit;
		c->inuse++;
		*cid = (uint16_t)(w * 64 + bit);
		return 0;
	}
	return -EBUSY;
}

bool nvme_cids_busy(const struct nvme_cids *c, uint16_t cid)
{
	return cid < c->n && (c->used[cid / 64] >> (cid % 64) & 1);
}

bool nvme_cids_sent(const struct nvme_cids *c, uint16_t cid)
{
	return cid < c->n && (c->sent[cid / 64] >> (cid % 64) & 1);
}

int nvme_cids_send(struct nvme_cids *c, uint16_t cid)
{
	if (!nvme_cids_busy(c, cid) || nvme_cids_sent(c, cid))
		return -EINVAL;
	c->sent[cid / 64] |= 1ull << (cid % 64);
	c->nsent++;
	return 0;
}

/* The device is done with @cid (completed, or never told of it). */
static void cids_unsend(struct nvme_cids *c, uint16_t cid)
{
	c->sent[cid / 64] &= ~(1ull << (cid % 64));
	c->nsent--;
}

int nvme_cids_abandon(struct nvme_cids *c, uint16_t cid)
{
	if (!nvme_cids_sent(c, cid))
		return -EINVAL;
	cids_unsend(c, cid);
	return 0;
}

unsigned nvme_cids_free_count(const struct nvme_cids *c)
{
	return (unsigned)c->n - c->inuse;
}

int nvme_cids_free(struct nvme_cids *c, uint16_t cid, bool cancel)
{
	if (!nvme_cids_busy(c, cid))
		return -EINVAL;
	if (nvme_cids_sent(c, cid)) {
		if (!cancel)
			return -EINVAL;
		cids_unsend(c, cid);
	}
	c->used[cid / 64] &= ~(1ull << (cid % 64));
	c->inuse--;
	return 0;
}

int nvme_cqe_accept(struct nvme_sq *sq, struct nvme_cids *c, uint16_t sqid,
                    const struct nvme_cqe *e)
{
	if (nvme_cqe_check(e, sqid, c->n) || !nvme_cids_sent(c, e->cid))
		return -EIO;
	if (nvme_sq_set_head(sq, e->sq_head))
		return -EIO;
	cids_unsend(c, e->cid);
	return 0;
}
