/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for the completion side of lib/nvme/queue.c: the input
 * is a script in which the host submits commands, a hostile controller
 * writes any 16 bytes into any completion slot, and the host drains the
 * ring as the kernel driver does (peek, accept or reject, pop). A shadow
 * of the commands in flight checks that only a command in flight is ever
 * completed, each once, and that the rings' indices stay in range.
 */
#include <cairn/errno.h>

#include <lib/nvme/nvme.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define QMAX 64

struct model {
	struct nvme_cqe ring[QMAX];
	struct nvme_sq sq;
	struct nvme_cq cq;
	struct nvme_cids cids;
	bool inflight[QMAX];
	unsigned ninflight;
};

static void host_submit(struct model *m)
{
	uint16_t cid, slot;

	if (nvme_cids_alloc(&m->cids, &cid) != 0)
		return;
	if (m->inflight[cid])
		abort(); /* handed out twice */
	if (nvme_sq_push(&m->sq, &slot) != 0) {
		if (nvme_cids_free(&m->cids, cid, false) != 0)
			abort();
		return;
	}
	if (nvme_cids_send(&m->cids, cid) != 0)
		abort();
	m->inflight[cid] = true;
	m->ninflight++;
}

static void host_drain(struct model *m)
{
	struct nvme_cqe e;
	unsigned budget = m->cq.size;

	while (budget-- && nvme_cq_peek(&m->cq, m->ring, &e)) {
		if (nvme_cqe_accept(&m->sq, &m->cids, 1, &e) == 0) {
			if (e.cid >= QMAX || !m->inflight[e.cid])
				abort(); /* completed something not in flight */
			m->inflight[e.cid] = false;
			m->ninflight--;
			if (nvme_cids_free(&m->cids, e.cid, false) != 0)
				abort();
		}
		nvme_cq_pop(&m->cq);
	}
	if (m->cids.inuse != m->ninflight || m->cids.nsent != m->ninflight ||
	    m->sq.head >= m->sq.size || m->cq.head >= m->cq.size)
		abort();
	if (nvme_sq_space(&m->sq) > m->sq.size - 1)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct model *m = calloc(1, sizeof(*m));
	size_t i = 1;
	unsigned qsize;

	if (size < 1)
		goto out;
	qsize = 2 + data[0] % (QMAX - 1);
	nvme_sq_init(&m->sq, qsize);
	nvme_cq_init(&m->cq, qsize);
	if (nvme_cids_init(&m->cids, qsize - 1) != 0)
		abort();
	while (i < size) {
		uint8_t op = data[i++];

		if (op % 3 == 0) {
			host_submit(m);
		} else if (op % 3 == 1 && i + 16 <= size) {
			memcpy(&m->ring[(op / 3) % qsize], data + i, 16);
			i += 16;
		} else {
			host_drain(m);
		}
	}
	host_drain(m);
out:
	free(m);
	return 0;
}
