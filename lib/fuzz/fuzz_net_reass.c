/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/net/reass.c: the input is a script of
 * fragments (one of four datagram ids, any offset, size and MF bit, bytes
 * either the datagram's true bytes or corrupted ones) and clock steps,
 * against small limits so eviction happens. Checks that the engine never
 * holds more than its memory limit, that every allocation is freed after
 * a flush, that a finished datagram parses as IPv4 with the right length,
 * and that a datagram built only from true bytes comes out equal to them.
 */
#include <lib/net/reass.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MEM_LIMIT 24000u

static long live;
static size_t bytes;
static uint8_t frag[20 + 65536];
static uint8_t out[65536 + 64];
static bool tainted[4]; /* a corrupted fragment of id i went in since its last completion */

static void *f_alloc(void *ctx, size_t n)
{
	(void)ctx;
	live++;
	bytes += n;
	return malloc(n);
}

static void f_free(void *ctx, void *p, size_t n)
{
	(void)ctx;
	live--;
	bytes -= n;
	free(p);
}

static void f_timeout(void *ctx, const uint8_t *hdr, size_t len)
{
	(void)ctx;
	if (len < IP4_HLEN_MIN || len > IP4_HLEN_MAX + 8 || (size_t)(hdr[0] & 0xf) * 4 > len)
		abort();
}

static const struct reass_ops ops = { .alloc = f_alloc, .free = f_free, .timeout = f_timeout };

/* The true byte at payload offset @i of datagram @id. */
static uint8_t truth(unsigned id, size_t i)
{
	return (uint8_t)(i * 31 + id * 7 + (i >> 9));
}

static void finished(struct reass *r, struct reass_dgram *d, unsigned id)
{
	size_t n = reass_len(d);
	struct ip4_view v;

	if (n > 65535 || n < IP4_HLEN_MIN)
		abort();
	reass_copy(d, out);
	if (ip4_parse(out, n, false, &v) != 0 || ip4_is_fragment(&v) || v.id != id)
		abort();
	for (size_t i = 0; i < v.len && !tainted[id]; i++)
		if (v.payload[i] != truth(id, i))
			abort();
	tainted[id] = false;
	reass_release(r, d);
}

/* One fragment from 5 script bytes: id and flags, offset (2), length (2). */
static void one(struct reass *r, const uint8_t *p, uint64_t now)
{
	unsigned id = p[0] & 3, off = (unsigned)(p[1] << 8 | p[2]) & 0x1fff;
	size_t len = (size_t)(p[3] << 8 | p[4]) % 9000;
	bool mf = p[0] & 4, bad = (p[0] & 0x38) == 0x38;
	struct reass_dgram *d = NULL;
	struct ip4_view v;
	int rc;

	if (20 + len > 65535)
		return;
	ip4_build(frag, (uint16_t)(20 + len), (uint16_t)id, (uint16_t)((mf ? IP4_MF : 0) | off), 64,
	          IPPROTO_UDP, 1, 2);
	for (size_t i = 0; i < len; i++)
		frag[20 + i] = truth(id, off * 8u + i) ^ (bad ? p[0] : 0);
	if (ip4_parse(frag, 20 + len, false, &v) != 0)
		abort();
	if (!ip4_is_fragment(&v))
		return;
	/* Set before: the corrupted fragment may be the one that completes the datagram. */
	if (bad)
		tainted[id] = true;
	rc = reass_add(r, &v, now, &d);
	if (rc == 1)
		finished(r, d, id);
	if (r->mem > MEM_LIMIT)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct reass r;
	uint64_t now = 0;

	memset(tainted, 0, sizeof(tainted));
	reass_init(&r, &ops, NULL, MEM_LIMIT, 3, 30000);
	while (size >= 5) {
		if ((data[0] & 0xc0) == 0xc0) {
			now += data[1] * 1000u;
			reass_tick(&r, now);
		} else {
			one(&r, data, now);
		}
		data += 5;
		size -= 5;
	}
	reass_flush(&r);
	if (live != 0 || bytes != 0 || r.mem != 0)
		abort();
	return 0;
}
