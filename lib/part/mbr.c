// SPDX-License-Identifier: MIT
/*
 * The MBR partition table: four 16-byte entries at byte 446 of block 0
 * and the 0x55 0xAA signature at 510; an extended partition (types 0x05,
 * 0x0F, 0x85) holds a chain of extended boot records, each with one
 * logical partition and a link to the next. Facts from the IBM PC MBR
 * layout as documented with fdisk/sfdisk and in the UEFI 2.x spec 5.2.1
 * (legacy MBR), whose protective type 0xEE hands the disk to GPT.
 */
#include <cairn/errno.h>

#include <lib/part/part.h>
#include <lib/part/part_internal.h>

#define MBR_ENTRIES_OFF 446
#define MBR_SIG_OFF     510
#define MBR_MAX_LOGICAL 64 /* links followed in an extended chain (a loop ends here) */

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool is_extended(uint8_t type)
{
	return type == 0x05 || type == 0x0f || type == 0x85;
}

bool mbr_valid(const uint8_t *b)
{
	if (b[MBR_SIG_OFF] != 0x55 || b[MBR_SIG_OFF + 1] != 0xaa)
		return false;
	/* A boot sector of a file system has code here: its "status" bytes are not 0 or 0x80. */
	for (int i = 0; i < 4; i++) {
		uint8_t status = b[MBR_ENTRIES_OFF + 16 * i];

		if (status != 0 && status != 0x80)
			return false;
	}
	return true;
}

bool mbr_protective(const uint8_t *b)
{
	for (int i = 0; i < 4; i++)
		if (b[MBR_ENTRIES_OFF + 16 * i + 4] == 0xee)
			return true;
	return false;
}

/* Add a partition if it lies on the disk (past block 0); count it as skipped otherwise. */
static void add(const struct part_dev *dev, struct part_table *t, unsigned number, uint8_t type,
                uint64_t start, uint64_t count)
{
	struct part_entry *e;

	if (!count)
		return; /* an empty slot */
	if (start == 0 || start >= dev->nblocks || count > dev->nblocks - start ||
	    t->n == PART_MAX) {
		t->skipped++;
		return;
	}
	e = &t->e[t->n++];
	*e = (struct part_entry){
		.number = number, .start = start, .count = count, .mbr_type = type
	};
}

/*
 * Follow the chain of extended boot records from @ext_start (the extended
 * partition, @ext_count blocks): each record's first entry is a logical
 * partition relative to the record, its second the next record relative
 * to the extended partition.
 */
static int mbr_logical(const struct part_dev *dev, struct part_table *t, uint64_t ext_start,
                       uint64_t ext_count)
{
	uint64_t ebr = ext_start;
	unsigned number = 5;
	const uint8_t *b = dev->buf;

	for (int links = 0; links < MBR_MAX_LOGICAL; links++) {
		const uint8_t *e0 = b + MBR_ENTRIES_OFF, *e1 = e0 + 16;
		int err = dev->read(dev->ctx, ebr, dev->buf);
		uint64_t next;

		if (err)
			return err;
		if (b[MBR_SIG_OFF] != 0x55 || b[MBR_SIG_OFF + 1] != 0xaa)
			return 0;
		if (e0[4] && !is_extended(e0[4]))
			add(dev, t, number++, e0[4], ebr + le32(e0 + 8), le32(e0 + 12));
		if (!is_extended(e1[4]) || !le32(e1 + 12))
			return 0;
		next = ext_start + le32(e1 + 8);
		/* The next record must stay inside the extended partition and move on. */
		if (next <= ebr || next >= ext_start + ext_count)
			return 0;
		ebr = next;
	}
	return 0;
}

int mbr_parse(const struct part_dev *dev, struct part_table *t)
{
	const uint8_t *b = dev->buf;
	uint64_t ext_start = 0, ext_count = 0;

	t->kind = PART_MBR;
	for (int i = 0; i < 4; i++) {
		const uint8_t *e = b + MBR_ENTRIES_OFF + 16 * i;
		uint64_t start = le32(e + 8), count = le32(e + 12);

		if (!e[4])
			continue;
		if (is_extended(e[4]) && !ext_count) {
			ext_start = start;
			ext_count = count;
			/* Linux shows the extended partition itself only as its first 1 KiB. */
			count = count ? (dev->lbsize == 512 ? 2 : 1) : 0;
		}
		add(dev, t, (unsigned)i + 1, e[4], start, count);
	}
	if (ext_count && ext_start && ext_start < dev->nblocks)
		return mbr_logical(dev, t, ext_start, ext_count);
	return 0;
}
