/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/net/arp.c, the ARP cache: the input is a
 * script of packets to resolve, ARP packets received (for us or not, from
 * a small set of addresses so entries collide and the table fills),
 * clock steps, ticks, deletes and flushes. Checks that every handle the
 * cache took comes back exactly once (sent or dropped), that handles sent
 * go to the address last learned, that no entry holds more than
 * ARP_QUEUE_MAX handles, and that a flush gives everything back.
 */
#include <cairn/errno.h>

#include <lib/net/arp.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NH 4096u

struct st {
	struct arp_cache c;
	uint8_t held[NH];           /* 1: the cache holds handle i */
	uint32_t dst[NH];           /* the address handle i waits for */
	uint8_t mac[256][ETH_ALEN]; /* the last address learned per host byte */
	uint32_t in_ip;             /* the ARP packet being received: sender */
	uint8_t in_mac[ETH_ALEN];
};

static struct st st;

static void o_request(void *ctx, uint32_t ip, const uint8_t *mac)
{
	(void)ctx;
	(void)mac;
	if (ip == 0 || ip == IP4_BROADCAST)
		abort();
}

static void give_back(uintptr_t h)
{
	if (h == 0 || h >= NH || !st.held[h])
		abort();
	st.held[h] = 0;
}

static void o_send(void *ctx, void *h, const uint8_t mac[ETH_ALEN])
{
	(void)ctx;
	give_back((uintptr_t)h);
	/* Packets leave only when their next hop answers, to the address it gave. */
	if (st.dst[(uintptr_t)h] != st.in_ip || memcmp(mac, st.in_mac, ETH_ALEN) != 0)
		abort();
}

static void o_drop(void *ctx, void *h, uint32_t ip, int reason)
{
	(void)ctx;
	give_back((uintptr_t)h);
	if (ip != st.dst[(uintptr_t)h])
		abort();
	if (reason != -EHOSTUNREACH && reason != -ENOBUFS && reason != -ENETDOWN)
		abort();
}

static const struct arp_cache_ops ops = { .request = o_request, .send = o_send, .drop = o_drop };

static void check_entry(const struct arp_entry *e, void *ctx)
{
	(void)ctx;
	if (e->qlen > ARP_QUEUE_MAX || e->state == ARP_FREE)
		abort();
	/* Remember what the cache learned, to check what it answers later. */
	if (e->state != ARP_INCOMPLETE)
		memcpy(st.mac[e->ip & 0xff], e->mac, ETH_ALEN);
}

/* One step of the script; returns the bytes it used. */
static size_t step(const uint8_t *p, size_t n, uint64_t *now, uintptr_t *next)
{
	uint8_t mac[ETH_ALEN];
	/* Hosts 10.0.0.0/24 minus a few; byte 0 and 255 hit the refused addresses too. */
	uint32_t ip = n > 1 ? 0x0a000000u | p[1] : 0;

	if (n < 2)
		return n;
	if (p[1] == 0)
		ip = 0;
	switch (p[0] % 6) {
	case 0:
		if (*next < NH) {
			int rc = arp_cache_resolve(&st.c, ip, *now, (void *)*next, mac);

			if (rc == -EINPROGRESS) {
				st.held[*next] = 1;
				st.dst[*next] = ip;
			} else if (rc == 0 && memcmp(mac, st.mac[p[1]], ETH_ALEN) != 0) {
				abort();
			}
			(*next)++;
		}
		return 2;
	case 1:
	case 2:
		memset(mac, 0x02, ETH_ALEN);
		mac[5] = (uint8_t)(p[0] >> 3);
		st.in_ip = ip;
		memcpy(st.in_mac, mac, ETH_ALEN);
		arp_cache_input(&st.c, ip, mac, p[0] & 1, *now);
		st.in_ip = 0;
		return 2;
	case 3:
		*now += (uint64_t)p[1] * 100000000ull; /* up to 25.5 s */
		arp_cache_tick(&st.c, *now);
		return 2;
	case 4:
		(void)arp_cache_del(&st.c, ip);
		return 2;
	default:
		if (p[1] == 0)
			arp_cache_flush(&st.c);
		return 2;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t now = 0;
	uintptr_t next = 1;

	memset(&st, 0, sizeof(st));
	arp_cache_init(&st.c, &ops, NULL);
	while (size) {
		size_t used = step(data, size, &now, &next);

		data += used;
		size -= used;
		arp_cache_foreach(&st.c, check_entry, NULL);
	}
	arp_cache_flush(&st.c);
	for (size_t i = 0; i < NH; i++)
		if (st.held[i])
			abort();
	return 0;
}
