// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for lib/pci: the input builds a simulated machine
 * (tests/host/pci_sim.h) whose functions answer with arbitrary
 * configuration space, BAR sizes and bridge topology; enumeration, BAR
 * sizing and capability walks over it must end without undefined
 * behaviour, whatever a device claims.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tests/host/pci_sim.h"

#define FN_META  12  /* seg, dev, fn, child, then six BAR size exponents, layout, flags */
#define FN_BYTES 512 /* configuration space taken from the input per function */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sim m;

static void on_function(void *ctx, struct pcilib_addr a, uint32_t id, uint8_t header)
{
	struct pcilib_cfg c = sim_cfg(&m);
	struct pcilib_bar bars[6];
	unsigned cap;
	unsigned *n = ctx;

	(*n)++;
	pcilib_size_bars(&c, a, header & 0x7f, bars);
	for (cap = 0; cap < 0x20; cap++)
		(void)pcilib_find_cap(&c, a, (uint8_t)cap, pcilib_find_cap(&c, a, (uint8_t)cap, 0));
	(void)pcilib_find_ext_cap(&c, a, 0x0001, 0);
	(void)pcilib_find_ext_cap(&c, a, 0x000b, 0x100);
}

/* One function from @p: its place, BAR sizes (powers of two) and configuration bytes. */
static void add_fn(const uint8_t *p, size_t len)
{
	struct sim_fn *f = sim_add(&m, p[0] % 8, p[1] % 32, p[2] % 8, 0, 0, 0);
	unsigned i;

	f->child_seg = p[3] % 9 == 8 ? -1 : p[3] % 8;
	for (i = 0; i < 6; i++)
		f->bar_size[i] = p[4 + i] % 40 < 4 ? 0 : 1ull << (p[4 + i] % 40);
	len -= FN_META;
	memcpy(f->cfg, p + FN_META, len < FN_BYTES ? len : FN_BYTES);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pcilib_cfg c = sim_cfg(&m);
	struct pcilib_scan_ops ops;
	unsigned n = 0, found;

	m.n = 0;
	while (size > FN_META && m.n < 12) {
		size_t take = size < FN_META + FN_BYTES ? size : FN_META + FN_BYTES;

		add_fn(data, take);
		data += take;
		size -= take;
	}
	memset(&ops, 0, sizeof(ops));
	ops.ctx = &n;
	ops.function = on_function;
	found = pcilib_enumerate(&c, &ops);
	if (found != n)
		__builtin_trap();
	return 0;
}
