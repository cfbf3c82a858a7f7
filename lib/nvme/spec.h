/* SPDX-License-Identifier: MIT */
/*
 * NVMe facts: controller registers, the submission and completion queue
 * entries, opcodes and the fields of the commands Cairn sends. Every value
 * cites the NVM Express Base Specification 1.4 (section numbers below).
 * Only layouts and constants: the functions are in lib/nvme/nvme.h.
 * Little-endian host assumed, as the device is (NVMe 1.4, 1.4 "Conventions").
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* ---- controller registers (NVMe 1.4, 3.1 "Register Definition") ---- */
#define NVME_REG_CAP   0x00u   /* 64-bit: controller capabilities */
#define NVME_REG_VS    0x08u   /* version */
#define NVME_REG_INTMS 0x0cu   /* interrupt mask set (INTx/MSI only) */
#define NVME_REG_INTMC 0x10u   /* interrupt mask clear */
#define NVME_REG_CC    0x14u   /* controller configuration */
#define NVME_REG_CSTS  0x1cu   /* controller status */
#define NVME_REG_AQA   0x24u   /* admin queue attributes */
#define NVME_REG_ASQ   0x28u   /* 64-bit: admin submission queue base */
#define NVME_REG_ACQ   0x30u   /* 64-bit: admin completion queue base */
#define NVME_REG_DBS   0x1000u /* the first doorbell (3.1.24) */

/* CAP fields (3.1.1). */
#define NVME_CAP_MQES(c)   ((uint32_t)((c)&0xffffu))         /* 0-based entries */
#define NVME_CAP_CQR(c)    ((uint32_t)(((c) >> 16) & 1u))    /* contiguous queues required */
#define NVME_CAP_TO(c)     ((uint32_t)(((c) >> 24) & 0xffu)) /* in 500 ms units */
#define NVME_CAP_DSTRD(c)  ((uint32_t)(((c) >> 32) & 0xfu))  /* stride 2^(2+DSTRD) bytes */
#define NVME_CAP_CSS(c)    ((uint32_t)(((c) >> 37) & 0xffu)) /* command sets */
#define NVME_CAP_MPSMIN(c) ((uint32_t)(((c) >> 48) & 0xfu))  /* 2^(12+MPSMIN) bytes */
#define NVME_CAP_MPSMAX(c) ((uint32_t)(((c) >> 52) & 0xfu))
#define NVME_CAP_CSS_NVM   0x01u /* bit 37: the NVM command set */

/* CC fields (3.1.5). */
#define NVME_CC_EN         (1u << 0)
#define NVME_CC_CSS_NVM    (0u << 4)
#define NVME_CC_MPS(shift) ((uint32_t)((shift)-12) << 7) /* page = 2^(12+MPS) */
#define NVME_CC_AMS_RR     (0u << 11)                    /* round robin arbitration */
#define NVME_CC_SHN_NORMAL (1u << 14)                    /* normal shutdown notification */
#define NVME_CC_SHN_MASK   (3u << 14)
#define NVME_CC_IOSQES(l2) ((uint32_t)(l2) << 16) /* SQ entry size 2^n */
#define NVME_CC_IOCQES(l2) ((uint32_t)(l2) << 20) /* CQ entry size 2^n */

/* CSTS fields (3.1.6). */
#define NVME_CSTS_RDY       (1u << 0)
#define NVME_CSTS_CFS       (1u << 1) /* controller fatal status */
#define NVME_CSTS_SHST_MASK (3u << 2)
#define NVME_CSTS_SHST_DONE (2u << 2) /* shutdown processing complete */

/* AQA (3.1.8): both sizes 0-based, at most 4096 entries. */
#define NVME_AQA(sq, cq) (((uint32_t)(cq)-1u) << 16 | ((uint32_t)(sq)-1u))
#define NVME_ADMIN_MAX   4096u

/* ---- queue entries (4.2, 4.6) ---- */
#define NVME_SQE_SIZE_LOG2 6 /* 64-byte submission queue entries */
#define NVME_CQE_SIZE_LOG2 4 /* 16-byte completion queue entries */

/* A submission queue entry (4.2 "Common Command Format"). */
struct nvme_sqe {
	uint8_t opcode;
	uint8_t flags; /* FUSE bits 1:0, PSDT bits 7:6 (0: PRPs) */
	uint16_t cid;  /* command identifier, echoed in the completion */
	uint32_t nsid; /* namespace, 0 when the command has none */
	uint32_t cdw2;
	uint32_t cdw3;
	uint64_t mptr; /* metadata pointer (unused: no metadata) */
	uint64_t prp1; /* data pointer: PRP entry 1 (4.3) */
	uint64_t prp2; /* PRP entry 2, or the PRP list's address */
	uint32_t cdw10;
	uint32_t cdw11;
	uint32_t cdw12;
	uint32_t cdw13;
	uint32_t cdw14;
	uint32_t cdw15;
};
_Static_assert(sizeof(struct nvme_sqe) == 64, "NVMe 1.4, 4.2: 64-byte SQE");
_Static_assert(offsetof(struct nvme_sqe, prp1) == 24, "NVMe 1.4, 4.2: DPTR at dword 6");
_Static_assert(offsetof(struct nvme_sqe, cdw10) == 40, "NVMe 1.4, 4.2: CDW10 at byte 40");

