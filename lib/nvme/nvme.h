/* SPDX-License-Identifier: MIT */
/*
 * The pure half of the NVMe driver: queue index arithmetic and phase tags,
 * checks of what a completion claims, command identifiers, PRP lists built
 * from a request's physical segments, command encoding, and parsers for
 * the capability register and the Identify data -- all of which a device
 * may fill with garbage, so each is validated before the kernel acts on
 * it. No kernel headers; kernel/drivers/nvme and the host tests link it.
 */
#pragma once

#include <cairn/compiler.h>

#include <lib/nvme/spec.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nvme_cids;

/* ---- capabilities (3.1.1) ---- */

/* CAP decoded. */
struct nvme_cap {
	uint32_t max_entries; /* MQES + 1: entries per I/O queue, 2..65536 */
	bool contiguous;      /* CQR: queues must be physically contiguous */
	uint32_t timeout_ms;  /* TO: the longest CSTS.RDY may take to change */
	uint32_t db_stride;   /* bytes between doorbells, 4 << DSTRD */
	uint32_t page_min;    /* smallest memory page size, bytes */
	uint32_t page_max;    /* largest */
};

/*
 * Decode @cap into *@out. Returns 0, or -EINVAL when the controller
 * cannot be driven: MQES of 0 (reserved), no NVM command set, or a
 * minimum page size above 4 KiB (Cairn's page) or a maximum below it.
 */
int __must_check nvme_cap_parse(uint64_t cap, struct nvme_cap *out);

/* Byte offset of queue @qid's submission tail doorbell (3.1.24). */
uint32_t nvme_sq_doorbell(uint16_t qid, uint32_t db_stride);
/* Byte offset of queue @qid's completion head doorbell (3.1.25). */
uint32_t nvme_cq_doorbell(uint16_t qid, uint32_t db_stride);

/* ---- queues (4.1) ---- */

/*
 * A submission queue's indices. The ring holds @size entries of which at
 * most size - 1 are in use: full when tail + 1 == head (4.1.1).
 */
struct nvme_sq {
	uint32_t size; /* entries, 2..65536 */
	uint32_t tail; /* next slot the host writes */
	uint32_t head; /* oldest slot the controller may still read (from SQHD) */
};

/* A completion queue's index and the phase tag a new entry carries (4.6). */
struct nvme_cq {
	uint32_t size; /* entries, 2..65536 */
	uint32_t head; /* next entry to look at */
	uint8_t phase; /* the tag of a new entry: 1 on the first pass, flips at each wrap */
};

/* Empty queues of @size entries (2..65536; the caller checked it against CAP.MQES). */
void nvme_sq_init(struct nvme_sq *sq, uint32_t size);
void nvme_cq_init(struct nvme_cq *cq, uint32_t size);

/* Entries the host may still add to @sq. */
uint32_t nvme_sq_space(const struct nvme_sq *sq);

/*
 * Take the slot at the tail for a new entry: its index in *@slot; the
 * caller writes the entry there, then rings the doorbell with sq->tail.
 * Returns 0 or -EBUSY (full).
 */
int __must_check nvme_sq_push(struct nvme_sq *sq, uint16_t *slot);

/*
 * A completion says the controller consumed @sq up to (not including)
 * @sqhd. Returns 0, or -EIO when @sqhd lies outside [head, tail] in ring
 * order (a controller that claims to have read what was never written).
 */
int __must_check nvme_sq_set_head(struct nvme_sq *sq, uint16_t sqhd);

/*
 * Look at the entry at @cq's head in @ring (@cq->size entries, written by
 * the device). When its phase tag is the expected one, copy it to *@out
 * and return true; the caller then calls nvme_cq_pop(). The tag is read
 * first with acquire ordering, so the rest is never older than it.
 */
bool nvme_cq_peek(const struct nvme_cq *cq, const volatile struct nvme_cqe *ring,
                  struct nvme_cqe *out);
/* Consume the head entry: the next head, flipping the phase at the wrap. */
void nvme_cq_pop(struct nvme_cq *cq);

/*
 * Check a completion taken from the CQ serving submission queue @sqid,
 * whose commands use identifiers below @ncids. Returns 0, or -EIO when
 * SQID is another queue or CID is out of range.
 */
int __must_check nvme_cqe_check(const struct nvme_cqe *e, uint16_t sqid, uint16_t ncids);

