// SPDX-License-Identifier: MIT
/*
 * Initial sequence numbers per RFC 6528 section 3: ISN = M + F(localip,
 * localport, remoteip, remoteport, secretkey), with M a clock ticking every
 * 4 microseconds and F SipHash-2-4 (Aumasson and Bernstein, "SipHash: a
 * fast short-input PRF", 2012) under a key drawn at boot. Different
 * connections get unrelated ISNs; one connection's ISNs grow with time so
 * that a new incarnation starts above the old one's sequence space.
 */
#include "lib/net/tcp_internal.h"

static uint64_t rotl(uint64_t x, unsigned b)
{
	return x << b | x >> (64 - b);
}

static uint64_t get_le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < 8; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

/* One SipRound (SipHash paper, section 2). */
static void sip_round(uint64_t v[4])
{
	v[0] += v[1];
	v[1] = rotl(v[1], 13);
	v[1] ^= v[0];
	v[0] = rotl(v[0], 32);
	v[2] += v[3];
	v[3] = rotl(v[3], 16);
	v[3] ^= v[2];
	v[0] += v[3];
	v[3] = rotl(v[3], 21);
	v[3] ^= v[0];
	v[2] += v[1];
	v[1] = rotl(v[1], 17);
	v[1] ^= v[2];
	v[2] = rotl(v[2], 32);
}

uint64_t tcp_siphash24(const uint8_t key[16], const uint8_t *m, size_t len)
{
	uint64_t k0 = get_le64(key), k1 = get_le64(key + 8);
	uint64_t v[4] = { k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
		          k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull };
	uint64_t b = (uint64_t)len << 56;

	size_t full = len & ~(size_t)7;

	for (size_t i = 0; i < full; i += 8) {
		uint64_t w = get_le64(m + i);

		v[3] ^= w;
		sip_round(v);
		sip_round(v);
		v[0] ^= w;
	}
	/* The last block: the leftover bytes and the length's low byte on top. */
	for (size_t i = full; i < len; i++)
		b |= (uint64_t)m[i] << (8 * (i - full));
	v[3] ^= b;
	sip_round(v);
	sip_round(v);
	v[0] ^= b;
	v[2] ^= 0xff;
	for (unsigned i = 0; i < 4; i++)
		sip_round(v);
	return v[0] ^ v[1] ^ v[2] ^ v[3];
}

uint32_t tcp_isn(const uint8_t key[16], uint32_t laddr, uint16_t lport, uint32_t raddr,
                 uint16_t rport, uint64_t now)
{
	uint8_t m[16] = { 0 };

	net_put32(m, laddr);
	net_put32(m + 4, raddr);
	net_put16(m + 8, lport);
	net_put16(m + 10, rport);
	/* RFC 6528 3: M is a 4-microsecond timer. */
	return (uint32_t)tcp_siphash24(key, m, sizeof(m)) + (uint32_t)(now / 4000u);
}
