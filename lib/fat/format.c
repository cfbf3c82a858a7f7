/* SPDX-License-Identifier: MIT */
/*
 * Making a new FAT32 volume (what mkfs.fat -F 32 does, smaller): a boot
 * sector with its BPB, the FSInfo sector, their backups at sectors 6 and 7,
 * two FATs and an empty root directory in cluster 2 (Microsoft FAT
 * specification 1.03, sections 3 to 5). The kernel tests format RAM disks
 * with it; the host tests check its output with fsck.fat.
 */
#include <cairn/errno.h>

#include <lib/fat/fat.h>
#include <lib/string.h>

#define FMT_SECTOR   512u
#define FMT_RESERVED 32u /* the usual FAT32 choice: room for the boot sectors and their backups */
#define FMT_NFATS    2u
#define FMT_BACKUP   6u /* BPB_BkBootSec */
#define FMT_FSINFO   1u

/* The sectors per FAT for @total sectors with @spc sectors per cluster (spec section 3.5). */
static uint32_t fmt_fat_sectors(uint32_t total, uint32_t spc)
{
	uint32_t fatsz = 1, n, need;

	/* Grow until the FAT holds an entry for every cluster the rest of the volume gives. */
	for (;;) {
		n = (total - FMT_RESERVED - FMT_NFATS * fatsz) / spc;
		need = ((n + 2) * 4 + FMT_SECTOR - 1) / FMT_SECTOR;
		if (need <= fatsz)
			return fatsz;
		fatsz = need;
	}
}

static void fmt_boot_sector(uint8_t *b, const struct fat_format *f, uint32_t total, uint32_t fatsz)
{
	memset(b, 0, FMT_SECTOR);
	b[0] = 0xeb, b[1] = 0x58, b[2] = 0x90; /* jmp short over the BPB; nop */
	memcpy(b + 3, "CAIRN   ", 8);
	fat_put16(b + 11, FMT_SECTOR);
	b[13] = (uint8_t)f->sec_per_clus;
	fat_put16(b + 14, FMT_RESERVED);
	b[16] = FMT_NFATS;
	b[21] = 0xf8; /* fixed disk */
	fat_put16(b + 24, 32);
	fat_put16(b + 26, 64);
	fat_put32(b + 32, total);
	fat_put32(b + 36, fatsz);
	fat_put32(b + 44, 2); /* root directory cluster */
	fat_put16(b + 48, FMT_FSINFO);
	fat_put16(b + 50, FMT_BACKUP);
	b[64] = 0x80;
	b[66] = 0x29; /* the volume id, label and type fields follow */
	fat_put32(b + 67, f->volume_id);
	memcpy(b + 71, "NO NAME    ", 11);
	memcpy(b + 82, "FAT32   ", 8);
	b[510] = 0x55, b[511] = 0xaa;
}

static void fmt_fsinfo(uint8_t *b, uint32_t nfree)
{
	struct fat_fsinfo fi = { nfree, 3 };

	memset(b, 0, FMT_SECTOR);
	fat_write_fsinfo(b, FMT_SECTOR, &fi);
}

/* Write @n zero bytes at @off. */
static int fmt_zero(const struct fat_io *io, void *ctx, uint64_t off, uint64_t n)
{
	static const uint8_t zero[FMT_SECTOR];
	int err;

	for (; n; off += FMT_SECTOR, n -= FMT_SECTOR) {
		err = io->write(ctx, off, zero, FMT_SECTOR);
		if (err)
			return err;
	}
	return 0;
}

/* FAT[0] holds the media byte, FAT[1] the clean bits, FAT[2] ends the root's chain. */
static int fmt_fats(const struct fat_io *io, void *ctx, uint32_t fatsz)
{
	uint8_t head[12];
	unsigned i;
	int err;

	fat_put32(head, 0x0ffffff8u);
	fat_put32(head + 4, 0x0fffffffu);
	fat_put32(head + 8, 0x0fffffffu);
	for (i = 0; i < FMT_NFATS; i++) {
		uint64_t at = (uint64_t)(FMT_RESERVED + i * fatsz) * FMT_SECTOR;

		err = fmt_zero(io, ctx, at, (uint64_t)fatsz * FMT_SECTOR);
		if (!err)
			err = io->write(ctx, at, head, sizeof(head));
		if (err)
			return err;
	}
	return 0;
}

int fat_format(const struct fat_io *io, void *ctx, const struct fat_format *f)
{
	uint8_t sec[FMT_SECTOR];
	uint64_t total64 = f->bytes / FMT_SECTOR;
	uint32_t total, fatsz, nclus, spc = f->sec_per_clus;
	int err;

	if (spc == 0 || spc > 128 || (spc & (spc - 1)) || total64 > 0xffffffffu)
		return -EINVAL;
	total = (uint32_t)total64;
	if (total < FMT_RESERVED + FMT_NFATS + 2 * spc + 16)
		return -EINVAL;
	fatsz = fmt_fat_sectors(total, spc);
	nclus = (total - FMT_RESERVED - FMT_NFATS * fatsz) / spc;
	if (nclus < 2 || nclus > 0x0ffffff5u)
		return -EINVAL;
	err = fmt_zero(io, ctx, 0, (uint64_t)FMT_RESERVED * FMT_SECTOR);
	if (!err)
		err = fmt_fats(io, ctx, fatsz);
	if (!err)
		err = fmt_zero(io, ctx, (uint64_t)(FMT_RESERVED + FMT_NFATS * fatsz) * FMT_SECTOR,
		               (uint64_t)spc * FMT_SECTOR);
	fmt_boot_sector(sec, f, total, fatsz);
	if (!err)
		err = io->write(ctx, 0, sec, FMT_SECTOR);
	if (!err)
		err = io->write(ctx, (uint64_t)FMT_BACKUP * FMT_SECTOR, sec, FMT_SECTOR);
	fmt_fsinfo(sec, nclus - 1);
	if (!err)
		err = io->write(ctx, (uint64_t)FMT_FSINFO * FMT_SECTOR, sec, FMT_SECTOR);
	if (!err)
		err = io->write(ctx, (uint64_t)(FMT_BACKUP + FMT_FSINFO) * FMT_SECTOR, sec,
		                FMT_SECTOR);
	return err;
}
