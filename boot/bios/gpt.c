/* SPDX-License-Identifier: MIT */
/*
 * Finding the EFI system partition in the GPT (UEFI 2.10, 5.3). The header
 * and the entry array come from disk and are checked before use:
 * signature, sizes, CRC32s and that every LBA lies on the disk.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "boot/bios/bios.h"

#define GPT_SIGNATURE  0x5452415020494645ull /* "EFI PART" */
#define GPT_HEADER_MIN 92
#define GPT_ENTRY_MIN  128
#define GPT_ARRAY_MAX  (64u * 1024) /* bytes of entries we accept */

/* UEFI 2.10, 5.3.2 GPT Header, table 5.5. */
struct gpt_header {
	uint64_t signature;
	uint32_t revision;
	uint32_t header_size;
	uint32_t header_crc32;
	uint32_t reserved;
	uint64_t my_lba;
	uint64_t alternate_lba;
	uint64_t first_usable_lba;
	uint64_t last_usable_lba;
	uint8_t disk_guid[16];
	uint64_t entries_lba;
	uint32_t num_entries;
	uint32_t entry_size;
	uint32_t entries_crc32;
} __attribute__((packed));

/* UEFI 2.10, 5.3.3 GPT Partition Entry, table 5.6. */
struct gpt_entry {
	uint8_t type_guid[16];
	uint8_t unique_guid[16];
	uint64_t first_lba;
	uint64_t last_lba; /* inclusive */
	uint64_t attributes;
	uint16_t name[36];
} __attribute__((packed));

/* C12A7328-F81F-11D2-BA4B-00A0C93EC93B as stored (UEFI 2.10, 5.3.3 table 5.7; Appendix A GUID layout). */
static const uint8_t esp_guid[16] = { 0x28, 0x73, 0x2a, 0xc1, 0x1f, 0xf8, 0xd2, 0x11,
	                              0xba, 0x4b, 0x00, 0xa0, 0xc9, 0x3e, 0xc9, 0x3b };

static uint8_t sector[512];

/* CRC-32 as UEFI uses it (ISO 3309 / IEEE 802.3, reflected polynomial 0xEDB88320). */
static uint32_t crc32(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t crc = 0xffffffffu;

	while (len--) {
		crc ^= *p++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & -(crc & 1));
	}
	return ~crc;
}

static int check_header(struct gpt_header *h, uint64_t disk)
{
	uint32_t crc = h->header_crc32;
	uint64_t array_sectors;

	if (h->signature != GPT_SIGNATURE)
		return bios_log("gpt: no \"EFI PART\" signature at LBA 1\n"), -EINVAL;
	if (h->header_size < GPT_HEADER_MIN || h->header_size > sizeof(sector))
		return bios_log("gpt: bad header size %u\n", h->header_size), -EINVAL;
	h->header_crc32 = 0;
	if (crc32(h, h->header_size) != crc)
		return bios_log("gpt: header CRC mismatch\n"), -EINVAL;
	if (h->my_lba != 1)
		return bios_log("gpt: header says it is at LBA %llu\n",
		                (unsigned long long)h->my_lba),
		       -EINVAL;
	if (h->entry_size < GPT_ENTRY_MIN || (h->entry_size & (h->entry_size - 1)) ||
	    h->num_entries == 0 || (uint64_t)h->num_entries * h->entry_size > GPT_ARRAY_MAX)
		return bios_log("gpt: bad partition array: %u entries of %u bytes\n",
		                h->num_entries, h->entry_size),
		       -EINVAL;
	array_sectors = ((uint64_t)h->num_entries * h->entry_size + 511) / 512;
	if (h->entries_lba < 2 || h->first_usable_lba > h->last_usable_lba ||
	    (disk && (h->last_usable_lba >= disk || h->entries_lba + array_sectors > disk)))
		return bios_log("gpt: header LBAs outside the disk\n"), -EINVAL;
	return 0;
}

/* The first ESP entry that lies within the usable LBAs. */
static int scan_entries(const struct gpt_header *h, const uint8_t *array, uint64_t *first,
                        uint64_t *count)
{
	for (uint32_t i = 0; i < h->num_entries; i++) {
		const struct gpt_entry *e = (const void *)(array + (size_t)i * h->entry_size);

		if (memcmp(e->type_guid, esp_guid, sizeof(esp_guid)) != 0)
			continue;
		if (e->first_lba < h->first_usable_lba || e->last_lba > h->last_usable_lba ||
		    e->first_lba > e->last_lba) {
			bios_log("gpt: partition %u (ESP) lies outside the usable LBAs\n", i + 1);
			return -EINVAL;
		}
		*first = e->first_lba;
		*count = e->last_lba - e->first_lba + 1;
		bios_log("gpt: ESP is partition %u, LBA %llu..%llu\n", i + 1,
		         (unsigned long long)e->first_lba, (unsigned long long)e->last_lba);
		return 0;
	}
	bios_log("gpt: no EFI system partition\n");
	return -ENOENT;
}

int gpt_find_esp(uint64_t *first_lba, uint64_t *nsectors)
{
	struct gpt_header h;
	uint64_t array_sectors;
	uint8_t *array;
	int err;

	err = disk_read(1, 1, sector);
	if (err)
		return err;
	memcpy(&h, sector, sizeof(h));
	err = check_header((struct gpt_header *)sector, disk_sectors());
	if (err)
		return err;

	array_sectors = ((uint64_t)h.num_entries * h.entry_size + 511) / 512;
	array = (uint8_t *)(uintptr_t)mem_alloc(array_sectors * 512, 4096);
	if (!array)
		return bios_log("gpt: out of memory\n"), -ENOMEM;
	err = disk_read(h.entries_lba, (uint32_t)array_sectors, array);
	if (err)
		return err;
	if (crc32(array, (size_t)h.num_entries * h.entry_size) != h.entries_crc32)
		return bios_log("gpt: partition array CRC mismatch\n"), -EINVAL;
	return scan_entries(&h, array, first_lba, nsectors);
}
