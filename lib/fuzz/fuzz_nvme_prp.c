/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/nvme/prp.c: arbitrary segment lists and limits.
 * Every command's entries are read back as a controller would (NVMe 1.4,
 * 4.3) and must name exactly the next bytes of the segments, in order;
 * each command carries a block multiple within the limits and its list.
 */
#include <cairn/errno.h>

#include <lib/nvme/nvme.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PG      4096u
#define LIST_PA 0x1000ull
#define NSEG    32

/* The cursor into the expected bytes: segment @i, @off bytes in. */
struct expect {
	const struct nvme_seg *s;
	unsigned n, i;
	uint64_t off;
};

/* The controller reads @len bytes at @a: they must be the next expected ones. */
static void consume(struct expect *x, uint64_t a, uint64_t len)
{
	while (len) {
		uint64_t n;

		while (x->i < x->n && x->off == x->s[x->i].len) {
			x->i++;
			x->off = 0;
		}
		if (x->i == x->n || x->s[x->i].pa + x->off != a)
			abort();
		n = x->s[x->i].len - x->off;
		if (n > len)
			n = len;
		x->off += n;
		a += n;
		len -= n;
	}
}

static void device_walk(const struct nvme_prp *p, const uint64_t *list, struct expect *x)
{
	uint64_t left = p->bytes, n = PG - (p->prp1 % PG);
	uint64_t pages;
	unsigned i;

	if (p->prp1 % 4)
		abort();
	n = left < n ? left : n;
	consume(x, p->prp1, n);
	left -= n;
	pages = (left + PG - 1) / PG;
	for (i = 0; i < pages; i++) {
		uint64_t e = pages == 1 ? p->prp2 : list[i];

		if (e % PG || (pages > 1 && p->prp2 != LIST_PA))
			abort();
		n = left < PG ? left : PG;
		consume(x, e, n);
		left -= n;
	}
	if ((pages > 1 ? pages : 0) != p->list_used)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nvme_prp_limits lim = { .page = PG };
	struct nvme_seg segs[NSEG];
	struct expect x = { segs, 0, 0, 0 };
	struct nvme_prp_cursor c;
	uint64_t list[8];
	struct nvme_prp p;
	unsigned n = 0;
	int err, cmds = 0;

	if (size < 4)
		return 0;
	lim.block = 512u << (data[0] % 4);
	lim.list_cap = 1 + data[1] % 8;
	lim.max_bytes = lim.block * (1u + data[2] % 64);
	for (size_t i = 4; i + 12 <= size && n < NSEG; i += 12, n++) {
		memcpy(&segs[n].pa, data + i, 8);
		memcpy(&segs[n].len, data + i + 8, 4);
		segs[n].len %= 3 * PG; /* the kernel's segments are small; lengths stay walkable */
		if (data[3] & 1)
			segs[n].pa &= ~0xfffull; /* often page-aligned, so lists get long */
	}
	x.n = n;
	nvme_prp_start(&c, segs, n);
	while ((err = nvme_prp_next(&c, &lim, list, LIST_PA, &p)) == 0 && p.bytes) {
		if (p.bytes % lim.block || p.bytes > lim.max_bytes || p.list_used > lim.list_cap)
			abort();
		device_walk(&p, list, &x);
		cmds++;
	}
	/* The driver reserves identifiers by the dry count: it must agree. */
	if (nvme_prp_pieces(segs, n, &lim) != (err ? -EINVAL : cmds))
		abort();
	return 0;
}
