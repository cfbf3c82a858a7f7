// SPDX-License-Identifier: MIT
/*
 * Enumeration over a struct pcilib_cfg (lib/pci/pci.h): bus 0, then depth
 * first every bus behind a PCI-to-PCI bridge. Bus numbers the firmware
 * programmed are kept; a bridge without a usable number gets the next free
 * one. A bitmap of scanned buses and a depth limit make any topology a
 * device can fake, loops included, end.
 */
#include <lib/pci/pci.h>

#define REG_VENDOR        0x00
#define REG_HEADER_TYPE   0x0e
#define REG_PRIMARY_BUS   0x18
#define REG_SECONDARY_BUS 0x19
#define REG_SUBORD_BUS    0x1a
#define HEADER_MULTIFN    0x80u
#define HEADER_LAYOUT     0x7fu
#define LAYOUT_BRIDGE     1
#define MAX_BUS           256
#define MAX_DEPTH         32

struct scan {
	const struct pcilib_cfg *c;
	const struct pcilib_scan_ops *ops;
	uint8_t seen[MAX_BUS / 8]; /* buses scanned */
	unsigned next_bus;         /* lowest bus number not given out or seen */
	unsigned found;            /* functions reported */
};

static void scan_bus(struct scan *s, unsigned bus, unsigned depth);

static bool seen(const struct scan *s, unsigned bus)
{
	return s->seen[bus / 8] & (1u << bus % 8);
}

static void event(struct scan *s, enum pcilib_event ev, struct pcilib_addr a, unsigned x,
                  unsigned y)
{
	if (s->ops->event)
		s->ops->event(s->ops->ctx, ev, a, x, y);
}

/* Program @a's bus registers: primary, secondary, subordinate (3.2.5.3-3.2.5.5). */
static void set_buses(struct scan *s, struct pcilib_addr a, unsigned sec, unsigned sub)
{
	s->c->write(s->c->ctx, a, REG_PRIMARY_BUS, 8, a.bus);
	s->c->write(s->c->ctx, a, REG_SECONDARY_BUS, 8, sec);
	s->c->write(s->c->ctx, a, REG_SUBORD_BUS, 8, sub);
}

/*
 * The bus behind bridge @a. A secondary number that is zero, not above
 * the bridge's own bus, or already scanned is not usable: the bridge is
 * renumbered with subordinate 0xff while its side is scanned, then set to
 * the last bus used there.
 */
static void scan_bridge(struct scan *s, struct pcilib_addr a, unsigned depth)
{
	unsigned sec = s->c->read(s->c->ctx, a, REG_SECONDARY_BUS, 8) & 0xff;
	unsigned sub = s->c->read(s->c->ctx, a, REG_SUBORD_BUS, 8) & 0xff;

	if (sec != 0 && sec > a.bus && !seen(s, sec)) {
		if (sub + 1 > s->next_bus)
			s->next_bus = sub + 1;
		scan_bus(s, sec, depth + 1);
		return;
	}
	if (s->next_bus >= MAX_BUS) {
		event(s, PCILIB_EV_NO_BUS_LEFT, a, 0, 0);
		return;
	}
	sec = s->next_bus++;
	set_buses(s, a, sec, 0xff);
	scan_bus(s, sec, depth + 1);
	set_buses(s, a, sec, s->next_bus - 1);
	event(s, PCILIB_EV_BRIDGE_NUMBERED, a, sec, s->next_bus - 1);
}

/* A vendor ID of all ones (nothing answers) or zero (a broken device) is no function. */
static bool present(uint32_t id)
{
	return (id & 0xffff) != 0xffff && (id & 0xffff) != 0;
}

static void found(struct scan *s, struct pcilib_addr a, uint32_t id, unsigned depth)
{
	uint8_t header = (uint8_t)s->c->read(s->c->ctx, a, REG_HEADER_TYPE, 8);

	s->found++;
	s->ops->function(s->ops->ctx, a, id, header);
	if ((header & HEADER_LAYOUT) == LAYOUT_BRIDGE)
		scan_bridge(s, a, depth);
}

/* Function 0 first; functions 1-7 only when its header type says multi-function. */
static void scan_slot(struct scan *s, unsigned bus, unsigned dev, unsigned depth)
{
	struct pcilib_addr a = { .bus = (uint8_t)bus, .dev = (uint8_t)dev, .fn = 0 };
	uint32_t id = s->c->read(s->c->ctx, a, REG_VENDOR, 32);
	unsigned nfn;

	if (!present(id))
		return;
	nfn = s->c->read(s->c->ctx, a, REG_HEADER_TYPE, 8) & HEADER_MULTIFN ? 8 : 1;
	found(s, a, id, depth);
	for (a.fn = 1; a.fn < nfn; a.fn++) {
		id = s->c->read(s->c->ctx, a, REG_VENDOR, 32);
		if (present(id))
			found(s, a, id, depth);
	}
}

static void scan_bus(struct scan *s, unsigned bus, unsigned depth)
{
	struct pcilib_addr a = { .bus = (uint8_t)bus };
	unsigned dev;

	if (bus >= MAX_BUS || seen(s, bus) || depth > MAX_DEPTH) {
		event(s, PCILIB_EV_BUS_REVISITED, a, bus, depth);
		return;
	}
	s->seen[bus / 8] |= (uint8_t)(1u << bus % 8);
	if (bus >= s->next_bus)
		s->next_bus = bus + 1;
	if (s->ops->bus && !s->ops->bus(s->ops->ctx, bus))
		return;
	for (dev = 0; dev < 32; dev++)
		scan_slot(s, bus, dev, depth);
}

unsigned pcilib_enumerate(const struct pcilib_cfg *c, const struct pcilib_scan_ops *ops)
{
	struct scan s = { .c = c, .ops = ops, .next_bus = 1 };

	scan_bus(&s, 0, 0);
	return s.found;
}
