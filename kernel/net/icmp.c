// SPDX-License-Identifier: MIT
/*
 * ICMP (RFC 792) as a host needs it (RFC 1122 3.2.2): echo replies,
 * errors about our datagrams handed to the protocol that sent them, and
 * errors we send (rate-limited, and never about an ICMP error, a
 * broadcast or multicast, or a fragment other than the first).
 *
 * Locks: the rate limit's bucket is guarded by icmp_lock (a leaf
 * spinlock); the rest runs in the caller's context without locks.
 */
#include <cairn/errno.h>

#include <lib/string.h>

#include "core/log.h"
#include "net/inet.h"
#include "net/ip_internal.h"
#include "net/netif.h"
#include "net/pkt.h"
#include "sched/spinlock.h"
#include "time/time.h"

/* Linux's defaults (ip-sysctl: icmp_msgs_per_sec 1000, icmp_msgs_burst 50). */
#define ICMP_RATE  1000u
#define ICMP_BURST 50u
/* What an error quotes of the datagram: its header and 8 bytes (RFC 792). */
#define ICMP_QUOTE 8u

static struct spinlock icmp_lock = SPINLOCK_INIT("net.icmp");
static uint64_t bucket_time __guarded_by(&icmp_lock);
static unsigned bucket_tokens __guarded_by(&icmp_lock) = ICMP_BURST;

/* A token bucket: ICMP_RATE errors a second, ICMP_BURST at once. */
static bool rate_ok(void)
{
	uint64_t now = net_now();
	bool ok;

	spin_lock(&icmp_lock);
	if (now - bucket_time >= NSEC_PER_SEC / ICMP_RATE) {
		uint64_t tokens = bucket_tokens + (now - bucket_time) / (NSEC_PER_SEC / ICMP_RATE);

		bucket_tokens = tokens > ICMP_BURST ? ICMP_BURST : (unsigned)tokens;
		bucket_time = now;
	}
	ok = bucket_tokens > 0;
	if (ok)
		bucket_tokens--;
	spin_unlock(&icmp_lock);
	return ok;
}

/* Whether @orig carries an ICMP error (or something too short to tell). */
static bool is_icmp_error(const struct ip4_view *orig)
{
	uint8_t type;

	if (orig->proto != IPPROTO_ICMP)
		return false;
	if (orig->len < 1)
		return true;
	type = orig->payload[0];
	return type != ICMP_ECHO_REQUEST && type != ICMP_ECHO_REPLY && type != 13 && type != 14 &&
	       type != 15 && type != 16; /* timestamp and info queries */
}

/* RFC 1122 3.2.2: the datagrams no error may be about. */
static bool error_allowed(const struct ip4_view *orig)
{
	if ((orig->frag_off & IP4_OFFMASK) != 0 || is_icmp_error(orig) || ip_rx_link_bcast())
		return false;
	if (orig->dst == IP4_BROADCAST || ip4_is_multicast(orig->dst))
		return false;
	if (!orig->src || orig->src == IP4_BROADCAST || ip4_is_multicast(orig->src))
		return false;
	return !inet_addr_is_local(orig->dst) || inet_addr_is_ours(orig->dst);
}

void icmp_send_error(const struct ip4_view *orig, uint8_t type, uint8_t code)
{
	size_t quote = orig->hlen + (orig->len < ICMP_QUOTE ? orig->len : ICMP_QUOTE);
	struct pkt *p;
	uint8_t *b;
	int err;

	if (!error_allowed(orig) || !rate_ok())
		return;
	p = pkt_alloc(PKT_HEADROOM, ICMP_HLEN + quote);
	if (!p)
		return;
	b = pkt_put(p, ICMP_HLEN + quote);
	memcpy(b + ICMP_HLEN, orig->hdr, quote);
	icmp_build(b, type, code, 0, quote);
	NET_INC(inet_stats.icmp_out);
	err = ip4_output(p, inet_addr_is_ours(orig->dst) ? orig->dst : 0, orig->src, IPPROTO_ICMP,
	                 0, 0, false);
	if (err && net_log_ok())
		pr_info("net: could not send an ICMP error (%d)", err);
}

/* Answer an echo request with the same id, sequence and data (RFC 792 "Echo"). */
static void echo_reply(const struct icmp_view *icmp, const struct ip4_view *ip)
{
	struct pkt *p = pkt_alloc(PKT_HEADROOM, ICMP_HLEN + icmp->len);
	uint8_t *b;
	int err;

	if (!p)
		return;
	b = pkt_put(p, ICMP_HLEN + icmp->len);
	memcpy(b + ICMP_HLEN, icmp->payload, icmp->len);
	icmp_build(b, ICMP_ECHO_REPLY, 0, icmp->rest, icmp->len);
	NET_INC(inet_stats.icmp_out);
	err = ip4_output(p, ip->dst, ip->src, IPPROTO_ICMP, 0, ip->tos, false);
	if (err && net_log_ok())
		pr_info("net: could not send an echo reply (%d)", err);
}

/*
 * Read the header an ICMP error quotes (RFC 792: the header and at least
 * 8 bytes of data). Its total length covers more than the quote, so
 * ip4_parse() would refuse it; the checksum is not ours to judge.
 */
int ip4_parse_quoted(const uint8_t *q, size_t len, struct ip4_view *v)
{
	size_t hlen;

	if (len < IP4_HLEN_MIN || q[0] >> 4 != 4)
		return -EINVAL;
	hlen = (size_t)(q[0] & 0xf) * 4;
	if (hlen < IP4_HLEN_MIN || len < hlen + ICMP_QUOTE)
		return -EINVAL;
	*v = (struct ip4_view){ .hlen = (uint8_t)hlen,
		                .tos = q[1],
		                .total_len = net_get16(q + 2),
		                .id = net_get16(q + 4),
		                .frag_off = net_get16(q + 6),
		                .ttl = q[8],
		                .proto = q[9],
		                .src = net_get32(q + 12),
		                .dst = net_get32(q + 16),
		                .hdr = q,
		                .payload = q + hlen,
		                .len = len - hlen };
	return 0;
}

/* An error about one of our datagrams: hand the quoted header to its protocol. */
static void error_input(const struct icmp_view *icmp)
{
	struct ip4_view inner;
	inet_err_fn fn;

	if (ip4_parse_quoted(icmp->payload, icmp->len, &inner)) {
		NET_INC(inet_stats.icmp_in_errors);
		return;
	}
	fn = inet_err_hook(inner.proto);
	if (fn)
		fn(icmp->type, icmp->code, &inner);
}

void icmp_input(struct pkt *p, const struct ip4_view *ip)
{
	struct icmp_view icmp;

	NET_INC(inet_stats.icmp_in);
	if (icmp_parse(p->data, p->len, &icmp)) {
		NET_INC(inet_stats.icmp_in_errors);
		goto out;
	}
	switch (icmp.type) {
	case ICMP_ECHO_REQUEST:
		/* Echo to a broadcast is ignored, as Linux's icmp_echo_ignore_broadcasts. */
		if (!(p->flags & PKT_BCAST) && inet_addr_is_ours(ip->dst))
			echo_reply(&icmp, ip);
		break;
	case ICMP_DEST_UNREACH:
	case ICMP_TIME_EXCEEDED:
	case 12: /* parameter problem */
		error_input(&icmp);
		break;
	default:
		break; /* echo replies and the rest: raw sockets saw them already */
	}
out:
	pkt_free(p);
}
