/* SPDX-License-Identifier: MIT */
/*
 * A simulated PCI machine for lib/pci's host tests and fuzzer: functions
 * on segments (the physical buses), each with 4 KiB of configuration
 * space, BARs that size the way hardware does (only the bits above the
 * size stick, low flag bits are read-only), and bridges whose bus
 * registers decide which bus number reaches the segment behind them.
 * Config accesses to a bus no bridge leads to read all ones.
 */
#pragma once

#include <lib/pci/pci.h>

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define SIM_MAX_FNS 64

struct sim_fn {
	int seg; /* segment it sits on; 0 is the root bus */
	uint8_t dev, fn;
	int child_seg;        /* a bridge's segment behind it, else -1 */
	uint64_t bar_size[6]; /* 0: unimplemented; a 64-bit BAR's size in its low slot */
	uint8_t cfg[4096];
	bool decode_on_probe; /* a BAR held all ones while decoding was on */
};

struct sim {
	struct sim_fn fn[SIM_MAX_FNS];
	unsigned n;
};

/* The bus number that reaches segment @seg now, or -1 (no bridge leads there). */
static inline int sim_bus_of(const struct sim *s, int seg, unsigned depth)
{
	unsigned i;

	if (seg == 0)
		return 0;
	if (depth > SIM_MAX_FNS)
		return -1;
	for (i = 0; i < s->n; i++)
		if (s->fn[i].child_seg == seg && sim_bus_of(s, s->fn[i].seg, depth + 1) >= 0)
			return s->fn[i].cfg[0x19] ? s->fn[i].cfg[0x19] : -1;
	return -1;
}

static inline struct sim_fn *sim_find(struct sim *s, struct pcilib_addr a)
{
	unsigned i;

	for (i = 0; i < s->n; i++) {
		struct sim_fn *f = &s->fn[i];

		if (f->dev == a.dev && f->fn == a.fn && sim_bus_of(s, f->seg, 0) == a.bus)
			return f;
	}
	return NULL;
}

static inline uint32_t sim_get(const uint8_t *p, unsigned width)
{
	uint32_t v = 0;
	unsigned i;

	for (i = 0; i < width / 8; i++)
		v |= (uint32_t)p[i] << (8 * i);
	return v;
}

static inline void sim_put(uint8_t *p, unsigned width, uint32_t v)
{
	unsigned i;

	for (i = 0; i < width / 8; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline uint32_t sim_read(void *ctx, struct pcilib_addr a, unsigned off, unsigned width)
{
	struct sim_fn *f = sim_find(ctx, a);

	if (!f || off + width / 8 > sizeof(f->cfg))
		return width == 32 ? 0xffffffffu : (1u << width) - 1;
	return sim_get(&f->cfg[off], width);
}

/* What a BAR register keeps of @v: address bits above the size, its flag bits unchanged. */
static inline uint32_t sim_bar_value(const struct sim_fn *f, unsigned slot, uint32_t v)
{
	uint32_t old = sim_get(&f->cfg[0x10 + 4 * slot], 32);
	uint64_t size;

	if (slot > 0 && f->bar_size[slot - 1] && (f->cfg[0x10 + 4 * (slot - 1)] & 7) == 4) {
		size = f->bar_size[slot - 1]; /* the upper half of a 64-bit BAR */
		return (uint32_t)((((uint64_t)v << 32) & ~(size - 1)) >> 32);
	}
	size = f->bar_size[slot];
	if (!size)
		return 0;
	if (old & 1)
		return (v & ~(uint32_t)(size - 1) & 0xffffu) | 1; /* I/O: 16 bits decoded */
	return (v & ~(uint32_t)(size - 1) & ~0xfu) | (old & 0xfu);
}

static inline void sim_write(void *ctx, struct pcilib_addr a, unsigned off, unsigned width,
                             uint32_t v)
{
	struct sim_fn *f = sim_find(ctx, a);
	unsigned nbars;

	if (!f || off + width / 8 > sizeof(f->cfg))
		return;
	nbars = (f->cfg[0x0e] & 0x7f) == 0 ? 6 : (f->cfg[0x0e] & 0x7f) == 1 ? 2 : 0;
	if (width == 32 && off >= 0x10 && off < 0x10 + 4 * nbars) {
		if (v == 0xffffffffu && (f->cfg[0x04] & 3))
			f->decode_on_probe = true;
		sim_put(&f->cfg[off], 32, sim_bar_value(f, (off - 0x10) / 4, v));
		return;
	}
	sim_put(&f->cfg[off], width, v);
}

/* Add a function; returns it for the caller to fill in more. */
static inline struct sim_fn *sim_add(struct sim *s, int seg, uint8_t dev, uint8_t fn,
                                     uint16_t vendor, uint16_t device, uint8_t header)
{
	struct sim_fn *f = &s->fn[s->n++];

	memset(f, 0, sizeof(*f));
	f->seg = seg;
	f->dev = dev;
	f->fn = fn;
	f->child_seg = -1;
	sim_put(&f->cfg[0], 16, vendor);
	sim_put(&f->cfg[2], 16, device);
	f->cfg[0x0e] = header;
	f->cfg[0x04] = 0x07; /* decoding and bus mastering on, as firmware leaves them */
	return f;
}

/* Give @f BAR @slot: @size bytes at @base with flag bits @flags (bit 0 I/O, 2:1 type, 3 pref). */
static inline void sim_bar(struct sim_fn *f, unsigned slot, uint64_t size, uint64_t base,
                           uint32_t flags)
{
	f->bar_size[slot] = size;
	sim_put(&f->cfg[0x10 + 4 * slot], 32, (uint32_t)base | flags);
	if ((flags & 7) == 4)
		sim_put(&f->cfg[0x14 + 4 * slot], 32, (uint32_t)(base >> 32));
}

/* A bridge at @seg leading to segment @child, with the bus numbers the firmware set. */
static inline struct sim_fn *sim_bridge(struct sim *s, int seg, uint8_t dev, int child, uint8_t sec,
                                        uint8_t sub)
{
	struct sim_fn *f = sim_add(s, seg, dev, 0, 0x1b36, 0x000c, 1);

	f->child_seg = child;
	f->cfg[0x19] = sec;
	f->cfg[0x1a] = sub;
	return f;
}

static inline struct pcilib_cfg sim_cfg(struct sim *s)
{
	struct pcilib_cfg c = { .ctx = s, .read = sim_read, .write = sim_write, .size = 4096 };

	return c;
}
