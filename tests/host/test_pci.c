/* SPDX-License-Identifier: MIT */
/*
 * Host tests of lib/pci on a simulated machine (pci_sim.h): which
 * functions enumeration finds (multi-function devices, functions a
 * single-function device must not show), buses behind bridges as the
 * firmware numbered them and as enumeration numbers them when it did not,
 * bridges that loop or nest too deep, BAR sizing of every kind with the
 * registers put back and decoding off while probing, and capability lists
 * that end, loop or point nowhere.
 */
#include <lib/pci/pci.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* cmocka.h needs the standard headers above it. */
#include <cmocka.h>

#include "pci_sim.h"

/* What enumeration reported. */
struct seen {
	struct pcilib_addr addr[SIM_MAX_FNS];
	uint32_t id[SIM_MAX_FNS];
	unsigned n;
	unsigned numbered, no_bus, revisited; /* events */
};

static void on_function(void *ctx, struct pcilib_addr a, uint32_t id, uint8_t header)
{
	struct seen *s = ctx;

	assert_true(s->n < SIM_MAX_FNS);
	s->addr[s->n] = a;
	s->id[s->n++] = id;
}

static void on_event(void *ctx, enum pcilib_event ev, struct pcilib_addr a, unsigned x, unsigned y)
{
	struct seen *s = ctx;

	s->numbered += ev == PCILIB_EV_BRIDGE_NUMBERED;
	s->no_bus += ev == PCILIB_EV_NO_BUS_LEFT;
	s->revisited += ev == PCILIB_EV_BUS_REVISITED;
}

static unsigned enumerate(struct sim *m, struct seen *s)
{
	struct pcilib_cfg c = sim_cfg(m);
	struct pcilib_scan_ops ops = { .ctx = s, .function = on_function, .event = on_event };

	memset(s, 0, sizeof(*s));
	return pcilib_enumerate(&c, &ops);
}

/* True when @s holds a function at bus:dev.fn with device ID @device. */
static bool has(const struct seen *s, unsigned bus, unsigned dev, unsigned fn, uint16_t device)
{
	unsigned i;

	for (i = 0; i < s->n; i++)
		if (s->addr[i].bus == bus && s->addr[i].dev == dev && s->addr[i].fn == fn &&
		    s->id[i] >> 16 == device)
			return true;
	return false;
}

static struct sim m;

static void test_flat_bus_and_functions(void **state)
{
	struct seen s;

	m.n = 0;
	sim_add(&m, 0, 0, 0, 0x8086, 0x29c0, 0);
	sim_add(&m, 0, 3, 0, 0x8086, 0x0001, 0x80); /* multi-function: 0 and 5 */
	sim_add(&m, 0, 3, 5, 0x8086, 0x0005, 0);
	sim_add(&m, 0, 7, 0, 0x8086, 0x0007, 0); /* single-function ... */
	sim_add(&m, 0, 7, 2, 0x8086, 0x0072, 0); /* ... so this one is not looked at */
	sim_add(&m, 0, 9, 0, 0x0000, 0x0009, 0); /* vendor 0: broken, skipped */
	assert_int_equal(enumerate(&m, &s), 4);
	assert_true(has(&s, 0, 0, 0, 0x29c0));
	assert_true(has(&s, 0, 3, 0, 0x0001) && has(&s, 0, 3, 5, 0x0005));
	assert_true(has(&s, 0, 7, 0, 0x0007));
	assert_false(has(&s, 0, 7, 2, 0x0072));
	assert_int_equal(s.numbered + s.no_bus + s.revisited, 0);
}

/* Firmware numbered: root bridge to bus 1 (subordinate 2), its child bridge to bus 2. */
static void test_bridges_as_firmware_numbered(void **state)
{
	struct sim_fn *a, *b;
	struct seen s;

	m.n = 0;
	sim_add(&m, 0, 0, 0, 0x8086, 0x29c0, 0);
	a = sim_bridge(&m, 0, 1, 1, 1, 2);
	sim_add(&m, 1, 0, 0, 0x1af4, 0x1042, 0);
	b = sim_bridge(&m, 1, 4, 2, 2, 2);
	sim_add(&m, 2, 0, 0, 0x1b36, 0x0010, 0);
	assert_int_equal(enumerate(&m, &s), 5);
	assert_true(has(&s, 1, 0, 0, 0x1042));
	assert_true(has(&s, 2, 0, 0, 0x0010));
	assert_int_equal(a->cfg[0x19], 1);
	assert_int_equal(a->cfg[0x1a], 2);
	assert_int_equal(b->cfg[0x19], 2);
	assert_int_equal(s.numbered, 0);
}