/*
 * Take completion @e for submission queue @sqid, whose commands hold
 * identifiers in @c: check it (nvme_cqe_check(), and the identifier must
 * be one the device was sent), move @sq's head to its SQHD and mark the
 * identifier no longer sent. The caller frees it with nvme_cids_free()
 * once done with its record. Returns 0, or -EIO and changes nothing when
 * any check fails (a stale, duplicated or invented completion).
 */
int __must_check nvme_cqe_accept(struct nvme_sq *sq, struct nvme_cids *c, uint16_t sqid,
                                 const struct nvme_cqe *e);

/* The -errno of a completion's status field: 0, -EIO, -EINVAL, -ENOTSUP, -ENOSPC... */
int nvme_status_errno(uint16_t status);
/* A few words naming a status for log lines ("LBA out of range"); never NULL. */
const char *nvme_status_str(uint16_t status);

/* ---- command identifiers ---- */

#define NVME_CID_MAX 1024u

/*
 * Which of @n identifiers are in use (a record the driver keeps per
 * command) and which of those the device was sent and has not completed
 * yet. A record may outlive its command: the first piece of a request cut
 * into several commands keeps the count of pieces until the last one ends.
 */
struct nvme_cids {
	uint64_t used[NVME_CID_MAX / 64];
	uint64_t sent[NVME_CID_MAX / 64];
	uint16_t n;     /* identifiers 0..n-1 exist */
	uint16_t inuse; /* how many are used */
	uint16_t nsent; /* how many are sent */
};

/* Start with @n (1..NVME_CID_MAX) free identifiers. Returns 0 or -EINVAL. */
int __must_check nvme_cids_init(struct nvme_cids *c, unsigned n);
/* Take the lowest free identifier into *@cid. Returns 0 or -EBUSY. */
int __must_check nvme_cids_alloc(struct nvme_cids *c, uint16_t *cid);
/* Mark used @cid as sent to the device. Returns 0, or -EINVAL (not used, or already sent). */
int __must_check nvme_cids_send(struct nvme_cids *c, uint16_t cid);
/*
 * Give @cid back. Returns 0, or -EINVAL when it is out of range, free, or
 * still sent (the device may still complete it). @cancel: the command
 * was sent but the doorbell never rung, so the device cannot know it.
 */
int __must_check nvme_cids_free(struct nvme_cids *c, uint16_t cid, bool cancel);
/*
 * The device will never complete sent @cid (it was disabled): no longer
 * sent, still used. Returns 0 or -EINVAL (not sent).
 */
int __must_check nvme_cids_abandon(struct nvme_cids *c, uint16_t cid);
bool nvme_cids_busy(const struct nvme_cids *c, uint16_t cid);
bool nvme_cids_sent(const struct nvme_cids *c, uint16_t cid);
/* Identifiers free for new commands. */
unsigned nvme_cids_free_count(const struct nvme_cids *c);

/* ---- PRP lists (4.3) ---- */

/* A physically contiguous piece of a transfer (struct bio_vec's layout). */
struct nvme_seg {
	uint64_t pa;
	uint32_t len;
};

/* Where a transfer stands: the next byte is @off bytes into segment @i. */
struct nvme_prp_cursor {
	const struct nvme_seg *segs;
	unsigned nseg;
	unsigned i;
	uint32_t off;
};

/* Limits of one command's transfer. */
struct nvme_prp_limits {
	uint32_t page;      /* memory page size (CC.MPS), a power of two >= 4096 */
	uint32_t block;     /* logical block size: a transfer is a multiple of it */
	uint32_t max_bytes; /* the most one command may move (MDTS, NLB), a multiple of block */
	uint32_t list_cap;  /* entries in the caller's PRP list page (page / 8) */
};

/* One command's data pointer. */
struct nvme_prp {
	uint64_t prp1;
	uint64_t prp2;      /* 0, the second page, or @list_pa */
	uint32_t bytes;     /* what the command moves */
	uint32_t list_used; /* entries written to the list */
};

void nvme_prp_start(struct nvme_prp_cursor *c, const struct nvme_seg *segs, unsigned nseg);

/*
 * Describe the longest next piece of the transfer that one command can
 * carry within @lim: PRP entries must name whole pages except the first,
 * which may start anywhere dword-aligned, and the last, which may end
 * anywhere (4.3), so a segment that starts or ends inside a page ends a
 * piece. Entries beyond the second go to @list (the list page at @list_pa,
 * @lim->list_cap entries). Advances @c. Returns 0 with out->bytes > 0, 0
 * with out->bytes == 0 when the transfer is done, or -EINVAL when the next
 * piece cannot be expressed (a misaligned start, or no block-multiple
 * prefix): the caller must copy through a bounce buffer.
 */
