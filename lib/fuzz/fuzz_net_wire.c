/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target for lib/net/wire.c and wire_tcp.c: the input is a frame
 * received from the wire. Every parser runs on it (with and without the
 * checksums trusted), then the chain the stack runs: Ethernet, then ARP or
 * IPv4, then ICMP, UDP or TCP. Checks that no parser reads outside the
 * input (ASan), that every view it fills stays inside the input, and that
 * a parsed TCP header rebuilt with tcp_build() parses again to the same
 * fields.
 */
#include <lib/net/wire.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SRC 0x0a00020fu
#define DST 0x0a000202u

static void inside(const uint8_t *base, size_t size, const uint8_t *p, size_t len)
{
	if (p < base || p > base + size || len > (size_t)(base + size - p))
		abort();
}

/* Rebuild @s's header from its parsed fields, parse it again, compare. */
static void tcp_rebuild(const struct tcp_seg *s)
{
	uint8_t buf[TCP_HLEN_MAX + 8];
	struct tcp_seg r;
	size_t h = tcp_build(buf, s, SRC, DST, 0, false);
	unsigned keep = TCP_OPT_MSS | TCP_OPT_WSCALE | TCP_OPT_SACK_OK | TCP_OPT_TS;

	if (h != tcp_hdr_len(&s->opt) || h < TCP_HLEN_MIN || h > TCP_HLEN_MAX || h % 4)
		abort();
	if (tcp_parse(buf, h, SRC, DST, false, &r) != 0)
		abort();
	if (r.seq != s->seq || r.ack != s->ack || r.flags != s->flags || r.wnd != s->wnd ||
	    r.sport != s->sport || r.dport != s->dport || r.len != 0)
		abort();
	if ((r.opt.has & keep) != (s->opt.has & keep))
		abort();
	if ((s->opt.has & TCP_OPT_MSS) && r.opt.mss != s->opt.mss)
		abort();
	if ((s->opt.has & TCP_OPT_WSCALE) && r.opt.wscale != s->opt.wscale)
		abort();
	if ((s->opt.has & TCP_OPT_TS) &&
	    (r.opt.ts_val != s->opt.ts_val || r.opt.ts_ecr != s->opt.ts_ecr))
		abort();
	if (r.opt.nsack > s->opt.nsack || r.opt.nsack > TCP_MAX_SACK)
		abort();
}

static void l4(const uint8_t *base, size_t size, const uint8_t *p, size_t len, uint8_t proto,
               uint32_t src, uint32_t dst, bool csum_ok)
{
	struct icmp_view iv;
	struct udp_view uv;
	struct tcp_seg tv;

	if (proto == IPPROTO_ICMP && icmp_parse(p, len, &iv) == 0)
		inside(base, size, iv.payload, iv.len);
	if (proto == IPPROTO_UDP && udp_parse(p, len, src, dst, csum_ok, &uv) == 0)
		inside(base, size, uv.payload, uv.len);
	if (proto == IPPROTO_TCP && tcp_parse(p, len, src, dst, csum_ok, &tv) == 0) {
		inside(base, size, tv.payload, tv.len);
		if (tv.opt.nsack > TCP_MAX_SACK || tv.opt.wscale > 14)
			abort();
		tcp_rebuild(&tv);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct eth_view ev;
	struct arp_view av;
	struct ip4_view ip;

	/* Each parser alone, on the raw bytes. */
	for (int ok = 0; ok < 2; ok++) {
		l4(data, size, data, size, IPPROTO_ICMP, SRC, DST, ok);
		l4(data, size, data, size, IPPROTO_UDP, SRC, DST, ok);
		l4(data, size, data, size, IPPROTO_TCP, SRC, DST, ok);
		if (ip4_parse(data, size, ok, &ip) == 0) {
			inside(data, size, ip.payload, ip.len);
			(void)ip4_is_fragment(&ip);
		}
	}
	if (arp_parse(data, size, &av) == 0) {
		uint8_t out[ARP_LEN];

		arp_build(out, &av);
		if (memcmp(out, data, 8) != 0)
			abort();
	}
	/* The chain the stack runs on a received frame. */
	if (eth_parse(data, size, &ev) != 0)
		return 0;
	inside(data, size, ev.payload, ev.len);
	if (ev.type == ETHERTYPE_ARP)
		(void)arp_parse(ev.payload, ev.len, &av);
	if (ev.type != ETHERTYPE_IP || ip4_parse(ev.payload, ev.len, false, &ip) != 0)
		return 0;
	inside(data, size, ip.payload, ip.len);
	if (!ip4_is_fragment(&ip))
		l4(data, size, ip.payload, ip.len, ip.proto, ip.src, ip.dst, false);
	return 0;
}
