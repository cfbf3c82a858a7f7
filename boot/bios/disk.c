/* SPDX-License-Identifier: MIT */
/*
 * Disk reads for stage 2 through INT 13h extended reads (AH=42h): the BIOS
 * writes into a bounce buffer below 1 MiB, and we copy from there to the
 * caller's buffer anywhere below 4 GiB.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "boot/bios/bios.h"

#define SECTOR       512
#define CHUNK        64 /* sectors per call: 32 KiB, inside one 64 KiB DMA page */
#define READ_RETRIES 3

/* Ralf Brown INT 13h AH=42h, disk address packet. */
struct dap {
	uint8_t size; /* 16 */
	uint8_t reserved;
	uint16_t count; /* sectors */
	uint16_t buf_off;
	uint16_t buf_seg;
	uint64_t lba;
} __attribute__((packed));

/* Ralf Brown INT 13h AH=48h, drive parameters (the EDD 1.x part). */
struct drive_params {
	uint16_t size;
	uint16_t flags;
	uint32_t cylinders, heads, sectors_per_track;
	uint64_t total_sectors;
	uint16_t bytes_per_sector;
	uint32_t edd_params; /* EDD 2.0+: far pointer to configuration parameters */
} __attribute__((packed));

static uint8_t bounce[CHUNK * SECTOR] __attribute__((aligned(CHUNK * SECTOR)));
static struct dap dap;
static struct drive_params params;
static uint8_t drive;
static uint64_t total_sectors;

/*
 * Check for the INT 13h extensions (AH=41h) and learn the disk size
 * (AH=48h). The size is only used for bounds checks; a BIOS that does not
 * report it leaves those to the partition table.
 */
int disk_init(uint8_t bios_drive)
{
	struct bios_regs r = { 0 };

	drive = bios_drive;
	r.eax = 0x4100;
	r.ebx = 0x55aa;
	r.edx = drive;
	bios_int(0x13, &r);
	if ((r.eflags & BIOS_EFLAGS_CF) || (r.ebx & 0xffff) != 0xaa55 || !(r.ecx & 1)) {
		bios_log("disk: drive 0x%x has no INT 13h extensions\n", drive);
		return -EIO;
	}

	memset(&r, 0, sizeof(r));
	memset(&params, 0, sizeof(params));
	params.size = sizeof(params);
	r.eax = 0x4800;
	r.edx = drive;
	r.ds = rm_seg(&params);
	r.esi = rm_off(&params);
	bios_int(0x13, &r);
	if (!(r.eflags & BIOS_EFLAGS_CF)) {
		if (params.bytes_per_sector != 0 && params.bytes_per_sector != SECTOR) {
			bios_log("disk: %u-byte sectors are not supported\n",
			         params.bytes_per_sector);
			return -EIO;
		}
		if (params.total_sectors != 0 && params.total_sectors != UINT64_MAX)
			total_sectors = params.total_sectors;
	}
	bios_log("disk: drive 0x%x, %llu sectors\n", drive, (unsigned long long)total_sectors);
	return 0;
}

uint64_t disk_sectors(void)
{
	return total_sectors;
}

/* One AH=42h call of up to CHUNK sectors into the bounce buffer, with retries. */
static int read_chunk(uint64_t lba, uint16_t count)
{
	struct bios_regs r;

	for (int attempt = 0; attempt < READ_RETRIES; attempt++) {
		dap = (struct dap){ .size = sizeof(dap),
			            .count = count,
			            .lba = lba,
			            .buf_off = rm_off(bounce),
			            .buf_seg = rm_seg(bounce) };
		memset(&r, 0, sizeof(r));
		r.eax = 0x4200;
		r.edx = drive;
		r.ds = rm_seg(&dap);
		r.esi = rm_off(&dap);
		bios_int(0x13, &r);
		if (!(r.eflags & BIOS_EFLAGS_CF))
			return 0;
		bios_log("disk: read of LBA %llu failed (status 0x%x)\n", (unsigned long long)lba,
		         (r.eax >> 8) & 0xff);
		/* Ralf Brown INT 13h AH=00h: reset the disk system before retrying. */
		memset(&r, 0, sizeof(r));
		r.edx = drive;
		bios_int(0x13, &r);
	}
	return -EIO;
}

int disk_read(uint64_t lba, uint32_t count, void *dst)
{
	uint8_t *out = dst;

	if (lba + count < lba || (total_sectors && lba + count > total_sectors)) {
		bios_log("disk: read of %u sectors at LBA %llu is past the end of the disk\n",
		         count, (unsigned long long)lba);
		return -EIO;
	}
	while (count) {
		uint16_t n = count < CHUNK ? (uint16_t)count : CHUNK;
		int err = read_chunk(lba, n);

		if (err)
			return err;
		memcpy(out, bounce, (size_t)n * SECTOR);
		out += (size_t)n * SECTOR;
		lba += n;
		count -= n;
	}
	return 0;
}