int __must_check nvme_prp_next(struct nvme_prp_cursor *c, const struct nvme_prp_limits *lim,
                               uint64_t *list, uint64_t list_pa, struct nvme_prp *out);

/*
 * How many commands nvme_prp_next() will cut the @nseg segments into
 * under @lim, without writing any list. Returns the count (0: no bytes),
 * or -EINVAL where nvme_prp_next() would fail.
 */
int __must_check nvme_prp_pieces(const struct nvme_seg *segs, unsigned nseg,
                                 const struct nvme_prp_limits *lim);

/* ---- command encoding (5, 6) ---- */

void nvme_cmd_identify(struct nvme_sqe *s, uint8_t cns, uint32_t nsid, uint64_t buf_pa);
void nvme_cmd_set_queues(struct nvme_sqe *s, uint16_t nsq, uint16_t ncq);
void nvme_cmd_create_cq(struct nvme_sqe *s, uint16_t qid, uint16_t size, uint64_t pa,
                        uint16_t vector);
void nvme_cmd_create_sq(struct nvme_sqe *s, uint16_t qid, uint16_t size, uint64_t pa,
                        uint16_t cqid);
void nvme_cmd_delete_queue(struct nvme_sqe *s, uint8_t opcode, uint16_t qid);
/* Read or write @nlb (1..65536) blocks at @slba of @nsid; @prp from nvme_prp_next(). */
void nvme_cmd_rw(struct nvme_sqe *s, bool write, uint32_t nsid, uint64_t slba, uint32_t nlb,
                 bool fua, const struct nvme_prp *prp);
void nvme_cmd_flush(struct nvme_sqe *s, uint32_t nsid);
/* Deallocate the @nr ranges (1..256) in the list page at @ranges_pa. */
void nvme_cmd_dsm_deallocate(struct nvme_sqe *s, uint32_t nsid, unsigned nr, uint64_t ranges_pa);

/*
 * Fill @r (room for @cap ranges) with ranges covering @nlb blocks from
 * @slba, each at most 2^32 - 1 blocks. Returns how many, or -EINVAL when
 * @nlb is 0, the range wraps, or it needs more than @cap ranges.
 */
int __must_check nvme_dsm_ranges(struct nvme_dsm_range *r, unsigned cap, uint64_t slba,
                                 uint64_t nlb);

/* ---- Identify data (5.15.2) ---- */

struct nvme_ctrl_info {
	uint16_t vid, ssvid;
	char serial[21]; /* trailing spaces removed, unprintable bytes as '?' */
	char model[41];
	char firmware[9];
	uint32_t max_xfer; /* MDTS in bytes for @page_min (0: no limit; capped at 2 GiB) */
	uint16_t cntlid;
	uint32_t version; /* VER, 0 on 1.0 controllers */
	uint32_t nn;      /* highest namespace ID */
	uint16_t oncs;    /* optional NVM commands (NVME_ONCS_*) */
	bool vwc;         /* volatile write cache present: Flush matters */
};

/*
 * Parse a 4096-byte Identify Controller structure; @page_min is the
 * minimum page size (for MDTS). Returns 0, or -EINVAL when the controller
 * cannot take 64-byte SQEs or 16-byte CQEs (SQES/CQES exclude them).
 */
int __must_check nvme_parse_id_ctrl(const void *buf, uint32_t page_min, struct nvme_ctrl_info *out);

struct nvme_ns_info {
	uint64_t nsze; /* size in logical blocks */
	uint64_t ncap;
	uint32_t lba_shift; /* log2 of the block size in use, 9..31 */
	uint16_t ms;        /* metadata bytes per block in the format in use */
	bool meta_inline;   /* FLBAS bit 4: metadata extends each block */
};

/*
 * Parse a 4096-byte Identify Namespace structure. Returns 0, -ENODEV
 * (an inactive namespace: NSZE 0), or -EINVAL (a format index beyond NLBAF
 * or 15, a block size under 512 bytes or above 2 GiB, NCAP above NSZE,
 * a size whose bytes overflow 64 bits).
 */
int __must_check nvme_parse_id_ns(const void *buf, struct nvme_ns_info *out);

/*
 * Read an active namespace list (CNS 2): up to @max IDs into @ids.
 * Returns how many (the list ends at the first 0), or -EINVAL when the
 * IDs are not strictly increasing, or one is above @nn or the broadcast 0xffffffff.
 */
int __must_check nvme_parse_ns_list(const void *buf, uint32_t nn, uint32_t *ids, unsigned max);
