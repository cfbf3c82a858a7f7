/* SPDX-License-Identifier: MIT */
/*
 * Physical Region Page entries (NVMe 1.4, 4.3): how a command names the
 * memory of its transfer. PRP entry 1 may start anywhere dword-aligned
 * inside a page; every further entry names a whole page from its start,
 * and only the last page may be used partly. Two entries fit in the
 * command itself; beyond that PRP entry 2 points to a list of the rest.
 * A request made of pieces of different pages (a buffer cache block here,
 * one there) fits only where its pieces meet at page boundaries, so a
 * request is cut into as few commands as its memory allows.
 */
#include <cairn/errno.h>

#include <lib/nvme/nvme.h>

void nvme_prp_start(struct nvme_prp_cursor *c, const struct nvme_seg *segs, unsigned nseg)
{
	c->segs = segs;
	c->nseg = nseg;
	c->i = 0;
	c->off = 0;
}

/* Pages the bytes [@a, @a + @len) touch (@len > 0). */
static uint64_t pages_touched(uint64_t a, uint64_t len, uint32_t page)
{
	uint64_t mask = page - 1;

	return ((a & mask) + len + mask) / page;
}

/* Skip empty segments so the cursor names a byte, or the end. */
static void cursor_settle(struct nvme_prp_cursor *c)
{
	while (c->i < c->nseg && c->off >= c->segs[c->i].len) {
		c->i++;
		c->off = 0;
	}
}

/*
 * How many bytes from @c one command can carry: pieces must meet at page
 * boundaries, and the limits on bytes and list entries hold.
 */
static uint64_t prp_reach(const struct nvme_prp_cursor *c, const struct nvme_prp_limits *lim)
{
	uint64_t mask = lim->page - 1, len = 0, entries = 0, end = 0;
	uint64_t max_entries = 1ull + lim->list_cap;
	struct nvme_prp_cursor k = *c;

	for (; k.i < k.nseg; k.i++, k.off = 0) {
		uint64_t a = k.segs[k.i].pa + k.off, n = k.segs[k.i].len - k.off, allowed, take;

		if (n == 0)
			continue;
		if (n > UINT64_MAX - a)
			break; /* a segment that wraps the address space names no memory */
		if (len && ((a & mask) || (end & mask)))
			break;
		/* The bytes the remaining entries can still name from @a on. */
		allowed = (max_entries - entries) * lim->page - (a & mask);
		take = n;
		if (take > allowed)
			take = allowed;
		if (take > lim->max_bytes - len)
			take = lim->max_bytes - len;
		if (take == 0)
			break;
		len += take;
		entries += pages_touched(a, take, lim->page);
		end = a + take;
		if (take < n)
			break;
	}
	return len;
}

/* Record the @n-th page address of the command (0: PRP entry 1). */
static void prp_put(struct nvme_prp *out, uint64_t *list, uint32_t n, uint64_t addr)
{
	if (n == 0)
		out->prp1 = addr;
	else
		list[n - 1] = addr;
	if (n == 1)
		out->prp2 = addr;
}

/* Emit the entries for @len bytes from @c (checked by prp_reach) and advance @c. */
static uint32_t prp_emit(struct nvme_prp_cursor *c, uint32_t page, uint64_t len,
                         struct nvme_prp *out, uint64_t *list)
{
	uint64_t mask = page - 1;
	uint32_t n = 0;

	while (len) {
		uint64_t a = c->segs[c->i].pa + c->off, take = c->segs[c->i].len - c->off, k, np;

		if (take > len)
			take = len;
		np = pages_touched(a, take, page);
		/* The first entry keeps its offset; each next page is named from its start. */
		for (k = 0; k < np; k++, n++)
			prp_put(out, list, n, n == 0 ? a : (a & ~mask) + k * page);
		len -= take;
		c->off += (uint32_t)take;
		cursor_settle(c);
	}
	return n;
}

/* Advance @c by @len bytes (checked by prp_reach). */
static void cursor_skip(struct nvme_prp_cursor *c, uint64_t len)
{
	while (len) {
		uint64_t take = c->segs[c->i].len - c->off;

		if (take > len)
			take = len;
		len -= take;
		c->off += (uint32_t)take;
		cursor_settle(c);
	}
}

/* The length of the next command's transfer from @c: 0 at the end, -EINVAL when none fits. */
static int64_t prp_next_len(struct nvme_prp_cursor *c, const struct nvme_prp_limits *lim)
{
	uint64_t reach;

	cursor_settle(c);
	if (c->i >= c->nseg)
		return 0;
	if ((c->segs[c->i].pa + c->off) & 3)
		return -EINVAL;
	reach = prp_reach(c, lim);
	reach -= reach % lim->block;
	return reach ? (int64_t)reach : -EINVAL;
}

int nvme_prp_pieces(const struct nvme_seg *segs, unsigned nseg, const struct nvme_prp_limits *lim)
{
	struct nvme_prp_cursor c;
	int64_t len;
	int n = 0;

	nvme_prp_start(&c, segs, nseg);
	while ((len = prp_next_len(&c, lim)) > 0) {
		cursor_skip(&c, (uint64_t)len);
		n++;
	}
	return len < 0 ? -EINVAL : n;
}

int nvme_prp_next(struct nvme_prp_cursor *c, const struct nvme_prp_limits *lim, uint64_t *list,
                  uint64_t list_pa, struct nvme_prp *out)
{
	int64_t len;
	uint32_t n;

	out->prp1 = out->prp2 = 0;
	out->bytes = out->list_used = 0;
	len = prp_next_len(c, lim);
	if (len <= 0)
		return (int)len;
	n = prp_emit(c, lim->page, (uint64_t)len, out, list);
	if (n > 2) {
		out->prp2 = list_pa;
		out->list_used = n - 1;
	}
	out->bytes = (uint32_t)len;
	return 0;
}