/* A completion queue entry (4.6). */
struct nvme_cqe {
	uint32_t dw0;     /* command specific (Set Features: queues allocated) */
	uint32_t dw1;     /* reserved */
	uint16_t sq_head; /* SQHD: how far the controller consumed the SQ */
	uint16_t sq_id;   /* SQID: the queue the command came from */
	uint16_t cid;     /* the command's identifier */
	uint16_t status;  /* bit 0 phase tag, bits 15:1 status field (4.6.1) */
};
_Static_assert(sizeof(struct nvme_cqe) == 16, "NVMe 1.4, 4.6: 16-byte CQE");

/* The status field (4.6.1): SC bits 8:1, SCT 11:9, CRD 13:12, M 14, DNR 15. */
#define NVME_CQE_PHASE     0x1u
#define NVME_STATUS_SC(s)  (((s) >> 1) & 0xffu)
#define NVME_STATUS_SCT(s) (((s) >> 9) & 0x7u)
#define NVME_STATUS_DNR    0x8000u

/* Status code types (4.6.1.1) and the generic codes Cairn tells apart (4.6.1.2.1). */
#define NVME_SCT_GENERIC       0x0u
#define NVME_SCT_CMD_SPECIFIC  0x1u
#define NVME_SCT_MEDIA         0x2u
#define NVME_SC_SUCCESS        0x00u
#define NVME_SC_INVALID_OPCODE 0x01u
#define NVME_SC_INVALID_FIELD  0x02u
#define NVME_SC_DATA_XFER      0x04u
#define NVME_SC_ABORTED_SQ_DEL 0x08u
#define NVME_SC_INVALID_NS     0x0bu
#define NVME_SC_LBA_RANGE      0x80u
#define NVME_SC_CAP_EXCEEDED   0x81u
#define NVME_SC_NS_NOT_READY   0x82u

/* ---- admin commands (5) ---- */
#define NVME_ADMIN_DELETE_SQ    0x00u
#define NVME_ADMIN_CREATE_SQ    0x01u
#define NVME_ADMIN_DELETE_CQ    0x04u
#define NVME_ADMIN_CREATE_CQ    0x05u
#define NVME_ADMIN_IDENTIFY     0x06u
#define NVME_ADMIN_SET_FEATURES 0x09u

/* Identify CNS values (5.15.1). */
#define NVME_CNS_NS       0x00u /* Identify Namespace of NSID */
#define NVME_CNS_CTRL     0x01u /* Identify Controller */
#define NVME_CNS_NS_LIST  0x02u /* active namespace IDs above NSID (1.1 and later) */
#define NVME_IDENTIFY_LEN 4096u

/* Feature identifiers (5.21.1). */
#define NVME_FEAT_NUM_QUEUES 0x07u

/* Create I/O queue CDW11 bits (5.3, 5.4). */
#define NVME_QUEUE_PC 0x1u /* physically contiguous */
#define NVME_CQ_IEN   0x2u /* interrupts enabled */

/* ---- NVM command set I/O commands (6) ---- */
#define NVME_CMD_FLUSH 0x00u
#define NVME_CMD_WRITE 0x01u
#define NVME_CMD_READ  0x02u
#define NVME_CMD_DSM   0x09u /* Dataset Management */

#define NVME_RW_FUA         (1u << 30) /* CDW12 of Read and Write (6): force unit access */
#define NVME_RW_MAX_LB      65536u     /* NLB is a 16-bit 0-based count */
#define NVME_DSM_AD         (1u << 2)  /* CDW11 of Dataset Management (6) */
#define NVME_DSM_MAX_RANGES 256u       /* NR is an 8-bit 0-based count */

/* One Dataset Management range (NVMe 1.4, 6, "Dataset Management command"). */
struct nvme_dsm_range {
	uint32_t attributes; /* context attributes (0: none) */
	uint32_t nlb;        /* length in logical blocks (1-based!) */
	uint64_t slba;       /* first logical block */
};
_Static_assert(sizeof(struct nvme_dsm_range) == 16, "NVMe 1.4, Dataset Management: 16-byte range");

/* Identify Controller fields Cairn reads (5.15.2.2), byte offsets. */
#define NVME_IDC_VID    0
#define NVME_IDC_SSVID  2
#define NVME_IDC_SN     4  /* 20 ASCII bytes, space padded */
#define NVME_IDC_MN     24 /* 40 ASCII bytes */
#define NVME_IDC_FR     64 /* 8 ASCII bytes */
#define NVME_IDC_MDTS   77 /* max transfer 2^n minimum pages, 0: no limit */
#define NVME_IDC_CNTLID 78
#define NVME_IDC_VER    80
#define NVME_IDC_SQES   512 /* bits 3:0 required, 7:4 maximum (log2 bytes) */
#define NVME_IDC_CQES   513
#define NVME_IDC_MAXCMD 514
#define NVME_IDC_NN     516 /* number of namespaces (highest valid NSID) */
#define NVME_IDC_ONCS   520 /* optional NVM commands */
#define NVME_IDC_VWC    525 /* bit 0: a volatile write cache is present */
#define NVME_ONCS_DSM   (1u << 2)

/* Identify Namespace fields (5.15.2.1), byte offsets. */
#define NVME_IDN_NSZE   0
#define NVME_IDN_NCAP   8
#define NVME_IDN_NUSE   16
#define NVME_IDN_NLBAF  25  /* 0-based number of LBA formats */
#define NVME_IDN_FLBAS  26  /* bits 3:0 format in use, bit 4 metadata inline */
#define NVME_IDN_LBAF   128 /* 16 formats of 4 bytes: MS 15:0, LBADS 23:16, RP 25:24 */
#define NVME_IDN_LBAF_N 16u