/* Nothing numbered: depth first, each subordinate covering what is behind it. */
static void test_bridges_numbered_when_firmware_did_not(void **state)
{
	struct sim_fn *a, *b, *c;
	struct seen s;

	m.n = 0;
	a = sim_bridge(&m, 0, 1, 1, 0, 0);
	b = sim_bridge(&m, 1, 0, 2, 0, 0);
	sim_add(&m, 2, 3, 0, 0x1234, 0x0002, 0);
	c = sim_bridge(&m, 0, 2, 3, 0, 0);
	sim_add(&m, 3, 0, 0, 0x1234, 0x0003, 0);
	assert_int_equal(enumerate(&m, &s), 5);
	assert_int_equal(s.numbered, 3);
	assert_int_equal(a->cfg[0x18], 0);
	assert_int_equal(a->cfg[0x19], 1);
	assert_int_equal(a->cfg[0x1a], 2);
	assert_int_equal(b->cfg[0x18], 1);
	assert_int_equal(b->cfg[0x19], 2);
	assert_int_equal(b->cfg[0x1a], 2);
	assert_int_equal(c->cfg[0x19], 3);
	assert_int_equal(c->cfg[0x1a], 3);
	assert_true(has(&s, 2, 3, 0, 0x0002));
	assert_true(has(&s, 3, 0, 0, 0x0003));
}

/* Two bridges claiming bus 1, and one pointing back at bus 0: each gets a bus of its own. */
static void test_bridges_that_collide_or_point_back(void **state)
{
	struct sim_fn *c, *d;
	struct seen s;

	m.n = 0;
	sim_bridge(&m, 0, 1, 1, 1, 1);
	sim_add(&m, 1, 0, 0, 0x1234, 0x0011, 0);
	c = sim_bridge(&m, 0, 2, 2, 1, 1); /* the same bus as 00:01.0's */
	sim_add(&m, 2, 0, 0, 0x1234, 0x0022, 0);
	d = sim_bridge(&m, 0, 3, 3, 0, 0);
	sim_add(&m, 3, 5, 0, 0x1234, 0x0033, 0);
	enumerate(&m, &s);
	assert_true(has(&s, 1, 0, 0, 0x0011));
	assert_int_equal(c->cfg[0x19], 2);
	assert_true(has(&s, 2, 0, 0, 0x0022));
	assert_int_equal(d->cfg[0x19], 3);
	assert_true(has(&s, 3, 5, 0, 0x0033));
	assert_int_equal(s.numbered, 2);
}

/* Forty bridges in a chain: the walk stops at its depth limit and says so. */
static void test_bridge_chain_too_deep(void **state)
{
	struct seen s;
	int i;

	m.n = 0;
	for (i = 0; i < 40; i++)
		sim_bridge(&m, i, 0, i + 1, 0, 0);
	enumerate(&m, &s);
	assert_true(s.n >= 32 && s.n <= 34);
	assert_true(s.revisited >= 1);
}

static void test_bar_sizing(void **state)
{
	struct pcilib_addr a = { 0, 4, 0 };
	struct pcilib_cfg c = sim_cfg(&m);
	struct pcilib_bar bars[6];
	struct sim_fn *f;
	uint8_t before[64];

	m.n = 0;
	f = sim_add(&m, 0, 4, 0, 0x1af4, 0x1042, 0);
	sim_bar(f, 0, 4096, 0xfebd1000, 0);              /* 32-bit memory */
	sim_bar(f, 1, 32, 0xc040, 1);                    /* I/O, 16 address bits */
	sim_bar(f, 2, 16384, 0x800000000ull, 0x4 | 0x8); /* 64-bit prefetchable */
	sim_bar(f, 4, 8ull << 30, 0x1000000000ull, 0x4); /* 64-bit, 8 GiB: no low mask */
	memcpy(before, f->cfg, sizeof(before));
	assert_int_equal(pcilib_size_bars(&c, a, 0, bars), 4);
	assert_int_equal(bars[0].size, 4096);
	assert_int_equal(bars[0].base, 0xfebd1000);
	assert_int_equal(bars[0].flags, 0);
	assert_int_equal(bars[1].size, 32);
	assert_int_equal(bars[1].base, 0xc040);
	assert_int_equal(bars[1].flags, PCILIB_BAR_IO);
	assert_int_equal(bars[2].size, 16384);
	assert_int_equal(bars[2].base, 0x800000000ull);
	assert_int_equal(bars[2].flags, PCILIB_BAR_MEM64 | PCILIB_BAR_PREFETCH);
	assert_int_equal(bars[3].size, 0); /* the upper half */
	assert_int_equal(bars[4].size, 8ull << 30);
	assert_int_equal(bars[4].base, 0x1000000000ull);
	assert_int_equal(bars[4].flags, PCILIB_BAR_MEM64);
	assert_memory_equal(before, f->cfg, sizeof(before)); /* every register put back */
	assert_false(f->decode_on_probe);
}

