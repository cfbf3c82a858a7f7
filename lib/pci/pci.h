/* SPDX-License-Identifier: MIT */
/*
 * PCI mechanism with no kernel in it: enumeration of the buses behind
 * bridges, BAR sizing and capability walks, over configuration space
 * reached through callbacks. The kernel (kernel/bus/pci/) supplies ECAM or
 * the ports; the host tests and the fuzzer supply a simulated machine, so
 * what a device reports (it is not trusted: a BAR, a bus number, a
 * capability pointer) is exercised off the machine too. Register offsets
 * and layouts: PCI Local Bus Specification 3.0, chapter 6; PCI-to-PCI
 * Bridge Architecture 1.2, chapter 3; PCI Express Base 4.0, 7.6.
 */
#pragma once

#include <stdbool.h>
#include <stdint.h>

/* A function's place: bus 0-255, device 0-31, function 0-7. */
struct pcilib_addr {
	uint8_t bus, dev, fn;
};

/* Configuration space access. */
struct pcilib_cfg {
	void *ctx;
	/* @width (8, 16, 32) bits at aligned @off; all ones when nothing answers. */
	uint32_t (*read)(void *ctx, struct pcilib_addr a, unsigned off, unsigned width);
	void (*write)(void *ctx, struct pcilib_addr a, unsigned off, unsigned width, uint32_t v);
	/* Bytes of configuration space per function: 256 (ports) or 4096 (ECAM). */
	unsigned size;
};

/* A sized BAR (6.2.5.1); size 0: not implemented. Flags as kernel/bus/pci/pci.h's. */
#define PCILIB_BAR_IO       0x1u
#define PCILIB_BAR_MEM64    0x2u
#define PCILIB_BAR_PREFETCH 0x4u
struct pcilib_bar {
	uint64_t base;
	uint64_t size;
	unsigned flags;
};

/*
 * Size the BARs of @a (header layout @layout: 0 has six, 1 (a bridge) two,
 * others none) into @bars[6], zeroed first. Memory and I/O decoding are off
 * in the command register while a BAR holds all ones, and every register
 * written is put back. Returns the number of BARs implemented.
 */
unsigned pcilib_size_bars(const struct pcilib_cfg *c, struct pcilib_addr a, unsigned layout,
                          struct pcilib_bar bars[6]);

/*
 * The first capability with ID @id after offset @from (0: from the list's
 * start) in the 256-byte header (6.7), or 0. A pointer below 0x40 ends the
 * list; a list longer than the header could hold is a loop and ends too.
 */
unsigned pcilib_find_cap(const struct pcilib_cfg *c, struct pcilib_addr a, uint8_t id,
                         unsigned from);

/* The same for PCI Express extended capabilities from 0x100; 0 when c->size is 256. */
unsigned pcilib_find_ext_cap(const struct pcilib_cfg *c, struct pcilib_addr a, uint16_t id,
                             unsigned from);

/* What enumeration reports besides the functions it finds. */
enum pcilib_event {
	PCILIB_EV_BRIDGE_NUMBERED, /* a bridge was given buses @x-@y */
	PCILIB_EV_NO_BUS_LEFT,     /* a bridge needed a bus number and none was left */
	PCILIB_EV_BUS_REVISITED,   /* bus @x reached again, or too deep: not scanned */
};

/* Callbacks of pcilib_enumerate(). */
struct pcilib_scan_ops {
	void *ctx;
	/* Before bus @bus is scanned (the kernel maps its ECAM there); false skips it. */
	bool (*bus)(void *ctx, unsigned bus);
	/* A function answered with vendor/device @id and header type @header. */
	void (*function)(void *ctx, struct pcilib_addr a, uint32_t id, uint8_t header);
	/* An event at bridge (or bus) @a; may be NULL. */
	void (*event)(void *ctx, enum pcilib_event ev, struct pcilib_addr a, unsigned x,
	              unsigned y);
};

/*
 * Visit every function reachable from bus 0, depth first through bridges
 * (header layout 1), calling ops->function() in bus order of discovery.
 * Bus numbers the firmware set are kept; a bridge with none, or one that
 * points backwards or at a bus already scanned, gets the next free number
 * (primary, secondary, subordinate written; 3.2.5.3-3.2.5.5). Each bus is
 * scanned once and bridges at most 32 deep, so a misprogrammed topology
 * ends. Returns the number of functions found.
 */
unsigned pcilib_enumerate(const struct pcilib_cfg *c, const struct pcilib_scan_ops *ops);
