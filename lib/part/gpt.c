// SPDX-License-Identifier: MIT
/*
 * GPT (UEFI 2.x, section 5.3): the header at LBA 1, its backup at the
 * disk's last LBA, each pointing at an array of partition entries. A
 * header is used only when its signature, size, CRC32, own LBA and array
 * CRC32 check out (5.3.2: "If the primary GPT is corrupt, software must
 * check the last LBA of the device for a valid backup"). The entries are
 * read a block at a time, so the array's CRC needs no buffer of its size.
 */
#include <cairn/errno.h>

#include <lib/part/part.h>
#include <lib/part/part_internal.h>
#include <lib/string.h>

/* Header fields (UEFI 2.x table 5-5). */
#define GPT_SIG          0x5452415020494645ull /* "EFI PART" */
#define GPT_HDR_MIN      92u
#define GPT_OFF_HSIZE    12
#define GPT_OFF_HCRC     16
#define GPT_OFF_MYLBA    24
#define GPT_OFF_FIRST    40
#define GPT_OFF_LAST     48
#define GPT_OFF_ENTRYLBA 72
#define GPT_OFF_NENTRIES 80
#define GPT_OFF_ESIZE    84
#define GPT_OFF_ECRC     88
#define GPT_MAX_ARRAY    (4u << 20) /* bytes of entries read at most */

/* What a checked header says. */
struct gpt_hdr {
	uint64_t first_usable, last_usable, entry_lba;
	uint32_t nentries, esize, ecrc;
};

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

uint32_t part_crc32(uint32_t crc, const void *p, size_t n)
{
	const uint8_t *b = p;

	crc = ~crc;
	while (n--) {
		crc ^= *b++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

/* Read and check the header at @lba into @h. 0, or -EINVAL when it is not a good header. */
static int gpt_header(const struct part_dev *dev, uint64_t lba, struct gpt_hdr *h)
{
	uint8_t *b = dev->buf;
	uint32_t hsize, crc;
	int err = dev->read(dev->ctx, lba, b);

	if (err)
		return err;
	hsize = le32(b + GPT_OFF_HSIZE);
	if (le64(b) != GPT_SIG || hsize < GPT_HDR_MIN || hsize > dev->lbsize)
		return -EINVAL;
	crc = le32(b + GPT_OFF_HCRC);
	memset(b + GPT_OFF_HCRC, 0, 4);
	if (part_crc32(0, b, hsize) != crc || le64(b + GPT_OFF_MYLBA) != lba)
		return -EINVAL;
	*h = (struct gpt_hdr){ .first_usable = le64(b + GPT_OFF_FIRST),
		               .last_usable = le64(b + GPT_OFF_LAST),
		               .entry_lba = le64(b + GPT_OFF_ENTRYLBA),
		               .nentries = le32(b + GPT_OFF_NENTRIES),
		               .esize = le32(b + GPT_OFF_ESIZE),
		               .ecrc = le32(b + GPT_OFF_ECRC) };
	/* Entries are 128 x 2^n bytes (5.3.2); the usable range and the array lie on the disk. */
	if (h->esize < 128 || (h->esize & (h->esize - 1)) || h->nentries == 0 ||
	    (uint64_t)h->nentries * h->esize > GPT_MAX_ARRAY)
		return -EINVAL;
	if (h->first_usable > h->last_usable || h->last_usable >= dev->nblocks ||
	    h->entry_lba < 1 || h->entry_lba >= dev->nblocks ||
	    ((uint64_t)h->nentries * h->esize + dev->lbsize - 1) / dev->lbsize >
	            dev->nblocks - h->entry_lba)
		return -EINVAL;
	return 0;
}

static bool guid_zero(const uint8_t *g)
{
	for (int i = 0; i < 16; i++)
		if (g[i])
			return false;
	return true;
}

/* Take entry @idx (its first 128 bytes at @e) into @t if it is used and sane. */
static void gpt_entry(const struct gpt_hdr *h, struct part_table *t, uint32_t idx, const uint8_t *e)
{
	uint64_t start = le64(e + 32), end = le64(e + 40);
	struct part_entry *p;

	if (guid_zero(e))
		return; /* an unused entry */
	if (start > end || start < h->first_usable || end > h->last_usable || t->n == PART_MAX ||
	    idx >= PART_MAX) {
		t->skipped++;
		return;
	}
	p = &t->e[t->n++];
	*p = (struct part_entry){
		.number = idx + 1, .start = start, .count = end - start + 1, .attrs = le64(e + 48)
	};
	memcpy(p->type, e, 16);
	memcpy(p->guid, e + 16, 16);
}

/* Read the entry array of @h block by block: its CRC, and the entries into @t. */
static int gpt_entries(const struct part_dev *dev, const struct gpt_hdr *h, struct part_table *t)
{
	uint64_t bytes = (uint64_t)h->nentries * h->esize, off = 0;
	uint32_t crc = 0;
	const uint8_t *b = dev->buf;

	t->n = 0;
	t->skipped = 0;
	while (off < bytes) {
		uint64_t in_blk = bytes - off < dev->lbsize ? bytes - off : dev->lbsize;
		int err = dev->read(dev->ctx, h->entry_lba + off / dev->lbsize, dev->buf);

		if (err)
			return err;
		crc = part_crc32(crc, b, in_blk);
		/* Entries are powers of two >= 128 and blocks are too: no entry head straddles. */
		for (uint64_t e = off % h->esize ? h->esize - off % h->esize : 0; e < in_blk;
		     e += h->esize)
			gpt_entry(h, t, (uint32_t)((off + e) / h->esize), b + e);
		off += in_blk;
	}
	return crc == h->ecrc ? 0 : -EINVAL;
}

int gpt_parse(const struct part_dev *dev, struct part_table *t)
{
	struct gpt_hdr h;
	int err;

	t->kind = PART_GPT;
	err = gpt_header(dev, 1, &h);
	if (!err)
		err = gpt_entries(dev, &h, t);
	if (err != -EINVAL)
		return err;
	/* The primary is damaged: the backup header sits in the last block. */
	t->gpt_backup_used = true;
	err = gpt_header(dev, dev->nblocks - 1, &h);
	if (!err)
		err = gpt_entries(dev, &h, t);
	if (err)
		t->n = 0;
	return err;
}

int part_scan(const struct part_dev *dev, struct part_table *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	if (dev->lbsize < 512 || (dev->lbsize & (dev->lbsize - 1)) || dev->nblocks < 2)
		return 0;
	err = dev->read(dev->ctx, 0, dev->buf);
	if (err)
		return err;
	if (!mbr_valid(dev->buf))
		return 0;
	if (mbr_protective(dev->buf))
		return gpt_parse(dev, out);
	return mbr_parse(dev, out);
}
