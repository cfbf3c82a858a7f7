// SPDX-License-Identifier: MIT
/*
 * BAR sizing and capability walks over a struct pcilib_cfg (lib/pci/pci.h).
 * Everything a device answers is treated as untrusted: a BAR may read back
 * anything, a capability pointer may point anywhere or in a circle.
 */
#include <lib/pci/pci.h>
#include <lib/string.h>

#define REG_COMMAND      0x04
#define REG_STATUS       0x06
#define REG_BAR0         0x10
#define REG_CAP_PTR      0x34
#define CMD_IO           0x0001u
#define CMD_MEMORY       0x0002u
#define STATUS_CAP_LIST  0x0010u
#define CAP_FIRST        0x40  /* the device-specific part of the header (6.7) */
#define LEGACY_SIZE      0x100 /* the header; extended capabilities start here */
#define EXT_SIZE         0x1000
#define BAR_IO           0x1u
#define BAR_MEM_TYPE     0x6u /* bits 2:1 */
#define BAR_MEM_TYPE_64  0x4u
#define BAR_MEM_PREFETCH 0x8u

/* Write all ones to the BAR at @off, read what sticks, put @orig back (6.2.5.1). */
static uint32_t bar_probe(const struct pcilib_cfg *c, struct pcilib_addr a, unsigned off,
                          uint32_t orig)
{
	uint32_t rb;

	c->write(c->ctx, a, off, 32, 0xffffffffu);
	rb = c->read(c->ctx, a, off, 32);
	c->write(c->ctx, a, off, 32, orig);
	return rb;
}

/* An I/O BAR: bits 1:0 are flags; the upper 16 bits may be hardwired to zero. */
static void io_bar(struct pcilib_bar *b, uint32_t orig, uint32_t rb)
{
	uint32_t mask = rb & ~3u;

	if (!mask)
		return;
	if (!(mask & 0xffff0000u))
		mask |= 0xffff0000u;
	if ((~mask + 1) & ~mask)
		return; /* the writable bits are not one run from the top: a broken BAR */
	b->base = orig & mask;
	b->size = (uint32_t)(~mask + 1);
	b->flags = PCILIB_BAR_IO;
}

/*
 * Slot @i: memory BARs have flags in bits 3:0, type 10b (64-bit) taking
 * the next slot for the upper half, bit 3 prefetchable. A 64-bit type in
 * the last slot has no upper half and is sized as 32-bit. Returns the
 * slots used (1 or 2).
 */
static unsigned size_bar(const struct pcilib_cfg *c, struct pcilib_addr a, unsigned i, unsigned n,
                         struct pcilib_bar *b)
{
	unsigned off = REG_BAR0 + 4 * i, used = 1;
	uint32_t orig = c->read(c->ctx, a, off, 32), rb = bar_probe(c, a, off, orig);
	uint64_t mask, hi_orig = 0, hi_rb = 0xffffffffu;

	if (orig & BAR_IO) {
		io_bar(b, orig, rb);
		return 1;
	}
	if ((orig & BAR_MEM_TYPE) == BAR_MEM_TYPE_64 && i + 1 < n) {
		hi_orig = c->read(c->ctx, a, off + 4, 32);
		hi_rb = bar_probe(c, a, off + 4, (uint32_t)hi_orig);
		used = 2;
	}
	mask = hi_rb << 32 | (rb & ~0xfu);
	/* Nothing writable: not implemented (a 64-bit BAR of 4 GiB or more has only high bits). */
	if (used == 1 ? (rb & ~0xfu) == 0 : mask == 0)
		return used;
	/* The writable bits must be one run from the top, or the size means nothing. */
	if ((~mask + 1) & ~mask)
		return used;
	b->size = ~mask + 1;
	/* Bits below the size are not address bits, whatever the device left in them. */
	b->base = (hi_orig << 32 | (orig & ~0xfu)) & mask;
	b->flags = (used == 2 ? PCILIB_BAR_MEM64 : 0) |
	           (orig & BAR_MEM_PREFETCH ? PCILIB_BAR_PREFETCH : 0);
	return used;
}

unsigned pcilib_size_bars(const struct pcilib_cfg *c, struct pcilib_addr a, unsigned layout,
                          struct pcilib_bar bars[6])
{
	unsigned n = layout == 0 ? 6 : layout == 1 ? 2 : 0, i, found = 0;
	uint32_t cmd;

	memset(bars, 0, 6 * sizeof(*bars));
	if (n == 0)
		return 0;
	cmd = c->read(c->ctx, a, REG_COMMAND, 16);
	/* No decoding while a BAR holds all ones, or it could claim any address. */
	c->write(c->ctx, a, REG_COMMAND, 16, cmd & ~(CMD_IO | CMD_MEMORY));
	for (i = 0; i < n;) {
		unsigned used = size_bar(c, a, i, n, &bars[i]);

		found += bars[i].size != 0;
		i += used;
	}
	c->write(c->ctx, a, REG_COMMAND, 16, cmd);
	return found;
}

unsigned pcilib_find_cap(const struct pcilib_cfg *c, struct pcilib_addr a, uint8_t id,
                         unsigned from)
{
	unsigned ptr, hops;

	if (!(c->read(c->ctx, a, REG_STATUS, 16) & STATUS_CAP_LIST))
		return 0;
	if (from == 0)
		ptr = c->read(c->ctx, a, REG_CAP_PTR, 8);
	else if (from >= CAP_FIRST && from < LEGACY_SIZE && !(from & 3))
		ptr = c->read(c->ctx, a, from + 1, 8);
	else
		return 0;
	/* At most (256 - 64) / 4 capabilities fit; more hops than that is a loop. */
	for (hops = 0; hops < (LEGACY_SIZE - CAP_FIRST) / 4; hops++) {
		ptr &= 0xfc;
		if (ptr < CAP_FIRST)
			return 0;
		if (c->read(c->ctx, a, ptr, 8) == id)
			return ptr;
		ptr = c->read(c->ctx, a, ptr + 1, 8);
	}
	return 0;
}

/* Extended capability headers: ID in 15:0, version 19:16, next offset 31:20 (PCIe 4.0, 7.6.3). */
unsigned pcilib_find_ext_cap(const struct pcilib_cfg *c, struct pcilib_addr a, uint16_t id,
                             unsigned from)
{
	unsigned ptr, hops;
	uint32_t h;

	if (c->size < EXT_SIZE)
		return 0;
	if (from == 0)
		ptr = LEGACY_SIZE;
	else if (from >= LEGACY_SIZE && from < EXT_SIZE && !(from & 3))
		ptr = c->read(c->ctx, a, from, 32) >> 20;
	else
		return 0;
	for (hops = 0; hops < (EXT_SIZE - LEGACY_SIZE) / 4; hops++) {
		ptr &= 0xffc;
		if (ptr < LEGACY_SIZE)
			return 0;
		h = c->read(c->ctx, a, ptr, 32);
		if (h == 0 || h == 0xffffffffu)
			return 0;
		if ((h & 0xffff) == id)
			return ptr;
		ptr = h >> 20;
	}
	return 0;
}