/* A bridge has two BARs; a CardBus header (layout 2) none; a broken mask is not a size. */
static void test_bar_layouts_and_broken_masks(void **state)
{
	struct pcilib_addr a = { 0, 1, 0 };
	struct pcilib_cfg c = sim_cfg(&m);
	struct pcilib_bar bars[6];
	struct sim_fn *f;

	m.n = 0;
	f = sim_bridge(&m, 0, 1, 1, 1, 1);
	sim_bar(f, 0, 256, 0xfe000000, 0);
	f->bar_size[2] = 4096; /* beyond a bridge's two: bus registers, never probed */
	assert_int_equal(pcilib_size_bars(&c, a, 1, bars), 1);
	assert_int_equal(bars[0].size, 256);
	assert_int_equal(f->cfg[0x19], 1);
	assert_int_equal(pcilib_size_bars(&c, a, 2, bars), 0);
	/* A mask with a hole (0xfff0f000) sizes to nothing rather than nonsense. */
	m.n = 0;
	f = sim_add(&m, 0, 1, 0, 0x1234, 0x5678, 0);
	sim_bar(f, 0, 4096, 0, 0);
	f->bar_size[0] = 0x000f1000; /* ~(size - 1) leaves a hole */
	assert_int_equal(pcilib_size_bars(&c, a, 0, bars), 0);
}

/* Capabilities at 0x40 (PM), 0x50 (vendor), 0x60 (MSI-X), 0x70 (vendor). */
static struct sim_fn *caps_device(void)
{
	struct sim_fn *f;

	m.n = 0;
	f = sim_add(&m, 0, 2, 0, 0x1af4, 0x1042, 0);
	f->cfg[0x06] = 0x10; /* status: capability list */
	f->cfg[0x34] = 0x40;
	f->cfg[0x40] = 0x01, f->cfg[0x41] = 0x50;
	f->cfg[0x50] = 0x09, f->cfg[0x51] = 0x60;
	f->cfg[0x60] = 0x11, f->cfg[0x61] = 0x70;
	f->cfg[0x70] = 0x09, f->cfg[0x71] = 0x00;
	return f;
}

static void test_capabilities(void **state)
{
	struct pcilib_addr a = { 0, 2, 0 };
	struct pcilib_cfg c = sim_cfg(&m);
	struct sim_fn *f = caps_device();

	assert_int_equal(pcilib_find_cap(&c, a, 0x11, 0), 0x60);
	assert_int_equal(pcilib_find_cap(&c, a, 0x09, 0), 0x50);
	assert_int_equal(pcilib_find_cap(&c, a, 0x09, 0x50), 0x70);
	assert_int_equal(pcilib_find_cap(&c, a, 0x09, 0x70), 0);
	assert_int_equal(pcilib_find_cap(&c, a, 0x05, 0), 0);
	assert_int_equal(pcilib_find_cap(&c, a, 0x09, 0x20), 0); /* @from not in the list */
	assert_int_equal(pcilib_find_cap(&c, a, 0x09, 0x51), 0); /* nor misaligned */
	f->cfg[0x71] = 0x50; /* a loop: 0x50 -> 0x60 -> 0x70 -> */
	assert_int_equal(pcilib_find_cap(&c, a, 0x05, 0), 0);
	f->cfg[0x61] = 0x3c; /* into the standard header: the end */
	assert_int_equal(pcilib_find_cap(&c, a, 0x09, 0x50), 0);
	f->cfg[0x06] = 0; /* no list at all */
	assert_int_equal(pcilib_find_cap(&c, a, 0x01, 0), 0);
}

static void test_extended_capabilities(void **state)
{
	struct pcilib_addr a = { 0, 2, 0 };
	struct pcilib_cfg c = sim_cfg(&m);
	struct sim_fn *f = caps_device();

	sim_put(&f->cfg[0x100], 32, 0x14010001u); /* AER, next 0x140 */
	sim_put(&f->cfg[0x140], 32, 0x00010003u); /* serial number, the end */
	assert_int_equal(pcilib_find_ext_cap(&c, a, 0x0001, 0), 0x100);
	assert_int_equal(pcilib_find_ext_cap(&c, a, 0x0003, 0), 0x140);
	assert_int_equal(pcilib_find_ext_cap(&c, a, 0x0003, 0x140), 0);
	assert_int_equal(pcilib_find_ext_cap(&c, a, 0x000b, 0), 0);
	sim_put(&f->cfg[0x140], 32, 0x10010003u); /* back to 0x100: a loop */
	assert_int_equal(pcilib_find_ext_cap(&c, a, 0x000b, 0), 0);
	c.size = 256; /* the ports reach no extended space */
	assert_int_equal(pcilib_find_ext_cap(&c, a, 0x0001, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flat_bus_and_functions),
		cmocka_unit_test(test_bridges_as_firmware_numbered),
		cmocka_unit_test(test_bridges_numbered_when_firmware_did_not),
		cmocka_unit_test(test_bridges_that_collide_or_point_back),
		cmocka_unit_test(test_bridge_chain_too_deep),
		cmocka_unit_test(test_bar_sizing),
		cmocka_unit_test(test_bar_layouts_and_broken_masks),
		cmocka_unit_test(test_capabilities),
		cmocka_unit_test(test_extended_capabilities),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
