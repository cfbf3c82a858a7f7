/* SPDX-License-Identifier: MIT */
/*
 * Encoding of the commands Cairn sends: the admin commands that bring a
 * controller up (NVMe 1.4, 5.3 and 5.4 create, 5.5 and 5.6 delete I/O
 * queues, 5.15 Identify, 5.21 Set Features) and the NVM command set's I/O
 * commands (NVMe 1.4, 6: Dataset Management, Flush, Read, Write).
 * Each builder clears the entry first; the caller sets the identifier.
 */
#include <cairn/errno.h>

#include <lib/nvme/nvme.h>

static void sqe_clear(struct nvme_sqe *s, uint8_t opcode, uint32_t nsid)
{
	uint32_t *w = (uint32_t *)s;
	size_t i;

	for (i = 0; i < sizeof(*s) / sizeof(*w); i++)
		w[i] = 0;
	s->opcode = opcode;
	s->nsid = nsid;
}

void nvme_cmd_identify(struct nvme_sqe *s, uint8_t cns, uint32_t nsid, uint64_t buf_pa)
{
	sqe_clear(s, NVME_ADMIN_IDENTIFY, nsid);
	s->prp1 = buf_pa; /* the 4 KiB buffer is one page: PRP entry 2 is unused */
	s->cdw10 = cns;
}

void nvme_cmd_set_queues(struct nvme_sqe *s, uint16_t nsq, uint16_t ncq)
{
	sqe_clear(s, NVME_ADMIN_SET_FEATURES, 0);
	s->cdw10 = NVME_FEAT_NUM_QUEUES;
	/* Both counts are 0-based (5.21.1.7): NCQR in 31:16, NSQR in 15:0. */
	s->cdw11 = (uint32_t)(ncq - 1) << 16 | (uint16_t)(nsq - 1);
}

void nvme_cmd_create_cq(struct nvme_sqe *s, uint16_t qid, uint16_t size, uint64_t pa,
                        uint16_t vector)
{
	sqe_clear(s, NVME_ADMIN_CREATE_CQ, 0);
	s->prp1 = pa;
	s->cdw10 = (uint32_t)(size - 1) << 16 | qid;
	s->cdw11 = (uint32_t)vector << 16 | NVME_CQ_IEN | NVME_QUEUE_PC;
}

void nvme_cmd_create_sq(struct nvme_sqe *s, uint16_t qid, uint16_t size, uint64_t pa, uint16_t cqid)
{
	sqe_clear(s, NVME_ADMIN_CREATE_SQ, 0);
	s->prp1 = pa;
	s->cdw10 = (uint32_t)(size - 1) << 16 | qid;
	s->cdw11 = (uint32_t)cqid << 16 | NVME_QUEUE_PC; /* priority bits 0: urgent is unused */
}

void nvme_cmd_delete_queue(struct nvme_sqe *s, uint8_t opcode, uint16_t qid)
{
	sqe_clear(s, opcode, 0);
	s->cdw10 = qid;
}

void nvme_cmd_rw(struct nvme_sqe *s, bool write, uint32_t nsid, uint64_t slba, uint32_t nlb,
                 bool fua, const struct nvme_prp *prp)
{
	sqe_clear(s, write ? NVME_CMD_WRITE : NVME_CMD_READ, nsid);
	s->prp1 = prp->prp1;
	s->prp2 = prp->prp2;
	s->cdw10 = (uint32_t)slba;
	s->cdw11 = (uint32_t)(slba >> 32);
	s->cdw12 = (nlb - 1) & 0xffffu;
	if (fua)
		s->cdw12 |= NVME_RW_FUA;
}

void nvme_cmd_flush(struct nvme_sqe *s, uint32_t nsid)
{
	sqe_clear(s, NVME_CMD_FLUSH, nsid);
}

void nvme_cmd_dsm_deallocate(struct nvme_sqe *s, uint32_t nsid, unsigned nr, uint64_t ranges_pa)
{
	sqe_clear(s, NVME_CMD_DSM, nsid);
	s->prp1 = ranges_pa; /* at most 256 ranges of 16 bytes: one 4 KiB page */
	s->cdw10 = (nr - 1) & 0xffu;
	s->cdw11 = NVME_DSM_AD;
}

int nvme_dsm_ranges(struct nvme_dsm_range *r, unsigned cap, uint64_t slba, uint64_t nlb)
{
	unsigned n = 0;

	if (nlb == 0 || slba + nlb < slba)
		return -EINVAL;
	while (nlb) {
		uint32_t len = nlb > 0xffffffffull ? 0xffffffffu : (uint32_t)nlb;

		if (n == cap)
			return -EINVAL;
		r[n].attributes = 0;
		r[n].nlb = len;
		r[n].slba = slba;
		slba += len;
		nlb -= len;
		n++;
	}
	return (int)n;
}
